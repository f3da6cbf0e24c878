//! CloudTrail over the real SDK: the account's write events with
//! LookupEvents (`ReadOnly=false`, the one lookup attribute a call may
//! carry), 50 a page, newest first.
//!
//! LookupEvents allows 2 calls a second per account and Region, shared with
//! everyone in the account: triage takes half (one a second, no burst), so
//! it is never throttled by itself. What was read is kept (a
//! [`TrailStore`], the disk cache): a later read asks only for what is newer
//! than the last, less CloudTrail's delivery delay.

use super::budget::{backoff_delay, Budget, Calls};
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::changes::reading::{merge, plan, KeptTrail, TrailPort, TrailRead, TrailStore};
use crate::domain::changes::trail::{Lookup, TrailEvent};
use crate::domain::ports::{CallCounts, PortFuture};
use crate::domain::PortError;
use aws_sdk_cloudtrail::types as ct;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// Half of LookupEvents' quota of 2 calls a second per account and Region.
const LOOKUP_PER_SECOND: f64 = 1.0;
/// A throttled call is asked again this many times, backing off.
const THROTTLE_RETRIES: u32 = 4;
/// The most LookupEvents returns a page.
const PAGE: i32 = 50;
/// A read stops after this many pages (25,000 events): a runaway account
/// says so in the coverage instead of holding the quota for minutes.
pub(crate) const MAX_PAGES: usize = 500;

pub struct AwsTrail {
    client: aws_sdk_cloudtrail::Client,
    ctx: ErrorContext,
    budget: Budget,
    calls: Calls,
    store: Option<Arc<dyn TrailStore>>,
}

impl AwsTrail {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsTrail {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsTrail {
            client: aws_sdk_cloudtrail::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "cloudtrail", &region),
            },
            budget: Budget::new(LOOKUP_PER_SECOND, 1),
            calls: Calls::default(),
            store: None,
        }
    }

    /// Keep what is read in `store`, and read only what is newer next time.
    pub fn with_store(mut self, store: Arc<dyn TrailStore>) -> AwsTrail {
        self.store = Some(store);
        self
    }

    /// Every write event from `from` to `to`, newest first, and the calls made.
    async fn lookup(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<TrailEvent>, usize), PortError> {
        let attribute = ct::LookupAttribute::builder()
            .attribute_key(ct::LookupAttributeKey::ReadOnly)
            .attribute_value("false")
            .build()
            .map_err(|e| PortError::Other {
                operation: "LookupEvents".into(),
                message: e.to_string(),
            })?;
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        let mut attempt = 0;
        loop {
            self.budget.acquire().await;
            self.calls.count("LookupEvents");
            calls += 1;
            let sent = self
                .client
                .lookup_events()
                .lookup_attributes(attribute.clone())
                .start_time(smithy_time(from))
                .end_time(smithy_time(to))
                .max_results(PAGE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error("LookupEvents", e, &self.ctx));
            // The quota is the account's: another triage, a pipeline or the
            // console may have used this second. Back off and ask again.
            let out = match sent {
                Err(PortError::Throttled { .. }) if attempt < THROTTLE_RETRIES => {
                    let delay =
                        backoff_delay(attempt, Duration::from_millis(500), Duration::from_secs(10));
                    tracing::warn!(attempt, ?delay, "LookupEvents throttled; backing off");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                other => other?,
            };
            attempt = 0;
            events.extend(out.events().iter().filter_map(event));
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) if calls < MAX_PAGES && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok((events, calls))
    }
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

fn event(e: &ct::Event) -> Option<TrailEvent> {
    TrailEvent::from_lookup(Lookup {
        id: e.event_id().unwrap_or_default(),
        name: e.event_name().unwrap_or_default(),
        source: e.event_source().unwrap_or_default(),
        at: super::convert::time(e.event_time()),
        username: e.username(),
        resources: e
            .resources()
            .iter()
            .filter_map(|r| r.resource_name())
            .collect(),
        record: e.cloud_trail_event(),
    })
}

impl TrailPort for AwsTrail {
    fn write_events<'a>(&'a self, since: DateTime<Utc>) -> PortFuture<'a, TrailRead> {
        Box::pin(async move {
            let now = Utc::now();
            let kept = self.store.as_ref().and_then(|s| s.load(since));
            let plan = plan(kept.as_ref(), since, now);
            let (fresh, calls) = self.lookup(plan.ask_from, now).await?;
            let (old, from) = match kept.filter(|_| plan.reuse) {
                Some(k) => (k.events, k.from.unwrap_or(since)),
                None => (Vec::new(), since),
            };
            let old_count = old.iter().filter(|e| e.at < plan.ask_from).count();
            let all = merge(old, fresh, now);
            if let Some(store) = &self.store {
                store.save(
                    &KeptTrail {
                        from: Some(from),
                        to: Some(now),
                        events: all.clone(),
                    },
                    plan.ask_from,
                );
            }
            Ok(TrailRead {
                events: all.into_iter().filter(|e| e.at >= since).collect(),
                from: Some(since),
                to: Some(now),
                calls,
                kept: old_count,
            })
        })
    }

    fn calls(&self) -> CallCounts {
        self.calls.snapshot()
    }
}
