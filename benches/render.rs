//! Drawing and search cost with 10,000 meetings and a 10,000-turn transcript (TestBackend).

#[path = "../tests/tui_common/mod.rs"]
mod tui_common;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use krisp_tui::app::{self, State};
use krisp_tui::message::{ClientEvent, Command, Msg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_common::{App, client, code, document, id, key};

const MEETINGS: usize = 10_000;
const TURNS: usize = 10_000;

fn many_meetings() -> App {
    let names = [
        "Q4 roadmap review",
        "Weekly sync",
        "Hiring debrief",
        "Customer call",
        "Design critique",
    ];
    let people = ["Anna Lee", "Bob Ray", "Chen Wu", "Dana Kim", "Eve Stone"];
    let meetings = (0..MEETINGS)
        .map(|i| {
            let at = "2026-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap() - jiff::SignedDuration::from_hours(i as i64);
            let mut m = tui_common::meeting(
                i + 1,
                &format!("{} #{i}", names[i % names.len()]),
                at,
                &[people[i % 5], people[(i + 2) % 5]],
            );
            m.summary = Some(
                "We went through the timeline, agreed to cut scope to three features and ship in March. \
                 Budget stays flat; beta customers get early access."
                    .into(),
            );
            m.key_points = vec!["Scope cut to three features".into(), "Ship in March".into()];
            m
        })
        .collect();
    App::loaded(meetings)
}

fn with_transcript() -> App {
    let mut app = many_meetings();
    app.resize(100, 30);
    let cmds = app.send(code(KeyCode::Enter));
    let Some(Command::FetchDocuments { id: req, ids }) = cmds.first().cloned() else {
        panic!("no fetch: {cmds:?}");
    };
    app.send(client(ClientEvent::DocumentsLoaded {
        id: req,
        result: Ok(vec![document(
            ids.first().cloned().unwrap_or_else(|| id(1)),
            TURNS,
        )]),
    }));
    // Somewhere in the middle, with hits on screen.
    app.send(key('/'));
    app.type_str("plan");
    app.send(code(KeyCode::Enter));
    app.send(key('t'));
    app.type_str("50:00:00");
    app.send(code(KeyCode::Enter));
    app
}

fn draw(c: &mut Criterion, name: &str, state: &State) {
    let mut terminal =
        Terminal::new(TestBackend::new(state.size.width, state.size.height)).expect("terminal");
    c.bench_function(name, |b| {
        b.iter(|| {
            terminal
                .draw(|f| f.render_widget(black_box(state), f.area()))
                .expect("draw");
        })
    });
}

fn benches(c: &mut Criterion) {
    let mut home = many_meetings();
    home.resize(100, 30);
    for _ in 0..5_000 {
        home.send(key('j'));
    }
    draw(c, "frame: home, 10k meetings", &home.state);

    let mut searching = many_meetings();
    searching.resize(100, 30);
    searching.send(key('/'));
    searching.type_str("roadmap");
    draw(c, "frame: search results, 10k meetings", &searching.state);

    let mut meeting = with_transcript();
    draw(c, "frame: transcript, 10k turns, hits", &meeting.state);

    // The top of the same meeting: the header's talk-time bars and timeline, hits marked on it.
    meeting.send(key('g'));
    draw(
        c,
        "frame: header with timeline, 10k turns, hits",
        &meeting.state,
    );

    // 160 columns: the list with the selected meeting's preview beside it.
    let mut wide = many_meetings();
    wide.resize(160, 40);
    for _ in 0..5_000 {
        wide.send(key('j'));
    }
    draw(
        c,
        "frame: home with preview at 160x40, 10k meetings",
        &wide.state,
    );
    // Moving the selection there: the preview is laid out again in `update`, not in the frame.
    c.bench_function("keystroke: j with the preview, 10k meetings", |b| {
        b.iter_batched(
            || wide.state.clone(),
            // The state goes back out, so dropping 10,000 meetings is not timed.
            |mut state| {
                app::update(&mut state, key('j'), wide.now);
                state
            },
            BatchSize::LargeInput,
        )
    });

    // One keystroke in the search box: the whole re-filter (first letter scans everything).
    let mut base = many_meetings();
    base.send(key('/'));
    c.bench_function("keystroke: first letter, 10k meetings", |b| {
        b.iter_batched(
            || base.state.clone(),
            |mut state| app::update(&mut state, key('r'), base.now),
            BatchSize::LargeInput,
        )
    });
    base.type_str("roadma");
    c.bench_function("keystroke: 7th letter, 10k meetings", |b| {
        b.iter_batched(
            || base.state.clone(),
            |mut state| app::update(&mut state, key('p'), base.now),
            BatchSize::LargeInput,
        )
    });
    base.send(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Backspace,
        crossterm::event::KeyModifiers::NONE,
    )));
    c.bench_function("keystroke: backspace (full rescan), 10k meetings", |b| {
        b.iter_batched(
            || base.state.clone(),
            |mut state| {
                app::update(
                    &mut state,
                    Msg::Key(crossterm::event::KeyEvent::new(
                        KeyCode::Backspace,
                        crossterm::event::KeyModifiers::NONE,
                    )),
                    base.now,
                )
            },
            BatchSize::LargeInput,
        )
    });
}

/// A search keystroke over the local store as the TUI does it: `update` for the key (fuzzy
/// over 10,000 list rows), the store's full-text search it asks for, `update` for the answer,
/// and a frame. Uses the database `cargo bench --bench store` builds (10,000 meetings, ~1.5 M
/// turns); skipped when it is not there.
fn store_keystroke(c: &mut Criterion) {
    use krisp_tui::library::Library;
    use krisp_tui::store::{Filter, SCHEMA_VERSION, Store};
    let path = std::env::var_os("STORE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(
                std::env::var_os("CARGO_TARGET_DIR").unwrap_or("target".into()),
            )
            .join(format!("store-bench-v{SCHEMA_VERSION}.sqlite3"))
        });
    if !path.exists() {
        eprintln!(
            "{} is missing: run `cargo bench --bench store` first",
            path.display()
        );
        return;
    }
    let store = Store::open(&path).expect("open the bench store");
    let rows = store.page(&Filter::default(), 0, usize::MAX).expect("list");
    let meetings = rows.len();
    drop(store);
    let library = Library::at(&path, jiff::tz::TimeZone::UTC);
    // Words of the index itself: the one in most meetings, the rarest in at least three, and the first
    // letters of one in about a third of them (typed, so a prefix).
    let vocab =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the bench store");
    let term = |sql: &str| -> String {
        vocab
            .query_row(sql, [], |r| r.get(0))
            .expect("a word of the index")
    };
    let common = term(
        "SELECT term FROM meeting_vocab WHERE length(term) >= 4 AND term GLOB '[a-z]*'
         ORDER BY doc DESC LIMIT 1",
    );
    let rare = term(
        "SELECT term FROM meeting_vocab WHERE doc >= 3 AND length(term) >= 4
         AND term GLOB '[a-z]*' ORDER BY doc, term LIMIT 1",
    );
    let medium: String = term(&format!(
        "SELECT term FROM meeting_vocab WHERE length(term) >= 6 AND term GLOB '[a-z]*'
         ORDER BY abs(doc - {}) LIMIT 1",
        meetings / 3
    ));
    let prefix: String = medium.chars().take(4).collect();
    // Two words: each hit's place holds the query's words, cut around its rarest.
    let both = format!("{common} {rare}");
    for (name, text) in [
        ("rare word", rare),
        ("common word", common),
        ("prefix", prefix),
        ("common and rare word", both),
    ] {
        let answer = library
            .search(&text, krisp_tui::library::Window::first(1))
            .expect("search");
        eprintln!("{name}: {text:?} is in {} meetings", answer.total);
        keystroke(c, name, &text, &rows, &library);
    }
}

/// Typing the last letter of `text` in the search box over the store: the key, the store's
/// search the TUI asks for, its answer, and a frame.
fn keystroke(
    c: &mut Criterion,
    name: &str,
    text: &str,
    rows: &[krisp_tui::store::ListRow],
    library: &krisp_tui::library::Library,
) {
    use krisp_tui::message::RequestId;
    let mut app = App::new();
    app.resize(100, 30);
    app.state.local.enabled = true;
    app::start(&mut app.state, false, false);
    // The list holds the window the client task reads first, as the TUI does.
    app.send(client(ClientEvent::StoredMeetings {
        id: RequestId(1),
        offset: 0,
        total: rows.len(),
        meetings: rows[..rows.len().min(app::LIST_WINDOW)].to_vec(),
        complete: true,
    }));
    app.send(key('/'));
    let (head, last) = text.split_at(text.len() - 1);
    app.type_str(head);
    let last = last.chars().next().expect("a last letter");
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let now = app.now;
    c.bench_function(
        &format!("keystroke with the store, {name}: search + frame, 10k meetings / 1.5M turns"),
        |b| {
            b.iter_batched(
                || app.state.clone(),
                |mut state| {
                    for cmd in app::update(&mut state, key(last), now) {
                        if let Command::SearchStored { id, text, window } = cmd {
                            let result = library
                                .search(&text, window)
                                .map_err(|e| krisp_tui::message::RequestError::new(e.to_string()));
                            app::update(
                                &mut state,
                                client(ClientEvent::StoredSearch { id, text, result }),
                                now,
                            );
                        }
                    }
                    terminal
                        .draw(|f| f.render_widget(&state, f.area()))
                        .expect("draw");
                    state
                },
                BatchSize::LargeInput,
            )
        },
    );
}

criterion_group!(render, benches, store_keystroke);
criterion_main!(render);
