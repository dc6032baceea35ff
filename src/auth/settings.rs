//! Everything needed to reach one server and log in to it, built from the command line.

use std::path::PathBuf;

use super::store::StoreKind;

/// How the login reaches a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserMode {
    /// Open the system browser (the URL is always shown too).
    System,
    /// Do not open anything: the user opens the URL elsewhere and may paste the redirect.
    None,
    /// Follow the authorization URL's redirects in-process: the sandbox with `--auto-approve`
    /// (`--demo`) and the conformance suite, whose `/authorize` redirects at once.
    InProcess,
}

#[derive(Clone)]
pub struct Settings {
    /// The MCP endpoint, e.g. `https://mcp.krisp.ai/mcp`.
    pub server: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_metadata_url: Option<String>,
    /// Empty: chosen as the MCP spec says (challenge, then the resource's `scopes_supported`).
    pub scopes: Vec<String>,
    pub store: StoreKind,
    pub config_dir: PathBuf,
    pub redirect_port: u16,
    pub browser: BrowserMode,
    /// Never start a browser login; fail with "not logged in" instead.
    pub no_login: bool,
    /// How long one request (an MCP call, an OAuth or registration request) may take.
    pub timeout: std::time::Duration,
}

impl Settings {
    /// Defaults for `server`: the `auto` store, the system browser, the stable redirect port.
    pub fn new(server: impl Into<String>, config_dir: PathBuf) -> Self {
        Settings {
            server: server.into(),
            client_id: None,
            client_secret: None,
            client_metadata_url: None,
            scopes: Vec::new(),
            store: StoreKind::Auto,
            config_dir,
            redirect_port: super::callback::DEFAULT_PORT,
            browser: BrowserMode::System,
            no_login: false,
            timeout: crate::net::DEFAULT_TIMEOUT,
        }
    }
}

// Hand-written so that `client_secret` never reaches a log through `{:?}`.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("server", &self.server)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("client_metadata_url", &self.client_metadata_url)
            .field("scopes", &self.scopes)
            .field("store", &self.store)
            .field("config_dir", &self.config_dir)
            .field("redirect_port", &self.redirect_port)
            .field("browser", &self.browser)
            .field("no_login", &self.no_login)
            .field("timeout", &self.timeout)
            .finish()
    }
}
