//! The service screen's security lines: its egress and ingress beside CPU
//! and memory (the line where egress becomes an anomaly drawn in red, or why
//! egress is not measured), and what the service can reach and read —
//! GuardDuty's findings about it, its security groups with open egress
//! marked, its subnets and public IPs, the secrets its task definition
//! reads and when each last changed. Every name from AWS is cleaned.

use crate::app::state::AppState;
use crate::domain::egress::{rate, EgressLimits};
use crate::domain::exposure::Exposure;
use crate::domain::metrics::{MetricKind, ServiceMetrics};
use crate::domain::sanitize::one_line;
use crate::domain::service::{Service, ServiceKey};
use crate::ui::format::{clock, since, truncate};
use crate::ui::theme::Styles;
use ratatui::text::{Line, Span};

/// The egress lines of a service's metrics: `TX`, `RX`, or why egress is
/// not measured.
pub(crate) struct EgressLines<'a> {
    pub tx: Option<Line<'a>>,
    pub rx: Option<Line<'a>>,
}

/// `TX` and `RX`: a trend each, now and peak, and the usual.
pub(crate) fn egress_lines<'a>(
    state: &AppState,
    service: &Service,
    metrics: &ServiceMetrics,
    spark_width: usize,
    styles: &Styles,
) -> EgressLines<'a> {
    let key = service.key();
    let end = state.now;
    let start = end - state.monitoring.window;
    let baseline = state.monitoring.baseline_of(&key);
    let limits: &EgressLimits = &state.security.limits;
    let anomaly = state.egress_of(&key);
    let mut lines: Vec<Option<Line<'a>>> = Vec::new();
    let rows = [
        (
            "TX",
            MetricKind::NetworkTxMaximum,
            baseline.and_then(|b| b.tx),
        ),
        (
            "RX",
            MetricKind::NetworkRxMaximum,
            baseline.and_then(|b| b.rx),
        ),
    ];
    for (label, kind, usual) in rows {
        let Some(points) = metrics.series.get(&kind) else {
            lines.push(None);
            continue;
        };
        // Where egress becomes an anomaly: drawn as the trend's threshold.
        let line_at = (kind == MetricKind::NetworkTxMaximum)
            .then_some(usual)
            .flatten()
            .map(|u| ((u * limits.ratio).max(limits.floor_bytes_per_second), true));
        let mut spans = vec![Span::styled(format!("  {label:<4}"), styles.text())];
        spans.extend(crate::ui::widgets::trend::spans(
            points,
            (start, end),
            spark_width,
            None,
            line_at,
            styles,
        ));
        let now = points
            .last()
            .map(|(_, v)| rate(*v))
            .unwrap_or_else(|| "—".into());
        let peak = points
            .iter()
            .map(|(_, v)| *v)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
            .map(rate)
            .unwrap_or_else(|| "—".into());
        // The usual right after now, so the comparison survives a narrow screen.
        let usual_words = match usual {
            Some(u) => format!(" · usual {}", rate(u)),
            None if baseline.is_some() => " · usual: under an hour of history".into(),
            None => String::new(),
        };
        let alarming = kind == MetricKind::NetworkTxMaximum && anomaly.is_some();
        spans.push(Span::styled(format!("  now {now}"), styles.muted()));
        spans.push(Span::styled(
            usual_words,
            if alarming {
                styles.critical()
            } else {
                styles.muted()
            },
        ));
        if let (true, Some(a)) = (alarming, anomaly) {
            spans.push(Span::styled(
                format!(" ({:.1}×)", a.ratio),
                styles.critical(),
            ));
        }
        spans.push(Span::styled(format!(" · peak {peak}"), styles.muted()));
        lines.push(Some(Line::from(spans)));
    }
    let mut lines = lines.into_iter();
    let (tx, rx) = (lines.next().flatten(), lines.next().flatten());
    let off = state
        .monitoring
        .insights_off
        .contains(&(key.pair.clone(), key.cluster.clone()));
    let tx = tx.or_else(|| {
        off.then(|| {
            Line::from(Span::styled(
                format!(
                    "  TX   — {}",
                    crate::domain::egress::insights_hint(&one_line(&key.cluster))
                ),
                styles.degraded(),
            ))
        })
    });
    EgressLines { tx, rx }
}

/// GuardDuty, network and secrets: one line each (when there is something
/// to say), cut to `width`.
pub(crate) fn exposure_lines<'a>(
    state: &AppState,
    key: &ServiceKey,
    width: u16,
    styles: &Styles,
) -> Vec<Line<'a>> {
    let width = width as usize;
    let mut lines = Vec::new();
    let current = state.current_findings_of(key);
    for f in state.findings_of(key).into_iter().take(2) {
        let mut text = f.headline();
        let replaced = !current.iter().any(|c| c.id == f.id);
        if let Some(first) = f.first_seen {
            text.push_str(&format!(" · since {}", clock(first)));
        }
        if f.count > 1 {
            text.push_str(&format!(" · seen {} times", f.count));
        }
        if replaced {
            text.push_str(" · last seen before the latest deployment (its tasks were replaced)");
        }
        let style = if replaced {
            styles.muted()
        } else {
            styles.critical()
        };
        lines.push(labelled("SECURITY", &text, width, style, styles));
    }
    let Some(exposure) = state.exposure_of(key) else {
        if let Some(err) = state
            .security
            .exposure
            .get(&key.pair)
            .and_then(|r| r.error.as_ref())
        {
            lines.push(labelled(
                "NETWORK",
                &format!("could not be read: {}", err.short()),
                width,
                styles.degraded(),
                styles,
            ));
        }
        return lines;
    };
    lines.push(network_line(exposure, width, styles));
    if let Some(line) = secrets_line(state, exposure, width, styles) {
        lines.push(line);
    }
    lines
}

fn labelled<'a>(
    label: &str,
    text: &str,
    width: usize,
    style: ratatui::style::Style,
    styles: &Styles,
) -> Line<'a> {
    let text = truncate(&one_line(text), width.saturating_sub(10));
    Line::from(vec![
        Span::styled(format!("{label:<9} "), styles.heading()),
        Span::styled(text, style),
    ])
}

fn network_line<'a>(exposure: &Exposure, width: usize, styles: &Styles) -> Line<'a> {
    let Some(network) = &exposure.network else {
        return labelled(
            "NETWORK",
            "bridge or host networking: its tasks have no security groups of their own (the container instance's count)",
            width,
            styles.muted(),
            styles,
        );
    };
    let mut spans = vec![Span::styled(format!("{:<9} ", "NETWORK"), styles.heading())];
    for group in &network.groups {
        let name = group
            .name
            .as_deref()
            .map(|n| format!(" {}", one_line(n)))
            .unwrap_or_default();
        spans.push(Span::styled(format!("{}{name}", group.id), styles.text()));
        if group.open_egress {
            let rule = group
                .egress
                .iter()
                .find(|r| crate::domain::exposure::is_open(r))
                .map(|r| format!(" ({})", r.describe()))
                .unwrap_or_default();
            spans.push(Span::styled(
                format!(" OPEN EGRESS{rule}"),
                styles.critical(),
            ));
        }
        if !group.open_egress && !group.egress.is_empty() {
            let rules: Vec<String> = group.egress.iter().map(|r| r.describe()).collect();
            spans.push(Span::styled(
                format!(" (egress {})", rules.join(", ")),
                styles.muted(),
            ));
        }
        if let Some(problem) = &group.problem {
            spans.push(Span::styled(format!(" ({problem})"), styles.degraded()));
        }
        spans.push(Span::styled(" · ", styles.muted()));
    }
    spans.push(Span::styled(
        format!(
            "{} subnet{} · {}",
            network.subnets.len(),
            if network.subnets.len() == 1 { "" } else { "s" },
            if network.assign_public_ip {
                "public IPs"
            } else {
                "no public IP"
            }
        ),
        if network.assign_public_ip {
            styles.degraded()
        } else {
            styles.muted()
        },
    ));
    cut(Line::from(spans), width)
}

fn secrets_line<'a>(
    state: &AppState,
    exposure: &Exposure,
    width: usize,
    styles: &Styles,
) -> Option<Line<'a>> {
    if let Some(problem) = &exposure.definition_problem {
        return Some(labelled(
            "SECRETS",
            &format!("unknown: the task definition could not be read ({problem})"),
            width,
            styles.degraded(),
            styles,
        ));
    }
    if exposure.secrets.is_empty() {
        return None;
    }
    let mut spans = vec![Span::styled(format!("{:<9} ", "SECRETS"), styles.heading())];
    for (i, s) in exposure.secrets.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", styles.muted()));
        }
        let name = s
            .name
            .clone()
            .unwrap_or_else(|| crate::domain::service::arn_name(&s.source).to_string());
        let name = name
            .rsplit_once(":parameter")
            .map_or(name.clone(), |(_, p)| p.to_string());
        spans.push(Span::styled(one_line(&name), styles.text()));
        let note = match (&s.problem, s.last_changed, &s.secret_arn) {
            (Some(problem), _, _) => Some((format!(" ({problem})"), styles.degraded())),
            (None, Some(at), _) => Some((
                format!(" (changed {} ago)", since(state.now, Some(at))),
                styles.muted(),
            )),
            (None, None, None) => Some((" (SSM parameter)".to_string(), styles.muted())),
            (None, None, Some(_)) => None,
        };
        if let Some((text, style)) = note {
            spans.push(Span::styled(text, style));
        }
    }
    Some(cut(Line::from(spans), width))
}

/// A line no wider than `width` (the last span shortened, the rest dropped).
fn cut(line: Line<'_>, width: usize) -> Line<'_> {
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = unicode_width::UnicodeWidthStr::width(span.content.as_ref());
        if w <= left {
            left -= w;
            spans.push(span);
        } else {
            spans.push(Span::styled(truncate(&span.content, left), span.style));
            left = 0;
        }
    }
    Line::from(spans)
}
