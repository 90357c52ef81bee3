//! Reading a generated page's HTML in tests: the opening tag of an element by its id, and what
//! follows it, so a test checks one input's attributes rather than the whole page's text.

/// Where the opening tag of the element with `id="ID"` starts and ends (after its `>`) in
/// `html`; fails the test when there is none.
#[track_caller]
fn span(html: &str, id: &str) -> (usize, usize) {
    let needle = format!(" id=\"{id}\"");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no element with id {id:?} in:\n{html}"));
    let start = html[..at].rfind('<').expect("a tag's start");
    let end = at + html[at..].find('>').expect("a tag's end") + 1;
    (start, end)
}

/// The opening tag of the element with `id="ID"`: `<input type="text" id="title" ...>`.
#[track_caller]
pub fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let (start, end) = span(html, id);
    &html[start..end]
}

/// The page after that opening tag, leading whitespace skipped (a textarea's text, or what
/// comes right after an input).
#[track_caller]
pub fn after<'a>(html: &'a str, id: &str) -> &'a str {
    let (_, end) = span(html, id);
    html[end..].trim_start()
}

/// The attributes of an opening tag, in order: name and value (still escaped; `None` for a
/// bare attribute such as `checked`).
pub fn attributes(tag: &str) -> Vec<(String, Option<String>)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut rest = inner.trim_start_matches(|c: char| !c.is_whitespace());
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        if name_len == 0 {
            return out;
        }
        let name = rest[..name_len].to_owned();
        rest = &rest[name_len..];
        let value = match rest.strip_prefix('=') {
            Some(quoted) if quoted.starts_with('"') => {
                let len = quoted[1..].find('"').expect("a closing quote");
                rest = &quoted[len + 2..];
                Some(quoted[1..len + 1].to_owned())
            }
            Some(bare) => {
                let len = bare.find(char::is_whitespace).unwrap_or(bare.len());
                rest = &bare[len..];
                Some(bare[..len].to_owned())
            }
            None => None,
        };
        out.push((name, value));
    }
}

/// The value of `name` in `tag`, if it has one.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let found = attributes(tag).into_iter().find(|(n, _)| n == name);
    found.and_then(|(_, value)| value)
}

/// Whether `tag` has the attribute `name` (with or without a value).
pub fn has_attribute(tag: &str, name: &str) -> bool {
    attributes(tag).iter().any(|(n, _)| n == name)
}

/// `text` with HTML's character references replaced by the characters they stand for
/// (`&lt;`, `&#60;`, `&#x3C;` → `<`), as a browser reads an escaped value.
pub fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| reference(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference's name stands for (`lt`, `#60`, `#x3C`), for the ones an
/// escaper writes.
fn reference(name: &str) -> Option<char> {
    let code = match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => name.strip_prefix('#')?.parse().ok()?,
        },
    };
    char::from_u32(code)
}

/// The contents of each `<NAME>` element (no attributes, not nested in itself) in `html`,
/// unescaped: the `<dd>` values of a show page, say.
pub fn texts(html: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let end = rest.find(&close).expect("a closing tag");
        out.push(unescape(&rest[..end]));
        rest = &rest[end + close.len()..];
    }
    out
}
