//! What controllers' actions take besides axum's own extractors: [`Args`], the extra path
//! segments of TreeFrog's `/CONTROLLER/ACTION/arg1/arg2` URLs.

use std::ops::Deref;

use axum::extract::{FromRequestParts, MatchedPath};
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

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Args, Self::Rejection> {
        let Some(route) = parts.extensions.get::<MatchedPath>() else {
            return Ok(Args::default());
        };
        let Some((prefix, _)) = route.as_str().rsplit_once("/{*") else {
            return Ok(Args::default());
        };
        let fixed = prefix.split('/').count();
        parts
            .uri
            .path()
            .split('/')
            .skip(fixed)
            .filter(|segment| !segment.is_empty())
            .map(percent_decode)
            .collect::<Option<Vec<_>>>()
            .map(Args)
            .ok_or((
                StatusCode::BAD_REQUEST,
                "400 Bad Request: a path segment is not percent-encoded UTF-8\n",
            ))
    }
}

/// `segment` with every `%XX` decoded; `None` for a malformed escape or bytes that are not
/// UTF-8.
pub(crate) fn percent_decode(segment: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(segment.len());
    let mut rest = segment.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn show(Args(args): Args) -> String {
        format!("{args:?}")
    }

    /// The status and body of `GET uri` on TreeFrog-style routes.
    async fn get_text(uri: &str) -> (StatusCode, String) {
        let routes = Router::new()
            .route("/blog/show", get(show))
            .route("/blog/show/{*args}", get(show))
            .route("/{id}/x/{*rest}", get(show));
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let response = routes.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn segments_after_the_action_decoded_one_by_one() {
        let ok = |body: &str| (StatusCode::OK, body.to_owned());
        assert_eq!(get_text("/blog/show").await, ok("[]"));
        assert_eq!(get_text("/blog/show/3").await, ok("[\"3\"]"));
        assert_eq!(
            get_text("/blog/show/a/b%20c/z%C3%B6%2Fy?q=1").await,
            ok("[\"a\", \"b c\", \"zö/y\"]")
        );
        assert_eq!(get_text("/blog/show/a//b/").await, ok("[\"a\", \"b\"]"));
        assert_eq!(get_text("/7/x/a/b").await, ok("[\"a\", \"b\"]"));
        assert_eq!(get_text("/blog/show/%FF").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(get_text("/blog/show/%zz").await.0, StatusCode::BAD_REQUEST);
    }
}
