//! The terminal side of the TUI, outside the pure `app`: the main loop that owns the terminal
//! (raw mode, mouse, paste, keyboard flags), feeds input, signals, client events and ticks to
//! `app::update`, sends the commands to the client task (and the clipboard's OSC 52), and
//! draws once per batch.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyboardEnhancementFlags, PopKeyboardEnhancementFlags,
    PushKeyboardEnhancementFlags,
};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::keymap::Keymap;
use crate::app::{self, State};
use crate::auth::store::StoreKind;
use crate::client::{Connection, Settings};
use crate::config::Config;
use crate::library::task;
use crate::message::{ClientEvent, Command, Msg};
use crate::theme::Theme;

/// How the TUI begins.
pub enum Start {
    /// Already connected (the caller logged in or reconnected).
    Connected(Connection),
    /// Try the stored credentials; show the login screen when there are none.
    Connect,
    /// Start the browser login straight away (`--demo`, whose browser step runs in-process).
    Login,
}

/// Animation and debounce resolution.
const TICK: Duration = Duration::from_millis(80);

/// How the TUI ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal (SIGINT, SIGHUP, SIGTERM, SIGQUIT) with this number stopped it; the process
    /// should exit with 128 + it, as shells report.
    Signal(i32),
}

/// Runs the TUI until the user quits or a signal stops it. The terminal is restored on every
/// exit path, panics included.
/// `config` is `config.toml` as read, with a line for each of its `config_problems`; `zone` the
/// zone every time is shown in (`resolve_zone`).
pub async fn run_tui(
    mut settings: Settings,
    config: &Config,
    config_problems: &[String],
    start: Start,
    local: Option<task::LocalStore>,
    zone: jiff::tz::TimeZone,
) -> anyhow::Result<Ended> {
    // Auth failures go to the login screen; the client must never print or log in on its own.
    settings.no_login = true;
    let mut problems = config_problems.to_vec();
    let (keymap, keymap_problems) = Keymap::with_overrides(&config.keys);
    problems.extend(keymap_problems);
    let mut theme = Theme::from_env();
    problems.extend(theme.apply_overrides(&config.theme));

    let mut state = State::new(
        settings.server.clone(),
        store_description(&settings),
        Instant::now(),
    )
    .with_keymap(keymap)
    .with_theme(theme)
    .with_zone(zone.clone());
    state.home_dir = dirs::home_dir();
    let (connected, connection, login_now) = match start {
        Start::Connected(c) => (true, Some(c), false),
        Start::Connect => (false, None, false),
        Start::Login => (false, None, true),
    };
    if connected {
        state.status.server = settings.server.clone();
    }
    state.local.enabled = local.is_some();
    state.local.auto_sync = config.sync == crate::config::SyncMode::Auto;
    if local.as_ref().is_some_and(|l| l.offline) {
        state.local.offline = Some("offline (--offline): reading the local store".into());
        state.local.offline_mode = true;
    }
    let (commands, events, client) = task::spawn(settings, connection, local, zone);

    let mut terminal = init_terminal()?;
    let result = event_loop(
        &mut terminal,
        &mut state,
        &commands,
        events,
        connected,
        login_now,
        problems,
    )
    .await;
    restore_terminal();
    let _ = commands.send(Command::Quit);
    drop(commands);
    // Give the client a moment to close the session politely; never hang the exit on it.
    let _ = tokio::time::timeout(Duration::from_secs(2), client).await;
    result
}

fn init_terminal() -> anyhow::Result<DefaultTerminal> {
    // Installs a panic hook that leaves raw mode and the alternate screen before the message.
    let terminal = ratatui::init();
    // Where the terminal can tell them apart (kitty protocol), Ctrl-Enter and a lone Esc
    // arrive as themselves instead of as Enter and the start of an Alt- key.
    if crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false) {
        let pushed = crossterm::execute!(
            std::io::stdout(),
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        );
        ENHANCED.store(pushed.is_ok(), Ordering::SeqCst);
    }
    // ratatui's hook leaves raw mode and the alternate screen; also stop mouse reporting.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave_modes();
        previous(info);
    }));
    crossterm::execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)
        .context("could not set up the terminal")?;
    Ok(terminal)
}

fn restore_terminal() {
    leave_modes();
    ratatui::restore();
}

/// Whether the keyboard enhancement flags were pushed (and so must be popped).
static ENHANCED: AtomicBool = AtomicBool::new(false);

/// Undoes what `init_terminal` turned on beyond ratatui's raw mode and alternate screen.
fn leave_modes() {
    let mut out = std::io::stdout();
    if ENHANCED.swap(false, Ordering::SeqCst) {
        let _ = crossterm::execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = crossterm::execute!(out, DisableMouseCapture, DisableBracketedPaste);
}

/// Resolves with the number of the first stopping signal: SIGINT (sent by `kill`: in raw mode
/// Ctrl-C is a key), SIGHUP (the terminal went away), SIGTERM, SIGQUIT.
#[cfg(unix)]
fn stop_signals() -> anyhow::Result<impl std::future::Future<Output = i32>> {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::interrupt(),
        SignalKind::hangup(),
        SignalKind::terminate(),
        SignalKind::quit(),
    ];
    let mut streams = Vec::new();
    for kind in kinds {
        let stream = signal(kind).context("could not watch for signals")?;
        streams.push((kind.as_raw_value(), stream));
    }
    Ok(async move {
        let waits = streams.iter_mut().map(|(n, s)| {
            let n = *n;
            Box::pin(async move {
                s.recv().await;
                n
            })
        });
        futures::future::select_all(waits).await.0
    })
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    state: &mut State,
    commands: &UnboundedSender<Command>,
    mut events: UnboundedReceiver<ClientEvent>,
    connected: bool,
    login_now: bool,
    problems: Vec<String>,
) -> anyhow::Result<Ended> {
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    #[cfg(unix)]
    let signals = stop_signals()?;
    #[cfg(not(unix))]
    let signals = std::future::pending::<i32>();
    tokio::pin!(signals);

    let size = terminal
        .size()
        .context("could not read the terminal size")?;
    dispatch(state, Msg::Resize(size.width, size.height), commands)?;
    for command in app::start(state, connected, login_now) {
        send(command, commands)?;
    }
    // Configuration mistakes are shown, every one, not fatal.
    app::show_problems(state, &problems);
    terminal.draw(|f| f.render_widget(&*state, f.area()))?;

    loop {
        let animating = state.needs_tick();
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(e)) => return Err(e).context("could not read the terminal"),
                None => return Ok(Ended::Quit),
            },
            Some(event) = events.recv() => Msg::Client(Box::new(event)),
            _ = tick.tick(), if animating => Msg::Tick,
            signal = &mut signals => {
                tracing::info!(signal, "signal: restoring the terminal and exiting");
                return Ok(Ended::Signal(signal));
            }
        };
        #[cfg(debug_assertions)]
        panic_on_request(&msg);
        dispatch(state, msg, commands)?;
        // Drain what else is ready, then draw once.
        while let Ok(event) = events.try_recv() {
            dispatch(state, Msg::Client(Box::new(event)), commands)?;
        }
        if state.should_quit {
            return Ok(Ended::Quit);
        }
        terminal.draw(|f| f.render_widget(&*state, f.area()))?;
    }
}

/// Debug builds only, for the terminal tests: with `KRISP_TUI_TEST_PANIC` set, F12 panics, so
/// that the panic path's terminal restore can be checked.
#[cfg(debug_assertions)]
fn panic_on_request(msg: &Msg) {
    if let Msg::Key(key) = msg
        && key.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("KRISP_TUI_TEST_PANIC").is_some()
    {
        panic!("F12 with KRISP_TUI_TEST_PANIC set: a panic on request");
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::FocusGained | Event::FocusLost => None,
    }
}

fn dispatch(
    state: &mut State,
    msg: Msg,
    commands: &UnboundedSender<Command>,
) -> anyhow::Result<()> {
    state.wall = Some(jiff::Timestamp::now());
    let mut cut = false;
    for command in app::update(state, msg, Instant::now()) {
        if let Command::Copy(text) = &command {
            let (payload, was_cut) = clipboard_payload(text);
            copy_osc52(&payload)?;
            cut |= was_cut;
            continue;
        }
        send(command, commands)?;
    }
    // Only `update` changes the state: the toast saying so is its, kept with the others.
    if cut {
        return dispatch(
            state,
            Msg::ClipboardCut {
                limit: OSC52_MAX_BYTES,
            },
            commands,
        );
    }
    Ok(())
}

/// The most text one OSC 52 write carries (before base64): terminals drop longer sequences
/// (xterm, tmux and others stop around 100 KB of base64), and a megabyte turn would otherwise
/// become a 1.4 MB escape sequence.
pub const OSC52_MAX_BYTES: usize = 74_000;

/// What `y` puts on the clipboard: the text through the plain-text sanitizer (the clipboard
/// is an edge like stdout), cut to [`OSC52_MAX_BYTES`] at a character boundary; and whether it
/// was cut.
pub fn clipboard_payload(text: &str) -> (String, bool) {
    let clean = crate::sanitize::text(text);
    if clean.len() <= OSC52_MAX_BYTES {
        return (clean.into_owned(), false);
    }
    let mut end = OSC52_MAX_BYTES;
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    (clean[..end].to_owned(), true)
}

fn send(command: Command, commands: &UnboundedSender<Command>) -> anyhow::Result<()> {
    match command {
        Command::Copy(text) => copy_osc52(&clipboard_payload(&text).0),
        Command::Quit => Ok(()),
        other => commands
            .send(other)
            .map_err(|_| anyhow::anyhow!("the client task stopped")),
    }
}

/// Puts `text` on the clipboard through the terminal.
fn copy_osc52(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The OSC 52 sequence that sets the clipboard to `text`. The clipboard is an edge where server
/// text leaves the program: it is sanitized here, once (controls and bidi overrides become
/// visible placeholders, so a paste into another terminal runs nothing), then base64 so nothing
/// in it is interpreted by this terminal either.
fn osc52(text: &str) -> String {
    let clean = crate::sanitize::clean(text);
    let encoded = base64::engine::general_purpose::STANDARD.encode(clean.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Where tokens are kept, for the login screen.
fn store_description(settings: &Settings) -> String {
    let dir = settings.config_dir.display();
    match settings.store {
        StoreKind::Auto => format!("the system keyring, or a private file in {dir}"),
        StoreKind::Keyring => "the system keyring".to_owned(),
        StoreKind::File => format!("a private file in {dir}"),
        StoreKind::Memory => "memory only (forgotten on exit)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clipboard_gets_sanitized_text_cut_to_the_limit() {
        assert_eq!(
            clipboard_payload("\x1b]0;t\x07hello \u{202e}world\x1b[0m"),
            ("hello world".to_owned(), false)
        );
        let big = "é".repeat(OSC52_MAX_BYTES);
        let (payload, cut) = clipboard_payload(&big);
        assert!(cut);
        assert!(payload.len() <= OSC52_MAX_BYTES && payload.len() > OSC52_MAX_BYTES - 2);
        assert!(payload.chars().all(|c| c == 'é'));
    }
}
