//! The `json` export: a stable, versioned schema (docs/export-formats.md) that parses back.

use serde::{Deserialize, Serialize};

use crate::krisp::{Document, DocumentState, Meeting, Turn, format_offset};

use super::ExportError;

/// Bumped on any change that an older reader would misread.
pub const SCHEMA_VERSION: u64 = 1;
const SCHEMA: &str = "krisp-tui.export";

#[derive(Serialize)]
struct ExportOut<'a> {
    schema: &'static str,
    version: u64,
    meeting: &'a Meeting,
    document: Option<DocumentOut<'a>>,
    turns: Vec<TurnOut<'a>>,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    state: &'static str,
    recording_url: Option<&'a str>,
    sections: Vec<SectionOut<'a>>,
    unparsed: &'a str,
}

#[derive(Serialize)]
struct SectionOut<'a> {
    heading: &'a str,
    body: &'a str,
}

#[derive(Serialize)]
struct TurnOut<'a> {
    speaker: &'a str,
    start_ms: u64,
    /// For people reading the file; `start_ms` is authoritative.
    start: String,
    text: &'a str,
}

#[derive(Deserialize)]
struct ExportIn {
    version: u64,
    meeting: Meeting,
    #[serde(default)]
    turns: Vec<TurnIn>,
}

#[derive(Deserialize)]
struct TurnIn {
    speaker: String,
    start_ms: u64,
    text: String,
}

pub(super) fn render(meeting: &Meeting, document: Option<&Document>) -> String {
    let export = ExportOut {
        schema: SCHEMA,
        version: SCHEMA_VERSION,
        meeting,
        document: document.map(|d| DocumentOut {
            state: match d.state {
                DocumentState::Ready => "ready",
                DocumentState::Processing => "processing",
            },
            recording_url: d.recording_url.as_deref(),
            sections: d
                .sections
                .iter()
                .map(|s| SectionOut {
                    heading: &s.heading,
                    body: &s.body,
                })
                .collect(),
            unparsed: &d.unparsed,
        }),
        turns: document
            .map_or(&[][..], |d| &d.transcript.turns[..])
            .iter()
            .map(|t| TurnOut {
                speaker: &t.speaker,
                start_ms: t.start_ms(),
                start: format_offset(t.start),
                text: &t.text,
            })
            .collect(),
    };
    match serde_json::to_string_pretty(&export) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Only a map with non-string keys can fail to serialize, and the model has none.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

/// A `json` export read back: the meeting and the transcript turns.
pub fn parse_json_export(s: &str) -> Result<(Meeting, Vec<Turn>), ExportError> {
    let export: ExportIn = serde_json::from_str(s).map_err(ExportError::Parse)?;
    if export.version != SCHEMA_VERSION {
        return Err(ExportError::UnsupportedVersion {
            found: export.version,
        });
    }
    let turns = export
        .turns
        .into_iter()
        .map(|t| Turn {
            speaker: t.speaker,
            start: std::time::Duration::from_millis(t.start_ms),
            text: t.text,
        })
        .collect();
    Ok((export.meeting, turns))
}
