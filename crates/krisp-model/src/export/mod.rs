//! Meetings and transcripts exported as Markdown, text, JSON, SRT and WebVTT (pure functions of
//! the model), and the one I/O helper that writes an export to disk atomically.

mod json;
mod markdown;
mod subtitles;
mod text;
pub mod vault;

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;

use crate::krisp::{Document, Meeting};

pub use crate::fsx::remove_stale_temp_files;
pub use json::{SCHEMA_VERSION, parse_json_export};

/// An export format; its command-line and serde name is its file extension.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown: the notes (summary, key points, action items) and the transcript.
    Md,
    /// Plain text: the transcript only, `Name | MM:SS` over each turn.
    Txt,
    /// JSON: the meeting, its notes and its transcript as one object (times in UTC).
    Json,
    /// SubRip subtitles: the transcript only.
    Srt,
    /// WebVTT subtitles: the transcript only.
    Vtt,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Md,
        Format::Txt,
        Format::Json,
        Format::Srt,
        Format::Vtt,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Txt => "txt",
            Format::Json => "json",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Renders a meeting (and its document, when there is one) in `format`. `txt`, `srt` and `vtt`
/// hold only the transcript; `md` and `json` hold everything. `tz` is the zone the Markdown's
/// date is shown in (JSON keeps UTC).
///
/// This is the export edge: every export (file or stdout, CLI or TUI) is made here, and leaves
/// through the sanitizer's policy for its format (plain text, or JSON with `\uXXXX` escapes).
pub fn render(
    format: Format,
    meeting: &Meeting,
    document: Option<&Document>,
    tz: &TimeZone,
) -> String {
    let text = render_raw(format, meeting, document, tz);
    let policy = match format {
        Format::Json => crate::sanitize::Policy::Json,
        _ => crate::sanitize::Policy::Text,
    };
    match policy.apply(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn render_raw(
    format: Format,
    meeting: &Meeting,
    document: Option<&Document>,
    tz: &TimeZone,
) -> String {
    let turns = document.map_or(&[][..], |d| &d.transcript.turns[..]);
    match format {
        Format::Md => markdown::render(meeting, document, tz),
        Format::Txt => text::render(turns),
        Format::Json => json::render(meeting, document),
        Format::Srt => subtitles::srt(turns),
        Format::Vtt => subtitles::vtt(turns),
    }
}

/// [`render`], refusing a transcript-only format (`txt`, `srt`, `vtt`) for a meeting without
/// transcript turns: that would be an empty file reported as written.
pub fn render_checked(
    format: Format,
    meeting: &Meeting,
    document: Option<&Document>,
    tz: &TimeZone,
) -> Result<String, ExportError> {
    let transcript_only = matches!(format, Format::Txt | Format::Srt | Format::Vtt);
    let turns = document.map_or(0, |d| d.transcript.turns.len());
    if transcript_only && turns == 0 {
        let processing =
            document.is_none_or(|d| d.state == crate::krisp::DocumentState::Processing);
        return Err(ExportError::NoTranscript { format, processing });
    }
    Ok(render(format, meeting, document, tz))
}

/// `YYYY-MM-DD-<slug>.<ext>`, the date being the meeting's day in the user's zone `tz` (the day
/// the list shows it on); without a date that parses, just `<slug>.<ext>`.
pub fn default_file_name(meeting: &Meeting, format: Format, tz: &TimeZone) -> String {
    let slug = slug(&meeting.name);
    let ext = format.extension();
    let day = meeting
        .date
        .as_ref()
        .and_then(|d| d.timestamp())
        .map(|dt| crate::timefmt::date_and_time_in(dt, tz).0)
        .filter(|day| !day.is_empty());
    match day {
        Some(day) => format!("{day}-{slug}.{ext}"),
        None => format!("{slug}.{ext}"),
    }
}

/// Longest slug, in bytes: leaves room for the date and extension well under any `NAME_MAX`.
const SLUG_MAX: usize = 80;

/// A file-name-safe form of a meeting name: lowercase letters and digits of any script, runs of
/// anything else (separators, control characters, punctuation) as one `-`, `.` and `_` kept
/// inside, no leading or trailing `-`/`.`/`_`, at most 80 bytes; `meeting` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(SLUG_MAX + 4));
    let mut pending_dash = false;
    'chars: for c in name.chars() {
        let keep_inside = matches!(c, '.' | '_');
        if !c.is_alphanumeric() && !keep_inside {
            pending_dash = true;
            continue;
        }
        if out.is_empty() && keep_inside {
            continue;
        }
        let dash = if pending_dash && !out.is_empty() {
            1
        } else {
            0
        };
        let lower = c.to_lowercase();
        let width: usize = lower.clone().map(char::len_utf8).sum();
        if out.len() + dash + width > SLUG_MAX {
            break 'chars;
        }
        if dash == 1 {
            out.push('-');
        }
        pending_dash = false;
        out.extend(lower);
    }
    let trimmed = out.trim_end_matches(['-', '.', '_']).len();
    out.truncate(trimmed);
    if out.is_empty() {
        out.push_str("meeting");
    }
    out
}

/// Why an export could not be written or read back. Each message is a plain sentence.
#[derive(thiserror::Error, Debug)]
pub enum ExportError {
    #[error("{} already exists; use --force to overwrite it.", path.display())]
    Exists { path: PathBuf },
    #[error(
        "{} holds only the transcript, and {}: nothing was written. Export as Markdown or JSON for what there is, or try again later.",
        format.extension().to_uppercase(),
        if *processing { "Krisp is still processing this meeting (no transcript yet)" } else { "this meeting has no transcript" }
    )]
    NoTranscript { format: Format, processing: bool },
    #[error("Could not write {}: {source}.", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("This is not a krisp-tui JSON export: {0}.")]
    Parse(#[source] serde_json::Error),
    #[error(
        "This JSON export has schema version {found}; this krisp-tui reads version {SCHEMA_VERSION}."
    )]
    UnsupportedVersion { found: u64 },
}

/// Writes an export to `path` atomically and 0600 (it holds what was said in a meeting, as the
/// store does), never over an existing file unless `force` (see `fsx::write_atomic`). `-`
/// (stdout) is the caller's business.
pub fn write_file(path: &Path, contents: &str, force: bool) -> Result<(), ExportError> {
    crate::fsx::write_atomic(path, contents.as_bytes(), force).map_err(|source| {
        if !force && source.kind() == std::io::ErrorKind::AlreadyExists {
            ExportError::Exists {
                path: path.to_owned(),
            }
        } else {
            ExportError::Io {
                path: path.to_owned(),
                source,
            }
        }
    })
}

/// A speaker name or title on one line: runs of whitespace (newlines included) become one space.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
