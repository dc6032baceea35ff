//! The pure parts of a vault (a directory kept in sync with the store, one file per meeting):
//! YAML front matter, stable file names safe on every OS, and the manifest tying files to
//! meetings. The writing is in `vault_dir.rs`.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Format, one_line};
use crate::krisp::{Document, Meeting, MeetingId, clock};

/// The manifest's file name inside the vault directory.
pub const MANIFEST: &str = ".krisp-tui.json";
/// The version of the manifest's layout.
pub const MANIFEST_VERSION: u32 = 1;
/// Bumped when what a vault file holds changes for the same meeting (front matter, layout), so
/// that a re-run rewrites the files the user has not edited.
const RENDER_VERSION: u32 = 1;
/// Longest file name stem, in bytes: leaves room for ` (krisp)`, a ` 99` and the extension
/// well under the 255 bytes most file systems allow.
const STEM_MAX: usize = 160;

/// What a vault file holds for a meeting: front matter then the Markdown export, or the plain
/// export for the other formats. `links` writes attendees as `[[Name]]` wiki links; `tz` is the
/// zone the Markdown's date is shown in.
pub fn render(
    format: Format,
    meeting: &Meeting,
    document: Option<&Document>,
    links: bool,
    tz: &jiff::tz::TimeZone,
) -> String {
    let body = super::render(format, meeting, document, tz);
    if format != Format::Md {
        return body;
    }
    let mut out = front_matter(meeting, document, links);
    out.push('\n');
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// YAML front matter between `---` lines: `id`, `title`, `date` (RFC 3339, UTC), `duration`,
/// `attendees`, `speakers`, `tags`, `url`, `source: krisp`. Every string is double-quoted and
/// escaped, and control and bidi characters are dropped, so no meeting text can end the block or
/// inject a key.
pub fn front_matter(meeting: &Meeting, document: Option<&Document>, links: bool) -> String {
    let mut out = String::with_capacity(512);
    out.push_str("---\n");
    out.push_str(&format!("id: {}\n", meeting.id));
    let title = one_line(&meeting.name);
    out.push_str(&format!("title: {}\n", quote(&title)));
    if let Some(date) = &meeting.date {
        match date.timestamp() {
            // A timestamp displays as RFC 3339 in UTC (`2026-01-15T15:00:00Z`).
            Some(at) => out.push_str(&format!("date: {at}\n")),
            None => out.push_str(&format!("date: {}\n", quote(&date.to_string()))),
        }
    }
    if let Some(last) = document.and_then(|d| d.transcript.turns.last()) {
        out.push_str(&format!(
            "duration: {}\n",
            quote(&clock(last.start.as_millis() as u64))
        ));
    }
    let attendees: Vec<String> = if meeting.attendees.is_empty() {
        meeting.speakers.clone()
    } else {
        meeting.attendees.iter().map(|p| p.name.clone()).collect()
    };
    let attendees: Vec<String> = attendees
        .iter()
        .map(|name| {
            if links {
                wiki_link(name)
            } else {
                one_line(name)
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    list(&mut out, "attendees", &attendees);
    let mut speakers: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let from_doc = document
        .map(|d| d.transcript.speakers())
        .unwrap_or_default();
    for s in meeting
        .speakers
        .iter()
        .map(String::as_str)
        .chain(from_doc.iter().copied())
    {
        let s = one_line(s);
        if !s.is_empty() && seen.insert(s.clone()) {
            speakers.push(s);
        }
    }
    list(&mut out, "speakers", &speakers);
    let tags: Vec<String> = meeting.tags.iter().map(|t| one_line(t)).collect();
    list(&mut out, "tags", &tags);
    if let Some(url) = meeting
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        out.push_str(&format!("url: {}\n", quote(url)));
    }
    out.push_str("source: krisp\n");
    out.push_str("---\n");
    out
}

fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        out.push_str(&format!("{key}: []\n"));
        return;
    }
    out.push_str(key);
    out.push_str(":\n");
    for item in items {
        out.push_str("  - ");
        out.push_str(&quote(item));
        out.push('\n');
    }
}

/// `[[Name]]`, without the characters that would break an Obsidian link (`[ ] | # ^`).
fn wiki_link(name: &str) -> String {
    let clean: String = one_line(name)
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | '|' | '#' | '^'))
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        String::new()
    } else {
        format!("[[{clean}]]")
    }
}

/// A YAML double-quoted scalar: the text-file sanitizer's policy first (escape sequences and
/// controls dropped whole), then newlines, bidi marks and the byte-order mark dropped, and what
/// YAML cannot hold raw escaped.
pub fn quote(s: &str) -> String {
    let s = crate::sanitize::text(s);
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if is_dropped(c) {
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if yaml_printable(c) => out.push(c),
            c if u32::from(c) <= 0xffff => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// C0 and C1 controls, DEL, bidi embeddings, overrides, isolates and marks, line and paragraph
/// separators, and the byte-order mark.
fn is_dropped(c: char) -> bool {
    c < ' '
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
        )
}

/// YAML's `c-printable` (1.2, section 5.1).
fn yaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}'
        | '\u{10000}'..='\u{10ffff}')
        && c != '\u{feff}'
}

/// The stem of a meeting's file name: `YYYY-MM-DD HHMM Name` in `tz` (just the name without a
/// date), made safe by [`safe_stem`].
pub fn stem(meeting: &Meeting, tz: &jiff::tz::TimeZone) -> String {
    let title = one_line(&meeting.name);
    let title = if title.is_empty() {
        "Untitled meeting".to_owned()
    } else {
        title
    };
    let when = meeting.date.as_ref().and_then(|d| d.timestamp()).map(|ts| {
        ts.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H%M")
            .to_string()
    });
    match when {
        Some(when) => safe_stem(&format!("{when} {title}")),
        None => safe_stem(&title),
    }
}

/// A file name stem that every common file system and Obsidian accept: control and bidi
/// characters dropped; `/ \ : |` as `-`; `* ? " < > # ^ [ ]` as spaces; runs of spaces as one;
/// no leading `.`/`-`/space nor trailing `.`/space; Windows' reserved device names suffixed
/// with `_`; at most 160 bytes, cut between characters; `Untitled meeting` when nothing is left.
pub fn safe_stem(name: &str) -> String {
    let name = crate::sanitize::text(name);
    let mut out = String::with_capacity(name.len().min(STEM_MAX + 4));
    let mut space = false;
    let mut chars = name.chars().peekable();
    let mut last = ' ';
    while let Some(c) = chars.next() {
        if is_dropped(c) && c != '\t' && c != '\n' {
            continue;
        }
        let next = chars.peek().copied().unwrap_or(' ');
        let c = match c {
            // `Design review: editor` reads as `Design review - editor`; `10:30` as `10.30`.
            ':' if next.is_whitespace() => {
                space = !out.is_empty();
                '-'
            }
            ':' if last.is_ascii_digit() && next.is_ascii_digit() => '.',
            '/' | '\\' | ':' | '|' => '-',
            '*' | '?' | '"' | '<' | '>' | '#' | '^' | '[' | ']' => ' ',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if out.is_empty() && matches!(c, '.' | '-') {
            continue;
        }
        let extra = usize::from(space) + c.len_utf8();
        if out.len() + extra > STEM_MAX {
            break;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        last = c;
    }
    // A cut can leave a joiner or variation selector dangling.
    while out.ends_with(['.', ' ', '\u{200d}', '\u{fe0f}', '\u{fe0e}', '-']) {
        out.pop();
    }
    if out.is_empty() {
        return "Untitled meeting".to_owned();
    }
    let base = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push('_');
    }
    out
}

/// `stem`, `stem 2`, `stem 3`, ...: the `n`th candidate for a file name.
pub fn candidate(stem: &str, n: usize) -> String {
    if n <= 1 {
        stem.to_owned()
    } else {
        format!("{stem} {n}")
    }
}

/// Where the new version of an edited file goes: `Name (krisp).md` beside `Name.md`.
pub fn beside(file: &str) -> String {
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} (krisp).{ext}"),
        _ => format!("{file} (krisp)"),
    }
}

/// Whether `name` is a name krisp-tui could have given a vault file: one plain path component
/// (no separator of any OS, no drive, not `.` or `..`), not hidden (so never the manifest, the
/// lock, a temporary file or `.deleted`), at most 255 bytes.
pub fn is_plain_name(name: &str) -> bool {
    let mut parts = std::path::Path::new(name).components();
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0'])
        && matches!(parts.next(), Some(std::path::Component::Normal(_)))
        && parts.next().is_none()
}

/// The SHA-256 of `bytes`, in hex.
pub fn hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// What a file's contents are derived from: the stored meeting's and document's hashes, the
/// format, the options and the renderer's version. Equal sources render equal files, so a
/// re-run compares sources and renders nothing that did not change.
pub fn source(
    meeting_hash: &str,
    document_hash: Option<&str>,
    format: Format,
    links: bool,
) -> String {
    hash(
        format!(
            "{RENDER_VERSION}\n{}\n{format}\n{links}\n{meeting_hash}\n{}",
            env!("CARGO_PKG_VERSION"),
            document_hash.unwrap_or("-")
        )
        .as_bytes(),
    )
}

/// The vault's record of what it wrote: per meeting and format, the file and what was in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub meetings: BTreeMap<MeetingId, BTreeMap<Format, Entry>>,
}

/// One file of the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The file name inside the vault; never changes once given.
    pub file: String,
    /// SHA-256 of the bytes last written there.
    pub hash: String,
    /// See [`source`].
    pub source: String,
    /// Size and modification time (ns since the epoch) after the last write or check: while
    /// both match, the file is taken as unchanged without reading it.
    pub size: u64,
    pub mtime_ns: i128,
    /// The `(krisp)` file written beside an edited one, and its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beside: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beside_hash: Option<String>,
}

/// Why a manifest could not be read.
#[derive(thiserror::Error, Debug)]
pub enum ManifestError {
    #[error("it is not a krisp-tui vault manifest ({0})")]
    Parse(#[from] serde_json::Error),
    #[error("it has version {0}; this krisp-tui reads version {MANIFEST_VERSION}")]
    Version(u32),
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            meetings: BTreeMap::new(),
        }
    }

    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = serde_json::from_str(text)?;
        if manifest.version != MANIFEST_VERSION {
            return Err(ManifestError::Version(manifest.version));
        }
        Ok(manifest)
    }

    /// Pretty JSON, keys sorted: the same manifest is the same bytes.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Every file name the manifest gives out, lowercased (names are compared as a
    /// case-insensitive file system would).
    pub fn taken(&self) -> HashSet<String> {
        self.meetings
            .values()
            .flat_map(|formats| formats.values())
            .flat_map(|e| std::iter::once(&e.file).chain(e.beside.iter()))
            .map(|f| f.to_lowercase())
            .collect()
    }

    /// Drops what the manifest says that krisp-tui would never have written: a `file` that is
    /// not a plain name inside the vault (the whole entry goes, so the meeting is placed
    /// afresh) or such a `beside` (forgotten). Anyone who can write the manifest (a shared or
    /// synced folder, a cloned vault) would otherwise choose where krisp-tui writes. Returns a
    /// sentence per entry dropped.
    pub fn drop_untrusted(&mut self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (id, formats) in &mut self.meetings {
            formats.retain(|format, entry| {
                if !is_plain_name(&entry.file) {
                    warnings.push(format!(
                        "the vault's manifest names {:?} for meeting {id} ({format}), which is not a file name inside the vault; ignored it and wrote the meeting afresh",
                        entry.file
                    ));
                    return false;
                }
                if let Some(beside) = entry.beside.as_ref().filter(|b| !is_plain_name(b)) {
                    warnings.push(format!(
                        "the vault's manifest names {beside:?} beside {:?}, which is not a file name inside the vault; ignored it",
                        entry.file
                    ));
                    entry.beside = None;
                    entry.beside_hash = None;
                }
                true
            });
        }
        self.meetings.retain(|_, formats| !formats.is_empty());
        warnings
    }

    /// The stem some other format's file of this meeting already has, so a meeting's files
    /// share one name across formats.
    pub fn stem_of(&self, id: &MeetingId) -> Option<String> {
        let entry = self.meetings.get(id)?.values().next()?;
        Some(
            entry
                .file
                .rsplit_once('.')
                .map_or(entry.file.clone(), |(stem, _)| stem.to_owned()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_everywhere() {
        assert_eq!(safe_stem("Q1/Q2 review: budget"), "Q1-Q2 review - budget");
        assert_eq!(safe_stem("10:30 AM: standup"), "10.30 AM - standup");
        assert_eq!(safe_stem("a:b"), "a-b");
        assert_eq!(
            safe_stem("a\\b|c*d?e\"f<g>h#i^j[k]l"),
            "a-b-c d e f g h i j k l"
        );
        assert_eq!(safe_stem("  ..hidden  "), "hidden");
        assert_eq!(safe_stem("ends with dots..."), "ends with dots");
        assert_eq!(safe_stem("\u{1b}[31mred\u{202e}txt.exe"), "redtxt.exe");
        assert_eq!(safe_stem("🚀 launch 🎉"), "🚀 launch 🎉");
        assert_eq!(safe_stem(""), "Untitled meeting");
        assert_eq!(safe_stem("///"), "Untitled meeting");
        assert_eq!(safe_stem("con"), "con_");
        assert_eq!(safe_stem("LPT1.txt"), "LPT1.txt_");
        assert_eq!(safe_stem("line\nbreak\ttab"), "line break tab");
        let long = "é".repeat(300);
        let s = safe_stem(&long);
        assert!(s.len() <= STEM_MAX, "{}", s.len());
        assert!(s.chars().all(|c| c == 'é'));
        let emoji = "👩‍👩‍👧".repeat(40);
        let s = safe_stem(&emoji);
        assert!(s.len() <= STEM_MAX);
        assert!(!s.ends_with('\u{200d}'));
    }

    #[test]
    fn candidates_and_beside_names() {
        assert_eq!(candidate("2026-01-15 1600 Sync", 1), "2026-01-15 1600 Sync");
        assert_eq!(
            candidate("2026-01-15 1600 Sync", 3),
            "2026-01-15 1600 Sync 3"
        );
        assert_eq!(
            beside("2026-01-15 1600 Sync.md"),
            "2026-01-15 1600 Sync (krisp).md"
        );
        assert_eq!(beside("noext"), "noext (krisp)");
    }

    #[test]
    fn quoting_keeps_yaml_inside_its_string() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("x\n---\ny: 1"), "\"x---y: 1\"");
        assert_eq!(quote("\u{1b}[2J\u{202e}ok\u{ffff}"), "\"ok\\uFFFF\"");
    }

    #[test]
    fn only_plain_names_inside_the_vault_are_trusted() {
        for good in [
            "2026-01-15 1600 Sync.md",
            "CON_.md",
            "a b (krisp).txt",
            "🚀.md",
        ] {
            assert!(is_plain_name(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../victim.md",
            "a/../../victim.md",
            "sub/x.md",
            "/etc/passwd",
            "C:\\x.md",
            "C:x.md",
            "..\\x.md",
            ".krisp-tui.json",
            ".krisp-tui.lock",
            "x\0.md",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        assert!(!is_plain_name(&"a".repeat(256)));
    }

    #[test]
    fn the_manifest_round_trips() {
        let mut m = Manifest::new();
        m.meetings
            .entry(MeetingId("a".repeat(32)))
            .or_default()
            .insert(
                Format::Md,
                Entry {
                    file: "x.md".into(),
                    hash: hash(b"x"),
                    source: "s".into(),
                    size: 1,
                    mtime_ns: 2,
                    beside: None,
                    beside_hash: None,
                },
            );
        let text = m.to_json();
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        assert_eq!(m.stem_of(&MeetingId("a".repeat(32))).as_deref(), Some("x"));
        assert!(m.taken().contains("x.md"));
        assert!(matches!(
            Manifest::parse("{\"version\": 9, \"meetings\": {}}"),
            Err(ManifestError::Version(9))
        ));
    }
}
