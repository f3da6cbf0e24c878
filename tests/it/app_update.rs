//! The console's behaviour without a terminal: feed messages to `update`,
//! check the state and the effects it asks for.

use crate::support::fixtures;
use chrono::{DateTime, Duration, TimeZone, Utc};
use triage::app::state::{Overlay, SessionInfo};
use triage::app::update::init;
use triage::app::{
    update, AppState, Effect, Key, KeyPress, MouseInput, Msg, Screen, StatusSnapshot, WorkerResult,
};
use triage::domain::service::ServiceKey;
use triage::domain::{Health, PortError};
use triage::settings::ThemeSpec;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

fn session() -> SessionInfo {
    SessionInfo {
        demo: None,
        profile: Some("prod-admin".into()),
        region: Some("eu-west-1".into()),
        read_only: false,
        clusters: vec![],
        production_patterns: vec!["prod*".into()],
        refresh_selected: Duration::seconds(5),
        refresh_others: Duration::seconds(30),
        operator: "alice".into(),
        share: false,
        pairs: vec![],
    }
}

fn state() -> AppState {
    let mut s = AppState::new(session(), ThemeSpec::built_in("dark").unwrap(), false, t0());
    update(
        &mut s,
        Msg::Resize {
            width: 120,
            height: 30,
        },
    );
    s
}

fn snapshot(names: &[&str]) -> StatusSnapshot {
    StatusSnapshot {
        services: names
            .iter()
            .map(|n| fixtures::service(&format!("health/{n}.json")))
            .collect(),
        ..Default::default()
    }
}

/// Start the console and answer its first status request.
fn loaded(names: &[&str]) -> AppState {
    let mut s = state();
    let effects = init(&mut s);
    let generation = status_generation(&effects).unwrap();
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(snapshot(names)),
        }),
    );
    s
}

fn status_generation(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::FetchStatus { generation, .. } => Some(*generation),
        _ => None,
    })
}

fn key(c: char) -> Msg {
    Msg::Key(KeyPress::char(c))
}

fn special(k: Key) -> Msg {
    Msg::Key(KeyPress::plain(k))
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, key(c));
    }
}

const ALL: &[&str] = &[
    "healthy",
    "down",
    "degraded-below-desired",
    "deploying",
    "scaled-to-zero",
];

#[test]
fn opening_asks_for_identity_and_status() {
    let mut s = state();
    let effects = init(&mut s);
    assert!(effects.contains(&Effect::FetchIdentity {
        pair: Default::default()
    }));
    assert_eq!(status_generation(&effects), Some(1));
}

#[test]
fn status_arrives_ranked_and_refreshes_on_schedule() {
    let mut s = loaded(ALL);
    let names: Vec<&str> = s
        .visible_services()
        .iter()
        .map(|r| r.service.name.as_str())
        .collect();
    assert_eq!(names[0], "payments");
    assert_eq!(s.status.updated_at, Some(t0()));
    // Nothing is due for 30 s.
    assert_eq!(
        status_generation(&update(&mut s, Msg::Tick(t0() + Duration::seconds(10)))),
        None
    );
    let effects = update(&mut s, Msg::Tick(t0() + Duration::seconds(30)));
    assert_eq!(status_generation(&effects), Some(2));
    // A request in flight is not repeated.
    assert_eq!(
        status_generation(&update(&mut s, Msg::Tick(t0() + Duration::seconds(31)))),
        None
    );
}

#[test]
fn a_stale_result_is_dropped() {
    let mut s = loaded(&["healthy"]);
    let first = status_generation(&update(&mut s, special(Key::Char('r')))).unwrap();
    let second = status_generation(&update(&mut s, key('r'))).unwrap();
    assert!(second > first);
    // The older answer arrives last: ignored.
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation: first,
            result: Ok(snapshot(ALL)),
        }),
    );
    assert_eq!(s.visible_services().len(), 1);
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation: second,
            result: Ok(snapshot(ALL)),
        }),
    );
    assert_eq!(s.visible_services().len(), 5);
}

#[test]
fn a_failed_refresh_keeps_the_last_data_and_retries_with_growing_delays() {
    let mut s = loaded(ALL);
    let unreachable = PortError::Unreachable {
        endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
        message: "connection failed".into(),
    };
    let mut delays = Vec::new();
    let mut now = t0();
    for _ in 0..6 {
        now = s.status.next_at;
        let generation = status_generation(&update(&mut s, Msg::Tick(now))).unwrap();
        update(
            &mut s,
            Msg::Worker(WorkerResult::Status {
                pair: Default::default(),
                generation,
                result: Err(unreachable.clone()),
            }),
        );
        delays.push((s.status.next_at - now).num_seconds());
        assert_eq!(
            s.visible_services().len(),
            5,
            "last known data stays on screen"
        );
        assert_eq!(s.status.updated_at, Some(t0()), "with its age");
    }
    assert_eq!(delays, vec![2, 4, 8, 16, 30, 30]);
    assert_eq!(s.status.error, Some(unreachable));
    // Recovery clears the error.
    let next = s.status.next_at;
    let generation = status_generation(&update(&mut s, Msg::Tick(next))).unwrap();
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(snapshot(ALL)),
        }),
    );
    assert!(s.status.error.is_none());
    assert!(s.status.updated_at > Some(now));
}

#[test]
fn enter_opens_the_service_and_esc_goes_back() {
    let mut s = loaded(ALL);
    let effects = update(&mut s, special(Key::Enter));
    let payments = ServiceKey::new("prod-web", "payments");
    assert_eq!(s.screen, Screen::Service(payments.clone()));
    assert!(matches!(&effects[..], [Effect::FetchServiceDetail { key, .. }] if *key == payments));
    // The detail refreshes every 5 s while shown.
    let generation = match &effects[0] {
        Effect::FetchServiceDetail { generation, .. } => *generation,
        _ => unreachable!(),
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::ServiceDetail {
            generation,
            key: payments.clone(),
            result: Err(PortError::Throttled {
                operation: "DescribeTasks".into(),
            }),
        }),
    );
    let effects = update(&mut s, Msg::Tick(t0() + Duration::seconds(1)));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FetchServiceDetail { .. })),
        "{effects:?}"
    );
    update(&mut s, special(Key::Esc));
    assert_eq!(s.screen, Screen::Services);
    assert_eq!(
        s.visible_services()[s.services.cursor.selected]
            .service
            .name,
        "payments"
    );
}

#[test]
fn esc_and_the_next_key_read_together_are_esc_then_the_key() {
    // A terminal sends Esc as ESC; ESC then `t` in one read is Alt+t.
    let mut s = loaded(ALL);
    update(&mut s, special(Key::Enter));
    assert!(matches!(s.screen, Screen::Service(_)));
    let alt_t = KeyPress {
        key: Key::Char('t'),
        ctrl: false,
        alt: true,
    };
    update(&mut s, Msg::Key(alt_t));
    assert_eq!(s.screen, Screen::Timeline, "back, then the timeline");
    // And on the home screen, ESC then q quits.
    let mut s = loaded(ALL);
    let alt_q = KeyPress {
        key: Key::Char('q'),
        ctrl: false,
        alt: true,
    };
    assert!(update(&mut s, Msg::Key(alt_q)).contains(&Effect::Quit));
}

#[test]
fn detail_of_a_service_no_longer_shown_is_dropped() {
    let mut s = loaded(ALL);
    let effects = update(&mut s, special(Key::Enter));
    let Effect::FetchServiceDetail {
        generation,
        key: first,
    } = effects[0].clone()
    else {
        panic!()
    };
    update(&mut s, special(Key::Esc));
    update(&mut s, key('j'));
    update(&mut s, special(Key::Enter));
    let service = fixtures::service("health/healthy.json");
    let detail = triage::app::ServiceDetail {
        service,
        running: vec![],
        stopped: vec![],
        task_definition: None,
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::ServiceDetail {
            generation,
            key: first,
            result: Ok(Box::new(detail)),
        }),
    );
    assert!(s.service.detail.data.is_none());
}

#[test]
fn selection_stays_on_the_same_service_when_the_ranking_changes() {
    let mut s = loaded(&["healthy", "deploying", "scaled-to-zero"]);
    update(&mut s, key('j')); // admin (deploying) → healthy backend-api is row 1
    let selected = s.visible_services()[s.services.cursor.selected]
        .service
        .name
        .clone();
    let generation = status_generation(&update(&mut s, key('r'))).unwrap();
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(snapshot(ALL)),
        }),
    );
    assert_eq!(
        s.visible_services()[s.services.cursor.selected]
            .service
            .name,
        selected
    );
}

#[test]
fn filter_narrows_and_inverts_and_esc_clears_it() {
    let mut s = loaded(ALL);
    update(&mut s, key('/'));
    type_text(&mut s, "prod-data");
    let names: Vec<String> = s
        .visible_services()
        .iter()
        .map(|r| r.service.name.clone())
        .collect();
    assert_eq!(names, vec!["worker", "reindexer"]);
    update(&mut s, special(Key::Enter));
    assert!(!s.filtering);
    assert_eq!(s.visible_services().len(), 2, "Enter keeps the filter");
    update(&mut s, key('/'));
    update(&mut s, Msg::Key(KeyPress::ctrl('u')));
    type_text(&mut s, "!healthy");
    assert!(s
        .visible_services()
        .iter()
        .all(|r| r.verdict.health != Health::Healthy));
    update(&mut s, special(Key::Esc));
    assert_eq!(s.visible_services().len(), 5);
}

#[test]
fn palette_navigates_and_explains_mistakes() {
    let mut s = loaded(ALL);
    update(&mut s, key(':'));
    assert!(matches!(s.overlay, Overlay::Palette(_)));
    type_text(&mut s, "events prod-data");
    update(&mut s, special(Key::Enter));
    assert_eq!(s.screen, Screen::Events(Some("prod-data".into())));
    let events = s.visible_events();
    assert!(events.iter().all(|e| e.cluster == "prod-data"));
    assert!(!events.is_empty());

    // A word no command answers to: the palette stays open and says so.
    update(&mut s, key(':'));
    type_text(&mut s, "logz");
    update(&mut s, special(Key::Enter));
    let Overlay::Palette(view) = &s.overlay else {
        panic!("the palette closed: {:?}", s.overlay)
    };
    assert!(view
        .problem
        .as_deref()
        .unwrap()
        .contains("no command answers to `logz`"));
    update(&mut s, special(Key::Esc));

    update(&mut s, key(':'));
    type_text(&mut s, "svc payments");
    update(&mut s, special(Key::Enter));
    assert!(matches!(&s.screen, Screen::Service(k) if k.service == "payments"));

    update(&mut s, key(':'));
    type_text(&mut s, "q");
    assert_eq!(update(&mut s, special(Key::Enter)), vec![Effect::Quit]);
}

#[test]
fn cluster_events_merge_every_service_newest_first() {
    let mut s = loaded(ALL);
    update(&mut s, key('E'));
    assert_eq!(s.screen, Screen::Events(None));
    let events = s.visible_events();
    assert!(events.windows(2).all(|w| w[0].event.at >= w[1].event.at));
    let services: std::collections::BTreeSet<&str> = events.iter().map(|e| e.service).collect();
    assert!(services.len() >= 4);
    // Enter on an event opens its service.
    update(&mut s, special(Key::Enter));
    assert!(matches!(s.screen, Screen::Service(_)));
}

#[test]
fn help_is_shown_and_only_esc_question_mark_or_q_close_it() {
    let mut s = loaded(ALL);
    update(&mut s, key('?'));
    assert!(matches!(s.overlay, Overlay::Help(_)));
    update(&mut s, key('x'));
    assert!(matches!(s.overlay, Overlay::Help(_)), "x leaves help open");
    update(&mut s, key('q'));
    assert_eq!(s.overlay, Overlay::None);
    assert!(!s.quit);
    assert_eq!(update(&mut s, key('q')), vec![Effect::Quit]);
}

#[test]
fn mouse_wheel_moves_and_a_click_selects_then_opens() {
    let mut s = loaded(ALL);
    update(&mut s, Msg::Mouse(MouseInput::ScrollDown));
    assert_eq!(s.services.cursor.selected, 1);
    // Row 3 is the first list row (two header lines, one table header).
    update(&mut s, Msg::Mouse(MouseInput::Click { column: 5, row: 5 }));
    assert_eq!(s.services.cursor.selected, 2);
    update(&mut s, Msg::Mouse(MouseInput::Click { column: 5, row: 5 }));
    assert!(matches!(s.screen, Screen::Service(_)));
    // A click below the last row does nothing.
    update(&mut s, special(Key::Esc));
    update(&mut s, Msg::Mouse(MouseInput::Click { column: 5, row: 25 }));
    assert_eq!(s.screen, Screen::Services);
}

#[test]
fn production_profiles_are_recognised() {
    let s = loaded(ALL);
    assert!(s.is_production(), "profile prod-admin matches prod*");
    let mut demo = session();
    demo.demo = Some("saas".into());
    let s = AppState::new(demo, ThemeSpec::built_in("dark").unwrap(), false, t0());
    assert!(!s.is_production());
}

#[test]
fn paging_keys_stay_in_bounds() {
    let mut s = loaded(ALL);
    update(&mut s, special(Key::End));
    assert_eq!(s.services.cursor.selected, 4);
    update(&mut s, special(Key::PageDown));
    assert_eq!(s.services.cursor.selected, 4);
    update(&mut s, key('g'));
    assert_eq!(s.services.cursor.selected, 0);
    update(&mut s, key('k'));
    assert_eq!(s.services.cursor.selected, 0);
}

#[test]
fn diagnosis_opens_fetches_drills_into_a_finding_and_copies_its_arn() {
    use triage::domain::diagnosis::diagnose;
    let mut s = loaded(ALL);
    let effects = update(&mut s, key('d'));
    assert_eq!(s.screen, Screen::Diagnosis);
    let generation = match &effects[..] {
        [Effect::FetchDiagnosis { generation, .. }] => *generation,
        other => panic!("{other:?}"),
    };
    let finding = |name: &str| {
        diagnose(
            &fixtures::tasks(&fixtures::load(&format!("stopped-tasks/{name}.json")))[0],
            None,
        )
    };
    let report = triage::workers::diagnosis::DiagnosisReport {
        findings: vec![
            finding("deployment_replaced--scheduler-143"),
            finding("oom_killed--exit-137-with-oom-reason"),
            finding("sigkill--exit-137-without-reason"),
        ],
        ..Default::default()
    };
    // A stale answer is dropped.
    update(
        &mut s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation: generation + 7,
            result: Ok(Box::new(report.clone())),
        }),
    );
    assert!(s.diagnosis.report.data.is_none());
    update(
        &mut s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation,
            result: Ok(Box::new(report)),
        }),
    );
    // Worst first: critical before warning before info.
    let order: Vec<&str> = s
        .visible_findings()
        .iter()
        .map(|f| f.cause.code())
        .collect();
    assert_eq!(order, vec!["oom_killed", "sigkill", "deployment_replaced"]);
    update(&mut s, special(Key::Enter));
    let Screen::Finding(arn) = s.screen.clone() else {
        panic!("{:?}", s.screen)
    };
    assert!(arn.ends_with(&s.diagnosis.report.data.as_ref().unwrap().findings[1].task_id));
    assert_eq!(update(&mut s, key('y')), vec![Effect::Copy(arn)]);
    update(&mut s, special(Key::Esc));
    assert_eq!(s.screen, Screen::Diagnosis);
}

#[test]
fn stopped_tasks_are_read_in_the_background_only_while_something_is_unhealthy() {
    let mut s = loaded(&["healthy"]);
    let effects = update(&mut s, Msg::Tick(t0() + Duration::seconds(1)));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::FetchDiagnosis { .. })));
    let mut s = loaded(ALL); // payments is down
    let effects = update(&mut s, Msg::Tick(t0() + Duration::seconds(1)));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::FetchDiagnosis { .. })));
}

#[test]
fn a_finding_whose_loop_began_with_the_deployment_asks_what_changed() {
    use triage::domain::diagnosis::{diagnose, patterns};
    let mut s = loaded(ALL);
    update(&mut s, key('d'));
    let service = fixtures::service("health/degraded-repeated-stops.json");
    let template = fixtures::tasks(&fixtures::load(
        "stopped-tasks/oom_killed--exit-137-with-oom-reason.json",
    ))
    .remove(0);
    let findings: Vec<_> = [2, 8, 14]
        .iter()
        .map(|m| {
            let mut t = template.clone();
            t.id = format!("t{m}");
            t.arn = format!("arn:aws:ecs:eu-west-1:123456789012:task/prod-web/t{m}");
            t.stopped_at = Some(t0() - Duration::minutes(*m));
            t.task_definition = service.task_definition.clone();
            diagnose(&t, None)
        })
        .collect();
    let report = triage::workers::diagnosis::DiagnosisReport {
        patterns: patterns(&findings, std::slice::from_ref(&service)),
        findings,
        services: vec![service],
        errors: vec![],
        left_out: Default::default(),
    };
    let generation = s.diagnosis.report.generation;
    update(
        &mut s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation,
            result: Ok(Box::new(report)),
        }),
    );
    let effects = update(&mut s, special(Key::Enter));
    assert_eq!(
        effects,
        vec![Effect::FetchRevisionDiff {
            pair: Default::default(),
            task_arn: "arn:aws:ecs:eu-west-1:123456789012:task/prod-web/t2".into(),
            before: "chatbot-api:40".into(),
            after: "chatbot-api:41".into(),
        }]
    );
}

#[test]
fn a_health_change_journals_its_top_suspect_as_evidence() {
    use triage::domain::changes::{Change, PairChanges, Source, SourceKind};
    let mut s = loaded(&["healthy"]);
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![])))),
    );
    // The changes fall due once the services are known.
    let effects = update(&mut s, Msg::Tick(t0()));
    let generation = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchChanges { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("the changes are read");
    let key = ServiceKey::new("prod-web", "backend-api");
    let deploy = Change {
        at: t0() - Duration::minutes(2),
        actor: "ci-deploy".into(),
        action: "UpdateService".into(),
        summary: "UpdateService backend-api → backend-api:43".into(),
        detail: vec!["backend-api:42 → backend-api:43".into()],
        services: vec![key.clone()],
        sources: vec![Source {
            kind: SourceKind::Cloudtrail,
            id: "3f1e2d4c-0000-4000-a000-000000000001".into(),
        }],
        pair: Default::default(),
        deploys: Some("backend-api:43".into()),
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::Changes {
            generation,
            pair: Default::default(),
            result: Ok(PairChanges {
                changes: vec![deploy],
                coverage: Default::default(),
            }),
        }),
    );
    // Its tasks die: the next read finds it down.
    let mut down = fixtures::service("health/healthy.json");
    down.running = 0;
    down.events.insert(
        0,
        triage::domain::ServiceEvent {
            id: "e-stop".into(),
            at: t0() - Duration::minutes(1),
            message: "(service backend-api) has stopped 4 running tasks: (task a) (task b) (task c) (task d).".into(),
        },
    );
    let effects = update(&mut s, special(Key::Char('r')));
    let generation = status_generation(&effects).expect("r reads the status again");
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(StatusSnapshot {
                services: vec![down],
                ..Default::default()
            }),
        }),
    );
    let evidence: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(draft) => Some(draft.evidence.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        evidence.iter().any(|e| e
            .starts_with("what changed: since UpdateService backend-api:43 by ci-deploy")
            && e.contains("cloudtrail 3f1e2d4c")),
        "{evidence:?}"
    );
}

#[test]
fn cloudtrail_that_cannot_be_read_is_said_once_and_the_rest_still_shows() {
    use triage::domain::changes::{Coverage, PairChanges};
    let mut s = loaded(&["healthy"]);
    let answer = |s: &mut AppState| {
        let effects = update(s, Msg::Tick(s.now + Duration::minutes(2)));
        let generation = effects.iter().find_map(|e| match e {
            Effect::FetchChanges { generation, .. } => Some(*generation),
            _ => None,
        })?;
        update(
            s,
            Msg::Worker(WorkerResult::Changes {
                generation,
                pair: Default::default(),
                result: Ok(PairChanges {
                    changes: Vec::new(),
                    coverage: Coverage {
                        unread: vec!["CloudTrail: access denied (cloudtrail:LookupEvents) — ECS deployments and triage's own actions are still shown".into()],
                        ..Coverage::default()
                    },
                }),
            }),
        );
        Some(())
    };
    answer(&mut s).expect("the changes are read");
    let said = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("What changed: CloudTrail: access denied"),
        "{said}"
    );
    s.message = None;
    answer(&mut s).expect("and read again a minute later");
    assert!(s.message.is_none(), "said once: {:?}", s.message);
}
