//! The Upcoming and Action items screens, transcript retries and retrying what failed (issues 9
//! and 10): update sequences against the pure `update`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::tui_common::{App, client, code, demo_meetings, document, id, key};
use crossterm::event::KeyCode;
use krisp_tui::app::Screen;
use krisp_tui::app::keymap::Keymap;
use krisp_tui::client::ClientError;
use krisp_tui::krisp::{Document, DocumentState, MeetingId, Section, Transcript};
use krisp_tui::message::{Action, ClientEvent, Command, RequestError, RequestId};
use serde_json::json;

/// Not among the demo meetings.
const FRESH: &str = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";
const FRESH2: &str = "1f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";

/// What `krisp-tui --timeout 1` says when the server does not answer.
const TIMED_OUT: &str = "http://127.0.0.1:1/mcp did not answer within 1 seconds; giving up (it may be down; --timeout sets the limit)";

fn feed_request(cmds: &[Command]) -> RequestId {
    cmds.iter()
        .find_map(|c| match c {
            Command::ListActionItems { id, .. }
            | Command::ListUpcoming { id, .. }
            | Command::ListActivities { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected a feed request, got {cmds:?}"))
}

/// The demo meetings loaded, tab `tab` open and its first request answered with `structured`.
fn feed(app: &mut App, tab: char, structured: serde_json::Value) {
    let cmds = app.send(key(tab));
    let id = feed_request(&cmds);
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Ok(krisp_tui::krisp::feed_items(Some(&structured), [])),
    }));
}

fn fetched(cmds: &[Command]) -> (RequestId, Vec<MeetingId>) {
    cmds.iter()
        .find_map(|c| match c {
            Command::FetchDocuments { id, ids } => Some((*id, ids.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected a document request, got {cmds:?}"))
}

fn top_line(app: &App) -> String {
    let view = app.state.meeting.as_ref().expect("a meeting view");
    view.lines
        .get(view.scroll)
        .map(|l| l.text())
        .unwrap_or_default()
}

/// Once the error toast has gone, the pane itself says which key retries.
fn pane_names_the_key(app: &mut App) -> String {
    app.advance(krisp_tui::app::TOAST_FOR);
    let text = app.render();
    assert!(text.contains("Press r to try again."), "{text}");
    text
}

fn toast(app: &App) -> String {
    app.state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn upcoming() -> serde_json::Value {
    json!({"days": 7, "count": 2, "meetings": [
        {"meeting_id": FRESH, "name": "Pricing sign-off", "start": "2026-11-29T15:00:00Z",
         "attendees": ["Anna Lee", {"name": "Bob Ray", "email": "bob@example.com"}],
         "agenda_id": FRESH},
        {"meeting_id": FRESH2, "name": "Standup", "start": "2026-11-30T08:30:00Z",
         "attendees": [], "url": "https://meet.example.com/standup"},
    ]})
}

#[test]
fn an_upcoming_meeting_opens_with_its_date_and_stays_out_of_the_meetings_list() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 24);
    feed(&mut app, '3', upcoming());
    let cmds = app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, Screen::Meeting);
    let (doc_id, ids) = fetched(&cmds);
    assert_eq!(ids, [MeetingId(FRESH.into())]);
    let text = app.render();
    assert!(text.starts_with(" Upcoming › Pricing sign-off"), "{text}");
    assert!(text.contains("2026-11-29 15:00 UTC"), "{text}");
    assert!(text.contains("Attendees: Anna Lee, Bob Ray"), "{text}");

    // The agenda arrives: no transcript, because the meeting has not happened yet.
    let agenda = Document::parse(
        MeetingId(FRESH.into()),
        Some("# Agenda: Pricing sign-off\n\n- Walk through the page\n"),
    );
    app.send(client(ClientEvent::DocumentsLoaded {
        id: doc_id,
        result: Ok(vec![agenda]),
    }));
    let text = app.render();
    assert!(text.contains("This meeting has not happened yet"), "{text}");
    assert!(!text.contains("has no transcript"), "{text}");
    insta::assert_snapshot!("upcoming_meeting", text);

    // `o`: no link, and why.
    let cmds = app.send(key('o'));
    assert!(
        !cmds.iter().any(|c| matches!(c, Command::OpenUrl(_))),
        "{cmds:?}"
    );
    assert!(
        toast(&app).contains("has not happened yet"),
        "{}",
        toast(&app)
    );

    // The export's file name carries the date.
    app.send(key('e'));
    let Some(krisp_tui::app::Overlay::Export(dialog)) = &app.state.overlay else {
        panic!("the export dialog is open");
    };
    assert_eq!(dialog.path_text(), "2026-11-29-pricing-sign-off.md");
    app.send(code(KeyCode::Esc));

    // Back on the list: still the five meetings, none of them a stray upcoming row.
    app.send(code(KeyCode::Esc));
    app.send(key('1'));
    assert_eq!(app.state.home.meetings.len(), 5);
    let text = app.render();
    assert!(text.contains("Meetings · 5 "), "{text}");
    assert!(!text.contains('◆'), "{text}");

    // An upcoming meeting that carries a link opens it.
    app.send(key('3'));
    app.send(code(KeyCode::Down));
    app.send(code(KeyCode::Enter));
    let cmds = app.send(key('o'));
    assert!(
        cmds.contains(&Command::OpenUrl("https://meet.example.com/standup".into())),
        "{cmds:?}"
    );
}

fn action_items() -> serde_json::Value {
    json!({"count": 2, "action_items": [
        {"title": "Send the plan", "assignee": "Bob Ray", "completed": false,
         "due_date": "2026-01-16", "meeting_id": id(1).0, "meeting_name": "Q4 roadmap review"},
        {"title": "Book the offsite", "assignee": "Anna Lee", "completed": false,
         "due_date": "2026-01-17", "meeting_id": FRESH, "meeting_name": "Board prep"},
    ]})
}

/// A document with notes sections and a long transcript.
fn long_document(meeting: MeetingId) -> Document {
    let mut doc = document(meeting, 40);
    doc.sections = vec![
        Section {
            heading: "Key Points".into(),
            body: "- One\n- Two\n- Three".into(),
        },
        Section {
            heading: "Action Items".into(),
            body: "- [ ] Book the offsite (Anna Lee)".into(),
        },
    ];
    doc
}

#[test]
fn enter_on_an_action_item_opens_its_meeting_at_the_action_items() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 12);
    feed(&mut app, '2', action_items());

    // A meeting in the list: its notes hold the action items.
    let cmds = app.send(code(KeyCode::Enter));
    let (doc_id, _) = fetched(&cmds);
    let view = app.state.meeting.as_ref().expect("a meeting view");
    assert_eq!(view.meeting.name, "Q4 roadmap review");
    assert!(
        app.render()
            .starts_with(" Action items › Q4 roadmap review")
    );
    app.send(client(ClientEvent::DocumentsLoaded {
        id: doc_id,
        result: Ok(vec![document(id(1), 40)]),
    }));
    assert_eq!(top_line(&app), "Action items");
    let text = app.render();
    assert!(text.contains("[ ] Bob Ray to send the plan"), "{text}");

    // A meeting not in the list: named as the item names it, kept out of the list, and shown
    // at the document's action items once it arrives.
    app.send(code(KeyCode::Esc));
    app.send(code(KeyCode::Down));
    let cmds = app.send(code(KeyCode::Enter));
    let (doc_id, _) = fetched(&cmds);
    assert_eq!(
        app.state.meeting.as_ref().map(|v| v.meeting.name.as_str()),
        Some("Board prep")
    );
    assert_eq!(app.state.home.meetings.len(), 5);
    app.send(client(ClientEvent::DocumentsLoaded {
        id: doc_id,
        result: Ok(vec![long_document(MeetingId(FRESH.into()))]),
    }));
    assert_eq!(top_line(&app), "Action Items");

    // Moving first wins over a section still on its way.
    app.send(code(KeyCode::Esc));
    let cmds = app.send(code(KeyCode::Enter));
    // (cached now: opened at once)
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::FetchDocuments { .. }))
    );
    assert_eq!(top_line(&app), "Action Items");
    app.send(key('g'));
    assert_eq!(app.state.meeting.as_ref().map(|v| v.scroll), Some(0));
}

fn retrying(id: RequestId, attempt: u32) -> ClientEvent {
    ClientEvent::Retrying {
        id,
        attempt,
        attempts: 3,
        wait: Duration::from_secs(2),
        // What the client task sends: the cause, without the final failure's advice.
        message: ClientError::ServerFailing {
            server: "http://127.0.0.1:1/mcp".into(),
            status: 503,
        }
        .cause(),
    }
}

#[test]
fn a_failing_transcript_shows_its_retries_and_leaving_stops_them() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.resize(100, 12);
    let cmds = app.send(code(KeyCode::Enter));
    let (doc_id, _) = fetched(&cmds);
    // A reader at the end of the notes sees the retry note arrive below them.
    app.send(key('G'));
    app.send(client(retrying(doc_id, 1)));
    let view = app.state.meeting.as_ref().expect("a meeting view");
    assert_eq!(view.scroll, view.max_scroll());
    assert!(app.render().contains("Trying again on its own"));
    insta::assert_snapshot!("transcript_retrying", app.render());
    app.resize(100, 30);
    let text = app.render();
    assert!(text.contains("answered HTTP 503"), "{text}");
    assert!(!text.contains("try again later"), "{text}");
    assert!(
        text.contains("Trying again on its own in 2 s (retry 1 of 3)…"),
        "{text}"
    );
    // A retry for a request nobody waits for changes nothing.
    let before = app.state.meeting.clone();
    app.send(client(retrying(RequestId(999), 2)));
    assert_eq!(app.state.meeting, before);

    // The answer after a retry: the transcript, and the retry note gone.
    app.send(client(ClientEvent::DocumentsLoaded {
        id: doc_id,
        result: Ok(vec![document(id(3), 4)]),
    }));
    let text = app.render();
    assert!(!text.contains("Trying again"), "{text}");
    assert!(text.contains("Let's start with the timeline"), "{text}");

    // Another meeting: retrying, then the user leaves: the retries are cancelled.
    app.send(code(KeyCode::Esc));
    app.send(code(KeyCode::Down));
    let cmds = app.send(code(KeyCode::Enter));
    let (doc_id, _) = fetched(&cmds);
    app.send(client(retrying(doc_id, 1)));
    let cmds = app.send(code(KeyCode::Esc));
    assert_eq!(cmds, [Command::Cancel(doc_id)]);
    assert_eq!(app.state.screen, Screen::Home);
    assert!(!app.state.needs_tick(), "nothing left animating");
    // Opening it again asks again.
    let cmds = app.send(code(KeyCode::Enter));
    fetched(&cmds);
}

#[test]
fn the_transcript_error_and_the_processing_note_name_the_key_the_keymap_binds() {
    let overrides = BTreeMap::from([(
        "meeting".to_owned(),
        BTreeMap::from([
            ("r".to_owned(), Action::Unbound),
            ("f5".to_owned(), Action::Refresh),
        ]),
    )]);
    let (keymap, problems) = Keymap::with_overrides(&overrides);
    assert_eq!(problems, Vec::<String>::new());
    for (keymap, key_name) in [(Keymap::default(), "r"), (keymap, "F5")] {
        let mut app = App::loaded(demo_meetings());
        app.state.keymap = keymap;
        app.resize(100, 30);
        let cmds = app.send(code(KeyCode::Enter));
        let (doc_id, _) = fetched(&cmds);
        app.send(client(ClientEvent::DocumentsLoaded {
            id: doc_id,
            result: Err(RequestError::new(
                "http://127.0.0.1:1/mcp kept failing (HTTP 503) through every retry; try again later",
            )),
        }));
        let text = app.render();
        assert!(
            text.contains(&format!("Press {key_name} to try again.")),
            "{text}"
        );
        // The key retries: the transcript again, then still processing.
        let retry_key = if key_name == "r" {
            key('r')
        } else {
            code(KeyCode::F(5))
        };
        let cmds = app.send(retry_key);
        let (doc_id, _) = fetched(&cmds);
        let processing = Document {
            id: id(3),
            state: DocumentState::Processing,
            recording_url: None,
            sections: Vec::new(),
            transcript: Transcript::default(),
            unparsed: String::new(),
        };
        app.send(client(ClientEvent::DocumentsLoaded {
            id: doc_id,
            result: Ok(vec![processing]),
        }));
        let text = app.render();
        assert!(
            text.contains(&format!("Press {key_name} later to reload.")),
            "{text}"
        );
    }
}

/// `n` meetings a day apart, newest first.
fn many_meetings(n: usize) -> Vec<krisp_tui::krisp::Meeting> {
    let start = "2026-01-01T09:00:00Z".parse::<jiff::Timestamp>().unwrap();
    (0..n)
        .map(|i| {
            let days = i64::try_from(i).unwrap_or(0);
            crate::tui_common::meeting(
                100 + i,
                &format!("Meeting {i}"),
                start - jiff::SignedDuration::from_hours(24 * days),
                &[],
            )
        })
        .collect()
}

#[test]
fn a_timed_out_page_says_which_key_retries_and_that_key_asks_for_that_page() {
    let mut app = App::loaded(many_meetings(50));
    app.resize(100, 20);
    let cmds = app.send(code(KeyCode::End));
    let Some((page2, query)) = app.last_search() else {
        panic!("expected the next page, got {cmds:?}");
    };
    assert_eq!(query.offset, 50);
    app.send(client(ClientEvent::MeetingsLoaded {
        id: page2,
        query,
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    assert_eq!(toast(&app), format!("{TIMED_OUT} Press r to try again."));
    let cmds = app.send(key('r'));
    let offsets: Vec<u32> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::SearchMeetings { query, .. } => Some(query.offset),
            _ => None,
        })
        .collect();
    assert_eq!(offsets, [50], "{cmds:?}");
    // The list kept its rows and place meanwhile.
    assert_eq!(app.state.home.meetings.len(), 50);
    assert_eq!(app.state.home.list.selected, 49);
}

#[test]
fn a_first_page_that_timed_out_says_so_in_the_pane_with_the_key() {
    let mut app = App::new();
    app.resize(100, 12);
    let cmds = krisp_tui::app::start(&mut app.state, true, false);
    let Some(Command::SearchMeetings { id, query }) = cmds.first().cloned() else {
        panic!("expected the first page, got {cmds:?}");
    };
    app.send(client(ClientEvent::MeetingsLoaded {
        id,
        query,
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    let text = pane_names_the_key(&mut app);
    assert!(text.contains("did not answer within 1 seconds"), "{text}");
    let cmds = app.send(key('r'));
    assert!(
        matches!(cmds.as_slice(), [Command::SearchMeetings { query, .. }] if query.offset == 0),
        "{cmds:?}"
    );
}

#[test]
fn a_feed_page_that_timed_out_is_asked_for_again_not_the_whole_feed() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 12);
    let items: Vec<serde_json::Value> = (0..20)
        .map(|i| json!({"title": format!("Item {i}"), "completed": false}))
        .collect();
    feed(&mut app, '2', json!({"action_items": items}));
    let cmds = app.send(code(KeyCode::End));
    let page2 = feed_request(&cmds);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::ListActionItems { offset: 20, .. }]
        ),
        "{cmds:?}"
    );
    app.send(client(ClientEvent::FeedLoaded {
        id: page2,
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    assert!(
        toast(&app).ends_with("Press r to try again."),
        "{}",
        toast(&app)
    );
    let cmds = app.send(key('r'));
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::ListActionItems { offset: 20, .. }]
        ),
        "{cmds:?}"
    );
    assert_eq!(app.state.home.action_items.items.len(), 20);

    // A first page that failed: the pane says the key, and it loads the tab again.
    let cmds = app.send(key('4'));
    let id = feed_request(&cmds);
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    pane_names_the_key(&mut app);
    let cmds = app.send(key('r'));
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::ListActivities { cursor: None, .. }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn a_tool_list_that_failed_says_which_key_retries_and_that_key_asks_again() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 12);
    let cmds = app.send(key(':'));
    let Some(Command::ListTools { id }) = cmds.first().cloned() else {
        panic!("expected tools/list, got {cmds:?}");
    };
    app.send(client(ClientEvent::ToolsListed {
        id,
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    pane_names_the_key(&mut app);
    let cmds = app.send(key('r'));
    assert!(
        matches!(cmds.as_slice(), [Command::ListTools { .. }]),
        "{cmds:?}"
    );
}

#[test]
fn a_tool_call_that_timed_out_says_which_key_runs_it_again_and_that_key_does() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    let cmds = app.send(key(':'));
    let Some(Command::ListTools { id }) = cmds.first().cloned() else {
        panic!("expected tools/list, got {cmds:?}");
    };
    let tool: rmcp::model::Tool = serde_json::from_value(json!({
        "name": "date_time",
        "description": "Get the current date and time.",
        "inputSchema": {"type": "object", "properties": {}}
    }))
    .expect("a tool");
    app.send(client(ClientEvent::ToolsListed {
        id,
        result: Ok(vec![tool]),
    }));
    let run = |cmds: &[Command]| {
        cmds.iter()
            .find_map(|c| match c {
                Command::CallTool { id, name, args } => Some((*id, name.clone(), args.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("expected a tool call, got {cmds:?}"))
    };
    let (id, name, args) = run(&app.send(code(KeyCode::F(5))));
    app.send(client(ClientEvent::ToolCalled {
        id,
        name: name.clone(),
        result: Err(RequestError::new(TIMED_OUT)),
    }));
    let text = app.render();
    assert!(text.contains("did not answer within 1 seconds"), "{text}");
    assert!(text.contains("Press F5 to run it again."), "{text}");
    let (_, again, again_args) = run(&app.send(code(KeyCode::F(5))));
    assert_eq!((again, again_args), (name, args));
}

#[test]
fn a_sync_that_timed_out_says_which_key_syncs_again_and_that_key_does() {
    let mut app = App::new();
    app.state.local.enabled = true;
    app.state.local.auto_sync = true;
    krisp_tui::app::start(&mut app.state, true, false);
    assert!(app.state.local.sync.running);
    app.send(client(ClientEvent::SyncFinished(Err(RequestError::new(
        TIMED_OUT,
    )))));
    assert_eq!(
        toast(&app),
        format!("Sync failed: {TIMED_OUT} Press S to try again.")
    );
    assert_eq!(app.send(key('S')), [Command::Sync]);
}
