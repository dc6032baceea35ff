//! Progress on stderr for the long headless commands (`sync`, `vault`): one indicatif bar when
//! stderr is a terminal, otherwise a plain line each time what it would say changes.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar (spinning while the total is unknown, counting once it is) or plain lines, keyed by
/// `K`: a plain line is printed only when the caller's key for it changes.
pub(crate) struct Progress<K> {
    bar: Option<ProgressBar>,
    /// The total the bar counts to, while it counts (`None` while it spins).
    counting: Mutex<Option<usize>>,
    last_line: Mutex<Option<K>>,
    /// No plain lines: `--json` output goes to a script, which wants the one object only.
    quiet: bool,
}

impl<K: PartialEq> Progress<K> {
    pub(crate) fn new(quiet: bool) -> Progress<K> {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, draw_target());
            bar.set_style(ProgressStyle::default_spinner());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            counting: Mutex::new(None),
            last_line: Mutex::new(None),
            quiet,
        }
    }

    /// The bar spins with `message` (nothing without a bar).
    pub(crate) fn spin(&self, message: impl Into<Cow<'static, str>>) {
        let Some(bar) = &self.bar else { return };
        if lock(&self.counting).take().is_some() {
            bar.set_style(ProgressStyle::default_spinner());
        }
        bar.set_message(message);
    }

    /// The bar counts `noun done/total`, with a rate and an ETA (nothing without a bar).
    pub(crate) fn count(&self, noun: &str, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        let mut counting = lock(&self.counting);
        if *counting != Some(total) {
            *counting = Some(total);
            bar.set_style(counted_style(noun));
            bar.set_length(total as u64);
            bar.reset_eta();
        }
        bar.set_position(done as u64);
    }

    /// Without a bar (and unless quiet), the line `line` makes, when `key` differs from the
    /// last key given; `None` prints nothing.
    pub(crate) fn plain(&self, key: K, line: impl FnOnce() -> Option<String>) {
        if self.bar.is_some() || self.quiet {
            return;
        }
        let mut last = lock(&self.last_line);
        if last.as_ref() == Some(&key) {
            return;
        }
        *last = Some(key);
        if let Some(line) = line() {
            eprintln!("{line}");
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `{spinner} noun pos/len [bar] rate ETA eta`, the rate to one decimal (indicatif's own
/// shows four).
fn counted_style(noun: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {noun} {{pos}}/{{len}} {{wide_bar}} {{rate}} ETA {{eta}}"
    ))
    .map(|style| {
        style.with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1}/s", s.per_sec());
        })
    })
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Where a progress bar draws: stderr, two columns narrower than the terminal. indicatif pads
/// its line to the width it is given; on a line filled to the last columns the `^C` that the
/// terminal echoes wraps to a new line, and the bar, clearing only the line it drew, left a
/// frame of itself on the screen.
fn draw_target() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like(Box::new(Narrow(console::Term::buffered_stderr())))
}

#[derive(Debug)]
struct Narrow(console::Term);

impl indicatif::TermLike for Narrow {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(2).max(1)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}
