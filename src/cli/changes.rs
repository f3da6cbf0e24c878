//! `triage changes`: every change that touched the watched services —
//! CloudTrail's write events, ECS deployments, triage's own actions — over
//! every pair watched, newest first; with `--service`, that service's
//! suspects, nearest before its onset first. Exit 0; 2 bad input; 3 when a
//! pair could not be read.

use super::exit::{self, CliError};
use super::output::schema::Version;
use super::output::shapes::changes::{ChangeJson, ChangesDoc, CoverageJson, OnsetJson};
use super::Format;
use crate::domain::changes::suspects::{ago, signals};
use crate::domain::changes::{onset, rank, Change};
use crate::domain::sanitize::one_line;
use crate::domain::service::ServiceKey;
use crate::domain::Clock;
use crate::workers::changes::{read_changes, ChangesAsk, ChangesRead};
use chrono::{DateTime, Duration, Utc};
use clap::Args;

/// How far back by default.
pub const DEFAULT_SINCE: &str = "6h";

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// How far back: 30m, 6h, 2d (CloudTrail keeps 90 days)
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_SINCE)]
    pub since: String,

    /// Only changes that touched this service, most suspect first (repeatable)
    #[arg(long, value_name = "CLUSTER/SERVICE")]
    pub service: Vec<String>,

    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// What the command needs from the settings.
pub struct ChangesScope<'a> {
    pub clusters: &'a [String],
    pub mappings: &'a [crate::domain::alarms::AlarmMapping],
    pub data_dir: &'a std::path::Path,
}

/// A service asked for, and its onset once read.
struct Asked {
    key: ServiceKey,
    onset: Option<DateTime<Utc>>,
    /// The pair's account id.
    account: Option<String>,
}

pub async fn run(
    args: &ChangesArgs,
    opened: &super::pairs::Opened,
    scope: &ChangesScope<'_>,
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let span = crate::domain::timeline::time_input::parse_span(&args.since)
        .map_err(|e| super::logs::refused("--since", e))?;
    let wanted: Vec<(String, String)> = args
        .service
        .iter()
        .map(|s| parse_service(s))
        .collect::<Result<_, _>>()?;
    let now = clock.now();
    let since = now - span;
    let journal = journal_since(scope.data_dir, since);
    let pairs = opened.pairs();
    let reads = pairs.iter().map(|(pair, account)| {
        let ask = ChangesAsk {
            pair,
            clusters: scope.clusters,
            since,
            journal: &journal,
            mappings: scope.mappings,
            want_alarms: !wanted.is_empty(),
        };
        let ports = crate::workers::changes::ChangesPorts::of(account);
        async move { read_changes(&ports, &ask).await }
    });
    let results = futures::future::join_all(reads).await;
    let mut changes: Vec<Change> = Vec::new();
    let mut coverages = Vec::new();
    let mut asked: Vec<Asked> = Vec::new();
    let mut errors: Vec<(crate::domain::Pair, String)> = Vec::new();
    let mut accounts: Vec<(crate::domain::Pair, Option<String>)> = Vec::new();
    let mut reads: Vec<(crate::domain::Pair, ChangesRead)> = Vec::new();
    for ((pair, _), result) in pairs.iter().zip(results) {
        match result {
            Ok(read) => reads.push((pair.clone(), read)),
            Err(err) => {
                crate::errln!("error: {}: {}", pair.label(), one_line(&err.to_string()));
                errors.push((pair.clone(), err.to_string()));
            }
        }
    }
    for (pair, read) in &reads {
        let account = read
            .services
            .iter()
            .find_map(|s| crate::domain::service::arn_place(&s.arn).map(|(_, a)| a.to_string()));
        accounts.push((pair.clone(), account.clone()));
        for (cluster, service) in &wanted {
            let Some(s) = read
                .services
                .iter()
                .find(|s| &s.cluster == cluster && &s.name == service)
            else {
                continue;
            };
            let key = s.key();
            let alarms: Vec<&crate::domain::alarms::Alarm> = read
                .alarms
                .iter()
                .filter(|a| a.services.contains(&key))
                .map(|a| &a.alarm)
                .collect();
            // In trouble: not healthy, or an alarm of it is going off.
            let troubled = crate::domain::health::classify(s, now).health
                != crate::domain::Health::Healthy
                || alarms
                    .iter()
                    .any(|a| a.state == crate::domain::alarms::AlarmState::Alarm);
            asked.push(Asked {
                key,
                onset: troubled.then(|| onset(&signals(s, &alarms))).flatten(),
                account: account.clone(),
            });
        }
    }
    for (cluster, service) in &wanted {
        if !asked
            .iter()
            .any(|a| &a.key.cluster == cluster && &a.key.service == service)
            && !reads.is_empty()
        {
            return Err(CliError::Settings(crate::settings::SettingsError::Input(
                format!("--service {cluster}/{service}: no such service is watched (`triage status` lists them)"),
            )));
        }
    }
    for (pair, read) in reads {
        coverages.push((pair.label(), read.coverage));
        changes.extend(read.changes);
    }
    dedupe_journal(&mut changes);
    changes.sort_by_key(|c| std::cmp::Reverse(c.at));
    let listed = order(&changes, &asked);
    let account_of = |pair: &crate::domain::Pair| {
        accounts
            .iter()
            .find(|(p, _)| p == pair)
            .and_then(|(_, a)| a.clone())
    };
    match args.output {
        Format::Json => {
            let coverage_refs: Vec<(String, &crate::domain::changes::Coverage)> =
                coverages.iter().map(|(l, c)| (l.clone(), c)).collect();
            let doc = ChangesDoc {
                schema_version: Version,
                generated_at: super::output::rfc3339(now),
                pairs: opened.json(account_of, |pair| {
                    errors
                        .iter()
                        .find(|(p, _)| p == pair)
                        .map(|(_, e)| crate::domain::sanitize::strip_controls(e))
                }),
                changes: listed
                    .iter()
                    .map(|(c, before)| ChangeJson::of(c, account_of(&c.pair).as_deref(), *before))
                    .collect(),
                onsets: asked
                    .iter()
                    .map(|a| OnsetJson {
                        place: super::output::schema::Place {
                            account: a.account.clone(),
                            account_name: a.key.pair.account.clone(),
                            region: a.key.pair.region.clone(),
                        },
                        service: format!("{}/{}", a.key.cluster, a.key.service),
                        onset: a.onset.map(super::output::rfc3339),
                    })
                    .collect(),
                coverage: CoverageJson::of(&coverage_refs, since, now),
            };
            crate::outln!("{}", super::output::json_text(&doc));
        }
        Format::Text => print_text(
            &listed,
            &asked,
            &coverages,
            opened.usable.len() > 1,
            since,
            now,
        ),
    }
    Ok(if errors.is_empty() && opened.failed.is_empty() {
        exit::OK
    } else {
        exit::AWS
    })
}

/// `CLUSTER/SERVICE`.
fn parse_service(text: &str) -> Result<(String, String), CliError> {
    match text.split_once('/') {
        Some((c, s)) if !c.is_empty() && !s.is_empty() && !s.contains('/') => {
            Ok((c.to_string(), s.to_string()))
        }
        _ => Err(CliError::Settings(crate::settings::SettingsError::Input(
            format!(
                "--service {}: write CLUSTER/SERVICE, e.g. --service prod-web/payments",
                one_line(text)
            ),
        ))),
    }
}

/// Every incident's entries since `since` (triage's own actions).
fn journal_since(
    data_dir: &std::path::Path,
    since: DateTime<Utc>,
) -> Vec<crate::domain::timeline::Entry> {
    match crate::store::IncidentStore::new(data_dir).list() {
        Ok(incidents) => incidents
            .into_iter()
            .flat_map(|l| l.incident.entries)
            .filter(|e| e.occurred_at >= since)
            .collect(),
        Err(err) => {
            crate::errln!(
                "warning: triage's own actions are not shown: {}",
                one_line(&err.to_string())
            );
            Vec::new()
        }
    }
}

/// A journal entry is read by every pair: keep it once, where it touched a
/// service if it did anywhere.
fn dedupe_journal(changes: &mut Vec<Change>) {
    use crate::domain::changes::SourceKind;
    let is_triage = |c: &Change| {
        c.sources
            .first()
            .is_some_and(|s| s.kind == SourceKind::Triage)
    };
    let attributed: std::collections::HashSet<String> = changes
        .iter()
        .filter(|c| is_triage(c) && !c.services.is_empty())
        .map(|c| c.id().to_string())
        .collect();
    let mut unattributed = std::collections::HashSet::new();
    changes.retain(|c| {
        if !is_triage(c) || !c.services.is_empty() {
            return true;
        }
        !attributed.contains(c.id()) && unattributed.insert(c.id().to_string())
    });
}

/// The changes to list, each with how long before its service's onset it
/// came: all of them newest first, or the asked services' suspects.
fn order<'a>(changes: &'a [Change], asked: &[Asked]) -> Vec<(&'a Change, Option<Duration>)> {
    if asked.is_empty() {
        return changes.iter().map(|c| (c, None)).collect();
    }
    let mut listed: Vec<(&Change, Option<Duration>)> = Vec::new();
    for a in asked {
        // No onset: ranked from the newest change (nearest first).
        let reference = a.onset.or_else(|| {
            changes
                .iter()
                .filter(|c| c.touches(&a.key))
                .map(|c| c.at)
                .max()
        });
        let Some(reference) = reference else {
            continue;
        };
        for suspect in rank(changes, &a.key, reference) {
            if !listed.iter().any(|(c, _)| std::ptr::eq(*c, suspect.change)) {
                listed.push((suspect.change, a.onset.map(|_| suspect.before_onset)));
            }
        }
    }
    listed
}

fn print_text(
    listed: &[(&Change, Option<Duration>)],
    asked: &[Asked],
    coverages: &[(String, crate::domain::changes::Coverage)],
    several: bool,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    for a in asked {
        let name = format!("{}/{}", a.key.cluster, a.key.service);
        match a.onset {
            Some(at) => crate::outln!(
                "{}: trouble since {} ({} ago); changes nearest before it first:",
                one_line(&name),
                at.format("%Y-%m-%d %H:%M:%SZ"),
                ago(now - at)
            ),
            None => crate::outln!(
                "{}: no trouble seen; its changes nearest before now first:",
                one_line(&name)
            ),
        }
    }
    if listed.is_empty() {
        crate::outln!(
            "No changes since {} ({} ago).",
            since.format("%Y-%m-%d %H:%M:%SZ"),
            ago(now - since)
        );
    }
    for (change, before) in listed {
        let place = if several {
            format!(" [{}]", one_line(&change.pair.label()))
        } else {
            String::new()
        };
        let when = match before {
            Some(d) if *d >= Duration::zero() => format!("{} before onset", ago(*d)),
            Some(d) => format!("{} after onset", ago(-*d)),
            None => format!("{} ago", ago(now - change.at)),
        };
        let services = if change.services.is_empty() {
            "(account)".to_string()
        } else {
            change
                .services
                .iter()
                .map(|k| format!("{}/{}", k.cluster, k.service))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sources: Vec<&str> = change.sources.iter().map(|s| s.kind.as_str()).collect();
        crate::outln!(
            "{}  {:<22} {} by {}  {}{}  [{}]",
            change.at.format("%Y-%m-%d %H:%M:%SZ"),
            when,
            one_line(&change.action),
            one_line(&change.actor),
            one_line(&services),
            place,
            sources.join("+")
        );
        crate::outln!("    {}", one_line(&change.summary));
        for line in &change.detail {
            crate::outln!("    {}", one_line(line));
        }
    }
    for (label, c) in coverages {
        let pair = if several {
            format!("{}: ", one_line(label))
        } else {
            String::new()
        };
        crate::outln!(
            "{pair}CloudTrail from {} to {}: {} write events, {} of them ECS's own churn or failed calls (not shown); {} LookupEvents calls, {} events kept from earlier reads",
            since.format("%H:%M:%SZ"),
            c.to.unwrap_or(now).format("%H:%M:%SZ"),
            c.events,
            c.noise,
            c.calls,
            c.cached
        );
        for u in &c.unread {
            crate::outln!("{pair}not read: {}", one_line(u));
        }
    }
}
