//! Meeting documents: recording link, notes sections and the transcript, from Krisp's Markdown.

use serde_json::Value;

use super::transcript::parse_turn_header;
use super::{MeetingId, ParseError, Transcript, Turn};

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
    /// `Processing` when the server sent no document yet (the meeting is still processing).
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

/// Where the line being read belongs.
#[derive(Clone, Copy)]
enum Target {
    Preamble,
    Section,
    Turn,
}

impl Document {
    /// Reads a meeting document. Never fails: a missing or blank document is `Processing`;
    /// headings of level 1–3 start sections (deeper ones stay in the body); the transcript
    /// starts at the first `**Name | MM:SS**` line whatever heading precedes it; text before any
    /// heading is kept in `unparsed`.
    pub fn parse(id: MeetingId, markdown: Option<&str>) -> Document {
        let mut doc = Document {
            id,
            state: DocumentState::Processing,
            recording_url: None,
            sections: Vec::new(),
            transcript: Transcript::default(),
            unparsed: String::new(),
        };
        let Some(text) = markdown.filter(|t| !t.trim().is_empty()) else {
            return doc;
        };
        doc.state = DocumentState::Ready;
        let mut target = Target::Preamble;
        let turns = &mut doc.transcript.turns;
        for line in text.lines() {
            if let Some((speaker, start)) = parse_turn_header(line) {
                // An empty "Transcript" heading right before the turns is not a notes section.
                if let Target::Section = target
                    && doc.sections.last().is_some_and(is_transcript_heading)
                {
                    doc.sections.pop();
                }
                turns.push(Turn {
                    speaker: speaker.to_owned(),
                    start,
                    text: String::new(),
                });
                target = Target::Turn;
                continue;
            }
            if let Some(heading) = section_heading(line) {
                doc.sections.push(Section {
                    heading: heading.to_owned(),
                    body: String::new(),
                });
                target = Target::Section;
                continue;
            }
            let body = match target {
                Target::Turn => match turns.last_mut() {
                    Some(turn) => &mut turn.text,
                    None => &mut doc.unparsed,
                },
                Target::Section => {
                    // The link sits under a "Recording" heading, or is labelled as one under
                    // the document's title.
                    let recording_line = || {
                        let under_recording_heading = doc.sections.last().is_some_and(|s| {
                            mentions_recording(&s.heading) && s.body.trim().is_empty()
                        });
                        under_recording_heading
                            || doc.sections.len() == 1 && mentions_recording(line)
                    };
                    if doc.recording_url.is_none()
                        && turns.is_empty()
                        && recording_line()
                        && let Some(url) = link_target(line)
                    {
                        doc.recording_url = Some(url.to_owned());
                        continue;
                    }
                    match doc.sections.last_mut() {
                        Some(section) => &mut section.body,
                        None => &mut doc.unparsed,
                    }
                }
                Target::Preamble => {
                    if doc.recording_url.is_none()
                        && mentions_recording(line)
                        && let Some(url) = link_target(line)
                    {
                        doc.recording_url = Some(url.to_owned());
                        continue;
                    }
                    &mut doc.unparsed
                }
            };
            push_line(body, line);
        }
        for turn in turns.iter_mut() {
            trim_end_in_place(&mut turn.text);
        }
        for section in &mut doc.sections {
            trim_end_in_place(&mut section.body);
        }
        trim_end_in_place(&mut doc.unparsed);
        doc
    }

    /// The first section whose heading matches, ignoring ASCII case and surrounding space.
    pub fn section(&self, heading: &str) -> Option<&Section> {
        let heading = heading.trim();
        self.sections
            .iter()
            .find(|s| s.heading.eq_ignore_ascii_case(heading))
    }
}

/// Appends a line to a body, skipping leading blank lines.
fn push_line(body: &mut String, line: &str) {
    let line = line.trim_end();
    if body.is_empty() {
        if line.trim_start().is_empty() {
            return;
        }
    } else {
        body.push('\n');
    }
    body.push_str(line);
}

fn trim_end_in_place(s: &mut String) {
    let len = s.trim_end().len();
    s.truncate(len);
}

/// `#`, `##` or `###` and a space: the text after it. Deeper headings (`#### Timeline` inside a
/// summary) are body text.
fn section_heading(line: &str) -> Option<&str> {
    if !line.starts_with('#') {
        return None;
    }
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[hashes..];
    if hashes > 3 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

fn is_transcript_heading(section: &Section) -> bool {
    section.body.trim().is_empty() && contains_ignore_case(&section.heading, "transcript")
}

fn mentions_recording(text: &str) -> bool {
    ["record", "download", "audio", "video"]
        .iter()
        .any(|word| contains_ignore_case(text, word))
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The URL of a Markdown link `[…](url)` on the line, else its first bare `http(s)://` word.
fn link_target(line: &str) -> Option<&str> {
    if let Some(start) = line.find("](") {
        let rest = &line[start + 2..];
        if let Some(end) = rest.find(')') {
            let url = rest[..end]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            if url.starts_with("http://") || url.starts_with("https://") {
                return Some(url);
            }
        }
    }
    line.split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, '<' | '>' | '(' | ')' | '"' | '\'')))
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
}

/// `get_multiple_documents`' `structuredContent` (`{"results": [{"id", "document"}]}`), or,
/// failing that, the text blocks: JSON of that shape, or the legacy `get_document` text that
/// starts with `Retrieved document <id>`.
pub fn parse_documents_result(
    structured: Option<&Value>,
    texts: &[&str],
) -> Result<Vec<Document>, ParseError> {
    if let Some(docs) = structured.and_then(documents_from_structured) {
        return Ok(docs);
    }
    let mut docs = Vec::new();
    let mut recognised = false;
    for text in texts {
        let t = text.trim_start();
        if t.starts_with(['{', '['])
            && let Ok(v) = serde_json::from_str::<Value>(t)
            && let Some(found) = documents_from_structured(&v)
        {
            docs.extend(found);
            recognised = true;
            continue;
        }
        let mut found = legacy_documents(text).peekable();
        recognised |= found.peek().is_some();
        docs.extend(found);
    }
    if recognised {
        Ok(docs)
    } else {
        Err(ParseError::Unrecognised { what: "documents" })
    }
}

fn documents_from_structured(v: &Value) -> Option<Vec<Document>> {
    let list = match v {
        Value::Array(list) => list,
        Value::Object(o) => match o.get("results").or_else(|| o.get("documents")) {
            Some(Value::Array(list)) => list,
            _ if o.contains_key("document") => std::slice::from_ref(v),
            _ => return None,
        },
        _ => return None,
    };
    let docs = list.iter().filter_map(|entry| {
        let raw_id = ["id", "documentId", "document_id", "meeting_id"]
            .iter()
            .find_map(|k| entry.get(*k)?.as_str());
        let Some(id) = raw_id.and_then(MeetingId::parse) else {
            tracing::warn!("skipping a document without a readable id: {raw_id:?}");
            return None;
        };
        let markdown = ["document", "content", "markdown", "text"]
            .iter()
            .find_map(|k| entry.get(*k)?.as_str());
        Some(Document::parse(id, markdown))
    });
    Some(docs.collect())
}

/// Blocks starting with a `Retrieved document <id>` line; the rest of each block is the document.
fn legacy_documents(text: &str) -> impl Iterator<Item = Document> + '_ {
    const MARKER: &str = "Retrieved document ";
    let starts: Vec<usize> = text
        .match_indices(MARKER)
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || text[..i].ends_with('\n'))
        .collect();
    let ends = starts
        .iter()
        .skip(1)
        .copied()
        .chain([text.len()])
        .collect::<Vec<_>>();
    starts.into_iter().zip(ends).filter_map(|(start, end)| {
        let block = &text[start + MARKER.len()..end];
        let (first, body) = block.split_once('\n').unwrap_or((block, ""));
        let raw_id = first.trim().trim_end_matches([':', '.']);
        let Some(id) = MeetingId::parse(raw_id) else {
            tracing::warn!("skipping a document without a readable id: {raw_id:?}");
            return None;
        };
        Some(Document::parse(id, Some(body)))
    })
}
