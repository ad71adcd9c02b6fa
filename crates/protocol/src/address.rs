//! Whether the browser that opened a login session and the device that scanned it share an
//! address (the same desktop): the defence against a relayed QR code (QRLJacking).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// The comparison's outcome when both addresses are of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMatch {
    /// IPv4 equal, or IPv6 in the same /64.
    Match,
    /// Different addresses, or a device that could not reach the server over the browser's
    /// family.
    Mismatch,
}

/// The family of an address, as the browser reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressFamily {
    Ipv4,
    Ipv6,
}

impl AddressFamily {
    /// The family of `address`, an IPv4-mapped IPv6 address being IPv4.
    pub fn of(address: IpAddr) -> Self {
        match unmap(address) {
            IpAddr::V4(_) => Self::Ipv4,
            IpAddr::V6(_) => Self::Ipv6,
        }
    }

    /// How people write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ipv4 => "IPv4",
            Self::Ipv6 => "IPv6",
        }
    }
}

/// Compares the browser's and the device's addresses as the protocol says; `None` when they are
/// of different families, which cannot be compared (one desktop may reach a dual-stack server
/// over either; the device must ask again over the browser's family).
pub fn compare(browser: IpAddr, device: IpAddr) -> Option<AddressMatch> {
    match (unmap(browser), unmap(device)) {
        (IpAddr::V4(a), IpAddr::V4(b)) => Some(if a == b {
            AddressMatch::Match
        } else {
            AddressMatch::Mismatch
        }),
        (IpAddr::V6(a), IpAddr::V6(b)) => Some(if a.segments()[..4] == b.segments()[..4] {
            AddressMatch::Match
        } else {
            AddressMatch::Mismatch
        }),
        _ => None,
    }
}

/// `::ffff:a.b.c.d` is the IPv4 address a dual-stack socket reports for an IPv4 client.
fn unmap(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn the_protocols_rules() {
        assert_eq!(
            compare(ip("127.0.0.1"), ip("127.0.0.1")),
            Some(AddressMatch::Match)
        );
        // The relay test's case: another loopback address is another machine as far as the
        // protocol knows.
        assert_eq!(
            compare(ip("127.0.0.1"), ip("127.0.0.2")),
            Some(AddressMatch::Mismatch)
        );
        assert_eq!(
            compare(ip("2001:db8:1:2::10"), ip("2001:db8:1:2:ffff::1")),
            Some(AddressMatch::Match)
        );
        assert_eq!(
            compare(ip("2001:db8:1:2::10"), ip("2001:db8:1:3::10")),
            Some(AddressMatch::Mismatch)
        );
        assert_eq!(compare(ip("192.0.2.1"), ip("2001:db8::1")), None);
        assert_eq!(
            AddressFamily::of(ip("::ffff:192.0.2.1")),
            AddressFamily::Ipv4
        );
        assert_eq!(AddressFamily::of(ip("::1")), AddressFamily::Ipv6);
        assert_eq!(
            compare(ip("::ffff:192.0.2.1"), ip("192.0.2.1")),
            Some(AddressMatch::Match)
        );
    }
}
