//! Pictures (issue 10, "Beyond the anchors"): the meeting header's talk-time bars and timeline
//! with search hits marked on it, the preview pane beside the list on wide terminals, and the
//! list's length and state columns. Update sequences and snapshots (times in UTC).

mod tui_common;

use std::time::Duration;

use crossterm::event::KeyCode;
use krisp_tui::krisp::{Document, Meeting, Turn};
use krisp_tui::message::{ClientEvent, Command};
use tui_common::{App, client, code, demo_meetings, document, key, meeting};

fn utc() {
    krisp_tui::timefmt::set_zone(jiff::tz::TimeZone::UTC);
}

/// A document whose turns start at the given seconds, each saying `texts[i]`.
fn turns(meeting: &Meeting, at: &[(&str, u64, &str)]) -> Document {
    let mut doc = document(meeting.id.clone(), 0);
    doc.transcript.turns = at
        .iter()
        .map(|&(speaker, secs, text)| Turn {
            speaker: speaker.into(),
            start: Duration::from_secs(secs),
            text: text.into(),
        })
        .collect();
    doc
}

/// `meeting` alone in the list, opened, its document answered, at `w`×`h`.
fn opened(meeting: Meeting, doc: Document, w: u16, h: u16) -> App {
    utc();
    let mut app = App::loaded(vec![meeting]);
    app.resize(w, h);
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
        panic!("expected a document fetch, got {cmds:?}");
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![doc]),
    }));
    app
}

/// Four one-minute turns; the server says the meeting lasted four minutes.
fn four_minutes() -> (Meeting, Document) {
    let mut m = meeting(
        1,
        "Pricing review",
        time::macros::datetime!(2026-01-15 15:00 UTC),
        &["Anna Lee", "Bob Ray"],
    );
    m.extra.insert("duration_s".into(), 240.into());
    let doc = turns(
        &m,
        &[
            ("Anna Lee", 0, "Welcome everyone."),
            ("Bob Ray", 60, "The numbers first."),
            ("Anna Lee", 120, "The zeppelin tier is new."),
            ("Bob Ray", 180, "Agreed."),
        ],
    );
    (m, doc)
}

#[test]
fn a_search_hit_is_marked_in_the_timeline_cell_of_its_turn() {
    let (m, doc) = four_minutes();
    let mut app = opened(m, doc, 100, 30);
    app.send(key('/'));
    app.type_str("zeppelin");
    let view = app.state.meeting.as_ref().expect("the meeting view");
    let picture = view.picture.as_ref().expect("a timeline");
    // 100 columns: 98 inside the border, one for the scrollbar, one for the gutter, 11 for the
    // label: 85 cells over 240 s. The hit's turn starts at 120 s: cell 120 × 85 / 240 = 42.
    assert_eq!(picture.cells.len(), 85);
    assert_eq!(picture.hit_cells, [42]);
    // On screen under that cell: border, gutter, label, then 42 cells.
    let screen = app.render();
    let axis = screen
        .lines()
        .find(|l| l.contains('▲'))
        .expect("the row under the timeline");
    let marks: Vec<usize> = axis
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == '▲')
        .map(|(i, _)| i)
        .collect();
    assert_eq!(marks, [1 + 1 + 11 + 42], "{screen}");
    // Closing the search takes the mark away and brings the time axis back.
    app.send(code(KeyCode::Esc));
    let screen = app.render();
    assert!(!screen.contains('▲'), "{screen}");
    let axis = screen
        .lines()
        .find(|l| l.contains("00:00 ") && l.contains("04:00"))
        .expect("the axis");
    assert!(
        axis.trim_end_matches([' ', '│']).ends_with("04:00"),
        "{axis}"
    );
}

#[test]
fn talk_time_shares_add_up_to_a_hundred_and_longest_talker_comes_first() {
    let mut m = meeting(
        2,
        "Three-way",
        time::macros::datetime!(2026-01-15 15:00 UTC),
        &["Anna Lee", "Bob Ray", "Chen Wu"],
    );
    m.extra.insert("duration_s".into(), 30.into());
    let doc = turns(
        &m,
        &[
            ("Anna Lee", 0, "a"),
            ("Bob Ray", 10, "b"),
            ("Chen Wu", 20, "c"),
        ],
    );
    let app = opened(m, doc, 100, 30);
    let screen = app.render();
    let shares: Vec<u32> = screen
        .lines()
        .filter_map(|l| {
            let (_, pct) = l.trim_end_matches(['│', '█', '║', ' ']).rsplit_once(' ')?;
            pct.strip_suffix('%')?.parse().ok()
        })
        .collect();
    assert_eq!(shares, [34, 33, 33], "{screen}");
    assert_eq!(shares.iter().sum::<u32>(), 100);
    // Bob talks 3 of 4 minutes here: first in the bars.
    let mut m = meeting(
        3,
        "Bob mostly",
        time::macros::datetime!(2026-01-15 15:00 UTC),
        &["Anna Lee", "Bob Ray"],
    );
    m.extra.insert("duration_s".into(), 240.into());
    let doc = turns(&m, &[("Anna Lee", 0, "a"), ("Bob Ray", 60, "b")]);
    let app = opened(m, doc, 100, 30);
    let screen = app.render();
    let bob = screen.find("B Bob Ray").expect("Bob's bar");
    let anna = screen.find("A Anna Lee").expect("Anna's bar");
    assert!(bob < anna, "{screen}");
    assert!(
        screen.contains(" 75%") && screen.contains(" 25%"),
        "{screen}"
    );
}

/// Seven speakers: the five who talked most get a bar, the other two share one.
fn workshop() -> (Meeting, Document) {
    let people = [
        "Priya Raman",
        "José Müller",
        "李雷",
        "Tom Hale",
        "Hannah Weiss",
        "Sam Carter",
        "Pat Hale",
    ];
    let mut m = meeting(
        4,
        "2027 planning workshop",
        time::macros::datetime!(2026-11-19 12:15 UTC),
        &people,
    );
    let mut at = Vec::new();
    let mut t = 0;
    for round in 0..6 {
        for (i, p) in people.iter().enumerate() {
            at.push((*p, t, "We talked about the plan."));
            t += 20 + 15 * ((i + round) % 4) as u64 + if i == 0 { 60 } else { 0 };
        }
    }
    let doc = turns(&m, &at);
    (m, doc)
}

#[test]
fn many_speakers_fold_into_others_and_read_without_colour() {
    let (m, doc) = workshop();
    let mut app = opened(m, doc, 100, 24);
    app.state.theme = krisp_tui::ui::Theme::monochrome();
    app.send(key('/'));
    app.type_str("plan");
    app.send(code(KeyCode::Enter));
    app.send(key('g'));
    insta::assert_snapshot!("workshop_header_monochrome_100x24", app.render());
    let screen = app.render();
    // Without colour the timeline shows each speaker's symbol, and the legend says whose it is.
    let timeline = screen
        .lines()
        .find(|l| l.contains("Timeline"))
        .expect("a timeline");
    assert!(timeline.contains("PPP"), "{timeline}");
    assert!(screen.contains("P Priya Raman"), "{screen}");
    assert!(screen.contains("+ 2 others"), "{screen}");
}

#[test]
fn snapshots_of_the_meeting_header() {
    let (m, doc) = four_minutes();
    let mut app = opened(m, doc, 100, 20);
    insta::assert_snapshot!("header_timeline_100x20", app.render());
    app.send(key('/'));
    app.type_str("the");
    app.send(code(KeyCode::Enter));
    app.send(key('g'));
    insta::assert_snapshot!("header_timeline_hits_100x20", app.render());
}

#[test]
fn no_transcript_keeps_the_plain_speakers_line() {
    let m = demo_meetings().remove(1);
    let doc = turns(&m, &[]);
    let app = opened(m, doc, 100, 30);
    let screen = app.render();
    assert!(screen.contains("Speakers: Anna Lee, Bob Ray"), "{screen}");
    let view = app.state.meeting.as_ref().expect("the meeting view");
    assert_eq!(view.picture, None);
}
