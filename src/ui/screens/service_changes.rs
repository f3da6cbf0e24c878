//! The service screen's *What changed*: the changes that touched the
//! service, most suspect first (nearest before its onset), each with who,
//! when, what, its first detail (the revision diff, the rule) and the
//! runbook that undoes it where one ships. Every name from AWS is cleaned.

use crate::app::state::AppState;
use crate::domain::changes::suspects::ago;
use crate::domain::sanitize::one_line;
use crate::domain::service::ServiceKey;
use crate::ui::format::{clock, truncate};
use crate::ui::theme::Styles;
use chrono::Duration;
use ratatui::text::{Line, Span};

/// Changes listed at most: three on a tall screen, the top suspect on a
/// short one (the events below keep their rows).
fn shown(height: u16) -> usize {
    if height >= 40 {
        3
    } else {
        1
    }
}

/// The section's lines (none when nothing is known to have changed).
pub(crate) fn lines(
    state: &AppState,
    key: &ServiceKey,
    width: u16,
    height: u16,
    styles: &Styles,
) -> Vec<Line<'static>> {
    let shown = shown(height);
    let suspects = state.suspects_of(key);
    if suspects.is_empty() {
        return Vec::new();
    }
    let onset = state.onset_of(key);
    let width = width as usize;
    let heading = match onset {
        Some(at) => format!(
            "WHAT CHANGED (nearest before the trouble began at {} first; :changes for all)",
            clock(at)
        ),
        None => "WHAT CHANGED (newest first; :changes for all)".to_string(),
    };
    let mut out = vec![Line::from(Span::styled(heading, styles.heading()))];
    let catalogue: Vec<String> = state
        .runbooks
        .files
        .iter()
        .flatten()
        .filter(|f| f.ok())
        .map(|f| f.runbook.id.clone())
        .collect();
    for suspect in suspects.iter().take(shown) {
        let c = suspect.change;
        let when = match onset {
            Some(_) if suspect.came_before() => {
                format!("{} before", ago(suspect.before_onset.max(Duration::zero())))
            }
            Some(_) => format!("{} after", ago(-suspect.before_onset)),
            None => format!("{} ago", ago(state.now - c.at)),
        };
        let style = if suspect.is_near() && onset.is_some() {
            styles.degraded()
        } else {
            styles.text()
        };
        let undo = c
            .undone_by()
            .filter(|id| catalogue.iter().any(|c| c == id))
            .map(|id| format!("  undo: {id}"))
            .unwrap_or_default();
        let head = format!(
            "{} {:>12}  {} by {}",
            clock(c.at),
            when,
            one_line(&c.action),
            one_line(&c.actor)
        );
        out.push(Line::from(vec![
            Span::styled(truncate(&head, width), style),
            Span::styled(undo, styles.muted()),
        ]));
        let what = match c.detail.first() {
            Some(first) => format!("    {} · {}", one_line(&c.summary), one_line(first)),
            None => format!("    {}", one_line(&c.summary)),
        };
        out.push(Line::from(Span::styled(
            truncate(&what, width),
            styles.muted(),
        )));
    }
    if suspects.len() > shown && height >= 40 {
        out.push(Line::from(Span::styled(
            format!("    … {} more on :changes", suspects.len() - shown),
            styles.muted(),
        )));
    }
    out
}
