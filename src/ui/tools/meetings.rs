//! Meeting- and document-shaped results (`search_meetings`, `get_document`, `get_multiple_documents`) as a summary.

use jiff::tz::TimeZone;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::app::incoming::Sanitized as _;
use crate::app::tools::result::{Shape, shape};
use crate::krisp::{ActionItem, Meeting, MeetingDate};
use crate::sanitize::clean_line;
use crate::theme::Theme;
use crate::ui::markdown;

/// The summary lines and the line each meeting or document starts at, or `None` when the
/// value is not shaped as meetings or documents.
pub fn summary(
    v: &Value,
    theme: &Theme,
    tz: &TimeZone,
) -> Option<(Vec<Line<'static>>, Vec<usize>)> {
    let mut anchors = Vec::new();
    match shape(v) {
        Shape::Meetings => {
            let meetings = v.get("meetings").and_then(Value::as_array)?;
            let mut lines = vec![count_line(meetings.len(), "meeting", theme)];
            for m in meetings {
                lines.push(Line::default());
                anchors.push(lines.len());
                meeting(m, theme, tz, &mut lines);
            }
            return Some((lines, anchors));
        }
        Shape::Documents => {}
        Shape::Items | Shape::Other => return None,
    }
    let docs: Vec<&Value> = match v.get("results").and_then(Value::as_array) {
        Some(docs) => docs.iter().collect(),
        None => vec![v],
    };
    let mut lines = vec![count_line(docs.len(), "document", theme)];
    for d in docs {
        lines.push(Line::default());
        anchors.push(lines.len());
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
    Some((lines, anchors))
}

fn count_line(n: usize, noun: &str, theme: &Theme) -> Line<'static> {
    let s = if n == 1 { "" } else { "s" };
    Line::styled(format!("{n} {noun}{s}"), theme.dim)
}

/// A scalar as sanitized text; strings without quotes.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => clean_line(s).into_owned(),
        Value::Null => String::new(),
        other => clean_line(&other.to_string()).into_owned(),
    }
}

/// A meeting's date in `tz` (the user's zone), as the meeting view shows it.
fn format_date(date: &MeetingDate, tz: &TimeZone) -> String {
    match date.timestamp() {
        Some(t) => crate::timefmt::stamp_in(t, tz),
        // A raw date is on one line already (`Sanitized for Meeting`).
        None => date.to_string(),
    }
}

fn heading(title: &str, theme: &Theme) -> Line<'static> {
    Line::styled(title.to_owned(), theme.title)
}

fn meeting(v: &Value, theme: &Theme, tz: &TimeZone, lines: &mut Vec<Line<'static>>) {
    let title_style = theme.title.patch(theme.accent).add_modifier(Modifier::BOLD);
    // A meeting's rules (names on one line) over the result, which was sanitized where it came
    // in with its strings' line breaks kept: the same meeting the view would open.
    let m = match Meeting::from_value(v) {
        Ok(m) => m.sanitized(),
        Err(e) => {
            let name = v.get("name").map(text).unwrap_or_default();
            lines.push(Line::styled(name, title_style));
            lines.push(Line::styled(
                format!("{} (t shows the JSON tree)", clean_line(&e.to_string())),
                theme.warning,
            ));
            return;
        }
    };
    let name = if m.name.trim().is_empty() {
        "(untitled meeting)".to_owned()
    } else {
        m.name.clone()
    };
    lines.push(Line::styled(name, title_style));

    let mut meta: Vec<String> = m.date.iter().map(|d| format_date(d, tz)).collect();
    if m.recurring {
        meta.push("recurring".to_owned());
    }
    meta.push(m.id.as_str().to_owned());
    lines.push(Line::styled(meta.join(" · "), theme.dim));
    if let Some(url) = &m.url {
        lines.push(Line::styled(url.clone(), theme.dim));
    }

    let attendees: Vec<String> = m
        .attendees
        .iter()
        .map(|p| match &p.email {
            Some(email) => format!("{} <{email}>", p.name),
            None => p.name.clone(),
        })
        .collect();
    let speakers = m.speakers.clone();
    let tags = m.tags.clone();
    for (label, values) in [
        ("People: ", attendees),
        ("Speakers: ", speakers),
        ("Tags: ", tags),
    ] {
        if !values.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(label, theme.dim),
                Span::styled(values.join(", "), theme.text),
            ]));
        }
    }

    if !m.key_points.is_empty() {
        lines.push(heading("Key points", theme));
        for point in &m.key_points {
            lines.push(Line::from(vec![
                Span::styled("  • ", theme.accent),
                Span::styled(clean_line(point).into_owned(), theme.text),
            ]));
        }
    }

    if !m.action_items.is_empty() {
        lines.push(heading("Action items", theme));
        for item in &m.action_items {
            lines.push(action_item(&m, item, theme));
        }
    }

    if let Some(summary) = m.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(heading("Summary", theme));
        // Indented under its heading; blank lines stay empty.
        lines.extend(
            markdown::to_text(summary, theme)
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

fn action_item(m: &Meeting, item: &ActionItem, theme: &Theme) -> Line<'static> {
    let mut spans = vec![if item.completed {
        Span::styled("  [x] ", theme.success)
    } else {
        Span::styled("  [ ] ", theme.text)
    }];
    spans.push(Span::styled(
        clean_line(&m.display_text(item)).into_owned(),
        theme.text,
    ));
    if let Some(who) = item.assignee.as_deref().filter(|w| !w.is_empty()) {
        spans.push(Span::styled(format!(" — {who}"), theme.dim));
    }
    if let Some(due) = item.due_date.as_deref().filter(|d| !d.is_empty()) {
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
            plain(&summary(&v, &theme, &TimeZone::UTC).unwrap_or_default().0),
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
            plain(&summary(&v, &theme, &TimeZone::UTC).unwrap_or_default().0),
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
        assert_eq!(
            summary(&json!({"results": [{"id": 1}]}), &theme, &TimeZone::UTC),
            None
        );
        assert_eq!(summary(&json!({"items": []}), &theme, &TimeZone::UTC), None);
        // `get_document`'s one document reads like one of `get_multiple_documents`.
        let one = json!({"id": "cd", "document": "# Notes\n\n**Anna | 00:04**\nHello."});
        assert_eq!(
            summary(&one, &theme, &TimeZone::UTC).map(|(l, anchors)| (plain(&l), anchors)),
            Some((
                vec![
                    "1 document".to_owned(),
                    String::new(),
                    "Document cd".to_owned(),
                    "Notes".to_owned(),
                    String::new(),
                    "Anna | 00:04".to_owned(),
                    "Hello.".to_owned(),
                ],
                vec![2]
            ))
        );
    }
}
