//! Cross-site request forgery protection for every route: a browser's cross-site POST, PUT,
//! PATCH or DELETE is refused with `403 Forbidden` before the handler runs.
//!
//! The browser says where a request comes from, and a page cannot forge it: `Sec-Fetch-Site`
//! (Fetch Metadata, every major browser since 2020/2023) and `Origin` (sent on every
//! cross-origin POST). The rule, for unsafe methods only (GET, HEAD, OPTIONS and TRACE always
//! pass, so they must not change anything):
//!
//! 1. `Sec-Fetch-Site: same-origin` or `none` (typed in, a bookmark) passes; `cross-site` or
//!    `same-site` (a sibling subdomain) passes only with an `Origin` listed in the config's
//!    `allowed_origins`.
//! 2. Without it, an `Origin` header must be the request's own (scheme, host and port, RFC
//!    6454, the comparison the WebSocket handshake uses) or listed in `allowed_origins`;
//!    `Origin: null` is refused.
//! 3. Neither header: not a browser (curl, another server), so no victim's cookies ride along:
//!    it passes.
//!
//! No token goes through forms or JavaScript, and the session cookie is `SameSite=Lax` as a
//! second fence.

use axum::extract::{Request, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::websocket::origin::{origin_allowed, origin_listed};

/// The request header of Fetch Metadata that says how the request's initiator relates to
/// its target.
const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Whether a request with this method and these headers is a cross-site write to refuse;
/// `allowed` is the config's `allowed_origins`.
pub(crate) fn is_forged(
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    allowed: &[String],
) -> bool {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return false;
    }
    let site = headers.get(SEC_FETCH_SITE).and_then(|v| v.to_str().ok());
    match site.map(str::to_ascii_lowercase).as_deref() {
        Some("same-origin" | "none") => false,
        Some("cross-site" | "same-site") => !origin_listed(headers, allowed),
        _ => !origin_allowed(headers, uri, allowed),
    }
}

/// The middleware [`app`](crate::app) puts around every route.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (method, headers, uri) = (request.method(), request.headers(), request.uri());
    if !is_forged(method, headers, uri, &state.config.allowed_origins) {
        return next.run(request).await;
    }
    tracing::warn!(%method, %uri, origin = ?headers.get(ORIGIN), site = ?headers.get(SEC_FETCH_SITE), "cross-site request refused");
    let body = format!(
        "403 Forbidden: {method} {} from another site refused (cross-site request forgery \
         protection; list a trusted origin in allowed_origins of config/app.toml)\n",
        uri.path()
    );
    (StatusCode::FORBIDDEN, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::HOST;

    /// Whether a request with `headers` (name, value) to host `app.example:8800` is refused.
    fn refused(method: Method, headers: &[(&str, &str)]) -> bool {
        let mut map = HeaderMap::new();
        map.insert(HOST, "app.example:8800".parse().unwrap());
        for (name, value) in headers {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        let allowed = ["https://trusted.example".to_owned()];
        is_forged(&method, &map, &Uri::from_static("/blog/create"), &allowed)
    }

    const OWN: &str = "http://app.example:8800";

    #[test]
    fn safe_methods_always_pass() {
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            let evil = [
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://evil.example"),
            ];
            assert!(!refused(method, &evil));
        }
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(!refused(
                method.clone(),
                &[("sec-fetch-site", "same-origin")]
            ));
            assert!(!refused(method.clone(), &[("sec-fetch-site", "none")]));
            assert!(refused(method.clone(), &[("sec-fetch-site", "cross-site")]));
            assert!(refused(
                method.clone(),
                &[
                    ("sec-fetch-site", "same-site"),
                    ("origin", "http://sub.app.example:8800")
                ]
            ));
            assert!(refused(
                method.clone(),
                &[("sec-fetch-site", "Cross-Site"), ("origin", OWN)]
            ));
            assert!(!refused(
                method,
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://trusted.example")
                ]
            ));
        }
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_apps_own_or_listed() {
        assert!(!refused(Method::POST, &[("origin", OWN)]));
        assert!(!refused(
            Method::POST,
            &[("origin", "http://APP.example:8800/")]
        ));
        assert!(!refused(
            Method::POST,
            &[("origin", "https://trusted.example:443")]
        ));
        assert!(refused(Method::POST, &[("origin", "http://evil.example")]));
        assert!(refused(
            Method::POST,
            &[("origin", "http://app.example:8801")]
        ));
        assert!(refused(Method::POST, &[("origin", "http://app.example")]));
        assert!(refused(Method::DELETE, &[("origin", "null")]));
        assert!(refused(
            Method::POST,
            &[
                ("sec-fetch-site", "bogus"),
                ("origin", "http://evil.example")
            ]
        ));
    }

    #[test]
    fn requests_without_either_header_pass() {
        assert!(!refused(Method::POST, &[]));
        assert!(!refused(Method::DELETE, &[("sec-fetch-site", "bogus")]));
    }
}
