//! The headless commands that work on the local store: `sync`, `search`, `cache`, and the
//! store-first reads behind `meetings`, `show` and `export`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::Failure;
use super::progress::Progress;
use crate::client::Settings;
use crate::krisp::{Document, Meeting, MeetingId};
use crate::library::sync::{Phase, SyncError, SyncOptions, SyncProgress, SyncSummary};
use crate::library::{Filter, Hit, Library, LibraryError, Matched, Place, Window};

/// Where this server's store is, whether the network may be used, and the zone times are
/// shown in (UTC until [`Local::in_zone`] sets the configured one).
#[derive(Debug, Clone)]
pub struct Local {
    pub data_dir: PathBuf,
    pub path: PathBuf,
    pub offline: bool,
    pub concurrency: usize,
    pub zone: jiff::tz::TimeZone,
}

impl Local {
    pub fn new(data_dir: PathBuf, server: &str, offline: bool, concurrency: usize) -> Local {
        let path = Library::file_for(&data_dir, server);
        Local {
            data_dir,
            path,
            offline,
            concurrency,
            zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// The demo's store: one file whatever port the demo server got.
    pub fn demo(data_dir: PathBuf, global: &crate::cli::Global) -> Local {
        Local {
            path: data_dir.join("demo.sqlite3"),
            data_dir,
            offline: global.offline,
            concurrency: usize::from(global.concurrency),
            zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// This store with times shown in `zone`.
    pub fn in_zone(self, zone: jiff::tz::TimeZone) -> Local {
        Local { zone, ..self }
    }

    /// The data layer over this store, created if it is not there yet (a sync fills it).
    pub fn library_created(&self) -> Result<Library, Failure> {
        Library::create(&self.path, self.zone.clone()).map_err(library_failure)
    }

    /// The data layer over this store, in the zone times are shown in.
    pub fn library(&self) -> Library {
        Library::at(&self.path, self.zone.clone())
    }

    pub(crate) fn empty(&self) -> Failure {
        Failure::new(
            1,
            format!(
                "there is no local store at {} yet: run `krisp-tui sync` first",
                self.path.display()
            ),
        )
    }

    /// For commands that only make sense with a server.
    pub fn need_network(&self, what: &str) -> Result<(), Failure> {
        if self.offline {
            return Err(Failure::new(
                2,
                format!("`{what}` needs the server; it cannot work with --offline"),
            ));
        }
        Ok(())
    }
}

/// `krisp-tui sync`: a progress bar on a terminal, plain lines otherwise, then one summary line.
pub async fn sync(
    local: &Local,
    settings: &Settings,
    out: &mut impl Write,
    json: bool,
    full: bool,
) -> Result<(), Failure> {
    local.need_network("sync")?;
    let library = local.library_created()?;
    let connection = super::connect_or_login(settings).await?;
    let started = Instant::now();
    let progress = Progress::new(json);
    let cancel = CancellationToken::new();
    let ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let options = SyncOptions {
        concurrency: local.concurrency,
        full,
        ..SyncOptions::default()
    };
    let report = |p: &SyncProgress| show(&progress, p);
    let mut result = library
        .sync(&connection, options.clone(), cancel.clone(), &report)
        .await;
    if let Err(SyncError::Busy) = result {
        eprintln!("Another krisp-tui is syncing this store; waiting for it to finish...");
        result = match library.wait_for_other_sync().await {
            Ok(()) => {
                library
                    .sync(&connection, options, cancel.clone(), &report)
                    .await
            }
            Err(e) => Err(e),
        };
    }
    ctrl_c.abort();
    progress.finish();
    connection.close().await;
    let summary: SyncSummary = result.map_err(|e| match e {
        // Only Ctrl-C cancels it here: the conventional status of an interrupted program.
        SyncError::Cancelled => Failure::new(
            130,
            "the sync was interrupted; what it had fetched is kept, and the next sync goes on from there",
        ),
        e => Failure::new(e.exit_code(), e.to_string()),
    })?;
    if json {
        serde_json::to_writer(&mut *out, &summary).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "Synced in {:.1} s: {}.",
            started.elapsed().as_secs_f64(),
            summary.line()
        )?;
    }
    Ok(())
}

/// A sync's progress: listing and the feeds spin, the transcripts count; plain lines say one
/// per page listed, one per tenth of the transcripts, one per phase.
fn show(progress: &Progress<(Phase, usize, usize)>, p: &SyncProgress) {
    match p.phase {
        Phase::Listing => progress.spin(format!("listing meetings: {}", p.listed)),
        Phase::Documents => progress.count("transcripts", p.documents_done, p.documents_total),
        Phase::Feeds => progress.spin("action items and activity"),
        Phase::Done => {}
    }
    let tenth = (p.documents_done * 10)
        .checked_div(p.documents_total)
        .unwrap_or(0);
    progress.plain((p.phase, p.listed, tenth), || match p.phase {
        Phase::Listing => Some(format!("listing meetings: {} so far", p.listed)),
        Phase::Documents => Some(format!(
            "transcripts: {} of {} fetched",
            p.documents_done, p.documents_total
        )),
        Phase::Feeds => Some("action items and activity".to_owned()),
        Phase::Done => None,
    });
}

/// `krisp-tui search`: the matching meetings, best first, each on a line with its date, name
/// and number of hits, the best hit's place and excerpt on the line under it (grouped by
/// meeting, as `rg` groups by file); or one JSON object per meeting. How many match in all goes
/// to stderr when more match than were printed.
pub fn search(
    local: &Local,
    words: &[String],
    limit: usize,
    json: bool,
    out: &mut crate::sanitize::Writer<impl Write>,
) -> Result<(), Failure> {
    let text = words.join(" ");
    let library = local.library();
    let answer = library
        .search(&text, Window::first(limit))
        .map_err(library_failure)?;
    if json {
        for hit in &answer.meetings {
            serde_json::to_writer(&mut *out, &hit_json(hit, answer.matched))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let did_you_mean = answer
        .suggestion
        .as_deref()
        .map(|s| format!(" Did you mean `{}`?", crate::sanitize::clean_line(s)))
        .unwrap_or_default();
    if answer.meetings.is_empty() {
        let empty = library
            .with(|s| Ok(s.stats()?.meetings == 0))
            .map_err(library_failure)?;
        if empty {
            return Err(local.empty());
        }
        eprintln!("No meeting matches {text:?}.{did_you_mean}");
        return Ok(());
    }
    if answer.matched == Matched::Fuzzy {
        eprintln!("No meeting holds {text:?};{did_you_mean} Meetings with a name like it:");
    }
    let width = std::io::stdout()
        .is_terminal()
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .map_or(160, |(w, _)| usize::from(w).max(40));
    let marks = match_marks();
    for hit in &answer.meetings {
        let date = super::meeting_date(hit.date.as_ref(), &local.zone);
        let count = match hit.hits {
            0 => String::new(),
            1 => "  ·  1 hit".to_owned(),
            n => format!("  ·  {n} hits"),
        };
        writeln!(
            out,
            "{date}  {}{count}",
            crate::sanitize::clean_line(&hit.name)
        )?;
        if let Some(place) = &hit.place {
            let label = place_label(place);
            let room = width.saturating_sub(label.chars().count() + 6).max(20);
            let (line, ranges) = excerpt_line(hit, room);
            write!(out, "    {label}  ")?;
            match &marks {
                Some((on, off)) => out.write_marked(&line, &ranges, on, off)?,
                None => write!(out, "{line}")?,
            }
            writeln!(out)?;
        }
    }
    if answer.total > answer.meetings.len() {
        eprintln!(
            "{} of {} matching meetings; --limit N shows more.",
            answer.meetings.len(),
            answer.total
        );
    }
    Ok(())
}

/// "name", "people", "notes", "transcript 12:34".
pub fn place_label(place: &Place) -> String {
    match place {
        Place::Name => "name".into(),
        Place::People => "people".into(),
        Place::Notes => "notes".into(),
        Place::Transcript { start_ms, .. } => format!("transcript {}", clock(*start_ms)),
    }
}

pub use crate::krisp::clock;

/// The excerpt on one line, sanitized, cut to `width` characters around the hit (the word the
/// store found it by), with the query's words' ranges in it.
fn excerpt_line(hit: &Hit, width: usize) -> (String, Vec<std::ops::Range<usize>>) {
    let (text, ranges) = crate::sanitize::excerpt_highlighted(&hit.excerpt, &hit.highlights);
    // `centre` keeps its first range in view: the focus first, the others after it.
    let focus = hit.focus.min(ranges.len());
    let order: Vec<_> = ranges[focus..]
        .iter()
        .chain(&ranges[..focus])
        .cloned()
        .collect();
    let (line, mut ranges) = crate::sanitize::centre(&text, &order, width);
    ranges.sort_by_key(|r| r.start);
    (line, ranges)
}

/// How the query's words stand out in `search`'s excerpts: on a terminal, as the TUI marks
/// them (bold, black on yellow: crossterm's `DarkYellow` is the ANSI yellow ratatui's
/// `Yellow` draws); not when stdout is piped, nor under `NO_COLOR`
/// (<https://no-color.org>). The sequences to turn the mark on and off.
fn match_marks() -> Option<(String, String)> {
    use crossterm::Command as _;
    use crossterm::style::{
        Attribute, Color, SetAttribute, SetBackgroundColor, SetForegroundColor,
    };
    if crate::theme::no_color() || !std::io::stdout().is_terminal() {
        return None;
    }
    let mut on = String::new();
    SetAttribute(Attribute::Bold).write_ansi(&mut on).ok()?;
    SetForegroundColor(Color::Black).write_ansi(&mut on).ok()?;
    SetBackgroundColor(Color::DarkYellow)
        .write_ansi(&mut on)
        .ok()?;
    let mut off = String::new();
    SetAttribute(Attribute::Reset).write_ansi(&mut off).ok()?;
    Some((on, off))
}

fn hit_json(hit: &Hit, matched: Matched) -> serde_json::Value {
    let (place, turn, start_ms, speaker) = match &hit.place {
        None => (None, None, None, None),
        Some(Place::Name) => (Some("name"), None, None, None),
        Some(Place::People) => (Some("people"), None, None, None),
        Some(Place::Notes) => (Some("notes"), None, None, None),
        Some(Place::Transcript {
            turn,
            start_ms,
            speaker,
        }) => (
            Some("transcript"),
            Some(*turn),
            Some(*start_ms),
            Some(speaker.as_str()),
        ),
    };
    serde_json::json!({
        "meeting_id": hit.meeting_id,
        "name": hit.name,
        "date": hit.date.as_ref().map(ToString::to_string),
        "where": place,
        "turn": turn,
        "start_ms": start_ms,
        "speaker": speaker,
        "excerpt": crate::sanitize::excerpt_highlighted(&hit.excerpt, &hit.highlights).0,
        "hits": hit.hits,
        "score": hit.score,
        "fuzzy": matched == Matched::Fuzzy,
    })
}

/// A library failure as a command failure: a mistake in the query is a usage error (exit 2).
pub(crate) fn library_failure(e: LibraryError) -> Failure {
    let code = if e.is_usage() { 2 } else { 1 };
    Failure::new(code, e.to_string())
}

/// `krisp-tui cache [clear]`.
pub fn cache(local: &Local, clear: bool, out: &mut impl Write) -> Result<(), Failure> {
    if clear {
        let removed = local.library().delete().map_err(library_failure)?;
        if removed {
            writeln!(out, "Deleted the local store {}.", local.path.display())?;
        } else {
            writeln!(out, "There is no local store at {}.", local.path.display())?;
        }
        return Ok(());
    }
    // One column for the values, whatever the key.
    let row = |out: &mut dyn Write, key: &str, value: &str| writeln!(out, "{key:<13}{value}");
    row(out, "store:", &local.path.display().to_string())?;
    let library = local.library();
    let read = library.with(|s| Ok((s.stats()?, s.meta("sync.last_finished")?)));
    let (stats, last) = match read {
        Ok(read) => read,
        Err(LibraryError::NoStore { .. }) => {
            row(out, "size:", "(none yet: `krisp-tui sync` creates it)")?;
            return Ok(());
        }
        Err(e) => return Err(library_failure(e)),
    };
    let count = crate::timefmt::grouped;
    row(out, "size:", &human_bytes(library.size_on_disk()))?;
    row(out, "meetings:", &count(stats.meetings))?;
    // The three add up to the meetings.
    let missing = stats
        .meetings
        .saturating_sub(stats.documents_ready + stats.documents_processing);
    let mut transcripts = format!(
        "{} ready, {} processing",
        count(stats.documents_ready),
        count(stats.documents_processing)
    );
    if missing > 0 {
        transcripts.push_str(&format!(", {} not fetched yet", count(missing)));
    }
    row(out, "transcripts:", &transcripts)?;
    row(out, "turns:", &count(stats.turns))?;
    if let Some(last) = last {
        // "5 minutes ago (14:05)": when, in words and on the clock of the user's zone.
        let when = match last.parse::<jiff::Timestamp>() {
            Ok(at) => crate::timefmt::ago(at, jiff::Timestamp::now(), &local.zone),
            Err(_) => last,
        };
        row(out, "synced:", &when)?;
    }
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Whether a sync has listed every meeting into the store.
pub fn listed(local: &Local) -> Result<bool, Failure> {
    local.library().listing_complete().map_err(library_failure)
}

/// A library error for a command, where no store yet means "run sync" when offline.
fn read_failure(local: &Local, e: LibraryError) -> Failure {
    match e {
        LibraryError::NoStore { .. } => local.empty(),
        e => library_failure(e),
    }
}

/// Meetings for `meetings` from the store, when it can answer (`Library::stored_meetings`).
pub fn stored_meetings(
    local: &Local,
    filter: &Filter,
    limit: usize,
) -> Result<Option<Vec<Meeting>>, Failure> {
    local
        .library()
        .stored_meetings(filter, Window::first(limit), local.offline)
        .map_err(|e| read_failure(local, e))
}

/// `meetings --search` offline: the matching meetings, best first.
pub fn searched_meetings(
    local: &Local,
    text: &str,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<Meeting>, Failure> {
    local
        .library()
        .searched_meetings(text, filter, Window::first(limit))
        .map_err(|e| read_failure(local, e))
}

/// One meeting (and its transcript when `with_document`) from the store, when it can answer
/// (`Library::stored_meeting`).
pub fn stored_meeting(
    local: &Local,
    id: &MeetingId,
    with_document: bool,
) -> Result<Option<(Meeting, Option<Document>)>, Failure> {
    local
        .library()
        .stored_meeting(id, with_document, local.offline)
        .map_err(library_failure)
}

/// The meeting for `show`/`export` when offline and the store lacks it.
pub fn not_stored(local: &Local, id: &MeetingId) -> Failure {
    Failure::new(
        1,
        format!(
            "meeting {id} is not in the local store {} (run `krisp-tui sync`, or drop --offline)",
            local.path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_sizes_read_well() {
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(754_999), "12:34");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }
}
