//! The incident timeline: key timestamps and time-to-X on top, then every
//! entry in time order. Milestones and important entries stand out;
//! backdated entries show both times; corrected entries are dimmed.

use crate::app::layout::list_rows;
use crate::app::layout::TIMELINE_SUMMARY_ROWS;
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::domain::timeline::incident::human_duration;
use crate::domain::timeline::{EntryKind, Milestone};
use crate::ui::format::clock;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn crumb(_state: &AppState) -> String {
    "Services › Timeline".to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: the key-timestamp summary and the entry list share the cursor and row arithmetic.
    let Some(view) = &state.incident else {
        let lines = vec![
            Line::from(Span::styled("No incident is open.", styles.heading())),
            Line::from(""),
            Line::from(Span::styled(
                "Start one with :start TITLE (or `triage incident start \"TITLE\"`): from then on triage writes down what it sees and what you do, and the post-mortem draft is one key away.",
                styles.text(),
            )),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    let incident = &view.incident;
    let [summary, list] = Layout::vertical([
        Constraint::Length(TIMELINE_SUMMARY_ROWS),
        Constraint::Fill(1),
    ])
    .areas(area);

    let milestones = incident.milestones();
    let mut first = vec![Span::styled(
        format!("{} ", one_line(&incident.title)),
        styles.heading(),
    )];
    if let Some(sev) = incident.severity {
        first.push(Span::styled(
            format!("{} ", sev.as_str()),
            styles.critical(),
        ));
    }
    first.push(Span::styled(
        format!("{} · {}", incident.status.as_str(), incident.id),
        styles.muted(),
    ));
    let (shown, total) = (view.shown().len(), incident.entries.len());
    let toggle = state
        .keymap
        .label_of(crate::app::commands::Command::TimelineAll);
    if view.all_entries {
        first.push(Span::styled(
            format!(" · all {total} entries ({toggle}: the incident's only)"),
            styles.muted(),
        ));
    } else if shown < total {
        first.push(Span::styled(
            format!(" · {shown} of {total} entries: its services and window ({toggle}: all)"),
            styles.muted(),
        ));
    }
    // Time-to-X first: they are what the post-mortem asks for.
    let mut second = Vec::new();
    // The post-mortem's figures: from one origin, detection and recovery
    // as observed when no milestone says them.
    let times = crate::domain::timeline::times::key_times(
        incident,
        &crate::domain::timeline::scope::of(incident),
    );
    let took = |what: &str| {
        times
            .spans
            .iter()
            .find(|s| s.what == what)
            .and_then(|s| s.took)
    };
    for (label, value) in [
        ("TTD", took("Time to detect")),
        ("TTM", took("Time to mitigate")),
        ("TTR", took("Time to resolve")),
    ] {
        let (text, style) = match value {
            Some(v) => (human_duration(v), styles.heading()),
            None => ("—".to_string(), styles.muted()),
        };
        second.push(Span::styled(format!("{label} {text}  "), style));
    }
    second.push(Span::styled("│ ", styles.muted()));
    for m in Milestone::ALL {
        let style = if milestones.contains_key(&m) {
            styles.accent()
        } else {
            styles.muted()
        };
        let at = milestones
            .get(&m)
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_else(|| "—".into());
        let label = match m {
            Milestone::ImpactStarted => "impact",
            Milestone::Acknowledged => "ack",
            other => other.as_str(),
        };
        second.push(Span::styled(format!("{label} {at}  "), style));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        summary,
    );

    let rows_fit = list_rows(state.height)
        .saturating_sub(TIMELINE_SUMMARY_ROWS as usize)
        .min(list.height.saturating_sub(1) as usize);
    let shown = view.shown();
    let rows: Vec<Row> = shown
        .iter()
        .enumerate()
        .skip(view.cursor.offset)
        .take(rows_fit)
        .filter_map(|(i, &index)| Some((i, incident.entries.get(index)?)))
        .map(|(i, e)| {
            let superseded = incident.is_superseded(e);
            let mut time = clock(e.occurred_at);
            if e.is_backdated() {
                time.push_str(&format!(" (rec {})", e.recorded_at.format("%H:%M")));
            }
            let kind = match e.milestone {
                Some(m) => m.as_str().to_string(),
                None => e.kind.as_str().to_string(),
            };
            let mut summary = String::new();
            if e.important {
                summary.push_str("★ ");
            }
            summary.push_str(&one_line(&e.summary));
            if superseded {
                summary.push_str("  (corrected)");
            }
            let style = if i == view.cursor.selected {
                styles.selection()
            } else if superseded {
                styles.muted().add_modifier(Modifier::CROSSED_OUT)
            } else if e.kind == EntryKind::Milestone {
                styles.accent()
            } else if e.important {
                styles.degraded().add_modifier(Modifier::BOLD)
            } else {
                styles.text()
            };
            Row::new(vec![
                Cell::from(time),
                Cell::from(kind),
                Cell::from(one_line(&e.actor.label())),
                Cell::from(summary),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(20),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    let header = Row::new(vec!["UTC", "KIND", "ACTOR", "ENTRY"]).style(styles.table_header());
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        list,
    );
}
