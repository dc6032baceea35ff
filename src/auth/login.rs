//! The browser login: discovery, client identity, the authorization URL, the wait for the
//! redirect, the token exchange; and scope step-up and logout.

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::auth::{
    AuthError as RmcpAuthError, AuthorizationManager, AuthorizationRequest, AuthorizationSession,
};
use tokio::sync::{Mutex, mpsc};

use super::callback::{self, CallbackServer, Redirect};
use super::error::AuthError;
use super::http::{OAuthHttp, check_transport};
use super::registration::{pin_auth_method, register};
use super::settings::{BrowserMode, Settings};
use super::store::{Backend, Record, ServerStore, StoreError};

/// How long the listener waits for the browser.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The store for `settings`, opened once, and the server's record in it.
pub fn open_store(settings: &Settings) -> Result<(Arc<ServerStore>, Option<Record>), StoreError> {
    let (backend, record) =
        Backend::open_and_load(settings.store, &settings.config_dir, &settings.server)?;
    let store = ServerStore::new(backend, &settings.server).with_refresh_lock(&settings.config_dir);
    Ok((Arc::new(store), record))
}

/// An rmcp manager for the server, with our HTTP client and store, and what was cached.
pub async fn manager_for(
    settings: &Settings,
    store: &Arc<ServerStore>,
    record: Option<&Record>,
) -> Result<AuthorizationManager, RmcpAuthError> {
    let http = OAuthHttp::new(settings.timeout).map_err(|e| {
        RmcpAuthError::InternalError(format!("could not start the HTTP client: {e}"))
    })?;
    let mut manager =
        AuthorizationManager::new_with_oauth_http_client(settings.server.as_str(), http).await?;
    manager.set_credential_store((**store).clone());
    if let Some(mut metadata) = record.and_then(|r| r.metadata.clone()) {
        let client = record.and_then(|r| r.client.as_ref());
        pin_auth_method(&mut metadata, client.and_then(|c| c.auth_method.as_deref()));
        manager.set_metadata(metadata);
    }
    Ok(manager)
}

/// What a finished browser login hands the client: the store its tokens went to and the
/// manager that holds them.
pub struct Authorized {
    pub store: Arc<ServerStore>,
    pub manager: AuthorizationManager,
}

/// A login waiting for the user to approve it in a browser.
pub struct PendingLogin {
    settings: Settings,
    store: Arc<ServerStore>,
    session: AuthorizationSession,
    auth_url: String,
    expected_state: String,
    tx: mpsc::Sender<String>,
    rx: mpsc::Receiver<String>,
    /// Dropping it (cancel) shuts the listener down.
    _listener: CallbackServer,
}

impl PendingLogin {
    /// Discovery, client registration, the loopback listener, and the browser.
    pub async fn start(settings: &Settings) -> Result<PendingLogin, AuthError> {
        let challenge = match probe(settings).await? {
            Some(c) => c,
            None => {
                return Err(AuthError::NotNeeded {
                    server: settings.server.clone(),
                });
            }
        };
        Self::start_with_challenge(settings, Some(challenge)).await
    }

    /// Like `start`, with the `WWW-Authenticate` of a 401 already in hand.
    pub async fn start_with_challenge(
        settings: &Settings,
        challenge: Option<String>,
    ) -> Result<PendingLogin, AuthError> {
        let (store, record) = open_store(settings)?;
        // Fresh discovery: a login is when metadata may have changed.
        let mut manager = manager_for(settings, &store, None).await?;
        let resolution = manager
            .resolve_metadata_from_challenge(challenge.as_deref())
            .await?;
        let mut metadata = resolution.metadata;
        for endpoint in [&metadata.authorization_endpoint, &metadata.token_endpoint] {
            let url = url::Url::parse(endpoint).map_err(|e| {
                AuthError::Failed(format!(
                    "the server names an invalid OAuth endpoint {endpoint}: {e}"
                ))
            })?;
            check_transport(&url)?;
        }

        let (listener, port) = callback::bind(settings.redirect_port)
            .await
            .map_err(AuthError::Listener)?;
        let (tx, rx) = mpsc::channel(8);
        let (server, state_setter) =
            CallbackServer::serve(listener, tx.clone()).map_err(AuthError::Listener)?;
        let redirect_uri = server.redirect_uri.clone();

        let supports_cimd = metadata
            .additional_fields
            .get("client_id_metadata_document_supported")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let mut request = AuthorizationRequest::new(redirect_uri.clone())
            .with_client_name("krisp-tui")
            .with_scopes(settings.scopes.clone());
        if let Some(challenge) = &challenge {
            request = request.with_challenge(challenge.clone());
        }
        if let Some(id) = &settings.client_id {
            request = request.with_preregistered_client(id.clone());
            if let Some(secret) = &settings.client_secret {
                request = request.with_client_secret(secret.clone());
            }
        } else if let Some(url) = settings
            .client_metadata_url
            .as_ref()
            .filter(|_| supports_cimd)
        {
            request = request.with_client_metadata_url(url.clone());
        } else {
            // Reuse our registration while it fits (same issuer, same redirect URI); Krisp
            // matches redirect_uri exactly, so a new port means a new registration.
            let issuer = metadata.issuer.clone();
            let reusable = record.as_ref().and_then(|r| {
                let same_issuer = r.metadata.as_ref().map(|m| &m.issuer) == Some(&issuer);
                r.client
                    .clone()
                    .filter(|c| same_issuer && c.redirect_uri == redirect_uri)
            });
            let registration = match reusable {
                Some(r) => r,
                None => {
                    let http = crate::net::http_client(
                        metadata
                            .registration_endpoint
                            .as_deref()
                            .unwrap_or_default(),
                        Some(settings.timeout),
                    )
                    .map_err(|e| {
                        AuthError::Internal(format!("could not start the HTTP client: {e}"))
                    })?;
                    let r = register(&http, &metadata, &redirect_uri, &settings.scopes).await?;
                    tracing::info!(client_id = %r.client_id, method = ?r.auth_method, "registered client");
                    r
                }
            };
            pin_auth_method(&mut metadata, registration.auth_method.as_deref());
            request = request.with_preregistered_client(registration.client_id.clone());
            if let Some(secret) = &registration.client_secret {
                request = request.with_client_secret(secret.clone());
            }
            let (reg, meta) = (registration.clone(), metadata.clone());
            store.update(|r| {
                r.client = Some(reg);
                r.metadata = Some(meta);
            })?;
        }
        manager.set_metadata(metadata.clone());
        if settings.client_id.is_some() || settings.client_metadata_url.is_some() {
            store.update(|r| r.metadata = Some(metadata))?;
        }

        let session = AuthorizationSession::new(manager, request)
            .await
            .map_err(|(_, e)| AuthError::from(e))?;
        let auth_url = session.get_authorization_url().to_string();
        let expected_state = query_param(&auth_url, "state").unwrap_or_default();
        state_setter.set(&expected_state);
        tracing::info!(port, "waiting for the login redirect");

        open_browser(settings.browser, &auth_url);
        Ok(PendingLogin {
            settings: settings.clone(),
            store,
            session,
            auth_url,
            expected_state,
            tx,
            rx,
            _listener: server,
        })
    }

    /// Show this to the user: a browser may not exist.
    pub fn authorization_url(&self) -> &str {
        &self.auth_url
    }

    /// Where a redirect URL the user pasted goes; it is handled like the browser's.
    pub fn paste_sender(&self) -> Paste {
        Paste {
            tx: self.tx.clone(),
            expected_state: self.expected_state.clone(),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Wait for the redirect (5 minutes at most) and exchange the code; the manager then
    /// holds the tokens. Drop the future to cancel: the listener shuts down with it.
    pub async fn authorize(mut self) -> Result<Authorized, AuthError> {
        let redirect = wait_for_code(&mut self.rx, &self.expected_state).await?;
        self.session.handle_callback_url(&redirect).await?;
        Ok(Authorized {
            store: self.store,
            manager: self.session.auth_manager,
        })
    }
}

/// A login's way in for pasted redirect URLs (no browser on this machine). Unlike the
/// browser's strays, a paste that is not this login's redirect is refused with a reason, so the
/// user hears of it instead of waiting for nothing.
#[derive(Clone)]
pub struct Paste {
    tx: mpsc::Sender<String>,
    expected_state: String,
}

/// Why a pasted text was not taken. The sentences never repeat the text: it may hold a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteRefused {
    #[error(
        "That is not a URL. Paste the whole address your browser was sent to; it starts with http://127.0.0.1."
    )]
    NotUrl,
    #[error(
        "That URL is not the login redirect (it has no code). Paste the address your browser was sent to after you approved access."
    )]
    NotRedirect,
    #[error(
        "That redirect belongs to another login (its state does not match). Paste the address from the browser tab this login opened."
    )]
    WrongState,
    #[error("The login is still busy with earlier redirects; paste it again in a moment.")]
    Busy,
    #[error("The login is no longer waiting for a redirect.")]
    Ended,
}

impl Paste {
    /// Hand a pasted redirect to the login, or say why it is not one. Never waits: the caller
    /// may be the one that drives the login.
    pub fn send(&self, text: &str) -> Result<(), PasteRefused> {
        let url = self.check(text)?;
        self.tx.try_send(url).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => PasteRefused::Busy,
            mpsc::error::TrySendError::Closed(_) => PasteRefused::Ended,
        })
    }

    /// `send` from a thread outside the runtime (the headless login reads stdin on one).
    pub fn blocking_send(&self, text: &str) -> Result<(), PasteRefused> {
        let url = self.check(text)?;
        self.tx.blocking_send(url).map_err(|_| PasteRefused::Ended)
    }

    fn check(&self, text: &str) -> Result<String, PasteRefused> {
        let url = url::Url::parse(text.trim()).map_err(|_| PasteRefused::NotUrl)?;
        match callback::classify(&url, &self.expected_state) {
            Redirect::Stray => Err(PasteRefused::NotRedirect),
            Redirect::WrongState => Err(PasteRefused::WrongState),
            // A code, or the server's error (which ends the login with its reason).
            Redirect::Code { .. } | Redirect::Error { .. } => Ok(url.to_string()),
        }
    }
}

/// Wait (5 minutes at most) for the redirect of the login whose `state` is `expected_state`,
/// from the browser or pasted; strays and other logins' redirects are ignored.
async fn wait_for_code(
    rx: &mut mpsc::Receiver<String>,
    expected_state: &str,
) -> Result<String, AuthError> {
    tokio::time::timeout(LOGIN_TIMEOUT, async {
        loop {
            let Some(raw) = rx.recv().await else {
                return Err(AuthError::TimedOut);
            };
            let Ok(url) = url::Url::parse(raw.trim()) else {
                tracing::warn!("pasted text is not a URL; still waiting");
                continue;
            };
            match callback::classify(&url, expected_state) {
                Redirect::Code { url } => return Ok(url),
                Redirect::Error { error, .. } if error == "access_denied" => {
                    return Err(AuthError::Denied);
                }
                Redirect::Error { error, description } => {
                    return Err(AuthError::Refused { error, description });
                }
                Redirect::Stray | Redirect::WrongState => {
                    tracing::warn!("a redirect that does not belong to this login; still waiting");
                }
            }
        }
    })
    .await
    .map_err(|_| AuthError::TimedOut)?
}

/// Tell the user where to approve access: a browser may not exist (or opens elsewhere). The
/// in-process stand-in browser needs no telling.
pub fn announce(settings: &Settings, purpose: &str, url: &str) {
    if settings.browser != BrowserMode::InProcess {
        crate::sanitize::eprint(&format!(
            "To {purpose}, open this URL in a browser:\n\n  {url}\n"
        ));
    }
}

fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// An unauthenticated `initialize` to learn whether (and how) the server wants a login: the
/// 401's `WWW-Authenticate` names the protected resource metadata. `None`: the server really
/// completed `initialize` without a token, so no login is needed. Anything else is not a
/// reason to say so: a 5xx is retried and then "unreachable", a web page or garbage is "not an
/// MCP server".
async fn probe(settings: &Settings) -> Result<Option<String>, AuthError> {
    const ATTEMPTS: u32 = 3;
    let server = &settings.server;
    let url = url::Url::parse(server).map_err(|e| AuthError::BadServerUrl {
        server: server.clone(),
        reason: e.to_string(),
    })?;
    check_transport(&url)?;
    // The session's own `initialize` (rmcp's types, the same protocol version), sent bare.
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": super::client_info(),
    });
    let http = crate::net::http_client(server, Some(settings.timeout))
        .map_err(|e| AuthError::Internal(format!("could not start the HTTP client: {e}")))?;
    let unreachable = |reason: String| AuthError::Unreachable {
        server: server.clone(),
        reason,
    };
    let mut attempt = 0;
    let response = loop {
        let response = http
            .post(url.clone())
            .header(
                ::http::header::ACCEPT,
                "application/json, text/event-stream",
            )
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable(crate::net::reqwest_reason(&e)))?;
        let status = response.status();
        if !status.is_server_error() {
            break response;
        }
        attempt += 1;
        if attempt >= ATTEMPTS {
            return Err(unreachable(format!(
                "it answered HTTP {} {} times",
                status.as_u16(),
                ATTEMPTS
            )));
        }
        tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
    };
    let status = response.status();
    if status == ::http::StatusCode::UNAUTHORIZED {
        return Ok(Some(
            response
                .headers()
                .get(::http::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("Bearer")
                .to_string(),
        ));
    }
    let not_mcp = |why: &str| AuthError::NotMcp {
        server: server.clone(),
        why: why.to_string(),
    };
    if !status.is_success() {
        return Err(not_mcp(&format!("it answered HTTP {}", status.as_u16())));
    }
    let content_type = response
        .headers()
        .get(::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let text = response
        .text()
        .await
        .map_err(|e| unreachable(crate::net::reqwest_reason(&e)))?;
    if content_type.starts_with("text/html") || text.trim_start().starts_with('<') {
        return Err(not_mcp("it answered with a web page"));
    }
    if initialize_result(&content_type, &text) {
        Ok(None)
    } else {
        Err(not_mcp("its answer to `initialize` is not an MCP reply"))
    }
}

/// Whether `text` (JSON, or an event stream of JSON messages) holds an `initialize` result.
fn initialize_result(content_type: &str, text: &str) -> bool {
    let is_result = |json: &str| {
        serde_json::from_str::<serde_json::Value>(json.trim())
            .ok()
            .is_some_and(|v| v["result"]["protocolVersion"].is_string())
    };
    if content_type.starts_with("text/event-stream") {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .any(is_result)
    } else {
        is_result(text)
    }
}

fn open_browser(mode: BrowserMode, url: &str) {
    match mode {
        BrowserMode::None => {}
        BrowserMode::System => {
            if let Err(e) = webbrowser::open(url) {
                tracing::info!(error = %e, "no browser could be opened; the URL is shown instead");
            }
        }
        BrowserMode::InProcess => {
            let url = url.to_string();
            tokio::spawn(async move {
                if let Err(e) = follow_in_process(&url).await {
                    // Without the URL: the redirect it failed on carries the authorization code.
                    tracing::warn!(error = %e.without_url(), "in-process browser failed");
                }
            });
        }
    }
}

/// A stand-in browser: GET the authorization URL and follow redirects into our listener.
async fn follow_in_process(url: &str) -> Result<(), reqwest::Error> {
    let client = reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()?;
    client.get(url).send().await?;
    Ok(())
}

/// Re-authorize with the union of granted and required scopes (403 `insufficient_scope`).
pub async fn step_up(
    settings: &Settings,
    manager: &Arc<Mutex<AuthorizationManager>>,
    required_scope: &str,
) -> Result<(), AuthError> {
    let manager = manager.lock().await;
    let auth_url = manager.request_scope_upgrade(required_scope).await?;
    let state = query_param(&auth_url, "state").unwrap_or_default();
    // The manager's redirect_uri is the one registered; listen there again.
    let redirect_port = query_param(&auth_url, "redirect_uri")
        .and_then(|r| url::Url::parse(&r).ok())
        .and_then(|r| r.port())
        .unwrap_or(settings.redirect_port);
    let (listener, _) = callback::bind(redirect_port)
        .await
        .map_err(AuthError::Listener)?;
    let (tx, mut rx) = mpsc::channel(8);
    let (_server, setter) = CallbackServer::serve(listener, tx).map_err(AuthError::Listener)?;
    setter.set(&state);
    announce(
        settings,
        &format!(
            "give krisp-tui more access ({required_scope}) on {}",
            settings.server
        ),
        &auth_url,
    );
    open_browser(settings.browser, &auth_url);
    let url = wait_for_code(&mut rx, &state).await?;
    let cb = rmcp::transport::auth::AuthorizationCallback::from_redirect_url(&url)?;
    manager
        .exchange_code_for_token_with_issuer(&cb.code, &cb.csrf_token, cb.issuer.as_deref())
        .await?;
    Ok(())
}

/// Forget tokens and the registration for this server; revoke the refresh token when the
/// server offers RFC 7009 revocation.
pub async fn logout(settings: &Settings) -> Result<bool, AuthError> {
    let (store, record) = open_store(settings)?;
    let Some(record) = record else {
        return Ok(false);
    };
    if let (Some(meta), Some(token)) = (&record.metadata, record.token())
        && let Some(endpoint) = meta
            .additional_fields
            .get("revocation_endpoint")
            .and_then(|v| v.as_str())
    {
        revoke(endpoint, &record, token).await;
    }
    store.update(|r| *r = Default::default())?;
    Ok(true)
}

async fn revoke(
    endpoint: &str,
    record: &super::store::Record,
    token: &rmcp::transport::auth::OAuthTokenResponse,
) {
    use oauth2::TokenResponse;
    let Ok(url) = url::Url::parse(endpoint) else {
        return;
    };
    if check_transport(&url).is_err() {
        return;
    }
    let Ok(http) = crate::net::http_client(endpoint, Some(crate::net::DEFAULT_TIMEOUT)) else {
        return;
    };
    let secret = token
        .refresh_token()
        .map(|t| (t.secret().clone(), "refresh_token"))
        .unwrap_or_else(|| (token.access_token().secret().clone(), "access_token"));
    let mut form = vec![
        ("token", secret.0),
        ("token_type_hint", secret.1.to_string()),
    ];
    let mut request = http.post(url);
    if let Some(client) = &record.client {
        match (client.auth_method.as_deref(), &client.client_secret) {
            (Some("client_secret_post"), Some(s)) => {
                form.push(("client_id", client.client_id.clone()));
                form.push(("client_secret", s.clone()));
            }
            (_, Some(s)) => request = request.basic_auth(&client.client_id, Some(s)),
            (_, None) => form.push(("client_id", client.client_id.clone())),
        }
    }
    match request.form(&form).send().await {
        Ok(r) => tracing::info!(status = r.status().as_u16(), "token revocation"),
        Err(e) => {
            tracing::info!(error = %crate::net::reqwest_reason(&e), "token revocation failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_that_is_not_this_logins_redirect_is_refused_with_a_reason() {
        let (tx, mut rx) = mpsc::channel(4);
        let paste = Paste {
            tx,
            expected_state: "st4te".into(),
        };
        let check = |text: &str| paste.blocking_send(text);
        assert_eq!(check("not a url"), Err(PasteRefused::NotUrl));
        assert_eq!(check("code=abc&state=st4te"), Err(PasteRefused::NotUrl));
        assert_eq!(
            check("http://127.0.0.1:1/favicon.ico"),
            Err(PasteRefused::NotRedirect)
        );
        assert_eq!(
            check("http://127.0.0.1:1/callback?code=c0de&state=other"),
            Err(PasteRefused::WrongState)
        );
        assert!(rx.try_recv().is_err(), "nothing refused reached the login");
        let good = "http://127.0.0.1:1/callback?code=c0de&state=st4te";
        assert_eq!(check(&format!("  {good}\n")), Ok(()));
        assert_eq!(rx.try_recv().ok().as_deref(), Some(good));
        drop(rx);
        assert_eq!(check(good), Err(PasteRefused::Ended));
    }
}
