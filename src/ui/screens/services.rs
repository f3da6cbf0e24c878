//! Home: every watched service across clusters, worst first, then most
//! recently changed. Only the visible rows are built, so 2,000 services draw
//! as fast as 20.

use crate::app::layout::list_rows;
use crate::app::state::AppState;
use crate::domain::alarms::AlarmState;
use crate::domain::headline::{ERRORS_PERCENT, HOT_PERCENT, SLOW_MS};
use crate::domain::ranking::RankedService;
use crate::domain::sanitize::one_line;
use crate::domain::service::RolloutState;
use crate::ui::format::{since, truncate};
use crate::ui::theme::{health_symbol, Styles};
use crate::ui::widgets::status_note;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// The breadcrumb: the screen and how many services it lists.
pub fn crumb(state: &AppState) -> String {
    format!("Services ({})", state.visible_services().len())
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: one table: columns sized from the width left, rows from the ranking, shared by every column.
    if state.status.data.is_none() {
        status_note::draw_empty(frame, area, state, &state.status, "services", styles);
        return;
    }
    let visible = state.visible_services();
    if visible.is_empty() {
        let text = if state.filter.text.is_empty() {
            "No services in the watched clusters."
        } else {
            "No service matches the filter (Esc clears it)."
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(text, styles.muted()))),
            area,
        );
        return;
    }
    let columns = columns(
        area.width,
        state.monitoring.metrics_read(),
        state.several_pairs(),
    );
    let wide = area.width >= 110;
    // Size name columns to what is shown (capped), so the reason gets the rest.
    let fit = |len: usize, cap: usize| (len.clamp(7, cap)) as u16;
    let widest =
        |f: &dyn Fn(&RankedService) -> usize| visible.iter().map(|r| f(r)).max().unwrap_or(0);
    let sizes = Sizes {
        account: fit(
            widest(&|r| r.service.pair.account.chars().count()),
            if wide { 16 } else { 8 },
        ),
        region: fit(
            widest(&|r| r.service.pair.region.chars().count()),
            if wide { 14 } else { 9 },
        ),
        cluster: fit(
            widest(&|r| r.service.cluster.chars().count()),
            if wide { 24 } else { 10 },
        ),
        service: fit(
            widest(&|r| r.service.name.chars().count()),
            if wide { 32 } else { 14 },
        ),
        revision: fit(widest(&|r| r.service.revision_label().chars().count()), 32),
    };
    // The reason's room: the width less every other column and its gap.
    let fixed: u16 = columns
        .iter()
        .filter(|c| **c != Column::Reason)
        .map(|c| match c.width(wide, &sizes) {
            Constraint::Length(n) => n + 1,
            _ => 1,
        })
        .sum();
    let reason_width = area.width.saturating_sub(fixed) as usize;
    let rows_fit = list_rows(state.height).min(area.height.saturating_sub(1) as usize);
    let start = state
        .services
        .cursor
        .offset
        .min(visible.len().saturating_sub(1));
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(start)
        .take(rows_fit)
        .map(|(i, r)| {
            let cells = columns
                .iter()
                .map(|c| cell(*c, r, state, styles, &sizes, reason_width))
                .collect::<Vec<_>>();
            let row = Row::new(cells);
            if i == state.services.cursor.selected {
                row.style(styles.selection())
            } else {
                row.style(styles.text())
            }
        })
        .collect();
    let header: Vec<&str> = columns.iter().map(|c| c.title()).collect();
    let widths: Vec<Constraint> = columns.iter().map(|c| c.width(wide, &sizes)).collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(styles.table_header()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// A column of the services table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Health,
    /// The pair's account name (several pairs only).
    Account,
    /// The pair's Region (several pairs only).
    Region,
    Cluster,
    Service,
    Tasks,
    Cpu,
    Memory,
    Errors,
    P95,
    /// Bytes a second sent (red when far above its usual).
    Egress,
    Revision,
    /// The revision number alone (narrow).
    Rev,
    Rollout,
    Changed,
    /// Time since the last change (narrow).
    Age,
    Stops,
    Reason,
}

/// Which columns fit: every one from 200 columns; from 150 the metrics
/// with egress, from 110 without it, and the reason (which says the loop and its revision), or, before any metric
/// is read, the revision, rollout, change and stops; below, the essentials.
/// With several pairs, each row says its account and Region after its health.
fn columns(width: u16, metrics: bool, several_pairs: bool) -> Vec<Column> {
    use Column::*;
    let head: &[Column] = if several_pairs {
        &[Health, Account, Region, Cluster, Service, Tasks]
    } else {
        &[Health, Cluster, Service, Tasks]
    };
    let middle: &[Column] = match (width, metrics) {
        (200.., true) => &[
            Cpu, Memory, Errors, P95, Egress, Revision, Rollout, Changed, Stops,
        ],
        (150.., true) => &[Cpu, Memory, Errors, P95, Egress],
        (110.., true) => &[Cpu, Memory, Errors, P95],
        (120.., false) => &[Revision, Rollout, Changed, Stops],
        (_, true) => &[Memory],
        (_, false) => &[Rev, Age],
    };
    head.iter()
        .chain(middle)
        .chain([&Reason])
        .copied()
        .collect()
}

struct Sizes {
    account: u16,
    region: u16,
    cluster: u16,
    service: u16,
    revision: u16,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Health => "HEALTH",
            Column::Account => "ACCOUNT",
            Column::Region => "REGION",
            Column::Cluster => "CLUSTER",
            Column::Service => "SERVICE",
            Column::Tasks => "TASKS",
            Column::Cpu => "CPU%",
            Column::Memory => "MEM%",
            Column::Errors => "5XX%",
            Column::P95 => "P95",
            Column::Egress => "EGRESS",
            Column::Revision => "REVISION",
            Column::Rev => "REV",
            Column::Rollout => "ROLLOUT",
            Column::Changed => "CHANGED",
            Column::Age => "AGE",
            Column::Stops => "STOPS",
            Column::Reason => "REASON",
        }
    }

    fn width(self, wide: bool, sizes: &Sizes) -> Constraint {
        Constraint::Length(match self {
            Column::Health => 12,
            Column::Account => sizes.account,
            Column::Region => sizes.region,
            Column::Cluster => sizes.cluster,
            Column::Service => sizes.service,
            Column::Tasks if wide => 7,
            Column::Tasks => 6,
            Column::Cpu | Column::Memory | Column::Errors | Column::Rev | Column::Age => 4,
            Column::P95 => 5,
            Column::Egress => 6,
            Column::Revision => sizes.revision,
            Column::Rollout => 11,
            Column::Changed => 7,
            Column::Stops => 15,
            Column::Reason => return Constraint::Fill(1),
        })
    }
}

fn cell<'a>(
    column: Column,
    r: &RankedService,
    state: &AppState,
    styles: &Styles,
    sizes: &Sizes,
    reason_width: usize,
) -> Cell<'a> {
    let s = &r.service;
    let health = r.verdict.health;
    let metrics = || state.metrics_of(&s.key()).unwrap_or_default();
    let percent = |v: Option<f64>, hot: f64| -> Cell<'a> {
        match v {
            Some(v) => {
                let style = if v >= hot {
                    styles.critical()
                } else if v >= hot * 0.8 {
                    styles.degraded()
                } else {
                    styles.text()
                };
                Cell::from(Span::styled(format!("{v:>3.0}"), style))
            }
            None => Cell::from(Span::styled("  —", styles.muted())),
        }
    };
    match column {
        Column::Health => {
            let alarmed = state
                .alarms_of(&s.key())
                .iter()
                .any(|a| a.state == AlarmState::Alarm);
            // A flag after the health word marks an alarm in ALARM.
            let text = format!(
                "{} {}{}",
                health_symbol(health),
                short_health(health),
                if alarmed { " ⚑" } else { "" }
            );
            Cell::from(Span::styled(text, styles.health(health)))
        }
        Column::Account => {
            // A production account's name stands out.
            let production = state
                .pair_watch(&s.pair)
                .is_some_and(|w| state.pair_is_production(w));
            let name = truncate(&s.pair.account, sizes.account as usize);
            if production {
                Cell::from(Span::styled(name, styles.critical()))
            } else {
                Cell::from(name)
            }
        }
        Column::Region => Cell::from(truncate(&s.pair.region, sizes.region as usize)),
        Column::Cluster => Cell::from(truncate(&s.cluster, sizes.cluster as usize)),
        Column::Service => Cell::from(truncate(&s.name, sizes.service as usize)),
        Column::Tasks => {
            let mut tasks = format!("{}/{}", s.running, s.desired);
            if s.pending > 0 {
                tasks.push_str(&format!("+{}", s.pending));
            }
            Cell::from(tasks)
        }
        Column::Cpu => percent(metrics().cpu_percent.map(|c| c.max), HOT_PERCENT),
        Column::Memory => percent(metrics().memory_percent.map(|m| m.max), HOT_PERCENT),
        Column::Errors => percent(metrics().http_5xx_percent, ERRORS_PERCENT),
        Column::P95 => match metrics().p95_ms {
            Some(ms) => {
                let style = if ms >= SLOW_MS {
                    styles.critical()
                } else {
                    styles.text()
                };
                let text = if ms >= 1000.0 {
                    format!("{:.1}s", ms / 1000.0)
                } else {
                    format!("{ms:.0}ms")
                };
                Cell::from(Span::styled(format!("{text:>5}"), style))
            }
            None => Cell::from(Span::styled("    —", styles.muted())),
        },
        Column::Egress => match metrics().network_tx {
            Some(tx) => {
                let style = if state.egress_of(&s.key()).is_some() {
                    styles.critical()
                } else {
                    styles.text()
                };
                let text = crate::domain::egress::rate_short(tx.max);
                Cell::from(Span::styled(format!("{text:>6}"), style))
            }
            None => Cell::from(Span::styled("     —", styles.muted())),
        },
        Column::Revision => Cell::from(s.revision_label()),
        Column::Rev => Cell::from(
            s.revision_label()
                .rsplit_once(':')
                .map(|(_, n)| n.to_string())
                .unwrap_or_default(),
        ),
        Column::Rollout => Cell::from(rollout(r)),
        Column::Changed | Column::Age => Cell::from(since(state.now, s.last_changed())),
        Column::Stops => {
            let stops = state.loop_of(&s.key()).map(|p| p.short());
            Cell::from(Span::styled(stops.unwrap_or_default(), styles.critical()))
        }
        // The best evidence first: a live loop, hot metrics, then the verdict.
        // The full headline when what `R` opens still fits, else the short one.
        Column::Reason => {
            let mut suggestion = state.suggestion(r);
            // The top suspect, unless the headline already names what it
            // changed (an OOM loop "since chatbot-api:41" is that deploy).
            if let Some(suspect) = state
                .near_suspect(&s.key())
                .filter(|x| !suggestion.headline.contains(x.subject()))
            {
                let key = s.key();
                let security_lead =
                    state.egress_of(&key).is_some() || !state.current_findings_of(&key).is_empty();
                suggestion = crate::ui::format::with_suspect(
                    &suggestion,
                    &suspect.phrase(state.now),
                    security_lead,
                );
            }
            let text = crate::ui::format::headline_within(&suggestion, reason_width);
            Cell::from(Span::styled(one_line(&text), styles.health(health)))
        }
    }
}

fn short_health(health: crate::domain::Health) -> &'static str {
    match health {
        crate::domain::Health::ScaledToZero => "scaled 0",
        other => other.as_str(),
    }
}

fn rollout(r: &RankedService) -> String {
    match r.service.primary().and_then(|p| p.rollout_state) {
        Some(RolloutState::InProgress) => "in progress".into(),
        Some(RolloutState::Completed) => "completed".into(),
        Some(RolloutState::Failed) => "FAILED".into(),
        None => "—".into(),
    }
}
