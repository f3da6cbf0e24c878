//! The demo's shared incident log: in memory, one list per incident, so
//! `--demo --share` behaves like the CloudWatch Logs group within one process.

use crate::domain::ports::{PortFuture, SharePage, SharePort};
use crate::domain::timeline::Entry;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub(crate) struct DemoShare {
    streams: Mutex<HashMap<String, Vec<Entry>>>,
}

impl SharePort for DemoShare {
    fn publish<'a>(&'a self, incident: &'a str, entries: &'a [Entry]) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
            streams
                .entry(incident.to_string())
                .or_default()
                .extend(entries.iter().cloned());
            Ok(())
        })
    }

    fn fetch<'a>(&'a self, incident: &'a str, cursor: Option<String>) -> PortFuture<'a, SharePage> {
        Box::pin(async move {
            let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
            let all = streams.get(incident).cloned().unwrap_or_default();
            let from: usize = cursor
                .as_deref()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0)
                .min(all.len());
            Ok(SharePage {
                entries: all[from..].to_vec(),
                cursor: Some(all.len().to_string()),
                skipped: 0,
            })
        })
    }
}
