//! The engine's checks on every generator's output, run once in [`super::generate`] so each
//! generator, present or future, gets them without asking:
//!
//! - nothing a generator adds to an app lands on a file `tspawn new` wrote (`tspawn websocket
//!   index` would replace the home page, public/index.html);
//! - every name fits every limit downstream: each SQL identifier the driver's (PostgreSQL 63
//!   bytes, MySQL/MariaDB 64 characters), each file name the file system's 255 bytes counting
//!   tspawn's staging name `.<name>.tspawn-new`, each whole path Linux's 4095 bytes, and each
//!   crate the plan makes (the app's for `new`, a test per `tests/*.rs`, a binary per
//!   `src/bin/*.rs`) cargo's build file names (see [`CRATE_MAX`]).
//!
//! A refusal is one line naming the clash or the limit and the fix: another name, or how long
//! the name may be.

use super::{new, Claims, Generated};
use crate::error::{abbreviate, Error, TooLong};
use crate::fsx;
use crate::plan::Action;
use crate::problem::display;
use std::path::Component;

/// The longest file name, in bytes: Linux's NAME_MAX, and the limit of ext4, XFS, Btrfs, tmpfs.
const NAME_MAX: usize = 255;
/// The longest path a system call takes, in bytes: Linux's PATH_MAX (4096) less the final NUL.
const PATH_MAX: usize = 4095;

/// The longest crate name cargo can build, in bytes: its file names for a crate in target/
/// must fit `NAME_MAX`. `cargo check` writes `lib<crate>-<16 hex>.rmeta` (26 bytes more than
/// the name, so 229), and linking a binary or test (`cargo build`, `cargo test`) has the
/// linker write `<crate>-<16 hex>` through a temporary `.tmp` + 7 characters beside it (28
/// more: measured with rustc 1.9x and rust-lld, 227 builds and 228 fails). Every crate of an
/// app is linked or shares its name with one that is (the package's lib and main.rs), so one
/// limit holds for all.
const CRATE_MAX: usize = NAME_MAX - 28;

/// Checks `generated` before anything is read from or written to disk for it.
pub fn check(generated: &Generated) -> Result<(), Error> {
    takes_over(generated)?;
    let mut found: Vec<TooLong> = identifiers_too_long(&generated.claims);
    found.extend(paths_too_long(generated));
    found.extend(crates_too_long(generated));
    // The tightest limit: a name short enough for it is short enough for all.
    match found.into_iter().min_by_key(|t| t.max_name.unwrap_or(0)) {
        Some(too_long) => Err(Error::TooLong(Box::new(too_long))),
        None => Ok(()),
    }
}

/// A generated file (or one `delete` would remove) that is one of the app's own.
fn takes_over(generated: &Generated) -> Result<(), Error> {
    if !generated.claims.in_app {
        return Ok(());
    }
    let owned = new::app_files();
    let clash = generated
        .plan
        .actions
        .iter()
        .find_map(|action| match action {
            Action::File { path, .. } | Action::Remove { path, .. } if owned.contains(path) => {
                Some(path)
            }
            _ => None,
        });
    match clash {
        Some(path) => Err(Error::TakesOver {
            name: generated.claims.name.clone(),
            path: path.clone(),
            role: new::role(path),
        }),
        None => Ok(()),
    }
}

fn identifiers_too_long(claims: &Claims) -> Vec<TooLong> {
    let driver = claims.driver;
    let (Some(limit), Some(rule)) = (driver.identifier_limit(), driver.describe_limit()) else {
        return Vec::new();
    };
    claims
        .identifiers
        .iter()
        .filter(|id| limit.measure(&id.name) > limit.max)
        .map(|id| {
            let length = format!("{} {}", limit.measure(&id.name), limit.unit.as_str());
            let subject = format!("{} `{}`", id.kind, id.name);
            too_long(claims, &id.name, subject, length, limit.max, rule.clone())
        })
        .collect()
}

/// Every folder and file name of every path against `NAME_MAX` (a file's as staged,
/// `.<name>.tspawn-new`, which is longer), and every whole path against `PATH_MAX`.
fn paths_too_long(generated: &Generated) -> Vec<TooLong> {
    let claims = &generated.claims;
    let mut found = Vec::new();
    for action in &generated.plan.actions {
        let path = action.path();
        let written = match action {
            Action::Dir(_) => path.clone(),
            _ => fsx::staging_path(path),
        };
        let last = written.components().count();
        for (i, component) in written.components().enumerate() {
            let Component::Normal(part) = component else {
                continue;
            };
            let part = part.to_string_lossy();
            if part.len() <= NAME_MAX {
                continue;
            }
            let (subject, staged) = match (i + 1 == last, written != *path) {
                (true, true) => (
                    "the file name of",
                    " as tspawn stages it (`.<name>.tspawn-new`)",
                ),
                (true, false) => ("the name of", ""),
                (false, _) => ("a folder name in", ""),
            };
            found.push(too_long(
                claims,
                &part,
                format!("{subject} {}", display(path)),
                format!("{} bytes{staged}", part.len()),
                NAME_MAX,
                format!("the file system's limit of {NAME_MAX} bytes"),
            ));
        }
        let full = generated.base.join(&written);
        let full = full.to_string_lossy();
        if full.len() > PATH_MAX {
            found.push(too_long(
                claims,
                &full,
                format!("the path of {}", display(path)),
                format!("{} bytes", full.len()),
                PATH_MAX,
                format!("the system's limit of {PATH_MAX} bytes per path"),
            ));
        }
    }
    found
}

/// Every crate the plan makes, by its name as cargo writes it in target/, against
/// [`CRATE_MAX`].
fn crates_too_long(generated: &Generated) -> Vec<TooLong> {
    let claims = &generated.claims;
    let mut found = Vec::new();
    for action in &generated.plan.actions {
        let Action::File { path, .. } = action else {
            continue;
        };
        let Some((kind, name)) = crate_of(claims, path) else {
            continue;
        };
        if name.len() > CRATE_MAX {
            found.push(too_long(
                claims,
                &name,
                format!("the {kind} crate of {}", display(path)),
                format!("{} bytes in its name", name.len()),
                CRATE_MAX,
                format!(
                    "the limit of cargo's build file names, at most {CRATE_MAX} bytes for a crate name \
                     (`<crate>-<16 hex>` and the files beside it in target/ must fit \
                     {NAME_MAX} bytes)"
                ),
            ));
        }
    }
    found
}

/// The kind and name of the crate `path` (relative to [`Generated::base`]) is the root of, as
/// cargo's conventional targets make them: `src/lib.rs`, `src/main.rs`, `src/bin/NAME.rs`,
/// `tests/NAME.rs` (or `.../NAME/main.rs`), in the app's root. A name's `-` is `_` in its crate name.
fn crate_of(claims: &Claims, path: &std::path::Path) -> Option<(&'static str, String)> {
    let relative = path.strip_prefix(&claims.app_dir).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    let (kind, name) = match parts.as_slice() {
        ["src", "lib.rs"] => ("library", claims.crate_name.as_str()),
        ["src", "main.rs"] => ("binary", claims.crate_name.as_str()),
        ["src", "bin", file] => ("binary", file.strip_suffix(".rs")?),
        ["src", "bin", name, "main.rs"] => ("binary", *name),
        ["tests", file] => ("test", file.strip_suffix(".rs")?),
        ["tests", name, "main.rs"] => ("test", *name),
        _ => return None,
    };
    Some((kind, name.replace('-', "_")))
}

/// A [`TooLong`] for `text`, in which the name appears in its snake_case (or typed) form: the
/// longest name that fits is the limit less the rest of `text`.
fn too_long(
    claims: &Claims,
    text: &str,
    subject: String,
    length: String,
    limit: usize,
    rule: String,
) -> TooLong {
    let name = &claims.name;
    let snake = name.snake();
    let form = [snake.as_str(), name.as_str()]
        .into_iter()
        .find(|form| text.contains(form))
        .unwrap_or(&snake);
    let times = text.matches(form).count().max(1);
    let rest = text.len().saturating_sub(times * form.len());
    TooLong {
        name: name.clone(),
        subject: subject.replace(form, &abbreviate(form)),
        length,
        rule,
        max_name: Some(limit.saturating_sub(rest) / times).filter(|&max| max > 0),
        snake_case: form != name.as_str(),
    }
}
