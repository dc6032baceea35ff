//! Daily-use behaviour (issue 10): times in words and zones, feed columns, toasts and the
//! messages overlay, help, the footer. Update sequences and snapshots.

use crate::tui_common::{App, client, code, demo_meetings, key};
use crossterm::event::KeyCode;
use krisp_tui::app;
use krisp_tui::message::{ClientEvent, Command, RequestError};
use rmcp::model::CallToolResult;
use serde_json::json;

/// A fixed wall clock: Sunday 29 November 2026, 13:00 UTC.
fn wall() -> jiff::Timestamp {
    "2026-11-29T13:00:00Z".parse().expect("a timestamp")
}

/// Switches to `tab` (by its number key) and answers its first request with `structured`.
fn feed(tab: char, structured: serde_json::Value) -> App {
    let mut app = App::loaded(demo_meetings());
    app.state.wall = Some(wall());
    let cmds = app.send(key(tab));
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Command::ListActionItems { id, .. }
            | Command::ListUpcoming { id, .. }
            | Command::ListActivities { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a feed request");
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Ok(krisp_tui::krisp::feed_items(Some(&structured), [])),
    }));
    app.resize(120, 12);
    app
}

const M1: &str = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";

#[test]
fn action_items_sort_by_due_date_mark_overdue_and_name_who_and_meeting() {
    let app = feed(
        '2',
        json!({"count": 4, "action_items": [
            {"title": "No date", "assignee": "Chen Wu", "completed": false,
             "meeting_id": M1, "meeting_name": "Weekly sync"},
            {"title": "Later", "assignee": "Bob Ray", "completed": false, "due_date": "2026-12-10",
             "meeting_id": M1, "meeting_name": "Q4 roadmap review"},
            {"title": "Late", "assignee": "Anna Lee", "completed": false, "due_date": "2026-11-20",
             "meeting_id": M1, "meeting_name": "Customer call: Acme"},
            {"title": "Tomorrow", "assignee": "Anna Lee", "completed": false, "due_date": "2026-11-30",
             "meeting_id": M1, "meeting_name": "Hiring debrief"},
        ]}),
    );
    let titles: Vec<&str> = app
        .state
        .home
        .action_items
        .items
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(titles, ["Late", "Tomorrow", "Later", "No date"]);
    insta::assert_snapshot!("action_items_feed", app.render());
}

#[test]
fn upcoming_times_read_as_words_in_the_local_zone() {
    let app = feed(
        '3',
        json!({"days": 7, "count": 3, "meetings": [
            {"meeting_id": M1, "name": "Standup", "start": "2026-11-29T15:00:00Z",
             "attendees": ["Anna Lee", "Bob Ray"]},
            {"meeting_id": M1, "name": "Planning", "start": "2026-11-30T09:30:00Z",
             "attendees": ["Chen Wu"]},
            {"meeting_id": M1, "name": "Offsite", "start": "2026-12-03T08:00:00Z",
             "attendees": []},
        ]}),
    );
    insta::assert_snapshot!("upcoming_feed", app.render());
}

#[test]
fn activity_columns_hold_what_their_headers_say() {
    let app = feed(
        '4',
        json!({"count": 2, "activities": [
            {"id": "a1", "created_at": "2026-11-28T09:10:00Z", "kind": "action_item_completed",
             "title": "Send the plan", "meeting_id": M1},
            {"id": "a2", "created_at": "2026-11-29T12:40:00Z", "kind": "meeting_processed",
             "title": "Weekly sync", "meeting_id": M1},
        ]}),
    );
    let text = app.render();
    assert!(text.contains("Event"), "{text}");
    assert!(text.contains("action item completed"), "{text}");
    assert!(text.contains("yesterday 09:10"), "{text}");
    insta::assert_snapshot!("activity_feed", text);
}

#[test]
fn meeting_header_names_the_zone_and_a_dateless_meeting_shows_no_stray_utc() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 20);
    app.send(code(KeyCode::Enter));
    let text = app.render();
    // The newest demo meeting is Hiring debrief, 2026-01-20 13:00 UTC; tests run in UTC.
    assert!(text.contains("2026-01-20 13:00 UTC"), "{text}");

    let mut dateless = crate::tui_common::meeting(9, "Planning", jiff::Timestamp::UNIX_EPOCH, &[]);
    dateless.date = None;
    let mut app = App::loaded(vec![dateless]);
    app.resize(100, 20);
    app.send(code(KeyCode::Enter));
    let text = app.render();
    assert!(!text.contains("UTC"), "{text}");
}

/// The action items tab after its first page failed with an HTTP 500: an error toast is up.
fn action_items_failed() -> App {
    let mut app = App::loaded(demo_meetings());
    app.state.wall = Some(wall());
    app.resize(100, 20);
    let cmds = app.send(key('2'));
    let Some(Command::ListActionItems { id, .. }) = cmds.first().cloned() else {
        panic!("expected list_action_items, got {cmds:?}");
    };
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Err(RequestError::new("HTTP 500 from the server")),
    }));
    app
}

#[test]
fn a_live_toast_is_not_drawn_over_the_messages_overlay() {
    let mut app = action_items_failed();
    assert!(app.render().contains("✗ error"));
    app.send(key('!'));
    let text = app.render();
    assert!(app.state.toast.is_some(), "the toast is still live");
    assert!(!text.contains("✗ error"), "{text}");
    assert!(text.contains("13:00 ✗ HTTP 500 from the server"), "{text}");
}

#[test]
fn an_error_toast_expires_is_cleared_by_the_next_success_and_stays_in_messages() {
    let mut app = action_items_failed();
    let text = app.render();
    assert!(text.contains("✗ error"), "{text}");
    // Expired: gone from every line of the screen, the status bar included.
    app.advance(krisp_tui::app::TOAST_FOR);
    assert_eq!(app.state.toast, None);
    let text = app.render();
    let status_bar = text.lines().last().unwrap_or_default();
    assert!(!status_bar.contains("HTTP 500"), "{text}");

    // `!` shows it again, marked as an error, with the time it was shown.
    app.send(key('!'));
    let text = app.render();
    assert!(text.contains("13:00 ✗ HTTP 500 from the server"), "{text}");
    insta::assert_snapshot!("messages_overlay", text);
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.overlay, None);

    // A new error toast, then a successful reload: the error is no longer news.
    let cmds = app.send(key('r'));
    let Some(Command::ListActionItems { id, .. }) = cmds.first().cloned() else {
        panic!("expected a reload, got {cmds:?}");
    };
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Err(RequestError::new("HTTP 502")),
    }));
    assert!(app.state.toast.as_ref().is_some_and(|t| t.error));
    let cmds = app.send(key('r'));
    let Some(Command::ListActionItems { id, .. }) = cmds.first().cloned() else {
        panic!("expected a reload, got {cmds:?}");
    };
    app.send(client(ClientEvent::FeedLoaded {
        id,
        result: Ok(Vec::new()),
    }));
    assert_eq!(app.state.toast, None);
    assert_eq!(app.state.status.last_error, None);
    let kept: Vec<(&str, bool)> = app
        .state
        .messages
        .iter()
        .map(|m| (m.text.as_str(), m.error))
        .collect();
    assert_eq!(
        kept,
        [
            ("HTTP 500 from the server Press r to try again.", true),
            ("HTTP 502 Press r to try again.", true)
        ]
    );
}

#[test]
fn a_failure_toast_is_marked_as_one() {
    let mut m = crate::tui_common::meeting(
        9,
        "No link",
        "2026-01-20T13:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &[],
    );
    m.url = None;
    let mut app = App::loaded(vec![m]);
    app.resize(100, 20);
    app.send(code(KeyCode::Enter));
    app.send(key('o'));
    let toast = app.state.toast.clone().expect("a toast");
    assert_eq!(
        (toast.text.as_str(), toast.error),
        ("This meeting has no web link.", true)
    );
    assert!(app.render().contains("✗ error"));
}

#[test]
fn help_scrolls_by_page_says_there_is_more_and_never_runs_entries_together() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 20);
    app.send(code(KeyCode::Enter));
    app.send(key('?'));
    let first = app.render();
    assert!(first.contains("↓ 1–16 of"), "{first}");
    insta::assert_snapshot!("help_meeting_top", first);
    app.send(code(KeyCode::PageDown));
    let second = app.render();
    assert!(second.contains("↑↓ 16–31 of"), "{second}");
    app.send(code(KeyCode::End));
    let last = app.render();
    assert!(last.contains("Everywhere"), "{last}");
    insta::assert_snapshot!("help_meeting_end", last);
    // Every entry: keys, at least two spaces, then what they do.
    for screen in [&first, &second, &last] {
        assert!(!screen.contains("PgDnpage"), "{screen}");
        for line in screen.lines() {
            let line = line.trim_matches(|c| c == '│' || c == ' ');
            for word in ["page down", "page up", "move up", "move down"] {
                if let Some(i) = line.find(word)
                    && i > 0
                {
                    assert!(line[..i].ends_with("  "), "run together: {line:?}");
                }
            }
        }
    }
}

#[test]
fn help_over_the_export_dialog_lists_its_keys_and_gives_it_back() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.send(key('e'));
    let Some(krisp_tui::app::Overlay::Export(before)) = app.state.overlay.clone() else {
        panic!("the export dialog is open");
    };
    // `?` on the format row, then F1 in the path field (where `?` is typed into the name).
    for (open, to_path) in [(key('?'), false), (code(KeyCode::F(1)), true)] {
        if to_path {
            app.send(code(KeyCode::Tab));
        }
        let dialog = app.state.overlay.clone();
        app.send(open);
        let text = app.render();
        assert!(text.contains("Export dialog"), "{text}");
        app.send(code(KeyCode::Esc));
        assert_eq!(app.state.overlay, dialog);
    }
    let Some(krisp_tui::app::Overlay::Export(after)) = app.state.overlay.clone() else {
        panic!("the export dialog is still open");
    };
    assert_eq!(after.path_text(), before.path_text());
}

/// The same keys, the same result in every text field (the search box, the jump prompt, the
/// export path and tool forms are all a LineInput): the field alone, then through the app.
#[test]
fn every_text_field_edits_alike() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    use krisp_tui::app::input::LineInput;
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
    let plain = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let mut steps: Vec<(Vec<KeyEvent>, &str)> = vec![(
        "~/notes/alpha beta".chars().map(plain).collect(),
        "~/notes/alpha beta",
    )];
    steps.extend([
        (vec![ctrl('w')], "~/notes/alpha "),
        (vec![alt('b'), ctrl('k')], "~/notes/"),
        (vec![ctrl('a'), alt('f'), alt('d')], "~/notes"),
        (vec![ctrl('e'), plain('x')], "~/notesx"),
        (
            vec![KeyEvent::new(KeyCode::Home, KeyModifiers::NONE), ctrl('d')],
            "/notesx",
        ),
        (
            vec![KeyEvent::new(KeyCode::End, KeyModifiers::NONE), ctrl('u')],
            "",
        ),
    ]);
    let mut line = LineInput::default();
    for (keys, want) in &steps {
        for k in keys {
            line.handle_key(*k);
        }
        assert_eq!(line.text(), *want, "search box after {keys:?}");
    }

    // And through the app: the export dialog's path field.
    let mut app = App::loaded(demo_meetings());
    app.send(key('e'));
    app.send(code(KeyCode::Tab));
    app.send(krisp_tui::message::Msg::Key(ctrl('u')));
    app.send(krisp_tui::message::Msg::Key(ctrl('k')));
    app.type_str("a/b.md");
    app.send(krisp_tui::message::Msg::Key(ctrl('w')));
    let Some(krisp_tui::app::Overlay::Export(d)) = &app.state.overlay else {
        panic!("export dialog open");
    };
    assert_eq!(d.path_text(), "a/b.");
}

/// At every width the footer starts with `? help` (before the server address), shows hints
/// whole, and ends a cut list with `…`, never mid-word.
#[test]
fn the_footer_keeps_help_first_and_cuts_at_a_hint() {
    let mut app = App::loaded(demo_meetings());
    let all = [
        "? help",
        "q quit",
        "/ search",
        "Enter open",
        "e export",
        "Tab tabs",
        ": tools",
    ];
    for width in 20..=140u16 {
        app.resize(width, 12);
        let text = app.render();
        let footer = text.lines().last().unwrap_or_default().trim_start();
        assert!(footer.starts_with("? help"), "{width}: {footer:?}");
        let hints = footer.split(" ● ").next().unwrap_or_default().trim_end();
        let hints = hints.strip_suffix('…').map_or(hints, str::trim_end);
        for part in hints.split("  ") {
            assert!(
                all.contains(&part),
                "{width}: cut hint {part:?} in {footer:?}"
            );
        }
        if footer.contains('●') {
            assert!(
                footer.contains(": tools"),
                "{width}: address before hints: {footer:?}"
            );
        }
    }
}

/// The list's third meeting (Q4 roadmap review, with notes) opened, its transcript of `turns`
/// turns loaded, in a 100×30 terminal.
fn roadmap_open(turns: usize) -> App {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id,
        result: Ok(vec![crate::tui_common::document(
            crate::tui_common::id(1),
            turns,
        )]),
    }));
    app
}

/// The current in-view search hit: its line, and the scroll.
fn current_hit(app: &App) -> (usize, usize) {
    let view = app.state.meeting.as_ref().expect("open");
    let search = view.search.as_ref().expect("searching");
    (search.hits[search.current].line, view.scroll)
}

#[test]
fn y_copies_the_turn_of_the_current_hit_and_n_after_g_goes_on_from_the_view() {
    let mut app = roadmap_open(200);
    app.send(key('/'));
    app.type_str("friday");
    app.send(code(KeyCode::Enter));
    // The first hit is turn 2 (every third turn says Friday); the view's top line is above it.
    let view = app.state.meeting.as_ref().expect("open");
    assert_ne!(view.current_turn(), Some(2));
    assert_eq!(
        app.send(key('y')),
        [Command::Copy(
            "Anna Lee (01:14): Agreed. I will send the plan to everyone by Friday.".into()
        )]
    );

    // After G, n is the first hit at or below the top of the view, not the hit after turn 2.
    app.send(key('G'));
    let (_, top) = current_hit(&app);
    app.send(key('n'));
    let view = app.state.meeting.as_ref().expect("open");
    let search = view.search.as_ref().expect("searching");
    let line = search.hits[search.current].line;
    assert!(line >= top, "hit at {line}, view from {top}");
    assert!(search.hits[search.current - 1].line < top);
    let turn = view.lines[line].turn.expect("a transcript hit");
    assert_eq!(turn % 3, 2);
    assert!(turn > 190, "turn {turn}");
    // N from there steps back one hit (the current one is in view now).
    app.send(key('N'));
    let view = app.state.meeting.as_ref().expect("open");
    let search = view.search.as_ref().expect("searching");
    assert_eq!(
        view.lines[search.hits[search.current].line].turn,
        Some(turn - 3)
    );
}

/// The screen rows whose gutter holds the `▌` of the marked turn.
fn marked_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| l.starts_with("│▌"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn after_n_and_shift_n_the_marker_and_y_are_on_the_hits_turn() {
    let mut app = roadmap_open(200);
    app.send(key('/'));
    app.type_str("friday");
    app.send(code(KeyCode::Enter));
    for step in ['n', 'n', 'n', 'N'] {
        app.send(key(step));
        let view = app.state.meeting.as_ref().expect("open");
        let (line, top) = current_hit(&app);
        // The view moved to show the hit a third of a screen down: another turn is on top.
        let turn = view.lines[line].turn.expect("a transcript hit");
        let speaker = ["Anna Lee", "Bob Ray"][turn % 2];
        let at = krisp_tui::krisp::format_offset(std::time::Duration::from_secs(37 * turn as u64));
        let heading = format!("{speaker}  {at}");
        let screen = app.render();
        let marked = marked_rows(&screen);
        assert_eq!(marked.len(), 2, "the turn's two lines:\n{screen}");
        assert!(
            marked[0].contains(&heading) && marked[1].contains("by Friday."),
            "after {step} (hit at line {line}, view from {top}) the marker is not on turn \
             {turn}:\n{screen}"
        );
        let said = format!("{speaker} ({at}): Agreed. I will send the plan to everyone by Friday.");
        assert_eq!(app.send(key('y')), [Command::Copy(said)]);
    }
}

#[test]
fn a_resize_keeps_the_current_hit_in_the_notes_on_screen() {
    let mut app = roadmap_open(200);
    app.send(key('/'));
    app.type_str("scope");
    app.send(code(KeyCode::Enter));
    let view = app.state.meeting.as_ref().expect("open");
    let (line, top) = current_hit(&app);
    assert_eq!(view.lines[line].turn, None, "the first hit is in the notes");
    // A transcript turn is on screen below it (what the view used to keep instead).
    let bottom = top + usize::from(view.height);
    assert!(
        view.lines[top..bottom.min(view.lines.len())]
            .iter()
            .any(|l| l.turn.is_some()),
        "a turn is on screen"
    );
    let text = view.lines[line].text();
    for (w, h) in [(80, 24), (200, 50), (60, 20), (100, 30)] {
        app.resize(w, h);
        let view = app.state.meeting.as_ref().expect("open");
        let (line, top) = current_hit(&app);
        assert!(
            line >= top && line < top + usize::from(view.height),
            "at {w}×{h} the hit (line {line}) is off the view from {top}:\n{}",
            app.render()
        );
        assert_eq!(view.lines[line].turn, None, "still the hit in the notes");
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert!(words(&text).contains(&"scope".to_owned()) || text.contains("scope"));
        assert!(view.lines[line].text().to_lowercase().contains("scope"));
    }
}

#[test]
fn the_copy_menu_copies_the_summary_key_points_action_items_or_link() {
    let mut app = roadmap_open(6);
    app.send(key('Y'));
    insta::assert_snapshot!("copy_menu", app.render());
    app.send(key('j'));
    app.send(key('j'));
    app.send(key('j'));
    assert_eq!(
        app.send(code(KeyCode::Enter)),
        [Command::Copy(
            "- [ ] Bob Ray to send the plan (Bob Ray)\n- [x] Book the room\n".into()
        )]
    );
    assert!(app.state.overlay.is_none());
    assert_eq!(
        app.state.toast.as_ref().map(|t| t.text.as_str()),
        Some("Action items copied to the clipboard.")
    );
    app.send(key('Y'));
    app.send(key('k')); // already at the top
    app.send(key('j'));
    assert_eq!(
        app.send(key('y')),
        [Command::Copy(
            "Timeline\nShip in March, with the scope cut to three features.".into()
        )]
    );
    app.send(key('Y'));
    for _ in 0..9 {
        app.send(key('j'));
    }
    assert_eq!(
        app.send(code(KeyCode::Enter)),
        [Command::Copy(format!(
            "https://app.krisp.ai/t/{}",
            crate::tui_common::id(1).0
        ))]
    );
    // Esc closes without copying.
    app.send(key('Y'));
    assert!(app.send(code(KeyCode::Esc)).is_empty());
    assert!(app.state.overlay.is_none());
}

#[test]
fn a_failed_transcript_says_which_key_retries() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 30);
    app.send(key('j'));
    app.send(key('j'));
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id,
        result: Err(krisp_tui::message::RequestError::new(
            "The server answered 502 Bad Gateway.",
        )),
    }));
    let view = app.state.meeting.as_ref().expect("open");
    let start = view.transcript_start.expect("a transcript section");
    let tail: Vec<String> = view.lines[start..].iter().map(|l| l.text()).collect();
    assert_eq!(
        tail,
        [
            "Transcript",
            "The server answered 502 Bad Gateway.",
            "Press r to try again."
        ]
    );
    let cmds = app.send(key('r'));
    assert!(
        matches!(cmds.as_slice(), [Command::FetchDocuments { ids, .. }] if ids == &[crate::tui_common::id(1)]),
        "{cmds:?}"
    );
}

#[test]
fn the_export_path_expands_home_follows_the_format_and_errors_show_whole() {
    let mut app = App::loaded(demo_meetings());
    app.resize(80, 24);
    app.state.home_dir = Some("/home/anna".into());
    app.send(key('e'));
    app.send(code(KeyCode::Tab));
    app.send(crossterm_key(KeyCode::Char('u'), true));
    app.type_str("~/notes/custom.md");
    app.send(code(KeyCode::BackTab));
    app.send(code(KeyCode::Right)); // txt
    app.send(code(KeyCode::Right)); // json
    let Some(krisp_tui::app::Overlay::Export(d)) = &app.state.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.path_text(), "~/notes/custom.json");
    let cmds = app.send(code(KeyCode::Enter));
    let [
        Command::Export {
            id, path, format, ..
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(*format, krisp_tui::message::Format::Json);
    assert_eq!(
        path,
        &std::path::PathBuf::from("/home/anna/notes/custom.json")
    );

    // A name without a format's extension keeps its name.
    let Some(krisp_tui::app::Overlay::Export(d)) = &mut app.state.overlay else {
        panic!("no dialog")
    };
    d.path = krisp_tui::app::input::LineInput::new("~/notes/README");
    app.send(code(KeyCode::Right)); // srt
    let Some(krisp_tui::app::Overlay::Export(d)) = &mut app.state.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.path_text(), "~/notes/README");

    app.send(client(ClientEvent::Exported {
        id: *id,
        result: Err(krisp_tui::message::RequestError::new(
            "SRT holds only the transcript, and Krisp is still processing this meeting (no \
             transcript yet): nothing was written. Export as Markdown or JSON for what there \
             is, or try again later.",
        )),
    }));
    insta::assert_snapshot!("export_error_wrapped", app.render());
}

fn crossterm_key(code: KeyCode, ctrl: bool) -> krisp_tui::message::Msg {
    let mods = if ctrl {
        crossterm::event::KeyModifiers::CONTROL
    } else {
        crossterm::event::KeyModifiers::NONE
    };
    krisp_tui::message::Msg::Key(crossterm::event::KeyEvent::new(code, mods))
}

// ---------------------------------------------------------------- issue 19: daily use, third pass

/// `:` lists the tools; this answers with `list_action_items` alone.
fn tools_listed(app: &mut App) {
    let cmds = app.send(key(':'));
    let Some(Command::ListTools { id }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let tool: rmcp::model::Tool = serde_json::from_value(json!({
        "name": "list_action_items",
        "description": "List action items.",
        "inputSchema": {"type": "object", "properties": {}}
    }))
    .expect("a tool");
    app.send(client(ClientEvent::ToolsListed {
        id,
        result: Ok(vec![tool]),
    }));
}

#[test]
fn the_tools_panel_goes_back_to_the_meeting_it_was_opened_over_as_it_was() {
    let mut app = roadmap_open(40);
    app.send(key('/'));
    app.type_str("scope");
    app.send(code(KeyCode::Enter));
    app.send(key('j'));
    app.send(key('j'));
    let before = current_hit(&app);
    tools_listed(&mut app);
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Tools);
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Meeting);
    assert_eq!(current_hit(&app), before);
    assert!(app.render().contains(" Meetings › Q4 roadmap review"));

    // A result's meeting opens from the panel, says where it came from, opens an action item
    // at the action items; leaving it and the panel gives the first meeting back as it was.
    app.send(key(':'));
    let cmds = app.send(code(KeyCode::F(5)));
    let Some(Command::CallTool { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::ToolCalled {
        id,
        name: "list_action_items".into(),
        result: Ok(CallToolResult::structured(
            json!({"count": 1, "action_items": [
                {"title": "Send the plan", "completed": false, "meeting_id": crate::tui_common::id(1).0,
                 "meeting_name": "Q4 roadmap review"}
            ]}),
        )),
    }));
    app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Meeting);
    let view = app.state.meeting.as_ref().expect("the result's meeting");
    assert!(view.search.is_none(), "a new view, not the parked one");
    let top = view.lines.get(view.scroll).map(|l| l.text());
    assert_eq!(top.as_deref(), Some("Action items"));
    let screen = app.render();
    assert!(screen.contains(" Tools › Q4 roadmap review"), "{screen}");
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Tools);
    for _ in 0..3 {
        if app.state.screen == krisp_tui::app::Screen::Tools {
            app.send(code(KeyCode::Esc));
        }
    }
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Meeting);
    assert_eq!(current_hit(&app), before);
}

#[test]
fn question_mark_opens_help_on_the_tools_panel_and_help_lists_only_this_screens_keys() {
    let mut app = App::loaded(demo_meetings());
    app.resize(100, 40);
    tools_listed(&mut app);
    app.send(key('?'));
    assert!(
        matches!(
            app.state.overlay,
            Some(krisp_tui::app::Overlay::Help { .. })
        ),
        "{:?}",
        app.state.overlay
    );
    let screen = app.render();
    assert!(screen.contains("Tools panel"), "{screen}");
    app.send(key('?'));
    assert_eq!(app.state.overlay, None);
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Tools);

    // The meetings tab: its keys, not the action items' filters or the upcoming days.
    app.send(code(KeyCode::Esc));
    app.send(key('?'));
    let meetings = app.render();
    assert!(meetings.contains("mark / unmark the meeting"), "{meetings}");
    assert!(
        !meetings.contains("action items: open / done"),
        "{meetings}"
    );
    assert!(!meetings.contains("upcoming: one more day"), "{meetings}");
    app.send(code(KeyCode::Esc));
    app.send(key('2'));
    app.send(key('?'));
    let items = app.render();
    assert!(items.contains("action items: open / done"), "{items}");
    assert!(!items.contains("mark / unmark the meeting"), "{items}");

    // A narrow terminal: a description that does not fit ends with an ellipsis.
    app.send(code(KeyCode::Esc));
    app.send(key('1'));
    app.resize(50, 40);
    app.send(key('?'));
    let narrow = app.render();
    assert!(
        narrow
            .lines()
            .any(|l| l.trim_end_matches(['│', ' ']).ends_with('…')),
        "{narrow}"
    );
}

/// The help's sections as (title, [(keys, what)]), while it is open.
fn help_sections(app: &mut App) -> Vec<(String, Vec<(String, String)>)> {
    app.send(code(KeyCode::F(1)));
    let sections = krisp_tui::app::help::sections(&app.state)
        .into_iter()
        .map(|s| (s.title.to_owned(), s.entries))
        .collect();
    app.send(code(KeyCode::F(1)));
    assert_eq!(app.state.overlay, None);
    sections
}

fn entries<'a>(
    sections: &'a [(String, Vec<(String, String)>)],
    title: &str,
) -> Option<Vec<(&'a str, &'a str)>> {
    let (_, entries) = sections.iter().find(|(t, _)| t == title)?;
    Some(
        entries
            .iter()
            .map(|(k, d)| (k.as_str(), d.as_str()))
            .collect(),
    )
}

#[test]
fn help_on_the_tools_panel_lists_only_keys_that_work_there_and_f6_reaches_the_result() {
    use krisp_tui::app::tools::Focus;
    let focus = |app: &App| app.state.tools.panel.as_ref().expect("the panel").focus();
    let mut app = App::loaded(demo_meetings());
    app.resize(120, 50);
    tools_listed(&mut app);

    // The tool list: its keys, and of the global keys quit and help (`:` and `!` do nothing
    // here: the panel owns every other key); no typing keys, nothing types here.
    let list = help_sections(&mut app);
    assert_eq!(
        entries(&list, "Everywhere"),
        Some(vec![("Ctrl-c", "quit"), ("? F1", "show / hide this help")]),
        "{list:?}"
    );
    assert_eq!(entries(&list, "While typing"), None, "{list:?}");
    assert_eq!(entries(&list, "This screen"), None, "{list:?}");
    let panel = entries(&list, "Tools panel").expect("the panel's keys");
    assert!(
        !panel.iter().any(|(k, _)| *k == "F6"),
        "no result yet: {panel:?}"
    );
    // What the help left out does nothing here.
    app.send(key('!'));
    assert_eq!(app.state.overlay, None);
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Tools);

    // A form has the keyboard: `?` types, F1 helps; the editing keys apply.
    app.send(code(KeyCode::Enter));
    assert_eq!(focus(&app), Focus::Form);
    let form = help_sections(&mut app);
    assert_eq!(
        entries(&form, "Everywhere"),
        Some(vec![("Ctrl-c", "quit"), ("F1", "show / hide this help")]),
        "{form:?}"
    );
    let typing = entries(&form, "While typing").expect("editing keys");
    assert!(typing.contains(&("C-u / C-k", "delete to start / to end")));
    assert!(!typing.iter().any(|(_, d)| *d == "move up"), "{typing:?}");

    // With a result, F6 is listed where it is not focused, and takes the keyboard there.
    let cmds = app.send(code(KeyCode::F(5)));
    let Some(Command::CallTool { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::ToolCalled {
        id,
        name: "list_action_items".into(),
        result: Ok(CallToolResult::structured(
            json!({"count": 0, "action_items": []}),
        )),
    }));
    assert_eq!(focus(&app), Focus::Result);
    // Esc goes back to the form, then to the list.
    app.send(code(KeyCode::Esc));
    app.send(code(KeyCode::Esc));
    assert_eq!(focus(&app), Focus::List);
    for from in [Focus::List, Focus::Form] {
        assert_eq!(focus(&app), from);
        let help = help_sections(&mut app);
        let panel = entries(&help, "Tools panel").expect("the panel's keys");
        assert!(panel.contains(&("F6", "result")), "{from:?}: {panel:?}");
        app.send(code(KeyCode::F(6)));
        assert_eq!(focus(&app), Focus::Result, "F6 from {from:?}");
        let help = help_sections(&mut app);
        let panel = entries(&help, "Tools panel").expect("the panel's keys");
        assert!(!panel.iter().any(|(k, _)| *k == "F6"), "{panel:?}");
        // Esc from the result: the form.
        app.send(code(KeyCode::Esc));
    }
}

#[test]
fn help_on_the_login_screen_offers_no_tools_panel() {
    let mut app = App::new();
    app::start(&mut app.state, false, false);
    app.send(client(ClientEvent::LoginRequired { note: None }));
    app.send(key('?'));
    let screen = app.render();
    assert!(screen.contains("log in"), "{screen}");
    assert!(!screen.contains("tools panel"), "{screen}");
}

#[test]
fn a_wrong_time_keeps_the_jump_prompt_open_with_the_reason() {
    let mut app = roadmap_open(40);
    app.send(key('t'));
    app.type_str("99:00");
    app.send(code(KeyCode::Enter));
    let view = app.state.meeting.as_ref().expect("open");
    assert_eq!(view.jump.as_ref().map(|j| j.text()), Some("99:00"));
    let screen = app.render();
    assert!(
        screen.contains("Jump to time: 99:00   99:00 is past the last turn, at 24:03"),
        "{screen}"
    );
    // The next keys still go to the prompt: `:` types, it does not open the tools.
    app.send(code(KeyCode::Backspace));
    app.send(code(KeyCode::Backspace));
    app.send(code(KeyCode::Backspace));
    app.send(code(KeyCode::Backspace));
    app.send(code(KeyCode::Backspace));
    app.type_str("1:x");
    app.send(code(KeyCode::Enter));
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Meeting);
    let screen = app.render();
    assert!(screen.contains("“1:x” is not a time"), "{screen}");
    app.send(code(KeyCode::Backspace));
    app.type_str("00");
    app.send(code(KeyCode::Enter));
    let view = app.state.meeting.as_ref().expect("open");
    assert_eq!(
        (view.jump.is_none(), view.jump_error.is_none()),
        (true, true)
    );
}

#[test]
fn no_color_leaves_the_mark_column_blank_not_underlined() {
    use ratatui::style::Modifier;
    let mut app = App::loaded(demo_meetings());
    app.state.theme = krisp_tui::ui::Theme::monochrome();
    app.resize(100, 12);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 12)).expect("terminal");
    terminal
        .draw(|f| f.render_widget(&app.state, f.area()))
        .expect("draw");
    let buf = terminal.backend().buffer();
    // The rows of the list: under the tabs, the border and the column headings.
    let underlined: Vec<(u16, u16)> = (3..8)
        .flat_map(|y| (0..100).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let cell = &buf[(x, y)];
            cell.symbol() == " " && cell.modifier.contains(Modifier::UNDERLINED)
        })
        .collect();
    assert_eq!(underlined, [], "{}", app.render());
}

#[test]
fn the_list_columns_stay_put_when_the_first_lengths_arrive() {
    let mut app = App::loaded(demo_meetings());
    app.state.local.enabled = true;
    app.resize(100, 12);
    let header = |app: &App| app.render().lines().nth(2).unwrap_or_default().to_owned();
    let before = header(&app);
    assert!(before.contains("Length"), "{before}");
    // The sync brings a first transcript: the roadmap's length is known now.
    app.state.home.meetings.learn(
        &crate::tui_common::document(crate::tui_common::id(1), 40),
        &jiff::tz::TimeZone::UTC,
    );
    assert_eq!(header(&app), before);
}

#[test]
fn messages_wrap_and_record_the_sync_that_succeeded_after_a_failure() {
    let mut app = App::loaded(demo_meetings());
    app.state.local.enabled = true;
    app.state.wall = Some(wall());
    app.resize(80, 24);
    assert_eq!(app.send(key('S')), [Command::Sync]);
    let long = "the server answered HTTP 503 Service Unavailable while listing meetings, \
                three times in a row, and the sync gave up until the next one: zanzibar";
    app.send(client(ClientEvent::SyncFinished(Err(RequestError::new(
        long,
    )))));
    assert_eq!(app.send(key('S')), [Command::Sync]);
    app.now += std::time::Duration::from_secs(35);
    app.send(client(ClientEvent::SyncFinished(Ok(
        krisp_tui::message::SyncSummary {
            new: 3000,
            documents: 2999,
            requests: 310,
            ..Default::default()
        },
    ))));
    app.send(key('!'));
    let screen = app.render();
    let lines: Vec<&str> = screen.lines().collect();
    let newest = lines
        .iter()
        .position(|l| l.contains("First sync finished: 3,000 meetings in 35 s"))
        .unwrap_or_else(|| panic!("{screen}"));
    let failure = lines
        .iter()
        .position(|l| l.contains("Sync failed"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(newest < failure, "{screen}");
    // The long failure wraps inside the box: its last word is on screen.
    assert!(screen.contains("zanzibar"), "{screen}");
}

/// The footer's last line.
fn footer(app: &App) -> String {
    app.render().lines().last().unwrap_or_default().to_owned()
}

#[test]
fn the_footer_shows_the_connection_and_actions_that_need_the_server_say_so() {
    let mut app = App::loaded(demo_meetings());
    app.state.local.enabled = true;
    app.state.wall = Some(wall());
    app.resize(120, 20);
    assert!(
        footer(&app).ends_with("● anna@example.com @ https://mcp.krisp.ai/mcp"),
        "{}",
        footer(&app)
    );
    app.send(key('S'));
    app.send(client(ClientEvent::SyncFinished(Err(
        RequestError::unreachable("cannot reach https://mcp.krisp.ai/mcp: connection refused."),
    ))));
    let down = footer(&app);
    assert!(down.contains("✗ offline since "), "{down}");
    // The toast fades; the footer still says it.
    app.advance(std::time::Duration::from_secs(10));
    assert_eq!(app.state.toast, None);
    assert!(footer(&app).contains("✗ offline since "));

    // `r` in a meeting while the server is down: said at once, and a connection is tried.
    app.send(key('j'));
    app.send(code(KeyCode::Enter));
    let cmds = app.send(key('r'));
    assert!(cmds.contains(&Command::Connect), "{cmds:?}");
    let toast = app.state.toast.clone().expect("a note");
    assert!(
        toast.text.contains("unreachable since") && toast.text.contains("trying to reconnect"),
        "{toast:?}"
    );
    assert!(!toast.error);
    assert!(footer(&app).contains("◌ reconnecting"), "{}", footer(&app));
    app.send(client(ClientEvent::Offline {
        reason: "cannot reach https://mcp.krisp.ai/mcp: connection refused.".into(),
    }));
    assert!(footer(&app).contains("✗ offline since "));
    assert_eq!(
        app.state.toast.as_ref().map(|t| t.text.as_str()),
        Some("Still offline: cannot reach https://mcp.krisp.ai/mcp: connection refused.")
    );
    // A sync asked for while down runs once the connection is back; the view stays put.
    let cmds = app.send(code(KeyCode::Esc));
    assert_eq!(cmds, []);
    let cmds = app.send(key('S'));
    assert_eq!(cmds, [Command::Connect]);
    let cmds = app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: None,
    }));
    assert!(cmds.contains(&Command::Sync), "{cmds:?}");
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Home);
    assert!(
        footer(&app).contains("● https://mcp.krisp.ai/mcp"),
        "{}",
        footer(&app)
    );
}

#[test]
fn offline_mode_is_a_calm_status_and_explains_what_needs_the_network() {
    let mut app = App::new();
    app.state.local.enabled = true;
    app.state.local.offline_mode = true;
    app.state.local.offline = Some("offline (--offline): reading the local store".into());
    app.resize(120, 20);
    let cmds = app::start(&mut app.state, false, false);
    assert!(cmds.contains(&Command::Connect), "{cmds:?}");
    app.send(client(ClientEvent::Offline {
        reason: "offline (--offline): reading the local store".into(),
    }));
    assert_eq!(app.state.toast, None);
    assert!(footer(&app).ends_with("○ offline mode"), "{}", footer(&app));
    assert_eq!(app.send(key('S')), []);
    let toast = app.state.toast.clone().expect("why not");
    assert!(!toast.error, "{toast:?}");
    assert!(toast.text.contains("--offline"), "{toast:?}");
    assert!(!app.render().contains("✗ error"));
    app.advance(std::time::Duration::from_secs(10));
    assert_eq!(app.send(key(':')), []);
    let tools = app.render();
    assert!(tools.contains("started with --offline"), "{tools}");
    assert!(!tools.contains("to try again"), "{tools}");
    app.send(code(KeyCode::Esc));
    assert_eq!(app.state.screen, krisp_tui::app::Screen::Home);
}

#[test]
fn a_meeting_has_one_length_in_the_list_and_its_header() {
    let mut app = roadmap_open(40);
    let header = app.render();
    assert!(header.contains("·  24:03"), "{header}");
    assert!(!header.contains("about"), "{header}");
    app.send(code(KeyCode::Esc));
    let list = app.render();
    let row = list
        .lines()
        .find(|l| l.contains("Q4 roadmap review"))
        .unwrap_or_default();
    assert!(row.contains(" 24:03 "), "{list}");
}

/// Opens the demo list's roadmap review (two rows down) with an agenda section whose body is
/// `agenda`, and draws the meeting view.
fn open_roadmap_with_agenda(app: &mut App, agenda: &str) -> String {
    app.send(key('j'));
    app.send(key('j'));
    let mut doc = crate::tui_common::document(crate::tui_common::id(1), 0);
    doc.sections.push(krisp_tui::krisp::Section {
        heading: "Agenda: Q4 roadmap review".into(),
        body: agenda.into(),
    });
    app.open(doc);
    app.render()
}

#[test]
fn notes_read_without_markdown_markers_and_an_agendas_time_is_in_the_users_zone() {
    let mut meetings = demo_meetings();
    meetings[1].summary = Some("#### Overview\n- **Ship** in March\n  * scope: three".into());
    let mut app = App::loaded(meetings);
    app.resize(100, 40);
    let screen =
        open_roadmap_with_agenda(&mut app, "start: 2026-12-07T13:30:00Z\nattendees: Anna Lee");
    for want in [
        "│ Overview ",
        "│ • Ship in March ",
        "│   • scope: three ",
        "│ start: 2026-12-07 13:30 UTC ",
    ] {
        assert!(screen.contains(want), "{want:?} in\n{screen}");
    }
    assert!(
        !screen.contains("####") && !screen.contains("**"),
        "{screen}"
    );
    assert!(!screen.contains("13:30:00Z"), "{screen}");
}

#[test]
fn the_list_and_the_meeting_show_times_in_the_states_zone_not_the_processs() {
    let new_york = jiff::tz::TimeZone::get("America/New_York").expect("a bundled zone");
    let mut app = App::loaded_in(new_york, demo_meetings());
    app.resize(100, 40);
    let list = app.render();
    // The roadmap review is at 15:00 UTC: 10:00 in New York, in January.
    let row = list
        .lines()
        .find(|l| l.contains("Q4 roadmap review"))
        .unwrap_or_default();
    assert!(
        row.contains("2026-01-15") && row.contains(" 10:00 "),
        "{list}"
    );
    assert!(!row.contains("15:00"), "{list}");
    let screen = open_roadmap_with_agenda(&mut app, "start: 2026-12-07T13:30:00Z");
    for want in ["2026-01-15 10:00 EST", "│ start: 2026-12-07 08:30 EST "] {
        assert!(screen.contains(want), "{want:?} in\n{screen}");
    }
    assert!(!screen.contains("UTC"), "{screen}");
}

/// The export dialog names the file by the meeting's day in the state's zone: the roadmap review,
/// 15:00 UTC on 15 January, is already the 16th in Auckland.
#[test]
fn the_export_file_name_is_dated_in_the_states_zone() {
    let auckland = jiff::tz::TimeZone::get("Pacific/Auckland").expect("a bundled zone");
    let mut app = App::loaded_in(auckland, demo_meetings());
    app.resize(100, 40);
    app.send(key('j'));
    app.send(key('j'));
    app.send(key('e'));
    let Some(krisp_tui::app::Overlay::Export(dialog)) = &app.state.overlay else {
        panic!("the export dialog is open:\n{}", app.render());
    };
    assert_eq!(dialog.path_text(), "2026-01-16-q4-roadmap-review.md");
}

#[test]
fn the_login_url_is_drawn_unboxed_on_rows_of_its_own() {
    let mut app = App::new();
    app::start(&mut app.state, false, true);
    let url = format!(
        "https://api.krisp.ai/platform/v1/oauth2/authorize?response_type=code&client_id={}&state=abc",
        "x".repeat(120)
    );
    app.send(client(ClientEvent::LoginUrlReady { url: url.clone() }));
    app.resize(100, 30);
    let screen = app.render();
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.starts_with("https://"))
        .take_while(|l| !l.is_empty() && !l.starts_with(' '))
        .collect();
    assert_eq!(rows.concat(), url, "{screen}");
    assert!(rows.iter().all(|r| !r.contains('│')), "{screen}");
    // After the login, a word says so.
    app.send(client(ClientEvent::LoggedIn {
        server: "https://mcp.krisp.ai/mcp".into(),
        account: Some("anna@example.com".into()),
    }));
    let toast = app.state.toast.clone().expect("a toast");
    assert_eq!(
        toast.text,
        "Logged in to https://mcp.krisp.ai/mcp as anna@example.com."
    );
}
