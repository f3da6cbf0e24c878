//! GuardDuty over the real SDK: ListDetectors, then the detector's current
//! findings — ListFindings (not archived, newest update first, 50 a page, at
//! most [`MAX_FINDINGS`]) and GetFindings 50 at a time — converted into
//! domain findings with the ECS cluster, task and group they name and the
//! remote address they carry. No detector is an answer ("GuardDuty is off
//! here"), not an error. GuardDuty has a budget of its own; every call is
//! counted.

use super::budget::{Budget, Calls};
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::ports::{CallCounts, PortFuture};
use crate::domain::security::{Remote, SecurityFinding, SecurityPort, SecurityRead};
use aws_sdk_guardduty::types as gd;
use chrono::{DateTime, Utc};

/// GuardDuty's read APIs allow tens of calls a second; triage needs a few a minute.
const GUARDDUTY_PER_SECOND: f64 = 2.0;
/// Findings read at most (the newest updated first).
pub(crate) const MAX_FINDINGS: usize = 200;
/// GetFindings takes at most 50 ids.
const FINDINGS_PER_CALL: usize = 50;

pub struct AwsSecurity {
    client: aws_sdk_guardduty::Client,
    ctx: ErrorContext,
    budget: Budget,
    calls: Calls,
}

impl AwsSecurity {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsSecurity {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsSecurity {
            client: aws_sdk_guardduty::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "guardduty", &region),
            },
            budget: Budget::new(GUARDDUTY_PER_SECOND, 4),
            calls: Calls::default(),
        }
    }

    async fn admit(&self, operation: &str) {
        self.budget.acquire().await;
        self.calls.count(operation);
    }
}

fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn remote(service: Option<&gd::Service>) -> Remote {
    let action = service.and_then(|s| s.action());
    let connection = action.and_then(|a| a.network_connection_action());
    Remote {
        ip: connection
            .and_then(|c| c.remote_ip_details())
            .and_then(|r| r.ip_address_v4().or(r.ip_address_v6()))
            .map(str::to_string),
        port: connection
            .and_then(|c| c.remote_port_details())
            .and_then(|p| p.port())
            .and_then(|p| u16::try_from(p).ok()),
        domain: action
            .and_then(|a| a.dns_request_action())
            .and_then(|d| d.domain())
            .map(str::to_string),
    }
}

fn finding(f: &gd::Finding) -> SecurityFinding {
    let ecs = f.resource().and_then(|r| r.ecs_cluster_details());
    let task = ecs.and_then(|c| c.task_details());
    let service = f.service();
    SecurityFinding {
        id: f.id().unwrap_or_default().to_string(),
        arn: f.arn().unwrap_or_default().to_string(),
        kind: f.r#type().unwrap_or_default().to_string(),
        title: f.title().unwrap_or_default().to_string(),
        description: f.description().unwrap_or_default().to_string(),
        severity: f.severity().unwrap_or(0.0),
        first_seen: parse_time(service.and_then(|s| s.event_first_seen()))
            .or_else(|| parse_time(f.created_at())),
        last_seen: parse_time(service.and_then(|s| s.event_last_seen()))
            .or_else(|| parse_time(f.updated_at())),
        count: service.and_then(|s| s.count()).unwrap_or(1).max(0) as u32,
        cluster: ecs.and_then(|c| c.arn().or(c.name())).map(str::to_string),
        task_arn: task.and_then(|t| t.arn()).map(str::to_string),
        task_group: task.and_then(|t| t.group()).map(str::to_string),
        task_definition: task.and_then(|t| t.definition_arn()).map(str::to_string),
        remote: remote(service),
        pair: Default::default(),
    }
}

impl SecurityPort for AwsSecurity {
    fn findings(&self) -> PortFuture<'_, SecurityRead> {
        Box::pin(async move {
            self.admit("ListDetectors").await;
            let detectors = self
                .client
                .list_detectors()
                .send()
                .await
                .map_err(|e| map_sdk_error("ListDetectors", e, &self.ctx))?;
            let Some(detector) = detectors.detector_ids().first().cloned() else {
                return Ok(SecurityRead::default());
            };
            let mut ids: Vec<String> = Vec::new();
            let mut token: Option<String> = None;
            loop {
                self.admit("ListFindings").await;
                let out = self
                    .client
                    .list_findings()
                    .detector_id(&detector)
                    .finding_criteria(
                        gd::FindingCriteria::builder()
                            .criterion(
                                "service.archived",
                                gd::Condition::builder().equals("false").build(),
                            )
                            .build(),
                    )
                    .sort_criteria(
                        gd::SortCriteria::builder()
                            .attribute_name("updatedAt")
                            .order_by(gd::OrderBy::Desc)
                            .build(),
                    )
                    .max_results(50)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("ListFindings", e, &self.ctx))?;
                ids.extend(out.finding_ids().iter().cloned());
                match out.next_token().filter(|t| !t.is_empty()) {
                    Some(t) if ids.len() < MAX_FINDINGS && Some(t) != token.as_deref() => {
                        token = Some(t.to_string())
                    }
                    _ => break,
                }
            }
            ids.truncate(MAX_FINDINGS);
            let mut findings = Vec::new();
            for chunk in ids.chunks(FINDINGS_PER_CALL) {
                self.admit("GetFindings").await;
                let out = self
                    .client
                    .get_findings()
                    .detector_id(&detector)
                    .set_finding_ids(Some(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("GetFindings", e, &self.ctx))?;
                findings.extend(out.findings().iter().map(finding));
            }
            Ok(SecurityRead {
                detector: Some(detector),
                findings,
            })
        })
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }
}
