//! The bottom line: a message, the filter being typed, or the key hints for
//! this screen (generated from the keymap).

use crate::app::commands::Scope;
use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let line = if state.filtering {
        Line::from(vec![
            Span::styled("/", styles.accent()),
            Span::styled(state.filter.text.clone(), styles.text()),
            Span::styled("▏", styles.accent()),
            Span::styled(
                "  Enter keep · Esc clear · !text hides matches",
                styles.muted(),
            ),
        ])
    } else if let Some(message) = &state.message {
        let style = if message.error {
            styles.critical()
        } else {
            styles.accent()
        };
        Line::from(Span::styled(one_line(&message.text), style))
    } else if let (Some(err), Some(_)) = (&state.status.error, &state.status.data) {
        Line::from(vec![
            Span::styled(
                format!("⚠ refresh failed: {} · ", err.short()),
                styles.degraded(),
            ),
            Span::styled(
                super::status_note::retry_note(state, &state.status),
                styles.muted(),
            ),
        ])
    } else if let Some(watch) = state
        .failing_pairs()
        .first()
        .filter(|_| state.several_pairs())
    {
        // One pair of several fails: why, and how to fix it, in full.
        let err = watch.status.error.as_ref().map(|e| e.to_string());
        Line::from(vec![
            Span::styled(
                format!("⚠ {}: {} · ", watch.pair(), err.unwrap_or_default()),
                styles.degraded(),
            ),
            Span::styled(
                super::status_note::retry_note(state, &watch.status),
                styles.muted(),
            ),
        ])
    } else {
        let mut spans = Vec::new();
        // A list's own first, this screen's, back, then those of every screen.
        let mut hinted = state.keymap.bindings_for(&state.screen);
        hinted.sort_by_key(|b| {
            let scopes = b.spec().scopes;
            if scopes.contains(&Scope::Lists) {
                0
            } else if scopes.contains(&Scope::Everywhere) {
                3
            } else if scopes.contains(&Scope::NotHome) {
                2
            } else {
                1
            }
        });
        for binding in hinted {
            if let Some(hint) = binding.spec().hint {
                let key = state.keymap.first_key_of(binding.command);
                spans.push(Span::styled(key, styles.accent()));
                spans.push(Span::styled(format!(" {hint}  "), styles.muted()));
            }
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
