//! A runbook's parameters before its run: one field per parameter (what was
//! selected and the defaults already in), what is wrong with the values, and
//! the steps that will run.

use crate::app::state::AppState;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn crumb(state: &AppState) -> String {
    format!(
        "Runbooks › {} › parameters",
        state
            .form
            .as_ref()
            .map(|f| f.file.runbook.id.as_str())
            .unwrap_or("")
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    // Long on purpose: the form's fields, their errors and the hint share one column layout.
    let Some(form) = &state.form else {
        return;
    };
    let rb = &form.file.runbook;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", rb.title), styles.heading()),
        Span::styled(format!("({})", rb.id), styles.muted()),
    ])];
    let context = form.context.describe();
    lines.push(Line::from(Span::styled(
        if context.is_empty() {
            "Fill in the parameters; Enter checks them and starts the run.".to_string()
        } else {
            format!("Filled in from {context}; Enter checks the values and starts the run.")
        },
        styles.muted(),
    )));
    // The one pair the run will change, before anything runs.
    let mut runs_in = vec![
        Span::styled("Runs in ", styles.muted()),
        Span::styled(
            form.pair.describe(),
            if form.pair.production {
                styles.critical()
            } else {
                styles.heading()
            },
        ),
    ];
    if state.several_pairs() {
        runs_in.push(Span::styled(
            format!(
                "  ({} runs it in another watched pair)",
                state
                    .keymap
                    .label_of(crate::app::commands::Command::NextPair)
            ),
            styles.muted(),
        ));
    }
    if !form.pair.is_anonymous() {
        lines.push(Line::from(runs_in));
    }
    lines.push(Line::from(""));
    let name_width = form
        .fields
        .iter()
        .map(|f| f.spec.name.len())
        .max()
        .unwrap_or(0)
        .max(8);
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let shown = if field.spec.secret {
            "•".repeat(field.input.text.chars().count())
        } else {
            one_line(&field.input.text)
        };
        let cursor = if focused { "▏" } else { "" };
        let mut about = vec![field.spec.ty.as_str().to_string()];
        if field.spec.required {
            about.push("required".into());
        }
        if field.spec.secret {
            about.push("secret: never shown or journaled".into());
        }
        if !field.spec.choices.is_empty() {
            about.push(format!("one of {}", field.spec.choices.join(", ")));
        }
        if let Some(d) = &field.spec.description {
            about.push(d.clone());
        }
        if let Some(source) = &field.source {
            // It may name a task definition, as AWS wrote it.
            about.push(one_line(source));
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {:<name_width$} ",
                    if focused { "›" } else { " " },
                    field.spec.name
                ),
                if focused {
                    styles.accent()
                } else {
                    styles.text()
                },
            ),
            Span::styled(
                format!("[{shown}{cursor}]"),
                if focused {
                    styles.selection()
                } else {
                    styles.text()
                },
            ),
            Span::styled(format!("  {}", about.join(" · ")), styles.muted()),
        ]));
    }
    if form.fields.is_empty() {
        lines.push(Line::from(Span::styled(
            "  This runbook takes no parameters.",
            styles.muted(),
        )));
    }
    if !form.errors.is_empty() {
        lines.push(Line::from(""));
        for e in &form.errors {
            lines.push(Line::from(Span::styled(
                format!("✗ {}", one_line(e)),
                styles.critical(),
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("STEPS", styles.heading())));
    for (i, step) in rb.steps.iter().enumerate() {
        let mut marks = Vec::new();
        if step.attrs.destructive {
            marks.push("destructive".to_string());
        }
        if let Some(when) = &step.attrs.when {
            marks.push(format!("when {}", when.describe()));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {:>2}. ", i + 1), styles.muted()),
            Span::styled(one_line(&step.title), styles.text()),
            Span::styled(format!("  {}", step.kind_name()), styles.muted()),
            Span::styled(
                if marks.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", marks.join(", "))
                },
                if step.attrs.destructive {
                    styles.degraded()
                } else {
                    styles.muted()
                },
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
