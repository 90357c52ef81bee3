//! A plan is what a generator wants done, computed entirely in memory: folders to make, files to
//! write, snippets to inject at markers (and, reversed for `tspawn delete`, files to remove and
//! snippets to take out). Generators only build plans; [`crate::apply`] is the one
//! place that reads the disk to decide outcomes and the one place that writes.

use std::path::PathBuf;

/// One thing a generator wants; paths are relative to the folder the plan is applied in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A folder (created with its parents if missing).
    Dir(PathBuf),
    /// A whole file, written as `contents` (LF endings); what happens when the file is already
    /// there and differs depends on `kind`.
    File {
        path: PathBuf,
        contents: String,
        kind: FileKind,
    },
    /// A snippet placed above the line holding `marker` in a file the user owns; it counts as
    /// already there when `key` is found (see [`crate::inject::inject`]).
    Inject {
        path: PathBuf,
        marker: String,
        snippet: String,
        key: Option<String>,
    },
    /// A file tspawn wrote, removed if it still holds `contents`.
    Remove { path: PathBuf, contents: String },
    /// An injected snippet taken out again, whole lines only: an edited one (a line changed, an
    /// attribute put on it; `key` finds one too changed to match otherwise) stops the plan,
    /// or under `--force` / `--skip` stays whole (see [`crate::inject::eject`]).
    Eject {
        path: PathBuf,
        snippet: String,
        key: Option<String>,
    },
    /// Each of `features` that is missing added to `[dependencies] <dependency>` in the Cargo
    /// manifest at `path` (see [`crate::manifest`]). Never undone: another model may need them.
    Features {
        path: PathBuf,
        dependency: String,
        features: Vec<String>,
    },
    /// `name = spec` added to `[dependencies]` of the Cargo manifest at `path` unless it names
    /// `name` already, in any form (see [`crate::manifest::add_dependency`]). Never undone.
    Dependency {
        path: PathBuf,
        name: String,
        spec: String,
    },
}

/// Who owns a planned file once it is on disk, which decides what a run does when the file
/// is there and differs from `contents` (a file the same but for CRLF endings is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// tspawn wrote it for the user to build on: a difference is a conflict (asked on a
    /// terminal, else `--force` / `--skip`); a changed migration is always kept.
    Scaffold,
    /// Code tspawn regenerates (an sqlobject, whose header says not to edit it): while the
    /// file keeps its header it is rewritten without asking (`updated`) except under `--skip`
    /// (`skipped`); once the header is gone it is a conflict (see [`Plan::generated_file`]).
    Generated,
    /// The user's once written (a model file they add methods to): never rewritten and never
    /// a conflict, status `exists` (as Rails' generators say for what they leave alone).
    User,
}

impl Action {
    /// The action that undoes this one, for `tspawn delete`: a file is removed if it is
    /// still what was generated, an injected snippet is taken out; folders stay.
    pub fn reverse(&self) -> Option<Action> {
        match self {
            Action::Dir(_) => None,
            // Whatever its kind, a file goes only if it is still what tspawn writes.
            Action::File { path, contents, .. } => Some(Action::Remove {
                path: path.clone(),
                contents: contents.clone(),
            }),
            Action::Inject {
                path, snippet, key, ..
            } => Some(Action::Eject {
                path: path.clone(),
                snippet: snippet.clone(),
                key: key.clone(),
            }),
            Action::Remove { .. }
            | Action::Eject { .. }
            | Action::Features { .. }
            | Action::Dependency { .. } => None,
        }
    }

    pub fn path(&self) -> &PathBuf {
        match self {
            Action::Dir(path)
            | Action::File { path, .. }
            | Action::Inject { path, .. }
            | Action::Remove { path, .. }
            | Action::Eject { path, .. }
            | Action::Features { path, .. }
            | Action::Dependency { path, .. } => path,
        }
    }
}

/// An ordered list of actions; order is kept so output is deterministic.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub actions: Vec<Action>,
}

impl Plan {
    /// The plan that undoes this one (see [`Action::reverse`]).
    pub fn reverse(&self) -> Plan {
        Plan {
            actions: self.actions.iter().filter_map(Action::reverse).collect(),
        }
    }

    pub fn dir(&mut self, path: impl Into<PathBuf>) {
        self.actions.push(Action::Dir(path.into()));
    }

    /// A file tspawn writes for the user to build on ([`FileKind::Scaffold`]): written when
    /// missing, `identical` when the same, a conflict when it differs. `delete` removes it only
    /// if unchanged (else the same conflict rules).
    pub fn file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.push_file(path.into(), contents.into(), FileKind::Scaffold);
    }

    /// A file of generated code tspawn rewrites whenever it regenerates (an sqlobject,
    /// [`FileKind::Generated`]): written when missing, `identical` when the same. One that
    /// differs is tspawn's while it still starts with the header `contents` starts with (its
    /// first line up to and including the first '`', all of it without one: for `// Generated
    /// by `tspawn model blog`.` that is `// Generated by `, so a rerun by another command,
    /// `tspawn sqlobject blog`, still counts): then it is rewritten without asking (`updated`;
    /// a file in CRLF keeps CRLF), except under `--skip`, which keeps it (`skipped`). Without
    /// that header the user has taken the file over: a conflict like any file's (asked on a
    /// terminal, else `--force` / `--skip`). A blank first line in `contents` is no header, so
    /// such a file is always a conflict when it differs. `delete` removes it only if it is what
    /// this plan generates (else the usual conflict rules).
    pub fn generated_file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.push_file(path.into(), contents.into(), FileKind::Generated);
    }

    /// A file the user owns once written (a model, [`FileKind::User`]): written when missing,
    /// `identical` when the same, otherwise left as it is (`exists`), never a conflict.
    /// `delete` removes it only if unchanged since written (else the usual conflict rules).
    pub fn user_file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.push_file(path.into(), contents.into(), FileKind::User);
    }

    /// Turns on `features` of `dependency` in the Cargo manifest at `path` (the runtime's
    /// `chrono`, `decimal`, ... for the column types a model uses): each missing one is added
    /// to the dependency's `features = [...]`, keeping the file's other bytes (`updated`, or
    /// `identical` when all are on). A missing dependency, or one that is not a table (`dep =
    /// "1.0"`), stops the plan naming the file and what to add by hand. `delete` leaves them.
    pub fn enable_features(
        &mut self,
        path: impl Into<PathBuf>,
        dependency: &str,
        features: &[&str],
    ) {
        self.actions.push(Action::Features {
            path: path.into(),
            dependency: dependency.to_owned(),
            features: features.iter().map(|f| (*f).to_owned()).collect(),
        });
    }

    /// Adds `name = spec_toml` to `[dependencies]` of the Cargo manifest at `path`
    /// (`plan.add_dependency("Cargo.toml", "askama", "\"0.16\"")`; `spec_toml` is the TOML
    /// value as written: `"0.16"` with its quotes, or `{ version = "0.21", features = [...] }`)
    /// as one line below the table's last entry, keeping the file's other bytes (`updated`).
    /// `identical` when `[dependencies]` names it already in any form, whatever its version
    /// (the user's choice stands). A manifest that does not parse, or whose `dependencies` is
    /// not a plain table, stops the plan naming the file and the line to add by hand. `delete`
    /// leaves it, as it leaves features.
    pub fn add_dependency(&mut self, path: impl Into<PathBuf>, name: &str, spec_toml: &str) {
        self.actions.push(Action::Dependency {
            path: path.into(),
            name: name.to_owned(),
            spec: spec_toml.to_owned(),
        });
    }

    fn push_file(&mut self, path: PathBuf, contents: String, kind: FileKind) {
        let contents = normalise_newlines(contents);
        self.actions.push(Action::File {
            path,
            contents,
            kind,
        });
    }

    /// Injects `snippet` unless all its lines are already there.
    pub fn inject(&mut self, path: impl Into<PathBuf>, marker: &str, snippet: impl Into<String>) {
        self.push_inject(path.into(), marker, snippet.into(), None);
    }

    /// Injects `snippet` unless `key` is already in the file (ignoring whitespace).
    pub fn inject_unless(
        &mut self,
        path: impl Into<PathBuf>,
        marker: &str,
        snippet: impl Into<String>,
        key: impl Into<String>,
    ) {
        self.push_inject(path.into(), marker, snippet.into(), Some(key.into()));
    }

    fn push_inject(&mut self, path: PathBuf, marker: &str, snippet: String, key: Option<String>) {
        let snippet = normalise_newlines(snippet);
        self.actions.push(Action::Inject {
            path,
            marker: marker.to_owned(),
            snippet,
            key,
        });
    }
}

/// Generated text always has LF endings, whatever the template's checkout did.
fn normalise_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}
