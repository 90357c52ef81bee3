//! The CLI's typed errors. Each `Display` says what went wrong and what to do about it; `main`
//! prints it after "error: " and picks the exit code.

use crate::names::{Name, NameError};
use crate::problem::{display, Problem};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    InvalidName(#[from] NameError),

    /// Checks that failed before anything was written (missing markers, files in the way,
    /// files this user may not write), all of them.
    #[error("nothing was written:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),

    #[error(
        "{} differ from what tspawn generates; nothing was written. Rerun with --force to \
         overwrite (or remove) them anyway, or --skip to keep them:\n{}",
        if .0.len() == 1 { "1 file".to_owned() } else { format!("{} files", .0.len()) },
        .0.iter().map(|p| format!("{:>12}  {}", "conflict", display(p))).collect::<Vec<_>>().join("\n")
    )]
    Conflicts(Vec<PathBuf>),

    #[error("stopped at your request; nothing was written")]
    Aborted,

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("not inside a tspawn application (no Cargo.toml with a config/app.toml beside it in {} or above); cd into the app made by `tspawn new`", .0.display())]
    NotInApp(PathBuf),

    #[error("`tspawn {0}` is not built yet in tspawn {version}; `tspawn -h` lists what is", version = env!("CARGO_PKG_VERSION"))]
    NotBuilt(&'static str),

    #[error("nothing called `{0}` to delete here: `tspawn delete` knows WebSocket endpoints (src/endpoints/NAME_endpoint.rs) so far")]
    NothingToDelete(String),

    /// A generated file would replace (or `delete` remove) a file `tspawn new` wrote.
    #[error(
        "{} `{name}` would make {}, which is {role} (written by `tspawn new`); pick another \
         name, such as `{}`",
        name.kind().label(), display(path), name.alternative()
    )]
    TakesOver {
        name: Name,
        path: PathBuf,
        /// What the file is: "the app's home page".
        role: &'static str,
    },

    #[error(transparent)]
    TooLong(Box<TooLong>),

    #[error("{0}")]
    Template(String),

    /// `SOURCE_DATE_EPOCH` holds something other than a time tspawn can stamp migrations with.
    #[error(
        "SOURCE_DATE_EPOCH is {0:?}, not a time tspawn can use: set it to whole seconds since \
         1970-01-01 UTC (as `date +%s` prints), at most 253402300799 (year 9999), or unset it"
    )]
    SourceDateEpoch(String),
}

/// A name that makes an identifier or a path longer than a limit downstream allows.
#[derive(Debug)]
pub struct TooLong {
    pub name: Name,
    /// What gets too long: "table `chat_messages`", "a file name in db/migrations/...".
    pub subject: String,
    /// Its length with the unit: "65 characters".
    pub length: String,
    /// The limit and whose it is: "MySQL/MariaDB's limit of 64 characters".
    pub rule: String,
    /// The longest name that fits; `None` when no name would (the folder's path is too long).
    pub max_name: Option<usize>,
    /// Whether `max_name` counts the name's snake_case form rather than the name as typed.
    pub snake_case: bool,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_str();
        if self.max_name.is_some() {
            let label = self.name.kind().label();
            let (shown, len) = (abbreviate(name), name.len());
            write!(f, "{label} `{shown}` ({len} characters) is too long: ")?;
        }
        let (subject, length, rule) = (&self.subject, &self.length, &self.rule);
        write!(f, "{subject} would have {length}, over {rule}; ")?;
        match self.max_name {
            Some(max) if self.snake_case => {
                write!(f, "use a name of at most {max} characters in snake_case")
            }
            Some(max) => write!(f, "use a name of at most {max} characters"),
            None => f.write_str("run tspawn in a folder with a shorter path"),
        }
    }
}

impl std::error::Error for TooLong {}

/// A long name cut short for a one-line message: its first 24 characters and `...`.
pub fn abbreviate(text: &str) -> String {
    match text.char_indices().nth(24) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_owned(),
            source,
        }
    }
}
