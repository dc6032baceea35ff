//! Server text made safe for the screen once, where a `ClientEvent` enters the app (the top of
//! `update`'s `on_client`): every string of an event that came from the server or the store
//! passes the screen's sanitizer here, so no screen cleans a field of a reply itself.
//!
//! Two rules, as the sanitizer has them: a field read on one line (a name, a title, a speaker,
//! a tag, a person, a message on the status line) gets [`clean_line`], so a line break shows as
//! `␤` and cannot fake a row; text that keeps its lines (notes, transcript turns, a document's
//! sections, tool descriptions and results, a tool call's error) gets [`clean`]. What is used
//! rather than shown stays as it came: ids, paging cursors, the query a reply echoes (the
//! user's own words, compared with the one asked), file paths (ours).

use rmcp::model::{CallToolResult, Tool};
use serde_json::Value;

use crate::krisp::{ActionItem, Document, Meeting, MeetingDate, Person};
use crate::library::{Answer, ContextTurn, Hit, ListRow, Place};
use crate::message::{ClientEvent, RequestError};
use crate::sanitize::{clean, clean_highlighted_lines, clean_line};

impl ClientEvent {
    /// The event with every piece of server text in it made safe for the screen.
    pub fn sanitized(self) -> ClientEvent {
        use ClientEvent as E;
        match self {
            E::LoginRequired { note } => E::LoginRequired {
                note: note.map(line),
            },
            E::LoginUrlReady { url } => E::LoginUrlReady { url: line(url) },
            E::PasteRefused { message } => E::PasteRefused {
                message: line(message),
            },
            E::LoggedIn { server, account } => E::LoggedIn {
                server: line(server),
                account: account.map(line),
            },
            E::LoginFailed { message } => E::LoginFailed {
                message: line(message),
            },
            E::MeetingsLoaded { id, query, result } => E::MeetingsLoaded {
                id,
                query,
                result: each(result, Meeting::sanitized),
            },
            E::DocumentsLoaded { id, result } => E::DocumentsLoaded {
                id,
                result: each(result, Document::sanitized),
            },
            E::Retrying {
                id,
                attempt,
                attempts,
                wait,
                message,
            } => E::Retrying {
                id,
                attempt,
                attempts,
                wait,
                message: line(message),
            },
            E::FeedLoaded { id, result } => E::FeedLoaded {
                id,
                result: each(result, crate::app::feed::shown),
            },
            E::ToolsListed { id, result } => E::ToolsListed {
                id,
                result: each(result, sanitized_tool),
            },
            E::ToolCalled { id, name, result } => E::ToolCalled {
                id,
                name: line(name),
                // A tool's refusal is its own words, over several lines, shown in the panel; an
                // expired login goes to the login screen's one line.
                result: result.map(sanitized_result).map_err(|e| {
                    let rule = if e.auth_required { line } else { text };
                    e.sanitized_with(rule)
                }),
            },
            E::StoredMeetings {
                id,
                offset,
                total,
                meetings,
                complete,
            } => E::StoredMeetings {
                id,
                offset,
                total,
                meetings: meetings.into_iter().map(sanitized_row).collect(),
                complete,
            },
            E::IdsListed { id, result } => E::IdsListed {
                id,
                result: result.map_err(RequestError::sanitized),
            },
            E::StoredSearch { id, text, result } => E::StoredSearch {
                id,
                text,
                result: result
                    .map(sanitized_answer)
                    .map_err(RequestError::sanitized),
            },
            E::ContextRead { at, turns } => E::ContextRead {
                at,
                turns: turns.into_iter().map(sanitized_turn).collect(),
            },
            E::MeetingRead { meeting } => E::MeetingRead {
                meeting: Box::new(meeting.sanitized()),
            },
            E::SyncFinished(result) => E::SyncFinished(result.map_err(RequestError::sanitized)),
            E::Offline { reason } => E::Offline {
                reason: line(reason),
            },
            E::Exported { id, result } => E::Exported {
                id,
                result: result.map_err(RequestError::sanitized),
            },
            E::ExportedMany { id, dir, result } => E::ExportedMany {
                id,
                dir,
                result: result.map_err(RequestError::sanitized),
            },
            // Nothing from the server in these.
            event @ (E::Connecting { .. }
            | E::StoreChanged
            | E::SyncProgress(_)
            | E::SyncElsewhere
            | E::ExportProgress { .. }
            | E::ExportExists { .. }) => event,
        }
    }
}

impl RequestError {
    /// The message and its cause on one line each (a toast, the status line, a list's error).
    fn sanitized(self) -> RequestError {
        self.sanitized_with(line)
    }

    fn sanitized_with(self, rule: fn(String) -> String) -> RequestError {
        RequestError {
            message: rule(self.message),
            cause: rule(self.cause),
            ..self
        }
    }
}

/// A value of the model made safe for the screen by its type's rules. Also for what the app
/// reads out of a tool's result (already cleaned with its lines kept): a meeting found there
/// gets a meeting's one-line fields.
pub(crate) trait Sanitized {
    fn sanitized(self) -> Self;
}

impl Sanitized for Meeting {
    fn sanitized(self) -> Meeting {
        Meeting {
            id: self.id,
            name: line(self.name),
            date: self.date.map(sanitized_date),
            url: self.url.map(line),
            recurring: self.recurring,
            attendees: self.attendees.into_iter().map(sanitized_person).collect(),
            speakers: lines(self.speakers),
            summary: self.summary.map(text),
            key_points: self.key_points.into_iter().map(text).collect(),
            action_items: self
                .action_items
                .into_iter()
                .map(sanitized_action_item)
                .collect(),
            tags: lines(self.tags),
            extra: self
                .extra
                .into_iter()
                .map(|(k, v)| (line(k), sanitized_json(v)))
                .collect(),
        }
    }
}

impl Sanitized for Document {
    fn sanitized(mut self) -> Document {
        self.recording_url = self.recording_url.map(line);
        for section in &mut self.sections {
            section.heading = line(std::mem::take(&mut section.heading));
            section.body = text(std::mem::take(&mut section.body));
        }
        for turn in &mut self.transcript.turns {
            turn.speaker = line(std::mem::take(&mut turn.speaker));
            turn.text = text(std::mem::take(&mut turn.text));
        }
        self.unparsed = text(self.unparsed);
        self
    }
}

fn sanitized_person(p: Person) -> Person {
    Person {
        name: line(p.name),
        email: p.email.map(line),
    }
}

fn sanitized_action_item(item: ActionItem) -> ActionItem {
    ActionItem {
        text: text(item.text),
        assignee: item.assignee.map(line),
        completed: item.completed,
        due_date: item.due_date.map(line),
        extra: item
            .extra
            .into_iter()
            .map(|(k, v)| (line(k), sanitized_json(v)))
            .collect(),
    }
}

fn sanitized_date(date: MeetingDate) -> MeetingDate {
    match date {
        MeetingDate::Raw(raw) => MeetingDate::Raw(line(raw)),
        parsed => parsed,
    }
}

fn sanitized_row(row: ListRow) -> ListRow {
    ListRow {
        name: line(row.name),
        date: row.date.map(sanitized_date),
        people: lines(row.people),
        tags: lines(row.tags),
        ..row
    }
}

fn sanitized_answer(answer: Answer) -> Answer {
    Answer {
        meetings: answer.meetings.into_iter().map(sanitized_hit).collect(),
        suggestion: answer.suggestion.map(line),
        ..answer
    }
}

fn sanitized_hit(hit: Hit) -> Hit {
    let (excerpt, highlights) = clean_highlighted_lines(&hit.excerpt, &hit.highlights);
    Hit {
        name: line(hit.name),
        date: hit.date.map(sanitized_date),
        people: lines(hit.people),
        place: hit.place.map(|place| match place {
            Place::Transcript {
                turn,
                start_ms,
                speaker,
            } => Place::Transcript {
                turn,
                start_ms,
                speaker: line(speaker),
            },
            other => other,
        }),
        excerpt,
        highlights,
        ..hit
    }
}

fn sanitized_turn(turn: ContextTurn) -> ContextTurn {
    let (text, highlights) = clean_highlighted_lines(&turn.text, &turn.highlights);
    ContextTurn {
        speaker: line(turn.speaker),
        text,
        highlights,
        ..turn
    }
}

/// A tool as listed: its name and title on a line, its description and every string of its
/// schemas (names, descriptions, defaults, enums) through [`sanitized_json`].
fn sanitized_tool(tool: Tool) -> Tool {
    let mut tool = match serde_json::to_value(&tool)
        .map(sanitized_json)
        .and_then(serde_json::from_value::<Tool>)
    {
        Ok(clean) => clean,
        // Cannot happen for a value rmcp itself read; should it, nothing of the tool but
        // its cleaned name is shown.
        Err(_) => Tool::new(
            line(tool.name.into_owned()),
            String::new(),
            serde_json::Map::new(),
        ),
    };
    tool.name = line(tool.name.into_owned()).into();
    tool.title = tool.title.map(line);
    if let Some(annotations) = &mut tool.annotations {
        annotations.title = annotations.title.take().map(line);
    }
    tool
}

/// A tool's result, every string in it (text blocks, resources, the structured content)
/// through [`sanitized_json`]: a result is read whole, as JSON, Markdown or a table.
fn sanitized_result(result: CallToolResult) -> CallToolResult {
    match serde_json::to_value(&result)
        .map(sanitized_json)
        .and_then(serde_json::from_value::<CallToolResult>)
    {
        Ok(clean) => clean,
        // Cannot happen for a value rmcp itself read; should it, the result as cleaned JSON.
        Err(_) => {
            let raw = serde_json::to_string_pretty(&result).unwrap_or_default();
            CallToolResult::success(vec![rmcp::model::ContentBlock::text(text(raw))])
        }
    }
}

/// A JSON value from the server: object keys on one line, string values with their lines.
fn sanitized_json(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(text(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(sanitized_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (line(k), sanitized_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// One line: [`clean_line`], without a copy when nothing changes.
fn line(s: String) -> String {
    match clean_line(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

/// Text that keeps its lines: [`clean`], without a copy when nothing changes.
fn text(s: String) -> String {
    match clean(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn lines(items: Vec<String>) -> Vec<String> {
    items.into_iter().map(line).collect()
}

fn each<T>(
    result: Result<Vec<T>, RequestError>,
    f: impl Fn(T) -> T,
) -> Result<Vec<T>, RequestError> {
    result
        .map(|items| items.into_iter().map(f).collect())
        .map_err(RequestError::sanitized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::RequestId;

    #[test]
    fn a_tool_calls_error_keeps_its_lines_every_other_error_is_one_line() {
        let evil = "first \u{1b}]0;pwned\u{7}\nsecond \u{202e}";
        let called = ClientEvent::ToolCalled {
            id: RequestId(1),
            name: "x\u{1b}[2J".into(),
            result: Err(RequestError::new(evil)),
        };
        let ClientEvent::ToolCalled { name, result, .. } = called.sanitized() else {
            panic!("the same event");
        };
        assert_eq!(name, "x␛[2J");
        let error = result.expect_err("an error");
        assert_eq!(error.message, "first ␛]0;pwned␇\nsecond ⟨U+202E⟩");
        assert_eq!(error.cause, error.message);

        let listed = ClientEvent::ToolsListed {
            id: RequestId(2),
            result: Err(RequestError::new(evil)),
        };
        let ClientEvent::ToolsListed { result, .. } = listed.sanitized() else {
            panic!("the same event");
        };
        let error = result.expect_err("an error");
        assert_eq!(error.message, "first ␛]0;pwned␇␤second ⟨U+202E⟩");
    }

    #[test]
    fn highlights_move_with_the_text_they_mark() {
        let turn = ContextTurn {
            turn: 3,
            speaker: "Eve\u{1b}[2J".into(),
            start_ms: 0,
            text: "\u{1b}[31mred\nAcme renewal".into(),
            highlights: std::iter::once(9..13).collect(),
        };
        let clean = sanitized_turn(turn);
        assert_eq!(clean.speaker, "Eve␛[2J");
        assert_eq!(clean.text, "␛[31mred\nAcme renewal");
        assert_eq!(&clean.text[clean.highlights[0].clone()], "Acme");
    }
}
