//! The opening handshake of RFC 6455 §4.2: checking the client's request and answering 101.

use axum::http::header::{
    ALLOW, CONNECTION, HOST, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION,
    UPGRADE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Why a request is not a WebSocket handshake this server accepts (RFC 6455 §4.2.1), and the
/// answer each gets: what Go's gorilla/websocket and Python's websockets answer too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Not `GET`: 405 with `Allow: GET`.
    Method,
    /// Not HTTP/1.1 (the only version whose upgrade RFC 6455 defines): 400.
    HttpVersion,
    /// No `Host` header, or more than one: 400 (RFC 6455 §4.2.1 item 2, RFC 9112 §3.2).
    Host,
    /// No `Upgrade: websocket` or no `upgrade` token in `Connection` (a plain HTTP request):
    /// 426 with `Upgrade: websocket` (RFC 9110 §15.5.22).
    NotUpgrade,
    /// `Sec-WebSocket-Version` other than 13: 426 with `Sec-WebSocket-Version: 13`
    /// (RFC 6455 §4.2.2).
    WebSocketVersion,
    /// `Sec-WebSocket-Key` missing, given more than once (RFC 6455 §11.3.1), or not 16
    /// bytes in base64: 400.
    Key,
    /// The connection cannot be upgraded (no upgrade handle, e.g. a request sent in-process):
    /// 426, as axum answers.
    NotUpgradable,
}

impl Rejection {
    fn message(self) -> &'static str {
        match self {
            Rejection::Method => "a WebSocket handshake must be a GET request",
            Rejection::HttpVersion => "a WebSocket handshake needs HTTP/1.1",
            Rejection::Host => "a WebSocket handshake needs exactly one Host header",
            Rejection::NotUpgrade => {
                "this is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)"
            }
            Rejection::WebSocketVersion => "unsupported Sec-WebSocket-Version: use 13",
            Rejection::Key => "send one Sec-WebSocket-Key header: 16 random bytes in base64",
            Rejection::NotUpgradable => "this connection cannot be upgraded to a WebSocket",
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, headers): (StatusCode, &[(HeaderName, &str)]) = match self {
            Rejection::Method => (StatusCode::METHOD_NOT_ALLOWED, &[(ALLOW, "GET")]),
            Rejection::NotUpgrade => (
                StatusCode::UPGRADE_REQUIRED,
                &[(UPGRADE, "websocket"), (CONNECTION, "Upgrade")],
            ),
            Rejection::WebSocketVersion => (
                StatusCode::UPGRADE_REQUIRED,
                &[(SEC_WEBSOCKET_VERSION, "13")],
            ),
            Rejection::NotUpgradable => (StatusCode::UPGRADE_REQUIRED, &[]),
            Rejection::HttpVersion | Rejection::Host | Rejection::Key => {
                (StatusCode::BAD_REQUEST, &[])
            }
        };
        let mut response = (status, format!("{}\n", self.message())).into_response();
        for (name, value) in headers {
            response
                .headers_mut()
                .insert(name, HeaderValue::from_static(value));
        }
        response
    }
}

/// Checks the client's handshake (RFC 6455 §4.2.1: GET over HTTP/1.1, one `Host`,
/// `Upgrade: websocket`, `Connection` with an `upgrade` token, `Sec-WebSocket-Version: 13`,
/// one `Sec-WebSocket-Key` of 16 bytes in base64) and returns the `Sec-WebSocket-Accept`
/// value for the answer.
pub(crate) fn check(request: &Parts) -> Result<String, Rejection> {
    if request.method != Method::GET {
        return Err(Rejection::Method);
    }
    if request.version != Version::HTTP_11 {
        return Err(Rejection::HttpVersion);
    }
    let headers = &request.headers;
    if headers.get_all(HOST).iter().count() != 1 {
        return Err(Rejection::Host);
    }
    if !has_token(headers, &UPGRADE, "websocket") || !has_token(headers, &CONNECTION, "upgrade") {
        return Err(Rejection::NotUpgrade);
    }
    let version = headers.get_all(SEC_WEBSOCKET_VERSION).iter();
    if !version.map(HeaderValue::as_bytes).eq([b"13".as_slice()]) {
        return Err(Rejection::WebSocketVersion);
    }
    let mut keys = headers.get_all(SEC_WEBSOCKET_KEY).iter();
    match (keys.next(), keys.next()) {
        (Some(key), None) if is_nonce(key.as_bytes()) => Ok(derive_accept_key(key.as_bytes())),
        _ => Err(Rejection::Key),
    }
}

/// The `101 Switching Protocols` answer to a handshake whose key gave `accept`.
pub(crate) fn switching_protocols(accept: &str) -> Response {
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Whether some value of header `name` holds `token` in its comma-separated list (without
/// case: `Connection: keep-alive, Upgrade` holds `upgrade`).
fn has_token(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case(token))
}

/// Whether `key` is 16 bytes in base64: 22 base64 digits and `==` (RFC 6455 §4.1 item 7).
fn is_nonce(key: &[u8]) -> bool {
    let digit = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    key.len() == 24 && key[..22].iter().all(digit) && &key[22..] == b"=="
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn parts(method: Method, headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::builder().method(method).uri("/chat");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![
            ("host", "127.0.0.1:8800"),
            ("upgrade", "websocket"),
            ("connection", "Upgrade"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", KEY),
        ]
    }

    fn with(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
        let mut headers: Vec<_> = valid().into_iter().filter(|(n, _)| *n != name).collect();
        headers.push((name, value));
        headers
    }

    #[test]
    fn a_valid_handshake_gets_the_rfc_accept_key() {
        // The example of RFC 6455 §1.3.
        assert_eq!(
            check(&parts(Method::GET, &valid())),
            Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".to_owned())
        );
        let tokens = with("connection", "keep-alive, Upgrade");
        assert!(check(&parts(Method::GET, &tokens)).is_ok());
        let case = with("upgrade", "WebSocket");
        assert!(check(&parts(Method::GET, &case)).is_ok());
    }

    #[test]
    fn each_fault_gets_its_rejection() {
        let cases = [
            (parts(Method::POST, &valid()), Rejection::Method),
            (parts(Method::HEAD, &valid()), Rejection::Method),
            (
                parts(Method::GET, &[("host", "127.0.0.1:8800")]),
                Rejection::NotUpgrade,
            ),
            (
                parts(Method::GET, &with("upgrade", "h2c")),
                Rejection::NotUpgrade,
            ),
            (
                parts(Method::GET, &with("connection", "close")),
                Rejection::NotUpgrade,
            ),
            (
                parts(Method::GET, &with("connection", "upgraded")),
                Rejection::NotUpgrade,
            ),
            (
                parts(Method::GET, &with("sec-websocket-version", "8")),
                Rejection::WebSocketVersion,
            ),
            (
                parts(Method::GET, &with("sec-websocket-version", "13, 8")),
                Rejection::WebSocketVersion,
            ),
            (
                parts(Method::GET, &with("sec-websocket-key", "short==")),
                Rejection::Key,
            ),
            (
                parts(
                    Method::GET,
                    &with("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=!"),
                ),
                Rejection::Key,
            ),
        ];
        for (request, rejection) in cases {
            assert_eq!(check(&request), Err(rejection), "{:?}", request.headers);
        }
        let mut old = parts(Method::GET, &valid());
        old.version = Version::HTTP_10;
        assert_eq!(check(&old), Err(Rejection::HttpVersion));
        let mut no_key = parts(Method::GET, &valid());
        no_key.headers.remove(SEC_WEBSOCKET_KEY);
        assert_eq!(check(&no_key), Err(Rejection::Key));
        let mut two_keys = parts(Method::GET, &valid());
        let other_key = HeaderValue::from_static("AAAAAAAAAAAAAAAAAAAAAA==");
        two_keys.headers.append(SEC_WEBSOCKET_KEY, other_key);
        assert_eq!(check(&two_keys), Err(Rejection::Key), "RFC 6455 §11.3.1");
        let mut no_host = parts(Method::GET, &valid());
        no_host.headers.remove(HOST);
        assert_eq!(check(&no_host), Err(Rejection::Host));
        let mut two_hosts = parts(Method::GET, &valid());
        two_hosts
            .headers
            .append(HOST, HeaderValue::from_static("evil.example"));
        assert_eq!(check(&two_hosts), Err(Rejection::Host), "RFC 9112 §3.2");
        let mut no_version = parts(Method::GET, &valid());
        no_version.headers.remove(SEC_WEBSOCKET_VERSION);
        assert_eq!(check(&no_version), Err(Rejection::WebSocketVersion));
    }

    #[test]
    fn rejections_carry_the_headers_that_tell_the_client_what_to_do() {
        let version = Rejection::WebSocketVersion.into_response();
        assert_eq!(version.status(), StatusCode::UPGRADE_REQUIRED);
        assert_eq!(version.headers()[SEC_WEBSOCKET_VERSION], "13");
        let plain = Rejection::NotUpgrade.into_response();
        assert_eq!(plain.status(), StatusCode::UPGRADE_REQUIRED);
        assert_eq!(plain.headers()[UPGRADE], "websocket");
        let method = Rejection::Method.into_response();
        assert_eq!(method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(method.headers()[ALLOW], "GET");
        assert_eq!(
            Rejection::Key.into_response().status(),
            StatusCode::BAD_REQUEST
        );
    }
}
