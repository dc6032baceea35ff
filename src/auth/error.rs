//! Login errors, worded as sentences for the user and typed so callers can pick an exit code.
//! None of them carries a token, code or secret.

use rmcp::transport::auth::AuthError as RmcpAuthError;

use super::http::InsecureUrl;
use super::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("You declined access in the browser.")]
    Denied,
    #[error("The authorization server refused the login: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("No answer from the browser within 5 minutes; run the login again.")]
    TimedOut,
    #[error("{server} does not ask for a login; there is nothing to do.")]
    NotNeeded { server: String },
    #[error("{server} is not an MCP server: {why}. Check the address.")]
    NotMcp { server: String, why: String },
    #[error("could not listen for the login redirect on 127.0.0.1: {0}")]
    Listener(std::io::Error),
    #[error("login failed: {0}")]
    Failed(String),
    #[error("cannot reach {server}: {reason}. Check the address and your network.")]
    Unreachable { server: String, reason: String },
    #[error("{server} is not a usable server URL: {reason}")]
    BadServerUrl { server: String, reason: String },
    #[error(transparent)]
    Insecure(#[from] InsecureUrl),
    #[error("credential store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    /// Process exit code for the headless commands: 4 unreachable, 1 set-up problems, 3 a
    /// login that did not happen.
    pub fn exit_code(&self) -> u8 {
        match self {
            AuthError::NotNeeded { .. } => 0,
            AuthError::Unreachable { .. } => 4,
            AuthError::BadServerUrl { .. }
            | AuthError::NotMcp { .. }
            | AuthError::Insecure(_)
            | AuthError::Store(_)
            | AuthError::Internal(_) => 1,
            _ => 3,
        }
    }

    /// rmcp's auth errors during a login, in words.
    pub fn from_rmcp(e: &RmcpAuthError) -> AuthError {
        match e {
            RmcpAuthError::AuthorizationRequired => AuthError::Failed(
                "the server asks for a login that krisp-tui could not complete".into(),
            ),
            RmcpAuthError::TokenRefreshRejected(_) => AuthError::Failed(
                "the server rejected the stored login; run krisp-tui login".into(),
            ),
            RmcpAuthError::CredentialStoreError(m) => {
                AuthError::Internal(format!("credential store: {m}"))
            }
            RmcpAuthError::HttpError(e) => AuthError::Unreachable {
                server: e
                    .url()
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_default(),
                reason: crate::net::reqwest_reason(e),
            },
            RmcpAuthError::DiscoveryRequestFailed { url, source } => AuthError::Unreachable {
                server: url.origin().ascii_serialization(),
                reason: source.to_string(),
            },
            other => AuthError::Failed(sentence(other)),
        }
    }
}

impl From<RmcpAuthError> for AuthError {
    fn from(e: RmcpAuthError) -> Self {
        AuthError::from_rmcp(&e)
    }
}

/// rmcp's auth errors in words a user can act on.
pub fn sentence(e: &RmcpAuthError) -> String {
    match e {
        RmcpAuthError::PkceUnsupported => {
            "the authorization server does not support PKCE with S256, which krisp-tui requires"
                .into()
        }
        RmcpAuthError::AuthorizationServerMismatch {
            expected_issuer,
            received_issuer,
        } => format!(
            "the authorization server says it is {received_issuer} but was found as {expected_issuer}; refusing it (RFC 8414 §3.3)"
        ),
        RmcpAuthError::ProtectedResourceMetadataInvalid { reason, .. } => format!(
            "the server's protected resource metadata does not describe this server ({reason}); refusing to send it a login"
        ),
        RmcpAuthError::RegistrationFailed(m) => format!("client registration failed: {m}"),
        RmcpAuthError::TokenExchangeFailed(m) => format!("the token exchange failed: {m}"),
        RmcpAuthError::NoAuthorizationSupport => "the server does not say how to log in".into(),
        other => other.to_string(),
    }
}
