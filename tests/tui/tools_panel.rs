//! The Tools panel against the captured Krisp `tools/list`: forms, validation, outcomes, snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use krisp_tui::app::keymap::Keymap;
use krisp_tui::app::tools::json_tree::JsonTree;
use krisp_tui::app::tools::{FieldKind, Focus, ToolsOutcome, ToolsPanel, View};
use krisp_tui::message::{ClientEvent, RequestError, RequestId};
use krisp_tui::ui::Theme;
use krisp_tui::ui::markdown;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Value, json};

/// The captured list, without the `mcp__krisp__` prefix its client added (the server sends none).
fn krisp_tools() -> Vec<Tool> {
    let raw: Value =
        serde_json::from_str(include_str!("../fixtures/tools/tools-list-2026-02-21.json"))
            .expect("fixture is JSON");
    raw["tools"]
        .as_array()
        .expect("fixture has tools")
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let name = t["name"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("mcp__krisp__")
                .to_owned();
            t["name"] = Value::String(name);
            serde_json::from_value(t).expect("a tool")
        })
        .collect()
}

fn fixture_result(name: &str) -> CallToolResult {
    let path = format!(
        "{}/tests/fixtures/tools/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture exists");
    serde_json::from_str(&text).expect("a CallToolResult")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(panel: &mut ToolsPanel, code: KeyCode) -> ToolsOutcome {
    panel.handle_key(key(code), &Keymap::default())
}

fn type_text(panel: &mut ToolsPanel, text: &str) {
    for c in text.chars() {
        assert_eq!(press(panel, KeyCode::Char(c)), ToolsOutcome::None);
    }
}

fn clear_field(panel: &mut ToolsPanel) {
    for _ in 0..64 {
        press(panel, KeyCode::Backspace);
    }
}

/// Selects `name` in the list and opens its form.
fn open(panel: &mut ToolsPanel, name: &str) {
    press(panel, KeyCode::Home);
    while panel.selected().map(|t| t.name.as_ref()) != Some(name) {
        let before = panel.selected().map(|t| t.name.to_string());
        press(panel, KeyCode::Down);
        assert_ne!(
            panel.selected().map(|t| t.name.to_string()),
            before,
            "tool {name} not listed"
        );
    }
    press(panel, KeyCode::Enter);
    assert_eq!(panel.focus(), Focus::Form);
}

/// Moves the form focus to the field called `name`.
fn goto_field(panel: &mut ToolsPanel, name: &str) {
    for _ in 0..32 {
        if panel.form().and_then(|f| f.focused()).map(|f| f.name()) == Some(name) {
            return;
        }
        press(panel, KeyCode::Tab);
    }
    panic!("no field {name}");
}

fn run(panel: &mut ToolsPanel) -> ToolsOutcome {
    press(panel, KeyCode::F(5))
}

fn args(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("args must be an object"),
    }
}

fn draw(panel: &ToolsPanel, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| panel.render(frame.area(), frame.buffer_mut(), &Theme::default()))
        .expect("draw");
    terminal
}

// ---------------------------------------------------------------------------------------------
// Form generation

#[test]
fn every_captured_tool_gets_a_form() {
    let panel = ToolsPanel::new(krisp_tools());
    let mut described = Vec::new();
    for (i, tool) in panel.tools().iter().enumerate() {
        let mut p = ToolsPanel::new(krisp_tools());
        for _ in 0..i {
            press(&mut p, KeyCode::Down);
        }
        let form = p.form().expect("a form");
        for field in form.fields() {
            let kind = match field.kind() {
                FieldKind::Text => "text".to_owned(),
                FieldKind::Integer => "integer".to_owned(),
                FieldKind::Number => "number".to_owned(),
                FieldKind::Toggle => "toggle".to_owned(),
                FieldKind::Choice(values) => format!("choice of {}", values.len()),
                FieldKind::List { comma } => format!("list comma={comma}"),
                FieldKind::Json { string_fallback } => {
                    format!("json string_fallback={string_fallback}")
                }
            };
            let star = if field.required() { "*" } else { "" };
            let value = field
                .value()
                .ok()
                .flatten()
                .map(|v| v.to_string())
                .unwrap_or_default();
            described.push(format!(
                "{}.{}{star}: {kind} = {value}",
                tool.name,
                field.name()
            ));
        }
    }
    assert_eq!(
        described,
        [
            "date_time.start_date: text = ",
            "date_time.end_date: text = ",
            "get_document.documentId*: text = ",
            "get_multiple_documents.ids*: list comma=true = ",
            "list_action_items.completed: toggle = ",
            "list_action_items.assigned_to_me: toggle = ",
            "list_action_items.limit: integer = 20",
            "list_action_items.offset: integer = 0",
            "list_activities.limit: integer = 15",
            "list_activities.timestamp: text = ",
            "list_upcoming_meetings.days: integer = 7",
            "search_meetings.id: json string_fallback=true = ",
            "search_meetings.search: text = ",
            "search_meetings.limit: integer = 10",
            "search_meetings.offset: integer = 0",
            "search_meetings.fields: list comma=true = ",
            "search_meetings.listen_later: toggle = ",
            "search_meetings.after: text = ",
            "search_meetings.before: text = ",
            "search_meetings.tags: list comma=true = ",
            "search_meetings.participant_domains: list comma=true = ",
        ]
    );
}

#[test]
fn unsupported_schemas_fall_back_to_raw_json() {
    let schema = json!({
        "type": "object",
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
    });
    let odd = json!({
        "type": "object",
        "properties": {
            "where": {"$ref": "#/definitions/filter"},
            "mode": {"const": "fast"},
            "weights": {"type": "array", "items": {"type": "number"}},
            "nested": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "anything": true
        }
    });
    let tools = vec![
        Tool::new("combined", "Top-level anyOf", args(schema)),
        Tool::new("odd", "Odd properties", args(odd)),
    ];
    let mut panel = ToolsPanel::new(tools);
    open(&mut panel, "combined");
    let names: Vec<&str> = panel
        .form()
        .expect("form")
        .fields()
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(names, ["(arguments)"]);
    type_text(&mut panel, r#"{"a": 1, "b": [true]}"#);
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "combined".into(),
            args: args(json!({"a": 1, "b": [true]}))
        }
    );

    press(&mut panel, KeyCode::Esc);
    press(&mut panel, KeyCode::Esc);
    open(&mut panel, "odd");
    type_text(&mut panel, r#"{"day": "mon"}"#);
    goto_field(&mut panel, "mode");
    press(&mut panel, KeyCode::Right);
    goto_field(&mut panel, "weights");
    type_text(&mut panel, "0.5, 2");
    goto_field(&mut panel, "nested");
    type_text(&mut panel, r#"{"x": 1.5}"#);
    assert_eq!(run(&mut panel), ToolsOutcome::None);
    assert_eq!(
        panel
            .form()
            .and_then(|f| f.focused())
            .and_then(|f| f.error()),
        Some("x: must be an integer")
    );
    clear_field(&mut panel);
    type_text(&mut panel, r#"{"x": 2}"#);
    goto_field(&mut panel, "anything");
    type_text(&mut panel, "null");
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "odd".into(),
            args: args(
                json!({"where": {"day": "mon"}, "mode": "fast", "weights": [0.5, 2], "nested": {"x": 2}, "anything": null})
            )
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Runs and validation

#[test]
fn run_sends_only_filled_fields_typed() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "list_action_items");
    press(&mut panel, KeyCode::Char(' '));
    goto_field(&mut panel, "limit");
    clear_field(&mut panel);
    type_text(&mut panel, "5");
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "list_action_items".into(),
            args: args(json!({"completed": true, "limit": 5, "offset": 0}))
        }
    );
    assert_eq!(panel.focus(), Focus::Result);
}

#[test]
fn toggles_cycle_through_not_set() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "list_action_items");
    let completed = |p: &ToolsPanel| p.form().and_then(|f| f.fields()[0].value().ok().flatten());
    assert_eq!(completed(&panel), None);
    press(&mut panel, KeyCode::Char(' '));
    assert_eq!(completed(&panel), Some(json!(true)));
    press(&mut panel, KeyCode::Char(' '));
    assert_eq!(completed(&panel), Some(json!(false)));
    press(&mut panel, KeyCode::Char(' '));
    assert_eq!(completed(&panel), None);
    press(&mut panel, KeyCode::Left);
    assert_eq!(completed(&panel), Some(json!(false)));
    press(&mut panel, KeyCode::Backspace);
    assert_eq!(completed(&panel), None);
}

#[test]
fn search_meetings_arguments() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "search_meetings");
    // A bare id is not JSON, but a string is one of the accepted forms.
    type_text(&mut panel, "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e");
    goto_field(&mut panel, "search");
    type_text(&mut panel, "roadmap");
    goto_field(&mut panel, "fields");
    type_text(&mut panel, "name, date,key_points");
    goto_field(&mut panel, "listen_later");
    press(&mut panel, KeyCode::Right);
    press(&mut panel, KeyCode::Right);
    goto_field(&mut panel, "tags");
    type_text(&mut panel, r#"["a, b", "c"]"#);
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "search_meetings".into(),
            args: args(json!({
                "id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
                "search": "roadmap",
                "limit": 10,
                "offset": 0,
                "fields": ["name", "date", "key_points"],
                "listen_later": false,
                "tags": ["a, b", "c"],
            }))
        }
    );

    // An array of ids as JSON.
    press(&mut panel, KeyCode::Esc);
    goto_field(&mut panel, "id");
    clear_field(&mut panel);
    type_text(&mut panel, r#"["0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"]"#);
    let ToolsOutcome::Run { args: sent, .. } = run(&mut panel) else {
        panic!("should run")
    };
    assert_eq!(
        sent.get("id"),
        Some(&json!(["0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"]))
    );
}

fn error_of(panel: &ToolsPanel, field: &str) -> Option<String> {
    panel
        .form()?
        .fields()
        .iter()
        .find(|f| f.name() == field)?
        .error()
        .map(str::to_owned)
}

#[test]
fn validation_errors_block_the_run() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "search_meetings");
    goto_field(&mut panel, "limit");
    clear_field(&mut panel);
    type_text(&mut panel, "0");
    assert_eq!(error_of(&panel, "limit").as_deref(), Some("must be ≥ 1"));
    clear_field(&mut panel);
    type_text(&mut panel, "51");
    assert_eq!(error_of(&panel, "limit").as_deref(), Some("must be ≤ 50"));
    clear_field(&mut panel);
    type_text(&mut panel, "ten");
    assert_eq!(
        error_of(&panel, "limit").as_deref(),
        Some("ten is not a number")
    );
    clear_field(&mut panel);
    type_text(&mut panel, "2.5");
    assert_eq!(
        error_of(&panel, "limit").as_deref(),
        Some("must be a whole number")
    );
    goto_field(&mut panel, "search");
    type_text(&mut panel, "ab");
    assert_eq!(
        error_of(&panel, "search").as_deref(),
        Some("at least 3 characters")
    );
    goto_field(&mut panel, "fields");
    type_text(&mut panel, "name, colour");
    assert_eq!(
        error_of(&panel, "fields").as_deref(),
        Some(
            "item 2: must be one of: name, date, url, is_recurring, attendees, speakers, transcript, agenda, \
             meeting_notes, detailed_summary, key_points, action_items, past_meeting_occurrences"
        )
    );
    goto_field(&mut panel, "tags");
    type_text(&mut panel, "[\"a\",");
    assert_eq!(
        error_of(&panel, "tags").as_deref(),
        Some("not valid JSON: EOF while parsing a value at line 1 column 5")
    );

    // The run is refused and the focus goes to the first bad field.
    assert_eq!(run(&mut panel), ToolsOutcome::None);
    assert_eq!(panel.focus(), Focus::Form);
    assert_eq!(
        panel.form().and_then(|f| f.focused()).map(|f| f.name()),
        Some("search")
    );
}

#[test]
fn required_and_pattern_checks() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "get_multiple_documents");
    // Untouched required fields are not red until a run is attempted.
    assert_eq!(error_of(&panel, "ids"), None);
    assert_eq!(run(&mut panel), ToolsOutcome::None);
    assert_eq!(error_of(&panel, "ids").as_deref(), Some("required"));
    type_text(&mut panel, "0F3C");
    assert_eq!(
        error_of(&panel, "ids").as_deref(),
        Some("item 1: at least 32 characters")
    );
    clear_field(&mut panel);
    type_text(&mut panel, "0F3C9A8E6B2D4F1A9C7E5B3D1F2A4C6E");
    assert_eq!(
        error_of(&panel, "ids").as_deref(),
        Some("item 1: must match ^[a-f0-9]{32}$")
    );
    clear_field(&mut panel);
    type_text(
        &mut panel,
        "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e, 9a1b2c3d4e5f60718293a4b5c6d7e8f9",
    );
    assert_eq!(error_of(&panel, "ids"), None);
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "get_multiple_documents".into(),
            args: args(
                json!({"ids": ["0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e", "9a1b2c3d4e5f60718293a4b5c6d7e8f9"]})
            )
        }
    );
}

#[test]
fn a_form_with_no_fields_runs_with_no_arguments() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "date_time");
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "date_time".into(),
            args: args(json!({}))
        }
    );
    // Ctrl-Enter and F5 from the list run too.
    press(&mut panel, KeyCode::Esc);
    assert_eq!(
        panel.handle_key(
            KeyEvent::new(KeyCode::Enter, KeyModifiers::CONTROL),
            &Keymap::default()
        ),
        ToolsOutcome::Run {
            name: "date_time".into(),
            args: args(json!({}))
        }
    );
    press(&mut panel, KeyCode::Tab);
    assert_eq!(panel.focus(), Focus::List);
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "date_time".into(),
            args: args(json!({}))
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Key sequences and focus

#[test]
fn esc_walks_back_out_and_closes() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "get_document");
    type_text(&mut panel, "q");
    assert_eq!(press(&mut panel, KeyCode::Esc), ToolsOutcome::None);
    assert_eq!(panel.focus(), Focus::List);
    // What was typed survives leaving the form.
    assert_eq!(panel.form().map(|f| f.fields()[0].text()), Some(Some("q")));
    assert_eq!(press(&mut panel, KeyCode::Esc), ToolsOutcome::Close);
}

#[test]
fn tab_and_arrows_move_between_fields() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "list_action_items");
    let focused = |p: &ToolsPanel| p.form().map(|f| f.focus());
    press(&mut panel, KeyCode::Tab);
    press(&mut panel, KeyCode::Down);
    assert_eq!(focused(&panel), Some(2));
    press(&mut panel, KeyCode::BackTab);
    assert_eq!(focused(&panel), Some(1));
    press(&mut panel, KeyCode::Up);
    press(&mut panel, KeyCode::Up);
    assert_eq!(focused(&panel), Some(0));
    press(&mut panel, KeyCode::BackTab);
    assert_eq!(focused(&panel), Some(3));
    press(&mut panel, KeyCode::Tab);
    assert_eq!(focused(&panel), Some(0));
}

#[test]
fn results_scroll_toggle_raw_and_fold() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "list_action_items");
    assert!(matches!(run(&mut panel), ToolsOutcome::Run { .. }));
    panel.set_running("list_action_items");
    panel.set_result("list_action_items", Ok(fixture_result("list_action_items")));
    let _ = draw(&panel, 100, 30);
    // The items are a table; `t` shows them as the JSON tree.
    press(&mut panel, KeyCode::Char('t'));
    assert_eq!(panel.result().map(|r| r.view()), Some(View::Tree));
    let tree = |p: &ToolsPanel| {
        p.result()
            .and_then(|r| r.tree())
            .map(|t| (t.cursor_pointer().to_owned(), t.len()))
    };
    assert_eq!(tree(&panel), Some((String::new(), 6)));
    press(&mut panel, KeyCode::Char('j'));
    press(&mut panel, KeyCode::Char('j'));
    assert_eq!(tree(&panel), Some(("/action_items".to_owned(), 6)));
    press(&mut panel, KeyCode::Enter);
    assert_eq!(tree(&panel), Some(("/action_items".to_owned(), 4)));
    press(&mut panel, KeyCode::Char('+'));
    assert_eq!(tree(&panel), Some(("/action_items".to_owned(), 20)));
    press(&mut panel, KeyCode::Char('G'));
    assert_eq!(tree(&panel), Some(("/has_more".to_owned(), 20)));
    press(&mut panel, KeyCode::Char('r'));
    assert_eq!(panel.result().map(|r| r.view()), Some(View::Raw));
    press(&mut panel, KeyCode::Char('r'));
    assert_eq!(panel.result().map(|r| r.view()), Some(View::Main));
    press(&mut panel, KeyCode::Esc);
    assert_eq!(panel.focus(), Focus::Form);
}

/// The panel's hints as (keys, what they do), from the default keymap.
fn hints(panel: &ToolsPanel) -> Vec<(String, &'static str)> {
    panel
        .key_hints(&Keymap::default())
        .into_iter()
        .map(|h| (h.keys.join(" "), h.label))
        .collect()
}

fn owned(pairs: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    pairs.iter().map(|(k, l)| ((*k).to_owned(), *l)).collect()
}

#[test]
fn key_hints_follow_the_focus() {
    let mut panel = ToolsPanel::new(krisp_tools());
    assert_eq!(
        hints(&panel),
        owned(&[
            ("↑ ↓ k j", "select tool"),
            ("Enter → l", "open form"),
            ("F5", "run"),
            ("Esc q", "close")
        ])
    );
    open(&mut panel, "list_action_items");
    assert_eq!(
        hints(&panel),
        owned(&[
            ("Tab Shift-Tab Enter ↑ ↓", "next/previous field"),
            ("Space ← →", "toggle / choose"),
            ("F5 Ctrl-Enter Ctrl-j", "run"),
            ("Esc", "back to list"),
        ])
    );
    panel.set_result("list_action_items", Ok(fixture_result("list_action_items")));
    press(&mut panel, KeyCode::F(6));
    assert_eq!(
        hints(&panel),
        owned(&[
            ("↑ ↓ PgUp PgDn k j", "scroll"),
            ("r", "raw JSON"),
            ("Enter", "open meeting"),
            ("t", "table / tree"),
            ("F5", "run again"),
            ("Esc", "back to form"),
        ])
    );
    press(&mut panel, KeyCode::Char('t'));
    assert_eq!(
        hints(&panel),
        owned(&[
            ("↑ ↓ PgUp PgDn k j", "scroll"),
            ("r", "raw JSON"),
            ("Enter Space → ← l h", "fold / unfold"),
            ("+ = -", "unfold / fold all"),
            ("t", "table / tree"),
            ("F5", "run again"),
            ("Esc", "back to form"),
        ])
    );
}

/// The TUI's `State` is `Clone` (drawing works from a snapshot), so the panel is too, and a
/// clone carries on independently.
#[test]
fn a_cloned_panel_keeps_its_state() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "get_document");
    type_text(&mut panel, "abc");
    let snapshot = panel.clone();
    type_text(&mut panel, "d");
    assert_eq!(
        snapshot.form().map(|f| f.fields()[0].text()),
        Some(Some("abc"))
    );
    assert_eq!(
        panel.form().map(|f| f.fields()[0].text()),
        Some(Some("abcd"))
    );
    assert_eq!(draw(&snapshot, 100, 30).backend().to_string(), {
        let mut again = snapshot.clone();
        press(&mut again, KeyCode::Tab);
        press(&mut again, KeyCode::BackTab);
        draw(&again, 100, 30).backend().to_string()
    });
}

#[test]
fn mouse_selects_tools_and_fields() {
    let mut panel = ToolsPanel::new(krisp_tools());
    let area = Rect::new(0, 0, 100, 30);
    let _ = draw(&panel, 100, 30);
    let click = |col, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Third tool: rows 1-2 are the first, 3-4 the second, 5-6 the third.
    assert_eq!(panel.handle_mouse(click(5, 5), area), ToolsOutcome::None);
    assert_eq!(
        panel.selected().map(|t| t.name.as_ref()),
        Some("get_multiple_documents")
    );
    assert_eq!(panel.focus(), Focus::List);
    panel.handle_mouse(click(5, 6), area);
    assert_eq!(panel.focus(), Focus::Form);
    let scroll = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    panel.handle_mouse(scroll, area);
    assert_eq!(
        panel.selected().map(|t| t.name.as_ref()),
        Some("list_action_items")
    );
    // The form's first field is below the description (1 line) and a blank line.
    let _ = draw(&panel, 100, 30);
    panel.handle_mouse(click(40, 4), area);
    assert_eq!(panel.form().map(|f| f.focus()), Some(1));
    panel.handle_mouse(click(60, 4), area);
    assert_eq!(
        panel
            .form()
            .and_then(|f| f.fields()[1].value().ok().flatten()),
        Some(json!(true))
    );
}

#[test]
fn new_tools_appear_and_typed_values_survive() {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "get_document");
    type_text(&mut panel, "abc");
    press(&mut panel, KeyCode::Esc);
    let mut tools = krisp_tools();
    tools.insert(
        0,
        Tool::new(
            "tag_meeting",
            "Tag a meeting.",
            args(json!({"type": "object", "properties": {"tag": {"type": "string"}}})),
        ),
    );
    panel.set_tools(tools);
    assert_eq!(panel.tools().len(), 8);
    assert_eq!(
        panel.selected().map(|t| t.name.as_ref()),
        Some("get_document")
    );
    assert_eq!(
        panel.form().map(|f| f.fields()[0].text()),
        Some(Some("abc"))
    );
    open(&mut panel, "tag_meeting");
    type_text(&mut panel, "q1");
    assert_eq!(
        run(&mut panel),
        ToolsOutcome::Run {
            name: "tag_meeting".into(),
            args: args(json!({"tag": "q1"}))
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown and JSON tree

fn plain(text: &ratatui::text::Text<'_>) -> Vec<String> {
    text.lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

#[test]
fn markdown_headings_lists_tasks_code_links() {
    let md = "# Title\n\nSome *em* and **strong** with `code`.\n\n## Items\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n- [ ] open\n- [x] done\n\n```rust\nlet x = 1;\n```\n\nSee [docs](https://example.com) or <https://example.com>.\n\n---\n> quoted";
    assert_eq!(
        plain(&markdown::to_text(md, &Theme::default())),
        [
            "Title",
            "",
            "Some em and strong with code.",
            "",
            "Items",
            "",
            "• one",
            "• two",
            "  • nested",
            "",
            "1. first",
            "2. second",
            "",
            "[ ] open",
            "[x] done",
            "",
            "  rust",
            "  let x = 1;",
            "",
            "See docs (https://example.com) or https://example.com.",
            "",
            "────────────────────────────────",
            "",
            "│ quoted",
        ]
    );
}

#[test]
fn markdown_is_sanitized() {
    let text = markdown::to_text(
        "evil \u{1b}[2J text\n\n```\n\u{7}bell\n```",
        &Theme::default(),
    );
    assert_eq!(plain(&text), ["evil ␛[2J text", "", "  ␇bell"]);
}

#[test]
fn json_tree_expand_collapse() {
    let theme = Theme::default();
    let mut tree = JsonTree::new(json!({"a": {"b": {"c": [1, 2]}}, "d": "x"}));
    assert_eq!(
        tree.row_texts(&theme),
        [
            "▾ {2 keys}",
            "  ▾ a: {1 key}",
            "    ▸ b: {1 key}",
            "    d: \"x\""
        ]
    );
    tree.expand_all();
    assert_eq!(tree.len(), 7);
    tree.down(2);
    tree.toggle();
    assert_eq!(tree.len(), 4);
    tree.collapse_all();
    assert_eq!(
        tree.row_texts(&theme),
        ["▾ {2 keys}", "  ▸ a: {1 key}", "    d: \"x\""]
    );
    assert_eq!(tree.cursor_pointer(), "/a");
}

// ---------------------------------------------------------------------------------------------
// Results read by their shape

/// The rows of the result pane (below the form), trimmed, as text.
fn result_rows(panel: &ToolsPanel, now: Option<jiff::Timestamp>) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("test terminal");
    terminal
        .draw(|frame| {
            panel.render_at(
                frame.area(),
                frame.buffer_mut(),
                &Theme::default(),
                now,
                &jiff::tz::TimeZone::UTC,
            )
        })
        .expect("draw");
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            // The result pane is right of the tool list, inside its border.
            (35..buf.area.width - 1)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

#[test]
fn get_document_reads_as_markdown_like_get_multiple_documents() {
    let panel = result_panel("get_document", Ok(fixture_result("get_document")));
    let rows = result_rows(&panel, None);
    for line in [
        "Document 0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
        "Action Items",
        "[ ] Bob Ray to send the plan (Bob Ray)",
        "Key Points",
        "Anna Lee | 00:04",
        "Let's start with the timeline.",
    ] {
        assert!(
            rows.iter().any(|r| r.trim_start().starts_with(line)),
            "{line:?} not in {rows:#?}"
        );
    }
    assert!(
        !rows.iter().any(|r| r.contains('␤')),
        "escaped text: {rows:#?}"
    );
}

#[test]
fn upcoming_meetings_show_their_times_in_words() {
    let panel = result_panel(
        "list_upcoming_meetings",
        Ok(fixture_result("list_upcoming_meetings")),
    );
    let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().expect("a time");
    let rows = result_rows(&panel, Some(now));
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.contains(name))
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| panic!("{name} not in {rows:#?}"))
    };
    assert!(row("When").starts_with("When What Who"), "{rows:#?}");
    assert!(row("Engineering standup").starts_with("tomorrow 08:30 Engineering standup Daniel"));
    assert!(
        row("Harbor Freightways")
            .starts_with("Thu 3 Dec 09:00 Harbor Freightways pilot kickoff Tom")
    );
    // Without a clock: the time in the user's zone.
    let rows = result_rows(&panel, None);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("2026-12-02 08:30 UTC Engineering standup")),
        "{rows:#?}"
    );
}

#[test]
fn action_items_and_activities_are_tables() {
    let panel = result_panel("list_action_items", Ok(fixture_result("list_action_items")));
    let rows = result_rows(&panel, None);
    let words = |r: &String| r.split_whitespace().collect::<Vec<_>>().join(" ");
    let table: Vec<String> = rows.iter().map(words).filter(|r| !r.is_empty()).collect();
    assert!(table.contains(&"What Who Meeting".to_owned()), "{table:#?}");
    assert!(
        table.contains(&"[ ] Send the plan Bob Ray Q4 roadmap review".to_owned()),
        "{table:#?}"
    );
    assert!(
        table.contains(&"[x] Book the room Q4 roadmap review".to_owned()),
        "{table:#?}"
    );
    assert!(!table.iter().any(|r| r.contains("keys}")), "{table:#?}");

    let panel = result_panel("list_activities", Ok(fixture_result("list_activities")));
    let now: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().expect("a time");
    let table: Vec<String> = result_rows(&panel, Some(now)).iter().map(words).collect();
    assert!(table.contains(&"When What Event".to_owned()), "{table:#?}");
    assert!(
        table.contains(
            &"today 10:22 Tom Hale completed: add the pipeline slide action item completed"
                .to_owned()
        ),
        "{table:#?}"
    );
}

fn opened(outcome: ToolsOutcome) -> Option<(String, String)> {
    match outcome {
        ToolsOutcome::OpenMeeting { meeting: m, .. } => Some((m.id.0, m.name)),
        _ => None,
    }
}

#[test]
fn enter_opens_the_meeting_of_a_row_a_summary_or_a_tree_node() {
    // A table row: the selected one.
    let mut panel = result_panel("list_activities", Ok(fixture_result("list_activities")));
    let _ = draw(&panel, 100, 30);
    press(&mut panel, KeyCode::Down);
    press(&mut panel, KeyCode::Down);
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)),
        Some((
            "ed9b1e6466135175b5f6808c52b23a02".to_owned(),
            "Summary ready: Acme renewal: commercial terms".to_owned()
        ))
    );
    // A click selects a row too.
    let term = draw(&panel, 100, 30);
    let buf = term.backend().buffer();
    let y = (0..buf.area.height)
        .find(|&y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("Summary ready: Board deck prep")
        })
        .expect("the row is drawn");
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 60,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    panel.handle_mouse(click, Rect::new(0, 0, 100, 30));
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.0),
        Some("cb63fae1a6205c10b578d5808d9a2ef9".to_owned())
    );
    // An action item names its meeting.
    let mut panel = result_panel("list_action_items", Ok(fixture_result("list_action_items")));
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)),
        Some((
            "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned(),
            "Q4 roadmap review".to_owned()
        ))
    );

    // A summary: the meeting at the top of the view.
    let mut panel = result_panel("search_meetings", Ok(fixture_result("search_meetings")));
    let _ = draw(&panel, 100, 30);
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.0),
        Some("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned())
    );
    press(&mut panel, KeyCode::Char('G'));
    let _ = draw(&panel, 100, 30);
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.0),
        Some("9a1b2c3d4e5f60718293a4b5c6d7e8f9".to_owned())
    );
    // A document stands for its meeting.
    let mut panel = result_panel("get_document", Ok(fixture_result("get_document")));
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.0),
        Some("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned())
    );

    // The tree: on a meeting id; elsewhere Enter folds as before.
    let mut panel = result_panel("list_activities", Ok(fixture_result("list_activities")));
    press(&mut panel, KeyCode::Char('t'));
    let pointer = |p: &ToolsPanel| {
        p.result()
            .and_then(|r| r.tree())
            .map(|t| t.cursor_pointer().to_owned())
    };
    press(&mut panel, KeyCode::Char('+'));
    while pointer(&panel).as_deref() != Some("/activities/0/meeting_id") {
        let before = pointer(&panel);
        press(&mut panel, KeyCode::Down);
        assert_ne!(pointer(&panel), before, "no meeting id row");
    }
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.0),
        Some("cb63fae1a6205c10b578d5808d9a2ef9".to_owned())
    );
    // On an item holding a meeting id too; ← → still fold it.
    press(&mut panel, KeyCode::Left);
    assert_eq!(pointer(&panel).as_deref(), Some("/activities/0"));
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)).map(|m| m.1),
        Some("Tom Hale completed: add the pipeline slide".to_owned())
    );
    press(&mut panel, KeyCode::Home);
    assert_eq!(press(&mut panel, KeyCode::Enter), ToolsOutcome::None);
    assert_eq!(
        panel.result().and_then(|r| r.tree()).map(|t| t.len()),
        Some(1)
    );

    // Nothing to open in a result that names no meeting.
    let mut panel = result_panel("date_time", Ok(fixture_result("date_range")));
    assert_eq!(opened(press(&mut panel, KeyCode::Enter)), None);
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// A meeting found in a result (which keeps its strings' line breaks) opens with its name on
/// one line, as every meeting the app holds.
#[test]
fn a_meeting_opened_from_a_result_has_its_name_on_one_line() {
    let (name, result) = called(
        "search_meetings",
        Ok(CallToolResult::structured(json!({"meetings": [{
            "meeting_id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e",
            "name": "Q4\nid: fake \u{1b}[2J",
            "key_points": ["Notes make it a meeting summary, not a table row."],
        }]}))),
    );
    let mut panel = result_panel(&name, result);
    let _ = draw(&panel, 100, 30);
    assert_eq!(
        opened(press(&mut panel, KeyCode::Enter)),
        Some((
            "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned(),
            "Q4␤id: fake ␛[2J".to_owned()
        ))
    );
}

fn result_panel(name: &str, result: Result<CallToolResult, String>) -> ToolsPanel {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, name);
    panel.set_running(name);
    panel.set_result(name, result);
    press(&mut panel, KeyCode::F(6));
    assert_eq!(panel.focus(), Focus::Result);
    panel
}

fn form_with_error() -> ToolsPanel {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "search_meetings");
    type_text(&mut panel, "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e");
    goto_field(&mut panel, "limit");
    clear_field(&mut panel);
    type_text(&mut panel, "80");
    panel
}

/// A run that has been sent and not answered yet, with no earlier result.
fn running_panel() -> ToolsPanel {
    let mut panel = ToolsPanel::new(krisp_tools());
    open(&mut panel, "list_upcoming_meetings");
    let ToolsOutcome::Run { name, .. } = run(&mut panel) else {
        panic!("should run")
    };
    panel.set_running(&name);
    panel
}

fn snapshot_states() -> Vec<(&'static str, ToolsPanel)> {
    let mut raw = result_panel("search_meetings", Ok(fixture_result("search_meetings")));
    press(&mut raw, KeyCode::Char('r'));
    vec![
        ("list", ToolsPanel::new(krisp_tools())),
        ("form_error", form_with_error()),
        (
            "markdown_result",
            result_panel("date_time", Ok(fixture_result("date_time"))),
        ),
        (
            "json_tree_result",
            result_panel("date_time", Ok(fixture_result("date_range"))),
        ),
        (
            "action_items_table",
            result_panel("list_action_items", Ok(fixture_result("list_action_items"))),
        ),
        (
            "activities_table",
            result_panel("list_activities", Ok(fixture_result("list_activities"))),
        ),
        (
            "upcoming_table",
            result_panel(
                "list_upcoming_meetings",
                Ok(fixture_result("list_upcoming_meetings")),
            ),
        ),
        (
            "document_result",
            result_panel("get_document", Ok(fixture_result("get_document"))),
        ),
        (
            "meetings_result",
            result_panel("search_meetings", Ok(fixture_result("search_meetings"))),
        ),
        (
            "error_result",
            result_panel("get_document", Ok(fixture_result("get_document_error"))),
        ),
        (
            "failed_call",
            result_panel("get_document", Err("connection reset by peer".to_owned())),
        ),
        (
            "documents_result",
            result_panel(
                "get_multiple_documents",
                Ok(fixture_result("get_multiple_documents")),
            ),
        ),
        ("raw_view", raw),
        ("running", running_panel()),
    ]
}

#[test]
fn snapshots_100x30() {
    for (name, panel) in snapshot_states() {
        insta::assert_snapshot!(format!("{name}_100x30"), draw(&panel, 100, 30).backend());
    }
}

#[test]
fn snapshots_40x12() {
    for (name, panel) in snapshot_states() {
        insta::assert_snapshot!(format!("{name}_40x12"), draw(&panel, 40, 12).backend());
    }
}

#[test]
fn no_panic_at_any_small_size() {
    for (_, panel) in snapshot_states() {
        for width in 1..=30 {
            for height in 1..=10 {
                let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
                panel.render(buf.area, &mut buf, &Theme::default());
            }
        }
    }
    // Rendering into a region offset inside a larger buffer, and an area sticking out of it.
    let panel = form_with_error();
    let mut buf = Buffer::empty(Rect::new(0, 0, 50, 20));
    panel.render(Rect::new(10, 5, 60, 30), &mut buf, &Theme::default());
}

/// Control characters and the bidi controls a sanitized screen never shows.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Tools as the panel gets them: listed by the server, then sanitized where the event enters
/// the app (`ClientEvent::sanitized`, at the top of `update`'s `on_client`).
fn listed(tools: Vec<Tool>) -> Vec<Tool> {
    let event = ClientEvent::ToolsListed {
        id: RequestId(1),
        result: Ok(tools),
    };
    match event.sanitized() {
        ClientEvent::ToolsListed {
            result: Ok(tools), ..
        } => tools,
        other => panic!("{other:?}"),
    }
}

/// A tool's answer as the panel gets it (see [`listed`]): a failure's message as its text.
fn called(
    name: &str,
    result: Result<CallToolResult, String>,
) -> (String, Result<CallToolResult, String>) {
    let event = ClientEvent::ToolCalled {
        id: RequestId(2),
        name: name.to_owned(),
        result: result.map_err(RequestError::new),
    };
    match event.sanitized() {
        ClientEvent::ToolCalled { name, result, .. } => (name, result.map_err(|e| e.message)),
        other => panic!("{other:?}"),
    }
}

/// Hostile tool text, through the entry sanitizer as the app gets it, never reaches the screen
/// raw, in any of the panel's views.
#[test]
fn hostile_tool_text_never_reaches_the_screen_raw() {
    let evil = "evil\u{1b}[2J\u{202e}";
    let schema = args(json!({
        "type": "object",
        "required": ["x\u{1b}]0;pwned\u{7}"],
        "properties": {
            "x\u{1b}]0;pwned\u{7}": {"type": "string", "default": "\u{1b}[31mred", "description": "\u{9b}31m \u{202e}"},
            "p": {"type": "string", "pattern": "^\u{202e}x$", "format": "\u{202e}date"},
            "e": {"type": "array", "items": {"enum": ["\u{202e}a"]}},
            "c": {"enum": ["\u{202e}\u{1b}[1m", 2]}
        }
    }));
    let tools = listed(vec![Tool::new(
        evil,
        "desc \u{1b}[5m \u{2066}blink",
        schema,
    )]);
    let shown = tools[0].name.to_string();
    let mut panel = ToolsPanel::new(tools);
    let set_result = |panel: &mut ToolsPanel, result| {
        let (name, result) = called(evil, result);
        assert_eq!(name, shown);
        panel.set_result(&name, result);
    };
    let mut screens = Vec::new();
    let mut snap = |p: &ToolsPanel| {
        let terminal = draw(p, 100, 30);
        let cells = terminal.backend().buffer().content().iter();
        screens.push(cells.map(|c| c.symbol().to_owned()).collect::<String>());
    };
    snap(&panel);
    open(&mut panel, &shown);
    snap(&panel);
    goto_field(&mut panel, "p");
    type_text(&mut panel, "a");
    snap(&panel);
    goto_field(&mut panel, "e");
    type_text(&mut panel, "b");
    snap(&panel);
    goto_field(&mut panel, "c");
    press(&mut panel, KeyCode::Right);
    snap(&panel);
    panel.set_running(&shown);
    set_result(
        &mut panel,
        Ok(CallToolResult::structured(
            json!({"k\u{1b}\u{202e}": "\u{1b}[31m\u{2067}", "list": ["\u{85}"]}),
        )),
    );
    snap(&panel);
    press(&mut panel, KeyCode::F(6));
    press(&mut panel, KeyCode::Char('r'));
    snap(&panel);
    set_result(&mut panel, Err("failed: \u{1b}[2J\u{202e}".to_owned()));
    snap(&panel);
    // A table and a document, each cell and line from the server.
    let hostile = "\u{1b}[31mred\u{202e}";
    set_result(
        &mut panel,
        Ok(CallToolResult::structured(json!({"action_items": [{
            "title": hostile, "assignee": hostile, "due_date": hostile, "completed": false,
            "meeting": {"id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e", "name": hostile}
        }]}))),
    );
    snap(&panel);
    set_result(
        &mut panel,
        Ok(CallToolResult::structured(
            json!({"id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e", "document": format!("# {hostile}\n\n{hostile}")}),
        )),
    );
    snap(&panel);

    // A meeting summary: a meeting's one-line names, whatever line breaks the server put in.
    set_result(
        &mut panel,
        Ok(CallToolResult::structured(json!({"meetings": [{
            "meeting_id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e", "name": format!("two\nlines {hostile}"),
            "speakers": [hostile], "attendees": [hostile], "tags": [hostile], "key_points": [hostile],
            "url": format!("https://x/\n{hostile}"), "date": format!("soon\n{hostile}")
        }]}))),
    );
    snap(&panel);

    // The buffer drops zero-width characters by itself, so look for the sanitizer's placeholders.
    let expect = [
        (0, "evil␛[2J⟨U+202E⟩"),
        (1, "desc ␛[5m ⟨U+2066⟩blink"),
        (2, "✗ p: must match ^⟨U+202E⟩x$"),
        (2, "string (⟨U+202E⟩date)"),
        (3, "✗ e: item 1: must be one of: ⟨U+202E⟩a"),
        (4, "◂ ⟨U+202E⟩␛[1m ▸"),
        (5, "k␛⟨U+202E⟩: \"␛[31m⟨U+2067⟩\""),
        // The raw view is the JSON of what came in, sanitized.
        (6, "\"k␛⟨U+202E⟩\": \"␛[31m⟨U+2067⟩\""),
        (7, "failed: ␛[2J⟨U+202E⟩"),
        (8, "[ ] ␛[31mred⟨U+202E⟩"),
        (9, "␛[31mred⟨U+202E⟩"),
        (10, "two␤lines ␛[31mred⟨U+202E⟩"),
        (10, "Speakers: ␛[31mred⟨U+202E⟩"),
        (10, "https://x/␤␛[31mred⟨U+202E⟩"),
    ];
    for (i, text) in expect {
        assert!(
            screens[i].contains(text),
            "screen {i} lacks {text}: {}",
            screens[i]
        );
    }
    for screen in screens {
        assert!(
            !screen.chars().any(unsafe_char),
            "unsafe character on screen: {screen:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness: arbitrary schemas and key sequences

mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::select;

    const KEYWORDS: &[&str] = &[
        "type",
        "enum",
        "const",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "properties",
        "required",
        "additionalProperties",
        "$ref",
        "description",
        "format",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            select(vec![
                "string", "integer", "number", "boolean", "array", "object", "null"
            ])
            .prop_map(Value::from),
            "[a-z0-9\\[\\](){}*+?^$|\\\\\u{1b}\u{85}\u{202e},]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((select(KEYWORDS.to_vec()), inner), 0..6).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    fn input_schema() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        let props = prop::collection::vec(("[a-z\u{1b}\u{202e}]{1,6}", json_value()), 0..6);
        (
            props,
            prop::collection::vec("[a-z]{1,6}", 0..3),
            json_value(),
        )
            .prop_map(|(props, required, extra)| {
                let mut schema = serde_json::Map::new();
                schema.insert("type".into(), "object".into());
                schema.insert(
                    "properties".into(),
                    Value::Object(props.into_iter().collect()),
                );
                schema.insert("required".into(), json!(required));
                if let Value::Object(extra) = extra {
                    schema.extend(extra);
                }
                schema
            })
    }

    fn key_event() -> impl Strategy<Value = KeyEvent> {
        let codes = vec![
            KeyCode::Char('a'),
            KeyCode::Char('1'),
            KeyCode::Char('-'),
            KeyCode::Char('['),
            KeyCode::Char(']'),
            KeyCode::Char('"'),
            KeyCode::Char(','),
            KeyCode::Char(' '),
            KeyCode::Char('{'),
            KeyCode::Char('}'),
            KeyCode::Char('r'),
            KeyCode::Char('t'),
            KeyCode::Char('j'),
            KeyCode::Char('k'),
            KeyCode::Char('+'),
            KeyCode::Char('G'),
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::F(5),
            KeyCode::F(6),
            KeyCode::Backspace,
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::End,
        ];
        select(codes).prop_map(key)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Whatever the schema and whatever is typed: no panic, and a run sends only fields the
        /// schema has (or what the raw-arguments field holds).
        #[test]
        fn any_schema_any_keys(
            schemas in prop::collection::vec(input_schema(), 1..4),
            keys in prop::collection::vec(key_event(), 0..60),
            structured in json_value(),
            width in 1u16..120,
            height in 1u16..40,
        ) {
            let tools: Vec<Tool> = schemas
                .iter()
                .enumerate()
                .map(|(i, s)| Tool::new(format!("tool{i}"), "fuzzed", s.clone()))
                .collect();
            // As the app gets them: sanitized where the events enter it.
            let mut panel = ToolsPanel::new(listed(tools));
            let (name, result) = called("tool0", Ok(CallToolResult::structured(structured)));
            panel.set_result(&name, result);
            for k in keys {
                if let ToolsOutcome::Run { name, args } = panel.handle_key(k, &Keymap::default()) {
                    let tool = panel.tools().iter().find(|t| t.name == name.as_str()).cloned();
                    let props = tool.as_ref().and_then(|t| t.input_schema.get("properties")).and_then(Value::as_object);
                    let raw = panel.form().is_some_and(|f| f.fields().iter().any(|f| f.name() == "(arguments)"));
                    for arg in args.keys() {
                        let required = tool.as_ref().and_then(|t| t.input_schema.get("required")).and_then(Value::as_array)
                            .is_some_and(|r| r.contains(&Value::String(arg.clone())));
                        prop_assert!(raw || required || props.is_some_and(|p| p.contains_key(arg)), "unexpected argument {arg}");
                    }
                }
                let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
                panel.render(buf.area, &mut buf, &Theme::default());
                prop_assert!(!buf.content().iter().any(|c| c.symbol().chars().any(unsafe_char)));
            }
        }
    }
}

/// The panel's keys come from the keymap's `tools`, `tools_form` and `tools_result` sections,
/// which `config.toml`'s `[keys.*]` override key by key like every other screen's; what a form
/// field does not bind is typed into it.
#[test]
fn rebound_tools_keys_work_and_the_hints_name_them() {
    use crate::tui_common::{App, client, demo_meetings};
    use krisp_tui::message::{Action, ClientEvent, Command, Msg};
    use std::collections::BTreeMap;

    let overrides = BTreeMap::from([
        (
            "tools".to_owned(),
            BTreeMap::from([
                ("f5".to_owned(), Action::Unbound),
                ("x".to_owned(), Action::RunTool),
            ]),
        ),
        (
            "tools_form".to_owned(),
            BTreeMap::from([("ctrl-r".to_owned(), Action::RunTool)]),
        ),
        (
            "tools_result".to_owned(),
            BTreeMap::from([
                ("r".to_owned(), Action::Unbound),
                ("v".to_owned(), Action::RawView),
            ]),
        ),
    ]);
    let (keymap, problems) = Keymap::with_overrides(&overrides);
    assert_eq!(problems, Vec::<String>::new());
    let mut app = App::loaded(demo_meetings());
    app.state.keymap = keymap;
    app.resize(120, 40);
    let cmds = app.send(Msg::Key(key(KeyCode::Char(':'))));
    let Some(Command::ListTools { id }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let tool: Tool = serde_json::from_value(json!({
        "name": "search_meetings",
        "description": "Search meetings.",
        "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}}}
    }))
    .expect("a tool");
    app.send(client(ClientEvent::ToolsListed {
        id,
        result: Ok(vec![tool]),
    }));
    let panel = |app: &App| app.state.tools.panel.clone().expect("the panel");
    let call = |cmds: &[Command]| match cmds {
        [Command::CallTool { name, args, .. }] => Some((name.clone(), args.clone())),
        _ => None,
    };

    // The list: F5 no longer runs, `x` does; the footer names `x`.
    assert_eq!(app.send(Msg::Key(key(KeyCode::F(5)))), []);
    let screen = app.render();
    assert!(screen.contains(" x run "), "{screen}");
    assert!(!screen.contains("F5"), "{screen}");
    let cmds = app.send(Msg::Key(key(KeyCode::Char('x'))));
    let Some(Command::CallTool { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        call(&cmds),
        Some(("search_meetings".to_owned(), args(json!({}))))
    );
    app.send(client(ClientEvent::ToolCalled {
        id,
        name: "search_meetings".into(),
        result: Ok(CallToolResult::structured(json!({"count": 0}))),
    }));
    assert_eq!(panel(&app).focus(), Focus::Result);

    // The result: `r` is unbound, `v` shows the raw JSON, and help says so.
    app.send(Msg::Key(key(KeyCode::Char('r'))));
    assert_eq!(panel(&app).result().map(|r| r.view()), Some(View::Main));
    app.send(Msg::Key(key(KeyCode::Char('v'))));
    assert_eq!(panel(&app).result().map(|r| r.view()), Some(View::Raw));
    app.send(Msg::Key(key(KeyCode::F(1))));
    let help = krisp_tui::app::help::sections(&app.state);
    app.send(Msg::Key(key(KeyCode::F(1))));
    let tools = help
        .iter()
        .find(|s| s.title == "Tools panel")
        .expect("the panel's keys");
    assert!(
        tools
            .entries
            .contains(&("v".to_owned(), "raw JSON".to_owned())),
        "{tools:?}"
    );

    // The form: `x` and `v` are typed into the field (they are the list's and the result's
    // keys, not the form's), and Ctrl-R runs it.
    app.send(Msg::Key(key(KeyCode::Esc)));
    assert_eq!(panel(&app).focus(), Focus::Form);
    app.type_str("xv");
    let cmds = app.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(
        call(&cmds),
        Some(("search_meetings".to_owned(), args(json!({"query": "xv"}))))
    );
}
