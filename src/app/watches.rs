//! Watches: "tell me when it is over". `w` (`:watch [UNTIL]`) on the
//! services screen arms one on the selected service — until it is healthy
//! (its alarms OK too), steady, or its alarms OK. After each read of the
//! services it is looked at again: reached, it says so once and is done;
//! worse, it says so and stays armed. Each time: the terminal's bell and a
//! desktop notification (`Effect::Notify`), a flash, and a journal entry
//! when an incident is open.

use super::effect::Effect;
use super::navigation::flash;
use super::state::AppState;
use crate::domain::service::ServiceKey;
use crate::domain::timeline::{Actor, EntryDraft, EntryKind};
use crate::domain::until::{got_worse, reached, Look, Until};

/// One armed watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub service: ServiceKey,
    pub until: Until,
    /// The last look (what "worse" is measured from).
    pub last: Look,
}

/// The look at `key` now, from the ranked rows and the alarms read.
fn look_at(state: &AppState, key: &ServiceKey) -> Option<Look> {
    let row = state
        .status
        .data
        .iter()
        .flatten()
        .find(|r| r.service.is(key))?;
    Some(Look::of(row, &state.monitoring.owned))
}

/// `w` / `:watch [UNTIL]`: arm a watch on the selected service.
pub(crate) fn arm(state: &mut AppState, until: &str) -> Vec<Effect> {
    let until = if until.trim().is_empty() {
        Until::Healthy
    } else {
        match Until::parse(until) {
            Ok(u) => u,
            Err(err) => {
                flash(state, &err.to_string(), true);
                return Vec::new();
            }
        }
    };
    let Some(key) = state.selected_service().map(|r| r.service.key()) else {
        flash(state, "no service selected to watch", true);
        return Vec::new();
    };
    let Some(look) = look_at(state, &key) else {
        return Vec::new();
    };
    if reached(until, &look) {
        flash(
            state,
            &format!("{key} is already {}: nothing to watch", until.as_str()),
            false,
        );
        return Vec::new();
    }
    state.watches.retain(|w| w.service != key);
    state.watches.push(Watch {
        service: key.clone(),
        until,
        last: look,
    });
    flash(
        state,
        &format!(
            "watching {key} until {}: the bell when it is, and if it gets worse",
            until.as_str()
        ),
        false,
    );
    Vec::new()
}

/// The services were read again: each watch looked at; what happened said.
pub(crate) fn check(state: &mut AppState) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut kept = Vec::new();
    for mut watch in std::mem::take(&mut state.watches) {
        let Some(look) = look_at(state, &watch.service) else {
            kept.push(watch);
            continue;
        };
        let said = if reached(watch.until, &look) {
            Some(format!("{} is {}", watch.service, watch.until.as_str()))
        } else {
            got_worse(&watch.last, &look).map(|how| format!("{} got worse: {how}", watch.service))
        };
        let done = reached(watch.until, &look);
        watch.last = look;
        if let Some(text) = said {
            effects.extend(told(state, &text, &watch.service));
        }
        if !done {
            kept.push(watch);
        }
    }
    state.watches = kept;
    effects
}

/// Say it: the bell and a desktop notification, a flash, the journal.
fn told(state: &mut AppState, text: &str, service: &ServiceKey) -> Vec<Effect> {
    let text = crate::domain::sanitize::one_line(text);
    flash(state, &text, false);
    let mut effects = vec![Effect::Notify(text.clone())];
    if state.incident.is_some() {
        let mut draft = EntryDraft::new(
            EntryKind::Observation,
            Actor::Console,
            format!("Watch: {text}"),
        );
        draft.tags = vec!["watch".into()];
        draft.resources = state
            .status
            .data
            .iter()
            .flatten()
            .find(|r| r.service.is(service))
            .map(|r| vec![r.service.arn.clone()])
            .unwrap_or_default();
        effects.push(Effect::Journal(Box::new(draft)));
    }
    effects
}
