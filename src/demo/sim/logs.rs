//! The simulation's container logs: each task's lines up to now (or its
//! stop), requests crossing services with one correlation id, searched like
//! FilterLogEvents and Logs Insights.

use super::*;
use crate::demo::scenario::Fault;
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};

impl Simulation {
    /// The log lines a task's container wrote before `before` (last `limit`),
    /// generated from what the task did: startup, traffic, and the signs of
    /// its fault (memory climbing before an OOM kill, listening on 127.0.0.1).
    pub fn log_tail(
        &self,
        group: &str,
        stream: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<crate::domain::ports::LogLine>, PortError> {
        // Long on purpose: the container's last lines for each cause the demo can stop a task with, one arm per cause.
        let task_id = stream.rsplit('/').next().unwrap_or("");
        let found = self.services.iter().find_map(|s| {
            let t = s.tasks.iter().find(|t| t.id == task_id)?;
            (format!("/ecs/{}/{}", s.cluster, s.name) == group).then_some((s, t))
        });
        let missing = || PortError::NotFound {
            what: crate::domain::Missing::LogStream,
            message: format!("{group} has no stream {stream}"),
        };
        let (s, t) = found.ok_or_else(missing)?;
        let Some(started) = t.started_at else {
            // Never started: the container wrote nothing.
            return Err(missing());
        };
        let end = t.stopped_at.unwrap_or(self.now).min(before);
        let fault = s.revisions[t.revision].fault;
        let mut rng = fastrand::Rng::with_seed(
            task_id
                .bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
        );
        let line = |at: DateTime<Utc>, level: &str, msg: String| crate::domain::ports::LogLine {
            timestamp: at,
            message: format!(
                r#"{{"level":"{level}","service":"{}","msg":{}}}"#,
                s.name,
                serde_json::Value::String(msg)
            ),
        };
        let mut lines = vec![
            line(
                started,
                "info",
                format!(
                    "starting {} {}",
                    s.name,
                    s.revisions[t.revision]
                        .image
                        .rsplit(':')
                        .next()
                        .unwrap_or("")
                ),
            ),
            line(
                started + Duration::seconds(2),
                "info",
                if fault == Fault::ElbHealthCheck {
                    "listening on 127.0.0.1:8080".to_string()
                } else {
                    "listening on 0.0.0.0:8080".to_string()
                },
            ),
        ];
        let life = (end - started).num_seconds().max(0);
        let memory: f64 = s.memory.parse().unwrap_or(1024.0);
        let mut at = started + Duration::seconds(5);
        while at < end {
            let progress = (at - started).num_seconds() as f64 / life.max(1) as f64;
            if fault == Fault::Oom && progress > 0.5 {
                let used = memory * (0.6 + 0.4 * progress);
                lines.push(line(
                    at,
                    "warn",
                    format!(
                        "memory high: rss {:.0} MiB of {:.0} MiB (embeddings cache {} entries)",
                        used,
                        memory,
                        40_000 + (progress * 90_000.0) as u32
                    ),
                ));
            } else if let Some(e) = self
                .security
                .exfiltrating(&s.name, at)
                .filter(|_| self.security.compromised(&s.name, t.created_at, at))
                .filter(|_| rng.u8(..) < 64)
            {
                lines.push(line(
                    at,
                    "warn",
                    format!(
                        "outbound connection to {}:{} established, {} KiB sent",
                        e.destination,
                        e.port,
                        rng.u32(200..9000)
                    ),
                ));
            } else {
                // A request this service answers alone (a cached answer, a
                // health probe): one line that times its own work.
                let id = format!("req-{:08x}", rng.u32(..));
                let took = rng.u32(40..400);
                lines.push(crate::domain::ports::LogLine {
                    timestamp: at,
                    message: format!(
                        r#"{{"level":"info","service":"{}","msg":"POST /api/chat 200 in {took} ms","correlationId":"{id}","duration_ms":{took}}}"#,
                        s.name,
                    ),
                });
            }
            at += Duration::seconds(i64::from(rng.u32(6..15)));
        }
        if t.exit_code == Some(143) {
            lines.push(line(
                end,
                "info",
                "received SIGTERM, draining connections".to_string(),
            ));
        }
        if let Some(spec) = &self.requests {
            lines.extend(self.request_lines(spec, s, t, started, end));
            lines.sort_by_key(|l| l.timestamp);
        }
        // An OOM kill comes right after the memory peaks: that is the last
        // thing the container says.
        if fault == Fault::Oom
            && t.exit_code == Some(137)
            && t.stopped_at.is_some_and(|at| at <= before)
        {
            let last = end - Duration::milliseconds(1);
            lines.retain(|l| l.timestamp < last);
            lines.push(line(
                last,
                "warn",
                format!(
                    "memory high: rss {:.0} MiB of {:.0} MiB",
                    memory * 0.99,
                    memory
                ),
            ));
        }
        lines.retain(|l| l.timestamp <= before);
        let skip = lines.len().saturating_sub(limit);
        Ok(lines.split_off(skip))
    }

    /// The request lines this task wrote: the service's hops between the
    /// task's start and end, each request handled by one of the tasks
    /// running at that moment.
    pub(super) fn request_lines(
        &self,
        spec: &crate::demo::requests::RequestSpec,
        s: &SimService,
        t: &SimTask,
        started: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Vec<crate::domain::ports::LogLine> {
        let slow = |at| self.far_end_slow(at);
        let hops = crate::demo::requests::hops_in(
            spec,
            self.seed,
            self.opened_at,
            &s.name,
            (started, end),
            &slow,
        );
        hops.into_iter()
            .filter(|hop| {
                let running: Vec<&SimTask> = s
                    .tasks
                    .iter()
                    .filter(|x| {
                        x.started_at.is_some_and(|a| a <= hop.at)
                            && x.stopped_at.is_none_or(|b| hop.at < b)
                    })
                    .collect();
                let pick = hop
                    .id
                    .bytes()
                    .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
                !running.is_empty() && running[pick % running.len()].id == t.id
            })
            .map(|hop| crate::domain::ports::LogLine {
                timestamp: hop.at,
                message: hop.message(),
            })
            .collect()
    }

    /// Every simulated line in `group` between `start` and `end` containing
    /// `term` (the quoted-term semantics of FilterLogEvents: a substring).
    pub(crate) fn filter_logs(
        &self,
        group: &str,
        term: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::logsearch::LogEvent>, PortError> {
        if self.is_flow_group(group) {
            return Ok(self
                .flow_records(group, start, end)
                .into_iter()
                .filter(|(_, _, record)| record.contains(term))
                .map(|(at, stream, message)| crate::domain::logsearch::LogEvent {
                    group: group.to_string(),
                    stream,
                    timestamp: at,
                    ingestion: Some(at),
                    event_id: None,
                    message,
                    pair: Default::default(),
                })
                .collect());
        }
        let Some(s) = self
            .services
            .iter()
            .find(|s| format!("/ecs/{}/{}", s.cluster, s.name) == group)
        else {
            return Err(PortError::NotFound {
                what: crate::domain::Missing::LogGroup,
                message: format!("{group} does not exist"),
            });
        };
        let mut found = Vec::new();
        for t in &s.tasks {
            let stream = format!("ecs/{}/{}", s.container, t.id);
            let Ok(lines) = self.log_tail(group, &stream, end, usize::MAX) else {
                continue;
            };
            for line in lines
                .into_iter()
                .filter(|l| l.timestamp >= start && l.message.contains(term))
            {
                found.push(crate::domain::logsearch::LogEvent {
                    group: group.to_string(),
                    stream: stream.clone(),
                    timestamp: line.timestamp,
                    ingestion: Some(line.timestamp),
                    event_id: None,
                    message: line.message,
                    pair: Default::default(),
                });
            }
        }
        found.sort_by_key(|e| e.timestamp);
        Ok(found)
    }

    /// A flow-log `stats sum(bytes) by dstAddr, dstPort, action` query over
    /// the simulated records: the interfaces of its `interfaceId in [...]`,
    /// added up by the same domain code that reads AWS's records.
    fn flow_insights(
        &self,
        groups: &[String],
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> crate::domain::ports::QueryRows {
        let interfaces: Vec<String> = query
            .split_once("interfaceId in [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(ids, _)| {
                ids.split(',')
                    .map(|i| i.trim().trim_matches('"').to_string())
                    .filter(|i| !i.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let records: Vec<String> = groups
            .iter()
            .flat_map(|g| self.flow_records(g, start, end))
            .map(|(_, _, r)| r)
            .collect();
        let matched = records.len() as u64;
        let (top, _) = crate::domain::flowlogs::top(
            records.iter().map(String::as_str),
            &interfaces,
            limit as usize,
        );
        crate::domain::ports::QueryRows {
            rows: top
                .into_iter()
                .map(|d| {
                    vec![
                        ("dstAddr".to_string(), d.address),
                        (
                            "dstPort".to_string(),
                            d.port.map(|p| p.to_string()).unwrap_or_default(),
                        ),
                        ("action".to_string(), d.action),
                        ("bytes".to_string(), d.bytes.to_string()),
                        ("records".to_string(), d.records.to_string()),
                    ]
                })
                .collect(),
            matched: Some(matched),
        }
    }

    /// A Logs Insights query, as far as the demo understands one: the text of
    /// `filter @message like /TEXT/` (or `like "TEXT"`) as a substring, newest
    /// first, `limit` rows of @timestamp, @logStream and @message.
    pub fn insights(
        &self,
        groups: &[String],
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> Result<crate::domain::ports::QueryRows, PortError> {
        if query.contains("stats") && groups.iter().all(|g| self.is_flow_group(g)) {
            return Ok(self.flow_insights(groups, query, start, end, limit));
        }
        let term = query
            .split_once("like")
            .map(|(_, rest)| {
                let rest = rest.trim_start();
                let quote = rest.chars().next().unwrap_or('/');
                rest[quote.len_utf8()..]
                    .split(quote)
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default();
        let mut events = Vec::new();
        for group in groups {
            events.extend(self.filter_logs(group, &term, start, end)?);
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
        let matched = events.len() as u64;
        events.truncate(limit as usize);
        Ok(crate::domain::ports::QueryRows {
            rows: events
                .into_iter()
                .map(|e| {
                    vec![
                        (
                            "@timestamp".to_string(),
                            e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                        ),
                        ("@logStream".to_string(), e.stream),
                        ("@log".to_string(), format!("{}:{}", self.account, e.group)),
                        ("@message".to_string(), e.message),
                    ]
                })
                .collect(),
            matched: Some(matched),
        })
    }
}
