//! `:alarms`: the alarms in ALARM (and, dimmed, those without data) with
//! since when, the service each belongs to and why; below, the selected
//! alarm's metric over the window with its threshold drawn. Alarm text is
//! untrusted and sanitized.

use crate::app::screens::alarms::list_height;
use crate::app::state::AppState;
use crate::domain::alarms::{AlarmState, OwnedAlarm};
use crate::domain::metrics::MetricKind;
use crate::domain::sanitize::one_line;
use crate::ui::format::{since, truncate};
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap,
};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    format!("Services › Alarms ({} in ALARM)", state.monitoring.firing())
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = state.visible_alarms();
    if visible.is_empty() {
        let monitoring = &state.monitoring;
        let text = match (monitoring.alarms_read(), monitoring.alarms_error()) {
            (_, Some((pair, err))) if monitoring.enabled => {
                let whose = if state.several_pairs() {
                    format!(" in {pair}")
                } else {
                    String::new()
                };
                format!("Alarms could not be read{whose}: {err}")
            }
            _ if !monitoring.enabled => "Alarms are not read in this session.".to_string(),
            (false, _) => "reading the alarms…".to_string(),
            (true, _) if !state.filter.text.is_empty() => {
                "No alarm matches the filter (Esc clears it).".to_string()
            }
            (true, _) => "No alarm is in ALARM or without data.".to_string(),
        };
        crate::ui::widgets::list_detail::draw_nothing(frame, area, &text, styles);
        return;
    }
    let (rows, list, below) = crate::ui::widgets::list_detail::split(area, list_height);
    let graph = area.height as usize > rows + 1;
    draw_list(frame, list, state, &visible, styles, rows);
    if graph && below.height >= 4 {
        if let Some(selected) = state.selected_alarm() {
            draw_graph(frame, below, state, selected, styles);
        }
    }
}

fn draw_list(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    visible: &[&OwnedAlarm],
    styles: &Styles,
    rows: usize,
) {
    let cursor = state.alarms_screen.cursor;
    let wide = area.width >= 120;
    let table_rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(rows)
        .map(|(i, owned)| {
            let alarm = &owned.alarm;
            let style = match alarm.state {
                AlarmState::Alarm => styles.critical(),
                _ => styles.muted(),
            };
            let service = match owned.services.as_slice() {
                [] => "(account)".to_string(),
                [one] => format!("{}/{}", one.cluster, one.service),
                [one, rest @ ..] => format!("{}/{} +{}", one.cluster, one.service, rest.len()),
            };
            let service = crate::ui::format::with_pair(state, &alarm.pair, &service);
            let age = alarm
                .since
                .map(|t| since(state.now, Some(t)))
                .unwrap_or_else(|| "—".into());
            let state_word = match alarm.state {
                AlarmState::InsufficientData if !wide => "NO DATA",
                other => other.as_str(),
            };
            let mut cells = vec![
                Cell::from(Span::styled(state_word, style)),
                Cell::from(truncate(&one_line(&alarm.name), if wide { 44 } else { 26 })),
                Cell::from(truncate(&service, if wide { 28 } else { 20 })),
                Cell::from(age),
            ];
            cells.push(Cell::from(Span::styled(one_line(&alarm.reason), style)));
            let row = Row::new(cells);
            if i == cursor.selected {
                row.style(styles.selection())
            } else {
                row.style(styles.text())
            }
        })
        .collect();
    let widths = [
        Constraint::Length(if wide { 17 } else { 7 }),
        Constraint::Length(if wide { 44 } else { 26 }),
        Constraint::Length(if wide { 28 } else { 20 }),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(
            Row::new(["STATE", "ALARM", "SERVICE", "SINCE", "REASON"]).style(styles.table_header()),
        )
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// The service metric an alarm watches, when triage reads it.
fn kind_of(owned: &OwnedAlarm) -> Option<MetricKind> {
    let metric = owned.alarm.metric.as_ref()?;
    let peak = metric.statistic.as_deref() == Some("Maximum");
    Some(match metric.name.as_str() {
        "MemoryUtilization" if peak => MetricKind::MemoryMaximum,
        "MemoryUtilization" => MetricKind::MemoryAverage,
        "CPUUtilization" if peak => MetricKind::CpuMaximum,
        "CPUUtilization" => MetricKind::CpuAverage,
        "HTTPCode_Target_5XX_Count" => MetricKind::Http5xx,
        "TargetResponseTime" => MetricKind::ResponseTimeP95,
        "RequestCount" => MetricKind::Requests,
        "HealthyHostCount" => MetricKind::HealthyHosts,
        "UnHealthyHostCount" => MetricKind::UnhealthyHosts,
        _ => return None,
    })
}

fn draw_graph(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    owned: &OwnedAlarm,
    styles: &Styles,
) {
    let alarm = &owned.alarm;
    let title = match &alarm.metric {
        Some(m) => format!(
            " {} {} · {} {} {} ",
            m.namespace,
            m.name,
            m.statistic.as_deref().unwrap_or(""),
            m.sign(),
            m.threshold
                .map(|t| format!("{t}"))
                .unwrap_or_else(|| "?".into())
        ),
        None => " composite alarm ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(one_line(&title), styles.heading()));
    let series = kind_of(owned).and_then(|kind| {
        let key = owned.services.first()?;
        let metrics = state.monitoring.service_metrics(key)?;
        let points = metrics.series.get(&kind)?;
        // 5XX is drawn as a share of the requests, as the alarm reads it.
        if kind == MetricKind::Http5xx {
            let requests = metrics.series.get(&MetricKind::Requests)?;
            return Some(
                points
                    .iter()
                    .filter_map(|(t, e)| {
                        let r = requests.iter().find(|(rt, _)| rt == t)?.1;
                        (r > 0.0).then(|| (*t, 100.0 * e / r))
                    })
                    .collect::<Vec<_>>(),
            );
        }
        Some(points.clone())
    });
    let Some(series) = series.filter(|s| !s.is_empty()) else {
        let why = if alarm.metric.is_none() {
            "a composite alarm has no metric of its own to draw".to_string()
        } else {
            format!(
                "no graph: triage does not read this metric ({}); reason: {}",
                alarm.metric.as_ref().map(|m| m.name.as_str()).unwrap_or(""),
                alarm.reason
            )
        };
        frame.render_widget(
            Paragraph::new(Span::styled(one_line(&why), styles.muted()))
                .wrap(Wrap { trim: false })
                .block(block),
            area,
        );
        return;
    };
    let start = state.now - state.monitoring.window;
    let x = |t: chrono::DateTime<chrono::Utc>| (t - start).num_seconds() as f64 / 60.0;
    let data: Vec<(f64, f64)> = series.iter().map(|(t, v)| (x(*t), *v)).collect();
    let span = state.monitoring.window.num_minutes() as f64;
    let threshold = alarm.metric.as_ref().and_then(|m| m.threshold);
    let line: Vec<(f64, f64)> = threshold
        .map(|t| vec![(0.0, t), (span, t)])
        .unwrap_or_default();
    let top = data
        .iter()
        .map(|(_, v)| *v)
        .chain(threshold)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.1;
    let mut datasets = vec![Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(styles.accent())
        .data(&data)];
    if !line.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(styles.critical())
                .data(&line),
        );
    }
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([0.0, span])
                .labels(vec![
                    Line::from(format!("-{}m", span as i64)),
                    Line::from("now"),
                ])
                .style(Style::default()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(vec![Line::from("0"), Line::from(format!("{top:.0}"))])
                .style(styles.muted()),
        );
    frame.render_widget(chart, area);
}
