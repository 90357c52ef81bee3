//! The first half of applying a plan: read what is on disk for every action and compute the
//! final text of every file, collecting every problem (a file in the way of a folder, a
//! missing marker) instead of stopping at the first, so the user sees them all at once.
//!
//! Line endings: tspawn writes new files with LF endings, and a file on disk that differs from
//! what tspawn would write only by a CR before each LF (a Windows checkout, git's
//! `core.autocrlf`) counts as the same file: `identical` on a rerun, removable by `delete`, and
//! left with its own bytes. Injected lines take the ending of the marker line they go above (see
//! [`crate::inject::inject`]). No formatter runs over any file: the text tspawn adds is already
//! laid out, and the user's text keeps its bytes.

use crate::error::Error;
use crate::inject::{eject, inject, Ejection, Injection, Layout};
use crate::manifest;
use crate::plan::{Action, FileKind, Plan};
use crate::problem::Problem;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One resolved action.
#[derive(Debug)]
pub(crate) enum Step {
    Dir {
        path: PathBuf,
        exists: bool,
    },
    File {
        path: PathBuf,
        old: Option<String>,
        new: String,
        conflict: bool,
        /// A [`FileKind::Generated`] file that still starts with its header and differs:
        /// rewritten without asking, but kept under `--skip` (see [`crate::apply`]).
        regenerated: bool,
    },
    /// A user's file left as it is ([`FileKind::User`] that differs): nothing to write.
    Kept {
        path: PathBuf,
    },
    /// A generated file to remove; `conflict` when it changed since it was generated.
    Remove {
        path: PathBuf,
        old: String,
        generated: String,
        conflict: bool,
    },
}

/// A line of an injected snippet the user changed since (see [`crate::inject::eject`]), which
/// `delete` does not take out: the snippet's lines stay whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub path: PathBuf,
    /// The line's number in the file on disk, from 1.
    pub line: usize,
    /// What the line holds, trimmed.
    pub text: String,
}

impl Edit {
    fn problem(self) -> Problem {
        Problem::EditedInjection {
            path: self.path,
            line: self.line,
            text: self.text,
        }
    }
}

/// What to do with an injected snippet the user edited, which `delete` cannot take out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnEdit {
    /// Stop the plan: [`Problem::EditedInjection`], listed with the other problems.
    Refuse,
    /// Leave the snippet's lines as they are and list the edit in [`Resolved::kept`]
    /// (`--force` and `--skip`).
    Keep,
}

/// The steps of a plan, and the edited snippets left in place under [`OnEdit::Keep`].
#[derive(Debug)]
pub(crate) struct Resolved {
    pub steps: Vec<Step>,
    pub kept: Vec<Edit>,
}

/// Every step of `plan` inside `base`, or every problem found (an edited snippet among them):
/// what the engine's own tests check.
#[cfg(test)]
pub(crate) fn resolve(plan: &Plan, base: &Path) -> Result<Vec<Step>, Error> {
    resolve_with(plan, base, OnEdit::Refuse).map(|resolved| resolved.steps)
}

/// [`resolve`], with edited snippets refused or kept as `on_edit` says.
pub(crate) fn resolve_with(plan: &Plan, base: &Path, on_edit: OnEdit) -> Result<Resolved, Error> {
    let mut resolver = Resolver {
        base,
        steps: Vec::new(),
        index: HashMap::new(),
        problems: Vec::new(),
        on_edit,
        kept: Vec::new(),
        ejected: HashMap::new(),
    };
    for action in &plan.actions {
        let path = action.path().clone();
        if let Some(problem) = blocked_parent(base, &path) {
            resolver.problems.push(problem);
            continue;
        }
        let result = match action {
            Action::Dir(_) => resolver.dir(path),
            Action::File { contents, kind, .. } => resolver.file(path, contents, *kind),
            Action::Inject {
                marker,
                snippet,
                key,
                ..
            } => resolver.inject(path, marker, snippet, key.as_deref()),
            Action::Remove { contents, .. } => resolver.remove(path, contents),
            Action::Eject { snippet, key, .. } => resolver.eject(path, snippet, key.as_deref()),
            Action::Features {
                dependency,
                features,
                ..
            } => resolver.features(path, dependency, features),
            Action::Dependency { name, spec, .. } => resolver.dependency(path, name, spec),
        };
        if let Err(problem) = result {
            resolver.problems.push(problem);
        }
    }
    if resolver.problems.is_empty() {
        Ok(Resolved {
            steps: resolver.steps,
            kept: resolver.kept,
        })
    } else {
        Err(Error::Problems(resolver.problems))
    }
}

/// The steps so far, by path, and the problems found.
struct Resolver<'a> {
    base: &'a Path,
    steps: Vec<Step>,
    index: HashMap<PathBuf, usize>,
    problems: Vec<Problem>,
    on_edit: OnEdit,
    kept: Vec<Edit>,
    /// The lines each ejection took out of a file, in order, each range in the text as it was
    /// then: to number a line as it is on disk.
    ejected: HashMap<PathBuf, Vec<Range<usize>>>,
}

impl Resolver<'_> {
    fn dir(&mut self, path: PathBuf) -> Result<(), Problem> {
        let full = self.base.join(&path);
        if full.exists() && !full.is_dir() {
            return Err(Problem::NotAFolder { path });
        }
        if !self.index.contains_key(&path) {
            let exists = full.is_dir();
            self.upsert(Step::Dir { path, exists });
        }
        Ok(())
    }

    /// A file the same but for CRLF endings keeps its bytes (`identical`); one that differs is
    /// rewritten, kept or a conflict as its `kind` says (a generated file is regenerated only
    /// while it keeps its header, [`same_header`]).
    fn file(&mut self, path: PathBuf, contents: &str, kind: FileKind) -> Result<(), Problem> {
        let old = read(self.base, &path)?;
        let (new, conflict, regenerated) = match (&old, kind) {
            (Some(old), _) if same_text(old, contents) => (old.clone(), false, false),
            (Some(_), FileKind::User) => {
                self.upsert(Step::Kept { path });
                return Ok(());
            }
            (Some(old), FileKind::Generated) if same_header(old, contents) => {
                (endings_of(old, contents), false, true)
            }
            // The user took it over (its header is gone): theirs until they say otherwise.
            (Some(old), FileKind::Generated) => (endings_of(old, contents), true, false),
            (Some(_), FileKind::Scaffold) => (contents.to_owned(), true, false),
            (None, _) => (contents.to_owned(), false, false),
        };
        self.upsert(Step::File {
            path,
            old,
            new,
            conflict,
            regenerated,
        });
        Ok(())
    }

    /// Turns on features in the manifest's planned text if an earlier action made it, else in
    /// the disk's; listed as `identical` when they are all on already.
    fn features(
        &mut self,
        path: PathBuf,
        dependency: &str,
        features: &[String],
    ) -> Result<(), Problem> {
        let (planned, text) = self.current_text(&path)?;
        let Some(text) = text else {
            let snippet = format!(
                "{dependency} = {{ ..., features = {} }}",
                manifest::list(features)
            );
            return Err(Problem::InjectionTargetMissing { path, snippet });
        };
        match manifest::enable_features(&text, dependency, features) {
            Ok(new) => {
                self.set_text(planned, path, text, new);
                Ok(())
            }
            Err(trouble) => Err(Problem::Features {
                path,
                dependency: dependency.to_owned(),
                features: manifest::list(features),
                trouble,
            }),
        }
    }

    /// Adds a dependency to the manifest's planned text if an earlier action made it, else to
    /// the disk's; listed as `identical` when it is there already.
    fn dependency(&mut self, path: PathBuf, name: &str, spec: &str) -> Result<(), Problem> {
        let line = format!("{name} = {spec}");
        let (planned, text) = self.current_text(&path)?;
        let Some(text) = text else {
            return Err(Problem::InjectionTargetMissing {
                path,
                snippet: format!("[dependencies]\n{line}"),
            });
        };
        match manifest::add_dependency(&text, name, spec) {
            Ok(new) => {
                self.set_text(planned, path, text, new);
                Ok(())
            }
            Err(trouble) => Err(Problem::Dependency {
                path,
                line,
                trouble,
            }),
        }
    }

    /// Injects into the file's planned text if an earlier action made it, else into the disk's.
    fn inject(
        &mut self,
        path: PathBuf,
        marker: &str,
        snippet: &str,
        key: Option<&str>,
    ) -> Result<(), Problem> {
        let (planned, text) = self.current_text(&path)?;
        let Some(text) = text else {
            let snippet = snippet.to_owned();
            return Err(Problem::InjectionTargetMissing { path, snippet });
        };
        match inject(&text, marker, snippet, key) {
            Injection::AnchorMissing => Err(Problem::MarkerMissing {
                path,
                marker: marker.to_owned(),
                snippet: snippet.to_owned(),
            }),
            // Listed as `identical`, so a rerun says what it found.
            Injection::AlreadyPresent if planned.is_none() => {
                self.set_text(planned, path, text.clone(), text);
                Ok(())
            }
            Injection::AlreadyPresent => Ok(()),
            Injection::Injected(new) => {
                self.set_text(planned, path, text, new);
                Ok(())
            }
        }
    }

    /// Nothing to do when the file is already gone.
    fn remove(&mut self, path: PathBuf, generated: &str) -> Result<(), Problem> {
        if let Some(old) = read(self.base, &path)? {
            let conflict = !same_text(&old, generated);
            let generated = generated.to_owned();
            self.upsert(Step::Remove {
                path,
                old,
                generated,
                conflict,
            });
        }
        Ok(())
    }

    /// Takes a snippet's whole lines out of the file's current (or already planned) text; an
    /// edited copy (see [`crate::inject::eject`]) is a problem, or under [`OnEdit::Keep`] left
    /// whole and listed; a missing one is nothing to do.
    fn eject(&mut self, path: PathBuf, snippet: &str, key: Option<&str>) -> Result<(), Problem> {
        let (planned, text) = self.current_text(&path)?;
        let Some(text) = text else { return Ok(()) };
        match eject(&text, snippet, key, Layout::of(&path)) {
            Ejection::Ejected { text: new, lines } => {
                self.ejected.entry(path.clone()).or_default().push(lines);
                self.set_text(planned, path, text, new);
                Ok(())
            }
            Ejection::Edited { line, text } => {
                let line = self.disk_line(&path, line) + 1;
                let edit = Edit { path, line, text };
                match self.on_edit {
                    OnEdit::Refuse => Err(edit.problem()),
                    OnEdit::Keep => {
                        self.kept.push(edit);
                        Ok(())
                    }
                }
            }
            Ejection::Missing => Ok(()),
        }
    }

    /// The number (from 0) on disk of line `line` of the file's current text, which earlier
    /// ejections took whole lines out of (a delete plan changes files only by ejecting).
    fn disk_line(&self, path: &Path, line: usize) -> usize {
        let taken = self
            .ejected
            .get(path)
            .map(Vec::as_slice)
            .unwrap_or_default();
        taken
            .iter()
            .rev()
            .fold(line, |line, range| match line >= range.start {
                true => line + range.len(),
                false => line,
            })
    }

    /// The step an earlier action planned for `path`, and the file's text as it stands after
    /// that step (or on disk).
    fn current_text(&self, path: &Path) -> Result<(Option<usize>, Option<String>), Problem> {
        let planned = self.index.get(path).copied();
        match planned.map(|i| &self.steps[i]) {
            Some(Step::File { new, .. }) => Ok((planned, Some(new.clone()))),
            _ => Ok((planned, read(self.base, path)?)),
        }
    }

    /// Records the file's new text: into the planned step if there is one, else as an update.
    fn set_text(&mut self, planned: Option<usize>, path: PathBuf, old: String, new: String) {
        match planned.map(|i| &mut self.steps[i]) {
            Some(Step::File { new: text, .. }) => *text = new,
            _ => self.upsert(Step::File {
                path,
                old: Some(old),
                new,
                conflict: false,
                regenerated: false,
            }),
        }
    }

    fn upsert(&mut self, step: Step) {
        let path = match &step {
            Step::Dir { path, .. }
            | Step::File { path, .. }
            | Step::Kept { path }
            | Step::Remove { path, .. } => path.clone(),
        };
        match self.index.get(&path) {
            Some(&i) => self.steps[i] = step,
            None => {
                self.index.insert(path, self.steps.len());
                self.steps.push(step);
            }
        }
    }
}

/// Whether a file's text on disk is `generated` (LF endings), allowing a CR before every LF.
fn same_text(disk: &str, generated: &str) -> bool {
    disk == generated || (disk.contains("\r\n") && disk.replace("\r\n", "\n") == generated)
}

/// Whether the file on disk `old` still starts with the header of `new`, the text tspawn
/// would write now: their first lines agree up to and including the first '`' of `new`'s
/// (the whole line when it has none). A generated file's first line is `// Generated by
/// `COMMAND`.`: the command may differ between runs (`tspawn sqlobject blog`, then `tspawn
/// model blog` over it) and the file is still tspawn's; once the user removes or rewrites
/// that line, the file is theirs. A blank first line is no header.
fn same_header(old: &str, new: &str) -> bool {
    let header = header(new);
    !header.trim().is_empty() && self::header(old) == header
}

/// The first line of `text` up to and including its first '`' (all of it when it has none).
fn header(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    line.find('`').map_or(line, |tick| &line[..=tick])
}

/// `generated` (LF endings) with CRLF endings when every line break of `old` is CRLF, so a
/// regenerated file in a Windows checkout stays CRLF.
fn endings_of(old: &str, generated: &str) -> String {
    let breaks = old.matches('\n').count();
    if breaks > 0 && old.matches("\r\n").count() == breaks {
        generated.replace('\n', "\r\n")
    } else {
        generated.to_owned()
    }
}

/// A file or folder in the way of a path's parent folders.
fn blocked_parent(base: &Path, path: &Path) -> Option<Problem> {
    let mut parent = path.parent();
    while let Some(dir) = parent.filter(|p| !p.as_os_str().is_empty()) {
        let full = base.join(dir);
        if full.exists() && !full.is_dir() {
            let path = dir.to_owned();
            return Some(Problem::NotAFolder { path });
        }
        parent = dir.parent();
    }
    None
}

/// The current text of the file at `path` in `base`: `None` when absent, a problem when it
/// cannot be used.
fn read(base: &Path, path: &Path) -> Result<Option<String>, Problem> {
    let full = base.join(path);
    let path = path.to_owned();
    match std::fs::read(&full) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Problem::NotUtf8 { path }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) if full.is_dir() => Err(Problem::NotAFile { path }),
        Err(source) => Err(Problem::Unreadable { path, source }),
    }
}
