//! One request across every service: time (UTC, ms), the hop's latency when
//! the service changes, the service in its own colour, the level, and the
//! message with the ID highlighted. Only the rows on screen are built, so the
//! cost of a frame does not grow with the number of lines. Enter shows the
//! selected line's JSON; `c` the lines around it in its stream.

use crate::app::layout::list_rows;
use crate::app::screens::logs::{LogsView, LOGS_HEADER_ROWS};
use crate::app::state::AppState;
use crate::domain::logsearch::LogEvent;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// The level of a JSON line (`level`, `severity`, `lvl`), upper-cased.
fn level_of(message: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(message.trim()) else {
        return String::new();
    };
    ["level", "severity", "lvl"]
        .iter()
        .find_map(|k| value.get(*k).and_then(|v| v.as_str()))
        .map(|l| l.to_uppercase())
        .unwrap_or_default()
}

/// The message with every occurrence of `id` highlighted.
fn highlighted<'a>(message: &str, id: &str, base: Style, mark: Style) -> Vec<Span<'a>> {
    let text = one_line(message);
    let mut spans = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(id).filter(|_| !id.is_empty()) {
        spans.push(Span::styled(rest[..i].to_string(), base));
        spans.push(Span::styled(id.to_string(), mark));
        rest = &rest[i + id.len()..];
    }
    spans.push(Span::styled(rest.to_string(), base));
    spans
}

fn hop_text(view: &LogsView, index: usize) -> String {
    match view.hop_before(index) {
        Some(d) if d.num_milliseconds() < 10_000 => format!("+{}ms", d.num_milliseconds()),
        Some(d) => format!("+{}s", d.num_seconds()),
        None => String::new(),
    }
}

fn row<'a>(
    view: &LogsView,
    index: usize,
    event: &LogEvent,
    selected: bool,
    several_pairs: bool,
    styles: &Styles,
) -> Line<'a> {
    let service = view.service_of(&event.group);
    let short = service.rsplit('/').next().unwrap_or(&service).to_string();
    let level = level_of(&event.message);
    let level_style = match level.as_str() {
        "ERROR" | "FATAL" | "CRITICAL" => styles.critical(),
        "WARN" | "WARNING" => styles.degraded(),
        _ => styles.muted(),
    };
    let base = if selected {
        styles.selection()
    } else {
        styles.text()
    };
    let mut spans = vec![
        Span::styled(
            format!("{} ", event.timestamp.format("%H:%M:%S%.3f")),
            styles.muted(),
        ),
        Span::styled(format!("{:>8} ", hop_text(view, index)), styles.degraded()),
        Span::styled(format!("{short:<14} "), styles.series(&service)),
        Span::styled(format!("{level:<5} "), level_style),
    ];
    if several_pairs {
        // Which account and Region the line was written in.
        spans.insert(2, Span::styled(format!("{} ", event.pair), styles.muted()));
    }
    let mark = styles.accent().add_modifier(Modifier::UNDERLINED);
    spans.extend(highlighted(&event.message, &view.id, base, mark));
    Line::from(spans)
}

pub fn crumb(state: &AppState) -> String {
    format!(
        "Logs › {}",
        state.logs.as_ref().map(|l| l.id.as_str()).unwrap_or("")
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    if let Some(view) = &state.logs {
        draw_view(frame, area, state, view, styles);
    }
}

/// The view: an ID search, or one task's log (the task log screen).
pub(crate) fn draw_view(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    view: &LogsView,
    styles: &Styles,
) {
    // Long on purpose: one virtualized list: title, coverage, visible rows, expanded JSON and context share the row arithmetic.
    let [top, list] =
        Layout::vertical([Constraint::Length(LOGS_HEADER_ROWS), Constraint::Fill(1)]).areas(area);
    let services = &view.groups_hit;
    let state_word = match (view.searching, view.following) {
        (true, _) => " · searching…",
        (false, true) => " · following",
        (false, false) => "",
    };
    let mut title = if view.task_log {
        vec![
            Span::styled(format!("task {}", view.id), styles.heading()),
            Span::styled(
                format!(
                    " · {} · the container's last lines, the stop at the bottom",
                    services
                        .first()
                        .map(|g| view.service_of(g))
                        .unwrap_or_default()
                ),
                styles.text(),
            ),
        ]
    } else {
        vec![
            Span::styled(view.id.clone(), styles.heading()),
            Span::styled(
                format!(
                    " · {} line{} across {} service{}{state_word}",
                    view.events.len(),
                    if view.events.len() == 1 { "" } else { "s" },
                    services.len(),
                    if services.len() == 1 { "" } else { "s" },
                ),
                styles.text(),
            ),
        ]
    };
    if view.dropped > 0 {
        title.push(Span::styled(
            format!(" · {} oldest lines dropped", view.dropped),
            styles.degraded(),
        ));
    }
    let second = match &view.find_input {
        Some(input) => Line::from(vec![
            Span::styled("find: ", styles.text()),
            Span::styled(format!("{}▏", one_line(&input.text)), styles.selection()),
        ]),
        None => Line::from(Span::styled(
            view.coverage
                .clone()
                .unwrap_or_else(|| "searching the watched services' log groups…".into()),
            if view.complete || view.coverage.is_none() {
                styles.muted()
            } else {
                styles.critical()
            },
        )),
    };
    frame.render_widget(Paragraph::new(vec![Line::from(title), second]), top);

    if view.events.is_empty() {
        let text = if view.searching {
            "no lines yet…"
        } else {
            "No line carries this ID in the last hour (f follows it as new lines arrive)."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, styles.muted())), list);
        return;
    }
    // The detail pane (JSON or context) takes the lower half when open.
    let detail_open = view.expanded || view.context.is_some();
    let (list, detail) = if detail_open {
        let [l, d] = Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(list);
        (l, Some(d))
    } else {
        (list, None)
    };
    let rows = (list.height as usize).min(list_rows(state.height));
    let lines: Vec<Line> = view
        .events
        .iter()
        .enumerate()
        .skip(view.cursor.offset)
        .take(rows)
        .map(|(i, e)| {
            let selected = i == view.cursor.selected;
            row(view, i, e, selected, state.several_pairs(), styles)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);

    if let Some(detail) = detail {
        let Some(event) = view.events.get(view.cursor.selected) else {
            return;
        };
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(styles.border());
        let mut lines: Vec<Line> = Vec::new();
        if view.expanded {
            lines.push(Line::from(Span::styled(
                format!(
                    "{}  {}",
                    view.service_of(&event.group),
                    one_line(&event.stream)
                ),
                styles.muted(),
            )));
            let pretty = serde_json::from_str::<serde_json::Value>(event.message.trim())
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| event.message.clone());
            for l in crate::domain::sanitize::strip_controls(&pretty).lines() {
                lines.push(Line::from(highlighted(
                    l,
                    &view.id,
                    styles.text(),
                    styles.accent(),
                )));
            }
        }
        if let Some((index, context)) = &view.context {
            if *index == view.cursor.selected {
                lines.push(Line::from(Span::styled(
                    format!("around it in {}", one_line(&event.stream)),
                    styles.muted(),
                )));
                match context {
                    Ok(context) => {
                        for l in context {
                            let hit = l.timestamp == event.timestamp && l.message == event.message;
                            lines.push(Line::from(vec![
                                Span::styled(
                                    format!(
                                        "{} {} ",
                                        if hit { "›" } else { " " },
                                        l.timestamp.format("%H:%M:%S%.3f")
                                    ),
                                    styles.muted(),
                                ),
                                Span::styled(
                                    one_line(&l.message),
                                    if hit { styles.accent() } else { styles.text() },
                                ),
                            ]));
                        }
                    }
                    Err(why) => lines.push(Line::from(Span::styled(
                        format!("cannot read the stream: {}", one_line(why)),
                        styles.critical(),
                    ))),
                }
            }
        }
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            detail,
        );
    }
}
