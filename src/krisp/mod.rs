//! Krisp's data as types: meetings, documents, transcripts, action items. Parsing only, no I/O.
//!
//! Krisp's shapes are partly known and change (see `../shared/KRISP.md` §3–§4), so every parser
//! here is tolerant: unknown fields are kept in `extra`, missing ones are `None`/empty, and text
//! that does not parse is kept rather than dropped.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A 32-character lowercase hex meeting or document id (a UUID without dashes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeetingId(pub String);

/// When a meeting happened: parsed when Krisp's string parses, the raw string otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MeetingDate {
    Parsed(#[serde(with = "time::serde::rfc3339")] time::OffsetDateTime),
    Raw(String),
}

/// An attendee: Krisp sends plain names and `{name, email}` objects in the same list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
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

/// One speaker turn of a transcript. `start` is the offset from the start of the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: String,
    pub start: Duration,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    pub turns: Vec<Turn>,
}

/// A notes section of a document (`### Key Points` and its body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub body: String,
}

/// A document from `get_multiple_documents` / `get_document`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: MeetingId,
    /// `None` when the server sent no document yet (the meeting is still processing).
    pub state: DocumentState,
    pub recording_url: Option<String>,
    pub sections: Vec<Section>,
    pub transcript: Transcript,
    /// Text that was neither a section nor a transcript turn, kept verbatim.
    pub unparsed: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    Ready,
    /// Empty or null document: Krisp is still processing the meeting.
    Processing,
}
