//! Where a request comes from. Behind a reverse proxy every TCP peer is the proxy, which would
//! make every relayed sign-in an address "match" and put the whole site in one rate-limit
//! bucket; so the server takes the address the proxy forwards (`Forwarded`, RFC 7239, or
//! `X-Forwarded-For`) — but only from peers the operator names with `--trusted-proxy`, since
//! anyone else can write those headers.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr as _;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::error::ApiError;
use crate::state::AppState;

/// The proxies whose forwarded addresses the server believes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// From `--trusted-proxy` values: networks (`10.0.0.0/8`, `::1/128`) or single addresses.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, String> {
        values
            .iter()
            .map(|value| {
                let value = value.as_ref().trim();
                IpNet::from_str(value)
                    .or_else(|_| IpAddr::from_str(value).map(IpNet::from))
                    .map_err(|_| {
                        format!("{value:?} is not an address or a network (like 10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of a request that reached the server from `peer`: `peer` itself unless it is
    /// a trusted proxy; then, walking the forwarded addresses from the nearest hop back, the
    /// first one that is not a trusted proxy. A hop that cannot be read ends the walk there:
    /// what lies before it was written by someone no trusted proxy vouches for.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        for hop in forwarded_chain(headers).iter().rev() {
            let Some(hop) = hop else {
                return client;
            };
            client = canonical(*hop);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`, as dual-stack sockets report it) is
/// the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The forwarded addresses, client first: from `Forwarded` if present, else `X-Forwarded-For`;
/// `None` for a hop that is not an address (`unknown`, an obfuscated name, garbage).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| node_address(value.trim().trim_matches('"')))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|hop| node_address(hop))
        .collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`,
/// `2001:db8::1`.
fn node_address(text: &str) -> Option<IpAddr> {
    if let Ok(address) = IpAddr::from_str(text) {
        return Some(address);
    }
    if let Ok(socket) = SocketAddr::from_str(text) {
        return Some(socket.ip());
    }
    let bracketed = text.strip_prefix('[')?.split(']').next()?;
    IpAddr::from_str(bracketed).ok()
}

/// The request's client address, as [`TrustedProxies::client`] decides it.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // axum's own extractor, so that tests' MockConnectInfo stands in for the socket.
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::Internal(format!("no peer address: {e}")))?;
        Ok(Self(
            state.trusted_proxies.client(peer.ip(), &parts.headers),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).expect("parse");
        let forwarded = headers(&[("x-forwarded-for", "127.0.0.2")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &forwarded), ip("127.0.0.2"));
        assert_eq!(
            proxies.client(ip("127.0.0.9"), &forwarded),
            ip("127.0.0.9"),
            "anyone else's X-Forwarded-For is theirs to write"
        );
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), &forwarded),
            ip("127.0.0.1"),
            "no trusted proxy: the peer"
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).expect("parse");
        // A client that forges a first hop: the proxies appended the real one after it.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 127.0.0.7, 10.1.2.3")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &chain), ip("127.0.0.7"));
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.2, 10.0.0.3")]);
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &all_trusted),
            ip("10.0.0.2")
        );
        let garbage = headers(&[("x-forwarded-for", "127.0.0.7, nonsense")]);
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &garbage),
            ip("127.0.0.1"),
            "an unreadable hop ends the walk at the proxy"
        );
    }

    #[test]
    fn forwarded_wins_and_its_forms_are_read() {
        let proxies = TrustedProxies::parse(&["::1", "127.0.0.1"]).expect("parse");
        let both = headers(&[
            ("forwarded", "for=\"[2001:db8::7]:4711\";proto=https"),
            ("x-forwarded-for", "127.0.0.3"),
        ]);
        assert_eq!(proxies.client(ip("::1"), &both), ip("2001:db8::7"));
        let v4 = headers(&[("forwarded", "For=127.0.0.5:80, for=127.0.0.1")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &v4), ip("127.0.0.5"));
        let hidden = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &hidden), ip("127.0.0.1"));
        assert_eq!(
            proxies.client(
                ip("::ffff:127.0.0.1"),
                &headers(&[("x-forwarded-for", "127.0.0.6")])
            ),
            ip("127.0.0.6"),
            "a dual-stack socket's mapped IPv4 peer is that IPv4 address"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let error = TrustedProxies::parse(&["10.0.0.0/8", "proxy.example"]).expect_err("bad");
        assert!(error.contains("proxy.example"), "{error}");
    }
}
