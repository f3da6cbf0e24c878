//! Shared incidents over CloudWatch Logs: one log group (default
//! `/triage/incidents`), one stream per incident; every console appends its
//! entries and reads everyone's.

use super::budget::Budget;
use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::ports::{PortFuture, SharePage, SharePort};
use crate::domain::timeline::Entry;
use crate::domain::PortError;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use std::collections::HashSet;
use std::sync::Mutex;

pub(crate) struct AwsShare {
    logs: aws_sdk_cloudwatchlogs::Client,
    group: String,
    ctx: ErrorContext,
    budget: Budget,
    ready: Mutex<HashSet<String>>,
}

impl AwsShare {
    pub fn new(config: &aws_config::SdkConfig, group: &str, profile: Option<String>) -> AwsShare {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsShare {
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            group: group.to_string(),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "logs", &region),
            },
            // Logs write quotas are per account: stay gentle.
            budget: Budget::new(5.0, 10),
            ready: Mutex::new(HashSet::new()),
        }
    }

    /// Create the group and the incident's stream once (both may already exist).
    async fn ensure_stream(&self, incident: &str) -> Result<(), PortError> {
        if self
            .ready
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(incident)
        {
            return Ok(());
        }
        self.budget.acquire().await;
        if let Err(err) = self
            .logs
            .create_log_group()
            .log_group_name(&self.group)
            .send()
            .await
        {
            if err.code() != Some("ResourceAlreadyExistsException") {
                return Err(map_sdk_error("CreateLogGroup", err, &self.ctx));
            }
        }
        self.budget.acquire().await;
        if let Err(err) = self
            .logs
            .create_log_stream()
            .log_group_name(&self.group)
            .log_stream_name(incident)
            .send()
            .await
        {
            if err.code() != Some("ResourceAlreadyExistsException") {
                return Err(map_sdk_error("CreateLogStream", err, &self.ctx));
            }
        }
        self.ready
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(incident.to_string());
        Ok(())
    }
}

impl SharePort for AwsShare {
    fn publish<'a>(&'a self, incident: &'a str, entries: &'a [Entry]) -> PortFuture<'a, ()> {
        Box::pin(async move {
            if entries.is_empty() {
                return Ok(());
            }
            self.ensure_stream(incident).await?;
            let mut events = Vec::with_capacity(entries.len());
            for entry in entries {
                let message = serde_json::to_string(entry).map_err(|e| PortError::Other {
                    operation: "PutLogEvents".into(),
                    message: e.to_string(),
                })?;
                let event = InputLogEvent::builder()
                    .timestamp(entry.recorded_at.timestamp_millis())
                    .message(message)
                    .build()
                    .map_err(|e| PortError::Other {
                        operation: "PutLogEvents".into(),
                        message: e.to_string(),
                    })?;
                events.push(event);
            }
            // A batch must be in time order.
            events.sort_by_key(|e| e.timestamp());
            for batch in events.chunks(1000) {
                self.budget.acquire().await;
                self.logs
                    .put_log_events()
                    .log_group_name(&self.group)
                    .log_stream_name(incident)
                    .set_log_events(Some(batch.to_vec()))
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("PutLogEvents", e, &self.ctx))?;
            }
            Ok(())
        })
    }

    fn fetch<'a>(&'a self, incident: &'a str, cursor: Option<String>) -> PortFuture<'a, SharePage> {
        Box::pin(async move {
            let mut page = SharePage {
                cursor: cursor.clone(),
                ..Default::default()
            };
            let mut token = cursor;
            loop {
                self.budget.acquire().await;
                let out = match self
                    .logs
                    .get_log_events()
                    .log_group_name(&self.group)
                    .log_stream_name(incident)
                    .start_from_head(true)
                    .set_next_token(token.clone())
                    .send()
                    .await
                {
                    Ok(out) => out,
                    // Nobody has published to this incident yet.
                    Err(err) if err.code() == Some("ResourceNotFoundException") => return Ok(page),
                    Err(err) => return Err(map_sdk_error("GetLogEvents", err, &self.ctx)),
                };
                for event in out.events() {
                    match event.message().map(serde_json::from_str::<Entry>) {
                        Some(Ok(entry)) => page.entries.push(entry),
                        _ => page.skipped += 1,
                    }
                }
                let next = out.next_forward_token().map(str::to_string);
                // GetLogEvents returns the same token when there is nothing more.
                if next.is_none() || next == token || out.events().is_empty() {
                    page.cursor = next.or(token);
                    return Ok(page);
                }
                token = next;
            }
        })
    }
}
