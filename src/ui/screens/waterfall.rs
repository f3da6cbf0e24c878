//! Where one request's time went: a row per span, nested, with its start,
//! its duration and its self time, and a bar to scale on a shared time
//! axis; the bottleneck marked, errors in the error style, the selected
//! span told in full below. Names from logs and X-Ray are untrusted and
//! sanitized.

use crate::app::screens::waterfall::{Phase, WaterfallView};
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::domain::trace::{took, SpanSource, Waterfall};
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The name column's widest.
const MAX_NAME: usize = 32;
/// START, TOOK and SELF, each with a space before it.
const TIMES: usize = 3 * 10;
/// The bar's widest.
const MAX_BAR: usize = 80;

pub fn crumb(state: &AppState) -> String {
    match &state.waterfall {
        Some(w) => format!("Waterfall › {}", one_line(&w.id)),
        None => "Waterfall".to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let Some(view) = &state.waterfall else {
        note(frame, area, "no request yet: :trace ID draws one", styles);
        return;
    };
    match &view.phase {
        Phase::Searching { .. } => {
            let found = state
                .logs
                .as_ref()
                .filter(|l| l.id == view.id)
                .map_or(0, |l| l.events.len());
            let text = format!(
                "searching every service's logs for {}… ({found} line{} so far)",
                one_line(&view.id),
                if found == 1 { "" } else { "s" }
            );
            note(frame, area, &text, styles);
        }
        Phase::Reading => {
            let text = format!("{} lines found; reading X-Ray for their trace…", view.lines);
            note(frame, area, &text, styles);
        }
        Phase::NoLines => {
            let text = format!(
                "No line carries {} in the last hour: nothing to draw. Check the ID, or search wider from the shell: triage trace {} --since 6h",
                one_line(&view.id),
                one_line(&view.id)
            );
            note(frame, area, &text, styles);
        }
        Phase::Failed(why) => {
            note(
                frame,
                area,
                &format!("The waterfall could not be read: {}", one_line(why)),
                styles,
            );
        }
        Phase::Drawn(w) => draw_waterfall(frame, area, view, w, styles),
    }
}

fn note(frame: &mut Frame, area: Rect, text: &str, styles: &Styles) {
    frame.render_widget(
        Paragraph::new(Span::styled(text.to_string(), styles.muted())).wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_waterfall(
    frame: &mut Frame,
    area: Rect,
    view: &WaterfallView,
    w: &Waterfall,
    styles: &Styles,
) {
    let notes: Vec<Line> = w
        .notes
        .iter()
        .take(2)
        .map(|n| {
            Line::from(Span::styled(
                format!("note: {}", one_line(n)),
                styles.muted(),
            ))
        })
        .collect();
    let [head, table, detail, notes_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(notes.len() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(head_lines(view, w, styles)), head);
    draw_spans(frame, table, view, w, styles);
    frame.render_widget(
        Paragraph::new(detail_lines(view, w, styles)).wrap(Wrap { trim: true }),
        detail,
    );
    frame.render_widget(Paragraph::new(notes), notes_area);
}

fn head_lines<'a>(view: &WaterfallView, w: &Waterfall, styles: &Styles) -> Vec<Line<'a>> {
    let source = match (w.source, &w.trace_id) {
        (SpanSource::Xray, Some(t)) => format!("from X-Ray trace {}", one_line(t)),
        _ => format!("from {} log lines", view.lines),
    };
    let first = Line::from(vec![
        Span::styled(one_line(&w.id), styles.heading()),
        Span::raw(format!(
            "  {} · {} span{} · {source}",
            took(w.total_ms),
            w.spans.len(),
            if w.spans.len() == 1 { "" } else { "s" }
        )),
    ]);
    let second = match &w.bottleneck {
        Some(b) => Line::from(vec![
            Span::styled("bottleneck ", styles.degraded()),
            Span::styled(b.label(), styles.critical()),
            Span::raw(format!(
                " holds {} itself ({} % of the request)",
                took(b.self_ms),
                (b.self_ms * 100) / w.total_ms.max(1)
            )),
        ]),
        None => Line::from(Span::styled(
            "no span holds time of its own",
            styles.muted(),
        )),
    };
    vec![first, second, Line::raw("")]
}

fn draw_spans(frame: &mut Frame, area: Rect, view: &WaterfallView, w: &Waterfall, styles: &Styles) {
    let width = area.width as usize;
    let name_width = (0..w.spans.len())
        .map(|i| w.depth(i) * 2 + w.label(i).chars().count() + 4)
        .max()
        .unwrap_or(8)
        .clamp(8, MAX_NAME)
        .min(width.saturating_sub(TIMES + 6).max(8));
    // Room after the bar for the bottleneck's mark.
    let bar = width
        .saturating_sub(name_width + TIMES + 4)
        .clamp(4, MAX_BAR);
    let rows = (area.height as usize).saturating_sub(1);
    // The selected span stays in view.
    let offset = if view.selected >= view.offset + rows.max(1) {
        view.selected + 1 - rows.max(1)
    } else {
        view.offset.min(view.selected)
    };
    let scale =
        |ms: i64| ((ms.max(0) as f64 / w.total_ms.max(1) as f64) * bar as f64).round() as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:<name_width$}{:>10}{:>10}{:>10}  {}",
            "SPAN",
            "START",
            "TOOK",
            "SELF",
            axis(bar, w.total_ms)
        ),
        styles.table_header(),
    ))];
    for i in (0..w.spans.len()).skip(offset).take(rows) {
        let s = &w.spans[i];
        let marked = w.is_bottleneck(i);
        let mark = if s.error { " ✖" } else { "" };
        let name: String = format!("{}{}{mark}", "  ".repeat(w.depth(i)), w.label(i))
            .chars()
            .take(name_width.saturating_sub(1))
            .collect();
        let start = scale(s.start_ms).min(bar.saturating_sub(1));
        let length = scale(s.duration_ms).clamp(1, bar - start);
        let row_style = if i == view.selected {
            styles.selection()
        } else {
            Style::default()
        };
        let bar_style = if marked {
            styles.critical()
        } else if s.error {
            styles.degraded()
        } else {
            styles.accent()
        };
        let name_style = if s.error {
            styles.degraded()
        } else {
            styles.text()
        };
        lines.push(
            Line::from(vec![
                Span::styled(format!("{name:<name_width$}"), name_style),
                Span::raw(format!(
                    "{:>10}{:>10}{:>10}  ",
                    took(s.start_ms),
                    took(s.duration_ms),
                    took(s.self_ms)
                )),
                Span::raw(" ".repeat(start)),
                Span::styled(if marked { "▇" } else { "█" }.repeat(length), bar_style),
                Span::styled(if marked { " ◀" } else { "" }, styles.critical()),
            ])
            .style(row_style),
        );
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `0 ─────── 30.09 s` across the bar's width.
fn axis(bar: usize, total_ms: i64) -> String {
    let end = took(total_ms);
    let dashes = bar.saturating_sub(end.chars().count() + 3);
    format!("0 {} {end}", "─".repeat(dashes))
}

fn detail_lines<'a>(view: &WaterfallView, w: &Waterfall, styles: &Styles) -> Vec<Line<'a>> {
    let Some(s) = w.spans.get(view.selected) else {
        return Vec::new();
    };
    let mut parts = vec![
        format!("starts at +{}", took(s.start_ms)),
        format!("took {}", took(s.duration_ms)),
        format!("{} of it its own", took(s.self_ms)),
    ];
    if let Some(status) = s.status {
        parts.push(format!("HTTP {status}"));
    }
    if s.error {
        parts.push("failed".into());
    }
    let name = if s.name.is_empty() || s.name == s.service {
        one_line(&s.service)
    } else {
        format!("{} › {}", one_line(&s.service), one_line(&s.name))
    };
    vec![Line::from(vec![
        Span::styled(name, styles.heading()),
        Span::raw(format!("  {}", parts.join(" · "))),
    ])]
}
