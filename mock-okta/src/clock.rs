//! The mock's clock: the system's time, plus how far a test moved it
//! forward. Everything with an expiry (codes, tokens, logins) and every
//! time in a token (`iat`, `exp`, `auth_time`) reads it, so moving it makes
//! them expire as if that time had passed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The mock's time. It only moves forward: Okta's clock never goes back.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// How far ahead of the system's time it is, in milliseconds.
    ahead: AtomicU64,
}

impl Clock {
    /// Now, on the mock's clock.
    pub(crate) fn now(&self) -> SystemTime {
        SystemTime::now() + self.ahead()
    }

    /// Now, in seconds since the Unix epoch: what `iat` and `exp` count.
    pub(crate) fn unix(&self) -> u64 {
        unix(self.now())
    }

    /// How far ahead of the system's time the clock is.
    pub(crate) fn ahead(&self) -> Duration {
        Duration::from_millis(self.ahead.load(Ordering::Relaxed))
    }

    /// Moves the clock forward (to the millisecond; saturating, so any
    /// `Duration` is safe).
    pub(crate) fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.ahead
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ahead| {
                Some(ahead.saturating_add(by))
            })
            .ok();
    }

    /// Back to the system's time: what a reset of the whole mock does (the
    /// one way it goes back).
    pub(crate) fn reset(&self) {
        self.ahead.store(0, Ordering::Relaxed);
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `500ms`, `30s`, `2m`, `2h`, `7d`, or a bare number of seconds, up to
/// `longest`; anything else is `None`.
pub(crate) fn parse_span(text: &str, longest: Duration) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = |per: u64| number.checked_mul(per).map(Duration::from_secs);
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "" | "s" => seconds(1),
        "m" => seconds(60),
        "h" => seconds(3600),
        "d" => seconds(24 * 3600),
        _ => None,
    }
    .filter(|d| *d <= longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_forward_only_by_what_it_is_told() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(7200));
        let moved = clock.now().duration_since(before).expect("forward");
        assert!(moved >= Duration::from_secs(7200) && moved < Duration::from_secs(7260));
        clock.advance(Duration::MAX);
        assert_eq!(clock.ahead(), Duration::from_millis(u64::MAX), "saturates");
    }

    #[test]
    fn spans_in_every_unit_up_to_the_longest() {
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(parse_span("250ms", day), Some(Duration::from_millis(250)));
        assert_eq!(parse_span("30s", day), Some(Duration::from_secs(30)));
        assert_eq!(parse_span("7", day), Some(Duration::from_secs(7)));
        assert_eq!(parse_span("2m", day), Some(Duration::from_secs(120)));
        assert_eq!(parse_span("2h", day), Some(Duration::from_secs(7200)));
        assert_eq!(parse_span("1d", day), Some(day));
        assert_eq!(parse_span("25h", day), None, "longer than allowed");
        assert_eq!(parse_span("18446744073709551615d", Duration::MAX), None);
        assert_eq!(parse_span("1w", day), None);
        assert_eq!(parse_span("soon", day), None);
    }
}
