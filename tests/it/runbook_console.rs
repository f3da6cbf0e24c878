//! A run driven from the console, end to end on the demo (sped up): the
//! worker asks, the "app" answers through the channel. An answer carrying an
//! old question's number is dropped, a wrong typed name is refused and asked
//! again, and the rollback ends the demo's OOM loop.

use std::sync::Arc;
use std::time::Duration;
use triage::app::effect::{Ask, RunEvent, RunParams};
use triage::app::WorkerResult;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::network::NetworkPort;
use triage::domain::ports::{EcsPort, LogSearchPort};
use triage::domain::runbook::decision::Decision;
use triage::domain::runbook::run::RunOutcome;
use triage::domain::runbook::values::resolve_params;
use triage::domain::secrets::SecretsPort;
use triage::domain::timeline::redact::Redactor;
use triage::domain::timeline::Actor;
use triage::domain::Clock;
use triage::store::IncidentStore;
use triage::wiring::SystemClock;
use triage::workers::runbook::operator::{spawn, ConsoleRuns};
use triage::workers::runbook::StepPorts;

fn fast_demo(clock: Arc<dyn Clock>) -> Arc<DemoAccount> {
    let text = include_str!("../../src/demo/scenarios/saas.toml");
    assert!(text.contains("\nspeed = 1.0\n"));
    let scenario = Scenario::parse(
        &text.replace("\nspeed = 1.0\n", "\nspeed = 60.0\n"),
        "saas-fast",
    )
    .unwrap();
    Arc::new(DemoAccount::new(&scenario, clock).without_latency())
}

/// An incident to journal in and what console runs need, over the demo.
fn console_runs(
    demo: &Arc<DemoAccount>,
    clock: Arc<dyn Clock>,
    title: &str,
) -> (tempfile::TempDir, Arc<IncidentStore>, String, ConsoleRuns) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(IncidentStore::new(dir.path()));
    let redactor = Redactor::new(&[]).unwrap();
    let me = Actor::Human {
        name: "alice".into(),
    };
    let incident = store
        .start(title, None, me, &redactor, clock.as_ref())
        .unwrap();
    let runs = ConsoleRuns {
        ports: StepPorts {
            ecs: demo.clone(),
            network: demo.clone(),
            secrets: demo.clone(),
            search: Some(demo.clone()),
            clock,
            pair: None,
        },
        store: store.clone(),
        redactor,
        operator: "alice".into(),
    };
    (dir, store, incident, runs)
}

/// The OOM runbook for prod-web/chatbot-api, its values checked.
fn oom_runbook() -> (triage::domain::runbook::RunbookFile, RunParams) {
    let file = triage::store::runbooks::load(std::path::Path::new("runbooks/oom-restart-loop.md"))
        .unwrap();
    let given = [("cluster", "prod-web"), ("service", "chatbot-api")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = RunParams(resolve_params(&file.runbook, &given).unwrap());
    (file, params)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_run_rolls_back_the_oom_loop_and_drops_stale_answers() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let demo = fast_demo(clock.clone());
    let (_dir, store, incident, runs) = console_runs(&demo, clock.clone(), "chatbot-api OOM");
    let (file, params) = oom_runbook();
    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let (run_id, decisions) = spawn(&runs, file, params, incident.clone(), results_tx);
    let by = || "alice".to_string();

    let mut asked = Vec::new();
    let mut rejected = Vec::new();
    let mut transitions = Vec::new();
    let outcome = loop {
        let result = tokio::time::timeout(Duration::from_secs(60), results.recv())
            .await
            .expect("the run goes on")
            .expect("the run reports its end");
        let WorkerResult::Run(event) = result else {
            continue;
        };
        match event {
            RunEvent::Asks(q) => {
                asked.push((q.ask, q.index));
                match (&q.kind, q.index) {
                    (Ask::Answer { plan }, 2) => {
                        assert_eq!(
                            plan.data,
                            triage::domain::runbook::PlanData::Question {
                                options: vec!["rollback".into(), "scale".into()]
                            }
                        );
                        // A late answer to an older question must not count.
                        decisions
                            .send((
                                q.ask - 1,
                                Decision::Answer {
                                    by: by(),
                                    value: "scale".into(),
                                },
                            ))
                            .unwrap();
                        decisions
                            .send((
                                q.ask,
                                Decision::Answer {
                                    by: by(),
                                    value: "rollback".into(),
                                },
                            ))
                            .unwrap();
                    }
                    (Ask::Confirm { plan, typed: true }, 3) => {
                        assert_eq!(plan.target.as_deref(), Some("chatbot-api"));
                        if rejected.is_empty() {
                            decisions
                                .send((
                                    q.ask,
                                    Decision::Confirm {
                                        by: by(),
                                        typed: Some("chatbot".into()),
                                    },
                                ))
                                .unwrap();
                        } else {
                            decisions
                                .send((
                                    q.ask - 1,
                                    Decision::Confirm {
                                        by: by(),
                                        typed: Some("chatbot-api".into()),
                                    },
                                ))
                                .unwrap();
                            decisions
                                .send((
                                    q.ask,
                                    Decision::Confirm {
                                        by: by(),
                                        typed: Some("chatbot-api".into()),
                                    },
                                ))
                                .unwrap();
                        }
                    }
                    other => panic!("unexpected question {other:?}"),
                }
            }
            RunEvent::Rejected { reason, .. } => rejected.push(reason),
            RunEvent::Transition(entry) => {
                // Milestones reached by a step come this way too.
                if let Some(r) = &entry.runbook {
                    assert_eq!(r.run_id, run_id);
                    if !r.step_id.is_empty() {
                        transitions.push(format!("{}:{}", r.step_id, r.state));
                    }
                }
            }
            RunEvent::Ended { outcome, error } => {
                assert_eq!(error, None);
                break outcome;
            }
            RunEvent::Started { .. } | RunEvent::Planned { .. } | RunEvent::Output { .. } => {}
        }
    };
    assert_eq!(outcome, Some(RunOutcome::Succeeded), "{transitions:?}");
    assert_eq!(
        asked.iter().map(|a| a.1).collect::<Vec<_>>(),
        vec![2, 3, 3],
        "choice, confirm, confirm again after the wrong name"
    );
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].contains("`chatbot`") && rejected[0].contains("`chatbot-api`"),
        "{rejected:?}"
    );
    assert!(
        transitions.contains(&"scale:skipped".to_string()),
        "the stale `scale` answer was dropped: {transitions:?}"
    );
    assert!(
        transitions.contains(&"rollback:succeeded".to_string()),
        "{transitions:?}"
    );
    assert!(
        transitions.contains(&"steady:succeeded".to_string()),
        "{transitions:?}"
    );
    // The demo recovered: back on revision 40, every task running.
    let service = demo.service("prod-web", "chatbot-api").await.unwrap();
    assert!(
        service.task_definition.ends_with("chatbot-api:40"),
        "{}",
        service.task_definition
    );
    assert_eq!(service.running, service.desired);
    // Every transition is in the incident's journal, in order.
    let loaded = store.load(&incident).unwrap();
    let journaled: Vec<String> = loaded
        .incident
        .entries
        .iter()
        .filter_map(|e| e.runbook.as_ref())
        .filter(|r| !r.step_id.is_empty())
        .map(|r| format!("{}:{}", r.step_id, r.state))
        .collect();
    assert_eq!(journaled, transitions);
}

/// The 3 AM incident of seeds/001 in the demo, from the console: approve,
/// lock down egress, rotate, redeploy, wait, then the two manual steps.
#[tokio::test(start_paused = true)]
async fn compromised_host_in_the_demo_contains_rotates_and_stops_the_exfiltration() {
    // The demo's clock moves with tokio's, paused: the flow logs' minutes
    // and the lockdown fall the same way on every run, however loaded the
    // machine (at 60× on the wall clock, a slow run could lock down before
    // the first minute of flow records).
    let clock: Arc<dyn Clock> = Arc::new(crate::support::demo::TokioClock::at(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 1, 28, 3, 12, 0).unwrap(),
    ));
    let scenario = Scenario::load("saas").unwrap();
    let demo = Arc::new(DemoAccount::new(&scenario, clock.clone()).without_latency());
    let sim_now = |t: chrono::DateTime<chrono::Utc>| t;
    let (_dir, _store, incident, runs) =
        console_runs(&demo, clock.clone(), "backend-api exfiltrating");
    let group = "sg-0b4c3a2d1e0f00001";
    let secrets = [
        "prod/backend/database-url",
        "prod/backend/jwt-signing-key",
        "prod/backend/stripe-api-key",
    ];
    let before: Vec<_> = {
        let mut v = Vec::new();
        for s in secrets {
            v.push(demo.describe_secret(s).await.unwrap());
        }
        v
    };
    let file = triage::store::runbooks::load(std::path::Path::new("runbooks/compromised-host.md"))
        .unwrap();
    let given = [
        ("cluster", "prod-web".to_string()),
        ("service", "backend-api".to_string()),
        ("security_groups", group.to_string()),
        ("secret_ids", secrets.join(",")),
        (
            "flow_logs_role",
            "arn:aws:iam::123456789012:role/vpc-flow-logs".to_string(),
        ),
        ("evidence_wait", "1m".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let params = resolve_params(&file.runbook, &given).unwrap();
    let steps: Vec<(String, String)> = file
        .runbook
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.kind_name().to_string()))
        .collect();
    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let (_, decisions) = spawn(&runs, file, RunParams(params), incident.clone(), results_tx);
    let by = || "alice".to_string();
    let mut contained_at = None;
    let mut evidence = None;
    let outcome = loop {
        let result = tokio::time::timeout(Duration::from_secs(900), results.recv())
            .await
            .expect("the run goes on")
            .expect("the run reports its end");
        let WorkerResult::Run(event) = result else {
            continue;
        };
        match event {
            RunEvent::Asks(q) => {
                let (id, kind) = &steps[q.index];
                let decision = match (&q.kind, kind.as_str()) {
                    (Ask::Answer { .. }, "approve") => Decision::Answer {
                        by: by(),
                        value: "bob".into(),
                    },
                    (Ask::Answer { .. }, "manual") => Decision::Answer {
                        by: by(),
                        value: "done".into(),
                    },
                    (Ask::Confirm { plan, typed }, _) => Decision::Confirm {
                        by: by(),
                        typed: typed.then(|| plan.target.clone().unwrap()),
                    },
                    other => panic!("unexpected question at {id}: {other:?}"),
                };
                if id == "lockdown" {
                    // A person reads the plan and types the group's name: a
                    // minute, while the flow logs already record the traffic.
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                decisions.send((q.ask, decision)).unwrap();
            }
            RunEvent::Transition(entry)
                if entry
                    .runbook
                    .as_ref()
                    .is_some_and(|r| r.step_id == "lockdown" && r.state == "succeeded") =>
            {
                contained_at = Some(sim_now(clock.now()));
            }
            RunEvent::Transition(entry)
                if entry
                    .runbook
                    .as_ref()
                    .is_some_and(|r| r.step_id == "evidence" && r.state == "succeeded") =>
            {
                evidence = entry.result.map(|r| r.outputs);
            }
            RunEvent::Ended { outcome, error } => {
                assert_eq!(error, None);
                break outcome;
            }
            _ => {}
        }
    };
    assert_eq!(outcome, Some(RunOutcome::Succeeded));
    // The evidence: the flow logs, turned on before the lockdown, name where
    // the traffic went.
    let evidence = evidence.expect("the evidence step succeeded");
    assert_eq!(
        evidence["top_destination"], "198.51.100.23:6667",
        "{evidence}"
    );
    // Egress: exactly the allow-list.
    let sg = demo.security_group(group).await.unwrap();
    let mut allowed: Vec<String> = sg.egress.iter().map(|r| r.describe()).collect();
    allowed.sort();
    assert_eq!(allowed.len(), 4, "{allowed:?}");
    assert!(
        allowed
            .iter()
            .all(|r| r.contains("443") || r.contains("80") || r.contains("53")),
        "{allowed:?}"
    );
    // Every secret has a new current version; the old one is previous.
    for (secret, old) in secrets.iter().zip(&before) {
        let now = demo.describe_secret(secret).await.unwrap();
        assert_ne!(now.current_version, old.current_version, "{secret} rotated");
        assert_eq!(
            now.previous_version, old.current_version,
            "{secret} keeps the old as AWSPREVIOUS"
        );
    }
    // The exfiltration lines stop once the group is locked down.
    let contained_at = contained_at.expect("lockdown succeeded");
    let log_group = "/ecs/prod-web/backend-api";
    let count = |start, end| {
        let demo = demo.clone();
        async move {
            let mut n = 0;
            let mut token = None;
            loop {
                let page = demo
                    .filter_page(log_group, "\"198.51.100.23\"", start, end, token)
                    .await
                    .unwrap();
                n += page.events.len();
                token = page.next_token;
                if token.is_none() {
                    break n;
                }
            }
        }
    };
    let window = chrono::Duration::seconds(120);
    let before_lockdown = count(contained_at - window, contained_at).await;
    assert!(
        before_lockdown > 0,
        "the scenario exfiltrates until contained (two minutes before it)"
    );
    tokio::time::sleep(Duration::from_secs(150)).await;
    let end = sim_now(clock.now());
    assert!(end - contained_at >= window, "as long a window after it");
    let after = count(contained_at + chrono::Duration::seconds(1), end).await;
    assert_eq!(after, 0, "no outbound connection lines after the lockdown");
}

/// The console went away while the run waited for a typed confirmation; a
/// new console resumes it from the journal and it asks again, then finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_left_waiting_is_resumed_from_the_journal_and_asks_again() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let demo = fast_demo(clock.clone());
    let (_dir, store, incident, runs) = console_runs(&demo, clock.clone(), "chatbot-api OOM");
    let (file, params) = oom_runbook();
    let (tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let (run_id, decisions) = spawn(&runs, file.clone(), params.clone(), incident.clone(), tx);
    // Answer the choice, then leave at the confirmation.
    let mut decisions = Some(decisions);
    let first_end = loop {
        let Some(WorkerResult::Run(event)) =
            tokio::time::timeout(Duration::from_secs(60), results.recv())
                .await
                .unwrap()
        else {
            continue;
        };
        match event {
            RunEvent::Asks(q) if q.index == 2 => {
                let d = decisions.as_ref().unwrap();
                d.send((
                    q.ask,
                    Decision::Answer {
                        by: "alice".into(),
                        value: "rollback".into(),
                    },
                ))
                .unwrap();
            }
            RunEvent::Asks(q) if q.index == 3 => {
                decisions = None; // the console is gone
            }
            RunEvent::Ended { outcome, error } => break (outcome, error),
            _ => {}
        }
    };
    assert_eq!(first_end.0, None);
    assert!(first_end.1.unwrap().contains("paused at step `rollback`"));
    assert!(decisions.is_none());

    let (tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let (_, decisions) = triage::workers::runbook::operator::resume(
        &runs,
        file,
        incident.clone(),
        triage::domain::runbook::resume::ResumeAsk {
            run_id: run_id.clone(),
            ..Default::default()
        },
        tx,
    );
    let mut asked = Vec::new();
    let outcome = loop {
        let Some(WorkerResult::Run(event)) =
            tokio::time::timeout(Duration::from_secs(60), results.recv())
                .await
                .unwrap()
        else {
            continue;
        };
        match event {
            RunEvent::Started { .. } => panic!("a resumed run does not start again"),
            RunEvent::Asks(q) => {
                asked.push(q.index);
                if let Ask::Confirm { plan, .. } = &q.kind {
                    decisions
                        .send((
                            q.ask,
                            Decision::Confirm {
                                by: "alice".into(),
                                typed: plan.target.clone(),
                            },
                        ))
                        .unwrap();
                }
            }
            RunEvent::Ended { outcome, error } => {
                assert_eq!(error, None);
                break outcome;
            }
            _ => {}
        }
    };
    assert_eq!(asked, vec![3], "only the confirmation is asked again");
    assert_eq!(outcome, Some(RunOutcome::Succeeded));
    let entries = store.load(&incident).unwrap().incident.entries;
    let decide_answers = entries
        .iter()
        .filter_map(|e| e.runbook.as_ref())
        .filter(|r| r.run_id == run_id && r.step_id == "decide" && r.state == "succeeded")
        .count();
    assert_eq!(
        decide_answers, 1,
        "the choice made before is kept, not asked again"
    );
}
