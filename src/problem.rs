//! What stops a plan, found while checking it against the disk before anything is written.
//! Every problem is collected (the user sees them all at once, under "nothing was written"),
//! each a variant tests can match, and each message, saying what is wrong and what to do,
//! is written here and nowhere else.

use std::io;
use std::path::{Path, PathBuf};

/// One thing that stops a plan. Paths are relative to the folder the plan is applied in,
/// except where a variant says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A file where a folder (or a file's parent folder) belongs.
    #[error(
        "{} exists and is not a folder; move it away so tspawn can make the folder, and run again",
        display(path)
    )]
    NotAFolder { path: PathBuf },

    /// A folder where a file belongs.
    #[error(
        "{} is a folder where a file belongs; move it away, or pick another name, and run again",
        display(path)
    )]
    NotAFile { path: PathBuf },

    /// A file tspawn must read is not UTF-8 text.
    #[error("{} is not UTF-8 text; move it away and run again", display(path))]
    NotUtf8 { path: PathBuf },

    /// A file tspawn must read cannot be read.
    #[error(
        "cannot read {} ({source}); make it readable for you (e.g. chmod u+r {}) and run again",
        display(path),
        display(path)
    )]
    Unreadable { path: PathBuf, source: io::Error },

    /// The file to inject into has no line with the marker.
    #[error(
        "{} has no `{marker}` marker line; add it back, or add these lines where they belong:\n{}",
        display(path),
        indent(snippet)
    )]
    MarkerMissing {
        path: PathBuf,
        marker: String,
        snippet: String,
    },

    /// The file to inject into does not exist.
    #[error(
        "{} is missing; it should hold these lines:\n{}",
        display(path),
        indent(snippet)
    )]
    InjectionTargetMissing { path: PathBuf, snippet: String },

    /// An injected snippet the user edited, which `delete` cannot take out without changing
    /// the user's code (see `crate::inject::eject`): `line` counts from 1, `text` is that line
    /// trimmed.
    #[error(
        "{} line {line} (`{text}`) is an edit to the lines tspawn added there; delete takes out \
         only lines exactly as tspawn wrote them: undo the edit, or take the lines out by hand, \
         and run delete again, or rerun with --force to keep them as they are and delete the \
         rest",
        display(path)
    )]
    EditedInjection {
        path: PathBuf,
        line: usize,
        text: String,
    },

    /// A file to rewrite or remove that this user may not write (see `crate::access`).
    #[error(
        "{} cannot be written ({source}); make it writable for you (e.g. chmod u+w {}) or run \
         tspawn as a user who may write it",
        display(path),
        display(path)
    )]
    NotWritable { path: PathBuf, source: io::Error },

    /// A folder to write into that this user may not write in.
    #[error(
        "cannot write in the folder {} ({source}): tspawn writes new files there and renames \
         them into place; make it writable for you or run tspawn as a user who may write it",
        display(path)
    )]
    FolderNotWritable { path: PathBuf, source: io::Error },

    /// A file to rewrite that belongs to another user, which only root could give back.
    #[error(
        "{} belongs to another user (uid {uid}); tspawn replaces a file whole and could not \
         keep its owner: run tspawn as that user, or chown the file to you",
        display(path)
    )]
    OtherOwner { path: PathBuf, uid: u32 },

    /// A file to rewrite whose group this user is not in.
    #[error(
        "{} belongs to group {gid}, which you are not in; tspawn replaces a file whole and \
         could not keep its group: run tspawn as a member, or chgrp the file",
        display(path)
    )]
    OtherGroup { path: PathBuf, gid: u32 },

    /// Two names with one PascalCase form (`chat_2`, `chat2`) would define one type twice.
    #[error(
        "{} already has `{existing}`: {type_name} would be defined twice; pick a name whose \
         CamelCase form differs",
        display(path)
    )]
    TypeDefinedTwice {
        path: PathBuf,
        existing: String,
        type_name: String,
    },

    /// Features of a dependency that cannot be turned on in a Cargo manifest (see
    /// `crate::manifest`); `features` is the list as a manifest writes it: `["chrono"]`.
    #[error("{}", features_problem(path, dependency, features, trouble))]
    Features {
        path: PathBuf,
        dependency: String,
        features: String,
        trouble: crate::manifest::Trouble,
    },

    /// A dependency that cannot be added to a Cargo manifest (see
    /// `crate::manifest::add_dependency`); `line` is what to add: `askama = "0.16"`.
    #[error("{}", dependency_problem(path, line, trouble))]
    Dependency {
        path: PathBuf,
        line: String,
        trouble: crate::manifest::Trouble,
    },
}

fn dependency_problem(path: &Path, line: &str, trouble: &crate::manifest::Trouble) -> String {
    use crate::manifest::Trouble;
    let path = display(path);
    match trouble {
        Trouble::NotToml { line: 0, message } => {
            format!("tspawn made a dependency line that is not TOML (`{line}`: {message}); please report it")
        }
        Trouble::NotToml { line: at, message } => format!(
            "{path} is not valid TOML (line {at}: {message}); fix it, add `{line}` under \
             [dependencies], then run again"
        ),
        _ => format!(
            "tspawn cannot edit [dependencies] in {path} as it is written; add `{line}` to it \
             by hand, then run again"
        ),
    }
}

fn features_problem(
    path: &Path,
    dependency: &str,
    features: &str,
    trouble: &crate::manifest::Trouble,
) -> String {
    use crate::manifest::Trouble;
    let path = display(path);
    let what = match trouble {
        Trouble::NotToml { line, message } => format!(
            "{path} is not valid TOML (line {line}: {message}); fix it, and make sure \
             `{dependency}` under [dependencies] has `features = {features}`"
        ),
        Trouble::NoDependency => format!(
            "{path} has no `{dependency}` under [dependencies]; add it there with \
             `features = {features}`"
        ),
        Trouble::NotATable => format!(
            "`{dependency}` under [dependencies] in {path} is not a table; write it as \
             `{dependency} = {{ version = \"...\", features = {features} }}`, keeping what it says now"
        ),
        Trouble::FeaturesNotAList => format!(
            "the features of `{dependency}` in {path} are not a list of names; make them \
             `features = {features}` plus those it has"
        ),
        Trouble::Unsupported => format!(
            "tspawn cannot edit `{dependency}` in {path} as it is written; add \
             `features = {features}` to it by hand"
        ),
    };
    format!("{what}, then run again")
}

/// A path as shown to people, in messages and status lines: always with `/`, `.` when empty.
pub fn display(path: &Path) -> String {
    match path.to_string_lossy().replace('\\', "/") {
        s if s.is_empty() => ".".to_owned(),
        s => s,
    }
}

fn indent(snippet: &str) -> String {
    snippet
        .lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::plan::Plan;
    use crate::resolve::resolve;

    /// The problems of `plan` in a folder holding `files`.
    fn problems(files: &[(&str, &[u8])], plan: &Plan) -> Vec<Problem> {
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, bytes).unwrap();
        }
        match resolve(plan, dir.path()) {
            Err(Error::Problems(problems)) => problems,
            Err(other) => panic!("{other}"),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn every_problem_is_found_and_typed() {
        let mut plan = Plan::default();
        plan.dir("a/b"); // a is a file
        plan.file("bin.txt", "x"); // not UTF-8
        plan.file("d", "x"); // a folder
        plan.inject("routes.rs", "tspawn:routes", "route"); // no marker
        plan.inject("gone.rs", "m", "line"); // no file
        let found = problems(
            &[
                ("a", b"x"),
                ("bin.txt", b"\xff\xfe"),
                ("d/f", b""),
                ("routes.rs", b"fn r() {}\n"),
            ],
            &plan,
        );
        assert!(
            matches!(
                found.as_slice(),
                [
                    Problem::NotAFolder { .. },
                    Problem::NotUtf8 { .. },
                    Problem::NotAFile { .. },
                    Problem::MarkerMissing { .. },
                    Problem::InjectionTargetMissing { .. },
                ]
            ),
            "{found:?}"
        );
        let lines: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines[0],
            "a exists and is not a folder; move it away so tspawn can make the folder, and run \
             again"
        );
        assert_eq!(
            lines[1],
            "bin.txt is not UTF-8 text; move it away and run again"
        );
        assert_eq!(
            lines[2],
            "d is a folder where a file belongs; move it away, or pick another name, and run again"
        );
        assert!(lines[3].starts_with("routes.rs has no `tspawn:routes` marker line"));
        assert!(
            lines[3].ends_with("\n        route"),
            "the snippet, indented"
        );
        assert!(lines[4].starts_with("gone.rs is missing"));
    }

    #[test]
    fn an_edited_injection_is_its_own_problem() {
        let mut plan = Plan::default();
        plan.inject_unless("app.toml", "# m", "[x]\nk = 1", "[x]");
        let found = problems(&[("app.toml", b"[x]\nk = 2\n# m\n")], &plan.reverse());
        assert!(
            matches!(found.as_slice(), [Problem::EditedInjection { path, .. }] if path == Path::new("app.toml")),
            "{found:?}"
        );
    }
}
