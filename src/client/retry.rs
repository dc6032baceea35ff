//! One retry policy for every request: whether a failure is worth another try comes from the
//! error's kind (`ClientError::retry_hint`, decided where the reply arrived, never from our
//! own sentences), and how long to wait from one curve: exponential backoff with full jitter,
//! capped at 30 s, a wait the server named honoured.
//!
//! Three callers, each with its own base and number of tries: the HTTP layer's quick retries
//! inside one request (`TRANSPORT`), the TUI's document fetches (`REQUEST`), and the sync
//! (`SyncOptions`, `--concurrency` aside).

use std::time::Duration;

/// A base wait and how many tries in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub base: Duration,
    /// Tries after the first.
    pub retries: u32,
}

impl Policy {
    /// Inside one HTTP request (429 and 502–504, a 401 on a token issued seconds ago): quick.
    pub const TRANSPORT: Policy = Policy {
        base: Duration::from_millis(400),
        retries: 3,
    };
    /// A request the UI waits for (a transcript): about 1–2 s, 2–4 s, then 4–8 s.
    pub const REQUEST: Policy = Policy {
        base: Duration::from_secs(2),
        retries: 3,
    };

    /// The wait before retry `attempt` (from 1): a random wait between half of
    /// `base · 2^(attempt-1)` (capped at 30 s) and all of it; a wait the server named instead,
    /// plus a little jitter so parallel clients do not return in lockstep.
    pub fn wait(&self, attempt: u32, named: Option<Duration>) -> Duration {
        use rand::Rng;
        let mut rng = rand::rng();
        if let Some(wait) = named {
            return wait + Duration::from_millis(rng.random_range(0..=250));
        }
        let cap = self
            .base
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
            .min(Duration::from_secs(30));
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(rng.random_range(cap_ms / 2..=cap_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_is_capped_and_honours_the_server() {
        let policy = Policy {
            base: Duration::from_millis(500),
            retries: 9,
        };
        for attempt in 1..10 {
            let wait = policy.wait(attempt, None);
            let cap = (policy.base * (1 << (attempt - 1))).min(Duration::from_secs(30));
            assert!(wait <= cap && wait >= cap / 2, "{attempt}: {wait:?}");
        }
        let named = policy.wait(1, Some(Duration::from_secs(3)));
        assert!(named >= Duration::from_secs(3) && named <= Duration::from_millis(3250));
    }
}
