//! Faults on purpose for the client's reliability tests: latency, 5xx, 429, forgotten sessions,
//! a concurrency limit.
//!
//! They apply to `/mcp` only, before authentication, so the OAuth dance and the sandbox's own
//! introspection calls stay reliable. Random choices come from one generator seeded with
//! `--seed`, so a run with the same requests in the same order fails the same way.
//!
//! `--max-concurrent N`: Krisp is believed to limit the requests an account has in flight
//! (KRISP.md §3; clients match `TOO_MANY_REQUESTS`, `too many concurrent`, `blocked_seconds`).
//! A `tools/call` that arrives while N others are in flight (counted from arrival, so the
//! `--latency-ms` wait counts, until the reply is written, or the request is dropped) is refused
//! with a tool result, HTTP 200 as for any tool failure:
//! `isError: true`, text `TOO_MANY_REQUESTS: too many concurrent requests (limit N); retry after
//! blocked_seconds=1`, and `structuredContent: {"error": "TOO_MANY_REQUESTS", "message": <that
//! text>, "blocked_seconds": 1}`. A tool result rather than a JSON-RPC error because that is how
//! Krisp reports everything else that goes wrong inside a call (KRISP.md §4), so the clients'
//! text match finds it where they already look, and `structuredContent` gives the wait as a
//! number. The refused call does not take a slot. Other methods (`initialize`, `tools/list`)
//! are neither counted nor refused.
//!
//! `--fail-tool NAME=N` answers the first N `tools/call`s of tool NAME with HTTP 503 (after any
//! `--latency-ms`), and `--stall-tool NAME=N` holds the first N of them for [`STALL`] before
//! answering: a transcript that fails, or a request that outlasts the client's `--timeout`,
//! exactly when a test wants it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::json;

use super::generate::SplitMix64;

/// How long a refused client is told to wait under `--max-concurrent`.
const BLOCKED_SECONDS: u64 = 1;
/// Bodies read to find `tools/call` (the MCP layer refuses larger ones anyway).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One session in this many is forgotten at each request under `--drop-sessions`.
const DROP_ONE_IN: usize = 4;

/// How long `--stall-tool` holds a call.
pub const STALL: Duration = Duration::from_secs(60);

/// `NAME=N`: the first N calls of tool NAME (`--fail-tool`, `--stall-tool`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFault {
    pub tool: String,
    pub times: u32,
}

impl std::str::FromStr for ToolFault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (tool, times) = s
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=N, not {s:?}"))?;
        let times = times
            .trim()
            .parse()
            .map_err(|_| format!("expected a count after {tool}=, not {times:?}"))?;
        Ok(ToolFault {
            tool: tool.trim().to_owned(),
            times,
        })
    }
}

/// What happens to a call of a tool named in `--fail-tool` / `--stall-tool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ToolAction {
    Fail,
    Stall,
}

pub struct Faults {
    latency: Duration,
    fail_rate: f64,
    rate_limit: Option<u32>,
    drop_sessions: bool,
    max_concurrent: Option<usize>,
    in_flight: AtomicUsize,
    rng: Mutex<SplitMix64>,
    window: Mutex<Window>,
    /// Calls of each named tool still to fail or stall.
    tool_faults: Mutex<HashMap<String, (ToolAction, u32)>>,
}

/// Put in a refused `tools/call`'s request extensions; the tool handler answers it.
#[derive(Debug, Clone, Copy)]
pub struct TooManyConcurrent {
    pub limit: usize,
}

impl TooManyConcurrent {
    /// The refusal, in the shape documented at the top of this file.
    pub fn result(self) -> CallToolResult {
        let message = format!(
            "TOO_MANY_REQUESTS: too many concurrent requests (limit {}); retry after blocked_seconds={BLOCKED_SECONDS}",
            self.limit
        );
        let mut result = CallToolResult::error(vec![ContentBlock::text(message.clone())]);
        result.structured_content = Some(json!({
            "error": "TOO_MANY_REQUESTS",
            "message": message,
            "blocked_seconds": BLOCKED_SECONDS,
        }));
        result
    }
}

/// A slot of `--max-concurrent`, given back when the request finishes or is dropped.
struct InFlight(Arc<Faults>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Window {
    started: Instant,
    requests: u32,
}

impl Faults {
    pub fn new(args: &super::SandboxArgs) -> Self {
        let tool_faults = args
            .fail_tool
            .iter()
            .map(|f| (f, ToolAction::Fail))
            .chain(args.stall_tool.iter().map(|f| (f, ToolAction::Stall)))
            .map(|(f, action)| (f.tool.clone(), (action, f.times)))
            .collect();
        Self {
            latency: Duration::from_millis(args.latency_ms),
            fail_rate: args.fail_rate,
            rate_limit: args.rate_limit,
            drop_sessions: args.drop_sessions,
            max_concurrent: args.max_concurrent,
            in_flight: AtomicUsize::new(0),
            rng: Mutex::new(SplitMix64::new(args.seed ^ 0xfa17_5eed)),
            window: Mutex::new(Window {
                started: Instant::now(),
                requests: 0,
            }),
            tool_faults: Mutex::new(tool_faults),
        }
    }

    /// Whether this call of `tool` fails or stalls, counting it.
    fn tool_fault(&self, tool: &str) -> Option<ToolAction> {
        let mut faults = self
            .tool_faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (action, left) = faults.get_mut(tool)?;
        if *left == 0 {
            return None;
        }
        *left -= 1;
        Some(*action)
    }

    fn roll(&self) -> f64 {
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether this request finds its session forgotten (`--drop-sessions`).
    pub fn drop_session(&self) -> bool {
        self.drop_sessions
            && self
                .rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .below(DROP_ONE_IN)
                == 0
    }

    /// Seconds until the current one-second window ends, when this request is over the limit.
    fn over_limit(&self) -> Option<u64> {
        let limit = self.rate_limit?;
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if now.duration_since(window.started) >= Duration::from_secs(1) {
            window.started = now;
            window.requests = 0;
        }
        window.requests += 1;
        (window.requests > limit).then_some(1)
    }
}

/// A slot for this `tools/call`, or `Err` with the limit when all are taken.
fn take_slot(faults: &Arc<Faults>, limit: usize) -> Result<InFlight, TooManyConcurrent> {
    let taken = faults
        .in_flight
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < limit).then_some(n + 1)
        });
    match taken {
        Ok(_) => Ok(InFlight(faults.clone())),
        Err(_) => Err(TooManyConcurrent { limit }),
    }
}

/// The tool a `tools/call` body calls (`""` when it names none); `None` for other requests.
fn tool_call(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Params {
        #[serde(default)]
        name: String,
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(default)]
        method: Option<String>,
        #[serde(default)]
        params: Option<Params>,
    }
    let envelope = serde_json::from_slice::<Envelope>(body).ok()?;
    (envelope.method.as_deref() == Some("tools/call"))
        .then(|| envelope.params.map(|p| p.name).unwrap_or_default())
}

pub async fn layer(
    State(faults): State<Arc<Faults>>,
    mut request: Request,
    next: Next,
) -> Response {
    // Held until this function returns or its future is dropped (client gone, shutdown).
    let mut _slot = None;
    let mut tool_fault = None;
    let reads_body = faults.max_concurrent.is_some()
        || !faults
            .tool_faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty();
    if reads_body && request.method() == axum::http::Method::POST {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large").into_response();
        };
        let tool = tool_call(&bytes);
        request = Request::from_parts(parts, Body::from(bytes));
        if let (Some(limit), Some(_)) = (faults.max_concurrent, &tool) {
            match take_slot(&faults, limit) {
                Ok(slot) => _slot = Some(slot),
                Err(refused) => {
                    request.extensions_mut().insert(refused);
                }
            }
        }
        tool_fault = tool.and_then(|name| faults.tool_fault(&name));
    }
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if let Some(retry_after) = faults.over_limit() {
        let mut response = (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return response;
    }
    match tool_fault {
        Some(ToolAction::Fail) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "simulated failure (--fail-tool)",
            )
                .into_response();
        }
        Some(ToolAction::Stall) => tokio::time::sleep(STALL).await,
        None => {}
    }
    if faults.fail_rate > 0.0 && faults.roll() < faults.fail_rate {
        const FAILURES: [StatusCode; 3] = [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
        ];
        let status = FAILURES[(faults.roll() * FAILURES.len() as f64) as usize % FAILURES.len()];
        return (status, "simulated failure (--fail-rate)").into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_faults_read_name_and_count() {
        assert_eq!(
            "get_multiple_documents=6".parse::<ToolFault>(),
            Ok(ToolFault {
                tool: "get_multiple_documents".into(),
                times: 6
            })
        );
        assert!("get_document".parse::<ToolFault>().is_err());
        assert!("get_document=x".parse::<ToolFault>().is_err());
    }

    #[test]
    fn only_the_named_tools_calls_count_and_only_n_times() {
        let args = crate::SandboxArgs {
            fail_tool: vec!["get_document=2".parse().unwrap()],
            stall_tool: vec!["search_meetings=1".parse().unwrap()],
            ..Default::default()
        };
        let faults = Faults::new(&args);
        let call = |name: &str| {
            tool_call(
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": name, "arguments": {}}})
                .to_string()
                .as_bytes(),
            )
        };
        assert_eq!(call("get_document").as_deref(), Some("get_document"));
        assert_eq!(tool_call(br#"{"method":"tools/list"}"#), None);
        let seen: Vec<Option<ToolAction>> = ["date_time", "get_document", "search_meetings"]
            .iter()
            .cycle()
            .take(9)
            .map(|t| faults.tool_fault(t))
            .collect();
        use ToolAction::{Fail, Stall};
        assert_eq!(
            seen,
            [
                None,
                Some(Fail),
                Some(Stall),
                None,
                Some(Fail),
                None,
                None,
                None,
                None
            ]
        );
    }
}
