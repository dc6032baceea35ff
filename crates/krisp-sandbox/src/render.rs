//! Krisp-style Markdown: search result blocks, meeting documents with `**Name | MM:SS**` turns, agendas.

use std::fmt::Write;

use super::data::{ActionItem, Attendee, Meeting, Upcoming, iso, render_placeholders, timestamp};
use super::tools::{Field, Fields};

/// One `search_meetings` text block (KRISP.md §4), showing only the selected fields.
pub fn search_block(meeting: &Meeting, fields: &Fields, url: &str) -> String {
    let mut out = String::new();
    let title = if fields.has(Field::Name) {
        meeting.name.as_str()
    } else {
        meeting.id.as_str()
    };
    out.push_str("## ");
    out.push_str(title);
    if fields.has(Field::Date) {
        let _ = write!(out, " ({})", iso(meeting.date));
    }
    let _ = write!(out, "\nmeeting_id: {}\n", meeting.id);
    if fields.has(Field::Url) {
        let _ = writeln!(out, "url: {url}");
    }
    if fields.has(Field::Speakers) {
        let _ = writeln!(out, "speakers: {}", meeting.speakers.join(", "));
    }
    if fields.has(Field::Attendees) {
        let _ = writeln!(out, "attendees: {}", names(&meeting.attendees));
    }
    let notes = fields.has(Field::MeetingNotes);
    if (notes || fields.has(Field::KeyPoints)) && !meeting.key_points.is_empty() {
        out.push_str("\n### Key Points\n");
        for point in &meeting.key_points {
            let _ = writeln!(out, "- {point}");
        }
    }
    if (notes || fields.has(Field::ActionItems)) && !meeting.action_items.is_empty() {
        out.push_str("\n### Action Items\n");
        for item in &meeting.action_items {
            out.push_str(&action_item_line(item, &meeting.speakers));
            out.push('\n');
        }
    }
    if (notes || fields.has(Field::DetailedSummary)) && !meeting.summary.is_empty() {
        out.push_str("\n### Detailed Summary\n");
        out.push_str(&meeting.summary);
        out.push('\n');
    }
    out
}

/// `- [x] Bob Ray to send the plan (Bob Ray)`: placeholders resolved, assignee in brackets.
pub fn action_item_line(item: &ActionItem, speakers: &[String]) -> String {
    let mut line = format!(
        "- [{}] {}",
        if item.completed { 'x' } else { ' ' },
        render_placeholders(&item.title, speakers)
    );
    if let Some(assignee) = &item.assignee {
        let _ = write!(line, " ({assignee})");
    }
    line
}

pub fn names(attendees: &[Attendee]) -> String {
    attendees
        .iter()
        .map(Attendee::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where Krisp's web app shows a meeting. The sandbox's links point there, as the real
/// server's do, never at wherever the sandbox runs: a link that changed with the sandbox's
/// random port would make every vault file change on every demo run.
pub const APP_URL: &str = "https://app.krisp.ai";

/// A meeting's link, shaped like Krisp's.
pub fn meeting_url(id: &str) -> String {
    format!("{APP_URL}/t/{id}")
}

/// The full meeting document: recording link, notes, transcript. `None` while processing.
pub fn document(meeting: &Meeting) -> Option<String> {
    if meeting.processing {
        return None;
    }
    let mut out = format!(
        "[Download recording]({}/recording)\n",
        meeting_url(&meeting.id)
    );
    if !meeting.action_items.is_empty() {
        out.push_str("\n### Action Items\n");
        for item in &meeting.action_items {
            out.push_str(&action_item_line(item, &meeting.speakers));
            out.push('\n');
        }
    }
    if !meeting.key_points.is_empty() {
        out.push_str("\n### Key Points\n");
        for point in &meeting.key_points {
            let _ = writeln!(out, "- {point}");
        }
    }
    if !meeting.summary.is_empty() {
        let _ = write!(out, "\n### Detailed Summary\n{}\n", meeting.summary);
    }
    if !meeting.transcript.is_empty() {
        if let Some(heading) = transcript_heading(&meeting.id) {
            let _ = write!(out, "\n{heading}\n");
        }
        for (speaker, start, text) in meeting.transcript.turns(&meeting.speakers) {
            let _ = write!(out, "\n**{speaker} | {}**\n{text}\n", timestamp(start));
        }
    }
    Some(out)
}

/// Krisp's transcript heading varies between documents; the sandbox varies it by id so every
/// form (including none) turns up in any data set.
fn transcript_heading(id: &str) -> Option<&'static str> {
    const HEADINGS: [Option<&str>; 4] = [
        Some("### Transcript"),
        Some("## Transcript"),
        Some("## Transcript 1"),
        None,
    ];
    let nibble = id.chars().last().and_then(|c| c.to_digit(16)).unwrap_or(0);
    HEADINGS[nibble as usize % HEADINGS.len()]
}

/// The agenda document of an upcoming meeting (its id is the meeting's id).
pub fn agenda_document(upcoming: &Upcoming) -> String {
    format!(
        "# Agenda: {}\n\nstart: {}\nattendees: {}\n\n{}\n",
        upcoming.name,
        iso(upcoming.start),
        names(&upcoming.attendees),
        upcoming.agenda
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Transcript, Turn, parse_iso};

    fn meeting() -> Meeting {
        Meeting {
            id: "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".into(),
            name: "Q4 roadmap review".into(),
            date: parse_iso("2026-01-15T15:00:00Z").expect("valid"),
            duration_s: 4000,
            is_recurring: false,
            tags: vec![],
            attendees: vec![
                Attendee::Name("Anna Lee".into()),
                Attendee::Person {
                    name: "Bob Ray".into(),
                    email: "bob@example.com".into(),
                },
            ],
            speakers: vec!["Anna Lee".into(), "Bob Ray".into()],
            agenda: None,
            summary: "#### Timeline\nShip in March...".into(),
            key_points: vec!["Scope cut to three features".into()],
            action_items: vec![
                ActionItem {
                    title: "{{Speaker_2}} to send the plan".into(),
                    assignee: Some("Bob Ray".into()),
                    completed: false,
                    due_date: None,
                },
                ActionItem {
                    title: "Book the room".into(),
                    assignee: None,
                    completed: true,
                    due_date: None,
                },
            ],
            processing: false,
            transcript: Transcript::written(vec![
                Turn {
                    speaker: "Anna Lee".into(),
                    start_s: 0,
                    text: "Let's start.".into(),
                },
                Turn {
                    speaker: "Bob Ray".into(),
                    start_s: 3725,
                    text: "One more thing.".into(),
                },
            ]),
            overrides: None,
            haystack: String::new(),
        }
        .indexed()
    }

    #[test]
    fn a_search_block_reads_like_krisps() {
        let m = meeting();
        let url = format!("https://app.krisp.ai/t/{}", m.id);
        assert_eq!(
            search_block(&m, &Fields::all(), &url),
            "## Q4 roadmap review (2026-01-15T15:00:00Z)
meeting_id: 0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e
url: https://app.krisp.ai/t/0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e
speakers: Anna Lee, Bob Ray
attendees: Anna Lee, Bob Ray

### Key Points
- Scope cut to three features

### Action Items
- [ ] Bob Ray to send the plan (Bob Ray)
- [x] Book the room

### Detailed Summary
#### Timeline
Ship in March...
"
        );
    }

    #[test]
    fn a_document_has_notes_then_timestamped_turns() {
        let m = meeting();
        // The id ends in "e" (14): 14 % 4 = 2 selects "## Transcript 1".
        assert_eq!(
            document(&m).as_deref(),
            Some(
                "[Download recording](https://app.krisp.ai/t/0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e/recording)

### Action Items
- [ ] Bob Ray to send the plan (Bob Ray)
- [x] Book the room

### Key Points
- Scope cut to three features

### Detailed Summary
#### Timeline
Ship in March...

## Transcript 1

**Anna Lee | 00:00**
Let's start.

**Bob Ray | 1:02:05**
One more thing.
"
            )
        );
        let processing = Meeting {
            processing: true,
            ..m
        };
        assert_eq!(document(&processing), None);
    }
}
