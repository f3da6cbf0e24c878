//! The step state machine. A run is a fold over its journal entries: the
//! driver writes a transition, then applies it, then asks [`RunState::next`]
//! what to do. Rebuilding after a crash is the same fold over the same
//! entries, so a finished step is never run twice and a step that was running
//! when the process died comes back `unknown`.

pub use super::entries::{milestone_entry, run_transition, start_entry, transition, Transition};
use super::model::{OnFailure, Runbook};
use super::values::Outputs;
use crate::domain::timeline::Entry;
use std::collections::BTreeMap;

/// `pending → planned → confirmed → running → succeeded | failed | skipped |
/// cancelled`, plus `unknown` for a step found running after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepState {
    #[default]
    Pending,
    Planned,
    Confirmed,
    Running,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
    Unknown,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Planned => "planned",
            StepState::Confirmed => "confirmed",
            StepState::Running => "running",
            StepState::Succeeded => "succeeded",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
            StepState::Cancelled => "cancelled",
            StepState::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<StepState> {
        Some(match s {
            "pending" => StepState::Pending,
            "planned" => StepState::Planned,
            "confirmed" => StepState::Confirmed,
            "running" => StepState::Running,
            "succeeded" => StepState::Succeeded,
            "failed" => StepState::Failed,
            "skipped" => StepState::Skipped,
            "cancelled" => StepState::Cancelled,
            "unknown" => StepState::Unknown,
            _ => return None,
        })
    }
    pub(crate) fn is_done(self) -> bool {
        matches!(self, StepState::Succeeded | StepState::Skipped)
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Succeeded,
    Failed,
    Aborted,
}

impl RunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Succeeded => "succeeded",
            RunOutcome::Failed => "failed",
            RunOutcome::Aborted => "aborted",
        }
    }
    pub fn parse(s: &str) -> Option<RunOutcome> {
        Some(match s {
            "succeeded" => RunOutcome::Succeeded,
            "failed" => RunOutcome::Failed,
            "aborted" => RunOutcome::Aborted,
            _ => return None,
        })
    }
}

/// What a run-level journal entry (no step) records: the run began, or how
/// it ended. In the journal as `started`, `succeeded`, `failed`, `aborted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMark {
    Started,
    Ended(RunOutcome),
}

impl RunMark {
    pub fn as_str(self) -> &'static str {
        match self {
            RunMark::Started => "started",
            RunMark::Ended(outcome) => outcome.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<RunMark> {
        match s {
            "started" => Some(RunMark::Started),
            other => RunOutcome::parse(other).map(RunMark::Ended),
        }
    }
}

/// The most times one step runs in one run, whatever its `retries` and the
/// `goto`s that lead back to it: a run never loops for ever.
pub const MAX_ATTEMPTS_PER_RUN: u32 = 25;

/// Plan attempt `attempt` of step `index`, unless the step has used up its attempts.
fn plan_or_give_up(index: usize, attempt: u32) -> Next {
    if attempt > MAX_ATTEMPTS_PER_RUN {
        Next::GiveUp {
            index,
            attempts: attempt - 1,
        }
    } else {
        Next::Plan { index, attempt }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepRun {
    pub id: String,
    pub kind: Option<super::kinds::StepKind>,
    pub state: StepState,
    /// Attempts planned so far.
    pub attempt: u32,
    pub outputs: BTreeMap<String, String>,
    /// Why it was skipped or failed, or the operator's words.
    pub note: Option<String>,
    /// The last plan shown (text).
    pub plan: Option<String>,
}

/// What the driver should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Read current state and show the plan of step `index`.
    Plan { index: usize, attempt: u32 },
    /// `when=` does not hold: record it skipped.
    Skip { index: usize, reason: String },
    /// A destructive step waits for the operator's confirmation.
    Confirm { index: usize },
    /// An approve/choice/manual step waits for an answer.
    Answer { index: usize },
    /// Run it.
    Execute { index: usize },
    /// It was running when triage stopped: the operator must check and mark
    /// it (done, failed, or run again).
    Resolve { index: usize },
    /// Step `index` has run [`MAX_ATTEMPTS_PER_RUN`] times in this run
    /// (retries and jumps together): record the run failed, and stop.
    GiveUp { index: usize, attempts: u32 },
    /// Every step is through: record the run's end.
    Finish(RunOutcome),
    /// The run has ended.
    Finished(RunOutcome),
}

/// A run, as its journal entries tell it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    pub run_id: String,
    pub file: String,
    pub runbook_id: String,
    pub content_sha: String,
    /// Step ids and hashes when the run began (to detect an edited file).
    pub started_with: Vec<(String, String)>,
    pub params: serde_json::Value,
    pub steps: Vec<StepRun>,
    pub position: usize,
    pub failed_any: bool,
    pub finished: Option<RunOutcome>,
}

impl RunState {
    /// A fresh run of `runbook`; nothing is journaled yet.
    pub fn new(runbook: &Runbook, run_id: &str, params: serde_json::Value) -> RunState {
        RunState {
            run_id: run_id.to_string(),
            file: runbook.file.clone(),
            runbook_id: runbook.id.clone(),
            content_sha: runbook.content_sha.clone(),
            started_with: runbook
                .steps
                .iter()
                .map(|s| (s.id.clone(), s.sha.clone()))
                .collect(),
            params,
            steps: runbook
                .steps
                .iter()
                .map(|s| StepRun {
                    id: s.id.clone(),
                    kind: s.kind,
                    state: StepState::Pending,
                    attempt: 0,
                    outputs: BTreeMap::new(),
                    note: None,
                    plan: None,
                })
                .collect(),
            position: 0,
            failed_any: false,
            finished: None,
        }
    }

    /// Rebuilds a run from an incident's entries (any order of other entries
    /// around them). `None` when no entry starts this run. Steps found
    /// `running` become `unknown`; a confirmation given before the stop is
    /// asked again.
    pub fn rebuild(runbook: &Runbook, run_id: &str, entries: &[Entry]) -> Option<RunState> {
        let mine: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.runbook.as_ref().is_some_and(|r| r.run_id == run_id))
            .collect();
        let start = mine.iter().find(|e| {
            e.runbook
                .as_ref()
                .is_some_and(|r| r.run_mark() == Some(RunMark::Started))
        })?;
        let mut state = RunState::new(runbook, run_id, serde_json::Value::Null);
        if let Some(action) = &start.action {
            state.params = action.inputs.get("params").cloned().unwrap_or_default();
            if let Some(steps) = action.inputs.get("steps").and_then(|s| s.as_array()) {
                state.started_with = steps
                    .iter()
                    .filter_map(|s| {
                        Some((
                            s.get("id")?.as_str()?.to_string(),
                            s.get("sha")?.as_str()?.to_string(),
                        ))
                    })
                    .collect();
            }
        }
        if let Some(r) = &start.runbook {
            state.content_sha = r.content_sha.clone();
            state.file = r.file.clone();
        }
        for entry in mine {
            state.apply(runbook, entry);
        }
        for step in &mut state.steps {
            match step.state {
                StepState::Running => step.state = StepState::Unknown,
                StepState::Confirmed => step.state = StepState::Planned,
                _ => {}
            }
        }
        Some(state)
    }

    /// Step ids whose content changed since the run began (edited, added,
    /// removed or moved). Empty when the file is the same.
    pub fn changes_since_start(&self, runbook: &Runbook) -> Vec<String> {
        if runbook.content_sha == self.content_sha {
            return Vec::new();
        }
        let now: Vec<(String, String)> = runbook
            .steps
            .iter()
            .map(|s| (s.id.clone(), s.sha.clone()))
            .collect();
        let mut changed = Vec::new();
        for (i, (id, sha)) in now.iter().enumerate() {
            match self.started_with.iter().position(|(old, _)| old == id) {
                None => changed.push(format!("{id} (added)")),
                Some(j) if self.started_with[j].1 != *sha => changed.push(format!("{id} (edited)")),
                Some(j) if j != i => changed.push(format!("{id} (moved)")),
                _ => {}
            }
        }
        for (id, _) in &self.started_with {
            if !now.iter().any(|(n, _)| n == id) {
                changed.push(format!("{id} (removed)"));
            }
        }
        if changed.is_empty() {
            changed.push("prose only".to_string());
        }
        changed
    }

    /// Folds one journal entry of this run into the state.
    pub fn apply(&mut self, runbook: &Runbook, entry: &Entry) {
        let Some(r) = &entry.runbook else { return };
        if r.run_id != self.run_id {
            return;
        }
        if let Some(RunMark::Ended(outcome)) = r.run_mark() {
            self.finished = Some(outcome);
            return;
        }
        let Some(state) = r.step_state() else {
            return;
        };
        let Some(index) = self.steps.iter().position(|s| s.id == r.step_id) else {
            return;
        };
        let step = &mut self.steps[index];
        step.state = state;
        step.attempt = step.attempt.max(r.attempt);
        if let Some(result) = &entry.result {
            step.outputs = json_outputs(&result.outputs);
            step.note = result.excerpt.clone().or(step.note.take());
        }
        if state == StepState::Planned {
            step.plan = entry.detail.clone();
            step.note = None;
        }
        if state == StepState::Skipped || state == StepState::Cancelled {
            step.note = entry.detail.clone();
        }
        match state {
            StepState::Succeeded | StepState::Skipped => self.position = index + 1,
            StepState::Pending => self.position = index,
            StepState::Failed => {
                let retries = runbook
                    .steps
                    .get(index)
                    .map(|s| s.attrs.retries)
                    .unwrap_or(0);
                if step.attempt > retries {
                    match runbook.steps.get(index).map(|s| &s.attrs.on_failure) {
                        Some(OnFailure::Continue) => {
                            self.failed_any = true;
                            self.position = index + 1;
                        }
                        Some(OnFailure::Goto(target)) => {
                            self.failed_any = true;
                            if let Some(t) = self.steps.iter().position(|s| &s.id == target) {
                                self.position = t;
                                for later in &mut self.steps[t..] {
                                    if later.state.is_done() || later.state == StepState::Failed {
                                        later.state = StepState::Pending;
                                    }
                                }
                                // The failed step itself stays failed unless it is re-run.
                                if index >= t {
                                    self.steps[index].state = StepState::Pending;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Every finished step's outputs, for `${steps.…}` and `RB_*`.
    pub fn outputs(&self) -> Outputs {
        self.steps
            .iter()
            .filter(|s| s.state == StepState::Succeeded)
            .map(|s| (s.id.clone(), s.outputs.clone()))
            .collect()
    }

    pub fn next(&self, runbook: &Runbook) -> Next {
        if let Some(outcome) = self.finished {
            return Next::Finished(outcome);
        }
        let Some(run) = self.steps.get(self.position) else {
            return Next::Finish(if self.failed_any {
                RunOutcome::Failed
            } else {
                RunOutcome::Succeeded
            });
        };
        let index = self.position;
        let Some(step) = runbook.steps.get(index) else {
            return Next::Finish(RunOutcome::Failed);
        };
        match run.state {
            StepState::Pending => {
                if let Some(when) = &step.attrs.when {
                    let outputs = self
                        .steps
                        .iter()
                        .find(|s| s.id == when.step)
                        .map(|s| s.outputs.clone())
                        .unwrap_or_default();
                    if !when.holds(&outputs) {
                        let actual = outputs
                            .get(&when.key)
                            .cloned()
                            .unwrap_or_else(|| "nothing".into());
                        return Next::Skip {
                            index,
                            reason: format!(
                                "`when={}` does not hold ({}.{} is {actual})",
                                when.describe(),
                                when.step,
                                when.key
                            ),
                        };
                    }
                }
                plan_or_give_up(index, run.attempt + 1)
            }
            StepState::Planned => {
                if step.is_question() {
                    Next::Answer { index }
                } else if step.needs_confirmation() {
                    Next::Confirm { index }
                } else {
                    Next::Execute { index }
                }
            }
            StepState::Confirmed => {
                if step.is_question() {
                    Next::Answer { index }
                } else {
                    Next::Execute { index }
                }
            }
            StepState::Running | StepState::Unknown => Next::Resolve { index },
            StepState::Failed => {
                if run.attempt <= step.attrs.retries {
                    plan_or_give_up(index, run.attempt + 1)
                } else {
                    Next::Finish(RunOutcome::Failed)
                }
            }
            StepState::Cancelled => Next::Finish(RunOutcome::Aborted),
            StepState::Succeeded | StepState::Skipped => Next::Finish(RunOutcome::Succeeded),
        }
    }

    /// The step waiting for a person, if the run is paused on one.
    pub fn waiting_for(&self, runbook: &Runbook) -> Option<&str> {
        match self.next(runbook) {
            Next::Confirm { index } | Next::Answer { index } | Next::Resolve { index } => {
                Some(self.steps[index].id.as_str())
            }
            _ => None,
        }
    }
}

fn json_outputs(value: &serde_json::Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let text = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A run that began in an incident and has not ended (crashed, quit, or
/// paused for an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnfinishedRun {
    pub run_id: String,
    pub runbook_id: String,
    pub file: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Where it ran, as its start entry says (the unnamed pair for runs
    /// journaled before pairs were named).
    pub pair: crate::domain::Pair,
}

/// The runs in these entries without an end, oldest first.
pub(crate) fn unfinished_runs(entries: &[Entry]) -> Vec<UnfinishedRun> {
    let ended: std::collections::HashSet<&str> = entries
        .iter()
        .filter_map(|e| e.runbook.as_ref())
        .filter(|r| matches!(r.run_mark(), Some(RunMark::Ended(_))))
        .map(|r| r.run_id.as_str())
        .collect();
    entries
        .iter()
        .filter_map(|e| {
            let r = e.runbook.as_ref()?;
            if r.run_mark() != Some(RunMark::Started) || ended.contains(r.run_id.as_str()) {
                return None;
            }
            let runbook_id = e
                .action
                .as_ref()
                .and_then(|a| a.inputs.get("runbook_id"))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let pair = e
                .action
                .as_ref()
                .and_then(|a| a.inputs.get("pair"))
                .and_then(|v| v.get("pair"))
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            Some(UnfinishedRun {
                run_id: r.run_id.clone(),
                runbook_id,
                file: r.file.clone(),
                started_at: e.occurred_at,
                pair,
            })
        })
        .collect()
}
