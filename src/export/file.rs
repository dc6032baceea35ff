//! Writing an export to disk: atomically, private to the user (0600), and never over an
//! existing file unless forced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ExportError;
use crate::fsx::private;

/// Writes `contents` to `path` through a temporary file in the same directory, so that a reader
/// never sees a partial file and a failure (full disk, permissions) leaves nothing behind. The
/// file is created 0600 on unix whatever the umask: it holds what was said in a meeting, as
/// the store does.
///
/// Without `force`, the temporary file is published with `hard_link`, which fails if the name
/// exists, even when another process creates it between our check and our write: the check
/// and the creation are one system call. (`rename` would silently replace the file, and
/// `renameat2(RENAME_NOREPLACE)` is Linux-only and needs `libc`.) File systems without hard
/// links (FAT, some network mounts) fall back to creating the final name with `O_EXCL`, equally
/// race-free though not atomic for readers. With `force`, `rename` replaces the file atomically.
/// `-` (stdout) is the caller's business.
pub fn write_file(path: &Path, contents: &str, force: bool) -> Result<(), ExportError> {
    let io_error = |source| ExportError::Io {
        path: path.to_owned(),
        source,
    };
    let exists = || ExportError::Exists {
        path: path.to_owned(),
    };
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = TempFile::create(dir).map_err(io_error)?;
    temp.write(contents).map_err(io_error)?;
    if force {
        fs::rename(&temp.path, path).map_err(io_error)?;
        temp.published = true;
    } else {
        match fs::hard_link(&temp.path, path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(exists()),
            Err(_) => return write_exclusive(path, contents),
        }
    }
    sync_dir(dir);
    Ok(())
}

/// The fallback without hard links: `O_EXCL` creation; on failure the half-written file we
/// created is removed.
fn write_exclusive(path: &Path, contents: &str) -> Result<(), ExportError> {
    let mut file = match private(OpenOptions::new().write(true).create_new(true)).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ExportError::Exists {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(ExportError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| {
            let _ = fs::remove_file(path);
            ExportError::Io {
                path: path.to_owned(),
                source,
            }
        })
}

/// Best effort: makes the new directory entry durable; some file systems refuse, harmlessly.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The name of a temporary file of process `pid`: short and fixed-length, so a long final name
/// cannot make it exceed NAME_MAX.
fn temp_name(pid: u32, n: u64) -> String {
    format!(".krisp-tui-{pid}-{n}.tmp")
}

/// The process id in a temporary file's name, when it is one of ours.
fn temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(".krisp-tui-")?.strip_suffix(".tmp")?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Removes the temporary files in `dir` left by krisp-tui processes that died mid-write (killed,
/// or the machine went down): each holds a meeting's text. A file of a process still running
/// (its write is under way) is left alone, and so is anything not a regular file. Returns how
/// many were removed.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_pid) else {
            continue;
        };
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if regular && pid != std::process::id() && !is_running(pid) {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "could not remove a stale temporary file")
                }
            }
        }
    }
    removed
}

/// Whether a process `pid` exists (one of another user counts: it cannot be told apart).
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // Signal 0 checks that the process exists without sending anything.
    // SAFETY: kill(2) with signal 0 has no effect beyond its return value.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Elsewhere no process is known to be gone: nothing is removed.
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

/// A temporary file that removes itself unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    file: File,
    published: bool,
}

impl TempFile {
    fn create(dir: &Path) -> io::Result<TempFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(temp_name(std::process::id(), n));
            match private(OpenOptions::new().write(true).create_new(true)).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file,
                        published: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn write(&mut self, contents: &str) -> io::Result<()> {
        self.file.write_all(contents.as_bytes())?;
        self.file.sync_all()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_their_process() {
        assert_eq!(temp_pid(&temp_name(4242, 7)), Some(4242));
        for other in [
            ".krisp-tui.json",
            ".krisp-tui-x-1.tmp",
            ".krisp-tui-12.tmp",
            "a.tmp",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
        assert!(is_running(std::process::id()));
    }
}
