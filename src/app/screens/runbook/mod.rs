//! The console's runbook screens: the `:rb` picker, the parameter form and
//! the run view. Their state lives in [`state`]; this module and its
//! children change it in answer to keys and to what the run reports.

mod form;
mod hooks;
pub mod known;
mod run;
pub mod state;

use crate::domain::runbook::resume::{decide_resume, ResumeAsk};
pub use hooks::{FormHooks, PickerHooks, RunHooks};
pub use run::{on_event, started_incident};
pub use state::{
    FormField, InputPurpose, ParamForm, PendingOpen, RunContext, RunEnded, RunInput, RunView,
    RunbookCatalog,
};

use crate::app::effect::Effect;
use crate::app::state::{AppState, Cursor, Filter, Screen};
use crate::app::update::{flash, go};
use crate::domain::runbook::RunbookFile;

/// `:rb`: the picker, with the folders read again.
pub(crate) fn open_picker(state: &mut AppState) -> Vec<Effect> {
    let mut effects = go(state, Screen::Runbooks);
    effects.push(Effect::LoadRunbooks);
    effects
}

/// The runbooks on the picker, after the filter.
pub(crate) fn visible_runbooks(state: &AppState) -> Vec<&RunbookFile> {
    let Some(files) = &state.runbooks.files else {
        return Vec::new();
    };
    let filter = Filter::parse(&state.filter.text);
    files
        .iter()
        .filter(|f| {
            let tags = f.runbook.tags.join(" ");
            filter.keeps(&[&f.runbook.id, &f.runbook.title, &tags])
        })
        .collect()
}

/// The folders were read.
pub(crate) fn on_runbooks(state: &mut AppState, files: Vec<RunbookFile>) -> Vec<Effect> {
    state.runbooks.files = Some(files);
    let len = visible_runbooks(state).len();
    let cursor = state.runbooks.cursor;
    state.runbooks.cursor = Cursor {
        selected: cursor.selected.min(len.saturating_sub(1)),
        offset: cursor.offset.min(len.saturating_sub(1)),
    };
    match state.runbooks.pending.take() {
        Some(PendingOpen::Runbook(id, context)) => open_form(state, &id, context),
        Some(PendingOpen::ForService(key)) => {
            crate::app::screens::services::open_suggested(state, &key)
        }
        Some(PendingOpen::ForFinding(arn)) => open_for_finding(state, &arn),
        None => Vec::new(),
    }
}

/// Enter on the picker.
pub(crate) fn open_selected(state: &mut AppState) -> Vec<Effect> {
    let Some(id) = visible_runbooks(state)
        .get(state.runbooks.cursor.selected)
        .map(|f| f.runbook.id.clone())
    else {
        return Vec::new();
    };
    let context = context_before_picker(state);
    open_form(state, &id, context)
}

/// `R` on a finding: its runbook, filled from the finding.
pub(crate) fn open_for_finding(state: &mut AppState, task_arn: &str) -> Vec<Effect> {
    let Some(finding) = state.diagnosis.finding(task_arn).cloned() else {
        return Vec::new();
    };
    if state.runbooks.files.is_none() {
        state.runbooks.pending = Some(PendingOpen::ForFinding(task_arn.to_string()));
        return vec![Effect::LoadRunbooks];
    }
    let Some(ranked) = finding
        .service_key()
        .and_then(|key| state.suggestible_service(&key))
    else {
        flash(
            state,
            "no service started this task, so no runbook is suggested; :rb lists them all",
            true,
        );
        return open_picker(state);
    };
    // The same choice as the service's `R`, with this task's cause first.
    let suggestion = state.suggestion_with(&ranked, &[finding.cause]);
    match &suggestion.runbook {
        Some(runbook) => {
            let id = runbook.id.clone();
            let context = crate::app::screens::finding_selection(&finding);
            open_or_wait(state, &id, context)
        }
        None => {
            crate::app::screens::services::open_suggestion(state, &ranked.service.key(), suggestion)
        }
    }
}

/// The form of runbook `id`, now or as soon as the runbooks are read.
pub(crate) fn open_or_wait(state: &mut AppState, id: &str, context: RunContext) -> Vec<Effect> {
    if state.runbooks.files.is_none() {
        state.runbooks.pending = Some(PendingOpen::Runbook(id.to_string(), context));
        return vec![Effect::LoadRunbooks];
    }
    open_form(state, id, context)
}

/// The parameter form of runbook `id`, prefilled from `context`.
pub(crate) fn open_form(state: &mut AppState, id: &str, context: RunContext) -> Vec<Effect> {
    if let Some(view) = state.run.as_ref().filter(|v| v.active()) {
        let title = view.file.runbook.title.clone();
        flash(
            state,
            &format!("a run of “{title}” is in progress: :run shows it"),
            true,
        );
        return Vec::new();
    }
    let Some(file) = state
        .runbooks
        .files
        .as_ref()
        .and_then(|files| files.iter().find(|f| f.runbook.id == id))
        .cloned()
    else {
        flash(
            state,
            &format!("no runbook with id `{id}` was found; :rb lists those found"),
            true,
        );
        return Vec::new();
    };
    if !file.ok() {
        flash(
            state,
            &format!(
                "{} has errors; fix them first (triage runbook check {})",
                file.path.display(),
                file.path.display()
            ),
            true,
        );
        return Vec::new();
    }
    let pair = run_pair(state, &context);
    // What the service can reach and read fills the form; if it has not been
    // read yet, it is asked for now and fills the form when it comes.
    let wants_exposure = file
        .runbook
        .params
        .iter()
        .any(|p| known::FROM_EXPOSURE.contains(&p.name.as_str()));
    let exposure = known::exposure_for(state, &context).cloned();
    let mut effects = Vec::new();
    let reading = wants_exposure
        && exposure.is_none()
        && state.security.enabled
        && known::service_key(&context).is_some();
    if reading {
        let pair_of = context.pair.clone().unwrap_or_default();
        effects.extend(crate::app::security::request_exposure(state, &pair_of));
    }
    state.form = Some(form::new_form(
        file,
        context,
        pair,
        exposure.as_ref(),
        reading,
    ));
    effects.extend(go(state, Screen::RunbookForm));
    effects
}

/// The exposure of the form's service arrived: fill what waited for it.
pub(crate) fn fill_from_exposure(state: &mut AppState) {
    let Some(form) = &state.form else {
        return;
    };
    let Some(exposure) = known::exposure_for(state, &form.context).cloned() else {
        return;
    };
    if let Some(form) = &mut state.form {
        form::fill(form, &exposure);
    }
}

/// `:run`: back to the run in progress (or the last one).
pub(crate) fn show_run(state: &mut AppState) -> Vec<Effect> {
    if state.run.is_none() {
        flash(
            state,
            "no runbook has run in this console; :rb picks one",
            true,
        );
        return Vec::new();
    }
    go(state, Screen::Run)
}

/// `:resume [RUN_ID] [--accept-changes] [--param NAME=VALUE]`: the newest
/// unfinished run of the attached incident (or the one named), rebuilt from
/// its journal, goes on where it stopped — decided by the same rules as
/// `triage runbook run --resume`.
pub fn resume(state: &mut AppState, ask: ResumeAsk) -> Vec<Effect> {
    use crate::domain::runbook::run::unfinished_runs;
    let Some(incident) = &state.incident else {
        flash(
            state,
            "no incident is attached: runs are kept in an incident's journal",
            true,
        );
        return Vec::new();
    };
    if state.run.as_ref().is_some_and(|v| v.active()) {
        flash(state, "a run is in progress: :run shows it", true);
        return Vec::new();
    }
    let incident_id = incident.incident.id.clone();
    let entries = &incident.incident.entries;
    let runs = unfinished_runs(entries);
    let found = if ask.run_id.is_empty() {
        runs.last()
    } else {
        runs.iter().find(|r| r.run_id == ask.run_id)
    };
    let Some(found) = found.cloned() else {
        let text = if ask.run_id.is_empty() {
            format!("incident {incident_id} has no unfinished run")
        } else {
            format!(
                "incident {incident_id} has no unfinished run `{}`",
                ask.run_id
            )
        };
        flash(state, &text, true);
        return Vec::new();
    };
    let Some(file) = state
        .runbooks
        .files
        .as_ref()
        .and_then(|f| f.iter().find(|f| f.runbook.id == found.runbook_id))
        .cloned()
    else {
        flash(
            state,
            &format!(
                "run {} is of runbook `{}`, which is not found any more ({})",
                found.run_id, found.runbook_id, found.file
            ),
            true,
        );
        return Vec::new();
    };
    let ask = ResumeAsk {
        run_id: found.run_id.clone(),
        ..ask
    };
    let resumable = match decide_resume(&file.runbook, entries, &ask) {
        Ok(r) => r,
        Err(refused) => {
            flash(state, &refused.to_string(), true);
            return Vec::new();
        }
    };
    // A run goes on in the pair it began in, or not at all.
    let Some(pair) = state.pair_watch(&found.pair).map(|w| state.run_pair(w)) else {
        flash(
            state,
            &format!(
                "run {} ran in {}, which this console does not watch: add it with :ctx or :region, or resume it with triage runbook run --resume",
                found.run_id, found.pair
            ),
            true,
        );
        return Vec::new();
    };
    let mut view = RunView::new(
        file.clone(),
        crate::app::effect::RunParams(resumable.params),
        pair.clone(),
    );
    view.run_id = Some(found.run_id.clone());
    view.incident = Some(incident_id.clone());
    view.run = Some(resumable.state);
    view.selected = view.current();
    state.run = Some(view);
    let mut effects = go(state, Screen::Run);
    effects.push(Effect::ResumeRun {
        file: Box::new(file),
        incident: incident_id,
        ask,
        pair,
    });
    effects
}

/// The pair a run with this selection runs in: the selection's, else the
/// first watched (with its account id once read).
fn run_pair(state: &AppState, context: &RunContext) -> crate::domain::pair::WatchedPair {
    let selected = context.pair.as_ref().and_then(|p| state.pair_watch(p));
    selected
        .or(state.pairs.first())
        .map(|w| state.run_pair(w))
        .unwrap_or_default()
}

/// What the screen the picker was opened from had selected.
fn context_before_picker(state: &AppState) -> RunContext {
    let from = state
        .back
        .iter()
        .rev()
        .find(|s| !matches!(s, Screen::Runbooks | Screen::RunbookForm | Screen::Run));
    match from {
        Some(screen) => context_of(state, screen),
        None => RunContext::default(),
    }
}

/// The cluster, service and task a screen has selected.
pub(crate) fn context_of(state: &AppState, screen: &Screen) -> RunContext {
    crate::app::screens::hooks(screen).selection(state, screen)
}
