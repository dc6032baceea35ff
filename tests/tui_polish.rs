//! Daily-use behaviour (issue 10): times in words and zones, feed columns, toasts and the
//! messages overlay, help, the footer. Update sequences and snapshots.

mod tui_common;

use crossterm::event::KeyCode;
use krisp_tui::message::{ClientEvent, Command};
use rmcp::model::CallToolResult;
use serde_json::json;
use tui_common::{App, client, code, demo_meetings, key};

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
        result: Ok(CallToolResult::structured(structured)),
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

    let mut dateless = tui_common::meeting(9, "Planning", time::OffsetDateTime::UNIX_EPOCH, &[]);
    dateless.date = None;
    let mut app = App::loaded(vec![dateless]);
    app.resize(100, 20);
    app.send(code(KeyCode::Enter));
    let text = app.render();
    assert!(!text.contains("UTC"), "{text}");
}
