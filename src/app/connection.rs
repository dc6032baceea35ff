//! The connection as the app sees it: what the UI asks for as it starts (stored credentials,
//! a login, the list), logging in (and being sent to log in again), the server
//! found unreachable and tried again, the local store's sync, and a failed request's way to
//! the user; what resumes after a login.

use crate::app::meeting::DocState;
use crate::app::navigate::open_tools;
use crate::app::requests::Pending;
use crate::app::toast::{note, remember, toast};
use crate::app::update::{home_do, meeting_action};
use crate::app::{LoginState, Screen, State};
use crate::message::{Action, ClientEvent, Command, RequestError};

const SESSION_EXPIRED: &str = "Your session expired. Log in again to carry on where you were.";

/// The commands to issue when the UI starts: with a connection, load the meetings; without,
/// try stored credentials (`login_now`: start the browser login straight away, as `--demo` does).
pub fn start(state: &mut State, connected: bool, login_now: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    if state.local.enabled {
        // The stored list shows at once, whatever the connection does meanwhile.
        home_do(state, &mut cmds, |home, ctx, fx| {
            home.load_meetings_page(ctx, fx)
        });
    }
    if connected {
        state.screen = Screen::Home;
        if !state.local.enabled {
            home_do(state, &mut cmds, |home, ctx, fx| {
                home.load_meetings_page(ctx, fx)
            });
        } else if state.local.auto_sync {
            start_sync(state, &mut cmds);
        }
    } else if state.local.enabled && !login_now {
        state.screen = Screen::Home;
        state.login.state = LoginState::Connecting;
        cmds.push(Command::Connect);
    } else if login_now {
        state.screen = Screen::Login;
        state.login.state = LoginState::Waiting {
            url: None,
            paste: None,
        };
        cmds.push(Command::StartLogin);
    } else {
        state.screen = Screen::Login;
        state.login.state = LoginState::Connecting;
        cmds.push(Command::Connect);
    }
    cmds
}

/// The client task's news about the connection and the sync.
pub(super) fn on_event(state: &mut State, event: ClientEvent, cmds: &mut Vec<Command>) {
    match event {
        ClientEvent::LoggedIn { server, account } => {
            state.status.server = server;
            state.status.account = account;
            state.status.last_error = None;
            state.login.state = LoginState::Idle;
            state.login.note = None;
            // A connection made in the background (at start, or again after the server was
            // unreachable) leaves the user where they are; a login goes back where it began.
            if state.screen == Screen::Login {
                state.screen = state.login.return_to.take().unwrap_or(Screen::Home);
                // Which account, when the server said.
                let who = match &state.status.account {
                    Some(a) => format!(" as {a}"),
                    None => String::new(),
                };
                let text = format!("Logged in to {}{who}.", state.status.server);
                // Configuration problems shown from the start keep their time on screen.
                if state.toast.as_ref().is_some_and(|t| t.lasting) {
                    remember(state, &text, false, false);
                } else {
                    toast(state, &text, false);
                }
            }
            if state.screen == Screen::Login {
                state.screen = Screen::Home;
            }
            resume_after_login(state, cmds);
        }
        ClientEvent::SyncProgress(progress) => {
            state.local.sync.running = true;
            state.local.sync.progress = progress;
        }
        ClientEvent::SyncElsewhere => {
            state.local.sync.running = true;
            state.local.sync.elsewhere = true;
            toast(
                state,
                "another krisp-tui is syncing; the list follows its progress",
                false,
            );
        }
        ClientEvent::SyncFinished(result) => {
            state.local.sync.running = false;
            state.local.sync.elsewhere = false;
            match result {
                Ok(summary) if summary.by_another => {
                    state.local.sync.last = Some(Ok("another krisp-tui synced the store".into()));
                }
                Ok(summary) => {
                    state.local.sync.last = Some(Ok(summary.line()));
                    // Successes go to the messages too, so a failure before them is not the
                    // newest news there.
                    let took = state
                        .local
                        .sync
                        .started
                        .take()
                        .map(|t| format!(" in {}", seconds(state.now.duration_since(t))))
                        .unwrap_or_default();
                    let meetings = summary.new + summary.updated + summary.unchanged;
                    let first = if std::mem::replace(&mut state.local.sync.finished_once, true) {
                        "Synced"
                    } else {
                        "First sync finished:"
                    };
                    let text = format!(
                        "{first} {} meeting{}{took}: {}.",
                        crate::timefmt::grouped(meetings),
                        if meetings == 1 { "" } else { "s" },
                        summary.line()
                    );
                    remember(state, &text, false, false);
                }
                Err(e) => {
                    let message = e.message.clone();
                    state.local.sync.last = Some(Err(message.clone()));
                    if e.unreachable {
                        went_offline(state, &message);
                    }
                    if e.auth_required {
                        request_failed(state, e);
                    } else {
                        let retry = state
                            .keymap
                            .key_to_retry(crate::app::keymap::Mode::Home, Action::Sync);
                        toast(state, &format!("Sync failed: {message} {retry}"), true);
                    }
                }
            }
        }
        ClientEvent::Offline { reason } => {
            // The answer to a reconnect the user asked for says it is one.
            let again = state.local.reconnecting;
            went_offline(state, &reason);
            state.local.sync.running = false;
            state.local.sync_wanted = false;
            if state.screen == Screen::Login {
                state.screen = Screen::Home;
            }
            state.login.state = LoginState::Idle;
            // `--offline` is the mode the user chose: the footer says so, calmly.
            if again {
                toast(state, &format!("Still offline: {reason}"), true);
            } else if !state.local.offline_mode {
                toast(state, &reason, true);
            }
        }
        _ => {}
    }
}

pub(super) fn start_sync(state: &mut State, cmds: &mut Vec<Command>) {
    if state.local.sync.running || !state.local.enabled {
        return;
    }
    if state.local.offline.is_some() {
        // Once the connection is back, the sync asked for runs.
        if needs_server(state, "Syncing", cmds) {
            state.local.sync_wanted = true;
        }
        return;
    }
    state.local.sync.running = true;
    state.local.sync.progress = Default::default();
    state.local.sync.started = Some(state.now);
    cmds.push(Command::Sync);
}

/// The login screen, with why the user is there; logging in comes back to where they were.
pub(super) fn to_login(state: &mut State, note: Option<String>) {
    if state.screen != Screen::Login {
        state.login.return_to = Some(state.screen);
    }
    state.screen = Screen::Login;
    state.overlay = None;
    state.login.state = LoginState::Idle;
    state.login.note = note;
}

/// A failed request: an expired session goes to the login screen, anything else to the toast.
pub(super) fn request_failed(state: &mut State, error: RequestError) {
    if error.auth_required {
        return to_login(state, Some(SESSION_EXPIRED.into()));
    }
    let message = error.message;
    if error.unreachable {
        went_offline(state, &message);
    }
    toast(state, &message, true);
    state.status.last_error = Some(message);
}

/// The server could not be reached: the footer says offline from now (or from when it first
/// failed), until a connection works again.
pub(super) fn went_offline(state: &mut State, reason: &str) {
    if state.local.offline.is_none() || state.local.reconnecting {
        state.local.offline_since = state.local.offline_since.or(state.wall);
    }
    state.local.offline = Some(reason.to_owned());
    state.local.reconnecting = false;
}

/// An action that needs the server, asked for while it is not there: says so at once. With
/// `--offline` it explains why it cannot be done (`false`); after the server was unreachable it
/// tries to connect again (and says so), and the action goes ahead (`true`).
pub(super) fn needs_server(state: &mut State, what: &str, cmds: &mut Vec<Command>) -> bool {
    if state.local.offline_mode {
        note(
            state,
            &format!(
                "{what} needs the server: krisp-tui was started with --offline, which reads only the local store."
            ),
        );
        return false;
    }
    if state.local.offline.is_none() {
        return true;
    }
    let since = state
        .local
        .offline_since
        .map(|at| {
            let (_, hm) = crate::timefmt::date_and_time_in(at, &state.zone);
            format!(" since {hm}")
        })
        .unwrap_or_default();
    if !state.local.reconnecting {
        state.local.reconnecting = true;
        cmds.push(Command::Connect);
    }
    note(
        state,
        &format!(
            "The server has been unreachable{since}: trying to reconnect to {}…",
            state.status.server
        ),
    );
    true
}

/// After (re-)login: fetch what the interrupted screens were waiting for.
pub(super) fn resume_after_login(state: &mut State, cmds: &mut Vec<Command>) {
    state.local.offline = None;
    state.local.offline_since = None;
    state.local.reconnecting = false;
    if std::mem::take(&mut state.local.sync_wanted) {
        start_sync(state, cmds);
    }
    if !state.home.meetings.paging.loaded_once {
        home_do(state, cmds, |home, ctx, fx| {
            home.load_meetings_page(ctx, fx)
        });
    }
    if state.local.enabled && state.local.auto_sync {
        start_sync(state, cmds);
    } else if state.local.enabled
        && state.home.meetings.listed() == 0
        && state.home.meetings.paging.loaded_once
    {
        // Nothing stored and no sync coming (sync = "manual"): page from the server as before.
        state.home.meetings.held = None;
        state.home.meetings.paging.exhausted = false;
        state.home.meetings.paging.next_offset = 0;
        home_do(state, cmds, |home, ctx, fx| {
            home.load_meetings_page(ctx, fx)
        });
    }
    let failed = state
        .meeting
        .as_ref()
        .is_some_and(|v| matches!(v.document, DocState::Failed { .. }));
    if failed && state.screen == Screen::Meeting {
        meeting_action(state, Action::Refresh, cmds);
    }
    let tab = state.home.tab;
    if state.home.feed(tab).is_some_and(|f| f.error.is_some()) {
        home_do(state, cmds, |home, ctx, fx| home.reload_feed(tab, ctx, fx));
    }
    if state.screen == Screen::Tools && state.tools.panel.is_none() {
        state.requests.forget(|p| *p == Pending::ToolList);
        open_tools(state, cmds);
    }
}

/// `35 s`, `4.2 s`, `3 min 05 s`.
pub(super) fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 60.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}
