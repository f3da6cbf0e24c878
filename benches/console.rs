//! Speed targets, measured: drawing the home screen with 2,000 services, the
//! demo from start to its first frame with data, and the logs screen holding
//! a million lines.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;
use triage::app::state::SessionInfo;
use triage::app::update::init;
use triage::app::{update, AppState, Msg, StatusSnapshot, WorkerResult};
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::service::{Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent};
use triage::settings::ThemeSpec;
use triage::workers::status::fetch_status;

fn session() -> SessionInfo {
    SessionInfo {
        demo: Some("saas".into()),
        profile: None,
        region: None,
        read_only: false,
        clusters: vec![],
        production_patterns: vec![],
        refresh_selected: Duration::seconds(5),
        refresh_others: Duration::seconds(30),
        operator: "alice".into(),
        share: false,
        pairs: vec![],
    }
}

/// 2,000 services over 20 clusters, every health represented, 20 events each.
fn many_services() -> Vec<Service> {
    services_over(2000, 20)
}

/// `count` services over `clusters` clusters, every health represented, 20 events each.
fn services_over(count: usize, clusters: usize) -> Vec<Service> {
    let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    (0..count)
        .map(|i| {
            let cluster = format!("cluster-{:02}", i % clusters);
            let name = format!("service-{i:04}");
            let desired = (i % 5) as u32;
            let running = if i % 7 == 0 { 0 } else { desired };
            let td = format!(
                "arn:aws:ecs:eu-west-1:123456789012:task-definition/{name}:{}",
                i % 90 + 1
            );
            Service {
                cluster: cluster.clone(),
                name: name.clone(),
                arn: format!("arn:aws:ecs:eu-west-1:123456789012:service/{cluster}/{name}"),
                status: "ACTIVE".into(),
                desired,
                running,
                pending: 0,
                task_definition: td.clone(),
                launch_type: Some("FARGATE".into()),
                deployments: vec![Deployment {
                    id: format!("ecs-svc/{i}"),
                    status: DeploymentStatus::Primary,
                    rollout_state: Some(if i % 11 == 0 {
                        RolloutState::InProgress
                    } else {
                        RolloutState::Completed
                    }),
                    rollout_state_reason: None,
                    task_definition: td,
                    desired,
                    running,
                    pending: 0,
                    failed_tasks: (i % 13 == 0) as u32,
                    created_at: Some(now - Duration::minutes(i as i64)),
                    updated_at: Some(now - Duration::minutes(i as i64 / 2)),
                }],
                events: (0..20)
                    .map(|e| ServiceEvent {
                        id: format!("{i}-{e}"),
                        at: now - Duration::minutes(e * 7 + i as i64 % 5),
                        message: format!("(service {name}) has reached a steady state."),
                    })
                    .collect(),
                created_at: Some(now - Duration::days(30)),
                target_groups: vec![],
                network: None,
                pair: Default::default(),
            }
        })
        .collect()
}

fn loaded_state(services: Vec<Service>, width: u16, height: u16) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    let mut state = AppState::new(session(), ThemeSpec::built_in("dark").unwrap(), false, now);
    update(&mut state, Msg::Resize { width, height });
    init(&mut state);
    update(
        &mut state,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation: 1,
            result: Ok(StatusSnapshot {
                services,
                ..Default::default()
            }),
        }),
    );
    state
}

/// A console watching `pairs` pairs, `services` dealt among them, each
/// pair's read arrived.
fn pairs_state(services: Vec<Service>, pairs: usize, width: u16, height: u16) -> AppState {
    use triage::domain::pair::WatchedPair;
    use triage::domain::Pair;
    let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    let names: Vec<Pair> = (0..pairs)
        .map(|i| Pair::new(format!("acct-{}", i % 2), format!("region-{}", i / 2)))
        .collect();
    let mut session = session();
    session.pairs = names
        .iter()
        .map(|p| WatchedPair {
            pair: p.clone(),
            ..WatchedPair::default()
        })
        .collect();
    let mut state = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, now);
    update(&mut state, Msg::Resize { width, height });
    let effects = init(&mut state);
    for (i, pair) in names.iter().enumerate() {
        let generation = effects
            .iter()
            .find_map(|e| match e {
                triage::app::Effect::FetchStatus {
                    generation,
                    pair: p,
                    ..
                } if p == pair => Some(*generation),
                _ => None,
            })
            .unwrap();
        let mine: Vec<Service> = services
            .iter()
            .skip(i)
            .step_by(pairs)
            .cloned()
            .map(|mut s| {
                s.pair = pair.clone();
                s
            })
            .collect();
        answer(&mut state, pair, generation, mine);
    }
    state
}

/// A pair's status read arrives with these services.
fn answer(
    state: &mut AppState,
    pair: &triage::domain::Pair,
    generation: u64,
    services: Vec<Service>,
) {
    update(
        state,
        Msg::Worker(WorkerResult::Status {
            pair: pair.clone(),
            generation,
            result: Ok(StatusSnapshot {
                services,
                ..Default::default()
            }),
        }),
    );
}

fn render_home(c: &mut Criterion) {
    let state = loaded_state(many_services(), 160, 48);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("render home, 2000 services, 160x48", |b| {
        b.iter(|| {
            terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
        })
    });
    let mut filtered = loaded_state(many_services(), 160, 48);
    filtered.filter.text = "cluster-07".into();
    c.bench_function("render home, 2000 services filtered, 160x48", |b| {
        b.iter(|| {
            terminal.draw(|f| triage::ui::draw(f, &filtered)).unwrap();
        })
    });
    // Ten (account, Region) pairs of 200 services each, and more: what the
    // home screen does when a status read arrives (rank, then draw).
    c.bench_function("rank and draw home, 6000 services, 160x48", |b| {
        let services = services_over(6000, 30);
        b.iter_batched(
            || services.clone(),
            |services| {
                let state = loaded_state(services, 160, 48);
                terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // The same 6,000 as 10 watched pairs of 600: each pair's read arrives on
    // its own and the home screen ranks every pair's services again, then
    // draws with ACCOUNT and REGION columns: what one pair's answer costs.
    c.bench_function(
        "one pair's answer among 10 pairs (6000 services): rank all and draw, 160x48",
        |b| {
            let mut state = pairs_state(services_over(6000, 30), 10, 160, 48);
            let pair = state.pairs[3].pair().clone();
            let mine: Vec<Service> = state.services_of(&pair).cloned().collect();
            let mut generation = state.pairs[3].status.generation;
            b.iter(|| {
                generation += 1;
                state.pairs[3].status.generation = generation;
                answer(&mut state, &pair, generation, mine.clone());
                terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
            })
        },
    );
    c.bench_function("rank 2000 services", |b| {
        let services = many_services();
        let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        b.iter_batched(
            || services.clone(),
            |services| triage::domain::ranking::rank(services, now),
            criterion::BatchSize::LargeInput,
        )
    });
}

fn demo_first_frame(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let scenario = Scenario::load("saas").unwrap();
    c.bench_function("demo start to first frame (3h of history simulated)", |b| {
        b.iter(|| {
            let clock = Arc::new(ManualClock::new(
                Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap(),
            ));
            let account = DemoAccount::new(&scenario, clock).without_latency();
            let snapshot = runtime.block_on(fetch_status(&account, &[])).unwrap();
            let state = loaded_state(snapshot.services, 120, 40);
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
        })
    });
}

/// The logs screen holding 1,000,000 lines: a frame at the newest line, and
/// a page down from the middle (what scrolling costs).
fn render_million_log_lines(c: &mut Criterion) {
    use triage::app::{Key, KeyPress};
    use triage::domain::logsearch::LogEvent;
    let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    let mut state = AppState::new(session(), ThemeSpec::built_in("dark").unwrap(), false, now);
    update(
        &mut state,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    for c in ":logs req-1".chars() {
        update(&mut state, Msg::Key(KeyPress::char(c)));
    }
    update(&mut state, Msg::Key(KeyPress::plain(Key::Enter)));
    let generation = state.logs.as_ref().unwrap().generation;
    let events: Vec<LogEvent> = (0..1_000_000i64)
        .map(|i| {
            let service = ["frontend", "backend-api", "chatbot-api"][(i % 3) as usize];
            LogEvent {
                group: format!("/ecs/prod-web/{service}"),
                stream: format!("ecs/app/{service}-1"),
                timestamp: now - Duration::hours(1) + Duration::milliseconds(i * 3),
                ingestion: None,
                event_id: None,
                message: format!(
                    r#"{{"level":"info","service":"{service}","msg":"step {i}","correlationId":"req-1"}}"#
                ),
                pair: Default::default(),
            }
        })
        .collect();
    update(
        &mut state,
        Msg::Worker(WorkerResult::LogHits {
            generation,
            events,
            services: vec![],
        }),
    );
    update(&mut state, Msg::Key(KeyPress::char('G')));
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function(
        "logs screen, 1,000,000 lines, frame at the end, 160x48",
        |b| {
            b.iter(|| {
                terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
            })
        },
    );
    c.bench_function("logs screen, 1,000,000 lines, page down + frame", |b| {
        b.iter(|| {
            update(&mut state, Msg::Key(KeyPress::plain(Key::PageUp)));
            terminal.draw(|f| triage::ui::draw(f, &state)).unwrap();
        })
    });
}

criterion_group!(
    benches,
    render_home,
    demo_first_frame,
    render_million_log_lines
);
criterion_main!(benches);
