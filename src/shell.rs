//! The one output channel for people. Status lines go to stderr as a right-aligned verb and a
//! path (`     created  chatapp/src/main.rs`), coloured only on a terminal and never when
//! NO_COLOR is set (anstream decides). Data a script may read (`--show-drivers`) goes to stdout.

use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

/// The fixed vocabulary of status verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Created,
    Updated,
    Identical,
    /// A user's file tspawn would have written, left as it is (Rails says `exist`).
    Exists,
    Conflict,
    Skipped,
    Removed,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Created => "created",
            Verb::Updated => "updated",
            Verb::Identical => "identical",
            Verb::Exists => "exists",
            Verb::Conflict => "conflict",
            Verb::Skipped => "skipped",
            Verb::Removed => "removed",
        }
    }

    fn style(self) -> Style {
        let colour = match self {
            Verb::Created => AnsiColor::Green,
            Verb::Updated => AnsiColor::Cyan,
            Verb::Identical | Verb::Exists => AnsiColor::Blue,
            Verb::Conflict | Verb::Removed => AnsiColor::Red,
            Verb::Skipped => AnsiColor::Yellow,
        };
        Style::new().fg_color(Some(colour.into())).bold()
    }
}

/// Where status lines and notes are written; tests build one over a buffer.
pub struct Shell {
    err: Box<dyn Write>,
    /// Whether to emit styles (the stream still strips them when colour is off).
    styled: bool,
    quiet: bool,
}

impl Shell {
    /// The real terminal: stderr, coloured when it is a TTY and NO_COLOR is unset.
    pub fn stderr(quiet: bool) -> Shell {
        Shell {
            err: Box::new(anstream::stderr()),
            styled: true,
            quiet,
        }
    }

    /// Any writer, never coloured.
    pub fn from_write(w: impl Write + 'static, quiet: bool) -> Shell {
        Shell {
            err: Box::new(w),
            styled: false,
            quiet,
        }
    }

    /// One status line; silent under `--quiet`.
    pub fn status(&mut self, verb: Verb, path: &str) {
        if !self.quiet {
            let style = if self.styled {
                verb.style()
            } else {
                Style::new()
            };
            let verb = verb.as_str();
            let _ = writeln!(self.err, "{style}{verb:>12}{style:#}  {path}");
        }
    }

    /// A sentence for the user (summaries, hints); silent under `--quiet`.
    pub fn note(&mut self, message: &str) {
        if !self.quiet {
            let _ = writeln!(self.err, "{message}");
        }
    }

    /// Text that must be seen even under `--quiet` (conflict listings, prompts).
    pub fn always(&mut self, message: &str) {
        let _ = write!(self.err, "{message}");
        let _ = self.err.flush();
    }
}

/// Data for stdout; a closed pipe (`tspawn --show-drivers | head -1`) is not an error.
pub fn print_data(text: &str) -> io::Result<()> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
