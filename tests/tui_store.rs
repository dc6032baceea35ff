//! The TUI over the local store: `update` sequences (the stored list at once, the sync, the
//! full-text search and opening a hit at its turn) and snapshots of what they draw.

mod tui_common;

use crossterm::event::KeyCode;
use krisp_tui::app::{self, Screen};
use krisp_tui::client::sync::{Phase, SyncProgress};
use krisp_tui::krisp::{Meeting, MeetingDate};
use krisp_tui::library::{Answer, Hit, Matched, Place};
use krisp_tui::message::{ClientEvent, Command, RequestId};
use krisp_tui::store::ListRow;
use tui_common::{App, client, code, demo_meetings, document, id, key, list_row};

/// What the list gets from the store: the meetings without their notes.
fn light(meetings: &[Meeting]) -> Vec<ListRow> {
    meetings.iter().map(list_row).collect()
}

/// Started with a store (sync = "auto"), its list answered, then logged in.
fn stored(meetings: Vec<Meeting>, complete: bool) -> (App, Vec<Command>) {
    let mut app = App::new();
    app.state.local.enabled = true;
    app.state.local.auto_sync = true;
    let cmds = app::start(&mut app.state, false, false);
    assert_eq!(
        cmds,
        [
            Command::LoadStored {
                id: RequestId(1),
                quick: true
            },
            Command::Connect
        ]
    );
    // The stored list shows at once, before the connection is made.
    assert_eq!(app.state.screen, Screen::Home);
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        meetings: light(&meetings),
        complete,
        partial: false,
    }));
    let after_login = app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: Some("anna@example.com".into()),
    }));
    app.commands.clear();
    (app, after_login)
}

fn transcript_hit(meeting: usize, turn: usize, start_ms: u64, snippet: &str) -> Hit {
    let m = &demo_meetings()[meeting];
    let word = "scope";
    let at = snippet.find(word).expect("the word is in the snippet");
    Hit {
        meeting_id: m.id.clone(),
        name: m.name.clone(),
        date: m.date.clone(),
        people: vec!["Bob Ray".into()],
        place: Some(Place::Transcript {
            turn,
            start_ms,
            speaker: "Bob Ray".into(),
        }),
        excerpt: snippet.into(),
        // One highlighted range (not the numbers in it).
        highlights: std::iter::once(at..at + word.len()).collect(),
        hits: 1,
        score: 3.5,
    }
}

/// The store's answer holding `hits`, all of them.
fn answer(text: &str, hits: Vec<Hit>) -> Answer {
    Answer {
        text: text.into(),
        total: hits.len(),
        offset: 0,
        matched: Matched::Ranked,
        meetings: hits,
    }
}

/// `/scope`: the store finds it in the roadmap meeting's (demo_meetings()[1]) transcript, turn 4
/// at 02:28.
fn searched() -> App {
    let (mut app, _) = stored(demo_meetings(), true);
    app.send(key('/'));
    let cmds = app.type_str("scope");
    let asks: Vec<&Command> = cmds
        .iter()
        .filter(|c| matches!(c, Command::SearchStored { .. }))
        .collect();
    // One question per change; never the server, as the store holds all.
    assert_eq!(asks.len(), 5, "{cmds:?}");
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::SearchMeetings { .. })),
        "{cmds:?}"
    );
    let Some(Command::SearchStored { id, text, .. }) = asks.last().copied().cloned() else {
        unreachable!()
    };
    assert_eq!(text, "scope");
    app.send(client(ClientEvent::StoredSearch {
        id,
        text,
        result: Ok(answer(
            "scope",
            vec![transcript_hit(
                1,
                4,
                148_000,
                "…the budget is fine, but the scope has to shrink to three features…",
            )],
        )),
    }));
    app
}

#[test]
fn a_store_shows_its_list_at_once_and_syncs_after_the_login() {
    let (app, after_login) = stored(demo_meetings(), false);
    assert_eq!(after_login, [Command::Sync]);
    assert!(app.state.local.sync.running);
    assert_eq!(app.state.home.meetings.len(), 5);
    assert!(app.state.home.meetings.paging.exhausted);
}

#[test]
fn the_list_is_read_again_as_the_sync_lands_pages() {
    let (mut app, _) = stored(demo_meetings()[..2].to_vec(), false);
    let cmds = app.send(client(ClientEvent::StoreChanged));
    assert_eq!(
        cmds,
        [Command::LoadStored {
            id: RequestId(2),
            quick: false
        }]
    );
    // A change while that read is in flight: read once more after it, not twice at once.
    assert_eq!(app.send(client(ClientEvent::StoreChanged)), []);
    let cmds = app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(2),
        meetings: light(&demo_meetings()[..4]),
        complete: false,
        partial: false,
    }));
    assert_eq!(
        cmds,
        [Command::LoadStored {
            id: RequestId(3),
            quick: false
        }]
    );
    assert_eq!(app.state.home.meetings.len(), 4);
    // A stale answer is dropped.
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(2),
        meetings: Vec::new(),
        complete: false,
        partial: false,
    }));
    assert_eq!(app.state.home.meetings.len(), 4);
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(3),
        meetings: light(&demo_meetings()),
        complete: true,
        partial: false,
    }));
    assert_eq!(app.state.home.meetings.len(), 5);
    assert!(app.state.local.complete);
    app.send(client(ClientEvent::SyncFinished(Ok(Default::default()))));
    assert!(!app.state.local.sync.running);
}

#[test]
fn bottom_reaches_the_last_stored_meeting_in_one_key_press() {
    let meetings: Vec<Meeting> = (0..10_000)
        .map(|i| {
            let at = time::macros::datetime!(2026-11-01 00:00 UTC) - time::Duration::hours(i);
            tui_common::meeting(10 + i as usize, &format!("Meeting {i}"), at, &["Anna Lee"])
        })
        .collect();
    let (mut app, _) = stored(meetings, true);
    let cmds = app.send(key('G'));
    assert_eq!(cmds, []);
    let home = &app.state.home;
    assert_eq!(home.list.selected, 9_999);
    let last = home.meeting_at(9_999).expect("a last row");
    assert_eq!(home.meetings.all[last].name, "Meeting 9999");
}

#[test]
fn full_text_hits_say_where_they_matched_and_stale_ones_are_dropped() {
    let mut app = searched();
    let search = app.state.home.search.as_ref().expect("searching");
    assert_eq!(search.hits.len(), 1);
    assert_eq!(search.found[0].place, "transcript 02:28");
    assert_eq!(search.found[0].term(), Some("scope"));
    // An answer for text the box no longer holds changes nothing.
    let before = search.hits.clone();
    app.send(client(ClientEvent::StoredSearch {
        id: RequestId(2),
        text: "sco".into(),
        result: Ok(answer("sco", Vec::new())),
    }));
    assert_eq!(app.state.home.search.as_ref().unwrap().hits, before);
}

/// The last full-text question `cmds` put to the store.
fn store_asked(cmds: &[Command]) -> Option<(RequestId, String)> {
    cmds.iter().rev().find_map(|c| match c {
        Command::SearchStored { id, text, .. } => Some((*id, text.clone())),
        _ => None,
    })
}

#[test]
fn a_sync_that_stores_more_asks_the_store_again_for_the_open_search() {
    let (mut app, _) = stored(demo_meetings(), false);
    app.send(key('/'));
    let cmds = app.type_str("scope");
    let (id, text) = store_asked(&cmds).expect("the store was asked");
    // Nothing yet: the transcript holding the word is not stored.
    app.send(client(ClientEvent::StoredSearch {
        id,
        text,
        result: Ok(answer("scope", Vec::new())),
    }));
    assert!(app.state.home.search.as_ref().unwrap().hits.is_empty());
    // The sync stores it: the same text is asked again, and its answer shows.
    let cmds = app.send(client(ClientEvent::StoreChanged));
    let (id, text) = store_asked(&cmds).expect("the store was asked again");
    assert_eq!(text, "scope");
    app.send(client(ClientEvent::StoredSearch {
        id,
        text,
        result: Ok(answer(
            "scope",
            vec![transcript_hit(1, 4, 148_000, "…the scope has to shrink…")],
        )),
    }));
    let search = app.state.home.search.as_ref().unwrap();
    assert_eq!(search.hits.len(), 1);
    assert_eq!(search.found[0].place, "transcript 02:28");
}

#[test]
fn enter_on_a_transcript_hit_opens_the_meeting_at_that_turn_with_the_word_to_find() {
    let mut app = searched();
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, ids }) = cmds.first().cloned() else {
        panic!("expected the document fetch, got {cmds:?}");
    };
    assert_eq!(ids, [id(1)]);
    // The store sends the whole meeting, then the document.
    app.send(client(ClientEvent::MeetingRead {
        meeting: Box::new(demo_meetings()[1].clone()),
    }));
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(id(1), 12)]),
    }));
    let view = app.state.meeting.as_ref().expect("the meeting is open");
    assert_eq!(view.meeting.summary, demo_meetings()[1].summary);
    let turn_line = view.turn_starts[4];
    assert!(
        view.scroll <= turn_line && turn_line < view.scroll + usize::from(view.height),
        "turn 4 (line {turn_line}) is in view from line {}",
        view.scroll
    );
    let find = view.search.as_ref().expect("find-in-transcript is set");
    assert_eq!(find.input.text(), "scope");
    let current = find.hits[find.current];
    assert!(
        current.line >= turn_line,
        "the current hit is at or after the turn"
    );
    // n goes on from there.
    let line = current.line;
    app.send(key('n'));
    let find = app.state.meeting.as_ref().unwrap().search.as_ref().unwrap();
    assert!(find.hits[find.current].line > line || find.current == 0);
    // Back on the list (the first Esc closes find-in-transcript), keys move the list instead of
    // typing into the search box.
    app.send(code(KeyCode::Esc));
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, Screen::Home);
    let typed = app
        .state
        .home
        .search
        .as_ref()
        .unwrap()
        .input
        .text()
        .to_owned();
    app.send(key('j'));
    assert_eq!(app.state.home.search.as_ref().unwrap().input.text(), typed);
}

#[test]
fn the_same_text_gives_the_same_hits_however_it_was_typed() {
    let hits = |keys: &[&str]| {
        let (mut app, _) = stored(demo_meetings(), true);
        app.send(key('/'));
        for k in keys {
            match *k {
                "<bs>" => {
                    app.send(code(KeyCode::Backspace));
                }
                text => {
                    app.type_str(text);
                }
            }
        }
        let s = app.state.home.search.as_ref().unwrap();
        assert_eq!(s.input.text(), "road an");
        s.hits.clone()
    };
    let fresh = hits(&["road an"]);
    assert_eq!(fresh, hits(&["road anx", "<bs>"]));
    assert_eq!(fresh, hits(&["road a", "<bs>", "a", "n"]));
    assert_eq!(fresh, hits(&["ro", "<bs>", "<bs>", "road an"]));
}

#[test]
fn offline_the_ui_keeps_working_from_the_store_and_never_asks_the_server() {
    let mut app = App::new();
    app.state.local.enabled = true;
    app::start(&mut app.state, false, false);
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        meetings: light(&demo_meetings()),
        complete: false,
        partial: false,
    }));
    app.send(client(ClientEvent::Offline {
        reason: "cannot reach https://mcp.krisp.ai/mcp: connection refused".into(),
    }));
    assert_eq!(app.state.screen, Screen::Home);
    app.send(key('/'));
    app.type_str("roadmap");
    let cmds = app.advance(std::time::Duration::from_secs(2));
    assert!(
        !app.commands
            .iter()
            .chain(&cmds)
            .any(|c| matches!(c, Command::SearchMeetings { .. } | Command::Sync)),
        "{:?}",
        app.commands
    );
    let screen = app.render();
    assert!(screen.contains("offline"), "{screen}");
}

fn syncing() -> App {
    let (mut app, _) = stored(demo_meetings(), false);
    app.send(client(ClientEvent::SyncProgress(SyncProgress {
        phase: Phase::Documents,
        listed: 5,
        documents_done: 120,
        documents_total: 400,
        requests: 17,
        retries: 1,
    })));
    app
}

#[test]
fn snapshots() {
    for (name, mut app) in [
        ("store_syncing", syncing()),
        ("store_search_hits", searched()),
    ] {
        app.resize(100, 12);
        insta::assert_snapshot!(format!("{name}_100x12"), app.render());
    }
}

#[test]
fn stored_dates_survive_the_light_copy() {
    let (app, _) = stored(demo_meetings(), true);
    let first = &app.state.home.meetings.all[0];
    assert!(matches!(first.date, Some(MeetingDate::Parsed(_))));
}

#[test]
fn an_empty_list_shows_the_newest_screenful_first_then_the_whole_list() {
    let mut app = App::new();
    app.state.local.enabled = true;
    app::start(&mut app.state, false, false);
    let all = demo_meetings();
    // The first screenful arrives: drawn at once, the read still counts as in flight.
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        meetings: light(&all[..2]),
        complete: false,
        partial: true,
    }));
    assert_eq!(app.state.home.meetings.len(), 2);
    assert_eq!(app.state.local.loading, Some(RequestId(1)));
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        meetings: light(&all),
        complete: false,
        partial: false,
    }));
    assert_eq!(app.state.home.meetings.len(), 5);
    assert_eq!(app.state.local.loading, None);
    // Later reads (the list is no longer empty) ask for the whole list at once.
    let cmds = app.send(client(ClientEvent::StoreChanged));
    assert_eq!(
        cmds,
        [Command::LoadStored {
            id: RequestId(2),
            quick: false
        }]
    );
}

#[test]
fn a_date_filter_being_typed_is_not_an_error_until_it_is_complete() {
    let (mut app, _) = stored(demo_meetings(), true);
    app.send(key('/'));
    let cmds = app.type_str("roadmap after:2026-1");
    // While the date is being typed the store is asked about the words before it only.
    let asked: Vec<String> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::SearchStored { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(!asked.iter().any(|t| t.contains("after:")), "{asked:?}");
    assert_eq!(asked.last().map(String::as_str), Some("roadmap"));
    assert!(app.state.toast.is_none());
    // A space completes the token: now the filter goes to the store.
    let cmds = app.send(key(' '));
    assert!(
        cmds.iter().any(
            |c| matches!(c, Command::SearchStored { text, .. } if text == "roadmap after:2026-1 ")
        ),
        "{cmds:?}"
    );
}
