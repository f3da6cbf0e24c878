//! The simulated account's CloudTrail, as AWS would record it: each
//! deployment as CI's RegisterTaskDefinition then UpdateService (or
//! on-call's UpdateService from the console and runbooks), ECS's own
//! network interface for each task it starts and stops, the scenario's
//! opened security groups, and the writes the console and runbooks make
//! (StopTask, egress rules, secrets, flow logs). Interfaces are read from
//! the tasks themselves; the rest is recorded when it happens. Every record is the JSON CloudTrail writes, read back through
//! the same parser as AWS's. Event ids are derived from what they record,
//! so the simulation's random draws are untouched.

use super::{SimService, Simulation};
use crate::demo::security::stable;
use crate::domain::changes::trail::{Lookup, TrailEvent, ECS_SERVICE_LINKED_ROLE};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// Who deploys in the simulated account.
pub(crate) const CI_ROLE: &str = "ci-deploy";
/// Who acts from the console and the runbooks.
pub(crate) const ONCALL_ROLE: &str = "AWSReservedSSO_OnCall_7a1b2c3d4e5f";
pub(crate) const ONCALL_USER: &str = "oncall@example.com";
/// Recorded writes kept at most (the oldest go first).
const MAX_RECORDED: usize = 10_000;

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    Ci,
    Oncall,
    Ecs,
}

/// One write to record.
pub(crate) struct Write<'a> {
    pub at: DateTime<Utc>,
    pub by: By,
    /// A person of the scenario's instead (a developer's SSO session).
    pub person: Option<&'a str>,
    pub name: &'a str,
    /// `ecs`, `ec2`, `secretsmanager`…
    pub source: &'a str,
    pub request: Value,
    pub response: Value,
}

impl Simulation {
    /// The event CloudTrail would hold for `write`; its id derived from `key`.
    fn event_of(&self, write: Write<'_>, key: &str) -> Option<TrailEvent> {
        let (role, session, username, invoked_by) = match (write.person, write.by) {
            (Some(who), _) => ("AWSReservedSSO_Developer_0f9e8d7c6b5a", who, who, None),
            (None, By::Ci) => (CI_ROLE, "github-actions", CI_ROLE, None),
            (None, By::Oncall) => (ONCALL_ROLE, ONCALL_USER, ONCALL_USER, None),
            (None, By::Ecs) => (
                ECS_SERVICE_LINKED_ROLE,
                "ecs-service-scheduler",
                "ecs-service-scheduler",
                Some("ecs.amazonaws.com"),
            ),
        };
        let h = stable(key);
        let g = stable(&format!("{key}/2"));
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            g >> 52,
            g & 0xffff_ffff_ffff
        );
        let event_source = format!("{}.amazonaws.com", write.source);
        let mut identity = json!({
            "type": "AssumedRole",
            "principalId": format!("AROA3EXAMPLE{:08X}:{session}", (h >> 8) as u32),
            "arn": format!("arn:aws:sts::{}:assumed-role/{role}/{session}", self.account),
            "accountId": self.account,
            "sessionContext": {"sessionIssuer": {
                "type": "Role", "userName": role,
                "arn": format!("arn:aws:iam::{}:role/{role}", self.account)}},
        });
        if let Some(service) = invoked_by {
            identity["invokedBy"] = json!(service);
        }
        let record = json!({
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": write.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "eventSource": event_source,
            "eventName": write.name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked_by.unwrap_or("203.0.113.40"),
            "requestParameters": write.request,
            "responseElements": write.response,
            "eventID": id,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.account,
        })
        .to_string();
        TrailEvent::from_lookup(Lookup {
            id: &id,
            name: write.name,
            source: &event_source,
            at: Some(write.at),
            username: Some(username),
            resources: Vec::new(),
            record: Some(&record),
        })
    }

    /// Record a write the console or a runbook made, now.
    pub(crate) fn record(&mut self, by: By, name: &str, source: &str, request: Value) {
        let key = format!(
            "write/{}/{name}/{}",
            self.trail.len(),
            self.now.timestamp_millis()
        );
        let write = Write {
            at: self.now,
            by,
            person: None,
            name,
            source,
            request,
            response: Value::Null,
        };
        if let Some(event) = self.event_of(write, &key) {
            self.keep(event);
        }
    }

    fn keep(&mut self, event: TrailEvent) {
        if self.trail.len() >= MAX_RECORDED {
            self.trail.remove(0);
        }
        self.trail.push(event);
    }

    /// Write events from `since` to now, newest first.
    pub fn write_events(&self, since: DateTime<Utc>) -> Vec<TrailEvent> {
        let mut events: Vec<TrailEvent> = self.trail.clone();
        for s in &self.services {
            events.extend(self.interfaces_of(s, since));
        }
        events.extend(self.opened_groups());
        events.retain(|e| e.at >= since && e.at <= self.now);
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        events
    }

    /// A deployment made at `at`: CI registers the revision a minute before
    /// it updates the service; on-call only updates it.
    pub(super) fn record_deploy(
        &mut self,
        index: usize,
        at: DateTime<Utc>,
        deployment: &str,
        by: By,
    ) {
        let s = &self.services[index];
        let Some(d) = s.deployments.iter().find(|d| d.id == deployment) else {
            return;
        };
        let revision = &s.revisions[d.revision];
        let label = format!("{}:{}", s.family, revision.number);
        let arn = format!(
            "arn:aws:ecs:{}:{}:task-definition/{label}",
            self.region, self.account
        );
        let mut writes = Vec::new();
        if by == By::Ci {
            writes.push((
                Write {
                    at: at - Duration::seconds(70),
                    by,
                    person: None,
                    name: "RegisterTaskDefinition",
                    source: "ecs",
                    request: json!({
                        "family": s.family,
                        "containerDefinitions": [{"name": s.container, "image": revision.image,
                            "essential": true}],
                        "cpu": s.cpu, "memory": s.memory, "networkMode": "awsvpc",
                        "requiresCompatibilities": ["FARGATE"],
                    }),
                    response: json!({"taskDefinition": {"taskDefinitionArn": arn}}),
                },
                format!("register/{deployment}"),
            ));
        }
        writes.push((
            Write {
                at,
                by,
                person: None,
                name: "UpdateService",
                source: "ecs",
                request: json!({"cluster": s.cluster, "service": s.name, "taskDefinition": label,
                    "forceNewDeployment": by != By::Ci}),
                response: json!({"service": {
                    "serviceArn": format!("arn:aws:ecs:{}:{}:service/{}/{}", self.region, self.account, s.cluster, s.name),
                    "deployments": [{"id": deployment, "taskDefinition": arn}]}}),
            },
            format!("update/{deployment}"),
        ));
        let events: Vec<TrailEvent> = writes
            .into_iter()
            .filter_map(|(write, key)| self.event_of(write, &key))
            .collect();
        for event in events {
            self.keep(event);
        }
    }

    /// ECS's own hand: an interface for each task it starts, deleted when
    /// the task has stopped.
    fn interfaces_of(&self, s: &SimService, since: DateTime<Utc>) -> Vec<TrailEvent> {
        let groups: Vec<Value> = s
            .security_groups
            .iter()
            .map(|g| json!({"groupId": g}))
            .collect();
        let mut out = Vec::new();
        for t in &s.tasks {
            let eni = super::reads::eni_of(&t.id);
            if t.created_at >= since {
                let create = Write {
                    at: t.created_at,
                    by: By::Ecs,
                    person: None,
                    name: "CreateNetworkInterface",
                    source: "ec2",
                    request: json!({
                        "subnetId": format!("subnet-0{:016x}", stable(&format!("{}a", s.cluster)) >> 4),
                        "groupSet": {"items": groups},
                        "description": format!("arn:aws:ecs:{}:{}:attachment/{}", self.region, self.account, t.id),
                    }),
                    response: json!({"networkInterface": {"networkInterfaceId": eni}}),
                };
                out.extend(self.event_of(create, &format!("eni+/{}", t.id)));
            }
            if let Some(stopped) = t.stopped_at.filter(|at| *at >= since) {
                let delete = Write {
                    at: stopped + Duration::seconds(30),
                    by: By::Ecs,
                    person: None,
                    name: "DeleteNetworkInterface",
                    source: "ec2",
                    request: json!({"networkInterfaceId": eni}),
                    response: Value::Null,
                };
                out.extend(self.event_of(delete, &format!("eni-/{}", t.id)));
            }
        }
        out
    }

    /// The scenario's security groups opened by a person (`opened_by`).
    fn opened_groups(&self) -> Vec<TrailEvent> {
        self.security
            .opened
            .iter()
            .filter_map(|(group, by, at)| {
                let write = Write {
                    at: *at,
                    by: By::Oncall,
                    person: Some(by.as_str()),
                    name: "AuthorizeSecurityGroupEgress",
                    source: "ec2",
                    request: json!({"groupId": group, "ipPermissions": {"items": [
                        {"ipProtocol": "-1", "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
                    response: json!({"_return": true}),
                };
                self.event_of(write, &format!("opened/{group}"))
            })
            .collect()
    }
}
