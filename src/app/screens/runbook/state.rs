//! What the console keeps of runbooks: the picker's list, the parameter
//! form, and the run in progress (mirrored from its journal entries).

use crate::app::effect::{Question, RunParams};
use crate::app::state::Cursor;
use crate::app::text_input::TextInput;
use crate::domain::runbook::run::{RunOutcome, RunState};
use crate::domain::runbook::{ParamSpec, Plan, RunbookFile};
use std::collections::BTreeMap;

/// Lines of live output kept per step (the oldest go first).
pub(crate) const OUTPUT_LINES_KEPT: usize = 2_000;

/// The runbooks found, for the `:rb` picker.
#[derive(Debug, Clone, Default)]
pub struct RunbookCatalog {
    /// None until the folders have been read.
    pub files: Option<Vec<RunbookFile>>,
    pub cursor: Cursor,
    /// What to open as soon as the list is read (`R` before it was).
    pub pending: Option<PendingOpen>,
}

/// `R` pressed before the runbooks were read: carried out once they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingOpen {
    /// This runbook's form, prefilled.
    Runbook(String, RunContext),
    /// The runbook a service's suggestion names.
    ForService(crate::domain::service::ServiceKey),
    /// The runbook a finding's suggestion names.
    ForFinding(String),
}

/// What was selected when a runbook was opened: it fills the parameters of
/// the same name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunContext {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub task: Option<String>,
    /// The pair the selection is in: where the run runs.
    pub pair: Option<crate::domain::Pair>,
}

impl RunContext {
    /// A service selected (on the services, service or alarms screen).
    pub(crate) fn of_service(key: &crate::domain::service::ServiceKey) -> RunContext {
        RunContext {
            cluster: Some(key.cluster.clone()),
            service: Some(key.service.clone()),
            task: None,
            pair: Some(key.pair.clone()),
        }
    }

    /// "prod-web / chatbot-api" (for the form's title).
    pub fn describe(&self) -> String {
        let task = self.task.as_deref().map(|arn| {
            let id = crate::domain::service::arn_name(arn);
            format!("task {}", id.get(..8).unwrap_or(id))
        });
        [self.cluster.clone(), self.service.clone(), task]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// The parameter form shown before a run starts.
#[derive(Debug, Clone)]
pub struct ParamForm {
    pub file: RunbookFile,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// Why the values cannot start a run (shown under the fields).
    pub errors: Vec<String>,
    pub context: RunContext,
    /// Where the run will run: the selection's pair, else the first watched.
    pub pair: crate::domain::pair::WatchedPair,
}

#[derive(Debug, Clone)]
pub struct FormField {
    pub spec: ParamSpec,
    pub input: TextInput,
    /// Where the value came from ("default", "from the selection", "from
    /// task definition api:7: …"), or None (typed).
    pub source: Option<String>,
}

/// A run in the console.
#[derive(Debug, Clone)]
pub struct RunView {
    pub file: RunbookFile,
    pub params: RunParams,
    /// The one pair the run runs in (its steps' ports are that pair's).
    pub pair: crate::domain::pair::WatchedPair,
    /// Known once the run has started.
    pub run_id: Option<String>,
    pub incident: Option<String>,
    /// The run as its journal entries tell it.
    pub run: Option<RunState>,
    pub plans: BTreeMap<usize, Plan>,
    pub output: BTreeMap<usize, Vec<String>>,
    /// What the run waits for, if anything.
    pub question: Option<Question>,
    /// A line being typed for the question (a name, a reason).
    pub input: Option<RunInput>,
    /// The step shown on the right.
    pub selected: usize,
    /// The shown step follows the run's current step.
    pub follow: bool,
    /// Scroll of the step pane.
    pub scroll: usize,
    /// Rejections and failures to read, until the next question.
    pub notice: Option<String>,
    pub ended: Option<RunEnded>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunEnded {
    Finished(RunOutcome),
    /// The run could not go on (the journal could not be written, …).
    Broken(String),
}

/// A line being typed in the run view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInput {
    pub purpose: InputPurpose,
    pub input: TextInput,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    /// The target's name, re-typed.
    Confirm {
        target: String,
    },
    /// The approver's name.
    Approve,
    /// One of the options.
    Choose {
        options: Vec<String>,
    },
    SkipReason,
    AbortReason,
}

impl InputPurpose {
    /// The words before the field.
    pub fn label(&self) -> String {
        match self {
            InputPurpose::Confirm { target } => format!("type {target} to confirm"),
            InputPurpose::Approve => "approved by (their name)".into(),
            InputPurpose::Choose { options } => {
                let numbered: Vec<String> = options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| format!("{} {o}", i + 1))
                    .collect();
                format!("choose ({})", numbered.join(" · "))
            }
            InputPurpose::SkipReason => "why skip this step".into(),
            InputPurpose::AbortReason => "why abort the run".into(),
        }
    }
}

impl RunView {
    pub fn new(
        file: RunbookFile,
        params: RunParams,
        pair: crate::domain::pair::WatchedPair,
    ) -> RunView {
        RunView {
            file,
            params,
            pair,
            run_id: None,
            incident: None,
            run: None,
            plans: BTreeMap::new(),
            output: BTreeMap::new(),
            question: None,
            input: None,
            selected: 0,
            follow: true,
            scroll: 0,
            notice: None,
            ended: None,
        }
    }

    /// The run's current step (where it is or waits).
    pub fn current(&self) -> usize {
        if let Some(q) = &self.question {
            return q.index;
        }
        self.run
            .as_ref()
            .map(|r| r.position.min(r.steps.len().saturating_sub(1)))
            .unwrap_or(0)
    }

    /// Still going (or waiting): not finished, not broken.
    pub(crate) fn active(&self) -> bool {
        self.ended.is_none()
    }
}
