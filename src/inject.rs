//! Marker-based insertion into files the user owns. `tspawn new` writes marker comments such as
//! `// tspawn:routes`; a generator inserts its snippet on the lines just above the marker, with
//! the marker's indentation. The outcome is decided by what the file contains, never by a
//! record of earlier runs, so running a generator twice is a no-op. `tspawn delete` takes a
//! snippet out again only as the whole lines it was written on ([`eject`]): a line the user
//! edited stops it rather than being cut in part.

use std::ops::Range;
use std::path::Path;

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
    let code: String = text.lines().filter(|line| !is_comment(line)).collect();
    squash(&code).contains(&squash(key))
}

/// The text without any whitespace.
pub(crate) fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How a file's lines may have been laid out again since a snippet went in, which decides what
/// [`eject`] still takes for the snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Rust, which rustfmt may have reformatted: the snippet's lines may differ in whitespace,
    /// line breaks and the commas rustfmt adds before a closing bracket (a route split over
    /// several lines), never in anything else.
    Rustfmt,
    /// Anything else (TOML, HTML): the lines must be as injected, the marker's indentation and
    /// the line ending (CRLF or LF) aside.
    Verbatim,
}

impl Layout {
    /// [`Layout::Rustfmt`] for a `.rs` file, else [`Layout::Verbatim`].
    pub fn of(path: &Path) -> Layout {
        match path.extension() {
            Some(ext) if ext == "rs" => Layout::Rustfmt,
            _ => Layout::Verbatim,
        }
    }
}

/// What taking a snippet out of a text would do. Line numbers count from 0.
#[derive(Debug, PartialEq, Eq)]
pub enum Ejection {
    /// The text without the snippet's lines, which were `lines` of the text given.
    Ejected { text: String, lines: Range<usize> },
    /// The snippet is there, but the user changed it (or put an attribute or a doc comment on
    /// it): `line` is the first line found changed, `text` what it holds (trimmed).
    Edited { line: usize, text: String },
    /// Neither the snippet nor its key is there: nothing to take out.
    Missing,
}

/// Removes what [`inject`] added, for `tspawn delete`, whole lines only: the snippet goes when
/// the lines it occupies are exactly its lines as `layout` allows them to be laid out, and
/// nothing else (see [`Layout`]). A snippet that is there but edited, which taking out would
/// change the user's code (a `#[cfg(..)]` or a trailing `// keep` added to its line would be
/// left behind, applying to the next line or standing alone), is [`Ejection::Edited`]: so is
/// one only `key` shows (see [`has_key`]), and, in Rust, one under an attribute or a doc
/// comment the user put on the line above, which would go to the next item.
pub fn eject(text: &str, snippet: &str, key: Option<&str>, layout: Layout) -> Ejection {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let wanted: Vec<&str> = snippet.lines().collect();
    if wanted.iter().all(|l| l.trim().is_empty()) {
        return Ejection::Missing;
    }
    let squashed = Squashed::of(text);
    let found = match layout {
        Layout::Verbatim => (0..lines.len())
            .find(|&at| verbatim_at(&lines, at, &wanted))
            .map(|at| at..at + wanted.len()),
        Layout::Rustfmt => squashed
            .occurrences(text, snippet)
            .into_iter()
            .find(|found| found.whole)
            .map(|found| found.range),
    };
    let edited = |line: usize| Ejection::Edited {
        line,
        text: lines[line].trim().to_owned(),
    };
    if let Some(range) = found {
        if layout == Layout::Rustfmt {
            if let Some(line) = attached_above(&lines, range.start) {
                return edited(line);
            }
        }
        let text = [&lines[..range.start], &lines[range.end..]]
            .concat()
            .concat();
        return Ejection::Ejected { text, lines: range };
    }
    // Not as injected: the first occurrence whitespace aside, else the line holding the key.
    if let Some(found) = squashed.occurrences(text, snippet).into_iter().next() {
        let line = match found.whole {
            true => first_difference(&lines, found.range.start, &wanted, layout)
                .unwrap_or(found.range.start),
            false => found.changed,
        };
        return edited(line);
    }
    let Some((key, at)) = key.and_then(|key| Some((key, key_line(&lines, key)?))) else {
        return Ejection::Missing;
    };
    // The snippet's lines from its key's on, lined up with the text's from the key's: the first
    // that differs is the one edited (a changed value under a TOML header). A difference above
    // the key could be a line the user removed, so the key's line is named then.
    let line = key_line(&wanted, key)
        .and_then(|k| first_difference(&lines, at, &wanted[k..], layout))
        .unwrap_or(at);
    edited(line)
}

/// Whether `lines[at..]` begin with `wanted` as [`inject`] writes it: one indentation before
/// every non-empty line, empty lines empty, any line ending.
fn verbatim_at(lines: &[&str], at: usize, wanted: &[&str]) -> bool {
    let Some(window) = lines.get(at..at + wanted.len()) else {
        return false;
    };
    let mut indent = None;
    window.iter().zip(wanted).all(|(line, want)| {
        let line = without_ending(line);
        if want.is_empty() {
            return line.is_empty();
        }
        let Some(prefix) = line.strip_suffix(want) else {
            return false;
        };
        prefix.trim().is_empty() && *indent.get_or_insert(prefix) == prefix
    })
}

/// The first of `lines[start..]` that is not the matching line of `wanted` (as `layout`
/// compares them: verbatim lines with the indentation the first one has), if any is.
fn first_difference(
    lines: &[&str],
    start: usize,
    wanted: &[&str],
    layout: Layout,
) -> Option<usize> {
    let first = lines.get(start).copied().unwrap_or_default();
    let (lead, want_lead) = (leading_space(first), leading_space(wanted[0]));
    let indent = &lead[..lead.len().saturating_sub(want_lead.len())];
    let same = |line: &str, want: &str| match layout {
        Layout::Rustfmt => squash(line) == squash(want),
        Layout::Verbatim if want.is_empty() => without_ending(line).is_empty(),
        Layout::Verbatim => without_ending(line).strip_prefix(indent) == Some(want),
    };
    (start..start + wanted.len())
        .zip(wanted)
        .find(|&(i, want)| lines.get(i).is_some_and(|line| !same(line, want)))
        .map(|(i, _)| i)
}

/// The line `key` starts on (whitespace ignored, whole-line comments skipped as in
/// [`has_key`]), if it is there.
fn key_line(lines: &[&str], key: &str) -> Option<usize> {
    let key = squash(key);
    let mut code = String::new();
    let mut line_of = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !is_comment(line) {
            let squashed = squash(line);
            line_of.extend(std::iter::repeat_n(i, squashed.len()));
            code.push_str(&squashed);
        }
    }
    code.find(&key).map(|at| line_of[at])
}

/// The line above `at`, blank lines skipped, when it is an outer attribute (`#[...]`, or the
/// last line of one split over lines) or a doc comment (`///`, `/**`): Rust gives it to the
/// item below, so it would go to the next item once the snippet's lines are out.
fn attached_above(lines: &[&str], at: usize) -> Option<usize> {
    let above = (0..at).rev().find(|&i| !lines[i].trim().is_empty())?;
    let line = lines[above].trim();
    let doc = (line.starts_with("///") && !line.starts_with("////"))
        || (line.starts_with("/**") && !line.starts_with("/***"));
    let attribute = line.starts_with("#[") || (line.ends_with(']') && !line.starts_with("//"));
    (doc || attribute).then_some(above)
}

/// A line without its `\n` or `\r\n`.
fn without_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Whether a line is a whole-line comment (`#` in TOML, `//` in Rust, `<!--` in HTML).
fn is_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with('#') || line.starts_with("//") || line.starts_with("<!--")
}

/// A text's non-whitespace bytes without the commas rustfmt adds before a closing bracket,
/// each with its byte offset in the text: where a snippet is, whatever rustfmt did to its
/// whitespace.
struct Squashed {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
}

/// Where a snippet found in a [`Squashed`] text lies.
struct Occurrence {
    /// The lines it touches.
    range: Range<usize>,
    /// Whether it fills them: nothing but whitespace before it on its first line and after
    /// it on its last.
    whole: bool,
    /// When it does not fill them: its first line if something is before it there, else its
    /// last.
    changed: usize,
}

impl Squashed {
    fn of(text: &str) -> Squashed {
        let (bytes, offsets): (Vec<u8>, Vec<usize>) = text
            .char_indices()
            .filter(|(_, c)| !c.is_whitespace())
            .flat_map(|(at, c)| {
                let mut buf = [0; 4];
                let bytes = c.encode_utf8(&mut buf).as_bytes().to_vec();
                bytes.into_iter().enumerate().map(move |(i, b)| (b, at + i))
            })
            .unzip();
        let kept: Vec<usize> = without_trailing_commas(&bytes).collect();
        Squashed {
            bytes: kept.iter().map(|&i| bytes[i]).collect(),
            offsets: kept.iter().map(|&i| offsets[i]).collect(),
        }
    }

    /// Every occurrence of `snippet` in `text`, the text `self` was made of, first to last.
    fn occurrences(&self, text: &str, snippet: &str) -> Vec<Occurrence> {
        let wanted = Squashed::of(snippet).bytes;
        if wanted.is_empty() {
            return Vec::new();
        }
        let last = wanted.len() - 1;
        self.bytes
            .windows(wanted.len())
            .enumerate()
            .filter(|(_, w)| *w == wanted.as_slice())
            .map(|(first, _)| {
                let (start, end) = (self.offsets[first], self.offsets[first + last] + 1);
                Occurrence::spanning(text, start, end)
            })
            .collect()
    }
}

impl Occurrence {
    /// The occurrence spanning `text[start..end]`, from its first non-whitespace byte to just after
    /// its last.
    fn spanning(text: &str, start: usize, end: usize) -> Occurrence {
        let first = text[..start].matches('\n').count();
        let last = first + text[start..end].matches('\n').count();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let before = text[line_start..start].trim().is_empty();
        let after = text[end..line_end].trim().is_empty();
        Occurrence {
            range: first..last + 1,
            whole: before && after,
            changed: if before { last } else { first },
        }
    }
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
        assert_eq!(
            ejected(&out, ROUTE, Layout::Rustfmt).as_deref(),
            Some(ROUTES)
        );
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
        assert_eq!(
            ejected(&out, ROUTE, Layout::Rustfmt).as_deref(),
            Some(crlf.as_str())
        );

        let mods = "pub mod a;\r\npub mod c;\r\n// m\r\n";
        let Injection::Injected(out) = inject(mods, "// m", "pub mod b;", None) else {
            panic!("not injected");
        };
        assert_eq!(out, "pub mod a;\r\npub mod b;\r\npub mod c;\r\n// m\r\n");
        assert_eq!(
            ejected(&out, "pub mod b;", Layout::Rustfmt).as_deref(),
            Some(mods)
        );

        // A mixed file: the marker line decides.
        let mixed = "a\r\nb\n// m\n";
        let Injection::Injected(out) = inject(mixed, "// m", "x\n\ny", None) else {
            panic!("not injected");
        };
        assert_eq!(out, "a\r\nb\nx\n\ny\n// m\n");
        for layout in [Layout::Rustfmt, Layout::Verbatim] {
            assert_eq!(ejected(&out, "x\n\ny", layout).as_deref(), Some(mixed));
        }
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
        assert_eq!(
            ejected(&out, snippet, Layout::Verbatim).as_deref(),
            Some(text)
        );
    }

    #[test]
    fn reports_missing_marker() {
        assert_eq!(
            inject("fn main() {}\n", "tspawn:routes", "x", None),
            Injection::AnchorMissing
        );
        assert_eq!(
            eject("fn main() {}\n", "x", Some("x"), Layout::Rustfmt),
            Ejection::Missing
        );
    }

    /// What `eject` leaves of `text`, `None` unless it took `snippet` out.
    fn ejected(text: &str, snippet: &str, layout: Layout) -> Option<String> {
        match eject(text, snippet, None, layout) {
            Ejection::Ejected { text, .. } => Some(text),
            _ => None,
        }
    }

    /// What `eject` finds edited: the line (from 0) and what it holds.
    fn edited(text: &str, snippet: &str, key: Option<&str>, layout: Layout) -> (usize, String) {
        match eject(text, snippet, key, layout) {
            Ejection::Edited { line, text } => (line, text),
            other => panic!("not edited: {other:?}"),
        }
    }

    #[test]
    fn eject_finds_a_snippet_rustfmt_reflowed_on_lines_of_its_own() {
        let split = "    Router::new()\n        .route(\n            \"/x\",\n            endpoint::<X>(),\n        )\n    // m\n";
        assert_eq!(
            eject(
                split,
                ".route(\"/x\", endpoint::<X>())",
                None,
                Layout::Rustfmt
            ),
            Ejection::Ejected {
                text: "    Router::new()\n    // m\n".into(),
                lines: 1..5,
            }
        );
        let toml = "[a]\nk = 1\n\n# c\n[b]\nk = 2 # two\n# m\n";
        assert_eq!(
            ejected(toml, "# c\n[b]\nk = 2 # two", Layout::Verbatim).as_deref(),
            Some("[a]\nk = 1\n\n# m\n")
        );
    }

    #[test]
    fn part_of_a_line_is_never_taken_out() {
        let route = ".route(\"/x\", endpoint::<X>())";
        // rustfmt joins a lone route onto `Router::new()` (the templates' comment prevents it).
        let joined = "    Router::new().route(\"/x\", endpoint::<X>())\n    // m\n";
        let shown = "Router::new().route(\"/x\", endpoint::<X>())".to_owned();
        assert_eq!(edited(joined, route, None, Layout::Rustfmt), (0, shown));
        let mods = "pub mod a;\n#[cfg(not(test))] pub mod b;\npub mod c;\n// m\n";
        let shown = "#[cfg(not(test))] pub mod b;".to_owned();
        assert_eq!(
            edited(mods, "pub mod b;", None, Layout::Rustfmt),
            (1, shown)
        );
        let mods = "pub mod a;\npub mod b; // keep\r\npub mod c;\n";
        let shown = "pub mod b; // keep".to_owned();
        assert_eq!(
            edited(mods, "pub mod b;", None, Layout::Rustfmt),
            (1, shown)
        );
        // The last line of a split snippet, for a reflowed route.
        let split = "    Router::new()\n        .route(\n            \"/x\",\n            endpoint::<X>(),\n        ) // mine\n";
        assert_eq!(
            edited(split, route, None, Layout::Rustfmt),
            (4, ") // mine".to_owned())
        );
        // A verbatim snippet with something after it on its line.
        let html = "<ul>\n  <li>a</li> <!-- mine -->\n</ul>\n";
        assert_eq!(
            edited(html, "<li>a</li>", None, Layout::Verbatim),
            (1, "<li>a</li> <!-- mine -->".to_owned())
        );
    }

    #[test]
    fn an_attribute_or_doc_comment_above_a_rust_snippet_is_an_edit() {
        for above in ["#[cfg(not(test))]", "/// Mine.", "    feature = \"x\"\n))]"] {
            let text = format!("pub mod a;\n{above}\n\npub mod b;\npub mod c;\n");
            let line = text
                .lines()
                .position(|l| l.trim() == above.lines().last().unwrap().trim());
            let (at, _) = edited(&text, "pub mod b;", None, Layout::Rustfmt);
            assert_eq!(Some(at), line, "{above}");
        }
        // A plain comment, or an attribute of its own item, stays as it is.
        for above in ["// Mine.", "#[cfg(test)]\npub mod a2;", "//! The module."] {
            let text = format!("pub mod a;\n{above}\npub mod b;\npub mod c;\n");
            let out = ejected(&text, "pub mod b;", Layout::Rustfmt);
            assert_eq!(out, Some(text.replace("pub mod b;\n", "")), "{above}");
        }
    }

    #[test]
    fn a_verbatim_snippet_must_keep_its_lines_and_indentation() {
        let snippet = "# c\n[b]\nk = 2 # two";
        let text = "    # c\r\n    [b]\r\n    k = 2 # two\r\n# m\n";
        assert_eq!(
            ejected(text, snippet, Layout::Verbatim).as_deref(),
            Some("# m\n")
        );
        // Realigned: whitespace counts outside Rust.
        let text = "# c\n[b]\nk = 2    # two\n# m\n";
        let shown = "k = 2    # two".to_owned();
        assert_eq!(edited(text, snippet, None, Layout::Verbatim), (2, shown));
        let text = "# c\n  [b]\nk = 2 # two\n";
        assert_eq!(edited(text, snippet, None, Layout::Verbatim).0, 1);
        // A changed value: the key finds it, and the line that changed is named.
        let text = "[a]\n# c\n[b]\nk = 3 # two\n# m\n";
        assert_eq!(
            edited(text, snippet, Some("[b]"), Layout::Verbatim),
            (3, "k = 3 # two".to_owned())
        );
        assert_eq!(
            eject(text, snippet, None, Layout::Verbatim),
            Ejection::Missing
        );
        // A line above the key's removed: the key's line is named, not the line above it.
        let routes = "    Router::new()\n        .route(\"/x\", x())\n    // m\n";
        let snippet = "    // The x route.\n    .route(\"/x\", x())";
        assert_eq!(
            edited(routes, snippet, Some("x()"), Layout::Rustfmt),
            (1, ".route(\"/x\", x())".to_owned())
        );
    }
}
