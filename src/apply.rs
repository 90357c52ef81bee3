//! Applying a plan: resolve every action against the disk, refuse if anything cannot succeed
//! (a missing marker, a file this user may not write: `crate::access`, an injected line the
//! user edited, unless `--force` or `--skip` keep it), settle conflicts, then
//! write everything in one transaction (see [`crate::fsx`]). Nothing is written before every
//! check has passed, and `--dry-run` stops right before writing with the same status lines a
//! real run prints.

use crate::access;
use crate::error::{Conflict, Error};
use crate::fsx::{self, Write};
use crate::plan::{Action, Plan};
use crate::problem::display;
use crate::prompt::{Answer, Prompt};
use crate::resolve::{resolve_with, Edit, OnEdit, Step};
use crate::shell::{Shell, Verb};
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
    /// How many files that differ from what tspawn would write were kept as they are (by
    /// `--skip` or a `n` at the prompt).
    pub fn kept(&self) -> usize {
        self.lines
            .iter()
            .filter(|(verb, _)| *verb == Verb::Skipped)
            .count()
    }

    /// True when the run changed (or would change) nothing on disk.
    pub fn unchanged(&self) -> bool {
        self.lines
            .iter()
            .all(|(verb, _)| matches!(verb, Verb::Identical | Verb::Exists | Verb::Skipped))
    }
}

/// Applies `plan` inside `base`, reporting each path to `shell`.
pub fn apply(
    plan: &Plan,
    base: &Path,
    options: Options,
    shell: &mut Shell,
    prompt: &mut dyn Prompt,
) -> Result<Outcome, Error> {
    // An edited injection cannot be taken out without changing the user's code: refused, or
    // kept whole by --force and --skip (a prompt could offer nothing else).
    let on_edit = match options.on_conflict {
        OnConflict::Overwrite | OnConflict::Skip => OnEdit::Keep,
        OnConflict::Ask | OnConflict::Fail => OnEdit::Refuse,
    };
    let resolved = resolve_with(plan, base, on_edit)?;
    let (mut steps, mut kept) = (resolved.steps, resolved.kept);
    // Checked with the plan, not while writing, so `--dry-run` refuses what a run would.
    let denied = access::problems(base, &steps);
    if !denied.is_empty() {
        return Err(Error::Problems(denied));
    }
    settle_conflicts(&mut steps, options.on_conflict, shell, prompt)?;
    // A module file kept (`--skip`, or `n` at the prompt) keeps its `pub mod` line: planned
    // again without that ejection, with the decisions already taken.
    let narrowed = keep_mod_lines_of_kept(plan, &steps);
    if narrowed.actions.len() != plan.actions.len() {
        let resolved = resolve_with(&narrowed, base, on_edit)?;
        kept = resolved.kept;
        let decided = std::mem::replace(&mut steps, resolved.steps);
        for step in &mut steps {
            if let Some(kept) = decided.iter().find_map(|d| conflict_of(d, step)) {
                set_conflict(step, kept);
            }
        }
    }
    let outcome = Outcome {
        lines: steps.iter().map(status).collect(),
    };
    if !options.dry_run {
        fsx::commit(base, &writes(&steps))?;
    }
    for (verb, path) in &outcome.lines {
        shell.status(*verb, &display(path));
    }
    for edit in &kept {
        shell.note(&kept_note(edit));
    }
    Ok(outcome)
}

/// What `--force` or `--skip` did with an injected line the user edited.
fn kept_note(edit: &Edit) -> String {
    format!(
        "note: {} line {} (`{}`) is an edit to lines tspawn added, so they stay as they are; \
         take them out by hand if the app no longer needs them",
        display(&edit.path),
        edit.line,
        edit.text
    )
}

/// Where an app's migrations live. A changed one is kept whatever the policy: the runtime
/// refuses to start when the text of a migration a database has run changes (sqlx checks its
/// checksum), so overwriting one could only break the app. Removing one (`delete`) is safe: the
/// runtime ignores applied migrations that are gone.
const MIGRATIONS: &str = "db/migrations";

/// Decides every conflict before anything is written.
fn settle_conflicts(
    steps: &mut [Step],
    policy: OnConflict,
    shell: &mut Shell,
    prompt: &mut dyn Prompt,
) -> Result<(), Error> {
    let mut unresolved = Vec::new();
    let skip = policy == OnConflict::Skip;
    let mut policy = policy;
    for step in steps.iter_mut() {
        // A generated file still under its header is rewritten without asking, but `--skip`
        // means "change none of the files that differ": it is kept (`skipped`).
        if let Step::File {
            old: Some(old),
            new,
            conflict,
            regenerated: true,
            ..
        } = step
        {
            *conflict = skip && old != new;
            continue;
        }
        let (path, question, old, new, conflict, remove) = match step {
            Step::File {
                path,
                old: Some(old),
                new,
                conflict: conflict @ true,
                ..
            } => {
                let question = format!("Overwrite {}?", display(path));
                (path, question, &*old, &*new, conflict, false)
            }
            Step::Remove {
                path,
                old,
                generated,
                conflict: conflict @ true,
            } => {
                let question =
                    format!("Remove {} (changed since it was generated)?", display(path));
                (path, question, &*old, &*generated, conflict, true)
            }
            _ => continue,
        };
        if !remove && path.starts_with(MIGRATIONS) {
            shell.note(&format!(
                "note: {} differs from what tspawn would write and is kept: a migration is \
                 never rewritten, since a database may have run it as it is",
                display(path)
            ));
            continue;
        }
        let go_ahead = match policy {
            OnConflict::Overwrite => true,
            OnConflict::Skip => false,
            OnConflict::Fail => {
                unresolved.push(Conflict {
                    path: path.clone(),
                    remove,
                });
                continue;
            }
            OnConflict::Ask => match prompt.ask(shell, &question, &display(path), old, new)? {
                Answer::Yes => true,
                Answer::No => false,
                Answer::All => {
                    policy = OnConflict::Overwrite;
                    true
                }
                Answer::Quit => return Err(Error::Aborted),
            },
        };
        // A conflict left standing means "keep the file as it is".
        *conflict = !go_ahead;
    }
    if unresolved.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflicts(unresolved))
    }
}

/// `plan` without the ejections of `pub mod X;` from a mod.rs (or lib.rs, main.rs) whose
/// module file beside it (X.rs or X/mod.rs) is a removal `steps` keeps: the module would
/// otherwise stay on disk but drop out of the build.
fn keep_mod_lines_of_kept(plan: &Plan, steps: &[Step]) -> Plan {
    let kept: Vec<&PathBuf> = steps
        .iter()
        .filter_map(|step| match step {
            Step::Remove {
                path,
                conflict: true,
                ..
            } => Some(path),
            _ => None,
        })
        .collect();
    let mut plan = plan.clone();
    plan.actions.retain(|action| {
        let Action::Eject { path, snippet, .. } = action else {
            return true;
        };
        let module = snippet
            .trim()
            .strip_prefix("pub mod ")
            .and_then(|m| m.strip_suffix(';'));
        let Some(module) = module else {
            return true;
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        let files = [
            dir.join(format!("{module}.rs")),
            dir.join(module).join("mod.rs"),
        ];
        !kept.iter().any(|k| files.contains(k))
    });
    plan
}

/// The conflict decided for `decided` when it is the same kind of step on the same path as
/// `step`.
fn conflict_of(decided: &Step, step: &Step) -> Option<bool> {
    match (decided, step) {
        (
            Step::File {
                path: a, conflict, ..
            },
            Step::File { path: b, .. },
        )
        | (
            Step::Remove {
                path: a, conflict, ..
            },
            Step::Remove { path: b, .. },
        ) if a == b => Some(*conflict),
        _ => None,
    }
}

fn set_conflict(step: &mut Step, decided: bool) {
    if let Step::File { conflict, .. } | Step::Remove { conflict, .. } = step {
        *conflict = decided;
    }
}

fn status(step: &Step) -> (Verb, PathBuf) {
    let (verb, path) = match step {
        Step::Dir { path, exists: true } => (Verb::Identical, path),
        Step::Dir {
            path,
            exists: false,
        } => (Verb::Created, path),
        Step::File {
            path, old: None, ..
        } => (Verb::Created, path),
        Step::File {
            path,
            conflict: true,
            ..
        }
        | Step::Remove {
            path,
            conflict: true,
            ..
        } => (Verb::Skipped, path),
        Step::File {
            path,
            old: Some(old),
            new,
            ..
        } if old == new => (Verb::Identical, path),
        Step::File { path, .. } => (Verb::Updated, path),
        Step::Kept { path } => (Verb::Exists, path),
        Step::Remove { path, .. } => (Verb::Removed, path),
    };
    (verb, path.clone())
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
                ..
            } if old.as_ref() != Some(new) => Some(Write::File {
                path: path.clone(),
                contents: new.clone(),
                old: old.clone(),
            }),
            Step::Remove {
                path,
                conflict: false,
                ..
            } => Some(Write::Remove(path.clone())),
            _ => None,
        })
        .collect()
}
