//! The loaded meetings: raw models for export, cleaned rows for drawing, fuzzy haystacks for
//! search, newest-first order, and paging state. Without a local store, every meeting paged
//! from the server; with one, a window of the store's list (what is on screen and a margin)
//! and the meetings the open search shows: memory does not grow with the store.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::tz::TimeZone;
use nucleo_matcher::Utf32String;

use crate::krisp::{Document, DocumentState, Meeting, MeetingDate, MeetingId};
use crate::library::{DocState, ListRow};

/// Meetings are fetched this many at a time (the server's maximum page).
pub const PAGE_SIZE: u32 = 50;

/// One meeting as the table draws it: every string already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub date: String,
    pub time: String,
    pub name: String,
    pub people: String,
    /// How long the recording is (`45m`, `2h 14m`), when a transcript was seen; else empty.
    pub length: String,
    /// Krisp is still processing the meeting (its document came back empty).
    pub processing: bool,
    /// Newest first sorts by this, descending; unparsed dates sort last.
    pub sort_key: Option<i64>,
}

/// What the list knows about a meeting beyond its listing: from the local store's rows, or a
/// document fetched since.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known {
    /// [`crate::krisp::Transcript::length`].
    pub length: Option<Duration>,
    pub processing: bool,
}

impl Known {
    pub fn of_document(doc: &Document) -> Known {
        Known {
            length: doc.transcript.length(),
            processing: doc.state == DocumentState::Processing,
        }
    }

    fn of_row(row: &ListRow) -> Option<Known> {
        let known = Known {
            length: row.duration_ms.map(|ms| Duration::from_secs(ms / 1000)),
            processing: row.doc_state == DocState::Processing,
        };
        (known != Known::default()).then_some(known)
    }
}

/// A length for people, the same in the list, the meeting's header and the front matter:
/// `45:47`, `2:14:36`.
pub fn length_label(length: Duration) -> String {
    crate::krisp::clock(u64::try_from(length.as_millis()).unwrap_or(u64::MAX))
}

impl Row {
    /// The row for `meeting`, its date and time in `tz` (the state's zone).
    pub fn of(meeting: &Meeting, tz: &TimeZone) -> Row {
        let (date, time, sort_key) = match &meeting.date {
            Some(MeetingDate::Parsed(at)) => {
                let (date, time) = crate::timefmt::date_and_time_in(at.timestamp(), tz);
                (date, time, Some(at.timestamp().as_second()))
            }
            Some(MeetingDate::Raw(raw)) => {
                let date = raw.get(..10).unwrap_or(raw).to_owned();
                let time = raw.get(11..16).unwrap_or("").to_owned();
                let parsed = crate::timefmt::parse_day(&date)
                    .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
                    .map(|z| z.timestamp().as_second());
                (date, time, parsed)
            }
            None => (String::new(), String::new(), None),
        };
        Row {
            date,
            time,
            name: meeting.name.clone(),
            people: people(meeting),
            length: String::new(),
            processing: false,
            sort_key,
        }
    }

    fn with(mut self, known: Option<&Known>) -> Row {
        if let Some(k) = known {
            self.length = k.length.map(length_label).unwrap_or_default();
            self.processing = k.processing;
        }
        self
    }
}

/// Attendees and speakers, each once.
pub fn people(meeting: &Meeting) -> String {
    meeting.people().join(", ")
}

/// The date of a meeting as `YYYY-MM-DD` (for `after:` / `before:` filters), if known.
pub fn iso_date(meeting: &Meeting) -> Option<String> {
    match &meeting.date {
        Some(MeetingDate::Parsed(at)) => Some(at.timestamp().strftime("%Y-%m-%d").to_string()),
        Some(MeetingDate::Raw(raw)) => raw.get(..10).map(str::to_owned),
        None => None,
    }
}

/// Paging through `search_meetings` with no search text: the home list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    pub next_offset: u32,
    pub exhausted: bool,
    pub error: Option<String>,
    /// True once the first page answered (so "no meetings" can be told from "loading").
    pub loaded_once: bool,
}

/// Which part of the local store's list `Meetings::order` holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// The row of the whole list that `order[0]` is.
    pub start: usize,
    /// How many meetings the store's list has in all.
    pub total: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Meetings {
    pub all: Vec<Meeting>,
    pub rows: Vec<Row>,
    /// What the fuzzy search matches against, one per meeting: name, people and tags.
    pub short_text: Vec<Utf32String>,
    /// What the substring search matches against: summary and key points (fuzzy matching over
    /// long prose finds any short word scattered across it, so it would match nearly everything).
    pub long_text: Vec<Utf32String>,
    index: HashMap<MeetingId, usize>,
    /// Indices into `all`, newest first: the whole list, or with `held` the window of it.
    pub order: Vec<usize>,
    /// With a local store: the window of its list that `order` holds (rows
    /// `start..start + order.len()` of `total`). `all` then holds that window and the meetings
    /// an open search shows, nothing more.
    pub held: Option<Held>,
    /// Meetings that arrived only through a server search (not yet reached by paging).
    pub from_search: HashSet<usize>,
    pub paging: Paging,
    /// Lengths and states, for the list's column (empty: the column is not drawn).
    pub known: HashMap<MeetingId, Known>,
    /// Goes up whenever a meeting's copy or row changes (the preview lays out again).
    pub revision: u64,
}

impl PartialEq for Meetings {
    fn eq(&self, other: &Self) -> bool {
        self.all == other.all
            && self.order == other.order
            && self.held == other.held
            && self.from_search == other.from_search
            && self.paging == other.paging
            && self.known == other.known
    }
}

impl Meetings {
    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    pub fn get(&self, id: &MeetingId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// How many rows the list has: the store's count, or the meetings paged in.
    pub fn listed(&self) -> usize {
        self.held.map_or(self.order.len(), |h| h.total)
    }

    /// The meeting (index into `all`) at row `row` of the list, if it is held.
    pub fn listed_at(&self, row: usize) -> Option<usize> {
        let start = self.held.map_or(0, |h| h.start);
        self.order.get(row.checked_sub(start)?).copied()
    }

    /// The rows of the list that are held.
    pub fn held_rows(&self) -> std::ops::Range<usize> {
        let start = self.held.map_or(0, |h| h.start);
        start..start + self.order.len()
    }

    /// Adds meetings not seen before (dedup by id) and returns the indices of all of `batch`.
    /// `from_search` marks newly added ones as server-search results. Rows show times in `tz`.
    pub fn merge(&mut self, batch: Vec<Meeting>, from_search: bool, tz: &TimeZone) -> Vec<usize> {
        let mut indices = Vec::with_capacity(batch.len());
        let mut added = false;
        for meeting in batch {
            if let Some(&i) = self.index.get(&meeting.id) {
                if !from_search {
                    self.from_search.remove(&i);
                }
                indices.push(i);
                continue;
            }
            let i = self.push(meeting, tz);
            if from_search {
                self.from_search.insert(i);
            }
            // A held window is the store's rows only: a meeting from elsewhere (a search hit,
            // the server) is not in it.
            if self.held.is_none() {
                self.order.push(i);
                added = true;
            }
            indices.push(i);
        }
        if added {
            let rows = &self.rows;
            // Stable: equal dates keep the server's order.
            self.order
                .sort_by_key(|&i| std::cmp::Reverse(rows[i].sort_key.unwrap_or(i64::MIN)));
        }
        indices
    }
}

impl Meetings {
    /// A window of the local store's list: its rows from row `start` of `total`, light copies
    /// with what the store knows of each transcript. Every other meeting is let go, except
    /// those `keep` names (what an open search shows); meetings held in full (opened, so their
    /// notes were read) stay full. Returns where each meeting that stayed moved: old index to
    /// new. Rows show times in `tz`.
    pub fn replace_window(
        &mut self,
        start: usize,
        total: usize,
        rows: Vec<ListRow>,
        keep: &HashSet<MeetingId>,
        tz: &TimeZone,
    ) -> HashMap<usize, usize> {
        let mut old: HashMap<MeetingId, (usize, Meeting)> = std::mem::take(&mut self.all)
            .into_iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), (i, m)))
            .collect();
        let mut known: HashMap<MeetingId, Known> = rows
            .iter()
            .filter_map(|row| Some((row.id.clone(), Known::of_row(row)?)))
            .collect();
        for id in keep {
            if let Some(k) = self.known.get(id) {
                known.entry(id.clone()).or_insert(*k);
            }
        }
        let mut fresh = Meetings {
            held: Some(Held { start, total }),
            paging: std::mem::take(&mut self.paging),
            known,
            revision: self.revision + 1,
            ..Meetings::default()
        };
        let mut moved = HashMap::new();
        for row in rows {
            let light = row.light_meeting();
            let meeting = match old.remove(&light.id) {
                Some((i, m)) => {
                    moved.insert(i, fresh.all.len());
                    if is_full(&m) { m } else { light }
                }
                None => light,
            };
            let i = fresh.push(meeting, tz);
            fresh.order.push(i);
        }
        let mut kept: Vec<(usize, Meeting)> = old
            .into_values()
            .filter(|(_, m)| keep.contains(&m.id))
            .collect();
        kept.sort_by_key(|(i, _)| *i);
        for (i, m) in kept {
            moved.insert(i, fresh.push(m, tz));
        }
        *self = fresh;
        moved
    }

    /// Adds a meeting not held yet (not to `order`) and returns its index.
    fn push(&mut self, meeting: Meeting, tz: &TimeZone) -> usize {
        let i = self.all.len();
        self.rows
            .push(Row::of(&meeting, tz).with(self.known.get(&meeting.id)));
        // With a store, its search matches names (the haystacks are for a list without one).
        let (short, long) = match self.held {
            None => haystacks(&meeting),
            Some(_) => (String::new(), String::new()),
        };
        self.short_text.push(short.into());
        self.long_text.push(long.into());
        self.index.insert(meeting.id.clone(), i);
        self.all.push(meeting);
        i
    }

    /// A document was read: the meeting's length and state are known now.
    pub fn learn(&mut self, doc: &Document, tz: &TimeZone) {
        let known = Known::of_document(doc);
        self.known.insert(doc.id.clone(), known);
        if let Some(i) = self.get(&doc.id) {
            self.rows[i] = Row::of(&self.all[i], tz).with(Some(&known));
            self.revision += 1;
        }
    }

    /// A fresher copy of one meeting (read in full from the store or the server), its row's
    /// time in `tz`.
    pub fn update(&mut self, meeting: Meeting, tz: &TimeZone) {
        let Some(i) = self.get(&meeting.id) else {
            self.merge(vec![meeting], false, tz);
            return;
        };
        let row = Row::of(&meeting, tz).with(self.known.get(&meeting.id));
        self.revision += 1;
        let date_changed = row.sort_key != self.rows[i].sort_key;
        if self.held.is_none() {
            let (short, long) = haystacks(&meeting);
            self.short_text[i] = short.into();
            self.long_text[i] = long.into();
        }
        self.rows[i] = row;
        self.all[i] = meeting;
        if date_changed && self.held.is_none() {
            let rows = &self.rows;
            self.order
                .sort_by_key(|&i| std::cmp::Reverse(rows[i].sort_key.unwrap_or(i64::MIN)));
        }
    }
}

/// Whether a meeting carries its notes (a light list copy does not).
pub fn is_full(m: &Meeting) -> bool {
    m.summary.is_some() || !m.key_points.is_empty() || !m.action_items.is_empty() || m.url.is_some()
}

fn haystacks(meeting: &Meeting) -> (String, String) {
    let mut short = String::with_capacity(128);
    short.push_str(&meeting.name);
    short.push(' ');
    short.push_str(&people(meeting));
    for tag in &meeting.tags {
        short.push(' ');
        short.push_str(tag);
    }
    let mut long = meeting.summary.clone().unwrap_or_default();
    for point in &meeting.key_points {
        long.push('\n');
        long.push_str(point);
    }
    (short, long)
}
