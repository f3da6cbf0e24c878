//! The demo account on a manual clock at the scenario's 03:12, no latency.

use chrono::{TimeZone, Utc};
use std::sync::Arc;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;

pub fn demo() -> (Arc<ManualClock>, DemoAccount) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap(),
    ));
    let scenario = Scenario::load("saas").unwrap();
    let account = DemoAccount::new(&scenario, clock.clone()).without_latency();
    (clock, account)
}

/// A clock at `base` when made that moves with tokio's time: under a paused
/// runtime every sleep moves it at once, so a story over the demo is the
/// same to the second on every run, however loaded the machine.
pub struct TokioClock {
    base: chrono::DateTime<Utc>,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn at(base: chrono::DateTime<Utc>) -> TokioClock {
        TokioClock {
            base,
            start: tokio::time::Instant::now(),
        }
    }
}

impl triage::domain::Clock for TokioClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        let passed = tokio::time::Instant::now() - self.start;
        self.base + chrono::Duration::from_std(passed).unwrap_or_default()
    }
}
