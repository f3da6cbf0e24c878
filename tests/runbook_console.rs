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
use triage::domain::ports::EcsPort;
use triage::domain::runbook::decision::Decision;
use triage::domain::runbook::run::RunOutcome;
use triage::domain::runbook::values::resolve_params;
use triage::domain::timeline::redact::Redactor;
use triage::domain::timeline::Actor;
use triage::domain::Clock;
use triage::store::IncidentStore;
use triage::wiring::SystemClock;
use triage::workers::runbook::console::{spawn, ConsoleRuns};
use triage::workers::runbook::StepPorts;

fn fast_demo(clock: Arc<dyn Clock>) -> Arc<DemoAccount> {
    let text = include_str!("../src/demo/scenarios/saas.toml");
    assert!(text.contains("\nspeed = 1.0\n"));
    let scenario = Scenario::parse(
        &text.replace("\nspeed = 1.0\n", "\nspeed = 60.0\n"),
        "saas-fast",
    )
    .unwrap();
    Arc::new(DemoAccount::new(&scenario, clock).without_latency())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_run_rolls_back_the_oom_loop_and_drops_stale_answers() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let demo = fast_demo(clock.clone());
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(IncidentStore::new(dir.path()));
    let redactor = Redactor::new(&[]).unwrap();
    let me = Actor::Human {
        name: "alice".into(),
    };
    let incident = store
        .start("chatbot-api OOM", None, me, &redactor, clock.as_ref())
        .unwrap();
    let runs = ConsoleRuns {
        ports: StepPorts {
            ecs: demo.clone(),
            network: demo.clone(),
            secrets: demo.clone(),
            search: Some(demo.clone()),
            clock: clock.clone(),
        },
        store: store.clone(),
        redactor,
        operator: "alice".into(),
    };
    let file = triage::store::runbooks::load(std::path::Path::new("runbooks/oom-restart-loop.md"))
        .unwrap();
    let given = [("cluster", "prod-web"), ("service", "chatbot-api")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = resolve_params(&file.runbook, &given).unwrap();
    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let (run_id, decisions) = spawn(&runs, file, RunParams(params), incident.clone(), results_tx);
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
                            plan.data["options"],
                            serde_json::json!(["rollback", "scale"])
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
