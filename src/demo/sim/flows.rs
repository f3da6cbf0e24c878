//! The simulated account's VPC flow logs: flow logs made on its tasks'
//! network interfaces (or their subnets, or the VPC) deliver a record a
//! minute per connection to their log group — the service's database and
//! the AWS APIs it calls, and from a compromised task its exfiltration,
//! accepted while the group lets the port out and rejected after the
//! lockdown (the intruder keeps trying until the task is replaced). The
//! records are generated from the simulation, in the default format, so
//! the same domain code reads them as it reads AWS's.

use super::{SimService, SimTask, Simulation};
use crate::demo::security::stable;
use crate::domain::flowlogs::{FlowLog, FlowLogRequest, FlowResource};
use crate::domain::PortError;
use chrono::{DateTime, Duration, DurationRound, Utc};

/// A flow log the simulation keeps.
pub(crate) struct SimFlowLog {
    pub log: FlowLog,
    pub created_at: DateTime<Utc>,
}

impl Simulation {
    /// The flow logs covering any of `resources`.
    pub fn flow_logs(&self, resources: &[String]) -> Vec<FlowLog> {
        self.flow_logs
            .iter()
            .filter(|f| resources.contains(&f.log.resource))
            .map(|f| f.log.clone())
            .collect()
    }

    pub fn create_flow_logs(
        &mut self,
        request: &FlowLogRequest,
    ) -> Result<Vec<FlowLog>, PortError> {
        if !self.log_groups.contains(&request.log_group) {
            return Err(PortError::InvalidInput {
                operation: "CreateFlowLogs".into(),
                message: format!("log group {} does not exist", request.log_group),
            });
        }
        let mut made = Vec::new();
        for resource in &request.resources {
            if FlowResource::of_id(resource) != Some(request.kind) {
                return Err(PortError::InvalidInput {
                    operation: "CreateFlowLogs".into(),
                    message: format!("{resource} is not a {}", request.kind.as_aws()),
                });
            }
            let log = FlowLog {
                id: format!(
                    "fl-{:017x}",
                    stable(&format!("{resource}{}", self.flow_logs.len())) >> 4
                ),
                resource: resource.clone(),
                log_group: Some(request.log_group.clone()),
            };
            self.flow_logs.push(SimFlowLog {
                log: log.clone(),
                created_at: self.now,
            });
            made.push(log);
        }
        Ok(made)
    }

    pub(crate) fn delete_flow_logs(&mut self, ids: &[String]) -> Result<(), PortError> {
        if let Some(missing) = ids
            .iter()
            .find(|id| !self.flow_logs.iter().any(|f| &f.log.id == *id))
        {
            return Err(PortError::InvalidInput {
                operation: "DeleteFlowLogs".into(),
                message: format!("flow log {missing} does not exist"),
            });
        }
        self.flow_logs.retain(|f| !ids.contains(&f.log.id));
        Ok(())
    }

    /// Make a log group (false: it exists, a step's or a service's own).
    pub fn create_log_group(&mut self, group: &str) -> bool {
        let service_group = self
            .services
            .iter()
            .any(|s| format!("/ecs/{}/{}", s.cluster, s.name) == group);
        if service_group || self.is_flow_group(group) {
            return false;
        }
        self.log_groups.push(group.to_string());
        true
    }

    pub(crate) fn delete_log_group(&mut self, group: &str) {
        self.log_groups.retain(|g| g != group);
    }

    /// A flow-log group of the simulation's own (made by a step).
    pub(crate) fn is_flow_group(&self, group: &str) -> bool {
        self.log_groups.iter().any(|g| g == group)
    }

    /// Every record delivered to `group` between `start` and `end`: (time,
    /// the interface's stream, the record).
    pub(crate) fn flow_records(
        &self,
        group: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, String, String)> {
        let mut out = Vec::new();
        for s in &self.services {
            for t in &s.tasks {
                let eni = super::reads::eni_of(&t.id);
                let Some(since) = self.flowing_since(s, &eni, group) else {
                    continue;
                };
                let from = since.max(start);
                let mut at = from.duration_trunc(Duration::minutes(1)).unwrap_or(from)
                    + Duration::minutes(1);
                while at <= end.min(self.now) {
                    if self.up_at(t, at) {
                        for record in self.records_of(s, t, &eni, at, since) {
                            out.push((at, format!("{eni}-all"), record));
                        }
                    }
                    at += Duration::minutes(1);
                }
            }
        }
        out.sort_by_key(|(at, _, _)| *at);
        out
    }

    /// Since when a task's interface delivers to `group`: a flow log on it,
    /// on one of its service's subnets, or on the VPC.
    fn flowing_since(&self, s: &SimService, eni: &str, group: &str) -> Option<DateTime<Utc>> {
        let subnets = self
            .describe(s)
            .network
            .map(|n| n.subnets)
            .unwrap_or_default();
        self.flow_logs
            .iter()
            .filter(|f| f.log.log_group.as_deref() == Some(group))
            .filter(|f| {
                f.log.resource == eni
                    || subnets.contains(&f.log.resource)
                    || f.log.resource.starts_with("vpc-")
            })
            .map(|f| f.created_at)
            .min()
    }

    /// One minute of a task's connections (the minute ending `at`, from
    /// when the flow log began), as flow records.
    fn records_of(
        &self,
        s: &SimService,
        t: &SimTask,
        eni: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Vec<String> {
        let ip = super::watch::task_ip(&t.id);
        let minute = at.timestamp();
        let seed = stable(&format!("{}{minute}", t.id));
        let record = |dst: &str, port: u16, bytes: u64, packets: u64, accepted: bool| {
            format!(
                "2 {} {eni} {ip} {dst} {} {port} 6 {packets} {bytes} {} {} {} OK",
                self.account,
                32768 + seed % 28000,
                minute - 60,
                minute,
                if accepted { "ACCEPT" } else { "REJECT" }
            )
        };
        let mut records = vec![
            record(
                "10.0.9.41",
                5432,
                3_000 + seed % 5_000,
                40 + seed % 30,
                true,
            ),
            record(
                "52.94.236.248",
                443,
                1_500 + seed % 4_000,
                12 + seed % 10,
                true,
            ),
        ];
        // Only tasks up in this minute get here: a task stopped since keeps its past.
        if self.compromised(s, t, at) {
            if let Some(e) = &self.security.exfiltration {
                let bad = s
                    .tasks
                    .iter()
                    .filter(|x| self.up_at(x, at) && self.compromised(s, x, at))
                    .count()
                    .max(1) as f64;
                let port = u16::try_from(e.port).unwrap_or(0);
                // The seconds of this minute the port was still open, and shut.
                let window_start = (at - Duration::minutes(1)).max(since);
                let seconds = (at - window_start).num_seconds().max(0);
                let open = (0..seconds)
                    .filter(|i| {
                        let when = window_start + Duration::seconds(*i);
                        self.security.exfiltrating(&s.name, when).is_some()
                    })
                    .count() as f64;
                if open > 0.0 {
                    let bytes = (e.bytes_per_second * open / bad) as u64;
                    records.push(record(&e.destination, port, bytes, bytes / 1400 + 1, true));
                }
                if (open as i64) < seconds {
                    // Blocked: the intruder's retries, a few SYNs a minute.
                    records.push(record(&e.destination, port, 180 + seed % 60, 3, false));
                }
            }
        }
        records
    }
}
