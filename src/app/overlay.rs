//! The dialogs over a screen: help, the messages, the meeting's copy menu and the export
//! dialog. Help opened over a dialog keeps the dialog behind it; an action goes to the dialog
//! in front, and a write's answer to the export dialog wherever it is (in front, or behind
//! help). Each returns effects for the router.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::effect::Effect;
use crate::app::export::Target;
use crate::app::help;
use crate::app::meeting::MeetingView;
use crate::app::requests::Pending;
use crate::app::{Home, Overlay, Screen, State};
use crate::krisp::{Document, MeetingId};
use crate::message::{Action, ClientEvent, RequestId};

/// An action that opens help or the messages, or any action while a dialog is open; `None`
/// when no dialog takes it and it is the screen's.
pub(super) fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Help if !matches!(state.overlay, Some(Overlay::Help { .. })) => {
            // Help over a dialog keeps the dialog: closing help shows it again as it was.
            let behind = match state.overlay.take() {
                Some(dialog @ (Overlay::Export(_) | Overlay::Copy { .. })) => {
                    Some(Box::new(dialog))
                }
                _ => None,
            };
            state.overlay = Some(Overlay::Help { scroll: 0, behind });
            return Some(Vec::new());
        }
        Action::Messages if state.overlay.is_none() => {
            state.overlay = Some(Overlay::Messages { scroll: 0 });
            return Some(Vec::new());
        }
        _ => {}
    }
    match &mut state.overlay {
        Some(Overlay::Help { .. } | Overlay::Messages { .. }) => Some(scroll(state, action)),
        Some(Overlay::Export(dialog)) => {
            let target = export_target(
                state.screen,
                state.meeting.as_ref(),
                &state.home,
                &state.documents,
            );
            let home_dir = state.home_dir.as_deref();
            Some(dialog.on_action(action, target, &mut state.requests, home_dir))
        }
        Some(Overlay::Copy { selected }) => {
            let choices = state
                .meeting
                .as_ref()
                .map(|v| v.copy_choices())
                .unwrap_or_default();
            Some(crate::app::meeting_screen::copy_action(
                &choices, selected, action,
            ))
        }
        None => None,
    }
}

/// `y` and `n` answer the export dialog's overwrite question, whatever else they are bound to.
pub(super) fn confirm_key(state: &State, key: KeyEvent) -> Option<Action> {
    let Some(Overlay::Export(dialog)) = &state.overlay else {
        return None;
    };
    dialog.confirm.as_ref()?;
    match key.code {
        KeyCode::Char('y' | 'Y') => Some(Action::Select),
        KeyCode::Char('n' | 'N') => Some(Action::Back),
        _ => None,
    }
}

/// A key no binding claimed, typed into the export dialog's path; `false` when no dialog
/// takes typing.
pub(super) fn type_key(state: &mut State, key: KeyEvent) -> bool {
    let Some(Overlay::Export(dialog)) = &mut state.overlay else {
        return false;
    };
    dialog.type_key(key);
    true
}

/// Pasted text, into the export dialog's path; `false` when no dialog is in front.
pub(super) fn paste(state: &mut State, text: &str, typing: bool) -> bool {
    let Some(Overlay::Export(dialog)) = &mut state.overlay else {
        return false;
    };
    dialog.paste(text, typing);
    true
}

/// Keys on the help or messages overlay: scroll (clamped to what there is), or close, onto
/// the dialog help was opened over.
fn scroll(state: &mut State, action: Action) -> Vec<Effect> {
    let len = match &state.overlay {
        Some(Overlay::Help { .. }) => help::row_count(state),
        _ => help::message_row_count(state),
    };
    let page = help::visible_rows(state);
    let max = len.saturating_sub(page);
    let (scroll, behind) = match &mut state.overlay {
        Some(Overlay::Help { scroll, behind }) => (scroll, Some(behind)),
        Some(Overlay::Messages { scroll }) => (scroll, None),
        _ => return Vec::new(),
    };
    *scroll = match action {
        Action::Back | Action::Help | Action::Messages => {
            return match behind.and_then(|b| b.take()) {
                Some(dialog) => {
                    state.overlay = Some(*dialog);
                    Vec::new()
                }
                None => vec![Effect::CloseOverlay],
            };
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
    Vec::new()
}

/// The meeting being exported: the open one, else the home list's selection.
fn export_target<'a>(
    screen: Screen,
    view: Option<&'a MeetingView>,
    home: &'a Home,
    documents: &'a HashMap<MeetingId, Document>,
) -> Target<'a> {
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

/// An answer to the export dialog's write goes to the dialog while it waits for it: in front,
/// or behind help opened meanwhile (where its closing is the dialog's alone: the help being
/// read stays open).
pub(super) fn on_reply(state: &mut State, id: RequestId, event: ClientEvent) -> Vec<Effect> {
    let (dialog, under_help) = match &mut state.overlay {
        Some(Overlay::Export(dialog)) => (dialog, false),
        Some(Overlay::Help {
            behind: Some(behind),
            ..
        }) => match &mut **behind {
            Overlay::Export(dialog) => (dialog, true),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    if state.requests.get(id) != Some(&Pending::Export) {
        return Vec::new();
    }
    // Progress reports come before the answer, which ends the wait.
    if !matches!(event, ClientEvent::ExportProgress { .. }) {
        state.requests.answer(id);
    }
    let mut fx = dialog.on_reply(event);
    if under_help && fx.iter().any(|e| matches!(e, Effect::CloseOverlay)) {
        fx.retain(|e| !matches!(e, Effect::CloseOverlay));
        if let Some(Overlay::Help { behind, .. }) = &mut state.overlay {
            *behind = None;
        }
    }
    fx
}

/// Opens a dialog; a new export dialog, so a write the last one started is no longer its news.
pub(super) fn open(state: &mut State, overlay: Overlay) {
    if let Overlay::Export(_) = overlay {
        state.requests.forget(|p| *p == Pending::Export);
    }
    state.overlay = Some(overlay);
}
