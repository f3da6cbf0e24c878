//! What a person notices across stopped tasks: the same cause repeating (a
//! restart loop, with count and period), failures that began with a
//! deployment (→ roll back, and what changed between the revisions), and
//! benign stops that are not alarms.

use super::cause::{Cause, Severity};
use super::rules::Finding;
use crate::domain::ports::TaskDefinition;
use crate::domain::service::{revision_label, DeploymentStatus, Service, ServiceKey};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many stops of one cause make a loop.
pub(crate) const LOOP_COUNT: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    pub cluster: String,
    pub service: String,
    pub cause: Cause,
    pub count: usize,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// Every one of these stops ran the primary deployment's revision and came after it began.
    pub since_deployment: bool,
    /// The revision to go back to, when a deployment is to blame.
    pub rollback_to: Option<String>,
    /// The stops ran a revision the service no longer runs: a later deployment ended them.
    pub ended: bool,
    pub suggestion: String,
    /// The revision the newest of these stops ran (`family:N`).
    #[serde(default)]
    pub revision: Option<String>,
    /// The watched pair of its service.
    #[serde(default, skip_serializing_if = "crate::domain::Pair::is_unnamed")]
    pub pair: crate::domain::Pair,
}

impl Pattern {
    /// The service it repeats in.
    pub(crate) fn service_key(&self) -> crate::domain::service::ServiceKey {
        crate::domain::service::ServiceKey {
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            pair: self.pair.clone(),
        }
    }

    /// Average time between stops.
    pub fn period(&self) -> Option<Duration> {
        let (first, last) = (self.first_at?, self.last_at?);
        (self.count > 1).then(|| (last - first) / (self.count as i32 - 1))
    }

    /// Still going for a service now on `current` (`family:N`): not ended
    /// by a later deployment, at the last diagnosis or since.
    pub(crate) fn live_on(&self, current: &str) -> bool {
        !self.ended && self.revision.as_deref().is_none_or(|r| r == current)
    }

    /// "3× OOM in 20m" for a compact column.
    pub fn short(&self) -> String {
        let span = match (self.first_at, self.last_at) {
            (Some(a), Some(b)) => format!(" in {}m", (b - a).num_minutes().max(1)),
            _ => String::new(),
        };
        let what = match self.cause {
            Cause::OomKilled => "OOM".to_string(),
            other => other.code().to_string(),
        };
        format!("{}× {what}{span}", self.count)
    }
}

/// The restart loop still going in `service`: of its cluster and name, and
/// live on the revision it runs now.
pub(crate) fn live_loop<'a>(patterns: &'a [Pattern], service: &Service) -> Option<&'a Pattern> {
    let current = service.revision_label();
    patterns.iter().find(|p| {
        p.service == service.name
            && p.cluster == service.cluster
            && p.pair == service.pair
            && p.live_on(&current)
    })
}

/// Patterns across findings of the given services (for deployment context).
pub fn patterns(findings: &[Finding], services: &[Service]) -> Vec<Pattern> {
    // The same names in two watched pairs are two services.
    let mut groups: BTreeMap<(ServiceKey, Cause), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        let Some(key) = f.service_key() else { continue };
        groups.entry((key, f.cause)).or_default().push(f);
    }
    let mut out = Vec::new();
    for ((key, cause), group) in groups {
        let benign = cause.facts().severity == Severity::Info;
        // Unrecognised stops are not "the same cause" repeating.
        if benign || cause == Cause::Unknown || group.len() < LOOP_COUNT {
            continue;
        }
        let first_at = group.iter().filter_map(|f| f.stopped_at).min();
        let last_at = group.iter().filter_map(|f| f.stopped_at).max();
        let svc = services.iter().find(|s| s.is(&key));
        let primary = svc.and_then(|s| s.primary());
        let since_deployment = primary.is_some_and(|p| {
            group.iter().all(|f| f.task_definition == p.task_definition)
                && p.created_at
                    .zip(first_at)
                    .is_some_and(|(created, first)| first >= created)
        });
        let rollback_to = if since_deployment {
            svc.and_then(previous_revision)
        } else {
            None
        };
        let ended =
            primary.is_some_and(|p| group.iter().all(|f| f.task_definition != p.task_definition));
        let ServiceKey {
            cluster,
            service,
            pair,
        } = key;
        let mut pattern = Pattern {
            cluster,
            service,
            pair,
            cause,
            count: group.len(),
            first_at,
            last_at,
            since_deployment,
            rollback_to,
            ended,
            suggestion: String::new(),
            revision: group
                .iter()
                .max_by_key(|f| f.stopped_at)
                .map(|f| revision_label(&f.task_definition)),
        };
        pattern.suggestion = suggestion(&pattern, primary.map(|p| p.task_definition.as_str()));
        out.push(pattern);
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.last_at));
    out
}

/// The revision before the primary: a still-listed older deployment, else the
/// previous revision number of the same family.
fn previous_revision(service: &Service) -> Option<String> {
    if let Some(old) = service.deployments.iter().find(|d| {
        d.status != DeploymentStatus::Primary && d.task_definition != service.task_definition
    }) {
        return Some(revision_label(&old.task_definition));
    }
    let label = revision_label(&service.task_definition);
    let (family, number) = label.rsplit_once(':')?;
    let number: u32 = number.parse().ok()?;
    (number > 1).then(|| format!("{family}:{}", number - 1))
}

fn suggestion(p: &Pattern, current: Option<&str>) -> String {
    let every = p
        .period()
        .map(|d| format!(", about every {}m", d.num_minutes().max(1)))
        .unwrap_or_default();
    let runbook = p
        .cause
        .facts()
        .runbook
        .map(|r| format!(" (runbook {r})"))
        .unwrap_or_default();
    if p.ended {
        return format!(
            "{} stops of {}{every}; they ended when {} was deployed",
            p.count,
            p.cause.code(),
            current
                .map(revision_label)
                .unwrap_or_else(|| "a new revision".into())
        );
    }
    match (&p.rollback_to, current) {
        (Some(previous), Some(current)) => format!(
            "{} stops of {} since {} was deployed{every}: roll back to {previous}{runbook}",
            p.count,
            p.cause.code(),
            revision_label(current)
        ),
        _ => format!(
            "{} stops of {}{every}: a restart loop{runbook}",
            p.count,
            p.cause.code()
        ),
    }
}

/// One difference between two task definition revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What changed between two revisions: images, environment and secret
/// *names*, cpu/memory, commands, health checks. Values of environment
/// variables are never compared or shown (they may be secrets).
pub(crate) fn diff(before: &TaskDefinition, after: &TaskDefinition) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut change = |field: String, a: String, b: String| {
        if a != b {
            changes.push(Change {
                field,
                before: a,
                after: b,
            });
        }
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
    change("cpu".into(), opt(&before.cpu), opt(&after.cpu));
    change("memory".into(), opt(&before.memory), opt(&after.memory));
    for new in &after.containers {
        let name = &new.name;
        let Some(old) = before.containers.iter().find(|c| &c.name == name) else {
            change(format!("container {name}"), "—".into(), "added".into());
            continue;
        };
        change(
            format!("{name}.image"),
            old.image.clone(),
            new.image.clone(),
        );
        let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
        change(format!("{name}.memory"), num(old.memory), num(new.memory));
        change(
            format!("{name}.command"),
            old.command.join(" "),
            new.command.join(" "),
        );
        change(
            format!("{name}.healthCheck"),
            old.health_check.join(" "),
            new.health_check.join(" "),
        );
        let names = |v: &Vec<String>| {
            let mut v = v.clone();
            v.sort();
            v.join(", ")
        };
        change(
            format!("{name}.environment (names)"),
            names(&old.environment),
            names(&new.environment),
        );
        change(
            format!("{name}.secrets (names)"),
            names(&old.secrets),
            names(&new.secrets),
        );
    }
    for old in &before.containers {
        if !after.containers.iter().any(|c| c.name == old.name) {
            change(
                format!("container {}", old.name),
                "present".into(),
                "removed".into(),
            );
        }
    }
    changes
}
