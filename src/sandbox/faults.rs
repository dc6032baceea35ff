//! Faults on purpose for the client's reliability tests: latency, 5xx, 429, forgotten sessions.
//!
//! They apply to `/mcp` only, before authentication, so the OAuth dance and the sandbox's own
//! introspection calls stay reliable. Random choices come from one generator seeded with
//! `--seed`, so a run with the same requests in the same order fails the same way.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::generate::SplitMix64;

/// One session in this many is forgotten at each request under `--drop-sessions`.
const DROP_ONE_IN: usize = 4;

pub struct Faults {
    latency: Duration,
    fail_rate: f64,
    rate_limit: Option<u32>,
    drop_sessions: bool,
    rng: Mutex<SplitMix64>,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    requests: u32,
}

impl Faults {
    pub fn new(
        latency: Duration,
        fail_rate: f64,
        rate_limit: Option<u32>,
        drop_sessions: bool,
        seed: u64,
    ) -> Self {
        Self {
            latency,
            fail_rate,
            rate_limit,
            drop_sessions,
            rng: Mutex::new(SplitMix64::new(seed ^ 0xfa17_5eed)),
            window: Mutex::new(Window {
                started: Instant::now(),
                requests: 0,
            }),
        }
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

pub async fn layer(
    State(faults): State<std::sync::Arc<Faults>>,
    request: Request,
    next: Next,
) -> Response {
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
