//! Executable markdown runbooks: the format (parse, lint), parameter values
//! and references, the catalogue of step kinds, the pure step state machine
//! rebuilt from the journal, and the pure planning of egress lockdowns.

pub mod attributes;
pub mod decision;
pub mod egress;
pub mod entries;
pub mod fill;
pub mod fit;
pub mod kinds;
pub mod lint;
pub mod model;
pub mod parse;
pub mod resume;
pub mod run;
pub mod values;

pub use model::{
    Confirm, OnFailure, ParamSpec, ParamType, Plan, PlanData, Problem, Runbook, RunbookFile,
    Severity, Step, Value,
};
pub use run::{Next, RunState, StepState};

#[cfg(test)]
mod format_tests;
