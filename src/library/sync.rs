//! The polite, resumable sync from the server into the local store.
//!
//! Three stages, each committed batch by batch so that a kill at any moment loses at most the
//! batches fetched and not yet committed:
//!
//! 1. **Listing**: `search_meetings` newest first, 50 a page, until a page whose meetings are all
//!    stored, unchanged and older than the settle window. A first sync (or one that was cut
//!    short) goes on to the end of the list, resuming near where the last one stopped.
//! 2. **Documents**, overlapping the listing: every stored meeting whose transcript is missing
//!    or still processing, fetched in batches (`get_multiple_documents`, 10 ids; `get_document`
//!    one by one when that is all the server has) from the moment the first listing page is in.
//!    Fetched documents go to a writer that commits them [`WRITE_BATCH`] at a time (or every
//!    [`WRITE_EVERY`]) in one transaction, off the request slots: a request slot is free again
//!    as soon as its answer is read, not once it is indexed. The listing's pages go to the same
//!    writer, ahead of the transcripts fetched for them; the listing itself reads the store on
//!    a connection of its own, so it never waits for the writer's transactions.
//! 3. **Feeds**: action items, activities and upcoming meetings, replaced as a whole; fetched
//!    alongside the first two, within the same limit of requests in flight.
//!
//! Politeness: at most `concurrency` requests in flight; a rate-limit answer (429 handled by the
//! transport; Krisp-style "too many concurrent requests" / `blocked_seconds` tool errors here), a
//! 5xx or a dropped connection is retried with exponential backoff and full jitter, honouring a
//! wait the server names. One sync per store at a time: a lock file beside the database.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use rmcp::model::{CallToolResult, Tool};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::client::krisp::PAGE;
use crate::client::{ClientError, Connection, MeetingQuery};
use crate::krisp::{Document, DocumentState, Meeting, MeetingId};
use crate::store::{Feed, Store, StoreError, Upserted};

/// The store as the client task and the sync share it. Every use is short (one transaction).
type SharedStore = Arc<Mutex<Store>>;

/// Notes, key points and action items can still change for a few days after a meeting (Krisp
/// reprocesses, people edit the notes over the next days); meetings older than this are taken
/// as settled, so a sync that meets a page of settled, unchanged meetings stops there.
pub const SETTLE: Duration = Duration::from_secs(3 * 24 * 3600);

/// Feeds are refreshed at most this often (a sync right after another asks only for what is new
/// in the meeting list).
pub const FEEDS_FRESH: Duration = Duration::from_secs(10 * 60);
/// Pages of 50 kept of each feed: the store's copy is for reading offline, the TUI pages the live
/// feed from the server when it can.
const ACTION_ITEM_PAGES: u32 = 10;
const ACTIVITY_PAGES: u32 = 4;

/// A sync that fetched this many transcripts merges the search index's segments at the end.
const OPTIMIZE_AFTER: usize = 500;

/// What a fetch hands the writer: the documents of one answer, how many meetings it asked for,
/// and how many of those came back ready (each counted once, whatever else the answer held).
struct Fetched {
    documents: Vec<Document>,
    asked: usize,
    ready: usize,
}

/// A listing page for the writer to store, with where the listing stands after it.
struct Listed {
    meetings: Vec<Meeting>,
    /// The last page: the listing has been through every meeting.
    short: bool,
    /// The offset of the next page, to resume a listing cut short.
    next: u32,
}

/// The writer's work, in the order it was handed over: a listing page is stored before the
/// transcripts fetched for its meetings (which are asked for only once it is queued).
enum Write {
    Page(Listed),
    Documents(Fetched),
}

/// The writer commits fetched documents this many at a time, in one transaction: the search
/// index's cost per document falls with the size of the batch (fewer, larger index segments).
pub const WRITE_BATCH: usize = 100;
/// ... or this long after the first of them arrived, so that a slow server still sees its
/// documents stored (and searchable) soon.
pub const WRITE_EVERY: Duration = Duration::from_millis(500);
/// Fetched batches waiting for the writer; a fetch waits when this many are queued.
const WRITE_QUEUE: usize = 32;

/// Debug builds only: `KRISP_TUI_SYNC_HOLD_COMMIT=N` makes the writer stop before its N-th
/// commit, say so on stderr (`sync: holding commit N: ...`) and wait there until the process is
/// killed. The crash-safety test kills it there, between a fetched batch and its commit.
#[cfg(debug_assertions)]
const HOLD_COMMIT_ENV: &str = "KRISP_TUI_SYNC_HOLD_COMMIT";

const META_COMPLETE: &str = "sync.listing_complete";
const META_RESUME: &str = "sync.listing_offset";
const META_LAST: &str = "sync.last_finished";
/// When a listing last went through every meeting (RFC 3339).
const META_FULL: &str = "sync.last_full_listing";

/// A listing goes through every meeting at least this often, to notice meetings deleted on the
/// server (a listing that stops at settled meetings cannot).
pub const FULL_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Requests in flight at once.
    pub concurrency: usize,
    pub settle: Duration,
    /// Refresh the action-item, activity and upcoming feeds too.
    pub feeds: bool,
    /// A feed fetched less than this long ago is not fetched again.
    pub feeds_fresh: Duration,
    /// The first wait before a retry (doubled each time, with jitter).
    pub backoff: Duration,
    /// Attempts per request before it counts as failed.
    pub attempts: u32,
    /// List every meeting (not only what changed), which notes meetings deleted on the
    /// server; done on its own at least every [`FULL_EVERY`].
    pub full: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            concurrency: 2,
            settle: SETTLE,
            feeds: true,
            feeds_fresh: FEEDS_FRESH,
            backoff: Duration::from_millis(500),
            attempts: 6,
            full: false,
        }
    }
}

pub use crate::message::{Phase, SyncProgress, SyncSummary};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("another krisp-tui is syncing this store right now")]
    Busy,
    #[error("the sync was cancelled")]
    Cancelled,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the local store could not be locked for syncing: {0}")]
    Lock(std::io::Error),
    /// A library over an in-memory store: there is no file to sync into.
    #[error("this library has no store file to sync into")]
    NoFile,
}

impl SyncError {
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::Client(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// Held while a sync runs: an exclusive lock on `<database>.sync-lock`. Released on drop, and by
/// the operating system when the process dies, so a killed sync never blocks the next one.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".sync-lock");
        PathBuf::from(name)
    }

    /// The database's directory, created 0700 when it is not there.
    fn dir(database: &Path) -> Result<(), SyncError> {
        match database.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => crate::fsx::create_private_dir(dir).map_err(SyncError::Lock),
            None => Ok(()),
        }
    }

    /// The lock, or `Busy` when another process (or task) holds it.
    pub fn try_acquire(database: &Path) -> Result<SyncLock, SyncError> {
        Self::dir(database)?;
        match crate::fsx::try_lock_file(&Self::path_for(database)).map_err(SyncError::Lock)? {
            Some(file) => Ok(SyncLock { _file: file }),
            None => Err(SyncError::Busy),
        }
    }

    /// Waits for the lock (on a blocking thread).
    pub async fn acquire(database: &Path) -> Result<SyncLock, SyncError> {
        Self::dir(database)?;
        let path = Self::path_for(database);
        tokio::task::spawn_blocking(move || {
            let file = crate::fsx::lock_file(&path).map_err(SyncError::Lock)?;
            Ok(SyncLock { _file: file })
        })
        .await
        .map_err(|e| SyncError::Lock(std::io::Error::other(e)))?
    }
}

/// Runs `f` on the store from a blocking thread.
async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    })
    .await
    // A blocking task cannot be cancelled: it only fails by panicking; let the panic go on.
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// One sync run. The caller holds the `SyncLock` (`Library::sync` takes it).
struct Sync<'a> {
    conn: &'a Connection,
    store: SharedStore,
    /// The same store on a read-only connection of its own, for the listing's reads: they go on
    /// while the writer holds `store` for a transaction.
    reader: SharedStore,
    options: SyncOptions,
    cancel: CancellationToken,
    permits: Semaphore,
    progress: Mutex<SyncProgress>,
    report: Box<dyn Fn(&SyncProgress) + Send + std::marker::Sync + 'a>,
}

impl<'a> Sync<'a> {
    fn new(
        conn: &'a Connection,
        store: SharedStore,
        reader: SharedStore,
        options: SyncOptions,
        cancel: CancellationToken,
        report: impl Fn(&SyncProgress) + Send + std::marker::Sync + 'a,
    ) -> Self {
        let permits = Semaphore::new(options.concurrency.max(1));
        Sync {
            conn,
            store,
            reader,
            options,
            cancel,
            permits,
            progress: Mutex::new(SyncProgress::default()),
            report: Box::new(report),
        }
    }

    fn update(&self, f: impl FnOnce(&mut SyncProgress)) {
        let snapshot = {
            let mut p = self
                .progress
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut p);
            p.clone()
        };
        (self.report)(&snapshot);
    }

    fn progress(&self) -> SyncProgress {
        self.progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    async fn run(&self) -> Result<SyncSummary, SyncError> {
        with_store(&self.store, |s| s.bulk(true)).await?;
        let result = self.run_bulk().await;
        with_store(&self.store, |s| s.bulk(false)).await?;
        result
    }

    async fn run_bulk(&self) -> Result<SyncSummary, SyncError> {
        let mut summary = SyncSummary::default();
        // The server's tools decide how documents and feeds are fetched: asked once, first, so
        // that transcripts are fetched while the listing goes on.
        let tools = self.call(|| self.conn.list_tools()).await?;
        // The feeds are fetched alongside the transcripts, sharing the same request slots: on
        // their own at the end they would be requests one at a time while a slot stays free.
        let mut fed = SyncSummary::default();
        let documents = async {
            let result = self.list_and_fetch(&tools, &mut summary).await;
            if result.is_ok() && self.options.feeds {
                self.update(|p| p.phase = Phase::Feeds);
            }
            result
        };
        let feeds = async {
            if self.options.feeds {
                self.feeds(&tools, &mut fed).await
            } else {
                Ok(())
            }
        };
        let (documents, feeds) = tokio::join!(documents, feeds);
        documents?;
        feeds?;
        summary.failed += fed.failed;
        // Many small index segments slow every search: merge them after a big sync, then
        // pack the pages a newest-first sync left part empty. Space freed by deletions is given
        // back after any sync. Compacting needs the store to itself: when another process
        // reads it just then, it waits for a later sync.
        let big = summary.documents >= OPTIMIZE_AFTER;
        if big {
            with_store(&self.store, Store::optimize).await?;
        }
        if let Err(e) = with_store(&self.store, move |s| s.compact(big)).await {
            tracing::warn!(error = %e, "sync: the store was not compacted");
        }
        let now = now_rfc3339();
        with_store(&self.store, move |s| s.set_meta(META_LAST, &now)).await?;
        summary.still_processing =
            with_store(&self.store, |s| Ok(s.stats()?.documents_processing)).await?;
        let p = self.progress();
        summary.requests = p.requests;
        summary.retries = p.retries;
        self.update(|p| p.phase = Phase::Done);
        Ok(summary)
    }

    /// A request, with the concurrency limit, cancellation and retries.
    async fn call<T, F, Fut>(&self, what: F) -> Result<T, SyncError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        let mut attempt = 0u32;
        loop {
            if self.cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let result = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| SyncError::Cancelled)?;
                self.update(|p| p.requests += 1);
                tokio::select! {
                    r = what() => r,
                    () = self.cancel.cancelled() => return Err(SyncError::Cancelled),
                }
            };
            let error = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            attempt += 1;
            let Some(hint) = error.retry_hint() else {
                return Err(error.into());
            };
            if attempt >= self.options.attempts {
                return Err(error.into());
            }
            let policy = crate::client::retry::Policy {
                base: self.options.backoff,
                retries: self.options.attempts.saturating_sub(1),
            };
            let wait = policy.wait(attempt, hint);
            tracing::info!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "sync: retrying");
            self.update(|p| p.retries += 1);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.cancel.cancelled() => return Err(SyncError::Cancelled),
            }
        }
    }

    /// The listing and the documents at once: the listing hands each page to the writer and
    /// the meetings whose transcript is wanted to the fetchers, which hand what they fetched to
    /// the writer. The listing reads the store on a connection of its own and never waits for
    /// the writer's transactions: a first sync's pages keep coming while transcripts are
    /// indexed, so the request slots stay busy. A stage that fails stops the others; what was
    /// fetched before is committed all the same.
    async fn list_and_fetch(
        &self,
        tools: &[Tool],
        summary: &mut SyncSummary,
    ) -> Result<(), SyncError> {
        let batch = if tools.iter().any(|t| t.name == "get_multiple_documents") {
            10
        } else {
            1
        };
        let (want_tx, want_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<MeetingId>>();
        let (doc_tx, doc_rx) = tokio::sync::mpsc::channel::<Write>(WRITE_QUEUE);
        let page_tx = doc_tx.clone();
        // Transcripts an earlier sync left missing or processing come first.
        let earlier = with_store(&self.store, |s| s.wanting_documents(usize::MAX)).await?;
        if !earlier.is_empty() {
            // The receiver is alive: it is dropped only below.
            let _ = want_tx.send(earlier);
        }
        // Whether a listing went through every meeting before this one.
        let complete = with_store(&self.reader, |s| {
            Ok(s.meta(META_COMPLETE)?.as_deref() == Some("1"))
        })
        .await?;
        let stop = self.cancel.child_token();
        let listing = async {
            let result = self.list(complete, &want_tx, page_tx).await;
            drop(want_tx);
            if result.is_err() {
                stop.cancel();
            } else {
                self.update(|p| p.phase = Phase::Documents);
            }
            result
        };
        let fetching = async {
            let result = tokio::select! {
                r = self.fetch(batch, want_rx, doc_tx) => r,
                // Stopped by another stage's error (which is reported), or by the user.
                () = stop.cancelled() => if self.cancel.is_cancelled() {
                    Err(SyncError::Cancelled)
                } else {
                    Ok(0)
                },
            };
            if result.is_err() {
                stop.cancel();
            }
            result
        };
        let writing = async {
            let result = self.write(doc_rx, complete).await;
            if result.is_err() {
                stop.cancel();
            }
            result
        };
        let (listing, failed, written) = tokio::join!(listing, fetching, writing);
        // The writer stops only on its own error; the fetchers stop when the listing fails (and
        // then report nothing), the listing runs on after a fetch failed (it meets the same lost
        // login or server soon, and otherwise lists what it can): each error is its stage's own.
        let (written, stored) = written?;
        let deleted = listing?;
        let failed = failed?;
        summary.new += stored.new;
        summary.updated += stored.updated;
        summary.unchanged += stored.unchanged;
        summary.deleted += deleted;
        summary.documents += written;
        summary.failed += failed;
        Ok(())
    }

    /// Lists the meetings page by page and hands each page to the writer (whose counts of new,
    /// changed and unchanged meetings are what the sync reports). Returns how many meetings
    /// were found deleted on the server.
    async fn list(
        &self,
        complete: bool,
        wanting: &tokio::sync::mpsc::UnboundedSender<Vec<MeetingId>>,
        pages: tokio::sync::mpsc::Sender<Write>,
    ) -> Result<usize, SyncError> {
        let (resume, last_full) = with_store(&self.reader, |s| {
            Ok((
                s.meta(META_RESUME)?
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0),
                s.meta(META_FULL)?.and_then(|v| v.parse::<Timestamp>().ok()),
            ))
        })
        .await?;
        let now = Timestamp::now();
        let full = self.options.full || last_full.is_none_or(|at| elapsed(now, at) >= FULL_EVERY);
        let settled_before = now
            .saturating_sub(self.options.settle)
            .unwrap_or(Timestamp::MIN);
        let mut offset = 0u32;
        // A full listing neither stops early nor jumps ahead: it sees every meeting.
        let mut jumped = false;
        let mut seen = std::collections::HashSet::new();
        // Meetings the pages so far hold that the store did not, as the listing read it.
        let mut new = 0;
        loop {
            let query = MeetingQuery {
                limit: PAGE,
                offset,
                ..MeetingQuery::default()
            };
            let page: Vec<Meeting> = self.call(|| self.conn.search_meetings(&query)).await?;
            let short = page.len() < PAGE as usize;
            let settled = !page.is_empty()
                && page.iter().all(|m| {
                    m.date
                        .as_ref()
                        .and_then(|d| d.timestamp())
                        .is_some_and(|d| d < settled_before)
                });
            let count = page.len();
            let next = offset + count as u32;
            seen.extend(page.iter().map(|m| m.id.clone()));
            let (page, (upserted, want)) = with_store(&self.reader, move |s| {
                let classified = s.classify_meetings(&page)?;
                Ok((page, classified))
            })
            .await?;
            let listed = Listed {
                meetings: page,
                short,
                next,
            };
            if pages.send(Write::Page(listed)).await.is_err() {
                // The writer stopped: its error ends the sync.
                return Ok(0);
            }
            if !want.is_empty() {
                // The fetchers gone means the sync is stopping: their error tells why.
                let _ = wanting.send(want);
            }
            new += upserted.new;
            self.update(|p| p.listed += count);
            if short {
                return if full {
                    self.note_deleted(seen).await
                } else {
                    Ok(0)
                };
            }
            let unchanged = upserted.unchanged == count;
            if settled && unchanged && !full {
                if complete {
                    return Ok(0);
                }
                // A sync that was cut short: skip what it already listed (one page of overlap;
                // the meetings that are new since pushed everything down by that many).
                let target = resume.saturating_sub(PAGE) + new as u32;
                if !jumped && target > next {
                    jumped = true;
                    offset = target;
                    continue;
                }
            }
            offset = next;
        }
    }

    /// After a listing of every meeting: the stored meetings it did not bring are asked for by
    /// id (a meeting deleted during the listing shifts the pages, so one can be missed without
    /// being gone); those the server does not return are marked deleted. Returns how many.
    async fn note_deleted(
        &self,
        seen: std::collections::HashSet<MeetingId>,
    ) -> Result<usize, SyncError> {
        let stored = with_store(&self.store, |s| s.meeting_ids()).await?;
        let missing: Vec<MeetingId> = stored.into_iter().filter(|id| !seen.contains(id)).collect();
        let mut gone = Vec::new();
        for chunk in missing.chunks(PAGE as usize) {
            let query = MeetingQuery {
                ids: chunk.to_vec(),
                limit: PAGE,
                ..MeetingQuery::default()
            };
            let found: Vec<Meeting> = self.call(|| self.conn.search_meetings(&query)).await?;
            let back: std::collections::HashSet<MeetingId> =
                found.iter().map(|m| m.id.clone()).collect();
            gone.extend(chunk.iter().filter(|id| !back.contains(id)).cloned());
            if !found.is_empty() {
                with_store(&self.store, move |s| {
                    s.upsert_meetings(&found, Timestamp::now()).map(drop)
                })
                .await?;
            }
        }
        let stamp = now_rfc3339();
        with_store(&self.store, move |s| {
            let n = s.mark_deleted(&gone, Timestamp::now())?;
            s.set_meta(META_FULL, &stamp)?;
            Ok(n)
        })
        .await
        .map_err(Into::into)
    }

    /// Fetches the documents of the meetings coming in on `wanting` (each once), `batch` ids a
    /// request, at most `concurrency` requests in flight, and hands them to the writer. Returns
    /// how many failed after their retries.
    async fn fetch(
        &self,
        batch: usize,
        wanting: tokio::sync::mpsc::UnboundedReceiver<Vec<MeetingId>>,
        fetched: tokio::sync::mpsc::Sender<Write>,
    ) -> Result<usize, SyncError> {
        let concurrency = self.options.concurrency.max(1);
        let mut wanting = wanting;
        let mut in_flight = futures::stream::FuturesUnordered::new();
        let mut pending: std::collections::VecDeque<MeetingId> = Default::default();
        let mut queued = std::collections::HashSet::new();
        let mut open = true;
        let mut failed = 0;
        loop {
            // A partial batch waits for the next listing page, unless the listing is done.
            while in_flight.len() < concurrency
                && (pending.len() >= batch || (!open && !pending.is_empty()))
            {
                let ids: Vec<MeetingId> = pending.drain(..batch.min(pending.len())).collect();
                in_flight.push(self.fetch_batch(ids));
            }
            if !open && in_flight.is_empty() {
                return Ok(failed);
            }
            tokio::select! {
                more = wanting.recv(), if open => match more {
                    Some(ids) => {
                        let before = pending.len();
                        pending.extend(ids.into_iter().filter(|id| queued.insert(id.clone())));
                        let added = pending.len() - before;
                        if added > 0 {
                            self.update(|p| p.documents_total += added);
                        }
                    }
                    None => open = false,
                },
                Some((ids, result)) = in_flight.next(), if !in_flight.is_empty() => match result {
                    Ok(documents) => {
                        // Each meeting asked for counts once, whatever else the answer holds.
                        let ready = documents
                            .iter()
                            .filter(|d| d.state == DocumentState::Ready && ids.contains(&d.id))
                            .map(|d| &d.id)
                            .collect::<std::collections::HashSet<_>>()
                            .len();
                        let batch = Fetched {
                            documents,
                            asked: ids.len(),
                            ready,
                        };
                        if fetched.send(Write::Documents(batch)).await.is_err() {
                            // The writer stopped: its error ends the sync.
                            return Ok(failed);
                        }
                    }
                    Err(SyncError::Client(e)) if !e.is_auth_required() && !is_unreachable(&e) => {
                        tracing::warn!(error = %e, count = ids.len(), "sync: documents failed");
                        failed += ids.len();
                        self.update(|p| p.documents_done += ids.len());
                    }
                    Err(e) => return Err(e),
                },
            }
        }
    }

    /// One request for the documents of `ids`, with its retries.
    async fn fetch_batch(
        &self,
        ids: Vec<MeetingId>,
    ) -> (Vec<MeetingId>, Result<Vec<Document>, SyncError>) {
        let result = self.call(|| self.conn.documents(&ids)).await;
        (ids, result)
    }

    /// Commits the fetched documents, [`WRITE_BATCH`] at a time or what came within
    /// [`WRITE_EVERY`] of the first waiting one, each time in one transaction, until the
    /// listing and the fetchers are done; a listing page is committed as it comes, with where
    /// the listing stands (`complete`: a listing went through every meeting before). Returns
    /// how many ready transcripts it stored and what storing the pages did.
    async fn write(
        &self,
        mut fetched: tokio::sync::mpsc::Receiver<Write>,
        complete: bool,
    ) -> Result<(usize, Upserted), SyncError> {
        let mut listed = Upserted::default();
        let mut pending: Vec<Document> = Vec::new();
        // The meetings asked for and found ready, of what is pending.
        let (mut pending_asked, mut pending_ready) = (0, 0);
        let mut due = tokio::time::Instant::now();
        let mut open = true;
        let mut ready = 0;
        #[cfg(debug_assertions)]
        let mut commits = 0u64;
        while open || !pending.is_empty() {
            if open && pending.len() < WRITE_BATCH {
                let next = if pending.is_empty() {
                    Some(fetched.recv().await)
                } else {
                    // `None`: the first waiting document is due.
                    tokio::time::timeout_at(due, fetched.recv()).await.ok()
                };
                match next {
                    Some(Some(Write::Page(page))) => {
                        let done = store_page(&self.store, page, complete).await?;
                        listed.new += done.new;
                        listed.updated += done.updated;
                        listed.unchanged += done.unchanged;
                        continue;
                    }
                    Some(Some(Write::Documents(batch))) => {
                        if pending.is_empty() {
                            due = tokio::time::Instant::now() + WRITE_EVERY;
                        }
                        pending.extend(batch.documents);
                        pending_asked += batch.asked;
                        pending_ready += batch.ready;
                        continue;
                    }
                    // The fetchers are done.
                    Some(None) => open = false,
                    None => {}
                }
                if pending.is_empty() {
                    continue;
                }
            }
            let documents = std::mem::take(&mut pending);
            let (asked, stored) = (pending_asked, pending_ready);
            (pending_asked, pending_ready) = (0, 0);
            #[cfg(debug_assertions)]
            {
                commits += 1;
                self.hold_before_commit(commits, documents.len()).await;
            }
            store_documents(&self.store, documents).await?;
            ready += stored;
            self.update(|p| p.documents_done += asked);
        }
        Ok((ready, listed))
    }

    /// See [`HOLD_COMMIT_ENV`].
    #[cfg(debug_assertions)]
    async fn hold_before_commit(&self, commit: u64, fetched: usize) {
        let held = std::env::var(HOLD_COMMIT_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        if held != Some(commit) {
            return;
        }
        let committed = self.progress().documents_done;
        eprintln!(
            "sync: holding commit {commit}: {fetched} transcripts fetched, {committed} committed"
        );
        self.cancel.cancelled().await;
    }

    async fn feeds(&self, tools: &[Tool], summary: &mut SyncSummary) -> Result<(), SyncError> {
        let fresh = self.options.feeds_fresh;
        let stale = with_store(&self.store, move |s| {
            let now = Timestamp::now();
            let stale = |feed| -> Result<bool, StoreError> {
                Ok(s.feed_fetched_at(feed)?
                    .is_none_or(|at| elapsed(now, at) >= fresh))
            };
            Ok([
                stale(Feed::ActionItems)?,
                stale(Feed::Activities)?,
                stale(Feed::Upcoming)?,
            ])
        })
        .await?;
        let has = |name: &str| tools.iter().any(|t| t.name == name);
        if has("list_action_items") && stale[0] {
            let mut items = Vec::new();
            for page in 0..ACTION_ITEM_PAGES {
                let offset = page * 50;
                match self
                    .call(|| self.conn.action_items(None, false, 50, offset))
                    .await
                {
                    Ok(result) => {
                        let page_items = feed_items(&result);
                        let short = page_items.len() < 50;
                        items.extend(page_items);
                        if short {
                            break;
                        }
                    }
                    Err(e) => return self.feed_failed(summary, e),
                }
            }
            with_store(&self.store, move |s| {
                s.replace_feed(Feed::ActionItems, &items, Timestamp::now())
            })
            .await?;
        }
        if has("list_activities") && stale[1] {
            let mut items: Vec<Value> = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..ACTIVITY_PAGES {
                let c = cursor.clone();
                match self.call(|| self.conn.activities(50, c.clone())).await {
                    Ok(result) => {
                        let page_items = feed_items(&result);
                        let next = page_items
                            .last()
                            .and_then(|v| v.get("created_at"))
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        let short = page_items.len() < 50;
                        items.extend(page_items);
                        if short || next.is_none() || next == cursor {
                            break;
                        }
                        cursor = next;
                    }
                    Err(e) => return self.feed_failed(summary, e),
                }
            }
            with_store(&self.store, move |s| {
                s.replace_feed(Feed::Activities, &items, Timestamp::now())
            })
            .await?;
        }
        if has("list_upcoming_meetings") && stale[2] {
            match self.call(|| self.conn.upcoming(14)).await {
                Ok(result) => {
                    let items = feed_items(&result);
                    with_store(&self.store, move |s| {
                        s.replace_feed(Feed::Upcoming, &items, Timestamp::now())
                    })
                    .await?;
                }
                Err(e) => return self.feed_failed(summary, e),
            }
        }
        Ok(())
    }

    /// A feed that failed after its retries is counted, and the sync ends well; only a lost
    /// login, a lost server or a cancellation end it with an error.
    fn feed_failed(&self, summary: &mut SyncSummary, e: SyncError) -> Result<(), SyncError> {
        match e {
            SyncError::Client(c) if !c.is_auth_required() && !is_unreachable(&c) => {
                tracing::warn!(error = %c, "sync: a feed failed");
                summary.failed += 1;
                Ok(())
            }
            other => Err(other),
        }
    }
}

/// Stores a listing page, then where the listing stands after it: a sync cut short resumes
/// from the last page stored.
async fn store_page(
    store: &SharedStore,
    page: Listed,
    complete: bool,
) -> Result<Upserted, StoreError> {
    with_store(store, move |s| {
        let upserted = s.upsert_meetings(&page.meetings, Timestamp::now())?;
        if page.short {
            s.set_meta(META_COMPLETE, "1")?;
        } else if !complete {
            s.set_meta(META_RESUME, &page.next.to_string())?;
        }
        Ok(upserted)
    })
    .await
}

async fn store_documents(store: &SharedStore, documents: Vec<Document>) -> Result<(), StoreError> {
    with_store(store, move |s| {
        s.upsert_documents(&documents, Timestamp::now()).map(|_| ())
    })
    .await
}

/// How long before `now` `at` was (nothing, when it is not before: a clock set back).
fn elapsed(now: Timestamp, at: Timestamp) -> Duration {
    Duration::try_from(now.duration_since(at)).unwrap_or(Duration::ZERO)
}

fn now_rfc3339() -> String {
    Timestamp::now().to_string()
}

fn is_unreachable(e: &ClientError) -> bool {
    matches!(e, ClientError::Unreachable { .. })
}

impl super::Library {
    /// Brings the store up to date with the server behind `conn` (the three stages above),
    /// opening it for writing on a connection of its own: reads and searches of this library go
    /// on meanwhile. One sync per store at a time: `SyncError::Busy` when another runs (in this
    /// process or another); `wait_for_other_sync` waits for its end. `progress` sees every step;
    /// `cancel` stops it, keeping what was committed.
    pub async fn sync(
        &self,
        conn: &Connection,
        options: SyncOptions,
        cancel: CancellationToken,
        progress: &(dyn Fn(&SyncProgress) + Send + std::marker::Sync),
    ) -> Result<SyncSummary, SyncError> {
        let path = self.path().ok_or(SyncError::NoFile)?;
        let _lock = SyncLock::try_acquire(path)?;
        let store = Arc::new(Mutex::new(Store::open(path)?));
        let reader = Arc::new(Mutex::new(Store::open_read_only(path)?));
        let sync = Sync::new(conn, store, reader, options, cancel, progress);
        sync.run().await
    }

    /// Waits until the sync another process (or task) runs on this store ends.
    pub async fn wait_for_other_sync(&self) -> Result<(), SyncError> {
        let path = self.path().ok_or(SyncError::NoFile)?;
        drop(SyncLock::acquire(path).await?);
        Ok(())
    }
}

/// The items of a feed tool's answer: the first array of objects in `structuredContent`.
pub fn feed_items(result: &CallToolResult) -> Vec<Value> {
    result
        .structured_content
        .as_ref()
        .and_then(crate::krisp::feed_array)
        .map(|a| a.iter().filter(|v| v.is_object()).cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sync_per_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.sqlite3");
        let held = SyncLock::try_acquire(&db).unwrap();
        assert!(matches!(SyncLock::try_acquire(&db), Err(SyncError::Busy)));
        drop(held);
        SyncLock::try_acquire(&db).unwrap();
    }
}
