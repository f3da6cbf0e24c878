//! What a service's tasks can reach and read — its *exposure*: the security
//! groups its tasks sit in (with **open egress** marked: a rule that lets all
//! traffic, or every port, out to `0.0.0.0/0` or `::/0`), its subnets and
//! whether tasks get public IPs, and the secrets its task definition hands
//! them (names and ARNs, never values) with when each last changed. Built
//! from what ECS, EC2 and Secrets Manager say; what could not be read is said
//! on the row that needs it, never guessed.

use super::network::{Destination, EgressRule, SecurityGroup};
use super::ports::TaskDefinition;
use super::service::Service;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A secret a task definition hands its containers (`secrets[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretExposure {
    /// The environment variable it becomes.
    pub variable: String,
    /// `valueFrom` as written: a Secrets Manager ARN (maybe with a JSON key
    /// and version after it), an SSM parameter ARN or name.
    pub source: String,
    /// The Secrets Manager secret's ARN, when it is one (None: a parameter).
    pub secret_arn: Option<String>,
    /// The secret's name in Secrets Manager, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When its value last changed (DescribeSecret's LastChangedDate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed: Option<DateTime<Utc>>,
    /// Why it could not be described (gone, access denied), when so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One security group of a service's tasks, as EC2 describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupExposure {
    pub id: String,
    pub name: Option<String>,
    /// A rule lets everything out.
    pub open_egress: bool,
    /// Its egress rules (empty when it could not be read).
    pub egress: Vec<EgressRule>,
    /// Why it could not be read (another account's, gone, access denied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Where a service's tasks sit on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkExposure {
    pub groups: Vec<GroupExposure>,
    pub subnets: Vec<String>,
    pub assign_public_ip: bool,
}

/// A service's exposure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// None: bridge or host networking (its tasks have no security groups
    /// of their own: the container instance's are what count).
    pub network: Option<NetworkExposure>,
    /// The task definition's secrets, in container order.
    pub secrets: Vec<SecretExposure>,
    /// The task definition it was read from (`family:revision`).
    pub task_definition: Option<String>,
    /// The log groups its containers write to (`awslogs-group`).
    #[serde(default)]
    pub log_groups: Vec<String>,
    /// Why the task definition could not be read, when so (no secrets known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_problem: Option<String>,
}

impl Exposure {
    /// Some group lets everything out.
    pub fn open_egress(&self) -> bool {
        self.network
            .as_ref()
            .is_some_and(|n| n.groups.iter().any(|g| g.open_egress))
    }

    /// The security group ids of its tasks.
    pub fn security_groups(&self) -> Vec<String> {
        self.network
            .as_ref()
            .map(|n| n.groups.iter().map(|g| g.id.clone()).collect())
            .unwrap_or_default()
    }

    /// The Secrets Manager secrets it reads (ARNs, each once): what a
    /// rotation rotates. SSM parameters are not among them.
    pub fn secret_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for arn in self.secrets.iter().filter_map(|s| s.secret_arn.clone()) {
            if !ids.contains(&arn) {
                ids.push(arn);
            }
        }
        ids
    }

    /// Every secret source it reads (ARNs and parameters, each once).
    pub fn secret_sources(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.secrets {
            let id = s.secret_arn.clone().unwrap_or_else(|| s.source.clone());
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }
}

/// A rule that lets everything out: all traffic, or every port of TCP or
/// UDP, to anywhere (`0.0.0.0/0`, `::/0`).
pub(crate) fn is_open(rule: &EgressRule) -> bool {
    let anywhere = matches!(
        &rule.destination,
        Destination::Ipv4(c) if c == "0.0.0.0/0"
    ) || matches!(&rule.destination, Destination::Ipv6(c) if c == "::/0");
    let every_port = rule.protocol == "-1"
        || (matches!(rule.protocol.as_str(), "tcp" | "udp" | "6" | "17")
            && rule.from_port.unwrap_or(0) <= 0
            && rule.to_port.unwrap_or(65535) >= 65535);
    anywhere && every_port
}

/// The secret a `valueFrom` names, as its ARN without the JSON key, version
/// stage and version id that may follow (`arn:aws:secretsmanager:R:A:secret:NAME-AbCdEf`).
/// None for SSM parameters and anything else.
pub fn secret_arn(value_from: &str) -> Option<String> {
    let parts: Vec<&str> = value_from.split(':').collect();
    let is_secret = parts.len() >= 7
        && parts[0] == "arn"
        && parts[2] == "secretsmanager"
        && parts[5] == "secret"
        && !parts[6].is_empty();
    is_secret.then(|| parts[..7].join(":"))
}

/// A service's exposure from its description, its task definition (None
/// with `definition_problem` when it could not be read), the groups EC2
/// described (a group absent from them is said to be unreadable) and what
/// Secrets Manager said of each secret ARN (an error's words when it failed).
pub fn exposure(
    service: &Service,
    definition: Result<&TaskDefinition, String>,
    groups: &[SecurityGroup],
    secrets: &BTreeMap<String, Result<super::secrets::SecretInfo, String>>,
) -> Exposure {
    let network = service.network.as_ref().map(|n| NetworkExposure {
        groups: n
            .security_groups
            .iter()
            .map(|id| match groups.iter().find(|g| &g.id == id) {
                Some(g) => GroupExposure {
                    id: id.clone(),
                    name: Some(g.name.clone()),
                    open_egress: g.egress.iter().any(is_open),
                    egress: g.egress.clone(),
                    problem: None,
                },
                None => GroupExposure {
                    id: id.clone(),
                    name: None,
                    open_egress: false,
                    egress: Vec::new(),
                    problem: Some(
                        "not readable in this account and Region (a shared VPC's group, or gone)"
                            .into(),
                    ),
                },
            })
            .collect(),
        subnets: n.subnets.clone(),
        assign_public_ip: n.assign_public_ip,
    });
    let (td, definition_problem) = match definition {
        Ok(td) => (Some(td), None),
        Err(problem) => (None, Some(problem)),
    };
    let secrets = td
        .map(|td| {
            td.containers
                .iter()
                .flat_map(|c| c.secrets.iter().zip(&c.secret_sources))
                .map(|(variable, source)| {
                    let arn = secret_arn(source);
                    let read = arn.as_ref().and_then(|a| secrets.get(a));
                    SecretExposure {
                        variable: variable.clone(),
                        source: source.clone(),
                        name: read.and_then(|r| r.as_ref().ok()).map(|i| i.name.clone()),
                        last_changed: read
                            .and_then(|r| r.as_ref().ok())
                            .and_then(|i| i.last_changed),
                        problem: read.and_then(|r| r.as_ref().err()).cloned(),
                        secret_arn: arn,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut log_groups: Vec<String> = Vec::new();
    for group in td
        .iter()
        .flat_map(|td| &td.containers)
        .filter_map(|c| c.log_group.clone())
    {
        if !log_groups.contains(&group) {
            log_groups.push(group);
        }
    }
    Exposure {
        network,
        secrets,
        task_definition: td.map(|td| format!("{}:{}", td.family, td.revision)),
        log_groups,
        definition_problem,
    }
}

/// Every security group id of these services, each once.
pub fn group_ids<'a>(services: impl IntoIterator<Item = &'a Service>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for service in services {
        for id in service.network.iter().flat_map(|n| &n.security_groups) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    ids
}

/// Every Secrets Manager ARN these task definitions read, each once.
pub(crate) fn secret_arns<'a>(
    definitions: impl IntoIterator<Item = &'a TaskDefinition>,
) -> Vec<String> {
    let mut arns: Vec<String> = Vec::new();
    for td in definitions {
        for source in td.containers.iter().flat_map(|c| &c.secret_sources) {
            if let Some(arn) = secret_arn(source) {
                if !arns.contains(&arn) {
                    arns.push(arn);
                }
            }
        }
    }
    arns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: Option<(i32, i32)>, to: &str) -> EgressRule {
        EgressRule {
            protocol: protocol.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            destination: if to.contains(':') {
                Destination::Ipv6(to.into())
            } else {
                Destination::Ipv4(to.into())
            },
            description: None,
        }
    }

    #[test]
    fn open_egress_is_everything_to_anywhere() {
        assert!(is_open(&rule("-1", None, "0.0.0.0/0")));
        assert!(is_open(&rule("-1", None, "::/0")));
        assert!(is_open(&rule("tcp", Some((0, 65535)), "0.0.0.0/0")));
        assert!(!is_open(&rule("tcp", Some((443, 443)), "0.0.0.0/0")));
        assert!(!is_open(&rule("-1", None, "10.0.0.0/8")));
    }

    #[test]
    fn a_secret_arn_loses_its_json_key_and_version() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf";
        assert_eq!(secret_arn(arn).as_deref(), Some(arn));
        assert_eq!(
            secret_arn(&format!("{arn}:password:AWSCURRENT:")).as_deref(),
            Some(arn)
        );
        assert_eq!(
            secret_arn("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db"),
            None
        );
        assert_eq!(secret_arn("prod/db"), None);
    }
}
