//! Pictures (issue 10, "Beyond the anchors"): the meeting header's talk-time bars and timeline
//! with search hits marked on it, the preview pane beside the list on wide terminals, and the
//! list's length and state columns. Update sequences and snapshots (times in UTC).

use std::time::Duration;

use crate::tui_common::{App, client, code, demo_meetings, document, key, list_row, meeting};
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use krisp_tui::app;
use krisp_tui::krisp::{Document, Meeting, MeetingId, Turn};
use krisp_tui::message::{ClientEvent, Command, Msg, RequestId};
use krisp_tui::store::{DocState, ListRow};

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
    let mut app = App::loaded(vec![meeting]);
    app.resize(w, h);
    app.open(doc);
    app
}

/// The first line of `screen` that `want` picks.
fn line_with<'a>(screen: &'a str, what: &str, want: impl Fn(&str) -> bool) -> &'a str {
    screen
        .lines()
        .find(|l| want(l))
        .unwrap_or_else(|| panic!("no line with {what} in\n{screen}"))
}

/// Four one-minute turns; the server says the meeting lasted four minutes.
fn four_minutes() -> (Meeting, Document) {
    let mut m = meeting(
        1,
        "Pricing review",
        "2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap(),
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
    let axis = line_with(&screen, "a mark", |l| l.contains('▲'));
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
    let axis = line_with(&screen, "the axis", |l| {
        l.contains("00:00 ") && l.contains("04:00")
    });
    assert!(
        axis.trim_end_matches([' ', '│']).ends_with("04:00"),
        "{axis}"
    );
    // Hits only in the header and notes leave the axis as it is.
    app.send(key('/'));
    app.type_str("Pricing");
    let screen = app.render();
    assert!(screen.contains("1/1"), "{screen}");
    assert!(!screen.contains('▲'), "{screen}");
    line_with(&screen, "the axis", |l| {
        l.contains("00:00 ") && l.contains("04:00")
    });
}

#[test]
fn talk_time_shares_add_up_to_a_hundred_and_longest_talker_comes_first() {
    let mut m = meeting(
        2,
        "Three-way",
        "2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap(),
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
        "2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap(),
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
    let m = meeting(
        4,
        "2027 planning workshop",
        "2026-11-19T12:15:00Z".parse::<jiff::Timestamp>().unwrap(),
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
    let timeline = line_with(&screen, "the timeline", |l| l.contains("Timeline"));
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

// ---------------------------------------------------------------- the list: columns, preview

/// The list read from a store: `rows` as the store gives them, logged in, at `w`×`h`.
fn stored(rows: Vec<ListRow>, w: u16, h: u16) -> App {
    let mut app = App::new();
    app.state.local.enabled = true;
    app.resize(w, h);
    app::start(&mut app.state, false, false);
    // As the store reads them: newest first.
    let mut rows = rows;
    rows.sort_by_key(|r| match &r.date {
        Some(krisp_tui::krisp::MeetingDate::Parsed(at)) => std::cmp::Reverse(Some(at.timestamp())),
        _ => std::cmp::Reverse(None),
    });
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        offset: 0,
        total: rows.len(),
        meetings: rows,
        complete: true,
    }));
    app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: Some("anna@example.com".into()),
    }));
    app.commands.clear();
    app
}

/// The demo meetings as the store lists them: Acme's transcript 2 h 14 min long, the roadmap
/// review still processing, the others not fetched yet.
fn stored_rows() -> Vec<ListRow> {
    demo_meetings()
        .iter()
        .map(|m| {
            let mut row = list_row(m);
            match m.name.as_str() {
                "Customer call: Acme" => {
                    row.doc_state = DocState::Ready;
                    row.duration_ms = Some((2 * 3600 + 14 * 60 + 5) * 1000);
                }
                "Q4 roadmap review" => row.doc_state = DocState::Processing,
                "Weekly sync" => {
                    row.doc_state = DocState::Ready;
                    row.duration_ms = Some(45 * 60 * 1000);
                }
                _ => {}
            }
            row
        })
        .collect()
}

fn read_meetings(cmds: &[Command]) -> Vec<MeetingId> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::ReadMeeting { id } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_list_shows_length_and_processing_from_the_store() {
    let app = stored(stored_rows(), 100, 12);
    let screen = app.render();
    let line = |name: &str| line_with(&screen, name, |l| l.contains(name));
    assert!(
        line("Customer call: Acme").contains(" 2:14:05 "),
        "{screen}"
    );
    assert!(line("Weekly sync").contains(" 45:00 "), "{screen}");
    assert!(
        line("Q4 roadmap review").contains(" processing "),
        "{screen}"
    );
    assert!(line("Hiring debrief").contains("Hiring debrief"));
    assert!(line("Date").contains("Length"), "{screen}");
    insta::assert_snapshot!("list_columns_100x12", screen);
    // On a narrow terminal the names keep the room.
    let mut app = app;
    app.resize(60, 12);
    let screen = app.render();
    assert!(!screen.contains("Length"), "{screen}");
    assert!(screen.contains("Customer call: Acme"), "{screen}");
}

#[test]
fn without_a_store_the_length_column_comes_once_a_transcript_was_read() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 12);
    assert!(!app.render().contains("Length"));
    // Newest first: Hiring (20th), Acme (18th), Q4 roadmap (15th).
    app.send(key('j'));
    app.send(key('j'));
    // Six turns 37 s apart: the last starts at 3:05.
    app.open(document(crate::tui_common::id(1), 6));
    app.send(code(KeyCode::Esc));
    let screen = app.render();
    let roadmap = line_with(&screen, "the roadmap", |l| l.contains("Q4 roadmap review"));
    assert!(roadmap.contains(" 03:05 "), "{screen}");
    assert!(screen.contains("Length"), "{screen}");
}

#[test]
fn the_preview_shows_from_160_columns_and_not_below() {
    let mut app = App::loaded(demo_meetings());
    app.resize(159, 20);
    app.send(key('j'));
    app.send(key('j'));
    assert!(!app.render().contains("Preview"));
    assert_eq!(app.state.home.preview.lines, []);
    app.resize(160, 20);
    let screen = app.render();
    assert!(screen.contains(" Preview "), "{screen}");
    assert!(screen.contains("Ship in March"), "{screen}");
    assert!(screen.contains("• Scope cut to three features"), "{screen}");
    assert!(screen.contains("[ ] Bob Ray to send the plan"), "{screen}");
    insta::assert_snapshot!("preview_160x20", screen);
    assert!(!screen.contains("more: Enter"), "all of it fits: {screen}");
    // Cut at the pane's height, it says there is more.
    app.resize(160, 12);
    let screen = app.render();
    assert!(screen.contains("more: Enter opens the meeting"), "{screen}");
    app.resize(160, 20);
    // Meetings from the server carry their notes: moving asks nobody for anything.
    let mut cmds: Vec<Command> = ['k', 'k', 'j', 'j', 'j']
        .into_iter()
        .flat_map(|c| app.send(key(c)))
        .collect();
    cmds.extend(app.advance(Duration::from_secs(1)));
    assert_eq!(cmds, []);
    let screen = app.render();
    assert!(screen.contains("No notes for this meeting."), "{screen}");
    // A click in the preview does not move the selection; one in the list does.
    let selected = app.state.home.list.selected;
    let click = |x, y| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.send(click(120, 3));
    assert_eq!(app.state.home.list.selected, selected);
    app.send(click(20, 3));
    assert_eq!(app.state.home.list.selected, 0);
}

#[test]
fn a_stored_meeting_s_notes_are_read_from_the_store_once_the_selection_rests() {
    let mut app = stored(stored_rows(), 160, 20);
    // The first meeting is selected at once: its notes are wanted after a pause.
    let preview = app.render();
    assert!(preview.contains("Reading the notes…"), "{preview}");
    // Running down the list reads nothing.
    let mut cmds = Vec::new();
    for _ in 0..2 {
        app.now += Duration::from_millis(40);
        cmds.extend(app.send(key('j')));
    }
    app.now += Duration::from_millis(40);
    cmds.extend(app.send(Msg::Tick));
    assert_eq!(cmds, []);
    assert!(app.state.needs_tick());
    // Resting on the roadmap review: the store is asked for it, and only for it.
    let cmds = app.advance(Duration::from_millis(200));
    assert_eq!(read_meetings(&cmds), [crate::tui_common::id(1)]);
    assert_eq!(cmds.len(), 1, "{cmds:?}");
    assert!(!app.state.needs_tick());
    app.send(client(ClientEvent::MeetingRead {
        meeting: Box::new(demo_meetings().remove(1)),
    }));
    let screen = app.render();
    assert!(screen.contains("Ship in March"), "{screen}");
    assert!(screen.contains("processing"), "{screen}");
    // Back and forth: the notes are here now, nothing is read again.
    let mut cmds = app.send(key('k'));
    cmds.extend(app.send(key('j')));
    cmds.extend(app.advance(Duration::from_secs(1)));
    assert_eq!(read_meetings(&cmds), []);
    // Below 160 columns nothing is read at all.
    let mut narrow = stored(stored_rows(), 159, 20);
    let cmds = narrow.advance(Duration::from_secs(1));
    assert_eq!(cmds, []);
}

/// Server text with escapes, controls and bidi overrides in every place the pictures and the
/// preview draw: names in the bars, the notes in the preview.
#[test]
fn hostile_names_and_notes_are_drawn_as_visible_placeholders() {
    let evil = "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u{9b}31m \u{202e}exe\u{202c} a\u{200d}b\rX";
    let mut m = meeting(
        8,
        evil,
        "2026-01-21T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &[evil, "Bob"],
    );
    m.summary = Some(format!("#### {evil}\n{evil}"));
    m.key_points = vec![evil.into()];
    let doc = turns(&m, &[(evil, 0, evil), ("Bob", 30, "b"), (evil, 40, evil)]);
    let mut app = App::loaded(vec![m]);
    app.resize(170, 24);
    let mut screens = vec![("list and preview", app.render())];
    app.open(doc);
    app.send(key('/'));
    app.type_str("red");
    screens.push(("meeting header", app.render()));
    assert!(screens[0].1.contains(" Preview "), "{}", screens[0].1);
    assert!(screens[1].1.contains("Timeline "), "{}", screens[1].1);
    for (name, text) in screens {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c < ' ' && c != '\n')
                    || ('\u{7f}'..='\u{9f}').contains(&c)
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{200b}'..='\u{200d}').contains(&c)
            })
            .collect();
        assert_eq!(bad, Vec::<char>::new(), "{name}:\n{text}");
        assert!(text.contains('␛'), "{name} shows the escapes:\n{text}");
    }
}
