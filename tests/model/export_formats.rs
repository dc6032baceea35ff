//! Every export format on a real-looking meeting, file names, slugs and the atomic writer.

use std::time::Duration;

use krisp_tui::export::{
    ExportError, Format, default_file_name, parse_json_export, render, slug, write_file,
};
use krisp_tui::krisp::{Document, Meeting, MeetingDate, MeetingId, parse_search_result};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample() -> (Meeting, Document) {
    let v: Value =
        serde_json::from_str(&fixture("search_structured.json")).expect("fixture is JSON");
    let meeting = parse_search_result(Some(&v), &[])
        .expect("parses")
        .remove(0);
    let document = Document::parse(meeting.id.clone(), Some(&fixture("document_full.md")));
    (meeting, document)
}

fn id() -> MeetingId {
    MeetingId::parse("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e").expect("valid id")
}

#[test]
fn markdown() {
    let (meeting, document) = sample();
    assert_eq!(
        render(
            Format::Md,
            &meeting,
            Some(&document),
            &jiff::tz::TimeZone::UTC
        ),
        "# Q4 roadmap review

- **Date:** 2026-01-15 15:00 UTC
- **Attendees:** Anna Lee, Bob Ray <bob@example.com>
- **Link:** <https://app.krisp.ai/t/0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e>
- **Recording:** <https://files.krisp.ai/rec/0f3c9a8e.mp4>

## Summary

#### Timeline
Ship in March.

## Key Points

- Scope cut to three features

## Action Items

- [ ] Bob Ray to send the plan (Bob Ray)

## Transcript

**Anna Lee** [00:00] Good morning, everyone.

**Bob Ray** [00:07] Morning. I have the plan here.
It is three features now.

**Speaker 3** [1:02:03] Sorry, I joined late | what did I miss?
"
    );
}

#[test]
fn markdown_uses_document_notes_when_the_meeting_has_none() {
    let meeting = Meeting::new(id(), "");
    let document = Document::parse(
        id(),
        Some("Loose text.\n### Key Points\n- From the document\n"),
    );
    assert_eq!(
        render(
            Format::Md,
            &meeting,
            Some(&document),
            &jiff::tz::TimeZone::UTC
        ),
        "# Untitled meeting

## Key Points

- From the document

## Other Notes

Loose text.

## Transcript

_No transcript._
"
    );
    let processing = Document::parse(id(), None);
    assert_eq!(
        render(
            Format::Md,
            &meeting,
            Some(&processing),
            &jiff::tz::TimeZone::UTC
        ),
        "# Untitled meeting\n\n## Transcript\n\n_Krisp is still processing this meeting._\n"
    );
    assert_eq!(
        render(Format::Md, &meeting, None, &jiff::tz::TimeZone::UTC),
        "# Untitled meeting\n"
    );
}

#[test]
fn text() {
    let (meeting, document) = sample();
    assert_eq!(
        render(
            Format::Txt,
            &meeting,
            Some(&document),
            &jiff::tz::TimeZone::UTC
        ),
        "Anna Lee | 00:00
Good morning, everyone.

Bob Ray | 00:07
Morning. I have the plan here.
It is three features now.

Speaker 3 | 1:02:03
Sorry, I joined late | what did I miss?
"
    );
}

#[test]
fn json_schema_and_round_trip() {
    let (meeting, document) = sample();
    let out = render(
        Format::Json,
        &meeting,
        Some(&document),
        &jiff::tz::TimeZone::UTC,
    );
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        v,
        json!({
            "schema": "krisp-tui.export",
            "version": 1,
            "meeting": {
                "id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
                "name": "Q4 roadmap review",
                "date": "2026-01-15T15:00:00Z",
                "url": "https://app.krisp.ai/t/0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
                "recurring": false,
                "attendees": [{"name": "Anna Lee"}, {"name": "Bob Ray", "email": "bob@example.com"}],
                "speakers": ["Anna Lee", "Bob Ray"],
                "summary": "#### Timeline\nShip in March.",
                "key_points": ["Scope cut to three features"],
                "action_items": [{"text": "{{Speaker_1}} to send the plan", "assignee": "Bob Ray", "completed": false}],
                "tags": []
            },
            "document": {
                "state": "ready",
                "recording_url": "https://files.krisp.ai/rec/0f3c9a8e.mp4",
                "sections": [
                    {"heading": "Action Items", "body": "- [ ] Bob Ray to send the plan"},
                    {"heading": "Key Points", "body": "- Scope cut to three features"},
                    {"heading": "Detailed Summary", "body": "#### Timeline\nShip in March.\n\n#### Risks\nHiring."}
                ],
                "unparsed": ""
            },
            "turns": [
                {"speaker": "Anna Lee", "start_ms": 0, "start": "00:00", "text": "Good morning, everyone."},
                {"speaker": "Bob Ray", "start_ms": 7000, "start": "00:07", "text": "Morning. I have the plan here.\nIt is three features now."},
                {"speaker": "Speaker 3", "start_ms": 3723000, "start": "1:02:03", "text": "Sorry, I joined late | what did I miss?"}
            ]
        })
    );
    let (back, turns) = parse_json_export(&out).expect("parses back");
    assert_eq!(back, meeting);
    assert_eq!(turns, document.transcript.turns);
}

#[test]
fn json_errors_are_sentences() {
    let not_json = parse_json_export("{").expect_err("not JSON");
    assert!(
        not_json
            .to_string()
            .starts_with("This is not a krisp-tui JSON export: "),
        "{not_json}"
    );
    let future = json!({"version": 2, "meeting": {"id": "x", "name": "y"}}).to_string();
    assert_eq!(
        parse_json_export(&future)
            .expect_err("newer schema")
            .to_string(),
        "This JSON export has schema version 2; this krisp-tui reads version 1."
    );
}

#[test]
fn srt() {
    let (meeting, document) = sample();
    let expected = "1
00:00:00,000 --> 00:00:07,000
Anna Lee: Good morning, everyone.

2
00:00:07,000 --> 00:00:08,389
Bob Ray: Morning.

3
00:00:08,389 --> 00:00:11,785
Bob Ray: I have the plan here.

4
00:00:11,785 --> 00:00:15,800
Bob Ray: It is three features now.

5
01:02:03,000 --> 01:02:06,600
Speaker 3: Sorry, I joined
late | what did I miss?

";
    let out = render(
        Format::Srt,
        &meeting,
        Some(&document),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(out, expected);
    assert_eq!(srtparse::from_str(&out).expect("valid SRT").len(), 5);
}

#[test]
fn vtt_with_escapes() {
    let meeting = Meeting::new(id(), "x");
    let document = Document::parse(
        id(),
        Some(
            "**A <b> | 00:01**\nx --> y & <i>z</i>\n**B | 00:03**\nA sentence. Another one follows here, long enough to need a second line of text.",
        ),
    );
    let out = render(
        Format::Vtt,
        &meeting,
        Some(&document),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(
        out,
        "WEBVTT

1
00:00:01.000 --> 00:00:03.000
A &lt;b&gt;: x --&gt; y &amp; &lt;i&gt;z&lt;/i&gt;

2
00:00:03.000 --> 00:00:09.000
B: A sentence. Another one follows here,
long enough to need a second line of text.
"
    );
    let vtt = webvtt_parser::Vtt::parse(&out).expect("valid WebVTT");
    assert_eq!(vtt.cues.len(), 2);
    assert_eq!(
        render(Format::Vtt, &meeting, None, &jiff::tz::TimeZone::UTC),
        "WEBVTT\n"
    );
    assert_eq!(
        render(Format::Srt, &meeting, None, &jiff::tz::TimeZone::UTC),
        ""
    );
}

#[test]
fn file_names() {
    let (meeting, _) = sample();
    assert_eq!(
        default_file_name(&meeting, Format::Md, &jiff::tz::TimeZone::UTC),
        "2026-01-15-q4-roadmap-review.md"
    );
    let mut m = Meeting::new(id(), "");
    m.date = Some(MeetingDate::parse("2026-01-15T23:30:00-02:00"));
    assert_eq!(
        default_file_name(&m, Format::Vtt, &jiff::tz::TimeZone::UTC),
        "2026-01-16-meeting.vtt"
    );
    m.date = Some(MeetingDate::Raw("last week".to_owned()));
    assert_eq!(
        default_file_name(&m, Format::Srt, &jiff::tz::TimeZone::UTC),
        "meeting.srt"
    );
    m.date = None;
    assert_eq!(
        default_file_name(&m, Format::Json, &jiff::tz::TimeZone::UTC),
        "meeting.json"
    );
    assert_eq!(
        Format::ALL.map(Format::extension),
        ["md", "txt", "json", "srt", "vtt"]
    );
}

#[test]
fn slugs() {
    assert_eq!(
        slug("10:30 AM - Zoom meeting January 15"),
        "10-30-am-zoom-meeting-january-15"
    );
    assert_eq!(slug("../../etc/passwd"), "etc-passwd");
    assert_eq!(slug("...hidden"), "hidden");
    assert_eq!(slug("a\u{0}b\nc\u{1b}[31m"), "a-b-c-31m");
    assert_eq!(slug("Réunion d’équipe — 東京"), "réunion-d-équipe-東京");
    assert_eq!(slug("v1.2 release_notes."), "v1.2-release_notes");
    assert_eq!(slug("  /\\ "), "meeting");
    assert_eq!(slug(""), "meeting");
    let long = slug(&"é".repeat(100));
    assert_eq!(long, "é".repeat(40));
    let cut = slug(&format!("{} tail", "a".repeat(79)));
    assert_eq!(cut, "a".repeat(79));
}

#[test]
fn write_file_is_atomic_and_refuses_to_clobber() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.md");
    write_file(&path, "first", false).expect("writes");
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), "first");

    let err = write_file(&path, "second", false).expect_err("exists");
    assert!(matches!(&err, ExportError::Exists { path: p } if *p == path));
    assert_eq!(
        err.to_string(),
        format!(
            "{} already exists; use --force to overwrite it.",
            path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), "first");

    write_file(&path, "second", true).expect("forced");
    assert_eq!(std::fs::read_to_string(&path).expect("reads"), "second");

    let missing = dir.path().join("no/such/dir/out.md");
    let err = write_file(&missing, "x", false).expect_err("no directory");
    assert!(matches!(err, ExportError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("Could not write {}: ", missing.display())),
        "{err}"
    );

    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["out.md"], "no temporary file left behind");
}

#[test]
fn write_file_leaves_nothing_when_it_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.txt");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let result = write_file(&path, "x", false);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    match result {
        Err(ExportError::Io { .. }) => {
            assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 0);
        }
        // Root ignores directory permissions: then the write simply succeeds.
        Ok(()) => assert_eq!(std::fs::read_to_string(&path).expect("reads"), "x"),
        Err(e) => panic!("unexpected error: {e:?}"),
    }
}

#[test]
fn concurrent_writers_never_clobber() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("race.txt");
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let path = &path;
                s.spawn(move || write_file(path, &format!("writer {i}"), false).is_ok())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
    let content = std::fs::read_to_string(&path).expect("reads");
    assert!(content.starts_with("writer "));
    assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 1);
}

#[test]
fn last_cue_length_comes_from_word_count() {
    let meeting = Meeting::new(id(), "x");
    let mut document = Document::parse(id(), Some("A | 00:10\none two three four five\n"));
    let out = render(
        Format::Srt,
        &meeting,
        Some(&document),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(
        out,
        "1\n00:00:10,000 --> 00:00:12,000\nA: one two three four five\n\n"
    );
    document.transcript.turns[0].start = Duration::from_millis(10_250);
    let out = render(
        Format::Srt,
        &meeting,
        Some(&document),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(
        out,
        "1\n00:00:10,250 --> 00:00:12,250\nA: one two three four five\n\n"
    );
}
