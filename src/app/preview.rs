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
use crate::library::ContextTurn;
use crate::message::{Command, HitAt};

/// How long the selection rests on a meeting before its notes are read from the store.
pub const PAUSE: Duration = Duration::from_millis(150);

/// Turns of the transcript shown on each side of a search hit's turn.
pub const CONTEXT_RADIUS: usize = 3;

/// What `lines` were laid out for: the meeting, the pane's size, the list's revision, and the
/// search hit (its turn and the query) when the selection is one with a turn.
type LaidFor = (MeetingId, (u16, u16), u64, Option<(usize, String)>);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preview {
    laid_for: Option<LaidFor>,
    pub lines: Vec<ViewLine>,
    /// A light copy whose notes are to be read from the store, and since when it is selected.
    pub wanted: Option<(MeetingId, Instant)>,
    /// Meetings read from the store already (each once: one without notes stays light).
    asked: HashSet<MeetingId>,
    /// A search hit in the transcript whose turns are to be read from the store, and since
    /// when it is selected.
    pub context_wanted: Option<(HitAt, Instant)>,
    /// The turns around the selected hit, as the store answered.
    pub context: Option<(HitAt, Vec<ContextTurn>)>,
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
    // A search hit in a transcript, from the store: the preview shows its turns in context
    // (from `CONTEXT_MIN_WIDTH` columns) instead of the notes.
    let hit = home
        .search
        .as_ref()
        .filter(|_| home.searching() && state.size.width >= CONTEXT_MIN_WIDTH)
        .and_then(|s| {
            let found = s.found.get(s.hits.get(home.list.selected)?.found?)?;
            let text = s.stored.as_ref()?.text.clone();
            Some(HitAt {
                meeting: found.meeting.clone(),
                turn: found.turn?,
                text,
            })
        });
    let key = selected.map(|i| {
        (
            home.meetings.all[i].id.clone(),
            (width, pane.height),
            home.meetings.revision,
            hit.as_ref().map(|h| (h.turn, h.text.clone())),
        )
    });
    let preview = &mut home.preview;
    let context = preview
        .context
        .as_ref()
        .filter(|(at, _)| Some(at) == hit.as_ref())
        .map(|(_, turns)| turns.as_slice());
    if key != preview.laid_for {
        preview.laid_for = key;
        preview.wanted = None;
        preview.context_wanted = None;
        preview.lines.clear();
        if let Some(i) = selected {
            let meeting = &home.meetings.all[i];
            let row = &home.meetings.rows[i];
            if let Some(hit) = &hit {
                if context.is_none() {
                    preview.context_wanted = Some((hit.clone(), state.now));
                }
                let height = usize::from(pane.height.saturating_sub(2));
                preview.lines = context_lines(row, hit, context, usize::from(width), height);
            } else {
                let reading = state.local.enabled
                    && !is_full(meeting)
                    && !preview.asked.contains(&meeting.id);
                if reading {
                    preview.wanted = Some((meeting.id.clone(), state.now));
                }
                preview.lines = lines(meeting, row, usize::from(width), reading, &state.zone);
            }
        }
    }
    if let Some((id, since)) = &preview.wanted
        && state.now.duration_since(*since) >= PAUSE
    {
        preview.asked.insert(id.clone());
        cmds.push(Command::ReadMeeting { id: id.clone() });
        preview.wanted = None;
    }
    if let Some((at, since)) = &preview.context_wanted
        && state.now.duration_since(*since) >= PAUSE
    {
        cmds.push(Command::ReadContext {
            at: at.clone(),
            radius: CONTEXT_RADIUS,
        });
        preview.context_wanted = None;
    }
}

/// The store's turns around a hit arrived: shown if the hit is still the one selected.
pub fn context_read(state: &mut State, at: HitAt, turns: Vec<ContextTurn>) {
    let preview = &mut state.home.preview;
    preview.context = Some((at, turns));
    // Laid out again on the next `sync`.
    preview.laid_for = None;
}

/// From this many columns the preview shows a search hit's turns in context: a narrower
/// preview has no room for a transcript.
pub const CONTEXT_MIN_WIDTH: u16 = 160;

/// The name, when and people, then the transcript turns around the hit, the hit's turn marked
/// with `▌` and the query's words highlighted, the hit's turn in view in `height` lines.
pub fn context_lines(
    row: &Row,
    hit: &HitAt,
    turns: Option<&[ContextTurn]>,
    width: usize,
    height: usize,
) -> Vec<ViewLine> {
    let width = width.max(8);
    let mut out = Vec::new();
    let plain = |tone: Tone, text: &str, out: &mut Vec<ViewLine>| {
        for piece in wrap(text, width) {
            out.push(ViewLine {
                spans: vec![(tone, piece.to_owned())],
                turn: None,
            });
        }
    };
    plain(Tone::Title, &row.name, &mut out);
    plain(
        Tone::Dim,
        format!("{} {}", row.date, row.time).trim(),
        &mut out,
    );
    if !row.people.is_empty() {
        plain(Tone::Text, &row.people, &mut out);
    }
    out.push(ViewLine {
        spans: Vec::new(),
        turn: None,
    });
    let Some(turns) = turns else {
        plain(
            Tone::Dim,
            "Reading the transcript around the hit…",
            &mut out,
        );
        return out;
    };
    if turns.is_empty() {
        plain(Tone::Dim, "The store no longer holds this turn.", &mut out);
        return out;
    }
    // Each turn's lines; the turns before the hit are dropped from the top while the hit's
    // turn would not be in view.
    let mut blocks: Vec<(bool, Vec<ViewLine>)> = Vec::new();
    for t in turns {
        let mut out = Vec::new();
        let at = t.turn == hit.turn;
        let head = format!("{}  {}", crate::krisp::clock(t.start_ms), t.speaker);
        out.push(ViewLine {
            spans: vec![(if at { Tone::Accent } else { Tone::Dim }, head)],
            turn: Some(t.turn),
        });
        // The turn's text on one line (a line break shows as `␤`) with its highlights moved
        // along, wrapped; a hit's words in `Match`.
        let (text, marks) = crate::sanitize::clean_highlighted(&t.text, &t.highlights);
        let bar = if at { "▌ " } else { "  " };
        for piece in wrap(&text, width.saturating_sub(2).max(4)) {
            // `wrap` gives slices of `text`: where each starts is where it points.
            let start = piece.as_ptr() as usize - text.as_ptr() as usize;
            let end = start + piece.len();
            let mut spans = vec![(Tone::Accent, bar.to_owned())];
            let mut at_byte = start;
            for m in marks.iter().filter(|m| m.start < end && m.end > start) {
                let (s, e) = (m.start.max(start), m.end.min(end));
                if s > at_byte {
                    spans.push((Tone::Text, text[at_byte..s].to_owned()));
                }
                spans.push((Tone::Match, text[s..e].to_owned()));
                at_byte = e;
            }
            if at_byte < end {
                spans.push((Tone::Text, text[at_byte..end].to_owned()));
            }
            out.push(ViewLine {
                spans,
                turn: Some(t.turn),
            });
        }
        out.push(ViewLine {
            spans: Vec::new(),
            turn: None,
        });
        blocks.push((at, out));
    }
    let through_hit = |blocks: &[(bool, Vec<ViewLine>)]| -> usize {
        let end = blocks.iter().position(|(at, _)| *at).map_or(0, |i| i + 1);
        blocks[..end].iter().map(|(_, lines)| lines.len()).sum()
    };
    while out.len() + through_hit(&blocks) > height && blocks.first().is_some_and(|(at, _)| !at) {
        blocks.remove(0);
    }
    out.extend(blocks.into_iter().flat_map(|(_, lines)| lines));
    out
}

/// The name, when, length and people, then the notes (or why there are none); times in `tz`.
pub fn lines(
    meeting: &Meeting,
    row: &Row,
    width: usize,
    reading: bool,
    tz: &jiff::tz::TimeZone,
) -> Vec<ViewLine> {
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
    notes(&mut out, meeting, width, tz);
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
