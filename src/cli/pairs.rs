//! `triage status` over several (account, Region) pairs at once: each pair
//! read on its own clients and budgets, concurrently; the services ranked
//! together, tagged with their pair; a pair that fails says why and how to
//! fix it while the others are shown.

use super::exit::{self, CliError};
use super::output::rfc3339;
use super::output::schema::{Place, Version};
use super::output::shapes::status::{SecurityFindingJson, StatusPair};
use super::output::shapes::{AlarmJson, PairJson, StatusDoc};
use super::status::{read_account, to_text_with, AccountRead, StatusArgs};
use super::Format;
use crate::domain::alarms::AlarmMapping;
use crate::domain::ranking::order;
use crate::domain::sanitize::strip_controls;
use crate::domain::Clock;
use crate::settings::pairs::PairSpec;
use crate::wiring::{Account, OpenError};

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

/// The pairs asked for, opened: those that could be (each named: its
/// account name and the Region it resolved to), and those that could not
/// (said on stderr, kept with why).
pub struct Opened {
    pub usable: Vec<(PairSpec, crate::domain::Pair, Account)>,
    pub failed: Vec<(PairSpec, String)>,
}

impl Opened {
    /// The usable pairs as the reads take them.
    pub fn pairs(&self) -> Vec<(crate::domain::Pair, &Account)> {
        self.usable
            .iter()
            .map(|(_, pair, account)| (pair.clone(), account))
            .collect()
    }

    /// Every pair asked for, in order, as JSON: `account_of` gives the
    /// account id a usable pair's answer showed (if any), `error_of` why a
    /// usable pair could not be read after all.
    pub fn json(
        &self,
        account_of: impl Fn(&crate::domain::Pair) -> Option<String>,
        error_of: impl Fn(&crate::domain::Pair) -> Option<String>,
    ) -> Vec<PairJson> {
        let usable = self.usable.iter().map(|(spec, pair, _)| PairJson {
            place: Place {
                account: account_of(pair),
                account_name: pair.account.clone(),
                region: pair.region.clone(),
            },
            profile: spec.profile.clone(),
            production: spec.production,
            error: error_of(pair),
        });
        let failed = self.failed.iter().map(|(spec, why)| failed_json(spec, why));
        usable.chain(failed).collect()
    }
}

/// A pair that could not be opened or read, as JSON.
fn failed_json(spec: &PairSpec, why: &str) -> PairJson {
    PairJson {
        place: Place {
            account: None,
            account_name: spec.name.clone(),
            region: spec.region.clone().unwrap_or_default(),
        },
        profile: spec.profile.clone(),
        production: spec.production,
        error: Some(strip_controls(why)),
    }
}

/// Open what could be opened; only when nothing could is it an error.
pub fn opened(pairs: Vec<(PairSpec, Result<Account, OpenError>)>) -> Result<Opened, CliError> {
    let mut usable = Vec::new();
    let mut failed = Vec::new();
    let mut first: Option<OpenError> = None;
    for (spec, account) in pairs {
        match account {
            Ok(account) => {
                let pair = crate::domain::Pair::new(spec.name.clone(), account.region.clone());
                usable.push((spec, pair, account));
            }
            Err(err) => {
                crate::errln!(
                    "error: {}: {}",
                    spec.label(),
                    strip_controls(&err.to_string())
                );
                failed.push((spec, err.to_string()));
                first.get_or_insert(err);
            }
        }
    }
    match (usable.is_empty(), first) {
        (true, Some(err)) => Err(err.into()),
        _ => Ok(Opened { usable, failed }),
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
            super::output::json_text(&status_doc(&outcomes, &rows, &suggestions, now))
        ),
        Format::Text => {
            let ranked: Vec<_> = rows.iter().map(|(_, r)| (*r).clone()).collect();
            // ACCOUNT and REGION columns only when several pairs are watched.
            let labels: Vec<(String, String)> = rows
                .iter()
                .map(|(o, r)| (o.pair.name.clone(), region_of(o, r)))
                .collect();
            let labels = (outcomes.len() > 1).then_some(labels.as_slice());
            crate::out!("{}", to_text_with(&ranked, &suggestions, now, labels));
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

/// The pair a read's resources carry: its name and the Region it read.
fn pair_of(outcome: &PairOutcome) -> crate::domain::Pair {
    let region = match &outcome.read {
        Ok(read) => read.identity.region.clone(),
        Err(_) => outcome.pair.region.clone().unwrap_or_default(),
    };
    crate::domain::Pair::new(outcome.pair.name.clone(), region)
}

fn status_doc(
    outcomes: &[PairOutcome],
    rows: &[(&PairOutcome, &crate::domain::ranking::RankedService)],
    suggestions: &[crate::domain::suggestion::Suggestion],
    now: chrono::DateTime<chrono::Utc>,
) -> StatusDoc {
    let services = rows
        .iter()
        .zip(suggestions)
        .filter_map(|((o, r), suggestion)| {
            let read = o.read.as_ref().ok()?;
            Some(super::status::service_status(
                read,
                r,
                &pair_of(o),
                suggestion,
                now,
            ))
        })
        .collect();
    let pairs = outcomes
        .iter()
        .map(|o| match &o.read {
            Ok(read) => StatusPair {
                pair: PairJson {
                    place: Place {
                        account: read.identity.account.clone(),
                        account_name: o.pair.name.clone(),
                        region: read.identity.region.clone(),
                    },
                    profile: o.pair.profile.clone(),
                    production: o.pair.production,
                    error: None,
                },
                services: read.ranked.len(),
            },
            Err(err) => StatusPair {
                pair: failed_json(&o.pair, &err.to_string()),
                services: 0,
            },
        })
        .collect();
    let mut account_alarms = Vec::new();
    let mut security_findings = Vec::new();
    for o in outcomes {
        let Ok(read) = &o.read else { continue };
        let (pair, account) = (pair_of(o), read.identity.account.as_deref());
        if let Some(watched) = &read.watched {
            account_alarms.extend(
                watched
                    .alarms
                    .iter()
                    .filter(|a| a.services.is_empty())
                    .map(|a| AlarmJson::of(a, &pair, account)),
            );
        }
        security_findings.extend(
            read.security
                .findings
                .iter()
                .flatten()
                .map(|f| SecurityFindingJson::of(f, &pair, account)),
        );
    }
    StatusDoc {
        schema_version: Version,
        generated_at: rfc3339(now),
        pairs,
        services,
        account_alarms,
        security_findings,
    }
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
        super::alarms::read_listed(args, &account, mappings, clusters, now).await
    })
    .await;
    let mut rows: Vec<super::alarms::AlarmRow> = Vec::new();
    let mut asked: Vec<PairJson> = Vec::new();
    let mut alarmed = false;
    let mut failed: Option<&CliError> = None;
    for (spec, read) in &outcomes {
        match read {
            Ok(read) => {
                alarmed |= read.alarmed;
                let pair = crate::domain::Pair::new(spec.name.clone(), read.region.clone());
                asked.push(PairJson {
                    place: Place {
                        account: read.account.clone(),
                        account_name: spec.name.clone(),
                        region: read.region.clone(),
                    },
                    profile: spec.profile.clone(),
                    production: spec.production,
                    error: None,
                });
                rows.extend(read.listed.iter().map(|alarm| super::alarms::AlarmRow {
                    alarm: alarm.clone(),
                    pair: pair.clone(),
                    account: read.account.clone(),
                }));
            }
            Err(err) => {
                asked.push(failed_json(spec, &err.to_string()));
                failed = failed.or(Some(err));
            }
        }
    }
    // Stable: within a state, each pair's ranked order, pair after pair.
    rows.sort_by_key(|row| row.alarm.alarm.state);
    super::alarms::print(args, &rows, asked, outcomes.len() > 1, now);
    Ok(match failed {
        Some(err) if outcomes.iter().all(|(_, r)| r.is_err()) => err.exit_code(),
        Some(_) => exit::AWS,
        None if args.fail_on_alarm && alarmed => exit::PROBLEM_FOUND,
        None => exit::OK,
    })
}
