//! The client task: owns the MCP connection, the login and all I/O for the TUI. Each `Command`
//! becomes a spawned request whose answer comes back as a `ClientEvent` with the same id.

use std::collections::HashMap;
use std::path::PathBuf;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::{AbortHandle, JoinHandle};

use crate::auth::PendingLogin;
use crate::client::{ClientError, Connection, MeetingQuery, Settings};

use crate::export::{self, ExportError};
use crate::message::{ClientEvent, Command, RequestError, RequestId};

const ACTION_ITEMS_PAGE: u32 = 20;
const ACTIVITIES_PAGE: u32 = 15;

/// Starts the task. `connection`: an open session, or `None` to wait for `Connect` /
/// `StartLogin`. Dropping the command sender (or `Command::Quit`) ends it.
pub fn spawn(
    settings: Settings,
    connection: Option<Connection>,
) -> (
    UnboundedSender<Command>,
    UnboundedReceiver<ClientEvent>,
    JoinHandle<()>,
) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let handle = tokio::spawn(run(settings, connection, cmd_rx, event_tx));
    (cmd_tx, event_rx, handle)
}

/// What spawned work tells the loop (the loop alone owns the connection).
enum Internal {
    Connected(Connection),
    LoginStarted(mpsc::Sender<String>),
    Done(RequestId),
}

async fn run(
    settings: Settings,
    mut connection: Option<Connection>,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<ClientEvent>,
) {
    let (internal_tx, mut internal) = mpsc::unbounded_channel::<Internal>();
    let mut running: HashMap<RequestId, AbortHandle> = HashMap::new();
    let mut login: Option<JoinHandle<()>> = None;
    let mut paste: Option<mpsc::Sender<String>> = None;
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
                    Internal::LoginStarted(tx) => paste = Some(tx),
                    Internal::Done(id) => {
                        running.remove(&id);
                    }
                }
                continue;
            }
        };
        tracing::debug!(command = command_name(&command), "client command");
        match command {
            Command::Quit => break,
            Command::Connect => {
                let settings = settings.clone();
                let (events, internal) = (events.clone(), internal_tx.clone());
                tokio::spawn(async move {
                    match Connection::connect(&settings).await {
                        Ok(c) => {
                            let _ = internal.send(Internal::Connected(c));
                        }
                        Err(e) if e.is_auth_required() => {
                            let _ = events.send(ClientEvent::LoginRequired { note: None });
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
                    let _ = internal.send(Internal::LoginStarted(pending.paste_sender()));
                    match Connection::from_login(pending).await {
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
                if let Some(tx) = &paste {
                    let _ = tx.send(url).await;
                }
            }
            Command::Cancel(id) => {
                if let Some(handle) = running.remove(&id) {
                    handle.abort();
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
                let handle = tokio::spawn(async move {
                    // Exported from the list before the meeting was opened: fetch the
                    // transcript first, so every format has it.
                    let document = match (document, conn) {
                        (Some(d), _) => Some(*d),
                        (None, Some(conn)) => conn
                            .documents(std::slice::from_ref(&meeting.id))
                            .await
                            .ok()
                            .and_then(|docs| docs.into_iter().next()),
                        (None, None) => None,
                    };
                    let written = tokio::task::spawn_blocking(move || {
                        let text = export::render(format, &meeting, document.as_ref());
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
                    let event = perform(&conn, request).await;
                    let _ = events.send(event);
                    let _ = internal.send(Internal::Done(id));
                });
                running.insert(id, handle.abort_handle());
            }
        }
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
        Command::OpenUrl(_) => "open_url",
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

fn request_error(e: ClientError) -> RequestError {
    RequestError {
        auth_required: e.is_auth_required(),
        message: e.to_string(),
    }
}

async fn perform(conn: &Connection, request: Command) -> ClientEvent {
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
            result: conn.documents(&ids).await.map_err(request_error),
        },
        Command::ListActionItems {
            id,
            completed,
            assigned_to_me,
            offset,
        } => ClientEvent::FeedLoaded {
            id,
            result: conn
                .action_items(completed, assigned_to_me, ACTION_ITEMS_PAGE, offset)
                .await
                .map_err(request_error),
        },
        Command::ListUpcoming { id, days } => ClientEvent::FeedLoaded {
            id,
            result: conn.upcoming(days).await.map_err(request_error),
        },
        Command::ListActivities { id, cursor } => ClientEvent::FeedLoaded {
            id,
            result: conn
                .activities(ACTIVITIES_PAGE, cursor)
                .await
                .map_err(request_error),
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

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}
