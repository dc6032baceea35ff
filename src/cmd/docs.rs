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
        out.write_all(extra_sections().as_bytes())?;
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
    // The main page gets the sections clap has no words for.
    let main = dir.join("krisp-tui.1");
    let mut page = std::fs::OpenOptions::new()
        .append(true)
        .open(&main)
        .map_err(failed)?;
    page.write_all(extra_sections().as_bytes())
        .map_err(failed)?;
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

/// `text` safe as roff: backslashes, hyphens and non-ASCII escaped, no line taken for a
/// request.
fn roff(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\e"),
            '-' => escaped.push_str("\\-"),
            // groff reads ASCII: anything else by its code point (↑ is \[u2191]).
            c if !c.is_ascii() => escaped.push_str(&format!("\\[u{:04X}]", u32::from(c))),
            c => escaped.push(c),
        }
    }
    escaped
        .lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section of `.TP` entries: a bold term, then its text.
fn entries(out: &mut String, title: &str, items: &[(String, String)]) {
    out.push_str(&format!(".SH \"{title}\"\n"));
    for (term, text) in items {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(term), roff(text)));
    }
}

fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// EXIT STATUS, ENVIRONMENT, FILES, KEYS (from the compiled-in keymap) and EXAMPLES.
fn extra_sections() -> String {
    use crate::app::keymap::{Keymap, Mode};
    let mut out = String::new();
    entries(
        &mut out,
        "EXIT STATUS",
        &owned(&[
            ("0", "Success; for status, logged in (or --demo)."),
            (
                "1",
                "A failure: a tool error, a protocol error, refusing to overwrite a file; for status, not logged in.",
            ),
            (
                "2",
                "A usage mistake: an unknown option, a bad date, arguments a tool's schema refuses.",
            ),
            (
                "3",
                "Login required or failed (--no-login, an expired or refused login).",
            ),
            (
                "4",
                "The server cannot be reached, timed out or keeps failing.",
            ),
            (
                "128+N",
                "The TUI was stopped by signal N (SIGINT, SIGHUP, SIGTERM, SIGQUIT).",
            ),
        ]),
    );
    entries(
        &mut out,
        "ENVIRONMENT",
        &owned(&[
            ("KRISP_TUI_SERVER", "The MCP server (as --server)."),
            (
                "KRISP_TUI_TOKEN_STORE",
                "auto, keyring, file or memory (as --token-store).",
            ),
            ("KRISP_TUI_CONFIG_DIR", "The config dir (as --config-dir)."),
            (
                "KRISP_TUI_DATA_DIR",
                "Where the local store lives (as --data-dir).",
            ),
            (
                "KRISP_TUI_CLIENT_SECRET",
                "The secret of a pre-registered client (as --client-secret).",
            ),
            (
                "NO_COLOR",
                "Set and not empty: no colours; glyphs and letters carry what colour did.",
            ),
            (
                "TZ",
                "The zone times are shown in, unless config.toml names a timezone.",
            ),
            ("BROWSER", "The program that opens the login page."),
        ]),
    );
    entries(
        &mut out,
        "FILES",
        &owned(&[
            (
                "CONFIG/config.toml",
                "Settings: server, sync, timezone, timeout, [theme], [keys.*]. CONFIG is --config-dir, else the platform config dir + krisp-tui (~/.config/krisp-tui on Linux).",
            ),
            (
                "CONFIG/credentials.json",
                "Tokens and the client registration with --token-store file (mode 0600).",
            ),
            (
                "CONFIG/krisp-tui.log",
                "The TUI's log (and a command's with -v).",
            ),
            (
                "DATA/*.sqlite3",
                "The local store, one per server. DATA is --data-dir, else the platform data dir + krisp-tui (~/.local/share/krisp-tui on Linux).",
            ),
        ]),
    );
    let keymap = Keymap::default();
    let mut keys = Vec::new();
    for (mode, place) in [
        (Mode::Global, "everywhere"),
        (Mode::Home, "meetings and tabs"),
        (Mode::Meeting, "a meeting"),
        (Mode::Export, "export dialog"),
        (Mode::Copy, "copy menu"),
        (Mode::Login, "login screen"),
        (Mode::Input, "while typing"),
        (Mode::Help, "help and messages"),
        (Mode::Tools, "tools panel: the tool list"),
        (Mode::ToolsForm, "tools panel: a form"),
        (Mode::ToolsResult, "tools panel: a result"),
    ] {
        for (action, bound) in keymap.bindings(mode) {
            let bound: Vec<String> = bound.iter().map(ToString::to_string).collect();
            keys.push((
                format!("{} ({place})", bound.join(" ")),
                action.describe().to_owned(),
            ));
        }
    }
    entries(&mut out, "KEYS", &keys);
    out.push_str(".PP\nAny key can be bound again in config.toml under [keys.SECTION].\n");
    entries(
        &mut out,
        "EXAMPLES",
        &owned(&[
            (
                "krisp-tui --demo",
                "The TUI against the embedded sandbox: no account, nothing kept.",
            ),
            (
                "krisp-tui login && krisp-tui sync",
                "Log in, then fill the local store.",
            ),
            ("krisp-tui search halcyon", "Full-text search of the store."),
            (
                "krisp-tui --offline export ID --format md -o -",
                "A meeting as Markdown, from the store only.",
            ),
            (
                "krisp-tui export --all --dir ~/notes/krisp",
                "Every meeting into a Markdown vault, again each morning.",
            ),
            (
                "krisp-tui status || krisp-tui login",
                "Log in when not logged in.",
            ),
        ]),
    );
    out
}
