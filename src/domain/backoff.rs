//! Retry delays: exponential with "full jitter". Pure: the caller supplies the
//! random draw, so the formula is testable and the domain stays free of IO.

use std::time::Duration;

/// The delay before retry `attempt` (0-based): between a quarter of and the
/// whole exponentially growing ceiling (`base · 2^attempt`, capped), placed by
/// `jitter` in 0.0..=1.0.
pub(crate) fn backoff_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let ceiling = base
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(cap);
    let ceiling_ms = ceiling.as_millis().max(1) as f64;
    let low = ceiling_ms / 4.0;
    Duration::from_millis((low + (ceiling_ms - low) * jitter.clamp(0.0, 1.0)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_is_capped_and_stays_in_its_band() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        assert_eq!(backoff_delay(0, base, cap, 1.0), Duration::from_millis(100));
        assert_eq!(backoff_delay(0, base, cap, 0.0), Duration::from_millis(25));
        assert_eq!(backoff_delay(3, base, cap, 1.0), Duration::from_millis(800));
        assert_eq!(backoff_delay(30, base, cap, 1.0), cap);
        assert_eq!(backoff_delay(30, base, cap, 7.0), cap, "jitter is clamped");
    }
}
