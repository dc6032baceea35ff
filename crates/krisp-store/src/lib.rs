//! The local SQLite store: meetings, documents and feeds as the server sent them, a paged meeting
//! list and full-text search. Synchronous rusqlite; no network, no UI, no async.
//!
//! One database file per server (`Store::path_for`). Writes are one transaction per call. The
//! schema lives in `schema.rs`; search in `search.rs`.

mod keys;
mod query;
mod schema;
mod search;
pub mod tokenize;
mod turn_match;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

// The model's modules under their own names, so paths read as they did in one crate.
use krisp_model::{fsx, krisp, sanitize, timefmt};

use crate::krisp::{
    Document, DocumentState, Meeting, MeetingDate, MeetingId, Section, Transcript, Turn,
};

pub use query::{
    CLOSE as HIGHLIGHT_CLOSE, Filter, MAX_TERMS, MIN_WORD_CHARS, OPEN as HIGHLIGHT_OPEN, Query,
    Term, take_highlights,
};
pub use schema::SCHEMA_VERSION;
pub use search::{
    ContextTurn, Found, Hit, Place, RANKED_MEETINGS, TURN_SEPARATOR, TranscriptHits, excerpt,
};

/// krisp-tui's mark in a database file's header (`PRAGMA application_id`): "KTUI".
pub const APPLICATION_ID: i32 = 0x4b54_5549;

/// The way out of a store that cannot be used, for the end of an error's sentence.
pub const REMEDY: &str =
    "`krisp-tui cache clear` deletes it, and the next sync fetches everything again";

/// Everything that can go wrong in the store, as sentences on one line.
#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    #[error("The local store {} could not be opened ({}); {REMEDY}.", path.display(), one_line(&source.to_string()))]
    Open {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{} is not a krisp-tui store (another program's database), so it was left untouched; move it away or give krisp-tui another --data-dir.", path.display())]
    Foreign { path: PathBuf },
    #[error("The local store {} is read-only, so it cannot be updated; make it writable, or add --offline to only read it.", path.display())]
    ReadOnly { path: PathBuf },
    #[error(
        "The local store is newer than this krisp-tui (schema {found}, this build knows up to {supported}); update krisp-tui or remove the store to sync again."
    )]
    TooNew { found: u32, supported: u32 },
    #[error("The local store failed: {}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("A record in the local store could not be written or read back: {0}")]
    Json(#[from] serde_json::Error),
    #[error("“{text}” is not a date; write it as YYYY-MM-DD.")]
    BadDate { text: String },
    #[error("A search may hold at most {max} words, phrases and filters; shorten it.")]
    TooManyTerms { max: usize },
    #[error("The local store has no free search key left for meeting {id}.")]
    KeysExhausted { id: String },
}

impl StoreError {
    /// Whether the file itself is at fault (damaged, or not what this build wrote), so that
    /// clearing the store is the way out; not for a busy store, a date typed wrong, a store
    /// from a newer build, or a file that is not krisp-tui's.
    pub fn is_damage(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => !matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::PermissionDenied
            ),
            StoreError::Sqlite(_) | StoreError::Json(_) | StoreError::KeysExhausted { .. } => true,
            _ => false,
        }
    }

    /// The sentence for the user: a damaged store's names the file and the way out.
    pub fn sentence(&self, path: Option<&Path>) -> String {
        match path {
            Some(path) if self.is_damage() => {
                format!("{self} (in {}); {REMEDY}.", path.display())
            }
            _ => self.to_string(),
        }
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Upserted {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The lists that are replaced as a whole on each fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Feed {
    ActionItems,
    Activities,
    Upcoming,
}

impl Feed {
    pub const ALL: [Feed; 3] = [Feed::ActionItems, Feed::Activities, Feed::Upcoming];

    fn name(self) -> &'static str {
        match self {
            Feed::ActionItems => "action_items",
            Feed::Activities => "activities",
            Feed::Upcoming => "upcoming",
        }
    }
}

/// Whether a meeting's document is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DocState {
    Missing,
    Processing,
    Ready,
}

/// What the sync needs to decide where to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub hash: String,
    pub date: Option<Timestamp>,
    pub fetched_at: Timestamp,
}

/// One row of the meeting list: what the table draws, plus the id.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub id: MeetingId,
    pub name: String,
    pub date: Option<MeetingDate>,
    pub people: Vec<String>,
    pub tags: Vec<String>,
    pub doc_state: DocState,
    /// The last turn's start, when a transcript is stored.
    pub duration_ms: Option<u64>,
}

impl ListRow {
    /// The list's copy of the meeting: only what the table shows and the fuzzy search matches.
    pub fn light_meeting(self) -> Meeting {
        let mut m = Meeting::new(self.id, self.name);
        m.date = self.date;
        m.attendees = self
            .people
            .into_iter()
            .map(|name| crate::krisp::Person { name, email: None })
            .collect();
        m.tags = self.tags;
        m
    }
}

/// See [`Store::versions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub meeting: String,
    pub document: Option<String>,
    pub doc_state: DocState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Stats {
    pub meetings: usize,
    /// Stored meetings whose transcript is stored and ready, and still processing; the rest
    /// of the meetings have none fetched yet.
    pub documents_ready: usize,
    pub documents_processing: usize,
    pub turns: usize,
    /// The main database file's size (pages in use), without the WAL.
    pub bytes: u64,
}

const STATE_PROCESSING: i64 = 1;
const STATE_READY: i64 = 2;

/// The local store.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// The database file for `server` inside `data_dir`: one per server URL, named from its
    /// host plus 8 hex digits of the URL's SHA-256 (`mcp.krisp.ai-1a2b3c4d.sqlite3`).
    pub fn path_for(data_dir: &Path, server: &str) -> PathBuf {
        let host = url::Url::parse(server)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let mut safe: String = host
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if safe.is_empty() || safe.starts_with('.') {
            safe.insert_str(0, "server");
        }
        let digest = Sha256::digest(server.as_bytes());
        let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        data_dir.join(format!("{safe}-{hex}.sqlite3"))
    }

    /// Opens (creating when needed) the store at `path`: the directory is created 0700 and the
    /// file 0600 on unix (SQLite gives its -wal/-shm files the file's mode), WAL mode, foreign
    /// keys, a 5 s busy timeout, and the schema migrated to `SCHEMA_VERSION`. A database that
    /// is not krisp-tui's is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsx::create_private_dir(dir).map_err(|e| open_err(e.into()))?;
        }
        create_private_file(path).map_err(|e| open_err(e.into()))?;
        let conn = Connection::open(path).map_err(|e| open_err(e.into()))?;
        check_owner(&conn, path).map_err(|e| match e {
            StoreError::Sqlite(e) => open_err(e.into()),
            e => e,
        })?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: path.to_owned(),
            });
        }
        // Before the switch to WAL, which writes the file's first page: after it, a new store
        // kept `auto_vacuum = none` (see `setup`).
        set_incremental_if_new(&conn).map_err(|e| match e {
            StoreError::Sqlite(e) => open_err(e.into()),
            e => e,
        })?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| open_err(e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "the local store could not switch to WAL");
        }
        Store::setup(conn, Some(path.to_owned()), SCHEMA_VERSION).map_err(|e| match e {
            StoreError::Sqlite(e) => open_err(e.into()),
            e => e,
        })
    }

    /// Opens an existing store for reading only (nothing is created, migrated or written): for
    /// the commands that only read, so that a read-only store still answers them.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(e.into()))?;
        if let Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))) =
            check_owner(&conn, path)
            && matches!(
                e.code,
                rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen
            )
        {
            // A WAL database in a directory we cannot write to (its -shm cannot be made): read
            // as a file nobody changes meanwhile, which a read-only file is, to us.
            conn = Connection::open_with_flags(
                immutable_uri(path),
                flags | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(|e| open_err(e.into()))?;
        }
        check_owner(&conn, path).map_err(|e| match e {
            StoreError::Sqlite(e) => open_err(e.into()),
            e => e,
        })?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| open_err(e.into()))?;
        let found = schema::user_version(&conn)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            // An older schema needs its migrations, which write: open it for writing.
            drop(conn);
            return Store::open(path);
        }
        Ok(Store {
            conn,
            path: Some(path.to_owned()),
        })
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?, None, SCHEMA_VERSION)
    }

    /// Creates (or opens) a store at `path` migrated only up to `version`: for tests of
    /// migrations from older schemas.
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: u32) -> Result<(), StoreError> {
        let conn = Connection::open(path)?;
        Store::setup(conn, Some(path.to_owned()), version).map(drop)
    }

    fn setup(
        mut conn: Connection,
        path: Option<PathBuf>,
        version: u32,
    ) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        set_incremental_if_new(&conn)?;
        schema::migrate_to(&mut conn, version)?;
        let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if id != APPLICATION_ID {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::user_version(&self.conn)
    }

    // ---- writes ----

    /// Inserts or updates meetings from a `search_meetings` page, in one transaction. The SHA-256
    /// of the meeting's JSON decides unchanged vs updated; only changed meetings rewrite their
    /// search rows. `fetched_at` is recorded for every meeting given.
    pub fn upsert_meetings(
        &mut self,
        meetings: &[Meeting],
        fetched_at: Timestamp,
    ) -> Result<Upserted, StoreError> {
        let tx = self.conn.transaction()?;
        let mut done = Upserted::default();
        let fetched = unix_ms(fetched_at);
        let any_deleted: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM deleted_meetings)", [], |r| {
                r.get(0)
            })?;
        for meeting in in_key_order(meetings, |m| {
            keys::bucket_base(
                m.id.as_str(),
                m.date.as_ref().and_then(MeetingDate::timestamp),
            )
        }) {
            if any_deleted {
                // Listed again: no longer deleted.
                tx.prepare_cached("DELETE FROM deleted_meetings WHERE id = ?1")?
                    .execute([meeting.id.as_str()])?;
            }
            let (json, hash) = meeting_json(meeting)?;
            let id = meeting.id.as_str();
            let old: Option<(i64, String)> = tx
                .query_row("SELECT key, hash FROM meetings WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((_, old_hash)) = &old
                && *old_hash == hash
            {
                tx.execute(
                    "UPDATE meetings SET fetched_at = ?2 WHERE id = ?1",
                    params![id, fetched],
                )?;
                done.unchanged += 1;
                continue;
            }
            let date = meeting.date.as_ref().and_then(MeetingDate::timestamp);
            let base = keys::bucket_base(id, date);
            let key = match old {
                Some((key, _)) if keys::same_bucket(key, base) => key,
                _ => allocate_key(&tx, id, base)?,
            };
            if old.is_some() {
                tx.execute("DELETE FROM meetings WHERE id = ?1", [id])?;
                if let Some((old_key, _)) = old {
                    tx.execute("DELETE FROM meeting_tags WHERE key = ?1", [old_key])?;
                }
                done.updated += 1;
            } else {
                done.new += 1;
            }
            insert_meeting(&tx, meeting, key, &json, &hash, fetched)?;
            rekey_document(&tx, id, key)?;
            if let Some((old_key, _)) = old
                && old_key != key
            {
                unindex_meeting(&tx, old_key)?;
            }
            index_meeting(&tx, key)?;
        }
        tx.commit()?;
        Ok(done)
    }

    /// What `upsert_meetings` would do with `meetings` (how many are new, changed, the same),
    /// and which of them have no ready transcript stored: read only, so a sync's listing can go
    /// on while its writer holds the store, and hand the page to that writer.
    pub fn classify_meetings(
        &self,
        meetings: &[Meeting],
    ) -> Result<(Upserted, Vec<MeetingId>), StoreError> {
        let mut done = Upserted::default();
        let mut wanting = Vec::new();
        let mut stored = self
            .conn
            .prepare_cached("SELECT meeting, state FROM versions WHERE id = ?1")?;
        for meeting in meetings {
            let (_, hash) = meeting_json(meeting)?;
            let old: Option<(Option<String>, Option<i64>)> = stored
                .query_row([meeting.id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (old_hash, state) = old.unwrap_or((None, None));
            match old_hash {
                Some(h) if h == hash => done.unchanged += 1,
                Some(_) => done.updated += 1,
                None => done.new += 1,
            }
            if doc_state(state) != DocState::Ready {
                wanting.push(meeting.id.clone());
            }
        }
        Ok((done, wanting))
    }

    /// Stores documents in one transaction: the transcript's turns as rows, and the whole
    /// transcript in its meeting's `meeting_fts` row (a search matches turns by reading them,
    /// `turn_match.rs`). A `Processing` document records the state and keeps no turns; it never
    /// replaces a stored `Ready` one (that counts as unchanged). A document whose meeting is not
    /// stored (yet) is stored anyway, searchable without a name or date until the meeting
    /// arrives.
    pub fn upsert_documents(
        &mut self,
        documents: &[Document],
        fetched_at: Timestamp,
    ) -> Result<Upserted, StoreError> {
        let tx = self.conn.transaction()?;
        let mut done = Upserted::default();
        let fetched = unix_ms(fetched_at);
        let mut key_of = tx.prepare_cached(
            "SELECT coalesce((SELECT key FROM meetings WHERE id = ?1),
                             (SELECT key FROM documents WHERE id = ?1))",
        )?;
        let mut keyed = Vec::with_capacity(documents.len());
        for doc in documents {
            let key: Option<i64> = key_of.query_row([doc.id.as_str()], |r| r.get(0))?;
            keyed.push((key.unwrap_or(i64::MAX), doc));
        }
        drop(key_of);
        keyed.sort_by_key(|(key, _)| *key);
        for (_, doc) in keyed {
            let id = doc.id.as_str();
            let hash = document_hash(doc)?;
            let old: Option<(i64, String, i64)> = tx
                .query_row(
                    "SELECT key, hash, state FROM documents WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let keep_ready = doc.state == DocumentState::Processing
                && old.as_ref().is_some_and(|o| o.2 == STATE_READY);
            if let Some((_, old_hash, _)) = &old
                && (*old_hash == hash || keep_ready)
            {
                tx.execute(
                    "UPDATE documents SET fetched_at = ?2 WHERE id = ?1",
                    params![id, fetched],
                )?;
                done.unchanged += 1;
                continue;
            }
            let meeting_key: Option<i64> = tx
                .query_row("SELECT key FROM meetings WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            let key = match (meeting_key, &old) {
                (Some(k), _) => k,
                (None, Some((k, _, _))) => *k,
                (None, None) => allocate_key(&tx, id, keys::bucket_base(id, None))?,
            };
            if let Some((old_key, _, _)) = old {
                delete_document(&tx, id, old_key)?;
                done.updated += 1;
            } else {
                done.new += 1;
            }
            insert_document(&tx, doc, key, &hash, fetched)?;
            if meeting_key.is_some() {
                index_meeting(&tx, key)?;
            }
        }
        tx.commit()?;
        Ok(done)
    }

    /// Replaces a feed with `items` as sent, in order.
    pub fn replace_feed(
        &mut self,
        feed: Feed,
        items: &[serde_json::Value],
        fetched_at: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM feed_items WHERE feed = ?1", [feed.name()])?;
        {
            let mut insert =
                tx.prepare("INSERT INTO feed_items (feed, pos, json) VALUES (?1, ?2, ?3)")?;
            for (pos, item) in items.iter().enumerate() {
                insert.execute(params![
                    feed.name(),
                    pos as i64,
                    serde_json::to_string(item)?
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO feeds (feed, fetched_at) VALUES (?1, ?2)
             ON CONFLICT(feed) DO UPDATE SET fetched_at = excluded.fetched_at",
            params![feed.name(), unix_ms(fetched_at)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a meeting, its document and their search rows. `false` when nothing was stored.
    pub fn delete_meeting(&mut self, id: &MeetingId) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let deleted = delete_in(&tx, id.as_str())?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Every stored meeting's id (deleted ones are not stored).
    pub fn meeting_ids(&self) -> Result<Vec<MeetingId>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM meetings ORDER BY id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|r| r.map(MeetingId))
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Marks meetings the server no longer has as deleted, in one transaction: each leaves the
    /// meetings, documents and search rows (so lists and search no longer show it) and is kept,
    /// as it was stored, in `deleted_meetings` until the store is cleared. A meeting the server
    /// lists again is stored afresh by [`Store::upsert_meetings`]. Returns how many were stored.
    pub fn mark_deleted(&mut self, ids: &[MeetingId], at: Timestamp) -> Result<usize, StoreError> {
        let mut archived = Vec::new();
        for id in ids {
            let meeting: Option<String> = self
                .conn
                .query_row(
                    "SELECT json FROM meetings WHERE id = ?1",
                    [id.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            let document = self.document(id)?.map(|d| {
                let turns: Vec<(&str, u64, u32, &str)> = d
                    .transcript
                    .turns
                    .iter()
                    .map(|t| {
                        (
                            t.speaker.as_str(),
                            t.start.as_secs(),
                            t.start.subsec_nanos(),
                            t.text.as_str(),
                        )
                    })
                    .collect();
                let sections: Vec<(&str, &str)> = d
                    .sections
                    .iter()
                    .map(|s| (s.heading.as_str(), s.body.as_str()))
                    .collect();
                serde_json::json!({
                    "ready": d.state == DocumentState::Ready,
                    "recording_url": d.recording_url,
                    "sections": sections,
                    "turns": turns,
                    "unparsed": d.unparsed,
                })
                .to_string()
            });
            if meeting.is_some() || document.is_some() {
                archived.push((id, meeting, document));
            }
        }
        let tx = self.conn.transaction()?;
        for (id, meeting, document) in &archived {
            tx.execute(
                "INSERT INTO deleted_meetings (id, deleted_at, meeting, document)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET deleted_at = excluded.deleted_at,
                     meeting = excluded.meeting, document = excluded.document",
                params![id.as_str(), unix_ms(at), meeting, document],
            )?;
            delete_in(&tx, id.as_str())?;
        }
        tx.commit()?;
        Ok(archived.len())
    }

    /// The meetings marked deleted (see [`Store::mark_deleted`]).
    pub fn deleted_ids(&self) -> Result<std::collections::HashSet<MeetingId>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM deleted_meetings")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|r| r.map(MeetingId))
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Merges each search index into one segment and refreshes SQLite's statistics. Incremental
    /// writes leave many small index segments, which slow every search lookup (snippets of a
    /// phrase of common words: 14 ms before, 2 ms after, at 1.5 M turns); call this after a sync
    /// that wrote many documents. Takes seconds at 1.5 M turns.
    pub fn optimize(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "INSERT INTO fields_fts(fields_fts) VALUES ('optimize');
             INSERT INTO meeting_fts(meeting_fts) VALUES ('optimize');
             PRAGMA optimize;",
        )?;
        Ok(())
    }

    /// Runs `f`, which only reads the store, inside one read transaction: it sees one state of
    /// the store throughout, and its statements do not each take and drop the read lock. A
    /// transaction already open (a caller's) is used as it is.
    pub fn in_one_read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        if !self.conn.is_autocommit() {
            return f();
        }
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| E::from(e.into()))?;
        let result = f();
        // Nothing was written: ending it cannot lose anything.
        let _ = self.conn.execute_batch("COMMIT");
        result
    }

    /// A page cache of 32 MiB while `on` (a sync writing many documents: merging index
    /// segments reads back what it wrote a moment ago), SQLite's default 2 MiB otherwise, the
    /// memory given back. While `on`, the WAL is also copied into the database every 64 MiB
    /// instead of every 4 MiB: index merges rewrite the same pages again and again, and each
    /// checkpoint copies the version of a page it finds (about a tenth of the indexing's CPU).
    pub fn bulk(&mut self, on: bool) -> Result<(), StoreError> {
        let (kib, pages) = if on {
            (32 * 1024, 16_384)
        } else {
            (2000, 1000)
        };
        self.conn.pragma_update(None, "cache_size", -kib)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        if !on {
            self.conn.execute_batch("PRAGMA shrink_memory")?;
        }
        Ok(())
    }

    /// Gives back unused space, then empties the WAL: after a big sync (`full`) always, after
    /// another only when free pages are more than a tenth of the file (deletions, a migration
    /// that rebuilt an index). A store in `auto_vacuum = incremental` (every store created since
    /// this was fixed) gives back its free pages; its other pages are full already, since the
    /// writes store each batch in key order. An older store is rewritten whole (`VACUUM`), which
    /// switches it to `incremental`: once. Needs no other reader at the time: busy is an error
    /// the caller may ignore.
    pub fn compact(&mut self, full: bool) -> Result<(), StoreError> {
        let one = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        let (mode, pages, free) = (
            one("PRAGMA auto_vacuum")?,
            one("PRAGMA page_count")?,
            one("PRAGMA freelist_count")?,
        );
        if full || free * 10 > pages {
            if mode == 2 {
                // Each step of the pragma gives back one page: run it to its end (a single
                // step, as `execute_batch` takes, gave back one page of thousands).
                let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
                let mut rows = stmt.query([])?;
                while rows.next()?.is_some() {}
            } else {
                self.conn
                    .pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
                self.conn.execute_batch("VACUUM")?;
            }
        }
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn delete_meta(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// A number that moves whenever a meeting or its document is added, changed or deleted
    /// (kept by triggers; see schema V6). Equal numbers: nothing a vault writes has changed.
    pub fn changes(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT n FROM counts WHERE name = 'changes'")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    // ---- reads ----

    /// How many meetings pass `filter`.
    pub fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        let (clause, args) = filter_sql(filter, "m")?;
        if args.is_empty() && clause == "1" {
            // Every meeting: the count the triggers keep (the TUI asks it at each window).
            let n: i64 = self
                .conn
                .prepare_cached("SELECT n FROM counts WHERE name = 'meetings'")?
                .query_row([], |r| r.get(0))?;
            return Ok(n.max(0) as usize);
        }
        let sql = format!("SELECT count(*) FROM meetings m WHERE {clause}");
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// The meetings passing `filter`, newest first (undated last, then by id), from `offset`.
    pub fn page(
        &self,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        let (clause, mut args) = filter_sql(filter, "m")?;
        // The window is picked on the (date_ms, id) index alone; only its rows are read.
        let sql = format!(
            "SELECT m.id, m.name, m.date_json, m.people_list, m.tags, d.state, d.duration_ms
             FROM meetings m LEFT JOIN documents d ON d.id = m.id
             WHERE m.key IN (SELECT m.key FROM meetings m WHERE {clause}
                             ORDER BY m.date_ms DESC, m.id LIMIT ? OFFSET ?)
             ORDER BY m.date_ms DESC, m.id"
        );
        args.push(Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        args.push(Arg::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let date_json: String = r.get(2)?;
            let people: String = r.get(3)?;
            let tags: String = r.get(4)?;
            out.push(ListRow {
                id: MeetingId(r.get(0)?),
                name: r.get(1)?,
                date: serde_json::from_str(&date_json)?,
                people: serde_json::from_str(&people)?,
                tags: serde_json::from_str(&tags)?,
                doc_state: doc_state(r.get(5)?),
                duration_ms: r.get::<_, Option<i64>>(6)?.map(|d| d.max(0) as u64),
            });
        }
        Ok(out)
    }

    /// The ids of the meetings passing `filter`, newest first (undated last, then by id), as
    /// [`Store::page`] orders them; read from the list's index, not the meetings' rows.
    pub fn ids(&self, filter: &Filter) -> Result<Vec<MeetingId>, StoreError> {
        let (clause, args) = filter_sql(filter, "m")?;
        let sql =
            format!("SELECT m.id FROM meetings m WHERE {clause} ORDER BY m.date_ms DESC, m.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                r.get::<_, String>(0)
            })?
            .map(|r| r.map(MeetingId))
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Where meeting `id` is in the whole list as [`Store::page`] orders it (newest first,
    /// undated last, then by id): how many meetings come before it. `None` when not stored.
    pub fn position(&self, id: &MeetingId) -> Result<Option<usize>, StoreError> {
        let at: Option<(Option<i64>, String)> = self
            .conn
            .prepare_cached("SELECT date_ms, id FROM meetings WHERE id = ?1")?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((date_ms, id)) = at else {
            return Ok(None);
        };
        // SQLite sorts NULL below every number: descending, the undated come last.
        let before: i64 = match date_ms {
            Some(ms) => self
                .conn
                .prepare_cached(
                    "SELECT (SELECT count(*) FROM meetings WHERE date_ms > ?1)
                          + (SELECT count(*) FROM meetings WHERE date_ms = ?1 AND id < ?2)",
                )?
                .query_row(rusqlite::params![ms, id], |r| r.get(0))?,
            None => self
                .conn
                .prepare_cached(
                    "SELECT (SELECT count(*) FROM meetings WHERE date_ms IS NOT NULL)
                          + (SELECT count(*) FROM meetings WHERE date_ms IS NULL AND id < ?1)",
                )?
                .query_row([id], |r| r.get(0))?,
        };
        Ok(Some(before as usize))
    }

    pub fn meeting(&self, id: &MeetingId) -> Result<Option<Meeting>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM meetings WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    /// The stored document, `Processing` ones included.
    pub fn document(&self, id: &MeetingId) -> Result<Option<Document>, StoreError> {
        let row: Option<(i64, i64, Option<String>, String, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT key, state, recording_url, sections, unparsed, turn_count
                 FROM documents WHERE id = ?1",
            )?
            .query_row([id.as_str()], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?;
        let Some((key, state, recording_url, sections, unparsed, turn_count)) = row else {
            return Ok(None);
        };
        let sections: Vec<(String, String)> = serde_json::from_str(&sections)?;
        let (lo, hi) = keys::turn_key_range(key);
        let mut stmt = self.conn.prepare_cached(
            "SELECT speaker, start_s, start_ns, text FROM turns
             WHERE key BETWEEN ?1 AND ?2 ORDER BY key",
        )?;
        let mut turns = Vec::with_capacity(turn_count.max(0) as usize);
        let mut rows = stmt.query(params![lo, hi])?;
        while let Some(r) = rows.next()? {
            let secs: i64 = r.get(1)?;
            let nanos: i64 = r.get(2)?;
            turns.push(Turn {
                speaker: r.get(0)?,
                start: Duration::new(secs as u64, nanos as u32),
                text: r.get(3)?,
            });
        }
        Ok(Some(Document {
            id: id.clone(),
            state: if state == STATE_READY {
                DocumentState::Ready
            } else {
                DocumentState::Processing
            },
            recording_url,
            sections: sections
                .into_iter()
                .map(|(heading, body)| Section { heading, body })
                .collect(),
            transcript: Transcript { turns },
            unparsed,
        }))
    }

    pub fn doc_state(&self, id: &MeetingId) -> Result<DocState, StoreError> {
        let state: Option<Option<i64>> = self
            .conn
            .prepare_cached("SELECT state FROM versions WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?;
        Ok(doc_state(state.flatten()))
    }

    /// The hashes of a stored meeting and of its document (when one is stored), and the
    /// document's state: what an export needs to tell whether a meeting changed since it was
    /// last written, without reading it.
    pub fn versions(&self, id: &MeetingId) -> Result<Option<Versions>, StoreError> {
        let row: Option<(String, Option<String>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT meeting, document, state FROM versions
                 WHERE id = ?1 AND meeting IS NOT NULL",
            )?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(row.map(|(meeting, document, state)| Versions {
            meeting,
            document,
            doc_state: doc_state(state),
        }))
    }

    /// Hash, date and fetch time of a stored meeting.
    pub fn stamp(&self, id: &MeetingId) -> Result<Option<Stamp>, StoreError> {
        let row: Option<(String, String, i64)> = self
            .conn
            .prepare_cached("SELECT hash, date_json, fetched_at FROM meetings WHERE id = ?1")?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((hash, date_json, fetched)) = row else {
            return Ok(None);
        };
        let date: Option<MeetingDate> = serde_json::from_str(&date_json)?;
        Ok(Some(Stamp {
            hash,
            date: date.as_ref().and_then(MeetingDate::timestamp),
            fetched_at: from_unix_ms(fetched),
        }))
    }

    /// Meetings whose document is missing or still processing, newest first.
    pub fn wanting_documents(&self, limit: usize) -> Result<Vec<MeetingId>, StoreError> {
        // The condition is `versions_wanting`'s, so that only its rows are read.
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM versions
             WHERE meeting IS NOT NULL AND (state IS NULL OR state <> 2)
             ORDER BY date_ms DESC, id LIMIT ?1",
        )?;
        let ids = stmt
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                r.get::<_, String>(0)
            })?
            .map(|r| r.map(MeetingId))
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn feed(&self, feed: Feed) -> Result<Vec<serde_json::Value>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT json FROM feed_items WHERE feed = ?1 ORDER BY pos")?;
        let raw: Vec<String> = stmt
            .query_map([feed.name()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        raw.iter()
            .map(|j| serde_json::from_str(j).map_err(StoreError::from))
            .collect()
    }

    /// When `feed` was last replaced.
    pub fn feed_fetched_at(&self, feed: Feed) -> Result<Option<Timestamp>, StoreError> {
        let ms: Option<i64> = self
            .conn
            .query_row(
                "SELECT fetched_at FROM feeds WHERE feed = ?1",
                [feed.name()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(ms.map(from_unix_ms))
    }

    /// What is stored, from the `counts` table the triggers keep (no table is scanned).
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let one = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        let mut stmt = self.conn.prepare_cached("SELECT name, n FROM counts")?;
        let mut rows = stmt.query([])?;
        let mut stats = Stats {
            bytes: (one("PRAGMA page_count")? * one("PRAGMA page_size")?) as u64,
            ..Stats::default()
        };
        while let Some(r) = rows.next()? {
            let name: String = r.get(0)?;
            let n = r.get::<_, i64>(1)?.max(0) as usize;
            match name.as_str() {
                "meetings" => stats.meetings = n,
                "ready" => stats.documents_ready = n,
                "processing" => stats.documents_processing = n,
                "turns" => stats.turns = n,
                _ => {}
            }
        }
        Ok(stats)
    }

    /// A deterministic text dump of meetings (JSON), documents (parts and turns) and feeds,
    /// sorted, without fetch times, internal keys or `meta`: for tests that compare two stores.
    pub fn dump(&self) -> Result<String, StoreError> {
        let mut out = String::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, hash, json FROM meetings ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, hash, json): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let _ = writeln!(out, "meeting {id} {hash} {json}");
        }
        let mut ids = self.conn.prepare("SELECT id FROM documents ORDER BY id")?;
        let ids: Vec<String> = ids.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        for id in ids {
            let Some(doc) = self.document(&MeetingId(id.clone()))? else {
                continue;
            };
            let sections: Vec<(&str, &str)> = doc
                .sections
                .iter()
                .map(|s| (s.heading.as_str(), s.body.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "document {id} {:?} recording={} sections={} unparsed={}",
                doc.state,
                serde_json::to_string(&doc.recording_url)?,
                serde_json::to_string(&sections)?,
                serde_json::to_string(&doc.unparsed)?,
            );
            for (i, t) in doc.transcript.turns.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "turn {id} {i} {}.{:09} {} {}",
                    t.start.as_secs(),
                    t.start.subsec_nanos(),
                    serde_json::to_string(&t.speaker)?,
                    serde_json::to_string(&t.text)?,
                );
            }
        }
        for feed in Feed::ALL {
            for (i, item) in self.feed(feed)?.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "feed {} {i} {}",
                    feed.name(),
                    serde_json::to_string(item)?
                );
            }
        }
        Ok(out)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Refuses a database that is not krisp-tui's: one with another program's `application_id`,
/// or without one (krisp-tui's before it set one) yet with tables that are not krisp-tui's.
/// An empty file is a new store.
fn check_owner(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let foreign = || StoreError::Foreign {
        path: path.to_owned(),
    };
    if id != 0 {
        return Err(foreign());
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if tables == 0 {
        return Ok(());
    }
    let ours: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meetings', 'turns', 'meta')",
        [],
        |r| r.get(0),
    )?;
    if ours == 3 && schema::user_version(conn)? >= 1 {
        Ok(())
    } else {
        Err(foreign())
    }
}

/// `file:PATH?immutable=1`, the path percent-encoded where a URI needs it.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(b) {
            uri.push(char::from(*b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// SQLite's own sentence, without the SQL it was running (a migration's is kilobytes long).
fn sqlite_message(e: &rusqlite::Error) -> String {
    let text = match e {
        rusqlite::Error::SqliteFailure(code, Some(message)) => format!("{message} ({code})"),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        e => e.to_string(),
    };
    one_line(&text)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes a meeting, its document and their search rows inside `tx`; `false` when nothing was
/// stored.
fn delete_in(tx: &Transaction<'_>, id: &str) -> Result<bool, StoreError> {
    let key: Option<i64> = tx
        .query_row("SELECT key FROM meetings WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    let doc_key: Option<i64> = tx
        .query_row("SELECT key FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(key) = key {
        tx.execute("DELETE FROM meetings WHERE key = ?1", [key])?;
        tx.execute("DELETE FROM meeting_tags WHERE key = ?1", [key])?;
        unindex_meeting(tx, key)?;
    }
    if let Some(doc_key) = doc_key {
        delete_document(tx, id, doc_key)?;
    }
    Ok(key.is_some() || doc_key.is_some())
}

fn doc_state(state: Option<i64>) -> DocState {
    match state {
        None => DocState::Missing,
        Some(STATE_READY) => DocState::Ready,
        Some(_) => DocState::Processing,
    }
}

/// A free key in the bucket starting at `base` (free: no other meeting or document holds it).
fn allocate_key(tx: &Transaction<'_>, id: &str, base: i64) -> Result<i64, StoreError> {
    let mut taken = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM meetings WHERE key = ?1 AND id <> ?2)
             OR EXISTS (SELECT 1 FROM documents WHERE key = ?1 AND id <> ?2)",
    )?;
    let start = keys::first_slot(id);
    for i in 0..keys::SLOTS {
        let key = base | ((start + i) % keys::SLOTS);
        if !taken.query_row(params![key, id], |r| r.get::<_, bool>(0))? {
            return Ok(key);
        }
    }
    Err(StoreError::KeysExhausted { id: id.to_owned() })
}

/// `items` in the order of their (estimated) keys, which is the order of their search rows'
/// rowids. FTS5 writes its pending index data out as a new segment whenever a rowid lower than
/// the last one comes in, so newest-first input (the server's order) would flush a segment per
/// meeting; in rowid order a transaction's rows go out as one segment. Ties keep their order.
fn in_key_order<T>(items: &[T], key: impl Fn(&T) -> i64) -> impl Iterator<Item = &T> {
    let mut sorted: Vec<(i64, &T)> = items.iter().map(|t| (key(t), t)).collect();
    sorted.sort_by_key(|(k, _)| *k);
    sorted.into_iter().map(|(_, t)| t)
}

/// Text as people read it, which is what the search rows hold: escape sequences and controls
/// are dropped whole (the plain-text policy of every output edge), so `\x1b[31mMallory` is
/// found by `Mallory`, and never by `31mMallory`.
fn readable(s: &str) -> String {
    crate::sanitize::text(s).into_owned()
}

fn insert_meeting(
    tx: &Transaction<'_>,
    meeting: &Meeting,
    key: i64,
    json: &str,
    hash: &str,
    fetched: i64,
) -> Result<(), StoreError> {
    let people_names: Vec<String> = meeting.people().iter().map(|p| readable(p)).collect();
    let mut people = people_names.join("\n");
    let mut people_lc = people.to_lowercase();
    for email in meeting.attendees.iter().filter_map(|p| p.email.as_deref()) {
        let email = readable(email);
        people.push('\n');
        people.push_str(&email);
        people_lc.push('\n');
        people_lc.push_str(&email.to_lowercase());
    }
    let notes = readable(&notes_text(meeting));
    let date_ms = meeting
        .date
        .as_ref()
        .and_then(MeetingDate::timestamp)
        .map(unix_ms);
    tx.prepare_cached(
        "INSERT INTO meetings (key, id, date_ms, date_json, name, people, notes, people_list,
                               people_lc, tags, hash, json, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        key,
        meeting.id.as_str(),
        date_ms,
        serde_json::to_string(&meeting.date)?,
        readable(&meeting.name),
        people,
        notes,
        serde_json::to_string(&people_names)?,
        people_lc,
        serde_json::to_string(&meeting.tags)?,
        hash,
        json,
        fetched,
    ])?;
    let mut tag =
        tx.prepare_cached("INSERT OR IGNORE INTO meeting_tags (tag, key) VALUES (?1, ?2)")?;
    for t in &meeting.tags {
        tag.execute(params![t, key])?;
    }
    Ok(())
}

/// Summary, key points and action items (as a human reads them), one per line.
fn notes_text(meeting: &Meeting) -> String {
    let mut notes = String::new();
    let mut push = |s: &str| {
        if !s.trim().is_empty() {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(s);
        }
    };
    if let Some(summary) = &meeting.summary {
        push(summary);
    }
    for p in &meeting.key_points {
        push(p);
    }
    for item in &meeting.action_items {
        push(&meeting.display_text(item));
    }
    notes
}

fn insert_document(
    tx: &Transaction<'_>,
    doc: &Document,
    key: i64,
    hash: &str,
    fetched: i64,
) -> Result<(), StoreError> {
    let sections: Vec<(&str, &str)> = doc
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.body.as_str()))
        .collect();
    let ready = doc.state == DocumentState::Ready;
    let turns: &[Turn] = if ready { &doc.transcript.turns } else { &[] };
    tx.prepare_cached(
        "INSERT INTO documents (id, key, state, recording_url, sections, unparsed, turn_count,
                                duration_ms, hash, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        doc.id.as_str(),
        key,
        if ready { STATE_READY } else { STATE_PROCESSING },
        doc.recording_url,
        serde_json::to_string(&sections)?,
        doc.unparsed,
        turns.len() as i64,
        turns
            .last()
            .map(|t| t.start_ms().min(i64::MAX as u64) as i64),
        hash,
        fetched,
    ])?;
    insert_turns(tx, key, turns)
}

fn insert_turns(tx: &Transaction<'_>, key: i64, turns: &[Turn]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO turns (key, speaker, start_s, start_ns, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, t) in turns.iter().enumerate().take(keys::MAX_INDEXED_TURNS) {
        insert.execute(params![
            keys::turn_rowid(key, i),
            readable(&t.speaker),
            t.start.as_secs().min(i64::MAX as u64) as i64,
            t.start.subsec_nanos(),
            readable(&t.text),
        ])?;
    }
    Ok(())
}

fn delete_document(tx: &Transaction<'_>, id: &str, key: i64) -> Result<(), StoreError> {
    let (lo, hi) = keys::turn_key_range(key);
    tx.prepare_cached("DELETE FROM turns WHERE key BETWEEN ?1 AND ?2")?
        .execute(params![lo, hi])?;
    tx.prepare_cached("DELETE FROM documents WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// (Re)writes the meeting with `key` in `meeting_fts`: its name, people and notes, and its
/// transcript's turns joined by the turn separator. Nothing when no meeting has that key.
fn index_meeting(tx: &Transaction<'_>, key: i64) -> Result<(), StoreError> {
    unindex_meeting(tx, key)?;
    let (lo, hi) = keys::turn_key_range(key);
    tx.prepare_cached(schema::INDEX_MEETING)?
        .execute(params![key, lo, hi])?;
    Ok(())
}

fn unindex_meeting(tx: &Transaction<'_>, key: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM meeting_fts WHERE rowid = ?1")?
        .execute([key])?;
    Ok(())
}

/// Moves a stored document's turns under the meeting's (new) key.
fn rekey_document(tx: &Transaction<'_>, id: &str, key: i64) -> Result<(), StoreError> {
    let old: Option<i64> = tx
        .query_row("SELECT key FROM documents WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(old) = old.filter(|&k| k != key) else {
        return Ok(());
    };
    let (lo, hi) = keys::turn_key_range(old);
    let turns: Vec<(String, i64, i64, String)> = tx
        .prepare("SELECT speaker, start_s, start_ns, text FROM turns WHERE key BETWEEN ?1 AND ?2 ORDER BY key")?
        .query_map(params![lo, hi], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    tx.execute(
        "DELETE FROM turns WHERE key BETWEEN ?1 AND ?2",
        params![lo, hi],
    )?;
    tx.execute(
        "UPDATE documents SET key = ?2 WHERE id = ?1",
        params![id, key],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO turns (key, speaker, start_s, start_ns, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, (speaker, s, ns, text)) in turns.into_iter().enumerate() {
        insert.execute(params![keys::turn_rowid(key, i), speaker, s, ns, text])?;
    }
    Ok(())
}

fn document_hash(doc: &Document) -> Result<String, StoreError> {
    let sections: Vec<(&str, &str)> = doc
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.body.as_str()))
        .collect();
    let turns: Vec<(&str, u64, u32, &str)> = doc
        .transcript
        .turns
        .iter()
        .map(|t| {
            (
                t.speaker.as_str(),
                t.start.as_secs(),
                t.start.subsec_nanos(),
                t.text.as_str(),
            )
        })
        .collect();
    let ready = doc.state == DocumentState::Ready;
    let canonical =
        serde_json::to_string(&(ready, &doc.recording_url, sections, turns, &doc.unparsed))?;
    Ok(sha256_hex(canonical.as_bytes()))
}

/// A meeting as stored (its JSON as sent) and that JSON's hash, which tells a changed meeting.
fn meeting_json(meeting: &Meeting) -> Result<(String, String), StoreError> {
    let json = serde_json::to_string(meeting)?;
    let hash = sha256_hex(json.as_bytes());
    Ok((json, hash))
}

/// A new store (no schema yet) gets `auto_vacuum = incremental`, which only a store without
/// tables can take: pages freed by deletions and index merges can then be given back without
/// rewriting the file (`PRAGMA incremental_vacuum`, see `Store::compact`).
fn set_incremental_if_new(conn: &Connection) -> Result<(), StoreError> {
    if schema::user_version(conn)? == 0 {
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unix_ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_unix_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A bound SQL value of a built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(i) => i.to_sql(),
            Arg::Text(s) => s.to_sql(),
        }
    }
}

/// `filter` as a WHERE clause over the meetings table aliased `m`, with its arguments.
pub(crate) fn filter_sql(filter: &Filter, m: &str) -> Result<(String, Vec<Arg>), StoreError> {
    let mut clause = vec!["1".to_owned()];
    let mut args = Vec::new();
    let (from, to) = filter.window_ms()?;
    if let Some(from) = from {
        clause.push(format!("{m}.date_ms >= ?"));
        args.push(Arg::Int(from));
    }
    if let Some(to) = to {
        clause.push(format!("{m}.date_ms < ?"));
        args.push(Arg::Int(to));
    }
    // As search reads `with:`: the start of a word of a name or email, case and accents aside.
    for with in filter
        .with
        .iter()
        .filter(|w| w.chars().any(char::is_alphanumeric))
    {
        clause.push(format!(
            "{m}.key IN (SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH ?)"
        ));
        args.push(Arg::Text(format!(
            "people : {}*",
            query::quote(with.trim())
        )));
    }
    for tag in &filter.tags {
        clause.push(format!(
            "EXISTS (SELECT 1 FROM meeting_tags t WHERE t.tag = ? AND t.key = {m}.key)"
        ));
        args.push(Arg::Text(tag.clone()));
    }
    Ok((clause.join(" AND "), args))
}

/// Held, shared, by every long-lived process that keeps the store open (the TUI), so that
/// `cache clear`, which needs it exclusively, never deletes the file under one: that process
/// would go on writing into a deleted file and lose it all. Released on drop and when the
/// process dies. The file sits beside the database: `<database>.open-lock`.
#[derive(Debug)]
pub struct OpenLock {
    _file: std::fs::File,
}

impl OpenLock {
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".open-lock");
        PathBuf::from(name)
    }

    /// Shared with every other holder; waits while a `cache clear` holds it.
    pub fn shared(database: &Path) -> std::io::Result<OpenLock> {
        crate::fsx::lock_file_shared(&Self::path_for(database)).map(|file| OpenLock { _file: file })
    }

    /// Exclusive, or `None` when a process holds the store open.
    pub fn try_exclusive(database: &Path) -> std::io::Result<Option<OpenLock>> {
        Ok(crate::fsx::try_lock_file(&Self::path_for(database))?
            .map(|file| OpenLock { _file: file }))
    }
}

/// Creates the file 0600 before SQLite sees it (SQLite then gives -wal/-shm the same mode).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    match crate::fsx::private(std::fs::OpenOptions::new().write(true).create_new(true)).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
