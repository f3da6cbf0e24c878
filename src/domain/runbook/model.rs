//! What a runbook is once parsed: its front matter, its parameters and its
//! steps with their attributes, prose and source lines.

use std::collections::BTreeMap;
use std::time::Duration;

/// A parsed runbook file.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    /// The file as it was named (for messages and the journal).
    pub file: String,
    pub id: String,
    pub title: String,
    pub tags: Vec<String>,
    /// When `R` suggests it (`when:`; empty: never suggested, only picked).
    pub when: Vec<super::fit::Fit>,
    pub params: Vec<ParamSpec>,
    /// Markdown before the first step (what the runbook is for).
    pub intro: String,
    pub steps: Vec<Step>,
    /// SHA-256 of the whole file, hex.
    pub content_sha: String,
}

impl Runbook {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
    pub(crate) fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
    /// Names of the secret parameters (masked everywhere).
    pub(crate) fn secret_params(&self) -> impl Iterator<Item = &ParamSpec> {
        self.params.iter().filter(|p| p.secret)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Bool,
    List,
}

impl ParamType {
    pub fn parse(s: &str) -> Option<ParamType> {
        Some(match s {
            "string" => ParamType::String,
            "integer" | "int" => ParamType::Integer,
            "bool" | "boolean" => ParamType::Bool,
            "list" => ParamType::List,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Bool => "bool",
            ParamType::List => "list",
        }
    }
}

/// A parameter value after its type check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Bool(bool),
    List(Vec<String>),
}

impl Value {
    /// The value as one string (lists comma-separated), for shell variables
    /// and messages.
    pub fn render(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::List(items) => items.join(","),
        }
    }
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Integer(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::List(items) => serde_json::Value::from(items.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub ty: ParamType,
    pub required: bool,
    pub default: Option<Value>,
    pub pattern: Option<String>,
    pub choices: Vec<String>,
    pub secret: bool,
    pub description: Option<String>,
    pub line: usize,
}

/// How a step is confirmed before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Confirm {
    /// No confirmation (read-only steps).
    #[default]
    None,
    /// A yes.
    Yes,
    /// The operator re-types the target's name.
    Typed,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OnFailure {
    #[default]
    Abort,
    Continue,
    Goto(String),
}

/// `when=<step>.<key>==<value>` (or `!=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub step: String,
    pub key: String,
    pub equals: bool,
    pub value: String,
}

impl Condition {
    pub fn holds(&self, outputs: &BTreeMap<String, String>) -> bool {
        let actual = outputs.get(&self.key).map(String::as_str).unwrap_or("");
        (actual == self.value) == self.equals
    }
    pub fn describe(&self) -> String {
        let op = if self.equals { "==" } else { "!=" };
        format!("{}.{}{op}{}", self.step, self.key, self.value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepAttrs {
    pub destructive: bool,
    pub confirm: Confirm,
    pub timeout: Option<Duration>,
    pub retries: u32,
    pub on_failure: OnFailure,
    pub when: Option<Condition>,
    pub milestone: Option<String>,
}

/// One executable step: a fenced block with an `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    /// The kind, when `kind=` names one triage knows (`check` reports the rest).
    pub kind: Option<super::kinds::StepKind>,
    /// `kind=` as written (for messages; empty when missing).
    pub kind_text: String,
    /// The nearest heading above the step.
    pub title: String,
    /// Markdown between the previous step and this one (headings, alerts, text).
    pub prose: String,
    /// The fence's language word (`yaml`, `bash`, `sh`).
    pub lang: String,
    /// The block's content: a YAML mapping of inputs, or a script.
    pub body: String,
    pub attrs: StepAttrs,
    /// The alert (`> [!CAUTION]`) just before the step, if any.
    pub alert: Option<Alert>,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// SHA-256 of the step's fence line and body (detects edits on resume).
    pub sha: String,
}

impl Step {
    /// Whether the operator must confirm before it runs.
    pub(crate) fn needs_confirmation(&self) -> bool {
        self.attrs.destructive || self.attrs.confirm != Confirm::None
    }
    /// Steps answered by a person rather than executed.
    pub(crate) fn is_question(&self) -> bool {
        self.kind.is_some_and(super::kinds::StepKind::is_question)
    }
    /// The kind's name as written in the runbook.
    pub fn kind_name(&self) -> &str {
        &self.kind_text
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Note => "NOTE",
            AlertKind::Tip => "TIP",
            AlertKind::Important => "IMPORTANT",
            AlertKind::Warning => "WARNING",
            AlertKind::Caution => "CAUTION",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub text: String,
    pub line: usize,
}

/// A problem found while parsing or linting, at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl Problem {
    pub fn error(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }
    pub fn warning(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

/// What a step will do, shown before it runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Lines a person reads: current → target.
    pub lines: Vec<String>,
    /// The name to re-type for `confirm=typed`.
    pub target: Option<String>,
    /// The state is already the target: nothing will be written.
    pub no_change: bool,
    /// Read-state carried from plan to execution, one shape per kind.
    pub data: PlanData,
}

/// What planning read and execution needs, per kind. Kinds that need
/// nothing carry `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PlanData {
    #[default]
    None,
    /// `approve`, `choice`, `manual`: the options offered (choice only).
    Question { options: Vec<String> },
    /// `ecs.rollback`: the task definitions before and after.
    Rollback { from: String, to: String },
    /// `ecs.scale`: the desired count when planned.
    Scale { from: u32 },
    /// `ecs.stop_task`: the task as planned.
    StopTask { arn: String, status: String },
    /// `logs.search`: the groups to search.
    Search { groups: Vec<String> },
    /// `ec2.egress_lockdown`: per group, what to remove, add and keep.
    Lockdown(Vec<super::egress::LockdownPlan>),
    /// `ec2.egress_restore`: per group, what to put back and take away.
    Restore(Vec<super::egress::RestorePlan>),
    /// `ec2.flow_logs`: what to turn on, and what is on already.
    FlowLogs {
        request: crate::domain::flowlogs::FlowLogRequest,
        already: Vec<crate::domain::flowlogs::FlowLog>,
    },
    /// `ec2.flow_logs_remove`: what the flow-logs step made, and which of
    /// its flow logs are still there.
    FlowLogsRemove {
        made: crate::domain::flowlogs::FlowLogsMade,
        present: Vec<String>,
    },
}

impl Plan {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// One runbook file and what the linter says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookFile {
    pub path: std::path::PathBuf,
    pub runbook: Runbook,
    pub problems: Vec<Problem>,
    /// Shipped inside the binary (its `path` names the file it was built from).
    pub built_in: bool,
}

impl RunbookFile {
    /// Where it came from, for lists and messages: its path, or "built in".
    pub(crate) fn origin(&self) -> String {
        if self.built_in {
            format!("built in ({})", self.path.display())
        } else {
            self.path.display().to_string()
        }
    }

    /// No lint errors (warnings allowed): it may run.
    pub fn ok(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}
