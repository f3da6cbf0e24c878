//! A run driven from the console: the driver in a tokio task, its questions
//! sent to the app as [`RunEvent::Asks`] and answered through a channel. Each
//! question has a number; a decision for another number (a late key press)
//! is dropped, so nothing is ever confirmed that was not on screen.

use super::driver::{Decision, DecisionFuture, Operator, Progress, Request, RunEnd};
use super::session::{new_run_id, RunSession};
use super::StepPorts;
use crate::domain::runbook::resume::{decide_resume, ResumeAsk};
use crate::domain::runbook::{Confirm, RunbookFile};
use crate::domain::timeline::redact::Redactor;
use crate::effect::WorkerResult;
use crate::effect::{Ask, Question, RunEvent, RunParams};
use crate::store::IncidentStore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// What a console run needs besides the runbook and its values.
#[derive(Clone)]
pub struct ConsoleRuns {
    pub ports: StepPorts,
    pub store: Arc<IncidentStore>,
    pub redactor: Redactor,
    pub operator: String,
}

/// Where decisions for a run go: (run id, the channel to its operator).
pub(crate) type DecisionSender = (String, UnboundedSender<(u64, Decision)>);

struct ConsoleOperator {
    results: UnboundedSender<WorkerResult>,
    decisions: UnboundedReceiver<(u64, Decision)>,
    /// The number of the last question asked.
    asked: u64,
    /// The runbook's step ids, to number the steps in questions.
    step_ids: Vec<String>,
    /// The console went away: nobody will answer.
    closed: Arc<AtomicBool>,
}

impl ConsoleOperator {
    fn send(&self, event: RunEvent) {
        if self.results.send(WorkerResult::Run(event)).is_err() {
            self.closed.store(true, Ordering::SeqCst);
        }
    }
}

impl Operator for ConsoleOperator {
    fn decide<'a>(&'a mut self, request: Request<'a>) -> DecisionFuture<'a> {
        self.asked += 1;
        let ask = self.asked;
        let (step, kind) = match request {
            Request::Confirm { step, plan } => (
                step,
                Ask::Confirm {
                    plan: plan.clone(),
                    typed: step.attrs.confirm == Confirm::Typed && plan.target.is_some(),
                },
            ),
            Request::Answer { step, plan } => (step, Ask::Answer { plan: plan.clone() }),
            Request::Resolve { step } => (step, Ask::Resolve),
            Request::Failed { step, error } => (step, Ask::Failed { error }),
        };
        let index = self
            .step_ids
            .iter()
            .position(|id| *id == step.id)
            .unwrap_or(0);
        self.send(RunEvent::Asks(Question { ask, index, kind }));
        Box::pin(async move {
            loop {
                match self.decisions.recv().await {
                    Some((n, decision)) if n == ask => return decision,
                    // An answer to an earlier question: not this one's.
                    Some(_) => continue,
                    None => {
                        self.closed.store(true, Ordering::SeqCst);
                        return Decision::Wait;
                    }
                }
            }
        })
    }

    fn progress(&mut self, progress: Progress) {
        let event = match progress {
            Progress::Transition { entry, .. } => RunEvent::Transition(entry),
            Progress::Planned { index, plan } => RunEvent::Planned { index, plan },
            Progress::Output { index, line } => RunEvent::Output { index, line },
            Progress::Rejected { index, reason } => RunEvent::Rejected { index, reason },
        };
        self.send(event);
    }

    fn output_sink(&self) -> Box<dyn FnMut(usize, String) + Send> {
        let results = self.results.clone();
        Box::new(move |index, line| {
            let _ = results.send(WorkerResult::Run(RunEvent::Output { index, line }));
        })
    }
}

/// Start a run in the background; returns where its decisions go.
pub fn spawn(
    runs: &ConsoleRuns,
    file: RunbookFile,
    params: RunParams,
    incident: String,
    results: UnboundedSender<WorkerResult>,
) -> DecisionSender {
    let run_id = new_run_id(runs.ports.clock.as_ref());
    launch(runs, file, incident, Start::New(run_id, params), results)
}

/// Go on with a run that stopped: decided again on the journal as it is on
/// disk now, by the rules `triage runbook run --resume` follows (steps found
/// running come back `unknown`).
pub fn resume(
    runs: &ConsoleRuns,
    file: RunbookFile,
    incident: String,
    ask: ResumeAsk,
    results: UnboundedSender<WorkerResult>,
) -> DecisionSender {
    launch(runs, file, incident, Start::Resume(ask), results)
}

enum Start {
    New(String, RunParams),
    Resume(ResumeAsk),
}

fn ended_with(results: &UnboundedSender<WorkerResult>, error: String) {
    let _ = results.send(WorkerResult::Run(RunEvent::Ended {
        outcome: None,
        error: Some(error),
    }));
}

fn launch(
    runs: &ConsoleRuns,
    file: RunbookFile,
    incident: String,
    start: Start,
    results: UnboundedSender<WorkerResult>,
) -> DecisionSender {
    // Long on purpose: building a console run (session, journal, operator channel, driver) in the order each needs the previous.
    let (decide_tx, decide_rx) = unbounded_channel();
    let runs = runs.clone();
    let run_id = match &start {
        Start::New(id, _) => id.clone(),
        Start::Resume(ask) => ask.run_id.clone(),
    };
    let id = run_id.clone();
    tokio::spawn(async move {
        let closed = Arc::new(AtomicBool::new(false));
        let mut operator = ConsoleOperator {
            results: results.clone(),
            decisions: decide_rx,
            asked: 0,
            step_ids: file.runbook.steps.iter().map(|s| s.id.clone()).collect(),
            closed: closed.clone(),
        };
        let mut accepted = None;
        let (params, rebuilt) = match start {
            Start::Resume(ask) => {
                let entries = match runs.store.load(&incident) {
                    Ok(loaded) => loaded.incident.entries,
                    Err(e) => return ended_with(&results, e.to_string()),
                };
                match decide_resume(&file.runbook, &entries, &ask) {
                    Ok(resumable) => {
                        accepted = resumable.accepted_entry(
                            &file.runbook,
                            crate::domain::timeline::Actor::Human {
                                name: runs.operator.clone(),
                            },
                        );
                        (resumable.params, Some(resumable.state))
                    }
                    Err(refused) => return ended_with(&results, refused.to_string()),
                }
            }
            Start::New(_, params) => {
                operator.send(RunEvent::Started {
                    run_id: id.clone(),
                    incident: incident.clone(),
                });
                (params.0, None)
            }
        };
        let rb = file.runbook;
        let mut session = RunSession::new(
            &runs.store,
            &incident,
            &runs.redactor,
            &rb,
            &params,
            runs.ports.clock.clone(),
            &runs.operator,
            Some(id.clone()),
        );
        if let Some(draft) = accepted {
            if let Err(e) = super::driver::RunJournal::append(&mut session.journal, draft) {
                return ended_with(&results, e.to_string());
            }
        }
        let mut driver = session.driver(&rb, params, runs.ports.clone(), &mut operator);
        let first = match rebuilt {
            Some(mut state) => driver.drive(&mut state).await.map(|end| (state, end)),
            None => driver.start(&id).await,
        };
        // A rejected answer pauses the driver: ask again, until the console
        // goes away.
        let ended = match first {
            Ok((mut state, mut end)) => loop {
                match end {
                    RunEnd::Waiting { .. } if !closed.load(Ordering::SeqCst) => {
                        match driver.drive(&mut state).await {
                            Ok(next) => end = next,
                            Err(e) => {
                                break RunEvent::Ended {
                                    outcome: None,
                                    error: Some(e.to_string()),
                                }
                            }
                        }
                    }
                    RunEnd::Waiting { step } => {
                        break RunEvent::Ended {
                            outcome: None,
                            error: Some(format!("paused at step `{step}`")),
                        }
                    }
                    RunEnd::Finished { outcome, .. } => {
                        break RunEvent::Ended {
                            outcome: Some(outcome),
                            error: None,
                        }
                    }
                }
            },
            Err(e) => RunEvent::Ended {
                outcome: None,
                error: Some(e.to_string()),
            },
        };
        let _ = results.send(WorkerResult::Run(ended));
    });
    (run_id, decide_tx)
}
