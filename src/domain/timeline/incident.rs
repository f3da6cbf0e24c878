//! An incident, as folded from its journal: metadata, the live (not
//! superseded) entries, milestones and the time-to-X figures.

use super::entry::{Entry, EntryKind, Milestone};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Open,
    Closed,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    #[serde(rename = "SEV1")]
    Sev1,
    #[serde(rename = "SEV2")]
    Sev2,
    #[serde(rename = "SEV3")]
    Sev3,
    #[serde(rename = "SEV4")]
    Sev4,
}

impl Severity {
    pub fn parse(s: &str) -> Result<Severity, super::entry::UnknownWord> {
        match s.trim().to_ascii_uppercase().as_str() {
            "SEV1" | "1" => Ok(Severity::Sev1),
            "SEV2" | "2" => Ok(Severity::Sev2),
            "SEV3" | "3" => Ok(Severity::Sev3),
            "SEV4" | "4" => Ok(Severity::Sev4),
            _ => Err(super::entry::UnknownWord {
                what: "severity",
                given: s.to_string(),
                choices: "SEV1, SEV2, SEV3, SEV4".to_string(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }
}

/// An incident and its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub severity: Option<Severity>,
    pub status: IncidentStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Every entry, ordered by (occurred_at, seq).
    pub entries: Vec<Entry>,
    /// Ids of entries a later entry corrected.
    pub superseded: HashSet<String>,
}

impl Incident {
    /// Fold a journal into an incident.
    pub(crate) fn from_entries(id: &str, mut entries: Vec<Entry>) -> Incident {
        entries.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then(a.seq.cmp(&b.seq)));
        let superseded: HashSet<String> = entries
            .iter()
            .filter_map(|e| e.supersedes.clone())
            .collect();
        let mut incident = Incident {
            id: id.to_string(),
            title: id.to_string(),
            severity: None,
            status: IncidentStatus::Open,
            started_at: None,
            closed_at: None,
            entries: Vec::new(),
            superseded,
        };
        // Metadata changes apply in the order they were written (entries
        // shared by other responders have their own seq: order by time first).
        let mut by_seq: Vec<&Entry> = entries.iter().collect();
        by_seq.sort_by_key(|e| (e.recorded_at, e.seq));
        for e in by_seq {
            if let Some(change) = &e.incident {
                if let Some(title) = &change.title {
                    incident.title = title.clone();
                    incident.started_at.get_or_insert(e.occurred_at);
                }
                if let Some(sev) = change
                    .severity
                    .as_deref()
                    .and_then(|s| Severity::parse(s).ok())
                {
                    incident.severity = Some(sev);
                }
                match change.status.as_deref() {
                    Some("closed") => {
                        incident.status = IncidentStatus::Closed;
                        incident.closed_at = Some(e.occurred_at);
                    }
                    Some("open") => {
                        incident.status = IncidentStatus::Open;
                        incident.closed_at = None;
                    }
                    _ => {}
                }
            }
        }
        if incident.started_at.is_none() {
            incident.started_at = entries.first().map(|e| e.occurred_at);
        }
        incident.entries = entries;
        incident
    }

    /// Entries no later entry corrected, in time order.
    pub(crate) fn live_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| !self.superseded.contains(&e.id))
    }

    pub fn is_superseded(&self, entry: &Entry) -> bool {
        self.superseded.contains(&entry.id)
    }

    /// When each milestone happened (the latest live entry for it wins).
    pub fn milestones(&self) -> BTreeMap<Milestone, DateTime<Utc>> {
        let mut found: BTreeMap<Milestone, (u64, DateTime<Utc>)> = BTreeMap::new();
        for e in self
            .live_entries()
            .filter(|e| e.kind == EntryKind::Milestone)
        {
            if let Some(m) = e.milestone {
                let newer = found.get(&m).is_none_or(|(seq, _)| e.seq > *seq);
                if newer {
                    found.insert(m, (e.seq, e.occurred_at));
                }
            }
        }
        found.into_iter().map(|(m, (_, at))| (m, at)).collect()
    }

    /// Where a milestone at `at` would break the order milestones happen in
    /// (impact started → detected → … → resolved): the live milestone it
    /// would come before (or after) wrongly, if any. A milestone may share
    /// its time with another.
    pub(crate) fn out_of_order(
        &self,
        milestone: Milestone,
        at: DateTime<Utc>,
    ) -> Option<OutOfOrder> {
        self.milestones()
            .into_iter()
            .filter(|(other, _)| *other != milestone)
            .find(|(other, other_at)| {
                (*other < milestone && at < *other_at) || (*other > milestone && at > *other_at)
            })
            .map(|(other, other_at)| OutOfOrder {
                milestone,
                at,
                other,
                other_at,
            })
    }

    /// Time-to-detect, -mitigate and -resolve, counted from impact start (or,
    /// without one, from the incident's start or its first milestone, if
    /// that was earlier). Never negative: a milestone before its origin
    /// (from a journal written before milestones were kept in order) has no
    /// duration.
    pub fn durations(&self) -> Durations {
        let milestones = self.milestones();
        let origin = milestones
            .get(&Milestone::ImpactStarted)
            .copied()
            .or_else(|| {
                self.started_at
                    .into_iter()
                    .chain(milestones.values().copied())
                    .min()
            });
        let since = |m: Milestone| {
            let d = *milestones.get(&m)? - origin?;
            (d >= Duration::zero()).then_some(d)
        };
        // Without a `detected` milestone, the first alarm that fired detected it.
        let first_alarm = self
            .live_entries()
            .filter(|e| e.tags.iter().any(|t| t == "alarm") && e.summary.ends_with(" in ALARM"))
            .map(|e| e.occurred_at)
            .min();
        Durations {
            to_detect: since(Milestone::Detected).or_else(|| {
                let d = first_alarm? - origin?;
                (d >= Duration::zero()).then_some(d)
            }),
            to_mitigate: since(Milestone::Mitigated),
            to_resolve: since(Milestone::Resolved),
        }
    }
}

/// A milestone that would come before one that must precede it (or after
/// one that must follow it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfOrder {
    pub milestone: Milestone,
    pub at: DateTime<Utc>,
    pub other: Milestone,
    pub other_at: DateTime<Utc>,
}

impl std::fmt::Display for OutOfOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC");
        let (relation, fix) = if self.other < self.milestone {
            ("before", "a later time")
        } else {
            ("after", "an earlier time")
        };
        write!(
            f,
            "{} at {} would come {relation} {} at {}: milestones go impact started → detected → acknowledged → contained → mitigated → resolved. Give {fix}, or correct `{}` first",
            self.milestone.as_str(),
            when(self.at),
            self.other.as_str(),
            when(self.other_at),
            self.other.as_str(),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durations {
    pub to_detect: Option<Duration>,
    pub to_mitigate: Option<Duration>,
    pub to_resolve: Option<Duration>,
}

/// "1h 04m", "12m 30s", "45s"; a negative duration (which [`Incident::durations`]
/// never gives) keeps its sign rather than lie.
pub fn human_duration(d: Duration) -> String {
    let sign = if d < Duration::zero() { "-" } else { "" };
    let s = d.num_seconds().abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}h {m:02}m")
    } else if m > 0 {
        format!("{sign}{m}m {sec:02}s")
    } else {
        format!("{sign}{sec}s")
    }
}
