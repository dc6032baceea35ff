//! The file-system habits every writer shares, written once below `auth`, `store` and `export`:
//! private directories (0700) and files (0600).

use std::fs::{self, OpenOptions};
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
