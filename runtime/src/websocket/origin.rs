//! Same-origin check for the handshake: RFC 6454 origins, compared as (scheme, host, port).

use std::net::Ipv6Addr;

use axum::http::header::{HOST, ORIGIN};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Uri};

/// An origin as RFC 6454 §4 defines it: scheme, host and port, with the scheme's default port
/// filled in (`http://127.0.0.1` is `("http", "127.0.0.1", 80)`), the scheme and host
/// lowercase and an IPv6 literal in its canonical form (`[::1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// Parses an origin as browsers send it (`https://app.example.com`, `http://[::1]:8800`)
    /// or as `allowed_origins` lists it (a trailing `/` is allowed there). `None` for
    /// `null`, user info, a path, a query, an empty port, or anything that is not
    /// `scheme://host[:port]`.
    pub(crate) fn parse(text: &str) -> Option<Origin> {
        let uri: Uri = text.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let authority = uri.authority()?;
        let rest = &text[text.find("://")? + 3 + authority.as_str().len()..];
        if !(rest.is_empty() || rest == "/") {
            return None;
        }
        let port = explicit_port(authority)?.or(default_port(&scheme));
        Some(Origin {
            host: canonical_host(authority.host())?,
            scheme,
            port,
        })
    }

    /// Whether the request's `host` (a `Host` header value, or the URI's authority) names
    /// this origin: same host, and same port, a `host` without one taking the default port
    /// of this origin's scheme. `Host` carries no scheme, so only schemes with a default
    /// port (http, https, ws, wss) can match.
    fn is_host(&self, host: &str) -> bool {
        let Some(default) = default_port(&self.scheme) else {
            return false;
        };
        let Ok(authority) = host.parse::<Authority>() else {
            return false;
        };
        let port = match explicit_port(&authority) {
            Some(port) => port.unwrap_or(default),
            None => return false,
        };
        canonical_host(authority.host()).is_some_and(|h| h == self.host) && self.port == Some(port)
    }
}

/// Whether a handshake may proceed: no `Origin` header (a non-browser client), an `Origin`
/// naming the request's host (the `Host` header, or the URI's authority over HTTP/2), or one
/// of `allowed` (compared as origins too, so `https://a.example` lists
/// `https://a.example:443` as well). `null`, garbage, look-alike hosts and more than one
/// `Origin` header (which no user agent sends, RFC 6454 §7.3) are refused.
pub(crate) fn origin_allowed(headers: &HeaderMap, uri: &Uri, allowed: &[String]) -> bool {
    let mut origins = headers.get_all(ORIGIN).iter();
    let origin = match (origins.next(), origins.next()) {
        (None, _) => return true,
        (Some(origin), None) => origin,
        (Some(_), Some(_)) => return false,
    };
    let Some(origin) = origin.to_str().ok().and_then(Origin::parse) else {
        return false;
    };
    if is_listed(&origin, allowed) {
        return true;
    }
    let host = match headers.get(HOST) {
        Some(host) => host.to_str().ok(),
        None => uri.authority().map(Authority::as_str),
    };
    host.is_some_and(|host| origin.is_host(host))
}

/// Whether the request has one `Origin` header and it is one of `allowed` (compared as
/// origins); the request's own origin does not count here (CSRF uses this for a request the
/// browser marked cross-site).
pub(crate) fn origin_listed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let mut origins = headers.get_all(ORIGIN).iter();
    match (origins.next(), origins.next()) {
        (Some(origin), None) => origin
            .to_str()
            .ok()
            .and_then(Origin::parse)
            .is_some_and(|origin| is_listed(&origin, allowed)),
        _ => false,
    }
}

fn is_listed(origin: &Origin, allowed: &[String]) -> bool {
    allowed
        .iter()
        .any(|a| Origin::parse(a).is_some_and(|a| &a == origin))
}

/// The scheme's default port (RFC 6455 §3 for ws/wss, RFC 9110 §4.2 for http/https).
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// The authority's port: `Some(None)` when it has none, `None` when it is malformed (user
/// info, an empty port after `:`, or a port that is not a number in 0..=65535: `http`'s
/// `Authority::port` returns `None` for `:65616` or `:-80`, which must not pass for "no port").
fn explicit_port(authority: &Authority) -> Option<Option<u16>> {
    let text = authority.as_str();
    if text.contains('@') {
        return None;
    }
    // After an IPv6 literal's `]`, or after the host's last `:`.
    let after_host = text.rsplit_once(']').map_or(text, |(_, rest)| rest);
    match after_host.rsplit_once(':') {
        None => Some(None),
        Some((_, port)) if port.bytes().all(|b| b.is_ascii_digit()) => port.parse().ok().map(Some),
        Some(_) => None,
    }
}

/// The host lowercase, an IPv6 literal in canonical form (`[0:0::1]` is `[::1]`).
fn canonical_host(host: &str) -> Option<String> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(ipv6) => Some(format!("[{}]", ipv6.parse::<Ipv6Addr>().ok()?)),
        None if host.is_empty() => None,
        None => Some(host.to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a handshake with these `Host` and `Origin` headers is same-origin.
    fn same(host: &str, origin: &str) -> bool {
        let headers = HeaderMap::from_iter([
            (HOST, host.parse().unwrap()),
            (ORIGIN, origin.parse().unwrap()),
        ]);
        origin_allowed(&headers, &Uri::from_static("/chat"), &[])
    }

    /// Whether `origin` is accepted through `allowed` (with a `Host` that never matches).
    fn listed(allowed: &str, origin: &str) -> bool {
        let headers = HeaderMap::from_iter([
            (HOST, "server.invalid:1".parse().unwrap()),
            (ORIGIN, origin.parse().unwrap()),
        ]);
        origin_allowed(&headers, &Uri::from_static("/chat"), &[allowed.to_owned()])
    }

    #[test]
    fn default_ports_are_filled_in_for_host_and_origin() {
        assert!(same("127.0.0.1:80", "http://127.0.0.1"));
        assert!(same("127.0.0.1", "http://127.0.0.1:80"));
        assert!(same("example.com", "https://example.com"));
        assert!(same("example.com:443", "https://example.com"));
        assert!(same("example.com", "https://example.com:443"));
        assert!(same("127.0.0.1:8800", "http://127.0.0.1:8800"));
        assert!(same("127.0.0.1:8800", "http://127.0.0.1:8800/"));
        assert!(!same("example.com:443", "http://example.com"), "80 ≠ 443");
        assert!(!same("example.com", "http://example.com:8080"));
        assert!(!same("127.0.0.1:8800", "http://127.0.0.1"));
        assert!(!same("127.0.0.1:8801", "http://127.0.0.1:8800"));
        // Ports out of range are malformed, never "no port" (then the default).
        assert!(!same("example.com:65616", "http://example.com"));
        assert!(!same("example.com", "http://example.com:65616"));
        assert!(!same(
            "example.com",
            "http://example.com:99999999999999999999"
        ));
        assert!(!same("example.com:-80", "http://example.com"));
    }

    #[test]
    fn hosts_compare_without_case_and_ipv6_in_brackets() {
        assert!(same(
            "Chat.Example.com:8800",
            "http://chat.example.COM:8800"
        ));
        assert!(same("[::1]:8800", "http://[::1]:8800"));
        assert!(same("[0:0::1]", "http://[::1]:80"));
        assert!(same("[::1]", "http://[::1]"));
        assert!(!same("[::1]:8800", "http://[::2]:8800"));
        assert!(!same("[::1]:8800", "http://::1:8800"));
    }

    #[test]
    fn look_alikes_null_and_garbage_are_refused() {
        let host = "127.0.0.1:8800";
        for origin in [
            "null",
            "http://127.0.0.1.evil.com:8800",
            "http://evil.com:8800",
            "http://127.0.0.1:8800@evil.com",
            "http://evil.com@127.0.0.1:8800",
            "http://127.0.0.1:8800/chat",
            "http://127.0.0.1:8800?x",
            "http://127.0.0.1:",
            "127.0.0.1:8800",
            "//127.0.0.1:8800",
            "http://",
            "",
            "chrome-extension://127.0.0.1:8800",
        ] {
            assert!(!same(host, origin), "{origin:?} must be refused");
        }
        assert!(!same("127.0.0.1:8800@evil.com", "http://evil.com"));
        let mut two = HeaderMap::from_iter([(HOST, host.parse().unwrap())]);
        two.append(ORIGIN, "http://127.0.0.1:8800".parse().unwrap());
        two.append(ORIGIN, "http://evil.com".parse().unwrap());
        assert!(
            !origin_allowed(&two, &Uri::from_static("/chat"), &[]),
            "two Origin headers, the first one same-origin"
        );
        assert!(!same("", "http://127.0.0.1"));
    }

    #[test]
    fn allowed_origins_are_origins_too() {
        assert!(listed(
            "https://app.example.com",
            "https://app.example.com:443"
        ));
        assert!(listed(
            "https://App.Example.com:443/",
            "https://app.example.com"
        ));
        assert!(listed("HTTP://[::1]:8800", "http://[0::1]:8800"));
        assert!(listed("chrome-extension://abc", "chrome-extension://abc"));
        assert!(!listed("https://app.example.com", "http://app.example.com"));
        assert!(!listed("https://app.example", "https://app.example:65979"));
        assert!(!listed("http://a.example:99999", "http://a.example"));
        assert!(!listed(
            "https://app.example.com",
            "https://app.example.com:8443"
        ));
        assert!(!listed(
            "https://app.example.com",
            "https://app.example.com.evil.com"
        ));
        assert!(!listed("null", "null"), "null is never an origin to list");
        assert!(!listed("not an origin", "https://app.example.com"));
    }

    #[test]
    fn no_origin_is_accepted_and_http2_uses_the_authority() {
        assert!(origin_allowed(
            &HeaderMap::new(),
            &Uri::from_static("/"),
            &[]
        ));
        let h2 = Uri::from_static("https://chat.example.com/chat");
        let origin = |o: &str| HeaderMap::from_iter([(ORIGIN, o.parse().unwrap())]);
        assert!(origin_allowed(
            &origin("https://Chat.example.com"),
            &h2,
            &[]
        ));
        assert!(!origin_allowed(&origin("https://evil.example"), &h2, &[]));
        assert!(!origin_allowed(
            &origin("https://chat.example.com"),
            &Uri::from_static("/"),
            &[]
        ));
    }
}
