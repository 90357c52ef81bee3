//! May this user make the changes a resolved plan needs? Checked while resolving, before
//! anything is written, so a real run and `--dry-run` report the same refusal, and a write
//! never fails half-way (or worse, succeeds where it should not: replacing a file through a
//! rename needs only the folder's write permission, so a read-only 0444 file, or one owned by
//! someone else, would be replaced without a word).
//!
//! Rules (POSIX permissions as `faccessat(2)` with `AT_EACCESS` reports them for the effective
//! user, so ACLs and read-only mounts count):
//! - every file to rewrite or remove must be writable;
//! - every folder written into must be writable: a new or rewritten file is staged there and
//!   renamed into place ([`crate::fsx`]), a removed one is first moved aside there, and a new
//!   folder is made in its nearest existing ancestor;
//! - a rewritten file keeps its owner, group and mode ([`crate::fsx`] copies them onto the
//!   staged file); only root may give a file to another user, and only a member may give it to
//!   a group, so otherwise such a file is refused.

use crate::fsx;
use crate::problem::Problem;
use crate::resolve::Step;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every change in `steps` (relative to `base`) this user may not make.
pub(crate) fn problems(base: &Path, steps: &[Step]) -> Vec<Problem> {
    let mut files = Vec::new();
    let mut folders = BTreeSet::new();
    for step in steps {
        match step {
            Step::Dir {
                path,
                exists: false,
            } => folders.insert(existing_ancestor(base, base.join(path))),
            Step::Dir { .. } | Step::Kept { .. } => false,
            Step::File { path, old, new, .. } => {
                if old.as_ref() == Some(new) {
                    continue;
                }
                if old.is_some() {
                    files.push(path);
                }
                // A symbolic link is rewritten where it leads (see `crate::fsx`).
                folders.insert(existing_ancestor(base, fsx::real_path(&base.join(path))))
            }
            Step::Remove { path, .. } => {
                files.push(path);
                folders.insert(existing_ancestor(base, base.join(path)))
            }
        };
    }
    let mut problems: Vec<Problem> = files
        .into_iter()
        .filter_map(|path| sys::file_problem(&base.join(path), path))
        .collect();
    problems.extend(folders.into_iter().filter_map(|folder| {
        let path = folder.strip_prefix(base).unwrap_or(&folder).to_owned();
        sys::writable(&folder)
            .err()
            .map(|source| Problem::FolderNotWritable { path, source })
    }));
    problems
}

/// The folder the file or folder at `full` is made in: its parent, or the parent's nearest
/// existing ancestor when the parent is planned too.
fn existing_ancestor(base: &Path, full: PathBuf) -> PathBuf {
    full.ancestors()
        .skip(1)
        .find(|dir| dir.exists())
        .unwrap_or(base)
        .to_path_buf()
}

#[cfg(unix)]
mod sys {
    use crate::problem::Problem;
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    /// Why this user may not rewrite or remove the file at `full` (`path` in the plan).
    pub fn file_problem(full: &Path, path: &Path) -> Option<Problem> {
        let path = path.to_owned();
        if let Err(source) = writable(full) {
            return Some(Problem::NotWritable { path, source });
        }
        let meta = std::fs::metadata(full).ok()?;
        // SAFETY: these calls take no arguments and cannot fail.
        let (euid, egid) = unsafe { (libc::geteuid(), libc::getegid()) };
        if euid == 0 {
            None
        } else if meta.uid() != euid {
            let uid = meta.uid();
            Some(Problem::OtherOwner { path, uid })
        } else if meta.gid() != egid && !groups().contains(&meta.gid()) {
            let gid = meta.gid();
            Some(Problem::OtherGroup { path, gid })
        } else {
            None
        }
    }

    /// Whether this (effective) user may write the file or folder at `full`.
    pub fn writable(full: &Path) -> std::io::Result<()> {
        let path = CString::new(full.as_os_str().as_bytes())?;
        // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
        let rc =
            unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// The supplementary groups of this process.
    fn groups() -> Vec<libc::gid_t> {
        // SAFETY: a size of 0 only asks for the count; the buffer then has room for it.
        unsafe {
            let n = libc::getgroups(0, std::ptr::null_mut());
            let mut groups = vec![0; usize::try_from(n).unwrap_or(0)];
            let n = libc::getgroups(n, groups.as_mut_ptr());
            groups.truncate(usize::try_from(n).unwrap_or(0));
            groups
        }
    }
}

#[cfg(not(unix))]
mod sys {
    use crate::problem::Problem;
    use std::path::Path;

    /// A read-only file is refused; ownership is a POSIX notion.
    pub fn file_problem(full: &Path, path: &Path) -> Option<Problem> {
        let meta = std::fs::metadata(full).ok()?;
        meta.permissions().readonly().then(|| Problem::NotWritable {
            path: path.to_owned(),
            source: std::io::ErrorKind::PermissionDenied.into(),
        })
    }

    pub fn writable(_full: &Path) -> std::io::Result<()> {
        Ok(())
    }
}
