//! The login screen: its state (connecting, waiting for the browser or a pasted redirect,
//! failed), what an action does to it, and the client task's news about the login under way.

use crossterm::event::KeyEvent;

use crate::app::Screen;
use crate::app::effect::Effect;
use crate::app::input::LineInput;
use crate::message::{Action, ClientEvent, Command};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    /// Trying stored credentials.
    Connecting,
    Idle,
    Waiting {
        /// The authorization URL, sanitized, once discovery and registration are done.
        url: Option<String>,
        /// The "paste the redirect URL" field, when open.
        paste: Option<LineInput>,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub state: LoginState,
    /// Why the user is here again ("Your session expired…"), or what was wrong with a paste.
    pub note: Option<String>,
    /// Whether credentials were found for this server (the client says so as it connects).
    pub stored_login: bool,
    /// Where to go back to after logging in.
    pub return_to: Option<Screen>,
}

impl Login {
    /// An action on the login screen.
    pub fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let mut fx = Vec::new();
        match (&mut self.state, action) {
            (LoginState::Idle | LoginState::Failed { .. }, Action::Login | Action::Select) => {
                self.state = LoginState::Waiting {
                    url: None,
                    paste: None,
                };
                // A new attempt: what the note said (an error, "session expired") is old news,
                // and a failure of this attempt says it again.
                self.note = None;
                fx.push(Effect::Command(Command::StartLogin));
            }
            (LoginState::Waiting { paste: Some(p), .. }, Action::Select) => {
                let url = p.text().trim().to_owned();
                if !url.is_empty() {
                    fx.push(Effect::Command(Command::PasteRedirect(url)));
                    self.note = None;
                }
                if let LoginState::Waiting { paste, .. } = &mut self.state {
                    *paste = None;
                }
            }
            (
                LoginState::Waiting {
                    paste: paste @ Some(_),
                    ..
                },
                Action::Back,
            ) => *paste = None,
            // Only once the login is under way: before that there is no redirect to paste.
            (
                LoginState::Waiting {
                    url: Some(_),
                    paste,
                },
                Action::PasteUrl,
            ) => {
                *paste = Some(LineInput::default());
            }
            (LoginState::Waiting { url: Some(url), .. }, Action::CopyUrl) => {
                fx.push(Effect::Command(Command::Copy(url.clone())));
                fx.push(Effect::toast("Login URL copied to the clipboard."));
            }
            (LoginState::Waiting { .. }, Action::Back) => {
                self.state = LoginState::Idle;
                fx.push(Effect::Command(Command::CancelLogin));
            }
            (_, Action::Back) => fx.push(Effect::Quit),
            _ => {}
        }
        fx
    }

    /// A key no binding claimed, typed into the paste field.
    pub fn type_key(&mut self, key: KeyEvent) {
        if let LoginState::Waiting { paste: Some(p), .. } = &mut self.state {
            p.handle_key(key);
        }
    }

    /// Pasted text: into the paste field, or opening it once the login is under way.
    pub fn paste(&mut self, text: &str) {
        match &mut self.state {
            LoginState::Waiting { paste: Some(p), .. } => p.insert_str(text.trim()),
            // Pasting on the waiting screen is the obvious thing to do with the redirect URL.
            LoginState::Waiting {
                url: Some(_),
                paste,
            } => *paste = Some(LineInput::new(text.trim())),
            _ => {}
        }
    }

    /// The client task's news about the login under way (the events that concern only this
    /// screen; logging in and being sent here are the router's).
    pub fn on_event(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::LoginUrlReady { url } => {
                let paste = match &mut self.state {
                    LoginState::Waiting { paste, .. } => paste.take(),
                    _ => None,
                };
                self.state = LoginState::Waiting {
                    url: Some(url),
                    paste,
                };
            }
            ClientEvent::Connecting { stored_login } => self.stored_login = stored_login,
            ClientEvent::PasteRefused { message } => {
                if matches!(self.state, LoginState::Waiting { .. }) {
                    self.note = Some(message);
                }
            }
            ClientEvent::LoginFailed { message } => {
                self.state = LoginState::Failed { message };
            }
            _ => {}
        }
    }
}
