//! The loaded meetings: raw models for export, cleaned rows for drawing, fuzzy haystacks for
//! search, newest-first order, and paging state.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use nucleo_matcher::Utf32String;
use time::OffsetDateTime;

use crate::krisp::{Document, DocumentState, Meeting, MeetingDate, MeetingId};
use crate::library::{DocState, ListRow};
use crate::message::RequestId;
use crate::sanitize::clean_line;

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
    pub fn of(meeting: &Meeting) -> Row {
        let (date, time, sort_key) = match &meeting.date {
            Some(MeetingDate::Parsed(at)) => {
                let (date, time) = crate::timefmt::date_and_time(*at);
                (date, time, Some(at.unix_timestamp()))
            }
            Some(MeetingDate::Raw(raw)) => {
                let raw = clean_line(raw);
                let date = raw.get(..10).unwrap_or(&raw).to_owned();
                let time = raw.get(11..16).unwrap_or("").to_owned();
                let parsed = time::Date::parse(
                    &date,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .ok()
                .map(|d| d.midnight().assume_utc().unix_timestamp());
                (date, time, parsed)
            }
            None => (String::new(), String::new(), None),
        };
        Row {
            date,
            time,
            name: clean_line(&meeting.name).into_owned(),
            people: clean_line(&people(meeting)).into_owned(),
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
        Some(MeetingDate::Parsed(at)) => {
            let at: OffsetDateTime = at.to_offset(time::UtcOffset::UTC);
            Some(format!(
                "{:04}-{:02}-{:02}",
                at.year(),
                u8::from(at.month()),
                at.day()
            ))
        }
        Some(MeetingDate::Raw(raw)) => raw.get(..10).map(str::to_owned),
        None => None,
    }
}

/// Paging through `search_meetings` with no search text: the home list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    pub next_offset: u32,
    pub exhausted: bool,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    /// True once the first page answered (so "no meetings" can be told from "loading").
    pub loaded_once: bool,
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
    /// Indices into `all`, newest first.
    pub order: Vec<usize>,
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

    /// Adds meetings not seen before (dedup by id) and returns the indices of all of `batch`.
    /// `from_search` marks newly added ones as server-search results.
    pub fn merge(&mut self, batch: Vec<Meeting>, from_search: bool) -> Vec<usize> {
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
            let i = self.all.len();
            self.rows
                .push(Row::of(&meeting).with(self.known.get(&meeting.id)));
            let (short, long) = haystacks(&meeting);
            self.short_text.push(short.into());
            self.long_text.push(long.into());
            self.index.insert(meeting.id.clone(), i);
            self.all.push(meeting);
            if from_search {
                self.from_search.insert(i);
            }
            self.order.push(i);
            indices.push(i);
            added = true;
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
    /// The whole list again, as the local store's rows: light copies, and what the store knows
    /// of each transcript.
    pub fn replace_stored(&mut self, rows: Vec<ListRow>) {
        for row in &rows {
            match Known::of_row(row) {
                Some(k) => self.known.insert(row.id.clone(), k),
                None => self.known.remove(&row.id),
            };
        }
        self.replace_all(rows.into_iter().map(ListRow::light_meeting).collect());
    }

    /// A document was read: the meeting's length and state are known now.
    pub fn learn(&mut self, doc: &Document) {
        let known = Known::of_document(doc);
        self.known.insert(doc.id.clone(), known);
        if let Some(i) = self.get(&doc.id) {
            self.rows[i] = Row::of(&self.all[i]).with(Some(&known));
            self.revision += 1;
        }
    }

    /// The whole list again (read from the local store, light copies). Meetings already held in
    /// full (opened, so their notes were read) stay full; meetings the list held that the new
    /// one lacks (server search hits, feed items) stay too.
    pub fn replace_all(&mut self, batch: Vec<Meeting>) {
        let old = std::mem::take(&mut self.all);
        let old_from_search = std::mem::take(&mut self.from_search);
        let mut fresh: HashMap<MeetingId, Meeting> = batch
            .into_iter()
            .map(|m| (m.id.clone(), m))
            .collect::<HashMap<_, _>>();
        let mut order: Vec<MeetingId> = Vec::with_capacity(fresh.len() + old.len());
        let mut kept: HashMap<MeetingId, Meeting> = HashMap::new();
        let mut searched = HashSet::new();
        for (i, m) in old.into_iter().enumerate() {
            if fresh.contains_key(&m.id) {
                if is_full(&m) {
                    kept.insert(m.id.clone(), m);
                }
            } else {
                if old_from_search.contains(&i) {
                    searched.insert(m.id.clone());
                }
                order.push(m.id.clone());
                kept.insert(m.id.clone(), m);
            }
        }
        let mut all: Vec<Meeting> = Vec::with_capacity(fresh.len() + kept.len());
        for (id, m) in fresh.drain() {
            all.push(kept.remove(&id).unwrap_or(m));
        }
        for id in order {
            if let Some(m) = kept.remove(&id) {
                all.push(m);
            }
        }
        // A deterministic order (the hash map's is not); `merge` then sorts newest first,
        // keeping this order among meetings of the same time.
        all.sort_by(|a, b| a.id.cmp(&b.id));
        let paging = std::mem::take(&mut self.paging);
        let known = std::mem::take(&mut self.known);
        let revision = self.revision + 1;
        *self = Meetings::default();
        self.paging = paging;
        self.known = known;
        self.revision = revision;
        let (from_search, non_search): (Vec<Meeting>, Vec<Meeting>) =
            all.into_iter().partition(|m| searched.contains(&m.id));
        self.merge(non_search, false);
        self.merge(from_search, true);
    }

    /// A fresher copy of one meeting (read in full from the store or the server).
    pub fn update(&mut self, meeting: Meeting) {
        let Some(i) = self.get(&meeting.id) else {
            self.merge(vec![meeting], false);
            return;
        };
        let row = Row::of(&meeting).with(self.known.get(&meeting.id));
        self.revision += 1;
        let date_changed = row.sort_key != self.rows[i].sort_key;
        let (short, long) = haystacks(&meeting);
        self.short_text[i] = short.into();
        self.long_text[i] = long.into();
        self.rows[i] = row;
        self.all[i] = meeting;
        if date_changed {
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
