//! Generated and injected Rust goes through rustfmt (2021 edition) when it is installed, so a
//! long app or endpoint name never leaves a line `cargo fmt --check` would complain about. The
//! templates are written rustfmt-clean for ordinary names, so without rustfmt the output is
//! the same for those.

use std::io::Write;
use std::process::{Command, Stdio};

/// `text` as rustfmt prints it; unchanged if rustfmt is missing or rejects it.
pub fn format(text: String) -> String {
    let child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return text };
    if let Some(mut stdin) = child.stdin.take() {
        if stdin.write_all(text.as_bytes()).is_err() {
            let _ = child.kill();
        }
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or(text)
        }
        _ => text,
    }
}
