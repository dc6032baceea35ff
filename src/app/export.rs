//! The export dialog: a format choice, an editable path, and the overwrite question; for the
//! marked meetings, a directory and the progress of writing them.

use std::path::PathBuf;

use crate::app::input::LineInput;
use crate::export::{Format, default_file_name};
use crate::krisp::{Meeting, MeetingId};

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
    pub fn new(meeting: &Meeting) -> Self {
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
        };
        dialog.reset_path();
        dialog
    }

    /// The dialog for the marked meetings `ids` (the first one's meeting stands in for the
    /// single-file defaults, which are not used): the path field holds a directory, which a
    /// format change leaves alone.
    pub fn for_many(first: &Meeting, ids: Vec<MeetingId>) -> Self {
        let mut dialog = Self::new(first);
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
        self.path = LineInput::new(default_file_name(&self.meeting, self.format));
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
