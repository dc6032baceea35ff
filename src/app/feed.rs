//! The home screen's other tabs (action items, upcoming, activity): tolerant rows from whatever
//! shape the tool answered with, since no reply bodies of those tools were ever captured.

use rmcp::model::CallToolResult;
use serde_json::{Map, Value};

use crate::krisp::MeetingId;
use crate::message::RequestId;
use crate::sanitize::clean_line;

/// One row of a feed; every string already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub title: String,
    pub detail: String,
    /// Who it is for: the assignee or owner, or an upcoming meeting's attendees.
    pub who: String,
    /// The meeting it came from, by name (action items).
    pub source: String,
    /// What happened, in words (`completed an action item` from `action_item_completed`).
    pub kind: String,
    /// The time or date as the server sent it (drawn in the user's zone, relative to now).
    pub when: String,
    pub done: Option<bool>,
    pub meeting: Option<MeetingId>,
    /// `created_at` as sent: `list_activities` pages by it.
    pub cursor: Option<String>,
    /// An upcoming meeting's attendees, each sanitized.
    pub people: Vec<String>,
    /// A link the item carries (`url`, `meeting_url`, `join_url`), as sent.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub items: Vec<FeedItem>,
    pub loading: Option<RequestId>,
    pub error: Option<String>,
    pub loaded_once: bool,
    /// No more pages.
    pub exhausted: bool,
    pub selected: usize,
    pub offset: usize,
}

impl Feed {
    /// Forget everything (a filter changed); the caller asks again.
    pub fn reset(&mut self) {
        *self = Feed::default();
    }
}

const TITLE: &[&str] = &[
    "title",
    "text",
    "description",
    "name",
    "summary",
    "message",
    "content",
];
const WHEN: &[&str] = &[
    "due_date",
    "start_time",
    "start",
    "starts_at",
    "date",
    "created_at",
    "timestamp",
];
const WHO: &[&str] = &["assignee", "owner", "assigned_to", "user", "actor"];
const DETAIL: &[&str] = &[
    "assignee",
    "owner",
    "meeting_name",
    "meeting",
    "type",
    "kind",
];

/// Rows from a tool result: the first array of objects in `structuredContent`, or else the
/// Markdown text's list items and headings.
pub fn items(result: &CallToolResult) -> Vec<FeedItem> {
    if let Some(array) = result
        .structured_content
        .as_ref()
        .and_then(crate::krisp::feed_array)
    {
        return array
            .iter()
            .filter_map(Value::as_object)
            .map(item)
            .collect();
    }
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .flat_map(|t| t.text.lines())
        .filter_map(|line| {
            let line = line.trim();
            let (done, rest) = if let Some(r) = line.strip_prefix("- [x] ") {
                (Some(true), r)
            } else if let Some(r) = line.strip_prefix("- [ ] ") {
                (Some(false), r)
            } else if let Some(r) = line.strip_prefix("- ").or_else(|| line.strip_prefix("## ")) {
                (None, r)
            } else {
                return None;
            };
            Some(FeedItem {
                title: clean_line(rest).into_owned(),
                detail: String::new(),
                who: String::new(),
                source: String::new(),
                kind: String::new(),
                when: String::new(),
                done,
                meeting: None,
                cursor: None,
                people: Vec::new(),
                url: None,
            })
        })
        .collect()
}

fn text_of(object: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| match object.get(*k)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
        .map(|s| clean_line(&s).into_owned())
        .unwrap_or_default()
}

fn item(object: &Map<String, Value>) -> FeedItem {
    let mut detail = text_of(object, DETAIL);
    let mut who = text_of(object, WHO);
    let attendees: Vec<&str> = match object.get("attendees") {
        Some(Value::Array(people)) => people
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p.get("name")?.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    if who.is_empty() && !attendees.is_empty() {
        who = clean_line(&attendees.join(", ")).into_owned();
    }
    if let Some(Value::Array(people)) = object.get("attendees") {
        let names: Vec<&str> = people
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p.get("name")?.as_str()))
            .collect();
        if !names.is_empty() {
            if !detail.is_empty() {
                detail.push_str(" · ");
            }
            detail.push_str(&clean_line(&names.join(", ")));
        }
    }
    FeedItem {
        title: text_of(object, TITLE),
        detail,
        who,
        source: text_of(object, &["meeting_name", "meeting_title"]),
        kind: humanize(&text_of(object, &["kind", "type", "event"])),
        when: text_of(object, WHEN),
        done: object
            .get("completed")
            .or_else(|| object.get("done"))
            .and_then(Value::as_bool),
        meeting: ["meeting_id", "id", "document_id", "agenda_id"]
            .iter()
            .find_map(|k| object.get(*k)?.as_str())
            .filter(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|s| MeetingId(s.to_owned())),
        cursor: object
            .get("created_at")
            .and_then(Value::as_str)
            .map(str::to_owned),
        people: attendees
            .iter()
            .map(|p| clean_line(p).into_owned())
            .collect(),
        url: ["url", "meeting_url", "join_url"]
            .iter()
            .find_map(|k| object.get(*k)?.as_str())
            .filter(|u| !u.trim().is_empty())
            .map(str::to_owned),
    }
}

/// `action_item_completed` → `action item completed`: a machine word as words.
fn humanize(kind: &str) -> String {
    kind.replace(['_', '-'], " ").trim().to_owned()
}

/// Action items soonest due first, undated ones after them, each group in the server's order.
pub fn sort_by_due(items: &mut [FeedItem]) {
    items.sort_by(|a, b| match (a.when.is_empty(), b.when.is_empty()) {
        (false, false) => a.when.cmp(&b.when),
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        (true, true) => std::cmp::Ordering::Equal,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{CallToolResult, ContentBlock};
    use serde_json::json;

    #[test]
    fn structured_items() {
        let r = CallToolResult::structured(json!({"count": 2, "action_items": [
            {"title": "Send \u{1b}[31mplan", "assignee": "Bob", "completed": false, "due_date": "2026-02-01",
             "meeting_id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"},
            {"text": "Book room", "owner": {"name": "Anna"}, "completed": true}
        ]}));
        let items = items(&r);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Send ␛[31mplan");
        assert_eq!(items[0].detail, "Bob");
        assert_eq!(items[0].who, "Bob");
        assert_eq!(items[1].who, "Anna");
        assert_eq!(items[0].when, "2026-02-01");
        assert_eq!(items[0].done, Some(false));
        assert!(items[0].meeting.is_some());
        assert_eq!(
            (items[1].detail.as_str(), items[1].done),
            ("Anna", Some(true))
        );
    }

    #[test]
    fn markdown_fallback() {
        let r = CallToolResult::success(vec![ContentBlock::text(
            "# Items\n- [ ] one\n- [x] two\nprose\n",
        )]);
        let titles: Vec<_> = items(&r).into_iter().map(|i| (i.title, i.done)).collect();
        assert_eq!(
            titles,
            [("one".into(), Some(false)), ("two".into(), Some(true))]
        );
    }
}
