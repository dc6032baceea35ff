//! HTTP plumbing under both `auth` and `client`: how a reqwest client is built, and a reqwest
//! failure in words.

use std::time::Duration;

/// How long a request may take unless `--timeout` or config.toml say otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP client for requests to `url`; `timeout` bounds each request whole (None: the
/// caller bounds it, as for MCP's event streams). For plain-http loopback servers (the
/// sandbox, local MCP servers) it skips loading the system's trust store, which is most of a
/// headless call's start-up time and is never used without TLS.
pub fn http_client(
    url: &str,
    timeout: Option<Duration>,
) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .connect_timeout(Duration::from_secs(10));
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    if url.starts_with("http://") {
        builder = builder.tls_certs_only(Vec::new());
    }
    builder.build()
}

/// The innermost cause of a reqwest failure, in words (no URL query strings).
pub fn reqwest_reason(e: &reqwest::Error) -> String {
    // reqwest's own message names the URL, and a redirect URL can carry a code: skip it.
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut last = "the request failed".to_string();
    while let Some(err) = cur {
        last = err.to_string();
        cur = err.source();
    }
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        format!("connection failed ({last})")
    } else {
        last
    }
}
