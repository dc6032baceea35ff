//! Documents from `get_multiple_documents` / `get_document`: notes, recording link, transcript.

use std::time::Duration;

use krisp_tui::krisp::{
    Document, DocumentState, MeetingId, ParseError, Section, Transcript, Turn,
    parse_documents_result,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn id(s: &str) -> MeetingId {
    MeetingId::parse(s).expect("valid id in test")
}

const ID: &str = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";

fn turn(speaker: &str, secs: u64, text: &str) -> Turn {
    Turn {
        speaker: speaker.to_owned(),
        start: Duration::from_secs(secs),
        text: text.to_owned(),
    }
}

fn section(heading: &str, body: &str) -> Section {
    Section {
        heading: heading.to_owned(),
        body: body.to_owned(),
    }
}

fn ready(sections: Vec<Section>, turns: Vec<Turn>) -> Document {
    Document {
        id: id(ID),
        state: DocumentState::Ready,
        recording_url: None,
        sections,
        transcript: Transcript { turns },
        unparsed: String::new(),
    }
}

fn processing(raw_id: &str) -> Document {
    Document {
        id: id(raw_id),
        state: DocumentState::Processing,
        ..ready(vec![], vec![])
    }
}

#[test]
fn full_document() {
    let doc = Document::parse(id(ID), Some(&fixture("document_full.md")));
    let expected = Document {
        recording_url: Some("https://files.krisp.ai/rec/0f3c9a8e.mp4".to_owned()),
        ..ready(
            vec![
                section("Action Items", "- [ ] Bob Ray to send the plan"),
                section("Key Points", "- Scope cut to three features"),
                section(
                    "Detailed Summary",
                    "#### Timeline\nShip in March.\n\n#### Risks\nHiring.",
                ),
            ],
            vec![
                turn("Anna Lee", 0, "Good morning, everyone."),
                turn(
                    "Bob Ray",
                    7,
                    "Morning. I have the plan here.\nIt is three features now.",
                ),
                turn("Speaker 3", 3723, "Sorry, I joined late | what did I miss?"),
            ],
        )
    };
    assert_eq!(doc, expected);
    assert_eq!(
        doc.section("key points"),
        Some(&section("Key Points", "- Scope cut to three features"))
    );
    assert_eq!(doc.section("Transcript"), None);
}

#[test]
fn transcript_without_heading() {
    let doc = Document::parse(id(ID), Some(&fixture("document_no_heading.md")));
    let expected = Document {
        unparsed: "Some notes typed before the call.".to_owned(),
        ..ready(
            vec![],
            vec![
                turn("Speaker 1", 3, "Can you hear me?"),
                turn("Speaker 2", 5, "Yes."),
            ],
        )
    };
    assert_eq!(doc, expected);
}

#[test]
fn numbered_transcript_headings_and_hours() {
    let doc = Document::parse(id(ID), Some(&fixture("document_variants.md")));
    let expected = Document {
        recording_url: Some("https://files.krisp.ai/rec/abc.m4a".to_owned()),
        ..ready(
            // "Transcript 3" heads nothing: kept, as it is not known to be a transcript heading.
            vec![
                section("Weekly sync", ""),
                section("Notes", "Nothing special."),
                section("Transcript 3", ""),
            ],
            vec![
                turn("Anna Lee", 3598, "Almost an hour."),
                turn("Bob Ray", 3601, "Past the hour."),
                turn("Anna Lee", 3609, "Second part."),
            ],
        )
    };
    assert_eq!(doc, expected);
}

#[test]
fn garbage_is_kept() {
    let text = fixture("document_garbage.md");
    let doc = Document::parse(id(ID), Some(&text));
    assert_eq!(
        doc,
        Document {
            unparsed: text.trim_end().to_owned(),
            ..ready(vec![], vec![])
        }
    );
}

#[test]
fn missing_or_blank_documents_are_processing() {
    assert_eq!(Document::parse(id(ID), None), processing(ID));
    assert_eq!(Document::parse(id(ID), Some(" \n\t\n")), processing(ID));
}

#[test]
fn crlf_documents() {
    let doc = Document::parse(
        id(ID),
        Some("### Transcript\r\n**A | 00:01**\r\nHi.\r\n\r\n**B | 00:02**\r\nHo.\r\n"),
    );
    assert_eq!(
        doc,
        ready(vec![], vec![turn("A", 1, "Hi."), turn("B", 2, "Ho.")])
    );
}

#[test]
fn structured_documents_result() {
    let v: Value =
        serde_json::from_str(&fixture("documents_structured.json")).expect("fixture is JSON");
    let docs = parse_documents_result(Some(&v), &[]).expect("parses");
    assert_eq!(
        docs,
        vec![
            ready(vec![], vec![turn("Anna Lee", 0, "Hello.")]),
            processing("7a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"),
            processing("ffffffffffffffffffffffffffffffff"),
        ]
    );
}

#[test]
fn legacy_get_document_text() {
    let docs =
        parse_documents_result(None, &[&fixture("get_document_legacy.txt")]).expect("parses");
    assert_eq!(
        docs,
        vec![ready(
            vec![section("Key Points", "- One")],
            vec![turn("Anna Lee", 0, "Hello.")]
        )]
    );
}

#[test]
fn documents_in_text_json_and_unknown_shapes() {
    let text = json!({"results": [{"id": ID, "document": null}]}).to_string();
    assert_eq!(
        parse_documents_result(None, &[&text]),
        Ok(vec![processing(ID)])
    );
    assert_eq!(
        parse_documents_result(Some(&json!({"other": 1})), &["Something else"]),
        Err(ParseError::Unrecognised { what: "documents" })
    );
    assert_eq!(
        parse_documents_result(Some(&json!({"results": []})), &[]),
        Ok(vec![])
    );
}

#[test]
fn several_legacy_documents_in_one_text() {
    let text = "Retrieved document 0F3C9A8E-6B2D-4F1A-9C7E-5B3D1F2A4C6E:\n**A | 00:01**\nHi.\n\
                Retrieved document ffffffffffffffffffffffffffffffff\n\n\
                Retrieved document nonsense\nlost";
    assert_eq!(
        parse_documents_result(None, &[text]),
        Ok(vec![
            ready(vec![], vec![turn("A", 1, "Hi.")]),
            processing("ffffffffffffffffffffffffffffffff")
        ])
    );
}
