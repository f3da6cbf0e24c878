//! `triage alarms`: every CloudWatch alarm of the Region, tied to the
//! services it watches, in the same ranked order as `status` (account
//! alarms after the services' within a state). Exit 0; 1 with
//! `--fail-on-alarm` when one is in ALARM; 2 bad input; 3 AWS error.

use super::exit::{self, CliError};
use super::output::table;
use super::Format;
use crate::domain::alarms::{ordered, AlarmMapping, AlarmState, OwnedAlarm};
use crate::domain::ports::{EcsPort, MonitoringPort};
use crate::domain::ranking::rank_watched;
use crate::domain::sanitize::one_line;
use crate::domain::Clock;
use crate::workers::status::fetch_status;
use clap::Args;

#[derive(Debug, Args)]
pub struct AlarmsArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// Only alarms in this state: ALARM, OK or INSUFFICIENT_DATA
    #[arg(long, value_parser = parse_state)]
    pub state: Option<AlarmState>,

    /// Exit 1 when any alarm is in ALARM
    #[arg(long)]
    pub fail_on_alarm: bool,
}

fn parse_state(text: &str) -> Result<AlarmState, String> {
    AlarmState::parse(text).ok_or_else(|| {
        format!("`{text}` is not an alarm state: use ALARM, OK or INSUFFICIENT_DATA")
    })
}

/// One account's alarms, in the ranked order, filtered by `--state`; and
/// whether any is in ALARM.
pub async fn read_listed(
    args: &AlarmsArgs,
    ecs: &dyn EcsPort,
    monitoring: Option<&dyn MonitoringPort>,
    mappings: &[AlarmMapping],
    clusters: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<OwnedAlarm>, bool), CliError> {
    let Some(monitoring) = monitoring else {
        return Err(CliError::Port(crate::domain::PortError::Other {
            operation: "DescribeAlarms".into(),
            message: "this session has no CloudWatch client to read alarms with".into(),
        }));
    };
    let snapshot = fetch_status(ecs, clusters).await?;
    let watched = super::watch::read(monitoring, &snapshot.services, mappings, now).await?;
    let ranked = rank_watched(snapshot.services, now, &watched.alarms);
    let rank =
        |key: &crate::domain::service::ServiceKey| ranked.iter().position(|r| r.service.is(key));
    let listed: Vec<OwnedAlarm> = ordered(&watched.alarms, rank)
        .into_iter()
        .filter(|a| args.state.is_none_or(|s| a.alarm.state == s))
        .cloned()
        .collect();
    let alarmed = watched
        .alarms
        .iter()
        .any(|a| a.alarm.state == AlarmState::Alarm);
    Ok((listed, alarmed))
}

/// Print alarms; `pairs` names each one's pair (account name, Region) when
/// several pairs were read, and adds ACCOUNT and REGION columns.
pub fn print(
    args: &AlarmsArgs,
    listed: &[OwnedAlarm],
    pairs: Option<&[(String, String)]>,
    now: chrono::DateTime<chrono::Utc>,
) {
    match args.output {
        Format::Json => {
            let alarms: Vec<serde_json::Value> = listed
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let mut doc = super::watch::alarm_json(a, true);
                    if let Some((name, _)) = pairs.and_then(|p| p.get(i)) {
                        doc["account_name"] = name.clone().into();
                    }
                    doc
                })
                .collect();
            let doc = serde_json::json!({
                "generated_at": super::output::rfc3339(now),
                "alarms": alarms,
            });
            crate::outln!("{}", super::output::json_text(&doc));
        }
        Format::Text if listed.is_empty() => crate::outln!(
            "No alarms{}.",
            match args.state {
                Some(s) => format!(" in {}", s.as_str()),
                None => String::new(),
            }
        ),
        Format::Text => {
            let rows: Vec<Vec<String>> = listed
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let services = if a.services.is_empty() {
                        "(account)".to_string()
                    } else {
                        a.services
                            .iter()
                            .map(|k| format!("{}/{}", k.cluster, k.service))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mut row: Vec<String> = pairs
                        .and_then(|p| p.get(i))
                        .map(|(n, r)| vec![n.clone(), r.clone()])
                        .unwrap_or_default();
                    row.extend([
                        a.alarm.state.as_str().to_string(),
                        one_line(&a.alarm.name),
                        services,
                        a.alarm
                            .since
                            .map(|t| crate::ui::format::age(now - t))
                            .unwrap_or_else(|| "—".into()),
                        one_line(&a.alarm.reason),
                    ]);
                    row
                })
                .collect();
            let mut header: Vec<&str> = if pairs.is_some() {
                vec!["ACCOUNT", "REGION"]
            } else {
                Vec::new()
            };
            header.extend(["STATE", "ALARM", "SERVICE", "SINCE", "REASON"]);
            crate::out!("{}", table(&header, &rows));
        }
    }
}

pub async fn run(
    args: &AlarmsArgs,
    ecs: &dyn EcsPort,
    monitoring: Option<&dyn MonitoringPort>,
    mappings: &[AlarmMapping],
    clusters: &[String],
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let now = clock.now();
    let (listed, alarmed) = read_listed(args, ecs, monitoring, mappings, clusters, now).await?;
    print(args, &listed, None, now);
    Ok(if args.fail_on_alarm && alarmed {
        exit::PROBLEM_FOUND
    } else {
        exit::OK
    })
}
