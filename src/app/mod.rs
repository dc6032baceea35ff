//! Application state and the pure, synchronous `update` (the only code that changes `State`).

mod connection;
pub mod effect;
pub mod export;
pub mod feed;
pub mod help;
pub mod home;
pub mod home_search;
pub(crate) mod incoming;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod login;
pub mod meeting;
pub mod meeting_layout;
pub mod meeting_screen;
pub mod meetings;
mod navigate;
mod overlay;
pub mod preview;
pub mod requests;
pub mod search;
mod toast;
pub mod tools;
pub mod tools_screen;
mod update;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

pub use self::connection::start;
pub use self::home::{LIST_MARGIN, LIST_WINDOW};
pub use self::layout::prompt_open;
pub use self::login::{Login, LoginState};
pub use self::toast::show_problems;
pub use self::update::update;
use crate::app::export::ExportDialog;
use crate::app::feed::Feed;
use crate::app::keymap::{Keymap, Mode};
use crate::app::meeting::MeetingView;
use crate::app::meetings::Meetings;
use crate::app::requests::{Pending, Requests};
use crate::app::search::{FuzzyMatcher, Search};
use crate::app::tools_screen::ToolsScreen;
use crate::krisp::{Document, MeetingId};
use crate::theme::Theme;

/// How long a toast stays up.
pub const TOAST_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Login,
    Home,
    Meeting,
    Tools,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The keys; `behind` is the dialog it was opened over, shown again when help closes.
    Help {
        scroll: usize,
        behind: Option<Box<Overlay>>,
    },
    Export(Box<ExportDialog>),
    /// The meeting view's copy menu: the highlighted choice of [`meeting::MeetingView::copy_choices`].
    Copy {
        selected: usize,
    },
    /// The last few toasts, newest first.
    Messages {
        scroll: usize,
    },
}

/// How many past toasts the messages overlay keeps.
pub const MESSAGES_KEPT: usize = 30;

/// A toast that has been shown, for the messages overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    /// Neither a success nor a failure: why something is not available, what is being tried.
    pub note: bool,
    /// Wall-clock time it was shown, when the loop knew it.
    pub at: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Meetings,
    ActionItems,
    Upcoming,
    Activity,
}

impl Tab {
    pub const ALL: [Tab; 4] = [
        Tab::Meetings,
        Tab::ActionItems,
        Tab::Upcoming,
        Tab::Activity,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Meetings => "Meetings",
            Tab::ActionItems => "Action items",
            Tab::Upcoming => "Upcoming",
            Tab::Activity => "Activity",
        }
    }
}

/// Which action items `list_action_items` is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoneFilter {
    Open,
    Done,
    All,
}

impl DoneFilter {
    pub fn completed(self) -> Option<bool> {
        match self {
            DoneFilter::Open => Some(false),
            DoneFilter::Done => Some(true),
            DoneFilter::All => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DoneFilter::Open => "open",
            DoneFilter::Done => "done",
            DoneFilter::All => "all",
        }
    }
}

/// A selection in a list and the first row drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListPos {
    pub selected: usize,
    pub offset: usize,
}

impl ListPos {
    /// Moves by `delta` within `len` rows and keeps the selection inside a `height`-row window.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(len.saturating_sub(1));
        self.clamp(len, height);
    }

    pub fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

#[derive(Debug, Clone)]
pub struct Home {
    pub tab: Tab,
    pub meetings: Meetings,
    pub list: ListPos,
    pub search: Option<Search>,
    pub action_items: Feed,
    pub done_filter: DoneFilter,
    pub mine: bool,
    pub upcoming: Feed,
    pub days: u32,
    pub activity: Feed,
    pub matcher: FuzzyMatcher,
    /// Meetings marked for exporting many at once (by id: a marked meeting may be far from
    /// the part of the list held).
    pub marked: std::collections::BTreeSet<MeetingId>,
    /// The selected meeting's notes beside the list (wide terminals).
    pub preview: preview::Preview,
}

impl Home {
    /// Whether the search narrows the list (an open box with text, or a committed query).
    pub fn searching(&self) -> bool {
        self.search
            .as_ref()
            .is_some_and(|s| !s.input.text().is_empty())
    }

    /// Number of rows the meetings tab shows.
    pub fn visible_len(&self) -> usize {
        match &self.search {
            Some(s) if self.searching() => s.hits.len(),
            _ => self.meetings.listed(),
        }
    }

    /// The meeting (index into `meetings.all`) shown at table row `row`; `None` past the end,
    /// or while that part of the store's list is being read.
    pub fn meeting_at(&self, row: usize) -> Option<usize> {
        match &self.search {
            Some(s) if self.searching() => s.hits.get(row).map(|h| h.meeting),
            _ => self.meetings.listed_at(row),
        }
    }

    pub fn feed(&self, tab: Tab) -> Option<&Feed> {
        match tab {
            Tab::Meetings => None,
            Tab::ActionItems => Some(&self.action_items),
            Tab::Upcoming => Some(&self.upcoming),
            Tab::Activity => Some(&self.activity),
        }
    }

    pub fn feed_mut(&mut self, tab: Tab) -> Option<&mut Feed> {
        match tab {
            Tab::Meetings => None,
            Tab::ActionItems => Some(&mut self.action_items),
            Tab::Upcoming => Some(&mut self.upcoming),
            Tab::Activity => Some(&mut self.activity),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// One line or more (`\n` between them), each already sanitized.
    pub text: String,
    pub error: bool,
    /// Neither a success nor a failure (see [`Message::note`]).
    pub note: bool,
    /// Stays its time even when a later request succeeds (configuration problems).
    pub lasting: bool,
    pub until: Instant,
}

/// The status bar's connection half.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub server: String,
    pub account: Option<String>,
    /// Where the tokens are kept, as shown on the login screen.
    pub token_store: String,
    pub last_error: Option<String>,
    /// The latest note for the user ("Exported to …").
    pub message: Option<String>,
}

/// The local store as the UI sees it: whether there is one, how complete it is, the sync.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Local {
    /// The client task has a store: the list and full-text search come from it.
    pub enabled: bool,
    /// A sync has listed every meeting, so searches need not ask the server.
    pub complete: bool,
    /// `sync = "auto"`: sync on start (and after a login).
    pub auto_sync: bool,
    /// Read the list again when the read in flight answers (the store changed while reading).
    pub reload: bool,
    pub sync: SyncState,
    /// Why the server is not used ("--offline", or the error that said it is unreachable).
    pub offline: Option<String>,
    /// `--offline`: a mode the user chose, not a failure.
    pub offline_mode: bool,
    /// When the server was last found unreachable (the wall clock, when the loop knew it).
    pub offline_since: Option<jiff::Timestamp>,
    /// A connection is being tried again after the server was unreachable.
    pub reconnecting: bool,
    /// A sync was asked for while the server was unreachable: it runs once it is back.
    pub sync_wanted: bool,
}

/// The connection as the footer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Online,
    /// Trying the server again after it was unreachable.
    Reconnecting,
    /// Unreachable, since this time when known.
    Offline(Option<jiff::Timestamp>),
    /// `--offline`: the local store only, by choice.
    OfflineMode,
}

impl Local {
    pub fn link(&self) -> Link {
        if self.offline_mode {
            Link::OfflineMode
        } else if self.reconnecting {
            Link::Reconnecting
        } else if self.offline.is_some() {
            Link::Offline(self.offline_since)
        } else {
            Link::Online
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    pub running: bool,
    /// The sync running is another krisp-tui's.
    pub elsewhere: bool,
    pub progress: crate::message::SyncProgress,
    /// How the last sync ended: its summary line, or the error.
    pub last: Option<Result<String, String>>,
    /// When the running sync began (for "in 35 s").
    pub started: Option<Instant>,
    /// A sync has finished with success since the TUI started.
    pub finished_once: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub login: Login,
    pub home: Home,
    pub meeting: Option<MeetingView>,
    pub tools: ToolsScreen,
    /// Documents fetched so far (re-opening a meeting does not fetch again).
    pub documents: HashMap<MeetingId, Document>,
    pub status: Status,
    pub local: Local,
    pub toast: Option<Toast>,
    /// Past toasts, newest last, at most [`MESSAGES_KEPT`].
    pub messages: std::collections::VecDeque<Message>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub size: Rect,
    /// Advances on every tick while something animates.
    pub spinner: usize,
    pub now: Instant,
    /// The wall clock at the last message, for "in 2 h" and "yesterday"; `None` shows absolute
    /// times. Set by the event loop, never read by drawing from the system.
    pub wall: Option<jiff::Timestamp>,
    /// The user's home directory, for `~` in typed paths; set by the event loop at start.
    pub home_dir: Option<std::path::PathBuf>,
    /// The zone every time on screen is shown in (`timezone` in `config.toml`, else the
    /// system's); UTC until the event loop sets it. Drawing reads it here, never from a global.
    pub zone: jiff::tz::TimeZone,
    pub should_quit: bool,
    /// The requests in flight, and which screen each answer goes to.
    pub requests: Requests,
}

impl State {
    pub fn new(server: impl Into<String>, token_store: impl Into<String>, now: Instant) -> Self {
        Self {
            screen: Screen::Login,
            overlay: None,
            login: Login {
                state: LoginState::Connecting,
                note: None,
                return_to: None,
                stored_login: false,
            },
            home: Home {
                tab: Tab::Meetings,
                meetings: Meetings::default(),
                list: ListPos::default(),
                search: None,
                action_items: Feed::default(),
                done_filter: DoneFilter::Open,
                mine: false,
                upcoming: Feed::default(),
                days: 7,
                activity: Feed::default(),
                matcher: FuzzyMatcher::default(),
                marked: std::collections::BTreeSet::new(),
                preview: preview::Preview::default(),
            },
            meeting: None,
            tools: ToolsScreen::default(),
            documents: HashMap::new(),
            status: Status {
                server: server.into(),
                token_store: token_store.into(),
                ..Status::default()
            },
            local: Local::default(),
            toast: None,
            messages: std::collections::VecDeque::new(),
            keymap: Keymap::default(),
            theme: Theme::default(),
            size: Rect::new(0, 0, 100, 30),
            spinner: 0,
            now,
            wall: None,
            home_dir: None,
            zone: jiff::tz::TimeZone::UTC,
            should_quit: false,
            requests: Requests::default(),
        }
    }

    pub fn with_keymap(mut self, keymap: Keymap) -> Self {
        self.keymap = keymap;
        self
    }

    pub fn with_theme(mut self, theme: Theme) -> Self {
        self.theme = theme;
        self
    }

    pub fn with_zone(mut self, zone: jiff::tz::TimeZone) -> Self {
        self.zone = zone;
        self
    }

    /// The keymap section in force, and whether a text field takes typed characters.
    pub fn mode(&self) -> (Mode, bool) {
        match &self.overlay {
            Some(Overlay::Help { .. } | Overlay::Messages { .. }) => return (Mode::Help, false),
            Some(Overlay::Copy { .. }) => return (Mode::Copy, false),
            Some(Overlay::Export(d)) => {
                let typing = d.focus == export::ExportFocus::Path && d.confirm.is_none();
                return (if typing { Mode::Input } else { Mode::Export }, typing);
            }
            None => {}
        }
        match self.screen {
            Screen::Login => match &self.login.state {
                LoginState::Waiting { paste: Some(_), .. } => (Mode::Input, true),
                _ => (Mode::Login, false),
            },
            Screen::Home => match &self.home.search {
                Some(s) if s.editing && self.home.tab == Tab::Meetings => (Mode::Input, true),
                _ => (Mode::Home, false),
            },
            Screen::Meeting => match &self.meeting {
                Some(v) if v.jump.is_some() || v.search.as_ref().is_some_and(|s| s.editing) => {
                    (Mode::Input, true)
                }
                _ => (Mode::Meeting, false),
            },
            Screen::Tools => (Mode::Tools, false),
        }
    }

    /// The keymap section whose bindings the help screen and status bar show.
    pub fn help_mode(&self) -> Mode {
        match (&self.overlay, self.screen) {
            (Some(Overlay::Export(_)), _) => Mode::Export,
            (Some(Overlay::Copy { .. }), _) => Mode::Copy,
            (
                Some(Overlay::Help {
                    behind: Some(b), ..
                }),
                _,
            ) if matches!(**b, Overlay::Copy { .. }) => Mode::Copy,
            (
                Some(Overlay::Help {
                    behind: Some(b), ..
                }),
                _,
            ) if matches!(**b, Overlay::Export(_)) => Mode::Export,
            (_, Screen::Login) => Mode::Login,
            (_, Screen::Home) => Mode::Home,
            (_, Screen::Meeting) => Mode::Meeting,
            (_, Screen::Tools) => Mode::Tools,
        }
    }

    /// Whether anything animates or waits for a deadline, so the loop should send ticks.
    pub fn needs_tick(&self) -> bool {
        let home = &self.home;
        self.toast.is_some()
            || matches!(
                self.login.state,
                LoginState::Waiting { .. } | LoginState::Connecting
            )
            || home
                .search
                .as_ref()
                .is_some_and(|s| s.dirty_since.is_some())
            || self.local.sync.running
            || self.home.preview.wanted.is_some()
            || self
                .meeting
                .as_ref()
                .is_some_and(|m| matches!(m.document, meeting::DocState::Loading))
            || self.requests.any(|p| match p {
                Pending::MeetingsPage
                | Pending::ServerSearch(_)
                | Pending::Feed(_)
                | Pending::ToolList
                | Pending::ToolCall => true,
                Pending::Export => matches!(self.overlay, Some(Overlay::Export(_))),
                Pending::StoredList
                | Pending::StoredSearch { .. }
                | Pending::MarkAll(_)
                | Pending::Document(_) => false,
            })
    }

    /// Whether the tools panel waits for the tool list or a tool's result.
    pub fn tools_busy(&self) -> bool {
        self.requests
            .any(|p| matches!(p, Pending::ToolList | Pending::ToolCall))
    }
}
