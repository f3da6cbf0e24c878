//! The parameter form: one field per parameter, prefilled from what was
//! selected and from the defaults, checked as the CLI checks `--param`
//! before the run starts.

use super::known::{value_for, FROM_EXPOSURE};
use super::state::{FormField, ParamForm, RunContext, RunView};
use crate::app::commands::Command;
use crate::app::effect::{Effect, RunParams};
use crate::app::input::KeyPress;
use crate::app::state::{AppState, Screen};
use crate::app::text_input::{Edit, TextInput};
use crate::app::update::back;
use crate::domain::runbook::values::resolve_params;
use crate::domain::runbook::RunbookFile;
use std::collections::BTreeMap;

/// Said on a field whose value is being read from the service.
pub(crate) const READING: &str = "reading it from the service…";

/// The form of `file`, every parameter the console knows filled (and said
/// where from), the rest from their defaults; `reading`: the service's
/// exposure is on its way, so its fields say they wait for it.
pub(crate) fn new_form(
    file: RunbookFile,
    context: RunContext,
    pair: crate::domain::pair::WatchedPair,
    exposure: Option<&crate::domain::exposure::Exposure>,
    reading: bool,
) -> ParamForm {
    let fields = file
        .runbook
        .params
        .iter()
        .map(|spec| {
            let known = value_for(&spec.name, &context, exposure, &pair).filter(|_| !spec.secret);
            let (text, source) = match (known, &spec.default) {
                (Some(k), _) => (k.value, Some(format!("from {}", k.source))),
                (None, _) if reading && FROM_EXPOSURE.contains(&spec.name.as_str()) => {
                    (String::new(), Some(READING.to_string()))
                }
                (_, Some(default)) => (default.render(), Some("default".to_string())),
                _ => (String::new(), None),
            };
            FormField {
                spec: spec.clone(),
                input: TextInput { text },
                source,
            }
        })
        .collect();
    // Start on the first field that still needs a value.
    let mut form = ParamForm {
        file,
        fields,
        focus: 0,
        errors: Vec::new(),
        context,
        pair,
    };
    form.focus = form
        .fields
        .iter()
        .position(|f| f.spec.required && f.input.text.trim().is_empty())
        .unwrap_or(0);
    form
}

pub(crate) fn on_form_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    if state.keymap.command_for(&Screen::RunbookForm, key) == Some(Command::NextPair) {
        next_pair(state);
        return Vec::new();
    }
    let Some(form) = &mut state.form else {
        return back(state);
    };
    let count = form.fields.len();
    // The form's own bindings (keymap scope `RunbookForm`); other keys type.
    match state.keymap.command_for(&Screen::RunbookForm, key) {
        Some(Command::FormCancel) => {
            state.form = None;
            return back(state);
        }
        Some(Command::FormNext) if count > 0 => form.focus = (form.focus + 1) % count,
        Some(Command::FormPrevious) if count > 0 => form.focus = (form.focus + count - 1) % count,
        Some(Command::FormSubmit) => return submit(state),
        _ => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                if field.input.handle(key) == Edit::Changed {
                    field.source = None;
                    form.errors.clear();
                }
            }
        }
    }
    Vec::new()
}

/// The service's exposure came: every field still waiting for it, or
/// empty, takes what it says.
pub(crate) fn fill(form: &mut ParamForm, exposure: &crate::domain::exposure::Exposure) {
    for field in &mut form.fields {
        let waiting = field.source.as_deref() == Some(READING);
        if !(waiting || field.input.text.trim().is_empty()) || field.spec.secret {
            continue;
        }
        match value_for(&field.spec.name, &form.context, Some(exposure), &form.pair) {
            Some(k) => {
                field.input.text = k.value;
                field.source = Some(format!("from {}", k.source));
            }
            None if waiting => field.source = Some("the service does not say".into()),
            None => {}
        }
    }
    if let Some(i) = form
        .fields
        .iter()
        .position(|f| f.spec.required && f.input.text.trim().is_empty())
    {
        form.focus = i;
    }
}

/// Run in the next watched pair (the form shows which).
fn next_pair(state: &mut AppState) {
    let Some(form) = &state.form else {
        return;
    };
    let count = state.pairs.len().max(1);
    let at = state.pairs.iter().position(|w| w.pair() == &form.pair.pair);
    let next = at.map_or(0, |i| (i + 1) % count);
    let pair = state.pairs.get(next).map(|w| state.run_pair(w));
    if let (Some(form), Some(pair)) = (&mut state.form, pair) {
        form.pair = pair;
    }
}

/// Enter: check every value; start the run when they hold.
fn submit(state: &mut AppState) -> Vec<Effect> {
    let Some(form) = &mut state.form else {
        return Vec::new();
    };
    let given: BTreeMap<String, String> = form
        .fields
        .iter()
        .filter(|f| !f.input.text.trim().is_empty())
        .map(|f| (f.spec.name.clone(), f.input.text.trim().to_string()))
        .collect();
    match resolve_params(&form.file.runbook, &given) {
        Ok(params) => {
            let file = form.file.clone();
            let pair = form.pair.clone();
            state.form = None;
            start(state, file, RunParams(params), pair)
        }
        Err(errors) => {
            // Put the cursor on the first field named in an error.
            if let Some(i) = form.fields.iter().position(|f| {
                errors
                    .iter()
                    .any(|e| e.contains(&format!("`{}`", f.spec.name)))
            }) {
                form.focus = i;
            }
            // The CLI's hint (`pass --param …`) does not fit a form.
            form.errors = errors
                .into_iter()
                .map(|e| match e.split_once(": pass --param") {
                    Some((head, _)) => head.to_string(),
                    None => e,
                })
                .collect();
            Vec::new()
        }
    }
}

/// The run view replaces the form; the run joins the attached incident, or
/// starts one titled after the runbook (the run starts once it is open).
fn start(
    state: &mut AppState,
    file: RunbookFile,
    params: RunParams,
    pair: crate::domain::pair::WatchedPair,
) -> Vec<Effect> {
    state.run = Some(RunView::new(file.clone(), params.clone(), pair.clone()));
    state.screen = Screen::Run;
    match &state.incident {
        Some(view) => vec![Effect::StartRun {
            file: Box::new(file),
            params,
            incident: view.incident.id.clone(),
            pair,
        }],
        // Its incident first: title and severity asked, offered from the
        // run's service; the run starts once the incident is open.
        None => {
            crate::app::naming::ask_title(state);
            Vec::new()
        }
    }
}
