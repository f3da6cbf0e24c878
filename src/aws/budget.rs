//! Client-side call budgets: a token bucket per API family, kept below the
//! account's quota (which deploy pipelines share), and jittered exponential
//! back-off when AWS throttles anyway.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A token bucket: `rate` calls a second on average, bursts up to `burst`.
pub(crate) struct Budget {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
    /// Calls that had to wait for a token.
    pub waited: AtomicU64,
}

impl Budget {
    pub fn new(rate: f64, burst: u32) -> Budget {
        let burst = f64::from(burst.max(1));
        Budget {
            rate: rate.max(0.01),
            burst,
            state: Mutex::new((burst, Instant::now())),
            waited: AtomicU64::new(0),
        }
    }

    /// Wait until the budget allows one more call.
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let (tokens, last) = &mut *state;
                let now = Instant::now();
                *tokens =
                    (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.burst);
                *last = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - *tokens) / self.rate)
            };
            self.waited.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }
}

pub use crate::domain::ports::CallCounter as Calls;

/// How long to wait before retry `attempt`: the domain's formula with a random draw.
pub(crate) fn backoff_delay(attempt: u32, base: Duration, cap: Duration) -> Duration {
    crate::domain::backoff::backoff_delay(attempt, base, cap, fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_within_its_band() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for _ in 0..100 {
            assert!(backoff_delay(0, base, cap) <= Duration::from_millis(100));
            assert!(backoff_delay(3, base, cap) <= Duration::from_millis(800));
            assert!(backoff_delay(30, base, cap) <= cap);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn bucket_allows_the_burst_then_paces() {
        let budget = Budget::new(10.0, 5);
        let start = Instant::now();
        for _ in 0..5 {
            budget.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_millis(10));
        for _ in 0..10 {
            budget.acquire().await;
        }
        // 10 more calls at 10/s take about a second.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
        assert!(elapsed <= Duration::from_millis(1200), "{elapsed:?}");
    }
}
