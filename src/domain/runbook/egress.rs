//! Egress lockdown and restore, planned as pure functions: given a security
//! group's current egress rules and an allow-list, which rules go, stay and
//! come; and the snapshot that lets a restore bring back exactly the original.

use crate::domain::network::{Destination, EgressRule};
use serde::{Deserialize, Serialize};

/// One allow-list entry: `tcp:443`, `udp:53`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allowed {
    pub protocol: String,
    pub port: i32,
}

/// An `allow` entry that is not `protocol:port`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("allow entry `{entry}`: {why}")]
pub struct BadAllow {
    pub entry: String,
    pub why: &'static str,
}

impl Allowed {
    pub fn parse(text: &str) -> Result<Allowed, BadAllow> {
        let bad = |why| BadAllow {
            entry: text.to_string(),
            why,
        };
        let (protocol, port) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| bad("write protocol:port, e.g. tcp:443"))?;
        let protocol = protocol.trim().to_ascii_lowercase();
        if protocol != "tcp" && protocol != "udp" {
            return Err(bad("protocol must be tcp or udp"));
        }
        let port: i32 = port
            .trim()
            .parse()
            .ok()
            .filter(|p| (0..=65535).contains(p))
            .ok_or_else(|| bad("port must be 0-65535"))?;
        Ok(Allowed { protocol, port })
    }

    fn rule(&self) -> EgressRule {
        EgressRule {
            protocol: self.protocol.clone(),
            from_port: Some(self.port),
            to_port: Some(self.port),
            destination: Destination::Ipv4("0.0.0.0/0".into()),
            description: Some("triage egress lockdown".into()),
        }
    }
}

/// "Only HTTP/HTTPS/DNS".
pub(crate) fn default_allow_list() -> Vec<Allowed> {
    [("tcp", 443), ("tcp", 80), ("tcp", 53), ("udp", 53)]
        .into_iter()
        .map(|(p, port)| Allowed {
            protocol: p.into(),
            port,
        })
        .collect()
}

/// What a lockdown of one group will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockdownPlan {
    pub group: String,
    pub remove: Vec<EgressRule>,
    pub keep: Vec<EgressRule>,
    pub add: Vec<EgressRule>,
}

impl LockdownPlan {
    pub(crate) fn is_no_change(&self) -> bool {
        self.remove.is_empty() && self.add.is_empty()
    }
    /// What a restore needs to undo this lockdown.
    pub fn snapshot(&self) -> LockdownSnapshot {
        LockdownSnapshot {
            group: self.group.clone(),
            removed: self.remove.clone(),
            added: self.add.clone(),
            kept: self.keep.clone(),
        }
    }
}

pub(crate) fn plan_lockdown(
    group: &str,
    current: &[EgressRule],
    allow: &[Allowed],
) -> LockdownPlan {
    let targets: Vec<EgressRule> = allow.iter().map(Allowed::rule).collect();
    let (keep, remove): (Vec<EgressRule>, Vec<EgressRule>) = current
        .iter()
        .cloned()
        .partition(|r| targets.iter().any(|t| t.same(r)));
    let mut add: Vec<EgressRule> = Vec::new();
    for t in targets {
        if !keep.iter().any(|k| k.same(&t)) && !add.iter().any(|a| a.same(&t)) {
            add.push(t);
        }
    }
    LockdownPlan {
        group: group.to_string(),
        remove,
        keep,
        add,
    }
}

/// Saved by a lockdown for its restore: the rules it removed (in full) and the
/// ones it added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockdownSnapshot {
    pub group: String,
    pub removed: Vec<EgressRule>,
    pub added: Vec<EgressRule>,
    /// The rules the allow-list already had, left alone (so the post-mortem
    /// can say what egress was before and after; older snapshots lack it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<EgressRule>,
}

/// What a restore of one group will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestorePlan {
    pub group: String,
    pub reauthorize: Vec<EgressRule>,
    pub revoke: Vec<EgressRule>,
}

impl RestorePlan {
    pub(crate) fn is_no_change(&self) -> bool {
        self.reauthorize.is_empty() && self.revoke.is_empty()
    }
}

pub(crate) fn plan_restore(snapshot: &LockdownSnapshot, current: &[EgressRule]) -> RestorePlan {
    RestorePlan {
        group: snapshot.group.clone(),
        reauthorize: snapshot
            .removed
            .iter()
            .filter(|r| !current.iter().any(|c| c.same(r)))
            .cloned()
            .collect(),
        revoke: snapshot
            .added
            .iter()
            .filter(|r| current.iter().any(|c| c.same(r)))
            .filter(|r| !snapshot.removed.iter().any(|o| o.same(r)))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, port: Option<i32>, cidr: &str) -> EgressRule {
        EgressRule {
            protocol: protocol.into(),
            from_port: port,
            to_port: port,
            destination: Destination::Ipv4(cidr.into()),
            description: None,
        }
    }

    #[test]
    fn lockdown_of_allow_all_removes_it_and_adds_the_allow_list() {
        let current = vec![rule("-1", None, "0.0.0.0/0")];
        let plan = plan_lockdown("sg-1", &current, &default_allow_list());
        assert_eq!(plan.remove, current);
        assert_eq!(plan.add.len(), 4);
        assert!(plan.keep.is_empty());
        let after: Vec<EgressRule> = plan.add.clone();
        assert!(plan_lockdown("sg-1", &after, &default_allow_list()).is_no_change());
        let restore = plan_restore(&plan.snapshot(), &after);
        assert_eq!(restore.reauthorize, current);
        assert_eq!(restore.revoke.len(), 4);
    }

    #[test]
    fn rules_already_allowed_are_kept_and_not_re_added() {
        let current = vec![
            rule("tcp", Some(443), "0.0.0.0/0"),
            rule("tcp", Some(5432), "10.0.0.0/8"),
        ];
        let plan = plan_lockdown("sg-1", &current, &default_allow_list());
        assert_eq!(plan.keep, vec![current[0].clone()]);
        assert_eq!(plan.remove, vec![current[1].clone()]);
        assert_eq!(plan.add.len(), 3);
        // Restoring must not revoke the 443 rule that was there before.
        let after: Vec<EgressRule> = plan.keep.iter().chain(&plan.add).cloned().collect();
        let restore = plan_restore(&plan.snapshot(), &after);
        assert!(!restore.revoke.iter().any(|r| r.same(&current[0])));
    }

    #[test]
    fn allow_entries_are_checked() {
        assert!(Allowed::parse("tcp:443").is_ok());
        assert!(Allowed::parse("icmp:1").is_err());
        assert!(Allowed::parse("tcp:99999").is_err());
        assert!(Allowed::parse("443").is_err());
    }
}
