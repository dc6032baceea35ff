//! Writing a vault: one file per meeting from the store into a directory, incrementally, never
//! over a file the user edited, each write atomic; the manifest saved even when a run stops
//! half-way.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::export::vault::{self, Entry, MANIFEST, Manifest, ManifestError};
use crate::export::{ExportError, Format, write_file};
use crate::krisp::MeetingId;
use crate::store::{DocState, Store, StoreError};

/// The lock file that keeps two exports out of the same directory at once, where a directory
/// cannot be locked itself (not unix).
pub const LOCK: &str = ".krisp-tui.lock";
/// Where the files of meetings deleted on the server go (moved, never deleted).
pub const DELETED_DIR: &str = ".deleted";

/// How to write a vault.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    pub dir: PathBuf,
    pub format: Format,
    /// Attendees in the front matter as `[[Name]]`.
    pub links: bool,
    /// Overwrite files the user edited instead of writing the new version beside them.
    pub force: bool,
    /// The zone of the time in new file names.
    pub tz: jiff::tz::TimeZone,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VaultSummary {
    /// Files written for meetings that had none (or whose file had been deleted).
    pub new: usize,
    /// Files rewritten because the meeting changed.
    pub updated: usize,
    pub unchanged: usize,
    /// Meetings changed on the server whose file the user edited: kept, the new version beside.
    pub edited: usize,
    /// Meetings whose transcript is still processing (or not fetched yet): written once ready.
    pub processing: usize,
    /// Meetings deleted on the server whose files were moved into `.deleted/`.
    pub deleted: usize,
    pub cancelled: bool,
    /// The edited files and where their new version went (`None`: the `(krisp)` file was
    /// edited too, so nothing was written).
    #[serde(skip)]
    pub kept: Vec<(PathBuf, Option<PathBuf>)>,
    /// What the run did differently from what was asked, a sentence each: manifest entries it
    /// did not trust, names taken by something that is not a regular file.
    pub warnings: Vec<String>,
}

impl VaultSummary {
    /// `34 new, 0 updated, 0 unchanged, 0 kept because edited, 1 still processing`.
    pub fn line(&self) -> String {
        let deleted = if self.deleted > 0 {
            format!(
                ", {} deleted on the server (moved to {DELETED_DIR}/)",
                self.deleted
            )
        } else {
            String::new()
        };
        format!(
            "{} new, {} updated, {} unchanged, {} kept because edited, {} still processing{deleted}",
            self.new, self.updated, self.unchanged, self.edited, self.processing
        )
    }

    pub fn written(&self) -> usize {
        self.new + self.updated
    }

    /// The run changed nothing in the folder: every file was up to date (or is still to come).
    pub fn nothing_to_write(&self) -> bool {
        self.written() == 0 && self.edited == 0 && self.deleted == 0
    }
}

/// Why a vault could not be written. Each message is a sentence.
#[derive(thiserror::Error, Debug)]
pub enum VaultError {
    #[error("Could not create the directory {}: {source}.", path.display())]
    Dir { path: PathBuf, source: io::Error },
    #[error("Could not read {}: {source}.", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{} is not usable: {reason}; move it away to start the vault afresh.", path.display())]
    Manifest {
        path: PathBuf,
        reason: ManifestError,
    },
    #[error("Another krisp-tui is exporting to {} right now.", path.display())]
    Busy { path: PathBuf },
    #[error(transparent)]
    Write(#[from] ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Exports the meetings `ids` from `store` into `options.dir`. `cancelled` is asked before each
/// meeting; `progress(done, total)` told after each. Files already written stay written and are
/// recorded in the manifest whatever happens after them.
pub fn export(
    store: &Store,
    ids: &[MeetingId],
    options: &VaultOptions,
    cancelled: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<VaultSummary, VaultError> {
    let dir = &options.dir;
    crate::fsx::create_private_dir(dir).map_err(|source| VaultError::Dir {
        path: dir.clone(),
        source,
    })?;
    let _lock = lock(dir)?;
    // Under the lock no other krisp-tui writes here: a temporary file of a process that is
    // gone was left by a run killed mid-write.
    let stale = crate::export::remove_stale_temp_files(dir);
    if stale > 0 {
        tracing::info!(stale, dir = %dir.display(), "removed temporary files of dead processes");
    }
    let manifest_path = dir.join(MANIFEST);
    let original = match fs::read_to_string(&manifest_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(VaultError::Read {
                path: manifest_path,
                source,
            });
        }
    };
    let mut manifest = match &original {
        Some(text) => Manifest::parse(text).map_err(|reason| VaultError::Manifest {
            path: manifest_path.clone(),
            reason,
        })?,
        None => Manifest::new(),
    };
    let warnings = manifest.drop_untrusted();
    let mut run = Run {
        options,
        taken: manifest.taken(),
        manifest,
        summary: VaultSummary::default(),
    };
    for w in warnings {
        run.warn(w);
    }
    let total = ids.len();
    // One read transaction for every meeting's lookups: outside one, each statement takes and
    // drops the WAL's read lock (two `fcntl` calls), the most of a re-run with nothing changed.
    let mut result = store.in_one_read(|| {
        for (i, id) in ids.iter().enumerate() {
            if cancelled() {
                run.summary.cancelled = true;
                break;
            }
            run.one(store, id)?;
            progress(i + 1, total);
        }
        Ok(())
    });
    if result.is_ok() && !run.summary.cancelled {
        result = run.move_deleted(store);
    }
    // Whatever stopped the loop, what was written is recorded.
    let text = run.manifest.to_json();
    if original.as_deref() != Some(text.as_str()) {
        let saved = write_file(&manifest_path, &text, true);
        if result.is_ok() {
            saved?;
        }
    }
    result.map(|()| run.summary)
}

/// The directory's lock, held while it lives.
///
/// On unix it is a lock on the directory itself (`flock` of the directory, opened read-only):
/// taking and dropping it changes nothing in the directory, so a run with nothing to write
/// leaves the directory's modification time alone, which is what a vault's stamp compares (see
/// `vault_stamp`). Elsewhere it is a lock file, removed when dropped so that no empty file
/// stays behind in the user's folder.
struct DirLock {
    file: File,
    /// The lock file to remove (not on unix).
    path: Option<PathBuf>,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still locked: a run that opens the name after this makes a new file,
        // and one that opened the old file before finds it gone once it has the lock.
        if let Some(path) = &self.path {
            let _ = fs::remove_file(path);
        }
        let _ = self.file.unlock();
    }
}

/// The directory's lock, or `Busy`.
#[cfg(unix)]
fn lock(dir: &Path) -> Result<DirLock, VaultError> {
    let io = |source| {
        VaultError::Write(ExportError::Io {
            path: dir.to_owned(),
            source,
        })
    };
    let file = File::open(dir).map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock { file, path: None }),
        Err(fs::TryLockError::WouldBlock) => Err(VaultError::Busy {
            path: dir.to_owned(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// The directory's lock file `LOCK`, or `Busy`. Created 0600; a link at its name is not
/// followed.
#[cfg(not(unix))]
fn lock(dir: &Path) -> Result<DirLock, VaultError> {
    let path = dir.join(LOCK);
    let busy = || VaultError::Busy {
        path: dir.to_owned(),
    };
    // A run that ended between our open and our lock removed the file we hold: open again.
    for _ in 0..3 {
        let io = |source| ExportError::Io {
            path: path.clone(),
            source,
        };
        let Some(file) = crate::fsx::try_lock_file(&path).map_err(io)? else {
            return Err(busy());
        };
        if path.exists() {
            return Ok(DirLock {
                file,
                path: Some(path),
            });
        }
    }
    Err(busy())
}

struct Run<'a> {
    options: &'a VaultOptions,
    manifest: Manifest,
    /// Lowercased names the manifest gives out, new ones included.
    taken: std::collections::HashSet<String>,
    summary: VaultSummary,
}

/// A file's size and modification time.
type Stat = (u64, i128);

impl Run<'_> {
    fn one(&mut self, store: &Store, id: &MeetingId) -> Result<(), VaultError> {
        let format = self.options.format;
        let Some(versions) = store.versions(id)? else {
            return Ok(());
        };
        if versions.doc_state != DocState::Ready {
            self.summary.processing += 1;
            return Ok(());
        }
        let source = vault::source(
            &versions.meeting,
            versions.document.as_deref(),
            format,
            self.options.links,
        );
        let entry = self
            .manifest
            .meetings
            .get(id)
            .and_then(|m| m.get(&format))
            .cloned();
        let (links, tz) = (self.options.links, &self.options.tz);
        let render = || render(store, id, format, links, tz);
        // One look at the file serves both questions below (a re-run with nothing changed
        // does nothing else per meeting).
        let seen = match &entry {
            Some(entry) => lstat(&self.options.dir.join(&entry.file))?,
            None => None,
        };
        let entry = match entry {
            Some(entry) if seen.is_some_and(|(file, _)| !file) => {
                self.warn(format!(
                    "{} is not a regular file (a directory or a link), so it was left alone; the meeting went to a new file",
                    self.options.dir.join(&entry.file).display()
                ));
                if let Some(formats) = self.manifest.meetings.get_mut(id) {
                    formats.remove(&format);
                }
                None
            }
            entry => entry,
        };
        let Some(mut entry) = entry else {
            let Some(text) = render()? else {
                return Ok(());
            };
            let stem = match self.manifest.stem_of(id) {
                Some(stem) => stem,
                None => match store.meeting(id)? {
                    Some(m) => vault::stem(&m, &self.options.tz),
                    None => return Ok(()),
                },
            };
            let entry = self.place(&stem, &text, source)?;
            self.record(id, entry);
            return Ok(());
        };
        let path = self.options.dir.join(&entry.file);
        let disk = seen.map(|(_, stat)| stat);
        if entry.source == source && !self.options.force {
            match disk {
                None => {
                    // Deleted: written again, under the same name.
                    let Some(text) = render()? else {
                        return Ok(());
                    };
                    entry = self.write(&entry.file.clone(), &text, entry, true)?;
                    self.summary.new += 1;
                }
                Some((size, mtime)) if size == entry.size && mtime == entry.mtime_ns => {
                    self.summary.unchanged += 1;
                }
                Some((size, mtime)) => {
                    // Touched, or edited with nothing new from Krisp: left alone either way.
                    if read_hash(&path)?.as_deref() == Some(entry.hash.as_str()) {
                        entry.size = size;
                        entry.mtime_ns = mtime;
                    }
                    self.summary.unchanged += 1;
                }
            }
            self.record(id, entry);
            return Ok(());
        }
        let Some(text) = render()? else {
            return Ok(());
        };
        let new_hash = vault::hash(text.as_bytes());
        let ours = is_ours(&path, disk, &entry)?;
        // Already what Krisp has now: unchanged, or written by a run that stopped before it
        // saved the manifest (adopted, not taken for an edit).
        let already = match disk {
            None => false,
            Some(_) if ours => new_hash == entry.hash,
            Some(_) => read_hash(&path)?.as_deref() == Some(new_hash.as_str()),
        };
        if let (true, Some((size, mtime))) = (already, disk) {
            entry.source = source;
            entry.hash = new_hash;
            entry.size = size;
            entry.mtime_ns = mtime;
            self.summary.unchanged += 1;
        } else if ours || self.options.force {
            let file = entry.file.clone();
            entry.source = source;
            entry = self.write(&file, &text, entry, true)?;
            if disk.is_some() {
                self.summary.updated += 1;
            } else {
                self.summary.new += 1;
            }
        } else {
            // The user edited the file: it stays; Krisp's version goes beside it.
            let beside = entry
                .beside
                .clone()
                .unwrap_or_else(|| vault::beside(&entry.file));
            let beside_path = self.options.dir.join(&beside);
            let current = read_hash(&beside_path)?;
            let wrote = match &current {
                Some(h) if h == NOT_A_FILE => None,
                Some(h) if *h == new_hash => Some(beside_path.clone()),
                Some(h) if Some(h) != entry.beside_hash.as_ref() => None,
                _ => {
                    write_file(&beside_path, &text, true)?;
                    Some(beside_path.clone())
                }
            };
            if wrote.is_some() {
                self.taken.insert(beside.to_lowercase());
                entry.beside = Some(beside);
                entry.beside_hash = Some(new_hash);
            }
            self.summary.edited += 1;
            self.summary.kept.push((path.clone(), wrote));
        }
        self.record(id, entry);
        Ok(())
    }

    /// A new meeting's file: the first free name among `stem`, `stem 2`, ...; a file already
    /// there with exactly this text (a run stopped before saving its manifest) is adopted.
    fn place(&mut self, stem: &str, text: &str, source: String) -> Result<Entry, VaultError> {
        let ext = self.options.format.extension();
        let hash = vault::hash(text.as_bytes());
        for n in 1.. {
            let file = format!("{}.{ext}", vault::candidate(stem, n));
            if self.taken.contains(&file.to_lowercase()) {
                continue;
            }
            let path = self.options.dir.join(&file);
            if let Some((size, mtime)) = stat(&path)? {
                if !is_file_or_missing(&path)? {
                    self.warn(format!(
                        "{} is not a regular file (a directory or a link), so it was left alone; the meeting went to the next free name",
                        path.display()
                    ));
                    continue;
                }
                if read_hash(&path)?.as_deref() == Some(hash.as_str()) {
                    self.taken.insert(file.to_lowercase());
                    self.summary.unchanged += 1;
                    return Ok(Entry {
                        file,
                        hash,
                        source,
                        size,
                        mtime_ns: mtime,
                        beside: None,
                        beside_hash: None,
                    });
                }
                continue;
            }
            let entry = Entry {
                file: file.clone(),
                hash: hash.clone(),
                source: source.clone(),
                size: 0,
                mtime_ns: 0,
                beside: None,
                beside_hash: None,
            };
            match self.write(&file, text, entry, false) {
                Ok(entry) => {
                    self.summary.new += 1;
                    return Ok(entry);
                }
                // Someone created it just now.
                Err(VaultError::Write(ExportError::Exists { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("the candidates never run out")
    }

    /// Writes `text` to `file` (atomically) and returns `entry` describing it.
    fn write(
        &mut self,
        file: &str,
        text: &str,
        mut entry: Entry,
        force: bool,
    ) -> Result<Entry, VaultError> {
        let path = self.options.dir.join(file);
        write_file(&path, text, force)?;
        self.taken.insert(file.to_lowercase());
        let (size, mtime) = stat(&path)?.unwrap_or((text.len() as u64, 0));
        entry.hash = vault::hash(text.as_bytes());
        entry.size = size;
        entry.mtime_ns = mtime;
        Ok(entry)
    }

    /// Moves the files of meetings the store marks deleted on the server into `.deleted/`
    /// (renamed ` 2`, ` 3`... when the name is taken there) and forgets them. Nothing is
    /// deleted, edited files included; a name held by something that is not a regular file is
    /// left alone.
    fn move_deleted(&mut self, store: &Store) -> Result<(), VaultError> {
        let deleted = store.deleted_ids()?;
        let gone: Vec<MeetingId> = self
            .manifest
            .meetings
            .keys()
            .filter(|id| deleted.contains(*id))
            .cloned()
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        let to = self.options.dir.join(DELETED_DIR);
        crate::fsx::create_private_dir(&to).map_err(|source| VaultError::Dir {
            path: to.clone(),
            source,
        })?;
        for id in gone {
            let Some(formats) = self.manifest.meetings.remove(&id) else {
                continue;
            };
            let files = formats
                .values()
                .flat_map(|e| std::iter::once(e.file.clone()).chain(e.beside.clone()));
            for file in files {
                let from = self.options.dir.join(&file);
                if !fs::symlink_metadata(&from).is_ok_and(|m| m.file_type().is_file()) {
                    continue;
                }
                let (stem, ext) = match file.rsplit_once('.') {
                    Some((stem, ext)) => (stem.to_owned(), format!(".{ext}")),
                    None => (file.clone(), String::new()),
                };
                let target = (1..)
                    .map(|n| to.join(format!("{}{ext}", vault::candidate(&stem, n))))
                    .find(|p| fs::symlink_metadata(p).is_err())
                    .unwrap_or_else(|| to.join(&file));
                fs::rename(&from, &target).map_err(|source| ExportError::Io {
                    path: from.clone(),
                    source,
                })?;
                self.taken.remove(&file.to_lowercase());
            }
            self.summary.deleted += 1;
        }
        Ok(())
    }

    fn warn(&mut self, warning: String) {
        tracing::warn!("{warning}");
        self.summary.warnings.push(warning);
    }

    fn record(&mut self, id: &MeetingId, entry: Entry) {
        self.manifest
            .meetings
            .entry(id.clone())
            .or_default()
            .insert(self.options.format, entry);
    }
}

/// The meeting's file as `format`, its times in `tz`; `None` when the store no longer has the
/// meeting.
fn render(
    store: &Store,
    id: &MeetingId,
    format: Format,
    links: bool,
    tz: &jiff::tz::TimeZone,
) -> Result<Option<String>, VaultError> {
    let Some(meeting) = store.meeting(id)? else {
        return Ok(None);
    };
    let document = store.document(id)?;
    Ok(Some(vault::render(
        format,
        &meeting,
        document.as_ref(),
        links,
        tz,
    )))
}

/// Whether the file at `path` is what the manifest says was written there (or is gone): size
/// and time first, the contents' hash only when those differ.
fn is_ours(path: &Path, disk: Option<Stat>, entry: &Entry) -> Result<bool, VaultError> {
    Ok(match disk {
        None => true,
        Some((size, mtime)) if size == entry.size && mtime == entry.mtime_ns => true,
        Some(_) => read_hash(path)?.as_deref() == Some(entry.hash.as_str()),
    })
}

/// Whether `path` is a regular file or nothing, without following a link.
fn is_file_or_missing(path: &Path) -> Result<bool, VaultError> {
    Ok(lstat(path)?.is_none_or(|(file, _)| file))
}

/// Size and time of what is at `path`, a link itself rather than what it points to.
fn stat(path: &Path) -> Result<Option<Stat>, VaultError> {
    Ok(lstat(path)?.map(|(_, stat)| stat))
}

/// One look at what is at `path` (a link itself rather than what it points to): whether it is
/// a regular file, and its size and time; `None` when nothing is there.
fn lstat(path: &Path) -> Result<Option<(bool, Stat)>, VaultError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            Ok(Some((meta.file_type().is_file(), (meta.len(), mtime))))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VaultError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// What [`read_hash`] gives for a name held by something other than a regular file: it
/// matches no content, so such a file is never taken for one krisp-tui wrote.
const NOT_A_FILE: &str = "not a regular file";

/// The hash of the regular file at `path`; `None` when nothing is there. A link, a directory or
/// a FIFO is neither followed nor read: it hashes as [`NOT_A_FILE`].
fn read_hash(path: &Path) -> Result<Option<String>, VaultError> {
    if !is_file_or_missing(path)? {
        return Ok(Some(NOT_A_FILE.to_owned()));
    }
    match fs::read(path) {
        Ok(bytes) => Ok(Some(vault::hash(&bytes))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(VaultError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}
