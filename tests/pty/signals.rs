//! Any way of stopping the TUI leaves a working terminal: SIGINT, SIGHUP, SIGTERM and SIGQUIT
//! sent to `krisp-tui --demo` in a real terminal (tmux, on a private socket), and a panic
//! (debug builds: F12 with `KRISP_TUI_TEST_PANIC`). Afterwards the pane is in cooked mode
//! (`stty -a` as the shell sees it), the cursor is visible, the alternate screen and mouse
//! reporting are off (tmux's own view of the pane), bracketed paste was turned off last (the
//! bytes written), and the exit status is the conventional one.
//!
//! Needs `tmux` (`.ci/run` installs it and sets `KRISP_TUI_CI`, which turns a missing tmux
//! into a failure instead of a skip).

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_krisp-tui");
/// An outer bound on the program reaching each state; never a timing assertion.
const WAIT: Duration = Duration::from_secs(60);

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .expect("run tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A tmux server of its own running `sh` in `dir`; killed on drop.
struct Pane {
    socket: String,
}

impl Drop for Pane {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
    }
}

/// Polls (an external process: there is nothing to await) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool, show: impl Fn() -> String) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}; the pane shows:\n{}",
            show()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How the test stops the TUI.
#[derive(Clone, Copy, Debug)]
enum Stop {
    Signal(&'static str, i32),
    Panic,
}

fn stop_and_check(stop: Stop) {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("KRISP_TUI_CI").is_none(),
            "tmux is required for the terminal tests (apt-get install tmux)"
        );
        eprintln!("SKIPPED: tmux is not installed, so the terminal test did not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The program's pid (for `kill`), then, once it has ended, its status and the terminal's
    // modes as the shell sees them.
    std::fs::write(
        d.join("run.sh"),
        format!(
            "sh -c 'echo $$ > pid; exec \"$0\" --demo' '{BIN}'\n\
             echo $? > status\n\
             stty -a > stty.txt\n\
             : > done\n"
        ),
    )
    .unwrap();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let pane = Pane {
        socket: format!("krisp-tui-signals-{}-{n}", std::process::id()),
    };
    let t = |args: &[&str]| tmux(&pane.socket, args);
    let config = d.join("config");
    t(&[
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "-c",
        d.to_str().unwrap(),
        "-e",
        &format!("KRISP_TUI_CONFIG_DIR={}", config.display()),
        "-e",
        "KRISP_TUI_TOKEN_STORE=memory",
        "-e",
        "KRISP_TUI_TEST_PANIC=1",
        "sh",
    ]);
    let raw = d.join("raw.out");
    t(&["pipe-pane", "-o", &format!("cat >> '{}'", raw.display())]);
    t(&["send-keys", "-l", "sh run.sh"]);
    t(&["send-keys", "Enter"]);
    let screen = || t(&["capture-pane", "-p"]);
    wait_until(
        "the meeting list",
        || {
            let s = screen();
            s.contains("Date") && s.contains("People")
        },
        screen,
    );

    let expected_status = match stop {
        Stop::Signal(name, number) => {
            let pid = std::fs::read_to_string(d.join("pid")).unwrap();
            let killed = Command::new("kill")
                .args(["-s", name, pid.trim()])
                .status()
                .unwrap();
            assert!(killed.success());
            128 + number
        }
        Stop::Panic => {
            t(&["send-keys", "F12"]);
            101
        }
    };
    wait_until("the program to end", || d.join("done").exists(), screen);

    let status = std::fs::read_to_string(d.join("status")).unwrap();
    assert_eq!(status.trim(), expected_status.to_string(), "{stop:?}");
    let stty = std::fs::read_to_string(d.join("stty.txt")).unwrap();
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for want in ["icanon", "echo", "icrnl", "opost"] {
        assert!(
            flags.contains(&want),
            "{stop:?}: {want} is off after exit:\n{stty}"
        );
    }
    let modes = t(&[
        "display-message",
        "-p",
        "#{alternate_on} #{cursor_flag} #{mouse_any_flag}",
    ]);
    assert_eq!(
        modes.trim(),
        "0 1 0",
        "{stop:?}: alternate screen, cursor visible, mouse"
    );
    let bytes = std::fs::read(&raw).unwrap();
    let last = |needle: &[u8]| bytes.windows(needle.len()).rposition(|w| w == needle);
    let (on, off) = (last(b"\x1b[?2004h"), last(b"\x1b[?2004l"));
    assert!(
        off.is_some() && on < off,
        "{stop:?}: bracketed paste left on"
    );
}

#[test]
fn sigint_restores_the_terminal() {
    stop_and_check(Stop::Signal("INT", 2));
}

#[test]
fn sighup_restores_the_terminal() {
    stop_and_check(Stop::Signal("HUP", 1));
}

#[test]
fn sigterm_restores_the_terminal() {
    stop_and_check(Stop::Signal("TERM", 15));
}

#[test]
fn sigquit_restores_the_terminal() {
    stop_and_check(Stop::Signal("QUIT", 3));
}

#[test]
fn a_panic_restores_the_terminal() {
    stop_and_check(Stop::Panic);
}
