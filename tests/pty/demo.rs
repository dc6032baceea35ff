//! End to end in a real terminal (tmux): the `krisp-tui` binary against `--demo` — search a
//! meeting by a word of its transcript, open it, export it as Markdown — and, with hostile demo
//! data, no escape sequence from the data reaching the terminal.
//!
//! Needs `tmux` and, for the hostile test, `curl` as the browser (`.ci/run` installs both and
//! sets `KRISP_TUI_CI`, which turns a missing tmux into a failure instead of a skip).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_krisp-tui");
/// The demo data's search anchor: in exactly one meeting, and only in its transcript.
const ANCHOR: &str = "halcyon";
const WAIT: Duration = Duration::from_secs(60);

/// One tmux server and session of its own, killed on drop.
struct Tty {
    socket: String,
    dir: tempfile::TempDir,
    raw: PathBuf,
}

impl Tty {
    fn start(args: &[&str]) -> Option<Tty> {
        Self::start_with(args, &[], |_| {})
    }

    /// `prepare` runs in the temp dir before the program starts; `env` is added to its own.
    fn start_with(
        args: &[&str],
        env: &[(&str, String)],
        prepare: impl FnOnce(&Path),
    ) -> Option<Tty> {
        let mut command = vec![BIN.to_owned()];
        command.extend(args.iter().map(|a| (*a).to_owned()));
        Self::start_command(command, env, prepare)
    }

    /// A shell running `script` (where `$KRISP_TUI` is the binary), then waiting on the
    /// terminal so that the pane stays for the test to read.
    fn start_script(script: &str) -> Option<Tty> {
        Self::start_script_with(script, &[], |_| {})
    }

    fn start_script_with(
        script: &str,
        env: &[(&str, String)],
        prepare: impl FnOnce(&Path),
    ) -> Option<Tty> {
        let script = format!("{script}\nread _\n");
        let mut env = env.to_vec();
        env.push(("KRISP_TUI", BIN.to_owned()));
        Self::start_command(
            vec!["sh".to_owned(), "-c".to_owned(), script],
            &env,
            prepare,
        )
    }

    fn start_command(
        command: Vec<String>,
        env: &[(&str, String)],
        prepare: impl FnOnce(&Path),
    ) -> Option<Tty> {
        // .ci/run installs tmux and sets KRISP_TUI_CI: there a missing tmux fails the test. On a
        // developer's machine without tmux the test says it did not run.
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("KRISP_TUI_CI").is_none(),
                "tmux is required for the terminal tests (apt-get install tmux)"
            );
            eprintln!("SKIPPED: tmux is not installed, so the terminal test did not run");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("krisp-tui-test-{}-{n}", std::process::id());
        let raw = dir.path().join("raw.out");
        let config = dir.path().join("config");
        prepare(dir.path());
        let tty = Tty { socket, dir, raw };
        tty.tmux(
            &[
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
                "-e",
                &format!(
                    "KRISP_TUI_DATA_DIR={}",
                    tty.dir.path().join("data").display()
                ),
            ]
            .into_iter()
            .map(str::to_owned)
            .chain(
                env.iter()
                    .flat_map(|(k, v)| ["-e".to_owned(), format!("{k}={v}")]),
            )
            .chain([shell_words(&command)])
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        );
        // Everything the program writes, byte for byte.
        tty.tmux(&[
            "pipe-pane",
            "-o",
            &format!("cat >> '{}'", tty.raw.display()),
        ]);
        Some(tty)
    }

    fn tmux(&self, args: &[&str]) -> String {
        tmux(&self.socket, args)
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

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .expect("run tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `krisp-tui sandbox`, killed on drop.
struct Sandbox {
    child: std::process::Child,
    url: String,
}

impl Sandbox {
    fn start(extra: &[&str]) -> Sandbox {
        Self::start_at("127.0.0.1:0", extra)
    }

    /// Stop it and start a new one on the same address, with none of the old one's state
    /// (client registrations, tokens).
    fn restart(&mut self) {
        let addr = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .to_owned();
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = Self::start_at(&addr, &[]);
    }

    fn start_at(addr: &str, extra: &[&str]) -> Sandbox {
        use std::io::BufRead;
        let mut child = Command::new(BIN)
            .args(["sandbox", "--auto-approve", "--addr", addr])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the sandbox");
        let mut url = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut url)
            .expect("the sandbox prints its URL");
        Sandbox {
            child,
            url: url.trim().to_owned(),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The "browser" for a login against the sandbox: `./browser.sh` follows the authorization
/// URL with curl; the sandbox approves at once and redirects to the TUI's loopback listener.
fn curl_browser(dir: &Path) {
    let script = dir.join("browser.sh");
    std::fs::write(&script, "#!/bin/sh\ncurl -s -L -o /dev/null \"$1\" &\n").expect("script");
    let mut perms = std::fs::metadata(&script).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).expect("chmod");
}

/// A synced demo store in `dir`, as `Tty::start_with` prepares it.
fn synced_demo(dir: &Path) {
    let out = Command::new(BIN)
        .args(["--demo", "--token-store", "memory", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--config-dir")
        .arg(dir.join("config"))
        .arg("sync")
        .output()
        .expect("run krisp-tui --demo sync");
    assert!(out.status.success(), "{out:?}");
}

fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
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
    // The word is only in a transcript: the local store's full-text index finds it (once the
    // demo's first sync has stored it) and says where.
    tty.wait_for("the transcript hit", |s| {
        s.contains("1 meeting")
            && s.contains("05:24 · ")
            && s.contains("Acme Corp")
            && s.contains("Halcyon")
    });
    tty.keys(&["Enter"]);
    // Opened at the matched turn, with the word in find-in-transcript.
    tty.wait_for("the opened meeting at the hit", |s| {
        s.contains("Notes & transcript")
            && !s.contains("Loading the transcript")
            && s.contains("Halcyon")
            && s.contains("/4")
    });

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
fn hostile_data_never_reaches_the_terminal() {
    let sandbox = Sandbox::start(&["--hostile"]);
    let Some(tty) = Tty::start_with(
        &["--server", &sandbox.url],
        &[("BROWSER", "./browser.sh".to_owned())],
        curl_browser,
    ) else {
        return;
    };
    tty.wait_for("the login screen", |s| s.contains("log in"));
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the meeting list", |s| {
        s.contains("Date") && s.contains("People")
    });
    // The list reads names from the store's rows, which hold them as people read them.
    assert!(screen.contains("URGENT budget review"), "{screen}");
    // Walk every screen that shows server text.
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the meeting", |s| s.contains("Notes & transcript"));
    assert!(
        screen.contains('␛'),
        "the hostile meeting shows its escapes visibly:\n{screen}"
    );
    for _ in 0..5 {
        tty.keys(&["PageDown"]);
    }
    tty.keys(&["G", "Escape"]);
    // A lone ESC followed at once by a key reads as Alt-key: let the home screen show first.
    tty.wait_for("the home screen", |s| s.contains("1 Meetings"));
    tty.keys(&["2"]);
    tty.wait_for("action items", |s| s.contains("What"));
    tty.keys(&["3"]);
    tty.keys(&["4"]);
    tty.keys(&[":"]);
    tty.wait_for("the tools", |s| s.contains("Tools ("));
    tty.keys(&["C-c"]);
    tty.wait_for("the program to end", |s| !s.contains("Tools ("));
    let raw = std::fs::read(&tty.raw).expect("raw output");
    assert!(raw.len() > 1000, "nothing was captured");
    // krisp-tui itself writes only CSI sequences and UTF-8 text (no OSC: this test never
    // copies); any of these came from the data.
    for (what, needle) in [
        ("OSC", &b"\x1b]"[..]),
        ("DCS", b"\x1bP"),
        ("APC", b"\x1b_"),
        ("BEL", b"\x07"),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("C1 OSC", "\u{9d}".as_bytes()),
        ("RLO", "\u{202e}".as_bytes()),
        ("ZWJ", "\u{200d}".as_bytes()),
    ] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "{what} reached the terminal"
        );
    }
}

#[test]
fn mark_every_meeting_and_export_them_to_a_directory() {
    // A synced demo store first, so every transcript is there to export.
    let Some(tty) = Tty::start_with(&["--demo"], &[("TZ", "UTC".to_owned())], synced_demo) else {
        return;
    };
    tty.wait_for("the stored meeting list", |s| {
        s.contains("Meetings · 34 ") && s.contains("People")
    });
    // At a person's pace: each key once the screen shows the last one's effect.
    tty.keys(&["Space"]);
    tty.wait_for("one mark", |s| s.contains("✓ 1 marked"));
    tty.keys(&["*"]);
    tty.wait_for("every meeting marked", |s| s.contains("✓ 34 marked"));
    tty.keys(&["e"]);
    tty.wait_for("the dialog for many", |s| {
        s.contains("Export 34 marked meetings") && s.contains("Directory")
    });
    tty.keys(&["Tab"]);
    tty.keys(&["C-u"]);
    tty.wait_for("an empty directory field", |s| !s.contains("krisp-notes"));
    tty.type_text("vault");
    tty.wait_for("the directory typed", |s| s.contains("│vault"));
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the summary", |s| s.contains("Exported to"));
    assert!(!screen.contains("marked"), "the marks went:\n{screen}");

    let vault = tty.dir().join("vault");
    let files: Vec<PathBuf> = std::fs::read_dir(&vault)
        .expect("the vault")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    // The demo's processing meeting waits until its transcript is ready.
    assert_eq!(files.len(), 33, "{screen}");
    assert!(vault.join(".krisp-tui.json").exists());
    let anchored = files
        .iter()
        .filter(|p| {
            std::fs::read_to_string(p)
                .expect("read a note")
                .to_lowercase()
                .contains(ANCHOR)
        })
        .count();
    assert_eq!(anchored, 1, "the transcript words are in the files");
    tty.keys(&["C-c"]);
}

/// The README's daily command on a real terminal: the sync's progress bar and the vault's are
/// drawn, and it ends (it once deadlocked: stderr was held locked while the bar's ticker
/// thread drew to it).
#[test]
fn export_all_on_a_terminal_syncs_writes_the_vault_and_ends() {
    let Some(tty) = Tty::start_script(
        "\"$KRISP_TUI\" --demo export --all --dir vault; echo \"exit status $?\"",
    ) else {
        return;
    };
    let screen = tty.wait_for("the command to end", |s| s.contains("exit status"));
    assert!(screen.contains("exit status 0"), "{screen}");
    assert!(screen.contains("Exported 34 meetings to vault"), "{screen}");
    assert!(screen.contains("Synced in"), "{screen}");
    // The bar was drawn (stderr was a terminal) and cleared: no frame is left on the screen.
    let raw = std::fs::read_to_string(&tty.raw).unwrap_or_default();
    let spinner = |c: char| ('\u{2800}'..='\u{28ff}').contains(&c);
    assert!(raw.chars().any(spinner), "no progress bar was drawn");
    assert!(!screen.chars().any(spinner), "{screen}");
    let notes = std::fs::read_dir(tty.dir().join("vault"))
        .expect("the vault")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .count();
    assert_eq!(notes, 33, "{screen}");
}

/// Ctrl-C during `sync` on a terminal: the conventional exit status 130, and the progress bar
/// cleared (a frame was left on the screen, and the status was 1).
#[test]
fn ctrl_c_stops_a_sync_with_status_130_and_clears_the_bar() {
    // Every transcript request is held for a minute: the sync waits at its transcripts bar.
    let sandbox = Sandbox::start(&["--stall-tool", "get_multiple_documents=1000"]);
    let krisp = format!(
        "\"$KRISP_TUI\" --server '{}' --token-store file --redirect-port 0",
        sandbox.url
    );
    // The shell survives the Ctrl-C (its trap) to say how the program ended.
    let script =
        format!("trap : INT\n{krisp} login >login.out 2>&1\n{krisp} sync; echo \"exit status $?\"");
    let Some(tty) = Tty::start_script_with(
        &script,
        &[("BROWSER", "./browser.sh".to_owned())],
        curl_browser,
    ) else {
        return;
    };
    tty.wait_for("the transcripts bar", |s| s.contains("transcripts 0/"));
    tty.keys(&["C-c"]);
    let screen = tty.wait_for("the sync to end", |s| s.contains("exit status"));
    assert!(screen.contains("exit status 130"), "{screen}");
    assert!(
        !screen.contains("transcripts 0/"),
        "a frame of the bar is left:\n{screen}"
    );
    let spinner = |c: char| ('\u{2800}'..='\u{28ff}').contains(&c);
    assert!(!screen.chars().any(spinner), "{screen}");
}

/// `cache clear` while the TUI has the store open would delete the file under it (its next
/// sync went into the deleted file): refused with a sentence until the TUI has quit.
#[test]
fn cache_clear_waits_for_the_tui_to_let_go_of_the_store() {
    // No sync of its own: the TUI only holds the store open (a sync would hold the sync lock,
    // which cache clear already respected).
    let prepare = |dir: &Path| {
        synced_demo(dir);
        std::fs::create_dir_all(dir.join("config")).expect("config dir");
        std::fs::write(dir.join("config/config.toml"), "sync = \"manual\"\n").expect("config");
    };
    let Some(tty) = Tty::start_with(&["--demo"], &[], prepare) else {
        return;
    };
    tty.wait_for("the stored meeting list", |s| {
        s.contains("Meetings · 34 ") && s.contains("People")
    });
    let clear = || {
        Command::new(BIN)
            .args(["--demo", "--token-store", "memory", "--data-dir"])
            .arg(tty.dir().join("data"))
            .arg("--config-dir")
            .arg(tty.dir().join("config"))
            .args(["cache", "clear"])
            .output()
            .expect("run cache clear")
    };
    let store = tty.dir().join("data/demo.sqlite3");
    let refused = clear();
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        "krisp-tui: cannot delete the local store now: another krisp-tui has it open; quit it first\n"
    );
    assert!(store.exists());
    tty.keys(&["C-c"]);
    let deadline = Instant::now() + WAIT;
    loop {
        let out = clear();
        if out.status.success() {
            assert!(!store.exists());
            break;
        }
        assert!(Instant::now() < deadline, "{out:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_server_that_forgot_the_registration_shows_the_login_screen_and_logs_in_anew() {
    let mut sandbox = Sandbox::start(&[]);
    let server = sandbox.url.clone();
    // The stand-in browser: follow the authorization URL into the loopback listener.
    let browser_dir = tempfile::tempdir().expect("tempdir");
    let browser = browser_dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\nexec curl -fsSL --max-redirs 5 -o /dev/null \"$1\"\n",
    )
    .expect("write the browser");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the browser");
    }
    let args = [
        "--server",
        server.as_str(),
        "--token-store",
        "file",
        "--redirect-port",
        "0",
    ];
    let credentials = std::cell::RefCell::new(PathBuf::new());
    // Logged in, then the server restarts without its registrations and tokens.
    let logged_in_then_forgotten = |dir: &Path| {
        let out = Command::new(BIN)
            .args(args)
            .arg("--config-dir")
            .arg(dir.join("config"))
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("login")
            .env("BROWSER", &browser)
            .output()
            .expect("run krisp-tui login");
        assert!(out.status.success(), "{out:?}");
        *credentials.borrow_mut() = dir.join("config").join("credentials.json");
        sandbox.restart();
    };
    let Some(tty) = Tty::start_with(
        &args,
        &[("BROWSER", browser.display().to_string())],
        logged_in_then_forgotten,
    ) else {
        return;
    };
    let client_id = || -> serde_json::Value {
        let text = std::fs::read_to_string(&*credentials.borrow()).expect("credentials");
        let all: serde_json::Value = serde_json::from_str(&text).expect("credentials JSON");
        all[&server]["client"]["client_id"].clone()
    };
    let old = client_id();
    assert!(old.is_string(), "{old}");
    // Not "cannot reach … check your network", and no retrying: the login screen says why.
    let screen = tty.wait_for("the login screen with its note", |s| {
        s.contains("log in to Krisp") && s.contains("Log in to register again.")
    });
    assert!(
        screen.contains("no longer knows this krisp-tui"),
        "{screen}"
    );
    assert!(!screen.contains("cannot reach"), "{screen}");
    assert!(client_id().is_null(), "the registration was forgotten");
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting list after a new login", |s| {
        s.contains("People") && s.contains("Meetings")
    });
    let new = client_id();
    assert!(new.is_string() && new != old, "registered again: {new}");
    tty.keys(&["C-c"]);
}

#[test]
fn every_config_problem_is_shown_on_a_line_of_its_own() {
    let broken = |dir: &Path| {
        let config = dir.join("config");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::write(
            config.join("config.toml"),
            "sync = \"sometimes\"\n[keys.home]\n\"x\" = \"Explode\"\n",
        )
        .expect("write config.toml");
    };
    let Some(tty) = Tty::start_with(&["--demo"], &[], broken) else {
        return;
    };
    // Both problems, each on its own line of the toast (shown from the first frame).
    let screen = tty.wait_for("the problems", |s| {
        s.contains("keys.home.x: unknown variant `Explode`")
    });
    assert!(
        screen.contains("config.toml line 1: sync: unknown variant `sometimes`"),
        "{screen}"
    );
    assert!(!screen.contains('␤'), "{screen}");
    tty.keys(&["C-c"]);
}

/// A local store that cannot be opened: the TUI reads the server live and says why, in the
/// message that stays on screen (it was only in the log).
#[test]
fn a_broken_store_is_said_on_screen_and_the_tui_reads_live() {
    let broken = |dir: &Path| {
        std::fs::create_dir_all(dir.join("data")).expect("data dir");
        std::fs::write(dir.join("data/demo.sqlite3"), "x".repeat(4096)).expect("store");
    };
    let Some(tty) = Tty::start_with(&["--demo"], &[], broken) else {
        return;
    };
    // The meetings come from the server meanwhile; the sentence stays in the messages (`!`)
    // once its toast has gone.
    tty.wait_for("the live list", |s| {
        s.contains("Meetings · 34") && s.contains("People")
    });
    tty.keys(&["!"]);
    // (Cut at the overlay's width.)
    tty.wait_for("the store's sentence", |s| {
        s.contains("✗ The local store") && s.contains("demo.sqlite3 could not be")
    });
    tty.keys(&["C-c"]);
}

/// While another krisp-tui syncs the store (this test holds its sync lock), the TUI says so
/// and follows the list instead of showing a red error; once that sync ends, its own note goes.
#[test]
fn another_processs_sync_is_followed_not_an_error() {
    let mut held = None;
    let Some(tty) = Tty::start_with(&["--demo"], &[], |dir| {
        synced_demo(dir);
        held = Some(
            krisp_tui::library::sync::SyncLock::try_acquire(&dir.join("data/demo.sqlite3"))
                .expect("the sync lock"),
        );
    }) else {
        return;
    };
    // On the status bar while it lasts; the whole sentence also in the messages (`!`).
    let screen = tty.wait_for("the note", |s| {
        s.contains("Meetings · 34") && s.contains("another krisp-tui is syncing")
    });
    assert!(!screen.contains("error"), "{screen}");
    tty.keys(&["!"]);
    tty.wait_for("the sentence", |s| {
        s.contains("another krisp-tui is syncing; the list follows its progress")
    });
    tty.keys(&["Escape"]);
    drop(held);
    tty.wait_for("the other sync's end", |s| {
        !s.contains("another krisp-tui is syncing")
    });
    tty.keys(&["C-c"]);
}

/// A sandbox started with `faults`, and the TUI (with `args`) logged in to it, on its meeting
/// list. The store syncs only on `S`, so nothing but the test's own keys asks for transcripts.
fn logged_in_to(faults: &[&str], args: &[&str]) -> Option<(Sandbox, Tty)> {
    let sandbox = Sandbox::start(faults);
    let mut all = vec!["--server", sandbox.url.as_str()];
    all.extend_from_slice(args);
    let tty = Tty::start_with(&all, &[("BROWSER", "./browser.sh".to_owned())], |dir| {
        curl_browser(dir);
        std::fs::create_dir_all(dir.join("config")).expect("config dir");
        std::fs::write(dir.join("config/config.toml"), "sync = \"manual\"\n").expect("config");
    })?;
    tty.wait_for("the login screen", |s| s.contains("log in"));
    tty.keys(&["Enter"]);
    tty.wait_for("the home screen", |s| s.contains("1 Meetings"));
    Some((sandbox, tty))
}

/// Opens the second meeting (the newest is still processing; this one has a transcript) and
/// goes to the end of the view, where the transcript, or its error, goes.
fn open_a_recorded_meeting_at_its_end(tty: &Tty) {
    tty.keys(&["Down"]);
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting", |s| s.contains("Notes & transcript"));
    tty.keys(&["G"]);
}

fn wait_for_list(tty: &Tty) {
    tty.wait_for("the meeting list", |s| {
        s.contains("Pricing page copy review") && s.contains("People")
    });
}

/// Waits until the opened meeting's transcript arrives: at the end of the view (`G`, pressed
/// again every few tenths of a second, since the transcript grows the view when it comes), a
/// turn's heading (`Name  12:34`) and no error.
fn wait_for_transcript(tty: &Tty) -> String {
    let turn = |line: &str| {
        let line = line.trim_matches(|c: char| "│║█▌".contains(c) || c.is_whitespace());
        line.rsplit_once("  ").is_some_and(|(name, time)| {
            !name.trim().is_empty()
                && time.contains(':')
                && time.chars().all(|c| c.is_ascii_digit() || c == ':')
        })
    };
    let deadline = Instant::now() + WAIT;
    loop {
        tty.keys(&["G"]);
        std::thread::sleep(Duration::from_millis(300));
        let screen = tty.screen();
        if screen.lines().any(turn) && !screen.contains("try again") {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for the transcript; the screen shows:\n{screen}"
        );
    }
}

#[test]
fn a_transcript_that_fails_with_a_5xx_is_retried_on_its_own() {
    // Six 503s: the four tries of the first request (the HTTP layer retries a 5xx three
    // times) and two of the first automatic retry's, whose third try gets the transcript.
    let Some((_sandbox, tty)) = logged_in_to(&["--fail-tool", "get_multiple_documents=6"], &[])
    else {
        return;
    };
    wait_for_list(&tty);
    open_a_recorded_meeting_at_its_end(&tty);
    tty.wait_for("the retry note", |s| {
        s.contains("answered HTTP 503") && s.contains("Trying again on its own")
    });
    // No key pressed: the retry brings it.
    wait_for_transcript(&tty);
    tty.keys(&["C-c"]);
}

#[test]
fn timed_out_requests_say_which_key_retries_and_that_key_asks_again() {
    let Some((_sandbox, tty)) = logged_in_to(
        &[
            "--stall-tool",
            "search_meetings=1",
            "--stall-tool",
            "get_multiple_documents=1",
        ],
        &["--timeout", "1"],
    ) else {
        return;
    };
    // The first page of meetings.
    tty.wait_for("the timeout and the key", |s| {
        s.contains("did not answer within 1 seconds") && s.contains("Press r to try again.")
    });
    tty.keys(&["r"]);
    wait_for_list(&tty);
    // A transcript.
    open_a_recorded_meeting_at_its_end(&tty);
    tty.wait_for("the timeout and the key", |s| {
        s.contains("did not answer within 1 seconds") && s.contains("Press r to try again.")
    });
    tty.keys(&["r"]);
    wait_for_transcript(&tty);
    tty.keys(&["C-c"]);
}

#[test]
fn wide_terminal_previews_stored_notes_and_the_meeting_shows_who_spoke_when() {
    let Some(tty) = Tty::start_with(&["--demo"], &[("TZ", "UTC".to_owned())], synced_demo) else {
        return;
    };
    tty.wait_for("the stored meeting list", |s| {
        s.contains("Meetings · 34 ") && s.contains("Length")
    });
    // 160 columns or more: the preview, its notes read from the store (the list holds none).
    tty.tmux(&["resize-window", "-x", "170", "-y", "30"]);
    // The newest meeting is the demo's one still processing: the list and the preview say so.
    tty.wait_for("the preview of the processing meeting", |s| {
        s.contains(" Preview ") && s.contains("Krisp is still processing this meeting")
    });
    tty.keys(&["j"]);
    let screen = tty.wait_for("the next meeting's notes", |s| {
        s.contains("Acme renewal: commercial terms  ") && s.contains("Key points")
    });
    assert!(!screen.contains("Reading the notes"), "{screen}");
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the talk-time bars and the timeline", |s| {
        s.contains("Speakers   ") && s.contains("Timeline   ") && s.contains('%')
    });
    assert!(!screen.contains("Speakers:"), "{screen}");
    tty.keys(&["C-c"]);
}

/// A tool's result in the real binary: `list_action_items` as a table, `Enter` opens the meeting
/// of the selected row (at its action items, `Tools ›` in the breadcrumb), `Esc` there comes back
/// to the result; the panel opened over a meeting closes back onto that meeting; `?` is help.
#[test]
fn a_tool_result_opens_its_meeting_and_esc_comes_back() {
    let Some(tty) = Tty::start(&["--demo"]) else {
        return;
    };
    tty.wait_for("the meeting list", |s| {
        s.contains("Date") && s.contains("People")
    });
    tty.keys(&["Down"]);
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting", |s| {
        s.contains("Meetings › Acme renewal") && s.contains("Notes & transcript")
    });
    tty.keys(&[":"]);
    tty.wait_for("the tools", |s| s.contains("Tools (7)"));
    tty.keys(&["?"]);
    tty.wait_for("the help", |s| {
        s.contains(" Keys ") && s.contains("Tools panel")
    });
    tty.keys(&["?"]);
    tty.wait_for("the tools again", |s| !s.contains(" Keys "));
    tty.keys(&["Escape"]);
    tty.wait_for("the meeting it was opened over", |s| {
        s.contains("Meetings › Acme renewal") && s.contains("Notes & transcript")
    });
    tty.keys(&[":"]);
    tty.wait_for("the tools", |s| s.contains("Tools (7)"));
    // The fourth tool.
    tty.keys(&["Down", "Down", "Down"]);
    tty.wait_for("list_action_items selected", |s| {
        s.contains("▸ list_action_items")
    });
    tty.keys(&["F5"]);
    tty.wait_for("the action items as a table", |s| {
        s.contains("Result · list_action_items") && s.contains("Meeting") && s.contains("[ ]")
    });
    tty.keys(&["Down"]);
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting, loaded, at its action items", |s| {
        s.contains(" Tools › ")
            && s.contains("Notes & transcript")
            && s.contains("Action items")
            && !s.contains("loading")
    });
    tty.keys(&["Escape"]);
    let back = tty.wait_for("the result again", |s| {
        s.contains("Result · list_action_items")
    });
    assert!(back.contains("Enter open meeting"), "{back}");
    // Esc at a human pace: result → form → list → closed.
    tty.keys(&["Escape"]);
    tty.wait_for("the form", |s| s.contains("next/previous field"));
    tty.keys(&["Escape"]);
    tty.wait_for("the tool list", |s| s.contains("select tool"));
    tty.keys(&["Escape"]);
    tty.wait_for("the meeting the panel was opened over", |s| {
        s.contains("Meetings › Acme renewal")
    });
    tty.keys(&["C-c"]);
}

/// `--offline` in a real terminal: a calm status, no error; what needs the network says why.
#[test]
fn offline_mode_shows_a_calm_status_not_an_error() {
    let Some(tty) = Tty::start_with(
        &["--demo", "--offline"],
        &[("TZ", "UTC".to_owned())],
        synced_demo,
    ) else {
        return;
    };
    let screen = tty.wait_for("the stored meeting list", |s| {
        s.contains("Meetings · 34 ") && s.contains("○ offline mode")
    });
    assert!(!screen.contains("error"), "{screen}");
    tty.keys(&["S"]);
    let screen = tty.wait_for("why it cannot sync", |s| s.contains("needs the server"));
    assert!(!screen.contains("✗ error"), "{screen}");
    tty.keys(&[":"]);
    let screen = tty.wait_for("the tools, explained", |s| {
        s.contains("started with --offline")
    });
    assert!(!screen.contains("try again"), "{screen}");
    tty.keys(&["C-c"]);
}

/// A server that dies under a running TUI: the footer says offline (and since when) after the
/// toast has gone, and `r` in a meeting says at once that it is reconnecting.
#[test]
fn a_dead_server_shows_offline_in_the_footer_and_r_says_it_reconnects() {
    let Some((mut sandbox, tty)) = logged_in_to(&[], &[]) else {
        return;
    };
    wait_for_list(&tty);
    tty.wait_for("online", |s| s.contains("● http://127.0.0.1:"));
    let _ = sandbox.child.kill();
    let _ = sandbox.child.wait();
    tty.keys(&["S"]);
    tty.wait_for("offline in the footer", |s| s.contains("✗ offline since "));
    tty.keys(&["Down"]);
    tty.keys(&["Enter"]);
    tty.wait_for("the meeting", |s| s.contains("Notes & transcript"));
    tty.keys(&["r"]);
    // The note and the attempt pass in a blink against a dead loopback port; its answer stays.
    tty.wait_for("the answer to the reconnect", |s| {
        s.contains("Still offline: cannot reach") && s.contains("✗ offline since ")
    });
    tty.keys(&["C-c"]);
}

/// The pane with its escape sequences (how tmux redraws the program's styles).
fn styled_screen(tty: &Tty) -> String {
    tty.tmux(&["capture-pane", "-p", "-e"])
}

/// The excerpt lines of `search`'s output (indented under their meeting).
fn excerpt_lines(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.starts_with("    ")).collect()
}

#[test]
fn headless_search_marks_the_hit_on_a_terminal_but_not_piped_or_under_no_color() {
    let search = "\"$KRISP_TUI\" --demo search halcyon";
    let Some(tty) = Tty::start_script_with(search, &[("TZ", "UTC".to_owned())], |_| {}) else {
        return;
    };
    tty.wait_for("the hits", |s| s.contains("transcript "));
    let styled = styled_screen(&tty);
    let lines = excerpt_lines(&styled);
    assert!(!lines.is_empty(), "{styled}");
    for line in &lines {
        // The word, and only a word of the query, is drawn in a style of its own.
        let at = line
            .to_lowercase()
            .find("halcyon")
            .expect("the word in the excerpt");
        assert!(
            line[..at].ends_with('m') && line[..at].contains("\u{1b}["),
            "{line:?}"
        );
        let after = &line[at + "halcyon".len()..];
        assert!(
            after.starts_with("\u{1b}["),
            "the mark ends after the word: {line:?}"
        );
        // Fitted to the 100 columns of the terminal.
        let plain = tty.screen();
        assert!(plain.lines().all(|l| l.chars().count() <= 100), "{plain}");
    }

    // NO_COLOR: no style at all.
    let Some(plain) = Tty::start_script_with(
        search,
        &[("TZ", "UTC".to_owned()), ("NO_COLOR", "1".to_owned())],
        |_| {},
    ) else {
        return;
    };
    plain.wait_for("the hits", |s| s.contains("transcript "));
    let styled = styled_screen(&plain);
    assert!(!excerpt_lines(&styled).is_empty(), "{styled}");
    assert!(!styled.contains('\u{1b}'), "{styled:?}");

    // Piped: none either.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["--demo", "--token-store", "memory", "--config-dir"])
        .arg(dir.path())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["search", "halcyon"])
        .env_remove("NO_COLOR")
        .output()
        .expect("run krisp-tui --demo search");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("transcript "),
        "{out:?}"
    );
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
}

#[test]
fn a_search_result_opens_at_the_rare_words_turn_with_it_found_and_marked() {
    // Generated meetings (300, seed 5): "initech" names a dozen of them, and the rare token
    // "Luburis" is in the transcript of one of those (and of three others).
    let tokens = krisp_tui::sandbox::generated::rare_tokens(300, 5);
    assert!(
        tokens.iter().any(|t| t.token == "Luburis"),
        "the generator changed: pick another rare token of an Initech meeting"
    );
    let Some((_sandbox, tty)) = logged_in_to(&["--meetings", "300", "--seed", "5"], &[]) else {
        return;
    };
    wait_for_list_of_generated(&tty);
    tty.keys(&["S"]);
    tty.keys(&["/"]);
    for c in "initech luburis".chars() {
        tty.type_text(&c.to_string());
        std::thread::sleep(Duration::from_millis(80));
    }
    // Once the sync has stored the transcripts, the store finds the one meeting, at the turn.
    tty.wait_for("the hit", |s| {
        s.contains("1 meeting") && s.contains("Initech Utilities") && s.contains("Luburis")
    });
    tty.keys(&["Enter"]);
    let screen = tty.wait_for("the meeting at the turn", |s| {
        s.contains("Notes & transcript") && s.lines().any(|l| l.starts_with("│▌"))
    });
    // The find bar holds the rare word (not the name's), the hit is on screen and its turn is
    // the one marked.
    assert!(
        screen
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("/ Luburis")),
        "{screen}"
    );
    let marked: Vec<&str> = screen.lines().filter(|l| l.starts_with("│▌")).collect();
    assert!(marked.iter().any(|l| l.contains("Luburis")), "{screen}");
    assert!(
        marked[0].contains("  06:57"),
        "the turn's heading first: {screen}"
    );
    tty.keys(&["C-c"]);
}

fn wait_for_list_of_generated(tty: &Tty) {
    tty.wait_for("the meeting list", |s| {
        s.contains("Meetings") && s.contains("Length")
    });
}
