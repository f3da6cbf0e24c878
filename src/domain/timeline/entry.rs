//! One line of the journal. Field names are the stable on-disk schema (v1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Observation,
    Action,
    Step,
    Note,
    Decision,
    Milestone,
    Communication,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Observation => "observation",
            EntryKind::Action => "action",
            EntryKind::Step => "step",
            EntryKind::Note => "note",
            EntryKind::Decision => "decision",
            EntryKind::Milestone => "milestone",
            EntryKind::Communication => "communication",
        }
    }
}

/// The named moments of an incident, in the order they usually happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    ImpactStarted,
    Detected,
    Acknowledged,
    Contained,
    Mitigated,
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 6] = [
        Milestone::ImpactStarted,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Contained,
        Milestone::Mitigated,
        Milestone::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "impact_started",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Contained => "contained",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "Impact started",
            Milestone::Detected => "Detected",
            Milestone::Acknowledged => "Acknowledged",
            Milestone::Contained => "Contained",
            Milestone::Mitigated => "Mitigated",
            Milestone::Resolved => "Resolved",
        }
    }

    pub fn parse(s: &str) -> Result<Milestone, UnknownWord> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Milestone::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| UnknownWord {
                what: "milestone",
                given: s.to_string(),
                choices: Milestone::ALL.map(|m| m.as_str()).join(", "),
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// A timestamp that came from AWS.
    Aws,
    /// This machine's clock.
    Local,
    /// Typed by a person (backdated or corrected).
    Operator,
}

/// Who did or saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Human { name: String },
    Console,
    Aws,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Human { name } => name.clone(),
            Actor::Console => "console".into(),
            Actor::Aws => "aws".into(),
        }
    }
}

/// Incident metadata carried by an entry: opening, severity change, closing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A runbook step's identity, for step entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookRef {
    pub file: String,
    pub content_sha: String,
    pub run_id: String,
    pub step_id: String,
    pub attempt: u32,
    pub state: String,
}

impl RunbookRef {
    /// The step's state this entry records (`None` for run-level entries).
    pub(crate) fn step_state(&self) -> Option<crate::domain::runbook::StepState> {
        if self.step_id.is_empty() {
            return None;
        }
        crate::domain::runbook::StepState::parse(&self.state)
    }

    /// What a run-level entry (no step) records.
    pub(crate) fn run_mark(&self) -> Option<crate::domain::runbook::run::RunMark> {
        if !self.step_id.is_empty() {
            return None;
        }
        crate::domain::runbook::run::RunMark::parse(&self.state)
    }
}

/// What was changed, for action and step entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub kind: String,
    pub destructive: bool,
    pub dry_run: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    #[serde(default)]
    pub inputs: serde_json::Value,
    #[serde(default)]
    pub undo: serde_json::Value,
}

/// How it went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default)]
    pub outputs: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// A journal entry as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub v: u32,
    pub id: String,
    pub seq: u64,
    #[serde(with = "rfc3339_ms")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    pub recorded_at: DateTime<Utc>,
    pub time_source: TimeSource,
    pub kind: EntryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    pub actor: Actor,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<RunbookRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub important: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentChange>,
}

/// An entry before the journal gives it an id, a sequence number and its
/// recording time.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraft {
    pub occurred_at: Option<DateTime<Utc>>,
    pub time_source: TimeSource,
    pub kind: EntryKind,
    pub milestone: Option<Milestone>,
    pub actor: Actor,
    pub summary: String,
    pub detail: Option<String>,
    pub resources: Vec<String>,
    pub runbook: Option<RunbookRef>,
    pub action: Option<ActionRecord>,
    pub result: Option<ResultRecord>,
    pub evidence: Vec<String>,
    pub important: bool,
    pub supersedes: Option<String>,
    pub tags: Vec<String>,
    pub incident: Option<IncidentChange>,
}

impl EntryDraft {
    pub fn new(kind: EntryKind, actor: Actor, summary: impl Into<String>) -> EntryDraft {
        EntryDraft {
            occurred_at: None,
            time_source: TimeSource::Local,
            kind,
            milestone: None,
            actor,
            summary: summary.into(),
            detail: None,
            resources: Vec::new(),
            runbook: None,
            action: None,
            result: None,
            evidence: Vec::new(),
            important: false,
            supersedes: None,
            tags: Vec::new(),
            incident: None,
        }
    }

    /// A milestone, at `at` if the operator gave a time.
    pub fn milestone(milestone: Milestone, actor: Actor, at: Option<DateTime<Utc>>) -> EntryDraft {
        let mut draft = EntryDraft::new(EntryKind::Milestone, actor, milestone.title());
        draft.milestone = Some(milestone);
        draft.important = true;
        draft.at(at)
    }

    /// Backdate to a time the operator typed.
    pub fn at(mut self, at: Option<DateTime<Utc>>) -> EntryDraft {
        if at.is_some() {
            self.occurred_at = at;
            self.time_source = TimeSource::Operator;
        }
        self
    }

    /// Make the entry, now that the journal knows its id, seq and the time.
    pub fn into_entry(self, id: String, seq: u64, recorded_at: DateTime<Utc>) -> Entry {
        Entry {
            v: SCHEMA_VERSION,
            id,
            seq,
            occurred_at: self.occurred_at.unwrap_or(recorded_at),
            recorded_at,
            time_source: self.time_source,
            kind: self.kind,
            milestone: self.milestone,
            actor: self.actor,
            summary: self.summary,
            detail: self.detail,
            resources: self.resources,
            runbook: self.runbook,
            action: self.action,
            result: self.result,
            evidence: self.evidence,
            important: self.important,
            supersedes: self.supersedes,
            tags: self.tags,
            incident: self.incident,
        }
    }

    /// A correction of `entry`: the same entry with changes, superseding it.
    pub fn correcting(entry: &Entry) -> EntryDraft {
        EntryDraft {
            occurred_at: Some(entry.occurred_at),
            time_source: entry.time_source,
            kind: entry.kind,
            milestone: entry.milestone,
            actor: entry.actor.clone(),
            summary: entry.summary.clone(),
            detail: entry.detail.clone(),
            resources: entry.resources.clone(),
            runbook: entry.runbook.clone(),
            action: entry.action.clone(),
            result: entry.result.clone(),
            evidence: entry.evidence.clone(),
            important: entry.important,
            supersedes: Some(entry.id.clone()),
            tags: entry.tags.clone(),
            incident: None,
        }
    }
}

impl Entry {
    /// Backdated: it happened noticeably before it was written.
    pub(crate) fn is_backdated(&self) -> bool {
        (self.recorded_at - self.occurred_at).num_seconds().abs() >= 60
    }
}

/// Times on disk: RFC 3339, UTC, milliseconds (`2026-01-28T03:12:00.000Z`).
pub mod rfc3339_ms {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// Drop what the on-disk format cannot hold.
    pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
    }
}

/// A word that names none of the things it could (a milestone, a severity).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}`: use one of {choices}")]
pub struct UnknownWord {
    pub what: &'static str,
    pub given: String,
    pub choices: String,
}
