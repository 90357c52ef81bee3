//! All-or-nothing writing. Every new file is first written beside its target under a temporary
//! name, and every file to delete is first moved aside; only when all of that succeeded are the
//! new files renamed into place and the moved-aside ones deleted. If any step fails, the
//! folders made, the temporary files, the renamed files and the moved files are undone, so a
//! failure part-way (a full disk, a read-only folder) leaves the tree as it was.
//!
//! A file that is a symbolic link is rewritten where the link leads ([`real_path`]), so the
//! link stays a link (a config/app.toml shared between checkouts keeps being shared); a file
//! removed is the link itself, as `rm` does. A file with other hard links is rewritten in place
//! (after everything is staged), since a rename would leave the other names on the old text.

use crate::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

/// One change to make on disk, relative to the base folder.
#[derive(Debug)]
pub enum Write {
    Dir(PathBuf),
    File {
        path: PathBuf,
        contents: String,
        old: Option<String>,
    },
    /// A file to delete.
    Remove(PathBuf),
}

/// What has been done so far, so it can be undone.
#[derive(Default)]
struct Transaction {
    made_dirs: Vec<PathBuf>,
    /// Per file written: the temporary file, the target, the target's old text, and whether
    /// the target is rewritten in place (it has other hard links) instead of replaced.
    staged: Vec<(PathBuf, PathBuf, Option<String>, bool)>,
    /// (target, where it was moved aside) per file removed.
    set_aside: Vec<(PathBuf, PathBuf)>,
    renamed: usize,
}

/// Makes every change or none. Ctrl-C (SIGINT), SIGTERM, SIGHUP and SIGQUIT that arrive
/// meanwhile are held until it is done (or rolled back), then take effect; only SIGKILL can
/// stop it half-way.
pub fn commit(base: &Path, writes: &[Write]) -> Result<(), Error> {
    let _held = HeldSignals::hold();
    let mut tx = Transaction::default();
    let result = tx.stage(base, writes).and_then(|()| tx.rename_all());
    match result {
        Ok(()) => {
            for (_, aside) in &tx.set_aside {
                let _ = fs::remove_file(aside);
            }
            Ok(())
        }
        Err(error) => {
            tx.roll_back();
            Err(error)
        }
    }
}

impl Transaction {
    fn stage(&mut self, base: &Path, writes: &[Write]) -> Result<(), Error> {
        for write in writes {
            match write {
                Write::Dir(path) => self.make_dirs(&base.join(path))?,
                Write::File {
                    path,
                    contents,
                    old,
                } => {
                    let target = real_path(&base.join(path));
                    let parent = target.parent().expect("a file path has a parent");
                    self.make_dirs(parent)?;
                    let temp = staging_path(&target);
                    write_new(&temp, contents).map_err(|e| Error::io(&temp, e))?;
                    let meta = fs::metadata(&target).ok();
                    let in_place = meta.as_ref().is_some_and(|m| hard_links(m) > 1);
                    self.staged
                        .push((temp.clone(), target.clone(), old.clone(), in_place));
                    // The rename replaces the inode: keep an existing file's owner and mode.
                    if let Some(meta) = meta.filter(|_| !in_place) {
                        keep_owner(&temp, &meta).map_err(|e| Error::io(&target, e))?;
                        fs::set_permissions(&temp, meta.permissions())
                            .map_err(|e| Error::io(&target, e))?;
                    }
                }
                Write::Remove(path) => {
                    let target = base.join(path);
                    let aside = side_path(&target, "old");
                    fs::rename(&target, &aside).map_err(|e| Error::io(&target, e))?;
                    self.set_aside.push((target, aside));
                }
            }
        }
        Ok(())
    }

    /// Like `create_dir_all`, remembering each folder it makes.
    fn make_dirs(&mut self, dir: &Path) -> Result<(), Error> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.make_dirs(parent)?;
        }
        fs::create_dir(dir).map_err(|e| Error::io(dir, e))?;
        self.made_dirs.push(dir.to_owned());
        Ok(())
    }

    fn rename_all(&mut self) -> Result<(), Error> {
        for (temp, target, _, in_place) in &self.staged {
            if *in_place {
                fs::copy(temp, target).map_err(|e| Error::io(target, e))?;
                let _ = fs::remove_file(temp);
            } else {
                fs::rename(temp, target).map_err(|e| Error::io(target, e))?;
            }
            self.renamed += 1;
        }
        Ok(())
    }

    /// Best effort: put back old contents and moved files, remove new files, temporary files
    /// and new folders.
    fn roll_back(&mut self) {
        for (i, (temp, target, old, _)) in self.staged.iter().enumerate().rev() {
            if i < self.renamed {
                let _ = match old {
                    Some(old) => fs::write(target, old),
                    None => fs::remove_file(target),
                };
            } else {
                let _ = fs::remove_file(temp);
            }
        }
        for (target, aside) in self.set_aside.iter().rev() {
            let _ = fs::rename(aside, target);
        }
        for dir in self.made_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Blocks the signals that would stop the process until dropped, then restores the mask (a
/// signal that came meanwhile is delivered then). tspawn runs on one thread.
struct HeldSignals {
    #[cfg(unix)]
    previous: libc::sigset_t,
}

impl HeldSignals {
    #[cfg(unix)]
    fn hold() -> HeldSignals {
        // SAFETY: sigset_t is plain data set up by sigemptyset/sigaddset before use, and
        // pthread_sigmask only reads `set` and writes `previous`.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::sigaddset(&mut set, signal);
            }
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut previous);
            HeldSignals { previous }
        }
    }

    #[cfg(not(unix))]
    fn hold() -> HeldSignals {
        HeldSignals {}
    }
}

#[cfg(unix)]
impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask `hold` saved.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}

/// The file a write to `path` lands on: the end of its chain of symbolic links, or `path`
/// itself when it is not a link (or a link that leads nowhere).
pub fn real_path(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
        }
        _ => path.to_owned(),
    }
}

/// Writes `contents` to a file made anew at `temp`, never through whatever is there already
/// (a staging file left by a killed run, or a symbolic link planted under that name).
fn write_new(temp: &Path, contents: &str) -> std::io::Result<()> {
    match fs::remove_file(temp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    std::io::Write::write_all(&mut file, contents.as_bytes())
}

/// Gives the staged file the owner and group of the file it replaces, when they differ
/// (`crate::access` has refused the plan when this user may not). Done before the mode is
/// set, since changing the owner clears set-user-ID and set-group-ID bits.
#[cfg(unix)]
fn keep_owner(staged: &Path, old: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = fs::metadata(staged)?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    std::os::unix::fs::chown(staged, Some(old.uid()), Some(old.gid()))
}

/// How many names (hard links) the file has; 1 where that cannot be known.
#[cfg(unix)]
fn hard_links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_meta: &fs::Metadata) -> u64 {
    1
}

#[cfg(not(unix))]
fn keep_owner(_staged: &Path, _old: &fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

/// Where a file is staged before it replaces `target`: `.main.rs.tspawn-new` beside
/// `main.rs`. Its name is 12 bytes longer than the target's, which must still fit the file
/// system's limit (see `generators::guard`).
pub fn staging_path(target: &Path) -> PathBuf {
    side_path(target, "new")
}

/// `.main.rs.tspawn-new` beside `main.rs`: same folder, so the rename is atomic.
fn side_path(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.tspawn-{suffix}"))
}
