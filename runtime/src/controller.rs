//! What controllers' actions take besides axum's own extractors: [`Args`], the extra path
//! segments of TreeFrog's `/CONTROLLER/ACTION/arg1/arg2` URLs.

use std::fmt::Write;
use std::ops::Deref;

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams};
use axum::http::request::Parts;
use axum::http::StatusCode;

/// The path segments after the action, percent-decoded, in order: `GET /blog/show/3/a%20b`
/// routed as `/blog/show/{*args}` gives `["3", "a b"]`; the route `/blog/show` (or any route
/// without a trailing `{*...}` wildcard) gives none. Empty segments (`a//b`, a trailing `/`)
/// are skipped, as TreeFrog does.
///
/// The segments are split before decoding, so `%2F` stays inside its segment (`a%2Fb` is
/// `["a/b"]`). A segment that does not decode to UTF-8 is refused with `400 Bad Request`.
///
/// ```
/// use tspawn_runtime::controller::Args;
///
/// pub async fn show(Args(args): Args) -> String {
///     format!("{args:?}")
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args(pub Vec<String>);

impl Deref for Args {
    type Target = Vec<String>;

    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Args {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Args, Self::Rejection> {
        const NOT_UTF8: (StatusCode, &str) = (
            StatusCode::BAD_REQUEST,
            "400 Bad Request: a path segment is not percent-encoded UTF-8\n",
        );
        let Some(route) = parts.extensions.get::<MatchedPath>() else {
            return Ok(Args::default());
        };
        let Some((_, wildcard)) = route.as_str().rsplit_once("/{*") else {
            return Ok(Args::default());
        };
        let name = wildcard.trim_end_matches('}').to_owned();
        // axum has decoded the wildcard's value already, `%2F` included, so it is only used to
        // find the raw text it came from: the end of the path (which `nest` may have shortened
        // at the front, never at the back).
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| NOT_UTF8)?;
        let Some((_, value)) = params.iter().filter(|(key, _)| *key == name).last() else {
            return Ok(Args::default());
        };
        let raw = raw_suffix(parts.uri.path(), value.len()).ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error: the path's arguments were not found in the path\n",
        ))?;
        raw.split('/')
            .filter(|segment| !segment.is_empty())
            .map(percent_decode)
            .collect::<Option<Vec<_>>>()
            .map(Args)
            .ok_or(NOT_UTF8)
    }
}

/// The whole segments at the end of `path` that axum's lenient percent-decoding (an escape is
/// `%` and two hex digits, anything else stays as it is) turns into `decoded_len` bytes; `None`
/// if no run of whole segments does. No escape spans a `/`, so each segment decodes alone.
fn raw_suffix(path: &str, decoded_len: usize) -> Option<&str> {
    let mut len = 0;
    let mut start = path.len();
    for segment in path.rsplit('/') {
        start -= segment.len();
        len += lenient_decoded_len(segment);
        if len == decoded_len {
            return Some(&path[start..]);
        }
        // The `/` before this segment.
        len += 1;
        start = start.checked_sub(1)?;
        if len > decoded_len {
            return None;
        }
    }
    None
}

/// How many bytes axum's lenient decoding makes of `segment`.
fn lenient_decoded_len(segment: &str) -> usize {
    let bytes = segment.as_bytes();
    let mut len = 0;
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes[i] == b'%' && bytes.get(i + 1..i + 3).is_some_and(|h| hex(h).is_some());
        i += if escape { 3 } else { 1 };
        len += 1;
    }
    len
}

/// The byte two ASCII hex digits spell (`b"2F"` is `0x2F`); `None` for anything else (a sign,
/// a space, one digit).
fn hex(digits: &[u8]) -> Option<u8> {
    let [high, low] = digits else {
        return None;
    };
    let digit = |d: &u8| char::from(*d).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

/// `text` with every `%XX` (two ASCII hex digits) decoded; `None` for any other `%` (`%zz`,
/// `%+A`, a `%` near the end) or bytes that are not UTF-8. Path segments here and session
/// cookie values ([`session`](crate::session)) are decoded with it.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            bytes.push(hex(tail.get(..2)?)?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// `text` as one URL path segment (RFC 3986, section 3.3): every byte but ASCII letters,
/// digits and `-._~` percent-encoded, `/` too, so a key holding one stays one segment:
/// `segment("a b/ü")` is `"a%20b%2F%C3%BC"`. What a `Location` or a redirect to a row with a
/// text key needs; [`Args`] and axum's `Path` decode it back.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    #[test]
    fn segment_encodes_all_but_unreserved_bytes() {
        assert_eq!(segment("a b/ü%"), "a%20b%2F%C3%BC%25");
        assert_eq!(segment("Az09-._~"), "Az09-._~");
        assert_eq!(segment(""), "");
    }

    async fn show(Args(args): Args) -> String {
        format!("{args:?}")
    }

    /// TreeFrog-style routes.
    fn routes() -> Router {
        Router::new()
            .route("/blog/show", get(show))
            .route("/blog/show/{*args}", get(show))
            .route("/{id}/x/{*rest}", get(show))
    }

    /// The status and body of `GET uri` on `router`.
    async fn get_from(router: Router, uri: &str) -> (StatusCode, String) {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn get_text(uri: &str) -> (StatusCode, String) {
        get_from(routes(), uri).await
    }

    fn ok(body: &str) -> (StatusCode, String) {
        (StatusCode::OK, body.to_owned())
    }

    #[tokio::test]
    async fn segments_after_the_action_decoded_one_by_one() {
        assert_eq!(get_text("/blog/show").await, ok("[]"));
        assert_eq!(get_text("/blog/show/3").await, ok("[\"3\"]"));
        assert_eq!(
            get_text("/blog/show/a/b%20c/z%C3%B6%2Fy?q=1").await,
            ok("[\"a\", \"b c\", \"zö/y\"]")
        );
        assert_eq!(get_text("/blog/show/a//b/").await, ok("[\"a\", \"b\"]"));
        assert_eq!(get_text("/7/x/a/b").await, ok("[\"a\", \"b\"]"));
        assert_eq!(get_text("/%2F/x/a%2F/b").await, ok("[\"a/\", \"b\"]"));
        assert_eq!(get_text("/blog/show/%FF").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(
            get_text("/blog/show/a/%FF").await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(get_text("/blog/show/%zz").await.0, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn malformed_escapes_are_refused() {
        for uri in [
            "/blog/show/%+A",
            "/blog/show/a%-1",
            "/blog/show/%4",
            "/blog/show/%",
        ] {
            assert_eq!(get_text(uri).await.0, StatusCode::BAD_REQUEST, "{uri}");
        }
        assert_eq!(percent_decode("%+A"), None);
        assert_eq!(percent_decode("% a"), None);
        assert_eq!(percent_decode("%4a%4A"), Some("JJ".to_owned()));
    }

    #[tokio::test]
    async fn nested_routers_give_every_segment() {
        let nested = || Router::new().nest("/admin", routes());
        assert_eq!(
            get_from(nested(), "/admin/blog/show/a/b").await,
            ok("[\"a\", \"b\"]")
        );
        assert_eq!(
            get_from(nested(), "/admin/blog/show/a%2F%zz/%41").await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            get_from(nested(), "/admin/blog/show/a%2Fb//c%20d/").await,
            ok("[\"a/b\", \"c d\"]")
        );
        let deep = Router::new().nest("/{tenant}", Router::new().nest("/v1", routes()));
        assert_eq!(
            get_from(deep, "/acme%2F/v1/7/x/%25/b").await,
            ok("[\"%\", \"b\"]")
        );
    }
}
