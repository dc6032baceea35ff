//! Meetings as `search_meetings` describes them: ids, dates, people, notes and action items.

use std::fmt;

use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ParseError;

/// A 32-character lowercase hex meeting or document id (a UUID without dashes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeetingId(pub String);

impl MeetingId {
    /// Accepts a UUID with or without dashes, in any case; `None` unless 32 hex digits remain.
    pub fn parse(s: &str) -> Option<MeetingId> {
        let mut id = String::with_capacity(32);
        for c in s.trim().chars().filter(|&c| c != '-') {
            if !c.is_ascii_hexdigit() || id.len() == 32 {
                return None;
            }
            id.push(c.to_ascii_lowercase());
        }
        (id.len() == 32).then_some(MeetingId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MeetingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When a meeting happened: parsed when Krisp's string parses, the raw string otherwise. A
/// parsed date keeps the UTC offset it was written with (an export writes it back as it came).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MeetingDate {
    Parsed(#[serde(with = "rfc3339")] Zoned),
    Raw(String),
}

impl MeetingDate {
    /// RFC 3339 / ISO 8601 with an offset; without one (`2026-01-15T15:00:00`,
    /// `2026-01-15 15:00:00`) or date-only it is taken as UTC, which is what Krisp sends.
    pub fn parse(s: &str) -> MeetingDate {
        match parse_instant(s.trim()) {
            Some(at) => MeetingDate::Parsed(at),
            None => MeetingDate::Raw(s.to_owned()),
        }
    }

    /// The instant, when the date parsed.
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            MeetingDate::Parsed(at) => Some(at.timestamp()),
            MeetingDate::Raw(_) => None,
        }
    }
}

/// An ISO 8601 date and time in the offset it names (UTC when it names none, `Z` or `-00:00`),
/// or a date alone at midnight UTC. Annotations (`[Europe/Paris]`) are read past.
fn parse_instant(text: &str) -> Option<Zoned> {
    // A year of more than four digits or a sign is ISO 8601 but nothing Krisp means.
    if !text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let pieces = Pieces::parse(text).ok()?;
    let offset = match pieces.offset() {
        Some(PiecesOffset::Numeric(n)) => n.offset(),
        // `-00:00` ("offset unknown") is a numeric zero: UTC as well.
        Some(PiecesOffset::Zulu) | None => Offset::UTC,
        // The enum is non-exhaustive: a kind of offset jiff learns later is not guessed at.
        Some(_) => return None,
    };
    let civil = pieces.date().to_datetime(pieces.time().unwrap_or_default());
    civil.to_zoned(TimeZone::fixed(offset)).ok()
}

/// A parsed date as RFC 3339 in its own offset (`Z` for UTC), as it came.
mod rfc3339 {
    use jiff::Zoned;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Zoned, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::Rfc3339(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zoned, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        // Only what `serialize` writes (a date and time with an offset): anything else is the
        // `Raw` variant's.
        if !text.contains('T') || text.len() < 20 {
            return Err(serde::de::Error::custom("not an RFC 3339 date and time"));
        }
        super::parse_instant(&text)
            .ok_or_else(|| serde::de::Error::custom("not an RFC 3339 date and time"))
    }
}

/// `2026-01-15T15:00:00Z`, or with the offset it was written in: `2026-01-15T16:00:00+01:00`.
struct Rfc3339<'a>(&'a Zoned);

impl fmt::Display for Rfc3339<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.0.offset();
        if offset == Offset::UTC {
            write!(f, "{}", self.0.timestamp())
        } else {
            write!(f, "{}", self.0.timestamp().display_with_offset(offset))
        }
    }
}

impl fmt::Display for MeetingDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeetingDate::Parsed(at) => Rfc3339(at).fmt(f),
            MeetingDate::Raw(raw) => f.write_str(raw),
        }
    }
}

/// An attendee: Krisp sends plain names and `{name, email}` objects in the same list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Person {
    /// A plain name, `Name <email>`, a bare email address, or `{name, email}`.
    fn from_value(v: &Value) -> Option<Person> {
        match v {
            Value::String(s) => Person::from_text(s),
            Value::Object(o) => {
                let field = |keys: &[&str]| {
                    keys.iter()
                        .find_map(|k| o.get(*k).and_then(Value::as_str))
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let email = field(&["email", "mail"]);
                let name =
                    field(&["name", "display_name", "full_name"]).or_else(|| email.clone())?;
                Some(Person { name, email })
            }
            _ => None,
        }
    }

    pub(crate) fn from_text(s: &str) -> Option<Person> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Some((name, rest)) = s.split_once('<')
            && let Some(email) = rest.strip_suffix('>')
            && email.contains('@')
        {
            let name = name.trim();
            let email = email.trim().to_owned();
            let name = if name.is_empty() {
                email.clone()
            } else {
                name.to_owned()
            };
            return Some(Person {
                name,
                email: Some(email),
            });
        }
        let email = (s.contains('@') && !s.contains(' ')).then(|| s.to_owned());
        Some(Person {
            name: s.to_owned(),
            email,
        })
    }
}

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.email {
            Some(email) if *email != self.name => write!(f, "{} <{email}>", self.name),
            _ => f.write_str(&self.name),
        }
    }
}

/// An action item. `text` is the raw text (may hold `{{Speaker_N}}`); use
/// `Meeting::display_text` for what a human should read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default)]
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Fields we did not recognise, kept as sent.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl ActionItem {
    /// A plain string, or an object with `title|text|description`, `assignee|owner`,
    /// `completed` and `due_date`; everything else goes to `extra`.
    pub fn from_value(v: &Value) -> Option<ActionItem> {
        let mut item = ActionItem {
            text: String::new(),
            assignee: None,
            completed: false,
            due_date: None,
            extra: Map::new(),
        };
        match v {
            Value::String(s) => item.text = s.clone(),
            Value::Object(o) => {
                let mut rest = o.clone();
                item.text = take_str(&mut rest, &["title", "text", "description", "name"])
                    .unwrap_or_default();
                item.assignee = take_name(&mut rest, &["assignee", "owner", "assigned_to"]);
                item.completed = take_bool(&mut rest, &["completed", "is_completed", "done"])
                    .or_else(|| take_status(&mut rest))
                    .unwrap_or(false);
                item.due_date = take_str(&mut rest, &["due_date", "dueDate", "due"]);
                item.extra = rest;
            }
            _ => return None,
        }
        Some(item)
    }
}

/// One meeting as `search_meetings` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<MeetingDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub recurring: bool,
    #[serde(default)]
    pub attendees: Vec<Person>,
    /// Ordered: `{{Speaker_N}}` placeholders index into it.
    #[serde(default)]
    pub speakers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default)]
    pub key_points: Vec<String>,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Fields we did not recognise, kept as sent (for the JSON export and the raw view).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Meeting {
    /// A meeting with only an id and a name, every other field empty.
    pub fn new(id: MeetingId, name: impl Into<String>) -> Meeting {
        Meeting {
            id,
            name: name.into(),
            date: None,
            url: None,
            recurring: false,
            attendees: Vec::new(),
            speakers: Vec::new(),
            summary: None,
            key_points: Vec::new(),
            action_items: Vec::new(),
            tags: Vec::new(),
            extra: Map::new(),
        }
    }

    /// One meeting object of `search_meetings`' `structuredContent`. Only the id is required;
    /// fields of an unexpected type, and fields we do not know, end up in `extra`.
    pub fn from_value(v: &Value) -> Result<Meeting, ParseError> {
        let obj = v
            .as_object()
            .ok_or(ParseError::NotAnObject { what: "meeting" })?;
        let mut rest = obj.clone();
        let raw_id = take_str(&mut rest, &["meeting_id", "id", "meetingId"])
            .ok_or(ParseError::MissingId { what: "meeting" })?;
        let id = MeetingId::parse(&raw_id).ok_or(ParseError::BadId { value: raw_id })?;
        let mut meeting = Meeting::new(
            id,
            take_str(&mut rest, &["name", "title"]).unwrap_or_default(),
        );
        meeting.date = take_str(&mut rest, &["date", "start_time", "started_at"])
            .map(|d| MeetingDate::parse(&d));
        meeting.url = take_str(&mut rest, &["url", "link"]);
        meeting.recurring = take_bool(&mut rest, &["is_recurring", "recurring"]).unwrap_or(false);
        // A person has only a name and an email: when Krisp sends more (or something else),
        // the list is also kept as sent.
        let raw_attendees = rest.get("attendees").cloned();
        meeting.attendees = take_list(&mut rest, "attendees", Person::from_value);
        if let Some(Value::Array(raw)) = raw_attendees
            && !raw.iter().all(is_plain_person)
        {
            rest.insert("attendees".to_owned(), Value::Array(raw));
        }
        meeting.speakers = take_list(&mut rest, "speakers", name_of);
        meeting.tags = take_list(&mut rest, "tags", name_of);

        // Notes have been seen both inside `meeting_notes` and at the top level.
        let mut notes = match rest.get("meeting_notes") {
            Some(Value::Object(notes)) => {
                let notes = notes.clone();
                rest.shift_remove("meeting_notes");
                notes
            }
            _ => Map::new(),
        };
        meeting.summary = take_str(&mut notes, &["detailed_summary", "summary"])
            .or_else(|| take_str(&mut rest, &["detailed_summary", "summary"]))
            .or_else(|| take_str(&mut rest, &["meeting_notes"]));
        for map in [&mut notes, &mut rest] {
            meeting
                .key_points
                .extend(take_list(map, "key_points", key_point));
            meeting
                .action_items
                .extend(take_list(map, "action_items", ActionItem::from_value));
        }
        if !notes.is_empty() {
            rest.insert("meeting_notes".to_owned(), Value::Object(notes));
        }
        meeting.extra = rest;
        Ok(meeting)
    }

    /// Whether `{{Speaker_N}}` counts from 0 or 1 in this meeting, decided from its data: a
    /// `Speaker_0` means 0, an N equal to the number of speakers means 1, otherwise the base that
    /// makes more placeholders name the item's assignee; 1 when nothing tells.
    pub fn speaker_base(&self) -> usize {
        self.speaker_base_with(None)
    }

    /// `speaker_base`, counting one more item (one being displayed may not be in the list).
    fn speaker_base_with(&self, also: Option<&ActionItem>) -> usize {
        let (mut zero_votes, mut one_votes) = (0usize, 0usize);
        for item in self.action_items.iter().chain(also) {
            for n in placeholders(&item.text) {
                if n == 0 {
                    return 0;
                }
                if n == self.speakers.len() {
                    return 1;
                }
                let Some(assignee) = item.assignee.as_deref() else {
                    continue;
                };
                if self.speakers.get(n).is_some_and(|s| s == assignee) {
                    zero_votes += 1;
                }
                if self.speakers.get(n - 1).is_some_and(|s| s == assignee) {
                    one_votes += 1;
                }
            }
        }
        if zero_votes > one_votes { 0 } else { 1 }
    }

    /// The item's text with `{{Speaker_N}}` replaced by the speaker's name; a placeholder that
    /// names no speaker is kept as it is.
    pub fn display_text(&self, item: &ActionItem) -> String {
        let text = &item.text;
        if !text.contains("{{") {
            return text.clone();
        }
        let base = self.speaker_base_with(Some(item));
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            match placeholder_at(after) {
                Some((n, len)) => {
                    let name = n.checked_sub(base).and_then(|i| self.speakers.get(i));
                    out.push_str(name.map_or(&after[..len], String::as_str));
                    rest = &after[len..];
                }
                None => {
                    out.push_str("{{");
                    rest = &after[2..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Attendees and speakers, each name once (compared without case), in order.
    pub fn people(&self) -> Vec<&str> {
        let mut people: Vec<&str> = Vec::new();
        let names = self.attendees.iter().map(|p| p.name.as_str());
        for name in names.chain(self.speakers.iter().map(String::as_str)) {
            let name = name.trim();
            if !name.is_empty() && !people.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                people.push(name);
            }
        }
        people
    }
}

/// `{{Speaker_N}}` at the start of `s` (spaces inside the braces allowed): `(N, length)`.
fn placeholder_at(s: &str) -> Option<(usize, usize)> {
    let inner_end = s.find("}}")?;
    let inner = s[2..inner_end].trim();
    let digits = inner
        .strip_prefix("Speaker_")
        .or_else(|| inner.strip_prefix("speaker_"))?;
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, inner_end + 2))
}

fn placeholders(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.match_indices("{{")
        .filter_map(|(i, _)| placeholder_at(&text[i..]).map(|(n, _)| n))
}

/// Removes and returns the first of `keys` that holds a string; values of other types stay.
pub(crate) fn take_str(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    let key = keys
        .iter()
        .find(|k| map.get(**k).is_some_and(Value::is_string))?;
    match map.shift_remove(*key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn take_bool(map: &mut Map<String, Value>, keys: &[&str]) -> Option<bool> {
    let key = keys
        .iter()
        .find(|k| map.get(**k).is_some_and(Value::is_boolean))?;
    map.shift_remove(*key).and_then(|v| v.as_bool())
}

fn take_status(map: &mut Map<String, Value>) -> Option<bool> {
    let done = match map
        .get("status")
        .and_then(Value::as_str)?
        .to_ascii_lowercase()
        .as_str()
    {
        "done" | "completed" | "complete" | "closed" => true,
        "open" | "todo" | "pending" | "in_progress" => false,
        _ => return None,
    };
    map.shift_remove("status");
    Some(done)
}

/// A name given as a string or as `{name, …}`.
fn take_name(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    for key in keys {
        if let Some(name) = map.get(*key).and_then(name_of) {
            map.shift_remove(*key);
            return Some(name);
        }
    }
    None
}

fn is_plain_person(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Object(o) => {
            Person::from_value(v).is_some() && o.keys().all(|k| k == "name" || k == "email")
        }
        _ => false,
    }
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Object(_) => Person::from_value(v).map(|p| p.name),
        _ => None,
    }
}

fn key_point(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => ["text", "title", "point", "description"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::to_owned),
        _ => None,
    }
}

/// Takes `key` as a list: each element that `parse` understands is returned; the rest (and a
/// value of another shape) stays in `map` under the same key. A Markdown string becomes one
/// element per bullet line.
fn take_list<T>(
    map: &mut Map<String, Value>,
    key: &str,
    parse: impl Fn(&Value) -> Option<T>,
) -> Vec<T> {
    let elements: Vec<Value> = match map.get(key) {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(s)) => bullet_lines(s)
            .map(|l| Value::String(l.to_owned()))
            .collect(),
        Some(Value::Null) => {
            map.shift_remove(key);
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    let mut parsed = Vec::with_capacity(elements.len());
    let mut leftover = Vec::new();
    for element in elements {
        match parse(&element) {
            Some(item) => parsed.push(item),
            None => leftover.push(element),
        }
    }
    if leftover.is_empty() {
        map.shift_remove(key);
    } else {
        map.insert(key.to_owned(), Value::Array(leftover));
    }
    parsed
}

/// The non-empty lines of a Markdown list (or of comma-free prose), markers stripped.
pub(crate) fn bullet_lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().map(strip_bullet).filter(|l| !l.is_empty())
}

pub(crate) fn strip_bullet(line: &str) -> &str {
    let t = line.trim();
    ["- ", "* ", "• ", "+ "]
        .iter()
        .find_map(|m| t.strip_prefix(m))
        .unwrap_or(t)
        .trim()
}
