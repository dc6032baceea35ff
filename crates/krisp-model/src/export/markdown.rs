//! The `md` export: title, facts, notes, action items as a task list, transcript as paragraphs.

use jiff::tz::TimeZone;

use crate::krisp::{Document, DocumentState, Meeting, MeetingDate, Person, write_offset};

use super::one_line;

pub(super) fn render(meeting: &Meeting, document: Option<&Document>, tz: &TimeZone) -> String {
    let turns = document.map_or(0, |d| d.transcript.turns.len());
    let mut out = String::with_capacity(1024 + turns * 128);
    let title = one_line(&meeting.name);
    out.push_str("# ");
    out.push_str(&escape(if title.is_empty() {
        "Untitled meeting"
    } else {
        &title
    }));
    out.push_str("\n\n");

    let mut facts = Vec::new();
    if let Some(date) = &meeting.date {
        facts.push(("Date", display_date(date, tz)));
    }
    let attendees: Vec<String> = if meeting.attendees.is_empty() {
        meeting
            .speakers
            .iter()
            .map(|s| escape(&one_line(s)))
            .collect()
    } else {
        // `<address>` is a Markdown autolink, so the email is left as it is.
        let person = |p: &Person| match &p.email {
            Some(email) if *email != p.name => {
                format!("{} <{}>", escape(&one_line(&p.name)), email.trim())
            }
            _ => escape(&one_line(&p.name)),
        };
        meeting.attendees.iter().map(person).collect()
    };
    if !attendees.is_empty() {
        facts.push(("Attendees", attendees.join(", ")));
    }
    if let Some(url) = &meeting.url {
        facts.push(("Link", format!("<{}>", url.trim())));
    }
    if let Some(url) = document.and_then(|d| d.recording_url.as_deref()) {
        facts.push(("Recording", format!("<{}>", url.trim())));
    }
    if !meeting.tags.is_empty() {
        facts.push((
            "Tags",
            meeting
                .tags
                .iter()
                .map(|t| escape(t))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    for (label, value) in &facts {
        out.push_str(&format!("- **{label}:** {value}\n"));
    }
    if !facts.is_empty() {
        out.push('\n');
    }

    if let Some(summary) = meeting.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        section(&mut out, "Summary", summary.trim());
    }
    if !meeting.key_points.is_empty() {
        let body: Vec<String> = meeting
            .key_points
            .iter()
            .map(|p| format!("- {}", p.trim()))
            .collect();
        section(&mut out, "Key Points", &body.join("\n"));
    }
    if !meeting.action_items.is_empty() {
        let body: Vec<String> = meeting
            .action_items
            .iter()
            .map(|item| {
                let mut line = format!(
                    "- [{}] {}",
                    if item.completed { 'x' } else { ' ' },
                    one_line(&meeting.display_text(item))
                );
                let details: Vec<String> = item
                    .assignee
                    .iter()
                    .map(|a| one_line(a))
                    .chain(item.due_date.iter().map(|d| format!("due {}", d.trim())))
                    .collect();
                if !details.is_empty() {
                    line.push_str(&format!(" ({})", details.join(", ")));
                }
                line
            })
            .collect();
        section(&mut out, "Action Items", &body.join("\n"));
    }

    if let Some(doc) = document {
        // The document's own notes, unless the meeting already gave the same section: Krisp's
        // search results sometimes lack notes that the document has.
        for s in &doc.sections {
            let heading = s.heading.to_ascii_lowercase();
            let covered = match heading.as_str() {
                "detailed summary" | "summary" => meeting.summary.is_some(),
                "key points" => !meeting.key_points.is_empty(),
                "action items" => !meeting.action_items.is_empty(),
                _ => false,
            };
            if !covered && !s.body.trim().is_empty() {
                section(&mut out, &one_line(&s.heading), s.body.trim());
            }
        }
        if !doc.unparsed.trim().is_empty() {
            section(&mut out, "Other Notes", doc.unparsed.trim());
        }
        out.push_str("## Transcript\n\n");
        if doc.state == DocumentState::Processing {
            out.push_str("_Krisp is still processing this meeting._\n");
        } else if doc.transcript.is_empty() {
            out.push_str("_No transcript._\n");
        }
        for (i, turn) in doc.transcript.turns.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("**");
            out.push_str(&escape(&one_line(&turn.speaker)));
            out.push_str("** [");
            write_offset(&mut out, turn.start);
            out.push_str("] ");
            out.push_str(turn.text.trim());
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn section(out: &mut String, heading: &str, body: &str) {
    out.push_str("## ");
    out.push_str(heading);
    out.push_str("\n\n");
    out.push_str(body);
    out.push_str("\n\n");
}

/// The time people read, in their zone `tz` with the zone named (`2026-11-24 22:00 PST`), as
/// the TUI and `show` give it.
fn display_date(date: &MeetingDate, tz: &TimeZone) -> String {
    match date.timestamp().map(|at| crate::timefmt::stamp_in(at, tz)) {
        Some(stamp) if !stamp.is_empty() => stamp,
        _ => date.to_string(),
    }
}

/// Backslash-escapes the characters that would turn a name into Markdown markup.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
