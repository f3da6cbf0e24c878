//! The run view's logic: the run's reports folded in (transitions, plans,
//! output, questions, its end) and the operator's keys turned into decisions.

use super::state::{InputPurpose, RunEnded, RunInput, RunView, OUTPUT_LINES_KEPT};
use crate::app::commands::Command;
use crate::app::effect::{Ask, Effect, RunEvent};
use crate::app::input::KeyPress;
use crate::app::state::{AppState, Screen};
use crate::app::text_input::{Edit, TextInput};
use crate::app::update::flash;
use crate::domain::runbook::decision::{Decision, Resolution};
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::run::RunState;
use crate::domain::runbook::values::public_params;
use crate::domain::runbook::PlanData;
use crate::domain::sanitize::one_line;

/// The incident the console attached to was opened for the waiting run:
/// start it there.
pub fn started_incident(state: &mut AppState) -> Vec<Effect> {
    let (Some(view), Some(incident)) = (&state.run, &state.incident) else {
        return Vec::new();
    };
    if view.run_id.is_some() || view.ended.is_some() {
        return Vec::new();
    }
    vec![Effect::StartRun {
        file: Box::new(view.file.clone()),
        params: view.params.clone(),
        incident: incident.incident.id.clone(),
        pair: view.pair.clone(),
    }]
}

/// Fold in what the run reports.
pub fn on_event(state: &mut AppState, event: RunEvent) {
    let on_screen = state.screen == Screen::Run;
    let Some(view) = &mut state.run else {
        return;
    };
    match event {
        RunEvent::Started { run_id, incident } => {
            let params = public_params(&view.file.runbook, &view.params.0);
            view.run = Some(RunState::new(&view.file.runbook, &run_id, params));
            view.run_id = Some(run_id);
            view.incident = Some(incident);
        }
        RunEvent::Transition(entry) => {
            if let Some(run) = &mut view.run {
                run.apply(&view.file.runbook, &entry);
            }
            follow(view);
        }
        RunEvent::Planned { index, plan } => {
            view.plans.insert(index, plan);
        }
        RunEvent::Output { index, line } => {
            let lines = view.output.entry(index).or_default();
            lines.push(one_line(&line));
            if lines.len() > OUTPUT_LINES_KEPT {
                let extra = lines.len() - OUTPUT_LINES_KEPT;
                lines.drain(..extra);
            }
        }
        RunEvent::Rejected { reason, .. } => view.notice = Some(one_line(&reason)),
        RunEvent::Asks(question) => {
            let step = view
                .file
                .runbook
                .steps
                .get(question.index)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            view.question = Some(question);
            view.input = None;
            follow(view);
            if !on_screen {
                flash(
                    state,
                    &format!("the runbook waits for you at “{step}”: :run shows it"),
                    false,
                );
            }
        }
        RunEvent::Ended { outcome, error } => {
            view.question = None;
            view.input = None;
            let text = match (&outcome, &error) {
                (_, Some(error)) => {
                    view.ended = Some(RunEnded::Broken(error.clone()));
                    format!("the run stopped: {error}")
                }
                (Some(outcome), None) => {
                    view.ended = Some(RunEnded::Finished(*outcome));
                    format!("runbook {}", outcome.as_str())
                }
                (None, None) => {
                    view.ended = Some(RunEnded::Broken("the run stopped".into()));
                    "the run stopped".into()
                }
            };
            follow(view);
            let failed = error.is_some()
                || outcome != Some(crate::domain::runbook::run::RunOutcome::Succeeded);
            flash(state, &text, failed);
        }
    }
}

/// When following, show the run's current step.
fn follow(view: &mut RunView) {
    if view.follow {
        let current = view.current();
        if current != view.selected {
            view.selected = current;
            view.scroll = 0;
        }
    }
}

/// A key while a line is being typed in the run view.
pub(crate) fn on_run_input_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    let Some(view) = &mut state.run else {
        return Vec::new();
    };
    let Some(input) = &mut view.input else {
        return Vec::new();
    };
    match input.input.handle(key) {
        Edit::Submit => {
            let typed = input.input.text.trim().to_string();
            let purpose = input.purpose.clone();
            view.input = None;
            submit_input(state, purpose, typed)
        }
        Edit::Cancel => {
            view.input = None;
            Vec::new()
        }
        Edit::Changed | Edit::Ignored => Vec::new(),
    }
}

fn submit_input(state: &mut AppState, purpose: InputPurpose, typed: String) -> Vec<Effect> {
    let by = state.session.operator.clone();
    let decision = match purpose {
        InputPurpose::Confirm { .. } => Decision::Confirm {
            by,
            typed: Some(typed),
        },
        InputPurpose::Approve => {
            if typed.is_empty() {
                return notice(state, "an approval needs the approver's name");
            }
            Decision::Answer { by, value: typed }
        }
        InputPurpose::Choose { options } => match pick(&options, &typed) {
            Some(value) => Decision::Answer { by, value },
            None => {
                return notice(
                    state,
                    &format!(
                        "`{typed}` is not one of the options: {}",
                        options.join(", ")
                    ),
                )
            }
        },
        InputPurpose::SkipReason => Decision::Skip {
            by,
            reason: if typed.is_empty() {
                "no reason given".into()
            } else {
                typed
            },
        },
        InputPurpose::AbortReason => Decision::Abort {
            by,
            reason: if typed.is_empty() {
                "no reason given".into()
            } else {
                typed
            },
        },
    };
    decide(state, decision)
}

/// An option by its number, its name, or the start of one name.
fn pick(options: &[String], typed: &str) -> Option<String> {
    if let Ok(n) = typed.parse::<usize>() {
        return options.get(n.checked_sub(1)?).cloned();
    }
    if let Some(exact) = options.iter().find(|o| o.as_str() == typed) {
        return Some(exact.clone());
    }
    let mut starting = options.iter().filter(|o| o.starts_with(typed));
    match (starting.next(), starting.next()) {
        (Some(only), None) if !typed.is_empty() => Some(only.clone()),
        _ => None,
    }
}

fn notice(state: &mut AppState, text: &str) -> Vec<Effect> {
    if let Some(view) = &mut state.run {
        view.notice = Some(text.to_string());
    }
    Vec::new()
}

/// Send a decision for the open question; it closes until the run asks again.
fn decide(state: &mut AppState, decision: Decision) -> Vec<Effect> {
    let Some(view) = &mut state.run else {
        return Vec::new();
    };
    let (Some(question), Some(run_id)) = (view.question.take(), view.run_id.clone()) else {
        return Vec::new();
    };
    view.notice = None;
    vec![Effect::DecideRun {
        run_id,
        ask: question.ask,
        decision,
    }]
}

fn ask_for(view: &mut RunView, purpose: InputPurpose) {
    view.input = Some(RunInput {
        purpose,
        input: TextInput::default(),
    });
}

/// A run-view key (from the keymap).
pub(crate) fn on_run_command(state: &mut AppState, command: Command) -> Vec<Effect> {
    // Long on purpose: one arm per run key (answer, skip, abort, done, failed, retry, follow), each checking the step's state first.
    let by = state.session.operator.clone();
    let Some(view) = &mut state.run else {
        return Vec::new();
    };
    let kind = view.question.as_ref().map(|q| (q.kind.clone(), q.index));
    let step_kind = kind
        .as_ref()
        .and_then(|(_, i)| view.file.runbook.steps.get(*i))
        .and_then(|s| s.kind);
    match (command, kind) {
        (Command::RunFollow, _) => {
            view.follow = true;
            follow(view);
            Vec::new()
        }
        (_, None) => {
            let text = if view.ended.is_some() {
                "the run has ended; :rb starts another"
            } else {
                "the step is running; keys work when the run asks"
            };
            notice(state, text)
        }
        (Command::RunAnswer, Some((ask, _))) => match ask {
            Ask::Confirm { typed: false, .. } => decide(state, Decision::Confirm { by, typed: None }),
            Ask::Confirm { typed: true, plan } => {
                let target = plan.target.unwrap_or_default();
                ask_for(view, InputPurpose::Confirm { target });
                Vec::new()
            }
            Ask::Answer { plan } => match step_kind {
                Some(StepKind::Approve) => {
                    ask_for(view, InputPurpose::Approve);
                    Vec::new()
                }
                Some(StepKind::Choice) => {
                    let options = match plan.data {
                        PlanData::Question { options } => options,
                        _ => Vec::new(),
                    };
                    ask_for(view, InputPurpose::Choose { options });
                    Vec::new()
                }
                _ => decide(
                    state,
                    Decision::Answer {
                        by,
                        value: "done".into(),
                    },
                ),
            },
            Ask::Resolve => notice(
                state,
                "it was running when the run stopped: check what it did, then D done · F failed · R run again",
            ),
            Ask::Failed { .. } => notice(state, "R runs it again · s skips it · A ends the run"),
        },
        (Command::RunSkip, Some(_)) => {
            ask_for(view, InputPurpose::SkipReason);
            Vec::new()
        }
        (Command::RunAbort, Some(_)) => {
            ask_for(view, InputPurpose::AbortReason);
            Vec::new()
        }
        (Command::RunDone, Some((Ask::Resolve, _))) => resolve(state, by, Resolution::Done),
        (Command::RunFailed, Some((Ask::Resolve, _))) => resolve(state, by, Resolution::Failed),
        (Command::RunRetry, Some((Ask::Resolve | Ask::Failed { .. }, _))) => {
            resolve(state, by, Resolution::Retry)
        }
        (Command::RunDone, Some((Ask::Answer { .. }, _))) if step_kind == Some(StepKind::Manual) => decide(
            state,
            Decision::Answer {
                by,
                value: "done".into(),
            },
        ),
        (Command::RunFailed, Some((Ask::Answer { .. }, _))) if step_kind == Some(StepKind::Manual) => decide(
            state,
            Decision::Answer {
                by,
                value: "failed".into(),
            },
        ),
        _ => notice(state, "that key does not answer this step; ? lists the keys"),
    }
}

fn resolve(state: &mut AppState, by: String, how: Resolution) -> Vec<Effect> {
    decide(state, Decision::Resolve { by, how })
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn picks_options_by_number_name_or_unique_prefix() {
        let options = vec![
            "rollback".to_string(),
            "scale".to_string(),
            "scale-in".to_string(),
        ];
        assert_eq!(pick(&options, "1").as_deref(), Some("rollback"));
        assert_eq!(pick(&options, "roll").as_deref(), Some("rollback"));
        assert_eq!(pick(&options, "scale").as_deref(), Some("scale"));
        assert_eq!(pick(&options, "sc"), None, "two options start with sc");
        assert_eq!(pick(&options, "4"), None);
        assert_eq!(pick(&options, "0"), None);
        assert_eq!(pick(&options, ""), None);
    }
}
