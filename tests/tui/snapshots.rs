//! insta snapshots of every screen state at 100×30 and 40×12, and no panic at any size.

use std::time::Duration;

use crate::tui_common::{App, client, code, demo_meetings, document, id, key, render};
use crossterm::event::KeyCode;
use krisp_tui::app;
use krisp_tui::message::{ClientEvent, Command, Msg, RequestError};

fn login_idle() -> App {
    let mut app = App::new();
    app::start(&mut app.state, false, false);
    app.send(client(ClientEvent::LoginRequired { note: None }));
    app
}

fn login_waiting() -> App {
    let mut app = login_idle();
    app.send(code(KeyCode::Enter));
    app.send(client(ClientEvent::LoginUrlReady {
        url: "https://api.krisp.ai/platform/v1/oauth2/authorize?response_type=code&client_id=4f1c2a&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=xyz".into(),
    }));
    app
}

/// Enter pressed, discovery and registration still under way: no URL yet.
fn login_finding_url() -> App {
    let mut app = login_idle();
    app.send(code(KeyCode::Enter));
    app
}

/// A pasted text that is not the redirect, said on screen while the login keeps waiting.
fn login_paste_refused() -> App {
    let mut app = login_waiting();
    app.send(client(ClientEvent::PasteRefused {
        message: "That redirect belongs to another login (its state does not match). Paste the address from the browser tab this login opened.".into(),
    }));
    app
}

fn login_failed() -> App {
    let mut app = login_waiting();
    app.send(client(ClientEvent::LoginFailed {
        message: "You declined access in the browser.".into(),
    }));
    app
}

fn meetings_loading() -> App {
    let mut app = App::new();
    app::start(&mut app.state, true, false);
    app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: Some("anna@example.com".into()),
    }));
    app
}

fn meetings_loaded() -> App {
    App::loaded(demo_meetings())
}

fn meetings_empty() -> App {
    App::loaded(Vec::new())
}

/// "road" matches locally; the server adds a meeting whose transcript mentions it.
fn search_hits() -> App {
    let mut app = meetings_loaded();
    app.send(key('/'));
    app.type_str("road");
    app.advance(Duration::from_millis(400));
    let (id, query) = app.last_search().expect("server asked");
    let mut extra = crate::tui_common::meeting(
        9,
        "Planning offsite",
        "2026-01-05T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &["Frank Ode"],
    );
    extra.summary = Some("We discussed the road ahead.".into());
    app.send(client(ClientEvent::MeetingsLoaded {
        id,
        query,
        result: Ok(vec![demo_meetings()[1].clone(), extra]),
    }));
    app
}

fn meeting_open(turns: usize) -> App {
    let mut app = meetings_loaded();
    // Newest first: Hiring (20th), Acme (18th), Q4 roadmap (15th).
    app.send(key('j'));
    app.send(key('j'));
    app.open(document(id(1), turns));
    app
}

fn transcript_hits() -> App {
    let mut app = meeting_open(12);
    app.send(key('/'));
    app.type_str("plan");
    app.send(code(KeyCode::Enter));
    app.send(key('n'));
    app
}

fn export_dialog() -> App {
    let mut app = meeting_open(6);
    app.send(key('e'));
    app
}

fn help() -> App {
    let mut app = meetings_loaded();
    app.send(key('?'));
    app
}

fn error_toast() -> App {
    let mut app = meetings_loaded();
    let cmds = app.send(key('2'));
    let Some(Command::ListActionItems { id, .. }) = cmds.first().cloned() else {
        panic!("expected list_action_items, got {cmds:?}");
    };
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Err(RequestError::new(
            "The Krisp server did not answer in time. Check your connection.",
        )),
    }));
    app
}

fn krisp_tools() -> Vec<rmcp::model::Tool> {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/tools/tools-list-2026-02-21.json"))
            .expect("fixture is JSON");
    raw["tools"]
        .as_array()
        .expect("fixture has tools")
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let name = t["name"].as_str().unwrap_or_default();
            t["name"] = name.trim_start_matches("mcp__krisp__").into();
            serde_json::from_value(t).expect("a tool")
        })
        .collect()
}

fn tool_result(name: &str) -> rmcp::model::CallToolResult {
    let path = format!(
        "{}/tests/fixtures/tools/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture exists");
    serde_json::from_str(&text).expect("a CallToolResult")
}

/// The Tools screen with its list loaded.
fn tools() -> App {
    let mut app = meetings_loaded();
    let cmds = app.send(key(':'));
    let Some(Command::ListTools { id }) = cmds.first().cloned() else {
        panic!("expected tools/list, got {cmds:?}");
    };
    app.send(client(ClientEvent::ToolsListed {
        id,
        result: Ok(krisp_tools()),
    }));
    app
}

/// Opens `tool`'s form from the top of the list.
fn open_tool(app: &mut App, tool: &str) {
    app.send(code(KeyCode::Home));
    for _ in 0..20 {
        let selected = app
            .state
            .tools
            .panel
            .as_ref()
            .and_then(|h| h.selected())
            .map(|t| t.name.to_string());
        if selected.as_deref() == Some(tool) {
            break;
        }
        app.send(code(KeyCode::Down));
    }
    app.send(code(KeyCode::Enter));
}

fn tool_form_error() -> App {
    let mut app = tools();
    open_tool(&mut app, "search_meetings");
    app.type_str("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e");
    for _ in 0..32 {
        let field = app
            .state
            .tools
            .panel
            .as_ref()
            .and_then(|h| h.form()?.focused().map(|f| f.name().to_owned()));
        if field.as_deref() == Some("limit") {
            break;
        }
        app.send(code(KeyCode::Tab));
    }
    for _ in 0..8 {
        app.send(code(KeyCode::Backspace));
    }
    app.type_str("80");
    app.send(code(KeyCode::F(5)));
    app
}

fn tool_result_state(tool: &str, fixture: &str) -> App {
    let mut app = tools();
    open_tool(&mut app, tool);
    let cmds = app.send(code(KeyCode::F(5)));
    let Some(Command::CallTool { id, name, .. }) = cmds.first().cloned() else {
        panic!("expected a tool call, got {cmds:?}");
    };
    app.send(client(ClientEvent::ToolCalled {
        id,
        name,
        result: Ok(tool_result(fixture)),
    }));
    app.send(code(KeyCode::F(6)));
    app
}

fn states() -> Vec<(&'static str, App)> {
    vec![
        ("login_idle", login_idle()),
        ("login_finding_url", login_finding_url()),
        ("login_waiting", login_waiting()),
        ("login_paste_refused", login_paste_refused()),
        ("login_failed", login_failed()),
        ("meetings_loading", meetings_loading()),
        ("meetings_loaded", meetings_loaded()),
        ("meetings_empty", meetings_empty()),
        ("search_local_and_server", search_hits()),
        ("meeting_notes", meeting_open(6)),
        ("transcript_hits", transcript_hits()),
        ("export_dialog", export_dialog()),
        ("help", help()),
        ("error_toast", error_toast()),
        ("tool_form_error", tool_form_error()),
        (
            "tool_result_markdown",
            tool_result_state("date_time", "date_time"),
        ),
        (
            "tool_result_json_tree",
            tool_result_state("date_time", "date_range"),
        ),
        (
            "tool_result_table",
            tool_result_focused("list_action_items", "list_action_items"),
        ),
        ("meeting_from_a_tool_result", meeting_from_a_tool_result()),
    ]
}

/// A result with the result pane focused (F5 focused it, `tool_result_state`'s F6 left it).
fn tool_result_focused(tool: &str, fixture: &str) -> App {
    let mut app = tool_result_state(tool, fixture);
    app.send(code(KeyCode::F(6)));
    app
}

/// `Enter` on the second activity of a `list_activities` result.
fn meeting_from_a_tool_result() -> App {
    let mut app = tool_result_focused("list_activities", "list_activities");
    app.send(code(KeyCode::Down));
    app.send(code(KeyCode::Enter));
    app
}

#[test]
fn enter_on_a_tool_result_opens_the_meeting_and_esc_comes_back_to_it() {
    use krisp_tui::app::Screen;
    use krisp_tui::app::tools::Focus;
    let mut app = tool_result_focused("list_activities", "list_activities");
    app.send(code(KeyCode::Down));
    let cmds = app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, Screen::Meeting);
    let wanted = krisp_tui::krisp::MeetingId("ed9b1e6466135175b5f6808c52b23a02".into());
    assert!(
        matches!(cmds.as_slice(), [Command::FetchDocuments { ids, .. }] if ids.as_slice() == std::slice::from_ref(&wanted)),
        "{cmds:?}"
    );
    assert_eq!(
        app.state.meeting.as_ref().map(|m| m.meeting.id.clone()),
        Some(wanted)
    );

    // Esc: back on the result, the same row selected, the result pane focused.
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, Screen::Tools);
    let panel = app.state.tools.panel.as_ref().expect("the panel");
    assert_eq!(panel.focus(), Focus::Result);
    assert_eq!(
        panel.result().and_then(|r| r.table()).map(|t| t.selected()),
        Some(1)
    );

    // A meeting opened from the list afterwards goes back to the list.
    for _ in 0..3 {
        app.send(code(KeyCode::Esc));
    }
    assert_eq!(app.state.screen, Screen::Home);
    app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, Screen::Meeting);
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, Screen::Home);
}

#[test]
fn snapshots_100x30() {
    for (name, mut app) in states() {
        app.resize(100, 30);
        insta::assert_snapshot!(format!("{name}_100x30"), app.render());
    }
}

#[test]
fn snapshots_40x12() {
    for (name, mut app) in states() {
        app.resize(40, 12);
        insta::assert_snapshot!(format!("{name}_40x12"), app.render());
    }
}

#[test]
fn every_screen_at_every_small_size_draws_without_panicking() {
    // The same state resized again and again, as a user dragging the window would.
    for w in 1..=30 {
        for (name, mut app) in states() {
            for h in 1..=10 {
                app.send(Msg::Resize(w, h));
                let text = render(&app.state, w, h);
                assert_eq!(text.lines().count(), usize::from(h), "{name} at {w}x{h}");
            }
        }
    }
}

#[test]
fn monochrome_theme_draws_no_colour() {
    use ratatui::style::Color;
    for (name, mut app) in states() {
        app.state.theme = krisp_tui::ui::Theme::monochrome();
        app.resize(100, 30);
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
        terminal
            .draw(|f| f.render_widget(&app.state, f.area()))
            .expect("draw");
        let buf = terminal.backend().buffer();
        let coloured = buf
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        assert_eq!(coloured, 0, "{name} uses colour under NO_COLOR");
    }
}

/// In-process half of the hostile-data check (the terminal half is in `tests/pty/demo.rs`): no cell
/// of any screen holds a control character, C1 control, bidi control or zero-width character.
#[test]
fn hostile_server_text_is_drawn_as_visible_placeholders() {
    let evil =
        "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u{9b}31m \u{202e}exe.txt\u{202c} a\u{200d}b\rX\x08";
    let mut m = crate::tui_common::meeting(
        7,
        evil,
        "2026-01-21T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &[evil, "Bob"],
    );
    m.summary = Some(format!("#### {evil}\n{evil}"));
    m.key_points = vec![evil.into()];
    m.tags = vec![evil.into()];
    let mut app = App::loaded(vec![m]);
    app.resize(100, 30);
    let mut screens = vec![("home", app.render())];
    app.send(key('/'));
    app.type_str("red");
    screens.push(("search", app.render()));
    app.send(code(KeyCode::Enter));
    let (req, ids) = app
        .commands
        .iter()
        .rev()
        .find_map(|c| match c {
            Command::FetchDocuments { id, ids } => Some((*id, ids.clone())),
            _ => None,
        })
        .expect("a document fetch");
    let mut doc = document(ids[0].clone(), 3);
    for turn in &mut doc.transcript.turns {
        turn.speaker = evil.into();
        turn.text = evil.into();
    }
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![doc]),
    }));
    screens.push(("meeting", app.render()));
    app.send(client(ClientEvent::LoginRequired {
        note: Some(evil.into()),
    }));
    app.send(code(KeyCode::Enter));
    app.send(client(ClientEvent::LoginUrlReady { url: evil.into() }));
    screens.push(("login", app.render()));
    app.send(client(ClientEvent::LoginFailed {
        message: evil.into(),
    }));
    screens.push(("login failed", app.render()));
    for (name, text) in screens {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c < ' ' && c != '\n')
                    || ('\u{7f}'..='\u{9f}').contains(&c)
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
                    || ('\u{200b}'..='\u{200d}').contains(&c)
            })
            .collect();
        assert_eq!(bad, Vec::<char>::new(), "{name}:\n{text}");
        assert!(text.contains('␛'), "{name} shows the escapes:\n{text}");
    }
}
