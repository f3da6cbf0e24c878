//! Security groups and their egress rules, and the port that reads and
//! changes them and the VPC flow logs of their network interfaces (EC2, or
//! the demo's simulated groups).

use super::flowlogs::{FlowLog, FlowLogRequest};
use super::ports::PortFuture;
use serde::{Deserialize, Serialize};

/// Where an egress rule lets traffic go.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
    Group(String),
}

/// One egress permission (one destination).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EgressRule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub destination: Destination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl EgressRule {
    /// Same permission (descriptions aside).
    pub fn same(&self, other: &EgressRule) -> bool {
        let ports = |r: &EgressRule| {
            if r.protocol == "-1" {
                (None, None)
            } else {
                (r.from_port, r.to_port)
            }
        };
        self.protocol == other.protocol
            && ports(self) == ports(other)
            && self.destination == other.destination
    }

    /// `tcp 443 → 0.0.0.0/0`, `all traffic → 0.0.0.0/0`.
    pub fn describe(&self) -> String {
        let what = match (self.protocol.as_str(), self.from_port, self.to_port) {
            ("-1", _, _) => "all traffic".to_string(),
            (p, Some(a), Some(b)) if a == b => format!("{p} {a}"),
            (p, Some(a), Some(b)) => format!("{p} {a}-{b}"),
            (p, _, _) => p.to_string(),
        };
        let to = match &self.destination {
            Destination::Ipv4(c) | Destination::Ipv6(c) => c.clone(),
            Destination::PrefixList(p) => format!("prefix list {p}"),
            Destination::Group(g) => format!("group {g}"),
        };
        format!("{what} → {to}")
    }
}

/// A security group with its egress rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub egress: Vec<EgressRule>,
}

port! {
    /// Reading and changing security groups' egress.
    pub trait NetworkPort {
        fn security_group<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecurityGroup>;
        /// Several groups at once (batched by the adapter); groups that cannot
        /// be read here (another account's, gone) are simply absent.
        fn security_groups<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, Vec<SecurityGroup>> {
            Box::pin(async move {
                let mut groups = Vec::new();
                for id in ids {
                    match self.security_group(id).await {
                        Ok(g) => groups.push(g),
                        Err(e) if e.missing().is_some() => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(groups)
            })
        }
        /// The flow logs that cover any of these resources (interfaces,
        /// subnets, VPCs).
        fn flow_logs<'a>(&'a self, resources: &'a [String]) -> PortFuture<'a, Vec<FlowLog>>;
        /// CreateFlowLogs: the flow logs made, one per resource.
        fn create_flow_logs<'a>(&'a self, request: &'a FlowLogRequest) -> PortFuture<'a, Vec<FlowLog>>
            => format!("CreateFlowLogs for {}", request.resources.join(", "));
        /// DeleteFlowLogs of exactly these ids.
        fn delete_flow_logs<'a>(&'a self, ids: &'a [String]) -> PortFuture<'a, ()>
            => format!("DeleteFlowLogs {}", ids.join(", "));
        /// Calls made so far, by operation.
        fn calls(&self) -> super::ports::CallCounts {
            super::ports::CallCounts::new()
        }
        fn revoke_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()>
            => format!("RevokeSecurityGroupEgress {id}");
        fn authorize_egress<'a>(&'a self, id: &'a str, rules: &'a [EgressRule]) -> PortFuture<'a, ()>
            => format!("AuthorizeSecurityGroupEgress {id}");
    }
}
