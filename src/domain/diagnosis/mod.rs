//! Stopped-task diagnosis: each stopped task decoded into one finding (cause,
//! severity, explanation, the evidence that led there, next checks, the
//! runbook that fits), and the patterns across tasks a person would notice.
//! Pure: rules are functions over the task's fields (docs/specs/DIAGNOSIS.md).

pub mod cause;
pub mod journal;
pub mod patterns;
pub mod report;
pub mod rules;

pub use cause::{Cause, Severity};
pub use patterns::{patterns, Pattern};
pub use rules::{diagnose, findings_of, Finding, LogTail};

#[cfg(test)]
mod fixture_tests;
