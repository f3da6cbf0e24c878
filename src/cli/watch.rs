//! What `status` and `alarms` read beside the services: every alarm tied to
//! its services, and the last hour's metrics, through the same domain rules
//! as the console.

use crate::domain::alarms::{tie, AlarmMapping, OwnedAlarm};
use crate::domain::metrics::{by_service, queries, ServiceMetrics, DEFAULT_WINDOW_MINUTES};
use crate::domain::ports::MonitoringPort;
use crate::domain::service::{Service, ServiceKey};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Alarms and metrics of these services.
pub struct Watched {
    pub alarms: Vec<OwnedAlarm>,
    pub metrics: BTreeMap<ServiceKey, ServiceMetrics>,
}

/// Read the alarms (and the target groups that tie ELB alarms), then the
/// metrics of every service in as few GetMetricData calls as they fit.
pub async fn read(
    port: &dyn MonitoringPort,
    services: &[Service],
    mappings: &[AlarmMapping],
    now: DateTime<Utc>,
) -> Result<Watched, PortError> {
    let arns: Vec<String> = services
        .iter()
        .flat_map(|s| s.target_groups.iter().cloned())
        .collect();
    let read = crate::workers::watch::read_alarms(port, &arns).await?;
    let asked = queries(services, &read.target_groups, 60);
    let answers = port
        .metric_data(&asked, now - Duration::minutes(DEFAULT_WINDOW_MINUTES), now)
        .await?;
    Ok(Watched {
        alarms: tie(read.alarms, services, &read.target_groups, mappings),
        metrics: by_service(&asked, answers),
    })
}

/// One alarm as JSON (`name`, `state`, `reason`, `since`; its services and
/// metric when `full`).
pub fn alarm_json(owned: &OwnedAlarm, full: bool) -> serde_json::Value {
    let a = &owned.alarm;
    let (region, account) = crate::domain::service::arn_place(&a.arn).unzip();
    let mut doc = serde_json::json!({
        "account": account,
        "region": region,
        "name": a.name,
        "state": a.state.as_str(),
        "reason": a.reason,
        "since": a.since.map(super::output::rfc3339),
    });
    if full {
        doc["arn"] = a.arn.clone().into();
        doc["composite"] = a.composite.into();
        doc["services"] = owned
            .services
            .iter()
            .map(|k| serde_json::json!({"cluster": k.cluster, "service": k.service}))
            .collect::<Vec<_>>()
            .into();
        if let Some(m) = &a.metric {
            doc["metric"] = serde_json::json!({
                "namespace": m.namespace,
                "name": m.name,
                "statistic": m.statistic,
                "dimensions": m.dimensions.iter().map(|d| serde_json::json!({"name": d.name, "value": d.value})).collect::<Vec<_>>(),
                "threshold": m.threshold,
                "comparison": m.comparison,
                "period_seconds": m.period_seconds,
            });
        }
    }
    doc
}

/// A service's metrics as JSON: each field absent when there is no data.
pub fn metrics_json(summary: &crate::domain::metrics::MetricsSummary) -> serde_json::Value {
    let mut doc = serde_json::Map::new();
    let spread = |s: crate::domain::metrics::Spread| serde_json::json!({"avg": round(s.avg), "max": round(s.max)});
    if let Some(cpu) = summary.cpu_percent {
        doc.insert("cpu_percent".into(), spread(cpu));
    }
    if let Some(memory) = summary.memory_percent {
        doc.insert("memory_percent".into(), spread(memory));
    }
    if let Some(errors) = summary.http_5xx_percent {
        doc.insert("http_5xx_percent".into(), round(errors).into());
    }
    if let Some(p95) = summary.p95_ms {
        doc.insert("p95_ms".into(), round(p95).into());
    }
    if summary.healthy.is_some() || summary.unhealthy.is_some() {
        let mut targets = serde_json::Map::new();
        if let Some(h) = summary.healthy {
            targets.insert("healthy".into(), h.into());
        }
        if let Some(u) = summary.unhealthy {
            targets.insert("unhealthy".into(), u.into());
        }
        doc.insert("targets".into(), targets.into());
    }
    doc.into()
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
