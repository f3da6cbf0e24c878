//! Security groups' egress over EC2: DescribeSecurityGroups (one group, or
//! many batched 100 a call), and Revoke/AuthorizeSecurityGroupEgress with
//! full IP permissions. EC2 describes have a budget of their own; every call
//! is counted.

use super::budget::{Budget, Calls};
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::flowlogs::{FlowLog, FlowLogRequest};
use crate::domain::network::{Destination, EgressRule, NetworkPort, SecurityGroup};
use crate::domain::ports::{CallCounts, PortFuture};
use crate::domain::PortError;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

/// EC2's describe calls share a bucket of about 100 a second per Region:
/// triage keeps to a small share of it.
const EC2_PER_SECOND: f64 = 5.0;
/// Group ids asked for in one DescribeSecurityGroups call.
const GROUPS_PER_CALL: usize = 100;

pub struct AwsNetwork {
    ec2: aws_sdk_ec2::Client,
    ctx: ErrorContext,
    budget: Budget,
    calls: Calls,
}

impl AwsNetwork {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsNetwork {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsNetwork {
            ec2: aws_sdk_ec2::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "ec2", &region),
            },
            budget: Budget::new(EC2_PER_SECOND, 5),
            calls: Calls::default(),
        }
    }

    pub(super) async fn admit(&self, operation: &str) {
        self.budget.acquire().await;
        self.calls.count(operation);
    }

    pub(super) fn client(&self) -> &aws_sdk_ec2::Client {
        &self.ec2
    }

    pub(super) fn context(&self) -> &ErrorContext {
        &self.ctx
    }

    /// One DescribeSecurityGroups call for these ids.
    async fn describe(&self, ids: &[String]) -> Result<Vec<SecurityGroup>, PortError> {
        self.admit("DescribeSecurityGroups").await;
        let out = self
            .ec2
            .describe_security_groups()
            .set_group_ids(Some(ids.to_vec()))
            .send()
            .await
            .map_err(|e| map_sdk_error("DescribeSecurityGroups", e, &self.ctx))?;
        Ok(out.security_groups().iter().map(group_of).collect())
    }
}

fn group_of(group: &aws_sdk_ec2::types::SecurityGroup) -> SecurityGroup {
    SecurityGroup {
        id: group.group_id().unwrap_or_default().to_string(),
        name: group.group_name().unwrap_or_default().to_string(),
        vpc_id: group.vpc_id().map(str::to_string),
        egress: group
            .ip_permissions_egress()
            .iter()
            .flat_map(rules_of)
            .collect(),
    }
}

/// One domain rule per destination of each permission.
fn rules_of(permission: &IpPermission) -> Vec<EgressRule> {
    let protocol = permission.ip_protocol().unwrap_or("-1").to_string();
    let (from_port, to_port) = if protocol == "-1" {
        (None, None)
    } else {
        (permission.from_port(), permission.to_port())
    };
    let rule = |destination, description: Option<&str>| EgressRule {
        protocol: protocol.clone(),
        from_port,
        to_port,
        destination,
        description: description.map(str::to_string),
    };
    let mut rules = Vec::new();
    for r in permission.ip_ranges() {
        if let Some(cidr) = r.cidr_ip() {
            rules.push(rule(Destination::Ipv4(cidr.into()), r.description()));
        }
    }
    for r in permission.ipv6_ranges() {
        if let Some(cidr) = r.cidr_ipv6() {
            rules.push(rule(Destination::Ipv6(cidr.into()), r.description()));
        }
    }
    for p in permission.prefix_list_ids() {
        if let Some(id) = p.prefix_list_id() {
            rules.push(rule(Destination::PrefixList(id.into()), p.description()));
        }
    }
    for g in permission.user_id_group_pairs() {
        if let Some(id) = g.group_id() {
            rules.push(rule(Destination::Group(id.into()), g.description()));
        }
    }
    rules
}

fn permission_of(rule: &EgressRule) -> IpPermission {
    let mut b = IpPermission::builder().ip_protocol(&rule.protocol);
    if rule.protocol != "-1" {
        b = b.set_from_port(rule.from_port).set_to_port(rule.to_port);
    }
    let description = rule.description.clone();
    b = match &rule.destination {
        Destination::Ipv4(c) => b.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(description)
                .build(),
        ),
        Destination::Ipv6(c) => b.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(description)
                .build(),
        ),
        Destination::PrefixList(p) => b.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(p)
                .set_description(description)
                .build(),
        ),
        Destination::Group(g) => b.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(g)
                .set_description(description)
                .build(),
        ),
    };
    b.build()
}

impl NetworkPort for AwsNetwork {
    fn security_group<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecurityGroup> {
        Box::pin(async move {
            let found = match self.describe(&[id.to_string()]).await {
                Ok(groups) => groups.into_iter().find(|g| g.id == id),
                Err(e) if e.missing().is_some() => None,
                Err(e) => return Err(e),
            };
            found.ok_or_else(|| PortError::NotFound {
                what: crate::domain::Missing::SecurityGroup,
                message: format!("{id} does not exist in this account and region"),
            })
        })
    }

    fn security_groups<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, Vec<SecurityGroup>> {
        Box::pin(async move {
            let mut groups = Vec::new();
            for chunk in ids.chunks(GROUPS_PER_CALL) {
                match self.describe(chunk).await {
                    Ok(found) => groups.extend(found),
                    // One id that is not here (a shared VPC's group, a
                    // deleted one) fails the whole call: ask one by one.
                    Err(e) if e.missing().is_some() && chunk.len() > 1 => {
                        for id in chunk {
                            match self.describe(std::slice::from_ref(id)).await {
                                Ok(found) => groups.extend(found),
                                Err(e) if e.missing().is_some() => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    Err(e) if e.missing().is_some() => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(groups)
        })
    }

    fn flow_logs<'a>(&'a self, resources: &'a [String]) -> PortFuture<'a, Vec<FlowLog>> {
        Box::pin(super::flow_logs::describe(self, "resource-id", resources))
    }

    fn create_flow_logs<'a>(&'a self, request: &'a FlowLogRequest) -> PortFuture<'a, Vec<FlowLog>> {
        Box::pin(super::flow_logs::create(self, request))
    }

    fn delete_flow_logs<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, ()> {
        Box::pin(super::flow_logs::delete(self, ids))
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }

    fn revoke_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()> {
        Box::pin(async move {
            if rules.is_empty() {
                return Ok(());
            }
            self.admit("RevokeSecurityGroupEgress").await;
            self.ec2
                .revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(rules.iter().map(permission_of).collect()))
                .send()
                .await
                .map_err(|e| map_sdk_error("RevokeSecurityGroupEgress", e, &self.ctx))?;
            Ok(())
        })
    }

    fn authorize_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()> {
        Box::pin(async move {
            if rules.is_empty() {
                return Ok(());
            }
            self.admit("AuthorizeSecurityGroupEgress").await;
            self.ec2
                .authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(rules.iter().map(permission_of).collect()))
                .send()
                .await
                .map_err(|e| map_sdk_error("AuthorizeSecurityGroupEgress", e, &self.ctx))?;
            Ok(())
        })
    }
}
