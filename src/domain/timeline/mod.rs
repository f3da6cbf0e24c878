//! The incident timeline: journal entries (docs/specs/TIMELINE.md's schema), the incident
//! they describe, redaction, what the console observes, and the exports.

pub mod entry;
pub mod export;
pub mod incident;
pub mod naming;
pub mod observe;
pub mod redact;
pub mod scope;
pub mod step_words;
pub mod steps;
pub mod time_input;
pub mod times;

pub use entry::{Actor, Entry, EntryDraft, EntryKind, Milestone, TimeSource};
pub use incident::{Incident, IncidentStatus, Severity};
