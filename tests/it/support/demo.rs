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
