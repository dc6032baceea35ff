//! The sandbox's notion of "now": the system clock, or a manual clock tests move by hand.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;

/// Where token lifetimes, code expiry, `date_time` and upcoming meetings read the time from.
///
/// Tests start the sandbox with [`Clock::manual`] and [`advance`](Clock::advance) it instead of
/// sleeping; everything else uses [`Clock::system`].
#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System,
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock that stands still at `start` until [`advance`](Clock::advance)d.
    pub fn manual(start: Timestamp) -> Self {
        Self(Source::Manual(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Source::System => Timestamp::now(),
            Source::Manual(now) => *now.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock forward; a no-op on the system clock.
    pub fn advance(&self, by: Duration) {
        if let Source::Manual(now) = &self.0 {
            let mut now = now.lock().unwrap_or_else(PoisonError::into_inner);
            *now += by;
        }
    }

    /// Seconds since the Unix epoch, as OAuth's `exp` and `iat` want them.
    pub fn unix(&self) -> i64 {
        self.now().as_second()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        let clock = Clock::manual(at("2026-11-27T12:00:00Z"));
        let copy = clock.clone();
        assert_eq!(clock.now(), at("2026-11-27T12:00:00Z"));
        copy.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), at("2026-11-27T12:01:30Z"));
    }
}
