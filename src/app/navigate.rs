//! Moving between screens: opening a meeting (and where in it), leaving it, reloading its
//! document, opening and closing the tools panel.

use crate::app::connection::needs_server;
use crate::app::effect::Opening;
use crate::app::layout::{self, relayout};
use crate::app::meeting::{DocState, MeetingView};
use crate::app::requests::Pending;
use crate::app::{Screen, State};
use crate::krisp::{Meeting, MeetingId};
use crate::message::{Action, Command};

/// Opens a meeting known by its id: the listed one, or else (not paged in yet, or not a recorded
/// meeting) what the caller knows of it, without adding it to the list; its document is fetched.
pub(super) fn open_named_meeting(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    let meeting = state.home.listed_or(meeting);
    open_view(state, meeting, cmds);
}

/// Opens the meeting a screen asked for, where it asked.
pub(super) fn open_opening(state: &mut State, opening: Opening, cmds: &mut Vec<Command>) {
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

/// The meeting view for `meeting`, its document from the cache or fetched.
pub(super) fn open_view(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    state.tools.opened_meeting = false;
    let row = crate::app::meetings::Row::of(&meeting, &state.zone);
    let document = match state.documents.get(&meeting.id) {
        Some(doc) => DocState::Ready(Box::new(doc.clone())),
        None => {
            fetch_document(state, meeting.id.clone(), cmds);
            DocState::Loading
        }
    };
    let area = layout::reading(state.size, false);
    let mut view = MeetingView::new(
        meeting,
        row,
        document,
        state.zone.clone(),
        area.width,
        area.height,
    );
    view.notes.reload_key = state
        .keymap
        .key_for(crate::app::keymap::Mode::Meeting, Action::Refresh)
        .map(|k| k.to_string());
    view.relayout(area.width);
    state.meeting = Some(view);
    state.screen = Screen::Meeting;
}

/// Back where the meeting was opened from: a tool's result, or the list.
pub(super) fn leave_meeting(state: &mut State) {
    let from_tools = std::mem::take(&mut state.tools.opened_meeting);
    state.screen = if from_tools {
        Screen::Tools
    } else {
        Screen::Home
    };
}

/// The open meeting's document, fetched again (its cached copy forgotten).
pub(super) fn reload_meeting(state: &mut State, cmds: &mut Vec<Command>) {
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

pub(super) fn open_tools(state: &mut State, cmds: &mut Vec<Command>) {
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
pub(super) fn close_tools(state: &mut State) {
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

/// Fetches the meeting view's document: the one answer the view waits for.
pub(super) fn fetch_document(state: &mut State, meeting: MeetingId, cmds: &mut Vec<Command>) {
    state.requests.forget(|p| matches!(p, Pending::Document(_)));
    let id = state.requests.start(Pending::Document(meeting.clone()));
    cmds.push(Command::FetchDocuments {
        id,
        ids: vec![meeting],
    });
}
