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
    /// A whole file tspawn owns.
    File { path: PathBuf, contents: String },
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
    /// An injected snippet taken out again; `key` tells an edited snippet from a missing one.
    Eject {
        path: PathBuf,
        snippet: String,
        key: Option<String>,
    },
}

impl Action {
    /// The action that undoes this one, for `tspawn delete`: a file is removed if it is
    /// still what was generated, an injected snippet is taken out; folders stay.
    pub fn reverse(&self) -> Option<Action> {
        match self {
            Action::Dir(_) => None,
            Action::File { path, contents } => Some(Action::Remove {
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
            Action::Remove { .. } | Action::Eject { .. } => None,
        }
    }

    pub fn path(&self) -> &PathBuf {
        match self {
            Action::Dir(path)
            | Action::File { path, .. }
            | Action::Inject { path, .. }
            | Action::Remove { path, .. }
            | Action::Eject { path, .. } => path,
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

    pub fn file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        let contents = normalise_newlines(contents.into());
        self.actions.push(Action::File {
            path: path.into(),
            contents,
        });
    }

    /// A file of generated code tspawn rewrites whenever it regenerates (an sqlobject):
    /// never a conflict. (Placeholder: behaves as [`Plan::file`] until the engine knows it.)
    pub fn generated_file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.file(path, contents);
    }

    /// A file the user owns once written (a model): written when missing, never rewritten.
    /// (Placeholder: behaves as [`Plan::file`] until the engine knows it.)
    pub fn user_file(&mut self, path: impl Into<PathBuf>, contents: impl Into<String>) {
        self.file(path, contents);
    }

    /// Turns on `features` of `dependency` in the Cargo manifest at `path` (the runtime's
    /// `chrono`, `decimal`, ... for the column types a model uses). (Placeholder: does nothing
    /// until the engine knows it.)
    pub fn enable_features(
        &mut self,
        path: impl Into<PathBuf>,
        dependency: &str,
        features: &[&str],
    ) {
        let _ = (path.into(), dependency, features);
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
