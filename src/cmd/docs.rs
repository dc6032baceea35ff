//! `completions` and `man`: the command line describing itself for shells and `man`.

use std::io::Write;
use std::path::Path;

use super::Failure;
use crate::cli::Cli;

/// The completion script for `shell` on `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl Write) -> Result<(), Failure> {
    let mut cmd = Cli::clap_command();
    clap_complete::generate(shell, &mut cmd, "krisp-tui", out);
    Ok(())
}

/// The manual page on `out`, or, with `dir`, one page per subcommand written there (their paths
/// on `out`).
pub fn man(dir: Option<&Path>, out: &mut impl Write) -> Result<(), Failure> {
    let cmd = Cli::clap_command();
    let Some(dir) = dir else {
        clap_mangen::Man::new(cmd).render(out)?;
        return Ok(());
    };
    let failed = |e: std::io::Error| {
        Failure::new(
            1,
            format!("could not write the manual pages to {}: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    clap_mangen::generate_to(cmd, dir).map_err(failed)?;
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .map_err(failed)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("krisp-tui") && n.ends_with(".1"))
        })
        .collect();
    pages.sort();
    for page in pages {
        writeln!(out, "{}", page.display())?;
    }
    Ok(())
}
