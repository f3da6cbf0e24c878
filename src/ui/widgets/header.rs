//! The two header lines: who/where and how fresh the data is; then where you
//! are, banners (DEMO, PRODUCTION, READ-ONLY) and per-cluster problems.

use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::ui::format::age;
use crate::ui::theme::Styles;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let mut first: Vec<Span> = Vec::new();
    if let Some(scenario) = &state.session.demo {
        // Several simulated pairs are named as their scenarios are.
        let shown = if state.several_pairs() {
            let names: Vec<&str> = state
                .pairs
                .iter()
                .map(|w| w.pair().account.as_str())
                .collect();
            names.join(",")
        } else {
            scenario.clone()
        };
        first.push(Span::styled(
            format!(" DEMO {shown} "),
            styles.banner_demo(),
        ));
        first.push(Span::raw(" "));
    } else if state.is_production() {
        first.push(Span::styled(" PRODUCTION ", styles.banner_production()));
        first.push(Span::raw(" "));
    }
    if state.session.read_only {
        first.push(Span::styled(" READ-ONLY ", styles.accent()));
        first.push(Span::raw(" "));
    }
    first.push(Span::styled(where_we_are(state), styles.header()));
    // Freshness sits at the right edge, so it stays visible when the identity is cut.
    let fresh = Line::from(freshness(state, styles));
    let fresh_width = (fresh.width() as u16 + 1).min(area.width / 2);
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(fresh_width)])
        .areas(Rect {
            height: 1.min(area.height),
            ..area
        });
    frame.render_widget(Paragraph::new(fresh).alignment(Alignment::Right), right);

    let mut second: Vec<Span> = vec![Span::styled(breadcrumb(state), styles.heading())];
    if !state.filter.text.is_empty() || state.filtering {
        second.push(Span::styled(
            format!("  /{}", state.filter.text),
            styles.accent(),
        ));
    }
    if let Some((words, expired)) = crate::app::sso::header(state) {
        second.push(Span::styled(
            format!("  ⚠ {words}"),
            if expired {
                styles.critical()
            } else {
                styles.degraded()
            },
        ));
    }
    if let Some(words) = failing_pairs(state) {
        second.push(Span::styled(format!("  ⚠ {words}"), styles.critical()));
    }
    let findings = state
        .security
        .owned
        .iter()
        .filter(|o| o.finding.severity_band() >= crate::domain::security::Severity::Medium)
        .count();
    if findings > 0 {
        second.push(Span::styled(
            format!(
                "  ⚠ {findings} GuardDuty finding{} (:security)",
                if findings == 1 { "" } else { "s" }
            ),
            styles.critical(),
        ));
    }
    let firing = state.monitoring.firing();
    if firing > 0 {
        second.push(Span::styled(
            format!(
                "  ⚑ {firing} alarm{} in ALARM (:alarms)",
                if firing == 1 { "" } else { "s" }
            ),
            styles.critical(),
        ));
    }
    if let (Some((pair, err)), true) = (state.monitoring.alarms_error(), state.monitoring.enabled) {
        let whose = if state.several_pairs() {
            format!(" of {pair}")
        } else {
            String::new()
        };
        second.push(Span::styled(
            format!("  ⚠ alarms{whose}: {}", err.short()),
            styles.degraded(),
        ));
    }
    if let Some(view) = &state.incident {
        second.push(Span::styled(
            format!("  ● incident {}", view.incident.id),
            styles.muted(),
        ));
    }
    let several = state.several_pairs();
    let problems: Vec<String> = state
        .pairs
        .iter()
        .flat_map(|w| {
            w.cluster_errors.iter().map(move |(cluster, err)| {
                if several {
                    format!("{} {cluster}: {err}", w.pair())
                } else {
                    format!("{cluster}: {err}")
                }
            })
        })
        .collect();
    if !problems.is_empty() {
        second.push(Span::styled(
            format!("  ⚠ {}", one_line(&problems.join("; "))),
            styles.critical(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(first)).style(styles.text()), left);
    if area.height > 1 {
        let below = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::from(second)).style(styles.text()),
            below,
        );
    }
}

/// "1 of 3 pairs failing: staging/us-east-1 (credentials expired, data 3m old)".
fn failing_pairs(state: &AppState) -> Option<String> {
    if !state.several_pairs() {
        return None;
    }
    let failing = state.failing_pairs();
    if failing.is_empty() {
        return None;
    }
    let each: Vec<String> = failing
        .iter()
        .map(|w| {
            let err = w
                .status
                .error
                .as_ref()
                .map(|e| e.short())
                .unwrap_or("error");
            match w.status.updated_at {
                Some(t) => format!("{} ({err}, data {} old)", w.pair(), age(state.now - t)),
                None => format!("{} ({err}, no data yet)", w.pair()),
            }
        })
        .collect();
    Some(format!(
        "{} of {} pairs failing: {}",
        failing.len(),
        state.pairs.len(),
        each.join(", ")
    ))
}

fn where_we_are(state: &AppState) -> String {
    if state.several_pairs() {
        let labels: Vec<String> = state.pairs.iter().map(|w| w.pair().label()).collect();
        return format!("{} pairs · {}", labels.len(), labels.join(" · "));
    }
    let identity = state.identity();
    let account = identity
        .and_then(|i| i.account.clone())
        .unwrap_or_else(|| "account ?".into());
    let region = identity
        .map(|i| i.region.clone())
        .or_else(|| state.session.region.clone())
        .unwrap_or_else(|| "region ?".into());
    let mut parts = vec![account, region];
    if let Some(profile) = &state.session.profile {
        parts.push(profile.clone());
    }
    if let Some(endpoint) = identity.and_then(|i| i.endpoint.as_ref()) {
        parts.push(format!("via {endpoint}"));
    }
    parts.join(" · ")
}

fn freshness<'a>(state: &AppState, styles: &Styles) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    match (state.status_age(), &state.status.error) {
        (Some(a), None) => spans.push(Span::styled(
            format!("updated {} ago", age(a)),
            styles.muted(),
        )),
        (Some(a), Some(_)) => spans.push(Span::styled(
            format!("STALE: updated {} ago", age(a)),
            styles.degraded(),
        )),
        (None, Some(_)) => spans.push(Span::styled("no data yet", styles.degraded())),
        (None, None) => spans.push(Span::styled("loading…", styles.muted())),
    }
    if state.recently_throttled() {
        spans.push(Span::styled(
            "  ⚠ throttled, backing off",
            styles.degraded(),
        ));
    }
    spans
}

fn breadcrumb(state: &AppState) -> String {
    (crate::ui::screens::view(&state.screen).crumb)(state)
}
