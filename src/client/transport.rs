//! The HTTP layer under rmcp's streamable-HTTP transport: reqwest, plus the retries Krisp needs.
//!
//! - A 401 on a token issued seconds ago is Krisp's propagation delay, not an expired login:
//!   retry the same token with a short backoff before rmcp's `AuthClient` refreshes it.
//! - 429 (with `Retry-After`) and 502/503/504 are retried a few times with backoff; so is 500
//!   for requests that only read (see [`is_read`]), which are safe to send again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};
use sse_stream::{Error as SseError, Sse};

use crate::auth::store::ServerStore;

/// How long after issuance a 401 is treated as propagation delay.
const FRESH_TOKEN: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct RetryingHttp {
    pub inner: reqwest::Client,
    pub store: Option<Arc<ServerStore>>,
}

impl RetryingHttp {
    fn token_is_fresh(&self) -> bool {
        self.store
            .as_ref()
            .and_then(|s| s.token_age())
            .is_some_and(|age| age < FRESH_TOKEN)
    }
}

const POLICY: super::retry::Policy = super::retry::Policy::TRANSPORT;

/// `Retry-After` in seconds, at most 30 (the HTTP-date form is rare for 429: no wait named).
fn retry_after(value: Option<&str>) -> Option<Duration> {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(30)))
}

impl StreamableHttpClient for RetryingHttp {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        self.post_message_with_response_limits(
            uri,
            message,
            session_id,
            auth_header,
            custom_headers,
            StreamableHttpResponseLimits::default(),
        )
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let mut attempt = 0;
        loop {
            let result = self
                .inner
                .post_message_with_response_limits(
                    uri.clone(),
                    message.clone(),
                    session_id.clone(),
                    auth_header.clone(),
                    custom_headers.clone(),
                    limits,
                )
                .await;
            let wait = match &result {
                Err(StreamableHttpError::AuthRequired(_))
                    if auth_header.is_some() && self.token_is_fresh() =>
                {
                    tracing::debug!(attempt, "401 on a fresh token; retrying");
                    POLICY.wait(attempt + 1, None)
                }
                Err(StreamableHttpError::HttpStatus(e))
                    if e.status == 429
                        || matches!(e.status, 502..=504)
                        || (e.status == 500 && is_read(&message)) =>
                {
                    tracing::debug!(attempt, status = e.status, "retrying");
                    POLICY.wait(attempt + 1, retry_after(e.retry_after.as_deref()))
                }
                _ => return result,
            };
            if attempt >= POLICY.retries {
                return result;
            }
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        self.inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        self.inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await
    }
}

/// Whether sending `message` twice changes nothing on the server: the handshake, listings, and
/// calls of Krisp's read tools (`search_*`, `get_*`, `list_*`, `date_time`). A tool that may
/// write (tagging, ticking off an action item) is not retried after a 500, which may have
/// come after the write.
pub fn is_read(message: &ClientJsonRpcMessage) -> bool {
    let Ok(value) = serde_json::to_value(message) else {
        return false;
    };
    match value["method"].as_str() {
        Some(
            "initialize"
            | "notifications/initialized"
            | "ping"
            | "tools/list"
            | "resources/list"
            | "prompts/list",
        ) => true,
        Some("tools/call") => value["params"]["name"].as_str().is_some_and(|name| {
            name == "date_time"
                || ["search_", "get_", "list_"]
                    .iter()
                    .any(|p| name.starts_with(p))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_told_from_calls_that_may_write() {
        let message =
            |v: serde_json::Value| serde_json::from_value::<ClientJsonRpcMessage>(v).unwrap();
        let call = |name: &str| {
            message(
                serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": name, "arguments": {}}}),
            )
        };
        assert!(is_read(&message(
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        )));
        assert!(is_read(&call("search_meetings")));
        assert!(is_read(&call("get_multiple_documents")));
        assert!(is_read(&call("date_time")));
        assert!(!is_read(&call("tag_meeting")));
        assert!(!is_read(&call("complete_action_item")));
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_capped() {
        assert_eq!(retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some("3600")), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(None), None);
    }
}
