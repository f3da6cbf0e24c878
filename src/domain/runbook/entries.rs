//! The journal entries a run writes: a step's transition, the run's start
//! and end, and the milestone a step's `milestone=` asks for. The run's
//! state is a fold over these (`run.rs`).

use super::model::Runbook;
use super::run::{RunMark, RunState, StepState};
use crate::domain::timeline::entry::{ActionRecord, ResultRecord, RunbookRef};
use crate::domain::timeline::{Actor, EntryDraft, EntryKind, Milestone};

/// The facts of one step's transition, turned into a journal entry by [`transition`].
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub state: StepState,
    pub attempt: u32,
    /// Plan text, skip reason, or the operator's words.
    pub detail: Option<String>,
    pub action: Option<ActionRecord>,
    pub result: Option<ResultRecord>,
    pub resources: Vec<String>,
}

/// The journal entry for a transition of step `index`.
pub fn transition(
    runbook: &Runbook,
    run: &RunState,
    index: usize,
    actor: Actor,
    t: Transition,
) -> EntryDraft {
    let step = runbook.steps.get(index);
    let (step_id, summary) = match step {
        Some(step) => (
            step.id.clone(),
            format!(
                "Runbook {} · step {} ({}): {}",
                runbook.id,
                step.id,
                if step.title.is_empty() {
                    step.kind_name()
                } else {
                    step.title.as_str()
                },
                t.state.as_str()
            ),
        ),
        None => (
            String::new(),
            format!("Runbook {}: {}", runbook.id, t.state.as_str()),
        ),
    };
    let mut draft = entry(
        runbook,
        run,
        actor,
        summary,
        step_id,
        t.state.as_str(),
        t.attempt,
    );
    draft.detail = t.detail;
    draft.action = t.action;
    draft.result = t.result;
    draft.resources = t.resources;
    draft
}

/// The journal entry for the run itself: it began, or how it ended.
pub fn run_transition(
    runbook: &Runbook,
    run: &RunState,
    actor: Actor,
    mark: RunMark,
    detail: Option<String>,
) -> EntryDraft {
    let summary = format!(
        "Runbook {} ({}): run {}",
        runbook.id,
        runbook.title,
        mark.as_str()
    );
    let mut draft = entry(
        runbook,
        run,
        actor,
        summary,
        String::new(),
        mark.as_str(),
        0,
    );
    draft.detail = detail;
    draft
}

fn entry(
    runbook: &Runbook,
    run: &RunState,
    actor: Actor,
    summary: String,
    step_id: String,
    state: &str,
    attempt: u32,
) -> EntryDraft {
    let mut draft = EntryDraft::new(EntryKind::Step, actor, summary);
    draft.runbook = Some(RunbookRef {
        file: runbook.file.clone(),
        content_sha: run.content_sha.clone(),
        run_id: run.run_id.clone(),
        step_id,
        attempt,
        state: state.to_string(),
    });
    draft.tags = vec!["runbook".to_string()];
    draft
}

/// The first entry of a run: the parameters (secret ones masked) and every
/// step's hash, so a resume can tell an edited file.
pub fn start_entry(runbook: &Runbook, run: &RunState, actor: Actor) -> EntryDraft {
    let steps: Vec<serde_json::Value> = runbook
        .steps
        .iter()
        .map(|s| serde_json::json!({"id": s.id, "sha": s.sha, "kind": s.kind_name()}))
        .collect();
    let mut draft = run_transition(runbook, run, actor, RunMark::Started, None);
    draft.action = Some(ActionRecord {
        kind: "runbook".into(),
        inputs: serde_json::json!({"params": run.params, "steps": steps, "runbook_id": runbook.id}),
        ..ActionRecord::default()
    });
    draft
}

/// The start entry names the pair the run runs in: in its summary, and in
/// its inputs (so a resume goes on in the same pair).
pub(crate) fn name_pair(draft: &mut EntryDraft, pair: &crate::domain::pair::WatchedPair) {
    draft.summary = format!("{} in {}", draft.summary, pair.describe());
    if let Some(action) = &mut draft.action {
        if let (Some(inputs), Ok(pair)) =
            (action.inputs.as_object_mut(), serde_json::to_value(pair))
        {
            inputs.insert("pair".into(), pair);
        }
    }
}

/// The line a plan that changes the account starts with: where it lands.
pub(crate) fn where_line(pair: &crate::domain::pair::WatchedPair) -> String {
    format!("in {}", pair.describe())
}

/// The milestone entry a step's `milestone=` asks for.
pub fn milestone_entry(runbook: &Runbook, index: usize, actor: Actor) -> Option<EntryDraft> {
    let step = runbook.steps.get(index)?;
    let milestone = Milestone::parse(step.attrs.milestone.as_deref()?).ok()?;
    let mut draft = EntryDraft::new(
        EntryKind::Milestone,
        actor,
        format!(
            "{} (runbook {}, step {})",
            milestone.title(),
            runbook.id,
            step.id
        ),
    );
    draft.milestone = Some(milestone);
    // Set by the run, not by a person: the post-mortem weighs it so.
    draft.tags = vec!["runbook".into()];
    Some(draft)
}
