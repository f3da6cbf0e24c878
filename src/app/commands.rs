//! The command palette's commands, carried out.

use super::effect::Effect;
use super::keymap::Action;
use super::keys::{entered, perform, quit};
use super::navigation::{flash, go};
use super::palette::{self, Command};
use super::state::{AppState, Screen};

pub(super) fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let command = match palette::parse(line) {
        Ok(c) => c,
        Err(message) => {
            flash(state, &message, true);
            return Vec::new();
        }
    };
    if let Some(screen) = palette::target(&command) {
        if screen == Screen::Services {
            state.back.clear();
            state.screen = Screen::Services;
            return entered(state);
        }
        return go(state, screen);
    }
    match command {
        Command::OpenService(name) => {
            let found = state.status.data.as_ref().and_then(|ranked| {
                ranked
                    .iter()
                    .find(|r| r.service.name == name)
                    .or_else(|| ranked.iter().find(|r| r.service.name.contains(&name)))
                    .map(|r| r.service.key())
            });
            match found {
                Some(key) => go(state, Screen::Service(key)),
                None => {
                    flash(
                        state,
                        &format!("no service named `{name}` is watched"),
                        true,
                    );
                    Vec::new()
                }
            }
        }
        Command::Theme(name) => {
            match crate::settings::ThemeSpec::built_in(&name) {
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
        Command::StartIncident(title) => {
            if let Some(view) = &state.incident {
                flash(
                    state,
                    &format!(
                        "already writing incident {}; close it first (triage incident close)",
                        view.incident.id
                    ),
                    true,
                );
                return Vec::new();
            }
            vec![Effect::StartIncident { title }]
        }
        Command::Refresh => perform(state, Action::Refresh),
        Command::Keys => go(state, Screen::Keymap),
        Command::Help => perform(state, Action::Help),
        Command::Quit => quit(state),
        Command::Runbooks => super::screens::runbook::open_picker(state),
        Command::Run => super::screens::runbook::show_run(state),
        Command::Logs(id) => super::screens::logs::open(state, &id),
        Command::Resume(ask) => super::screens::runbook::resume(state, ask),
        Command::Context(profile) => super::context::ask_profile(state, profile),
        Command::Region(region) => super::context::ask_region(state, region),
        Command::Services
        | Command::Events(_)
        | Command::Timeline
        | Command::Diagnosis
        | Command::Alarms
        | Command::Security => Vec::new(),
    }
}
