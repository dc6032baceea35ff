//! `--hostile`: meetings full of what a terminal must never pass through, and JSON of odd shapes.
//!
//! Two meetings newer than everything else (so a plain search returns them first), an upcoming
//! meeting and an activity carry ANSI CSI and OSC sequences (colours, window title, hyperlinks,
//! screen clears), C0 and C1 controls, bidi overrides and isolates, zero-width characters, a line
//! of one megabyte, and, in structured results, oddly typed and deeply nested values.

use jiff::SignedDuration as Duration;
use serde_json::{Map, Value, json};

use super::data::{ActionItem, Activity, Attendee, Dataset, Meeting, Transcript, Turn, Upcoming};

pub const ESCAPES_ID: &str = "badc0ffee0ddf00d0000000000000001";
pub const ODD_JSON_ID: &str = "badc0ffee0ddf00d0000000000000002";
const UPCOMING_ID: &str = "badc0ffee0ddf00d0000000000000003";
const ACTIVITY_ID: &str = "badc0ffee0ddf00d0000000000000004";

/// One mebibyte without a newline.
pub const LONG_LINE_BYTES: usize = 1 << 20;

/// Nesting depth of the `extra` value: deep, yet inside serde_json's default recursion limit
/// (128) once wrapped in the JSON-RPC envelope, so clients can parse it and must cope with it.
const NESTING: usize = 100;

const RED: &str = "\u{1b}[31m";
const RESET: &str = "\u{1b}[0m";
const TITLE: &str = "\u{1b}]0;you have been pwned\u{7}";
const LINK: &str = "\u{1b}]8;;https://evil.example/\u{1b}\\click me\u{1b}]8;;\u{1b}\\";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
const C1_CSI: &str = "\u{9b}31m";
const BIDI: &str = "\u{202e}txt.exe\u{202c}";
const ISOLATE: &str = "\u{2067}שלום\u{2069}";

/// The data set with the hostile records added.
pub fn poison(data: Dataset) -> Dataset {
    let newest = data
        .meetings()
        .first()
        .map_or(jiff::Timestamp::constant(1_795_694_400, 0), |m| m.date); // 2026-11-26T12:00:00Z
    let speakers = vec![
        format!("{RED}Mallory{RESET}"),
        format!("Eve{CLEAR}"),
        format!("{BIDI} Trudy"),
    ];
    let long_line = "A".repeat(LONG_LINE_BYTES);
    let escapes = Meeting {
        id: ESCAPES_ID.into(),
        name: format!("{RED}URGENT{RESET} budget review {TITLE}{BIDI}"),
        date: newest + Duration::from_hours(2),
        duration_s: 1800,
        is_recurring: false,
        tags: vec![format!("{RED}red{RESET}"), "customer".into()],
        attendees: vec![
            Attendee::Name(format!("{RED}Mallory{RESET}")),
            Attendee::Person {
                name: format!("Eve{CLEAR}"),
                email: "eve@evil.example".into(),
            },
            Attendee::Name(format!("{BIDI} Trudy")),
        ],
        speakers: speakers.clone(),
        agenda: Some("Bell\u{7}, backspace\u{8}\u{8}, NUL \u{0}, DEL \u{7f}".to_owned()),
        summary: format!(
            "#### Overview\n{RED}Everything is red{RESET} and {LINK}.\r\nCarriage return overwrite\rGOTCHA\n\n#### C1\n{C1_CSI}C1 CSI{RESET} and {ISOLATE} and zero\u{200b}width\u{200d}joiners\n\n#### Long\n{long_line}"
        ),
        key_points: vec![
            format!("{TITLE}Window title changed"),
            format!("{CLEAR}Screen cleared"),
            format!("Bidi: {BIDI}"),
        ],
        action_items: vec![ActionItem {
            title: format!("{{{{Speaker_1}}}} to {RED}pay{RESET} {{{{Speaker_9}}}}"),
            assignee: Some(format!("{RED}Mallory{RESET}")),
            completed: false,
            due_date: Some("2026-13-45".into()),
        }],
        processing: false,
        transcript: Transcript::written(vec![
            Turn {
                speaker: speakers[0].clone(),
                start_s: 0,
                text: format!("{CLEAR}{TITLE}Hello {LINK}"),
            },
            Turn {
                speaker: speakers[1].clone(),
                start_s: 65,
                text: long_line,
            },
            Turn {
                speaker: speakers[2].clone(),
                start_s: 3725,
                text: format!("{C1_CSI}{ISOLATE}\u{1b}[6n\u{1b}P+q\u{1b}\\"),
            },
        ]),
        overrides: None,
        haystack: String::new(),
    }
    .indexed();

    let odd = Meeting {
        id: ODD_JSON_ID.into(),
        name: "Oddly typed JSON".into(),
        date: newest + Duration::from_hours(1),
        duration_s: 600,
        is_recurring: true,
        tags: vec!["hostile".into()],
        attendees: vec![Attendee::Name("Odd Person".into())],
        speakers: vec!["Odd Person".into()],
        agenda: None,
        summary: "#### Overview\nThe structured content of this meeting is oddly typed.".into(),
        key_points: vec!["Key points are a string in JSON".into()],
        action_items: Vec::new(),
        processing: false,
        transcript: Transcript::written(vec![Turn {
            speaker: "Odd Person".into(),
            start_s: 0,
            text: "Nothing odd in the transcript itself.".into(),
        }]),
        overrides: Some(Box::new(odd_overrides())),
        haystack: String::new(),
    }
    .indexed();

    let upcoming = Upcoming {
        id: UPCOMING_ID.into(),
        name: format!("{RED}Upcoming{RESET} {TITLE}"),
        start: data
            .upcoming()
            .first()
            .map_or(newest + Duration::from_hours(24), |u| {
                u.start + Duration::from_hours(1)
            }),
        attendees: vec![Attendee::Name(BIDI.to_owned())],
        agenda: format!("{CLEAR}{LINK}"),
    };
    let activity = Activity {
        id: ACTIVITY_ID.into(),
        created_at: newest + Duration::from_hours(3),
        kind: format!("{RED}summary_ready{RESET}"),
        title: format!("{TITLE}Summary ready {C1_CSI}"),
        meeting_id: ESCAPES_ID.into(),
    };
    data.extended(vec![escapes, odd], vec![upcoming], vec![activity])
}

fn odd_overrides() -> Map<String, Value> {
    let mut nested = json!("bottom");
    for depth in 0..NESTING {
        nested = if depth % 2 == 0 {
            json!([nested])
        } else {
            json!({ "deeper": nested })
        };
    }
    let value = json!({
        "name": ["Oddly", "typed", "JSON"],
        "date": 1_767_225_600,
        "is_recurring": "yes",
        "attendees": [42, null, {"name": ["not", "a", "string"]}, true, {"email": "no-name@example.com"}, "Odd Person"],
        "speakers": "Odd Person",
        "agenda": {"items": [1, 2, 3]},
        "meeting_notes": {
            "detailed_summary": {"markdown": false},
            "key_points": "Key points are a string in JSON",
            "action_items": [
                {"text": "Uses text instead of title", "owner": "Someone", "completed": "false"},
                {"description": 7, "completed": null},
                "a bare string",
            ],
        },
        "past_meeting_occurrences": {"count": -1},
        "extra": nested,
        "meeting_id_number": 1e308,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_records_come_first_and_stay_parseable() {
        let data = poison(Dataset::demo().expect("demo data"));
        assert_eq!(data.meetings()[0].id, ESCAPES_ID);
        assert_eq!(data.meetings()[1].id, ODD_JSON_ID);
        let overrides = Value::Object(odd_overrides());
        let text = json!({"jsonrpc": "2.0", "id": 1, "result": {"structuredContent": {"meetings": [overrides]}}}).to_string();
        let parsed: Result<Value, _> = serde_json::from_str(&text);
        assert!(parsed.is_ok(), "within serde_json's recursion limit");
    }
}
