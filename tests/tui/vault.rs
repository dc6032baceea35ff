//! Marking meetings and exporting the marked ones to a directory: `update` sequences (keys and
//! client events in, state and commands out) and snapshots of the marked list and the dialog.

use std::path::PathBuf;

use crate::tui_common::{App, client, code, demo_meetings, key};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use krisp_tui::app::Overlay;
use krisp_tui::krisp::MeetingId;
use krisp_tui::library::vault_dir::VaultSummary;
use krisp_tui::message::{ClientEvent, Command, Format, Msg, RequestError};

/// The meeting shown at `row`.
fn at(app: &App, row: usize) -> MeetingId {
    let i = app.state.home.meeting_at(row).expect("a row");
    app.state.home.meetings.all[i].id.clone()
}

fn marked(app: &App) -> Vec<MeetingId> {
    app.state.home.marked.iter().cloned().collect()
}

fn sorted(mut ids: Vec<MeetingId>) -> Vec<MeetingId> {
    ids.sort();
    ids
}

#[test]
fn space_marks_and_moves_on_v_and_star_mark_all_shown_esc_clears() {
    let mut app = App::loaded(demo_meetings());
    let n = app.state.home.visible_len();
    assert_eq!(app.send(code(KeyCode::Char(' '))), []);
    assert_eq!(marked(&app), [at(&app, 0)]);
    assert_eq!(app.state.home.list.selected, 1);
    app.send(code(KeyCode::Char(' ')));
    assert_eq!(marked(&app), sorted(vec![at(&app, 0), at(&app, 1)]));
    // Space on a marked meeting unmarks it.
    app.send(key('k'));
    app.send(code(KeyCode::Char(' ')));
    assert_eq!(marked(&app), [at(&app, 0)]);

    app.send(key('V'));
    assert_eq!(marked(&app).len(), n);
    // All shown are marked: V unmarks them.
    app.send(key('V'));
    assert_eq!(marked(&app), []);
    app.send(key('*'));
    assert_eq!(marked(&app).len(), n);
    app.send(code(KeyCode::Esc));
    assert_eq!(marked(&app), []);
}

#[test]
fn marks_in_search_results_mark_only_what_is_shown_and_survive_the_search() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('/'));
    app.type_str("roadmap");
    app.send(code(KeyCode::Tab)); // keys move the list again
    let shown = app.state.home.visible_len();
    assert!(shown >= 1 && shown < app.state.home.meetings.len());
    app.send(key('*'));
    assert_eq!(marked(&app).len(), shown);
    let roadmap = at(&app, 0);
    app.send(code(KeyCode::Esc)); // closes the search, keeps the marks
    assert!(app.state.home.search.is_none());
    assert!(app.state.home.marked.contains(&roadmap));
}

#[test]
fn e_with_marks_exports_them_to_a_directory_with_progress_and_a_summary() {
    let mut app = App::loaded(demo_meetings());
    app.send(code(KeyCode::Char(' ')));
    app.send(key('j'));
    app.send(code(KeyCode::Char(' ')));
    let (first, third) = (at(&app, 0), at(&app, 2));
    app.send(key('e'));
    let Some(Overlay::Export(d)) = &app.state.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.path_text(), "krisp-notes");
    assert_eq!(
        d.many.as_ref().map(|m| m.ids.clone()),
        Some(vec![first.clone(), third.clone()])
    );
    insta::assert_snapshot!("marked_export_dialog_100x30", app.render());

    // Another format leaves the directory as it is; the directory is editable.
    app.send(code(KeyCode::Right));
    app.send(code(KeyCode::Tab));
    app.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    app.type_str("~/notes/krisp");
    let cmds = app.send(code(KeyCode::Enter));
    let [
        Command::ExportMany {
            id,
            ids,
            format,
            dir,
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (ids.clone(), *format, dir.clone()),
        (
            vec![first, third],
            Format::Txt,
            PathBuf::from("~/notes/krisp")
        )
    );
    let id = *id;

    app.send(client(ClientEvent::ExportProgress {
        id,
        done: 1,
        total: 2,
    }));
    insta::assert_snapshot!("marked_export_progress_100x30", app.render());

    app.send(client(ClientEvent::ExportedMany {
        id,
        dir: PathBuf::from("/home/anna/notes/krisp"),
        result: Ok(VaultSummary {
            new: 1,
            processing: 1,
            ..VaultSummary::default()
        }),
    }));
    assert_eq!(app.state.overlay, None);
    assert_eq!(
        app.state.status.message.as_deref(),
        Some(
            "Exported to /home/anna/notes/krisp: 1 new, 0 updated, 0 unchanged, 0 kept because edited, 1 still processing"
        )
    );
    assert_eq!(marked(&app), [], "the marks go once exported");
}

#[test]
fn esc_while_writing_stops_the_export_and_says_what_was_written() {
    let mut app = App::loaded(demo_meetings());
    app.send(key('V'));
    app.send(key('e'));
    let cmds = app.send(code(KeyCode::Enter));
    let [Command::ExportMany { id, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let id = *id;
    assert_eq!(app.send(code(KeyCode::Esc)), [Command::Cancel(id)]);
    // Once is enough; the dialog waits for the writer to stop.
    assert_eq!(app.send(code(KeyCode::Esc)), []);
    let Some(Overlay::Export(d)) = &app.state.overlay else {
        panic!("the dialog closed before the writer stopped")
    };
    assert!(d.many.as_ref().unwrap().cancelling);
    app.send(client(ClientEvent::ExportedMany {
        id,
        dir: PathBuf::from("/tmp/krisp-notes"),
        result: Ok(VaultSummary {
            new: 2,
            cancelled: true,
            ..VaultSummary::default()
        }),
    }));
    assert_eq!(app.state.overlay, None);
    assert_eq!(
        app.state.status.message.as_deref(),
        Some(
            "Export stopped: 2 files written to /tmp/krisp-notes: 2 new, 0 updated, 0 unchanged, 0 kept because edited, 0 still processing"
        )
    );
    assert_eq!(
        marked(&app).len(),
        app.state.home.visible_len(),
        "marks kept"
    );
}

#[test]
fn a_failed_export_stays_in_the_dialog_with_its_sentence() {
    let mut app = App::loaded(demo_meetings());
    app.send(code(KeyCode::Char(' ')));
    app.send(key('e'));
    let cmds = app.send(code(KeyCode::Enter));
    let [Command::ExportMany { id, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    app.send(client(ClientEvent::ExportedMany {
        id: *id,
        dir: PathBuf::from("/x"),
        result: Err(RequestError::new(
            "Could not create the directory /x: Permission denied (os error 13).",
        )),
    }));
    let Some(Overlay::Export(d)) = &app.state.overlay else {
        panic!("no dialog")
    };
    assert_eq!(
        (
            app.state
                .requests
                .id_of(|p| *p == krisp_tui::app::requests::Pending::Export),
            d.error.as_deref()
        ),
        (
            None,
            Some("Could not create the directory /x: Permission denied (os error 13).")
        )
    );
    // A stale reply to another request changes nothing.
    let before = app.state.overlay.clone();
    app.send(client(ClientEvent::ExportProgress {
        id: krisp_tui::message::RequestId(999),
        done: 1,
        total: 1,
    }));
    assert_eq!(app.state.overlay, before);
}

#[test]
fn the_marked_list() {
    let mut app = App::loaded(demo_meetings());
    app.send(code(KeyCode::Char(' ')));
    app.send(key('j'));
    app.send(code(KeyCode::Char(' ')));
    insta::assert_snapshot!("marked_list_100x30", app.render());
}
