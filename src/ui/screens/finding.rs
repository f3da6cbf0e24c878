//! One finding in depth: what happened, why, the exact fields that say so,
//! what to check first, the runbook that fits, and the loop it belongs to.

use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::ui::format::since;
use crate::ui::screens::diagnosis::severity_style;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    let task = format!(
        "task {}",
        crate::ui::format::short_id(crate::domain::service::arn_name(task_arn(state)))
    );
    match state.diagnosis.finding(task_arn(state)) {
        Some(f) => format!(
            "Services › Diagnosis › {}",
            crate::ui::format::with_pair(state, &f.pair, &task)
        ),
        None => format!("Services › Diagnosis › {task}"),
    }
}

/// The task ARN of the finding on screen.
pub(crate) fn task_arn(state: &AppState) -> &str {
    match &state.screen {
        crate::app::Screen::Finding(arn) | crate::app::Screen::TaskLogs(arn) => arn,
        _ => "",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: the finding's sections in reading order (why, evidence, changes, log lines, checks, runbook), one paragraph built line by line.
    let task_arn = task_arn(state);
    let Some(finding) = state.diagnosis.finding(task_arn) else {
        let text = format!(
            "ECS no longer returns task {task_arn} (it keeps stopped tasks for about an hour), and the incident journal has no record of it."
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, styles.muted())).wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} ", finding.severity.as_str().to_uppercase()),
                severity_style(styles, finding.severity),
            ),
            Span::styled(one_line(&finding.title), styles.heading()),
        ]),
        Line::from(Span::styled(
            format!(
                "{}/{} · task {} · {} · stopped {} ago",
                finding.cluster,
                finding.service.as_deref().unwrap_or("—"),
                finding.task_id,
                crate::domain::service::revision_label(&finding.task_definition),
                since(state.now, finding.stopped_at)
            ),
            styles.muted(),
        )),
        Line::from(Span::styled(
            if finding.from_journal {
                "from the incident journal: ECS no longer returns this task"
            } else {
                ""
            },
            styles.degraded(),
        )),
        Line::from(Span::styled(finding.explanation.clone(), styles.text())),
        Line::from(""),
    ];
    if let Some(pattern) = state.diagnosis.report.data.as_ref().and_then(|r| {
        r.patterns
            .iter()
            .find(|p| Some(p.service_key()) == finding.service_key() && p.cause == finding.cause)
    }) {
        lines.push(Line::from(vec![
            Span::styled("PATTERN  ", styles.heading()),
            Span::styled(one_line(&pattern.suggestion), styles.degraded()),
        ]));
    }
    if let Some(runbook) = &finding.runbook {
        lines.push(Line::from(vec![
            Span::styled("RUNBOOK  ", styles.heading()),
            Span::styled(runbook.clone(), styles.accent()),
            Span::styled("  (R opens it, filled in)", styles.muted()),
        ]));
    }
    if let Some(diff) = state
        .finding
        .revision_diff
        .as_ref()
        .filter(|d| d.after == crate::domain::service::revision_label(&finding.task_definition))
    {
        lines.push(Line::from(Span::styled(
            format!("WHAT CHANGED  {} → {}", diff.before, diff.after),
            styles.heading(),
        )));
        match &diff.changes {
            None => lines.push(Line::from(Span::styled(
                "  comparing the task definitions…",
                styles.muted(),
            ))),
            Some(Err(err)) => lines.push(Line::from(Span::styled(
                format!("  cannot compare: {err}"),
                styles.muted(),
            ))),
            Some(Ok(changes)) if changes.is_empty() => lines.push(Line::from(Span::styled(
                "  nothing in the task definition (the image tag may point elsewhere now)",
                styles.muted(),
            ))),
            Some(Ok(changes)) => {
                for c in changes {
                    // Images read better without the registry host.
                    let short = |v: &str| {
                        if c.field.ends_with(".image") {
                            v.rsplit('/').next().unwrap_or(v).to_string()
                        } else {
                            v.to_string()
                        }
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {:<28}", c.field), styles.muted()),
                        Span::styled(one_line(&short(&c.before)), styles.text()),
                        Span::styled(" → ", styles.muted()),
                        Span::styled(one_line(&short(&c.after)), styles.degraded()),
                    ]));
                }
            }
        }
    }
    lines.extend(memory_lines(state, finding, area.width, styles));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("EVIDENCE", styles.heading())));
    for e in &finding.evidence {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", e.field), styles.muted()),
            Span::styled(one_line(&e.value), styles.text()),
        ]));
    }
    lines.push(Line::from(""));
    match &finding.logs {
        crate::domain::diagnosis::LogTail::Lines {
            stream,
            lines: logs,
        } => {
            lines.push(Line::from(vec![
                Span::styled("LAST LOG LINES  ", styles.heading()),
                Span::styled(one_line(stream), styles.muted()),
            ]));
            for l in logs.iter().rev().take(8).rev() {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {} ", l.timestamp.format("%H:%M:%S")),
                        styles.muted(),
                    ),
                    Span::styled(one_line(&l.message), styles.text()),
                ]));
            }
        }
        crate::domain::diagnosis::LogTail::Missing { why } => {
            lines.push(Line::from(vec![
                Span::styled("LOGS  ", styles.heading()),
                Span::styled(format!("none: {}", one_line(why)), styles.muted()),
            ]));
        }
        crate::domain::diagnosis::LogTail::NotRead => {}
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("CHECK FIRST", styles.heading())));
    for (i, check) in finding.next_checks.iter().enumerate() {
        lines.push(Line::from(Span::styled(
            format!("  {}. {check}", i + 1),
            styles.text(),
        )));
    }
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    // Rendered (wrapped) height, so scrolling stops at the last line.
    let height = paragraph.line_count(area.width) as u16;
    let scroll = (state.finding.scroll.min(u16::MAX as usize) as u16)
        .min(height.saturating_sub(area.height));
    frame.render_widget(paragraph.scroll((scroll, 0)), area);
}

/// For an OOM kill: the service's memory over the window, climbing to the
/// kill (its peak before the stop, and the stop's time).
fn memory_lines<'a>(
    state: &AppState,
    finding: &crate::domain::diagnosis::Finding,
    width: u16,
    styles: &Styles,
) -> Vec<Line<'a>> {
    use crate::domain::metrics::MetricKind;
    if finding.cause != crate::domain::diagnosis::Cause::OomKilled {
        return Vec::new();
    }
    let Some(key) = finding.service_key() else {
        return Vec::new();
    };
    let Some(points) = state
        .monitoring
        .service_metrics(&key)
        .and_then(|m| m.series.get(&MetricKind::MemoryMaximum))
    else {
        return Vec::new();
    };
    let end = state.now;
    let start = end - state.monitoring.window;
    let before_stop = finding.stopped_at.and_then(|stop| {
        points
            .iter()
            .filter(|(t, _)| *t <= stop && *t > stop - chrono::Duration::minutes(5))
            .map(|(_, v)| *v)
            .reduce(f64::max)
    });
    let mut spans = vec![Span::styled("  memory ", styles.muted())];
    spans.extend(crate::ui::widgets::trend::spans(
        points,
        (start, end),
        (width as usize).saturating_sub(48).clamp(10, 120),
        Some(100.0),
        Some((90.0, true)),
        styles,
    ));
    if let (Some(peak), Some(stop)) = (before_stop, finding.stopped_at) {
        spans.push(Span::styled(
            format!(
                "  {peak:.0} % before the kill at {}",
                crate::ui::format::clock(stop)
            ),
            styles.critical(),
        ));
    }
    vec![
        Line::from(""),
        Line::from(Span::styled(
            "MEMORY (the service's peak per minute)",
            styles.heading(),
        )),
        Line::from(spans),
    ]
}
