//! The MCP client: one connection to the server, typed calls over rmcp.
//!
//! `Connection::connect` uses stored credentials only; `auth::PendingLogin` runs the browser
//! login and `Connection::from_login` opens the session with what it authorized. rmcp does the protocol, discovery, PKCE, refresh and
//! 401 → refresh → retry; this module adds what Krisp needs on top (see `transport`) and turns
//! every failure into a `ClientError` whose message is a sentence for the user.

pub mod args;
mod error;
pub mod krisp;
pub mod retry;
pub mod transport;

use std::sync::Arc;

use rmcp::model::{CallToolRequestParams, CallToolResult, InitializeRequestParams, Tool};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::auth::{AuthClient, AuthorizationManager, OAuthClientConfig};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

pub use crate::auth::{BrowserMode, Settings};
pub use error::ClientError;
pub use krisp::MeetingQuery;

use crate::auth::http::check_transport;
use crate::auth::store::{Record, ServerStore};
use crate::auth::{Authorized, PendingLogin, manager_for, open_store};

type Service = RunningService<RoleClient, InitializeRequestParams>;

/// An initialized MCP session. Cheap to clone; usable from many tasks at once.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
}

struct Inner {
    /// The MCP session and its generation; replaced when the server forgets it (HTTP 404).
    session: tokio::sync::RwLock<(Service, u64)>,
    /// What opens another session with the same login.
    auth: AuthClient<transport::RetryingHttp>,
    server: String,
    /// Shared with rmcp's `AuthClient`, for scope step-up.
    manager: Arc<Mutex<AuthorizationManager>>,
    /// Where this login is kept, to forget it when the server drops our registration.
    store: Arc<ServerStore>,
    settings: Settings,
    tools: tokio::sync::OnceCell<Vec<Tool>>,
    /// Browser authorizations this session has needed (the login included); at most 3.
    authorizations: std::sync::atomic::AtomicU32,
}

const MAX_AUTHORIZATIONS: u32 = 3;

impl Connection {
    /// Connect with stored credentials only (or none, for servers that need no login).
    pub async fn connect(settings: &Settings) -> Result<Connection, ClientError> {
        Self::connect_telling(settings, |_| {}).await
    }

    /// `connect`, telling `stored_login` whether there are stored tokens before it goes to the
    /// network (the login screen says which it is doing).
    pub async fn connect_telling(
        settings: &Settings,
        stored_login: impl FnOnce(bool),
    ) -> Result<Connection, ClientError> {
        let (store, record) = open_store(settings)?;
        stored_login(record.as_ref().is_some_and(|r| r.token().is_some()));
        let mut manager = manager_for(settings, &store, record.as_ref())
            .await
            .map_err(ClientError::from_auth)?;
        if let Some(record) = &record
            && record.token().is_some()
            && manager
                .initialize_from_store()
                .await
                .map_err(ClientError::from_auth)?
        {
            configure_registered_client(&mut manager, settings, record)?;
        }
        Self::from_manager(settings, store.clone(), manager, 0)
            .await
            .map_err(|e| forget_if_dropped(&store, settings, e))
    }

    /// A browser login's last step: wait for the redirect, exchange the code, open the
    /// session. Drop the future to cancel: the listener shuts down with it.
    pub async fn from_login(pending: PendingLogin) -> Result<Connection, ClientError> {
        let settings = pending.settings().clone();
        let Authorized { store, manager } = pending.authorize().await?;
        Self::from_manager(&settings, store, manager, 1).await
    }

    /// Open the MCP session with `manager` supplying tokens.
    async fn from_manager(
        settings: &Settings,
        store: Arc<ServerStore>,
        manager: AuthorizationManager,
        authorizations: u32,
    ) -> Result<Connection, ClientError> {
        let url = url::Url::parse(&settings.server).map_err(|e| {
            ClientError::Auth(crate::auth::AuthError::BadServerUrl {
                server: settings.server.clone(),
                reason: e.to_string(),
            })
        })?;
        check_transport(&url)?;
        let http = transport::RetryingHttp {
            // Bounded per request below: a whole-request timeout would cut event streams.
            inner: crate::net::http_client(&settings.server, None).map_err(|e| {
                ClientError::Internal(format!("could not start the HTTP client: {e}"))
            })?,
            store: Some(store.clone()),
        };
        let auth = AuthClient::new(http, manager);
        let manager = auth.auth_manager.clone();
        let service = open_session(settings, auth.clone()).await?;
        Ok(Connection {
            inner: Arc::new(Inner {
                session: tokio::sync::RwLock::new((service, 0)),
                auth,
                server: settings.server.clone(),
                manager,
                store,
                settings: settings.clone(),
                tools: tokio::sync::OnceCell::new(),
                authorizations: authorizations.into(),
            }),
        })
    }

    pub fn server(&self) -> &str {
        &self.inner.server
    }

    /// Every tool, all pages; fetched once per connection.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        self.inner
            .tools
            .get_or_try_init(|| async {
                self.with_step_up(|peer| async move { peer.list_all_tools().await })
                    .await
            })
            .await
            .cloned()
    }

    pub async fn call_tool(
        &self,
        name: &str,
        args: Map<String, Value>,
    ) -> Result<CallToolResult, ClientError> {
        let params = CallToolRequestParams::new(name.to_string()).with_arguments(args);
        self.with_step_up(|peer| {
            let params = params.clone();
            async move { peer.call_tool(params).await }
        })
        .await
    }

    /// Run a request. When the server has forgotten the session (HTTP 404 that rmcp's own
    /// re-initialization did not get past), or the session's transport has stopped (rmcp's
    /// worker quits when that re-initialization fails), open a new session and retry, once per
    /// request.
    /// On a 401 (a server that lets `initialize` through unauthenticated, or
    /// a login revoked mid-session) log in again once; on 403 `insufficient_scope`,
    /// re-authorize with the union of scopes (at most 3 times in all); then retry. Neither
    /// happens with `no_login` (the TUI routes these to its login screen instead).
    async fn with_step_up<T, F, Fut>(&self, request: F) -> Result<T, ClientError>
    where
        F: Fn(rmcp::Peer<RoleClient>) -> Fut,
        Fut: std::future::Future<Output = Result<T, rmcp::ServiceError>>,
    {
        use std::sync::atomic::Ordering;
        let settings = &self.inner.settings;
        let mut logins = 0;
        let mut renewed = false;
        loop {
            let (peer, generation) = {
                let session = self.inner.session.read().await;
                (session.0.peer().clone(), session.1)
            };
            let e = match tokio::time::timeout(settings.timeout, request(peer)).await {
                Err(_) => return Err(timed_out(settings)),
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => e,
            };
            if !renewed && (error::session_expired(&e) || error::session_dead(&e)) {
                renewed = true;
                self.renew_session(generation)
                    .await
                    .map_err(|e| forget_if_dropped(&self.inner.store, &self.inner.settings, e))?;
                continue;
            }
            if settings.no_login {
                return Err(self.routed(e));
            }
            if let Some(scope) = error::insufficient_scope(&e) {
                let done = self.inner.authorizations.fetch_add(1, Ordering::SeqCst);
                if done >= MAX_AUTHORIZATIONS {
                    return Err(ClientError::Auth(crate::auth::AuthError::Failed(format!(
                        "the server still asks for more access ({scope}) after {done} authorizations; giving up"
                    ))));
                }
                tracing::info!(%scope, "server asks for more scope; re-authorizing");
                crate::auth::step_up(settings, &self.inner.manager, &scope).await?;
            } else if let Some(challenge) = e.auth_challenge().map(str::to_string)
                && logins == 0
                && self.inner.authorizations.fetch_add(1, Ordering::SeqCst) < MAX_AUTHORIZATIONS
            {
                logins += 1;
                tracing::info!("server asks for a login mid-session");
                let pending = PendingLogin::start_with_challenge(settings, Some(challenge))
                    .await
                    .map_err(ClientError::from)?;
                crate::auth::announce(
                    settings,
                    &format!("log in to {}", settings.server),
                    pending.authorization_url(),
                );
                let authorized = pending.authorize().await.map_err(ClientError::from)?;
                *self.inner.manager.lock().await = authorized.manager;
            } else {
                return Err(self.routed(e));
            }
        }
    }

    /// A failed request's error, with what it implies for the stored login done.
    fn routed(&self, e: rmcp::ServiceError) -> ClientError {
        let e = ClientError::from_service(&self.inner.server, e);
        forget_if_dropped(&self.inner.store, &self.inner.settings, e)
    }

    /// Replace session `generation` by a new one, unless another request did so already.
    async fn renew_session(&self, generation: u64) -> Result<(), ClientError> {
        let mut session = self.inner.session.write().await;
        if session.1 != generation {
            return Ok(());
        }
        tracing::info!("the server forgot the session; opening a new one");
        let new = open_session(&self.inner.settings, self.inner.auth.clone()).await?;
        let (old, _) = std::mem::replace(&mut *session, (new, generation + 1));
        drop(session);
        // The server has forgotten it already: cancel it without waiting.
        tokio::spawn(async move {
            let _ = old.cancel().await;
        });
        Ok(())
    }

    /// Close the session politely (DELETE the session) before exit.
    pub async fn close(self) {
        if let Ok(inner) = Arc::try_unwrap(self.inner) {
            // Politeness only: a server that does not answer the DELETE does not hold us up.
            let limit = inner
                .settings
                .timeout
                .min(std::time::Duration::from_secs(5));
            let (service, _) = inner.session.into_inner();
            let _ = tokio::time::timeout(limit, service.cancel()).await;
        }
    }
}

/// The server no longer knows our client (`invalid_client` on a refresh): its tokens are
/// useless and the next login must register again, so both are forgotten. A client given with
/// `--client-id` is the user's to fix, not ours to forget.
fn forget_if_dropped(store: &ServerStore, settings: &Settings, e: ClientError) -> ClientError {
    let ClientError::RegistrationDropped { server } = &e else {
        return e;
    };
    let preregistered = settings.client_id.is_some();
    tracing::info!(
        preregistered,
        "the server refused our client on refresh; forgetting the stored login"
    );
    if let Err(store_error) = store.update(|r| {
        r.credentials = None;
        if !preregistered {
            r.client = None;
        }
    }) {
        return ClientError::Auth(crate::auth::AuthError::Store(store_error));
    }
    if preregistered {
        return ClientError::Auth(crate::auth::AuthError::Failed(format!(
            "{server} does not accept the client given with --client-id (invalid_client); check --client-id and --client-secret"
        )));
    }
    e
}

/// `initialize` a new MCP session through `auth` (its HTTP client and login).
async fn open_session(
    settings: &Settings,
    auth: AuthClient<transport::RetryingHttp>,
) -> Result<Service, ClientError> {
    let config = StreamableHttpClientTransportConfig::with_uri(settings.server.as_str())
        .reinit_on_expired_session(true);
    let transport = StreamableHttpClientTransport::with_client(auth, config);
    tokio::time::timeout(
        settings.timeout,
        crate::auth::client_info().serve(transport),
    )
    .await
    .map_err(|_| timed_out(settings))?
    .map_err(|e| ClientError::from_init(&settings.server, e))
}

fn timed_out(settings: &Settings) -> ClientError {
    ClientError::TimedOut {
        server: settings.server.clone(),
        seconds: settings.timeout.as_secs(),
    }
}

/// After `initialize_from_store` (which knows only the client id), give rmcp the secret and
/// auth method of the registration we keep.
pub(crate) fn configure_registered_client(
    manager: &mut AuthorizationManager,
    settings: &Settings,
    record: &Record,
) -> Result<(), ClientError> {
    let (client_id, secret, redirect_uri) = match (&settings.client_id, &record.client) {
        (Some(id), _) => (
            id.clone(),
            settings.client_secret.clone(),
            crate::auth::callback::redirect_uri(settings.redirect_port),
        ),
        (None, Some(reg)) => (
            reg.client_id.clone(),
            reg.client_secret.clone(),
            reg.redirect_uri.clone(),
        ),
        // A client-id metadata document URL or a registration rmcp made: rmcp configured it.
        (None, None) => return Ok(()),
    };
    let mut config = OAuthClientConfig::new(client_id, redirect_uri);
    if let Some(secret) = secret {
        config = config.with_client_secret(secret);
    }
    manager
        .configure_client(config)
        .map_err(ClientError::from_auth)
}
