//! The TUI's front to the library: a task that owns the MCP connection, the login and all I/O
//! for the TUI. Each `Command`
//! becomes a spawned request whose answer comes back as a `ClientEvent` with the same id.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rmcp::model::CallToolResult;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, JoinHandle};
use tokio_util::sync::CancellationToken;

use super::sync::{SyncError, SyncOptions, SyncProgress, SyncSummary};
use crate::auth::{Paste, PendingLogin};
use crate::client::{ClientError, Connection, MeetingQuery, Settings};

use crate::export::{self, ExportError};
use crate::krisp::{Document, MeetingId};
use crate::message::{ClientEvent, Command, RequestError, RequestId};
use crate::store::{Feed, Filter};

/// Run a browser login, handing it what the user pastes meanwhile; a paste that is not its
/// redirect is refused on screen and the login waits on.
async fn with_pastes(
    login: impl std::future::Future<Output = Result<Connection, ClientError>>,
    paste: Paste,
    mut pastes: UnboundedReceiver<String>,
    events: &UnboundedSender<ClientEvent>,
) -> Result<Connection, ClientError> {
    tokio::pin!(login);
    loop {
        tokio::select! {
            done = &mut login => return done,
            Some(text) = pastes.recv() => {
                if let Err(refused) = paste.send(&text) {
                    let _ = events.send(ClientEvent::PasteRefused {
                        message: refused.to_string(),
                    });
                }
            }
        }
    }
}

/// The local store as the client task uses it.
#[derive(Clone)]
pub struct LocalStore {
    /// Reads, searches and syncs. Created (and held open) by `open`: `cache clear` waits for
    /// the TUI to quit.
    pub library: super::Library,
    /// No network at all.
    pub offline: bool,
    pub concurrency: usize,
}

impl LocalStore {
    /// The store at `path`, its day filters in `zone` (the zone the user reads times in).
    pub fn open(
        path: PathBuf,
        offline: bool,
        concurrency: usize,
        zone: jiff::tz::TimeZone,
    ) -> Result<Self, String> {
        let library = super::Library::create(&path, zone).map_err(|e| e.to_string())?;
        Ok(LocalStore {
            library,
            offline,
            concurrency,
        })
    }
}

/// Progress reaches the UI at most this often; the list is re-read at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
const RELIST_EVERY: Duration = Duration::from_secs(1);

const ACTION_ITEMS_PAGE: u32 = 20;
const ACTIVITIES_PAGE: u32 = 15;

/// Starts the task. `connection`: an open session, or `None` to wait for `Connect` /
/// `StartLogin`; `zone`: the zone exports show times in. Dropping the command sender (or
/// `Command::Quit`) ends it.
pub fn spawn(
    settings: Settings,
    connection: Option<Connection>,
    local: Option<LocalStore>,
    zone: jiff::tz::TimeZone,
) -> (
    UnboundedSender<Command>,
    UnboundedReceiver<ClientEvent>,
    JoinHandle<()>,
) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let handle = tokio::spawn(run(settings, connection, local, zone, cmd_rx, event_tx));
    (cmd_tx, event_rx, handle)
}

/// What spawned work tells the loop (the loop alone owns the connection).
enum Internal {
    Connected(Connection),
    Done(RequestId),
    SyncDone,
}

async fn run(
    settings: Settings,
    mut connection: Option<Connection>,
    local: Option<LocalStore>,
    zone: jiff::tz::TimeZone,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<ClientEvent>,
) {
    let (internal_tx, mut internal) = mpsc::unbounded_channel::<Internal>();
    let mut running: HashMap<RequestId, AbortHandle> = HashMap::new();
    let mut login: Option<JoinHandle<()>> = None;
    let mut paste: Option<UnboundedSender<String>> = None;
    let mut sync: Option<CancellationToken> = None;
    // One store search at a time: a newer one replaces the one in flight.
    let mut searching: Option<AbortHandle> = None;
    // Exports of many meetings run on blocking threads: stopped through their token.
    let mut exports: HashMap<RequestId, CancellationToken> = HashMap::new();
    loop {
        let command = tokio::select! {
            command = commands.recv() => match command {
                Some(c) => c,
                None => break,
            },
            Some(note) = internal.recv() => {
                match note {
                    Internal::Connected(c) => {
                        let _ = events.send(ClientEvent::LoggedIn {
                            server: c.server().to_owned(),
                            account: None,
                        });
                        connection = Some(c);
                        paste = None;
                    }
                    Internal::Done(id) => {
                        running.remove(&id);
                        exports.remove(&id);
                    }
                    Internal::SyncDone => sync = None,
                }
                continue;
            }
        };
        tracing::debug!(command = command_name(&command), "client command");
        match command {
            Command::Quit => break,
            Command::Connect if local.as_ref().is_some_and(|l| l.offline) => {
                let _ = events.send(ClientEvent::Offline {
                    reason: "offline (--offline): reading the local store".into(),
                });
            }
            Command::Connect => {
                let settings = settings.clone();
                let has_store = local.is_some();
                let (events, internal) = (events.clone(), internal_tx.clone());
                tokio::spawn(async move {
                    let told = |stored_login| {
                        let _ = events.send(ClientEvent::Connecting { stored_login });
                    };
                    match Connection::connect_telling(&settings, told).await {
                        Ok(c) => {
                            let _ = internal.send(Internal::Connected(c));
                        }
                        Err(e) if e.is_auth_required() => {
                            let _ = events.send(ClientEvent::LoginRequired {
                                note: e.login_note(),
                            });
                        }
                        // With a store the UI keeps working from it.
                        Err(e @ ClientError::Unreachable { .. }) if has_store => {
                            let _ = events.send(ClientEvent::Offline {
                                reason: e.to_string(),
                            });
                        }
                        Err(e) => {
                            let _ = events.send(ClientEvent::LoginRequired {
                                note: Some(e.to_string()),
                            });
                        }
                    }
                });
            }
            Command::StartLogin => {
                if let Some(old) = login.take() {
                    old.abort();
                }
                // Pastes go through this channel, which exists from now on: one sent before the
                // login page is known waits for it instead of being lost.
                let (paste_tx, pastes) = mpsc::unbounded_channel();
                paste = Some(paste_tx);
                let settings = settings.clone();
                let (events, internal) = (events.clone(), internal_tx.clone());
                login = Some(tokio::spawn(async move {
                    let pending = match PendingLogin::start(&settings).await {
                        Ok(p) => p,
                        Err(e) => {
                            let _ = events.send(ClientEvent::LoginFailed {
                                message: e.to_string(),
                            });
                            return;
                        }
                    };
                    let _ = events.send(ClientEvent::LoginUrlReady {
                        url: pending.authorization_url().to_owned(),
                    });
                    let paste = pending.paste_sender();
                    let login = Connection::from_login(pending);
                    match with_pastes(login, paste, pastes, &events).await {
                        Ok(c) => {
                            let _ = internal.send(Internal::Connected(c));
                        }
                        Err(e) => {
                            let _ = events.send(ClientEvent::LoginFailed {
                                message: e.to_string(),
                            });
                        }
                    }
                }));
            }
            Command::CancelLogin => {
                // Dropping the login future shuts its callback listener down.
                if let Some(old) = login.take() {
                    old.abort();
                }
                paste = None;
            }
            Command::PasteRedirect(url) => {
                if let Some(paste) = &paste {
                    let _ = paste.send(url);
                }
            }
            Command::Cancel(id) => {
                if let Some(handle) = running.remove(&id) {
                    handle.abort();
                }
                if let Some(cancel) = exports.remove(&id) {
                    cancel.cancel();
                }
            }
            Command::OpenUrl(url) => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = webbrowser::open(&url) {
                        tracing::warn!(error = %e, "could not open the browser");
                    }
                });
            }
            // The loop that owns the terminal writes OSC 52 itself.
            Command::Copy(_) => {}
            Command::LoadStored { id, window, around } => {
                let Some(local) = &local else { continue };
                let (library, events) = (local.library.clone(), events.clone());
                tokio::spawn(async move {
                    let read = tokio::task::spawn_blocking(move || {
                        let mut window = window;
                        let at = match &around {
                            Some(m) => library.position(m)?,
                            None => None,
                        };
                        if let Some(at) = at {
                            window.offset = at.saturating_sub(window.limit / 2);
                        }
                        let (total, rows) = library.meetings(&Filter::default(), window)?;
                        Ok::<_, super::LibraryError>((
                            window.offset,
                            total,
                            rows,
                            library.listing_complete()?,
                        ))
                    })
                    .await;
                    match read {
                        Ok(Ok((offset, total, meetings, complete))) => {
                            let _ = events.send(ClientEvent::StoredMeetings {
                                id,
                                offset,
                                total,
                                meetings,
                                complete,
                            });
                        }
                        Ok(Err(e)) => tracing::warn!(error = %e, "could not read the local store"),
                        Err(e) => tracing::warn!(error = %e, "reading the local store stopped"),
                    }
                });
            }
            Command::ListIds { id, text } => {
                let Some(local) = &local else { continue };
                let (library, events) = (local.library.clone(), events.clone());
                tokio::spawn(async move {
                    let result = tokio::task::spawn_blocking(move || match text {
                        Some(text) => library.search_ids(&text),
                        None => library.ids(&Filter::default()),
                    })
                    .await
                    .map_err(|e| RequestError::new(e.to_string()))
                    .and_then(|r| r.map_err(|e| RequestError::new(e.to_string())));
                    let _ = events.send(ClientEvent::IdsListed { id, result });
                });
            }
            Command::ReadMeeting { id } => {
                let Some(local) = &local else { continue };
                let (library, events) = (local.library.clone(), events.clone());
                tokio::spawn(async move {
                    match blocking(&library, move |l| l.meeting(&id)).await {
                        Ok(Some(meeting)) => {
                            let _ = events.send(ClientEvent::MeetingRead {
                                meeting: Box::new(meeting),
                            });
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "could not read the local store"),
                    }
                });
            }
            Command::ReadContext { at, radius } => {
                let Some(local) = &local else { continue };
                let (library, events) = (local.library.clone(), events.clone());
                tokio::spawn(async move {
                    let asked = at.clone();
                    let read = tokio::task::spawn_blocking(move || {
                        library.context(&asked.meeting, asked.turn, radius, &asked.text)
                    })
                    .await;
                    match read {
                        Ok(Ok(turns)) => {
                            let _ = events.send(ClientEvent::ContextRead { at, turns });
                        }
                        Ok(Err(e)) => tracing::warn!(error = %e, "could not read the local store"),
                        Err(e) => tracing::warn!(error = %e, "reading the local store stopped"),
                    }
                });
            }
            Command::SearchStored { id, text, window } => {
                let Some(local) = &local else { continue };
                if let Some(old) = searching.take() {
                    old.abort();
                }
                let (library, events) = (local.library.clone(), events.clone());
                let handle = tokio::spawn(async move {
                    let asked = text.clone();
                    let result =
                        tokio::task::spawn_blocking(move || library.search(&asked, window))
                            .await
                            .map_err(|e| RequestError::new(e.to_string()))
                            .and_then(|r| r.map_err(|e| RequestError::new(e.to_string())));
                    let _ = events.send(ClientEvent::StoredSearch { id, text, result });
                });
                searching = Some(handle.abort_handle());
            }
            Command::Sync => {
                let Some(local) = &local else { continue };
                if sync.is_some() {
                    continue;
                }
                let Some(conn) = connection.clone() else {
                    continue;
                };
                let cancel = CancellationToken::new();
                sync = Some(cancel.clone());
                let (local, events, internal) =
                    (local.clone(), events.clone(), internal_tx.clone());
                tokio::spawn(async move {
                    let result = run_sync(&conn, &local, cancel, &events).await;
                    let _ = events.send(ClientEvent::StoreChanged);
                    let _ = events.send(ClientEvent::SyncFinished(result));
                    let _ = internal.send(Internal::SyncDone);
                });
            }
            Command::FetchDocuments { id, ids } if local.is_some() => {
                let Some(local) = local.clone() else { continue };
                let (events, internal) = (events.clone(), internal_tx.clone());
                let conn = connection.clone();
                let handle = tokio::spawn(async move {
                    let result = retrying(id, &events, || {
                        documents_via_store(&local, conn.as_ref(), ids.clone(), &events)
                    })
                    .await;
                    let _ = events.send(ClientEvent::DocumentsLoaded { id, result });
                    let _ = internal.send(Internal::Done(id));
                });
                running.insert(id, handle.abort_handle());
            }
            Command::ListActionItems { id, .. }
            | Command::ListUpcoming { id, .. }
            | Command::ListActivities { id, .. }
                if local.as_ref().is_some_and(|l| l.offline)
                    || connection.is_none() && local.is_some() =>
            {
                let Some(local) = &local else { continue };
                let feed = match &command {
                    Command::ListActionItems { .. } => Feed::ActionItems,
                    Command::ListUpcoming { .. } => Feed::Upcoming,
                    _ => Feed::Activities,
                };
                let first_page = match &command {
                    Command::ListActionItems { offset, .. } => *offset == 0,
                    Command::ListActivities { cursor, .. } => cursor.is_none(),
                    _ => true,
                };
                let (library, events) = (local.library.clone(), events.clone());
                tokio::spawn(async move {
                    let result = if first_page {
                        tokio::task::spawn_blocking(move || library.feed_items(feed))
                            .await
                            .unwrap_or_else(|e| {
                                Err(super::LibraryError::Store(format!(
                                    "reading the local store stopped: {e}"
                                )))
                            })
                            .map_err(|e| RequestError::new(e.to_string()))
                    } else {
                        Ok(Vec::new())
                    };
                    let _ = events.send(ClientEvent::FeedLoaded { id, result });
                });
            }
            Command::Export {
                id,
                meeting,
                document,
                format,
                path,
                force,
            } => {
                let (events, internal) = (events.clone(), internal_tx.clone());
                let conn = connection.clone();
                let zone = zone.clone();
                let library = local.as_ref().map(|l| l.library.clone());
                let handle = tokio::spawn(async move {
                    // The UI's copies were cleaned for the screen (controls, bidi and
                    // zero-width characters as visible placeholders, tabs as spaces): the file
                    // gets the text as Krisp sent it, through the export's own policy, from
                    // the store when it has the meeting.
                    let (stored, stored_document) = match library {
                        Some(library) => stored_copies(library, meeting.id.clone()).await,
                        None => (None, None),
                    };
                    let meeting = stored.unwrap_or(*meeting);
                    // Exported from the list before the meeting was opened: fetch the
                    // transcript first, so every format has it.
                    let document = match (stored_document.or(document.map(|d| *d)), conn) {
                        (Some(d), _) => Some(d),
                        (None, Some(conn)) => conn
                            .documents(std::slice::from_ref(&meeting.id))
                            .await
                            .ok()
                            .and_then(|docs| docs.into_iter().next()),
                        (None, None) => None,
                    };
                    let written = tokio::task::spawn_blocking(move || {
                        let text =
                            export::render_checked(format, &meeting, document.as_ref(), &zone)?;
                        export::write_file(&path, &text, force).map(|()| path)
                    })
                    .await;
                    let event = match written {
                        Ok(Ok(path)) => ClientEvent::Exported {
                            id,
                            result: Ok(absolute(path)),
                        },
                        Ok(Err(ExportError::Exists { path })) => {
                            ClientEvent::ExportExists { id, path }
                        }
                        Ok(Err(e)) => ClientEvent::Exported {
                            id,
                            result: Err(RequestError::new(e.to_string())),
                        },
                        Err(e) => ClientEvent::Exported {
                            id,
                            result: Err(RequestError::new(format!("The export failed: {e}"))),
                        },
                    };
                    let _ = events.send(event);
                    let _ = internal.send(Internal::Done(id));
                });
                running.insert(id, handle.abort_handle());
            }
            Command::ExportMany {
                id,
                ids,
                format,
                dir,
            } => {
                let Some(local) = &local else {
                    let _ = events.send(ClientEvent::ExportedMany {
                        id,
                        dir,
                        result: Err(RequestError::new(
                            "There is no local store to export from: this needs a synced store.",
                        )),
                    });
                    continue;
                };
                let cancel = CancellationToken::new();
                exports.insert(id, cancel.clone());
                let (library, events, internal) =
                    (local.library.clone(), events.clone(), internal_tx.clone());
                tokio::task::spawn_blocking(move || {
                    let dir = absolute(dir);
                    let result =
                        export_many(&library, &ids, format, &dir, &cancel, |done, total| {
                            let _ = events.send(ClientEvent::ExportProgress { id, done, total });
                        });
                    let _ = events.send(ClientEvent::ExportedMany { id, dir, result });
                    let _ = internal.send(Internal::Done(id));
                });
            }
            request if local.as_ref().is_some_and(|l| l.offline) => {
                let error = RequestError::new("Offline (--offline): only the local store is read.");
                let _ = events.send(failure(request, error));
            }
            request => {
                let Some(id) = request_id(&request) else {
                    continue;
                };
                let Some(conn) = connection.clone() else {
                    let _ = events.send(failure(request, RequestError::auth("Not logged in.")));
                    continue;
                };
                let (events, internal) = (events.clone(), internal_tx.clone());
                let handle = tokio::spawn(async move {
                    let event = perform(&conn, request, &events).await;
                    let _ = events.send(event);
                    let _ = internal.send(Internal::Done(id));
                });
                running.insert(id, handle.abort_handle());
            }
        }
    }
    if let Some(cancel) = sync {
        cancel.cancel();
    }
    for handle in running.into_values() {
        handle.abort();
    }
    if let Some(login) = login {
        login.abort();
    }
    if let Some(c) = connection {
        c.close().await;
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Connect => "connect",
        Command::StartLogin => "start_login",
        Command::CancelLogin => "cancel_login",
        Command::PasteRedirect(_) => "paste_redirect",
        Command::Cancel(_) => "cancel",
        Command::SearchMeetings { .. } => "search_meetings",
        Command::FetchDocuments { .. } => "fetch_documents",
        Command::ListActionItems { .. } => "list_action_items",
        Command::ListUpcoming { .. } => "list_upcoming",
        Command::ListActivities { .. } => "list_activities",
        Command::ListTools { .. } => "list_tools",
        Command::CallTool { .. } => "call_tool",
        Command::Export { .. } => "export",
        Command::ExportMany { .. } => "export_many",
        Command::OpenUrl(_) => "open_url",
        Command::LoadStored { .. } => "load_stored",
        Command::ListIds { .. } => "list_ids",
        Command::ReadMeeting { .. } => "read_meeting",
        Command::ReadContext { .. } => "read_context",
        Command::SearchStored { .. } => "search_stored",
        Command::Sync => "sync",
        Command::Copy(_) => "copy",
        Command::Quit => "quit",
    }
}

fn request_id(command: &Command) -> Option<RequestId> {
    match command {
        Command::SearchMeetings { id, .. }
        | Command::FetchDocuments { id, .. }
        | Command::ListActionItems { id, .. }
        | Command::ListUpcoming { id, .. }
        | Command::ListActivities { id, .. }
        | Command::ListTools { id }
        | Command::CallTool { id, .. } => Some(*id),
        _ => None,
    }
}

/// The event that reports `error` for `request`.
fn failure(request: Command, error: RequestError) -> ClientEvent {
    match request {
        Command::SearchMeetings { id, query } => ClientEvent::MeetingsLoaded {
            id,
            query,
            result: Err(error),
        },
        Command::FetchDocuments { id, .. } => ClientEvent::DocumentsLoaded {
            id,
            result: Err(error),
        },
        Command::ListTools { id } => ClientEvent::ToolsListed {
            id,
            result: Err(error),
        },
        Command::CallTool { id, name, .. } => ClientEvent::ToolCalled {
            id,
            name,
            result: Err(error),
        },
        Command::ListActionItems { id, .. }
        | Command::ListUpcoming { id, .. }
        | Command::ListActivities { id, .. } => ClientEvent::FeedLoaded {
            id,
            result: Err(error),
        },
        _ => ClientEvent::LoginFailed {
            message: error.message,
        },
    }
}

/// A feed tool's answer as typed rows (a refusal is already an error: `call_known` made it one).
fn feed_rows(
    answer: Result<CallToolResult, ClientError>,
) -> Result<Vec<crate::krisp::FeedItem>, RequestError> {
    let answer = answer.map_err(request_error)?;
    let texts = answer.content.iter().filter_map(|c| c.as_text());
    Ok(crate::krisp::feed_items(
        answer.structured_content.as_ref(),
        texts.map(|t| t.text.as_str()),
    ))
}

fn request_error(e: ClientError) -> RequestError {
    RequestError {
        auth_required: e.is_auth_required(),
        retry_hint: e.retry_hint(),
        unreachable: matches!(
            e,
            ClientError::Unreachable { .. } | ClientError::ConnectionLost { .. }
        ),
        cause: e.cause(),
        message: e.to_string(),
    }
}

/// How a document request is retried (waits of 1–2 s, 2–4 s, then 4–8 s, or what the server
/// named).
const DOCUMENTS: crate::client::retry::Policy = crate::client::retry::Policy::REQUEST;

/// `request` again after a 5xx, a rate limit or a dropped connection, with backoff and jitter,
/// telling the UI before each wait; `Cancel(id)` aborts the task, waits included.
async fn retrying<T, Fut>(
    id: RequestId,
    events: &UnboundedSender<ClientEvent>,
    request: impl Fn() -> Fut,
) -> Result<T, RequestError>
where
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 0;
    loop {
        let error = match request().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let Some(hint) = error.retry_hint.filter(|_| attempt < DOCUMENTS.retries) else {
            return Err(error);
        };
        attempt += 1;
        let wait = DOCUMENTS.wait(attempt, hint);
        tracing::info!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            "documents: retrying"
        );
        let _ = events.send(ClientEvent::Retrying {
            id,
            attempt,
            attempts: DOCUMENTS.retries,
            wait,
            message: error.cause,
        });
        tokio::time::sleep(wait).await;
    }
}

async fn perform(
    conn: &Connection,
    request: Command,
    events: &UnboundedSender<ClientEvent>,
) -> ClientEvent {
    match request {
        Command::SearchMeetings { id, query } => {
            let q = MeetingQuery {
                search: query.search.clone(),
                after: query.after.clone(),
                before: query.before.clone(),
                tags: query.tags.clone(),
                limit: query.limit,
                offset: query.offset,
                ..MeetingQuery::default()
            };
            let result = conn.search_meetings(&q).await.map_err(request_error);
            ClientEvent::MeetingsLoaded { id, query, result }
        }
        Command::FetchDocuments { id, ids } => ClientEvent::DocumentsLoaded {
            id,
            result: retrying(id, events, || async {
                conn.documents(&ids).await.map_err(request_error)
            })
            .await,
        },
        Command::ListActionItems {
            id,
            completed,
            assigned_to_me,
            offset,
        } => ClientEvent::FeedLoaded {
            id,
            result: feed_rows(
                conn.action_items(completed, assigned_to_me, ACTION_ITEMS_PAGE, offset)
                    .await,
            ),
        },
        Command::ListUpcoming { id, days } => ClientEvent::FeedLoaded {
            id,
            result: feed_rows(conn.upcoming(days).await),
        },
        Command::ListActivities { id, cursor } => ClientEvent::FeedLoaded {
            id,
            result: feed_rows(conn.activities(ACTIVITIES_PAGE, cursor).await),
        },
        Command::ListTools { id } => ClientEvent::ToolsListed {
            id,
            result: conn.list_tools().await.map_err(request_error),
        },
        Command::CallTool { id, name, args } => {
            let result = conn.call_tool(&name, args).await.map_err(request_error);
            ClientEvent::ToolCalled { id, name, result }
        }
        other => failure(other, RequestError::new("not a request")),
    }
}

/// A background sync of the store: progress to the UI (throttled), the list re-read as the
/// listing brings meetings.
async fn run_sync(
    conn: &Connection,
    local: &LocalStore,
    cancel: CancellationToken,
    events: &UnboundedSender<ClientEvent>,
) -> Result<SyncSummary, RequestError> {
    let options = SyncOptions {
        concurrency: local.concurrency,
        ..SyncOptions::default()
    };
    let throttle = std::sync::Mutex::new((None::<Instant>, None::<Instant>, 0usize));
    let report = |p: &SyncProgress| {
        let mut t = throttle.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if t.0
            .is_none_or(|at| now.duration_since(at) >= PROGRESS_EVERY)
        {
            t.0 = Some(now);
            let _ = events.send(ClientEvent::SyncProgress(p.clone()));
        }
        if p.listed != t.2 && t.1.is_none_or(|at| now.duration_since(at) >= RELIST_EVERY) {
            t.1 = Some(now);
            t.2 = p.listed;
            let _ = events.send(ClientEvent::StoreChanged);
        }
    };
    match local
        .library
        .sync(conn, options, cancel.clone(), &report)
        .await
    {
        Err(SyncError::Busy) => follow_other_sync(&local.library, cancel, events).await,
        Err(SyncError::Client(c)) => Err(request_error(c)),
        Err(other) => Err(RequestError::new(other.to_string())),
        Ok(summary) => Ok(summary),
    }
}

/// Another process syncs this store: the list is re-read as that sync goes on, and once more
/// when it ends; nothing is fetched here.
async fn follow_other_sync(
    library: &super::Library,
    cancel: CancellationToken,
    events: &UnboundedSender<ClientEvent>,
) -> Result<SyncSummary, RequestError> {
    let _ = events.send(ClientEvent::SyncElsewhere);
    let waiting = library.wait_for_other_sync();
    tokio::pin!(waiting);
    let mut relist = tokio::time::interval(RELIST_EVERY);
    relist.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            ended = &mut waiting => {
                ended.map_err(|e| RequestError::new(e.to_string()))?;
                return Ok(SyncSummary {
                    by_another: true,
                    ..Default::default()
                });
            }
            _ = relist.tick() => {
                let _ = events.send(ClientEvent::StoreChanged);
            }
            () = cancel.cancelled() => {
                return Err(RequestError::new("the sync was cancelled"));
            }
        }
    }
}

/// Runs a library call on a blocking thread (the library's methods are synchronous).
async fn blocking<T: Send + 'static>(
    library: &super::Library,
    f: impl FnOnce(&super::Library) -> Result<T, super::LibraryError> + Send + 'static,
) -> Result<T, String> {
    let library = library.clone();
    match tokio::task::spawn_blocking(move || f(&library)).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("reading the local store stopped: {e}")),
    }
}

/// Documents through the library (store first, then the server, kept). The whole stored meeting
/// goes to the UI first, since the list only holds a light copy.
async fn documents_via_store(
    local: &LocalStore,
    conn: Option<&Connection>,
    ids: Vec<MeetingId>,
    events: &UnboundedSender<ClientEvent>,
) -> Result<Vec<Document>, RequestError> {
    let (library, wanted) = (local.library.clone(), ids.clone());
    let meetings = tokio::task::spawn_blocking(move || {
        wanted
            .iter()
            .map(|id| library.meeting(id))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| RequestError::new(e.to_string()))?
    .map_err(|e| RequestError::new(e.to_string()))?;
    for meeting in meetings.into_iter().flatten() {
        let _ = events.send(ClientEvent::MeetingRead {
            meeting: Box::new(meeting),
        });
    }
    let server = conn.filter(|_| !local.offline);
    local
        .library
        .documents(server, &ids)
        .await
        .map_err(|e| match e {
            super::DocumentsError::Server(e) => request_error(e),
            e => RequestError::new(e.to_string()),
        })
}

/// The meeting `id` and its finished document as the store holds them (as Krisp sent them),
/// where it holds them.
async fn stored_copies(
    library: super::Library,
    id: MeetingId,
) -> (
    Option<crate::krisp::Meeting>,
    Option<crate::krisp::Document>,
) {
    tokio::task::spawn_blocking(move || {
        let meeting = library.meeting(&id).ok().flatten();
        let document = match library.stored_document(&id) {
            Ok(super::FromStore::Ready(document)) => Some(document),
            _ => None,
        };
        (meeting, document)
    })
    .await
    .unwrap_or_default()
}

/// Writes `ids` into the vault `dir` through a library of its own (its own connection to the
/// store: searches meanwhile do not wait for the export). Progress goes out at most every
/// `PROGRESS_EVERY`.
fn export_many(
    library: &super::Library,
    ids: &[MeetingId],
    format: export::Format,
    dir: &std::path::Path,
    cancel: &CancellationToken,
    mut progress: impl FnMut(usize, usize),
) -> Result<crate::library::vault_dir::VaultSummary, RequestError> {
    let options = crate::library::vault_dir::VaultOptions {
        dir: dir.to_owned(),
        format,
        links: false,
        force: false,
        tz: library.zone().clone(),
    };
    let mut last: Option<std::time::Instant> = None;
    let library = library.apart();
    // Marks are a set: the vault gets them newest first, as `export --all` writes them, so two
    // meetings of the same name get the same file names from either.
    let ids = library
        .newest_first(ids)
        .map_err(|e| RequestError::new(e.to_string()))?;
    library
        .export_many(
            &ids,
            &options,
            &|| cancel.is_cancelled(),
            &mut |done, total| {
                if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                    last = Some(std::time::Instant::now());
                    progress(done, total);
                }
            },
        )
        .map_err(|e| RequestError::new(e.to_string()))
}

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}
