//! What the operator decides, recorded: a failed step retried or skipped,
//! a step skipped or the run aborted, and the answers of `approve`,
//! `choice` and `manual` steps.

use super::*;

impl Driver<'_> {
    /// The failed step the run is about to end on, if that is why it ends.
    pub(super) fn failed_here(&self, state: &RunState) -> Option<usize> {
        let index = state.position;
        (state.steps.get(index)?.state == crate::domain::runbook::StepState::Failed)
            .then_some(index)
    }

    /// Asks whether a failed step is retried or skipped; true when the run
    /// goes on.
    pub(super) async fn retry_or_skip(
        &mut self,
        state: &mut RunState,
        index: usize,
    ) -> Result<bool, DriveError> {
        let attempt = state.steps[index].attempt;
        let error = state.steps[index].note.clone().unwrap_or_default();
        let step = &self.runbook.steps[index];
        let decision = self.operator.decide(Request::Failed { step, error }).await;
        match decision {
            Decision::Resolve {
                by,
                how: Resolution::Retry,
            } => {
                let detail = "retried by the operator after it failed".to_string();
                self.by_operator(state, index, attempt, &by, StepState::Pending, detail)?;
                Ok(true)
            }
            Decision::Skip { by, reason } => {
                let detail = format!("skipped by the operator after it failed: {reason}");
                self.by_operator(state, index, attempt, &by, StepState::Skipped, detail)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// A step moved to `new_state` by the person `by`, saying why.
    pub(super) fn by_operator(
        &mut self,
        state: &mut RunState,
        index: usize,
        attempt: u32,
        by: &str,
        new_state: StepState,
        detail: String,
    ) -> Result<Entry, DriveError> {
        let actor = self.actor_named(by);
        self.step_transition_by(
            state,
            index,
            actor,
            Transition {
                state: new_state,
                attempt,
                detail: Some(detail),
                ..Transition::default()
            },
        )
    }

    /// Skip, abort, wait (or an answer of the wrong sort, treated as wait).
    pub(super) fn non_answer(
        &mut self,
        state: &mut RunState,
        index: usize,
        attempt: u32,
        decision: Decision,
    ) -> Result<Option<RunEnd>, DriveError> {
        match decision {
            Decision::Skip { by, reason } => {
                let detail = format!("skipped by the operator: {reason}");
                self.by_operator(state, index, attempt, &by, StepState::Skipped, detail)?;
                Ok(None)
            }
            Decision::Abort { by, reason } => {
                let actor = self.actor_named(&by);
                self.step_transition_by(
                    state,
                    index,
                    actor.clone(),
                    Transition {
                        state: StepState::Cancelled,
                        attempt,
                        detail: Some(format!("run aborted: {reason}")),
                        ..Transition::default()
                    },
                )?;
                let draft = run_transition(
                    self.runbook,
                    state,
                    actor,
                    RunMark::Ended(RunOutcome::Aborted),
                    Some(reason),
                );
                self.write(state, None, draft)?;
                Ok(Some(RunEnd::Finished {
                    outcome: RunOutcome::Aborted,
                    aws_error: false,
                }))
            }
            _ => Ok(Some(RunEnd::Waiting {
                step: state.steps[index].id.clone(),
            })),
        }
    }

    /// Records an answer; `Ok(Err(why))` when it is not one the step takes.
    pub(super) async fn answered(
        &mut self,
        state: &mut RunState,
        index: usize,
        attempt: u32,
        by: &str,
        value: &str,
    ) -> Result<Result<(), String>, DriveError> {
        // Long on purpose: one arm per kind of question the run asks, each mapping the answer to a Decision.
        let step = &self.runbook.steps[index];
        let now = self
            .ports
            .clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let who = if by.is_empty() {
            self.actor.label()
        } else {
            by.to_string()
        };
        let (ok, outputs): (bool, BTreeMap<String, String>) = match step.kind {
            Some(StepKind::Choice) => {
                let inputs = self.inputs(state, step).unwrap_or_default();
                let options =
                    crate::workers::runbook::inputs::list(&inputs, "options").unwrap_or_default();
                if !options.iter().any(|o| o == value) {
                    return Ok(Err(format!(
                        "`{value}` is not one of the options: {}",
                        options.join(", ")
                    )));
                }
                (true, BTreeMap::from([("choice".into(), value.to_string())]))
            }
            Some(StepKind::Approve) => {
                let name = value.trim();
                if name.is_empty() {
                    return Ok(Err("an approval needs the approver's name".into()));
                }
                (
                    true,
                    BTreeMap::from([
                        ("approved_by".into(), name.to_string()),
                        ("approved_at".into(), now),
                    ]),
                )
            }
            _ => {
                let failed = matches!(value.trim(), "failed" | "fail" | "no");
                (
                    !failed,
                    BTreeMap::from([("done_by".into(), who.clone()), ("done_at".into(), now)]),
                )
            }
        };
        let actor = if step.kind == Some(StepKind::Approve) {
            self.actor_named(value.trim())
        } else {
            self.actor_named(by)
        };
        self.step_transition_by(
            state,
            index,
            actor.clone(),
            Transition {
                state: StepState::Confirmed,
                attempt,
                action: Some(ActionRecord {
                    kind: step.kind_name().to_string(),
                    confirmed_by: Some(actor.label()),
                    confirmation: Some(value.to_string()),
                    ..ActionRecord::default()
                }),
                ..Transition::default()
            },
        )?;
        let status = if ok {
            StepState::Succeeded
        } else {
            StepState::Failed
        };
        self.step_transition_by(
            state,
            index,
            actor.clone(),
            Transition {
                state: status,
                attempt,
                result: Some(ResultRecord {
                    status: status.as_str().into(),
                    outputs: serde_json::to_value(&outputs).unwrap_or_default(),
                    excerpt: Some(format!("{} answered `{value}`", actor.label())),
                    ..ResultRecord::default()
                }),
                ..Transition::default()
            },
        )?;
        if ok {
            self.milestone(index)?;
        }
        Ok(Ok(()))
    }
}
