//! Applying a plan: resolve every action against the disk, refuse if anything cannot succeed,
//! settle conflicts, then write everything in one transaction (see [`crate::fsx`]). Nothing is
//! written before every check has passed, and `--dry-run` stops right before writing with the
//! same status lines a real run prints.

use crate::error::Error;
use crate::fsx::{self, Write};
use crate::inject::{inject, Injection};
use crate::plan::{Action, Plan};
use crate::prompt::{Answer, Prompt};
use crate::shell::{Shell, Verb};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What to do with a file that exists and differs from what the generator would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Ask `[ynaqdh]` per file (only offered on a terminal).
    Ask,
    /// Fail, listing every conflict.
    Fail,
    Overwrite,
    Skip,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub dry_run: bool,
    pub on_conflict: OnConflict,
}

/// What applying did (or, in a dry run, would do).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub lines: Vec<(Verb, PathBuf)>,
}

impl Outcome {
    /// True when the run changed (or would change) nothing on disk.
    pub fn unchanged(&self) -> bool {
        self.lines
            .iter()
            .all(|(verb, _)| matches!(verb, Verb::Identical | Verb::Skipped))
    }
}

/// One resolved action.
#[derive(Debug)]
enum Step {
    Dir {
        path: PathBuf,
        exists: bool,
    },
    File {
        path: PathBuf,
        old: Option<String>,
        new: String,
        conflict: bool,
    },
}

/// Applies `plan` inside `base`, reporting each path to `shell`.
pub fn apply(
    plan: &Plan,
    base: &Path,
    options: Options,
    shell: &mut Shell,
    prompt: &mut dyn Prompt,
) -> Result<Outcome, Error> {
    let mut steps = resolve(plan, base)?;
    settle_conflicts(&mut steps, options.on_conflict, shell, prompt)?;
    let outcome = Outcome {
        lines: steps.iter().map(status).collect(),
    };
    if !options.dry_run {
        fsx::commit(base, &writes(&steps))?;
    }
    for (verb, path) in &outcome.lines {
        shell.status(*verb, &display(path));
    }
    Ok(outcome)
}

/// Reads what is on disk for every action and computes the final text of every file.
fn resolve(plan: &Plan, base: &Path) -> Result<Vec<Step>, Error> {
    let mut steps: Vec<Step> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let mut problems = Vec::new();
    for action in &plan.actions {
        let path = action.path().clone();
        let full = base.join(&path);
        if let Some(problem) = blocked_parent(base, &path) {
            problems.push(problem);
            continue;
        }
        match action {
            Action::Dir(_) => {
                if full.exists() && !full.is_dir() {
                    problems.push(format!("{} exists and is not a folder", display(&path)));
                } else if !index.contains_key(&path) {
                    index.insert(path.clone(), steps.len());
                    steps.push(Step::Dir {
                        path,
                        exists: full.is_dir(),
                    });
                }
            }
            Action::File { contents, .. } => match read(&full) {
                Err(problem) => problems.push(problem),
                Ok(old) => {
                    let conflict = old.as_ref().is_some_and(|old| old != contents);
                    let step = Step::File {
                        path: path.clone(),
                        old,
                        new: contents.clone(),
                        conflict,
                    };
                    upsert(&mut steps, &mut index, path, step);
                }
            },
            Action::Inject {
                marker,
                snippet,
                key,
                ..
            } => {
                let current = match index.get(&path).map(|&i| &steps[i]) {
                    Some(Step::File { new, .. }) => Ok(Some(new.clone())),
                    _ => read(&full),
                };
                match current {
                    Err(problem) => problems.push(problem),
                    Ok(None) => problems.push(Error::injection_target_missing(&path, snippet)),
                    Ok(Some(text)) => match injected(&path, &text, marker, snippet, key.as_deref())
                    {
                        Injection::AlreadyPresent => {
                            if !index.contains_key(&path) {
                                let step = Step::File {
                                    path: path.clone(),
                                    old: Some(text.clone()),
                                    new: text,
                                    conflict: false,
                                };
                                upsert(&mut steps, &mut index, path, step);
                            }
                        }
                        Injection::AnchorMissing => {
                            problems.push(Error::anchor_missing(&path, marker, snippet))
                        }
                        Injection::Injected(new) => match index.get(&path) {
                            Some(&i) => {
                                if let Step::File { new: planned, .. } = &mut steps[i] {
                                    *planned = new;
                                }
                            }
                            None => {
                                let step = Step::File {
                                    path: path.clone(),
                                    old: Some(text),
                                    new,
                                    conflict: false,
                                };
                                upsert(&mut steps, &mut index, path, step);
                            }
                        },
                    },
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(Error::Problems(problems))
    }
}

/// Injects, then lays out an injected Rust file as rustfmt would (a route split over lines).
fn injected(path: &Path, text: &str, marker: &str, snippet: &str, key: Option<&str>) -> Injection {
    match inject(text, marker, snippet, key) {
        Injection::Injected(new) if path.extension().is_some_and(|e| e == "rs") => {
            Injection::Injected(crate::rustfmt::format(new))
        }
        other => other,
    }
}

fn upsert(steps: &mut Vec<Step>, index: &mut HashMap<PathBuf, usize>, path: PathBuf, step: Step) {
    match index.get(&path) {
        Some(&i) => steps[i] = step,
        None => {
            index.insert(path, steps.len());
            steps.push(step);
        }
    }
}

/// A file or folder in the way of a path's parent folders.
fn blocked_parent(base: &Path, path: &Path) -> Option<String> {
    let mut parent = path.parent();
    while let Some(dir) = parent.filter(|p| !p.as_os_str().is_empty()) {
        let full = base.join(dir);
        if full.exists() && !full.is_dir() {
            return Some(format!("{} exists and is not a folder", display(dir)));
        }
        parent = dir.parent();
    }
    None
}

/// The current text of a file: `None` when absent, a problem when it cannot be used.
fn read(full: &Path) -> Result<Option<String>, String> {
    match std::fs::read(full) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            format!(
                "{} is not UTF-8 text; move it away and run again",
                full.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) if full.is_dir() => Err(format!(
            "{} is a folder where a file belongs",
            full.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", full.display())),
    }
}

/// Decides every conflict before anything is written.
fn settle_conflicts(
    steps: &mut [Step],
    policy: OnConflict,
    shell: &mut Shell,
    prompt: &mut dyn Prompt,
) -> Result<(), Error> {
    let mut unresolved = Vec::new();
    let mut policy = policy;
    for step in steps.iter_mut() {
        let Step::File {
            path,
            old: Some(old),
            new,
            conflict,
        } = step
        else {
            continue;
        };
        if !*conflict {
            continue;
        }
        let overwrite = match policy {
            OnConflict::Overwrite => true,
            OnConflict::Skip => false,
            OnConflict::Fail => {
                unresolved.push(path.clone());
                continue;
            }
            OnConflict::Ask => match prompt.ask(shell, &display(path), old, new)? {
                Answer::Yes => true,
                Answer::No => false,
                Answer::All => {
                    policy = OnConflict::Overwrite;
                    true
                }
                Answer::Quit => return Err(Error::Aborted),
            },
        };
        if overwrite {
            *conflict = false;
        } else {
            *new = old.clone();
        }
    }
    if unresolved.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflicts(unresolved))
    }
}

fn status(step: &Step) -> (Verb, PathBuf) {
    match step {
        Step::Dir { path, exists } => (
            if *exists {
                Verb::Identical
            } else {
                Verb::Created
            },
            path.clone(),
        ),
        Step::File {
            path,
            old,
            new,
            conflict,
        } => {
            let verb = match old {
                None => Verb::Created,
                Some(_) if *conflict => Verb::Skipped,
                Some(old) if old == new => Verb::Identical,
                Some(_) => Verb::Updated,
            };
            (verb, path.clone())
        }
    }
}

/// The disk changes the resolved steps need, in order.
fn writes(steps: &[Step]) -> Vec<Write> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Dir {
                path,
                exists: false,
            } => Some(Write::Dir(path.clone())),
            Step::File {
                path,
                old,
                new,
                conflict: false,
            } if old.as_ref() != Some(new) => Some(Write::File {
                path: path.clone(),
                contents: new.clone(),
                old: old.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// A relative path as shown to people: always with `/`.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
