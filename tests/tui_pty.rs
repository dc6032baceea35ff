//! End to end in a real terminal (tmux): the `krisp-tui` binary against `--demo` — search a
//! meeting by a word of its transcript, open it, export it as Markdown — and, with hostile demo
//! data, no escape sequence from the data reaching the terminal.
//!
//! Ignored until main.rs runs the TUI for `krisp-tui --demo`; run with `cargo test --test
//! tui_pty -- --ignored`. Needs `tmux` (skipped with a note when it is missing).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_krisp-tui");
/// The demo data's search anchor: in exactly one meeting, and only in its transcript.
const ANCHOR: &str = "halcyon";
const WAIT: Duration = Duration::from_secs(20);

/// One tmux server and session of its own, killed on drop.
struct Tty {
    socket: String,
    dir: tempfile::TempDir,
    raw: PathBuf,
}

impl Tty {
    fn start(args: &[&str]) -> Option<Tty> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("tmux is not installed: skipping the terminal test");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = format!("krisp-tui-test-{}", std::process::id());
        let raw = dir.path().join("raw.out");
        let config = dir.path().join("config");
        let mut command = vec![BIN.to_owned()];
        command.extend(args.iter().map(|a| (*a).to_owned()));
        let tty = Tty { socket, dir, raw };
        tty.tmux(&[
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "-c",
            &tty.dir.path().display().to_string(),
            "-e",
            &format!("KRISP_TUI_CONFIG_DIR={}", config.display()),
            "-e",
            "KRISP_TUI_TOKEN_STORE=memory",
            &shell_words(&command),
        ]);
        // Everything the program writes, byte for byte.
        tty.tmux(&[
            "pipe-pane",
            "-o",
            &format!("cat >> '{}'", tty.raw.display()),
        ]);
        Some(tty)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
    }

    /// Polls the screen (an external process: there is nothing to await) until `want` holds.
    fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if want(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
#[ignore = "needs main.rs to run the TUI for --demo"]
fn demo_search_open_and_export_markdown() {
    let Some(tty) = Tty::start(&["--demo"]) else {
        return;
    };
    let started = Instant::now();
    tty.wait_for("the meeting list", |s| {
        s.contains("Date") && s.contains("People")
    });
    eprintln!("meeting list after {:?}", started.elapsed());

    tty.keys(&["/"]);
    tty.type_text(ANCHOR);
    // Only the server knows transcripts: wait for its hit (marked ◆).
    tty.wait_for("the server's search hit", |s| {
        s.contains("◆") && s.contains("1 hits")
    });
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the transcript", |s| {
        s.contains("Notes & transcript") && !s.contains("Loading the transcript")
    });
    assert!(
        screen.contains("Transcript") || screen.contains("Summary"),
        "{screen}"
    );

    tty.keys(&["e"]);
    tty.wait_for("the export dialog", |s| {
        s.contains("Format") && s.contains(".md")
    });
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the export note", |s| s.contains("Exported to"));
    let written: Vec<PathBuf> = std::fs::read_dir(tty.dir())
        .expect("read dir")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert_eq!(written.len(), 1, "{screen}");
    let text = std::fs::read_to_string(&written[0]).expect("read export");
    assert!(text.to_lowercase().contains(ANCHOR), "{text}");
    assert!(text.starts_with("# "), "{text}");

    tty.keys(&["C-c"]);
}

#[test]
#[ignore = "needs main.rs to run the TUI for --demo with hostile data"]
fn hostile_data_never_reaches_the_terminal() {
    let Some(tty) = Tty::start(&["--demo", "--hostile"]) else {
        return;
    };
    tty.wait_for("the meeting list", |s| {
        s.contains("Date") && s.contains("People")
    });
    // Walk every screen that shows server text.
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting", |s| s.contains("Notes & transcript"));
    for _ in 0..5 {
        tty.keys(&["PageDown"]);
    }
    tty.keys(&["Escape", "2"]);
    tty.keys(&["3"]);
    tty.keys(&["4"]);
    tty.keys(&[":"]);
    tty.wait_for("the tools", |s| s.contains("Tools"));
    tty.keys(&["Escape", "C-c"]);
    std::thread::sleep(Duration::from_millis(300));
    let raw = std::fs::read(&tty.raw).expect("raw output");
    // krisp-tui itself emits only CSI sequences (no OSC unless the user copies, which this
    // test never does); anything else came from the data.
    for (what, needle) in [
        ("OSC", &b"\x1b]"[..]),
        ("DCS", b"\x1bP"),
        ("APC", b"\x1b_"),
        ("BEL", b"\x07"),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("C1 OSC", "\u{9d}".as_bytes()),
        ("RLO", "\u{202e}".as_bytes()),
    ] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "{what} reached the terminal"
        );
    }
}
