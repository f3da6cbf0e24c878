//! Whether a run that stopped may go on, decided once for the command line
//! and the console with the same rules and the same words: the run must be
//! in the journal; a runbook edited since the run began is refused unless
//! the operator accepts the changes; secret parameters are never journaled,
//! so they must be given again; steps found running when the run stopped
//! come back `unknown` and are named, because the operator will be asked
//! what they did.

use super::model::Runbook;
use super::run::{RunState, StepState};
use super::values::{journaled_param_texts, resolve_params, Params};
use crate::domain::timeline::Entry;
use std::collections::BTreeMap;

/// What the operator asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumeAsk {
    pub run_id: String,
    /// Go on although the runbook changed since the run began.
    pub accept_changes: bool,
    /// Parameters given again (`--param NAME=VALUE`): secret ones, or corrections.
    pub given: BTreeMap<String, String>,
}

/// A run that may go on: its state as the journal tells it, its parameters
/// (journaled ones, overridden by the given), and the steps that will ask
/// what they did.
#[derive(Debug, Clone)]
pub(crate) struct Resumable {
    pub state: RunState,
    pub params: Params,
    /// Steps that were running when the run stopped.
    pub unknown: Vec<String>,
    /// What changed in the runbook, when the changes were accepted.
    pub accepted_changes: Vec<String>,
}

impl Resumable {
    /// The journal's record that the run goes on with a runbook changed
    /// since it began (what changed, accepted by `actor`); None when
    /// nothing changed.
    pub fn accepted_entry(
        &self,
        runbook: &super::Runbook,
        actor: crate::domain::timeline::Actor,
    ) -> Option<crate::domain::timeline::EntryDraft> {
        if self.accepted_changes.is_empty() {
            return None;
        }
        let mut draft = crate::domain::timeline::EntryDraft::new(
            crate::domain::timeline::EntryKind::Decision,
            actor,
            format!(
                "Run {} of {} goes on with its runbook changed since it began: {} (accepted)",
                self.state.run_id,
                runbook.id,
                self.accepted_changes.join(", ")
            ),
        );
        draft.tags = vec!["runbook".to_string()];
        Some(draft)
    }
}

/// Why a run may not go on; the text says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ResumeRefused {
    #[error("run `{run_id}` is not a run of `{runbook}` in this incident's journal")]
    NoSuchRun { run_id: String, runbook: String },
    #[error("run `{run_id}` has already ended ({outcome})")]
    Ended { run_id: String, outcome: String },
    #[error("{file} changed since run {run_id} began ({}): check the steps, then resume accepting the changes (--accept-changes)", changes.join(", "))]
    Changed {
        file: String,
        run_id: String,
        changes: Vec<String>,
    },
    #[error("secret parameters are never journaled: give {} again to resume run {run_id} (--param NAME=VALUE)", names.join(", "))]
    SecretsNeeded { run_id: String, names: Vec<String> },
    #[error("{}", .0.join("; "))]
    Params(Vec<String>),
}

/// The one decision.
pub(crate) fn decide_resume(
    runbook: &Runbook,
    entries: &[Entry],
    ask: &ResumeAsk,
) -> Result<Resumable, ResumeRefused> {
    let Some(state) = RunState::rebuild(runbook, &ask.run_id, entries) else {
        return Err(ResumeRefused::NoSuchRun {
            run_id: ask.run_id.clone(),
            runbook: runbook.id.clone(),
        });
    };
    if let Some(outcome) = state.finished {
        return Err(ResumeRefused::Ended {
            run_id: ask.run_id.clone(),
            outcome: outcome.as_str().to_string(),
        });
    }
    let changes = state.changes_since_start(runbook);
    if !changes.is_empty() && !ask.accept_changes {
        return Err(ResumeRefused::Changed {
            file: runbook.file.clone(),
            run_id: ask.run_id.clone(),
            changes,
        });
    }
    let missing: Vec<String> = runbook
        .secret_params()
        .filter(|p| !ask.given.contains_key(&p.name))
        .map(|p| p.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ResumeRefused::SecretsNeeded {
            run_id: ask.run_id.clone(),
            names: missing,
        });
    }
    let mut given = ask.given.clone();
    for (name, text) in journaled_param_texts(&state.params) {
        let secret = runbook.param(&name).is_some_and(|p| p.secret);
        if !secret {
            given.entry(name).or_insert(text);
        }
    }
    let params = resolve_params(runbook, &given).map_err(ResumeRefused::Params)?;
    let unknown = state
        .steps
        .iter()
        .filter(|s| s.state == StepState::Unknown)
        .map(|s| s.id.clone())
        .collect();
    Ok(Resumable {
        state,
        params,
        unknown,
        accepted_changes: changes,
    })
}

#[cfg(test)]
mod fixture_tests;
