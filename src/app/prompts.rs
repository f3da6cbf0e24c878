//! One-line questions (note, milestone, correction, incident title, a
//! search past its cap) and what their answers do.

use super::effect::Effect;
use super::incident::me;
use super::navigation::flash;
use super::state::{AppState, Overlay, Prompt, PromptPurpose, Screen};
use super::text_input::TextInput;
use crate::domain::timeline::{time_input, Entry, EntryDraft, EntryKind, Milestone};

/// Open a prompt (only with an incident attached, except to start one).
pub(super) fn ask(state: &mut AppState, purpose: PromptPurpose, text: String) {
    let starting = matches!(
        purpose,
        PromptPurpose::StartIncident | PromptPurpose::StartSeverity(_)
    );
    if state.incident.is_none() && !starting {
        no_incident(state);
        return;
    }
    state.overlay = Overlay::Prompt(Prompt {
        purpose,
        input: TextInput { text },
    });
}

pub(super) fn no_incident(state: &mut AppState) {
    flash(state, "no incident is open: :start TITLE opens one", true);
}

/// The timeline entry under the cursor (live or superseded).
pub(super) fn selected_entry(state: &AppState) -> Option<&Entry> {
    if state.screen != Screen::Timeline {
        return None;
    }
    state.incident.as_ref()?.selected()
}

/// A prompt was answered.
pub(super) fn answer(state: &mut AppState, prompt: Prompt) -> Vec<Effect> {
    let text = prompt.input.text.trim().to_string();
    // An empty severity is an answer: choose it later.
    if let PromptPurpose::StartSeverity(title) = &prompt.purpose {
        return match super::naming::parse_severity(state, &text) {
            Ok(severity) => vec![Effect::StartIncident {
                title: title.clone(),
                severity,
            }],
            Err(()) => {
                // Asked again, the title kept.
                ask(state, prompt.purpose.clone(), text);
                Vec::new()
            }
        };
    }
    if text.is_empty() {
        return Vec::new();
    }
    let draft = match prompt.purpose {
        PromptPurpose::StartIncident => {
            super::naming::ask_severity(state, text);
            return Vec::new();
        }
        PromptPurpose::StartSeverity(_) => return Vec::new(),
        PromptPurpose::Title => return super::naming::change(state, Some(text), None),
        PromptPurpose::Severity => return super::naming::severity(state, &text),
        PromptPurpose::SearchAll => {
            return if text.eq_ignore_ascii_case("y") || text.eq_ignore_ascii_case("yes") {
                super::screens::logs::search_all(state)
            } else {
                Vec::new()
            }
        }
        PromptPurpose::Note => EntryDraft::new(EntryKind::Note, me(state), text),
        PromptPurpose::Milestone => {
            let (name, when) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
            let milestone = match Milestone::parse(name) {
                Ok(m) => m,
                Err(message) => {
                    flash(state, &message.to_string(), true);
                    return Vec::new();
                }
            };
            let at = if when.trim().is_empty() {
                None
            } else {
                match time_input::parse(when, state.now) {
                    Ok(at) => Some(at),
                    Err(err) => {
                        flash(state, &err.to_string(), true);
                        return Vec::new();
                    }
                }
            };
            let conflict = state
                .incident
                .as_ref()
                .and_then(|v| v.incident.out_of_order(milestone, at.unwrap_or(state.now)));
            if let Some(conflict) = conflict {
                flash(state, &conflict.to_string(), true);
                return Vec::new();
            }
            EntryDraft::milestone(milestone, me(state), at)
        }
        PromptPurpose::Edit(id) => {
            let Some(entry) = state
                .incident
                .as_ref()
                .and_then(|v| v.incident.entries.iter().find(|e| e.id == id))
            else {
                return Vec::new();
            };
            let mut draft = EntryDraft::correcting(entry);
            draft.summary = text;
            draft.actor = me(state);
            draft
        }
    };
    vec![Effect::Journal(Box::new(draft))]
}
