//! One pair's search for `triage logs`: its groups (known at once, the rest
//! discovered), the engine the window calls for, hits handed to the printer
//! in time order; then what it searched and what it cost, said on stderr.

use super::insights::{insights_engine, InsightsRun};
use super::{describe_calls, invalid, plural, Engine, LogsArgs};
use crate::cli::exit::CliError;
use crate::cli::output::rfc3339;
use crate::domain::logsearch::{LogEvent, Matcher, SearchTarget};
use crate::domain::ports::{calls_since, CallCounts};
use crate::domain::sanitize::one_line;
use crate::workers::logsearch::{discover_groups, GroupOutcome};
use crate::workers::pipeline::{pipeline_search, CallCap, PipelineOutcome, SearchWindow};
use chrono::{DateTime, Utc};

/// What one pair's search did.
pub(super) struct Searched {
    pub outcome: PipelineOutcome,
    /// Where the search began (the window's start, or later when no group
    /// keeps logs that old).
    pub searched_from: DateTime<Utc>,
    pub engine: Engine,
    pub ecs_cost: CallCounts,
    pub logs_cost: CallCounts,
    pub cap_used: u64,
}

/// Search one pair's groups for the ID; hits go to `print` as they are found.
pub(super) async fn search_pair<P>(
    args: &LogsArgs,
    account: &crate::wiring::Account,
    settings: &crate::settings::Settings,
    matcher: &Matcher,
    (start, end, now): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
    print: &P,
) -> Result<Searched, CliError>
where
    P: Fn(&[LogEvent], &[SearchTarget]),
{
    let (ecs, search) = (account.ecs.as_ref(), account.search.as_ref());
    let clusters = &settings.clusters;
    // Groups searched at once: what the last discovery found (cached), the
    // config's and the command line's; discovery refreshes the rest.
    let explicit: Vec<String> = args
        .log_group
        .iter()
        .chain(&settings.log_groups)
        .cloned()
        .collect();
    let mut known = account.log_groups.get(clusters, &args.service);
    for group in &explicit {
        if !known.iter().any(|t| &t.group == group) {
            known.push(SearchTarget {
                group: group.clone(),
                service: None,
            });
        }
    }
    let discovery = async {
        let found = discover_groups(ecs, clusters, &args.service).await;
        if let Ok(targets) = &found {
            account.log_groups.put(clusters, &args.service, targets);
        }
        found
    };
    let cap = CallCap::new(if args.yes {
        None
    } else {
        Some(settings.max_search_calls)
    });
    let ecs_before = ecs.calls();
    let logs_before = search.calls();
    let engine = args.engine.pick(end - start);
    let (outcome, searched_from) = match engine {
        Engine::Insights => {
            insights_engine(InsightsRun {
                search,
                known,
                discovery,
                matcher,
                window: (start, end, now),
                cap: &cap,
                print,
            })
            .await?
        }
        _ => {
            let outcome = pipeline_search(
                search,
                known,
                &explicit,
                discovery,
                SearchWindow {
                    matcher,
                    start,
                    end,
                    now,
                    cap: &cap,
                },
                print,
            )
            .await;
            (outcome, start)
        }
    };
    if outcome.targets.is_empty() {
        return Err(match &outcome.discovered {
            Err(err) => CliError::PortWhile {
                doing: "cannot list the log groups",
                source: err.clone(),
            },
            Ok(_) => invalid(
                "log groups",
                "none to search: the watched services' task definitions name no awslogs group; pass --log-group".into(),
            )
            .into(),
        });
    }
    Ok(Searched {
        outcome,
        searched_from,
        engine,
        ecs_cost: calls_since(&ecs_before, &ecs.calls()),
        logs_cost: calls_since(&logs_before, &search.calls()),
        cap_used: cap.used(),
    })
}

/// What the searches of every pair add up to.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub groups: usize,
    pub aws_failures: usize,
    pub capped: usize,
    pub matched: bool,
    /// Pairs whose search could not run at all.
    pub pairs_failed: usize,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.groups += other.groups;
        self.aws_failures += other.aws_failures;
        self.capped += other.capped;
        self.matched |= other.matched;
        self.pairs_failed += other.pairs_failed;
    }
}

/// Say on stderr what one pair's search covered, group by group, and what
/// it cost (each line after `prefix`, the pair's name when there are several).
pub(super) fn report(
    args: &LogsArgs,
    searched: &Searched,
    prefix: &str,
    end: DateTime<Utc>,
) -> Tally {
    // Long on purpose: one report, a line per group, whose counters make the tally.
    let outcome = &searched.outcome;
    if let Err(err) = &outcome.discovered {
        crate::errln!(
            "{prefix}warning: the services' log groups could not be listed ({}); searched the {} known ones",
            one_line(&err.to_string()),
            outcome.targets.len()
        );
    }
    for c in &outcome.clipped {
        crate::errln!(
            "{prefix}warning: {} keeps {} day{} of logs: searched it from {} (nothing older exists)",
            c.group,
            c.days,
            if c.days == 1 { "" } else { "s" },
            rfc3339(c.from)
        );
    }
    let result = &outcome.result;
    let groups = outcome.targets.len();
    let engine = searched.engine;
    crate::errln!(
        "{prefix}searched {} log group{} from {} to {} with the {} engine{}",
        groups,
        plural(groups),
        rfc3339(searched.searched_from),
        rfc3339(end),
        engine.name(),
        if result.complete() {
            ""
        } else {
            " — INCOMPLETE"
        }
    );
    let mut tally = Tally {
        groups: result.groups.len(),
        matched: !result.events.is_empty(),
        ..Tally::default()
    };
    for (group, outcome) in &result.groups {
        let what = match outcome {
            GroupOutcome::Done {
                pages,
                hits,
                throttled,
            } => {
                let retried = if *throttled > 0 {
                    format!(", throttled {throttled}× and retried")
                } else {
                    String::new()
                };
                let (unit, units) = match (engine == Engine::Insights, *pages == 1) {
                    (true, true) => ("quer", "y"),
                    (true, false) => ("quer", "ies"),
                    (false, true) => ("page", ""),
                    (false, false) => ("page", "s"),
                };
                format!(
                    "done: {hits} hit{} in {pages} {unit}{units}{retried}",
                    plural(*hits),
                )
            }
            GroupOutcome::Missing => "missing: no such log group".into(),
            GroupOutcome::AccessDenied(message) => {
                tally.aws_failures += 1;
                format!("access denied: {}", one_line(message))
            }
            GroupOutcome::Failed(message) => {
                tally.aws_failures += 1;
                format!("not searched: {}", one_line(message))
            }
            GroupOutcome::Capped(limit) => {
                tally.capped += 1;
                format!("not searched to the end: the search reached its cap of {limit} calls")
            }
        };
        crate::errln!("{prefix}  {group}: {what}");
    }
    crate::errln!(
        "{prefix}cost: discovery {} in {:.2} s; search {} in {:.2} s",
        describe_calls(&searched.ecs_cost),
        outcome.discovery_took.as_secs_f64(),
        describe_calls(&searched.logs_cost),
        outcome.took.as_secs_f64()
    );
    if args.verbose {
        if !outcome.gone.is_empty() {
            crate::errln!(
                "{prefix}  {} group{} remembered from the last discovery no longer exist: {}",
                outcome.gone.len(),
                plural(outcome.gone.len()),
                outcome.gone.join(", ")
            );
        }
        if let Ok(found) = &outcome.discovered {
            crate::errln!(
                "{prefix}  discovery found {} group{}",
                found.len(),
                plural(found.len())
            );
        }
        crate::errln!(
            "{prefix}  calls counted against the cap: {}",
            searched.cap_used
        );
    }
    tally
}
