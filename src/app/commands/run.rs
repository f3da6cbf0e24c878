//! Carrying out a command: [`dispatch`] (the screen's hooks first, for the
//! commands a screen answers its own way, then the table's `does`), and the
//! commands every screen shares.

use super::{Command, Does};
use crate::app::cursors::move_by;
use crate::app::effect::Effect;
use crate::app::layout::list_rows;
use crate::app::navigation::{back, flash, go};
use crate::app::prompts::{ask, no_incident, selected_entry};
use crate::app::screens::{hooks, Screen};
use crate::app::state::{AppState, Overlay, PromptPurpose};
use crate::domain::timeline::EntryDraft;

/// Carry out `command` with `arg` (the text after its name; empty from a
/// key). A command that does not work on this screen says so.
pub fn dispatch(state: &mut AppState, command: Command, arg: &str) -> Vec<Effect> {
    let spec = command.spec();
    if !spec.works_on(&state.screen) {
        flash(
            state,
            &format!(
                ":{} does not work on {}; it works on {}",
                spec.name,
                state.screen.describe(),
                spec.scopes
                    .iter()
                    .map(|s| s.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            true,
        );
        return Vec::new();
    }
    if let Some(effects) = hooks(&state.screen).on_command(state, command) {
        return effects;
    }
    match spec.does {
        Does::Run(run) => run(state, arg.trim()),
        Does::OnScreen => {
            flash(
                state,
                &format!(":{} does nothing on {}", spec.name, state.screen.describe()),
                true,
            );
            Vec::new()
        }
    }
}

pub(crate) fn quit(state: &mut AppState, _: &str) -> Vec<Effect> {
    state.quit = true;
    vec![Effect::Quit]
}

/// `:services` (home), or with a name, that service (the first whose name
/// is it, else contains it, across clusters and pairs).
pub(super) fn services(state: &mut AppState, name: &str) -> Vec<Effect> {
    if name.is_empty() {
        state.back.clear();
        state.screen = Screen::Services;
        return crate::app::keys::entered(state);
    }
    let found = state.status.data.as_ref().and_then(|ranked| {
        ranked
            .iter()
            .find(|r| r.service.name == name)
            .or_else(|| ranked.iter().find(|r| r.service.name.contains(name)))
            .map(|r| r.service.key())
    });
    match found {
        Some(key) => go(state, Screen::Service(key)),
        None => {
            flash(
                state,
                &format!("no service named `{name}` is watched; :services lists them"),
                true,
            );
            Vec::new()
        }
    }
}

/// `:events` of every watched cluster, or of the one named.
pub(super) fn events(state: &mut AppState, cluster: &str) -> Vec<Effect> {
    let cluster = (!cluster.is_empty()).then(|| cluster.to_string());
    go(state, Screen::Events(cluster))
}

/// The events of the selected service's cluster (this service's, on its screen).
pub(super) fn cluster_events(state: &mut AppState, _: &str) -> Vec<Effect> {
    let cluster = match &state.screen {
        Screen::Service(key) => Some(key.cluster.clone()),
        _ => state.selected_service().map(|r| r.service.cluster.clone()),
    };
    go(state, Screen::Events(cluster))
}

pub(super) fn diagnosis(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Diagnosis)
}

pub(super) fn alarms(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Alarms)
}

pub(super) fn security(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Security)
}

pub(super) fn changes(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Changes)
}

pub(super) fn timeline(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Timeline)
}

pub(super) fn keys(state: &mut AppState, _: &str) -> Vec<Effect> {
    go(state, Screen::Keymap)
}

/// `:logs ID`: one request across every service.
pub(super) fn logs(state: &mut AppState, id: &str) -> Vec<Effect> {
    if id.is_empty() {
        flash(
            state,
            "which ID? :logs req-5f1e0c9a (L on a log line follows its ID)",
            true,
        );
        return Vec::new();
    }
    crate::app::screens::logs::open(state, id)
}

pub(super) fn runbooks(state: &mut AppState, _: &str) -> Vec<Effect> {
    crate::app::screens::runbook::open_picker(state)
}

pub(super) fn run(state: &mut AppState, _: &str) -> Vec<Effect> {
    crate::app::screens::runbook::show_run(state)
}

/// `:resume [RUN_ID] [--accept-changes] [--param NAME=VALUE]…`
pub(super) fn resume(state: &mut AppState, arg: &str) -> Vec<Effect> {
    match super::palette::resume_args(arg) {
        Ok(ask) => crate::app::screens::runbook::resume(state, ask),
        Err(message) => {
            flash(state, &message, true);
            Vec::new()
        }
    }
}

/// `:start [TITLE]`: open an incident, its title (offered from what is
/// wrong when not given) and severity asked first.
pub(super) fn start_incident(state: &mut AppState, title: &str) -> Vec<Effect> {
    if let Some(view) = &state.incident {
        let text = format!(
            "already writing incident {}; close it first (triage incident close)",
            view.incident.id
        );
        flash(state, &text, true);
        return Vec::new();
    }
    if title.trim().is_empty() {
        crate::app::naming::ask_title(state);
    } else {
        crate::app::naming::ask_severity(state, title.trim().to_string());
    }
    Vec::new()
}

pub(super) fn watch(state: &mut AppState, until: &str) -> Vec<Effect> {
    crate::app::watches::arm(state, until)
}

pub(super) fn incident_title(state: &mut AppState, text: &str) -> Vec<Effect> {
    crate::app::naming::title(state, text)
}

pub(super) fn incident_severity(state: &mut AppState, text: &str) -> Vec<Effect> {
    crate::app::naming::severity(state, text)
}

pub(super) fn context(state: &mut AppState, profile: &str) -> Vec<Effect> {
    let profile = (!profile.is_empty()).then(|| profile.to_string());
    crate::app::context::ask_profile(state, profile)
}

pub(super) fn region(state: &mut AppState, region: &str) -> Vec<Effect> {
    let region = (!region.is_empty()).then(|| region.to_string());
    crate::app::context::ask_region(state, region)
}

/// `:theme NAME`: one of the built-in themes.
pub(super) fn theme(state: &mut AppState, name: &str) -> Vec<Effect> {
    match crate::settings::ThemeSpec::built_in(name) {
        Some(theme) => {
            state.theme = theme;
            flash(state, &format!("theme {name}"), false);
        }
        None => flash(
            state,
            &format!("no built-in theme `{name}`: dark, light, high-contrast"),
            true,
        ),
    }
    Vec::new()
}

pub(super) fn refresh(state: &mut AppState, _: &str) -> Vec<Effect> {
    let mut effects = crate::app::refresh::request_status(state);
    effects.extend(crate::app::screens::service::request_detail(state));
    effects.extend(crate::app::monitoring::refresh_now(state));
    flash(state, "refreshing…", false);
    effects
}

/// `?`: help for this screen, at its top.
pub(super) fn help(state: &mut AppState, _: &str) -> Vec<Effect> {
    state.overlay = Overlay::Help(crate::app::help::HelpView::default());
    Vec::new()
}

pub(super) fn palette(state: &mut AppState, _: &str) -> Vec<Effect> {
    state.overlay = Overlay::Palette(super::palette::PaletteView::default());
    Vec::new()
}

pub(super) fn open(state: &mut AppState, _: &str) -> Vec<Effect> {
    hooks(&state.screen).open_selected(state)
}

pub(super) fn filter(state: &mut AppState, _: &str) -> Vec<Effect> {
    state.filtering = true;
    Vec::new()
}

pub(super) fn go_back(state: &mut AppState, _: &str) -> Vec<Effect> {
    back(state)
}

/// Rows a page moves.
fn page(state: &AppState) -> i64 {
    list_rows(state.height).max(1) as i64
}

pub(super) fn up(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, -1);
    Vec::new()
}

pub(super) fn down(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, 1);
    Vec::new()
}

pub(super) fn page_up(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, -page(state));
    Vec::new()
}

pub(super) fn page_down(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, page(state));
    Vec::new()
}

pub(super) fn top(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, i64::MIN / 2);
    Vec::new()
}

pub(super) fn bottom(state: &mut AppState, _: &str) -> Vec<Effect> {
    move_by(state, i64::MAX / 2);
    Vec::new()
}

pub(super) fn exec(state: &mut AppState, _: &str) -> Vec<Effect> {
    crate::app::exec::start(state)
}

pub(super) fn metrics_window(state: &mut AppState, _: &str) -> Vec<Effect> {
    crate::app::monitoring::next_window(state)
}

pub(super) fn add_note(state: &mut AppState, text: &str) -> Vec<Effect> {
    ask(state, PromptPurpose::Note, text.to_string());
    Vec::new()
}

pub(super) fn add_milestone(state: &mut AppState, text: &str) -> Vec<Effect> {
    ask(state, PromptPurpose::Milestone, text.to_string());
    Vec::new()
}

/// Correct the selected entry (a new entry supersedes it).
pub(super) fn edit_entry(state: &mut AppState, _: &str) -> Vec<Effect> {
    if let Some(entry) = selected_entry(state) {
        let (id, summary) = (entry.id.clone(), entry.summary.clone());
        ask(state, PromptPurpose::Edit(id), summary);
    }
    Vec::new()
}

pub(super) fn toggle_important(state: &mut AppState, _: &str) -> Vec<Effect> {
    let Some(entry) = selected_entry(state) else {
        return Vec::new();
    };
    let mut draft = EntryDraft::correcting(entry);
    draft.important = !entry.important;
    vec![Effect::Journal(Box::new(draft))]
}

pub(super) fn export(state: &mut AppState, _: &str) -> Vec<Effect> {
    if state.incident.is_some() {
        return vec![Effect::ExportIncident];
    }
    no_incident(state);
    Vec::new()
}

pub(super) fn trace(state: &mut AppState, id: &str) -> Vec<Effect> {
    crate::app::screens::waterfall::open(state, id)
}
