//! The meeting view: header, notes and transcript laid out once per width into sanitized lines,
//! so a frame draws only the visible slice; search inside it and jumping to a time.

use std::time::Duration;

use crate::app::input::LineInput;
use crate::app::meeting_layout::{find, layout};
pub use crate::app::meeting_layout::{notes, readable_line, speaker_tone, wrap};
use crate::app::meetings::Row;
pub use crate::krisp::format_offset;
use crate::krisp::{Document, Meeting, TalkTime};

/// Which theme style a span takes (the layout is theme-independent; `ui` maps these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Text,
    Dim,
    Title,
    Accent,
    Speaker(usize),
    Success,
    Warning,
    Error,
    /// A word the search matched.
    Match,
}

/// One laid-out screen line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewLine {
    pub spans: Vec<(Tone, String)>,
    /// The transcript turn this line belongs to.
    pub turn: Option<usize>,
}

impl ViewLine {
    pub(crate) fn new(spans: Vec<(Tone, String)>) -> Self {
        Self { spans, turn: None }
    }

    pub(crate) fn blank() -> Self {
        Self::new(Vec::new())
    }

    /// The line's text, spans concatenated (what the in-view search looks at).
    pub fn text(&self) -> String {
        self.spans.iter().map(|(_, s)| s.as_str()).collect()
    }
}

/// The document behind the transcript, fetched lazily.
#[derive(Debug, Clone, PartialEq)]
pub enum DocState {
    /// Asked for (the request is in [`crate::app::requests::Requests`]).
    Loading,
    Ready(Box<Document>),
    /// The fetch failed: the error, and the sentence saying which key retries.
    Failed {
        message: String,
        retry: String,
    },
}

/// The document request failed in a way worth retrying and the client task tries again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrying {
    /// Which retry comes next, of how many.
    pub attempt: u32,
    pub attempts: u32,
    pub wait: Duration,
    /// Why the last try failed, sanitized.
    pub message: String,
}

/// What the layout says beside the meeting's own data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// A retry of the failed transcript is coming.
    pub retrying: Option<Retrying>,
    /// Opened from the upcoming meetings: it has not happened yet.
    pub upcoming: bool,
    /// The key that reloads (from the keymap), for the sentences that name it.
    pub reload_key: Option<String>,
}

/// A hit of the in-view search: `line`, and the byte range inside `ViewLine::text()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextHit {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSearch {
    pub input: LineInput,
    pub editing: bool,
    pub hits: Vec<TextHit>,
    pub current: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingView {
    pub meeting: Box<Meeting>,
    pub row: Row,
    pub document: DocState,
    /// The zone its times are laid out in: the state's, given when the view opens.
    pub zone: jiff::tz::TimeZone,
    pub lines: Vec<ViewLine>,
    /// The width `lines` were laid out for.
    pub width: u16,
    /// Visible lines (set from the terminal size).
    pub height: u16,
    pub scroll: usize,
    /// First line of each transcript turn.
    pub turn_starts: Vec<usize>,
    pub transcript_start: Option<usize>,
    pub search: Option<TextSearch>,
    /// The "jump to time" prompt.
    pub jump: Option<LineInput>,
    /// Why the time typed in the prompt was not taken; the prompt stays open with it.
    pub jump_error: Option<String>,
    /// The transcript turn to show once the document is laid out (opened from a search hit).
    pub pending_turn: Option<usize>,
    /// The notes section to show once it is laid out (opened from an action item), by title.
    pub pending_section: Option<String>,
    pub notes: Notes,
    /// The header's talk-time bars and timeline, once the transcript is here.
    pub picture: Option<TalkPicture>,
}

/// What `relayout` keeps on screen across a change of width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// The current search hit (by its index among the hits), at this row of the view.
    Hit {
        index: usize,
        row: usize,
    },
    /// The start of a transcript turn at the top.
    Turn(usize),
    /// This many lines under the `index`-th section heading.
    Heading {
        index: usize,
        below: usize,
    },
    Line(usize),
}

/// The header's pictures, computed with the layout (once per document and width), not per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct TalkPicture {
    pub talk: TalkTime,
    /// One per timeline cell: the speaker (index into `talk.speakers`) who talked most in it.
    pub cells: Vec<Option<usize>>,
    /// One per speaker of `talk.speakers`: a one-column symbol (what the timeline shows without
    /// colour) and the speaker's tone (`Dim` for those folded into "others").
    pub legend: Vec<(char, Tone)>,
    /// Where the timeline's cells start, in columns from the left of the text.
    pub column: usize,
    /// The line the timeline cells go on (after its label), and the line under it (the time
    /// axis) where search hits are marked.
    pub timeline_line: usize,
    pub axis_line: usize,
    /// The cells holding a search hit, ascending.
    pub hit_cells: Vec<usize>,
}

impl MeetingView {
    pub fn new(
        meeting: Meeting,
        row: Row,
        document: DocState,
        zone: jiff::tz::TimeZone,
        width: u16,
        height: u16,
    ) -> Self {
        let mut view = Self {
            meeting: Box::new(meeting),
            row,
            document,
            zone,
            lines: Vec::new(),
            width,
            height,
            scroll: 0,
            turn_starts: Vec::new(),
            transcript_start: None,
            search: None,
            jump: None,
            jump_error: None,
            pending_turn: None,
            pending_section: None,
            notes: Notes::default(),
            picture: None,
        };
        view.relayout(width);
        view
    }

    /// A fresher copy of the meeting (its notes read in full).
    pub fn set_meeting(&mut self, meeting: Meeting) {
        *self.meeting = meeting;
        let width = self.width;
        self.relayout(width);
        self.go_to_section();
    }

    /// Opens at transcript turn `turn` with `term` in find-in-transcript, so `n`/`N` go on
    /// from there; if the transcript is still loading, once it arrives.
    pub fn open_at(&mut self, turn: Option<usize>, term: Option<String>) {
        if let Some(term) = term.filter(|t| !t.trim().is_empty()) {
            self.search = Some(TextSearch {
                input: LineInput::new(&term),
                editing: false,
                hits: Vec::new(),
                current: 0,
            });
        }
        self.pending_turn = turn;
        self.go_to_pending();
    }

    /// Opens at the notes section titled `title` (any case); if the notes are not laid out
    /// yet, once they are, unless the reader moves first.
    pub fn open_at_section(&mut self, title: &str) {
        self.pending_section = Some(title.to_owned());
        self.go_to_section();
    }

    fn go_to_section(&mut self) {
        let Some(title) = &self.pending_section else {
            return;
        };
        if let Some(line) = self.heading_lines().into_iter().find(|&i| {
            self.lines[i]
                .text()
                .trim()
                .eq_ignore_ascii_case(title.trim())
        }) {
            self.scroll_to(line);
            // Too near the end to be the top line (the transcript is still to come): asked
            // again when the view grows.
            if self.scroll == line {
                self.pending_section = None;
            }
        }
    }

    /// The lines that are section headings: a title line after a blank one, outside the turns.
    pub fn heading_lines(&self) -> Vec<usize> {
        (1..self.lines.len())
            .filter(|&i| {
                self.lines[i - 1].spans.is_empty()
                    && self.lines[i].turn.is_none()
                    && matches!(self.lines[i].spans.as_slice(), [(Tone::Title, _)])
            })
            .collect()
    }

    /// Scrolls to the turn `open_at` asked for, once the transcript is laid out.
    fn go_to_pending(&mut self) {
        let Some(turn) = self.pending_turn else {
            self.research();
            return;
        };
        let Some(&line) = self.turn_starts.get(turn) else {
            return;
        };
        self.pending_turn = None;
        self.scroll_to(line);
        self.research();
    }

    pub fn document(&self) -> Option<&Document> {
        match &self.document {
            DocState::Ready(d) => Some(d),
            _ => None,
        }
    }

    pub fn set_document(&mut self, document: DocState) {
        if !matches!(document, DocState::Loading) {
            self.notes.retrying = None;
        }
        let failed = matches!(document, DocState::Failed { .. });
        let at_end = self.scroll >= self.max_scroll();
        self.document = document;
        let width = self.width;
        self.relayout(width);
        // The error goes where the transcript would: a reader at the end sees it.
        if failed && at_end {
            self.scroll_to(usize::MAX);
        }
        if self.pending_turn.is_some() {
            self.go_to_pending();
        }
        self.go_to_section();
    }

    /// A retry of the failed document request is coming: say so where the transcript goes.
    pub fn set_retrying(&mut self, retrying: Retrying) {
        let at_end = self.scroll >= self.max_scroll();
        self.notes.retrying = Some(retrying);
        let width = self.width;
        self.relayout(width);
        if at_end {
            self.scroll_to(usize::MAX);
        }
    }

    pub fn max_scroll(&self) -> usize {
        self.lines
            .len()
            .saturating_sub(usize::from(self.height.max(1)))
    }

    pub fn scroll_to(&mut self, line: usize) {
        self.scroll = line.min(self.max_scroll());
    }

    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll_to(self.scroll.saturating_add_signed(delta));
    }

    /// The turn the reader is at: the one holding the top line, else the first one in view.
    pub fn current_turn(&self) -> Option<usize> {
        let end = (self.scroll + usize::from(self.height.max(1))).min(self.lines.len());
        self.lines
            .get(self.scroll)
            .and_then(|l| l.turn)
            .or_else(|| {
                self.lines
                    .get(self.scroll..end)?
                    .iter()
                    .find_map(|l| l.turn)
            })
    }

    /// The current search hit, when it is on screen.
    fn hit_in_view(&self) -> Option<(usize, TextHit)> {
        let search = self.search.as_ref()?;
        let hit = *search.hits.get(search.current)?;
        let h = usize::from(self.height.max(1));
        (hit.line >= self.scroll && hit.line < self.scroll + h).then_some((search.current, hit))
    }

    /// The turn the gutter marks and `y` copies: the current search hit's while it is on
    /// screen (after `n`/`N` the view shows a third of a screen above it, which may be another
    /// turn), else (no hit on screen, or one in the notes) the turn the reader is at.
    pub fn marked_turn(&self) -> Option<usize> {
        self.hit_in_view()
            .and_then(|(_, hit)| self.lines.get(hit.line)?.turn)
            .or_else(|| self.current_turn())
    }

    /// Where the reader is, in terms that survive a new width: the current hit on screen (its
    /// row kept), else the turn at the top, else the section heading above the top line.
    fn anchor(&self) -> Anchor {
        if let Some((index, hit)) = self.hit_in_view() {
            return Anchor::Hit {
                index,
                row: hit.line - self.scroll,
            };
        }
        if let Some(turn) = self.lines.get(self.scroll).and_then(|l| l.turn) {
            return Anchor::Turn(turn);
        }
        let headings = self.heading_lines();
        match headings.iter().rposition(|&l| l <= self.scroll) {
            Some(k) => Anchor::Heading {
                index: k,
                below: self.scroll - headings[k],
            },
            None => Anchor::Line(self.scroll),
        }
    }

    /// Lays the view out again for `width` columns, keeping the reader where they were: the
    /// current hit, the turn or the notes section on screen.
    pub fn relayout(&mut self, width: u16) {
        let anchor = self.anchor();
        self.width = width;
        let laid = layout(
            &self.meeting,
            &self.row,
            &self.document,
            &self.notes,
            usize::from(width.saturating_sub(1).max(8)),
            &self.zone,
        );
        self.lines = laid.lines;
        self.turn_starts = laid.turn_starts;
        self.transcript_start = laid.transcript_start;
        self.picture = laid.picture;
        if let Some(search) = &mut self.search {
            search.hits = find(&self.lines, search.input.text());
            search.current = search.current.min(search.hits.len().saturating_sub(1));
        }
        self.mark_hits();
        let line = match anchor {
            Anchor::Hit { index, row } => self
                .search
                .as_ref()
                .and_then(|s| s.hits.get(index))
                .map(|h| h.line.saturating_sub(row)),
            Anchor::Turn(turn) => self.turn_starts.get(turn).copied(),
            Anchor::Heading { index, below } => self.heading_lines().get(index).map(|&l| l + below),
            Anchor::Line(line) => Some(line),
        };
        self.scroll_to(line.unwrap_or(self.scroll));
    }

    /// Re-runs the in-view search after its text changed and shows the first hit at or below
    /// the top of the view.
    pub fn research(&mut self) {
        let Some(search) = &mut self.search else {
            return;
        };
        search.hits = find(&self.lines, search.input.text());
        search.current = search
            .hits
            .iter()
            .position(|h| h.line >= self.scroll)
            .unwrap_or(0);
        self.mark_hits();
        self.show_current_hit();
    }

    /// The timeline cell of a search hit in the transcript (`None` for hits in the notes).
    pub fn hit_cell(&self, hit: &TextHit) -> Option<usize> {
        let picture = self.picture.as_ref()?;
        let turn = self.lines.get(hit.line)?.turn?;
        let start = self.document()?.transcript.turns.get(turn)?.start;
        Some(picture.talk.cell_at(start, picture.cells.len()))
    }

    /// Works out again which timeline cells hold search hits (after the hits changed).
    fn mark_hits(&mut self) {
        let cells: Vec<usize> = match &self.search {
            Some(search) => {
                let mut cells: Vec<usize> = search
                    .hits
                    .iter()
                    .filter_map(|h| self.hit_cell(h))
                    .collect();
                cells.sort_unstable();
                cells.dedup();
                cells
            }
            None => Vec::new(),
        };
        if let Some(picture) = &mut self.picture {
            picture.hit_cells = cells;
        }
    }

    /// The next (or previous) hit. When the reader has scrolled away from the current hit
    /// (`G`, PgDn), the search goes on from the view: the first hit at or below its top line,
    /// or the last one above it.
    pub fn step_hit(&mut self, forward: bool) {
        let (scroll, height) = (self.scroll, usize::from(self.height.max(1)));
        let Some(search) = &mut self.search else {
            return;
        };
        let n = search.hits.len();
        if n == 0 {
            return;
        }
        let in_view = search
            .hits
            .get(search.current)
            .is_some_and(|h| h.line >= scroll && h.line < scroll + height);
        search.current = match (forward, in_view) {
            (true, true) => (search.current + 1) % n,
            (false, true) => (search.current + n - 1) % n,
            (true, false) => search
                .hits
                .iter()
                .position(|h| h.line >= scroll)
                .unwrap_or(0),
            (false, false) => search
                .hits
                .iter()
                .rposition(|h| h.line < scroll)
                .unwrap_or(n - 1),
        };
        self.show_current_hit();
    }

    /// The turn `y` copies: the one the gutter marks.
    pub fn copy_turn(&self) -> Option<usize> {
        self.marked_turn()
    }

    fn show_current_hit(&mut self) {
        let Some(hit) = self
            .search
            .as_ref()
            .and_then(|s| s.hits.get(s.current))
            .copied()
        else {
            return;
        };
        let h = usize::from(self.height.max(1));
        if hit.line < self.scroll || hit.line >= self.scroll + h {
            self.scroll_to(hit.line.saturating_sub(h / 3));
        }
    }

    /// Scrolls to the turn playing at `at` (the last one that starts at or before it).
    /// Where the last turn of the loaded transcript starts.
    pub fn transcript_end(&self) -> Option<Duration> {
        Some(self.document()?.transcript.turns.last()?.start)
    }

    pub fn jump_to(&mut self, at: Duration) -> bool {
        let Some(doc) = self.document() else {
            return false;
        };
        let turns = &doc.transcript.turns;
        if turns.is_empty() {
            return false;
        }
        let i = turns.partition_point(|t| t.start <= at).saturating_sub(1);
        match self.turn_starts.get(i) {
            Some(&line) => {
                self.scroll_to(line);
                true
            }
            None => false,
        }
    }
}

/// One entry of the copy menu: what it is, and the text it puts on the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyChoice {
    pub label: &'static str,
    pub text: String,
}

impl MeetingView {
    /// What the copy menu offers, in order; only what this meeting has.
    pub fn copy_choices(&self) -> Vec<CopyChoice> {
        let m = &self.meeting;
        let mut out = Vec::new();
        if let Some(turn) = self
            .copy_turn()
            .and_then(|i| self.document()?.transcript.turns.get(i))
        {
            out.push(CopyChoice {
                label: "Turn",
                text: turn_text(turn),
            });
        }
        if let Some(summary) = m.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            // As the view reads it: no Markdown markers on the clipboard or in the menu.
            let text: Vec<String> = summary
                .trim()
                .lines()
                .map(|l| readable_line(l, &self.zone).1)
                .collect();
            out.push(CopyChoice {
                label: "Summary",
                text: text.join("\n"),
            });
        }
        if !m.key_points.is_empty() {
            let text = m.key_points.iter().map(|p| format!("• {p}\n")).collect();
            out.push(CopyChoice {
                label: "Key points",
                text,
            });
        }
        if !m.action_items.is_empty() {
            let mut text = String::new();
            for item in &m.action_items {
                let mark = if item.completed { "x" } else { " " };
                text.push_str(&format!("- [{mark}] {}", m.display_text(item)));
                let who_due: Vec<String> = item
                    .assignee
                    .iter()
                    .cloned()
                    .chain(item.due_date.iter().map(|d| format!("due {d}")))
                    .collect();
                if !who_due.is_empty() {
                    text.push_str(&format!(" ({})", who_due.join(", ")));
                }
                text.push('\n');
            }
            out.push(CopyChoice {
                label: "Action items",
                text,
            });
        }
        if let Some(url) = m.url.as_deref().filter(|u| !u.trim().is_empty()) {
            out.push(CopyChoice {
                label: "Meeting link",
                text: url.trim().to_owned(),
            });
        }
        out
    }
}

/// A turn as `y` copies it: `Speaker (MM:SS): text`.
pub fn turn_text(turn: &crate::krisp::Turn) -> String {
    format!(
        "{} ({}): {}",
        turn.speaker,
        format_offset(turn.start),
        turn.text
    )
}

/// `"12:34"`, `"1:02:03"` or whole minutes (`"90"`).
pub fn parse_time(text: &str) -> Option<Duration> {
    let parts: Vec<u64> = text
        .trim()
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let secs = match parts.as_slice() {
        [m] => m * 60,
        [m, s] if *s < 60 => m * 60 + s,
        [h, m, s] if *m < 60 && *s < 60 => h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_words_and_splits_long_ones() {
        assert_eq!(wrap("the quick brown fox", 10), ["the quick", "brown fox"]);
        // A word ending exactly at the width stays on its line.
        assert_eq!(wrap("the quick brown", 9), ["the quick", "brown"]);
        assert_eq!(wrap("abcd efgh ij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcd ", 4), ["abcd"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("日本語テキスト", 6), ["日本語", "テキス", "ト"]);
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("12:34"), Some(Duration::from_secs(754)));
        assert_eq!(parse_time("1:02:03"), Some(Duration::from_secs(3723)));
        assert_eq!(parse_time("5"), Some(Duration::from_secs(300)));
        assert_eq!(parse_time("1:99"), None);
    }
}
