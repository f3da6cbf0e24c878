//! GuardDuty findings — the *security* word of triage (`security_findings`
//! in JSON, `:security` in the console): what GuardDuty says of the account
//! and Region, each finding tied to the services it names (Runtime
//! Monitoring findings on ECS carry the cluster and the task, whose group is
//! `service:NAME` or whose task definition family is a service's). A finding
//! that names no watched service is kept as the account's. Texts from AWS
//! are untrusted and cleaned where they are shown.

use super::pair::Pair;
use super::ports::PortFuture;
use super::service::{arn_name, Service, ServiceKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a finding says the traffic went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

impl Remote {
    /// `198.51.100.23:6667 (evil.example)`, or None when it names nothing.
    pub fn describe(&self) -> Option<String> {
        let address = match (&self.ip, self.port) {
            (Some(ip), Some(port)) => Some(format!("{ip}:{port}")),
            (Some(ip), None) => Some(ip.clone()),
            (None, Some(port)) => Some(format!("port {port}")),
            (None, None) => None,
        };
        match (address, &self.domain) {
            (Some(a), Some(d)) => Some(format!("{a} ({d})")),
            (Some(a), None) => Some(a),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        }
    }
}

/// One GuardDuty finding, as triage keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityFinding {
    pub id: String,
    pub arn: String,
    /// `Backdoor:Runtime/C&CActivity.B`, `CryptoCurrency:Runtime/BitcoinTool.B` …
    pub kind: String,
    pub title: String,
    pub description: String,
    /// GuardDuty's 1–10 (Low < 4, Medium < 7, High < 9, Critical).
    pub severity: f64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// How many times GuardDuty saw it.
    pub count: u32,
    /// The ECS cluster it names (its name), the task and its group.
    pub cluster: Option<String>,
    pub task_arn: Option<String>,
    pub task_group: Option<String>,
    pub task_definition: Option<String>,
    pub remote: Remote,
    /// The watched pair it was read from (set by the reader).
    #[serde(default, skip_serializing_if = "Pair::is_unnamed")]
    pub pair: Pair,
}

/// GuardDuty's severity bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn of(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            _ => Severity::Low,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl SecurityFinding {
    pub fn severity_band(&self) -> Severity {
        Severity::of(self.severity)
    }

    /// `HIGH Backdoor:Runtime/C&CActivity.B → 198.51.100.23:6667`, cleaned.
    pub fn headline(&self) -> String {
        let mut text = format!(
            "GuardDuty {} {}",
            self.severity_band().as_str().to_ascii_uppercase(),
            super::sanitize::one_line(&self.kind)
        );
        if let Some(remote) = self.remote.describe() {
            text.push_str(&format!(" → {}", super::sanitize::one_line(&remote)));
        }
        text
    }
}

/// A finding with the services it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedFinding {
    pub finding: SecurityFinding,
    pub services: Vec<ServiceKey>,
}

/// One read of GuardDuty: its detector and its findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityRead {
    /// None: GuardDuty is not enabled in this account and Region.
    pub detector: Option<String>,
    pub findings: Vec<SecurityFinding>,
}

port! {
    /// Reading GuardDuty.
    pub trait SecurityPort {
        /// The detector and its current findings (not archived, newest first),
        /// at most a few hundred.
        fn findings(&self) -> PortFuture<'_, SecurityRead>;
        /// Calls made so far, by operation.
        fn calls(&self) -> super::ports::CallCounts {
            super::ports::CallCounts::new()
        }
    }
}

/// Which services each finding is about: those of its pair in the cluster
/// it names whose name is the task's group (`service:NAME`), else whose
/// task definition is of the task's family.
pub fn tie(findings: Vec<SecurityFinding>, services: &[Service]) -> Vec<OwnedFinding> {
    findings
        .into_iter()
        .map(|finding| {
            let services = services
                .iter()
                .filter(|s| s.pair == finding.pair)
                .filter(|s| {
                    finding
                        .cluster
                        .as_deref()
                        .is_some_and(|c| arn_name(c) == s.cluster)
                })
                .filter(|s| {
                    let by_group = finding
                        .task_group
                        .as_deref()
                        .and_then(|g| g.strip_prefix("service:"))
                        .map(|name| name == s.name);
                    let by_family = || {
                        let family = |arn: &str| {
                            super::service::revision_label(arn)
                                .rsplit_once(':')
                                .map(|(f, _)| f.to_string())
                        };
                        finding
                            .task_definition
                            .as_deref()
                            .and_then(family)
                            .is_some_and(|f| Some(f) == family(&s.task_definition))
                    };
                    by_group.unwrap_or_else(by_family)
                })
                .map(Service::key)
                .collect();
            OwnedFinding { finding, services }
        })
        .collect()
}

/// The findings about one service, most severe first.
pub(crate) fn of_service<'a>(
    owned: &'a [OwnedFinding],
    key: &ServiceKey,
) -> Vec<&'a SecurityFinding> {
    let mut found: Vec<&SecurityFinding> = owned
        .iter()
        .filter(|o| o.services.contains(key))
        .map(|o| &o.finding)
        .collect();
    found.sort_by(|a, b| b.severity.total_cmp(&a.severity));
    found
}

/// The findings about a service that still apply to it: those seen since
/// its latest deployment began (a finding last seen before it is about
/// tasks a deployment has since replaced), most severe first.
pub(crate) fn current_for<'a>(
    owned: &'a [OwnedFinding],
    service: &Service,
) -> Vec<&'a SecurityFinding> {
    let since = service.primary().and_then(|p| p.created_at);
    of_service(owned, &service.key())
        .into_iter()
        .filter(|f| match (f.last_seen, since) {
            (Some(seen), Some(deployed)) => seen >= deployed,
            _ => true,
        })
        .collect()
}

/// Journal entries for findings not seen before (by id).
pub(crate) fn new_findings(
    seen: &std::collections::BTreeSet<String>,
    now: &[OwnedFinding],
) -> Vec<super::timeline::EntryDraft> {
    use super::timeline::entry::TimeSource;
    use super::timeline::{Actor, EntryDraft, EntryKind};
    now.iter()
        .filter(|o| !seen.contains(&o.finding.id))
        .map(|o| {
            let f = &o.finding;
            let mut summary = f.headline();
            if let Some(first) = o.services.first() {
                summary.push_str(&format!(" on {first}"));
            }
            if !f.pair.is_unnamed() {
                summary.push_str(&format!(" ({})", f.pair));
            }
            let mut draft = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
            if let Some(first) = f.first_seen {
                draft.occurred_at = Some(first);
                draft.time_source = TimeSource::Aws;
            }
            draft.detail = Some(super::sanitize::one_line(&format!(
                "{} — {}",
                f.title, f.description
            )));
            draft.resources = std::iter::once(f.arn.clone())
                .chain(f.task_arn.clone())
                .chain(o.services.iter().map(|k| k.to_string()))
                .collect();
            draft.tags = vec![
                "security".into(),
                "guardduty".into(),
                f.severity_band().as_str().into(),
            ];
            draft
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(group: Option<&str>, td: Option<&str>) -> SecurityFinding {
        SecurityFinding {
            id: "f1".into(),
            arn: "arn:aws:guardduty:eu-west-1:1:detector/d/finding/f1".into(),
            kind: "Backdoor:Runtime/C&CActivity.B".into(),
            title: "t".into(),
            description: "d".into(),
            severity: 8.0,
            first_seen: None,
            last_seen: None,
            count: 1,
            cluster: Some("arn:aws:ecs:eu-west-1:1:cluster/prod-web".into()),
            task_arn: None,
            task_group: group.map(str::to_string),
            task_definition: td.map(str::to_string),
            remote: Remote {
                ip: Some("198.51.100.23".into()),
                port: Some(6667),
                domain: None,
            },
            pair: Pair::default(),
        }
    }

    fn service(name: &str, td: &str) -> Service {
        let mut s: Service = serde_json::from_value(serde_json::json!({
            "cluster": "prod-web", "name": name, "arn": "", "status": "ACTIVE",
            "desired": 1, "running": 1, "pending": 0, "task_definition": td,
            "launch_type": null, "deployments": [], "events": [], "created_at": null
        }))
        .unwrap();
        s.pair = Pair::default();
        s
    }

    #[test]
    fn a_finding_ties_by_task_group_else_by_family() {
        let services = [
            service(
                "backend-api",
                "arn:aws:ecs:r:1:task-definition/backend-api:7",
            ),
            service(
                "chatbot-api",
                "arn:aws:ecs:r:1:task-definition/chatbot-api:41",
            ),
        ];
        let by_group = tie(vec![finding(Some("service:backend-api"), None)], &services);
        assert_eq!(by_group[0].services, vec![services[0].key()]);
        let by_family = tie(
            vec![finding(
                None,
                Some("arn:aws:ecs:r:1:task-definition/chatbot-api:40"),
            )],
            &services,
        );
        assert_eq!(by_family[0].services, vec![services[1].key()]);
        let nothing = tie(vec![finding(Some("family:batch"), None)], &services);
        assert!(nothing[0].services.is_empty());
    }

    #[test]
    fn the_headline_names_severity_type_and_destination() {
        assert_eq!(
            finding(None, None).headline(),
            "GuardDuty HIGH Backdoor:Runtime/C&CActivity.B → 198.51.100.23:6667"
        );
    }
}
