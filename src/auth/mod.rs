//! OAuth 2.0 login (browser PKCE flow through rmcp), the loopback callback and the token stores.
//!
//! rmcp does discovery (RFC 9728 / RFC 8414 / OIDC), PKCE, `state`, `resource`, issuer checks,
//! token exchange and refresh. This module adds what is krisp-tui's own: the loopback listener,
//! the browser, Krisp's confidential-client registration quirk, and where credentials are kept.

pub mod callback;
mod error;
pub mod http;
mod login;
pub mod registration;
mod settings;
pub mod store;

pub use error::{AuthError, sentence};
pub use login::{
    Authorized, Paste, PasteRefused, PendingLogin, announce, logout, manager_for, open_store,
    step_up,
};
pub use settings::{BrowserMode, Settings};

use rmcp::model::{ClientCapabilities, Implementation, InitializeRequestParams, ProtocolVersion};

/// What we tell a server about ourselves, the same in the login's probe and in the session's
/// `initialize`. rmcp's LATEST is the 2026-07-28 draft; Krisp and the conformance suite speak
/// 2025-11-25 with the `initialize` lifecycle.
pub fn client_info() -> InitializeRequestParams {
    InitializeRequestParams::new(
        ClientCapabilities::default(),
        Implementation::new("krisp-tui", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
}
