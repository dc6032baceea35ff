//! Stable-toolchain stand-in for the fuzz targets: the parsers and exporters on hostile input.
//!
//! `PROPTEST_CASES=200000 cargo test --test model_stress` runs it for minutes.

use krisp_tui::export::{Format, render};
use krisp_tui::krisp::{
    Document, DocumentState, Meeting, MeetingId, parse_documents_result, parse_search_result,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

const ID: &str = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";

/// Text assembled from the pieces Krisp's Markdown is made of, so that the parsers' interesting
/// paths are reached far more often than by random bytes.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("**".to_owned()),
        Just(" | ".to_owned()),
        Just("|".to_owned()),
        Just("00:05".to_owned()),
        Just("1:02:03".to_owned()),
        Just("99:99".to_owned()),
        Just(".5".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("#".to_owned()),
        Just("## ".to_owned()),
        Just("### Transcript".to_owned()),
        Just("## Transcript 1\n".to_owned()),
        Just("Speaker 1".to_owned()),
        Just("Anna Lee".to_owned()),
        Just("[Download recording](https://x.example/r.mp4)".to_owned()),
        Just("Recording: ".to_owned()),
        Just("https://".to_owned()),
        Just("](".to_owned()),
        Just("Retrieved document ".to_owned()),
        Just(ID.to_owned()),
        Just("meeting_id: ".to_owned()),
        Just("- [ ] ".to_owned()),
        Just("- [x] ".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("{{Speaker_1}}".to_owned()),
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("é東".to_owned()),
        Just("\u{0}\u{1b}[2J".to_owned()),
        Just("{\"results\": [".to_owned()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("meetings".to_owned()),
        Just("results".to_owned()),
        Just("meeting_id".to_owned()),
        Just("id".to_owned()),
        Just("document".to_owned()),
        Just("name".to_owned()),
        Just("date".to_owned()),
        Just("attendees".to_owned()),
        Just("speakers".to_owned()),
        Just("meeting_notes".to_owned()),
        Just("key_points".to_owned()),
        Just("action_items".to_owned()),
        Just("title".to_owned()),
        Just("assignee".to_owned()),
        Just("owner".to_owned()),
        Just("completed".to_owned()),
        Just("status".to_owned()),
        Just("tags".to_owned()),
        Just("count".to_owned()),
        "[a-z_]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::String(ID.to_owned())),
        Just(Value::String("2026-01-15T15:00:00Z".to_owned())),
        Just(Value::String("{{Speaker_0}} and {{Speaker_99}}".to_owned())),
        markdownish().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn exercise(meeting: &Meeting, document: Option<&Document>) {
    for item in &meeting.action_items {
        let _ = meeting.display_text(item);
    }
    let _ = meeting.people();
    for format in Format::ALL {
        let _ = render(format, meeting, document, &jiff::tz::TimeZone::UTC);
    }
}

fn check_text(text: &str) -> Result<(), TestCaseError> {
    let id = MeetingId::parse(ID).expect("valid id");
    let document = Document::parse(id.clone(), Some(text));
    prop_assert_eq!(
        document.state == DocumentState::Processing,
        text.trim().is_empty()
    );
    let _ = parse_documents_result(None, &[text]);
    let meetings = parse_search_result(None, &[text]).unwrap_or_default();
    let fallback = Meeting::new(id, text);
    exercise(meetings.first().unwrap_or(&fallback), Some(&document));
    Ok(())
}

proptest! {
    #[test]
    fn markdown_never_panics(text in markdownish()) {
        check_text(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_text(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn structured_content_never_panics(value in json_value()) {
        let _ = parse_documents_result(Some(&value), &[]);
        let _ = Meeting::from_value(&value);
        if let Ok(meetings) = parse_search_result(Some(&value), &[&value.to_string()]) {
            for meeting in &meetings {
                exercise(meeting, None);
            }
        }
    }
}
