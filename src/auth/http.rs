//! The HTTP client every OAuth request goes through: our User-Agent, and no plain `http://`
//! except to loopback hosts.

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::auth::{
    OAuthHttpClient, OAuthHttpClientFuture, OAuthHttpRedirectPolicy, OAuthHttpRequest,
};
use url::Url;

/// Refuse cleartext except on loopback: tokens and codes must never cross a network in the clear.
pub fn check_transport(url: &Url) -> Result<(), InsecureUrl> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        _ => Err(InsecureUrl(url.to_string())),
    }
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("refusing {0}: only https:// is allowed, or http:// to this machine (localhost)")]
pub struct InsecureUrl(pub String);

/// One reqwest client per redirect policy; both send `User-Agent: krisp-tui/<version>`.
/// Built on first use: a headless call with a valid token never needs them.
pub struct OAuthHttp {
    clients: std::sync::OnceLock<Result<(reqwest::Client, reqwest::Client), String>>,
    timeout: Duration,
}

impl OAuthHttp {
    /// `timeout` bounds each request.
    pub fn new(timeout: Duration) -> Result<Arc<Self>, reqwest::Error> {
        Ok(Arc::new(Self {
            clients: std::sync::OnceLock::new(),
            timeout,
        }))
    }

    fn clients(&self) -> Result<&(reqwest::Client, reqwest::Client), String> {
        self.clients
            .get_or_init(|| Self::build(self.timeout).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn build(timeout: Duration) -> Result<(reqwest::Client, reqwest::Client), reqwest::Error> {
        let build = |redirect: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .user_agent(crate::USER_AGENT)
                .timeout(timeout)
                .redirect(redirect)
                .build()
        };
        let follow = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() > 5 {
                attempt.error("too many redirects")
            } else if let Err(e) = check_transport(attempt.url()) {
                attempt.error(e)
            } else {
                attempt.follow()
            }
        });
        Ok((build(follow)?, build(reqwest::redirect::Policy::none())?))
    }
}

impl OAuthHttpClient for OAuthHttp {
    fn execute(&self, request: OAuthHttpRequest) -> OAuthHttpClientFuture<'_> {
        Box::pin(async move {
            let policy = request.redirect_policy;
            let timeout = request.timeout;
            let mut request = reqwest::Request::try_from(request.request)?;
            check_transport(request.url())?;
            if let Some(t) = timeout {
                *request.timeout_mut() = Some(t);
            }
            let (follow, stop) = self.clients()?;
            let client = match policy {
                OAuthHttpRedirectPolicy::Stop => stop,
                _ => follow,
            };
            // Method and path only: query strings can carry codes.
            let span = tracing::debug_span!("oauth", method = %request.method(), path = request.url().path());
            let _enter = span.enter();
            let response = client.execute(request).await?;
            tracing::debug!(status = response.status().as_u16(), "oauth response");
            let mut builder = http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            const MAX_BODY: usize = 1 << 20;
            let mut body = Vec::new();
            let mut response = response;
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err("OAuth response body is larger than 1 MiB".into());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(builder.body(body)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        let ok = [
            "https://mcp.krisp.ai/mcp",
            "http://127.0.0.1:8787/mcp",
            "http://localhost/x",
            "http://[::1]:9/",
        ];
        for u in ok {
            assert!(check_transport(&Url::parse(u).unwrap()).is_ok(), "{u}");
        }
        let bad = [
            "http://mcp.krisp.ai/mcp",
            "http://10.0.0.1/",
            "http://127.0.0.1.evil.com/",
            "ftp://127.0.0.1/",
        ];
        for u in bad {
            assert!(check_transport(&Url::parse(u).unwrap()).is_err(), "{u}");
        }
    }
}
