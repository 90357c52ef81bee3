//! A plain HTTP/1.1 client for driving a running app the way a browser or `curl` does: any
//! method, headers and body, a cookie jar (so a flash set before a redirect shows on the next
//! page), and the answer's status, headers and body. One connection per request
//! (`Connection: close`); redirects are not followed (a test checks the 303 and its Location).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What the app answered.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body as text (chunked transfer decoded).
    pub body: String,
}

impl Response {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `Location` header; fails the test when there is none.
    pub fn location(&self) -> &str {
        self.header("location")
            .unwrap_or_else(|| panic!("no Location in {self}"))
    }

    /// The body as JSON; fails the test when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self}"))
    }

    /// Fails the test unless the status is `status`, showing the whole answer.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Response {
        assert_eq!(self.status, status, "{self}");
        self
    }

    /// Fails the test unless the body contains each of `parts`.
    #[track_caller]
    pub fn contains(&self, parts: &[&str]) -> &Response {
        for part in parts {
            assert!(self.body.contains(part), "{part:?} not in {self}");
        }
        self
    }

    /// Fails the test if the body contains any of `parts`.
    #[track_caller]
    pub fn lacks(&self, parts: &[&str]) -> &Response {
        for part in parts {
            assert!(!self.body.contains(part), "{part:?} in {self}");
        }
        self
    }
}

impl std::fmt::Display for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "HTTP {}", self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        write!(f, "\n{}", self.body)
    }
}

/// A client of the app on `127.0.0.1:PORT`, keeping the cookies it is given.
pub struct Client {
    pub port: u16,
    cookies: BTreeMap<String, String>,
}

impl Client {
    pub fn new(port: u16) -> Client {
        Client {
            port,
            cookies: BTreeMap::new(),
        }
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, &[], "")
    }

    /// `method path` with a JSON body (`Content-Type: application/json`).
    pub fn json(&mut self, method: &str, path: &str, body: &serde_json::Value) -> Response {
        let body = body.to_string();
        self.send(method, path, &[("Content-Type", "application/json")], &body)
    }

    /// `POST path` with `pairs` as a form (`application/x-www-form-urlencoded`), as a browser
    /// submits one, plus `headers`.
    pub fn form(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, &form_body(pairs))
    }

    /// `method path` with `headers` and `body` (a `Content-Length` is added); the cookies of
    /// the answer are kept for the next request.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            request.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        let response = exchange(self.port, request.as_bytes())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        for (_, cookie) in response.headers.iter().filter(|(n, _)| n == "set-cookie") {
            let mut parts = cookie.split(';');
            let pair = parts.next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            // `Max-Age=0` is how a server removes a cookie.
            let removed = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
            match removed {
                true => self.cookies.remove(name.trim()),
                false => self
                    .cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned()),
            };
        }
        response
    }
}

/// Writes `request` to a new connection and reads the whole answer.
fn exchange(port: u16, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(request)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(parse(&raw))
}

/// Splits a raw answer into status, headers and body.
fn parse(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8(body).expect("a UTF-8 body"),
    }
}

/// The data of a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).expect("a hex chunk size");
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

/// `pairs` as an `application/x-www-form-urlencoded` body, as a browser encodes a form:
/// space as `+`, bytes other than ASCII letters, digits and `*-._` as `%XX`.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        let mut out = String::new();
        for byte in text.bytes() {
            match byte {
                b' ' => out.push('+'),
                b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(char::from(b)),
                b => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    let fields: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    fields.join("&")
}
