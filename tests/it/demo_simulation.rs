//! The demo account behaves like the scenario says, and reacts to writes.
// A test prints what it saw (triage code prints only through its cleaning macros).
#![allow(clippy::disallowed_macros)]

use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::ports::{EcsPort, ServiceChange};
use triage::domain::ranking::rank;
use triage::domain::{Health, TaskState};

fn demo() -> (Arc<ManualClock>, DemoAccount) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap(),
    ));
    let scenario = Scenario::load("saas").unwrap();
    let account = DemoAccount::new(&scenario, clock.clone()).without_latency();
    (clock, account)
}

async fn ranked(
    account: &DemoAccount,
    now: chrono::DateTime<Utc>,
) -> Vec<triage::domain::ranking::RankedService> {
    let mut all = Vec::new();
    for cluster in account.clusters().await.unwrap() {
        all.extend(account.services(&cluster).await.unwrap());
    }
    rank(all, now)
}

#[tokio::test]
async fn oom_looping_service_ranks_first_and_the_rest_is_as_scripted() {
    let (clock, account) = demo();
    let ranked = ranked(&account, clock.now()).await;
    for r in &ranked {
        eprintln!(
            "{:<12} {:<12} {:<10} {}",
            r.service.cluster, r.service.name, r.verdict.health, r.verdict.reason
        );
    }
    assert!(ranked.len() >= 8);
    assert_eq!(ranked[0].service.name, "chatbot-api");
    assert!(matches!(
        ranked[0].verdict.health,
        Health::Down | Health::Degraded
    ));
    let health = |name: &str| {
        ranked
            .iter()
            .find(|r| r.service.name == name)
            .unwrap()
            .verdict
            .health
    };
    assert_eq!(health("worker"), Health::Degraded);
    assert_eq!(health("admin"), Health::Deploying);
    assert_eq!(health("reindexer"), Health::ScaledToZero);
    assert_eq!(health("backend-api"), Health::Healthy);

    let stopped = account
        .tasks("prod-web", "chatbot-api", TaskState::Stopped)
        .await
        .unwrap();
    let oom = stopped
        .iter()
        .find(|t| t.containers[0].exit_code == Some(137))
        .expect("an OOM-killed task");
    assert_eq!(oom.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert_eq!(
        oom.containers[0].reason.as_deref(),
        Some("OutOfMemoryError: Container killed due to memory usage")
    );
}

use triage::domain::Clock;

#[tokio::test]
async fn rolling_back_ends_the_oom_loop() {
    let (clock, account) = demo();
    let service = account.service("prod-web", "chatbot-api").await.unwrap();
    assert!(service.task_definition.ends_with("chatbot-api:41"));
    let previous = service.task_definition.replace(":41", ":40");
    account
        .update_service(
            "prod-web",
            "chatbot-api",
            ServiceChange {
                task_definition: Some(previous),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::seconds(10));
    let during = account.service("prod-web", "chatbot-api").await.unwrap();
    let primary = during.primary().expect("a primary deployment");
    assert!(primary.task_definition.ends_with("chatbot-api:40"));
    assert_eq!(
        primary.rollout_state,
        Some(triage::domain::RolloutState::InProgress)
    );
    clock.advance(Duration::minutes(15));
    let ranked = ranked(&account, clock.now()).await;
    let chatbot = ranked
        .iter()
        .find(|r| r.service.name == "chatbot-api")
        .unwrap();
    assert_eq!(
        chatbot.verdict.health,
        Health::Healthy,
        "{}",
        chatbot.verdict.reason
    );
    assert!(chatbot.service.task_definition.ends_with("chatbot-api:40"));
    // No task of the good revision is OOM-killed.
    let stopped = account
        .tasks("prod-web", "chatbot-api", TaskState::Stopped)
        .await
        .unwrap();
    let rollback_at = clock.now() - Duration::minutes(16);
    assert!(stopped
        .iter()
        .filter(|t| t.task_definition.ends_with(":40") && t.created_at > Some(rollback_at))
        .all(|t| t.containers[0].exit_code != Some(137)));
}

#[tokio::test]
async fn desired_count_changes_the_counts() {
    let (clock, account) = demo();
    account
        .update_service(
            "prod-web",
            "backend-api",
            ServiceChange {
                desired_count: Some(6),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::minutes(3));
    let s = account.service("prod-web", "backend-api").await.unwrap();
    assert_eq!((s.desired, s.running), (6, 6));
    account
        .update_service(
            "prod-web",
            "backend-api",
            ServiceChange {
                desired_count: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::minutes(3));
    let s = account.service("prod-web", "backend-api").await.unwrap();
    assert_eq!((s.desired, s.running), (0, 0));
}

#[tokio::test]
async fn unknown_cluster_and_service_are_not_found() {
    let (_, account) = demo();
    assert!(account.services("nope").await.is_err());
    assert!(account.service("prod-web", "nope").await.is_err());
}

#[tokio::test]
async fn the_demo_has_every_kind_of_stop_the_diagnosis_screen_needs() {
    let (clock, account) = demo();
    let report = triage::workers::diagnosis::fetch_diagnosis(
        &account,
        Some(&account),
        &Default::default(),
        clock.now(),
    )
    .await
    .unwrap();
    let causes: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.cause.code()).collect();
    for expected in [
        "oom_killed",
        "image_not_found",
        "secrets_access",
        "elb_health_check",
        "deployment_replaced",
    ] {
        assert!(
            causes.contains(expected),
            "{expected} missing from {causes:?}"
        );
    }
    // The newest OOM kill comes with the container's last lines: memory climbing.
    let newest = report
        .findings
        .iter()
        .find(|f| f.cause.code() == "oom_killed")
        .unwrap();
    match &newest.logs {
        triage::domain::diagnosis::LogTail::Lines { stream, lines } => {
            assert!(
                stream.contains("/ecs/prod-web/chatbot-api ecs/api/"),
                "{stream}"
            );
            assert!(
                lines.last().unwrap().message.contains("memory high"),
                "{:?}",
                lines.last()
            );
            assert!(lines.iter().all(|l| Some(l.timestamp) <= newest.stopped_at));
        }
        other => panic!("{other:?}"),
    }
    // A task that never started wrote nothing, and the finding says why.
    let pull = report
        .findings
        .iter()
        .find(|f| f.cause.code() == "image_not_found")
        .unwrap();
    if let triage::domain::diagnosis::LogTail::Missing { why } = &pull.logs {
        assert!(why.contains("never started"), "{why}");
    }
    let oom = report
        .patterns
        .iter()
        .find(|p| p.service == "chatbot-api")
        .expect("the OOM loop");
    assert!(oom.since_deployment && !oom.ended);
    assert_eq!(oom.rollback_to.as_deref(), Some("chatbot-api:40"));
    let fixed = report
        .patterns
        .iter()
        .find(|p| p.service == "frontend")
        .expect("the bad tag");
    assert!(fixed.ended, "{}", fixed.suggestion);
    assert!(
        fixed.suggestion.contains("ended when frontend:"),
        "{}",
        fixed.suggestion
    );
}
