//! Every type that crosses a task boundary: `Action` (keymap → update), `Command` (update → client
//! task), `ClientEvent` (client task → update), and the `RequestId` that ties a reply to its request.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};
use rmcp::model::{CallToolResult, Tool};
use serde::{Deserialize, Serialize};

pub use crate::export::Format;
use crate::krisp::{Document, Meeting, MeetingId};

/// Identifies one request to the client task. The app's request registry
/// (`app::requests::Requests`) keeps the ids still waited for and drops any other reply, so a
/// late answer to a superseded request never shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RequestId(pub u64);

/// What the user wants, independent of the key that asked for it. Deserialized from
/// `assets/keymap.toml` and the user's `config.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Action {
    Quit,
    Help,
    Back,
    Select,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    FocusNext,
    FocusPrev,
    NextTab,
    PrevTab,
    Search,
    NextHit,
    PrevHit,
    Refresh,
    /// Sync the local store with the server now.
    Sync,
    // Home screen tabs and their switches.
    ShowMeetings,
    ShowActionItems,
    ShowUpcoming,
    ShowActivity,
    ToggleDone,
    ToggleMine,
    MoreDays,
    FewerDays,
    // Meeting view.
    Export,
    /// Mark or unmark the selected meeting (for exporting many).
    Mark,
    /// Mark every meeting shown (or unmark them, when all are marked).
    MarkAll,
    OpenInBrowser,
    CopyTurn,
    /// The copy menu: the turn, the summary, key points, action items, the link.
    CopyMenu,
    JumpToTime,
    // Login screen.
    Login,
    CopyUrl,
    PasteUrl,
    // Anywhere.
    Tools,
    /// The last few notes and errors (toasts that have gone).
    Messages,
    // Tools panel.
    /// Run the selected tool with its form.
    RunTool,
    /// To the result pane, and from it back to the tool list.
    ToggleResult,
    /// A result as the raw JSON the server sent, and back.
    RawView,
    /// A result's summary or table, or its JSON tree.
    TreeView,
    /// Fold or unfold the tree node (elsewhere in a result: a page down).
    Fold,
    Expand,
    Collapse,
    ExpandAll,
    CollapseAll,
    HalfPageUp,
    HalfPageDown,
    /// Unbinds a key that the defaults bind (`"x" = "Unbound"` in `config.toml`).
    Unbound,
}

impl Action {
    /// One line for the help screen.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show / hide this help",
            Action::Back => "back / cancel / clear",
            Action::Select => "open / confirm",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Left => "previous choice",
            Action::Right => "next choice",
            Action::FocusNext => "next pane / field",
            Action::FocusPrev => "previous pane / field",
            Action::NextTab => "next tab",
            Action::PrevTab => "previous tab",
            Action::Search => "search",
            Action::NextHit => "next search hit",
            Action::PrevHit => "previous search hit",
            Action::Refresh => "reload from the server",
            Action::Sync => "sync the local store now",
            Action::ShowMeetings => "meetings tab",
            Action::ShowActionItems => "action items tab",
            Action::ShowUpcoming => "upcoming meetings tab",
            Action::ShowActivity => "activity tab",
            Action::ToggleDone => "action items: open / done / all",
            Action::ToggleMine => "action items: mine only / everyone's",
            Action::MoreDays => "upcoming: one more day",
            Action::FewerDays => "upcoming: one day fewer",
            Action::Export => "export the meeting",
            Action::Mark => "mark / unmark the meeting",
            Action::MarkAll => "mark / unmark every meeting shown",
            Action::OpenInBrowser => "open in Krisp's web app",
            Action::CopyTurn => "copy the search hit's turn, else the top one (OSC 52)",
            Action::CopyMenu => "copy the summary, key points, action items or link",
            Action::JumpToTime => "jump to a time in the transcript",
            Action::Login => "log in",
            Action::CopyUrl => "copy the login URL (OSC 52)",
            Action::PasteUrl => "paste the redirect URL",
            Action::Tools => "tools panel",
            Action::Messages => "recent messages and errors",
            Action::RunTool => "run the tool",
            Action::ToggleResult => "to the result / back to the list",
            Action::RawView => "raw JSON / back",
            Action::TreeView => "summary or table / JSON tree",
            Action::Fold => "fold / unfold",
            Action::Expand => "unfold",
            Action::Collapse => "fold",
            Action::ExpandAll => "unfold all",
            Action::CollapseAll => "fold all",
            Action::HalfPageUp => "half a page up",
            Action::HalfPageDown => "half a page down",
            Action::Unbound => "nothing",
        }
    }
}

/// Everything `app::update` reacts to. `update` also gets the current `Instant`, so time is an
/// input like any other and tests drive it by hand.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    Resize(u16, u16),
    /// Sent while something animates or waits for a deadline (spinner, search debounce, toast).
    Tick,
    /// An action that did not come from a key (tests, the command bar).
    Action(Action),
    Client(Box<ClientEvent>),
    /// The terminal's clipboard was given only the first `limit` bytes of a copy (terminals
    /// refuse longer OSC 52 writes).
    ClipboardCut {
        limit: usize,
    },
}

/// Search criteria sent to the server (`search_meetings`); the reply echoes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub search: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub tags: Vec<String>,
    pub limit: u32,
    pub offset: u32,
}

/// UI → client task: an imperative verb.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Connect with stored credentials; `LoggedIn` or `LoginRequired` comes back.
    Connect,
    StartLogin,
    CancelLogin,
    /// A redirect URL the user pasted (SSH sessions without a browser on this machine).
    PasteRedirect(String),
    /// Abort a request whose answer is no longer wanted.
    Cancel(RequestId),
    SearchMeetings {
        id: RequestId,
        query: SearchQuery,
    },
    FetchDocuments {
        id: RequestId,
        ids: Vec<MeetingId>,
    },
    ListActionItems {
        id: RequestId,
        completed: Option<bool>,
        assigned_to_me: bool,
        offset: u32,
    },
    ListUpcoming {
        id: RequestId,
        days: u32,
    },
    ListActivities {
        id: RequestId,
        cursor: Option<String>,
    },
    ListTools {
        id: RequestId,
    },
    CallTool {
        id: RequestId,
        name: String,
        args: serde_json::Map<String, serde_json::Value>,
    },
    /// Render `meeting` in `format` and write it to `path` (refusing to overwrite unless `force`).
    Export {
        id: RequestId,
        meeting: Box<Meeting>,
        document: Option<Box<Document>>,
        format: Format,
        path: PathBuf,
        force: bool,
    },
    /// Write the meetings `ids` from the local store into the vault directory `dir`, as
    /// `export --all` does; cancelled by `Cancel(id)` between two meetings.
    ExportMany {
        id: RequestId,
        ids: Vec<MeetingId>,
        format: Format,
        dir: PathBuf,
    },
    OpenUrl(String),
    /// Read a window of the meeting list from the local store, newest first
    /// (`StoredMeetings` answers): the rows `window.offset..` of it, or, with `around`, a window
    /// of `window.limit` rows with that meeting in its middle (where it is now: a sync may have
    /// stored newer ones above it). The list holds a window, never the whole store.
    LoadStored {
        id: RequestId,
        window: crate::library::Window,
        around: Option<MeetingId>,
    },
    /// The ids of every meeting shown: the whole stored list, or with `text` what the store's
    /// search finds for it (`IdsListed` answers): "mark every meeting shown" in one question.
    ListIds {
        id: RequestId,
        text: Option<String>,
    },
    /// Read one meeting's notes from the local store, never the server (`MeetingRead` answers;
    /// nothing does when the store does not have it).
    ReadMeeting {
        id: MeetingId,
    },
    /// Read the transcript turns around a search hit from the local store (`ContextRead`
    /// answers).
    ReadContext {
        at: HitAt,
        radius: usize,
    },
    /// Search of the local store, a window of its answer (`StoredSearch` answers, echoing the
    /// text).
    SearchStored {
        id: RequestId,
        text: String,
        window: crate::library::Window,
    },
    /// Bring the local store up to date in the background (ignored while a sync runs).
    Sync,
    /// Put text on the clipboard through the terminal (OSC 52); done by the loop that owns it.
    Copy(String),
    Quit,
}

/// A failed request, as the UI needs it: a sentence to show, and whether to log in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub message: String,
    /// What went wrong without the advice that ends `message` ("try again later"), for a
    /// line that goes on to say a retry is coming.
    pub cause: String,
    pub auth_required: bool,
    /// Worth asking again on its own (a 5xx, a rate limit, a dropped connection), and the wait
    /// the server named if it named one: `ClientError::retry_hint`.
    pub retry_hint: Option<Option<std::time::Duration>>,
    /// The server could not be reached at all (or the connection dropped): the UI shows it is
    /// offline until a connection works again.
    pub unreachable: bool,
}

impl RequestError {
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            cause: message.clone(),
            message,
            auth_required: false,
            retry_hint: None,
            unreachable: false,
        }
    }

    /// A request that failed because the server cannot be reached.
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self {
            unreachable: true,
            ..Self::new(message)
        }
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self {
            auth_required: true,
            ..Self::new(message)
        }
    }
}

/// Client task → UI: what happened.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// No usable credentials: show the login screen.
    LoginRequired {
        note: Option<String>,
    },
    LoginUrlReady {
        url: String,
    },
    /// The connection attempt has begun, with a stored login or without one.
    Connecting {
        stored_login: bool,
    },
    /// A pasted text was not this login's redirect; the login keeps waiting.
    PasteRefused {
        message: String,
    },
    LoggedIn {
        server: String,
        account: Option<String>,
    },
    LoginFailed {
        message: String,
    },
    MeetingsLoaded {
        id: RequestId,
        query: SearchQuery,
        result: Result<Vec<Meeting>, RequestError>,
    },
    DocumentsLoaded {
        id: RequestId,
        result: Result<Vec<Document>, RequestError>,
    },
    /// The document request `id` failed in a way worth retrying (`message`); try `attempt` of
    /// `attempts` follows after `wait`. `Cancel(id)` stops the retries.
    Retrying {
        id: RequestId,
        attempt: u32,
        attempts: u32,
        wait: std::time::Duration,
        message: String,
    },
    /// `list_action_items`, `list_upcoming_meetings` or `list_activities` answered (or the
    /// store, offline), as typed rows; the server's text is not yet sanitized.
    FeedLoaded {
        id: RequestId,
        result: Result<Vec<crate::krisp::FeedItem>, RequestError>,
    },
    ToolsListed {
        id: RequestId,
        result: Result<Vec<Tool>, RequestError>,
    },
    ToolCalled {
        id: RequestId,
        name: String,
        result: Result<CallToolResult, RequestError>,
    },
    Exported {
        id: RequestId,
        result: Result<PathBuf, RequestError>,
    },
    /// A window of the local store's meeting list: its rows (what the list shows: no notes,
    /// but the length and state of each transcript stored), newest first, from row `offset`,
    /// and how many meetings the store holds in all. `complete`: a sync has listed every
    /// meeting, so the server need not be searched.
    StoredMeetings {
        id: RequestId,
        offset: usize,
        total: usize,
        meetings: Vec<crate::store::ListRow>,
        complete: bool,
    },
    /// The answer to `ListIds`.
    IdsListed {
        id: RequestId,
        result: Result<Vec<MeetingId>, RequestError>,
    },
    /// The store has new or changed meetings (a sync is filling it): ask for the list again.
    StoreChanged,
    /// The store's answer for `text`: the window asked for, and how many match in all.
    StoredSearch {
        id: RequestId,
        text: String,
        result: Result<crate::library::Answer, RequestError>,
    },
    /// The turns around a search hit, read from the store.
    ContextRead {
        at: HitAt,
        turns: Vec<crate::library::ContextTurn>,
    },
    /// A whole meeting (notes included) read from the store or the server, fresher than the
    /// list's light copy.
    MeetingRead {
        meeting: Box<Meeting>,
    },
    SyncProgress(SyncProgress),
    /// Another krisp-tui holds the store's sync lock: the list follows its progress (the
    /// store is re-read now and then) until it ends, then `SyncFinished` with `by_another`.
    SyncElsewhere,
    SyncFinished(Result<SyncSummary, RequestError>),
    /// The server cannot be reached (or `--offline`): the UI works from the store.
    Offline {
        reason: String,
    },
    /// An export of many meetings wrote `done` of `total`.
    ExportProgress {
        id: RequestId,
        done: usize,
        total: usize,
    },
    /// An export of many meetings ended (`cancelled` in the summary when it was stopped).
    ExportedMany {
        id: RequestId,
        dir: PathBuf,
        result: Result<crate::library::vault_dir::VaultSummary, RequestError>,
    },
    /// The export target exists and `force` was false: ask the user.
    ExportExists {
        id: RequestId,
        path: PathBuf,
    },
}

// ---------------------------------------------------------------- the sync's progress

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Listing,
    Documents,
    Feeds,
    Done,
}

/// Where a running sync is, for a progress bar or the status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub phase: Phase,
    /// Meetings listed so far.
    pub listed: usize,
    pub documents_done: usize,
    pub documents_total: usize,
    pub requests: usize,
    /// Requests retried after a rate-limit or server error.
    pub retries: usize,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Transcripts fetched and ready.
    pub documents: usize,
    /// Meetings whose transcript the server is still processing.
    pub still_processing: usize,
    /// Documents or feeds that failed even after retrying (the next sync tries again).
    pub failed: usize,
    pub requests: usize,
    pub retries: usize,
    /// Stored meetings the server no longer has, marked deleted (only a full listing tells).
    pub deleted: usize,
    /// Another krisp-tui did the sync; this one waited for it to end.
    #[serde(skip)]
    pub by_another: bool,
}

impl SyncSummary {
    /// One line for people: "12 new, 3 updated, 2 still processing, 0 failed".
    pub fn line(&self) -> String {
        let deleted = if self.deleted > 0 {
            format!(", {} deleted on the server", self.deleted)
        } else {
            String::new()
        };
        format!(
            "{} new, {} updated{deleted}, {} transcripts fetched, {} still processing, {} failed ({} requests)",
            self.new,
            self.updated,
            self.documents,
            self.still_processing,
            self.failed,
            self.requests
        )
    }
}

/// A search hit's place in a transcript: the meeting, the turn, and the query (whose words are
/// marked when its turns are read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitAt {
    pub meeting: MeetingId,
    pub turn: usize,
    pub text: String,
}
