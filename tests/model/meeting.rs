//! Meetings from `search_meetings` results: structuredContent and the Markdown fallback.

use krisp_tui::krisp::{
    ActionItem, Meeting, MeetingDate, MeetingId, ParseError, Person, parse_search_result,
};
use serde_json::{Map, Value, json};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn id(s: &str) -> MeetingId {
    MeetingId::parse(s).expect("valid id in test")
}

fn person(name: &str, email: Option<&str>) -> Person {
    Person {
        name: name.to_owned(),
        email: email.map(str::to_owned),
    }
}

fn item(text: &str, assignee: Option<&str>, completed: bool) -> ActionItem {
    ActionItem {
        text: text.to_owned(),
        assignee: assignee.map(str::to_owned),
        completed,
        due_date: None,
        extra: Map::new(),
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => unreachable!("object literal"),
    }
}

fn roadmap() -> Meeting {
    Meeting {
        id: id("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"),
        name: "Q4 roadmap review".to_owned(),
        date: Some(MeetingDate::Parsed(
            "2026-01-15T15:00:00Z[UTC]".parse::<jiff::Zoned>().unwrap(),
        )),
        url: Some("https://app.krisp.ai/t/0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned()),
        recurring: false,
        attendees: vec![
            person("Anna Lee", None),
            person("Bob Ray", Some("bob@example.com")),
        ],
        speakers: vec!["Anna Lee".to_owned(), "Bob Ray".to_owned()],
        summary: Some("#### Timeline\nShip in March.".to_owned()),
        key_points: vec!["Scope cut to three features".to_owned()],
        action_items: vec![item(
            "{{Speaker_1}} to send the plan",
            Some("Bob Ray"),
            false,
        )],
        tags: vec![],
        extra: Map::new(),
    }
}

#[test]
fn ids_are_normalised() {
    assert_eq!(
        MeetingId::parse(" 7A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D ").map(|i| i.to_string()),
        Some("7a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d".to_owned())
    );
    for bad in [
        "",
        "xyz",
        "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6",
        "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6ee",
        "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6g",
    ] {
        assert_eq!(MeetingId::parse(bad), None, "{bad}");
    }
}

#[test]
fn dates_parse_or_stay_raw() {
    assert_eq!(
        MeetingDate::parse("2026-01-15T15:00:00Z").timestamp(),
        Some("2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap())
    );
    assert_eq!(
        MeetingDate::parse("2026-01-15 15:00:00").timestamp(),
        Some("2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap())
    );
    assert_eq!(
        MeetingDate::parse("2026-01-15").timestamp(),
        Some("2026-01-15T00:00:00Z".parse::<jiff::Timestamp>().unwrap())
    );
    assert_eq!(
        MeetingDate::parse("15/01/2026"),
        MeetingDate::Raw("15/01/2026".to_owned())
    );
    assert_eq!(
        MeetingDate::parse("2026-02-30"),
        MeetingDate::Raw("2026-02-30".to_owned())
    );
    assert_eq!(
        MeetingDate::parse("2026-01-15T15:00:00+02:00").to_string(),
        "2026-01-15T15:00:00+02:00"
    );
    assert_eq!(MeetingDate::Raw("soon".to_owned()).to_string(), "soon");
}

#[test]
fn structured_search_result() {
    let v: Value =
        serde_json::from_str(&fixture("search_structured.json")).expect("fixture is JSON");
    let meetings = parse_search_result(Some(&v), &["ignored when structured content is there"])
        .expect("parses");

    let zoom = Meeting {
        id: id("7a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"),
        name: "10:30 AM - Zoom meeting January 15".to_owned(),
        date: Some(MeetingDate::Parsed(
            "2026-01-15T10:30:00.25+01:00[+01:00]"
                .parse::<jiff::Zoned>()
                .unwrap(),
        )),
        url: None,
        recurring: true,
        attendees: vec![
            person("carol@example.com", Some("carol@example.com")),
            person("Dan Wu", Some("dan@example.com")),
            person("Eve", Some("eve@example.com")),
        ],
        speakers: vec!["Speaker 1".to_owned(), "Carol".to_owned()],
        summary: Some("Budget talk.".to_owned()),
        key_points: vec!["Budget approved".to_owned(), "Hiring paused".to_owned()],
        action_items: vec![
            ActionItem {
                due_date: Some("2026-01-20".to_owned()),
                ..item("Book the room", Some("Carol"), true)
            },
            ActionItem {
                extra: object(json!({"priority": "high"})),
                ..item(
                    "Ask {{Speaker_2}} and {{Speaker_9}} about {{Speaker_x}}",
                    None,
                    false,
                )
            },
            item("Send minutes", None, false),
        ],
        tags: vec!["finance".to_owned(), "weekly".to_owned()],
        extra: object(json!({
            "duration_minutes": 45,
            "transcript": {"ref": "7a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"},
            "attendees": [
                {"email": "carol@example.com"},
                "Dan Wu <dan@example.com>",
                {"name": "Eve", "email": "eve@example.com", "role": "guest"},
                42
            ]
        })),
    };
    let offsite = Meeting {
        date: Some(MeetingDate::Raw("sometime in spring".to_owned())),
        extra: object(json!({"meeting_notes": {"sentiment": "positive"}})),
        ..Meeting::new(id("ffffffffffffffffffffffffffffffff"), "Offsite")
    };
    assert_eq!(meetings, vec![roadmap(), zoom, offsite]);
}

#[test]
fn speaker_placeholders_resolve_from_the_data() {
    let v: Value =
        serde_json::from_str(&fixture("search_structured.json")).expect("fixture is JSON");
    let meetings = parse_search_result(Some(&v), &[]).expect("parses");
    // KRISP.md's sample: {{Speaker_1}} is assigned to the second speaker, so it counts from 0.
    let roadmap = &meetings[0];
    assert_eq!(roadmap.speaker_base(), 0);
    assert_eq!(
        roadmap.display_text(&roadmap.action_items[0]),
        "Bob Ray to send the plan"
    );
    // {{Speaker_2}} with two speakers can only count from 1.
    let zoom = &meetings[1];
    assert_eq!(zoom.speaker_base(), 1);
    assert_eq!(
        zoom.display_text(&zoom.action_items[1]),
        "Ask Carol and {{Speaker_9}} about {{Speaker_x}}"
    );
    let mut plain = Meeting::new(id("ffffffffffffffffffffffffffffffff"), "x");
    plain.speakers = vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
    let unassigned = item("{{Speaker_1}} and {{ Speaker_0 }} {{", None, false);
    assert_eq!(plain.display_text(&unassigned), "B and A {{");
    plain.action_items = vec![item("{{Speaker_1}} asks", None, false)];
    assert_eq!(plain.display_text(&plain.action_items[0]), "A asks");
}

#[test]
fn people_are_attendees_and_speakers_once() {
    let mut m = roadmap();
    m.speakers.push("anna lee".to_owned());
    m.speakers.push("Speaker 3".to_owned());
    assert_eq!(m.people(), vec!["Anna Lee", "Bob Ray", "Speaker 3"]);
}

#[test]
fn text_only_search_result() {
    let meetings = parse_search_result(None, &[&fixture("search_text.md")]).expect("parses");
    let roadmap = Meeting {
        summary: Some("#### Timeline\nShip in March...".to_owned()),
        key_points: vec![
            "Scope cut to three features".to_owned(),
            "Launch (tentatively) in March".to_owned(),
        ],
        action_items: vec![
            item("Bob Ray to send the plan", Some("Bob Ray"), false),
            item("Book the room", None, true),
        ],
        ..roadmap()
    };
    let retro = Meeting {
        url: Some("https://app.krisp.ai/t/11112222333344445555666677778888".to_owned()),
        recurring: true,
        extra: object(json!({
            "sentiment": "calm",
            "Agenda": "1. What went well",
            "text": "A line that is not a field."
        })),
        ..Meeting::new(
            id("11112222333344445555666677778888"),
            "Retro (weekly) (not a date)",
        )
    };
    let standup = Meeting {
        url: Some("https://app.krisp.ai/t/aaaabbbb-cccc-dddd-eeee-ffff00001111/".to_owned()),
        ..Meeting::new(id("aaaabbbbccccddddeeeeffff00001111"), "Standup")
    };
    assert_eq!(meetings, vec![roadmap, retro, standup]);
}

#[test]
fn unreadable_structured_meetings_fall_back_to_text() {
    let structured = json!({"meetings": [{"name": "no id"}]});
    let text = "## Standup\nmeeting_id: ffffffffffffffffffffffffffffffff\n";
    assert_eq!(
        parse_search_result(Some(&structured), &[text]),
        Ok(vec![Meeting::new(
            id("ffffffffffffffffffffffffffffffff"),
            "Standup"
        )])
    );
}

#[test]
fn json_in_a_text_block_counts_as_structured() {
    let text = r#"{"meetings": [{"meeting_id": "ffffffffffffffffffffffffffffffff", "name": "X"}]}"#;
    assert_eq!(
        parse_search_result(None, &[text]),
        Ok(vec![Meeting::new(
            id("ffffffffffffffffffffffffffffffff"),
            "X"
        )])
    );
}

#[test]
fn empty_and_unknown_results() {
    assert_eq!(
        parse_search_result(None, &["No meetings found."]),
        Ok(vec![])
    );
    assert_eq!(
        parse_search_result(Some(&json!({"meetings": []})), &[]),
        Ok(vec![])
    );
    assert_eq!(
        parse_search_result(Some(&json!({"count": 0})), &[]),
        Ok(vec![])
    );
    assert_eq!(
        parse_search_result(Some(&json!({"items": 3})), &["?"]),
        Err(ParseError::Unrecognised { what: "search" })
    );
    assert_eq!(
        parse_search_result(None, &["## A meeting without id\nurl: nowhere"]),
        Err(ParseError::Unrecognised { what: "search" })
    );
}

#[test]
fn from_value_errors_are_sentences() {
    assert_eq!(
        Meeting::from_value(&json!([1])),
        Err(ParseError::NotAnObject { what: "meeting" })
    );
    assert_eq!(
        Meeting::from_value(&json!({"name": "x"})),
        Err(ParseError::MissingId { what: "meeting" })
    );
    let bad = Meeting::from_value(&json!({"meeting_id": "nope"})).expect_err("bad id");
    assert_eq!(
        bad.to_string(),
        "\"nope\" is not a Krisp id (expected 32 hexadecimal digits)."
    );
}

#[test]
fn meeting_json_round_trips_through_serde() {
    let v: Value =
        serde_json::from_str(&fixture("search_structured.json")).expect("fixture is JSON");
    for meeting in parse_search_result(Some(&v), &[]).expect("parses") {
        let json = serde_json::to_string(&meeting).expect("serializes");
        let back: Meeting = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, meeting);
    }
}
