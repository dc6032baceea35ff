//! One line per request: time, method, path, status, latency. Never a query string or a body,
//! so codes, tokens, verifiers and secrets cannot reach the log.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;

/// Where request lines go: stderr for `krisp-tui sandbox`, `tracing` when embedded (the TUI
/// owns the terminal then).
pub enum AccessLog {
    Stderr,
    Tracing,
}

pub async fn layer(State(log): State<Arc<AccessLog>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    match *log {
        AccessLog::Stderr => eprintln!(
            "{} {method} {path} {status} {millis:.1}ms",
            super::data::iso(jiff::Timestamp::now())
        ),
        AccessLog::Tracing => {
            tracing::debug!(target: "krisp_tui::sandbox", %method, %path, status, millis, "request");
        }
    }
    response
}
