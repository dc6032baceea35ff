//! The export dialog: a format choice, an editable path, and the overwrite question; for the
//! marked meetings, a directory and the progress of writing them. Its actions and the answers
//! to its writes, returning effects for the router.

use std::path::{Path, PathBuf};

use crossterm::event::KeyEvent;

use crate::app::effect::Effect;
use crate::app::input::LineInput;
use crate::app::requests::{Pending, Requests};
use crate::export::{Format, default_file_name};
use crate::krisp::{Document, Meeting, MeetingId};
use crate::message::{Action, ClientEvent, Command};
use crate::sanitize::clean_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFocus {
    Format,
    Path,
}

/// Where the marked meetings go unless the user types another directory.
pub const DEFAULT_DIR: &str = "krisp-notes";

/// The marked meetings being exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Many {
    pub ids: Vec<MeetingId>,
    /// Meetings done and in all, once the writing started.
    pub progress: Option<(usize, usize)>,
    /// Esc was pressed while writing: waiting for the writer to stop.
    pub cancelling: bool,
}

#[derive(Debug, Clone)]
pub struct ExportDialog {
    pub format: Format,
    pub focus: ExportFocus,
    pub path: LineInput,
    /// The user typed in the path, so changing the format no longer rewrites it.
    pub path_edited: bool,
    /// The file exists: waiting for y / n.
    pub confirm: Option<PathBuf>,
    pub error: Option<String>,
    /// Exporting the marked meetings: the path is a directory.
    pub many: Option<Many>,
    /// The meeting, for the default file name.
    meeting: Box<Meeting>,
    /// The zone the default file name's day is in (the state's).
    zone: jiff::tz::TimeZone,
}

impl PartialEq for ExportDialog {
    fn eq(&self, other: &Self) -> bool {
        self.format == other.format
            && self.focus == other.focus
            && self.path.text() == other.path.text()
            && self.path_edited == other.path_edited
            && self.confirm == other.confirm
            && self.error == other.error
            && self.many == other.many
    }
}

impl ExportDialog {
    pub fn new(meeting: &Meeting, zone: &jiff::tz::TimeZone) -> Self {
        let format = Format::Md;
        let mut dialog = Self {
            format,
            focus: ExportFocus::Format,
            path: LineInput::default(),
            path_edited: false,
            confirm: None,
            error: None,
            many: None,
            meeting: Box::new(meeting.clone()),
            zone: zone.clone(),
        };
        dialog.reset_path();
        dialog
    }

    /// The dialog for the marked meetings `ids` (the first one's meeting stands in for the
    /// single-file defaults, which are not used): the path field holds a directory, which a
    /// format change leaves alone.
    pub fn for_many(first: &Meeting, ids: Vec<MeetingId>, zone: &jiff::tz::TimeZone) -> Self {
        let mut dialog = Self::new(first, zone);
        dialog.path = LineInput::new(DEFAULT_DIR);
        dialog.path_edited = true;
        dialog.many = Some(Many {
            ids,
            progress: None,
            cancelling: false,
        });
        dialog
    }

    fn reset_path(&mut self) {
        self.path = LineInput::new(default_file_name(&self.meeting, self.format, &self.zone));
    }

    pub fn path_text(&self) -> String {
        self.path.text().to_owned()
    }

    pub fn step_format(&mut self, forward: bool) {
        let all = Format::ALL;
        let i = all.iter().position(|f| *f == self.format).unwrap_or(0);
        let n = all.len();
        self.format = all[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        if !self.path_edited {
            self.reset_path();
            return;
        }
        // A directory (marked meetings) has no extension to follow the format.
        if self.many.is_some() {
            return;
        }
        // An edited path keeps its name but not an extension that names another format:
        // `notes.md` becomes `notes.json`, never JSON written into `notes.md`.
        let path = self.path_text();
        let known = Format::ALL.iter().find_map(|f| {
            let stem = path.strip_suffix(f.extension())?.strip_suffix('.')?;
            (!stem.is_empty() && !stem.ends_with('/')).then_some(stem)
        });
        if let Some(stem) = known {
            self.path = LineInput::new(format!("{stem}.{}", self.format.extension()));
        }
    }
}

/// `~` and `~/…` as the home directory (when it is known); any other path as typed.
pub fn expand_home(path: &str, home: Option<&std::path::Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

/// The meeting a single export writes: the open one, or the home list's selection, with its
/// document when it was fetched.
pub type Target<'a> = Option<(&'a Meeting, Option<&'a Document>)>;

impl ExportDialog {
    /// An action on the dialog. `target` is what a single export writes; `requests` hands out
    /// the write's id and says whether one is in flight.
    pub fn on_action(
        &mut self,
        action: Action,
        target: Target<'_>,
        requests: &mut Requests,
        home_dir: Option<&Path>,
    ) -> Vec<Effect> {
        let pending = requests.id_of(|p| *p == Pending::Export);
        let mut fx = Vec::new();
        if self.confirm.is_some() {
            match action {
                Action::Select => {
                    self.confirm = None;
                    return self.send(true, target, requests, home_dir);
                }
                Action::Back => self.confirm = None,
                _ => {}
            }
            return fx;
        }
        match action {
            // Writing many: Esc stops the writer between two meetings; the dialog closes when
            // it reports what it wrote.
            Action::Back if self.many.is_some() && pending.is_some() => {
                if let (Some(id), Some(many)) = (pending, &mut self.many)
                    && !many.cancelling
                {
                    many.cancelling = true;
                    fx.push(Effect::Command(Command::Cancel(id)));
                }
            }
            Action::Back => {
                if let Some(id) = pending {
                    requests.answer(id);
                    fx.push(Effect::Command(Command::Cancel(id)));
                }
                fx.push(Effect::CloseOverlay);
            }
            Action::FocusNext | Action::FocusPrev => {
                self.focus = match self.focus {
                    ExportFocus::Format => ExportFocus::Path,
                    ExportFocus::Path => ExportFocus::Format,
                };
            }
            Action::Left | Action::Up if self.focus == ExportFocus::Format => {
                self.step_format(false);
            }
            Action::Right | Action::Down if self.focus == ExportFocus::Format => {
                self.step_format(true);
            }
            Action::Select if pending.is_none() => {
                return self.send(false, target, requests, home_dir);
            }
            _ => {}
        }
        fx
    }

    /// A key no binding claimed, typed into the path.
    pub fn type_key(&mut self, key: KeyEvent) {
        if self.path.handle_key(key) {
            self.path_edited = true;
            self.error = None;
        }
    }

    /// Pasted text, into the path while it takes typing (one line).
    pub fn paste(&mut self, text: &str, typing: bool) {
        if typing {
            self.path.insert_str(&text.replace(['\n', '\r'], ""));
            self.path_edited = true;
        }
    }

    fn send(
        &mut self,
        force: bool,
        target: Target<'_>,
        requests: &mut Requests,
        home_dir: Option<&Path>,
    ) -> Vec<Effect> {
        if self.many.is_some() {
            return self.send_many(requests, home_dir);
        }
        let Some((meeting, document)) = target else {
            return Vec::new();
        };
        let id = requests.next_id();
        let path = self.path_text();
        if path.trim().is_empty() {
            self.error = Some("Type a file name.".into());
            return Vec::new();
        }
        requests.wait(id, Pending::Export);
        self.error = None;
        vec![Effect::Command(Command::Export {
            id,
            meeting: Box::new(meeting.clone()),
            document: document.cloned().map(Box::new),
            format: self.format,
            path: expand_home(path.trim(), home_dir),
            force,
        })]
    }

    /// The marked meetings into the directory typed.
    fn send_many(&mut self, requests: &mut Requests, home_dir: Option<&Path>) -> Vec<Effect> {
        let id = requests.next_id();
        let Some(many) = &mut self.many else {
            return Vec::new();
        };
        let dir = self.path.text().to_owned();
        if dir.trim().is_empty() {
            self.error = Some("Type a directory.".into());
            return Vec::new();
        }
        many.progress = Some((0, many.ids.len()));
        many.cancelling = false;
        requests.wait(id, Pending::Export);
        self.error = None;
        vec![Effect::Command(Command::ExportMany {
            id,
            ids: many.ids.clone(),
            format: self.format,
            dir: expand_home(dir.trim(), home_dir),
        })]
    }

    /// The client task's answer to this dialog's write (the router checked it is the one
    /// waited for).
    pub fn on_reply(&mut self, event: ClientEvent) -> Vec<Effect> {
        match event {
            ClientEvent::Exported { result, .. } => match result {
                Ok(path) => {
                    let note = format!("Exported to {}", path.display());
                    done(clean_line(&note).into_owned(), false)
                }
                Err(e) => {
                    self.error = Some(e.message);
                    Vec::new()
                }
            },
            ClientEvent::ExportProgress { done, total, .. } => {
                if let Some(many) = &mut self.many {
                    many.progress = Some((done, total));
                }
                Vec::new()
            }
            ClientEvent::ExportedMany { dir, result, .. } => match result {
                Ok(summary) => {
                    let n = summary.new + summary.updated;
                    let note = if summary.cancelled {
                        format!(
                            "Export stopped: {n} files written to {}: {}",
                            dir.display(),
                            summary.line()
                        )
                    } else {
                        let done = if summary.nothing_to_write() {
                            "Nothing to write in"
                        } else {
                            "Exported to"
                        };
                        format!("{done} {}: {}", dir.display(), summary.line())
                    };
                    done(clean_line(&note).into_owned(), !summary.cancelled)
                }
                Err(e) => {
                    if let Some(many) = &mut self.many {
                        many.progress = None;
                        many.cancelling = false;
                    }
                    self.error = Some(e.message);
                    Vec::new()
                }
            },
            ClientEvent::ExportExists { path, .. } => {
                self.confirm = Some(path);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

/// A write finished: the dialog closes (and the marks go, when all of them were written) and
/// the note says where the files went.
fn done(note: String, clear_marks: bool) -> Vec<Effect> {
    let mut fx = vec![Effect::CloseOverlay];
    if clear_marks {
        fx.push(Effect::ClearMarks);
    }
    fx.push(Effect::toast(note.clone()));
    fx.push(Effect::Status(note));
    fx
}
