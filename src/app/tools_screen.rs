//! The Tools screen around the embedded `ToolsPanel`: the panel once `tools/list` answered,
//! where the screen was opened from, and its updates (keys and mouse to the panel, running a
//! tool, the answers to its requests), returning effects.

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use crate::app::effect::{Effect, Opening};
use crate::app::keymap::{Keymap, Mode};
use crate::app::meeting::MeetingView;
use crate::app::requests::{Pending, Requests};
use crate::app::tools::{Focus, ToolsOutcome, ToolsPanel};
use crate::app::{Screen, State};
use crate::message::{Action, ClientEvent, Command};

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

/// The global action `key` takes on the tools panel, whose panes have keymap sections of their
/// own (`tools`, `tools_form`, `tools_result`; its forms type letters): quit and help only, and
/// `?` only where nothing takes typing. The one rule the key handler follows and the help
/// lists keys by.
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

impl ToolsScreen {
    /// A key on the panel that is not quit or help ([`global_action`]): an action from the
    /// focused pane's keymap section, or typing into a form; before the tool list came, Back
    /// and the key that asks for it again.
    pub fn on_key(
        &mut self,
        key: KeyEvent,
        keymap: &Keymap,
        requests: &mut Requests,
    ) -> Vec<Effect> {
        let retry = self.error.is_some() && keymap.action(Mode::Home, key) == Some(Action::Refresh);
        let outcome = match &mut self.panel {
            Some(host) => host.handle_key(key, keymap),
            None if keymap.bound(Mode::Tools, key) == Some(Action::Back) => ToolsOutcome::Close,
            // The tool list failed to load: the key that retries asks for it again.
            None if retry => return vec![Effect::OpenTools],
            None => ToolsOutcome::None,
        };
        self.outcome(outcome, requests)
    }

    /// A mouse event over the panel's `body`.
    pub fn on_mouse(
        &mut self,
        mouse: MouseEvent,
        body: Rect,
        requests: &mut Requests,
    ) -> Vec<Effect> {
        let outcome = match &mut self.panel {
            Some(host) => host.handle_mouse(mouse, body),
            None => ToolsOutcome::None,
        };
        self.outcome(outcome, requests)
    }

    /// What the panel asked for: running a tool is the screen's own; closing the panel and
    /// opening a meeting are the router's.
    fn outcome(&mut self, outcome: ToolsOutcome, requests: &mut Requests) -> Vec<Effect> {
        match outcome {
            ToolsOutcome::None => Vec::new(),
            ToolsOutcome::Close => vec![Effect::CloseTools],
            ToolsOutcome::OpenMeeting {
                meeting,
                action_items,
            } => vec![Effect::OpenMeeting(Box::new(Opening {
                section: action_items.then_some("Action items"),
                from_tools: true,
                ..Opening::new(*meeting)
            }))],
            ToolsOutcome::Run { name, args } => {
                let id = requests.next_id();
                let mut fx = Vec::new();
                for old in requests.forget(|p| *p == Pending::ToolCall) {
                    fx.push(Effect::Command(Command::Cancel(old)));
                }
                requests.wait(id, Pending::ToolCall);
                if let Some(host) = &mut self.panel {
                    host.set_running(&name);
                }
                fx.push(Effect::Command(Command::CallTool { id, name, args }));
                fx
            }
        }
    }

    /// The answers to the panel's requests (the router checked they are still wanted): the
    /// tool list, and a tool's result.
    pub fn on_reply(&mut self, event: ClientEvent, keymap: &Keymap) -> Vec<Effect> {
        let mut fx = Vec::new();
        match event {
            ClientEvent::ToolsListed { result, .. } => match result {
                Ok(tools) => match &mut self.panel {
                    Some(host) => host.set_tools(tools),
                    None => self.panel = Some(ToolsPanel::new(tools)),
                },
                Err(mut e) => {
                    let retry = keymap.retry_sentence(Mode::Home);
                    e.message = format!("{} {retry}", e.message);
                    self.error = Some(e.message.clone());
                    fx.push(Effect::Failed(e));
                }
            },
            ClientEvent::ToolCalled { name, result, .. } => {
                let result = match result {
                    Ok(r) => Ok(r),
                    Err(e) if e.auth_required => {
                        let message = e.message.clone();
                        fx.push(Effect::Failed(e));
                        Err(message)
                    }
                    // The result pane's key runs the same form again.
                    Err(e) => {
                        let again = match keymap.key_for(Mode::ToolsResult, Action::RunTool) {
                            Some(key) => format!("Press {key} to run it again."),
                            None => {
                                "Bind a key to RunTool in config.toml to run it again.".to_owned()
                            }
                        };
                        Err(format!("{}\n{again}", e.message))
                    }
                };
                if let Some(host) = &mut self.panel {
                    host.set_result(&name, result);
                }
            }
            _ => {}
        }
        fx
    }
}
