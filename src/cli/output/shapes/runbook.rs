//! `triage runbook list|show -o json`, and `runbook run -o json`'s JSON
//! Lines (one record a line, its kind in `record`).

use super::super::schema::Version;
use crate::store::runbooks::RunbookFile;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize, JsonSchema)]
pub struct RunbookListDoc {
    pub schema_version: Version,
    /// In the order searched: the folders first, the built-in ones last.
    pub runbooks: Vec<RunbookJson>,
}

/// A runbook found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunbookJson {
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    /// When triage suggests it (`when:`); empty: only picked by hand.
    pub when: Vec<String>,
    pub file: String,
    pub built_in: bool,
    /// Where it was found, in words.
    pub source: String,
    /// No lint error: it may run.
    pub ok: bool,
    pub steps: usize,
    pub problems: Vec<ProblemJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProblemJson {
    pub line: usize,
    /// error or warning.
    pub severity: String,
    pub message: String,
}

/// One runbook's parameters and steps.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunbookShownDoc {
    pub schema_version: Version,
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    pub when: Vec<String>,
    pub file: String,
    pub built_in: bool,
    pub source: String,
    pub params: Vec<ParamJson>,
    pub steps: Vec<StepJson>,
    pub problems: Vec<ProblemJson>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ParamJson {
    pub name: String,
    /// string, integer, bool or list.
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub default: Option<serde_json::Value>,
    pub secret: bool,
    pub choices: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StepJson {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub line: usize,
    pub destructive: bool,
    /// `step.key == value`: it runs only when this holds.
    pub when: Option<String>,
    /// The milestone recorded when it succeeds.
    pub milestone: Option<String>,
}

impl RunbookJson {
    pub fn of(f: &RunbookFile) -> RunbookJson {
        RunbookJson {
            id: f.runbook.id.clone(),
            title: f.runbook.title.clone(),
            tags: f.runbook.tags.clone(),
            when: f.runbook.when.iter().map(|w| w.text()).collect(),
            file: f.path.display().to_string(),
            built_in: f.built_in,
            source: f.origin(),
            ok: f.ok(),
            steps: f.runbook.steps.len(),
            problems: ProblemJson::of(f),
        }
    }
}

impl ProblemJson {
    pub fn of(f: &RunbookFile) -> Vec<ProblemJson> {
        f.problems
            .iter()
            .map(|p| ProblemJson {
                line: p.line,
                severity: p.severity.as_str().to_string(),
                message: p.message.clone(),
            })
            .collect()
    }
}

impl RunbookShownDoc {
    pub fn of(f: &RunbookFile) -> RunbookShownDoc {
        let rb = &f.runbook;
        RunbookShownDoc {
            schema_version: Version,
            id: rb.id.clone(),
            title: rb.title.clone(),
            tags: rb.tags.clone(),
            when: rb.when.iter().map(|w| w.text()).collect(),
            file: f.path.display().to_string(),
            built_in: f.built_in,
            source: f.origin(),
            params: rb
                .params
                .iter()
                .map(|p| ParamJson {
                    name: p.name.clone(),
                    ty: p.ty.as_str().to_string(),
                    required: p.required,
                    default: p.default.as_ref().map(|d| d.to_json()),
                    secret: p.secret,
                    choices: p.choices.clone(),
                    description: p.description.clone(),
                })
                .collect(),
            steps: rb
                .steps
                .iter()
                .map(|s| StepJson {
                    id: s.id.clone(),
                    kind: s.kind_name().to_string(),
                    title: s.title.clone(),
                    line: s.line,
                    destructive: s.attrs.destructive,
                    when: s.attrs.when.as_ref().map(|w| w.describe()),
                    milestone: s.attrs.milestone.clone(),
                })
                .collect(),
            problems: ProblemJson::of(f),
        }
    }
}

/// One line of `runbook run -o json`; its kind is its `record`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RunRecord {
    /// First, with `--service`: what was filled from the service.
    Filled(FilledRecord),
    /// A step's transition (planned, running, succeeded, failed, …).
    Step(StepRecord),
    /// `--dry-run`: a step's plan, or why it could not be planned.
    Plan(PlanRecord),
    /// Last: how the run ended, or the step it waits at.
    End(EndRecord),
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FilledRecord {
    pub record: Filled,
    pub schema_version: Version,
    /// Each parameter filled: its value and where it came from.
    pub filled: BTreeMap<String, FilledValue>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FilledValue {
    pub value: String,
    pub source: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StepRecord {
    pub record: Step,
    pub schema_version: Version,
    pub run_id: String,
    pub step: String,
    pub kind: Option<String>,
    pub state: String,
    pub attempt: u32,
    /// What the step wrote (secrets redacted).
    pub outputs: BTreeMap<String, serde_json::Value>,
    /// The end of what a shell step printed.
    pub excerpt: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanRecord {
    pub record: Plan,
    pub schema_version: Version,
    pub step: String,
    pub kind: String,
    /// planned, or failed when it could not be planned.
    pub state: String,
    /// current → target, a line each; empty when it failed.
    pub plan: Vec<String>,
    /// Already at target: running it would change nothing.
    pub no_change: bool,
    pub error: Option<String>,
    pub dry_run: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EndRecord {
    pub record: End,
    pub schema_version: Version,
    pub run_id: String,
    /// succeeded, failed, aborted, or waiting.
    pub state: String,
    /// The step that waits for an answer (`--answer STEP=…`).
    pub waiting_for: Option<String>,
    /// The incident the run is journaled in.
    pub incident: String,
}

/// A record's kind: a word of its own, always the same.
macro_rules! record_kind {
    ($name:ident, $word:literal) => {
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($word)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "const": $word })
            }
        }
    };
}

record_kind!(Filled, "filled");
record_kind!(Step, "step");
record_kind!(Plan, "plan");
record_kind!(End, "end");
