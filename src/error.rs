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

    /// A live table could not be read from the app's database (see `schema::read`).
    #[error(transparent)]
    Database(#[from] crate::schema::read::ReadError),

    /// Checks that failed before anything was written (missing markers, files in the way,
    /// files this user may not write), all of them.
    #[error("nothing was written:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),

    /// Files that differ from what tspawn would write (or, for `delete`, changed since tspawn
    /// wrote them), with no `--force`, `--skip` or terminal to settle them.
    #[error("{}", conflicts(.0))]
    Conflicts(Vec<Conflict>),

    #[error("stopped at your request; nothing was written")]
    Aborted,

    /// `tspawn new APP` where APP is already there. `new` never writes into it, not even with
    /// `--force`: files a later generator added to an app would be lost.
    #[error("{}", already_exists(name, *found))]
    AlreadyExists { name: String, found: Found },

    /// `tspawn new` run inside an app: the new app would be nested in it (Rails refuses too).
    #[error("{} is inside the app {}; `tspawn new` makes an app of its own: run it outside {}, or run a generator here to add to this app", .cwd.display(), .app.display(), .app.display())]
    InsideApp { cwd: PathBuf, app: PathBuf },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("not inside a tspawn application (no Cargo.toml with a config/app.toml beside it in {} or above); cd into the app made by `tspawn new`", .0.display())]
    NotInApp(PathBuf),

    #[error("`tspawn {0}` is not built yet in tspawn {version}; `tspawn -h` lists what is", version = env!("CARGO_PKG_VERSION"))]
    NotBuilt(&'static str),

    /// `--show-collections`: there is no MongoDB support to list collections with.
    #[error("MongoDB is not supported yet: tspawn {version} makes apps on SQLite, PostgreSQL and MySQL/MariaDB; `tspawn --show-tables` lists an app's tables", version = env!("CARGO_PKG_VERSION"))]
    NoMongo,

    #[error("nothing called `{0}` to delete here: `tspawn delete` removes what `tspawn websocket`, `model`, `sqlobject`, `controller`, `helper` and `validator` made (src/endpoints/NAME_endpoint.rs, src/models/sqlobjects/NAME.rs, src/controllers/NAME_controller.rs, src/helpers/NAME.rs, src/helpers/NAME_validator.rs), and nothing else yet")]
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

    /// A field list, a table or a column that cannot become a model (a bad `name:type`, a
    /// reserved or clashing name, a keyless table): one line saying what and how to fix it.
    #[error("{0}")]
    Schema(String),

    #[error("{0}")]
    Template(String),

    /// `SOURCE_DATE_EPOCH` holds something other than a time tspawn can stamp migrations with.
    #[error(
        "SOURCE_DATE_EPOCH is {0:?}, not a time tspawn can use: set it to whole seconds since \
         1970-01-01 UTC (as `date +%s` prints), at most 253402300799 (year 9999), or unset it"
    )]
    SourceDateEpoch(String),
}

/// A file a plan would overwrite, or (`delete`) remove, that is not as tspawn wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Relative to the folder the plan is applied in.
    pub path: PathBuf,
    /// True when the plan removes the file (`delete`), false when it overwrites it.
    pub remove: bool,
}

/// What is in the way of `tspawn new APP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A folder holding an app (a Cargo.toml and a config/app.toml).
    App,
    /// A folder that is not empty (or cannot be listed).
    Folder,
    /// A file, a link, anything but a folder.
    File,
}

/// `1 file`, `2 files`.
pub fn files(n: usize) -> String {
    match n {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    }
}

/// The heading and the list of [`Error::Conflicts`], with the advice that fits: overwriting
/// (`--force`) or keeping (`--skip`) a generated file leaves a working app; for removed files
/// only `--force` is offered, since a test kept after its endpoint is gone would not compile.
fn conflicts(list: &[Conflict]) -> String {
    let (removed, overwritten): (Vec<&Conflict>, Vec<&Conflict>) =
        list.iter().partition(|c| c.remove);
    let mut text = String::new();
    if !overwritten.is_empty() {
        let n = overwritten.len();
        let verb = if n == 1 { "differs" } else { "differ" };
        text.push_str(&format!(
            "{} {verb} from what tspawn would write. To overwrite {} with tspawn's version \
             (your changes are lost), rerun with --force; to keep {} as {} and write the rest, \
             rerun with --skip",
            files(n),
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it is" } else { "they are" },
        ));
    }
    if !removed.is_empty() {
        let n = removed.len();
        if !text.is_empty() {
            text.push_str(". ");
        }
        text.push_str(&format!(
            "{} changed since tspawn wrote {}. To remove {} anyway (your changes are lost), \
             rerun with --force; to keep your changes, copy them elsewhere first",
            files(n),
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it" } else { "them" },
        ));
    }
    text.push_str("; nothing was written:");
    for c in list {
        text.push_str(&format!("\n{:>12}  {}", "conflict", display(&c.path)));
    }
    text
}

fn already_exists(name: &str, found: Found) -> String {
    match found {
        Found::App => format!(
            "{name} already exists; to add to it, run a generator inside it (cd {name} && \
             tspawn websocket NAME), or pick another name for a new app"
        ),
        Found::Folder => format!(
            "{name} already exists and is not an empty folder; `tspawn new` only writes a new \
             app into a new or empty folder (or one holding only .git): pick another name, or move \
             {name} away"
        ),
        Found::File => format!(
            "{name} already exists and is not a folder; pick another name, or move {name} away"
        ),
    }
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
