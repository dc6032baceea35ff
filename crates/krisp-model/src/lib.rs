//! The model of krisp-tui: Krisp's meetings, documents and feeds with the tolerant parsers that
//! read them, the exporters that write them (Markdown, text, JSON, SRT, WebVTT and the vault's
//! manifest), and the small mechanisms every layer above shares: sanitizing text for a
//! terminal, times in the user's zone, columns, private files and locks, JSON-Schema checks.
//!
//! Nothing here knows about the network, the store or the terminal's screen: the store, the
//! sandbox and the app all depend on this crate, and it on none of them.

pub mod columns;
pub mod export;
pub mod fsx;
pub mod json_schema;
pub mod krisp;
pub mod sanitize;
pub mod timefmt;
