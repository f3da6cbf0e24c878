//! `triage alarms`: every CloudWatch alarm of the Region, tied to the
//! services it watches, in the same ranked order as `status` (account
//! alarms after the services' within a state). Exit 0; 1 with
//! `--fail-on-alarm` when one is in ALARM; 2 bad input; 3 AWS error.

use super::exit::CliError;
use super::output::schema::{Place, Version};
use super::output::shapes::{AlarmJson, AlarmsDoc, PairJson};
use super::output::table;
use super::Format;
use crate::domain::alarms::{ordered, AlarmMapping, AlarmState, OwnedAlarm};
use crate::domain::ranking::rank_watched;
use crate::domain::sanitize::one_line;
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

/// One account's alarms, in the ranked order, filtered by `--state`.
pub(crate) struct Listed {
    pub listed: Vec<OwnedAlarm>,
    /// Any alarm (filtered out or not) is in ALARM.
    pub alarmed: bool,
    /// The account id its services' (or alarms') ARNs name.
    pub account: Option<String>,
    pub region: String,
}

/// Read one account's alarms.
pub(crate) async fn read_listed(
    args: &AlarmsArgs,
    account: &crate::wiring::Account,
    mappings: &[AlarmMapping],
    clusters: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Listed, CliError> {
    let Some(monitoring) = account.monitoring.as_deref() else {
        return Err(CliError::Port(crate::domain::PortError::Other {
            operation: "DescribeAlarms".into(),
            message: "this session has no CloudWatch client to read alarms with".into(),
        }));
    };
    let snapshot = fetch_status(account.ecs.as_ref(), clusters).await?;
    let watched = super::watch::read(monitoring, &snapshot.services, mappings, now).await?;
    let id = snapshot
        .services
        .iter()
        .map(|s| s.arn.as_str())
        .chain(watched.alarms.iter().map(|a| a.alarm.arn.as_str()))
        .find_map(|arn| crate::domain::service::arn_place(arn).map(|(_, a)| a.to_string()));
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
    Ok(Listed {
        listed,
        alarmed,
        account: id,
        region: account.region.clone(),
    })
}

/// One alarm to print, with the pair it was read in.
pub(crate) struct AlarmRow {
    pub alarm: OwnedAlarm,
    pub pair: crate::domain::Pair,
    pub account: Option<String>,
}

/// Print alarms; with `several` pairs the table gains ACCOUNT and REGION
/// columns (JSON always names each alarm's place).
pub(crate) fn print(
    args: &AlarmsArgs,
    rows: &[AlarmRow],
    pairs: Vec<PairJson>,
    several: bool,
    now: chrono::DateTime<chrono::Utc>,
) {
    match args.output {
        Format::Json => {
            let doc = AlarmsDoc {
                schema_version: Version,
                generated_at: super::output::rfc3339(now),
                pairs,
                alarms: rows
                    .iter()
                    .map(|r| AlarmJson::of(&r.alarm, &r.pair, r.account.as_deref()))
                    .collect(),
            };
            crate::outln!("{}", super::output::json_text(&doc));
        }
        Format::Text if rows.is_empty() => crate::outln!(
            "No alarms{}.",
            match args.state {
                Some(s) => format!(" in {}", s.as_str()),
                None => String::new(),
            }
        ),
        Format::Text => {
            let table_rows: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    let a = &row.alarm;
                    let services = if a.services.is_empty() {
                        "(account)".to_string()
                    } else {
                        a.services
                            .iter()
                            .map(|k| format!("{}/{}", k.cluster, k.service))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mut cells: Vec<String> = if several {
                        let place = Place::of(&row.pair, row.account.as_deref(), &a.alarm.arn);
                        vec![place.account_name, place.region]
                    } else {
                        Vec::new()
                    };
                    cells.extend([
                        a.alarm.state.as_str().to_string(),
                        one_line(&a.alarm.name),
                        services,
                        a.alarm
                            .since
                            .map(|t| crate::ui::format::age(now - t))
                            .unwrap_or_else(|| "—".into()),
                        one_line(&a.alarm.reason),
                    ]);
                    cells
                })
                .collect();
            let mut header: Vec<&str> = if several {
                vec!["ACCOUNT", "REGION"]
            } else {
                Vec::new()
            };
            header.extend(["STATE", "ALARM", "SERVICE", "SINCE", "REASON"]);
            crate::out!("{}", table(&header, &table_rows));
        }
    }
}
