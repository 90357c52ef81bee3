//! Marker-based insertion into files the user owns. `tspawn new` writes marker comments such as
//! `// tspawn:routes`; a generator inserts its snippet on the lines just above the marker, with
//! the marker's indentation. The outcome is decided by what the file contains, never by a
//! record of earlier runs, so running a generator twice is a no-op.

/// What injecting a snippet into a text would do.
#[derive(Debug, PartialEq, Eq)]
pub enum Injection {
    /// The new text, with the snippet above the marker.
    Injected(String),
    /// Every line of the snippet is already there, in order: nothing to do.
    AlreadyPresent,
    /// No line of the text holds the marker: the caller reports it with the snippet.
    AnchorMissing,
}

/// Inserts `snippet` above the first line containing `marker`, each snippet line prefixed
/// with the marker's indentation and ended like the marker line (`\r\n` in a file checked out
/// with CRLF endings, else `\n`), so the file keeps one line ending and [`eject`] takes out
/// exactly these bytes again. Nothing else in the file changes: the user's text is never
/// reformatted, so a snippet must already be laid out as rustfmt wants it in place.
///
/// A `mod` or `use` line joins the block of such lines just above the marker in sorted
/// position, the order rustfmt gives them, so the file stays rustfmt-clean whatever order
/// generators ran in; anything else (a route, whose order may matter) goes right above the
/// marker.
///
/// The snippet counts as present when `key` is in the text outside comment lines, ignoring
/// whitespace (so a line the user reformatted or edited, e.g. a changed setting under a table
/// header, is still recognised, but a comment mentioning it is not: see [`has_key`]), or,
/// without a key, when all its lines are there in order.
pub fn inject(text: &str, marker: &str, snippet: &str, key: Option<&str>) -> Injection {
    let present = match key {
        Some(key) => has_key(text, key),
        None => contains_lines(text, snippet),
    };
    if present {
        return Injection::AlreadyPresent;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(at) = lines.iter().position(|line| line.contains(marker)) else {
        return Injection::AnchorMissing;
    };
    let indent = leading_space(lines[at]);
    let eol = if lines[at].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let new_lines: Vec<String> = snippet
        .lines()
        .map(|l| {
            if l.is_empty() {
                eol.to_owned()
            } else {
                format!("{indent}{l}{eol}")
            }
        })
        .collect();
    let mut insert_at = at;
    if let [only] = new_lines.as_slice() {
        let group = sort_group(only);
        let block_indent = leading_space(only);
        let block = lines[..at]
            .iter()
            .rev()
            .take_while(|l| {
                group.is_some() && leading_space(l) == block_indent && sort_group(l) == group
            })
            .count();
        insert_at = (at - block..at)
            .find(|&i| lines[i].trim() > only.trim())
            .unwrap_or(at);
    }
    let mut out = String::with_capacity(text.len() + snippet.len() + 16);
    lines[..insert_at].iter().for_each(|l| out.push_str(l));
    new_lines.iter().for_each(|l| out.push_str(l));
    lines[insert_at..].iter().for_each(|l| out.push_str(l));
    Injection::Injected(out)
}

fn leading_space(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The kind of item rustfmt keeps sorted that a line is, if any.
fn sort_group(line: &str) -> Option<&'static str> {
    let trimmed = line.trim_start();
    ["pub mod ", "mod ", "pub use ", "use "]
        .into_iter()
        .find(|prefix| trimmed.starts_with(prefix))
}

/// Whether `key` is in `text`, whitespace ignored, outside whole-line comments (`#` in TOML,
/// `//` in Rust, `<!--` in HTML): a note such as `# see [default.chat_endpoint]` must not count
/// as the settings being there.
pub(crate) fn has_key(text: &str, key: &str) -> bool {
    let code: String = text
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !(line.starts_with('#') || line.starts_with("//") || line.starts_with("<!--"))
        })
        .collect();
    squash(&code).contains(&squash(key))
}

/// The text without any whitespace.
pub(crate) fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Removes what `inject` added, for `tspawn delete`; `None` when it is not there. The
/// snippet is matched with whitespace ignored, so a route rustfmt split over several lines is
/// found too; lines left empty by the removal go with it.
pub fn eject(text: &str, snippet: &str) -> Option<String> {
    // The text's non-whitespace bytes, each with its offset in the text.
    let (squashed, offsets): (Vec<u8>, Vec<usize>) = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .flat_map(|(at, c)| {
            let mut buf = [0; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes().to_vec();
            bytes.into_iter().enumerate().map(move |(i, b)| (b, at + i))
        })
        .unzip();
    let (squashed, offsets): (Vec<u8>, Vec<usize>) = without_trailing_commas(&squashed)
        .map(|i| (squashed[i], offsets[i]))
        .unzip();
    let squashed_snippet = squash(snippet).into_bytes();
    let wanted: Vec<u8> = without_trailing_commas(&squashed_snippet)
        .map(|i| squashed_snippet[i])
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let first = squashed
        .windows(wanted.len())
        .position(|w| w == wanted.as_slice())?;
    let mut start = offsets[first];
    let mut end = offsets[first + wanted.len() - 1] + 1;
    // Take whole lines when the snippet filled them.
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    if text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty() {
        start = line_start;
        end = line_end;
    }
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// Indices of `bytes` without the commas rustfmt adds before a closing bracket.
fn without_trailing_commas(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..bytes.len())
        .filter(|&i| !(bytes[i] == b',' && matches!(bytes.get(i + 1), Some(b')' | b']' | b'}'))))
}

/// Whether the snippet's lines appear consecutively, ignoring indentation.
fn contains_lines(text: &str, snippet: &str) -> bool {
    let wanted: Vec<&str> = snippet.lines().map(str::trim).collect();
    if wanted.is_empty() {
        return true;
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &str = "fn routes() -> Router {\n    Router::new()\n    // tspawn:routes\n}\n";
    const ROUTE: &str = "    .route(\"/chat\", x)";

    #[test]
    fn injects_above_marker_with_its_indent() {
        let Injection::Injected(out) = inject(ROUTES, "tspawn:routes", ROUTE, None) else {
            panic!("not injected");
        };
        assert_eq!(
            out,
            "fn routes() -> Router {\n    Router::new()\n        .route(\"/chat\", x)\n    // tspawn:routes\n}\n"
        );
        assert_eq!(
            inject(&out, "tspawn:routes", ROUTE, None),
            Injection::AlreadyPresent
        );
        assert_eq!(eject(&out, ROUTE).as_deref(), Some(ROUTES));
    }

    #[test]
    fn keeps_single_lines_sorted() {
        let text = "pub mod alpha;\npub mod gamma;\n// tspawn:mods\n";
        let Injection::Injected(out) = inject(text, "tspawn:mods", "pub mod beta;", None) else {
            panic!("not injected");
        };
        assert_eq!(
            out,
            "pub mod alpha;\npub mod beta;\npub mod gamma;\n// tspawn:mods\n"
        );
        let Injection::Injected(out) = inject(&out, "tspawn:mods", "pub mod zeta;", None) else {
            panic!("not injected");
        };
        assert!(out.ends_with("pub mod zeta;\n// tspawn:mods\n"));
    }

    #[test]
    fn other_lines_go_right_above_the_marker_in_run_order() {
        let text =
            "    Router::new()\n        .route(\"/b\", b)\n        .route_layer(auth)\n    // m\n";
        let Injection::Injected(out) = inject(text, "// m", "    .route(\"/a\", a)", None) else {
            panic!("not injected");
        };
        assert!(
            out.ends_with(".route_layer(auth)\n        .route(\"/a\", a)\n    // m\n"),
            "{out}"
        );
    }

    #[test]
    fn a_key_recognises_an_edited_or_reformatted_snippet() {
        let text = "[default.chat]\nhistory = 50\n# m\n";
        let snippet = "[default.chat]\nhistory = 30";
        assert_eq!(
            inject(text, "# m", snippet, Some("[default.chat]")),
            Injection::AlreadyPresent
        );
        let routes = "    .route(\n        \"/x\",\n        endpoint::<X>(),\n    )\n// m\n";
        let key = Some("endpoint::<X>()");
        assert_eq!(
            inject(routes, "// m", "    .route(\"/x\", endpoint::<X>())", key),
            Injection::AlreadyPresent
        );
    }

    #[test]
    fn injected_lines_end_like_the_marker_line_and_eject_restores_the_bytes() {
        let crlf = ROUTES.replace('\n', "\r\n");
        let Injection::Injected(out) = inject(&crlf, "tspawn:routes", ROUTE, None) else {
            panic!("not injected");
        };
        assert_eq!(
            out,
            crlf.replace("    //", "        .route(\"/chat\", x)\r\n    //")
        );
        assert_eq!(
            inject(&out, "tspawn:routes", ROUTE, None),
            Injection::AlreadyPresent
        );
        assert_eq!(eject(&out, ROUTE).as_deref(), Some(crlf.as_str()));

        let mods = "pub mod a;\r\npub mod c;\r\n// m\r\n";
        let Injection::Injected(out) = inject(mods, "// m", "pub mod b;", None) else {
            panic!("not injected");
        };
        assert_eq!(out, "pub mod a;\r\npub mod b;\r\npub mod c;\r\n// m\r\n");
        assert_eq!(eject(&out, "pub mod b;").as_deref(), Some(mods));

        // A mixed file: the marker line decides.
        let mixed = "a\r\nb\n// m\n";
        let Injection::Injected(out) = inject(mixed, "// m", "x\n\ny", None) else {
            panic!("not injected");
        };
        assert_eq!(out, "a\r\nb\nx\n\ny\n// m\n");
        assert_eq!(eject(&out, "x\n\ny").as_deref(), Some(mixed));
    }

    #[test]
    fn a_key_in_a_comment_does_not_count() {
        let text = "[a]\nk = 1\n# see [default.chat] in the wiki\n# m\n";
        let snippet = "[default.chat]\nhistory = 30";
        let Injection::Injected(out) = inject(text, "# m", snippet, Some("[default.chat]")) else {
            panic!("a comment counted as the snippet");
        };
        assert_eq!(
            inject(&out, "# m", snippet, Some("[default.chat]")),
            Injection::AlreadyPresent
        );
        assert_eq!(eject(&out, snippet).as_deref(), Some(text));
    }

    #[test]
    fn reports_missing_marker() {
        assert_eq!(
            inject("fn main() {}\n", "tspawn:routes", "x", None),
            Injection::AnchorMissing
        );
        assert_eq!(eject("fn main() {}\n", "x"), None);
    }

    #[test]
    fn eject_finds_a_snippet_rustfmt_reflowed() {
        let one = "    Router::new().route(\"/x\", endpoint::<X>())\n    // m\n";
        assert_eq!(
            eject(one, ".route(\"/x\", endpoint::<X>())").as_deref(),
            Some("    Router::new()\n    // m\n")
        );
        let split = "    Router::new()\n        .route(\n            \"/x\",\n            endpoint::<X>(),\n        )\n    // m\n";
        assert_eq!(
            eject(split, ".route(\"/x\", endpoint::<X>())"),
            Some("    Router::new()\n    // m\n".into())
        );
        let toml = "[a]\nk = 1\n\n# c\n[b]\nk = 2 # two\n# m\n";
        assert_eq!(
            eject(toml, "# c\n[b]\nk = 2 # two").as_deref(),
            Some("[a]\nk = 1\n\n# m\n")
        );
    }
}
