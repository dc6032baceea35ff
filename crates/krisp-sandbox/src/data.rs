//! The meeting data the sandbox serves (demo account or generated), indexed for search.

use std::borrow::Cow;
use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lexicon::{GeneratedQuery, GeneratedTranscript};

/// The demo account, compiled into the binary so it works from any directory.
mod embedded {
    pub const ACCOUNT: &str = include_str!("../assets/demo/account.json");
    pub const MEETINGS: &str = include_str!("../assets/demo/meetings.json");
    pub const UPCOMING: &str = include_str!("../assets/demo/upcoming.json");
    pub const ACTIVITIES: &str = include_str!("../assets/demo/activities.json");
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}: {source}")]
    Json {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: {what} {value:?} is not valid")]
    Invalid {
        file: &'static str,
        what: &'static str,
        value: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub timezone: String,
}

/// An attendee as Krisp sends them: a bare name or `{name, email}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Attendee {
    Name(String),
    Person { name: String, email: String },
}

impl Attendee {
    pub fn name(&self) -> &str {
        match self {
            Self::Name(name) | Self::Person { name, .. } => name,
        }
    }

    pub fn email(&self) -> Option<&str> {
        match self {
            Self::Name(_) => None,
            Self::Person { email, .. } => Some(email),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// May hold `{{Speaker_N}}`, N counting from 1 into the meeting's speakers.
    pub title: String,
    pub assignee: Option<String>,
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// One speaker turn of a hand-written transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: String,
    pub start_s: u32,
    pub text: String,
}

/// A transcript, stored either as written or compactly as token numbers (generated data).
#[derive(Debug, Clone)]
pub enum Transcript {
    Written {
        turns: Vec<Turn>,
        /// Every turn's text, lowercased, one per line: what search scans.
        lowercase: String,
    },
    Generated(GeneratedTranscript),
}

impl Transcript {
    pub fn written(turns: Vec<Turn>) -> Self {
        let lowercase = turns
            .iter()
            .map(|turn| turn.text.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        Self::Written { turns, lowercase }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Self::Written { turns, .. } => turns.is_empty(),
            Self::Generated(generated) => generated.is_empty(),
        }
    }

    /// The turns as `(speaker, start in seconds, text)`; `speakers` resolves generated turns.
    pub fn turns<'a>(
        &'a self,
        speakers: &'a [String],
    ) -> Box<dyn Iterator<Item = (&'a str, u32, Cow<'a, str>)> + 'a> {
        match self {
            Self::Written { turns, .. } => Box::new(turns.iter().map(|turn| {
                (
                    turn.speaker.as_str(),
                    turn.start_s,
                    Cow::Borrowed(turn.text.as_str()),
                )
            })),
            Self::Generated(generated) => {
                Box::new(generated.turns.iter().enumerate().map(move |(n, turn)| {
                    let speaker = speakers
                        .get(usize::from(turn.speaker))
                        .map_or("Speaker 1", String::as_str);
                    (speaker, turn.start_s, Cow::Owned(generated.text(n)))
                }))
            }
        }
    }

    fn matches(&self, query: &TextQuery) -> bool {
        match self {
            Self::Written { lowercase, .. } => lowercase.contains(&query.needle),
            Self::Generated(generated) => generated.matches(&query.generated),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: String,
    pub name: String,
    pub date: Timestamp,
    pub duration_s: u32,
    pub is_recurring: bool,
    pub tags: Vec<String>,
    pub attendees: Vec<Attendee>,
    pub speakers: Vec<String>,
    pub agenda: Option<String>,
    pub summary: String,
    pub key_points: Vec<String>,
    pub action_items: Vec<ActionItem>,
    /// Krisp is still processing it: no notes and no document yet.
    pub processing: bool,
    pub transcript: Transcript,
    /// `--hostile`: raw JSON that replaces fields of this meeting in search results.
    pub overrides: Option<Box<Map<String, Value>>>,
    /// Name, attendees, speakers, summary and key points, lowercased: what search scans.
    /// Filled in by [`Meeting::indexed`].
    pub(super) haystack: String,
}

impl Meeting {
    /// Fills in the search index; call after the fields are final.
    pub fn indexed(mut self) -> Self {
        let mut haystack = self.name.to_lowercase();
        for attendee in &self.attendees {
            haystack.push('\n');
            haystack.push_str(&attendee.name().to_lowercase());
            if let Some(email) = attendee.email() {
                haystack.push(' ');
                haystack.push_str(&email.to_lowercase());
            }
        }
        for text in self.speakers.iter().chain(&self.key_points) {
            haystack.push('\n');
            haystack.push_str(&text.to_lowercase());
        }
        haystack.push('\n');
        haystack.push_str(&self.summary.to_lowercase());
        self.haystack = haystack;
        self
    }

    pub fn matches(&self, query: &TextQuery) -> bool {
        self.haystack.contains(&query.needle) || self.transcript.matches(query)
    }

    /// `{{Speaker_N}}` (N from 1) replaced by the speaker's name; unknown N left as written.
    pub fn render_placeholders(&self, text: &str) -> String {
        render_placeholders(text, &self.speakers)
    }
}

pub fn render_placeholders(text: &str, speakers: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{Speaker_") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + "{{Speaker_".len()..];
        let resolved = tail.split_once("}}").and_then(|(number, after)| {
            let n: usize = number.parse().ok()?;
            let name = speakers.get(n.checked_sub(1)?)?;
            Some((name, after))
        });
        match resolved {
            Some((name, after)) => {
                out.push_str(name);
                rest = after;
            }
            None => {
                out.push_str("{{");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A lowercased search string, prepared for generated transcripts too.
pub struct TextQuery {
    needle: String,
    generated: GeneratedQuery,
}

impl TextQuery {
    pub fn new(search: &str) -> Self {
        let needle = search.to_lowercase();
        let generated = GeneratedQuery::new(&needle);
        Self { needle, generated }
    }
}

#[derive(Debug, Clone)]
pub struct Upcoming {
    pub id: String,
    pub name: String,
    pub start: Timestamp,
    pub attendees: Vec<Attendee>,
    pub agenda: String,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub created_at: Timestamp,
    pub kind: String,
    pub title: String,
    pub meeting_id: String,
}

/// Everything one sandbox serves. Meetings are newest first, upcoming soonest first, activities
/// newest first.
#[derive(Debug)]
pub struct Dataset {
    pub account: Account,
    meetings: Vec<Meeting>,
    by_id: HashMap<String, usize>,
    /// Recurring meetings by name, newest first: `past_meeting_occurrences`.
    series: HashMap<String, Vec<usize>>,
    upcoming: Vec<Upcoming>,
    upcoming_by_id: HashMap<String, usize>,
    activities: Vec<Activity>,
    /// What processing meetings look like once ready (`--ready-after`), by id.
    ready_later: HashMap<String, Meeting>,
}

impl Dataset {
    pub fn new(
        account: Account,
        mut meetings: Vec<Meeting>,
        mut upcoming: Vec<Upcoming>,
        mut activities: Vec<Activity>,
    ) -> Self {
        meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        upcoming.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        activities.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        let by_id = meetings
            .iter()
            .enumerate()
            .map(|(index, meeting)| (meeting.id.clone(), index))
            .collect();
        let mut series: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, meeting) in meetings.iter().enumerate() {
            if meeting.is_recurring {
                series.entry(meeting.name.clone()).or_default().push(index);
            }
        }
        let upcoming_by_id = upcoming
            .iter()
            .enumerate()
            .map(|(index, item)| (item.id.clone(), index))
            .collect();
        Self {
            account,
            meetings,
            by_id,
            series,
            upcoming,
            upcoming_by_id,
            activities,
            ready_later: HashMap::new(),
        }
    }

    /// Adds the ready versions of processing meetings (same ids), served once they are ready.
    pub fn with_ready_later(mut self, meetings: Vec<Meeting>) -> Self {
        self.ready_later
            .extend(meetings.into_iter().map(|m| (m.id.clone(), m)));
        self
    }

    /// The ready version of processing meeting `id`, if it has one.
    pub fn ready_later(&self, id: &str) -> Option<&Meeting> {
        self.ready_later.get(id)
    }

    /// The demo account compiled into the binary.
    pub fn demo() -> Result<Self, DataError> {
        let account = parse("account.json", embedded::ACCOUNT)?;
        let meetings: Vec<RawMeeting> = parse("meetings.json", embedded::MEETINGS)?;
        let meetings = meetings
            .into_iter()
            .map(RawMeeting::into_meeting)
            .collect::<Result<_, _>>()?;
        let upcoming: Vec<RawUpcoming> = parse("upcoming.json", embedded::UPCOMING)?;
        let upcoming = upcoming
            .into_iter()
            .map(RawUpcoming::into_upcoming)
            .collect::<Result<_, _>>()?;
        let activities: Vec<RawActivity> = parse("activities.json", embedded::ACTIVITIES)?;
        let activities = activities
            .into_iter()
            .map(RawActivity::into_activity)
            .collect::<Result<_, _>>()?;
        Ok(Self::new(account, meetings, upcoming, activities))
    }

    /// The same data with more records mixed in (re-sorted and re-indexed).
    pub fn extended(
        self,
        meetings: Vec<Meeting>,
        upcoming: Vec<Upcoming>,
        activities: Vec<Activity>,
    ) -> Self {
        fn chain<T>(mut a: Vec<T>, b: Vec<T>) -> Vec<T> {
            a.extend(b);
            a
        }
        let ready_later = self.ready_later;
        let mut data = Self::new(
            self.account,
            chain(self.meetings, meetings),
            chain(self.upcoming, upcoming),
            chain(self.activities, activities),
        );
        data.ready_later = ready_later;
        data
    }

    /// The same data without the meetings `ids`, as after they were deleted.
    pub fn without(self, ids: &[String]) -> Self {
        let ready_later = self.ready_later;
        let meetings = self
            .meetings
            .into_iter()
            .filter(|m| !ids.contains(&m.id))
            .collect();
        let mut data = Self::new(self.account, meetings, self.upcoming, self.activities);
        data.ready_later = ready_later;
        data
    }

    pub fn meetings(&self) -> &[Meeting] {
        &self.meetings
    }

    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.by_id.get(id).map(|&index| &self.meetings[index])
    }

    /// Earlier meetings of the same recurring series, newest first.
    pub fn past_occurrences(&self, meeting: &Meeting) -> impl Iterator<Item = &Meeting> {
        self.series
            .get(&meeting.name)
            .into_iter()
            .flatten()
            .map(|&index| &self.meetings[index])
            .filter(move |other| other.date < meeting.date)
    }

    pub fn upcoming(&self) -> &[Upcoming] {
        &self.upcoming
    }

    pub fn upcoming_meeting(&self, id: &str) -> Option<&Upcoming> {
        self.upcoming_by_id
            .get(id)
            .map(|&index| &self.upcoming[index])
    }

    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    /// Moves upcoming meetings forward by whole days so the first is no earlier than `today`:
    /// the demo data was written for late 2026 and should still have a future when run later.
    pub fn shift_upcoming_to(&mut self, now: Timestamp) {
        let Some(first) = self.upcoming.first() else {
            return;
        };
        let days = i64::from((utc(now).date() - utc(first.start).date()).get_days());
        if days > 0 {
            for item in &mut self.upcoming {
                item.start += SignedDuration::from_hours(24 * days);
            }
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(file: &'static str, text: &str) -> Result<T, DataError> {
    serde_json::from_str(text).map_err(|source| DataError::Json { file, source })
}

/// `2026-01-15T15:00:00Z`: how Krisp writes dates.
pub fn iso(when: Timestamp) -> String {
    when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An RFC 3339 date and time (any offset) as the instant it names.
pub fn parse_iso(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// The UTC calendar date and wall-clock time of `when`: the sandbox's data and answers are in UTC.
pub fn utc(when: Timestamp) -> jiff::civil::DateTime {
    jiff::tz::Offset::UTC.to_datetime(when)
}

/// `MM:SS` below an hour, `H:MM:SS` from an hour on.
pub fn timestamp(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

pub fn parse_timestamp(text: &str) -> Option<u32> {
    let mut parts = text.rsplit(':').map(|part| part.parse::<u32>().ok());
    let seconds = parts.next()??;
    let minutes = parts.next()??;
    let hours = parts.next().unwrap_or(Some(0))?;
    (parts.next().is_none() && seconds < 60 && minutes < 60)
        .then_some(hours * 3600 + minutes * 60 + seconds)
}

#[derive(Deserialize)]
struct RawMeeting {
    id: String,
    name: String,
    date: String,
    duration_s: u32,
    #[serde(default)]
    is_recurring: bool,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    attendees: Vec<Attendee>,
    #[serde(default)]
    speakers: Vec<String>,
    #[serde(default)]
    agenda: Option<String>,
    #[serde(default)]
    detailed_summary: String,
    #[serde(default)]
    key_points: Vec<String>,
    #[serde(default)]
    action_items: Vec<ActionItem>,
    #[serde(default)]
    processing: bool,
    #[serde(default)]
    transcript: Vec<RawTurn>,
}

#[derive(Deserialize)]
struct RawTurn {
    speaker: String,
    start: String,
    text: String,
}

impl RawMeeting {
    fn into_meeting(self) -> Result<Meeting, DataError> {
        const FILE: &str = "meetings.json";
        let date = parse_iso(&self.date).ok_or_else(|| DataError::Invalid {
            file: FILE,
            what: "date",
            value: self.date.clone(),
        })?;
        let turns = self
            .transcript
            .into_iter()
            .map(|turn| {
                let start_s = parse_timestamp(&turn.start).ok_or_else(|| DataError::Invalid {
                    file: FILE,
                    what: "transcript start",
                    value: turn.start.clone(),
                })?;
                Ok(Turn {
                    speaker: turn.speaker,
                    start_s,
                    text: turn.text,
                })
            })
            .collect::<Result<_, DataError>>()?;
        Ok(Meeting {
            id: self.id,
            name: self.name,
            date,
            duration_s: self.duration_s,
            is_recurring: self.is_recurring,
            tags: self.tags,
            attendees: self.attendees,
            speakers: self.speakers,
            agenda: self.agenda,
            summary: self.detailed_summary,
            key_points: self.key_points,
            action_items: self.action_items,
            processing: self.processing,
            transcript: Transcript::written(turns),
            overrides: None,
            haystack: String::new(),
        }
        .indexed())
    }
}

#[derive(Deserialize)]
struct RawUpcoming {
    id: String,
    name: String,
    start: String,
    #[serde(default)]
    attendees: Vec<Attendee>,
    #[serde(default)]
    agenda: String,
}

impl RawUpcoming {
    fn into_upcoming(self) -> Result<Upcoming, DataError> {
        let start = parse_iso(&self.start).ok_or_else(|| DataError::Invalid {
            file: "upcoming.json",
            what: "start",
            value: self.start.clone(),
        })?;
        Ok(Upcoming {
            id: self.id,
            name: self.name,
            start,
            attendees: self.attendees,
            agenda: self.agenda,
        })
    }
}

#[derive(Deserialize)]
struct RawActivity {
    id: String,
    created_at: String,
    kind: String,
    title: String,
    meeting_id: String,
}

impl RawActivity {
    fn into_activity(self) -> Result<Activity, DataError> {
        let created_at = parse_iso(&self.created_at).ok_or_else(|| DataError::Invalid {
            file: "activities.json",
            what: "created_at",
            value: self.created_at.clone(),
        })?;
        Ok(Activity {
            id: self.id,
            created_at,
            kind: self.kind,
            title: self.title,
            meeting_id: self.meeting_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_demo_data_loads() {
        let data = Dataset::demo().expect("demo data parses");
        assert!(!data.meetings().is_empty());
        assert!(
            data.meetings()
                .windows(2)
                .all(|pair| pair[0].date >= pair[1].date),
            "newest first"
        );
        for meeting in data.meetings() {
            assert_eq!(data.meeting(&meeting.id).map(|m| &m.id), Some(&meeting.id));
        }
    }

    #[test]
    fn timestamps_round_trip_in_both_styles() {
        for (text, seconds) in [
            ("00:00", 0),
            ("09:05", 545),
            ("59:59", 3599),
            ("1:00:00", 3600),
        ] {
            assert_eq!(parse_timestamp(text), Some(seconds));
            assert_eq!(timestamp(seconds), text);
        }
        assert_eq!(parse_timestamp("2:07:03"), Some(7623));
        assert_eq!(parse_timestamp("1:60"), None);
        assert_eq!(parse_timestamp("x:00"), None);
    }

    #[test]
    fn placeholders_count_speakers_from_one() {
        let speakers = vec!["Anna Lee".to_owned(), "Bob Ray".to_owned()];
        assert_eq!(
            render_placeholders("{{Speaker_2}} to send {{Speaker_1}} the plan", &speakers),
            "Bob Ray to send Anna Lee the plan"
        );
        assert_eq!(
            render_placeholders("{{Speaker_0}} and {{Speaker_3}} {{", &speakers),
            "{{Speaker_0}} and {{Speaker_3}} {{"
        );
    }

    #[test]
    fn dates_are_written_like_krisp() {
        let when = parse_iso("2026-01-15T16:00:00+01:00").expect("valid");
        assert_eq!(iso(when), "2026-01-15T15:00:00Z");
    }
}
