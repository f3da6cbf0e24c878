//! `triage logs <ID>`: every line of one request, from every service's log
//! group, merged by time. JSON Lines on stdout (one event per line, in time
//! order), what was searched on stderr. Exit 0 when something matched, 1 when
//! nothing did (like grep), 2 bad input, 3 AWS error.

use super::exit;
use super::output::rfc3339;
use super::Format;
use crate::domain::logsearch::{LogEvent, Matcher, SearchTarget};
use crate::domain::ports::calls_since;
use crate::domain::sanitize::{one_line, strip_controls};
use crate::domain::timeline::time_input;
use crate::domain::Clock;
use crate::settings::SettingsError;
use crate::workers::logsearch::{discover_groups, GroupOutcome};
use crate::workers::pipeline::{pipeline_search, CallCap, SearchWindow};
use chrono::SecondsFormat;
use clap::{Args, ValueEnum};
use serde_json::json;

mod follow;
mod insights;

use follow::follow;
use insights::{insights_engine, InsightsRun};

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The correlation (request, trace) ID
    pub id: String,

    /// How far back to search: 30m, 1h, 2d (default 1h)
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["start", "end"])]
    pub since: Option<String>,

    /// Window start: 2026-01-28T03:00:00Z, 03:00 (UTC), 2h ago
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,

    /// Window end (default: now)
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,

    /// Only this service's log groups (repeatable)
    #[arg(long, value_name = "NAME")]
    pub service: Vec<String>,

    /// Also search this log group (repeatable)
    #[arg(long, value_name = "GROUP")]
    pub log_group: Vec<String>,

    /// JSON field that carries the ID (repeatable; default: correlationId, requestId, traceId…)
    #[arg(long, value_name = "NAME")]
    pub field: Vec<String>,

    /// Search engine
    #[arg(long, value_enum, default_value_t = Engine::Auto)]
    pub engine: Engine,

    /// After the search, keep printing new lines with the ID as they arrive (Ctrl-C ends)
    #[arg(long, conflicts_with = "end")]
    pub follow: bool,

    /// Search even when it takes more calls than `[logs] max_calls` (2,000) allows
    #[arg(long)]
    pub yes: bool,

    /// Say what each stage cost in more detail
    #[arg(short, long)]
    pub verbose: bool,

    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// `auto`: `filter` for windows up to six hours, `insights` beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Auto,
    /// FilterLogEvents over every group at once, hits as they arrive
    Filter,
    /// Logs Insights, the window in chunks newest first (long windows)
    Insights,
}

/// Windows longer than this go to Logs Insights under `auto`.
pub const AUTO_FILTER_HOURS: i64 = 6;

impl Engine {
    /// The engine a window gets.
    pub fn pick(self, window: chrono::Duration) -> Engine {
        match self {
            Engine::Auto if window > chrono::Duration::hours(AUTO_FILTER_HOURS) => Engine::Insights,
            Engine::Auto => Engine::Filter,
            other => other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Engine::Auto => "auto",
            Engine::Filter => "filter",
            Engine::Insights => "Logs Insights",
        }
    }
}

/// A time or span the flag would not take, said with the flag.
pub fn refused(flag: &str, err: time_input::TimeInputError) -> SettingsError {
    SettingsError::Input(err.message(Some(flag)))
}

fn invalid(what: &str, message: String) -> SettingsError {
    SettingsError::Invalid {
        what: what.into(),
        message,
    }
}

pub async fn run(
    args: &LogsArgs,
    account: &crate::wiring::Account,
    settings: &crate::settings::Settings,
    clock: &dyn Clock,
) -> Result<u8, super::exit::CliError> {
    // Long on purpose: one pipeline (window, discovery, search, print, cost) whose steps share the clock, the counters and the printer; each step is a call into workers/ or a helper here.
    let (ecs, search) = (account.ecs.as_ref(), account.search.as_ref());
    let clusters = &settings.clusters;
    let fields = if args.field.is_empty() {
        &settings.correlation_fields
    } else {
        &args.field
    };
    let matcher = Matcher::new(&args.id, fields).map_err(|m| invalid("ID", m.to_string()))?;
    let now = clock.now();
    let end = match &args.end {
        Some(t) => time_input::parse(t, now).map_err(|e| refused("--end", e))?,
        None => now,
    };
    let start = match (&args.start, &args.since) {
        (Some(t), _) => time_input::parse(t, now).map_err(|e| refused("--start", e))?,
        (None, Some(since)) => {
            end - time_input::parse_span(since).map_err(|e| refused("--since", e))?
        }
        (None, None) => end - chrono::Duration::hours(1),
    };
    if start >= end {
        return Err(invalid(
            "window",
            format!(
                "the window is empty: {} is not before {}",
                rfc3339(start),
                rfc3339(end)
            ),
        )
        .into());
    }

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
    // With --follow, Ctrl-C ends the follow: listen from now, so one that
    // comes during the first search is not lost either.
    let mut interrupted = match args.follow {
        true => Some(
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(super::exit::CliError::Output)?,
        ),
        false => None,
    };
    let cap = CallCap::new(if args.yes {
        None
    } else {
        Some(settings.max_search_calls)
    });
    let ecs_before = ecs.calls();
    let logs_before = search.calls();
    let format = args.output;
    let engine = args.engine.pick(end - start);
    let print = |hits: &[LogEvent], targets: &[SearchTarget]| {
        for event in hits {
            let service = targets
                .iter()
                .find(|t| t.group == event.group)
                .and_then(|t| t.service.clone())
                .unwrap_or_else(|| event.group.clone());
            print_event(event, &service, format);
        }
    };
    let (outcome, searched_from) = match engine {
        Engine::Insights => {
            insights_engine(InsightsRun {
                search,
                known,
                discovery,
                matcher: &matcher,
                window: (start, end, now),
                cap: &cap,
                print: &print,
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
                    matcher: &matcher,
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
            Err(err) => super::exit::CliError::PortWhile {
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
    if let Err(err) = &outcome.discovered {
        eprintln!(
            "warning: the services' log groups could not be listed ({}); searched the {} known ones",
            one_line(&err.to_string()),
            outcome.targets.len()
        );
    }
    for c in &outcome.clipped {
        eprintln!(
            "warning: {} keeps {} day{} of logs: searched it from {} (nothing older exists)",
            c.group,
            c.days,
            if c.days == 1 { "" } else { "s" },
            rfc3339(c.from)
        );
    }
    let result = &outcome.result;
    let groups = outcome.targets.len();
    eprintln!(
        "searched {} log group{} from {} to {} with the {} engine{}",
        groups,
        if groups == 1 { "" } else { "s" },
        rfc3339(searched_from),
        rfc3339(end),
        engine.name(),
        if result.complete() {
            ""
        } else {
            " — INCOMPLETE"
        }
    );
    let mut aws_failures = 0;
    let mut capped = 0usize;
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
                let unit = if engine == Engine::Insights {
                    "quer"
                } else {
                    "page"
                };
                let units = match (engine == Engine::Insights, *pages == 1) {
                    (true, true) => "y",
                    (true, false) => "ies",
                    (false, true) => "",
                    (false, false) => "s",
                };
                format!(
                    "done: {hits} hit{} in {pages} {unit}{units}{retried}",
                    plural(*hits),
                )
            }
            GroupOutcome::Missing => "missing: no such log group".into(),
            GroupOutcome::AccessDenied(message) => {
                aws_failures += 1;
                format!("access denied: {}", one_line(message))
            }
            GroupOutcome::Failed(message) => {
                aws_failures += 1;
                format!("not searched: {}", one_line(message))
            }
            GroupOutcome::Capped(limit) => {
                capped += 1;
                format!("not searched to the end: the search reached its cap of {limit} calls")
            }
        };
        eprintln!("  {group}: {what}");
    }
    let ecs_cost = calls_since(&ecs_before, &ecs.calls());
    let logs_cost = calls_since(&logs_before, &search.calls());
    eprintln!(
        "cost: discovery {} in {:.2} s; search {} in {:.2} s",
        describe_calls(&ecs_cost),
        outcome.discovery_took.as_secs_f64(),
        describe_calls(&logs_cost),
        outcome.took.as_secs_f64()
    );
    if args.verbose {
        if !outcome.gone.is_empty() {
            eprintln!(
                "  {} group{} remembered from the last discovery no longer exist: {}",
                outcome.gone.len(),
                if outcome.gone.len() == 1 { "" } else { "s" },
                outcome.gone.join(", ")
            );
        }
        if let Ok(found) = &outcome.discovered {
            eprintln!(
                "  discovery found {} group{}",
                found.len(),
                plural(found.len())
            );
        }
        eprintln!("  calls counted against the cap: {}", cap.used());
    }
    if capped > 0 {
        eprintln!(
            "INCOMPLETE: stopped at {} calls ([logs] max_calls in the config); the {capped} group{} not searched to the end need at least {capped} more; narrow the window (--since, --start) or pass --yes to search all of it",
            settings.max_search_calls,
            if capped == 1 { "" } else { "s" },
        );
        return Ok(exit::USAGE);
    }
    let mut matched = !result.events.is_empty();
    if let Some(interrupted) = interrupted.as_mut() {
        let groups: Vec<String> = outcome.targets.iter().map(|t| t.group.clone()).collect();
        matched |= follow(
            interrupted,
            search,
            &groups,
            &matcher,
            end,
            &result.events,
            clock,
            |hits| print(hits, &outcome.targets),
        )
        .await;
    }
    Ok(if matched {
        exit::OK
    } else if aws_failures == result.groups.len() {
        exit::AWS
    } else {
        exit::PROBLEM_FOUND
    })
}

/// `7 calls (ListClusters 1, ListServices 2, DescribeServices 4; 26 task
/// definitions from the cache)`.
pub fn describe_calls(calls: &crate::domain::ports::CallCounts) -> String {
    let (cached, made): (Vec<_>, Vec<_>) =
        calls.iter().partition(|(op, _)| op.starts_with("cache:"));
    let total: u64 = made.iter().map(|(_, n)| **n).sum();
    let mut text = format!("{total} call{}", if total == 1 { "" } else { "s" });
    let parts: Vec<String> = made.iter().map(|(op, n)| format!("{op} {n}")).collect();
    let hits: u64 = cached.iter().map(|(_, n)| **n).sum();
    if !parts.is_empty() || hits > 0 {
        text.push_str(" (");
        text.push_str(&parts.join(", "));
        if hits > 0 {
            if !parts.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!(
                "{hits} task definition{} from the cache",
                if hits == 1 { "" } else { "s" }
            ));
        }
        text.push(')');
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_event(event: &LogEvent, service: &str, format: Format) {
    let message = strip_controls(&event.message);
    match format {
        Format::Json => {
            let fields: serde_json::Value =
                serde_json::from_str(message.trim()).unwrap_or(serde_json::Value::Null);
            let line = json!({
                "timestamp": event.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
                "service": service,
                "log_group": event.group,
                "log_stream": event.stream,
                "task_id": event.stream.rsplit('/').next(),
                "message": message,
                "fields": fields,
            });
            println!("{}", super::output::json_line(line));
        }
        Format::Text => println!(
            "{}  {:<24}  {}",
            event.timestamp.format("%H:%M:%S%.3f"),
            service,
            one_line(&message)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::Engine;
    use chrono::Duration;

    #[test]
    fn auto_picks_filter_for_short_windows_and_insights_for_long_ones() {
        assert_eq!(Engine::Auto.pick(Duration::hours(1)), Engine::Filter);
        assert_eq!(Engine::Auto.pick(Duration::hours(6)), Engine::Filter);
        assert_eq!(Engine::Auto.pick(Duration::hours(7)), Engine::Insights);
        assert_eq!(Engine::Filter.pick(Duration::days(3)), Engine::Filter);
        assert_eq!(
            Engine::Insights.pick(Duration::minutes(5)),
            Engine::Insights
        );
    }
}
