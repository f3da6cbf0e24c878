//! What slow, idle services wait on: for each service that looks like it
//! waits (see `domain::waiting::candidate`), its usual p95 (one
//! GetMetricData over the baseline's day for all of them) and, from X-Ray,
//! what holds the time in its slowest recent requests. Nothing is read for
//! a service that is not slow.

use crate::domain::alarms::TargetGroup;
use crate::domain::metrics::usual_p95_queries;
use crate::domain::ports::MonitoringPort;
use crate::domain::service::ServiceKey;
use crate::domain::trace::reading::TracePort;
use crate::domain::waiting::{usual_p95, SlowRead, SLOW_FLOOR_MS};
use crate::domain::Service;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// The slow requests looked at are this recent.
pub const SLOW_WINDOW_MINUTES: i64 = 15;

/// Read what these slow services wait on.
pub async fn read_slow(
    monitoring: &dyn MonitoringPort,
    traces: &dyn TracePort,
    slow: &[Service],
    target_groups: &[TargetGroup],
    now: DateTime<Utc>,
) -> BTreeMap<ServiceKey, SlowRead> {
    let mut out: BTreeMap<ServiceKey, SlowRead> = slow
        .iter()
        .map(|s| (s.key(), SlowRead::default()))
        .collect();
    if slow.is_empty() {
        return out;
    }
    let asked = usual_p95_queries(slow, target_groups);
    let (start, end) = crate::domain::egress::baseline_window(now);
    let usual = if asked.is_empty() {
        Ok(BTreeMap::new())
    } else {
        monitoring
            .metric_data(&asked, start, end)
            .await
            .map(|answers| usual_p95(&asked, &answers, now))
    };
    match usual {
        Ok(usual) => {
            for (key, ms) in usual {
                if let Some(read) = out.get_mut(&key) {
                    read.usual_p95_ms = Some(ms);
                }
            }
        }
        Err(err) => {
            for read in out.values_mut() {
                read.unread.push(format!("usual p95: {}", err.short()));
            }
        }
    }
    let since = now - Duration::minutes(SLOW_WINDOW_MINUTES);
    for service in slow {
        let read = out.entry(service.key()).or_default();
        // Slow for it: twice its usual, at least the floor.
        let slower_than =
            read.usual_p95_ms
                .map_or(SLOW_FLOOR_MS, |u| (u * 2.0).max(SLOW_FLOOR_MS)) as i64;
        match crate::workers::trace::slow_requests_blame(traces, &service.name, since, slower_than)
            .await
        {
            Ok(on) => read.on = on,
            Err(err) => read
                .unread
                .push(format!("X-Ray: {}", crate::workers::trace::unread(&err))),
        }
    }
    out
}
