//! `triage logs <ID>`: every line of one request, from every service's log
//! group, merged by time. JSON Lines on stdout (one event per line, in time
//! order), what was searched on stderr. Exit 0 when something matched, 1 when
//! nothing did (like grep), 2 bad input, 3 AWS error.

use super::exit;
use super::output::rfc3339;
use super::Format;
use crate::domain::logsearch::{LogEvent, Matcher};
use crate::domain::ports::{EcsPort, LogSearchPort};
use crate::domain::sanitize::{one_line, strip_controls};
use crate::domain::timeline::time_input;
use crate::domain::Clock;
use crate::settings::SettingsError;
use crate::workers::logsearch::{discover_groups, filter_search, GroupOutcome, SearchTarget};
use chrono::SecondsFormat;
use clap::{Args, ValueEnum};
use serde_json::json;

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
    ecs: &dyn EcsPort,
    search: &dyn LogSearchPort,
    settings: &crate::settings::Settings,
    clock: &dyn Clock,
) -> anyhow::Result<u8> {
    let clusters = &settings.clusters;
    let fields = if args.field.is_empty() {
        &settings.correlation_fields
    } else {
        &args.field
    };
    let matcher = Matcher::new(&args.id, fields).map_err(|m| invalid("ID", m))?;
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

    let mut targets = discover_groups(ecs, clusters, &args.service).await?;
    for group in args.log_group.iter().chain(&settings.log_groups) {
        if !targets.iter().any(|t| &t.group == group) {
            targets.push(SearchTarget {
                group: group.clone(),
                service: None,
            });
        }
    }
    if targets.is_empty() {
        return Err(invalid(
            "log groups",
            "none to search: the watched services' task definitions name no awslogs group; pass --log-group".into(),
        )
        .into());
    }
    let groups: Vec<String> = targets.iter().map(|t| t.group.clone()).collect();
    let service_of = |group: &str| {
        targets
            .iter()
            .find(|t| t.group == group)
            .and_then(|t| t.service.clone())
            .unwrap_or_else(|| group.to_string())
    };

    for warning in retention_warnings(search, &groups, start, now).await {
        eprintln!("warning: {warning}");
    }
    let format = args.output;
    let engine = args.engine.pick(end - start);
    let print = |hits: &[LogEvent]| {
        for event in hits {
            print_event(event, &service_of(&event.group), format);
        }
    };
    let result = match engine {
        Engine::Insights => {
            let chunk = crate::workers::insights::chunk_for(start, end);
            crate::workers::insights::insights_search(
                search, &groups, &matcher, start, end, chunk, print,
            )
            .await
        }
        _ => filter_search(search, &groups, &matcher, start, end, print).await,
    };

    eprintln!(
        "searched {} log group{} from {} to {} with the {} engine{}",
        groups.len(),
        if groups.len() == 1 { "" } else { "s" },
        rfc3339(start),
        rfc3339(end),
        engine.name(),
        if result.complete() {
            ""
        } else {
            " — INCOMPLETE"
        }
    );
    let mut aws_failures = 0;
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
        };
        eprintln!("  {group}: {what}");
    }
    let mut matched = !result.events.is_empty();
    if args.follow {
        matched |= follow(
            search,
            &groups,
            &matcher,
            end,
            &result.events,
            clock,
            |hits| print(hits),
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

/// A warning per group whose retention ends after the window starts: the
/// part before it cannot match (its events are gone).
async fn retention_warnings(
    search: &dyn LogSearchPort,
    groups: &[String],
    start: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    // The shortest retention is one day: a window within it costs no call.
    if now - start <= chrono::Duration::days(1) {
        return warnings;
    }
    for group in groups {
        // Unknown retention (or no permission to read it) is no reason to stop.
        let Ok(Some(days)) = search.retention_days(group).await else {
            continue;
        };
        let kept_from = now - chrono::Duration::days(i64::from(days));
        if start < kept_from {
            warnings.push(format!(
                "{group} keeps {days} day{} of logs: nothing before {} can be found there (the window starts {})",
                if days == 1 { "" } else { "s" },
                rfc3339(kept_from),
                rfc3339(start)
            ));
        }
    }
    warnings
}

/// How often `--follow` looks for new lines.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(3);
/// Each look goes this far back (lines are ingested late); repeats are dropped.
const FOLLOW_OVERLAP_SECONDS: i64 = 30;

/// Poll for new lines with the ID until Ctrl-C; true when any arrived.
async fn follow(
    search: &dyn LogSearchPort,
    groups: &[String],
    matcher: &Matcher,
    from: chrono::DateTime<chrono::Utc>,
    already: &[LogEvent],
    clock: &dyn Clock,
    mut print: impl FnMut(&[LogEvent]),
) -> bool {
    use std::hash::{Hash, Hasher};
    let key = |e: &LogEvent| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&e.group, &e.stream, e.timestamp, &e.message).hash(&mut h);
        h.finish()
    };
    eprintln!(
        "following {}: new lines appear as they arrive (Ctrl-C ends)",
        matcher.id()
    );
    let mut seen: std::collections::HashSet<u64> = already.iter().map(key).collect();
    let mut last = from;
    let mut any = false;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return any,
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
        }
        let now = clock.now();
        let start = last - chrono::Duration::seconds(FOLLOW_OVERLAP_SECONDS);
        let result = filter_search(search, groups, matcher, start, now, |_| {}).await;
        let fresh: Vec<LogEvent> = result
            .events
            .into_iter()
            .filter(|e| seen.insert(key(e)))
            .collect();
        if !fresh.is_empty() {
            any = true;
            print(&fresh);
        }
        last = now;
    }
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
