//! `update`, the router: every message in, commands out. Keys become actions through the keymap
//! and go to the screen or dialog in front; a reply goes to the screen whose request it answers
//! (the request registry says which, and whether it is still wanted); the effects the screens
//! return are applied here. Synchronous, no I/O, no clock: `now` is an argument.

use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::connection::{self, request_failed, start_sync, to_login};
use crate::app::effect::Effect;
use crate::app::home::Ctx;
use crate::app::layout::{self, prompt_open, relayout};
use crate::app::meeting::DocState;
use crate::app::navigate::{close_tools, leave_meeting, open_opening, open_tools, reload_meeting};
use crate::app::requests::Pending;
use crate::app::toast::{succeeded, toast};
use crate::app::{Screen, State, overlay};
use crate::krisp::{Document, DocumentState, MeetingId, Transcript};
use crate::message::{Action, ClientEvent, Command, Msg, RequestId};

/// Lines moved per mouse-wheel notch.
const WHEEL_LINES: isize = 3;

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
        Msg::ClipboardCut { limit } => toast(
            state,
            &format!(
                "Copied the first {} KB only: terminals refuse longer clipboard writes.",
                limit / 1000
            ),
            true,
        ),
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
    if let Some(action) = overlay::confirm_key(state, key) {
        return on_action(state, action, cmds);
    }
    match state.keymap.action(mode, key) {
        Some(action) => on_action(state, action, cmds),
        None if typing => type_into(state, key, cmds),
        None => {}
    }
}

/// A key that no binding claimed, typed into the focused text field.
fn type_into(state: &mut State, key: KeyEvent, cmds: &mut Vec<Command>) {
    if overlay::type_key(state, key) {
        return;
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
    if overlay::paste(state, text, typing) {
        return;
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
        Action::Tools if state.screen != Screen::Login && state.overlay.is_none() => {
            open_tools(state, cmds);
            return;
        }
        _ => {}
    }
    if let Some(fx) = overlay::on_action(state, action) {
        return apply(state, fx, cmds);
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

/// An answer to the export dialog's write: the dialog's (see [`overlay::on_reply`]).
fn export_reply(state: &mut State, id: RequestId, event: ClientEvent, cmds: &mut Vec<Command>) {
    let fx = overlay::on_reply(state, id, event);
    apply(state, fx, cmds);
}

/// Applies what a screen asked for, in order.
pub(super) fn apply(state: &mut State, effects: Vec<Effect>, cmds: &mut Vec<Command>) {
    for effect in effects {
        match effect {
            Effect::Command(cmd) => cmds.push(cmd),
            Effect::Toast { text, error } => toast(state, &text, error),
            Effect::Status(text) => state.status.message = Some(text),
            Effect::Failed(error) => request_failed(state, error),
            Effect::Open(dialog) => overlay::open(state, dialog),
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

/// Runs one of the home screen's updates with what it needs from `State`, then applies its
/// effects.
pub(super) fn home_do(
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
        zone: &state.zone,
        size: state.size,
        now: state.now,
        elsewhere,
        meeting_open: state.meeting.is_some(),
    };
    f(&mut state.home, &mut ctx, &mut fx);
    apply(state, fx, cmds);
}

pub(super) fn meeting_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let Some(view) = &mut state.meeting else {
        state.screen = Screen::Home;
        return;
    };
    let fx = view.on_action(action, &mut state.requests, &state.keymap);
    apply(state, fx, cmds);
}

// ---------------------------------------------------------------- client events

/// A reply from the client task: its server text made safe for the screen here, once
/// (`ClientEvent::sanitized`), then handed to the screen that asked.
fn on_client(state: &mut State, event: ClientEvent, cmds: &mut Vec<Command>) {
    let event = event.sanitized();
    match event {
        ClientEvent::LoginRequired { note } => {
            to_login(state, note);
        }
        ClientEvent::LoginUrlReady { .. }
        | ClientEvent::Connecting { .. }
        | ClientEvent::PasteRefused { .. }
        | ClientEvent::LoginFailed { .. } => state.login.on_event(event),
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
                    state.home.meetings.learn(&doc, &state.zone);
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
                    message,
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
        ClientEvent::LoggedIn { .. }
        | ClientEvent::SyncProgress(_)
        | ClientEvent::SyncElsewhere
        | ClientEvent::SyncFinished(_)
        | ClientEvent::Offline { .. } => connection::on_event(state, event, cmds),
        ClientEvent::ContextRead { at, turns } => {
            crate::app::preview::context_read(state, at, turns);
        }
        ClientEvent::MeetingRead { meeting } => {
            if let Some(view) = &mut state.meeting
                && view.meeting.id == meeting.id
            {
                view.set_meeting((*meeting).clone());
            }
            state.home.meetings.update(*meeting, &state.zone);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_cut_short_by_the_terminal_is_a_toast_kept_with_the_others() {
        let now = Instant::now();
        let mut state = State::new("https://mcp.krisp.ai/mcp", "memory", now);
        let cmds = update(&mut state, Msg::ClipboardCut { limit: 100_000 }, now);
        let text = "Copied the first 100 KB only: terminals refuse longer clipboard writes.";
        assert_eq!(cmds, []);
        assert_eq!(
            state.toast,
            Some(crate::app::Toast {
                text: text.to_owned(),
                error: true,
                note: false,
                lasting: false,
                until: now + crate::app::TOAST_FOR,
            })
        );
        assert_eq!(
            state
                .messages
                .iter()
                .map(|m| m.text.as_str())
                .collect::<Vec<_>>(),
            [text]
        );
    }
}
