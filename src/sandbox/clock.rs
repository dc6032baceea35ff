//! The sandbox's notion of "now": the system clock, or a manual clock tests move by hand.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use time::OffsetDateTime;

/// Where token lifetimes, code expiry, `date_time` and upcoming meetings read the time from.
///
/// Tests start the sandbox with [`Clock::manual`] and [`advance`](Clock::advance) it instead of
/// sleeping; everything else uses [`Clock::system`].
#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System,
    Manual(Arc<Mutex<OffsetDateTime>>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock that stands still at `start` until [`advance`](Clock::advance)d.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self(Source::Manual(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.0 {
            Source::System => OffsetDateTime::now_utc(),
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
        self.now().unix_timestamp()
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
    use time::macros::datetime;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual(datetime!(2026-11-27 12:00 UTC));
        let copy = clock.clone();
        assert_eq!(clock.now(), datetime!(2026-11-27 12:00 UTC));
        copy.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), datetime!(2026-11-27 12:01:30 UTC));
    }
}
