//! `update` sequences: keys and client events in, whole `State` parts and `Command`s out.

use std::path::PathBuf;
use std::time::Duration;

use crate::tui_common::{App, client, code, demo_meetings, document, id, key, meeting};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use krisp_tui::app::{self, LoginState, Overlay, Screen};
use krisp_tui::message::{ClientEvent, Command, Format, Msg, RequestError, RequestId, SearchQuery};

fn page(offset: u32) -> SearchQuery {
    SearchQuery {
        limit: 50,
        offset,
        ..SearchQuery::default()
    }
}

fn many(n: usize, from: usize) -> Vec<krisp_tui::krisp::Meeting> {
    (from..from + n)
        .map(|i| {
            let at = "2026-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
                - jiff::SignedDuration::from_hours(i as i64);
            meeting(1000 + i, &format!("Meeting {i}"), at, &["Anna Lee"])
        })
        .collect()
}

#[test]
fn start_with_a_connection_loads_the_first_page() {
    let mut app = App::new();
    let cmds = app::start(&mut app.state, true, false);
    assert_eq!(
        cmds,
        [Command::SearchMeetings {
            id: RequestId(1),
            query: page(0)
        }]
    );
    assert_eq!(app.state.screen, Screen::Home);
}

#[test]
fn scrolling_near_the_end_loads_the_next_page_once() {
    let mut app = App::loaded(many(50, 0));
    assert_eq!(app.state.home.meetings.paging.next_offset, 50);
    let mut cmds = Vec::new();
    for _ in 0..45 {
        cmds.extend(app.send(key('j')));
    }
    assert_eq!(
        cmds,
        [Command::SearchMeetings {
            id: RequestId(2),
            query: page(50)
        }]
    );
    // The second page is shorter than 50: the end.
    app.send(client(ClientEvent::MeetingsLoaded {
        id: RequestId(2),
        query: page(50),
        result: Ok(many(20, 50)),
    }));
    let paging = &app.state.home.meetings.paging;
    assert_eq!(
        (
            paging.next_offset,
            paging.exhausted,
            app.state
                .requests
                .id_of(|p| *p == krisp_tui::app::requests::Pending::MeetingsPage)
        ),
        (70, true, None)
    );
    assert_eq!(app.state.home.meetings.len(), 70);
    assert_eq!(app.send(code(KeyCode::End)), []);
    assert_eq!(app.state.home.list.selected, 69);
}

#[test]
fn stale_replies_are_dropped() {
    let mut app = App::loaded(demo_meetings());
    let before = app.state.home.meetings.clone();
    app.send(client(ClientEvent::MeetingsLoaded {
        id: RequestId(77),
        query: page(0),
        result: Ok(many(3, 0)),
    }));
    app.send(client(ClientEvent::DocumentsLoaded {
        id: RequestId(78),
        result: Ok(vec![document(id(1), 3)]),
    }));
    assert_eq!(app.state.home.meetings, before);
    assert!(app.state.documents.is_empty());
    assert_eq!(app.state.screen, Screen::Home);
}

#[test]
fn search_filters_locally_at_once_and_asks_the_server_after_a_pause() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('/'));
    assert_eq!(app.type_str("ro"), []);
    // Two characters: local only, even after the pause.
    assert_eq!(app.advance(Duration::from_secs(1)), []);
    assert_eq!(app.type_str("a"), []);
    let search = app.state.home.search.as_ref().expect("search open");
    let names: Vec<&str> = search
        .hits
        .iter()
        .map(|h| app.state.home.meetings.all[h.meeting].name.as_str())
        .collect();
    // Fuzzy: the best match first, looser ones after it.
    assert_eq!(names.first(), Some(&"Q4 roadmap review"));
    assert!(!names.contains(&"Weekly sync"));
    assert_eq!(app.advance(Duration::from_millis(100)), []);
    let query = SearchQuery {
        search: Some("roa".into()),
        ..page(0)
    };
    assert_eq!(
        app.advance(Duration::from_millis(250)),
        [Command::SearchMeetings {
            id: RequestId(2),
            query
        }]
    );
}

#[test]
fn a_newer_search_cancels_the_older_and_its_late_answer_is_dropped() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('/'));
    app.type_str("road");
    app.advance(Duration::from_millis(300));
    let (old, old_query) = app.last_search().expect("first search");
    assert_eq!(app.type_str("m"), [Command::Cancel(old)]);
    let cmds = app.advance(Duration::from_millis(300));
    let new_query = SearchQuery {
        search: Some("roadm".into()),
        ..page(0)
    };
    let new = RequestId(old.0 + 1);
    assert_eq!(
        cmds,
        [Command::SearchMeetings {
            id: new,
            query: new_query.clone()
        }]
    );
    // The old answer arrives late: nothing changes.
    let before = app.state.home.clone();
    app.send(client(ClientEvent::MeetingsLoaded {
        id: old,
        query: old_query,
        result: Ok(many(2, 0)),
    }));
    assert_eq!(app.state.home.meetings, before.meetings);
    assert_eq!(app.state.home.search, before.search);
    // The new one is merged, deduplicated and marked.
    let offsite = meeting(
        9,
        "Offsite",
        "2026-01-02T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &[],
    );
    app.send(client(ClientEvent::MeetingsLoaded {
        id: new,
        query: new_query,
        result: Ok(vec![demo_meetings()[1].clone(), offsite]),
    }));
    let search = app.state.home.search.as_ref().expect("search open");
    let hits: Vec<(&str, bool)> = search
        .hits
        .iter()
        .map(|h| {
            (
                app.state.home.meetings.all[h.meeting].name.as_str(),
                h.server,
            )
        })
        .collect();
    assert_eq!(hits, [("Q4 roadmap review", true), ("Offsite", true)]);
    assert_eq!(app.state.home.meetings.len(), 6);
    assert_eq!(app.state.requests.server_search(), None);
}

#[test]
fn search_filters_narrow_and_enter_opens_the_hit() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('/'));
    app.type_str("with:bob after:2026-01-16");
    let search = app.state.home.search.as_ref().expect("search open");
    let names: Vec<&str> = search
        .hits
        .iter()
        .map(|h| app.state.home.meetings.all[h.meeting].name.as_str())
        .collect();
    assert_eq!(names, ["Customer call: Acme"]);
    let cmds = app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, Screen::Meeting);
    assert!(matches!(cmds.as_slice(), [Command::FetchDocuments { ids, .. }] if ids == &[id(5)]));
    // Esc goes back to the list, a second Esc clears the search.
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, Screen::Home);
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.home.search, None);
}

#[test]
fn login_flow_with_a_pasted_redirect() {
    let mut app = App::new();
    assert_eq!(app::start(&mut app.state, false, false), [Command::Connect]);
    app.send(client(ClientEvent::LoginRequired { note: None }));
    assert_eq!(app.state.login.state, LoginState::Idle);
    assert_eq!(app.send(code(KeyCode::Enter)), [Command::StartLogin]);
    app.send(client(ClientEvent::LoginUrlReady {
        url: "https://as/authorize?x=1\x1b[2J".into(),
    }));
    assert_eq!(
        app.send(key('c')),
        [Command::Copy("https://as/authorize?x=1␛[2J".into())]
    );
    app.send(key('p'));
    app.type_str("http://127.0.0.1:1/callback?code=abc");
    assert_eq!(
        app.send(code(KeyCode::Enter)),
        [Command::PasteRedirect(
            "http://127.0.0.1:1/callback?code=abc".into()
        )]
    );
    let cmds = app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: None,
    }));
    assert_eq!(app.state.screen, Screen::Home);
    assert_eq!(
        cmds,
        [Command::SearchMeetings {
            id: RequestId(1),
            query: page(0)
        }]
    );
}

#[test]
fn an_unreachable_server_is_said_once_even_after_a_retry() {
    let mut app = App::new();
    app.resize(100, 30);
    app::start(&mut app.state, false, false);
    let unreachable = "cannot reach https://mcp.krisp.ai/mcp: connection refused. Check the address and your network.";
    app.send(client(ClientEvent::LoginRequired {
        note: Some(unreachable.into()),
    }));
    assert_eq!(app.render().matches("cannot reach").count(), 1);
    assert_eq!(app.send(code(KeyCode::Enter)), [Command::StartLogin]);
    app.send(client(ClientEvent::LoginFailed {
        message: unreachable.into(),
    }));
    let screen = app.render();
    assert_eq!(screen.matches("cannot reach").count(), 1, "{screen}");
}

#[test]
fn copy_and_paste_are_offered_only_once_there_is_a_url() {
    let mut app = App::new();
    app.resize(100, 30);
    app::start(&mut app.state, false, false);
    app.send(client(ClientEvent::LoginRequired { note: None }));
    let offered = |app: &App| {
        let screen = app.render();
        (screen.contains("copy"), screen.contains("paste"), screen)
    };
    // Before a login starts there is nothing to copy or paste; Esc quits.
    let (copy, paste, screen) = offered(&app);
    assert!(!copy && !paste, "{screen}");
    assert!(screen.contains("Esc quit"), "{screen}");
    app.send(code(KeyCode::Enter));
    // Finding the login page: no URL yet, so `c` and `p` (and a paste) do nothing.
    let (copy, paste, screen) = offered(&app);
    assert!(!copy && !paste, "{screen}");
    assert_eq!(app.send(key('c')), []);
    app.send(key('p'));
    app.send(Msg::Paste(
        "http://127.0.0.1:1/callback?code=x&state=y".into(),
    ));
    assert_eq!(
        app.state.login.state,
        LoginState::Waiting {
            url: None,
            paste: None
        }
    );
    app.send(client(ClientEvent::LoginUrlReady {
        url: "https://as/authorize?state=y".into(),
    }));
    let (copy, paste, screen) = offered(&app);
    assert!(copy && paste, "{screen}");
    assert_eq!(
        app.send(key('c')),
        [Command::Copy("https://as/authorize?state=y".into())]
    );
}

#[test]
fn connecting_names_the_stored_login_only_when_there_is_one() {
    let mut app = App::new();
    app.resize(100, 30);
    assert_eq!(app::start(&mut app.state, false, false), [Command::Connect]);
    let screen = app.render();
    assert!(screen.contains("Connecting to the server…"), "{screen}");
    assert!(!screen.contains("stored login"), "{screen}");
    app.send(client(ClientEvent::Connecting {
        stored_login: false,
    }));
    assert!(!app.render().contains("stored login"));
    app.send(client(ClientEvent::Connecting { stored_login: true }));
    let screen = app.render();
    assert!(
        screen.contains("Connecting with the stored login…"),
        "{screen}"
    );
}

#[test]
fn a_pasted_text_that_is_not_the_redirect_is_refused_on_screen() {
    let mut app = App::new();
    app.resize(100, 30);
    app::start(&mut app.state, false, true);
    app.send(client(ClientEvent::LoginUrlReady {
        url: "https://as/authorize?state=y".into(),
    }));
    app.send(key('p'));
    app.type_str("not a url");
    assert_eq!(
        app.send(code(KeyCode::Enter)),
        [Command::PasteRedirect("not a url".into())]
    );
    let refused = "That is not a URL. Paste the whole address your browser was sent to; it starts with http://127.0.0.1.";
    app.send(client(ClientEvent::PasteRefused {
        message: refused.into(),
    }));
    let screen = app.render();
    assert!(screen.contains("That is not a URL."), "{screen}");
    assert!(matches!(app.state.login.state, LoginState::Waiting { .. }));
    // The next paste clears it.
    app.send(key('p'));
    app.type_str("http://127.0.0.1:1/callback?code=x&state=y");
    app.send(code(KeyCode::Enter));
    assert!(!app.render().contains("That is not a URL."));
}

#[test]
fn config_problems_show_a_line_each_and_outlast_a_successful_request() {
    let mut app = App::new();
    app.resize(100, 30);
    let cmds = app::start(&mut app.state, true, false);
    let problems = [
        "config.toml line 1: sync: unknown variant `sometimes`, expected `auto` or `manual`"
            .to_owned(),
        "config.toml line 3: keys.home.x: unknown variant `Explode`".to_owned(),
    ];
    app::show_problems(&mut app.state, &problems);
    let Some(Command::SearchMeetings { id, query }) = cmds.first().cloned() else {
        panic!("{cmds:?}");
    };
    app.send(client(ClientEvent::MeetingsLoaded {
        id,
        query,
        result: Ok(demo_meetings()),
    }));
    let screen = app.render();
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("config.toml line"))
        .collect();
    assert_eq!(rows.len(), 2, "{screen}");
    assert!(rows[0].contains("line 1: sync"), "{screen}");
    assert!(rows[1].contains("line 3: keys.home.x"), "{screen}");
    assert!(!screen.contains('␤'), "{screen}");
    let kept: Vec<&str> = app.state.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(kept, problems);
}

#[test]
fn cancel_and_failure_then_retry() {
    let mut app = App::new();
    app::start(&mut app.state, false, true);
    assert_eq!(app.send(code(KeyCode::Esc)), [Command::CancelLogin]);
    assert_eq!(app.state.login.state, LoginState::Idle);
    app.send(code(KeyCode::Enter));
    app.send(client(ClientEvent::LoginFailed {
        message: "You declined access in the browser.".into(),
    }));
    assert_eq!(
        app.state.login.state,
        LoginState::Failed {
            message: "You declined access in the browser.".into()
        }
    );
    assert_eq!(app.send(key('r')), [Command::StartLogin]);
}

#[test]
fn an_expired_session_returns_to_login_and_back() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Err(RequestError::auth("Your login expired.")),
    }));
    assert_eq!(app.state.screen, Screen::Login);
    assert_eq!(app.state.login.return_to, Some(Screen::Meeting));
    assert!(app.state.login.note.is_some());
    app.send(code(KeyCode::Enter));
    let cmds = app.send(client(ClientEvent::LoggedIn {
        server: "s".into(),
        account: None,
    }));
    assert_eq!(app.state.screen, Screen::Meeting);
    assert!(matches!(cmds.as_slice(), [Command::FetchDocuments { ids, .. }] if ids == &[id(1)]));
}

#[test]
fn meeting_view_jumps_to_a_time_and_copies_the_turn() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(id(1), 200)]),
    }));
    app.send(key('t'));
    app.type_str("1:00:00");
    app.send(code(KeyCode::Enter));
    // 3600 s / 37 s a turn: turn 97 starts at 59:49.
    let view = app.state.meeting.as_ref().expect("open");
    assert_eq!(view.current_turn(), Some(97));
    assert_eq!(
        app.send(key('y')),
        [Command::Copy(
            "Bob Ray (59:49): The budget is fine, but the scope has to shrink to three features or we slip again.".into()
        )]
    );
    assert_eq!(
        app.send(key('o')),
        [Command::OpenUrl(format!(
            "https://app.krisp.ai/t/{}",
            id(1).0
        ))]
    );
    app.send(key('G'));
    let view = app.state.meeting.as_ref().expect("open");
    assert_eq!(view.scroll, view.max_scroll());
}

#[test]
fn transcript_search_steps_through_hits() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(id(1), 30)]),
    }));
    app.send(key('/'));
    app.type_str("FRIDAY");
    app.send(code(KeyCode::Enter));
    let hits = app
        .state
        .meeting
        .as_ref()
        .and_then(|v| v.search.as_ref())
        .map(|s| s.hits.len());
    assert_eq!(hits, Some(10));
    app.send(key('N'));
    let s = app
        .state
        .meeting
        .as_ref()
        .and_then(|v| v.search.clone())
        .expect("search");
    assert_eq!(s.current, 9);
    assert!(!s.editing);
}

#[test]
fn export_asks_before_overwriting() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('j'));
    app.send(key('j'));
    app.send(code(KeyCode::Enter));
    app.send(key('e'));
    app.send(code(KeyCode::Right)); // txt
    app.send(code(KeyCode::Left)); // md
    app.send(code(KeyCode::Right)); // txt
    let cmds = app.send(code(KeyCode::Enter));
    let [
        Command::Export {
            id: req,
            format,
            path,
            force,
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (*format, path.clone(), *force),
        (
            Format::Txt,
            PathBuf::from("2026-01-15-q4-roadmap-review.txt"),
            false
        )
    );
    app.send(client(ClientEvent::ExportExists {
        id: *req,
        path: path.clone(),
    }));
    let cmds = app.send(key('y'));
    let [
        Command::Export {
            id: req2,
            force: true,
            ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::Exported {
        id: *req2,
        result: Ok(path.clone()),
    }));
    assert_eq!(app.state.overlay, None);
    assert_eq!(
        app.state.status.message.as_deref(),
        Some("Exported to 2026-01-15-q4-roadmap-review.txt")
    );
}

#[test]
fn a_write_that_finishes_while_help_is_open_over_the_export_dialog_reaches_the_dialog() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('e'));
    let cmds = app.send(code(KeyCode::Enter));
    let [Command::Export { id: req, path, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert!(app.render().contains("Writing…"));
    // Help opened while it writes: the dialog waits behind it.
    app.send(code(KeyCode::F(1)));
    let Some(Overlay::Help {
        behind: Some(dialog),
        ..
    }) = &app.state.overlay
    else {
        panic!("{:?}", app.state.overlay)
    };
    assert!(matches!(**dialog, Overlay::Export(_)), "{dialog:?}");
    app.send(client(ClientEvent::Exported {
        id: *req,
        result: Ok(path.clone()),
    }));
    // The answer reached the dialog: it closed and said where the file went; the help being
    // read stays open, over the list now.
    let note = format!("Exported to {}", path.display());
    assert_eq!(app.state.status.message.as_deref(), Some(note.as_str()));
    assert_eq!(
        app.state.overlay,
        Some(Overlay::Help {
            scroll: 0,
            behind: None
        })
    );
    app.send(code(KeyCode::F(1)));
    assert_eq!(app.state.overlay, None);
    let screen = app.render();
    assert!(!screen.contains("Writing…"), "{screen}");
}

#[test]
fn export_path_is_editable() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('e'));
    app.send(code(KeyCode::Tab));
    app.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    for _ in 0..40 {
        app.send(code(KeyCode::Backspace));
    }
    app.type_str("/tmp/x.md");
    let Some(Overlay::Export(d)) = &app.state.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.path_text(), "/tmp/x.md");
    // Typing 'q' in the path did not quit.
    assert!(!app.state.should_quit);
}

#[test]
fn feeds_load_on_first_visit_and_reload_on_toggles() {
    let mut app = App::loaded(demo_meetings());
    assert_eq!(
        app.send(key('2')),
        [Command::ListActionItems {
            id: RequestId(2),
            completed: Some(false),
            assigned_to_me: false,
            offset: 0
        }]
    );
    assert_eq!(
        app.send(key('m')),
        [
            Command::Cancel(RequestId(2)),
            Command::ListActionItems {
                id: RequestId(3),
                completed: Some(false),
                assigned_to_me: true,
                offset: 0
            }
        ]
    );
    assert_eq!(
        app.send(key('3')),
        [Command::ListUpcoming {
            id: RequestId(4),
            days: 7
        }]
    );
    app.send(key('+'));
    assert_eq!(app.state.home.days, 8);
    assert_eq!(
        app.send(key('4')),
        [Command::ListActivities {
            id: RequestId(6),
            cursor: None
        }]
    );
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('/'));
    let cmds = app.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(cmds, [Command::Quit]);
    assert!(app.state.should_quit);
}

#[test]
fn tools_list_once_run_and_drop_stale_results() {
    let mut app = App::loaded(demo_meetings());
    assert_eq!(
        app.send(key(':')),
        [Command::ListTools { id: RequestId(2) }]
    );
    assert_eq!(app.state.screen, Screen::Tools);
    let tool: rmcp::model::Tool = serde_json::from_value(serde_json::json!({
        "name": "date_time",
        "description": "Get the date.",
        "inputSchema": {"type": "object", "properties": {}}
    }))
    .expect("a tool");
    app.send(client(ClientEvent::ToolsListed {
        id: RequestId(2),
        result: Ok(vec![tool]),
    }));
    let cmds = app.send(code(KeyCode::F(5)));
    assert_eq!(
        cmds,
        [Command::CallTool {
            id: RequestId(3),
            name: "date_time".into(),
            args: serde_json::Map::new()
        }]
    );
    // Running again cancels the first call; its late answer is dropped.
    assert_eq!(
        app.send(code(KeyCode::F(5))),
        [
            Command::Cancel(RequestId(3)),
            Command::CallTool {
                id: RequestId(4),
                name: "date_time".into(),
                args: serde_json::Map::new()
            }
        ]
    );
    app.send(client(ClientEvent::ToolCalled {
        id: RequestId(3),
        name: "date_time".into(),
        result: Err(RequestError::new("late")),
    }));
    assert_eq!(
        app.state
            .requests
            .id_of(|p| *p == krisp_tui::app::requests::Pending::ToolCall),
        Some(RequestId(4))
    );
    app.send(client(ClientEvent::ToolCalled {
        id: RequestId(4),
        name: "date_time".into(),
        result: Ok(rmcp::model::CallToolResult::success(vec![
            rmcp::model::ContentBlock::text("2026-01-15"),
        ])),
    }));
    assert_eq!(
        app.state
            .requests
            .id_of(|p| *p == krisp_tui::app::requests::Pending::ToolCall),
        None
    );
    assert!(
        app.state
            .tools
            .panel
            .as_ref()
            .is_some_and(|h| h.result().is_some())
    );
    // Esc walks out of the panel; coming back does not list the tools again.
    for _ in 0..4 {
        if app.state.screen == Screen::Tools {
            app.send(code(KeyCode::Esc));
        }
    }
    assert_eq!(app.state.screen, Screen::Home);
    assert_eq!(app.send(key(':')), []);
}

#[test]
fn mouse_wheel_scrolls_and_a_click_selects() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut app = App::loaded(many(40, 0));
    app.resize(100, 30);
    app.send(mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(app.state.home.list.selected, 3);
    // Row 0 is the tabs, 1 the border, 2 the table header: row 5 is the third meeting.
    app.send(mouse(MouseEventKind::Down(MouseButton::Left), 20, 5));
    assert_eq!(app.state.home.list.selected, 2);
    // A click on the second tab switches to it (and loads it).
    let cmds = app.send(mouse(MouseEventKind::Down(MouseButton::Left), 16, 0));
    assert_eq!(app.state.home.tab, app::Tab::ActionItems);
    assert!(matches!(cmds.as_slice(), [Command::ListActionItems { .. }]));
}

#[test]
fn resizing_reflows_the_transcript_and_keeps_the_reader_at_the_same_turn() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(id(1), 100)]),
    }));
    app.send(key('t'));
    app.type_str("30:00");
    app.send(code(KeyCode::Enter));
    let before = app.state.meeting.as_ref().and_then(|v| v.current_turn());
    let wide = app.state.meeting.as_ref().map(|v| v.lines.len());
    app.resize(40, 12);
    let view = app.state.meeting.as_ref().expect("open");
    assert_eq!(view.current_turn(), before);
    assert!(Some(view.lines.len()) > wide, "narrower means more lines");
    assert_eq!(view.width, 37);
}

#[test]
fn notes_join_the_search_at_three_letters_even_while_refining() {
    let mut offsite = meeting(
        9,
        "Offsite",
        "2026-01-02T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &["Zed"],
    );
    offsite.summary = Some("We hit a roadblock with the venue.".into());
    let mut app = App::loaded(vec![offsite, demo_meetings()[3].clone()]);
    app.send(key('/'));
    app.type_str("ro");
    let names = |app: &App| -> Vec<String> {
        let s = app.state.home.search.as_ref().expect("search open");
        s.hits
            .iter()
            .map(|h| app.state.home.meetings.all[h.meeting].name.clone())
            .collect()
    };
    assert_eq!(names(&app), Vec::<String>::new());
    app.type_str("a");
    assert_eq!(names(&app), ["Offsite"]);
}
