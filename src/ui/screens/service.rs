//! One service in depth: health and why, deployments, running and recently
//! stopped tasks, and its latest events.

use crate::app::state::AppState;
use crate::domain::health::classify;
use crate::domain::sanitize::one_line;
use crate::domain::service::{revision_label, Service};
use crate::domain::task::Task;
use crate::ui::format::{clock, short_id, since};
use crate::ui::theme::{health_symbol, Styles};
use crate::ui::widgets::status_note;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// Stopped tasks shown at most (newest first).
const STOPPED_SHOWN: usize = 5;

pub fn crumb(state: &AppState) -> String {
    match &state.screen {
        crate::app::Screen::Service(key) => format!(
            "Services › {}",
            crate::ui::format::with_pair(
                state,
                &key.pair,
                &format!("{}/{}", key.cluster, key.service)
            )
        ),
        _ => "Services › service".to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let detail = state.service.detail.data.as_ref();
    let service = detail
        .map(|d| &d.service)
        .or_else(|| state.selected_ranked().map(|r| &r.service));
    let Some(service) = service else {
        status_note::draw_empty(
            frame,
            area,
            state,
            &state.service.detail,
            "the service",
            styles,
        );
        return;
    };

    let deployments = service.deployments.len() as u16;
    let tasks: Vec<&Task> = detail
        .map(|d| {
            d.running
                .iter()
                .chain(d.stopped.iter().take(STOPPED_SHOWN))
                .collect()
        })
        .unwrap_or_default();
    let task_rows = (tasks.len().max(1) as u16).min(12);
    let watch = watch_lines(state, service, area.width, styles);
    let watch_rows = if watch.is_empty() {
        0
    } else {
        watch.len() as u16 + 1
    };
    let exposure =
        super::service_security::exposure_lines(state, &service.key(), area.width, styles);
    let summary_lines = summary_lines(state, service, area.width, styles);
    let changed =
        super::service_changes::lines(state, &service.key(), area.width, area.height, styles);
    let logs_pane = state.service.pane == crate::app::screens::service_logs::Pane::Logs;
    if logs_pane {
        // The logs take the room of deployments, tasks, changes and events.
        let [summary, exposure_area, watch_area, logs_area] = Layout::vertical([
            Constraint::Length(summary_lines.len() as u16),
            Constraint::Length(exposure.len() as u16),
            Constraint::Length(watch_rows),
            Constraint::Fill(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(summary_lines), summary);
        frame.render_widget(Paragraph::new(exposure), exposure_area);
        draw_watch(frame, watch_area, state, service, watch, styles);
        super::service_logs::draw(frame, logs_area, state, styles);
        return;
    }
    let [summary, exposure_area, watch_area, deployments_area, tasks_area, changes_area, events_area] =
        Layout::vertical([
            Constraint::Length(summary_lines.len() as u16),
            Constraint::Length(exposure.len() as u16),
            Constraint::Length(watch_rows),
            Constraint::Length(deployments + 2),
            Constraint::Length(task_rows + 2),
            Constraint::Length(changed.len() as u16),
            Constraint::Fill(1),
        ])
        .areas(area);

    frame.render_widget(Paragraph::new(summary_lines), summary);
    frame.render_widget(Paragraph::new(exposure), exposure_area);
    draw_watch(frame, watch_area, state, service, watch, styles);
    draw_deployments(frame, deployments_area, state, service, styles);
    draw_tasks(frame, tasks_area, state, &tasks, detail.is_some(), styles);
    frame.render_widget(Paragraph::new(changed), changes_area);
    draw_events(frame, events_area, state, service, styles);
}

/// The metrics block with its title (how old, the window and its key).
fn draw_watch(
    frame: &mut Frame,
    watch_area: Rect,
    state: &AppState,
    service: &Service,
    watch: Vec<Line<'_>>,
    styles: &Styles,
) {
    if let (false, Some(metrics)) = (
        watch.is_empty(),
        state.monitoring.metrics_for(&service.pair),
    ) {
        let age = match (&metrics.error, metrics.updated_at) {
            (Some(err), Some(t)) => format!(
                " · STALE: updated {} ago ({})",
                since(state.now, Some(t)),
                err.short()
            ),
            (None, Some(t)) => format!(" · updated {} ago", since(state.now, Some(t))),
            _ => String::new(),
        };
        let mut lines = vec![Line::from(vec![
            Span::styled(
                format!(
                    "METRICS (last {}, peak per cell; alarm thresholds in red; {} changes the window)",
                    crate::app::monitoring::window_words(state.monitoring.window.num_minutes()),
                    state
                        .keymap
                        .label_of(crate::app::commands::Command::MetricsWindow)
                ),
                styles.heading(),
            ),
            Span::styled(
                age,
                if metrics.error.is_some() {
                    styles.degraded()
                } else {
                    styles.muted()
                },
            ),
        ])];
        lines.extend(watch);
        frame.render_widget(Paragraph::new(lines), watch_area);
    }
}

/// Health and why, the service's facts, and what `R` opens and why (when
/// something fits, or why nothing does).
fn summary_lines<'a>(
    state: &AppState,
    service: &Service,
    width: u16,
    styles: &Styles,
) -> Vec<Line<'a>> {
    // The ranked verdict counts the service's alarms; ECS's alone until ranked.
    let verdict = state
        .selected_ranked()
        .map(|r| r.verdict.clone())
        .unwrap_or_else(|| classify(service, state.now));
    let mut facts = vec![
        format!(
            "desired {} · running {} · pending {}",
            service.desired, service.running, service.pending
        ),
        service.revision_label(),
    ];
    if let Some(launch) = &service.launch_type {
        facts.push(launch.clone());
    }
    if let Some(td) = state
        .service
        .detail
        .data
        .as_ref()
        .and_then(|d| d.task_definition.as_ref())
    {
        if let Some(c) = td.containers.first() {
            facts.push(c.image.rsplit('/').next().unwrap_or(&c.image).to_string());
        }
        if let (Some(cpu), Some(mem)) = (&td.cpu, &td.memory) {
            facts.push(format!("cpu {cpu} mem {mem}"));
        }
    }
    facts.push(format!(
        "changed {} ago",
        since(state.now, service.last_changed())
    ));
    let mut second = vec![Span::styled(facts.join(" · "), styles.muted())];
    if let Some(err) = &state.service.detail.error {
        second.push(Span::styled(
            format!("  ⚠ {}", err.short()),
            styles.degraded(),
        ));
    } else if state.service.detail.data.is_some() {
        second.push(Span::styled(
            format!(
                "  updated {} ago",
                since(state.now, state.service.detail.updated_at)
            ),
            styles.muted(),
        ));
    }
    // What the services row says, and what `R` opens and why: the one suggestion.
    let suggestion = state
        .suggestible_service(&service.key())
        .map(|r| state.suggestion(&r));
    let status_width = format!(
        "{} {} ",
        health_symbol(verdict.health),
        verdict.health.as_str()
    )
    .chars()
    .count();
    let reason = suggestion
        .as_ref()
        .map(|s| {
            crate::ui::format::headline_within(s, (width as usize).saturating_sub(status_width))
        })
        .unwrap_or_else(|| verdict.reason.clone());
    let runbook_line = match &suggestion {
        Some(crate::domain::suggestion::Suggestion {
            runbook: Some(r), ..
        }) => Line::from(vec![
            Span::styled(
                format!(
                    "{} opens {} ",
                    state
                        .keymap
                        .label_of(crate::app::commands::Command::OpenRunbook),
                    r.id
                ),
                styles.heading(),
            ),
            Span::styled(format!("({}): {}", r.title, r.reason), styles.muted()),
        ]),
        Some(crate::domain::suggestion::Suggestion {
            none_fits: Some(why),
            ..
        }) if verdict.health.is_unhealthy() && state.runbooks.files.is_some() => {
            Line::from(Span::styled(why.clone(), styles.muted()))
        }
        _ => Line::default(),
    };
    let runbook_line = (!runbook_line.spans.is_empty()).then_some(runbook_line);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!(
                    "{} {} ",
                    health_symbol(verdict.health),
                    verdict.health.as_str()
                ),
                styles.health(verdict.health),
            ),
            Span::styled(one_line(&reason), styles.text()),
        ]),
        Line::from(second),
    ];
    lines.extend(runbook_line);
    lines
}

/// One line per metric read (its shape, now and peak, the alarm's
/// threshold), then the load balancer's targets and why any is unhealthy.
fn watch_lines<'a>(
    state: &AppState,
    service: &Service,
    width: u16,
    styles: &Styles,
) -> Vec<Line<'a>> {
    use crate::domain::metrics::MetricKind;
    let key = service.key();
    let Some(metrics) = state.monitoring.service_metrics(&key) else {
        return Vec::new();
    };
    let alarms = state.alarms_of(&key);
    let threshold_of = |metric: &str| {
        alarms.iter().find_map(|a| {
            let m = a.metric.as_ref().filter(|m| m.name == metric)?;
            Some((
                m.threshold?,
                !m.sign().starts_with('<') && !m.sign().starts_with('≤'),
            ))
        })
    };
    let end = state.now;
    let start = end - state.monitoring.window;
    let spark_width = (width as usize).saturating_sub(44).clamp(10, 120);
    let mut lines = Vec::new();
    let rows: [(&str, MetricKind, &str, f64); 4] = [
        ("CPU", MetricKind::CpuMaximum, "CPUUtilization", 1.0),
        ("MEM", MetricKind::MemoryMaximum, "MemoryUtilization", 1.0),
        ("5XX", MetricKind::Http5xx, "HTTPCode_Target_5XX_Count", 1.0),
        (
            "p95",
            MetricKind::ResponseTimeP95,
            "TargetResponseTime",
            1000.0,
        ),
    ];
    for (label, kind, metric, scale) in rows {
        let Some(points) = metrics.series.get(&kind) else {
            continue;
        };
        // 5XX as a share of requests, as its alarm reads it.
        let points: Vec<_> = if kind == MetricKind::Http5xx {
            let requests = metrics.series.get(&MetricKind::Requests);
            points
                .iter()
                .filter_map(|(t, e)| {
                    let r = requests?.iter().find(|(rt, _)| rt == t)?.1;
                    (r > 0.0).then(|| (*t, 100.0 * e / r))
                })
                .collect()
        } else {
            points.clone()
        };
        let unit = if kind == MetricKind::ResponseTimeP95 {
            " ms"
        } else {
            " %"
        };
        let now = points.last().map(|(_, v)| v * scale);
        let peak = points
            .iter()
            .map(|(_, v)| v * scale)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        let threshold = threshold_of(metric);
        let mut spans = vec![Span::styled(format!("  {label:<4}"), styles.text())];
        let top =
            matches!(kind, MetricKind::CpuMaximum | MetricKind::MemoryMaximum).then_some(100.0);
        spans.extend(crate::ui::widgets::trend::spans(
            &points,
            (start, end),
            spark_width,
            top,
            threshold,
            styles,
        ));
        spans.push(Span::styled(
            format!(
                "  now {}{unit} · peak {}{unit}",
                now.map(|v| format!("{v:.0}")).unwrap_or_else(|| "—".into()),
                peak.map(|v| format!("{v:.0}"))
                    .unwrap_or_else(|| "—".into()),
            ),
            styles.muted(),
        ));
        if let Some((t, above)) = threshold {
            spans.push(Span::styled(
                format!("  alarm {} {}", if above { ">" } else { "<" }, t * scale),
                styles.critical(),
            ));
        }
        lines.push(Line::from(spans));
    }
    let egress =
        super::service_security::egress_lines(state, service, metrics, spark_width, styles);
    if state.egress_of(&key).is_some() {
        // Egress far above its usual is what matters most: first.
        lines.splice(0..0, egress.tx);
    } else {
        lines.extend(egress.tx);
    }
    lines.extend(egress.rx);
    match &state.service.targets {
        Some(Ok(targets)) if !targets.is_empty() => {
            let healthy = targets.iter().filter(|t| t.state == "healthy").count();
            let mut spans = vec![Span::styled(
                format!("  targets {healthy}/{} healthy", targets.len()),
                if healthy == targets.len() {
                    styles.text()
                } else {
                    styles.degraded()
                },
            )];
            for t in targets.iter().filter(|t| t.state != "healthy").take(3) {
                spans.push(Span::styled(
                    format!(
                        " · {}{} {} ({}{})",
                        t.target,
                        t.port.map(|p| format!(":{p}")).unwrap_or_default(),
                        t.state,
                        t.reason.as_deref().unwrap_or("no reason given"),
                        t.description
                            .as_deref()
                            .map(|d| format!(": {}", one_line(d)))
                            .unwrap_or_default()
                    ),
                    styles.critical(),
                ));
            }
            lines.push(Line::from(spans));
        }
        Some(Err(err)) => lines.push(Line::from(Span::styled(
            format!("  targets could not be read: {}", err.short()),
            styles.degraded(),
        ))),
        _ => {}
    }
    lines
}

fn section(title: &str, styles: &Styles) -> Line<'static> {
    Line::from(Span::styled(title.to_string(), styles.heading()))
}

fn draw_deployments(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    service: &Service,
    styles: &Styles,
) {
    if area.height == 0 {
        return;
    }
    let [title, table] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(section("DEPLOYMENTS", styles)), title);
    let rows: Vec<Row> = service
        .deployments
        .iter()
        .map(|d| {
            let rollout = d.rollout_state.map(|r| r.as_str()).unwrap_or("—");
            let style = match d.rollout_state {
                Some(crate::domain::RolloutState::Failed) => styles.critical(),
                _ if d.failed_tasks > 0 => styles.degraded(),
                _ => styles.text(),
            };
            Row::new(vec![
                Cell::from(d.status.as_str()),
                Cell::from(rollout),
                Cell::from(revision_label(&d.task_definition)),
                Cell::from(format!("{}/{}", d.running, d.desired)),
                Cell::from(d.pending.to_string()),
                Cell::from(d.failed_tasks.to_string()),
                Cell::from(since(state.now, d.created_at)),
                Cell::from(since(state.now, d.updated_at)),
                Cell::from(one_line(d.rollout_state_reason.as_deref().unwrap_or(""))),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(8),
        Constraint::Length(11),
        Constraint::Length(18),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let header = Row::new(vec![
        "STATUS", "ROLLOUT", "REVISION", "RUN", "PEND", "FAILED", "CREATED", "UPDATED", "REASON",
    ])
    .style(styles.table_header());
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table,
    );
}

fn draw_tasks(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    tasks: &[&Task],
    loaded: bool,
    styles: &Styles,
) {
    // Long on purpose: running and recently stopped tasks share one table's columns.
    if area.height == 0 {
        return;
    }
    let [title, table] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(section("TASKS", styles)), title);
    if !loaded {
        let text = match &state.service.detail.error {
            Some(err) => format!("cannot load tasks: {err}"),
            None => "loading tasks…".into(),
        };
        frame.render_widget(Paragraph::new(Span::styled(text, styles.muted())), table);
        return;
    }
    if tasks.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no tasks", styles.muted())),
            table,
        );
        return;
    }
    let rows: Vec<Row> = tasks
        .iter()
        .map(|t| {
            let stopped = t.last_status == "STOPPED";
            let container = t.culprit();
            let exit = container
                .and_then(|c| c.exit_code)
                .map(|c| c.to_string())
                .unwrap_or_else(|| "—".into());
            let when = if stopped {
                format!("stopped {} ago", since(state.now, t.stopped_at))
            } else if t.last_status == "RUNNING" {
                format!("up {}", since(state.now, t.started_at.or(t.created_at)))
            } else {
                format!("created {} ago", since(state.now, t.created_at))
            };
            let why = if stopped {
                let reason = container
                    .and_then(|c| c.reason.clone())
                    .or_else(|| t.stopped_reason.clone());
                one_line(reason.as_deref().unwrap_or(""))
            } else {
                t.health_status.clone().unwrap_or_default()
            };
            let style = if stopped && exit != "0" && exit != "143" {
                styles.degraded()
            } else if stopped {
                styles.muted()
            } else {
                styles.text()
            };
            Row::new(vec![
                Cell::from(short_id(&t.id).to_string()),
                Cell::from(t.last_status.clone()),
                Cell::from(revision_label(&t.task_definition)),
                Cell::from(when),
                Cell::from(exit),
                Cell::from(why),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(18),
        Constraint::Length(16),
        Constraint::Length(4),
        Constraint::Fill(1),
    ];
    let header = Row::new(vec![
        "TASK",
        "STATUS",
        "REVISION",
        "WHEN",
        "EXIT",
        "HEALTH / WHY IT STOPPED",
    ])
    .style(styles.table_header());
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table,
    );
}

fn draw_events(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    service: &Service,
    styles: &Styles,
) {
    if area.height == 0 {
        return;
    }
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("EVENTS", styles.heading()),
            Span::styled(
                format!(
                    "  {} · j/k scroll · {} the service's log lines",
                    service.events.len(),
                    state
                        .keymap
                        .label_of(crate::app::commands::Command::ServicePane)
                ),
                styles.muted(),
            ),
        ])),
        title,
    );
    let prefix = format!("(service {}) ", service.name);
    let lines: Vec<Line> = service
        .events
        .iter()
        .skip(state.service.scroll)
        .take(list.height as usize)
        .map(|e| {
            let message = one_line(&e.message);
            let message = message
                .strip_prefix(&prefix)
                .unwrap_or(&message)
                .to_string();
            Line::from(vec![
                Span::styled(
                    format!("{} {:>4} ", clock(e.at), since(state.now, Some(e.at))),
                    styles.muted(),
                ),
                Span::styled(message, styles.text()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
