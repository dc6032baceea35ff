//! Client errors, typed so callers can route them (an expired login goes back to login) and
//! worded as sentences for the user. None of them carries a token, code or secret.

use std::time::Duration;

use rmcp::ServiceError;
use rmcp::service::ClientInitializeError;
use rmcp::transport::auth::AuthError;
use rmcp::transport::streamable_http_client::InsufficientScopeError;

use crate::auth::http::InsecureUrl;
use crate::auth::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("not logged in to {server}: run krisp-tui login")]
    AuthRequired {
        server: String,
        /// The 401's `WWW-Authenticate`, where a login starts discovery.
        challenge: Option<String>,
    },
    #[error("your login to {server} has expired or was revoked: run krisp-tui login")]
    LoginExpired { server: String },
    /// The authorization server answered a refresh with `invalid_client`: it no longer knows
    /// our registration. The caller forgets the registration and the tokens.
    #[error(
        "{server} no longer knows krisp-tui's client registration, so the stored login was forgotten: run krisp-tui login to register again"
    )]
    RegistrationDropped { server: String },
    #[error("cannot reach {server}: {reason}. Check the address and your network.")]
    Unreachable { server: String, reason: String },
    #[error(
        "{server} did not answer within {seconds} seconds; giving up (it may be down; --timeout sets the limit)"
    )]
    TimedOut { server: String, seconds: u64 },
    #[error("the server has no tool named {name:?}; `krisp-tui tools` lists what it offers")]
    UnknownTool { name: String },
    #[error("{name} failed: {message}")]
    ToolFailed { name: String, message: String },
    /// The server refused for now (Krisp's `TOO_MANY_REQUESTS`, "too many concurrent
    /// requests"), as a tool error or a JSON-RPC error; `wait` is what it named.
    #[error("{what} was refused for now: {message}")]
    RateLimited {
        what: String,
        message: String,
        wait: Option<Duration>,
    },
    /// The server forgot the session (HTTP 404 on its `Mcp-Session-Id`) and the transport's
    /// own new session did not carry the request through either.
    #[error("{server} ended the session (HTTP 404) before it answered; try again")]
    SessionExpired { server: String },
    #[error(
        "the connection to {server} broke off before it answered (the server may have failed mid-request); try again"
    )]
    ConnectionLost { server: String },
    #[error("{server} kept failing (HTTP {status}) through every retry; try again later")]
    ServerFailing { server: String, status: u16 },
    #[error("{server} answered in a way krisp-tui did not expect: {reason}")]
    Protocol { server: String, reason: String },
    #[error("{0}")]
    Internal(String),
    /// The login layer's failure, as it said it: a login that did not complete (declined,
    /// timed out, refused), a bad server URL, the credential store. Its variants are not
    /// repeated here; only `Unreachable` is lifted out, since a request fails that way too.
    #[error(transparent)]
    Auth(crate::auth::AuthError),
}

impl ClientError {
    /// Whether a failed request is worth retrying (a rate limit, Krisp's "too many concurrent
    /// requests", a 5xx, a dropped connection), and the wait the server named if it named one;
    /// `Some(None)`: retry with the usual backoff.
    pub fn retry_hint(&self) -> Option<Option<Duration>> {
        match self {
            // A 5xx or 429 that outlived the transport's quick retries, a reply cut off, a
            // server that cannot be reached, a session it forgot: worth asking again after a
            // longer wait.
            ClientError::ServerFailing { .. }
            | ClientError::ConnectionLost { .. }
            | ClientError::Unreachable { .. }
            | ClientError::SessionExpired { .. } => Some(None),
            ClientError::RateLimited { wait, .. } => Some(*wait),
            _ => None,
        }
    }

    /// What went wrong, without the advice some sentences end with ("try again later"), for
    /// a message that goes on to say a retry is coming.
    pub fn cause(&self) -> String {
        match self {
            ClientError::ServerFailing { server, status } => {
                format!("{server} answered HTTP {status}")
            }
            ClientError::ConnectionLost { server } => {
                format!("the connection to {server} broke off before it answered")
            }
            other => other.to_string(),
        }
    }

    pub fn is_auth_required(&self) -> bool {
        matches!(
            self,
            ClientError::AuthRequired { .. }
                | ClientError::LoginExpired { .. }
                | ClientError::RegistrationDropped { .. }
        )
    }

    /// What the login screen says about why it is shown, when there is more to say than
    /// "log in".
    pub fn login_note(&self) -> Option<String> {
        match self {
            ClientError::RegistrationDropped { server } => Some(format!(
                "{server} no longer knows this krisp-tui (it dropped the client registration), so the stored login was forgotten. Log in to register again."
            )),
            _ => None,
        }
    }

    /// Process exit code for the headless commands: 3 auth, 4 unreachable, 1 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::AuthRequired { .. }
            | ClientError::LoginExpired { .. }
            | ClientError::RegistrationDropped { .. } => 3,
            ClientError::Unreachable { .. }
            | ClientError::TimedOut { .. }
            | ClientError::ConnectionLost { .. }
            | ClientError::SessionExpired { .. }
            | ClientError::RateLimited { .. }
            | ClientError::ServerFailing { .. } => 4,
            ClientError::Auth(a) => a.exit_code(),
            _ => 1,
        }
    }

    pub(crate) fn from_auth(e: AuthError) -> Self {
        Self::from_auth_in(&e, None)
    }

    pub(crate) fn from_init(server: &str, e: ClientInitializeError) -> Self {
        let challenge = e.auth_challenge().map(str::to_string);
        if challenge.is_some()
            || chain_has::<AuthError>(&e, |a| matches!(a, AuthError::AuthorizationRequired))
        {
            return ClientError::AuthRequired {
                server: server.to_string(),
                challenge,
            };
        }
        if let Some(lost) = Self::connection_lost(server, &e) {
            return lost;
        }
        classify_transport(server, &e).unwrap_or_else(|| ClientError::Protocol {
            server: server.to_string(),
            reason: root_reason(&e),
        })
    }

    /// A transport that stopped without saying why (rmcp's "Transport channel closed").
    fn connection_lost(server: &str, e: &(dyn std::error::Error + 'static)) -> Option<Self> {
        type HttpError =
            rmcp::transport::streamable_http_client::StreamableHttpError<reqwest::Error>;
        causes(e)
            .into_iter()
            .any(|err| {
                matches!(err.downcast_ref(), Some(ServiceError::TransportClosed))
                    || matches!(
                        err.downcast_ref::<HttpError>(),
                        Some(HttpError::TransportChannelClosed)
                    )
            })
            .then(|| ClientError::ConnectionLost {
                server: server.to_string(),
            })
    }

    pub(crate) fn from_service(server: &str, e: ServiceError) -> Self {
        if e.is_authorization_required() || e.auth_challenge().is_some() {
            return ClientError::LoginExpired {
                server: server.to_string(),
            };
        }
        if let Some(lost) = Self::connection_lost(server, &e) {
            return lost;
        }
        if let ServiceError::McpError(data) = &e {
            if let Some(wait) = rate_limit(&data.message, data.data.as_ref()) {
                return ClientError::RateLimited {
                    what: format!("a request to {server}"),
                    message: data.message.to_string(),
                    wait,
                };
            }
            return ClientError::Protocol {
                server: server.to_string(),
                reason: data.message.to_string(),
            };
        }
        classify_transport(server, &e).unwrap_or_else(|| ClientError::Protocol {
            server: server.to_string(),
            reason: root_reason(&e),
        })
    }
}

/// Walk an error's sources looking for a `T` that satisfies `pred`.
fn chain_has<T: std::error::Error + 'static>(
    e: &(dyn std::error::Error + 'static),
    pred: impl Fn(&T) -> bool,
) -> bool {
    causes(e)
        .into_iter()
        .any(|err| err.downcast_ref::<T>().is_some_and(&pred))
}

/// Every error in `e`'s chain, including the ones rmcp holds without exposing them as
/// `source()` (a transport's boxed error, the HTTP client's error inside `Client(..)`).
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    type HttpError = rmcp::transport::streamable_http_client::StreamableHttpError<reqwest::Error>;
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(err) = stack.pop() {
        if out.len() > 32 {
            break;
        }
        out.push(err);
        if let Some(ClientInitializeError::TransportError { error, .. }) = err.downcast_ref() {
            stack.push(error.error.as_ref());
        }
        if let Some(ServiceError::TransportSend(t)) = err.downcast_ref() {
            stack.push(t.error.as_ref());
        }
        if let Some(HttpError::Client(r)) = err.downcast_ref::<HttpError>() {
            stack.push(r);
        }
        if let Some(next) = err.source() {
            stack.push(next);
        }
    }
    out
}

/// The innermost cause in words: rmcp's outer messages name its internal types.
fn root_reason(e: &(dyn std::error::Error + 'static)) -> String {
    causes(e)
        .last()
        .map(|c| c.to_string())
        .unwrap_or_else(|| e.to_string())
}

/// Connection-level failures (refused, DNS, TLS, timeouts, 5xx, a forgotten session) anywhere
/// in the chain.
fn classify_transport(server: &str, e: &(dyn std::error::Error + 'static)) -> Option<ClientError> {
    for err in causes(e) {
        if session_gone(err) {
            return Some(ClientError::SessionExpired {
                server: server.to_string(),
            });
        }
        if let Some(r) = err.downcast_ref::<reqwest::Error>()
            && (r.is_connect() || r.is_timeout() || r.is_request())
        {
            return Some(ClientError::Unreachable {
                server: server.to_string(),
                reason: crate::net::reqwest_reason(r),
            });
        }
        if let Some(a) = err.downcast_ref::<AuthError>() {
            return Some(ClientError::from_auth_in(a, Some(server)));
        }
        type HttpError =
            rmcp::transport::streamable_http_client::StreamableHttpError<reqwest::Error>;
        let status = err
            .downcast_ref::<rmcp::transport::streamable_http_client::HttpStatusError>()
            .or(match err.downcast_ref::<HttpError>() {
                Some(HttpError::HttpStatus(s)) => Some(s),
                _ => None,
            });
        if let Some(s) = status {
            if s.status == 429 || s.status >= 500 {
                return Some(ClientError::ServerFailing {
                    server: server.to_string(),
                    status: s.status,
                });
            }
            return Some(ClientError::Protocol {
                server: server.to_string(),
                reason: format!("the server answered HTTP {}", s.status),
            });
        }
    }
    None
}

impl ClientError {
    /// rmcp's auth errors routed for the caller. `session` is the server when the error came
    /// from a session that was working (a rejected token there means the login expired);
    /// `None` during a login.
    fn from_auth_in(a: &AuthError, session: Option<&str>) -> ClientError {
        match (a, session) {
            (
                AuthError::AuthorizationRequired | AuthError::TokenRefreshRejected(_),
                Some(server),
            ) => ClientError::LoginExpired {
                server: server.to_string(),
            },
            (AuthError::TokenRefreshFailed(m), Some(server)) if client_refused(m) => {
                ClientError::RegistrationDropped {
                    server: server.to_string(),
                }
            }
            (AuthError::TokenRefreshFailed(m), Some(server)) => ClientError::Unreachable {
                server: server.to_string(),
                reason: format!("refreshing the login failed ({m})"),
            },
            (other, _) => ClientError::from(crate::auth::AuthError::from_rmcp(other)),
        }
    }
}

/// Whether a failed refresh (rmcp's `TokenRefreshFailed`, which carries oauth2's error text)
/// was the token endpoint answering `invalid_client` (RFC 6749 §5.2): the server does not know
/// the client, or not with this secret. rmcp routes only `invalid_grant` itself.
fn client_refused(message: &str) -> bool {
    message
        .strip_prefix("Server returned error response: invalid_client")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

/// Whether `e` is the server having forgotten the session (HTTP 404 on a session's request).
pub(crate) fn session_expired(e: &ServiceError) -> bool {
    causes(e).into_iter().any(session_gone)
}

/// A 404 for the session, or rmcp's own new session after one that did not come up (it timed
/// out, or the server refused its `initialize`).
fn session_gone(err: &(dyn std::error::Error + 'static)) -> bool {
    type HttpError = rmcp::transport::streamable_http_client::StreamableHttpError<reqwest::Error>;
    matches!(
        err.downcast_ref::<HttpError>(),
        Some(
            HttpError::SessionExpired
                | HttpError::SessionRecoveryTimeout
                | HttpError::ReinitializationFailed(_)
        )
    )
}

/// Whether the session's transport is gone (rmcp's worker stopped: a new session after a 404
/// that failed, a stream the server closed): nothing more can be sent on it, and a new
/// session is the way on.
pub(crate) fn session_dead(e: &ServiceError) -> bool {
    type HttpError = rmcp::transport::streamable_http_client::StreamableHttpError<reqwest::Error>;
    causes(e).into_iter().any(|err| {
        matches!(err.downcast_ref(), Some(ServiceError::TransportClosed))
            || matches!(
                err.downcast_ref::<HttpError>(),
                Some(HttpError::TransportChannelClosed)
            )
    })
}

/// The scope a 403 `insufficient_scope` asks for, if that is why `e` happened.
pub(crate) fn insufficient_scope(e: &ServiceError) -> Option<String> {
    let ServiceError::TransportSend(t) = e else {
        return None;
    };
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(t.error.as_ref());
    while let Some(err) = cur {
        if let Some(s) = err.downcast_ref::<InsufficientScopeError>() {
            return Some(s.get_required_scope().unwrap_or_default().to_string());
        }
        cur = err.source();
    }
    None
}

impl From<AuthError> for ClientError {
    fn from(e: AuthError) -> Self {
        ClientError::from_auth(e)
    }
}

impl From<InsecureUrl> for ClientError {
    fn from(e: InsecureUrl) -> Self {
        ClientError::Auth(crate::auth::AuthError::Insecure(e))
    }
}

impl From<StoreError> for ClientError {
    fn from(e: StoreError) -> Self {
        ClientError::Auth(crate::auth::AuthError::Store(e))
    }
}

/// A login's failure as a client error: the same sentence, and the kinds callers route on
/// (unreachable, bad URL) kept.
impl From<crate::auth::AuthError> for ClientError {
    fn from(e: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError as A;
        match e {
            A::Unreachable { server, reason } => ClientError::Unreachable { server, reason },
            other => ClientError::Auth(other),
        }
    }
}

/// Whether a refusal from the server (a tool's `isError` reply, a JSON-RPC error: its text and
/// its structured data) says "too many requests": Krisp's `TOO_MANY_REQUESTS` code, "too many
/// concurrent requests", a `blocked_seconds` field. Read once, where the reply arrives; the
/// error it becomes is typed. `Some(wait)`: rate limited, with the wait it named if any.
pub(crate) fn rate_limit(text: &str, data: Option<&serde_json::Value>) -> Option<Option<Duration>> {
    let field_wait = data
        .and_then(|d| d.get("blocked_seconds").or_else(|| d.get("retry_after")))
        .and_then(serde_json::Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(300.0)));
    let code = data
        .and_then(|d| d.get("error").or_else(|| d.get("code")))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("TOO_MANY_REQUESTS"));
    let lower = text.to_ascii_lowercase();
    let said = lower.contains("too_many_requests")
        || lower.contains("too many requests")
        || lower.contains("too many concurrent")
        || lower.contains("blocked_seconds")
        || lower.contains("rate limit");
    (code || field_wait.is_some() || said).then(|| field_wait.or_else(|| named_wait(&lower)))
}

/// `blocked_seconds=5`, `blocked_seconds: 5`, `"blocked_seconds":5`, `retry after 5`.
fn named_wait(lower: &str) -> Option<Duration> {
    for key in [
        "blocked_seconds",
        "retry after",
        "retry_after",
        "retry-after",
    ] {
        if let Some(at) = lower.find(key) {
            let rest = &lower[at + key.len()..];
            let digits: String = rest
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            // Only a number close to the key counts.
            let gap = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(usize::MAX);
            if gap <= 4
                && let Ok(seconds) = digits.parse::<f64>()
                && seconds.is_finite()
                && seconds >= 0.0
            {
                return Some(Duration::from_secs_f64(seconds.min(300.0)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tool's `isError` reply as the client reads it (text, no structured content).
    fn tool_failed(message: &str) -> ClientError {
        crate::client::krisp::tool_refusal("get_multiple_documents", message, None)
    }

    #[test]
    fn an_invalid_client_refresh_is_a_dropped_registration_not_a_network_problem() {
        use oauth2::basic::BasicErrorResponseType;
        use oauth2::{RequestTokenError, StandardErrorResponse};
        // The text rmcp's TokenRefreshFailed carries: oauth2's own formatting of the reply.
        let text = |kind: BasicErrorResponseType| {
            RequestTokenError::<std::io::Error, _>::ServerResponse(StandardErrorResponse::new(
                kind,
                Some("unknown client".to_string()),
                None,
            ))
            .to_string()
        };
        let routed =
            |m: String| ClientError::from_auth_in(&AuthError::TokenRefreshFailed(m), Some("s"));
        let dropped = routed(text(BasicErrorResponseType::InvalidClient));
        assert!(
            matches!(&dropped, ClientError::RegistrationDropped { server } if server == "s"),
            "{dropped:?}"
        );
        assert_eq!(dropped.exit_code(), 3);
        assert!(dropped.is_auth_required());
        assert_eq!(dropped.retry_hint(), None);
        // Other refresh failures stay what they were.
        let other = routed(text(BasicErrorResponseType::InvalidRequest));
        assert!(
            matches!(other, ClientError::Unreachable { .. }),
            "{other:?}"
        );
        let other = routed("Server returned error response: invalid_client_metadata".into());
        assert!(
            matches!(other, ClientError::Unreachable { .. }),
            "{other:?}"
        );
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_with_the_named_wait() {
        assert_eq!(
            tool_failed("TOO_MANY_REQUESTS: too many concurrent requests; blocked_seconds=2")
                .retry_hint(),
            Some(Some(Duration::from_secs(2)))
        );
        assert_eq!(
            tool_failed(r#"{"error":"x","blocked_seconds": 1.5}"#).retry_hint(),
            Some(Some(Duration::from_millis(1500)))
        );
        assert_eq!(
            tool_failed("Too many concurrent requests").retry_hint(),
            Some(None)
        );
        // The structured shape alone says it too.
        let shaped = crate::client::krisp::tool_refusal(
            "get_multiple_documents",
            "refused",
            Some(&serde_json::json!({"error": "TOO_MANY_REQUESTS", "blocked_seconds": 3})),
        );
        assert_eq!(shaped.retry_hint(), Some(Some(Duration::from_secs(3))));
        // Our own sentences are never read for a retry: a protocol error that mentions an HTTP
        // 5xx in its words is what it is.
        assert_eq!(
            ClientError::Protocol {
                server: "s".into(),
                reason: "the server answered HTTP 503".into()
            }
            .retry_hint(),
            None
        );
        assert_eq!(
            ClientError::Internal("transport channel closed".into()).retry_hint(),
            None
        );
        assert_eq!(
            ClientError::Unreachable {
                server: "s".into(),
                reason: "connection refused".into()
            }
            .retry_hint(),
            Some(None)
        );
        for transient in [
            ClientError::ServerFailing {
                server: "s".into(),
                status: 503,
            },
            ClientError::ConnectionLost { server: "s".into() },
            ClientError::SessionExpired { server: "s".into() },
        ] {
            assert_eq!(transient.retry_hint(), Some(None), "{transient}");
        }
        // A real failure is not retried, nor a timeout (the user retries that).
        assert_eq!(tool_failed("documentId must be 32 hex").retry_hint(), None);
        assert_eq!(
            ClientError::TimedOut {
                server: "s".into(),
                seconds: 1
            }
            .retry_hint(),
            None
        );
        assert_eq!(
            ClientError::LoginExpired { server: "s".into() }.retry_hint(),
            None
        );
    }
}
