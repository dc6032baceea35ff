//! Host state of the Tools screen: the embedded `ToolsPanel` once `tools/list` answered, and
//! where the screen was opened from.

use crossterm::event::KeyEvent;

use crate::app::keymap::Mode;
use crate::app::meeting::MeetingView;
use crate::app::tools::{Focus, ToolsPanel};
use crate::app::{Screen, State};
use crate::message::Action;

#[derive(Debug, Default, Clone)]
pub struct ToolsScreen {
    /// `None` until `tools/list` answered.
    pub panel: Option<ToolsPanel>,
    pub error: Option<String>,
    /// The meeting view was opened from a result, so `Esc` there comes back here.
    pub opened_meeting: bool,
    /// The screen the panel was opened from, where closing it goes back to.
    pub return_to: Option<Screen>,
    /// The meeting the panel was opened over, kept (scroll, find and all) while a result's
    /// meeting takes the view, and given back when the panel closes.
    pub parked: Option<Box<MeetingView>>,
}

/// The global action `key` takes on the tools panel, which owns every other key (its forms
/// type letters): quit and help only, and `?` only where nothing takes typing. The one rule
/// the key handler follows and the help lists keys by.
pub fn global_action(state: &State, key: KeyEvent) -> Option<Action> {
    if let Some(action @ (Action::Quit | Action::Help)) = state.keymap.action(Mode::Input, key) {
        return Some(action);
    }
    let typing = state
        .tools
        .panel
        .as_ref()
        .is_some_and(|p| p.focus() == Focus::Form);
    (!typing && state.keymap.action(Mode::Global, key) == Some(Action::Help))
        .then_some(Action::Help)
}
