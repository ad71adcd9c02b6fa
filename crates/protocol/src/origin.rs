//! Origins: scheme, host and port, compared exactly. `http` only for loopback hosts, where no
//! one can sit between the browser and the server.

use std::fmt;
use std::net::IpAddr;

/// Why a text is not an acceptable origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// Not a URL at all.
    #[error("{0:?} is not a web address")]
    NotAUrl(String),
    /// Something other than http or https.
    #[error("{0:?} is not an http or https address")]
    Scheme(String),
    /// Plain http to a host that is not this computer.
    #[error(
        "{0} uses plain http, which Sesame accepts only for this computer (127.0.0.1, ::1, localhost)"
    )]
    InsecureHttp(String),
    /// A path, query, fragment or user info: an origin has none.
    #[error("{0:?} is not an origin: it has a path, query or user name")]
    NotAnOrigin(String),
}

/// A web origin, normalised (lower-case host, default port explicit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parses an origin such as `https://login.example.com` or `http://127.0.0.1:8080`.
    pub fn parse(text: &str) -> Result<Self, OriginError> {
        let url = url::Url::parse(text).map_err(|_| OriginError::NotAUrl(text.to_owned()))?;
        let scheme = url.scheme().to_owned();
        if scheme != "http" && scheme != "https" {
            return Err(OriginError::Scheme(text.to_owned()));
        }
        let has_extra = !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
            || !(url.path().is_empty() || url.path() == "/");
        if has_extra {
            return Err(OriginError::NotAnOrigin(text.to_owned()));
        }
        let host = url
            .host_str()
            .ok_or_else(|| OriginError::NotAUrl(text.to_owned()))?
            .to_ascii_lowercase();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| OriginError::NotAUrl(text.to_owned()))?;
        let origin = Self { scheme, host, port };
        if origin.scheme == "http" && !origin.is_loopback() {
            return Err(OriginError::InsecureHttp(origin.to_string()));
        }
        Ok(origin)
    }

    /// True for hosts that are this computer.
    pub fn is_loopback(&self) -> bool {
        let bare = self.host.trim_start_matches('[').trim_end_matches(']');
        bare == "localhost"
            || bare
                .parse::<IpAddr>()
                .is_ok_and(|address| address.is_loopback())
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = matches!(
            (self.scheme.as_str(), self.port),
            ("https", 443) | ("http", 80)
        );
        if default {
            write!(f, "{}://{}", self.scheme, self.host)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalise_and_compare_exactly() {
        let a = Origin::parse("https://Login.Example.com").expect("origin");
        let b = Origin::parse("https://login.example.com:443/").expect("origin");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "https://login.example.com");
        assert_ne!(
            a,
            Origin::parse("https://login.example.com:8443").expect("origin")
        );
        assert_ne!(a, Origin::parse("https://example.com").expect("origin"));
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(Origin::parse(ok).is_ok(), "{ok}");
        }
        assert!(matches!(
            Origin::parse("http://login.example.com"),
            Err(OriginError::InsecureHttp(_))
        ));
    }

    #[test]
    fn non_origins_are_refused() {
        assert!(matches!(
            Origin::parse("nonsense"),
            Err(OriginError::NotAUrl(_))
        ));
        assert!(matches!(
            Origin::parse("ftp://x.example"),
            Err(OriginError::Scheme(_))
        ));
        for bad in [
            "https://example.com/login",
            "https://example.com/?a=1",
            "https://user@example.com",
            "https://example.com/#x",
        ] {
            assert!(
                matches!(Origin::parse(bad), Err(OriginError::NotAnOrigin(_))),
                "{bad}"
            );
        }
    }
}
