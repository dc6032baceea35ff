//! The meeting screen's updates: what an action does to the open view, and the answer to its
//! document request. The view changes only itself and returns effects for the router (a
//! toast, a command, a dialog to open, leaving the screen).

use crossterm::event::KeyEvent;

use crate::app::Overlay;
use crate::app::effect::Effect;
use crate::app::export::ExportDialog;
use crate::app::input::LineInput;
use crate::app::keymap::{Keymap, Mode};
use crate::app::meeting::{CopyChoice, DocState, MeetingView, TextSearch, parse_time};
use crate::app::requests::{Pending, Requests};
use crate::krisp::Document;
use crate::message::{Action, Command, RequestError};

impl MeetingView {
    /// An action on the open meeting: the jump prompt's or the find box's while one is open,
    /// else the reader's.
    pub fn on_action(
        &mut self,
        action: Action,
        requests: &mut Requests,
        keymap: &Keymap,
    ) -> Vec<Effect> {
        let mut fx = Vec::new();
        let page = isize::try_from(self.height.max(2) - 1).unwrap_or(1);
        // A prompt open: the input section's bindings.
        if let Some(jump) = &self.jump {
            match action {
                Action::Select => {
                    let text = jump.text().trim().to_owned();
                    // A time that cannot be taken keeps the prompt, and what was typed, open
                    // with the reason: the next keys still go to the prompt, not to the view.
                    match (parse_time(&text), self.transcript_end()) {
                        (None, _) => {
                            self.jump_error = Some(format!(
                                "\u{201c}{text}\u{201d} is not a time: type one like 12:34 or 1:02:03"
                            ));
                        }
                        (Some(_), None) => {
                            self.jump = None;
                            self.jump_error = None;
                            fx.push(Effect::error("There is no transcript to jump in yet."));
                        }
                        (Some(at), Some(end)) if at > end => {
                            self.jump_error = Some(format!(
                                "{text} is past the last turn, at {}",
                                crate::krisp::clock(
                                    u64::try_from(end.as_millis()).unwrap_or(u64::MAX)
                                )
                            ));
                        }
                        (Some(at), Some(_)) => {
                            self.jump_to(at);
                            self.jump = None;
                            self.jump_error = None;
                        }
                    }
                }
                Action::Back => {
                    self.jump = None;
                    self.jump_error = None;
                }
                _ => {}
            }
            fx.push(Effect::Relayout);
            return fx;
        }
        if let Some(search) = &mut self.search
            && search.editing
        {
            match action {
                Action::Select | Action::FocusNext | Action::FocusPrev => search.editing = false,
                Action::Back => self.search = None,
                Action::Down => self.step_hit(true),
                Action::Up => self.step_hit(false),
                Action::PageDown => self.scroll_by(page),
                Action::PageUp => self.scroll_by(-page),
                _ => {}
            }
            fx.push(Effect::Relayout);
            return fx;
        }
        // The reader moved (or left): a section still waiting to be shown no longer is.
        self.pending_section = None;
        match action {
            Action::Back if self.search.is_some() => {
                self.search = None;
                fx.push(Effect::Relayout);
            }
            Action::Back => {
                // Leaving stops the transcript's retries: nobody is waiting for them.
                if let (DocState::Loading, Some(_)) = (&self.document, &self.notes.retrying) {
                    for id in requests.forget(|p| matches!(p, Pending::Document(_))) {
                        fx.push(Effect::Command(Command::Cancel(id)));
                    }
                    let message = "Stopped retrying when you left the meeting.".to_owned();
                    let retry = keymap.retry_sentence(Mode::Meeting);
                    self.set_document(DocState::Failed { message, retry });
                }
                fx.push(Effect::LeaveMeeting);
            }
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-page),
            Action::PageDown => self.scroll_by(page),
            Action::Top => self.scroll_to(0),
            Action::Bottom => self.scroll_to(usize::MAX),
            Action::FocusNext | Action::FocusPrev => {
                // Tab walks the section headings.
                let headings = self.heading_lines();
                let target = if action == Action::FocusNext {
                    headings.iter().find(|&&l| l > self.scroll).copied()
                } else {
                    headings.iter().rev().find(|&&l| l < self.scroll).copied()
                };
                self.scroll_to(target.unwrap_or(if action == Action::FocusNext {
                    usize::MAX
                } else {
                    0
                }));
            }
            Action::Search => {
                self.search = Some(TextSearch {
                    editing: true,
                    ..TextSearch::default()
                });
                fx.push(Effect::Relayout);
            }
            Action::NextHit => self.step_hit(true),
            Action::PrevHit => self.step_hit(false),
            Action::JumpToTime => {
                self.jump = Some(LineInput::default());
                fx.push(Effect::Relayout);
            }
            Action::OpenInBrowser => fx.push(match self.meeting.url.clone() {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    Effect::Command(Command::OpenUrl(url))
                }
                Some(_) => Effect::error("This meeting's link is not a web address."),
                None if self.notes.upcoming => Effect::error(
                    "This meeting has not happened yet, and the server sent no link for it.",
                ),
                None => Effect::error("This meeting has no web link."),
            }),
            Action::CopyTurn => {
                let turn = self.copy_turn().and_then(|i| Some((i, self.document()?)));
                match turn.and_then(|(i, doc)| doc.transcript.turns.get(i)) {
                    Some(turn) => {
                        let text = crate::app::meeting::turn_text(turn);
                        fx.push(Effect::Command(Command::Copy(text)));
                        fx.push(Effect::toast("Turn copied to the clipboard."));
                    }
                    None => fx.push(Effect::error("No transcript turn in view to copy.")),
                }
            }
            Action::CopyMenu => fx.push(if self.copy_choices().is_empty() {
                Effect::error("Nothing to copy yet.")
            } else {
                Effect::Open(Overlay::Copy { selected: 0 })
            }),
            Action::Export => {
                let dialog = ExportDialog::new(&self.meeting, &self.zone);
                fx.push(Effect::Open(Overlay::Export(Box::new(dialog))));
            }
            Action::Refresh => fx.push(Effect::ReloadMeeting),
            _ => {}
        }
        fx
    }

    /// A key no binding claimed, typed into the open prompt (jump, or find).
    pub fn type_key(&mut self, key: KeyEvent) {
        if let Some(jump) = &mut self.jump {
            if jump.handle_key(key) {
                self.jump_error = None;
            }
        } else if let Some(search) = &mut self.search
            && search.input.handle_key(key)
        {
            self.research();
        }
    }

    /// Pasted text, into the open prompt.
    pub fn paste(&mut self, text: &str) {
        if let Some(jump) = &mut self.jump {
            jump.insert_str(text);
        } else if let Some(search) = &mut self.search {
            search.input.insert_str(text);
            self.research();
        }
    }

    /// The answer to the view's document request (the router checked the view waits for it):
    /// `Ok` with the document asked for, as cached.
    pub fn on_document(
        &mut self,
        result: Result<Document, RequestError>,
        keymap: &Keymap,
    ) -> Vec<Effect> {
        match result {
            Ok(doc) => {
                self.set_document(DocState::Ready(Box::new(doc)));
                vec![Effect::Succeeded]
            }
            Err(e) => {
                let retry = keymap.retry_sentence(Mode::Meeting);
                self.set_document(DocState::Failed {
                    message: e.message.clone(),
                    retry,
                });
                vec![Effect::Failed(e)]
            }
        }
    }
}

/// Keys in the copy menu over the meeting: move, copy the highlighted choice (and close), or
/// close.
pub fn copy_action(choices: &[CopyChoice], selected: &mut usize, action: Action) -> Vec<Effect> {
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(choices.len().saturating_sub(1)),
        Action::Back => return vec![Effect::CloseOverlay],
        Action::Select => {
            let mut fx = vec![Effect::CloseOverlay];
            if let Some(choice) = choices.get(*selected).cloned() {
                let note = format!("{} copied to the clipboard.", choice.label);
                fx.push(Effect::Command(Command::Copy(choice.text)));
                fx.push(Effect::toast(note));
            }
            return fx;
        }
        _ => {}
    }
    Vec::new()
}
