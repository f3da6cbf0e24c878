//! Walks a run through the state machine: asks [`RunState::next`], does that
//! one thing, writes its journal entry (fsynced) and folds it back in, so the
//! journal always says at least as much as has happened. The operator (the
//! CLI's flags, or the console's prompts) decides confirmations and answers.

mod answers;
mod milestone;

use super::{execute, plan, Executed, Plan, StepContext, StepError, StepPorts};
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::run::{
    milestone_entry, run_transition, start_entry, transition, Next, RunMark, RunOutcome, RunState,
    StepState, Transition,
};
use crate::domain::runbook::values::{public_params, shell_env, substitute, Params};
use crate::domain::runbook::{Confirm, Runbook, Step};
use crate::domain::timeline::entry::{ActionRecord, ResultRecord};
use crate::domain::timeline::{Actor, Entry, EntryDraft};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Where transitions are written (the incident journal: redacted, fsynced).
pub(crate) trait RunJournal: Send {
    fn append(&mut self, draft: EntryDraft) -> Result<Entry, crate::store::StoreError>;
}

/// What the driver asks a person.
pub enum Request<'a> {
    /// A destructive step's plan: confirm it (re-typing `plan.target` when
    /// the step says `confirm=typed`).
    Confirm { step: &'a Step, plan: &'a Plan },
    /// An approve / choice / manual step.
    Answer { step: &'a Step, plan: &'a Plan },
    /// The step was running when triage stopped: done, failed, or run again?
    Resolve { step: &'a Step },
    /// The step failed and the run would end here: retry it, skip it, or
    /// let the run fail (any other decision).
    Failed { step: &'a Step, error: String },
}

pub use crate::domain::runbook::decision::{Decision, Resolution};

/// What the driver tells as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A transition was journaled (the entry as written).
    Transition {
        index: Option<usize>,
        entry: Box<Entry>,
    },
    /// A plan was read (also before confirmation).
    Planned { index: usize, plan: Plan },
    /// A line of live output.
    Output { index: usize, line: String },
    /// An answer or confirmation that was not accepted (the run waits).
    Rejected { index: usize, reason: String },
}

pub(crate) type DecisionFuture<'a> = Pin<Box<dyn Future<Output = Decision> + Send + 'a>>;

pub trait Operator: Send {
    fn decide<'a>(&'a mut self, request: Request<'a>) -> DecisionFuture<'a>;
    fn progress(&mut self, progress: Progress);
    /// Sends live output from inside a running step.
    fn output_sink(&self) -> Box<dyn FnMut(usize, String) + Send>;
}

/// How a drive ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunEnd {
    Finished {
        outcome: RunOutcome,
        aws_error: bool,
    },
    /// Paused for a person on this step.
    Waiting { step: String },
}

#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    #[error("cannot write the journal: {0}. The run stopped before doing anything more")]
    Journal(crate::store::StoreError),
}

pub(crate) struct Driver<'a> {
    pub runbook: &'a Runbook,
    pub params: Params,
    pub ports: StepPorts,
    pub actor: Actor,
    /// The incident's artifacts folder.
    pub artifacts: PathBuf,
    pub journal: &'a mut dyn RunJournal,
    pub operator: &'a mut dyn Operator,
    plans: BTreeMap<usize, Plan>,
    aws_error: bool,
}

impl<'a> Driver<'a> {
    pub fn new(
        runbook: &'a Runbook,
        params: Params,
        ports: StepPorts,
        actor: Actor,
        artifacts: PathBuf,
        journal: &'a mut dyn RunJournal,
        operator: &'a mut dyn Operator,
    ) -> Driver<'a> {
        Driver {
            runbook,
            params,
            ports,
            actor,
            artifacts,
            journal,
            operator,
            plans: BTreeMap::new(),
            aws_error: false,
        }
    }

    /// A new run: its start entry, then as far as it can go.
    pub async fn start(&mut self, run_id: &str) -> Result<(RunState, RunEnd), DriveError> {
        let mut state = RunState::new(
            self.runbook,
            run_id,
            public_params(self.runbook, &self.params),
        );
        let mut draft = start_entry(self.runbook, &state, self.actor.clone());
        if let Some(pair) = &self.ports.pair {
            crate::domain::runbook::entries::name_pair(&mut draft, pair);
        }
        self.write(&mut state, None, draft)?;
        let end = self.drive(&mut state).await?;
        Ok((state, end))
    }

    fn write(
        &mut self,
        state: &mut RunState,
        index: Option<usize>,
        draft: EntryDraft,
    ) -> Result<Entry, DriveError> {
        let entry = self.journal.append(draft).map_err(DriveError::Journal)?;
        state.apply(self.runbook, &entry);
        self.operator.progress(Progress::Transition {
            index,
            entry: Box::new(entry.clone()),
        });
        Ok(entry)
    }

    fn step_transition(
        &mut self,
        state: &mut RunState,
        index: usize,
        t: Transition,
    ) -> Result<Entry, DriveError> {
        let actor = self.actor.clone();
        self.step_transition_by(state, index, actor, t)
    }

    fn step_transition_by(
        &mut self,
        state: &mut RunState,
        index: usize,
        actor: Actor,
        t: Transition,
    ) -> Result<Entry, DriveError> {
        let draft = transition(self.runbook, state, index, actor, t);
        self.write(state, Some(index), draft)
    }

    fn actor_named(&self, by: &str) -> Actor {
        if by.is_empty() {
            self.actor.clone()
        } else {
            Actor::Human {
                name: by.to_string(),
            }
        }
    }

    /// Inputs with `${…}` filled from parameters and earlier outputs.
    fn inputs(&self, state: &RunState, step: &Step) -> Result<serde_json::Value, StepError> {
        if step.kind == Some(StepKind::Shell) {
            return Ok(serde_json::Value::Object(Default::default()));
        }
        substitute(&step.body, &self.params, &state.outputs()).map_err(StepError::Input)
    }

    fn public_inputs(&self, inputs: &serde_json::Value) -> serde_json::Value {
        let mut shown = inputs.clone();
        let secrets: Vec<String> = self
            .runbook
            .secret_params()
            .filter_map(|p| self.params.get(&p.name).map(|v| v.render()))
            .collect();
        mask_json(&mut shown, &secrets);
        shown
    }

    async fn plan_of(&mut self, state: &RunState, index: usize) -> Result<Plan, StepError> {
        if let Some(p) = self.plans.get(&index) {
            return Ok(p.clone());
        }
        let step = &self.runbook.steps[index];
        let inputs = self.inputs(state, step)?;
        let mut p = plan(&self.ports, step, &inputs).await?;
        // A change says where it lands before it is confirmed.
        if let (Some(pair), Some(kind)) = (&self.ports.pair, step.kind) {
            if kind.spec().writes {
                p.lines
                    .insert(0, crate::domain::runbook::entries::where_line(pair));
            }
        }
        self.plans.insert(index, p.clone());
        Ok(p)
    }

    fn fail(
        &mut self,
        state: &mut RunState,
        index: usize,
        attempt: u32,
        error: &StepError,
    ) -> Result<(), DriveError> {
        if matches!(error, StepError::Port(e) if !matches!(e, crate::domain::PortError::ReadOnly { .. }))
        {
            self.aws_error = true;
        }
        self.step_transition(
            state,
            index,
            Transition {
                state: StepState::Failed,
                attempt,
                result: Some(ResultRecord {
                    status: StepState::Failed.as_str().into(),
                    excerpt: Some(error.to_string()),
                    ..ResultRecord::default()
                }),
                ..Transition::default()
            },
        )?;
        Ok(())
    }

    /// The run's last entry: how it ended, and why when there is more to say.
    fn end_run(
        &mut self,
        state: &mut RunState,
        outcome: RunOutcome,
        detail: Option<String>,
    ) -> Result<(), DriveError> {
        let draft = run_transition(
            self.runbook,
            state,
            self.actor.clone(),
            RunMark::Ended(outcome),
            detail,
        );
        self.write(state, None, draft)?;
        Ok(())
    }

    /// Goes as far as it can: to the end, or to a step that waits for a person.
    pub(crate) async fn drive(&mut self, state: &mut RunState) -> Result<RunEnd, DriveError> {
        // Long on purpose: the run's state machine (plan, confirm, execute, check, next) in one loop so every transition is journaled in one place before the next one.
        loop {
            let next = state.next(self.runbook);
            match next {
                Next::Finished(outcome) => {
                    return Ok(RunEnd::Finished {
                        outcome,
                        aws_error: self.aws_error,
                    })
                }
                Next::Finish(outcome) => {
                    if outcome == RunOutcome::Failed {
                        if let Some(index) = self.failed_here(state) {
                            if self.retry_or_skip(state, index).await? {
                                continue;
                            }
                        }
                    }
                    self.end_run(state, outcome, None)?;
                }
                Next::GiveUp { index, attempts } => {
                    let why = format!(
                        "step `{}` ran {attempts} times in this run, the most any step may \
                         (retries and goto jumps together): the run stops here as failed",
                        self.runbook.steps[index].id
                    );
                    self.end_run(state, RunOutcome::Failed, Some(why))?;
                }
                Next::Skip { index, reason } => {
                    let attempt = state.steps[index].attempt;
                    self.step_transition(
                        state,
                        index,
                        Transition {
                            state: StepState::Skipped,
                            attempt,
                            detail: Some(reason),
                            ..Transition::default()
                        },
                    )?;
                }
                Next::Plan { index, attempt } => {
                    self.plans.remove(&index);
                    let step = &self.runbook.steps[index];
                    let inputs = match self.inputs(state, step) {
                        Ok(i) => i,
                        Err(e) => {
                            self.fail(state, index, attempt, &e)?;
                            continue;
                        }
                    };
                    match plan(&self.ports, step, &inputs).await {
                        Ok(p) => {
                            self.operator.progress(Progress::Planned {
                                index,
                                plan: p.clone(),
                            });
                            self.plans.insert(index, p.clone());
                            let public = self.public_inputs(&inputs);
                            self.step_transition(
                                state,
                                index,
                                Transition {
                                    state: StepState::Planned,
                                    attempt,
                                    detail: Some(p.text()),
                                    action: Some(ActionRecord {
                                        kind: step.kind_name().to_string(),
                                        destructive: step.attrs.destructive,
                                        dry_run: false,
                                        inputs: public,
                                        ..ActionRecord::default()
                                    }),
                                    ..Transition::default()
                                },
                            )?;
                        }
                        Err(e) => self.fail(state, index, attempt, &e)?,
                    }
                }
                Next::Confirm { index } => {
                    let attempt = state.steps[index].attempt;
                    let p = match self.plan_of(state, index).await {
                        Ok(p) => p,
                        Err(e) => {
                            self.fail(state, index, attempt, &e)?;
                            continue;
                        }
                    };
                    let step = &self.runbook.steps[index];
                    let decision = if p.no_change {
                        Decision::Confirm {
                            by: String::new(),
                            typed: Some("no change needed".into()),
                        }
                    } else {
                        self.operator
                            .decide(Request::Confirm { step, plan: &p })
                            .await
                    };
                    match decision {
                        Decision::Confirm { by, typed } => {
                            if step.attrs.confirm == Confirm::Typed && !p.no_change {
                                if let (Some(t), Some(target)) = (&typed, &p.target) {
                                    if t != target && t != "--yes" {
                                        // A wrong name is no confirmation.
                                        self.operator.progress(Progress::Rejected {
                                            index,
                                            reason: format!(
                                                "typed `{t}`, but confirming needs `{target}`"
                                            ),
                                        });
                                        return Ok(RunEnd::Waiting {
                                            step: step.id.clone(),
                                        });
                                    }
                                }
                            }
                            let actor = self.actor_named(&by);
                            self.step_transition_by(
                                state,
                                index,
                                actor,
                                Transition {
                                    state: StepState::Confirmed,
                                    attempt,
                                    action: Some(ActionRecord {
                                        kind: step.kind_name().to_string(),
                                        destructive: step.attrs.destructive,
                                        confirmed_by: Some(if by.is_empty() {
                                            self.actor.label()
                                        } else {
                                            by
                                        }),
                                        confirmation: typed,
                                        ..ActionRecord::default()
                                    }),
                                    ..Transition::default()
                                },
                            )?;
                        }
                        other => {
                            if let Some(end) = self.non_answer(state, index, attempt, other)? {
                                return Ok(end);
                            }
                        }
                    }
                }
                Next::Answer { index } => {
                    let attempt = state.steps[index].attempt;
                    let p = self.plan_of(state, index).await.unwrap_or_default();
                    let step = &self.runbook.steps[index];
                    let decision = self
                        .operator
                        .decide(Request::Answer { step, plan: &p })
                        .await;
                    match decision {
                        Decision::Answer { by, value } => {
                            if let Err(reason) =
                                self.answered(state, index, attempt, &by, &value).await?
                            {
                                self.operator.progress(Progress::Rejected { index, reason });
                                return Ok(RunEnd::Waiting {
                                    step: self.runbook.steps[index].id.clone(),
                                });
                            }
                        }
                        other => {
                            if let Some(end) = self.non_answer(state, index, attempt, other)? {
                                return Ok(end);
                            }
                        }
                    }
                }
                Next::Execute { index } => self.execute(state, index).await?,
                Next::Resolve { index } => {
                    let attempt = state.steps[index].attempt;
                    let step = &self.runbook.steps[index];
                    let decision = self.operator.decide(Request::Resolve { step }).await;
                    match decision {
                        Decision::Resolve { by, how } => {
                            let (new_state, status) = match how {
                                Resolution::Done => {
                                    (StepState::Succeeded, Some(StepState::Succeeded))
                                }
                                Resolution::Failed => (StepState::Failed, Some(StepState::Failed)),
                                Resolution::Retry => (StepState::Pending, None),
                            };
                            let actor = self.actor_named(&by);
                            self.step_transition_by(
                                state,
                                index,
                                actor,
                                Transition {
                                    state: new_state,
                                    attempt,
                                    detail: Some(format!(
                                        "marked {} by the operator after a restart",
                                        new_state.as_str()
                                    )),
                                    result: status.map(|s| ResultRecord {
                                        status: s.as_str().into(),
                                        excerpt: Some("marked by the operator".into()),
                                        ..ResultRecord::default()
                                    }),
                                    ..Transition::default()
                                },
                            )?;
                        }
                        other => {
                            if let Some(end) = self.non_answer(state, index, attempt, other)? {
                                return Ok(end);
                            }
                        }
                    }
                }
            }
        }
    }

    async fn execute(&mut self, state: &mut RunState, index: usize) -> Result<(), DriveError> {
        let attempt = state.steps[index].attempt;
        let step = &self.runbook.steps[index];
        let p = match self.plan_of(state, index).await {
            Ok(p) => p,
            Err(e) => return self.fail(state, index, attempt, &e),
        };
        let inputs = match self.inputs(state, step) {
            Ok(i) => i,
            Err(e) => return self.fail(state, index, attempt, &e),
        };
        self.step_transition(
            state,
            index,
            Transition {
                state: StepState::Running,
                attempt,
                ..Transition::default()
            },
        )?;
        let secret_values: Vec<String> = self
            .runbook
            .secret_params()
            .filter_map(|p| self.params.get(&p.name).map(|v| v.render()))
            .collect();
        let mut sink = self.operator.output_sink();
        let mut ctx = StepContext {
            artifacts: self.artifacts.clone(),
            env: shell_env(&self.params, &state.outputs()),
            secret_values,
            output: Box::new(move |line| sink(index, line)),
        };
        // In the account's time (the demo's is simulated), like the step's own words.
        let started = crate::workers::runbook::account_now(&self.ports);
        let result = execute(&self.ports, step, &inputs, &p, &mut ctx).await;
        let duration_ms = (crate::workers::runbook::account_now(&self.ports) - started)
            .num_milliseconds()
            .max(0) as u64;
        match result {
            Ok(Executed {
                succeeded,
                outputs,
                undo,
                exit_code,
                excerpt,
            }) => {
                let status = if succeeded {
                    StepState::Succeeded
                } else {
                    StepState::Failed
                };
                self.step_transition(
                    state,
                    index,
                    Transition {
                        state: status,
                        attempt,
                        action: Some(ActionRecord {
                            kind: step.kind_name().to_string(),
                            destructive: step.attrs.destructive,
                            undo,
                            ..ActionRecord::default()
                        }),
                        result: Some(ResultRecord {
                            status: status.as_str().into(),
                            exit_code,
                            duration_ms: Some(duration_ms),
                            outputs: serde_json::to_value(&outputs).unwrap_or_default(),
                            excerpt,
                        }),
                        ..Transition::default()
                    },
                )?;
                if succeeded {
                    self.milestone(index)?;
                }
                Ok(())
            }
            Err(e) => self.fail(state, index, attempt, &e),
        }
    }
}

fn mask_json(value: &mut serde_json::Value, secrets: &[String]) {
    match value {
        serde_json::Value::String(s) => {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "••••••");
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| mask_json(i, secrets)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| mask_json(v, secrets)),
        _ => {}
    }
}

/// `--dry-run`: every step's plan, nothing executed, nothing journaled.
/// Steps whose inputs need an earlier step's outputs say so.
pub async fn dry_run(
    runbook: &Runbook,
    params: &Params,
    ports: &StepPorts,
) -> Vec<(usize, Result<Plan, StepError>)> {
    let mut plans = Vec::new();
    for (index, step) in runbook.steps.iter().enumerate() {
        let result = if step.kind == Some(StepKind::Shell) {
            plan(ports, step, &serde_json::Value::Null).await
        } else {
            match substitute(&step.body, params, &Default::default()) {
                Ok(inputs) => plan(ports, step, &inputs).await,
                Err(e) if e.contains("${steps.") => Ok(Plan {
                    lines: vec![format!("(planned when it runs: {e})")],
                    ..Plan::default()
                }),
                Err(e) => Err(StepError::Input(e)),
            }
        };
        plans.push((index, result));
    }
    plans
}
