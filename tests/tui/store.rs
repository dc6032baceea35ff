//! The TUI over the local store: `update` sequences (the stored list at once, the sync, the
//! full-text search and opening a hit at its turn) and snapshots of what they draw.

use crate::tui_common::{App, client, code, demo_meetings, document, id, key, list_row};
use crossterm::event::KeyCode;
use krisp_tui::app::LIST_WINDOW;
use krisp_tui::app::{self, Screen};
use krisp_tui::krisp::{Meeting, MeetingDate, MeetingId};
use krisp_tui::library::sync::{Phase, SyncProgress};
use krisp_tui::library::{Answer, Hit, Matched, Place, Window};
use krisp_tui::message::{ClientEvent, Command, RequestId};
use krisp_tui::store::ListRow;

/// What the list gets from the store: the meetings without their notes.
fn light(meetings: &[Meeting]) -> Vec<ListRow> {
    meetings.iter().map(list_row).collect()
}

/// The store's answer to `LoadStored` `id`: `meetings` from row `offset` of `total`.
fn stored_window(
    id: u64,
    offset: usize,
    meetings: &[Meeting],
    total: usize,
    complete: bool,
) -> ClientEvent {
    ClientEvent::StoredMeetings {
        id: RequestId(id),
        offset,
        total,
        meetings: light(meetings),
        complete,
    }
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
                window: Window::first(LIST_WINDOW),
                around: None,
            },
            Command::Connect
        ]
    );
    // The stored list shows at once, before the connection is made.
    assert_eq!(app.state.screen, Screen::Home);
    // As the store reads them: newest first.
    let mut meetings = meetings;
    meetings.sort_by_key(|m| match &m.date {
        Some(MeetingDate::Parsed(at)) => std::cmp::Reverse(Some(at.timestamp())),
        _ => std::cmp::Reverse(None),
    });
    app.send(client(stored_window(
        1,
        0,
        &meetings,
        meetings.len(),
        complete,
    )));
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
        focus: 0,
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
        suggestion: None,
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
    let all = demo_meetings();
    let (mut app, _) = stored(all[..2].to_vec(), false);
    let home = &app.state.home;
    let held: Vec<Meeting> = (0..2)
        .map(|row| home.meetings.all[home.meeting_at(row).expect("held")].clone())
        .collect();
    // On the second meeting: the window is read around it, wherever the store has it now.
    app.send(key('j'));
    let cmds = app.send(client(ClientEvent::StoreChanged));
    assert_eq!(
        cmds,
        [Command::LoadStored {
            id: RequestId(2),
            window: Window::first(LIST_WINDOW),
            around: Some(held[1].id.clone()),
        }]
    );
    // A change while that read is in flight: read once more after it, not twice at once.
    assert_eq!(app.send(client(ClientEvent::StoreChanged)), []);
    // The sync stored two newer meetings, above it.
    let mut newer = vec![all[3].clone(), all[4].clone()];
    newer.extend(held.iter().cloned());
    let cmds = app.send(client(stored_window(2, 0, &newer, 4, false)));
    assert_eq!(
        cmds,
        [Command::LoadStored {
            id: RequestId(3),
            window: Window::first(LIST_WINDOW),
            around: Some(held[1].id.clone()),
        }]
    );
    assert_eq!(app.state.home.meetings.listed(), 4);
    // The selection stayed on its meeting, two rows lower now.
    assert_eq!(app.state.home.list.selected, 3);
    // A stale answer is dropped.
    app.send(client(stored_window(2, 0, &[], 0, false)));
    assert_eq!(app.state.home.meetings.listed(), 4);
    app.send(client(stored_window(3, 0, &all, 5, true)));
    assert_eq!(app.state.home.meetings.listed(), 5);
    assert!(app.state.local.complete);
    app.send(client(ClientEvent::SyncFinished(Ok(Default::default()))));
    assert!(!app.state.local.sync.running);
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
fn enter_before_the_store_answers_opens_what_the_text_finds_at_its_rarest_word() {
    let (mut app, _) = stored(demo_meetings(), true);
    app.resize(100, 30);
    app.send(key('/'));
    let (id1, text) = store_asked(&app.type_str("roadmap")).expect("asked");
    // "roadmap" alone: the roadmap meeting (1) by its name, and the weekly sync (0).
    let name_hit = |meeting: usize| {
        let m = &demo_meetings()[meeting];
        Hit {
            meeting_id: m.id.clone(),
            name: m.name.clone(),
            date: m.date.clone(),
            people: Vec::new(),
            place: Some(Place::Name),
            excerpt: "Q4 roadmap review".into(),
            highlights: std::iter::once(3..10).collect(),
            focus: 0,
            hits: 1,
            score: 9.0,
        }
    };
    app.send(client(ClientEvent::StoredSearch {
        id: id1,
        text,
        result: Ok(answer("roadmap", vec![name_hit(0), name_hit(1)])),
    }));
    // Typed on, and Enter before the store answers: the list still shows "roadmap"'s rows.
    let (id2, text) = store_asked(&app.type_str(" budget")).expect("asked");
    let cmds = app.send(code(KeyCode::Enter));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::FetchDocuments { .. })),
        "nothing opens from an earlier text's rows: {cmds:?}"
    );
    assert_eq!(app.state.screen, Screen::Home);
    // The answer: the roadmap meeting, at turn 4, where both words are; budget is the rare one.
    let excerpt = "…Q4 roadmap: the budget is fine, but the scope has to shrink…";
    let at = |w: &str| {
        let i = excerpt.find(w).expect("in the excerpt");
        i..i + w.len()
    };
    let mut hit = transcript_hit(1, 4, 148_000, excerpt);
    hit.highlights = vec![at("roadmap"), at("budget")];
    hit.focus = 1;
    let cmds = app.send(client(ClientEvent::StoredSearch {
        id: id2,
        text,
        result: Ok(answer("roadmap budget", vec![hit])),
    }));
    let Some(Command::FetchDocuments { id: req, ids }) = cmds
        .iter()
        .find(|c| matches!(c, Command::FetchDocuments { .. }))
        .cloned()
    else {
        panic!("the answer opens the meeting: {cmds:?}");
    };
    assert_eq!(ids, [id(1)]);
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(id(1), 12)]),
    }));
    let view = app.state.meeting.as_ref().expect("the meeting is open");
    let find = view.search.as_ref().expect("find is set");
    assert_eq!(find.input.text(), "budget");
    let current = find.hits[find.current];
    assert_eq!(view.lines[current.line].turn, Some(4), "at the hit's turn");
    assert!(
        current.line >= view.scroll && current.line < view.scroll + usize::from(view.height),
        "the hit is on screen"
    );
    assert_eq!(view.marked_turn(), Some(4));
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
    app.send(client(stored_window(1, 0, &demo_meetings(), 5, false)));
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

// ---------------------------------------------------------------- one search, every front

/// The TUI's search path in process, over a real store: `update` plus the real client task
/// (its `Library` on its own connection), every store question forwarded and every answer fed
/// back, `G` pressed so the whole answer is read. The meetings in the list's order, and the
/// list's count.
struct TuiSearch {
    runtime: tokio::runtime::Runtime,
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    events: tokio::sync::mpsc::UnboundedReceiver<ClientEvent>,
    _task: tokio::task::JoinHandle<()>,
}

impl TuiSearch {
    fn over(store: &std::path::Path, dir: &std::path::Path) -> TuiSearch {
        use krisp_tui::library::task::{self, LocalStore};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let local = LocalStore::open(store.to_path_buf(), true, 1, jiff::tz::TimeZone::UTC)
            .expect("open the store");
        let settings = krisp_tui::client::Settings::new(
            "http://127.0.0.1:9/mcp".to_owned(),
            dir.to_path_buf(),
        );
        let (commands, events, task) = runtime
            .block_on(async { task::spawn(settings, None, Some(local), jiff::tz::TimeZone::UTC) });
        TuiSearch {
            runtime,
            commands,
            events,
            _task: task,
        }
    }

    /// Forwards the store questions among `cmds` to the task and feeds its answers back,
    /// until nothing is asked any more.
    fn pump(&mut self, app: &mut App, mut cmds: Vec<Command>) {
        loop {
            let asks: Vec<Command> = cmds
                .into_iter()
                .filter(|c| {
                    matches!(
                        c,
                        Command::SearchStored { .. }
                            | Command::LoadStored { .. }
                            | Command::ListIds { .. }
                    )
                })
                .collect();
            if asks.is_empty() {
                return;
            }
            cmds = Vec::new();
            for ask in asks {
                self.commands.send(ask).expect("the task listens");
                let event = self.runtime.block_on(async {
                    tokio::time::timeout(std::time::Duration::from_secs(30), self.events.recv())
                        .await
                        .expect("an answer from the client task")
                        .expect("the task is alive")
                });
                cmds.extend(app.send(client(event)));
            }
        }
    }

    fn search(&mut self, app: &mut App, text: &str) -> (usize, Vec<String>) {
        let cmds = app.send(code(KeyCode::Esc));
        self.pump(app, cmds);
        let mut cmds = app.send(key('/'));
        cmds.extend(app.type_str(text));
        // Only the last question counts (each keystroke asks anew; older answers are dropped).
        let last = cmds
            .iter()
            .rposition(|c| matches!(c, Command::SearchStored { .. }));
        let cmds: Vec<Command> = last.map(|i| vec![cmds[i].clone()]).unwrap_or_default();
        self.pump(app, cmds);
        // Tab hands the keys to the list; `G` reads the rest of the answer.
        let cmds = app.send(code(KeyCode::Tab));
        self.pump(app, cmds);
        let cmds = app.send(key('G'));
        self.pump(app, cmds);
        let search = app.state.home.search.as_ref().expect("the search is open");
        let ids = search
            .hits
            .iter()
            .map(|h| app.state.home.meetings.all[h.meeting].id.0.clone())
            .collect();
        (search.total(), ids)
    }
}

/// Queries of every kind: words, prefixes, phrases (closed and being typed), `-word`, every
/// filter, accents, words of names, rare tokens, typos, and mixes.
fn corpus(rare: &[String]) -> Vec<String> {
    let mut q: Vec<String> = [
        "roadmap",
        "pricing",
        "warranty",
        "budget",
        "deadline",
        "customer",
        "invoice",
        "onboarding",
        "roadm",
        "pric",
        "warr",
        "custo",
        "dead",
        "onboa",
        "\"renewal pipeline forecast\"",
        "\"renewal pipeline\"",
        "\"renewal pip",
        "\"pipeline forecast\" budget",
        "roadmap -pricing",
        "pricing -roadmap",
        "standup -engineering",
        "budget -warranty -deadline",
        "roadmap before:2026-01-01",
        "roadmap after:2026-06-01",
        "pricing after:2025-06-01 before:2026-03-01",
        "after:2026-09-01",
        "before:2025-03-01",
        "with:maya",
        "with:chloe",
        "with:chloé",
        "with:MÜLLER",
        "with:zoe roadmap",
        "with:maya with:priya",
        "with:\"maya okafor\"",
        "tag:planning",
        "roadmap tag:planning",
        "zoë",
        "müller",
        "josé",
        "maya",
        "standup",
        "engineering standup",
        "roadmap pricing",
        "roadmap pricing warranty",
        "budget roadmap with:maya after:2025-01-01",
        "zofatf",
        "roadmapp",
        "engneering",
        "ab",
        "x y",
        "-roadmap",
        "-roadmap with:maya",
        "\"\"",
        "(roadmap)",
        "roadmap OR pricing",
        "NEAR(roadmap pricing)",
        "roadmap*",
        "'; DROP TABLE meetings; --",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for token in rare.iter().take(8) {
        q.push(token.clone());
        q.push(token[..token.len().min(5)].to_owned());
        q.push(format!("{token} roadmap"));
    }
    q
}

/// The same text gives the same meetings in the same order through `krisp-tui search --json`
/// and through the TUI's search (update plus the client task), over the same synced store; and
/// the TUI's count for a common word is the number of meetings an export says hold it.
#[test]
fn the_cli_and_the_tui_give_the_same_meetings_for_the_same_text() {
    // 300 in the suite; `KRISP_TUI_AGREE_MEETINGS=3000` checks a bigger account.
    let meetings = std::env::var("KRISP_TUI_AGREE_MEETINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed = 5;
    let sandbox = crate::common::SandboxProcess::start(&[
        "--meetings",
        &meetings.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    let user = crate::common::User::new(&sandbox.url);
    user.run(&["login"]).ok();
    user.run(&["sync", "--json"]).ok();
    drop(sandbox);
    let rare: Vec<String> = krisp_tui::sandbox::generated::rare_tokens(meetings, seed)
        .into_iter()
        .map(|t| t.token)
        .collect();
    let queries = corpus(&rare);
    assert!(queries.len() >= 60, "{} queries", queries.len());

    let dir = tempfile::tempdir().expect("tempdir");
    let mut tui = TuiSearch::over(&user.store_file(), dir.path());
    let mut app = App::new();
    app.resize(120, 40);
    app.state.local.enabled = true;
    let cmds = app::start(&mut app.state, false, false);
    let cmds: Vec<Command> = cmds
        .into_iter()
        .filter(|c| matches!(c, Command::LoadStored { .. }))
        .collect();
    tui.pump(&mut app, cmds);
    assert_eq!(app.state.home.meetings.listed(), meetings);

    for text in &queries {
        let run = user
            .command(&[
                "--offline",
                "search",
                "--json",
                "--limit",
                "100000",
                "--",
                text,
            ])
            .env("TZ", "UTC")
            .output()
            .expect("run search");
        let stdout = String::from_utf8_lossy(&run.stdout);
        let cli: Vec<String> = stdout
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                v["meeting_id"].as_str().expect("an id").to_owned()
            })
            .collect();
        let (total, shown) = tui.search(&mut app, text);
        assert_eq!(shown, cli, "the meetings for {text:?}");
        assert_eq!(total, cli.len(), "the count for {text:?}");
    }

    // Counted without the index: the meetings whose JSON export holds the word.
    let vault = dir.path().join("vault");
    user.run(&[
        "--offline",
        "export",
        "--all",
        "--format",
        "json",
        "--dir",
        vault.to_str().expect("a UTF-8 path"),
    ])
    .ok();
    let exported: Vec<String> = std::fs::read_dir(&vault)
        .expect("the vault")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| std::fs::read_to_string(p).expect("an export"))
        .collect();
    // Words whose stem no other word of the generator's vocabulary shares (the index finds a
    // word's forms: "customer" finds "custom" too, which a plain text search would not), and
    // rare tokens.
    let words = ["roadmap", "warranty", "deadline", "budget"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            rare.iter()
                .filter(|t| t.chars().all(char::is_alphanumeric))
                .take(3)
                .cloned(),
        );
    for word in words {
        let re = regex::Regex::new(&format!("(?i)\\b{}\\b", regex::escape(&word))).unwrap();
        let holding = exported.iter().filter(|text| re.is_match(text)).count();
        let (total, shown) = tui.search(&mut app, &word);
        assert!(holding > 0, "{word:?} is somewhere");
        assert_eq!(total, holding, "meetings holding {word:?}");
        assert_eq!(
            shown.len(),
            holding,
            "every one of them reachable for {word:?}"
        );
    }
}

#[test]
fn a_typo_that_finds_nothing_offers_the_word_the_store_holds() {
    let (mut app, _) = stored(demo_meetings(), true);
    app.send(key('/'));
    let cmds = app.type_str("scoep");
    let (id, text) = store_asked(&cmds).expect("the store was asked");
    let mut nothing = answer("scoep", Vec::new());
    nothing.suggestion = Some("scope".into());
    app.send(client(ClientEvent::StoredSearch {
        id,
        text,
        result: Ok(nothing),
    }));
    let screen = app.render();
    assert!(screen.contains("Did you mean “scope”?"), "{screen}");
}

#[test]
fn from_160_columns_the_preview_shows_the_hits_turns_in_context() {
    use krisp_tui::library::ContextTurn;
    use krisp_tui::message::HitAt;
    let mut app = searched();
    app.resize(170, 20);
    // The selection rests on the hit: after the pause the store is asked for the turns around
    // it, once.
    let mut asked = app.advance(krisp_tui::app::preview::PAUSE);
    asked.extend(app.advance(krisp_tui::app::preview::PAUSE));
    let reads: Vec<&Command> = asked
        .iter()
        .filter(|c| matches!(c, Command::ReadContext { .. }))
        .collect();
    let [Command::ReadContext { at, radius }] = reads.as_slice() else {
        panic!("expected one ReadContext, got {asked:?}");
    };
    assert_eq!(
        at,
        &HitAt {
            meeting: id(1),
            turn: 4,
            text: "scope".into()
        }
    );
    assert!(*radius >= 1);
    let screen = app.render();
    assert!(
        screen.contains("Reading the transcript around the hit"),
        "{screen}"
    );
    let turn = |turn: usize, speaker: &str, text: &str, at: Option<usize>| ContextTurn {
        turn,
        speaker: speaker.into(),
        start_ms: 148_000 + turn as u64 * 4_000 - 16_000,
        text: text.into(),
        highlights: at.map(|a| a..a + "scope".len()).into_iter().collect(),
    };
    app.send(client(ClientEvent::ContextRead {
        at: at.clone(),
        turns: vec![
            turn(3, "Ann Lee", "Where are we on the budget?", None),
            turn(
                4,
                "Bob Ray",
                "The budget is fine, but the scope has to shrink to three features.",
                Some(33),
            ),
            turn(5, "Ann Lee", "Which three?", None),
        ],
    }));
    let screen = app.render();
    let line = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} is not on the screen:\n{screen}"))
            .to_owned()
    };
    // The hit's turn is marked; the turns around it are there without the mark.
    assert!(line("scope has to shrink").contains("▌ "), "{screen}");
    assert!(!line("Which three?").contains('▌'), "{screen}");
    assert!(line("02:28  Bob Ray").contains("02:28"));
    assert!(line("Where are we on the budget?").contains("Where"));
    assert!(!screen.contains("Reading the transcript"), "{screen}");
    insta::assert_snapshot!("store_search_preview_context_170x20", screen);
    // Lower, the turns before the hit give way: the hit stays in view.
    app.resize(170, 15);
    app.advance(krisp_tui::app::preview::PAUSE);
    let screen = app.render();
    assert!(screen.contains("▌ features."), "{screen}");
    assert!(!screen.contains("Where are we on the budget?"), "{screen}");
    // Narrower than 160 columns: the preview shows the notes again.
    app.resize(130, 16);
    app.advance(krisp_tui::app::preview::PAUSE);
    let screen = app.render();
    assert!(!screen.contains("scope has to shrink"), "{screen}");
}

// ---------------------------------------------------------------- a window of a big store

/// A store of `n` meetings an hour apart, newest first from 2026-11-01, written as a sync writes
/// them: "Meeting {i}", every tenth "Budget review {i}".
fn store_of(n: usize, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("store.db");
    let mut store = krisp_tui::store::Store::open(&path).expect("a store");
    let meetings: Vec<Meeting> = (0..n)
        .map(|i| {
            let at = "2026-11-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                - jiff::SignedDuration::from_hours(i as i64);
            let name = if i % 10 == 0 {
                format!("Budget review {i}")
            } else {
                format!("Meeting {i}")
            };
            crate::tui_common::meeting(10 + i, &name, at, &["Anna Lee"])
        })
        .collect();
    store
        .upsert_meetings(&meetings, jiff::Timestamp::now())
        .expect("stored");
    path
}

/// The TUI over a store of `n` meetings, through the real client task: its first window read.
/// Also the store's ids in the list's order.
fn over_store(n: usize) -> (tempfile::TempDir, TuiSearch, App, Vec<MeetingId>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = store_of(n, dir.path());
    let ids = krisp_tui::store::Store::open_read_only(&path)
        .and_then(|s| s.ids(&Default::default()))
        .expect("the store's ids");
    let mut tui = TuiSearch::over(&path, dir.path());
    let mut app = App::new();
    app.resize(100, 30);
    app.state.local.enabled = true;
    let cmds = app::start(&mut app.state, false, false);
    tui.pump(&mut app, cmds);
    (dir, tui, app, ids)
}

/// The list holds a window of the store, never more, and the row at `row` is the store's.
fn holds_a_window(app: &App, ids: &[MeetingId], row: usize) {
    let home = &app.state.home;
    assert!(
        home.meetings.all.len() <= LIST_WINDOW,
        "{} meetings held",
        home.meetings.all.len()
    );
    assert_eq!(home.meetings.listed(), ids.len());
    let at = home.meeting_at(row).expect("the selected row is held");
    assert_eq!(home.meetings.all[at].id, ids[row], "row {row}");
}

#[test]
fn over_a_store_of_thousands_the_list_holds_a_window_and_every_key_reaches_the_stores_rows() {
    let n = 3_000;
    let (_dir, mut tui, mut app, ids) = over_store(n);
    holds_a_window(&app, &ids, 0);
    assert!(
        app.render().contains("Meetings · 3000 "),
        "{}",
        app.render()
    );
    // `G`: the oldest meeting, the store's last row, on screen.
    let cmds = app.send(key('G'));
    tui.pump(&mut app, cmds);
    assert_eq!(app.state.home.list.selected, n - 1);
    holds_a_window(&app, &ids, n - 1);
    assert!(app.render().contains("Meeting 2999"), "{}", app.render());
    // Page up, and up a row, then back to the top.
    let page = usize::from(krisp_tui::app::layout::table_rows(app.state.size, false).height) - 1;
    for _ in 0..3 {
        let cmds = app.send(code(KeyCode::PageUp));
        tui.pump(&mut app, cmds);
    }
    assert_eq!(app.state.home.list.selected, n - 1 - 3 * page);
    holds_a_window(&app, &ids, n - 1 - 3 * page);
    let cmds = app.send(key('k'));
    tui.pump(&mut app, cmds);
    holds_a_window(&app, &ids, n - 2 - 3 * page);
    let cmds = app.send(key('g'));
    tui.pump(&mut app, cmds);
    assert_eq!(app.state.home.list.selected, 0);
    holds_a_window(&app, &ids, 0);
    // Row by row past several windows: every row is the store's, the window read on the way.
    for row in 1..=700 {
        let cmds = app.send(key('j'));
        tui.pump(&mut app, cmds);
        holds_a_window(&app, &ids, row);
    }
    let cmds = app.send(code(KeyCode::PageDown));
    tui.pump(&mut app, cmds);
    holds_a_window(&app, &ids, 700 + page);
}

#[test]
fn marks_outlive_the_window_and_mark_all_marks_exactly_what_is_shown() {
    let n = 2_000;
    let (_dir, mut tui, mut app, ids) = over_store(n);
    // Space marks the first meeting; `G` lets it go from the window, not from the marks.
    app.send(key(' '));
    let cmds = app.send(key('G'));
    tui.pump(&mut app, cmds);
    assert_eq!(app.state.home.meetings.get(&ids[0]), None, "no longer held");
    assert_eq!(app.state.home.marked.iter().collect::<Vec<_>>(), [&ids[0]]);
    let cmds = app.send(key('g'));
    tui.pump(&mut app, cmds);
    let screen = app.render();
    let first = screen.lines().find(|l| l.contains("Budget review 0"));
    assert!(first.is_some_and(|l| l.contains('✓')), "{screen}");
    // Every meeting of the list, in one question to the store; again unmarks them all.
    let cmds = app.send(key('*'));
    let asked: Vec<&Command> = cmds
        .iter()
        .filter(|c| matches!(c, Command::ListIds { text: None, .. }))
        .collect();
    assert_eq!(asked.len(), 1, "{cmds:?}");
    tui.pump(&mut app, cmds);
    assert_eq!(app.state.home.marked.len(), n);
    assert!(app.state.home.meetings.all.len() <= LIST_WINDOW);
    let cmds = app.send(key('*'));
    tui.pump(&mut app, cmds);
    assert!(app.state.home.marked.is_empty());
    // Over a search: exactly the meetings it finds, most of them never read into the list.
    app.send(key('/'));
    // Each keystroke asks anew and the task drops the question before: the last one counts.
    let asked = app.type_str("budget");
    let last = asked
        .iter()
        .rfind(|c| matches!(c, Command::SearchStored { .. }))
        .cloned();
    tui.pump(&mut app, last.into_iter().collect());
    let cmds = app.send(code(KeyCode::Tab));
    tui.pump(&mut app, cmds);
    let cmds = app.send(key('*'));
    tui.pump(&mut app, cmds);
    let budget: std::collections::BTreeSet<MeetingId> =
        (0..n).step_by(10).map(|i| id(10 + i)).collect();
    let search = app.state.home.search.as_ref().expect("searching");
    assert_eq!(search.total(), n / 10);
    assert!(
        search.hits.len() < n / 10,
        "the search read a window of its answer"
    );
    assert_eq!(app.state.home.marked, budget);
    // The window, and the part of the search's answer read.
    let held = app.state.home.meetings.all.len();
    assert!(held <= LIST_WINDOW + search.hits.len(), "{held} held");
    // Closing the search lets go of what only it showed.
    let cmds = app.send(code(KeyCode::Esc));
    tui.pump(&mut app, cmds);
    holds_a_window(&app, &ids, 0);
    assert_eq!(app.state.home.marked, budget);
}

#[test]
fn an_empty_store_leaves_the_servers_pages_in_the_list() {
    let mut app = App::new();
    app.state.local.enabled = true;
    app::start(&mut app.state, false, false);
    app.send(client(stored_window(1, 0, &[], 0, false)));
    // sync = "manual": nothing stored and no sync coming, so the server is paged.
    let cmds = app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: None,
    }));
    let Some(Command::SearchMeetings { id, query }) = cmds
        .iter()
        .find(|c| matches!(c, Command::SearchMeetings { .. }))
        .cloned()
    else {
        panic!("the server is paged: {cmds:?}");
    };
    app.send(client(ClientEvent::MeetingsLoaded {
        id,
        query,
        result: Ok(demo_meetings()),
    }));
    assert_eq!(app.state.home.meetings.listed(), 5);
    // A sync that stored nothing (it failed): the store is read again, and is still empty.
    let cmds = app.send(client(ClientEvent::StoreChanged));
    let Some(Command::LoadStored { id, .. }) = cmds.first().cloned() else {
        panic!("the store is read again: {cmds:?}");
    };
    app.send(client(stored_window(id.0, 0, &[], 0, false)));
    assert_eq!(app.state.home.meetings.listed(), 5);
    assert!(app.render().contains("Meetings · 5"), "{}", app.render());
}
