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
/// with the marker's indentation. A one-line snippet joins the block of lines just above the
/// marker in sorted position, the order rustfmt gives `mod` lines, so the file stays
/// rustfmt-clean and its content does not depend on the order generators ran in.
pub fn inject(text: &str, marker: &str, snippet: &str) -> Injection {
    if contains_lines(text, snippet) {
        return Injection::AlreadyPresent;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(at) = lines.iter().position(|line| line.contains(marker)) else {
        return Injection::AnchorMissing;
    };
    let indent = leading_space(lines[at]);
    let new_lines: Vec<String> = snippet
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{indent}{l}\n")
            }
        })
        .collect();
    let mut insert_at = at;
    if let [only] = new_lines.as_slice() {
        let block_indent = leading_space(only);
        let block = lines[..at]
            .iter()
            .rev()
            .take_while(|l| leading_space(l) == block_indent && is_plain_line(l))
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

/// A line that can take part in a sorted block: not blank, not a comment.
fn is_plain_line(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with("//")
}

/// Removes the lines `inject` added, for `tspawn delete`; `None` when they are not there.
pub fn eject(text: &str, snippet: &str) -> Option<String> {
    let wanted: Vec<&str> = snippet.lines().map(str::trim).collect();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .windows(wanted.len())
        .position(|w| w.iter().map(|l| l.trim()).eq(wanted.iter().copied()))?;
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        if i < start || i >= start + wanted.len() {
            out.push_str(line);
        }
    }
    Some(out)
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
        let Injection::Injected(out) = inject(ROUTES, "tspawn:routes", ROUTE) else {
            panic!("not injected");
        };
        assert_eq!(
            out,
            "fn routes() -> Router {\n    Router::new()\n        .route(\"/chat\", x)\n    // tspawn:routes\n}\n"
        );
        assert_eq!(
            inject(&out, "tspawn:routes", ROUTE),
            Injection::AlreadyPresent
        );
        assert_eq!(eject(&out, ROUTE).as_deref(), Some(ROUTES));
    }

    #[test]
    fn keeps_single_lines_sorted() {
        let text = "pub mod alpha;\npub mod gamma;\n// tspawn:mods\n";
        let Injection::Injected(out) = inject(text, "tspawn:mods", "pub mod beta;") else {
            panic!("not injected");
        };
        assert_eq!(
            out,
            "pub mod alpha;\npub mod beta;\npub mod gamma;\n// tspawn:mods\n"
        );
        let Injection::Injected(out) = inject(&out, "tspawn:mods", "pub mod zeta;") else {
            panic!("not injected");
        };
        assert!(out.ends_with("pub mod zeta;\n// tspawn:mods\n"));
    }

    #[test]
    fn reports_missing_marker() {
        assert_eq!(
            inject("fn main() {}\n", "tspawn:routes", "x"),
            Injection::AnchorMissing
        );
        assert_eq!(eject("fn main() {}\n", "x"), None);
    }
}
