//! The headless subcommands: what `main` runs for `login`, `status`, `tools`, `call`, ...
//!
//! Output goes to stdout; messages for the user to stderr; errors are sentences, and the exit
//! code says what kind of failure it was (1 failure, 3 login needed or failed, 4 unreachable).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use rmcp::model::CallToolResult;
use serde_json::json;

use crate::auth::{PendingLogin, logout};
use crate::cli::{Cli, Command, Global};
use crate::client::{BrowserMode, ClientError, Connection, Settings};
use crate::columns::cell;
use crate::krisp::{Meeting, MeetingId};
use crate::sanitize::Policy;

mod docs;
pub mod local;
pub mod mcp;
mod progress;
pub mod vault;
pub use local::Local;

/// A failure to report: the sentence for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code,
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::new(e.exit_code(), e.to_string())
    }
}

impl From<crate::auth::AuthError> for Failure {
    fn from(e: crate::auth::AuthError) -> Self {
        Failure::new(e.exit_code(), e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        // A closed stdout (`| head`) is how pipelines end, not a failure.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::new(0, "");
        }
        Failure::new(1, format!("could not write the output: {e}"))
    }
}

/// What keeps the demo's server running (dropped at exit).
#[cfg(feature = "demo")]
pub type DemoServer = crate::sandbox::Sandbox;
/// A build without the `demo` feature has no demo server.
#[cfg(not(feature = "demo"))]
pub enum DemoServer {}

/// For `--demo`: the sandbox in-process on an ephemeral loopback port, approving logins at
/// once; the login's browser step done in-process; nothing stored.
#[cfg(feature = "demo")]
pub async fn start_demo(settings: &mut Settings) -> Result<DemoServer, Failure> {
    let args = crate::sandbox::SandboxArgs {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        auto_approve: true,
        ..Default::default()
    };
    let sandbox = crate::sandbox::Sandbox::start(args)
        .await
        .map_err(|e| Failure::new(1, format!("could not start the demo server: {e:#}")))?;
    settings.server = sandbox.mcp_url();
    settings.store = crate::auth::store::StoreKind::Memory;
    settings.browser = BrowserMode::InProcess;
    settings.redirect_port = 0;
    settings.client_id = None;
    settings.client_secret = None;
    Ok(sandbox)
}

/// `--demo` in a build without the `demo` feature: a sentence, nothing started.
#[cfg(not(feature = "demo"))]
pub async fn start_demo(_settings: &mut Settings) -> Result<DemoServer, Failure> {
    Err(no_demo())
}

/// The sentence for `--demo` and `sandbox` in a build without the demo server.
#[cfg(not(feature = "demo"))]
fn no_demo() -> Failure {
    Failure::new(
        2,
        "this krisp-tui was built without its demo server (the `demo` feature, on by default)",
    )
}

pub fn settings_from(global: &Global) -> Settings {
    let mut s = Settings::new(global.server(), global.config_dir());
    s.client_id = global.client_id.clone();
    s.client_secret = global.client_secret.clone();
    s.client_metadata_url = global.client_metadata_url.clone();
    s.scopes = global.scopes.clone();
    s.store = global.token_store;
    s.redirect_port = global.redirect_port;
    s.no_login = global.no_login;
    s.timeout = global.timeout();
    s
}

/// Connect with stored credentials, logging in through the browser when that is needed and
/// allowed.
pub async fn connect_or_login(settings: &Settings) -> Result<Connection, Failure> {
    match Connection::connect(settings).await {
        Ok(c) => Ok(c),
        Err(e) if e.is_auth_required() && !settings.no_login => {
            if let Some(note) = e.login_note() {
                crate::sanitize::eprint(&note);
            }
            let challenge = match e {
                ClientError::AuthRequired { challenge, .. } => challenge,
                _ => None,
            };
            login(settings, challenge).await
        }
        Err(ClientError::LoginExpired { server }) => Err(Failure::new(
            3,
            ClientError::AuthRequired {
                server,
                challenge: None,
            }
            .to_string(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The browser login, with the URL always printed and, without a browser, a pasted redirect
/// URL accepted on stdin.
pub async fn login(settings: &Settings, challenge: Option<String>) -> Result<Connection, Failure> {
    let pending = match challenge {
        Some(c) => PendingLogin::start_with_challenge(settings, Some(c)).await?,
        None => PendingLogin::start(settings).await?,
    };
    crate::auth::announce(
        settings,
        &format!("log in to {}", settings.server),
        pending.authorization_url(),
    );
    if settings.browser == BrowserMode::None {
        crate::sanitize::eprint(
            "Then paste here the full URL your browser was sent to (it starts with http://127.0.0.1):",
        );
        let paste = pending.paste_sender();
        std::thread::spawn(move || {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                if !line.trim().is_empty() {
                    match paste.blocking_send(&line) {
                        Ok(()) => {}
                        Err(crate::auth::PasteRefused::Ended) => break,
                        Err(refused) => crate::sanitize::eprint(&refused.to_string()),
                    }
                }
                line.clear();
            }
        });
    } else if settings.browser == BrowserMode::System {
        crate::sanitize::eprint(
            "Waiting for the browser, for 5 minutes at most (Ctrl-C to cancel)...",
        );
    }
    Ok(Connection::from_login(pending).await?)
}

pub async fn run(cli: &Cli, settings: &Settings, local: &Local) -> Result<(), Failure> {
    let Some(command) = &cli.command else {
        return Err(Failure::new(2, "no subcommand"));
    };
    // Finding the system's zone walks the zone database: only for the commands that print times
    // (a `tools` or `call` pays nothing for it). Every time below is shown in `local.zone`.
    let local = &if matches!(
        command,
        Command::Meetings { .. }
            | Command::Show { .. }
            | Command::Search { .. }
            | Command::Export { .. }
            | Command::Mcp { .. }
            | Command::Cache { .. }
    ) {
        local.clone().in_zone(resolve_zone(&cli.global))
    } else {
        local.clone()
    };
    if let Command::Mcp {
        http,
        token_file,
        sync,
    } = command
    {
        if *sync {
            local.need_network("mcp --sync")?;
            background_sync(local.clone(), settings.clone());
        }
        // Before `out` below: it holds stdout's lock, which the server's writes (from another
        // thread) would wait on for ever. The server has its own stdout edge.
        let library = local.library();
        let Some(addr) = http else {
            return mcp::serve_stdio(library)
                .await
                .map_err(|e| Failure::new(1, e));
        };
        let addr = mcp::http::parse_addr(addr).map_err(|e| Failure::new(2, e))?;
        let token = mcp::http::token(token_file.as_deref()).map_err(|e| Failure::new(2, e))?;
        let generated = token_file.is_none();
        return mcp::http::serve(library, addr, &token, |bound| {
            // The URL, then the token (only when made here), each alone on a line for scripts.
            println!("http://{bound}/mcp");
            if generated {
                println!("{token}");
                eprintln!(
                    "krisp-tui mcp: the line above is the bearer token for this run; it is not shown again."
                );
            }
        })
        .await
        .map_err(|e| Failure::new(1, e));
    }
    // The stdout edge: everything written to `out` passes the sanitizer, in the JSON policy
    // for JSON output and the plain-text one for the rest.
    let policy = if command.writes_json() {
        Policy::Json
    } else {
        Policy::Text
    };
    // Into a pipe or a file, whole blocks (a line at a time was a write per line); on a
    // terminal, each line as it comes.
    let stdout = std::io::stdout();
    let sink: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::with_capacity(64 * 1024, stdout.lock()))
    };
    let mut out = crate::sanitize::Writer::new(sink, policy);
    // `--demo` keeps its store for this one command: a command that reads only the store
    // fills it first (a line on stderr says so), instead of pointing at a sync it cannot keep.
    if cli.global.demo
        && !local.offline
        && matches!(command, Command::Search { .. })
        && !local::listed(local)?
    {
        crate::sanitize::eprint("Syncing the demo's store first (it lasts for this command only).");
        local::sync(local, settings, &mut std::io::sink(), true, false).await?;
    }
    match command {
        Command::Login { .. } => local.need_network("login")?,
        Command::Tools { .. } => local.need_network("tools")?,
        Command::Call { .. } => local.need_network("call")?,
        _ => {}
    }
    match command {
        Command::Completions { shell } => docs::completions(*shell, &mut out)?,
        Command::Man { dir } => docs::man(dir.as_deref(), &mut out)?,
        Command::Sync { json, full } => {
            local::sync(local, settings, &mut out, *json, *full).await?;
        }
        Command::Search { query, limit, json } => {
            local::search(local, query, *limit, *json, &mut out)?;
        }
        // Served above, before stdout was locked.
        Command::Mcp { .. } => {}
        Command::Cache { action } => local::cache(
            local,
            matches!(action, Some(crate::cli::CacheAction::Clear)),
            &mut out,
        )?,
        Command::Login { no_browser } => {
            let mut settings = settings.clone();
            if *no_browser {
                settings.browser = BrowserMode::None;
            }
            let connection = login(&settings, None).await?;
            crate::sanitize::eprint(&format!("Logged in to {}.", connection.server()));
            connection.close().await;
        }
        Command::Logout { forget_data } => {
            if logout(settings).await? {
                crate::sanitize::eprint(&format!("Logged out of {}.", settings.server));
            } else {
                crate::sanitize::eprint(&format!(
                    "Not logged in to {}; nothing to forget.",
                    settings.server
                ));
            }
            if *forget_data && local.library().delete().map_err(local::library_failure)? {
                eprintln!("Deleted the local store {}.", local.path.display());
            }
        }
        Command::Status { json } => status(&mut out, settings, cli.global.demo, *json)?,
        #[cfg(feature = "demo")]
        Command::Sandbox(args) => {
            crate::sandbox::run(args.clone())
                .await
                .map_err(|e| Failure::new(1, format!("{e:#}")))?;
        }
        Command::Tools { json } => {
            let connection = connect_or_login(settings).await?;
            let tools = connection.list_tools().await?;
            if *json {
                serde_json::to_writer_pretty(&mut out, &tools).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
                for tool in &tools {
                    let description = tool.description.as_deref().unwrap_or("");
                    let first = description.lines().next().unwrap_or("");
                    writeln!(out, "{:width$}  {}", tool.name, first)?;
                }
            }
            connection.close().await;
        }
        Command::Call {
            tool,
            pairs,
            args,
            json,
        } => {
            let connection = connect_or_login(settings).await?;
            let tools = connection.list_tools().await?;
            let Some(spec) = tools.iter().find(|t| t.name == *tool) else {
                return Err(ClientError::UnknownTool { name: tool.clone() }.into());
            };
            let arguments = crate::client::args::build(&spec.input_schema, pairs, args.as_deref())
                .and_then(|a| {
                    crate::client::args::check_keys(tool, &spec.input_schema, &a).map(|()| a)
                })
                .map_err(|e| Failure::new(2, e.to_string()))?;
            let result = connection.call_tool(tool, arguments).await?;
            connection.close().await;
            print_result(&mut out, &result, *json)?;
            if result.is_error == Some(true) {
                return Err(Failure::new(1, ""));
            }
        }
        Command::Meetings {
            search,
            after,
            before,
            tags,
            limit,
            json,
        } => {
            // One more than asked for says whether there are more than `--limit` shows.
            let fetch = limit.saturating_add(1);
            let filter = crate::library::Filter {
                after: after.clone(),
                before: before.clone(),
                with: Vec::new(),
                tags: tags.clone(),
                zone: Some(local.zone.clone()),
            };
            let stored = match search {
                // A text search is the server's (or, offline, the store's full-text search).
                Some(text) if local.offline => {
                    Some(local::searched_meetings(local, text, &filter, fetch)?)
                }
                Some(_) => None,
                None => local::stored_meetings(local, &filter, fetch)?,
            };
            let meetings = match stored {
                Some(meetings) => meetings,
                None => {
                    let connection = connect_or_login(settings).await?;
                    let meetings = local
                        .library()
                        .meetings_from(&connection, search.as_deref(), &filter, fetch)
                        .await?;
                    connection.close().await;
                    meetings
                }
            };
            let mut meetings = meetings;
            let more = meetings.len() > *limit;
            meetings.truncate(*limit);
            if *json {
                for m in &meetings {
                    serde_json::to_writer(&mut out, m).map_err(std::io::Error::from)?;
                    writeln!(out)?;
                }
            } else if !(meetings.is_empty() && more) {
                print_table(&mut out, &meetings, &local.zone)?;
            }
            if more {
                eprintln!("More meetings match than the {limit} shown; raise --limit to see more.");
            }
        }
        Command::Show { meeting_id, json } => {
            let id = parse_id(meeting_id)?;
            let meeting = match local::stored_meeting(local, &id, false)? {
                Some((meeting, _)) => meeting,
                None if local.offline => return Err(local::not_stored(local, &id)),
                None => {
                    let connection = connect_or_login(settings).await?;
                    let meeting = find_meeting(local, &connection, &id).await?;
                    connection.close().await;
                    meeting
                }
            };
            if *json {
                serde_json::to_writer_pretty(&mut out, &meeting).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                print_meeting(&mut out, &meeting, &local.zone)?;
            }
        }
        Command::Export {
            all: true,
            dir,
            format,
            force,
            search,
            after,
            before,
            tags,
            links,
            json,
            ..
        } => {
            let request = vault::Request {
                dir: dir.clone().unwrap_or_default(),
                format: *format,
                force: *force,
                links: *links,
                search: search.clone(),
                filter: crate::library::Filter {
                    after: after.clone(),
                    before: before.clone(),
                    with: Vec::new(),
                    tags: tags.clone(),
                    zone: Some(local.zone.clone()),
                },
            };
            vault::export_all(local, settings, &request, *json, &mut out).await?;
        }
        Command::Export {
            meeting_id,
            format,
            output,
            force,
            ..
        } => {
            let id = parse_id(meeting_id.as_deref().unwrap_or_default())?;
            let (meeting, document) = match local::stored_meeting(local, &id, true)? {
                Some((meeting, document)) => (meeting, document.into_iter().collect()),
                None if local.offline => return Err(local::not_stored(local, &id)),
                None => {
                    let connection = connect_or_login(settings).await?;
                    let meeting = find_meeting(local, &connection, &id).await?;
                    // Store first, then the server; what it gives is kept.
                    let document = local
                        .library()
                        .documents(Some(&connection), std::slice::from_ref(&id))
                        .await
                        .map_err(|e| match e {
                            crate::library::DocumentsError::Server(e) => Failure::from(e),
                            crate::library::DocumentsError::Store(e) => local::library_failure(e),
                        })?;
                    connection.close().await;
                    (meeting, document)
                }
            };
            let text =
                crate::export::render_checked(*format, &meeting, document.first(), &local.zone)
                    .map_err(|e| Failure::new(1, e.to_string()))?;
            match output.as_deref() {
                Some(p) if p.as_os_str() == "-" => out.write_all(text.as_bytes())?,
                _ => {
                    let path = output.clone().unwrap_or_else(|| {
                        std::path::PathBuf::from(crate::export::default_file_name(
                            &meeting,
                            *format,
                            &local.zone,
                        ))
                    });
                    crate::export::write_file(&path, &text, *force)
                        .map_err(|e| Failure::new(1, e.to_string()))?;
                    writeln!(out, "{}", path.display())?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// How often `mcp --sync` syncs after the first one.
const MCP_SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// `mcp --sync`: `krisp-tui sync` (the same lock, concurrency and backoff) in the background, at
/// once and then every [`MCP_SYNC_EVERY`]; its lines go to stderr, never to the MCP stdout. No
/// browser login: nobody is there to finish it.
fn background_sync(local: Local, mut settings: Settings) {
    settings.no_login = true;
    tokio::spawn(async move {
        loop {
            let mut err =
                crate::sanitize::Writer::new(std::io::stderr(), crate::sanitize::Policy::Text);
            if let Err(f) = local::sync(&local, &settings, &mut err, false, false).await {
                crate::sanitize::eprint(&format!(
                    "krisp-tui mcp: the background sync failed: {}",
                    f.message
                ));
            }
            drop(err);
            tokio::time::sleep(MCP_SYNC_EVERY).await;
        }
    });
}

fn parse_id(s: &str) -> Result<MeetingId, Failure> {
    MeetingId::parse(s).ok_or_else(|| {
        Failure::new(
            2,
            format!("{s:?} is not a meeting id (32 hex digits, as `krisp-tui meetings` shows)"),
        )
    })
}

/// The meeting `id` from the server (kept in the store), or a sentence saying it has none.
async fn find_meeting(
    local: &Local,
    connection: &Connection,
    id: &MeetingId,
) -> Result<Meeting, Failure> {
    let meeting = local.library().meeting_from(connection, id).await?;
    meeting.ok_or_else(|| {
        Failure::new(
            1,
            format!("there is no meeting {id} on {}", connection.server()),
        )
    })
}

/// The zone of `timezone` in `config.toml` (else `TZ`, else the system's) for every time printed;
/// UTC, with a line saying so, when the setting names no zone.
fn resolve_zone(global: &crate::cli::Global) -> jiff::tz::TimeZone {
    global.zone().unwrap_or_else(|e| {
        eprintln!("krisp-tui: {e}; showing times in UTC");
        jiff::tz::TimeZone::UTC
    })
}

/// `2026-01-15 16:00` in `tz` (the table names the zone in its header).
fn date_time(m: &Meeting, tz: &jiff::tz::TimeZone) -> String {
    meeting_date(m.date.as_ref(), tz)
}

/// `2026-01-15 16:00` in `tz`; a date Krisp sent unparsed as it came, sanitized.
pub(crate) fn meeting_date(
    date: Option<&crate::krisp::MeetingDate>,
    tz: &jiff::tz::TimeZone,
) -> String {
    match date {
        Some(d) => match d.timestamp() {
            Some(t) => {
                let (date, time) = crate::timefmt::date_and_time_in(t, tz);
                format!("{date} {time}")
            }
            None => crate::sanitize::clean_line(&d.to_string()).into_owned(),
        },
        None => String::new(),
    }
}

/// A meeting's time standing alone in `tz`, its zone named: `2026-01-15 16:00 CET`.
fn stamp(m: &Meeting, tz: &jiff::tz::TimeZone) -> String {
    match &m.date {
        Some(d) => match d.timestamp() {
            Some(t) => crate::timefmt::stamp_in(t, tz),
            None => crate::sanitize::clean_line(&d.to_string()).into_owned(),
        },
        None => String::new(),
    }
}

fn print_table(
    out: &mut impl Write,
    meetings: &[Meeting],
    tz: &jiff::tz::TimeZone,
) -> std::io::Result<()> {
    if meetings.is_empty() {
        writeln!(out, "No meetings found.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{}  {}  {}  ID",
        cell("DATE", 16),
        cell("NAME", 40),
        cell("PEOPLE", 30)
    )?;
    for m in meetings {
        let people = m.people().join(", ");
        writeln!(
            out,
            "{}  {}  {}  {}",
            cell(&date_time(m, tz), 16),
            // Sanitized before measuring, so what the edge drops does not count as width.
            cell(
                &crate::export::one_line(&crate::sanitize::text(&m.name)),
                40
            ),
            cell(
                &crate::export::one_line(&crate::sanitize::text(&people)),
                30
            ),
            m.id
        )?;
    }
    Ok(())
}

/// A meeting for `show`: every field but the summary on one line of its own, whatever line
/// breaks the server put in it (a name holding a newline could otherwise fake header lines).
fn print_meeting(
    out: &mut impl Write,
    m: &Meeting,
    tz: &jiff::tz::TimeZone,
) -> std::io::Result<()> {
    use crate::export::one_line as line;
    let join = |items: &[String]| items.iter().map(|s| line(s)).collect::<Vec<_>>().join(", ");
    writeln!(out, "{}", line(&m.name))?;
    writeln!(out, "date:      {}", line(&stamp(m, tz)))?;
    if let Some(url) = &m.url {
        writeln!(out, "link:      {}", line(url))?;
    }
    let attendees: Vec<String> = m.attendees.iter().map(|p| p.to_string()).collect();
    if !attendees.is_empty() {
        writeln!(out, "attendees: {}", join(&attendees))?;
    }
    if !m.speakers.is_empty() {
        writeln!(out, "speakers:  {}", join(&m.speakers))?;
    }
    if !m.tags.is_empty() {
        writeln!(out, "tags:      {}", join(&m.tags))?;
    }
    writeln!(out, "id:        {}", line(m.id.as_str()))?;
    if let Some(summary) = m.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        // Krisp's summaries are Markdown: printed as clean text (sanitized line by line).
        writeln!(out, "\nSummary\n{}", crate::ui::markdown::to_plain(summary))?;
    }
    if !m.key_points.is_empty() {
        writeln!(out, "\nKey points")?;
        // Bullets as the summary above and the TUI draw them.
        for p in &m.key_points {
            writeln!(out, "• {}", line(p))?;
        }
    }
    if !m.action_items.is_empty() {
        writeln!(out, "\nAction items")?;
        for item in &m.action_items {
            let mark = if item.completed { "x" } else { " " };
            let who = item
                .assignee
                .as_deref()
                .map(|a| format!(" ({})", line(a)))
                .unwrap_or_default();
            let due = item
                .due_date
                .as_deref()
                .map(|d| format!(" due {}", line(d)))
                .unwrap_or_default();
            writeln!(out, "[{mark}] {}{who}{due}", line(&m.display_text(item)))?;
        }
    }
    Ok(())
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_result(out: &mut impl Write, result: &CallToolResult, json: bool) -> Result<(), Failure> {
    if json {
        serde_json::to_writer_pretty(&mut *out, result).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let text = text_of(result);
    let text = if text.is_empty() {
        result
            .structured_content
            .as_ref()
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            .unwrap_or_default()
    } else {
        text
    };
    if result.is_error == Some(true) {
        crate::sanitize::eprint(&text);
    } else {
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// `demo`: the demo server is started for this one command and logs in by itself, in memory,
/// when a command needs it; `status` needs none, so it says that instead of a bare "no".
fn status(
    out: &mut impl Write,
    settings: &Settings,
    demo: bool,
    json: bool,
) -> Result<(), Failure> {
    let (store, record) =
        crate::auth::open_store(settings).map_err(crate::auth::AuthError::from)?;
    let credentials = record.as_ref().and_then(|r| r.credentials.as_ref());
    let token = record.as_ref().and_then(|r| r.token());
    let expires_at = credentials.and_then(|c| {
        use oauth2::TokenResponse;
        let received = c.token_received_at?;
        let lifetime = c.token_response.as_ref()?.expires_in()?;
        Some(received + lifetime.as_secs())
    });
    let has_refresh = token.is_some_and(|t| {
        use oauth2::TokenResponse;
        t.refresh_token().is_some()
    });
    let scopes = credentials
        .map(|c| c.granted_scopes.clone())
        .unwrap_or_default();
    let client_id = record
        .as_ref()
        .and_then(|r| r.client.as_ref().map(|c| c.client_id.clone()))
        .or_else(|| credentials.map(|c| c.client_id.clone()));
    let issuer = record
        .as_ref()
        .and_then(|r| r.metadata.as_ref()?.issuer.clone());
    let expires = expires_at.and_then(|t| {
        // RFC 3339 in UTC: `2026-01-15T15:00:00Z`.
        jiff::Timestamp::from_second(t as i64)
            .ok()
            .map(|ts| ts.to_string())
    });
    if json {
        let v = json!({
            "server": settings.server,
            "token_store": store.backend().describe(),
            "logged_in": token.is_some(),
            "scopes": scopes,
            "expires_at": expires,
            "refresh_token": has_refresh,
            "client_id": client_id,
            "issuer": issuer,
            "demo": demo,
        });
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        if demo {
            writeln!(
                out,
                "server:      {} (the demo's, started for this command only)",
                settings.server
            )?;
        } else {
            writeln!(out, "server:      {}", settings.server)?;
        }
        writeln!(out, "token store: {}", store.backend().describe())?;
        let logged_in = match (token.is_some(), demo) {
            (true, _) => "yes",
            (false, false) => "no",
            (false, true) => {
                "no (the demo logs in by itself, in memory, whenever a command needs the server; \
                 nothing is kept after it exits)"
            }
        };
        writeln!(out, "logged in:   {logged_in}")?;
        if token.is_some() {
            writeln!(
                out,
                "scopes:      {}",
                if scopes.is_empty() {
                    "(not stated)".to_string()
                } else {
                    scopes.join(" ")
                }
            )?;
            writeln!(
                out,
                "expires:     {}",
                expires.as_deref().unwrap_or("unknown")
            )?;
            writeln!(
                out,
                "refreshable: {}",
                if has_refresh { "yes" } else { "no" }
            )?;
        }
        if let Some(id) = client_id {
            writeln!(out, "client id:   {id}")?;
        }
        if let Some(issuer) = issuer {
            writeln!(out, "issuer:      {issuer}")?;
        }
    }
    // Logged out is a state scripts test for: exit 1 (the output says it, no extra line).
    if token.is_none() && !demo {
        return Err(Failure::new(1, ""));
    }
    Ok(())
}

/// Print a failure the way every command does and turn it into the exit code.
pub fn report(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                // One line: a server's message may hold newlines of its own.
                let message = f.message.split_whitespace().collect::<Vec<_>>().join(" ");
                crate::sanitize::eprint(&format!("krisp-tui: {message}"));
            }
            ExitCode::from(f.code)
        }
    }
}
