//! What to show instead of data: loading, or the error with its advice and
//! when the next try is.

use crate::app::state::{AppState, Refreshing};
use crate::ui::format::age;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Draw "loading…" or the error of a refresh that has no data to show yet.
pub(crate) fn draw_empty<T>(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    r: &Refreshing<T>,
    what: &str,
    styles: &Styles,
) {
    let lines = match &r.error {
        Some(err) => vec![
            Line::from(Span::styled(
                format!("Cannot load {what}."),
                styles.critical(),
            )),
            Line::from(""),
            Line::from(Span::styled(err.to_string(), styles.text())),
            Line::from(""),
            Line::from(Span::styled(retry_note(state, r), styles.muted())),
        ],
        None => vec![Line::from(Span::styled(
            format!("Loading {what}…"),
            styles.muted(),
        ))],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// "retrying in 8s (attempt 3)".
pub(crate) fn retry_note<T>(state: &AppState, r: &Refreshing<T>) -> String {
    if r.in_flight.is_some() {
        return format!("retrying now (failed {} times)", r.failures);
    }
    let wait = r.next_at - state.now;
    format!(
        "retrying in {} (failed {} times) · r to retry now",
        age(wait),
        r.failures
    )
}
