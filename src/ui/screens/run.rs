//! The run view: the steps with their states on the left; on the right the
//! shown step's prose (rendered), its plan (current → target), what the run
//! asks (with the typed confirmation inline), live output and outputs.

use crate::app::commands::Command;
use crate::app::effect::Ask;
use crate::app::keymap::Keymap;
use crate::app::screens::runbook::{InputPurpose, RunEnded, RunView};
use crate::app::state::AppState;
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::StepState;
use crate::domain::sanitize::one_line;
use crate::ui::theme::Styles;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Live output lines shown under a step.
const OUTPUT_SHOWN: usize = 12;

fn glyph(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "·",
        StepState::Planned => "○",
        StepState::Confirmed => "◉",
        StepState::Running => "▶",
        StepState::Succeeded => "✓",
        StepState::Failed => "✗",
        StepState::Skipped => "↷",
        StepState::Unknown => "?",
        StepState::Cancelled => "■",
    }
}

fn state_style(styles: &Styles, state: StepState) -> Style {
    match state {
        StepState::Pending | StepState::Skipped => styles.muted(),
        StepState::Planned | StepState::Confirmed | StepState::Running => styles.accent(),
        StepState::Succeeded => styles.healthy(),
        StepState::Failed | StepState::Cancelled => styles.critical(),
        StepState::Unknown => styles.degraded(),
    }
}

fn step_state(view: &RunView, index: usize) -> StepState {
    view.run
        .as_ref()
        .and_then(|r| r.steps.get(index))
        .map(|s| s.state)
        .unwrap_or(StepState::Pending)
}

pub fn crumb(state: &AppState) -> String {
    format!(
        "Runbooks › {} › run",
        state
            .run
            .as_ref()
            .map(|v| v.file.runbook.id.as_str())
            .unwrap_or("")
    )
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let Some(view) = &state.run else {
        return;
    };
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(summary(view, styles)), top);
    let list_width = (area.width / 3).clamp(24, 40);
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(body);
    draw_steps(frame, left, view, styles);
    draw_step(frame, right, state, view, styles);
}

/// "▶ ECS task OOM restart loop · run-… · incident … · step 3 of 6 waits for you".
fn summary<'a>(view: &'a RunView, styles: &Styles) -> Line<'a> {
    let rb = &view.file.runbook;
    let (word, style) = match (&view.ended, &view.question, &view.run_id) {
        (Some(RunEnded::Finished(outcome)), _, _) => (
            format!("run {}", outcome.as_str()),
            match outcome {
                crate::domain::runbook::run::RunOutcome::Succeeded => styles.healthy(),
                _ => styles.critical(),
            },
        ),
        (Some(RunEnded::Broken(why)), _, _) => {
            (format!("stopped: {}", one_line(why)), styles.critical())
        }
        (None, Some(q), _) => (
            format!("step {} of {} waits for you", q.index + 1, rb.steps.len()),
            styles.degraded(),
        ),
        (None, None, None) => ("starting…".into(), styles.muted()),
        (None, None, Some(_)) => (
            format!("step {} of {}", view.current() + 1, rb.steps.len()),
            styles.accent(),
        ),
    };
    let mut spans = vec![
        Span::styled(format!("{} ", rb.title), styles.heading()),
        Span::styled(word, style.add_modifier(Modifier::BOLD)),
    ];
    if !view.pair.is_anonymous() {
        spans.push(Span::styled(
            format!(" · in {}", view.pair.describe()),
            if view.pair.production {
                styles.critical()
            } else {
                styles.muted()
            },
        ));
    }
    if let Some(id) = &view.run_id {
        spans.push(Span::styled(format!(" · {id}"), styles.muted()));
    }
    if let Some(incident) = &view.incident {
        spans.push(Span::styled(
            format!(" · incident {incident}"),
            styles.muted(),
        ));
    }
    Line::from(spans)
}

fn draw_steps(frame: &mut Frame, area: Rect, view: &RunView, styles: &Styles) {
    let current = view.current();
    let mut lines: Vec<Line> = view
        .file
        .runbook
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let s = step_state(view, i);
            let marker = if i == current && view.active() {
                "›"
            } else {
                " "
            };
            let row = format!(
                "{marker}{} {:>2} {}",
                glyph(s),
                i + 1,
                one_line(&step.title)
            );
            let style = if i == view.selected {
                styles.selection()
            } else {
                state_style(styles, s)
            };
            Line::from(Span::styled(row, style))
        })
        .collect();
    let params = view
        .run
        .as_ref()
        .and_then(|r| r.params.as_object().cloned())
        .unwrap_or_default();
    if !params.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("PARAMETERS", styles.heading())));
        for (k, v) in params {
            let v = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            lines.push(Line::from(vec![
                Span::styled(format!(" {k} "), styles.muted()),
                Span::styled(one_line(&v), styles.text()),
            ]));
        }
    }
    let block = Block::default()
        .borders(Borders::RIGHT)
        .border_style(styles.border());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_step(frame: &mut Frame, area: Rect, state: &AppState, view: &RunView, styles: &Styles) {
    // Long on purpose: one step in reading order (prose, plan, live output, question), one paragraph built line by line.
    let index = view.selected;
    let Some(step) = view.file.runbook.steps.get(index) else {
        return;
    };
    let s = step_state(view, index);
    let run_step = view.run.as_ref().and_then(|r| r.steps.get(index));
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled(format!(" {} ", glyph(s)), state_style(styles, s)),
        Span::styled(one_line(&step.title), styles.heading()),
        Span::styled(
            format!("  {} · {}", step.kind_name(), s.as_str()),
            styles.muted(),
        ),
        Span::styled(
            if step.attrs.destructive {
                "  DESTRUCTIVE"
            } else {
                ""
            },
            styles.critical(),
        ),
    ])];
    lines.push(Line::from(""));
    // The prose before the step, without its heading (shown above).
    let mut prose = crate::ui::markdown::render(&step.prose, styles)
        .into_iter()
        .peekable();
    let text_of = |l: &Line| {
        l.spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect::<String>()
    };
    if prose
        .peek()
        .is_some_and(|l| text_of(l).ends_with(&step.title))
    {
        prose.next();
        if prose.peek().is_some_and(|l| l.spans.is_empty()) {
            prose.next();
        }
    }
    lines.extend(prose);
    while lines.last().is_some_and(|l| l.spans.is_empty()) {
        lines.pop();
    }
    lines.push(Line::from(""));

    let plan = view.plans.get(&index).map(|p| p.lines.clone()).or_else(|| {
        run_step
            .and_then(|r| r.plan.clone())
            .map(|t| t.lines().map(str::to_string).collect())
    });
    if let Some(plan) = plan {
        lines.push(Line::from(Span::styled("PLAN", styles.heading())));
        for line in plan {
            lines.push(Line::from(Span::styled(
                format!("  {}", one_line(&line)),
                styles.text(),
            )));
        }
        lines.push(Line::from(""));
    }

    if let Some(question) = view.question.as_ref().filter(|q| q.index == index) {
        lines.extend(question_lines(
            &state.keymap,
            view,
            &question.kind,
            step.kind,
            styles,
        ));
    }
    if let Some(notice) = &view.notice {
        lines.push(Line::from(Span::styled(
            format!("✗ {notice}"),
            styles.critical(),
        )));
    }

    if let Some(output) = view.output.get(&index).filter(|o| !o.is_empty()) {
        lines.push(Line::from(Span::styled(
            format!("OUTPUT ({} lines)", output.len()),
            styles.heading(),
        )));
        let skip = output.len().saturating_sub(OUTPUT_SHOWN);
        for line in &output[skip..] {
            lines.push(Line::from(Span::styled(
                format!("  │ {line}"),
                styles.text(),
            )));
        }
        lines.push(Line::from(""));
    }
    if let Some(r) = run_step {
        if let Some(note) = &r.note {
            let style = if s == StepState::Failed {
                styles.critical()
            } else {
                styles.muted()
            };
            for line in note.lines() {
                lines.push(Line::from(Span::styled(
                    format!("  {}", one_line(line)),
                    style,
                )));
            }
        }
        if !r.outputs.is_empty() {
            lines.push(Line::from(Span::styled("OUTPUTS", styles.heading())));
            for (k, v) in &r.outputs {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {k} = "), styles.muted()),
                    Span::styled(one_line(v), styles.text()),
                ]));
            }
        }
    }
    let _ = state;
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let height = paragraph.line_count(area.width.saturating_sub(1)) as u16;
    let scroll =
        (view.scroll.min(u16::MAX as usize) as u16).min(height.saturating_sub(area.height));
    let inner = Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(1),
        ..area
    };
    frame.render_widget(paragraph.scroll((scroll, 0)), inner);
}

/// What the run asks of this step, and the keys that answer.
fn question_lines<'a>(
    keymap: &Keymap,
    view: &RunView,
    ask: &Ask,
    kind: Option<StepKind>,
    styles: &Styles,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let keys = |pairs: &[(Command, &str)]| -> String {
        pairs
            .iter()
            .map(|(action, words)| format!("{} {words}", keymap.label_of(*action)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let skip = (Command::RunSkip, "skip");
    let abort = (Command::RunAbort, "abort the run");
    let (headline, keys): (String, String) = match ask {
        Ask::Confirm { typed: true, plan } => (
            format!(
                "⚠ Destructive: confirm by typing {}",
                plan.target.as_deref().unwrap_or("its name")
            ),
            keys(&[(Command::RunAnswer, "type the name"), skip, abort]),
        ),
        Ask::Confirm { .. } => (
            "⚠ Destructive: run this step?".into(),
            keys(&[(Command::RunAnswer, "run it"), skip, abort]),
        ),
        Ask::Answer { .. } => match kind {
            Some(StepKind::Choice) => (
                "? Choose".into(),
                keys(&[(Command::RunAnswer, "choose"), skip, abort]),
            ),
            Some(StepKind::Approve) => (
                "? A second person approves".into(),
                keys(&[(Command::RunAnswer, "type their name"), skip, abort]),
            ),
            _ => (
                "? Do this by hand, then say so".into(),
                format!(
                    "{} or {}",
                    keymap.label_of(Command::RunAnswer),
                    keys(&[
                        (Command::RunDone, "done"),
                        (Command::RunFailed, "failed"),
                        skip,
                        abort
                    ])
                ),
            ),
        },
        Ask::Resolve => (
            "? This step was running when the run stopped: check what it did".into(),
            keys(&[
                (Command::RunDone, "it is done"),
                (Command::RunFailed, "it failed"),
                (Command::RunRetry, "run it again"),
                abort,
            ]),
        ),
        Ask::Failed { error } => (
            format!("✗ Failed: {}", one_line(error)),
            keys(&[
                (Command::RunRetry, "run it again"),
                (Command::RunSkip, "skip it"),
                (Command::RunAbort, "end the run (failed)"),
            ]),
        ),
    };
    let style = match ask {
        Ask::Confirm { .. } | Ask::Failed { .. } => styles.critical(),
        _ => styles.degraded(),
    }
    .add_modifier(Modifier::BOLD);
    lines.push(Line::from(Span::styled(headline, style)));
    match &view.input {
        Some(input) => {
            let shown = one_line(&input.input.text);
            lines.push(Line::from(vec![
                Span::styled(format!("  {}: ", input.purpose.label()), styles.text()),
                Span::styled(format!("{shown}▏"), styles.selection()),
            ]));
            let hint = match input.purpose {
                InputPurpose::Confirm { .. } => "  Enter confirms · Esc cancels",
                _ => "  Enter sends · Esc cancels",
            };
            lines.push(Line::from(Span::styled(hint, styles.muted())));
        }
        None => lines.push(Line::from(Span::styled(
            format!("  {keys}"),
            styles.muted(),
        ))),
    }
    lines.push(Line::from(""));
    lines
}
