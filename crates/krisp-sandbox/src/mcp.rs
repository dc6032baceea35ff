//! The protected MCP resource over HTTP: bearer tokens checked by introspection, Krisp's 401 and
//! 406, `Mcp-Session-Id` sessions, and one `event: message` SSE frame per reply.
//!
//! rmcp does the protocol: its `StreamableHttpService` runs in stateless mode with JSON replies,
//! and this layer around it adds what Krisp does on the wire. Why not rmcp's stateful mode: it
//! refuses a `tools/call` without a session (Krisp tolerates it) and can only answer in SSE.
//! So sessions live here: `initialize` gets a fresh `Mcp-Session-Id`, a request carrying an id
//! this server does not know (never issued, deleted, or dropped by `--drop-sessions`) gets 404,
//! a request without one is served as it is, and `DELETE /mcp` ends a session. Replies are
//! rmcp's JSON, re-framed as a single SSE frame unless `--json-responses`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::faults::Faults;
use super::oauth::{INTROSPECT_PATH, PRM_PATH};
use super::store::random_uuid;

const SESSION_HEADER: &str = "mcp-session-id";
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Sessions kept at most; the oldest is forgotten first.
const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum IntrospectionError {
    #[error("introspection request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("introspection endpoint answered {0}")]
    Status(StatusCode),
}

/// The resource server's view of the authorization server: RFC 7662 over HTTP, with the
/// sandbox's own client credentials, one connection pool for the sandbox's life.
pub struct Introspector {
    http: reqwest::Client,
    url: String,
    client_id: String,
    client_secret: String,
}

#[derive(Deserialize)]
struct IntrospectionReply {
    active: bool,
    #[serde(default)]
    token_type: Option<String>,
}

impl Introspector {
    pub fn new(
        base_url: &str,
        client_id: String,
        client_secret: String,
    ) -> Result<Self, IntrospectionError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .user_agent(crate::USER_AGENT)
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            url: format!("{base_url}{INTROSPECT_PATH}"),
            client_id,
            client_secret,
        })
    }

    /// Whether `token` is a live access token (not a refresh token, not expired or revoked).
    /// Nothing is cached: every request asks, so expiry and revocation apply at once.
    async fn is_active(&self, token: &str) -> Result<bool, IntrospectionError> {
        let response = self
            .http
            .post(&self.url)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(IntrospectionError::Status(response.status()));
        }
        let reply: IntrospectionReply = response.json().await?;
        Ok(reply.active && reply.token_type.as_deref() == Some("Bearer"))
    }
}

/// Session ids this server has issued and not forgotten.
#[derive(Default)]
struct Sessions(Mutex<(HashSet<String>, VecDeque<String>)>);

impl Sessions {
    fn create(&self) -> String {
        let id = random_uuid().replace('-', "");
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (known, order) = &mut *guard;
        if order.len() >= MAX_SESSIONS
            && let Some(oldest) = order.pop_front()
        {
            known.remove(&oldest);
        }
        known.insert(id.clone());
        order.push_back(id.clone());
        id
    }

    fn contains(&self, id: &str) -> bool {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0.contains(id)
    }

    fn forget(&self, id: &str) -> bool {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (known, order) = &mut *guard;
        order.retain(|known| known != id);
        known.remove(id)
    }
}

pub struct Gate {
    introspector: Introspector,
    www_authenticate: HeaderValue,
    transient_401: u32,
    /// Uses so far of each access token (by digest), for `--transient-401`.
    uses: Mutex<HashMap<[u8; 32], u32>>,
    sessions: Sessions,
    faults: Arc<Faults>,
    sse: bool,
}

impl Gate {
    pub fn new(
        base_url: &str,
        introspector: Introspector,
        transient_401: u32,
        faults: Arc<Faults>,
        json_responses: bool,
    ) -> Self {
        let challenge = format!(
            "Bearer error=\"invalid_token\", error_description=\"Missing or invalid access token\", resource_metadata=\"{base_url}{PRM_PATH}\""
        );
        Self {
            introspector,
            // A base URL is ASCII; fall back to the bare scheme rather than panic.
            www_authenticate: HeaderValue::from_str(&challenge)
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer")),
            transient_401,
            uses: Mutex::default(),
            sessions: Sessions::default(),
            faults,
            sse: !json_responses,
        }
    }

    fn unauthorized(&self) -> Response {
        let body = axum::Json(serde_json::json!({
            "error": "invalid_token",
            "error_description": "Missing or invalid access token",
        }));
        let mut response = (StatusCode::UNAUTHORIZED, body).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, self.www_authenticate.clone());
        response
    }

    /// `--transient-401 N`: the first N uses of every new token are refused, like Krisp right
    /// after issuing one.
    fn still_propagating(&self, token: &str) -> bool {
        if self.transient_401 == 0 {
            return false;
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut uses = self.uses.lock().unwrap_or_else(PoisonError::into_inner);
        let count = uses.entry(key).or_insert(0);
        *count += 1;
        *count <= self.transient_401
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Both `application/json` and `text/event-stream` listed (and not refused with `q=0`).
fn accepts_both(headers: &HeaderMap) -> bool {
    let mut json = false;
    let mut sse = false;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for entry in value.split(',') {
            let mut parts = entry.split(';');
            let essence = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|param| {
                param.split_once('=').is_some_and(|(name, q)| {
                    name.trim().eq_ignore_ascii_case("q")
                        && q.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
                })
            });
            if refused {
                continue;
            }
            json |= essence.eq_ignore_ascii_case("application/json");
            sse |= essence.eq_ignore_ascii_case("text/event-stream");
        }
    }
    json && sse
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// The middleware in front of rmcp's service on `/mcp`.
pub async fn layer(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    let Some(token) = bearer(request.headers()) else {
        return gate.unauthorized();
    };
    match gate.introspector.is_active(token).await {
        Ok(true) => {}
        Ok(false) => return gate.unauthorized(),
        Err(error) => {
            tracing::warn!(%error, "token introspection failed");
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable: token validation failed",
            );
        }
    }
    if gate.still_propagating(token) {
        return gate.unauthorized();
    }
    match *request.method() {
        Method::POST => post(&gate, request, next).await,
        Method::DELETE => delete(&gate, request.headers()),
        _ => next.run(request).await,
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

async fn post(gate: &Gate, request: Request, next: Next) -> Response {
    if !accepts_both(request.headers()) {
        return plain(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: Client must accept both application/json and text/event-stream",
        );
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large");
    };
    // Malformed bodies go on to rmcp, which answers them properly.
    let envelope = serde_json::from_slice::<Envelope>(&bytes).ok();
    let initialize = envelope
        .as_ref()
        .is_some_and(|e| e.method.as_deref() == Some("initialize"));
    let is_request = envelope.as_ref().is_some_and(|e| e.id.is_some());
    let session = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|value| value.to_str().ok());
    if let Some(session) = session
        && !initialize
    {
        let forgotten = !gate.sessions.contains(session)
            || (is_request && gate.faults.drop_session() && gate.sessions.forget(session));
        if forgotten {
            return plain(StatusCode::NOT_FOUND, "Not Found: Session not found");
        }
    }
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if initialize
        && response.status() == StatusCode::OK
        && let Ok(id) = HeaderValue::from_str(&gate.sessions.create())
    {
        response.headers_mut().insert(SESSION_HEADER, id);
    }
    if gate.sse {
        response = as_sse_frame(response).await;
    }
    response
}

fn delete(gate: &Gate, headers: &HeaderMap) -> Response {
    match headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok()) {
        None => plain(
            StatusCode::BAD_REQUEST,
            "Bad Request: Session ID is required",
        ),
        Some(id) if gate.sessions.forget(id) => StatusCode::OK.into_response(),
        Some(_) => plain(StatusCode::NOT_FOUND, "Not Found: Session not found"),
    }
}

/// A JSON reply re-framed as Krisp sends it: one `event: message` SSE frame.
async fn as_sse_frame(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(json) = to_bytes(body, usize::MAX).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    // serde_json writes one line (newlines inside strings are escaped), so one `data:` line.
    let mut frame = Vec::with_capacity(json.len() + 24);
    frame.extend_from_slice(b"event: message\ndata: ");
    frame.extend_from_slice(&json);
    frame.extend_from_slice(b"\n\n");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Response::from_parts(parts, Body::from(frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn both_media_types_must_be_accepted() {
        assert!(accepts_both(&accept("application/json, text/event-stream")));
        assert!(accepts_both(&accept(
            "text/event-stream;q=0.5, application/json; charset=utf-8"
        )));
        assert!(!accepts_both(&accept("application/json")));
        assert!(!accepts_both(&accept("*/*")));
        assert!(!accepts_both(&accept(
            "application/json, text/event-stream;q=0"
        )));
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }
}
