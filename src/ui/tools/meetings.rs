//! Krisp-shaped results (`meetings` from `search_meetings`, `results` from
//! `get_multiple_documents`) as a readable summary, straight from the JSON.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::standin::{Theme, clean};
use crate::ui::markdown;

/// Whether `v` is a Krisp result this module can summarise.
pub fn is_krisp_shaped(v: &Value) -> bool {
    v.get("meetings").is_some_and(Value::is_array)
        || v.get("results")
            .and_then(Value::as_array)
            .is_some_and(|docs| {
                !docs.is_empty() && docs.iter().all(|d| d.get("document").is_some())
            })
}

/// The summary lines, or `None` when the value is not Krisp-shaped.
pub fn summary(v: &Value, theme: &Theme) -> Option<Vec<Line<'static>>> {
    if !is_krisp_shaped(v) {
        return None;
    }
    if let Some(meetings) = v.get("meetings").and_then(Value::as_array) {
        let mut lines = vec![count_line(meetings.len(), "meeting", theme)];
        for m in meetings {
            lines.push(Line::default());
            meeting(m, theme, &mut lines);
        }
        return Some(lines);
    }
    let docs = v.get("results").and_then(Value::as_array)?;
    let mut lines = vec![count_line(docs.len(), "document", theme)];
    for d in docs {
        lines.push(Line::default());
        let id = d.get("id").map(text).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("Document {id}"),
            theme.title.patch(theme.accent),
        )));
        match d
            .get("document")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            Some(md) => lines.extend(markdown::to_text(md, theme).lines),
            None => lines.push(Line::styled(
                "Still processing: no document yet.",
                theme.warning,
            )),
        }
    }
    Some(lines)
}

fn count_line(n: usize, noun: &str, theme: &Theme) -> Line<'static> {
    let s = if n == 1 { "" } else { "s" };
    Line::styled(format!("{n} {noun}{s}"), theme.dim)
}

/// A scalar as sanitized text; strings without quotes.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => clean(s).into_owned(),
        Value::Null => String::new(),
        other => clean(&other.to_string()).into_owned(),
    }
}

/// A field of the meeting, or of its `meeting_notes` (Krisp puts notes in either place).
fn notes_field<'v>(m: &'v Value, key: &str) -> Option<&'v Value> {
    m.get(key)
        .or_else(|| m.get("meeting_notes").and_then(|n| n.get(key)))
}

fn person(p: &Value) -> String {
    match (
        p.get("name").and_then(Value::as_str),
        p.get("email").and_then(Value::as_str),
    ) {
        (Some(name), Some(email)) => format!("{} <{}>", clean(name), clean(email)),
        (Some(name), None) => clean(name).into_owned(),
        (None, Some(email)) => clean(email).into_owned(),
        (None, None) => text(p),
    }
}

fn format_date(raw: &str) -> String {
    match OffsetDateTime::parse(raw, &Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => clean(raw).into_owned(),
    }
}

/// Replaces `{{Speaker_N}}` with the N-th speaker (counting from 0, as Krisp's own text
/// rendering does), or `Speaker N` when there is no such speaker.
pub fn resolve_speakers(s: &str, speakers: &[String]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{Speaker_") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{{Speaker_".len()..];
        match after.find("}}").map(|end| (&after[..end], end)) {
            Some((digits, end))
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
            {
                match digits.parse::<usize>().ok().and_then(|n| speakers.get(n)) {
                    Some(name) => out.push_str(name),
                    None => {
                        out.push_str("Speaker ");
                        out.push_str(digits);
                    }
                }
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{Speaker_");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn heading(title: &str, theme: &Theme) -> Line<'static> {
    Line::styled(title.to_owned(), theme.title)
}

fn meeting(m: &Value, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let name = m
        .get("name")
        .map(text)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(untitled meeting)".to_owned());
    lines.push(Line::styled(
        name,
        theme.title.patch(theme.accent).add_modifier(Modifier::BOLD),
    ));

    let mut meta = Vec::new();
    if let Some(date) = m.get("date").and_then(Value::as_str) {
        meta.push(format_date(date));
    }
    if m.get("is_recurring").and_then(Value::as_bool) == Some(true) {
        meta.push("recurring".to_owned());
    }
    if let Some(id) = m.get("meeting_id").or_else(|| m.get("id")) {
        meta.push(text(id));
    }
    if !meta.is_empty() {
        lines.push(Line::styled(meta.join(" · "), theme.dim));
    }
    if let Some(url) = m.get("url").and_then(Value::as_str) {
        lines.push(Line::styled(clean(url).into_owned(), theme.dim));
    }

    let list = |key: &str| {
        m.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let speakers: Vec<String> = list("speakers").iter().map(person).collect();
    let attendees: Vec<String> = list("attendees").iter().map(person).collect();
    for (label, people) in [("People: ", &attendees), ("Speakers: ", &speakers)] {
        if !people.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(label, theme.dim),
                Span::styled(people.join(", "), theme.text),
            ]));
        }
    }

    let key_points = notes_field(m, "key_points").and_then(Value::as_array);
    if let Some(points) = key_points.filter(|p| !p.is_empty()) {
        lines.push(heading("Key points", theme));
        for p in points {
            let point = resolve_speakers(&text(p), &speakers);
            lines.push(Line::from(vec![
                Span::styled("  • ", theme.accent),
                Span::styled(point, theme.text),
            ]));
        }
    }

    let items = notes_field(m, "action_items").and_then(Value::as_array);
    if let Some(items) = items.filter(|i| !i.is_empty()) {
        lines.push(heading("Action items", theme));
        for item in items {
            lines.push(action_item(item, &speakers, theme));
        }
    }

    if let Some(summary) = notes_field(m, "detailed_summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        lines.push(heading("Summary", theme));
        let summary = resolve_speakers(summary, &speakers);
        lines.extend(
            markdown::to_text(&summary, theme)
                .lines
                .into_iter()
                .map(|l| {
                    if l.spans.is_empty() {
                        return l;
                    }
                    let mut spans = vec![Span::raw("  ")];
                    spans.extend(l.spans);
                    Line::from(spans).style(l.style)
                }),
        );
    }
}

fn action_item(item: &Value, speakers: &[String], theme: &Theme) -> Line<'static> {
    let field = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| item.get(*k))
            .map(text)
            .filter(|s| !s.is_empty())
    };
    let body = match item {
        Value::String(s) => clean(s).into_owned(),
        _ => field(&["title", "text", "description"]).unwrap_or_default(),
    };
    let done = item
        .get("completed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut spans = vec![if done {
        Span::styled("  [x] ", theme.success)
    } else {
        Span::styled("  [ ] ", theme.text)
    }];
    spans.push(Span::styled(resolve_speakers(&body, speakers), theme.text));
    if let Some(who) = field(&["assignee", "owner"]) {
        spans.push(Span::styled(
            format!(" — {}", resolve_speakers(&who, speakers)),
            theme.dim,
        ));
    }
    if let Some(due) = field(&["due_date"]) {
        spans.push(Span::styled(format!(" (due {due})"), theme.warning));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn speakers_resolve_from_zero() {
        let speakers = ["Anna Lee".to_owned(), "Bob Ray".to_owned()];
        assert_eq!(
            resolve_speakers("{{Speaker_1}} to send the plan", &speakers),
            "Bob Ray to send the plan"
        );
        assert_eq!(
            resolve_speakers("{{Speaker_7}} and {{Speaker_x}}", &speakers),
            "Speaker 7 and {{Speaker_x}}"
        );
        assert_eq!(resolve_speakers("{{Speaker_", &speakers), "{{Speaker_");
    }

    #[test]
    fn meeting_summary() {
        let v = json!({"count": 1, "meetings": [{
            "meeting_id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
            "name": "Q4 roadmap review",
            "date": "2026-01-15T15:00:00Z",
            "attendees": ["Anna Lee", {"name": "Bob Ray", "email": "bob@example.com"}],
            "speakers": ["Anna Lee", "Bob Ray"],
            "meeting_notes": {
                "detailed_summary": "#### Timeline\nShip in March.",
                "key_points": ["Scope cut to three features"],
                "action_items": [{"title": "{{Speaker_1}} to send the plan", "assignee": "Bob Ray", "completed": false},
                                 {"text": "Book the room", "completed": true}]
            }
        }]});
        let theme = Theme::default();
        assert_eq!(
            plain(&summary(&v, &theme).unwrap_or_default()),
            [
                "1 meeting",
                "",
                "Q4 roadmap review",
                "2026-01-15 15:00 UTC · 0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
                "People: Anna Lee, Bob Ray <bob@example.com>",
                "Speakers: Anna Lee, Bob Ray",
                "Key points",
                "  • Scope cut to three features",
                "Action items",
                "  [ ] Bob Ray to send the plan — Bob Ray",
                "  [x] Book the room",
                "Summary",
                "  Timeline",
                "",
                "  Ship in March.",
            ]
        );
    }

    #[test]
    fn documents_and_other_shapes() {
        let theme = Theme::default();
        let v = json!({"results": [{"id": "ab", "document": null}, {"id": "cd", "document": "# Notes"}]});
        assert_eq!(
            plain(&summary(&v, &theme).unwrap_or_default()),
            [
                "2 documents",
                "",
                "Document ab",
                "Still processing: no document yet.",
                "",
                "Document cd",
                "Notes"
            ]
        );
        assert_eq!(summary(&json!({"results": [{"id": 1}]}), &theme), None);
        assert_eq!(summary(&json!({"items": []}), &theme), None);
    }
}
