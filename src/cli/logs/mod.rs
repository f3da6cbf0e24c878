//! `triage logs <ID>`: every line of one request, from every service's log
//! group of every watched pair, merged by time. JSON Lines on stdout (one
//! event per line, in time order; with several pairs each names its
//! `account_name` and `region`), what was searched on stderr. Exit 0 when
//! something matched, 1 when nothing did (like grep), 2 bad input, 3 AWS
//! error (or a pair that could not be searched).

use super::exit;
use super::output::rfc3339;
use super::Format;
use crate::domain::logsearch::{LogEvent, Matcher, SearchTarget};
use crate::domain::sanitize::{one_line, strip_controls};
use crate::domain::timeline::time_input;
use crate::domain::{Clock, Pair};
use crate::settings::SettingsError;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};

mod follow;
mod insights;
mod search;
pub mod trace;

use follow::follow;

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
pub(crate) const AUTO_FILTER_HOURS: i64 = 6;

impl Engine {
    /// The engine a window gets.
    pub(crate) fn pick(self, window: chrono::Duration) -> Engine {
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

pub(super) fn invalid(what: &str, message: String) -> SettingsError {
    SettingsError::Invalid {
        what: what.into(),
        message,
    }
}

/// Run `triage logs` over these pairs (one, unnamed, for a single-pair
/// session): each pair searched at once on its own clients and budgets,
/// the hits of all merged into one stream in time order as they arrive.
pub async fn run(
    args: &LogsArgs,
    pairs: &[(Pair, &crate::wiring::Account)],
    settings: &crate::settings::Settings,
    clock: &dyn Clock,
) -> Result<u8, super::exit::CliError> {
    // Long on purpose: one search (window, every pair's pipeline, the merged printer, each pair's report, follow, the exit code) whose steps share the clock, the printer and the tallies.
    let now = clock.now();
    let (matcher, (start, end)) = asked(args, settings, now)?;
    // With --follow, Ctrl-C ends the follow: listen from now, so one that
    // comes during the first search is not lost either.
    let mut interrupted = match args.follow {
        true => Some(
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(super::exit::CliError::Output)?,
        ),
        false => None,
    };
    let several = pairs.len() > 1;
    let format = args.output;
    // With several pairs every line names its account: each pair's id, read
    // once, all at once, before the first line is printed.
    // Every JSON line names its account; text names the pair when several.
    let accounts: std::collections::HashMap<Pair, String> = if several || format == Format::Json {
        let asked = pairs.iter().map(|(pair, account)| async move {
            let id = account.ecs.identity().await.ok().and_then(|i| i.account);
            (pair.clone(), id)
        });
        futures::future::join_all(asked)
            .await
            .into_iter()
            .filter_map(|(pair, id)| Some((pair, id?)))
            .collect()
    } else {
        Default::default()
    };
    let place = |event: &LogEvent| {
        (
            event.pair.clone(),
            accounts.get(&event.pair).cloned(),
            several,
        )
    };
    // Each pair sends its hits in time order; across pairs a line is
    // printed once no pair still searching can send an older one.
    let labels: Vec<String> = pairs.iter().map(|(p, _)| p.label()).collect();
    let merged = std::sync::Mutex::new(crate::domain::logsearch::Merger::new(&labels));
    // The service writing to each (pair, group), as each pair's search learns it.
    let services: Services = Default::default();
    let print_ready = |merger: &mut crate::domain::logsearch::Merger| {
        for event in merger.ready() {
            let service = service_of(&services, &event);
            print_event(&event, &service, place(&event), format);
        }
    };
    let searches = pairs.iter().map(|(pair, account)| {
        let (merged, matcher, services) = (&merged, &matcher, &services);
        async move {
            let print = |hits: &[LogEvent], targets: &[SearchTarget]| {
                learn_services(services, pair, targets);
                let stamped: Vec<LogEvent> = hits
                    .iter()
                    .map(|e| LogEvent {
                        pair: pair.clone(),
                        ..e.clone()
                    })
                    .collect();
                let mut merger = merged.lock().unwrap_or_else(|e| e.into_inner());
                merger.push(&pair.label(), stamped);
                print_ready(&mut merger);
            };
            let searched =
                search::search_pair(args, account, settings, matcher, (start, end, now), &print)
                    .await;
            let mut merger = merged.lock().unwrap_or_else(|e| e.into_inner());
            merger.finish(&pair.label());
            print_ready(&mut merger);
            (pair, account, searched)
        }
    });
    let searched = futures::future::join_all(searches).await;
    let mut tally = search::Tally::default();
    let mut failed: Option<super::exit::CliError> = None;
    let mut followed: Vec<(Pair, &dyn crate::domain::ports::LogSearchPort, Vec<String>)> =
        Vec::new();
    let mut already: Vec<LogEvent> = Vec::new();
    for (pair, account, result) in searched {
        let prefix = if several {
            format!("{pair}: ")
        } else {
            String::new()
        };
        match result {
            Ok(done) => {
                tally.add(search::report(args, &done, &prefix, end));
                already.extend(done.outcome.result.events.iter().cloned());
                let groups = done.outcome.targets.iter().map(|t| t.group.clone());
                followed.push((pair.clone(), account.search.as_ref(), groups.collect()));
            }
            Err(err) if several => {
                crate::errln!("error: {prefix}{}", strip_controls(&err.to_string()));
                tally.pairs_failed += 1;
                failed.get_or_insert(err);
            }
            Err(err) => return Err(err),
        }
    }
    if tally.pairs_failed == pairs.len() {
        if let Some(err) = failed {
            return Err(err);
        }
    }
    if tally.capped > 0 {
        crate::errln!(
            "INCOMPLETE: stopped at {} calls ([logs] max_calls in the config); the {} group{} not searched to the end need at least {} more; narrow the window (--since, --start) or pass --yes to search all of it",
            settings.max_search_calls,
            tally.capped,
            plural(tally.capped),
            tally.capped,
        );
        return Ok(exit::USAGE);
    }
    let mut matched = tally.matched;
    if let Some(interrupted) = interrupted.as_mut() {
        matched |= follow(
            interrupted,
            &followed,
            &matcher,
            end,
            &already,
            clock,
            |hits| {
                for event in hits {
                    let service = service_of(&services, event);
                    print_event(event, &service, place(event), format);
                }
            },
        )
        .await;
    }
    if tally.aws_failures > 0 {
        crate::errln!(
            "INCOMPLETE: {} of {} log group{} could not be searched (said above): the lines shown are from the others; exit code 3",
            tally.aws_failures,
            tally.groups,
            plural(tally.groups),
        );
    }
    // An answer with a part AWS did not give (a pair, a group) is incomplete
    // whatever matched: exit 3, so a script knows not everything was read.
    Ok(if tally.pairs_failed > 0 || tally.aws_failures > 0 {
        exit::AWS
    } else if matched {
        exit::OK
    } else {
        exit::PROBLEM_FOUND
    })
}

/// The window asked for: `--start`/`--since`/`--end`, one hour by default.
/// A search's window: from, to.
pub(super) type Window = (DateTime<Utc>, DateTime<Utc>);

/// The ID's matcher (the fields it is looked for in) and the window.
pub(super) fn asked(
    args: &LogsArgs,
    settings: &crate::settings::Settings,
    now: DateTime<Utc>,
) -> Result<(Matcher, Window), super::exit::CliError> {
    let fields = if args.field.is_empty() {
        &settings.correlation_fields
    } else {
        &args.field
    };
    let matcher = Matcher::new(&args.id, fields).map_err(|m| invalid("ID", m.to_string()))?;
    Ok((matcher, window(args, now)?))
}

fn window(args: &LogsArgs, now: DateTime<Utc>) -> Result<Window, super::exit::CliError> {
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
    Ok((start, end))
}

/// The service that writes to each (pair, log group).
type Services = std::sync::Mutex<std::collections::HashMap<(Pair, String), String>>;

fn learn_services(services: &Services, pair: &Pair, targets: &[SearchTarget]) {
    let mut known = services.lock().unwrap_or_else(|e| e.into_inner());
    for target in targets {
        if let Some(service) = &target.service {
            known.insert((pair.clone(), target.group.clone()), service.clone());
        }
    }
}

/// A hit's service: the one its group belongs to, else the group itself.
fn service_of(services: &Services, event: &LogEvent) -> String {
    services
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(event.pair.clone(), event.group.clone()))
        .cloned()
        .unwrap_or_else(|| event.group.clone())
}

/// `7 calls (ListClusters 1, ListServices 2, DescribeServices 4; 26 task
/// definitions from the cache)`.
pub(crate) fn describe_calls(calls: &crate::domain::ports::CallCounts) -> String {
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

/// One line out: JSON (its place always) or text (the pair first when
/// several are searched).
fn print_event(
    event: &LogEvent,
    service: &str,
    (pair, account, several): (Pair, Option<String>, bool),
    format: Format,
) {
    let message = strip_controls(&event.message);
    match format {
        Format::Json => {
            let line = super::output::shapes::LogLine {
                schema_version: super::output::schema::Version,
                place: super::output::schema::Place {
                    account,
                    account_name: pair.account.clone(),
                    region: pair.region.clone(),
                },
                timestamp: event.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
                service: service.to_string(),
                log_group: event.group.clone(),
                log_stream: event.stream.clone(),
                task_id: event.stream.rsplit('/').next().map(str::to_string),
                fields: serde_json::from_str(message.trim()).unwrap_or(serde_json::Value::Null),
                message,
            };
            crate::outln!("{}", super::output::json_line(&line));
        }
        Format::Text => match several.then_some(pair) {
            Some(pair) => crate::outln!(
                "{}  {:<20}  {:<24}  {}",
                event.timestamp.format("%H:%M:%S%.3f"),
                pair.label(),
                service,
                one_line(&message)
            ),
            None => crate::outln!(
                "{}  {:<24}  {}",
                event.timestamp.format("%H:%M:%S%.3f"),
                service,
                one_line(&message)
            ),
        },
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
