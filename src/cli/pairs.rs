//! `triage status` over several (account, Region) pairs at once: each pair
//! read on its own clients and budgets, concurrently; the services ranked
//! together, tagged with their pair; a pair that fails says why and how to
//! fix it while the others are shown.

use super::exit::{self, CliError};
use super::output::rfc3339;
use super::status::{
    account_alarms_json, add_service_watched, read_account, service_json, to_text_with,
    AccountRead, StatusArgs,
};
use super::Format;
use crate::domain::alarms::AlarmMapping;
use crate::domain::ranking::order;
use crate::domain::sanitize::strip_controls;
use crate::domain::Clock;
use crate::settings::pairs::PairSpec;
use crate::wiring::{Account, OpenError};
use serde_json::json;

/// What one pair gave.
struct PairOutcome {
    pair: PairSpec,
    read: Result<AccountRead, CliError>,
}

/// Read every pair concurrently, each on its own account; a pair that could
/// not be opened or read is said on stderr (with its fix) and kept as its error.
async fn read_each<T, F, Fut>(
    pairs: Vec<(PairSpec, Result<Account, OpenError>)>,
    read: F,
) -> Vec<(PairSpec, Result<T, CliError>)>
where
    F: Fn(Account, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, CliError>>,
{
    let reads = pairs.into_iter().map(|(pair, account)| {
        let label = format!("{}: ", pair.label());
        let read = account.map(|account| read(account, label));
        async move {
            let result = match read {
                Ok(reading) => reading.await,
                Err(err) => Err(err.into()),
            };
            if let Err(err) = &result {
                crate::errln!(
                    "error: {}: {}",
                    pair.label(),
                    strip_controls(&err.to_string())
                );
            }
            (pair, result)
        }
    });
    futures::future::join_all(reads).await
}

/// The pairs that could be opened, each named (its account name and the
/// Region it resolved to); those that could not are said on stderr. Only
/// when none could is it an error. The flag says some were left out.
pub fn opened(
    pairs: Vec<(PairSpec, Result<Account, OpenError>)>,
) -> Result<(Vec<(crate::domain::Pair, Account)>, bool), CliError> {
    let mut usable = Vec::new();
    let mut failed: Option<OpenError> = None;
    for (spec, account) in pairs {
        match account {
            Ok(account) => usable.push((
                crate::domain::Pair::new(spec.name.clone(), account.region.clone()),
                account,
            )),
            Err(err) => {
                crate::errln!(
                    "error: {}: {}",
                    spec.label(),
                    strip_controls(&err.to_string())
                );
                failed.get_or_insert(err);
            }
        }
    }
    match (usable.is_empty(), failed) {
        (true, Some(err)) => Err(err.into()),
        (_, failed) => Ok((usable, failed.is_some())),
    }
}

/// The one pair a command that changes things (or opens a shell) acts in:
/// the only one watched; else the one `--pair NAME/REGION` names (or the
/// only pair named so, or the only one in the Region `hint` says); else a
/// usage error listing them.
pub fn one_pair<'a>(
    pairs: &'a [PairSpec],
    asked: Option<&str>,
    hint: Option<&str>,
    what: &str,
) -> Result<Option<&'a PairSpec>, CliError> {
    let [_, _, ..] = pairs else {
        return Ok(pairs.first());
    };
    let listed = || {
        pairs
            .iter()
            .map(PairSpec::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let usage =
        |message: String| CliError::Settings(crate::settings::SettingsError::Input(message));
    let only = |found: Vec<&'a PairSpec>| match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    if let Some(asked) = asked {
        let by_label = only(pairs.iter().filter(|p| p.label() == asked).collect());
        let by_name = only(pairs.iter().filter(|p| p.name == asked).collect());
        return by_label.or(by_name).map(Some).ok_or_else(|| {
            usage(format!(
                "--pair {asked}: not one of the pairs watched ({}); write NAME/REGION",
                listed()
            ))
        });
    }
    if let Some(found) = hint.and_then(|region| {
        only(
            pairs
                .iter()
                .filter(|p| p.region.as_deref() == Some(region))
                .collect(),
        )
    }) {
        return Ok(Some(found));
    }
    Err(usage(format!(
        "{what} acts in one account and Region, and {} are watched: pass --pair NAME/REGION (one of {})",
        pairs.len(),
        listed()
    )))
}

/// A run that read what it could: a pair left out makes it exit 3 even
/// when the rest went well.
pub fn with_left_out(code: u8, left_out: bool) -> u8 {
    if left_out && code == exit::OK {
        exit::AWS
    } else {
        code
    }
}

/// Run `triage status` over these pairs (each opened, or why not).
pub async fn status(
    args: &StatusArgs,
    pairs: Vec<(PairSpec, Result<Account, OpenError>)>,
    scope: &super::status::StatusScope<'_>,
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let now = clock.now();
    let outcomes: Vec<PairOutcome> = read_each(pairs, |account, label| async move {
        read_account(&account, scope, now, &label).await
    })
    .await
    .into_iter()
    .map(|(pair, read)| PairOutcome { pair, read })
    .collect();
    // Every service of every pair, in the ranking's order, each with its pair.
    let mut rows: Vec<(&PairOutcome, &crate::domain::ranking::RankedService)> = outcomes
        .iter()
        .filter_map(|o| o.read.as_ref().ok().map(|r| (o, r)))
        .flat_map(|(o, r)| r.ranked.iter().map(move |s| (o, s)))
        .collect();
    rows.sort_by(|(_, a), (_, b)| order(a, b));
    let suggestions: Vec<crate::domain::suggestion::Suggestion> = rows
        .iter()
        .filter_map(|(o, r)| {
            let read = o.read.as_ref().ok()?;
            Some(super::suggestion::suggestion_of(read, r, scope, now))
        })
        .collect();
    match args.output {
        Format::Json => crate::outln!(
            "{}",
            super::output::json_text(&to_json(&outcomes, &rows, &suggestions, now))
        ),
        Format::Text => {
            let ranked: Vec<_> = rows.iter().map(|(_, r)| (*r).clone()).collect();
            let labels: Vec<(String, String)> = rows
                .iter()
                .map(|(o, r)| (o.pair.name.clone(), region_of(o, r)))
                .collect();
            crate::out!(
                "{}",
                to_text_with(&ranked, &suggestions, now, Some(&labels))
            );
        }
    }
    let failed = outcomes.iter().find_map(|o| o.read.as_ref().err());
    let found =
        super::status::exit_code(args, outcomes.iter().filter_map(|o| o.read.as_ref().ok()));
    Ok(match failed {
        // Every pair failed: nothing to show, the first failure's code.
        Some(err) if rows.is_empty() && outcomes.iter().all(|o| o.read.is_err()) => err.exit_code(),
        // Some failed: the others are shown, and the exit says not all were read.
        Some(_) => exit::AWS,
        None => found,
    })
}

/// The Region a row is in: its ARN's, else its pair's.
fn region_of(outcome: &PairOutcome, r: &crate::domain::ranking::RankedService) -> String {
    crate::domain::service::arn_place(&r.service.arn)
        .map(|(region, _)| region.to_string())
        .or_else(|| {
            outcome
                .read
                .as_ref()
                .ok()
                .map(|a| a.identity.region.clone())
        })
        .unwrap_or_default()
}

fn to_json(
    outcomes: &[PairOutcome],
    rows: &[(&PairOutcome, &crate::domain::ranking::RankedService)],
    suggestions: &[crate::domain::suggestion::Suggestion],
    now: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    let services: Vec<serde_json::Value> = rows
        .iter()
        .zip(suggestions)
        .map(|((o, r), suggestion)| {
            let mut doc = service_json(r);
            super::status::add_suggestion(&mut doc, suggestion);
            doc["account_name"] = o.pair.name.clone().into();
            if doc["region"].is_null() {
                doc["region"] = region_of(o, r).into();
            }
            if let Ok(read) = &o.read {
                if let Some(w) = &read.watched {
                    add_service_watched(&mut doc, r, w, now);
                }
                super::status_security::add_service(
                    &mut doc,
                    r,
                    &read.security,
                    read.watched.as_ref(),
                    now,
                );
            }
            doc
        })
        .collect();
    let pairs: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let (identity, error) = match &o.read {
                Ok(read) => (Some(&read.identity), None),
                Err(err) => (None, Some(strip_controls(&err.to_string()))),
            };
            json!({
                "account_name": o.pair.name,
                "account": identity.and_then(|i| i.account.clone()),
                "region": identity.map(|i| i.region.clone()).or(o.pair.region.clone()),
                "profile": o.pair.profile,
                "production": o.pair.production,
                "services": o.read.as_ref().map(|r| r.ranked.len()).unwrap_or(0),
                "error": error,
            })
        })
        .collect();
    let account_alarms: Vec<serde_json::Value> = outcomes
        .iter()
        .filter_map(|o| {
            let read = o.read.as_ref().ok()?;
            let watched = read.watched.as_ref()?;
            Some(account_alarms_json(watched).into_iter().map(move |mut a| {
                a["account_name"] = o.pair.name.clone().into();
                a["account"] = read.identity.account.clone().into();
                a["region"] = read.identity.region.clone().into();
                a
            }))
        })
        .flatten()
        .collect();
    let security_findings: Vec<serde_json::Value> = outcomes
        .iter()
        .filter_map(|o| {
            let read = o.read.as_ref().ok()?;
            Some(
                super::status_security::findings_json(&read.security)
                    .into_iter()
                    .map(move |f| {
                        let mut f = serde_json::to_value(f).unwrap_or_default();
                        f["account_name"] = o.pair.name.clone().into();
                        f
                    }),
            )
        })
        .flatten()
        .collect();
    json!({
        "generated_at": rfc3339(now),
        "pairs": pairs,
        "services": services,
        "account_alarms": account_alarms,
        "security_findings": security_findings,
    })
}

/// Run `triage alarms` over these pairs: each pair's alarms in its ranked
/// order, every ALARM before every no-data before every OK, tagged with the pair.
pub async fn alarms(
    args: &super::alarms::AlarmsArgs,
    pairs: Vec<(PairSpec, Result<Account, OpenError>)>,
    mappings: &[AlarmMapping],
    clusters: &[String],
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let now = clock.now();
    let outcomes = read_each(pairs, |account, _label| async move {
        super::alarms::read_listed(
            args,
            account.ecs.as_ref(),
            account.monitoring.as_deref(),
            mappings,
            clusters,
            now,
        )
        .await
    })
    .await;
    let mut rows: Vec<(crate::domain::alarms::OwnedAlarm, (String, String))> = Vec::new();
    let mut alarmed = false;
    let mut failed: Option<&CliError> = None;
    for (pair, read) in &outcomes {
        match read {
            Ok((listed, any)) => {
                alarmed |= any;
                for alarm in listed {
                    let region = crate::domain::service::arn_place(&alarm.alarm.arn)
                        .map(|(r, _)| r.to_string())
                        .or_else(|| pair.region.clone())
                        .unwrap_or_default();
                    rows.push((alarm.clone(), (pair.name.clone(), region)));
                }
            }
            Err(err) => {
                crate::errln!(
                    "error: {}: {}",
                    pair.label(),
                    strip_controls(&err.to_string())
                );
                failed = failed.or(Some(err));
            }
        }
    }
    // Stable: within a state, each pair's ranked order, pair after pair.
    rows.sort_by_key(|(a, _)| a.alarm.state);
    let (listed, labels): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    super::alarms::print(args, &listed, Some(&labels), now);
    Ok(match failed {
        Some(err) if outcomes.iter().all(|(_, r)| r.is_err()) => err.exit_code(),
        Some(_) => exit::AWS,
        None if args.fail_on_alarm && alarmed => exit::PROBLEM_FOUND,
        None => exit::OK,
    })
}
