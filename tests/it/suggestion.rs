//! One suggestion: for every service of every built-in demo scenario, the
//! console (its state after real workers read the demo account) and `triage
//! status` (the read and suggestion it prints) say the same headline and
//! suggest the same runbook. The clock is frozen so both read one moment of
//! the simulation.

use std::sync::Arc;
use triage::app::AppState;
use triage::demo::scenario::{Scenario, BUILT_IN};
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::Clock;
use triage::settings::ThemeSpec;
use triage::wiring::Account;

/// The console after its workers have read everything they read on their
/// own (status, alarms and metrics, security, the diagnosis, runbooks).
async fn settled_console(account: &Account, now: chrono::DateTime<chrono::Utc>) -> AppState {
    let mut state = AppState::new(
        crate::support::console::demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        false,
        now,
    );
    state.monitoring.enabled = true;
    state.security.enabled = true;
    let effects = triage::app::update::init(&mut state);
    crate::support::console::settle_with_workers(&mut state, account, effects, now).await;
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_and_status_say_the_same_of_every_demo_service() {
    let cache = tempfile::tempdir().unwrap();
    let runbooks = triage::store::runbooks::list(&[]);
    let mut compared = 0;
    for (name, _) in BUILT_IN {
        let scenario = Scenario::load(name).unwrap();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let now = clock.now();
        let demo = Arc::new(DemoAccount::new(&scenario, clock.clone()).without_latency());
        let account = Account::of_demo(demo, &scenario, cache.path());
        let state = settled_console(&account, now).await;
        let scope = triage::cli::status::StatusScope {
            mappings: &[],
            clusters: &[],
            limits: Default::default(),
            runbooks: &runbooks,
        };
        let read = triage::cli::status::read_account(&account, &scope, now, "")
            .await
            .unwrap();
        let console = state.status.data.as_ref().expect("the console read status");
        assert_eq!(console.len(), read.ranked.len(), "{name}: services differ");
        for r in &read.ranked {
            let cli = triage::cli::suggestion::suggestion_of(&read, r, &scope, now);
            let shown = console
                .iter()
                .find(|c| {
                    c.service.cluster == r.service.cluster && c.service.name == r.service.name
                })
                .unwrap_or_else(|| panic!("{name}: the console lacks {}", r.service.name));
            let seen = state.suggestion(shown);
            assert_eq!(
                seen.headline, cli.headline,
                "{name}/{}: console and status headlines differ",
                r.service.name
            );
            assert_eq!(
                seen.runbook.as_ref().map(|r| &r.id),
                cli.runbook.as_ref().map(|r| &r.id),
                "{name}/{}: console and status suggest different runbooks",
                r.service.name
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} services compared");
}
