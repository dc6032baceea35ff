//! The file-system habits every writer shares, written once below `auth`, `store` and `export`:
//! private directories (0700) and files (0600), and lock files (std's `File::lock`).

use std::fs::{self, File, OpenOptions};
use std::io;
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
}
