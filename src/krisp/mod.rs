//! Krisp's data as types: meetings, documents, transcripts, action items. Parsing only, no I/O.
//!
//! Krisp's shapes are partly known and change (see `../shared/KRISP.md` §3–§4), so every parser
//! here is tolerant: unknown fields are kept in `extra`, missing ones are `None`/empty, and text
//! that does not parse is kept rather than dropped. No input makes them panic.

mod document;
mod error;
mod meeting;
mod search;
mod talk;
mod transcript;

pub use document::{Document, DocumentState, Section, parse_documents_result};
pub use error::ParseError;
pub use meeting::{ActionItem, Meeting, MeetingDate, MeetingId, Person};
pub use search::parse_search_result;
pub use talk::{TalkTime, estimated_end, percents};
pub(crate) use transcript::write_offset;
pub use transcript::{Transcript, Turn, clock, format_offset, parse_offset};

/// The items of a feed tool's answer (`list_action_items`, `list_activities`,
/// `list_upcoming_meetings`), whose reply bodies were never captured: the value itself when it is
/// an array, else its first member that is an array of objects.
pub fn feed_array(value: &serde_json::Value) -> Option<&Vec<serde_json::Value>> {
    use serde_json::Value;
    match value {
        Value::Array(a) => Some(a),
        Value::Object(o) => o.values().find_map(|v| match v {
            Value::Array(a) if a.iter().any(Value::is_object) => Some(a),
            _ => None,
        }),
        _ => None,
    }
}
