//! The preview pane beside the meeting list on wide terminals: the selected meeting's notes,
//! laid out when the selection, the meeting or the width changes (not per frame). A light copy
//! from the local store gets its notes read from the store, once the selection rests on it: the
//! server is never asked, and holding `j` down does not read every meeting passed.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::app::meeting::{Tone, ViewLine, notes, wrap};
use crate::app::meetings::{Row, is_full};
use crate::app::{Screen, State, Tab, layout, prompt_open};
use crate::krisp::{Meeting, MeetingId};
use crate::message::Command;

/// How long the selection rests on a meeting before its notes are read from the store.
pub const PAUSE: Duration = Duration::from_millis(150);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preview {
    /// The meeting, text width and list revision `lines` were laid out for.
    laid_for: Option<(MeetingId, u16, u64)>,
    pub lines: Vec<ViewLine>,
    /// A light copy whose notes are to be read from the store, and since when it is selected.
    pub wanted: Option<(MeetingId, Instant)>,
    /// Meetings read from the store already (each once: one without notes stays light).
    asked: HashSet<MeetingId>,
}

/// Lays the preview out again when what it shows changed, and asks the store for a light
/// copy's notes once the selection has rested for [`PAUSE`]. Runs after every message.
pub fn sync(state: &mut State, cmds: &mut Vec<Command>) {
    let pane = layout::preview(state.size, prompt_open(state));
    let shown = state.screen == Screen::Home && state.home.tab == Tab::Meetings;
    let (Some(pane), true) = (pane, shown) else {
        state.home.preview.wanted = None;
        return;
    };
    let width = pane.width;
    let home = &mut state.home;
    let selected = home.meeting_at(home.list.selected);
    let key = selected.map(|i| {
        (
            home.meetings.all[i].id.clone(),
            width,
            home.meetings.revision,
        )
    });
    let preview = &mut home.preview;
    if key != preview.laid_for {
        preview.laid_for = key;
        preview.wanted = None;
        preview.lines.clear();
        if let Some(i) = selected {
            let meeting = &home.meetings.all[i];
            let reading =
                state.local.enabled && !is_full(meeting) && !preview.asked.contains(&meeting.id);
            if reading {
                preview.wanted = Some((meeting.id.clone(), state.now));
            }
            preview.lines = lines(meeting, &home.meetings.rows[i], usize::from(width), reading);
        }
    }
    if let Some((id, since)) = &preview.wanted
        && state.now.duration_since(*since) >= PAUSE
    {
        preview.asked.insert(id.clone());
        cmds.push(Command::ReadMeeting { id: id.clone() });
        preview.wanted = None;
    }
}

/// The name, when, length and people, then the notes (or why there are none).
pub fn lines(meeting: &Meeting, row: &Row, width: usize, reading: bool) -> Vec<ViewLine> {
    let mut out = Vec::new();
    let one = |tone: Tone, text: &str, out: &mut Vec<ViewLine>| {
        for piece in wrap(text, width.max(4)) {
            out.push(ViewLine {
                spans: vec![(tone, piece.to_owned())],
                turn: None,
            });
        }
    };
    one(Tone::Title, &row.name, &mut out);
    let mut when = vec![format!("{} {}", row.date, row.time).trim().to_owned()];
    if !row.length.is_empty() {
        when.push(row.length.clone());
    }
    if row.processing {
        when.push("processing".to_owned());
    }
    one(Tone::Dim, &when.join("  ·  "), &mut out);
    if !row.people.is_empty() {
        one(Tone::Text, &row.people, &mut out);
    }
    let before = out.len();
    notes(&mut out, meeting, width);
    if out.len() == before {
        let (tone, note) = if reading {
            (Tone::Dim, "Reading the notes…")
        } else if row.processing {
            (
                Tone::Warning,
                "Krisp is still processing this meeting: no notes yet.",
            )
        } else {
            (Tone::Dim, "No notes for this meeting.")
        };
        out.push(ViewLine {
            spans: Vec::new(),
            turn: None,
        });
        one(tone, note, &mut out);
    }
    out
}
