//! X-Ray over the real SDK: a request's segment documents with
//! BatchGetTraces (five trace ids a call, paged), and a slow service's
//! slowest recent requests with GetTraceSummaries (`service("NAME") AND
//! responsetime >= S`, not sampled, a few pages at most).
//!
//! Both APIs allow 5 calls a second per account and Region, shared with
//! everyone in the account: triage takes two of them, and backs off when
//! throttled anyway.

use super::budget::{backoff_delay, Budget, Calls};
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::ports::{CallCounts, PortFuture};
use crate::domain::trace::reading::{TraceDocuments, TracePort, TraceSummary, TRACES_PER_CALL};
use crate::domain::PortError;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Two of X-Ray's 5 calls a second per account and Region.
const CALLS_PER_SECOND: f64 = 2.0;
/// A throttled call is asked again this many times, backing off.
const THROTTLE_RETRIES: u32 = 4;
/// GetTraceSummaries pages read at most (each up to 100 summaries).
const SUMMARY_PAGES: usize = 5;
/// BatchGetTraces pages read at most for one batch of ids.
const TRACE_PAGES: usize = 10;

pub struct AwsTraces {
    client: aws_sdk_xray::Client,
    ctx: ErrorContext,
    budget: Budget,
    calls: Calls,
}

impl AwsTraces {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsTraces {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsTraces {
            client: aws_sdk_xray::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "xray", &region),
            },
            budget: Budget::new(CALLS_PER_SECOND, 2),
            calls: Calls::default(),
        }
    }

    /// Send one call within the budget, asking again when throttled.
    async fn within_budget<T, F, Fut>(
        &self,
        operation: &'static str,
        send: F,
    ) -> Result<T, PortError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, PortError>>,
    {
        let mut attempt = 0;
        loop {
            self.budget.acquire().await;
            self.calls.count(operation);
            match send().await {
                Err(PortError::Throttled { .. }) if attempt < THROTTLE_RETRIES => {
                    let delay =
                        backoff_delay(attempt, Duration::from_millis(200), Duration::from_secs(5));
                    tracing::warn!(operation, attempt, ?delay, "X-Ray throttled; backing off");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn batch(&self, ids: &[String]) -> Result<Vec<TraceDocuments>, PortError> {
        let mut out: Vec<TraceDocuments> = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..TRACE_PAGES {
            let page = self
                .within_budget("BatchGetTraces", || async {
                    self.client
                        .batch_get_traces()
                        .set_trace_ids(Some(ids.to_vec()))
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| map_sdk_error("BatchGetTraces", e, &self.ctx))
                })
                .await?;
            for trace in page.traces() {
                let Some(id) = trace.id() else { continue };
                let documents = trace
                    .segments()
                    .iter()
                    .filter_map(|s| s.document().map(str::to_string));
                match out.iter_mut().find(|t| t.trace_id == id) {
                    Some(t) => t.documents.extend(documents),
                    None => out.push(TraceDocuments {
                        trace_id: id.to_string(),
                        documents: documents.collect(),
                    }),
                }
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }
}

/// `service("backend-api") AND responsetime >= 1.2`: the name is kept to
/// the characters a service name has (no quote can end the string).
pub(crate) fn slow_filter(service: &str, slower_than_ms: i64) -> String {
    let name: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'))
        .collect();
    format!(
        "service(\"{name}\") AND responsetime >= {:.3}",
        slower_than_ms.max(0) as f64 / 1000.0
    )
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

impl TracePort for AwsTraces {
    fn traces<'a>(&'a self, trace_ids: &'a [String]) -> PortFuture<'a, Vec<TraceDocuments>> {
        Box::pin(async move {
            let mut ids: Vec<String> = Vec::new();
            for id in trace_ids {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            let mut out = Vec::new();
            for chunk in ids.chunks(TRACES_PER_CALL) {
                out.extend(self.batch(chunk).await?);
            }
            Ok(out)
        })
    }

    fn slow_traces<'a>(
        &'a self,
        service: &'a str,
        since: DateTime<Utc>,
        slower_than_ms: i64,
        limit: usize,
    ) -> PortFuture<'a, Vec<TraceSummary>> {
        Box::pin(async move {
            let now = Utc::now();
            let filter = slow_filter(service, slower_than_ms);
            let mut found: Vec<TraceSummary> = Vec::new();
            let mut token: Option<String> = None;
            for _ in 0..SUMMARY_PAGES {
                let page = self
                    .within_budget("GetTraceSummaries", || async {
                        self.client
                            .get_trace_summaries()
                            .start_time(smithy_time(since))
                            .end_time(smithy_time(now))
                            .sampling(false)
                            .filter_expression(filter.clone())
                            .set_next_token(token.clone())
                            .send()
                            .await
                            .map_err(|e| map_sdk_error("GetTraceSummaries", e, &self.ctx))
                    })
                    .await?;
                found.extend(page.trace_summaries().iter().filter_map(|s| {
                    Some(TraceSummary {
                        trace_id: s.id()?.to_string(),
                        duration_ms: (s.duration().or(s.response_time())? * 1000.0).round() as i64,
                        error: s.has_error() == Some(true) || s.has_fault() == Some(true),
                    })
                }));
                match page.next_token().filter(|t| !t.is_empty()) {
                    Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
                    _ => break,
                }
            }
            found.sort_by(|a, b| {
                b.duration_ms
                    .cmp(&a.duration_ms)
                    .then_with(|| a.trace_id.cmp(&b.trace_id))
            });
            found.dedup_by(|a, b| a.trace_id == b.trace_id);
            found.truncate(limit);
            Ok(found)
        })
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }
}
