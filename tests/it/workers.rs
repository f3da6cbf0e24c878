//! A worker whose port this session was not given answers with why, never
//! silence (the request would otherwise wait for its 90 s timeout).

use std::sync::Arc;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::effect::{Effect, RunEvent, WorkerResult};
use triage::workers::Workers;

fn finding() -> triage::domain::diagnosis::Finding {
    let mut task: triage::domain::task::Task = serde_json::from_value(serde_json::json!({
        "arn": "arn:aws:ecs:eu-west-1:1:task/prod/abc", "id": "abc", "cluster": "prod",
        "group": "service:api", "task_definition": "api:1", "last_status": "STOPPED",
        "desired_status": "STOPPED", "health_status": null, "started_by": null,
        "launch_type": null, "availability_zone": null, "cpu": null, "memory": null,
        "created_at": null, "started_at": null, "stopping_at": null, "stopped_at": null,
        "stop_code": null, "stopped_reason": null, "containers": []
    }))
    .unwrap();
    task.stopped_reason = Some("Essential container in task exited".into());
    triage::domain::diagnosis::diagnose(&task, None)
}

#[tokio::test]
async fn every_effect_without_its_port_answers_with_why() {
    let scenario = Scenario::load("saas").unwrap();
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let ecs = Arc::new(DemoAccount::new(&scenario, clock).without_latency());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // ECS only: no logs, no search, no sharing, no runbook runs.
    let workers = Workers::new(ecs, tx);
    let now = chrono::Utc::now();
    let effects = vec![
        Effect::FetchTaskLogs {
            finding: Box::new(finding()),
        },
        Effect::PublishShare {
            incident: "i".into(),
            entries: vec![],
        },
        Effect::PullShare {
            incident: "i".into(),
            cursor: None,
        },
        Effect::SearchLogs {
            generation: 7,
            id: "req-1".into(),
            start: now - chrono::Duration::hours(1),
            end: now,
            search_all: false,
        },
        Effect::LogContext {
            generation: 7,
            index: 0,
            pair: Default::default(),
            group: "/ecs/api".into(),
            stream: "ecs/api/abc".into(),
            at: now,
        },
    ];
    let count = effects.len();
    for effect in effects {
        workers.run(effect);
    }
    let mut answers = Vec::new();
    for _ in 0..count {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("an answer, not silence")
            .unwrap();
        answers.push(answer);
    }
    assert!(answers.iter().any(|a| matches!(a,
        WorkerResult::TaskLogs { logs: triage::domain::diagnosis::LogTail::Missing { why }, .. }
            if why.contains("not available"))));
    assert!(answers
        .iter()
        .any(|a| matches!(a, WorkerResult::SharePublishFailed(m) if m.contains("--share"))));
    assert!(answers
        .iter()
        .any(|a| matches!(a, WorkerResult::SharePulled(Err(m)) if m.contains("--share"))));
    assert!(answers.iter().any(|a| matches!(a,
        WorkerResult::LogsDone { generation: 7, complete: false, coverage, .. }
            if coverage.contains("not available"))));
    assert!(answers.iter().any(|a| matches!(a,
        WorkerResult::LogContext { generation: 7, lines: Err(m), .. } if m.contains("not available"))));
    // And a run without the runbook machinery says so.
    workers.run(Effect::LoadRunbooks);
    let _ = rx.recv().await;
    let file = triage::store::runbooks::list(&[std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/runbooks"
    ))])
    .into_iter()
    .next()
    .unwrap();
    workers.run(Effect::StartRun {
        file: Box::new(file),
        params: triage::effect::RunParams(Default::default()),
        incident: "i".into(),
        pair: Default::default(),
    });
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(answer,
        WorkerResult::Run(RunEvent::Ended { outcome: None, error: Some(e) }) if e.contains("cannot run")));
}

#[tokio::test]
async fn a_request_for_a_pair_no_longer_watched_says_so() {
    let scenario = Scenario::load("saas").unwrap();
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let ecs = Arc::new(DemoAccount::new(&scenario, clock).without_latency());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let workers = Workers::over(
        vec![triage::workers::PairPorts::new(
            triage::domain::Pair::new("prod", "eu-west-1"),
            ecs,
        )],
        tx,
    );
    workers.run(Effect::FetchStatus {
        generation: 3,
        pair: triage::domain::Pair::new("staging", "us-east-1"),
        clusters: vec![],
    });
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    match answer {
        WorkerResult::Status {
            generation: 3,
            pair,
            result: Err(err),
        } => {
            assert_eq!(pair.label(), "staging/us-east-1");
            assert!(err.to_string().contains("not watched"), "{err}");
        }
        other => panic!("{other:?}"),
    }
    // The pair it serves answers, every service stamped with it.
    workers.run(Effect::FetchStatus {
        generation: 4,
        pair: triage::domain::Pair::new("prod", "eu-west-1"),
        clusters: vec![],
    });
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let WorkerResult::Status {
        result: Ok(snapshot),
        ..
    } = answer
    else {
        panic!("{answer:?}")
    };
    assert!(!snapshot.services.is_empty());
    assert!(snapshot
        .services
        .iter()
        .all(|s| s.pair.label() == "prod/eu-west-1"));
}

/// Workers over the two demo pairs (the default demo and staging), their
/// simulated time frozen at the start.
fn two_demo_pairs() -> (
    Workers,
    tokio::sync::mpsc::UnboundedReceiver<WorkerResult>,
    triage::domain::Pair,
    triage::domain::Pair,
) {
    use triage::domain::Pair;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let ports = |scenario: &str, pair: &Pair| {
        let demo = Arc::new(
            DemoAccount::new(&Scenario::load(scenario).unwrap(), clock.clone()).without_latency(),
        );
        let mut ports = triage::workers::PairPorts::new(pair.clone(), demo.clone());
        ports.logs = Some(demo.clone());
        let scope = triage::workers::logsearch::SearchScope {
            max_calls: 2000,
            ..Default::default()
        };
        ports.search = Some((demo, Arc::new(scope)));
        ports
    };
    let (saas, staging) = (
        Pair::new("saas", "eu-west-1"),
        Pair::new("staging", "us-east-1"),
    );
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let workers = Workers::over(vec![ports("saas", &saas), ports("staging", &staging)], tx);
    (workers, rx, saas, staging)
}

#[tokio::test]
async fn the_diagnosis_spans_every_pair_and_stamps_each_finding() {
    let (workers, mut rx, saas, staging) = two_demo_pairs();
    workers.run(Effect::FetchDiagnosis {
        generation: 1,
        clusters: vec![],
        known: vec![],
    });
    let answer = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let WorkerResult::Diagnosis {
        result: Ok(report), ..
    } = answer
    else {
        panic!("{answer:?}")
    };
    for pair in [&saas, &staging] {
        assert!(
            report.findings.iter().any(|f| &f.pair == pair),
            "findings of {pair}"
        );
        assert!(
            report
                .patterns
                .iter()
                .any(|p| &p.pair == pair && p.service == "chatbot-api"),
            "chatbot-api's loop in {pair}: {:?}",
            report.patterns
        );
    }
    assert!(report.services.iter().all(|s| !s.pair.is_unnamed()));
    // Newest first, across the pairs.
    assert!(report
        .findings
        .windows(2)
        .all(|w| w[0].stopped_at >= w[1].stopped_at));
}

#[tokio::test]
async fn a_search_spans_every_pair_and_says_each_ones_coverage() {
    let (workers, mut rx, saas, _) = two_demo_pairs();
    let now = chrono::Utc::now();
    workers.run(Effect::SearchLogs {
        generation: 9,
        id: "req-5f1e0c9a".into(),
        start: now - chrono::Duration::hours(1),
        end: now,
        search_all: false,
    });
    let mut hits = Vec::new();
    let coverage = loop {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match answer {
            WorkerResult::LogHits { events, .. } => hits.extend(events),
            WorkerResult::LogsDone { coverage, .. } => break coverage,
            other => panic!("{other:?}"),
        }
    };
    assert!(!hits.is_empty(), "{coverage}");
    assert!(
        hits.iter().all(|e| e.pair == saas),
        "the request crossed the default demo only"
    );
    assert!(
        coverage.contains("saas/eu-west-1: ") && coverage.contains(" · staging/us-east-1: "),
        "{coverage}"
    );
}
