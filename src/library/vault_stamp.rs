//! A vault re-run with nothing to do, answered in constant time: what a vault's last complete
//! run saw is kept in the store (`meta`, under `vault:<directory>`), and when all of it is still
//! so (the store's change number, the same request, the directory and its manifest untouched)
//! the run has nothing to write, without reading the manifest, the meetings or the files.
//!
//! Anything that could make a file due moves one of them: a meeting or transcript stored,
//! changed or deleted moves `Store::changes`; a file deleted, added or renamed in the directory
//! (krisp-tui's own writes are renames too) moves the directory's modification time; an edit
//! of the manifest moves its size or time. An edit of a note in place moves none, and needs
//! nothing: edits are kept, never written over. A directory modified within two seconds of the
//! stamp (a file system's coarse timestamps could hide a later change in the same tick) is not
//! trusted: the run checks everything, and stamps again.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::vault_dir::VaultSummary;
use super::{Library, LibraryError};
use crate::export::vault::MANIFEST;
use crate::store::Store;

/// How close to the stamp a directory's modification may be and still be trusted.
const GRANULARITY: Duration = Duration::from_secs(2);

/// What a complete run saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// `Store::changes` before the run read anything.
    pub changes: i64,
    /// What was asked (format, links, the selection, the zone), as [`request_key`] writes it.
    pub request: String,
    /// The directory's modification time after the run (ns since the epoch).
    pub dir_mtime: i128,
    /// The manifest's size and modification time (ns) after the run.
    pub manifest: (u64, i128),
    /// When the stamp was taken (ns since the epoch).
    pub taken: i128,
    /// The meetings selected, and what a re-run reports: every ready one unchanged, the
    /// processing ones still processing.
    pub meetings: usize,
    pub unchanged: usize,
    pub processing: usize,
}

/// The key under which a directory's stamp is kept.
fn meta_key(dir: &Path) -> String {
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    format!("vault:{}", dir.display())
}

fn nanos(t: SystemTime) -> i128 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX))
}

/// The directory's modification time and the manifest's size and time, as a stamp records them.
fn look(dir: &Path) -> Option<(i128, (u64, i128))> {
    let dir_meta = fs::metadata(dir).ok()?;
    let manifest = fs::symlink_metadata(dir.join(MANIFEST)).ok()?;
    if !manifest.file_type().is_file() {
        return None;
    }
    Some((
        nanos(dir_meta.modified().ok()?),
        (manifest.len(), nanos(manifest.modified().ok()?)),
    ))
}

impl Stamp {
    /// The stamp of a run that ended (`summary`) over `meetings` selected meetings, when a
    /// re-run of it would write nothing: it finished, and kept no edit and warned of nothing
    /// (those are said again by a run that checks).
    pub fn after(
        changes: i64,
        request: String,
        dir: &Path,
        meetings: usize,
        summary: &VaultSummary,
    ) -> Option<Stamp> {
        if summary.cancelled
            || summary.edited > 0
            || !summary.warnings.is_empty()
            || !summary.kept.is_empty()
        {
            return None;
        }
        let (dir_mtime, manifest) = look(dir)?;
        Some(Stamp {
            changes,
            request,
            dir_mtime,
            manifest,
            taken: nanos(SystemTime::now()),
            meetings,
            unchanged: summary.new + summary.updated + summary.unchanged,
            processing: summary.processing,
        })
    }

    /// Whether nothing moved since: the same changes and request, the directory and the
    /// manifest as they were, and the directory's time clear of the stamp's by the granularity.
    fn still_holds(&self, changes: i64, request: &str, dir: &Path) -> bool {
        self.changes == changes
            && self.request == request
            && self.dir_mtime < self.taken - GRANULARITY.as_nanos() as i128
            && look(dir) == Some((self.dir_mtime, self.manifest))
    }
}

/// What a vault run was asked, as one comparable string.
pub fn request_key(
    format: crate::export::Format,
    links: bool,
    search: Option<&str>,
    filter: &crate::store::Filter,
    tz: &jiff::tz::TimeZone,
) -> String {
    serde_json::json!({
        "format": format.extension(),
        "links": links,
        "search": search,
        "after": filter.after,
        "before": filter.before,
        "with": filter.with,
        "tags": filter.tags,
        "zone": tz.iana_name().map_or_else(|| format!("{tz:?}"), str::to_owned),
    })
    .to_string()
}

impl Library {
    /// The number that moves whenever the store's meetings or transcripts change
    /// (`Store::changes`).
    pub fn changes(&self) -> Result<i64, LibraryError> {
        self.with(|s| s.changes())
    }

    /// When the last complete run into `dir` of the same `request` still holds (see the
    /// module's header): how many meetings it selected and what a re-run reports. `None`: run.
    pub fn vault_unchanged(
        &self,
        dir: &Path,
        request: &str,
    ) -> Result<Option<(usize, VaultSummary)>, LibraryError> {
        let key = meta_key(dir);
        let (changes, stamp) = self.with(|s| Ok((s.changes()?, s.meta(&key)?)))?;
        let Some(stamp) = stamp.and_then(|text| serde_json::from_str::<Stamp>(&text).ok()) else {
            return Ok(None);
        };
        if !stamp.still_holds(changes, request, dir) {
            return Ok(None);
        }
        let summary = VaultSummary {
            unchanged: stamp.unchanged,
            processing: stamp.processing,
            ..VaultSummary::default()
        };
        Ok(Some((stamp.meetings, summary)))
    }

    /// Keeps `stamp` for `dir`, replacing the one before; without a stamp (the run cannot be
    /// vouched for), forgets it. Opens the store for writing for this alone.
    pub fn remember_vault(&self, dir: &Path, stamp: Option<&Stamp>) -> Result<(), LibraryError> {
        let Some(path) = self.path().filter(|p| p.exists()).map(PathBuf::from) else {
            return Ok(());
        };
        let key = meta_key(dir);
        let mut store =
            Store::open(&path).map_err(|e| LibraryError::Store(e.sentence(Some(&path))))?;
        let written = match stamp {
            Some(stamp) => {
                let text = serde_json::to_string(stamp)
                    .map_err(|e| LibraryError::Store(format!("could not record the vault: {e}")))?;
                store.set_meta(&key, &text)
            }
            None => store.delete_meta(&key),
        };
        written.map_err(|e| LibraryError::Store(e.sentence(Some(&path))))
    }
}
