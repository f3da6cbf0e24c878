//! What the screens look like: TestBackend + insta snapshots at 80×24 and
//! 160×48, and every screen and overlay at 20×5 without a panic.

use crate::support::fixtures;
use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use triage::app::state::SessionInfo;
use triage::app::update::init;
use triage::app::{
    update, AppState, Effect, Key, KeyPress, Msg, ServiceDetail, StatusSnapshot, WorkerResult,
};
use triage::domain::ports::AccountIdentity;
use triage::domain::task::Task;
use triage::domain::PortError;
use triage::settings::ThemeSpec;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

const FIXTURES: &[&str] = &[
    "healthy",
    "down",
    "degraded-below-desired",
    "deploying",
    "scaled-to-zero",
    "failed-rollout",
    "degraded-failed-tasks",
    "healthy-after-old-stops",
];

fn session(demo: bool) -> SessionInfo {
    SessionInfo {
        demo: demo.then(|| "saas".to_string()),
        profile: (!demo).then(|| "prod-admin".to_string()),
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

fn loaded(width: u16, height: u16, demo: bool) -> AppState {
    let mut s = AppState::new(
        session(demo),
        ThemeSpec::built_in("dark").unwrap(),
        false,
        t0(),
    );
    update(&mut s, Msg::Resize { width, height });
    let effects = init(&mut s);
    let generation = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchStatus { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    update(
        &mut s,
        Msg::Worker(WorkerResult::Identity {
            pair: Default::default(),
            result: Ok(AccountIdentity {
                account: Some("123456789012".into()),
                region: "eu-west-1".into(),
                profile: Some("prod-admin".into()),
                principal: None,
                endpoint: None,
                demo,
            }),
        }),
    );
    let services = FIXTURES
        .iter()
        .map(|n| fixtures::service(&format!("health/{n}.json")))
        .collect();
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(StatusSnapshot {
                services,
                ..Default::default()
            }),
        }),
    );
    update(&mut s, Msg::Tick(t0() + Duration::seconds(4)));
    s
}

fn with_detail(mut s: AppState) -> AppState {
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let Effect::FetchServiceDetail { generation, key } = effects[0].clone() else {
        panic!("{effects:?}")
    };
    let tasks: Vec<Task> = fixtures::tasks(&fixtures::load("tasks/payments.json"));
    let (stopped, running): (Vec<Task>, Vec<Task>) =
        tasks.into_iter().partition(|t| t.last_status == "STOPPED");
    let service = fixtures::service("health/down.json");
    update(
        &mut s,
        Msg::Worker(WorkerResult::ServiceDetail {
            generation,
            key,
            result: Ok(Box::new(ServiceDetail {
                service,
                running,
                stopped,
                task_definition: None,
            })),
        }),
    );
    s
}

fn render(s: &AppState) -> String {
    let backend = TestBackend::new(s.width, s.height);
    let mut terminal = Terminal::new(backend).unwrap();
    terminal.draw(|f| triage::ui::draw(f, s)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn home_80x24() {
    insta::assert_snapshot!(render(&loaded(80, 24, false)));
}

#[test]
fn home_160x48() {
    insta::assert_snapshot!(render(&loaded(160, 48, false)));
}

#[test]
fn home_demo_shows_the_demo_banner() {
    let text = render(&loaded(80, 24, true));
    assert!(text.lines().next().unwrap().contains("DEMO saas"));
    assert!(!text.contains("PRODUCTION"));
}

#[test]
fn detail_80x24() {
    insta::assert_snapshot!(render(&with_detail(loaded(80, 24, false))));
}

#[test]
fn detail_160x48() {
    insta::assert_snapshot!(render(&with_detail(loaded(160, 48, false))));
}

#[test]
fn events_120x30() {
    let mut s = loaded(120, 30, false);
    update(&mut s, Msg::Key(KeyPress::char('E')));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn help_80x24() {
    let mut s = loaded(80, 24, false);
    update(&mut s, Msg::Key(KeyPress::char('?')));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn help_80x24_scrolled_to_its_last_line() {
    let mut s = loaded(80, 24, false);
    update(&mut s, Msg::Key(KeyPress::char('?')));
    update(&mut s, Msg::Key(KeyPress::char('G')));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn stale_data_shows_its_age_and_the_error() {
    let mut s = loaded(100, 20, false);
    let effects = update(&mut s, Msg::Tick(t0() + Duration::seconds(40)));
    let Some(Effect::FetchStatus { generation, .. }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Err(PortError::Throttled {
                operation: "DescribeServices".into(),
            }),
        }),
    );
    update(&mut s, Msg::Tick(t0() + Duration::seconds(75)));
    let text = render(&s);
    assert!(text.contains("STALE: updated 1m ago"), "{text}");
    assert!(text.contains("throttled"), "{text}");
    assert!(text.contains("payments"), "the last data stays: {text}");
}

#[test]
fn no_credentials_explains_the_fix() {
    let mut s = AppState::new(
        session(false),
        ThemeSpec::built_in("dark").unwrap(),
        false,
        t0(),
    );
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 20,
        },
    );
    init(&mut s);
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation: 1,
            result: Err(PortError::ExpiredCredentials {
                profile: Some("prod-admin".into()),
            }),
        }),
    );
    let text = render(&s);
    assert!(
        text.contains("aws sso login --profile prod-admin"),
        "{text}"
    );
    assert!(text.contains("retrying in"), "{text}");
}

#[test]
fn hostile_event_text_never_reaches_the_terminal() {
    let mut s = loaded(120, 30, false);
    if let Some(ranked) = s.status.data.as_mut() {
        ranked[0].service.events.insert(
            0,
            triage::domain::ServiceEvent {
                id: "x".into(),
                at: t0(),
                message:
                    "(service payments) \u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2Jcleared\u{9b}31m"
                        .into(),
            },
        );
    }
    update(&mut s, Msg::Key(KeyPress::char('E')));
    let text = render(&s);
    assert!(text.contains("cleared"));
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'));
}

#[test]
fn every_screen_and_overlay_renders_at_20x5_without_panic() {
    let sizes = [(20, 5), (1, 1), (5, 20), (80, 3)];
    for (w, h) in sizes {
        let mut s = loaded(w, h, true);
        render(&s);
        update(&mut s, Msg::Key(KeyPress::char('?')));
        render(&s);
        update(&mut s, Msg::Key(KeyPress::char('x')));
        update(&mut s, Msg::Key(KeyPress::char(':')));
        render(&s);
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        update(&mut s, Msg::Key(KeyPress::char('/')));
        render(&s);
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        update(&mut s, Msg::Key(KeyPress::char('E')));
        render(&s);
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        let s = with_detail(s);
        render(&s);
        // Before anything has loaded.
        let mut empty = AppState::new(
            session(false),
            ThemeSpec::built_in("light").unwrap(),
            true,
            t0(),
        );
        update(
            &mut empty,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        render(&empty);
    }
}

fn timeline_state(width: u16, height: u16) -> AppState {
    use triage::domain::timeline::{Actor, EntryDraft, EntryKind, Milestone};
    let mut s = loaded(width, height, true);
    let alice = || Actor::Human {
        name: "alice".into(),
    };
    let at = |h: u32, m: u32| Some(Utc.with_ymd_and_hms(2026, 1, 28, h, m, 0).unwrap());
    let mut opened = EntryDraft::new(
        EntryKind::Decision,
        alice(),
        "Incident opened: chatbot-api OOM restart loop (SEV2)",
    );
    opened.important = true;
    opened.incident = Some(triage::domain::timeline::entry::IncidentChange {
        title: Some("chatbot-api OOM restart loop".into()),
        severity: Some("SEV2".into()),
        status: Some("open".into()),
    });
    let drafts = vec![
        (opened, t0()),
        (
            EntryDraft::new(
                EntryKind::Observation,
                Actor::Console,
                "First look: 2 of 9 services unhealthy",
            ),
            t0(),
        ),
        (
            EntryDraft::milestone(Milestone::ImpactStarted, alice(), at(2, 49)),
            t0() + Duration::seconds(30),
        ),
        (
            EntryDraft::milestone(Milestone::Detected, alice(), at(3, 10)),
            t0() + Duration::seconds(40),
        ),
        (
            EntryDraft::new(
                EntryKind::Note,
                alice(),
                "Tasks die with exit 137 one to three minutes after start",
            ),
            t0() + Duration::minutes(2),
        ),
        (
            EntryDraft::new(
                EntryKind::Observation,
                Actor::Console,
                "prod-web/chatbot-api: deployment of chatbot-api:40 started",
            ),
            t0() + Duration::minutes(6),
        ),
        (
            EntryDraft::milestone(Milestone::Mitigated, alice(), None),
            t0() + Duration::minutes(12),
        ),
    ];
    let mut entries: Vec<_> = drafts
        .into_iter()
        .enumerate()
        .map(|(i, (d, recorded))| d.into_entry(format!("01ENTRY{i:02}"), i as u64 + 1, recorded))
        .collect();
    // The detection time was corrected.
    let mut fix = triage::domain::timeline::EntryDraft::correcting(&entries[3]);
    fix.occurred_at = at(3, 12);
    entries.push(fix.into_entry("01ENTRY99".into(), 8, t0() + Duration::minutes(13)));
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((
            "20260128-0312-chatbot-api-oom".into(),
            entries,
        )))),
    );
    update(&mut s, Msg::Tick(t0() + Duration::minutes(14)));
    update(&mut s, Msg::Key(KeyPress::char('t')));
    s.message = None;
    s
}

#[test]
fn timeline_100x24() {
    insta::assert_snapshot!(render(&timeline_state(100, 24)));
}

#[test]
fn timeline_prompt_and_small_sizes_do_not_panic() {
    let mut s = timeline_state(100, 24);
    update(&mut s, Msg::Key(KeyPress::char('m')));
    let text = render(&s);
    assert!(text.contains("milestone [time]"), "{text}");
    for (w, h) in [(20, 5), (1, 1), (200, 3)] {
        let mut small = timeline_state(w, h);
        render(&small);
        update(&mut small, Msg::Key(KeyPress::char('n')));
        render(&small);
    }
}

fn diagnosis_state(width: u16, height: u16) -> AppState {
    use triage::domain::diagnosis::{diagnose, patterns};
    let mut s = loaded(width, height, false);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stopped-tasks");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let findings: Vec<_> = names
        .iter()
        .map(|n| {
            diagnose(
                &fixtures::tasks(&fixtures::load(&format!("stopped-tasks/{n}")))[0],
                None,
            )
        })
        .collect();
    let services = vec![fixtures::service("health/degraded-repeated-stops.json")];
    let report = triage::workers::diagnosis::DiagnosisReport {
        patterns: patterns(&findings, &services),
        findings,
        services,
        errors: vec![],
        left_out: Default::default(),
    };
    update(&mut s, Msg::Key(KeyPress::char('d')));
    // Stopped tasks were already being read in the background (services are unhealthy).
    let generation = s
        .diagnosis
        .report
        .in_flight
        .expect("stopped tasks are being read")
        .generation;
    update(
        &mut s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation,
            result: Ok(Box::new(report)),
        }),
    );
    s
}

#[test]
fn diagnosis_120x30() {
    insta::assert_snapshot!(render(&diagnosis_state(120, 30)));
}

#[test]
fn finding_detail_100x30() {
    let mut s = diagnosis_state(100, 30);
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let text = render(&s);
    assert!(
        text.contains("EVIDENCE") && text.contains("CHECK FIRST"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn diagnosis_screens_render_small_without_panic() {
    for (w, h) in [(20, 5), (1, 1), (200, 4)] {
        let mut s = diagnosis_state(w, h);
        render(&s);
        update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        render(&s);
    }
}

/// Three pairs watched: the services of two ranked together, the third's
/// last read good and its next one refused (expired credentials).
fn loaded_pairs(width: u16, height: u16) -> AppState {
    use triage::domain::pair::WatchedPair;
    use triage::domain::Pair;
    let pairs = [
        ("prod", "us-east-1", true),
        ("prod", "eu-west-1", true),
        ("staging", "us-east-1", false),
    ];
    let mut session = session(false);
    session.pairs = pairs
        .iter()
        .map(|(account, region, production)| WatchedPair {
            pair: Pair::new(*account, *region),
            profile: Some(format!("{account}-oncall")),
            production: *production,
            account_id: None,
            flow_logs_role: None,
        })
        .collect();
    let mut s = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, t0());
    update(&mut s, Msg::Resize { width, height });
    let effects = init(&mut s);
    for (i, (account, region, _)) in pairs.iter().enumerate() {
        let pair = Pair::new(*account, *region);
        let generation = effects
            .iter()
            .find_map(|e| match e {
                Effect::FetchStatus {
                    generation,
                    pair: p,
                    ..
                } if *p == pair => Some(*generation),
                _ => None,
            })
            .unwrap();
        let services = FIXTURES
            .iter()
            .skip(i)
            .step_by(pairs.len())
            .map(|n| {
                let mut service = fixtures::service(&format!("health/{n}.json"));
                service.pair = pair.clone();
                service
            })
            .collect();
        update(
            &mut s,
            Msg::Worker(WorkerResult::Status {
                pair,
                generation,
                result: Ok(StatusSnapshot {
                    services,
                    ..Default::default()
                }),
            }),
        );
    }
    // Two minutes on, staging's read is refused: its rows stay, with their age.
    let later = t0() + Duration::seconds(120);
    let effects = update(&mut s, Msg::Tick(later));
    for effect in effects {
        if let Effect::FetchStatus {
            generation, pair, ..
        } = effect
        {
            let result = if pair.account == "staging" {
                Err(triage::domain::PortError::ExpiredCredentials {
                    profile: Some("staging-oncall".into()),
                })
            } else {
                Ok(StatusSnapshot::default())
            };
            let result = result.map(|_: StatusSnapshot| {
                let kept: Vec<_> = s.services_of(&pair).cloned().collect();
                StatusSnapshot {
                    services: kept,
                    ..Default::default()
                }
            });
            update(
                &mut s,
                Msg::Worker(WorkerResult::Status {
                    generation,
                    pair,
                    result,
                }),
            );
        }
    }
    s
}

#[test]
fn home_with_several_pairs_80x24() {
    insta::assert_snapshot!(render(&loaded_pairs(80, 24)));
}

#[test]
fn home_with_several_pairs_160x48() {
    let s = loaded_pairs(160, 48);
    let text = render(&s);
    assert!(
        text.contains("ACCOUNT") && text.contains("REGION"),
        "{text}"
    );
    assert!(
        text.contains("1 of 3 pairs failing: staging/us-east-1 (credentials expired, data 2m old)"),
        "{text}"
    );
    assert!(
        text.contains("aws sso login --profile staging-oncall"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn one_pair_has_no_account_or_region_column() {
    let text = render(&loaded(160, 48, false));
    assert!(
        !text.contains("ACCOUNT") && !text.contains("REGION"),
        "{text}"
    );
}

#[test]
fn a_service_of_several_pairs_names_its_pair() {
    let mut s = loaded_pairs(120, 30);
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let text = render(&s);
    let crumb = text.lines().nth(1).unwrap();
    assert!(
        crumb.starts_with("Services › prod/") || crumb.starts_with("Services › staging/"),
        "{crumb}"
    );
}

#[test]
fn several_pairs_render_small_without_panic() {
    for (w, h) in [(20, 5), (40, 10), (60, 15)] {
        render(&loaded_pairs(w, h));
    }
}

/// The case study's slow chat as X-Ray records it: frontend → backend-api
/// (a quick database read, then chatbot-api) → chatbot-api's model call,
/// which times out after 30 s.
fn slow_chat() -> triage::domain::trace::Waterfall {
    let t = t0().timestamp() as f64 - 240.0;
    let trace = "1-6979789c-85a76ff0aa3b8870b80013d1";
    let docs = [
        serde_json::json!({"id": "f000000000000001", "trace_id": trace, "name": "frontend",
            "start_time": t, "end_time": t + 30.09, "fault": true,
            "http": {"response": {"status": 502}},
            "subsegments": [{"id": "f000000000000002", "name": "backend-api", "namespace": "remote",
                "start_time": t + 0.001, "end_time": t + 30.08, "fault": true}]}),
        serde_json::json!({"id": "b000000000000001", "trace_id": trace, "name": "backend-api",
            "parent_id": "f000000000000002",
            "start_time": t + 0.018, "end_time": t + 30.054, "fault": true,
            "http": {"response": {"status": 502}},
            "subsegments": [
                {"id": "b000000000000002", "name": "orders-db", "namespace": "aws",
                 "start_time": t + 0.02, "end_time": t + 0.041},
                {"id": "b000000000000003", "name": "chatbot-api", "namespace": "remote",
                 "start_time": t + 0.045, "end_time": t + 30.05, "fault": true}]}),
        serde_json::json!({"id": "c000000000000001", "trace_id": trace, "name": "chatbot-api",
            "parent_id": "b000000000000003",
            "start_time": t + 0.047, "end_time": t + 30.047, "fault": true,
            "http": {"response": {"status": 504}},
            "subsegments": [{"id": "c000000000000002", "name": "model call", "namespace": "remote",
                "start_time": t + 0.048, "end_time": t + 30.046, "fault": true,
                "http": {"response": {"status": 504}}}]}),
    ]
    .map(|d| d.to_string());
    triage::domain::trace::from_xray::from_segments("req-5f1e0c9a", trace, &docs)
}

fn waterfall_state(width: u16, height: u16) -> AppState {
    let mut s = loaded(width, height, true);
    let effects = triage::app::screens::waterfall::open(&mut s, "req-5f1e0c9a");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SearchLogs { id, .. } if id == "req-5f1e0c9a")),
        "{effects:?}"
    );
    update(
        &mut s,
        Msg::Worker(WorkerResult::Waterfall {
            generation: 1,
            result: Ok(slow_chat()),
        }),
    );
    s
}

#[test]
fn waterfall_80x24() {
    let s = waterfall_state(80, 24);
    let screen = render(&s);
    // Starts on the bottleneck, and says it in full below.
    assert!(screen.contains("chatbot-api › model call"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn waterfall_160x48() {
    insta::assert_snapshot!(render(&waterfall_state(160, 48)));
}

#[test]
fn waterfall_of_hostile_names_stays_clean() {
    let mut s = loaded(80, 24, true);
    triage::app::screens::waterfall::open(&mut s, "req-\u{1b}[2Jx");
    let doc = serde_json::json!({"id": "1", "trace_id": "1-00000001-000000000000000000000001",
        "name": "evil\u{1b}]0;pwned\u{7}\u{202e}svc", "start_time": 1.0, "end_time": 2.0});
    update(
        &mut s,
        Msg::Worker(WorkerResult::Waterfall {
            generation: 1,
            result: Ok(triage::domain::trace::from_xray::from_segments(
                "req-\u{1b}[2Jx",
                "1-00000001-000000000000000000000001",
                &[doc.to_string()],
            )),
        }),
    );
    let screen = render(&s);
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{202e}'),
        "{screen:?}"
    );
    assert!(screen.contains("evil"), "{screen}");
    // Small terminals do not panic.
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
}
