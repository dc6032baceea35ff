//! Krisp's data as types: meetings, documents, transcripts, action items. Parsing only, no I/O.
//!
//! Krisp's shapes are partly known and change (see `../shared/KRISP.md` §3–§4), so every parser
//! here is tolerant: unknown fields are kept in `extra`, missing ones are `None`/empty, and text
//! that does not parse is kept rather than dropped. No input makes them panic.

mod document;
mod error;
mod feed;
mod meeting;
mod search;
mod talk;
mod transcript;

pub use document::{Document, DocumentState, Section, parse_documents_result};
pub use error::ParseError;
pub use feed::{FeedItem, MEETING_ID_KEYS, feed_array, feed_items, meeting_id_in};
pub use meeting::{ActionItem, Meeting, MeetingDate, MeetingId, Person};
pub use search::parse_search_result;
pub use talk::{TalkTime, estimated_end, percents};
pub(crate) use transcript::write_offset;
pub use transcript::{Transcript, Turn, clock, format_offset, parse_offset};
