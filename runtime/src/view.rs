//! HTML views: askama templates, compiled with the app and escaped by default (feature
//! `views`).
//!
//! A view is a struct deriving askama's `Template` through this crate's re-export, so the app
//! needs no `askama` dependency of its own; the `askama = ...` argument tells the derive where
//! the crate is:
//!
//! ```ignore
//! use tspawn_runtime::askama::Template;
//!
//! #[derive(Template)]
//! #[template(path = "blog/index.html", askama = tspawn_runtime::askama)]
//! pub struct IndexView {
//!     pub title: String,
//! }
//!
//! pub async fn index() -> tspawn_runtime::Result<Html<String>> {
//!     tspawn_runtime::view::render(&IndexView { title: "Blogs".into() })
//! }
//! ```
//!
//! `path` is relative to the folders `askama.toml` at the app's root lists
//! (`[general] dirs = ["views"]`, TreeFrog's layout: `views/CONTROLLER/ACTION.html`); a
//! `.html` template escapes every `{{ value }}` for HTML unless it says `|safe`.

use axum::response::Html;

use crate::error::{Error, Result};

/// Renders `view` to an HTML response body.
///
/// A render error (a filter or a `Display` impl failing) is [`Error::View`]: a handler that
/// returns it with `?` answers a bare `500` and the error is logged once, never shown to the
/// client. Template syntax and missing fields are compile errors, not render errors.
pub fn render(view: &impl askama::Template) -> Result<Html<String>> {
    view.render().map(Html).map_err(Error::View)
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    #[derive(Template)]
    #[template(
        source = "<h1>{{ title }}</h1>{% for a in args %}<li>{{ a }}</li>{% endfor %}",
        ext = "html",
        askama = crate::askama
    )]
    struct Page<'a> {
        title: &'a str,
        args: &'a [&'a str],
    }

    /// Fails at render time: its `Display` returns an error.
    struct Broken;

    impl std::fmt::Display for Broken {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }

    #[derive(Template)]
    #[template(source = "{{ value }}", ext = "html", askama = crate::askama)]
    struct Failing {
        value: Broken,
    }

    #[test]
    fn values_are_escaped_for_html() {
        let page = Page {
            title: "<script>alert(1)</script>",
            args: &["a&b", "\"q\""],
        };
        let Html(body) = render(&page).unwrap();
        assert_eq!(
            body,
            "<h1>&#60;script&#62;alert(1)&#60;/script&#62;</h1><li>a&#38;b</li><li>&#34;q&#34;</li>"
        );
    }

    #[test]
    fn a_render_error_is_a_bare_500() {
        let error = render(&Failing { value: Broken }).unwrap_err();
        assert!(matches!(error, Error::View(_)), "{error:?}");
        assert_eq!(
            error.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
