//! The export dialog: a format choice, an editable path, and the overwrite question.

use std::path::PathBuf;

use ratatui_textarea::TextArea;

use crate::app::meetings::Row;
use crate::message::{ExportFormat, RequestId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFocus {
    Format,
    Path,
}

#[derive(Debug, Clone)]
pub struct ExportDialog {
    pub format: ExportFormat,
    pub focus: ExportFocus,
    pub path: TextArea<'static>,
    /// The user typed in the path, so changing the format no longer rewrites it.
    pub path_edited: bool,
    /// The file exists: waiting for y / n.
    pub confirm: Option<PathBuf>,
    pub pending: Option<RequestId>,
    pub error: Option<String>,
    stem: String,
}

impl PartialEq for ExportDialog {
    fn eq(&self, other: &Self) -> bool {
        self.format == other.format
            && self.focus == other.focus
            && self.path.lines() == other.path.lines()
            && self.path_edited == other.path_edited
            && self.confirm == other.confirm
            && self.pending == other.pending
            && self.error == other.error
    }
}

impl ExportDialog {
    pub fn new(row: &Row) -> Self {
        let stem = default_stem(row);
        let format = ExportFormat::Md;
        let mut dialog = Self {
            format,
            focus: ExportFocus::Format,
            path: TextArea::default(),
            path_edited: false,
            confirm: None,
            pending: None,
            error: None,
            stem,
        };
        dialog.reset_path();
        dialog
    }

    fn reset_path(&mut self) {
        let mut area = TextArea::new(vec![format!("{}.{}", self.stem, self.format.extension())]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        self.path = area;
    }

    pub fn path_text(&self) -> String {
        self.path.lines().concat()
    }

    pub fn step_format(&mut self, forward: bool) {
        let all = ExportFormat::ALL;
        let i = all.iter().position(|f| *f == self.format).unwrap_or(0);
        let n = all.len();
        self.format = all[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        if !self.path_edited {
            self.reset_path();
        }
    }
}

/// `2026-01-15-q4-roadmap-review`: the date and a filesystem-safe slug of the name.
fn default_stem(row: &Row) -> String {
    let mut slug = String::new();
    for c in row.name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = if slug.is_empty() {
        "meeting".to_owned()
    } else {
        slug
    };
    if row.date.is_empty() {
        slug
    } else {
        format!("{}-{slug}", row.date)
    }
}
