//! `update`: every message in, commands out. Synchronous, no I/O, no clock: `now` is an argument.

use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::effect::{Effect, Opening};
use crate::app::home::Ctx;
use crate::app::layout;
use crate::app::meeting::{DocState, MeetingView};
use crate::app::requests::Pending;
use crate::app::{LoginState, Overlay, Screen, State, TOAST_FOR, Toast};
use crate::krisp::{Document, DocumentState, Meeting, MeetingId, Transcript};
use crate::message::{Action, ClientEvent, Command, Msg, RequestError, RequestId};
use crate::sanitize::clean_line;

/// Lines moved per mouse-wheel notch.
const WHEEL_LINES: isize = 3;
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

pub fn update(state: &mut State, msg: Msg, now: Instant) -> Vec<Command> {
    state.now = now;
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key, &mut cmds),
        Msg::Key(_) => {}
        Msg::Mouse(mouse) => on_mouse(state, mouse, &mut cmds),
        Msg::Paste(text) => on_paste(state, &text, &mut cmds),
        Msg::Resize(w, h) => {
            state.size = Rect::new(0, 0, w, h);
            relayout(state);
            home_do(state, &mut cmds, |home, ctx, fx| {
                home.ensure_window(ctx, fx)
            });
        }
        Msg::Tick => on_tick(state, &mut cmds),
        Msg::Action(action) => on_action(state, action, &mut cmds),
        Msg::Client(event) => on_client(state, *event, &mut cmds),
    }
    crate::app::preview::sync(state, &mut cmds);
    cmds
}

// ---------------------------------------------------------------- input

fn on_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Command>) {
    if state.screen == Screen::Tools && state.overlay.is_none() {
        // The tools panel owns its keys (forms type letters): only quit and help reach the
        // global bindings.
        if let Some(action) = crate::app::tools_screen::global_action(state, key) {
            return on_action(state, action, cmds);
        }
        let fx = state.tools.on_key(key, &state.keymap, &mut state.requests);
        return apply(state, fx, cmds);
    }
    let (mode, typing) = state.mode();
    if let Some(Overlay::Export(d)) = &state.overlay
        && d.confirm.is_some()
    {
        match key.code {
            crossterm::event::KeyCode::Char('y' | 'Y') => {
                return on_action(state, Action::Select, cmds);
            }
            crossterm::event::KeyCode::Char('n' | 'N') => {
                return on_action(state, Action::Back, cmds);
            }
            _ => {}
        }
    }
    match state.keymap.action(mode, key) {
        Some(action) => on_action(state, action, cmds),
        None if typing => type_into(state, key, cmds),
        None => {}
    }
}

/// A key that no binding claimed, typed into the focused text field.
fn type_into(state: &mut State, key: KeyEvent, cmds: &mut Vec<Command>) {
    if let Some(Overlay::Export(d)) = &mut state.overlay {
        return d.type_key(key);
    }
    match state.screen {
        Screen::Login => state.login.type_key(key),
        Screen::Home => home_do(state, cmds, |home, ctx, fx| home.type_key(key, ctx, fx)),
        Screen::Meeting => {
            if let Some(view) = &mut state.meeting {
                view.type_key(key);
            }
        }
        Screen::Tools => {}
    }
}

fn on_paste(state: &mut State, text: &str, cmds: &mut Vec<Command>) {
    let (_, typing) = state.mode();
    if let Some(Overlay::Export(d)) = &mut state.overlay {
        return d.paste(text, typing);
    }
    match state.screen {
        Screen::Login => state.login.paste(text),
        Screen::Home if typing => home_do(state, cmds, |home, ctx, fx| home.paste(text, ctx, fx)),
        Screen::Meeting if typing => {
            if let Some(view) = &mut state.meeting {
                view.paste(text);
            }
        }
        _ => {}
    }
}

fn on_mouse(state: &mut State, mouse: MouseEvent, cmds: &mut Vec<Command>) {
    if state.screen == Screen::Tools && state.overlay.is_none() {
        let body = layout::screen(state.size, false).body;
        let fx = state.tools.on_mouse(mouse, body, &mut state.requests);
        return apply(state, fx, cmds);
    }
    match mouse.kind {
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let down = mouse.kind == MouseEventKind::ScrollDown;
            if state.screen == Screen::Meeting && state.overlay.is_none() {
                if let Some(view) = &mut state.meeting {
                    view.scroll_by(if down { WHEEL_LINES } else { -WHEEL_LINES });
                }
                return;
            }
            let action = if down { Action::Down } else { Action::Up };
            for _ in 0..WHEEL_LINES {
                on_action(state, action, cmds);
            }
        }
        MouseEventKind::Down(MouseButton::Left) if state.overlay.is_none() => {
            let at = Position::new(mouse.column, mouse.row);
            if state.screen != Screen::Home {
                return;
            }
            home_do(state, cmds, |home, ctx, fx| home.on_click(at, ctx, fx));
        }
        _ => {}
    }
}

fn on_tick(state: &mut State, cmds: &mut Vec<Command>) {
    state.spinner = state.spinner.wrapping_add(1);
    if state.toast.as_ref().is_some_and(|t| t.until <= state.now) {
        state.toast = None;
    }
    home_do(state, cmds, |home, ctx, fx| home.on_tick(ctx, fx));
}

// ---------------------------------------------------------------- actions

fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    match action {
        Action::Quit => return apply(state, vec![Effect::Quit], cmds),
        Action::Help if !matches!(state.overlay, Some(Overlay::Help { .. })) => {
            // Help over a dialog keeps the dialog: closing help shows it again as it was.
            let behind = match state.overlay.take() {
                Some(dialog @ (Overlay::Export(_) | Overlay::Copy { .. })) => {
                    Some(Box::new(dialog))
                }
                _ => None,
            };
            state.overlay = Some(Overlay::Help { scroll: 0, behind });
            return;
        }
        Action::Messages if state.overlay.is_none() => {
            state.overlay = Some(Overlay::Messages { scroll: 0 });
            return;
        }
        Action::Tools if state.screen != Screen::Login && state.overlay.is_none() => {
            open_tools(state, cmds);
            return;
        }
        _ => {}
    }
    match &mut state.overlay {
        Some(Overlay::Help { .. } | Overlay::Messages { .. }) => {
            return scroll_overlay(state, action);
        }
        Some(Overlay::Export(dialog)) => {
            let target = export_target(
                state.screen,
                state.meeting.as_ref(),
                &state.home,
                &state.documents,
            );
            let home_dir = state.home_dir.as_deref();
            let fx = dialog.on_action(action, target, &mut state.requests, home_dir);
            return apply(state, fx, cmds);
        }
        Some(Overlay::Copy { .. }) => return copy_action(state, action, cmds),
        None => {}
    }
    match state.screen {
        Screen::Login => {
            let fx = state.login.on_action(action);
            apply(state, fx, cmds);
        }
        Screen::Home => home_do(state, cmds, |home, ctx, fx| home.on_action(action, ctx, fx)),
        Screen::Meeting => meeting_action(state, action, cmds),
        Screen::Tools => {
            if action == Action::Back {
                close_tools(state);
            }
        }
    }
}

/// Keys on the help or messages overlay: scroll (clamped to what there is), or close.
fn scroll_overlay(state: &mut State, action: Action) {
    let len = match &state.overlay {
        Some(Overlay::Help { .. }) => crate::app::help::row_count(state),
        _ => crate::app::help::message_row_count(state),
    };
    let page = crate::app::help::visible_rows(state);
    let max = len.saturating_sub(page);
    let (scroll, behind) = match &mut state.overlay {
        Some(Overlay::Help { scroll, behind }) => (scroll, Some(behind)),
        Some(Overlay::Messages { scroll }) => (scroll, None),
        _ => return,
    };
    *scroll = match action {
        Action::Back | Action::Help | Action::Messages => {
            let under = behind.and_then(|b| b.take()).map(|b| *b);
            state.overlay = under;
            return;
        }
        Action::Up => scroll.saturating_sub(1),
        Action::Down => *scroll + 1,
        Action::PageUp => scroll.saturating_sub(page.saturating_sub(1).max(1)),
        Action::PageDown => *scroll + page.saturating_sub(1).max(1),
        Action::Top => 0,
        Action::Bottom => max,
        _ => *scroll,
    }
    .min(max);
}

fn start_sync(state: &mut State, cmds: &mut Vec<Command>) {
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

/// The meeting being exported: the open one, else the home list's selection.
fn export_target<'a>(
    screen: Screen,
    view: Option<&'a MeetingView>,
    home: &'a crate::app::Home,
    documents: &'a std::collections::HashMap<MeetingId, Document>,
) -> crate::app::export::Target<'a> {
    match (screen, view) {
        (Screen::Meeting, Some(view)) => Some((&view.meeting, view.document())),
        _ => {
            let meeting = home
                .meetings
                .all
                .get(home.meeting_at(home.list.selected)?)?;
            Some((meeting, documents.get(&meeting.id)))
        }
    }
}

/// An answer to the export dialog's write goes to the dialog, while it waits for it.
fn export_reply(state: &mut State, id: RequestId, event: ClientEvent, cmds: &mut Vec<Command>) {
    let Some(Overlay::Export(dialog)) = &mut state.overlay else {
        return;
    };
    if state.requests.get(id) != Some(&Pending::Export) {
        return;
    }
    // Progress reports come before the answer, which ends the wait.
    if !matches!(event, ClientEvent::ExportProgress { .. }) {
        state.requests.answer(id);
    }
    let fx = dialog.on_reply(event);
    apply(state, fx, cmds);
}

/// Applies what a screen asked for, in order.
fn apply(state: &mut State, effects: Vec<Effect>, cmds: &mut Vec<Command>) {
    for effect in effects {
        match effect {
            Effect::Command(cmd) => cmds.push(cmd),
            Effect::Toast { text, error } => toast(state, &text, error),
            Effect::Status(text) => state.status.message = Some(text),
            Effect::Failed(error) => request_failed(state, error),
            Effect::Open(overlay) => open_overlay(state, overlay),
            Effect::CloseOverlay => state.overlay = None,
            Effect::ClearMarks => state.home.marked.clear(),
            Effect::Quit => {
                state.should_quit = true;
                cmds.push(Command::Quit);
            }
            Effect::Succeeded => succeeded(state),
            Effect::Relayout => relayout(state),
            Effect::LeaveMeeting => leave_meeting(state),
            Effect::ReloadMeeting => reload_meeting(state, cmds),
            Effect::Sync => start_sync(state, cmds),
            Effect::OpenMeeting(opening) => open_opening(state, *opening, cmds),
            Effect::OpenTools => open_tools(state, cmds),
            Effect::CloseTools => close_tools(state),
        }
    }
}

/// Opens a dialog; a new export dialog, so a write the last one started is no longer its news.
fn open_overlay(state: &mut State, overlay: Overlay) {
    if let Overlay::Export(_) = overlay {
        state.requests.forget(|p| *p == Pending::Export);
    }
    state.overlay = Some(overlay);
}

/// Opens a meeting known by its id: the listed one, or else (not paged in yet, or not a recorded
/// meeting) what the caller knows of it, without adding it to the list; its document is fetched.
fn open_named_meeting(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    let meeting = state.home.listed_or(meeting);
    open_view(state, meeting, cmds);
}

/// Opens the meeting a screen asked for, where it asked.
fn open_opening(state: &mut State, opening: Opening, cmds: &mut Vec<Command>) {
    if opening.from_tools {
        // The meeting the panel was opened over waits, as it was, for the panel to close.
        if state.tools.return_to == Some(Screen::Meeting) && state.tools.parked.is_none() {
            state.tools.parked = state.meeting.take().map(Box::new);
        }
        open_named_meeting(state, opening.meeting, cmds);
        state.tools.opened_meeting = state.screen == Screen::Meeting;
    } else {
        open_view(state, opening.meeting, cmds);
    }
    let Some(view) = &mut state.meeting else {
        return;
    };
    if opening.upcoming {
        view.notes.upcoming = true;
        let width = view.width;
        view.relayout(width);
    }
    if let Some((turn, term)) = opening.at {
        view.open_at(turn, term);
    }
    if let Some(section) = opening.section {
        view.open_at_section(section);
    }
}

/// Runs one of the home screen's updates with what it needs from `State`, then applies its
/// effects.
fn home_do(
    state: &mut State,
    cmds: &mut Vec<Command>,
    f: impl FnOnce(&mut crate::app::Home, &mut Ctx<'_>, &mut Vec<Effect>),
) {
    let mut fx = Vec::new();
    let elsewhere = (state.screen != Screen::Home).then(|| prompt_open(state));
    let mut ctx = Ctx {
        requests: &mut state.requests,
        local: &mut state.local,
        keymap: &state.keymap,
        size: state.size,
        now: state.now,
        elsewhere,
        meeting_open: state.meeting.is_some(),
    };
    f(&mut state.home, &mut ctx, &mut fx);
    apply(state, fx, cmds);
}

/// The meeting view for `meeting`, its document from the cache or fetched.
fn open_view(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    state.tools.opened_meeting = false;
    let row = crate::app::meetings::Row::of(&meeting);
    let document = match state.documents.get(&meeting.id) {
        Some(doc) => DocState::Ready(Box::new(doc.clone())),
        None => {
            fetch_document(state, meeting.id.clone(), cmds);
            DocState::Loading
        }
    };
    let area = layout::reading(state.size, false);
    let mut view = MeetingView::new(meeting, row, document, area.width, area.height);
    view.notes.reload_key = state
        .keymap
        .key_for(crate::app::keymap::Mode::Meeting, Action::Refresh)
        .map(|k| k.to_string());
    view.relayout(area.width);
    state.meeting = Some(view);
    state.screen = Screen::Meeting;
}

fn meeting_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let Some(view) = &mut state.meeting else {
        state.screen = Screen::Home;
        return;
    };
    let fx = view.on_action(action, &mut state.requests, &state.keymap);
    apply(state, fx, cmds);
}

/// Back where the meeting was opened from: a tool's result, or the list.
fn leave_meeting(state: &mut State) {
    let from_tools = std::mem::take(&mut state.tools.opened_meeting);
    state.screen = if from_tools {
        Screen::Tools
    } else {
        Screen::Home
    };
}

/// The open meeting's document, fetched again (its cached copy forgotten).
fn reload_meeting(state: &mut State, cmds: &mut Vec<Command>) {
    if !needs_server(state, "Reloading the meeting", cmds) {
        return;
    }
    if let Some(meeting) = state.meeting.as_ref().map(|v| v.meeting.id.clone()) {
        state.documents.remove(&meeting);
        fetch_document(state, meeting, cmds);
    }
    if let Some(view) = &mut state.meeting {
        view.set_document(DocState::Loading);
    }
}

/// Keys in the copy menu over the meeting.
fn copy_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let Some(Overlay::Copy { selected }) = &mut state.overlay else {
        return;
    };
    let choices = state
        .meeting
        .as_ref()
        .map(|v| v.copy_choices())
        .unwrap_or_default();
    let fx = crate::app::meeting_screen::copy_action(&choices, selected, action);
    apply(state, fx, cmds);
}

fn open_tools(state: &mut State, cmds: &mut Vec<Command>) {
    if state.local.offline_mode && state.tools.panel.is_none() {
        if state.screen != Screen::Tools {
            state.tools.return_to = Some(state.screen);
            state.tools.parked = None;
        }
        state.screen = Screen::Tools;
        state.tools.error = Some(
            "The tools are the server's: krisp-tui was started with --offline, which reads only the local store. Start it without --offline to use them."
                .into(),
        );
        return;
    }
    // From a meeting the panel itself opened, `:` is the way back to the panel: where the
    // panel was first opened from stays where closing it leads.
    let from_its_meeting = state.screen == Screen::Meeting && state.tools.opened_meeting;
    if state.screen != Screen::Tools && !from_its_meeting {
        state.tools.return_to = Some(state.screen);
        state.tools.parked = None;
    }
    state.screen = Screen::Tools;
    if state.tools.panel.is_none() && !state.requests.any(|p| *p == Pending::ToolList) {
        let id = state.requests.start(Pending::ToolList);
        state.tools.error = None;
        cmds.push(Command::ListTools { id });
    }
}

/// Leaves the panel for where it was opened from: the list, or the meeting as it was.
fn close_tools(state: &mut State) {
    let back = state.tools.return_to.take().unwrap_or(Screen::Home);
    if let Some(view) = state.tools.parked.take() {
        state.meeting = Some(*view);
    }
    state.tools.opened_meeting = false;
    state.screen = match back {
        Screen::Meeting if state.meeting.is_some() => {
            relayout(state);
            Screen::Meeting
        }
        Screen::Login | Screen::Tools | Screen::Meeting => Screen::Home,
        Screen::Home => Screen::Home,
    };
}

// ---------------------------------------------------------------- search

/// Fetches the meeting view's document: the one answer the view waits for.
fn fetch_document(state: &mut State, meeting: MeetingId, cmds: &mut Vec<Command>) {
    state.requests.forget(|p| matches!(p, Pending::Document(_)));
    let id = state.requests.start(Pending::Document(meeting.clone()));
    cmds.push(Command::FetchDocuments {
        id,
        ids: vec![meeting],
    });
}

// ---------------------------------------------------------------- client events

fn on_client(state: &mut State, event: ClientEvent, cmds: &mut Vec<Command>) {
    match event {
        ClientEvent::LoginRequired { note } => {
            to_login(state, note.map(|n| clean_line(&n).into_owned()));
        }
        ClientEvent::LoginUrlReady { .. }
        | ClientEvent::Connecting { .. }
        | ClientEvent::PasteRefused { .. }
        | ClientEvent::LoginFailed { .. } => state.login.on_event(event),
        ClientEvent::LoggedIn { server, account } => {
            state.status.server = clean_line(&server).into_owned();
            state.status.account = account.map(|a| clean_line(&a).into_owned());
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
        ClientEvent::DocumentsLoaded { id, result } => {
            let Some(Pending::Document(asked)) = state.requests.answer(id) else {
                return;
            };
            let Some(view) = &mut state.meeting else {
                return;
            };
            if view.document != DocState::Loading || view.meeting.id != asked {
                return;
            }
            // Every document that came is kept (and the list learns from it); the view shows
            // the one it asked for.
            let result = result.map(|docs| {
                for doc in docs {
                    state.home.meetings.learn(&doc);
                    state.documents.insert(doc.id.clone(), doc);
                }
                state
                    .documents
                    .get(&asked)
                    .cloned()
                    .unwrap_or_else(|| processing(asked))
            });
            let fx = view.on_document(result, &state.keymap);
            apply(state, fx, cmds);
        }
        ClientEvent::Retrying {
            id,
            attempt,
            attempts,
            wait,
            message,
        } => {
            if let Some(Pending::Document(asked)) = state.requests.get(id)
                && let Some(view) = &mut state.meeting
                && view.document == DocState::Loading
                && view.meeting.id == *asked
            {
                view.set_retrying(crate::app::meeting::Retrying {
                    attempt,
                    attempts,
                    wait,
                    message: clean_line(&message).into_owned(),
                });
            }
        }
        ClientEvent::ToolsListed { id, .. } | ClientEvent::ToolCalled { id, .. } => {
            let wanted = match &event {
                ClientEvent::ToolsListed { .. } => Pending::ToolList,
                _ => Pending::ToolCall,
            };
            if state.requests.answer(id) != Some(wanted) {
                return;
            }
            let fx = state.tools.on_reply(event, &state.keymap);
            apply(state, fx, cmds);
        }
        ClientEvent::Exported { id, .. }
        | ClientEvent::ExportProgress { id, .. }
        | ClientEvent::ExportedMany { id, .. }
        | ClientEvent::ExportExists { id, .. } => export_reply(state, id, event, cmds),
        ClientEvent::MeetingsLoaded { .. }
        | ClientEvent::FeedLoaded { .. }
        | ClientEvent::StoredMeetings { .. }
        | ClientEvent::IdsListed { .. }
        | ClientEvent::StoreChanged
        | ClientEvent::StoredSearch { .. } => home_do(state, cmds, |home, ctx, fx| {
            home.on_reply(event, ctx, fx);
        }),
        ClientEvent::ContextRead { at, turns } => {
            crate::app::preview::context_read(state, at, turns);
        }
        ClientEvent::MeetingRead { meeting } => {
            if let Some(view) = &mut state.meeting
                && view.meeting.id == meeting.id
            {
                view.set_meeting((*meeting).clone());
            }
            state.home.meetings.update(*meeting);
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
                    let message = clean_line(&e.message).into_owned();
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
            let reason = clean_line(&reason).into_owned();
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
    }
}

fn processing(id: MeetingId) -> Document {
    Document {
        id,
        state: DocumentState::Processing,
        recording_url: None,
        sections: Vec::new(),
        transcript: Transcript::default(),
        unparsed: String::new(),
    }
}

/// The login screen, with why the user is there; logging in comes back to where they were.
fn to_login(state: &mut State, note: Option<String>) {
    if state.screen != Screen::Login {
        state.login.return_to = Some(state.screen);
    }
    state.screen = Screen::Login;
    state.overlay = None;
    state.login.state = LoginState::Idle;
    state.login.note = note;
}

/// A failed request: an expired session goes to the login screen, anything else to the toast.
fn request_failed(state: &mut State, error: RequestError) {
    if error.auth_required {
        return to_login(state, Some(SESSION_EXPIRED.into()));
    }
    let message = clean_line(&error.message).into_owned();
    if error.unreachable {
        went_offline(state, &message);
    }
    toast(state, &message, true);
    state.status.last_error = Some(message);
}

/// The server could not be reached: the footer says offline from now (or from when it first
/// failed), until a connection works again.
fn went_offline(state: &mut State, reason: &str) {
    if state.local.offline.is_none() || state.local.reconnecting {
        state.local.offline_since = state.local.offline_since.or(state.wall);
    }
    state.local.offline = Some(reason.to_owned());
    state.local.reconnecting = false;
}

/// An action that needs the server, asked for while it is not there: says so at once. With
/// `--offline` it explains why it cannot be done (`false`); after the server was unreachable it
/// tries to connect again (and says so), and the action goes ahead (`true`).
fn needs_server(state: &mut State, what: &str, cmds: &mut Vec<Command>) -> bool {
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
            let (_, hm) = crate::timefmt::date_and_time_in(at, crate::timefmt::zone());
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
fn resume_after_login(state: &mut State, cmds: &mut Vec<Command>) {
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
fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 60.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// Shows a toast that expires after [`TOAST_FOR`], and keeps it for the messages overlay.
fn toast(state: &mut State, text: &str, error: bool) {
    show_toast(state, text, error, false);
}

/// A calm toast: why something is not available, or what is being tried.
fn note(state: &mut State, text: &str) {
    show_toast(state, text, false, true);
}

fn show_toast(state: &mut State, text: &str, error: bool, note: bool) {
    let text = clean_line(text).into_owned();
    remember(state, &text, error, note);
    state.toast = Some(Toast {
        text,
        error,
        note,
        lasting: false,
        until: state.now + TOAST_FOR,
    });
}

/// Keep a toast's text for the messages overlay.
fn remember(state: &mut State, text: &str, error: bool, note: bool) {
    state.messages.push_back(crate::app::Message {
        text: text.to_owned(),
        error,
        note,
        at: state.wall,
    });
    while state.messages.len() > crate::app::MESSAGES_KEPT {
        state.messages.pop_front();
    }
}

/// Problems with the configuration, found at start: all of them in one toast, a line each,
/// that a request succeeding meanwhile does not take away; each in the messages overlay.
pub fn show_problems(state: &mut State, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|p| clean_line(p).into_owned())
        .collect();
    for line in &lines {
        remember(state, line, true, false);
    }
    let seconds = u32::try_from(lines.len().min(3)).unwrap_or(3);
    state.toast = Some(Toast {
        text: lines.join("\n"),
        error: true,
        note: false,
        lasting: true,
        until: state.now + TOAST_FOR * seconds,
    });
}

/// A request succeeded: an error shown for an earlier one is no longer news.
fn succeeded(state: &mut State) {
    state.status.last_error = None;
    if state.toast.as_ref().is_some_and(|t| t.error && !t.lasting) {
        state.toast = None;
    }
}

/// Whether a one-line prompt sits above the main pane.
pub fn prompt_open(state: &State) -> bool {
    match state.screen {
        Screen::Home => state.home.prompt_open(),
        Screen::Meeting => state
            .meeting
            .as_ref()
            .is_some_and(|v| v.search.is_some() || v.jump.is_some()),
        _ => false,
    }
}

/// The terminal size or a prompt changed: lay out the meeting view and clamp the lists again.
fn relayout(state: &mut State) {
    let prompt = prompt_open(state);
    if let Some(view) = &mut state.meeting {
        let area = layout::reading(state.size, prompt);
        view.height = area.height;
        if view.width != area.width {
            view.relayout(area.width);
        } else {
            view.scroll_to(view.scroll);
        }
    }
    let height = usize::from(layout::table_rows(state.size, prompt).height);
    let len = state.home.visible_len();
    state.home.list.clamp(len, height);
}
