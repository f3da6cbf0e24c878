//! A shell into a running container from the service screen (`x`): which
//! container (picked when there is more than one), the refusals said before
//! any call, the hand-over once the session is open, and the journal's two
//! entries (opened, closed). The console does the hand-over itself.

use super::effect::Effect;
use super::incident::me;
use super::navigation::flash;
use super::picker::{PickItem, PickPurpose, Picker};
use super::screens::Screen;
use super::state::{AppState, Message, Overlay};
use crate::domain::exec::{
    closed_entry, opened_entry, ExecAsk, ExecEnded, ExecRefusal, ExecRequest, PreparedExec,
};

/// `x` on the service screen: the running tasks' containers.
pub(super) fn start(state: &mut AppState) -> Vec<Effect> {
    let Screen::Service(key) = &state.screen else {
        return Vec::new();
    };
    if state.session.read_only {
        say(state, ExecRefusal::ReadOnly.to_string(), true);
        return Vec::new();
    }
    let key = key.clone();
    let Some(detail) = state.service.detail.data.as_ref() else {
        flash(state, "the service's tasks are still loading", true);
        return Vec::new();
    };
    let mut asks = Vec::new();
    let mut items = Vec::new();
    for task in detail.running.iter().filter(|t| t.last_status == "RUNNING") {
        for container in &task.containers {
            asks.push(ExecAsk {
                cluster: key.cluster.clone(),
                task: task.arn.clone(),
                container: Some(container.name.clone()),
                command: state.shell_command.clone(),
                pair: key.pair.clone(),
            });
            items.push(PickItem {
                label: format!(
                    "{} · {}",
                    crate::domain::service::arn_name(&task.arn),
                    container.name
                ),
                note: format!(
                    "{} {}",
                    crate::domain::service::revision_label(&task.task_definition),
                    task.availability_zone.as_deref().unwrap_or("")
                ),
            });
        }
    }
    match asks.len() {
        0 => {
            let text = format!("{} has no running task to open a shell in", key.service);
            flash(state, &text, true);
            Vec::new()
        }
        1 => prepare(state, asks.remove(0)),
        _ => {
            state.overlay = Overlay::Pick(Picker::new(
                format!(
                    "shell ({}) into which container? type to narrow · ↑↓ · Enter · Esc",
                    state.shell_command
                ),
                items,
                PickPurpose::Shell(asks),
            ));
            Vec::new()
        }
    }
}

/// Ask for a session into this container.
pub(super) fn prepare(state: &mut AppState, ask: ExecAsk) -> Vec<Effect> {
    let text = format!(
        "opening a shell into {} ({})…",
        crate::domain::service::arn_name(&ask.task),
        ask.container.as_deref().unwrap_or("?")
    );
    flash(state, &text, false);
    vec![Effect::PrepareExec(ask)]
}

/// The session is open (hand the terminal over), or why not.
pub(crate) fn on_ready(
    state: &mut AppState,
    result: Result<Box<PreparedExec>, String>,
) -> Vec<Effect> {
    match result {
        Err(message) => {
            say(state, format!("no shell: {message}"), true);
            Vec::new()
        }
        Ok(prepared) => {
            let mut effects = Vec::new();
            if state.incident.is_some() {
                let draft = opened_entry(&prepared.request, me(state));
                effects.push(Effect::Journal(Box::new(draft)));
            }
            effects.push(Effect::HandOver(prepared));
            effects
        }
    }
}

/// Back from the shell: journal it, say how it ended, read the service again.
pub(crate) fn on_ended(
    state: &mut AppState,
    request: ExecRequest,
    result: Result<ExecEnded, String>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    match result {
        Ok(ended) => {
            if state.incident.is_some() {
                let draft = closed_entry(&request, me(state), ended.exit_code, ended.seconds);
                effects.push(Effect::Journal(Box::new(draft)));
            }
            let code = ended
                .exit_code
                .map(|c| format!("exit {c}"))
                .unwrap_or_else(|| "ended by a signal".into());
            let text = format!(
                "back from the shell into {} ({code}, {} s)",
                request.container, ended.seconds
            );
            flash(state, &text, false);
        }
        Err(message) => say(state, format!("the shell could not run: {message}"), true),
    }
    effects.extend(super::refresh::request_status(state));
    effects.extend(super::screens::service::request_detail(state));
    effects
}

/// A message that stays long enough to read a fix.
fn say(state: &mut AppState, text: String, error: bool) {
    state.message = Some(Message {
        text,
        error,
        until: state.now + chrono::Duration::seconds(20),
    });
}
