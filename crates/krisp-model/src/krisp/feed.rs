//! The feeds (`list_action_items`, `list_upcoming_meetings`, `list_activities`) as typed rows.
//! No reply bodies of those tools were ever captured (`../shared/KRISP.md`), so a row is read
//! tolerantly from whatever shape arrives: the first array of objects, each field from the first
//! of several likely keys, or the Markdown text's list items.

use serde_json::{Map, Value};

use super::MeetingId;

/// One row of a feed (or of any tool's answer that lists objects), read tolerantly: every
/// field is what the server sent, not yet sanitized (`cleaned` does that once, where it is shown).
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
    /// An upcoming meeting's attendees.
    pub people: Vec<String>,
    /// A link the item carries (`url`, `meeting_url`, `join_url`), as sent.
    pub url: Option<String>,
}

impl FeedItem {
    /// Every text field passed through `clean` (the app sanitizes server text with it); the
    /// link and the paging cursor stay as sent, since they are used, not shown.
    pub fn cleaned(self, clean: impl Fn(&str) -> String) -> FeedItem {
        FeedItem {
            title: clean(&self.title),
            detail: clean(&self.detail),
            who: clean(&self.who),
            source: clean(&self.source),
            kind: clean(&self.kind),
            when: clean(&self.when),
            people: self.people.iter().map(|p| clean(p)).collect(),
            ..self
        }
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

/// Rows from a tool's answer: the first array of objects in its structured content, or else
/// the list items and headings of its Markdown text.
pub fn feed_items<'a>(
    structured: Option<&Value>,
    texts: impl IntoIterator<Item = &'a str>,
) -> Vec<FeedItem> {
    if let Some(array) = structured.and_then(feed_array) {
        return array
            .iter()
            .filter_map(Value::as_object)
            .map(item)
            .collect();
    }
    texts
        .into_iter()
        .flat_map(str::lines)
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
                title: rest.to_owned(),
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

/// Keys whose string value is a meeting's (or its document's) id, in a feed row or any object a
/// tool returns.
pub const MEETING_ID_KEYS: &[&str] =
    &["meeting_id", "id", "document_id", "agenda_id", "documentId"];

/// The meeting an object names by id: the first of [`MEETING_ID_KEYS`] that holds one.
pub fn meeting_id_in(object: &Map<String, Value>) -> Option<MeetingId> {
    MEETING_ID_KEYS
        .iter()
        .find_map(|k| MeetingId::parse(object.get(*k)?.as_str()?))
}

fn text_of(object: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| match object.get(*k)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
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
    if !attendees.is_empty() {
        if who.is_empty() {
            who = attendees.join(", ");
        }
        if !detail.is_empty() {
            detail.push_str(" · ");
        }
        detail.push_str(&attendees.join(", "));
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
        meeting: meeting_id_in(object),
        cursor: object
            .get("created_at")
            .and_then(Value::as_str)
            .map(str::to_owned),
        people: attendees.iter().map(|p| (*p).to_owned()).collect(),
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

/// The items of a feed tool's answer (`list_action_items`, `list_activities`,
/// `list_upcoming_meetings`), whose reply bodies were never captured: the value itself when it is
/// an array, else its first member that is an array of objects.
pub fn feed_array(value: &serde_json::Value) -> Option<&Vec<serde_json::Value>> {
    match value {
        Value::Array(a) => Some(a),
        Value::Object(o) => o.values().find_map(|v| match v {
            Value::Array(a) if a.iter().any(Value::is_object) => Some(a),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structured_items() {
        let r = json!({"count": 2, "action_items": [
            {"title": "Send \u{1b}[31mplan", "assignee": "Bob", "completed": false, "due_date": "2026-02-01",
             "meeting_id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"},
            {"text": "Book room", "owner": {"name": "Anna"}, "completed": true}
        ]});
        let items = feed_items(Some(&r), []);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Send \u{1b}[31mplan");
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
        let text = "# Items\n- [ ] one\n- [x] two\nprose\n";
        let titles: Vec<_> = feed_items(None, [text])
            .into_iter()
            .map(|i| (i.title, i.done))
            .collect();
        assert_eq!(
            titles,
            [("one".into(), Some(false)), ("two".into(), Some(true))]
        );
    }
}
