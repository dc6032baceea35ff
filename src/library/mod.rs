//! The data layer every front asks (the TUI's client task, the headless commands, the local MCP
//! server): one query language, one search, the same answer for the same text.
//!
//! A `Library` is cheap to clone and safe to share between threads. It opens its store lazily
//! (a front that never reads it never pays for opening it), and every method is synchronous:
//! async callers run it on a blocking thread.

mod first;
mod fuzzy;
mod online;
pub mod sync;
pub mod task;
pub mod vault_dir;
pub mod vault_stamp;

pub use online::DocumentsError;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;

use crate::krisp::{ActionItem, Document, Meeting, MeetingDate, MeetingId};
use crate::store::{Store, StoreError};

pub use crate::store::{ContextTurn, DocState, Feed, Filter, Hit, ListRow, Place, Query};

/// What went wrong, as one sentence each.
#[derive(thiserror::Error, Debug)]
pub enum LibraryError {
    /// There is no store yet: nothing was synced.
    #[error("There is no local store at {} yet: run `krisp-tui sync` to fill it.", path.display())]
    NoStore { path: PathBuf },
    /// The query cannot be read (a bad date, too many terms).
    #[error("{0}")]
    Query(StoreError),
    /// The store failed; the sentence names the file and the way out when the file is at
    /// fault.
    #[error("{0}")]
    Store(String),
    /// Writing the vault failed (its directory, a file, its lock).
    #[error(transparent)]
    Vault(#[from] crate::library::vault_dir::VaultError),
}

impl From<StoreError> for LibraryError {
    fn from(e: StoreError) -> Self {
        LibraryError::Store(e.sentence(None))
    }
}

impl LibraryError {
    /// A mistake in what the user typed, not a failure of the store.
    pub fn is_usage(&self) -> bool {
        matches!(self, LibraryError::Query(_))
    }
}

/// A window of an answer: `offset..offset + limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: usize,
    pub limit: usize,
}

impl Window {
    pub const fn first(limit: usize) -> Window {
        Window { offset: 0, limit }
    }
}

/// How the meetings of an answer were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matched {
    /// Every word is in each meeting; best first.
    #[default]
    Ranked,
    /// Every word is in each meeting; so many match that they come newest first.
    Newest,
    /// No words: the meetings the filters keep, newest first.
    Listed,
    /// No meeting holds the words; these are meetings whose name or people look like them.
    Fuzzy,
}

/// A search's answer: a window of the matching meetings and how many there are in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// The text searched for.
    pub text: String,
    pub total: usize,
    pub offset: usize,
    pub matched: Matched,
    pub meetings: Vec<Hit>,
    /// When no meeting holds the words: the text again with a misspelt word replaced by the
    /// index's closest word ("did you mean").
    pub suggestion: Option<String>,
}

#[derive(Debug)]
struct Inner {
    path: Option<PathBuf>,
    zone: TimeZone,
    /// Held by a library that keeps its store open for long (`Library::create`): `cache clear`
    /// waits for it instead of deleting the file under it.
    _open: Option<crate::store::OpenLock>,
    store: Mutex<Option<Store>>,
}

/// The local data: meetings, documents, feeds and search over the store.
#[derive(Debug, Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

impl Library {
    /// A library over the store file at `path`, opened on first use, read-only (reading never
    /// creates a store, nor needs to write one).
    pub fn at(path: &Path, zone: TimeZone) -> Library {
        Library {
            inner: Arc::new(Inner {
                path: Some(path.to_owned()),
                zone,
                _open: None,
                store: Mutex::new(None),
            }),
        }
    }

    /// A library over the store file at `path`, creating the store (or moving it to the current
    /// schema) first, and holding it open: `cache clear` refuses to delete it while this library
    /// (or a clone of it) lives. For a front that lives long and syncs, the TUI.
    pub fn create(path: &Path, zone: TimeZone) -> Result<Library, LibraryError> {
        Store::open(path).map_err(|e| LibraryError::Store(e.sentence(Some(path))))?;
        let open = crate::store::OpenLock::shared(path).map_err(|e| {
            LibraryError::Store(format!(
                "The local store {} could not be locked: {e}.",
                crate::store::OpenLock::path_for(path).display()
            ))
        })?;
        Ok(Library {
            inner: Arc::new(Inner {
                path: Some(path.to_owned()),
                zone,
                _open: Some(open),
                store: Mutex::new(None),
            }),
        })
    }

    /// A library over a store already open.
    pub fn over(store: Store, zone: TimeZone) -> Library {
        Library {
            inner: Arc::new(Inner {
                path: store.path().map(Path::to_owned),
                zone,
                _open: None,
                store: Mutex::new(Some(store)),
            }),
        }
    }

    /// Where the store of `server` lives under `data_dir`: one file per server.
    pub fn file_for(data_dir: &Path, server: &str) -> PathBuf {
        Store::path_for(data_dir, server)
    }

    /// The same store on a connection of its own: a long job on it (an export of many
    /// meetings) does not hold up this library's searches.
    pub fn apart(&self) -> Library {
        match self.path() {
            Some(path) => Library::at(path, self.inner.zone.clone()),
            None => self.clone(),
        }
    }

    pub fn zone(&self) -> &TimeZone {
        &self.inner.zone
    }

    /// `filter` with its days counted in the library's zone when it names none.
    fn zoned(&self, filter: &Filter) -> Filter {
        let mut filter = filter.clone();
        if filter.zone.is_none() {
            filter.zone = Some(self.inner.zone.clone());
        }
        filter
    }

    /// The store's file, if it has one.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs `f` on the store, opening it first if needed.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, LibraryError> {
        let mut guard = self
            .inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            let path = self.inner.path.clone().unwrap_or_default();
            if !path.exists() {
                return Err(LibraryError::NoStore { path });
            }
            let store = Store::open_read_only(&path)
                .map_err(|e| LibraryError::Store(e.sentence(Some(&path))))?;
            *guard = Some(store);
        }
        let store = guard.as_mut().ok_or_else(|| LibraryError::NoStore {
            path: self.inner.path.clone().unwrap_or_default(),
        })?;
        f(store).map_err(|e| match e {
            // What the user typed, found wrong only when a window of days was worked out.
            e @ (StoreError::BadDate { .. } | StoreError::TooManyTerms { .. }) => {
                LibraryError::Query(e)
            }
            e => LibraryError::Store(e.sentence(store.path())),
        })
    }

    /// The store's files: the database, its WAL and shared memory, and the lock files beside it.
    fn files(&self) -> Vec<PathBuf> {
        let Some(db) = self.path() else {
            return Vec::new();
        };
        let with = |suffix: &str| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        vec![
            db.to_path_buf(),
            with("-wal"),
            with("-shm"),
            sync::SyncLock::path_for(db),
            crate::store::OpenLock::path_for(db),
        ]
    }

    /// Bytes the store takes on disk, all its files together.
    pub fn size_on_disk(&self) -> u64 {
        self.files()
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Deletes the store: the database and its WAL, shared-memory and lock files. Refused while
    /// a sync runs or another krisp-tui holds the store open (it would go on writing into the
    /// deleted file). False when there was no store.
    pub fn delete(&self) -> Result<bool, LibraryError> {
        let Some(path) = self.path().filter(|p| p.exists()) else {
            return Ok(false);
        };
        let refused =
            |why: String| LibraryError::Store(format!("cannot delete the local store now: {why}"));
        let _lock = sync::SyncLock::try_acquire(path).map_err(|e| refused(e.to_string()))?;
        let _open = match crate::store::OpenLock::try_exclusive(path) {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                return Err(refused(
                    "another krisp-tui has it open; quit it first".to_owned(),
                ));
            }
            Err(e) => return Err(refused(e.to_string())),
        };
        // This library's own connection goes first.
        *self
            .inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        let mut removed = false;
        for file in self.files() {
            match std::fs::remove_file(&file) {
                Ok(()) => removed |= file == path,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(LibraryError::Store(format!(
                        "could not delete {}: {e}",
                        file.display()
                    )));
                }
            }
        }
        Ok(removed)
    }

    /// Parses `text` in the query language, in the library's zone. A bad date or a query of too
    /// many terms is a `LibraryError::Query` sentence.
    pub fn parse(&self, text: &str) -> Result<Query, LibraryError> {
        let mut query = Query::parse(text).map_err(LibraryError::Query)?;
        query.filter.zone = Some(self.inner.zone.clone());
        Ok(query)
    }

    /// Searches for `text` (the query language: words, `"phrases"`, `-word`, `after:`,
    /// `before:`, `with:`, `tag:`; the last word a prefix): the meetings holding every word,
    /// best first, the window asked for, and the exact number of them. When no meeting holds
    /// the words, meetings whose name or people look like them (a misspelt name).
    pub fn search(&self, text: &str, window: Window) -> Result<Answer, LibraryError> {
        let query = self.parse(text)?;
        self.search_query(text, &query, window)
    }

    /// `search` for a query parsed already (a front that adds filters of its own).
    pub fn search_query(
        &self,
        text: &str,
        query: &Query,
        window: Window,
    ) -> Result<Answer, LibraryError> {
        let mut query = query.clone();
        query.filter = self.zoned(&query.filter);
        let words = query.positive().count() > 0;
        if !words && !query.short.is_empty() {
            // Only words too short for the index: names like them.
            return self.fuzzy(text, &query, &query.short, window, None);
        }
        let found = self.with(|s| s.search(&query, window.offset, window.limit))?;
        if found.total == 0 && words {
            let needle: Vec<String> = query.positive().map(str::to_owned).collect();
            let suggestion = self.suggestion(text, &query)?;
            return self.fuzzy(text, &query, &needle, window, suggestion);
        }
        Ok(Answer {
            text: text.to_owned(),
            total: found.total,
            offset: window.offset,
            matched: if !words {
                Matched::Listed
            } else if found.ranked {
                Matched::Ranked
            } else {
                Matched::Newest
            },
            meetings: found.hits,
            suggestion: None,
        })
    }

    /// The meetings whose name or people look like `words` (no meeting holds them).
    fn fuzzy(
        &self,
        text: &str,
        query: &Query,
        words: &[String],
        window: Window,
        suggestion: Option<String>,
    ) -> Result<Answer, LibraryError> {
        let (total, meetings) = self.with(|s| fuzzy::names(s, query, words, window))?;
        Ok(Answer {
            text: text.to_owned(),
            total,
            offset: window.offset,
            matched: Matched::Fuzzy,
            meetings,
            suggestion,
        })
    }

    /// `text` with its first word that no meeting holds replaced by the index's closest word,
    /// if that finds meetings.
    fn suggestion(&self, text: &str, query: &Query) -> Result<Option<String>, LibraryError> {
        for term in &query.terms {
            let crate::store::Term::Word(word) = term else {
                continue;
            };
            let alone = self.parse(word)?;
            if self.with(|s| s.search(&alone, 0, 0))?.total > 0 {
                continue;
            }
            for candidate in self.with(|s| s.suggest(word, 3))? {
                let fixed = text.replacen(word.as_str(), &candidate, 1);
                let query = self.parse(&fixed)?;
                if self.with(|s| s.search(&query, 0, 0))?.total > 0 {
                    return Ok(Some(fixed));
                }
            }
            return Ok(None);
        }
        Ok(None)
    }

    /// The meetings passing `filter`, newest first, and how many there are.
    pub fn meetings(
        &self,
        filter: &Filter,
        window: Window,
    ) -> Result<(usize, Vec<ListRow>), LibraryError> {
        let filter = self.zoned(filter);
        self.with(|s| {
            Ok((
                s.count(&filter)?,
                s.page(&filter, window.offset, window.limit)?,
            ))
        })
    }

    /// Writes the meetings `ids` into the vault `options.dir` (see `library::vault_dir`), from
    /// this library's store connection: a front that keeps searching meanwhile exports through
    /// a `Library::at` of its own.
    pub fn export_many(
        &self,
        ids: &[MeetingId],
        options: &crate::library::vault_dir::VaultOptions,
        cancelled: &dyn Fn() -> bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<crate::library::vault_dir::VaultSummary, LibraryError> {
        let written = self.with(|s| {
            Ok(crate::library::vault_dir::export(
                s, ids, options, cancelled, progress,
            ))
        })?;
        Ok(written?)
    }

    /// Whether a sync has listed every meeting into the store (then the store answers for the
    /// server). No store yet: not listed.
    pub fn listing_complete(&self) -> Result<bool, LibraryError> {
        match self.with(|s| s.meta("sync.listing_complete")) {
            Ok(value) => Ok(value.is_some()),
            Err(LibraryError::NoStore { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The ids of every meeting passing `filter`, newest first (from the list's index, without
    /// reading the meetings).
    pub fn ids(&self, filter: &Filter) -> Result<Vec<MeetingId>, LibraryError> {
        let filter = self.zoned(filter);
        self.with(|s| s.ids(&filter))
    }

    /// `ids` in the list's order, newest first (a set of marks has none of its own); ids the
    /// store does not list keep their order after the rest.
    pub fn newest_first(&self, ids: &[MeetingId]) -> Result<Vec<MeetingId>, LibraryError> {
        let wanted: std::collections::HashSet<&MeetingId> = ids.iter().collect();
        let mut ordered: Vec<MeetingId> = self
            .ids(&Filter::default())?
            .into_iter()
            .filter(|id| wanted.contains(id))
            .collect();
        let listed: std::collections::HashSet<MeetingId> = ordered.iter().cloned().collect();
        ordered.extend(ids.iter().filter(|id| !listed.contains(*id)).cloned());
        Ok(ordered)
    }

    /// Where meeting `id` is in the whole list, newest first (how many come before it).
    pub fn position(&self, id: &MeetingId) -> Result<Option<usize>, LibraryError> {
        self.with(|s| s.position(id))
    }

    /// The ids of every meeting `search(text, …)` finds, in its order (the meetings whose names
    /// look like the words, when no meeting holds them), without reading where each matched.
    pub fn search_ids(&self, text: &str) -> Result<Vec<MeetingId>, LibraryError> {
        let mut query = self.parse(text)?;
        query.filter = self.zoned(&query.filter);
        let words = query.positive().count() > 0;
        let all = Window {
            offset: 0,
            limit: usize::MAX,
        };
        let fuzzy = |words: &[String]| -> Result<Vec<MeetingId>, LibraryError> {
            let (_, hits) = self.with(|s| fuzzy::names(s, &query, words, all))?;
            Ok(hits.into_iter().map(|h| h.meeting_id).collect())
        };
        if !words && !query.short.is_empty() {
            return fuzzy(&query.short);
        }
        let ids = self.with(|s| s.search_ids(&query))?;
        if ids.is_empty() && words {
            let needle: Vec<String> = query.positive().map(str::to_owned).collect();
            return fuzzy(&needle);
        }
        Ok(ids)
    }

    /// The meetings passing `filter`, newest first, whole (`meetings` gives list rows).
    pub fn meetings_whole(
        &self,
        filter: &Filter,
        window: Window,
    ) -> Result<Vec<Meeting>, LibraryError> {
        let filter = self.zoned(filter);
        self.with(|s| {
            let rows = s.page(&filter, window.offset, window.limit)?;
            let mut meetings = Vec::with_capacity(rows.len());
            for row in rows {
                meetings.extend(s.meeting(&row.id)?);
            }
            Ok(meetings)
        })
    }

    pub fn meeting(&self, id: &MeetingId) -> Result<Option<Meeting>, LibraryError> {
        self.with(|s| s.meeting(id))
    }

    /// The stored document and its state.
    pub fn document(&self, id: &MeetingId) -> Result<(DocState, Option<Document>), LibraryError> {
        self.with(|s| Ok((s.doc_state(id)?, s.document(id)?)))
    }

    /// What the store can give for a meeting's document: a finished one, or what it holds
    /// while the server should be asked (a document still processing, or none). The one
    /// store-first rule every front follows; `online::documents` applies it with a server.
    pub fn stored_document(&self, id: &MeetingId) -> Result<FromStore, LibraryError> {
        match self.with(|s| Ok((s.doc_state(id)?, s.document(id)?))) {
            Ok((DocState::Ready, Some(document))) => Ok(FromStore::Ready(document)),
            Ok((_, document)) => Ok(FromStore::Ask(document)),
            Err(LibraryError::NoStore { .. }) => Ok(FromStore::Ask(None)),
            Err(e) => Err(e),
        }
    }

    /// Keeps what a front fetched from the server, when there is a store to keep it in: the
    /// meetings, and the documents Krisp has finished (a processing one would be asked again
    /// anyway). Opens the store for writing for this alone: reads stay on their read-only
    /// connection.
    pub fn keep(&self, meetings: &[Meeting], documents: &[Document]) -> Result<(), LibraryError> {
        let Some(path) = self.path().filter(|p| p.exists()) else {
            return Ok(());
        };
        let ready: Vec<Document> = documents
            .iter()
            .filter(|d| d.state == crate::krisp::DocumentState::Ready)
            .cloned()
            .collect();
        if meetings.is_empty() && ready.is_empty() {
            return Ok(());
        }
        let mut store =
            Store::open(path).map_err(|e| LibraryError::Store(e.sentence(Some(path))))?;
        let now = jiff::Timestamp::now();
        let kept = store
            .upsert_meetings(meetings, now)
            .and_then(|_| store.upsert_documents(&ready, now));
        kept.map(|_| ())
            .map_err(|e| LibraryError::Store(e.sentence(Some(path))))
    }

    /// The transcript turns around turn `turn` of meeting `id` (`radius` on each side), with
    /// the words of the query `text` marked: a search hit in its context.
    pub fn context(
        &self,
        id: &MeetingId,
        turn: usize,
        radius: usize,
        text: &str,
    ) -> Result<Vec<ContextTurn>, LibraryError> {
        let query = self.parse(text)?;
        self.with(|s| s.turns_around(id, turn, radius, &query))
    }

    pub fn feed(&self, feed: Feed) -> Result<Vec<serde_json::Value>, LibraryError> {
        self.with(|s| s.feed(feed))
    }

    /// A stored feed as the rows a front shows (the same tolerant reading as a live answer's).
    pub fn feed_items(&self, feed: Feed) -> Result<Vec<crate::krisp::FeedItem>, LibraryError> {
        let items = serde_json::Value::Array(self.feed(feed)?);
        Ok(crate::krisp::feed_items(Some(&items), []))
    }

    /// The action items of the stored feed (as `list_action_items` last answered), typed: each
    /// with the meeting it came from when the server said so. Items that are not objects or
    /// strings are skipped.
    pub fn action_items(&self) -> Result<Vec<TaskItem>, LibraryError> {
        let items = self.feed(Feed::ActionItems)?;
        Ok(items.iter().filter_map(TaskItem::from_value).collect())
    }
}

/// What the store holds for a meeting's document.
#[derive(Debug, Clone, PartialEq)]
pub enum FromStore {
    /// Finished: the server need not be asked.
    Ready(Document),
    /// Not finished or not there: the server should be asked; offline, this is what there is.
    Ask(Option<Document>),
}

/// An action item of the feed, with its meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskItem {
    pub item: ActionItem,
    pub meeting_id: Option<MeetingId>,
    pub meeting_name: Option<String>,
    pub meeting_date: Option<MeetingDate>,
}

impl TaskItem {
    fn from_value(v: &serde_json::Value) -> Option<TaskItem> {
        let mut item = ActionItem::from_value(v)?;
        let mut take = |keys: &[&str]| {
            keys.iter().find_map(|k| match item.extra.shift_remove(*k) {
                Some(serde_json::Value::String(s)) => Some(s),
                _ => None,
            })
        };
        let meeting_id = take(&["meeting_id", "meetingId"]).and_then(|s| MeetingId::parse(&s));
        let meeting_name = take(&["meeting_name", "meeting_title"]);
        let meeting_date = take(&["meeting_date"]).map(|s| MeetingDate::parse(&s));
        Some(TaskItem {
            item,
            meeting_id,
            meeting_name,
            meeting_date,
        })
    }
}
