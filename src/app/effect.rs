//! What a screen asks the router to do beyond its own state: a screen changes only itself and
//! returns effects; `update` applies them to the rest of `State` (the toast, the overlay, the
//! screen shown) and passes commands on to the client task.

use crate::app::Overlay;
use crate::krisp::Meeting;
use crate::message::{Command, RequestError};

#[derive(Debug)]
pub enum Effect {
    /// A command for the client task.
    Command(Command),
    /// A toast (an error, or a success), kept for the messages overlay.
    Toast { text: String, error: bool },
    /// The latest news in the status bar ("Exported to …").
    Status(String),
    /// A request succeeded: an error shown for an earlier one is no longer news.
    Succeeded,
    /// A request failed: an expired session goes to the login screen, anything else to a toast.
    Failed(RequestError),
    /// Opens a dialog over the screen.
    Open(Overlay),
    /// Closes the dialog.
    CloseOverlay,
    /// The marked meetings were exported: the marks go.
    ClearMarks,
    /// A prompt opened or closed over the meeting: the view is laid out again.
    Relayout,
    /// Leaves the meeting for where it was opened from (a tool's result, or the list).
    LeaveMeeting,
    /// Quits the app.
    Quit,
    /// Starts a sync of the local store (or says why it cannot run now).
    Sync,
    /// Opens a meeting in the meeting view.
    OpenMeeting(Box<Opening>),
    /// Shows the tools panel (asking for the tool list when it is not there yet).
    OpenTools,
    /// Leaves the tools panel for where it was opened from.
    CloseTools,
    /// Fetches the open meeting's document again (when the server can be asked).
    ReloadMeeting,
}

impl Effect {
    pub fn toast(text: impl Into<String>) -> Effect {
        Effect::Toast {
            text: text.into(),
            error: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Effect {
        Effect::Toast {
            text: text.into(),
            error: true,
        }
    }
}

/// A meeting to open, and where in it.
#[derive(Debug)]
pub struct Opening {
    pub meeting: Meeting,
    /// A search hit: the transcript turn to open at and the word to find.
    pub at: Option<(Option<usize>, Option<String>)>,
    /// The notes section to open at, by title.
    pub section: Option<&'static str>,
    /// Not a recorded meeting: one from the upcoming tab.
    pub upcoming: bool,
    /// From a tool's result: `Esc` in the meeting comes back to the tools panel.
    pub from_tools: bool,
}

impl Opening {
    pub fn new(meeting: Meeting) -> Opening {
        Opening {
            meeting,
            at: None,
            section: None,
            upcoming: false,
            from_tools: false,
        }
    }
}

/// The effects a screen collects while it handles one message.
pub trait Effects {
    /// A command for the client task.
    fn command(&mut self, command: Command);
}

impl Effects for Vec<Effect> {
    fn command(&mut self, command: Command) {
        self.push(Effect::Command(command));
    }
}
