//! `triage trace ID`: where one request's time went, from the same search
//! as `triage logs` — its lines in every service, then a span per service
//! (first to last line, reaching back by a line's own `duration_ms`),
//! nested, each with its self time, the bottleneck marked. Exit 0; 1 when
//! no line carries the ID; 2 bad input; 3 AWS error.

use super::{invalid, LogsArgs};
use crate::cli::exit::{self, CliError};
use crate::cli::output::schema::Version;
use crate::cli::output::shapes::trace::TraceDoc;
use crate::cli::Format;
use crate::domain::sanitize::{one_line, strip_controls};
use crate::domain::trace::from_logs::{from_lines, TraceLine};
use crate::domain::trace::trace_id::trace_id_in;
use crate::domain::trace::{took, SpanSource, Waterfall};
use crate::domain::{Clock, Pair};

/// The bar of the longest span, in columns, at most.
const MAX_BAR: usize = 40;
/// Columns left of the bars: three times, the marks, the bottleneck's arrow.
const BESIDE_BARS: usize = 3 * 10 + 2 + 14;

pub async fn run(
    args: &LogsArgs,
    pairs: &[(Pair, &crate::wiring::Account)],
    settings: &crate::settings::Settings,
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    if args.follow {
        return Err(invalid(
            "--follow",
            "a waterfall is drawn once the request is over: drop --follow (`triage logs ID --follow` streams its lines)".into(),
        )
        .into());
    }
    let now = clock.now();
    let (matcher, (start, end)) = super::asked(args, settings, now)?;
    let several = pairs.len() > 1;
    let searches = pairs.iter().map(|(pair, account)| {
        let matcher = &matcher;
        async move {
            let ignore = |_: &[crate::domain::logsearch::LogEvent], _: &[_]| {};
            let searched = super::search::search_pair(
                args,
                account,
                settings,
                matcher,
                (start, end, now),
                &ignore,
            )
            .await;
            (pair, searched)
        }
    });
    let mut lines: Vec<TraceLine> = Vec::new();
    // The X-Ray of the pair whose lines first carry a trace id.
    let mut xray: Option<&crate::wiring::Account> = None;
    let mut failed = 0;
    for (pair, searched) in futures::future::join_all(searches).await {
        match searched {
            Ok(done) => {
                for e in &done.outcome.result.events {
                    let service = done
                        .outcome
                        .targets
                        .iter()
                        .find(|t| t.group == e.group)
                        .and_then(|t| t.service.clone())
                        .unwrap_or_else(|| e.group.clone());
                    let service = if several {
                        format!("{} {service}", pair.label())
                    } else {
                        service
                    };
                    if xray.is_none() && trace_id_in(&e.message).is_some() {
                        xray = pairs.iter().find(|(p, _)| p == pair).map(|(_, a)| *a);
                    }
                    lines.push(TraceLine {
                        service,
                        at_ms: e.timestamp.timestamp_millis(),
                        message: e.message.clone(),
                    });
                }
            }
            Err(err) if several => {
                crate::errln!("error: {pair}: {}", strip_controls(&err.to_string()));
                failed += 1;
            }
            Err(err) => return Err(err),
        }
    }
    let waterfall = match xray {
        Some(account) => {
            crate::workers::trace::waterfall_of(&args.id, &lines, account.traces.as_ref()).await
        }
        None => from_lines(&args.id, &lines),
    };
    match args.output {
        Format::Json => {
            let doc = TraceDoc::of(&waterfall, Version, crate::cli::output::rfc3339(now));
            crate::outln!("{}", crate::cli::output::json_text(&doc));
        }
        Format::Text => print_text(&waterfall, lines.len()),
    }
    Ok(if failed > 0 {
        exit::AWS
    } else if waterfall.spans.is_empty() {
        exit::PROBLEM_FOUND
    } else {
        exit::OK
    })
}

fn print_text(w: &Waterfall, lines: usize) {
    if w.spans.is_empty() {
        crate::outln!(
            "No line carries {} in the window: nothing to draw (widen it with --since).",
            one_line(&w.id)
        );
        return;
    }
    let trace = match (&w.source, &w.trace_id) {
        (SpanSource::Xray, Some(t)) => format!("from X-Ray trace {t}"),
        _ => format!("from {lines} log lines"),
    };
    crate::outln!(
        "{}: {} over {} spans, {trace}",
        one_line(&w.id),
        took(w.total_ms),
        w.spans.len()
    );
    let name_width = w
        .spans
        .iter()
        .enumerate()
        .map(|(i, _)| w.depth(i) * 2 + w.label(i).chars().count() + 2)
        .max()
        .unwrap_or(10)
        .min(40);
    crate::outln!(
        "{:<name_width$} {:>9} {:>9} {:>9}  TIMELINE",
        "SERVICE",
        "START",
        "TOOK",
        "SELF"
    );
    // The bars fit the terminal (80 columns when it is not one).
    let columns = crossterm::terminal::size().map_or(80, |(c, _)| c as usize);
    let bar = columns
        .saturating_sub(name_width + BESIDE_BARS)
        .clamp(10, MAX_BAR);
    let scale = |ms: i64| ((ms as f64 / w.total_ms.max(1) as f64) * bar as f64).round() as usize;
    let bottleneck = w.bottleneck.as_ref();
    for (i, s) in w.spans.iter().enumerate() {
        let mark = if s.error { " ✖" } else { "" };
        let name: String = format!("{}{}{mark}", "  ".repeat(w.depth(i)), w.label(i))
            .chars()
            .take(name_width)
            .collect();
        let offset = scale(s.start_ms).min(bar - 1);
        let length = scale(s.duration_ms).clamp(1, bar - offset);
        let is_bottleneck = w.is_bottleneck(i);
        crate::outln!(
            "{:<name_width$} {:>9} {:>9} {:>9}  {}{}{}",
            name,
            took(s.start_ms),
            took(s.duration_ms),
            took(s.self_ms),
            " ".repeat(offset),
            "█".repeat(length),
            if is_bottleneck {
                "  ← bottleneck"
            } else {
                ""
            }
        );
    }
    if let Some(b) = bottleneck {
        crate::outln!(
            "bottleneck: {} holds {} itself ({} % of the request)",
            b.label(),
            took(b.self_ms),
            (b.self_ms * 100) / w.total_ms.max(1)
        );
    }
    for note in &w.notes {
        crate::outln!("note: {}", one_line(note));
    }
}
