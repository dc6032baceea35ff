//! The file-system habits every writer shares, written once below `auth`, `store` and `export`:
//! private directories (0700) and files (0600), lock files (std's `File::lock`), and the atomic
//! write that never replaces a file unless asked (`tempfile`'s `persist_noclobber`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` and its missing parents, each 0700 on unix whatever the umask: what goes in
/// them is the user's (tokens, meetings, logs). A directory that exists is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// `options` creating the file 0600 (on unix; elsewhere as they are).
pub fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// A lock file opened for locking: created 0600, a link at its name not followed (on unix).
fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    private(&mut options).open(path)
}

/// The lock file at `path`, held exclusively (waiting for other holders) until the returned
/// file is dropped or the process dies.
pub fn lock_file(path: &Path) -> io::Result<File> {
    let file = open_lock_file(path)?;
    file.lock()?;
    Ok(file)
}

/// The lock file at `path`, held shared with other shared holders (waiting while an exclusive
/// holder has it) until the returned file is dropped or the process dies.
pub fn lock_file_shared(path: &Path) -> io::Result<File> {
    let file = open_lock_file(path)?;
    file.lock_shared()?;
    Ok(file)
}

/// The lock file at `path`, held exclusively, or `None` at once when another holder has it.
pub fn try_lock_file(path: &Path) -> io::Result<Option<File>> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Writes `contents` to `path` through a temporary file in the same directory, so that a reader
/// never sees a partial file and a failure (full disk, permissions) leaves nothing behind. The
/// file is created 0600 on unix whatever the umask (`tempfile` creates it so).
///
/// With `replace`, the temporary file is renamed over `path` atomically. Without it, a name
/// that is taken is an `AlreadyExists` error, even when another process creates it between our
/// check and our write: `persist_noclobber` publishes with `renameat2(RENAME_NOREPLACE)` or
/// `link`, where the check and the creation are one system call. File systems with neither
/// (FAT, some network mounts) fall back to creating the final name with `O_EXCL`, equally
/// race-free though not atomic for readers.
pub fn write_atomic(path: &Path, contents: &[u8], replace: bool) -> io::Result<()> {
    if !replace && fs::symlink_metadata(path).is_ok() {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    // A failed persist hands the temporary file back; dropping it removes it.
    if replace {
        temp.persist(path).map_err(|e| e.error)?;
    } else {
        match temp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Err(e.error),
            Err(_) => return write_exclusive(path, contents),
        }
    }
    sync_dir(dir);
    Ok(())
}

/// The fallback without `renameat2` or hard links: `O_EXCL` creation; on failure the
/// half-written file we created is removed.
fn write_exclusive(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = private(OpenOptions::new().write(true).create_new(true)).open(path)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .inspect_err(|_| {
            let _ = fs::remove_file(path);
        })
}

/// Best effort: makes the new directory entry durable; some file systems refuse, harmlessly.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

const TEMP_SUFFIX: &str = ".tmp";

/// The start of the name of a temporary file of process `pid` (`tempfile` adds six random
/// letters and digits, then `.tmp`): short and fixed-length, so a long final name cannot make
/// it exceed NAME_MAX.
fn temp_prefix(pid: u32) -> String {
    format!(".krisp-tui-{pid}-")
}

/// The process id in a temporary file's name, when it is one of ours.
fn temp_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(".krisp-tui-")?
        .strip_suffix(TEMP_SUFFIX)?;
    let (pid, tail) = rest.split_once('-')?;
    if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
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
    #[allow(unsafe_code)]
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Elsewhere no process is known to be gone: nothing is removed.
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_file_is_private_and_excludes_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.lock");
        create_private_dir(path.parent().unwrap()).unwrap();
        let shared = lock_file_shared(&path).unwrap();
        let also = lock_file_shared(&path).unwrap();
        assert!(try_lock_file(&path).unwrap().is_none());
        drop((shared, also));
        let held = try_lock_file(&path).unwrap();
        assert!(held.is_some());
        assert!(try_lock_file(&path).unwrap().is_none());
        drop(held);
        drop(lock_file(&path).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn temporary_names_carry_their_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomic(&path, b"one", false).unwrap();
        // The name tempfile made is one `temp_pid` reads: the file is gone, but its shape is
        // the prefix, six letters or digits and the suffix.
        assert_eq!(
            temp_pid(&format!("{}aB3xY9{TEMP_SUFFIX}", temp_prefix(4242))),
            Some(4242)
        );
        for other in [
            ".krisp-tui.json",
            ".krisp-tui-x-1.tmp",
            ".krisp-tui-12.tmp",
            ".krisp-tui-12-.tmp",
            ".krisp-tui-12-a.b.tmp",
            "a.tmp",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
        assert!(is_running(std::process::id()));
    }

    #[test]
    fn an_atomic_write_is_private_and_replaces_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomic(&path, b"one", false).unwrap();
        let err = write_atomic(&path, b"two", false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.md"], "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn the_exclusive_fallback_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_exclusive(&path, b"one").unwrap();
        let err = write_exclusive(&path, b"two").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"one");
    }
}
