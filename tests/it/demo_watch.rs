//! The demo's alarms and metrics agree with its story: chatbot-api's memory
//! climbs to 100 % before each OOM kill and its memory alarm is in ALARM;
//! backend-api answers 5XX while chatbot-api keeps dying; worker is short of
//! its three tasks; the RDS alarm belongs to no service; after the rollback
//! every service alarm returns to OK, on simulated time.
// A test prints what it saw (triage code prints only through its cleaning macros).
#![allow(clippy::disallowed_macros)]

use crate::support::demo::demo;
use chrono::{Duration, TimeZone, Utc};
use triage::demo::DemoAccount;
use triage::domain::alarms::{tie, AlarmState, OwnedAlarm};
use triage::domain::clock::Clock;
use triage::domain::metrics::{by_service, queries, MetricKind};
use triage::domain::ports::{EcsPort, MonitoringPort, ServiceChange};
use triage::domain::service::{Service, ServiceKey};

async fn services(account: &DemoAccount) -> Vec<Service> {
    let mut all = Vec::new();
    for cluster in account.clusters().await.unwrap() {
        all.extend(account.services(&cluster).await.unwrap());
    }
    all
}

async fn owned(account: &DemoAccount) -> Vec<OwnedAlarm> {
    let services = services(account).await;
    let arns: Vec<String> = services
        .iter()
        .flat_map(|s| s.target_groups.clone())
        .collect();
    let groups = account.target_groups(&arns).await.unwrap();
    tie(account.alarms().await.unwrap(), &services, &groups, &[])
}

fn key(cluster: &str, service: &str) -> ServiceKey {
    ServiceKey::new(cluster, service)
}

fn state_of(alarms: &[OwnedAlarm], name_part: &str) -> (AlarmState, Vec<ServiceKey>) {
    let a = alarms
        .iter()
        .find(|a| a.alarm.name.contains(name_part))
        .unwrap_or_else(|| panic!("no alarm {name_part}"));
    (a.alarm.state, a.services.clone())
}

#[tokio::test]
async fn alarms_fire_where_the_story_says_and_belong_to_their_services() {
    let (_, account) = demo();
    let alarms = owned(&account).await;
    for a in &alarms {
        eprintln!(
            "{:<45} {:?} {:?} {}",
            a.alarm.name, a.alarm.state, a.services, a.alarm.reason
        );
    }
    assert_eq!(
        state_of(&alarms, "chatbot-api memory"),
        (AlarmState::Alarm, vec![key("prod-web", "chatbot-api")])
    );
    assert_eq!(
        state_of(&alarms, "backend-api 5XX"),
        (AlarmState::Alarm, vec![key("prod-web", "backend-api")]),
        "tied by its target group"
    );
    assert_eq!(
        state_of(&alarms, "worker running below desired"),
        (AlarmState::Alarm, vec![key("prod-data", "worker")])
    );
    assert_eq!(state_of(&alarms, "frontend running").0, AlarmState::Ok);
    assert_eq!(
        state_of(&alarms, "orders-db"),
        (AlarmState::Ok, vec![]),
        "an account alarm"
    );
    let memory = alarms
        .iter()
        .find(|a| a.alarm.name.contains("chatbot-api memory"))
        .unwrap();
    let since = memory.alarm.since.unwrap();
    assert!(
        since < account_now(&account).await - Duration::minutes(5),
        "in ALARM since the loop began, not since the last kill: {since}"
    );
}

async fn account_now(account: &DemoAccount) -> chrono::DateTime<Utc> {
    account.identity().await.unwrap();
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

#[tokio::test]
async fn memory_climbs_to_the_kill_and_one_call_reads_every_service() {
    let (clock, account) = demo();
    let services = services(&account).await;
    let arns: Vec<String> = services
        .iter()
        .flat_map(|s| s.target_groups.clone())
        .collect();
    let groups = account.target_groups(&arns).await.unwrap();
    let asked = queries(&services, &groups, 60);
    let before = MonitoringPort::calls(&account)
        .get("GetMetricData")
        .copied()
        .unwrap_or(0);
    let now = clock.now();
    let answers = account
        .metric_data(&asked, now - Duration::hours(1), now)
        .await
        .unwrap();
    let after = MonitoringPort::calls(&account)
        .get("GetMetricData")
        .copied()
        .unwrap_or(0);
    assert_eq!(after - before, 1, "{} queries in one call", asked.len());
    let metrics = by_service(&asked, answers);
    let chatbot = &metrics[&key("prod-web", "chatbot-api")];
    let memory = &chatbot.series[&MetricKind::MemoryMaximum];
    let peak = memory.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let low = memory.iter().map(|(_, v)| *v).fold(100.0, f64::min);
    assert!(peak >= 99.9, "memory reaches 100 % at the kill: {peak}");
    assert!(low < 70.0, "and falls after it: {low}");
    let summary = chatbot.summary(now);
    assert!(summary.memory_percent.unwrap().max >= 99.9, "{summary:?}");
    let backend = metrics[&key("prod-web", "backend-api")].summary(now);
    assert!(backend.http_5xx_percent.unwrap() > 5.0, "{backend:?}");
    assert!(backend.p95_ms.unwrap() > 2000.0, "{backend:?}");
    let weaviate = metrics[&key("prod-data", "weaviate")].summary(now);
    assert!(
        weaviate.http_5xx_percent.is_none(),
        "no load balancer, no 5XX: {weaviate:?}"
    );
    assert!(weaviate.cpu_percent.is_some());
}

#[tokio::test]
async fn after_the_rollback_the_alarms_return_to_ok() {
    let (clock, account) = demo();
    account
        .update_service(
            "prod-web",
            "chatbot-api",
            ServiceChange {
                task_definition: Some("chatbot-api:40".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::minutes(20));
    let alarms = owned(&account).await;
    for a in &alarms {
        eprintln!(
            "{:<45} {:?} {}",
            a.alarm.name, a.alarm.state, a.alarm.reason
        );
    }
    assert_eq!(state_of(&alarms, "chatbot-api memory").0, AlarmState::Ok);
    assert_eq!(state_of(&alarms, "backend-api 5XX").0, AlarmState::Ok);
    assert_eq!(state_of(&alarms, "backend-api p95").0, AlarmState::Ok);
}

#[tokio::test]
async fn worker_at_the_count_its_capacity_allows_clears_its_alarm() {
    let (clock, account) = demo();
    account
        .update_service(
            "prod-data",
            "worker",
            ServiceChange {
                desired_count: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    clock.advance(Duration::minutes(10));
    let alarms = owned(&account).await;
    assert_eq!(
        state_of(&alarms, "worker running below desired").0,
        AlarmState::Ok
    );
}

/// backend-api's bytes a second sent, now and usually, as the console reads them.
async fn backend_egress(
    account: &DemoAccount,
    now: chrono::DateTime<Utc>,
) -> (f64, Option<triage::domain::egress::Baseline>) {
    let services = services(account).await;
    let asked = queries(&services, &[], 60);
    let answers = account
        .metric_data(&asked, now - Duration::hours(1), now)
        .await
        .unwrap();
    let metrics = by_service(&asked, answers);
    let baselines = triage::workers::watch::read_baseline(account, None, &services, now)
        .await
        .unwrap();
    let key = key("prod-web", "backend-api");
    let tx = metrics[&key].summary(now).network_tx.unwrap().max;
    (tx, baselines.get(&key).copied())
}

#[tokio::test]
async fn backend_api_sends_ten_times_its_usual_until_its_group_is_locked_down() {
    use triage::domain::egress::{anomaly, EgressLimits};
    use triage::domain::network::NetworkPort;
    let (clock, account) = demo();
    let now = account_now(&account).await;
    let (tx, baseline) = backend_egress(&account, now).await;
    let usual = baseline.unwrap().tx.unwrap();
    assert!(
        tx / usual > 8.0 && tx / usual < 14.0,
        "{tx} against {usual}"
    );
    // Every other service sends its usual.
    let services = services(&account).await;
    let asked = queries(&services, &[], 60);
    let answers = account
        .metric_data(&asked, now - Duration::hours(1), now)
        .await
        .unwrap();
    let metrics = by_service(&asked, answers);
    let baselines = triage::workers::watch::read_baseline(&account, None, &services, now)
        .await
        .unwrap();
    let anomalous: Vec<&ServiceKey> = metrics
        .iter()
        .filter(|(k, m)| {
            anomaly(&m.summary(now), baselines.get(*k), &EgressLimits::default()).is_some()
        })
        .map(|(k, _)| k)
        .collect();
    assert_eq!(anomalous, vec![&key("prod-web", "backend-api")]);
    // GuardDuty's finding names it and where the traffic goes.
    let found = triage::domain::security::SecurityPort::findings(&account)
        .await
        .unwrap();
    let tied = triage::domain::security::tie(found.findings, &services);
    assert_eq!(tied.len(), 1);
    assert_eq!(tied[0].services, vec![key("prod-web", "backend-api")]);
    assert_eq!(
        tied[0].finding.remote.describe().as_deref(),
        Some("198.51.100.23:6667")
    );
    // The lockdown: HTTPS, HTTP and DNS only.
    let group = "sg-0b4c3a2d1e0f00001";
    let open = account.security_group(group).await.unwrap().egress;
    let allowed: Vec<_> = ["tcp:443", "tcp:80", "tcp:53", "udp:53"]
        .iter()
        .map(|a| triage::demo::security::rule_from_spec(a).unwrap())
        .collect();
    account.authorize_egress(group, &allowed).await.unwrap();
    account.revoke_egress(group, &open).await.unwrap();
    clock.advance(Duration::minutes(6));
    let later = clock.now();
    let (tx, _) = backend_egress(&account, later).await;
    assert!(
        tx < 2.0 * usual,
        "egress falls back to its usual: {tx} against {usual}"
    );
}
