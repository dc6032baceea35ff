//! The meeting view's layout: the header (with the talk-time pictures), the notes and the
//! transcript as wrapped lines for one width (their text sanitized where it came in,
//! `app::incoming`), and finding text in them. Pure
//! functions of the meeting, its document and the width; `MeetingView` keeps what they return.

use std::time::Duration;

use jiff::tz::TimeZone;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::meeting::{DocState, Notes, TalkPicture, TextHit, Tone, ViewLine};
use crate::app::meetings::{Row, people};
use crate::krisp::{Document, DocumentState, Meeting, TalkTime, format_offset};
use crate::theme::Theme;

/// Stable speaker colours: the position in the meeting's speaker list, else a hash of the name.
pub fn speaker_tone(meeting: &Meeting, name: &str) -> Tone {
    Tone::Speaker(
        meeting
            .speakers
            .iter()
            .position(|s| s == name)
            .unwrap_or_else(|| Theme::speaker_index(name)),
    )
}

/// A laid-out view: its lines, where each transcript turn and the transcript start, the pictures.
pub(crate) struct Laid {
    pub(crate) lines: Vec<ViewLine>,
    pub(crate) turn_starts: Vec<usize>,
    pub(crate) transcript_start: Option<usize>,
    pub(crate) picture: Option<TalkPicture>,
}

/// The duration the server stated, when it did: Krisp's `search_meetings` sends none; some
/// servers do (kept in `extra`).
fn stated_duration(meeting: &Meeting) -> Option<Duration> {
    ["duration_s", "duration", "duration_seconds"]
        .iter()
        .find_map(|k| meeting.extra.get(*k)?.as_u64())
        .map(Duration::from_secs)
}

pub(crate) fn layout(
    meeting: &Meeting,
    row: &Row,
    document: &DocState,
    beside: &Notes,
    width: usize,
    tz: &TimeZone,
) -> Laid {
    let mut out = Vec::new();
    let push_wrapped = |out: &mut Vec<ViewLine>, tone: Tone, indent: usize, text: &str| {
        push_wrapped(out, width, tone, indent, text);
    };

    out.push(ViewLine::new(vec![(Tone::Title, row.name.clone())]));
    // The time stands alone here: name its zone. A meeting without a date shows none.
    let stamp = match meeting.date.as_ref().map(|d| (d, d.timestamp())) {
        Some((_, Some(at))) => crate::timefmt::stamp_in(at, tz),
        Some(_) => format!("{} {}", row.date, row.time).trim().to_owned(),
        None => String::new(),
    };
    let mut when = vec![(Tone::Dim, stamp)];
    // One length, shown as the list shows it: what the server stated (Krisp states none),
    // else the transcript's.
    let stated = stated_duration(meeting);
    let length = stated.or(match document {
        DocState::Ready(doc) => doc.transcript.length(),
        _ => None,
    });
    if let Some(length) = length {
        when.push((
            Tone::Dim,
            format!("  ·  {}", crate::app::meetings::length_label(length)),
        ));
    }
    if meeting.recurring {
        when.push((Tone::Dim, "  ·  recurring".to_owned()));
    }
    out.push(ViewLine::new(when));
    if let Some(url) = &meeting.url {
        out.push(ViewLine::new(vec![(Tone::Accent, url.clone())]));
    }
    let attendees = people(meeting);
    if !attendees.is_empty() {
        push_wrapped(&mut out, Tone::Text, 0, &format!("Attendees: {attendees}"));
    }
    let picture = match document {
        DocState::Ready(doc) => talk_picture(meeting, doc, stated, width, out.len()),
        _ => None,
    };
    let picture = picture.map(|(lines, picture)| {
        out.extend(lines);
        picture
    });
    if picture.is_none() && !meeting.speakers.is_empty() {
        let mut spans = vec![(Tone::Dim, "Speakers: ".to_owned())];
        for (i, s) in meeting.speakers.iter().enumerate() {
            if i > 0 {
                spans.push((Tone::Dim, ", ".to_owned()));
            }
            spans.push((Tone::Speaker(i), s.clone()));
        }
        out.push(ViewLine::new(spans));
    }
    if !meeting.tags.is_empty() {
        out.push(ViewLine::new(vec![(
            Tone::Dim,
            format!("Tags: {}", meeting.tags.join(", ")),
        )]));
    }

    notes(&mut out, meeting, width, tz);

    let mut turn_starts = Vec::new();
    let transcript_start;
    match document {
        DocState::Loading => {
            heading(&mut out, "Transcript");
            transcript_start = Some(out.len() - 1);
            out.push(ViewLine::new(vec![(
                Tone::Dim,
                "Loading the transcript…".into(),
            )]));
            if let Some(r) = &beside.retrying {
                push_wrapped(&mut out, Tone::Warning, 0, &r.message);
                let line = format!(
                    "Trying again on its own in {} s (retry {} of {})…",
                    r.wait.as_secs_f64().round().max(1.0),
                    r.attempt,
                    r.attempts
                );
                push_wrapped(&mut out, Tone::Dim, 0, &line);
            }
        }
        DocState::Failed { message, retry } => {
            heading(&mut out, "Transcript");
            transcript_start = Some(out.len() - 1);
            push_wrapped(&mut out, Tone::Error, 0, message);
            push_wrapped(&mut out, Tone::Dim, 0, retry);
        }
        DocState::Ready(doc) => {
            // The document's copy of a section the meeting's notes already showed is skipped;
            // a meeting known only by name (opened from a feed) shows the document's.
            let has_summary = meeting
                .summary
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty());
            for section in &doc.sections {
                let title = section.heading.trim_start_matches('#').trim();
                let shown = match title.to_lowercase().as_str() {
                    "summary" | "detailed summary" => has_summary,
                    "key points" => !meeting.key_points.is_empty(),
                    "action items" => !meeting.action_items.is_empty(),
                    _ => false,
                };
                if shown {
                    continue;
                }
                heading(&mut out, title);
                for line in section.body.lines() {
                    let (tone, text) = readable_line(line, tz);
                    push_wrapped(&mut out, tone, 0, &text);
                }
            }
            heading(&mut out, "Transcript");
            transcript_start = Some(out.len() - 1);
            if doc.state == DocumentState::Processing || doc.transcript.turns.is_empty() {
                let note = if doc.state == DocumentState::Processing {
                    let reload = match &beside.reload_key {
                        Some(key) => format!("Press {key} later to reload."),
                        None => "Open it again later.".to_owned(),
                    };
                    format!(
                        "Krisp is still processing this meeting: no notes or transcript yet. {reload}"
                    )
                } else if beside.upcoming {
                    "This meeting has not happened yet: its transcript comes after it.".to_owned()
                } else {
                    "This meeting has no transcript.".to_owned()
                };
                push_wrapped(&mut out, Tone::Warning, 0, &note);
            }
            for (i, turn) in doc.transcript.turns.iter().enumerate() {
                if i > 0 {
                    out.push(ViewLine {
                        spans: Vec::new(),
                        turn: Some(i - 1),
                    });
                }
                turn_starts.push(out.len());
                out.push(ViewLine {
                    spans: vec![
                        (speaker_tone(meeting, &turn.speaker), turn.speaker.clone()),
                        (Tone::Dim, format!("  {}", format_offset(turn.start))),
                    ],
                    turn: Some(i),
                });
                let first = out.len();
                push_wrapped(&mut out, Tone::Text, 2, &turn.text);
                for l in &mut out[first..] {
                    l.turn = Some(i);
                }
            }
        }
    }
    Laid {
        lines: out,
        turn_starts,
        transcript_start,
        picture,
    }
}

/// The label column of the pictures ("Speakers", "Timeline").
const LABEL: usize = 11;
/// Speakers shown with a bar of their own; more than one more are folded into "others".
const BARS: usize = 5;

/// The header's talk-time bars (one per speaker, the most talkative first, each with the symbol
/// and colour the timeline uses for them), the timeline's label line and its time axis. `None`
/// without turns or room.
fn talk_picture(
    meeting: &Meeting,
    doc: &Document,
    stated: Option<Duration>,
    width: usize,
    first_line: usize,
) -> Option<(Vec<ViewLine>, TalkPicture)> {
    let turns = &doc.transcript.turns;
    if turns.is_empty() || width < LABEL + 16 {
        return None;
    }
    let talk = TalkTime::of(turns, stated);
    if talk.total_ms == 0 {
        return None;
    }
    let percents = talk.percents();
    let talked: u64 = talk.speakers.iter().map(|(_, ms)| ms).sum();
    let mut order: Vec<usize> = (0..talk.speakers.len()).collect();
    order.sort_by(|&a, &b| talk.speakers[b].1.cmp(&talk.speakers[a].1).then(a.cmp(&b)));
    let shown = if order.len() > BARS + 1 {
        BARS
    } else {
        order.len()
    };
    let names: Vec<String> = talk.speakers.iter().map(|(name, _)| name.clone()).collect();
    let mut legend = vec![('+', Tone::Dim); names.len()];
    let mut taken = vec!['+'];
    for &k in &order[..shown] {
        let symbol = symbol_for(&names[k], &taken);
        taken.push(symbol);
        legend[k] = (symbol, speaker_tone(meeting, &talk.speakers[k].0));
    }
    let others = order.len() - shown;
    let others_name = format!("{others} others");
    let name_w = order[..shown]
        .iter()
        .map(|&k| names[k].width())
        .chain((others > 0).then(|| others_name.width()))
        .max()
        .unwrap_or(0)
        .min(18)
        .min(width / 4);
    // "A Name… ████░░░░  62%"
    let bar_w = width.saturating_sub(LABEL + 2 + name_w + 1 + 5);
    let bar_w = if bar_w < 3 { 0 } else { bar_w };
    let mut out = Vec::new();
    let mut bar_row = |label: &str, symbol: char, tone: Tone, name: &str, ms: u64, pct: u8| {
        let filled = if talked == 0 {
            0
        } else {
            usize::try_from(
                (u128::from(ms) * bar_w as u128 + u128::from(talked) / 2) / u128::from(talked),
            )
            .unwrap_or(bar_w)
            .min(bar_w)
        };
        let name = crate::columns::truncate(name, name_w);
        let pad = name_w.saturating_sub(name.width());
        let mut spans = vec![
            (Tone::Title, format!("{label:LABEL$}")),
            (tone, format!("{symbol} {name}{:pad$} ", "")),
        ];
        if bar_w > 0 {
            spans.push((tone, "█".repeat(filled)));
            spans.push((Tone::Dim, "░".repeat(bar_w - filled)));
        }
        spans.push((Tone::Dim, format!(" {pct:>3}%")));
        out.push(ViewLine::new(spans));
    };
    for (row, &k) in order[..shown].iter().enumerate() {
        let label = if row == 0 { "Speakers" } else { "" };
        let (symbol, tone) = legend[k];
        bar_row(
            label,
            symbol,
            tone,
            &names[k],
            talk.speakers[k].1,
            percents[k],
        );
    }
    if others > 0 {
        let rest = &order[shown..];
        let ms = rest.iter().map(|&k| talk.speakers[k].1).sum();
        let pct = rest.iter().map(|&k| percents[k]).sum();
        bar_row("", '+', Tone::Dim, &others_name, ms, pct);
    }
    let cells = width - LABEL;
    let timeline_line = first_line + out.len();
    out.push(ViewLine::new(vec![(
        Tone::Title,
        format!("{:LABEL$}", "Timeline"),
    )]));
    let (start, end) = ("00:00".to_owned(), crate::krisp::clock(talk.total_ms));
    let gap = cells.saturating_sub(start.width() + end.width());
    let axis = if gap > 0 {
        format!("{:LABEL$}{start}{:gap$}{end}", "", "")
    } else {
        String::new()
    };
    out.push(ViewLine::new(vec![(Tone::Dim, axis)]));
    let picture = TalkPicture {
        cells: talk.timeline(cells),
        talk,
        legend,
        column: LABEL,
        timeline_line,
        axis_line: timeline_line + 1,
        hit_cells: Vec::new(),
    };
    Some((out, picture))
}

/// A one-column symbol for `name` that no one else has: its initial, else the initial of a later
/// word, else any letter or digit of it, else the first free letter.
fn symbol_for(name: &str, taken: &[char]) -> char {
    let usable = |c: char| c.is_ascii_alphanumeric() && !taken.contains(&c.to_ascii_uppercase());
    let initials = name.split_whitespace().filter_map(|w| w.chars().next());
    initials
        .chain(name.chars())
        .chain('A'..='Z')
        .chain('0'..='9')
        .find(|&c| usable(c))
        .map_or('?', |c| c.to_ascii_uppercase())
}

/// Appends `text` wrapped to `width` columns, each line indented by `indent`.
fn push_wrapped(out: &mut Vec<ViewLine>, width: usize, tone: Tone, indent: usize, text: &str) {
    for line in text.lines() {
        for piece in wrap(line, width.saturating_sub(indent).max(4)) {
            out.push(ViewLine::new(vec![(
                tone,
                format!("{:indent$}{piece}", ""),
            )]));
        }
    }
}

/// A line of Krisp's Markdown notes as the views and `show` read it: a heading without its
/// `#`s (as a title), emphasis without `**`, a bullet as `•`, and a `key: time` line (an
/// agenda's `start: 2026-12-07T13:30:00Z`) in `tz`, the user's zone, like every other time.
pub fn readable_line(line: &str, tz: &TimeZone) -> (Tone, String) {
    if line.starts_with('#') {
        let title = line.trim_start_matches('#').trim_start();
        return (Tone::Title, title.replace("**", ""));
    }
    let text = line.replace("**", "");
    let indent = text.len() - text.trim_start().len();
    let rest = &text[indent..];
    if let Some(item) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("* "))
        && !item.starts_with('[')
    {
        return (Tone::Text, format!("{}• {item}", &text[..indent]));
    }
    if let Some((key, value)) = text.split_once(": ")
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '_')
        && let Ok(at) = value.trim().parse::<jiff::Timestamp>()
    {
        let stamp = crate::timefmt::stamp_in(at, tz);
        return (Tone::Text, format!("{key}: {stamp}"));
    }
    (Tone::Text, text)
}

/// A blank line and a section heading.
fn heading(out: &mut Vec<ViewLine>, title: &str) {
    out.push(ViewLine::blank());
    out.push(ViewLine::new(vec![(Tone::Title, title.to_owned())]));
}

/// The meeting's notes (summary, key points, action items), each section after a heading;
/// nothing for a meeting without notes. The meeting view and the list's preview both show them.
pub fn notes(out: &mut Vec<ViewLine>, meeting: &Meeting, width: usize, tz: &TimeZone) {
    if let Some(summary) = meeting.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        heading(out, "Summary");
        for line in summary.lines() {
            let (tone, text) = readable_line(line, tz);
            push_wrapped(out, width, tone, 0, &text);
        }
    }
    if !meeting.key_points.is_empty() {
        heading(out, "Key points");
        for point in &meeting.key_points {
            let first = out.len();
            push_wrapped(out, width, Tone::Text, 2, point);
            if let Some((_, s)) = out.get_mut(first).and_then(|l| l.spans.first_mut()) {
                s.replace_range(..2, "• ");
            }
        }
    }
    if !meeting.action_items.is_empty() {
        heading(out, "Action items");
        for item in &meeting.action_items {
            let mut text = meeting.display_text(item);
            if let Some(who) = &item.assignee {
                text.push_str(&format!(" — {who}"));
            }
            if let Some(due) = &item.due_date {
                text.push_str(&format!(" (due {due})"));
            }
            let (mark, tone) = if item.completed {
                ("[x] ", Tone::Success)
            } else {
                ("[ ] ", Tone::Warning)
            };
            let first = out.len();
            push_wrapped(out, width, Tone::Text, 4, &text);
            if let Some(l) = out.get_mut(first) {
                if let Some((_, s)) = l.spans.first_mut() {
                    s.replace_range(..4, "");
                }
                l.spans.insert(0, (tone, mark.to_owned()));
            }
        }
    }
}

/// Greedy word wrap to `width` columns; words longer than a line are split.
pub fn wrap(text: &str, width: usize) -> Vec<&str> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut start = 0; // byte offset of the current line
    let mut col = 0; // its width so far
    let mut last_space: Option<usize> = None; // byte offset just after the last space
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let w = c.width().unwrap_or(0);
        if col + w > width && i > start && c == ' ' {
            // A word that ends exactly at the width: the line ends there, the space goes.
            lines.push(text[start..i].trim_end());
            start = i + 1;
            col = 0;
            last_space = None;
            if iter.peek().is_none() {
                break;
            }
            continue;
        }
        if col + w > width && i > start {
            let cut = match last_space {
                Some(s) if s > start => s,
                _ => i,
            };
            lines.push(text[start..cut].trim_end());
            start = cut;
            col = text[start..i].width();
            last_space = None;
        }
        col += w;
        if c == ' ' {
            last_space = Some(i + 1);
        }
        if iter.peek().is_none() {
            lines.push(&text[start..]);
        }
    }
    if lines.is_empty() {
        lines.push("");
    }
    lines
}

/// Case-insensitive hits of `needle` in every line.
pub(crate) fn find(lines: &[ViewLine], needle: &str) -> Vec<TextHit> {
    if needle.is_empty() {
        return Vec::new();
    }
    let needle = needle.to_lowercase();
    let mut hits = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let text = line.text();
        let lower = text.to_lowercase();
        // Lowercasing can change byte lengths outside ASCII; then match the text as it is.
        let hay = if lower.len() == text.len() {
            &lower
        } else {
            &text
        };
        let mut from = 0;
        while let Some(pos) = hay[from..].find(&needle) {
            let start = from + pos;
            hits.push(TextHit {
                line: i,
                start,
                end: start + needle.len(),
            });
            from = start + needle.len().max(1);
        }
    }
    hits
}
