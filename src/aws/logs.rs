//! CloudWatch Logs over the real SDK: the last lines of one stream before a
//! moment (GetLogEvents backwards from `endTime`), FilterLogEvents pages,
//! Logs Insights queries and group retention. Each API has a budget of its
//! own at about half the Region's published quota (`domain::quotas`), and
//! every call is counted.

use super::budget::{Budget, Calls};
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::logsearch::LogEvent;
use crate::domain::ports::{
    CallCounts, FilterPage, LogLine, LogSearchPort, LogsPort, PortFuture, QueryRows,
};
use crate::domain::quotas::{pace, LogsApi, Pace};
use crate::domain::PortError;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

pub struct AwsLogs {
    logs: aws_sdk_cloudwatchlogs::Client,
    ctx: ErrorContext,
    filter: Budget,
    get: Budget,
    describe: Budget,
    start_query: Budget,
    query_results: Budget,
    calls: Calls,
}

impl AwsLogs {
    /// Budgets from the Region's quotas, or `pace` for every API when given
    /// (config `aws.logs_reads_per_second` / `aws.logs_burst`, tests).
    pub fn new(
        config: &aws_config::SdkConfig,
        profile: Option<String>,
        pace_override: Option<Pace>,
    ) -> AwsLogs {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let budget = |api| {
            let p = pace_override.unwrap_or_else(|| pace(api, &region));
            Budget::new(p.per_second, p.burst)
        };
        AwsLogs {
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "logs", &region),
            },
            filter: budget(LogsApi::FilterLogEvents),
            get: budget(LogsApi::GetLogEvents),
            describe: budget(LogsApi::DescribeLogGroups),
            start_query: budget(LogsApi::StartQuery),
            query_results: budget(LogsApi::GetQueryResults),
            calls: Calls::default(),
        }
    }

    /// Wait for the API's budget, then count the call.
    async fn admit(&self, budget: &Budget, operation: &str) {
        budget.acquire().await;
        self.calls.count(operation);
    }
}

impl LogsPort for AwsLogs {
    fn tail<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> PortFuture<'a, Vec<LogLine>> {
        Box::pin(async move {
            self.admit(&self.get, "GetLogEvents").await;
            let out = self
                .logs
                .get_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .end_time(before.timestamp_millis() + 1)
                .limit(limit.clamp(1, 10_000) as i32)
                .start_from_head(false)
                .send()
                .await
                .map_err(|err| {
                    if err.code() == Some("ResourceNotFoundException") {
                        PortError::NotFound {
                            what: crate::domain::Missing::LogStream,
                            message: format!("{group} has no stream {stream}"),
                        }
                    } else {
                        map_sdk_error("GetLogEvents", err, &self.ctx)
                    }
                })?;
            let mut lines: Vec<LogLine> = out
                .events()
                .iter()
                .filter_map(|e| {
                    Some(LogLine {
                        timestamp: DateTime::from_timestamp_millis(e.timestamp()?)?,
                        message: e.message().unwrap_or_default().to_string(),
                    })
                })
                .filter(|l| l.timestamp <= before)
                .collect();
            lines.sort_by_key(|l| l.timestamp);
            let skip = lines.len().saturating_sub(limit);
            Ok(lines.split_off(skip))
        })
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }
}

impl LogSearchPort for AwsLogs {
    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }

    fn create_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, bool> {
        Box::pin(async move {
            self.admit(&self.describe, "CreateLogGroup").await;
            match self
                .logs
                .create_log_group()
                .log_group_name(group)
                .send()
                .await
            {
                Ok(_) => Ok(true),
                Err(err) if err.code() == Some("ResourceAlreadyExistsException") => Ok(false),
                Err(err) => Err(map_sdk_error("CreateLogGroup", err, &self.ctx)),
            }
        })
    }

    fn delete_log_group<'a>(&'a self, group: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            self.admit(&self.describe, "DeleteLogGroup").await;
            match self
                .logs
                .delete_log_group()
                .log_group_name(group)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(err) if err.code() == Some("ResourceNotFoundException") => Ok(()),
                Err(err) => Err(map_sdk_error("DeleteLogGroup", err, &self.ctx)),
            }
        })
    }

    fn retention_days<'a>(&'a self, group: &'a str) -> PortFuture<'a, Option<u32>> {
        Box::pin(async move {
            self.admit(&self.describe, "DescribeLogGroups").await;
            let out = self
                .logs
                .describe_log_groups()
                .log_group_name_prefix(group)
                .send()
                .await
                .map_err(|err| map_sdk_error("DescribeLogGroups", err, &self.ctx))?;
            Ok(out
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(group))
                .and_then(|g| g.retention_in_days())
                .and_then(|d| u32::try_from(d).ok()))
        })
    }

    fn insights<'a>(
        &'a self,
        groups: &'a [String],
        query: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> PortFuture<'a, QueryRows> {
        Box::pin(async move {
            self.admit(&self.start_query, "StartQuery").await;
            let started = self
                .logs
                .start_query()
                .set_log_group_names(Some(groups.to_vec()))
                .query_string(query)
                .start_time(start.timestamp())
                .end_time(end.timestamp())
                .limit(limit.clamp(1, 10_000) as i32)
                .send()
                .await
                .map_err(|e| map_sdk_error("StartQuery", e, &self.ctx))?;
            let id = started.query_id().unwrap_or_default().to_string();
            loop {
                self.admit(&self.query_results, "GetQueryResults").await;
                let out = self
                    .logs
                    .get_query_results()
                    .query_id(&id)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("GetQueryResults", e, &self.ctx))?;
                use aws_sdk_cloudwatchlogs::types::QueryStatus;
                match out.status() {
                    Some(QueryStatus::Complete) => {
                        return Ok(QueryRows {
                            rows: out
                                .results()
                                .iter()
                                .map(|row| {
                                    row.iter()
                                        .map(|f| {
                                            (
                                                f.field().unwrap_or_default().to_string(),
                                                f.value().unwrap_or_default().to_string(),
                                            )
                                        })
                                        .collect()
                                })
                                .collect(),
                            matched: out.statistics().map(|s| s.records_matched() as u64),
                        })
                    }
                    Some(QueryStatus::Failed)
                    | Some(QueryStatus::Cancelled)
                    | Some(QueryStatus::Timeout) => {
                        return Err(PortError::Other {
                            operation: "GetQueryResults".into(),
                            message: format!("the query ended {:?}", out.status()),
                        })
                    }
                    _ => tokio::time::sleep(std::time::Duration::from_millis(400)).await,
                }
            }
        })
    }

    fn filter_page<'a>(
        &'a self,
        group: &'a str,
        pattern: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        token: Option<String>,
    ) -> PortFuture<'a, FilterPage> {
        Box::pin(async move {
            self.admit(&self.filter, "FilterLogEvents").await;
            let out = self
                .logs
                .filter_log_events()
                .log_group_name(group)
                .filter_pattern(pattern)
                .start_time(start.timestamp_millis())
                .end_time(end.timestamp_millis())
                .set_next_token(token)
                .send()
                .await
                .map_err(|err| {
                    if err.code() == Some("ResourceNotFoundException") {
                        PortError::NotFound {
                            what: crate::domain::Missing::LogGroup,
                            message: format!("{group} does not exist"),
                        }
                    } else {
                        map_sdk_error("FilterLogEvents", err, &self.ctx)
                    }
                })?;
            let events = out
                .events()
                .iter()
                .filter_map(|e| {
                    Some(LogEvent {
                        group: group.to_string(),
                        stream: e.log_stream_name().unwrap_or_default().to_string(),
                        timestamp: DateTime::from_timestamp_millis(e.timestamp()?)?,
                        ingestion: e.ingestion_time().and_then(DateTime::from_timestamp_millis),
                        event_id: e.event_id().map(str::to_string),
                        message: e.message().unwrap_or_default().to_string(),
                        pair: Default::default(),
                    })
                })
                .collect();
            Ok(FilterPage {
                events,
                next_token: out.next_token().map(str::to_string),
            })
        })
    }
}
