//! Writing an export to disk: atomically, and never over an existing file unless forced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ExportError;

/// Writes `contents` to `path` through a temporary file in the same directory, so that a reader
/// never sees a partial file and a failure (full disk, permissions) leaves nothing behind.
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
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
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
            // Short and fixed-length, so a long final name cannot make it exceed NAME_MAX.
            let path = dir.join(format!(".krisp-tui-{}-{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
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
