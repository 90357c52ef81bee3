//! Flash messages: a one-shot message set before a redirect and shown once by the next page
//! (TreeFrog's `tflash`, Rails' `flash`), carried in the signed session cookie.
//!
//! ```
//! use tspawn_runtime::prelude::*;
//! use tspawn_runtime::{flash, HttpSession};
//!
//! // After a change: set the message, redirect (303) with the session cookie.
//! async fn remove(State(state): State<AppState>, mut session: HttpSession) -> Response {
//!     flash::set(&mut session, flash::NOTICE, "Blog removed.");
//!     flash::redirect(&state.config, &session, "/blog/index")
//! }
//!
//! // The next page: take `Flash` and hand it to the view (the layout shows it).
//! async fn index(flash: flash::Flash) -> String {
//!     flash.get(flash::NOTICE).unwrap_or_default().to_owned()
//! }
//! ```
//!
//! Clearing is the runtime's job ([`app`](crate::app) adds it): a successful (`2xx`) response
//! to a `GET` of a route that is an HTML page (`Content-Type: text/html`) consumes the messages
//! the request carried (a `HEAD`, as `curl -I` sends, shows nothing, so it leaves them); its `Set-Cookie` drops them. A redirect passes them on; JSON, static files
//! and errors (a `422` form re-render, an HTML `404`) leave them for the next page. A session
//! cookie the handler sets itself is never replaced: the messages are dropped from it when it
//! is validly signed, and any other form (a removal on logout, say) goes out as it is.

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::extract::State;
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use cookie::Cookie;

use crate::config::Config;
use crate::session::{session_cookie, HttpSession, SESSION_COOKIE};
use crate::state::AppState;

/// The kind for a change that went well ("Blog created.").
pub const NOTICE: &str = "notice";

/// The kind for a problem ("Blog was changed by someone else.").
pub const ALERT: &str = "alert";

/// Session keys that hold flash messages start with this (`flash.notice`).
const PREFIX: &str = "flash.";

/// Stores `text` as the flash message of `kind` ([`NOTICE`], [`ALERT`] or any word), replacing
/// one of the same kind. Send the session back ([`redirect`], or
/// [`session_cookie`](crate::session_cookie)) for it to reach the next page.
pub fn set(session: &mut HttpSession, kind: &str, text: impl Into<String>) {
    session.insert(format!("{PREFIX}{kind}"), text);
}

/// A `303 See Other` to `to` (a path such as `/blog/show/3`) carrying `session` (with the
/// flash [`set`] put in it): the browser then GETs `to`, which shows the message.
pub fn redirect(config: &Config, session: &HttpSession, to: &str) -> Response {
    let cookie = session_cookie(config, session).to_string();
    let headers = [(LOCATION, to.to_owned()), (SET_COOKIE, cookie)];
    (StatusCode::SEE_OTHER, headers).into_response()
}

/// The flash messages the request carried, by kind: an extractor for handlers, a value for
/// views (`{% for (kind, text) in flash.iter() %}<p class="flash {{ kind }}">{{ text }}</p>{% endfor %}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flash {
    messages: BTreeMap<String, String>,
}

impl Flash {
    /// The messages in `session`.
    pub fn from_session(session: &HttpSession) -> Flash {
        let messages = session
            .iter()
            .filter_map(|(key, text)| Some((key.strip_prefix(PREFIX)?, text)))
            .map(|(kind, text)| (kind.to_owned(), text.to_owned()))
            .collect();
        Flash { messages }
    }

    /// The message of `kind`, if any.
    pub fn get(&self, kind: &str) -> Option<&str> {
        self.messages.get(kind).map(String::as_str)
    }

    /// `(kind, text)` in kind order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.messages.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

impl FromRequestParts<AppState> for Flash {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Flash, Infallible> {
        let session = HttpSession::from_request_parts(parts, state).await?;
        Ok(Flash::from_session(&session))
    }
}

/// The middleware that consumes shown messages (see the module's docs).
pub(crate) async fn consume(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let key = &state.config.session_key;
    let session = HttpSession::from_headers(request.headers(), key);
    let carried = Flash::from_session(&session);
    let routed = request.extensions().get::<MatchedPath>().is_some();
    // Only a GET shows the page: a HEAD has no body to show the messages in.
    let shown = request.method() == Method::GET;
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if carried.is_empty() || !routed || !shown || !is_html || !response.status().is_success() {
        return response;
    }
    let headers = response.headers_mut();
    let is_session = |value: &HeaderValue| {
        let name = value.to_str().ok().and_then(|v| Some(v.split_once('=')?.0));
        name.map(str::trim) == Some(SESSION_COOKIE)
    };
    // The browser keeps the last session cookie of a response: the handler's, if it set one.
    let Some(own) = headers.get_all(SET_COOKIE).iter().rfind(|v| is_session(v)) else {
        // None: the request's session goes back without the shown messages.
        let mut session = session;
        if drop_shown(&mut session, &carried) {
            let cookie = session_cookie(&state.config, &session).to_string();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(SET_COOKIE, value);
            }
        }
        return response;
    };
    // The handler's cookie (a new session, a removal on logout) is never replaced: only a
    // validly signed one loses the shown messages, keeping its attributes.
    let Some(text) = own.to_str().ok() else {
        return response;
    };
    let (Some(mut own_session), Ok(mut cookie)) = (
        HttpSession::from_set_cookie(text, key),
        Cookie::parse(text.to_owned()),
    ) else {
        return response;
    };
    if !drop_shown(&mut own_session, &carried) {
        return response;
    }
    cookie.set_value(
        session_cookie(&state.config, &own_session)
            .value()
            .to_owned(),
    );
    let Ok(replacement) = HeaderValue::from_str(&cookie.to_string()) else {
        return response;
    };
    let own = own.clone();
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    let last = cookies.iter().rposition(|v| *v == own);
    headers.remove(SET_COOKIE);
    for (i, value) in cookies.into_iter().enumerate() {
        let value = if Some(i) == last {
            replacement.clone()
        } else {
            value
        };
        headers.append(SET_COOKIE, value);
    }
    response
}

/// Removes from `session` the messages of `carried` it still holds unchanged (one the handler
/// changed stays); whether any was removed.
fn drop_shown(session: &mut HttpSession, carried: &Flash) -> bool {
    let mut removed = false;
    for (kind, text) in carried.iter() {
        let name = format!("{PREFIX}{kind}");
        if session.get(&name) == Some(text) {
            session.remove(&name);
            removed = true;
        }
    }
    removed
}
