//! The hooks of the three runbook screens: the picker, the parameter form
//! (its keys type into its fields) and the run view (j/k look at another
//! step, pages scroll the step's text; an answer being typed takes the keys).

use super::{form, run, visible_runbooks};
use crate::app::commands::{Command, Scope};
use crate::app::cursors::moved;
use crate::app::effect::Effect;
use crate::app::input::KeyPress;
use crate::app::layout::list_rows;
use crate::app::screens::ScreenHooks;
use crate::app::state::AppState;

/// The run view scrolls a step's text this far at most; the view clamps at its end.
const MOST_SCROLL: i64 = 10_000;

pub struct PickerHooks;

impl ScreenHooks for PickerHooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Lists, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the runbooks list"
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        // One row goes to the banner above the list.
        let rows = list_rows(state.height).saturating_sub(1);
        let len = visible_runbooks(state).len();
        state.runbooks.cursor = moved(state.runbooks.cursor, delta, len, rows);
    }

    fn open_selected(&self, state: &mut AppState) -> Vec<Effect> {
        super::open_selected(state)
    }
}

pub struct FormHooks;

impl ScreenHooks for FormHooks {
    fn scopes(&self) -> &'static [Scope] {
        // On the form, keys type into its fields.
        &[Scope::RunbookForm]
    }

    fn describe(&self) -> &'static str {
        "a runbook's form"
    }

    fn editing_text(&self, _state: &AppState) -> bool {
        true
    }

    fn on_text_key(&self, state: &mut AppState, key: KeyPress) -> Vec<Effect> {
        form::on_form_key(state, key)
    }
}

pub struct RunHooks;

impl ScreenHooks for RunHooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Run, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the run view"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        if let Some(view) = &mut state.run {
            view.follow = true;
            view.selected = view.current();
            view.scroll = 0;
        }
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let Some(view) = &mut state.run else {
            return;
        };
        if delta.abs() == 1 {
            // j/k: look at another step.
            let len = view.file.runbook.steps.len() as i64;
            let target = (view.selected as i64 + delta).clamp(0, (len - 1).max(0));
            view.selected = target as usize;
            view.follow = false;
            view.scroll = 0;
        } else {
            // Pages (and g/G) scroll the step's text.
            let target = (view.scroll as i64).saturating_add(delta.signum() * 10);
            view.scroll = target.clamp(0, MOST_SCROLL) as usize;
        }
    }

    fn editing_text(&self, state: &AppState) -> bool {
        state.run.as_ref().is_some_and(|r| r.input.is_some())
    }

    fn on_text_key(&self, state: &mut AppState, key: KeyPress) -> Vec<Effect> {
        run::on_run_input_key(state, key)
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        match command {
            Command::RunAnswer
            | Command::RunSkip
            | Command::RunAbort
            | Command::RunDone
            | Command::RunFailed
            | Command::RunRetry
            | Command::RunFollow => Some(run::on_run_command(state, command)),
            _ => None,
        }
    }
}
