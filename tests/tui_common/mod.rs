//! Shared fixtures for the TUI tests: meetings, documents, key presses, rendering to text.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use krisp_tui::app::{self, State};
use krisp_tui::krisp::{
    ActionItem, Document, DocumentState, Meeting, MeetingDate, MeetingId, Person, Section,
    Transcript, Turn,
};
use krisp_tui::message::{ClientEvent, Command, Msg, RequestId, SearchQuery};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn id(n: usize) -> MeetingId {
    MeetingId(format!("{n:032x}"))
}

pub fn meeting(n: usize, name: &str, date: jiff::Timestamp, people: &[&str]) -> Meeting {
    Meeting {
        id: id(n),
        name: name.into(),
        date: Some(MeetingDate::Parsed(date.to_zoned(jiff::tz::TimeZone::UTC))),
        url: Some(format!("https://app.krisp.ai/t/{}", id(n).0)),
        recurring: false,
        attendees: people
            .iter()
            .map(|p| Person {
                name: (*p).into(),
                email: None,
            })
            .collect(),
        speakers: people.iter().map(|p| (*p).to_string()).collect(),
        summary: None,
        key_points: Vec::new(),
        action_items: Vec::new(),
        tags: Vec::new(),
        extra: Default::default(),
    }
}

/// Five meetings, newest last in the list (the UI sorts them).
pub fn demo_meetings() -> Vec<Meeting> {
    let mut roadmap = meeting(
        1,
        "Q4 roadmap review",
        "2026-01-15T15:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        &["Anna Lee", "Bob Ray"],
    );
    roadmap.summary =
        Some("#### Timeline\nShip in March, with the scope cut to three features.".into());
    roadmap.key_points = vec![
        "Scope cut to three features".into(),
        "Beta customers get early access in February".into(),
    ];
    roadmap.action_items = vec![
        ActionItem {
            text: "{{Speaker_2}} to send the plan".into(),
            assignee: Some("Bob Ray".into()),
            completed: false,
            due_date: None,
            extra: Default::default(),
        },
        ActionItem {
            text: "Book the room".into(),
            assignee: None,
            completed: true,
            due_date: None,
            extra: Default::default(),
        },
    ];
    roadmap.tags = vec!["planning".into()];
    vec![
        meeting(
            2,
            "Weekly sync",
            "2026-01-12T09:30:00Z".parse::<jiff::Timestamp>().unwrap(),
            &["Anna Lee", "Chen Wu"],
        ),
        roadmap,
        meeting(
            3,
            "Hiring debrief",
            "2026-01-20T13:00:00Z".parse::<jiff::Timestamp>().unwrap(),
            &["Dana Kim"],
        ),
        meeting(
            4,
            "10:30 AM - Zoom meeting January 8",
            "2026-01-08T10:30:00Z".parse::<jiff::Timestamp>().unwrap(),
            &[],
        ),
        meeting(
            5,
            "Customer call: Acme",
            "2026-01-18T16:00:00Z".parse::<jiff::Timestamp>().unwrap(),
            &["Bob Ray", "Eve Stone"],
        ),
    ]
}

pub fn document(id: MeetingId, turns: usize) -> Document {
    let speakers = ["Anna Lee", "Bob Ray"];
    let lines = [
        "Let's start with the timeline. We ship in March.",
        "The budget is fine, but the scope has to shrink to three features or we slip again.",
        "Agreed. I will send the plan to everyone by Friday.",
    ];
    Document {
        id,
        state: DocumentState::Ready,
        recording_url: None,
        sections: vec![Section {
            heading: "Key Points".into(),
            body: "- Scope cut".into(),
        }],
        transcript: Transcript {
            turns: (0..turns)
                .map(|i| Turn {
                    speaker: speakers[i % 2].into(),
                    start: Duration::from_secs(u64::try_from(i).unwrap_or(0) * 37),
                    text: lines[i % 3].into(),
                })
                .collect(),
        },
        unparsed: String::new(),
    }
}

/// What the local store's list read gives for `meeting`: no notes, and no transcript stored.
pub fn list_row(meeting: &Meeting) -> krisp_tui::store::ListRow {
    krisp_tui::store::ListRow {
        id: meeting.id.clone(),
        name: meeting.name.clone(),
        date: meeting.date.clone(),
        people: meeting.attendees.iter().map(|p| p.name.clone()).collect(),
        tags: meeting.tags.clone(),
        doc_state: krisp_tui::store::DocState::Missing,
        duration_ms: None,
    }
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn client(event: ClientEvent) -> Msg {
    Msg::Client(Box::new(event))
}

/// A harness: the state, a fixed clock, and every command issued.
pub struct App {
    pub state: State,
    pub now: Instant,
    pub commands: Vec<Command>,
}

impl App {
    pub fn new() -> Self {
        let now = Instant::now();
        let mut state = State::new("https://mcp.krisp.ai/mcp", "system keyring", now);
        state.theme = krisp_tui::ui::Theme::dark();
        Self {
            state,
            now,
            commands: Vec::new(),
        }
    }

    /// Logged in, first page of meetings answered; times in UTC.
    pub fn loaded(meetings: Vec<Meeting>) -> Self {
        Self::loaded_in(jiff::tz::TimeZone::UTC, meetings)
    }

    /// [`App::loaded`] with the state's zone set to `zone` first, as the event loop sets it.
    pub fn loaded_in(zone: jiff::tz::TimeZone, meetings: Vec<Meeting>) -> Self {
        let mut app = Self::new();
        app.state.zone = zone;
        let cmds = app::start(&mut app.state, true, false);
        let Some(Command::SearchMeetings { id, query }) = cmds.first().cloned() else {
            panic!("expected the first page request, got {cmds:?}");
        };
        app.send(client(ClientEvent::LoggedIn {
            server: "https://mcp.krisp.ai/mcp".into(),
            account: Some("anna@example.com".into()),
        }));
        app.send(client(ClientEvent::MeetingsLoaded {
            id,
            query,
            result: Ok(meetings),
        }));
        app.commands.clear();
        app
    }

    pub fn send(&mut self, msg: Msg) -> Vec<Command> {
        let cmds = app::update(&mut self.state, msg, self.now);
        self.commands.extend(cmds.clone());
        cmds
    }

    pub fn type_str(&mut self, text: &str) -> Vec<Command> {
        text.chars().flat_map(|c| self.send(key(c))).collect()
    }

    pub fn advance(&mut self, by: Duration) -> Vec<Command> {
        self.now += by;
        self.send(Msg::Tick)
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.send(Msg::Resize(w, h));
    }

    /// Opens the selected meeting and answers its document fetch with `doc`.
    pub fn open(&mut self, doc: Document) {
        let cmds = self.send(code(KeyCode::Enter));
        let Some(Command::FetchDocuments { id: req, .. }) = cmds.first().cloned() else {
            panic!("expected a document fetch, got {cmds:?}");
        };
        self.send(client(ClientEvent::DocumentsLoaded {
            id: req,
            result: Ok(vec![doc]),
        }));
    }

    /// The request id of the last command of this kind.
    pub fn last_search(&self) -> Option<(RequestId, SearchQuery)> {
        self.commands.iter().rev().find_map(|c| match c {
            Command::SearchMeetings { id, query } => Some((*id, query.clone())),
            _ => None,
        })
    }

    pub fn render(&self) -> String {
        render(&self.state, self.state.size.width, self.state.size.height)
    }
}

pub fn render(state: &State, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(state, f.area()))
        .expect("draw");
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
