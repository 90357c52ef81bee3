//! The HTTP session: TreeFrog's cookie session store, a signed cookie named `tspawn_session`.
//!
//! Controllers write it ([`HttpSession::insert`], then [`session_cookie`] in the response);
//! every later request, and every WebSocket handshake (`Endpoint::on_open` gets it read-only),
//! reads it back with [`HttpSession::from_headers`] or as an extractor. The cookie is signed
//! with HMAC-SHA256 under the config's `secret_key`, so clients can read it but not change
//! it: a tampered, unsigned or unreadable cookie is ignored (an empty session), never an
//! error. Keep secrets out of it; it is signed, not encrypted.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use cookie::{Cookie, CookieJar, Key, SameSite};

use crate::config::Config;
use crate::controller::percent_decode;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tspawn_session";

/// The key `is_user_logged_in` looks for, as TreeFrog's user-login helpers store it.
pub const USER_KEY: &str = "user";

/// The key that signs session cookies, from the config's `secret_key` (64 or more
/// characters, e.g. `openssl rand -hex 32`). Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct SessionKey {
    key: Key,
    generated: bool,
}

impl SessionKey {
    /// A key from `secret`, which must be at least 64 bytes long.
    pub fn from_secret(secret: &str) -> Result<SessionKey, String> {
        let key = Key::try_from(secret.as_bytes())
            .map_err(|_| format!("must be at least 64 characters, has {}", secret.len()))?;
        Ok(SessionKey {
            key,
            generated: false,
        })
    }

    /// A random key, made when `dev`, `test` or any environment but `product` sets no
    /// `secret_key`: cookies it signed are ignored after a restart, so sessions end then.
    /// The app binary ([`run`](crate::run)) logs one line saying so.
    pub fn generate() -> SessionKey {
        SessionKey {
            key: Key::generate(),
            generated: true,
        }
    }

    /// Whether this key was made by [`SessionKey::generate`] rather than read from the config.
    pub fn is_generated(&self) -> bool {
        self.generated
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKey")
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

/// The key-value pairs of a client's HTTP session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpSession {
    values: BTreeMap<String, String>,
}

impl HttpSession {
    /// An empty session.
    pub fn new() -> HttpSession {
        HttpSession::default()
    }

    /// The session in the request's `Cookie` headers, if its signature checks out under
    /// `key`; otherwise an empty session.
    pub fn from_headers(headers: &HeaderMap, key: &SessionKey) -> HttpSession {
        let mut jar = CookieJar::new();
        let pairs = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        for cookie in pairs.flat_map(Cookie::split_parse).flatten() {
            if cookie.name() == SESSION_COOKIE {
                jar.add_original(cookie.into_owned());
            }
        }
        match jar.signed(&key.key).get(SESSION_COOKIE) {
            Some(cookie) => HttpSession::decode(cookie.value()),
            None => HttpSession::default(),
        }
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Stores `value` under `key`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.values.insert(key.into(), value.into())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    /// `(key, value)` in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The session a `Set-Cookie` header value stores, if it is the session cookie and its
    /// signature checks out under `key` (the runtime reads a handler's response with it).
    pub(crate) fn from_set_cookie(header: &str, key: &SessionKey) -> Option<HttpSession> {
        let cookie = Cookie::parse(header.to_owned()).ok()?;
        if cookie.name() != SESSION_COOKIE {
            return None;
        }
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        let cookie = jar.signed(&key.key).get(SESSION_COOKIE)?;
        Some(HttpSession::decode(cookie.value()))
    }

    /// TreeFrog's helper: whether a user is logged in, i.e. the `user` key is present.
    pub fn is_user_logged_in(&self) -> bool {
        self.values.contains_key(USER_KEY)
    }

    /// `key=value&...`, each part percent-encoded.
    fn encode(&self) -> String {
        let pairs = self
            .values
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)));
        pairs.collect::<Vec<_>>().join("&")
    }

    fn decode(text: &str) -> HttpSession {
        let values = text
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter_map(|(k, v)| Some((percent_decode(k)?, percent_decode(v)?)))
            .collect();
        HttpSession { values }
    }
}

/// Lets controllers take `session: HttpSession` (read from the request's cookie).
impl FromRequestParts<AppState> for HttpSession {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(HttpSession::from_headers(
            &parts.headers,
            &state.config.session_key,
        ))
    }
}

/// The signed `Set-Cookie` that stores `session` in the client, for a controller's response:
/// `([(SET_COOKIE, session_cookie(&config, &session).to_string())], body)`. `HttpOnly`,
/// `SameSite=Lax`, path `/`, ending with the browser session.
pub fn session_cookie(config: &Config, session: &HttpSession) -> Cookie<'static> {
    let cookie = Cookie::build((SESSION_COOKIE, session.encode()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    let mut jar = CookieJar::new();
    jar.signed_mut(&config.session_key.key).add(cookie);
    jar.get(SESSION_COOKIE)
        .cloned()
        .expect("the cookie was just added")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_encoding() {
        let mut session = HttpSession::new();
        session.insert("user", "zoë & co=1%");
        session.insert("empty", "");
        assert_eq!(HttpSession::decode(&session.encode()), session);
        assert!(session.is_user_logged_in());
    }

    #[test]
    fn malformed_escapes_drop_their_pair() {
        let session = HttpSession::decode("a=%+A&b=%4&c=%zz&d=%-1&e=%4a");
        assert_eq!(session.iter().collect::<Vec<_>>(), [("e", "J")]);
    }

    #[test]
    fn short_secrets_are_refused_and_keys_stay_hidden() {
        assert!(SessionKey::from_secret("short").is_err());
        let key = SessionKey::from_secret(&"k".repeat(64)).unwrap();
        assert!(!format!("{key:?}").contains("kkkk"));
    }
}
