//! The embedded Krisp stand-in server: OAuth AS, protected MCP resource, Krisp tools and data.
//!
//! One axum server on one port plays both of Krisp's hosts (`mcp.krisp.ai` and
//! `api.krisp.ai`): the discovery documents, the authorization server under
//! `/platform/v1/oauth2/*` (see [`oauth`]), and `POST /mcp` (see [`mcp`]), whose auth layer
//! validates every bearer token by calling the introspection endpoint over HTTP, as Krisp does.
//! The data is the demo account compiled into the binary, or `--meetings N` generated ones.

mod access_log;
mod clock;
mod data;
mod faults;
mod generate;
mod handler;
mod hostile;
mod lexicon;
mod mcp;
mod oauth;
mod pages;
mod render;
mod schema;
mod store;
mod tools;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::Router;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use clock::Clock;

/// The User-Agent of the sandbox's own requests (its token introspection), as krisp-tui's.
pub const USER_AGENT: &str = concat!("krisp-tui/", env!("CARGO_PKG_VERSION"));

/// What tests and benches can know about `--meetings N --seed S` data without a server: which
/// meetings hold which rare token, which hold [`generated::PHRASE`], which are processing.
pub mod generated {
    pub use super::generate::{
        PHRASE, RareKind, RareToken, phrase_meetings, processing_meetings, rare_tokens,
    };
}

use access_log::AccessLog;
use data::Dataset;
use faults::Faults;
pub use faults::ToolFault;
use handler::KrispTools;
use mcp::{Gate, Introspector};
use oauth::OAuth;
use store::Store;

#[derive(clap::Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Approve every authorization request at once instead of showing the consent page.
    #[arg(long)]
    pub auto_approve: bool,
    /// Answer MCP requests with plain JSON instead of one SSE frame (Krisp uses SSE).
    #[arg(long)]
    pub json_responses: bool,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub access_ttl: u64,
    /// Serve N generated meetings instead of the demo account.
    #[arg(long)]
    pub meetings: Option<usize>,
    /// Seed for generated meetings and for the fault injection's dice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Delay every MCP request by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fail this fraction (0.0–1.0) of MCP requests with a 5xx.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Answer 429 with Retry-After past this many MCP requests a second.
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Refuse the first N uses of each new access token with 401, like Krisp's propagation delay.
    #[arg(long, default_value_t = 0)]
    pub transient_401: u32,
    /// Now and then forget a session, so that its id gets 404.
    #[arg(long)]
    pub drop_sessions: bool,
    /// Refuse a tools/call while N others are in flight, with a TOO_MANY_REQUESTS tool error
    /// (isError, structuredContent {"error", "message", "blocked_seconds": 1}); default unlimited.
    #[arg(long)]
    pub max_concurrent: Option<usize>,
    /// Answer the first N tools/call requests of tool NAME with HTTP 503 (repeatable).
    #[arg(long, value_name = "NAME=N")]
    pub fail_tool: Vec<ToolFault>,
    /// Hold the first N tools/call requests of tool NAME for a minute before answering, so a
    /// client with a shorter --timeout gives up on them (repeatable).
    #[arg(long, value_name = "NAME=N")]
    pub stall_tool: Vec<ToolFault>,
    /// Generated meetings still processing become ready (notes and transcript) once N document
    /// requests (get_document, get_multiple_documents) have asked for them; default never.
    #[arg(long, value_name = "N")]
    pub ready_after: Option<u32>,
    /// Add meetings full of escape sequences, controls, 1 MB lines and oddly typed JSON.
    #[arg(long)]
    pub hostile: bool,
    /// Serve the account as if meeting ID had been deleted (repeatable): a client that stored
    /// it must notice that the server no longer has it.
    #[arg(long, value_name = "ID")]
    pub delete_meeting: Vec<String>,
    /// Allow listening on a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,
}

impl Default for SandboxArgs {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            auto_approve: false,
            json_responses: false,
            access_ttl: 3600,
            meetings: None,
            seed: 1,
            latency_ms: 0,
            fail_rate: 0.0,
            rate_limit: None,
            transient_401: 0,
            drop_sessions: false,
            max_concurrent: None,
            fail_tool: Vec::new(),
            stall_tool: Vec::new(),
            ready_after: None,
            hostile: false,
            delete_meeting: Vec::new(),
            allow_remote: false,
        }
    }
}

impl SandboxArgs {
    fn check(&self) -> anyhow::Result<()> {
        if !self.addr.ip().is_loopback() && !self.allow_remote {
            bail!(
                "refusing to listen on {}: the sandbox binds loopback addresses only unless --allow-remote is given",
                self.addr
            );
        }
        if !(0.0..=1.0).contains(&self.fail_rate) {
            bail!(
                "--fail-rate must be between 0 and 1, not {}",
                self.fail_rate
            );
        }
        if self.max_concurrent == Some(0) {
            bail!("--max-concurrent must be at least 1");
        }
        if self.access_ttl == 0 {
            bail!("--access-ttl must be at least 1 second");
        }
        Ok(())
    }
}

/// A running sandbox. Dropping it without [`shutdown`](Sandbox::shutdown) stops it too, abruptly.
pub struct Sandbox {
    base_url: String,
    clock: Clock,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Bind (port 0 = ephemeral), load or generate the data, spawn the server; returns once it
    /// accepts connections.
    pub async fn start(args: SandboxArgs) -> anyhow::Result<Sandbox> {
        Self::launch(args, Clock::system(), AccessLog::Tracing).await
    }

    /// [`start`](Sandbox::start) on a clock the caller controls: tests move a
    /// [`Clock::manual`] forward to expire tokens without sleeping.
    pub async fn start_with_clock(args: SandboxArgs, clock: Clock) -> anyhow::Result<Sandbox> {
        Self::launch(args, clock, AccessLog::Tracing).await
    }

    async fn launch(args: SandboxArgs, clock: Clock, log: AccessLog) -> anyhow::Result<Sandbox> {
        args.check()?;
        let listener = TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr().context("no local address")?;
        let base_url = format!("http://{addr}");
        let data = Arc::new(load_data(&args, &clock)?);
        let stop = CancellationToken::new();
        let router = router(&args, &base_url, data, clock.clone(), &stop, log)?;
        let shutdown = stop.clone();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router)
                .with_graceful_shutdown(async move { shutdown.cancelled().await });
            if let Err(error) = serve.await {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            base_url,
            clock,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `base_url` + `/mcp`
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url)
    }

    /// The clock the sandbox reads (a manual one if started with one).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Stops accepting, lets requests in flight finish (for at most five seconds), then returns.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// `krisp-tui sandbox`: first stdout line is the MCP URL alone; one log line per request on
/// stderr (no secrets); Ctrl-C stops cleanly.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let auto_approve = args.auto_approve;
    // Listen for the signal before announcing the URL, so an early Ctrl-C is not lost.
    let stop = stop_signal()?;
    let sandbox = Sandbox::launch(args, Clock::system(), AccessLog::Stderr).await?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", sandbox.mcp_url()).context("cannot write to stdout")?;
        stdout.flush().context("cannot write to stdout")?;
    }
    eprintln!(
        "krisp sandbox listening on {} ({}); Ctrl-C stops it",
        sandbox.base_url(),
        if auto_approve {
            "authorization requests are approved at once"
        } else {
            "authorization shows a consent page"
        }
    );
    stop.await;
    eprintln!("krisp sandbox stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM; the handlers are installed right away.
fn stop_signal() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

fn load_data(args: &SandboxArgs, clock: &Clock) -> anyhow::Result<Dataset> {
    let demo = Dataset::demo().context("the embedded demo data is invalid")?;
    let mut data = match args.meetings {
        Some(count) => generate::dataset(demo.account, count, args.seed),
        None => demo,
    };
    if args.hostile {
        data = hostile::poison(data);
    }
    if !args.delete_meeting.is_empty() {
        data = data.without(&args.delete_meeting);
    }
    data.shift_upcoming_to(clock.now());
    Ok(data)
}

fn router(
    args: &SandboxArgs,
    base_url: &str,
    data: Arc<Dataset>,
    clock: Clock,
    stop: &CancellationToken,
    log: AccessLog,
) -> anyhow::Result<Router> {
    let store = Store::new(clock.clone(), Duration::from_secs(args.access_ttl));
    let (client_id, client_secret) =
        store.register(Some("krisp-sandbox resource server".into()), Vec::new());
    let introspector = Introspector::new(base_url, client_id, client_secret)
        .context("cannot build the introspection client")?;
    let oauth = Arc::new(OAuth {
        store,
        base_url: base_url.to_owned(),
        account_name: data.account.name.clone(),
        auto_approve: args.auto_approve,
    });
    let faults = Arc::new(Faults::new(args));
    let gate = Arc::new(Gate::new(
        base_url,
        introspector,
        args.transient_401,
        faults.clone(),
        args.json_responses,
    ));

    let tools = KrispTools {
        data: data.clone(),
        clock,
        readiness: Arc::new(tools::Readiness::new(args.ready_after)),
    };
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_cancellation_token(stop.child_token());
    if args.allow_remote {
        config = config.disable_allowed_hosts();
    }
    let service = StreamableHttpService::new(
        move || Ok(tools.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let mcp = Router::new()
        .route_service("/mcp", service)
        .layer(from_fn_with_state(gate, mcp::layer))
        .layer(from_fn_with_state(faults, faults::layer));
    let pages = Router::new()
        .route("/t/{id}", get(meeting_page))
        .with_state(data);

    Ok(oauth::router(oauth)
        .merge(mcp)
        .merge(pages)
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "Not Found") })
        .layer(from_fn_with_state(Arc::new(log), access_log::layer)))
}

/// What a meeting's `url` opens: a stand-in for Krisp's web app page.
async fn meeting_page(State(data): State<Arc<Dataset>>, Path(id): Path<String>) -> Response {
    match data.meeting(&id) {
        Some(meeting) => pages::meeting(&meeting.name, &data::iso(meeting.date)),
        None => (axum::http::StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}
