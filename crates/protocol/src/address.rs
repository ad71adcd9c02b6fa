//! Whether the browser that opened a login session and the device that scanned it share an
//! address (the same desktop): the defence against a relayed QR code (QRLJacking).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// The comparison's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMatch {
    /// IPv4 equal, or IPv6 in the same /64.
    Match,
    /// Different addresses of the same family.
    Mismatch,
    /// Different families, or behind a proxy that hides the client: cannot tell.
    Unknown,
}

/// Compares the browser's and the device's addresses as the protocol says.
pub fn compare(browser: IpAddr, device: IpAddr) -> AddressMatch {
    match (unmap(browser), unmap(device)) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            if a == b {
                AddressMatch::Match
            } else {
                AddressMatch::Mismatch
            }
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            if a.segments()[..4] == b.segments()[..4] {
                AddressMatch::Match
            } else {
                AddressMatch::Mismatch
            }
        }
        _ => AddressMatch::Unknown,
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
            AddressMatch::Match
        );
        // The relay test's case: another loopback address is another machine as far as the
        // protocol knows.
        assert_eq!(
            compare(ip("127.0.0.1"), ip("127.0.0.2")),
            AddressMatch::Mismatch
        );
        assert_eq!(
            compare(ip("2001:db8:1:2::10"), ip("2001:db8:1:2:ffff::1")),
            AddressMatch::Match
        );
        assert_eq!(
            compare(ip("2001:db8:1:2::10"), ip("2001:db8:1:3::10")),
            AddressMatch::Mismatch
        );
        assert_eq!(
            compare(ip("192.0.2.1"), ip("2001:db8::1")),
            AddressMatch::Unknown
        );
        assert_eq!(
            compare(ip("::ffff:192.0.2.1"), ip("192.0.2.1")),
            AddressMatch::Match
        );
    }
}
