//! The demo's security groups and secrets, and the scenario's compromised
//! service: while its group lets the exfiltration port out, its logs show the
//! outbound connections; a lockdown stops them, a rotation adds versions.

use super::scenario::{ExfiltrationSpec, SecretSpec, SecurityGroupSpec};
use crate::domain::network::{Destination, EgressRule, SecurityGroup};
use crate::domain::secrets::SecretInfo;
use crate::domain::PortError;
use chrono::{DateTime, Utc};

pub(crate) struct SimSecret {
    pub name: String,
    pub arn: String,
    /// Version ids, oldest first; the last is AWSCURRENT, the one before AWSPREVIOUS.
    pub versions: Vec<String>,
    pub rotation_lambda: Option<String>,
    /// When its value last changed.
    pub changed_at: DateTime<Utc>,
}

pub(crate) struct SimSecurity {
    pub groups: Vec<SecurityGroup>,
    pub secrets: Vec<SimSecret>,
    pub exfiltration: Option<ExfiltrationSpec>,
    /// When the exfiltration port stopped being allowed out.
    pub contained_at: Option<DateTime<Utc>>,
    /// When the service's tasks were compromised.
    pub compromised_at: Option<DateTime<Utc>>,
    /// When a deployment replaced the compromised tasks: tasks started
    /// after it are clean.
    pub cleaned_at: Option<DateTime<Utc>>,
    next_version: u64,
    /// Groups a person of the scenario opened to all egress: (group, who, when).
    pub(crate) opened: Vec<(String, String, DateTime<Utc>)>,
}

/// `all`, `tcp:443`, `udp:53` → a rule to 0.0.0.0/0.
pub fn rule_from_spec(text: &str) -> Result<EgressRule, crate::domain::runbook::egress::BadAllow> {
    if text == "all" {
        return Ok(EgressRule {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            destination: Destination::Ipv4("0.0.0.0/0".into()),
            description: None,
        });
    }
    let allowed = crate::domain::runbook::egress::Allowed::parse(text)?;
    Ok(EgressRule {
        protocol: allowed.protocol,
        from_port: Some(allowed.port),
        to_port: Some(allowed.port),
        destination: Destination::Ipv4("0.0.0.0/0".into()),
        description: None,
    })
}

fn allows(group: &SecurityGroup, port: i32) -> bool {
    group.egress.iter().any(|r| {
        r.protocol == "-1"
            || (r.protocol == "tcp"
                && r.from_port.unwrap_or(0) <= port
                && port <= r.to_port.unwrap_or(65535))
    })
}

impl SimSecurity {
    pub fn new(
        account: &str,
        region: &str,
        groups: &[SecurityGroupSpec],
        secrets: &[SecretSpec],
        exfiltration: Option<ExfiltrationSpec>,
        opened_at: DateTime<Utc>,
    ) -> SimSecurity {
        SimSecurity {
            groups: groups
                .iter()
                .map(|g| SecurityGroup {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    vpc_id: Some("vpc-0demo0000000001".into()),
                    egress: g
                        .egress
                        .iter()
                        .filter_map(|e| rule_from_spec(e).ok())
                        .collect(),
                })
                .collect(),
            secrets: secrets
                .iter()
                .enumerate()
                .map(|(i, s)| SimSecret {
                    name: s.name.clone(),
                    arn: format!(
                        "arn:aws:secretsmanager:{region}:{account}:secret:{}-{:06x}",
                        s.name,
                        0x3a51c0 + i
                    ),
                    versions: vec![format!("{:08x}-0000-4000-8000-{:012x}", 0x1000 + i, i)],
                    rotation_lambda: s.rotation_lambda.clone(),
                    changed_at: opened_at - chrono::Duration::days(i64::from(s.changed_days_ago)),
                })
                .collect(),
            compromised_at: exfiltration
                .as_ref()
                .map(|e| opened_at - chrono::Duration::minutes(i64::from(e.started_minutes_ago))),
            cleaned_at: None,
            exfiltration,
            contained_at: None,
            next_version: 1,
            opened: groups
                .iter()
                .filter_map(|g| {
                    let minutes = g.opened_minutes_ago?;
                    Some((
                        g.id.clone(),
                        g.opened_by.clone()?,
                        opened_at - chrono::Duration::minutes(i64::from(minutes)),
                    ))
                })
                .collect(),
        }
    }

    /// The group every service of `cluster` without groups of its own shares
    /// (HTTPS out only), made on first use.
    pub(crate) fn cluster_group(&mut self, cluster: &str) -> String {
        let id = format!("sg-0c1a{:013x}", stable(cluster) & 0x1fff_ffff_ffff);
        if !self.groups.iter().any(|g| g.id == id) {
            self.groups.push(SecurityGroup {
                id: id.clone(),
                name: format!("{cluster}-tasks"),
                vpc_id: Some("vpc-0demo0000000001".into()),
                egress: rule_from_spec("tcp:443").into_iter().collect(),
            });
        }
        id
    }

    /// A secret's ARN by its name (None when the scenario has no such secret).
    pub fn secret_arn(&self, name: &str) -> Option<String> {
        self.secrets
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.arn.clone())
    }

    /// The compromised service's exfiltration at `at`: after the
    /// compromise, while its group still lets the port out.
    pub fn exfiltrating(&self, service: &str, at: DateTime<Utc>) -> Option<&ExfiltrationSpec> {
        let e = self.exfiltration.as_ref()?;
        let begun = self.compromised_at.is_some_and(|c| at >= c);
        (e.service == service && begun && self.contained_at.is_none_or(|c| at < c)).then_some(e)
    }

    /// A task of `service` created at `created` is compromised at `at`.
    pub fn compromised(&self, service: &str, created: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        let Some(e) = &self.exfiltration else {
            return false;
        };
        e.service == service
            && self.compromised_at.is_some_and(|c| at >= c)
            && self.cleaned_at.is_none_or(|c| created < c)
    }

    /// A deployment of `service` at `now` replaces its compromised tasks.
    pub fn deployed(&mut self, service: &str, now: DateTime<Utc>) {
        let ours = self
            .exfiltration
            .as_ref()
            .is_some_and(|e| e.service == service);
        if ours && self.cleaned_at.is_none() && self.compromised_at.is_some_and(|c| now >= c) {
            self.cleaned_at = Some(now);
        }
    }

    pub fn group(&self, id: &str) -> Result<SecurityGroup, PortError> {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .cloned()
            .ok_or_else(|| PortError::NotFound {
                what: crate::domain::Missing::SecurityGroup,
                message: format!("{id} does not exist in this account and region"),
            })
    }

    pub(crate) fn change_egress(
        &mut self,
        id: &str,
        rules: &[EgressRule],
        authorize: bool,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let group =
            self.groups
                .iter_mut()
                .find(|g| g.id == id)
                .ok_or_else(|| PortError::NotFound {
                    what: crate::domain::Missing::SecurityGroup,
                    message: format!("{id} does not exist"),
                })?;
        for rule in rules {
            let present = group.egress.iter().position(|r| r.same(rule));
            match (authorize, present) {
                (true, None) => group.egress.push(rule.clone()),
                (true, Some(_)) => {
                    return Err(PortError::InvalidInput {
                        operation: "AuthorizeSecurityGroupEgress".into(),
                        message: format!("the rule {} already exists", rule.describe()),
                    })
                }
                (false, Some(i)) => {
                    group.egress.remove(i);
                }
                (false, None) => {
                    return Err(PortError::InvalidInput {
                        operation: "RevokeSecurityGroupEgress".into(),
                        message: format!("the rule {} does not exist", rule.describe()),
                    })
                }
            }
        }
        if let Some(e) = &self.exfiltration {
            let open = self
                .groups
                .iter()
                .find(|g| g.id == e.security_group)
                .is_some_and(|g| allows(g, e.port));
            self.contained_at = match (open, self.contained_at) {
                (false, None) => Some(now),
                (true, _) => None,
                (false, c) => c,
            };
        }
        Ok(())
    }

    fn secret_mut(&mut self, id: &str) -> Result<&mut SimSecret, PortError> {
        self.secrets
            .iter_mut()
            .find(|s| s.name == id || s.arn == id)
            .ok_or_else(|| PortError::NotFound {
                what: crate::domain::Missing::Secret,
                message: format!("Secrets Manager can't find the specified secret `{id}`"),
            })
    }

    pub fn describe_secret(&mut self, id: &str) -> Result<SecretInfo, PortError> {
        let s = self.secret_mut(id)?;
        let n = s.versions.len();
        Ok(SecretInfo {
            arn: s.arn.clone(),
            name: s.name.clone(),
            current_version: s.versions.last().cloned(),
            previous_version: (n >= 2).then(|| s.versions[n - 2].clone()),
            rotation_enabled: s.rotation_lambda.is_some(),
            rotation_lambda: s.rotation_lambda.clone(),
            last_changed: Some(s.changed_at),
        })
    }

    /// A new AWSCURRENT version (generated or by the rotation Lambda).
    pub(crate) fn new_version(
        &mut self,
        id: &str,
        needs_lambda: bool,
        now: DateTime<Utc>,
    ) -> Result<String, PortError> {
        let counter = self.next_version;
        let s = self.secret_mut(id)?;
        if needs_lambda && s.rotation_lambda.is_none() {
            return Err(PortError::InvalidInput {
                operation: "RotateSecret".into(),
                message: format!("{} has no rotation Lambda configured", s.name),
            });
        }
        let version = format!(
            "{:08x}-{:04x}-4000-8000-{:012x}",
            0xd000 + counter,
            counter,
            counter
        );
        s.versions.push(version.clone());
        s.changed_at = now;
        self.next_version += 1;
        Ok(version)
    }
}

/// A hash that stays the same between runs (FNV-1a).
pub(crate) fn stable(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
