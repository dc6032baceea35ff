//! The TUI's client task against the in-process sandbox: what it tells the login screen while
//! connecting, and what it says about a pasted text that is not the redirect.

use std::time::Duration;

use krisp_tui::auth::store::StoreKind;
use krisp_tui::client::{BrowserMode, Settings};
use krisp_tui::library::task;
use krisp_tui::message::{ClientEvent, Command};
use krisp_tui::sandbox::{Sandbox, SandboxArgs};
use tokio::sync::mpsc::UnboundedReceiver;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxArgs {
        auto_approve: true,
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// A file store in `dir`, no browser at all (as the TUI runs: it never logs in by itself).
fn settings(sandbox: &Sandbox, dir: &std::path::Path, browser: BrowserMode) -> Settings {
    let mut s = Settings::new(sandbox.mcp_url(), dir.to_path_buf());
    s.store = StoreKind::File;
    s.redirect_port = 0;
    s.browser = browser;
    s.no_login = true;
    s
}

/// The next event, or a failure naming what was awaited (the task talks to a local server).
async fn next(events: &mut UnboundedReceiver<ClientEvent>, what: &str) -> ClientEvent {
    tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .unwrap_or_else(|_| panic!("no {what} from the client task"))
        .unwrap_or_else(|| panic!("the client task ended before {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_says_whether_a_stored_login_was_found() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");

    // Nothing stored: the task says so, then asks for a login.
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::None),
        None,
        None,
        jiff::tz::TimeZone::UTC,
    );
    commands.send(Command::Connect).expect("send");
    assert_eq!(
        next(&mut events, "the connecting note").await,
        ClientEvent::Connecting {
            stored_login: false
        }
    );
    assert_eq!(
        next(&mut events, "the login request").await,
        ClientEvent::LoginRequired { note: None }
    );

    // A login (the in-process browser follows the sandbox's approval), then a new task: it
    // finds the stored login and connects with it.
    commands.send(Command::Quit).expect("send");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::InProcess),
        None,
        None,
        jiff::tz::TimeZone::UTC,
    );
    commands.send(Command::StartLogin).expect("send");
    assert!(matches!(
        next(&mut events, "the login URL").await,
        ClientEvent::LoginUrlReady { .. }
    ));
    assert!(matches!(
        next(&mut events, "the login").await,
        ClientEvent::LoggedIn { .. }
    ));
    commands.send(Command::Quit).expect("send");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::None),
        None,
        None,
        jiff::tz::TimeZone::UTC,
    );
    commands.send(Command::Connect).expect("send");
    assert_eq!(
        next(&mut events, "the connecting note").await,
        ClientEvent::Connecting { stored_login: true }
    );
    assert!(matches!(
        next(&mut events, "the connection").await,
        ClientEvent::LoggedIn { .. }
    ));
    commands.send(Command::Quit).expect("send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_text_that_is_not_the_redirect_is_refused_and_the_login_waits_on() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::None),
        None,
        None,
        jiff::tz::TimeZone::UTC,
    );
    commands.send(Command::StartLogin).expect("send");
    let ClientEvent::LoginUrlReady { url } = next(&mut events, "the login URL").await else {
        panic!("expected the login URL");
    };
    let refused = |message: &str| ClientEvent::PasteRefused {
        message: message.to_owned(),
    };
    commands
        .send(Command::PasteRedirect("not a url".into()))
        .expect("send");
    assert_eq!(
        next(&mut events, "the refusal").await,
        refused(
            "That is not a URL. Paste the whole address your browser was sent to; it starts with http://127.0.0.1."
        )
    );
    commands
        .send(Command::PasteRedirect(
            "http://127.0.0.1:1/callback?code=abc&state=someone-else".into(),
        ))
        .expect("send");
    assert_eq!(
        next(&mut events, "the refusal").await,
        refused(
            "That redirect belongs to another login (its state does not match). Paste the address from the browser tab this login opened."
        )
    );
    // Where the browser would have been sent, pasted: the login completes.
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
        .get(&url)
        .send()
        .await
        .expect("authorize")
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .expect("text")
        .to_owned();
    commands
        .send(Command::PasteRedirect(redirect))
        .expect("send");
    assert!(matches!(
        next(&mut events, "the login").await,
        ClientEvent::LoggedIn { .. }
    ));
    commands.send(Command::Quit).expect("send");
}

/// A meeting exported from the TUI is rendered by the task in the zone it was started with (the
/// TUI's), not the process's or UTC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_from_the_tui_shows_times_in_the_zone_the_task_was_given() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let new_york = jiff::tz::TimeZone::get("America/New_York").expect("a bundled zone");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::None),
        None,
        None,
        new_york,
    );
    let id = krisp_tui::krisp::MeetingId("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".into());
    let mut meeting = krisp_tui::krisp::Meeting::new(id, "Q4 roadmap review");
    meeting.date = Some(krisp_tui::krisp::MeetingDate::parse("2026-01-15T15:00:00Z"));
    let path = dir.path().join("roadmap.md");
    let request = krisp_tui::message::RequestId(7);
    commands
        .send(Command::Export {
            id: request,
            meeting: Box::new(meeting),
            // No document and no connection: the notes alone, as from the list offline.
            document: None,
            format: krisp_tui::export::Format::Md,
            path: path.clone(),
            force: false,
        })
        .expect("send");
    let ClientEvent::Exported { id, result } = next(&mut events, "the export").await else {
        panic!("expected the export's answer");
    };
    assert_eq!((id, result.map(|_| ())), (request, Ok(())));
    let md = std::fs::read_to_string(&path).expect("the export");
    assert!(md.contains("- **Date:** 2026-01-15 10:00 EST\n"), "{md}");
    commands.send(Command::Quit).expect("send");
}

/// What the screen sanitizer never lets through: C0 and C1 controls (a line break only where
/// the text keeps its lines), DEL, bidi overrides and isolates, zero-width characters.
fn raw_controls(text: &str, lines_kept: bool) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && !(lines_kept && c == '\n'))
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
                || matches!(c, '\u{200b}'..='\u{200d}')
        })
        .collect()
}

/// Sends `cmds` to the task, then feeds its events to `update` (sending what that asks for)
/// until `done` holds: the TUI's loop, without a terminal.
async fn pump(
    state: &mut krisp_tui::app::State,
    commands: &tokio::sync::mpsc::UnboundedSender<Command>,
    events: &mut UnboundedReceiver<ClientEvent>,
    cmds: Vec<Command>,
    what: &str,
    done: impl Fn(&krisp_tui::app::State) -> bool,
) {
    let mut cmds = cmds;
    loop {
        for c in cmds.drain(..) {
            commands.send(c).expect("send");
        }
        if done(state) {
            return;
        }
        let event = next(events, what).await;
        let msg = krisp_tui::message::Msg::Client(Box::new(event));
        cmds = krisp_tui::app::update(state, msg, std::time::Instant::now());
    }
}

fn press(state: &mut krisp_tui::app::State, code: crossterm::event::KeyCode) -> Vec<Command> {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let key = krisp_tui::message::Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    krisp_tui::app::update(state, key, std::time::Instant::now())
}

/// The hostile sandbox's escapes, controls and bidi overrides, through the real client task and
/// `update`: the meeting's name, people and notes, its transcript and the action items are clean
/// in `State` itself (sanitized where the events enter the app), not only on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_text_reaches_the_state_already_clean() {
    use crossterm::event::KeyCode;
    let sandbox = Sandbox::start(SandboxArgs {
        auto_approve: true,
        hostile: true,
        ..Default::default()
    })
    .await
    .expect("start the sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::InProcess),
        None,
        None,
        jiff::tz::TimeZone::UTC,
    );
    commands.send(Command::StartLogin).expect("send");
    let logged_in = loop {
        if let event @ ClientEvent::LoggedIn { .. } = next(&mut events, "the login").await {
            break event;
        }
    };
    let now = std::time::Instant::now();
    let mut state = krisp_tui::app::State::new(sandbox.mcp_url(), "file", now);
    let mut cmds = krisp_tui::app::start(&mut state, true, false);
    cmds.extend(krisp_tui::app::update(
        &mut state,
        krisp_tui::message::Msg::Client(Box::new(logged_in)),
        now,
    ));
    let escapes = "badc0ffee0ddf00d0000000000000001";
    pump(
        &mut state,
        &commands,
        &mut events,
        cmds,
        "the meetings",
        |s| s.home.meetings.all.iter().any(|m| m.id.0 == escapes),
    )
    .await;
    let meeting = state
        .home
        .meetings
        .all
        .iter()
        .find(|m| m.id.0 == escapes)
        .expect("the hostile meeting")
        .clone();
    // `\x1b[31mURGENT\x1b[0m budget review \x1b]0;you have been pwned\x07` and a bidi override.
    assert_eq!(
        meeting.name,
        "␛[31mURGENT␛[0m budget review ␛]0;you have been pwned␇⟨U+202E⟩txt.exe⟨U+202C⟩"
    );
    let mut one_line: Vec<&str> = vec![&meeting.name];
    one_line.extend(meeting.speakers.iter().map(String::as_str));
    one_line.extend(meeting.tags.iter().map(String::as_str));
    one_line.extend(meeting.attendees.iter().map(|p| p.name.as_str()));
    let mut kept_lines: Vec<&str> = meeting.key_points.iter().map(String::as_str).collect();
    kept_lines.extend(meeting.summary.as_deref());

    // Open it (the newest, at the top): its transcript.
    assert_eq!(state.home.meetings.all[0].id.0, escapes);
    let cmds = press(&mut state, KeyCode::Enter);
    pump(
        &mut state,
        &commands,
        &mut events,
        cmds,
        "the transcript",
        |s| s.meeting.as_ref().and_then(|v| v.document()).is_some(),
    )
    .await;
    let document = state
        .meeting
        .as_ref()
        .and_then(|v| v.document())
        .expect("the document")
        .clone();
    assert!(!document.transcript.turns.is_empty());
    one_line.extend(document.transcript.turns.iter().map(|t| t.speaker.as_str()));
    kept_lines.extend(document.transcript.turns.iter().map(|t| t.text.as_str()));

    // Back, then the action items tab: the feed's rows.
    let mut cmds = press(&mut state, KeyCode::Esc);
    cmds.extend(press(&mut state, KeyCode::Char('2')));
    pump(
        &mut state,
        &commands,
        &mut events,
        cmds,
        "the action items",
        |s| !s.home.action_items.items.is_empty(),
    )
    .await;
    let items = state.home.action_items.items.clone();
    for item in &items {
        one_line.extend([item.title.as_str(), &item.who, &item.source, &item.when]);
    }

    for text in &one_line {
        assert_eq!(raw_controls(text, false), Vec::<char>::new(), "{text:?}");
    }
    for text in &kept_lines {
        assert_eq!(raw_controls(text, true), Vec::<char>::new(), "{text:?}");
    }
    // The escapes are there, as visible placeholders, in each kind of field.
    assert!(
        document
            .transcript
            .turns
            .iter()
            .any(|t| t.text.contains('␛'))
    );
    assert!(items.iter().any(|i| i.title.contains('␛')), "{items:?}");
    commands.send(Command::Quit).expect("send");
}

/// The TUI's copy of a meeting is cleaned for the screen (a zero-width joiner shows as
/// `⟨U+200D⟩`, a tab as a space); an export of it writes the text as Krisp sent it, from the
/// store, through the file's own policy (which keeps both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_from_the_tui_writes_the_stored_text_not_the_screens_copy() {
    use krisp_tui::krisp::{Document, DocumentState, Meeting, MeetingId, Transcript, Turn};
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let local = task::LocalStore::open(
        dir.path().join("store.sqlite3"),
        true,
        1,
        jiff::tz::TimeZone::UTC,
    )
    .expect("open the store");
    let id = MeetingId("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".into());
    let family = "👩\u{200d}👩\u{200d}👧";
    let mut raw = Meeting::new(id.clone(), format!("Family {family} call"));
    raw.summary = Some("Plan:\tship in March".into());
    let document = Document {
        id: id.clone(),
        state: DocumentState::Ready,
        recording_url: None,
        sections: Vec::new(),
        transcript: Transcript {
            turns: vec![Turn {
                speaker: "Anna".into(),
                start: Duration::ZERO,
                text: format!("Hello {family}\tall"),
            }],
        },
        unparsed: String::new(),
    };
    local
        .library
        .keep(std::slice::from_ref(&raw), std::slice::from_ref(&document))
        .expect("keep");
    // What the screen holds: the same meeting, sanitized where it entered the app.
    let shown = match (ClientEvent::MeetingRead {
        meeting: Box::new(raw.clone()),
    })
    .sanitized()
    {
        ClientEvent::MeetingRead { meeting } => meeting,
        other => panic!("{other:?}"),
    };
    assert_eq!(shown.name, "Family 👩⟨U+200D⟩👩⟨U+200D⟩👧 call");
    let (commands, mut events, _task) = task::spawn(
        settings(&sandbox, dir.path(), BrowserMode::None),
        None,
        Some(local),
        jiff::tz::TimeZone::UTC,
    );
    let path = dir.path().join("family.md");
    commands
        .send(Command::Export {
            id: krisp_tui::message::RequestId(9),
            meeting: shown,
            document: None,
            format: krisp_tui::export::Format::Md,
            path: path.clone(),
            force: false,
        })
        .expect("send");
    let ClientEvent::Exported { result, .. } = next(&mut events, "the export").await else {
        panic!("expected the export's answer");
    };
    result.expect("written");
    let md = std::fs::read_to_string(&path).expect("the export");
    assert!(md.starts_with(&format!("# Family {family} call\n")), "{md}");
    assert!(md.contains("Plan:\tship in March"), "{md}");
    assert!(md.contains(&format!("Hello {family}\tall")), "{md}");
    assert!(!md.contains("⟨U+"), "{md}");
    commands.send(Command::Quit).expect("send");
}
