//! "Waiting on a dependency" in the console: on the slow demo, once the
//! metrics show services slow with low CPU, their slowest requests are read
//! from X-Ray (real workers over the demo account), the row and the service
//! screen say what they wait on, the incident journals it once, and a
//! service that is not slow is never read.

use std::sync::Arc;
use triage::app::{update, AppState, Msg, WorkerResult};
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::trace::reading::TracePort;
use triage::domain::Clock;
use triage::settings::ThemeSpec;
use triage::wiring::Account;

/// The console after its workers have read everything, and what it journaled.
async fn settled(scenario: &str) -> (AppState, Vec<String>, Account) {
    let cache = tempfile::tempdir().unwrap();
    let scenario = Scenario::load(scenario).unwrap();
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let now = clock.now();
    let demo = Arc::new(DemoAccount::new(&scenario, clock.clone()).without_latency());
    let account = Account::of_demo(demo, &scenario, cache.path());
    let mut state = AppState::new(
        crate::support::console::demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        false,
        now,
    );
    state.monitoring.enabled = true;
    update(
        &mut state,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    let mut effects = triage::app::update::init(&mut state);
    effects.extend(update(
        &mut state,
        Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![])))),
    ));
    let journaled =
        crate::support::console::settle_with_workers(&mut state, &account, effects, now)
            .await
            .into_iter()
            .map(|draft| format!("{} | {}", draft.summary, draft.evidence.join(" | ")))
            .collect();
    (state, journaled, account)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_says_what_a_slow_idle_service_waits_on_and_journals_it_once() {
    let (state, journaled, account) = settled("slow").await;
    let backend = state
        .status
        .data
        .iter()
        .flatten()
        .find(|r| r.service.name == "backend-api")
        .expect("backend-api")
        .clone();
    let headline = state.headline(&backend);
    assert!(
        headline.contains("waiting on a dependency → chatbot-api model call"),
        "{headline}"
    );
    let w = state.waiting_of(&backend.service.key()).expect("waiting");
    assert!(w.cpu_percent < 50.0 && w.p95_ms > 3.0 * w.usual_p95_ms.unwrap());
    // The incident is told once per service, with the words the post-mortem lists.
    let told: Vec<&String> = journaled
        .iter()
        .filter(|j| j.contains("where the time went: backend-api: p95"))
        .collect();
    assert_eq!(told.len(), 1, "{journaled:#?}");
    assert!(
        told[0].starts_with("prod-web/backend-api is waiting on chatbot-api"),
        "{}",
        told[0]
    );
    // Three slow services: one summary and two batches each, no more.
    let calls = account.traces.calls();
    assert_eq!(calls.get("GetTraceSummaries"), Some(&3), "{calls:?}");
    assert_eq!(calls.get("BatchGetTraces"), Some(&6), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_is_not_slow_is_never_traced() {
    // staging: chatbot-api's OOM loop is slow (read, but its loop is what
    // the headline says); frontend and backend-api are never read.
    let (state, journaled, account) = settled("staging").await;
    let calls = account.traces.calls();
    let read: Vec<String> = state
        .slow
        .by_service
        .keys()
        .map(|k| k.service.clone())
        .collect();
    assert!(read.iter().all(|s| s == "chatbot-api"), "{read:?}");
    assert!(
        calls.get("GetTraceSummaries").copied().unwrap_or(0) <= 1,
        "{calls:?}"
    );
    assert!(
        !journaled.iter().any(|j| j.contains("where the time went")),
        "a restart loop explains it: {journaled:#?}"
    );
}
