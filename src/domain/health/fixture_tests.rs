//! Health classification, specified over DescribeServices fixtures: one per
//! status, and the edges between them.

use crate::fixtures;
use chrono::{DateTime, TimeZone, Utc};
use triage::domain::ranking::rank;
use triage::domain::{classify, Health};

/// The fixtures are written as seen at this moment.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

fn verdict(name: &str) -> triage::domain::HealthVerdict {
    classify(&fixtures::service(&format!("health/{name}.json")), now())
}

#[test]
fn every_fixture_gets_its_health_and_a_reason_that_says_why() {
    let cases: &[(&str, Health, &str)] = &[
        ("healthy", Health::Healthy, "4 of 4 running"),
        ("scaled-to-zero", Health::ScaledToZero, "desired 0"),
        ("down", Health::Down, "0 of 2 running, 1 pending"),
        (
            "failed-rollout",
            Health::Failed,
            "deployment of chatbot-api:41 FAILED: ECS deployment circuit breaker",
        ),
        (
            "failed-circuit-breaker-rollback",
            Health::Failed,
            "rolled back by the circuit breaker",
        ),
        (
            "failed-rolled-back-earlier",
            Health::Failed,
            "rolled back by the circuit breaker",
        ),
        (
            "degraded-below-desired",
            Health::Degraded,
            "2 of 3 running: was unable to place a task",
        ),
        (
            "degraded-failed-tasks",
            Health::Degraded,
            "2 failed tasks in deployment of admin:18",
        ),
        (
            "degraded-repeated-stops",
            Health::Degraded,
            "3 task stops in 25m",
        ),
        (
            "degraded-unhealthy-targets",
            Health::Degraded,
            "failed container health checks",
        ),
        (
            "deploying",
            Health::Deploying,
            "rolling out admin:19 (1 of 2 new running)",
        ),
        ("healthy-after-old-stops", Health::Healthy, "2 of 2 running"),
    ];
    for (name, health, reason) in cases {
        let v = verdict(name);
        assert_eq!(v.health, *health, "{name}: {}", v.reason);
        assert!(
            v.reason.contains(reason),
            "{name}: reason {:?} lacks {reason:?}",
            v.reason
        );
    }
}

#[test]
fn stops_before_the_current_deployment_do_not_count() {
    // Four stops in the last 30 minutes, but only one after the primary
    // deployment began: the new revision is not to blame.
    assert_eq!(verdict("healthy-after-old-stops").health, Health::Healthy);
}

#[test]
fn repeated_stops_age_out_of_the_window() {
    let service = fixtures::service("health/degraded-repeated-stops.json");
    let an_hour_later = now() + chrono::Duration::hours(1);
    let v = classify(&service, an_hour_later);
    // Still one short of desired, but no longer "repeated stops".
    assert_eq!(v.reason, "1 of 2 running, 1 pending");
}

/// The fixtures the ranking tests rank.
const RANKED: [&str; 8] = [
    "healthy",
    "scaled-to-zero",
    "down",
    "failed-rollout",
    "degraded-below-desired",
    "degraded-repeated-stops",
    "deploying",
    "degraded-failed-tasks",
];

#[test]
fn ranking_puts_the_worst_first_then_the_most_recently_changed() {
    let names = RANKED;
    let services = names
        .iter()
        .map(|n| fixtures::service(&format!("health/{n}.json")));
    let ranked = rank(services, now());
    let order: Vec<(Health, &str)> = ranked
        .iter()
        .map(|r| (r.verdict.health, r.service.name.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            (Health::Down, "payments"),
            (Health::Failed, "chatbot-api"),
            // three degraded: changed 1m, 3m and 14m ago
            (Health::Degraded, "chatbot-api"),
            (Health::Degraded, "admin"),
            (Health::Degraded, "worker"),
            (Health::Deploying, "admin"),
            (Health::Healthy, "backend-api"),
            (Health::ScaledToZero, "reindexer"),
        ]
    );
}

#[test]
fn two_pairs_ranked_apart_and_merged_are_ranked_as_one() {
    use triage::domain::ranking::merge;
    use triage::domain::Pair;
    let names = RANKED;
    // The same services in two pairs: every one twice, each its own row.
    let in_pair = |pair: &Pair| {
        names
            .iter()
            .map(|n| {
                let mut s = fixtures::service(&format!("health/{n}.json"));
                s.pair = pair.clone();
                s
            })
            .collect::<Vec<_>>()
    };
    let (east, west) = (
        Pair::new("prod", "us-east-1"),
        Pair::new("prod", "eu-west-1"),
    );
    let merged = merge(rank(in_pair(&east), now()), rank(in_pair(&west), now()));
    let whole = rank(in_pair(&east).into_iter().chain(in_pair(&west)), now());
    let keys = |ranked: &[triage::domain::ranking::RankedService]| {
        ranked
            .iter()
            .map(|r| (r.verdict.health, r.service.key()))
            .collect::<Vec<_>>()
    };
    assert_eq!(merged.len(), 2 * names.len());
    let (m, w) = (keys(&merged), keys(&whole));
    // The same order of health and change time; ties broken the same way.
    assert_eq!(
        m.iter().map(|(h, _)| *h).collect::<Vec<_>>(),
        w.iter().map(|(h, _)| *h).collect::<Vec<_>>()
    );
    let mut sorted_m = m.clone();
    sorted_m.sort();
    let mut sorted_w = w.clone();
    sorted_w.sort();
    assert_eq!(sorted_m, sorted_w, "every row once");
}

#[test]
fn health_names_are_the_stable_json_codes() {
    let codes: Vec<&str> = Health::ALL.iter().map(|h| h.as_str()).collect();
    assert_eq!(
        codes,
        [
            "down",
            "failed",
            "degraded",
            "recovering",
            "deploying",
            "healthy",
            "scaled_to_zero"
        ]
    );
    assert!(
        Health::Down.is_unhealthy()
            && Health::Failed.is_unhealthy()
            && Health::Degraded.is_unhealthy()
    );
    assert!(!Health::Deploying.is_unhealthy() && !Health::ScaledToZero.is_unhealthy());
}
