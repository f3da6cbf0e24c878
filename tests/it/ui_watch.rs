//! Alarms, metrics and security on screen, from the demo at a fixed time:
//! the services screen with its metric columns and flags (backend-api's
//! egress far above its usual), a service with its metrics' graphs,
//! targets, GuardDuty finding, groups and secrets, `:alarms` with the
//! selected alarm's graph and threshold, and `:security`, at 80×24 and
//! 160×48; tiny sizes never panic.

use crate::support::console::{demo_session, render};
use chrono::{TimeZone, Utc};
use std::sync::Arc;
use triage::app::update::init;
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, WorkerResult};
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::ports::{EcsPort, MonitoringPort};
use triage::settings::ThemeSpec;

/// Carry out the effects that read the account, until none is left.
async fn settle(s: &mut AppState, shared: &Arc<DemoAccount>, mut effects: Vec<Effect>) {
    let account: &DemoAccount = shared;
    for _ in 0..10 {
        let mut next = Vec::new();
        for effect in effects {
            let result = match effect {
                Effect::FetchIdentity { pair } => WorkerResult::Identity {
                    pair,
                    result: account.identity().await,
                },
                Effect::FetchStatus {
                    pair,
                    generation,
                    clusters,
                } => WorkerResult::Status {
                    pair,
                    generation,
                    result: triage::workers::status::fetch_status(account, &clusters).await,
                },
                Effect::FetchAlarms {
                    pair,
                    generation,
                    target_groups,
                } => WorkerResult::Alarms {
                    pair,
                    generation,
                    result: triage::workers::watch::read_alarms(account, &target_groups).await,
                },
                Effect::FetchMetrics {
                    pair,
                    generation,
                    queries,
                    start,
                    end,
                } => WorkerResult::Metrics {
                    pair,
                    generation,
                    result: account.metric_data(&queries, start, end).await,
                },
                Effect::FetchBaseline {
                    pair,
                    generation,
                    queries,
                    start,
                    end,
                } => WorkerResult::Baseline {
                    pair,
                    generation,
                    result: account.metric_data(&queries, start, end).await,
                },
                Effect::FetchExposure {
                    pair,
                    generation,
                    services,
                } => {
                    let ports = triage::workers::exposure::ExposurePorts::new(
                        Arc::new(shared.clone()),
                        Arc::new(shared.clone()),
                    );
                    WorkerResult::Exposure {
                        pair,
                        generation,
                        result: triage::workers::exposure::read_exposure(
                            account, &ports, &services, true, s.now,
                        )
                        .await,
                    }
                }
                Effect::FetchSecurity { pair, generation } => WorkerResult::Security {
                    pair,
                    generation,
                    result: triage::domain::security::SecurityPort::findings(account).await,
                },
                Effect::FetchServiceDetail { generation, key } => WorkerResult::ServiceDetail {
                    generation,
                    result: triage::workers::service::fetch_detail(account, &key)
                        .await
                        .map(Box::new),
                    key,
                },
                Effect::FetchTargetHealth { key, target_group } => WorkerResult::TargetHealth {
                    result: account.target_health(&target_group).await,
                    key,
                    target_group,
                },
                Effect::FetchDiagnosis {
                    generation,
                    clusters,
                    known,
                } => {
                    let scope = triage::workers::diagnosis::DiagnosisScope {
                        clusters,
                        ..Default::default()
                    };
                    let mut memory = Default::default();
                    let result = triage::workers::diagnosis::diagnose_pass(
                        account,
                        Some(account),
                        &scope,
                        known.into_iter().next().map(|k| (k.services, k.clusters)),
                        &mut memory,
                        s.now,
                    )
                    .await
                    .map(Box::new);
                    WorkerResult::Diagnosis { generation, result }
                }
                Effect::LoadRunbooks => WorkerResult::Runbooks(triage::store::runbooks::list(&[])),
                Effect::FetchChanges {
                    generation,
                    pair,
                    since,
                    journal,
                } => {
                    use triage::workers::changes::{read_pair_changes, ChangesPorts};
                    let ports = ChangesPorts {
                        ecs: shared.clone(),
                        trail: shared.clone(),
                        monitoring: Some(shared.clone()),
                    };
                    let result = read_pair_changes(&ports, &pair, since, &journal).await;
                    WorkerResult::Changes {
                        generation,
                        pair,
                        result,
                    }
                }
                _ => continue,
            };
            next.extend(update(s, Msg::Worker(result)));
        }
        if next.is_empty() {
            return;
        }
        effects = next;
    }
}

async fn watched(width: u16, height: u16) -> (AppState, Arc<DemoAccount>) {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let account =
        Arc::new(DemoAccount::new(&Scenario::load("saas").unwrap(), clock).without_latency());
    let mut s = AppState::new(
        demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        false,
        t0,
    );
    s.monitoring.enabled = true;
    s.security.enabled = true;
    update(&mut s, Msg::Resize { width, height });
    let effects = init(&mut s);
    settle(&mut s, &account, effects).await;
    // The alarms and metrics fall due once the services are known.
    let effects = update(&mut s, Msg::Tick(t0));
    settle(&mut s, &account, effects).await;
    (s, account)
}

fn key(c: char) -> Msg {
    Msg::Key(KeyPress::char(c))
}

#[tokio::test]
async fn services_with_metrics_and_alarm_flags() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (s, _) = watched(w, h).await;
        let text = render(&s);
        assert!(text.contains("alarm"), "{text}");
        insta::assert_snapshot!(format!("services_{w}x{h}"), text);
    }
}

#[tokio::test]
async fn alarms_screen_with_the_selected_alarms_graph() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (mut s, _) = watched(w, h).await;
        for c in ":alarms".chars() {
            update(&mut s, key(c));
        }
        update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        let text = render(&s);
        assert!(text.contains("chatbot-api memo"), "{text}");
        insta::assert_snapshot!(format!("alarms_{w}x{h}"), text);
    }
}

#[tokio::test]
async fn security_screen_lists_guardduty_findings_with_their_service() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (mut s, _) = watched(w, h).await;
        for c in ":security".chars() {
            update(&mut s, key(c));
        }
        update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        let text = render(&s);
        assert!(
            text.contains("HIGH") && text.contains("backend-api"),
            "{text}"
        );
        assert!(text.contains("198.51.100.23:6667"), "{text}");
        insta::assert_snapshot!(format!("security_{w}x{h}"), text);
    }
}

#[tokio::test]
async fn a_service_with_its_graphs_and_targets() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (mut s, account) = watched(w, h).await;
        // backend-api: behind the load balancer, its 5XX alarm in ALARM.
        for c in ":svc backend-api".chars() {
            update(&mut s, key(c));
        }
        let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        settle(&mut s, &account, effects).await;
        let text = render(&s);
        insta::assert_snapshot!(format!("service_{w}x{h}"), text);
    }
}

#[tokio::test]
async fn what_changed_shows_on_the_row_the_service_and_its_own_screen() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (mut s, account) = watched(w, h).await;
        // chatbot-api's row already says "OOM loop since chatbot-api:41" (the
        // suspect); backend-api's security lead stays first, the suspect after.
        let home = render(&s);
        if w >= 160 {
            assert!(!home.contains("since UpdateService chatbot-api"), "{home}");
            assert!(
                home.contains("R: compromised-host · GuardDuty HIGH"),
                "{home}"
            );
        }
        let backend = s
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.service.name == "backend-api")
            .unwrap()
            .service
            .key();
        assert!(
            s.near_suspect_phrase(&backend)
                .is_some_and(|p| p.starts_with("since UpdateService backend-api:2 by ci-deploy")),
            "{:?}",
            s.near_suspect_phrase(&backend)
        );
        if w >= 160 {
            // On a terminal wide enough, the row says it after its evidence.
            update(
                &mut s,
                Msg::Resize {
                    width: 400,
                    height: h,
                },
            );
            let wide = render(&s);
            let row = wide.lines().find(|l| l.contains("backend-api")).unwrap();
            assert!(
                row.contains("· since UpdateService backend-api:2 by ci-deploy"),
                "{row}"
            );
            update(
                &mut s,
                Msg::Resize {
                    width: w,
                    height: h,
                },
            );
        }
        for c in ":svc chatbot-api".chars() {
            update(&mut s, key(c));
        }
        let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        settle(&mut s, &account, effects).await;
        let service = render(&s);
        assert!(service.contains("WHAT CHANGED"), "{service}");
        assert!(service.contains("UpdateService by ci-deploy"), "{service}");
        insta::assert_snapshot!(format!("service_what_changed_{w}x{h}"), service);
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        for c in ":changes".chars() {
            update(&mut s, key(c));
        }
        update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        let changes = render(&s);
        assert!(changes.contains("What changed"), "{changes}");
        assert!(changes.contains("AuthorizeSecuri"), "{changes}");
        insta::assert_snapshot!(format!("changes_{w}x{h}"), changes);
    }
}

#[tokio::test]
async fn tiny_sizes_never_panic() {
    let (mut s, account) = watched(160, 48).await;
    for screen in [":alarms", ":svc chatbot-api", ":svc", ":changes"] {
        for c in screen.chars() {
            update(&mut s, key(c));
        }
        let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        settle(&mut s, &account, effects).await;
        for (w, h) in [(20, 5), (1, 1), (40, 10)] {
            update(
                &mut s,
                Msg::Resize {
                    width: w,
                    height: h,
                },
            );
            render(&s);
        }
        update(
            &mut s,
            Msg::Resize {
                width: 160,
                height: 48,
            },
        );
    }
}

#[tokio::test]
async fn the_oom_finding_shows_memory_climbing_to_the_kill() {
    let (mut s, account) = watched(160, 48).await;
    let effects = update(&mut s, key('d'));
    settle(&mut s, &account, effects).await;
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    settle(&mut s, &account, effects).await;
    let text = render(&s);
    assert!(text.contains("Out of memory"), "{text}");
    let memory = text
        .lines()
        .find(|l| l.contains("before the kill at"))
        .unwrap_or_else(|| panic!("no memory line:\n{text}"));
    assert!(memory.contains("100 % before the kill"), "{memory}");
}

#[tokio::test]
async fn w_steps_the_metrics_window_and_reads_it_at_once() {
    let (mut s, account) = watched(160, 48).await;
    for c in ":svc chatbot-api".chars() {
        update(&mut s, key(c));
    }
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    settle(&mut s, &account, effects).await;
    let mut windows = Vec::new();
    for _ in 0..3 {
        let effects = update(&mut s, key('w'));
        let asked = effects.iter().find_map(|e| match e {
            Effect::FetchMetrics {
                queries,
                start,
                end,
                ..
            } => Some(((*end - *start).num_hours(), queries[0].period_seconds)),
            _ => None,
        });
        windows.push(asked.expect("read at once"));
        settle(&mut s, &account, effects).await;
    }
    assert_eq!(windows, [(3, 60), (24, 300), (1, 60)]);
    assert!(render(&s).contains("METRICS (last 1 h"));
}

#[tokio::test]
async fn a_run_that_opens_its_own_incident_names_it_after_the_services_trouble() {
    let (mut s, _) = watched(120, 40).await;
    update(&mut s, key('/'));
    for c in "chatbot-api".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    update(&mut s, key('R'));
    // The form sent: the title asked (Enter takes it), then the severity.
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let (title, severity) = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartIncident { title, severity } => Some((title.clone(), *severity)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no incident opened: {effects:?}"));
    // Suggested from its health (degraded: 1 of 2 running).
    assert_eq!(severity, Some(triage::domain::timeline::Severity::Sev3));
    // The service and what is wrong with it, not the runbook's name.
    assert!(title.starts_with("prod-web/chatbot-api: "), "{title}");
    assert!(title.contains("OOM"), "{title}");
    assert!(
        !title.contains("R: ") && !title.starts_with("Runbook"),
        "{title}"
    );
}
