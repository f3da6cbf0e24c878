//! `:ctx` and `:region`: change the pairs the console watches without a
//! restart. The pickers (profiles from the AWS CLI's files, SSO and
//! production ones marked; the Regions), the switch asked of the console —
//! instead of the pairs watched now (Enter, `:ctx NAME`) or as well (Tab,
//! `:ctx +NAME`) — and the state that follows: started afresh on the new
//! pairs, or the same state with the new pairs added. The incident, the run
//! in progress (which keeps its pair), the keymap and the screen size stay.
//! Every switch is journaled.

use super::effect::Effect;
use super::navigation::flash;
use super::pairs::PairWatch;
use super::picker::{PickItem, PickPurpose, Picker};
use super::state::{AppState, Overlay};
use crate::domain::context::{profile_note, Context, ProfileInfo, Switch, REGIONS};
use crate::domain::pair::WatchedPair;
use crate::domain::timeline::{EntryDraft, EntryKind};

/// `:ctx [[+]PROFILE]`: at once, or a picker once the profiles are read.
pub(crate) fn ask_profile(state: &mut AppState, profile: Option<String>) -> Vec<Effect> {
    if refused_in_demo(state) {
        return Vec::new();
    }
    let Some(word) = profile else {
        return vec![Effect::ListProfiles];
    };
    let (add, name) = added(&word);
    switch(
        state,
        Switch {
            contexts: vec![Context {
                profile: Some(name.to_string()),
                region: None,
            }],
            add,
        },
    )
}

/// `:region [[+]REGION]`: every watched profile in that Region, at once, or
/// a picker of the commercial Regions.
pub(crate) fn ask_region(state: &mut AppState, region: Option<String>) -> Vec<Effect> {
    if refused_in_demo(state) {
        return Vec::new();
    }
    let in_region = |region: &str| -> Vec<Context> {
        watched_profiles(state)
            .into_iter()
            .map(|profile| Context {
                profile,
                region: Some(region.to_string()),
            })
            .collect()
    };
    if let Some(word) = region {
        let (add, name) = added(&word);
        let contexts = in_region(name);
        return switch(state, Switch { contexts, add });
    }
    let current: Vec<String> = state
        .pairs
        .iter()
        .filter_map(|w| w.identity.as_ref().map(|i| i.region.clone()))
        .collect();
    let items = REGIONS
        .iter()
        .map(|r| PickItem {
            label: r.to_string(),
            note: if current.iter().any(|c| c == r) {
                "← watched".into()
            } else {
                String::new()
            },
        })
        .collect();
    let choices = REGIONS.iter().map(|r| in_region(r)).collect();
    state.overlay = Overlay::Pick(Picker::new(
        "Region · type to narrow · ↑↓ · Enter switches · Tab adds · Esc",
        items,
        PickPurpose::Switch(choices),
    ));
    Vec::new()
}

/// `+NAME` adds; `NAME` switches.
fn added(word: &str) -> (bool, &str) {
    match word.strip_prefix('+') {
        Some(name) => (true, name.trim()),
        None => (false, word.trim()),
    }
}

/// The profiles watched now, each once, in order.
fn watched_profiles(state: &AppState) -> Vec<Option<String>> {
    let mut profiles: Vec<Option<String>> = Vec::new();
    for watch in &state.pairs {
        if !profiles.contains(&watch.watched.profile) {
            profiles.push(watch.watched.profile.clone());
        }
    }
    profiles
}

fn refused_in_demo(state: &mut AppState) -> bool {
    if state.session.demo.is_some() {
        flash(
            state,
            "the demo is one simulated account: :ctx and :region switch real ones",
            true,
        );
        return true;
    }
    false
}

/// The profiles were read: offer them.
pub(crate) fn on_profiles(
    state: &mut AppState,
    result: Result<Vec<ProfileInfo>, String>,
) -> Vec<Effect> {
    let profiles = match result {
        Ok(p) if p.is_empty() => {
            flash(
                state,
                "no profiles in the AWS CLI's files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)",
                true,
            );
            return Vec::new();
        }
        Ok(p) => p,
        Err(message) => {
            flash(state, &format!("cannot read the profiles: {message}"), true);
            return Vec::new();
        }
    };
    let watched = watched_profiles(state);
    let items = profiles
        .iter()
        .map(|p| {
            let production = state
                .session
                .production_patterns
                .iter()
                .any(|pattern| crate::settings::glob_match(pattern, &p.name));
            let current = watched.contains(&Some(p.name.clone()));
            PickItem {
                label: p.name.clone(),
                note: profile_note(p, production, current),
            }
        })
        .collect();
    let choices = profiles
        .iter()
        .map(|p| {
            vec![Context {
                profile: Some(p.name.clone()),
                region: None,
            }]
        })
        .collect();
    state.overlay = Overlay::Pick(Picker::new(
        "profile · type to narrow · ↑↓ · Enter switches · Tab adds · Esc",
        items,
        PickPurpose::Switch(choices),
    ));
    Vec::new()
}

/// Ask the console to open the switch's accounts.
pub(crate) fn switch(state: &mut AppState, switch: Switch) -> Vec<Effect> {
    if switch.contexts.is_empty() {
        return Vec::new();
    }
    let verb = if switch.add { "adding" } else { "opening" };
    flash(state, &format!("{verb} {}…", switch.describe()), false);
    vec![Effect::SwitchContext(switch)]
}

/// The accounts are open (watch them from now on), or why they could not be.
pub(crate) fn on_ready(
    state: &mut AppState,
    switch: Switch,
    result: Result<Vec<WatchedPair>, String>,
) -> Vec<Effect> {
    let pairs = match result {
        Ok(pairs) if pairs.is_empty() => {
            flash(
                state,
                &format!("{} is watched already", switch.describe()),
                false,
            );
            return Vec::new();
        }
        Ok(pairs) => pairs,
        Err(message) => {
            let text = format!(
                "cannot {} {}: {message} (still watching what was watched before)",
                if switch.add { "add" } else { "switch to" },
                switch.describe()
            );
            flash(state, &text, true);
            return Vec::new();
        }
    };
    let before = watching(state.pairs.iter().map(|w| &w.watched));
    let now = watching(pairs.iter());
    let mut effects = vec![Effect::AdoptContext];
    let summary = if switch.add {
        for watched in &pairs {
            state.session.pairs.push(watched.clone());
            state.pairs.push(PairWatch::new(watched.clone(), state.now));
        }
        effects.extend(super::pairs::request_identities(state));
        format!("Console now also watches {now}")
    } else {
        let mut session = state.session.clone();
        session.profile = pairs.first().and_then(|p| p.profile.clone());
        session.region = pairs.first().map(|p| p.pair.region.clone());
        session.pairs = pairs;
        let mut fresh = AppState::new(session, state.theme.clone(), state.no_color, state.now);
        carry_over(state, &mut fresh);
        *state = fresh;
        effects.extend(super::update::init(state));
        format!("Console switched from {before} to {now}")
    };
    if state.incident.is_some() {
        let mut draft = EntryDraft::new(EntryKind::Action, super::incident::me(state), summary);
        draft.tags.push("context".into());
        effects.push(Effect::Journal(Box::new(draft)));
    }
    // The new pairs are read at once (the old ones keep their schedule).
    effects.extend(super::pairs::due(state));
    flash(
        state,
        &format!(
            "watching {}",
            watching(state.pairs.iter().map(|w| &w.watched))
        ),
        false,
    );
    effects
}

/// "prod/eu-west-1 (profile prod) and staging/us-east-1 (profile staging)".
fn watching<'a>(pairs: impl Iterator<Item = &'a WatchedPair>) -> String {
    pairs
        .map(WatchedPair::describe)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What the new pairs' state keeps of the old: the incident (and its
/// timeline), the run in progress, the keymap, the size, the command for
/// shells — and every request's generation for a pair of the same name, so
/// answers the old workers are still sending are recognised as stale and
/// dropped.
fn carry_over(old: &mut AppState, fresh: &mut AppState) {
    fresh.incident = old.incident.take();
    if let Some(view) = &mut fresh.incident {
        // The new pairs' opening is journaled like the first one.
        view.start_recorded = false;
    }
    fresh.run = old.run.take();
    fresh.keymap = std::mem::take(&mut old.keymap);
    fresh.width = old.width;
    fresh.height = old.height;
    fresh.shell_command = std::mem::take(&mut old.shell_command);
    fresh.monitoring.enabled = old.monitoring.enabled;
    fresh.monitoring.mappings = std::mem::take(&mut old.monitoring.mappings);
    fresh.security.enabled = old.security.enabled;
    fresh.security.limits = old.security.limits;
    fresh.security.seen = std::mem::take(&mut old.security.seen);
    fresh.security.told = std::mem::take(&mut old.security.told);
    for watch in &mut fresh.pairs {
        if let Some(before) = old.pairs.iter().find(|w| w.pair() == watch.pair()) {
            watch.status.generation = before.status.generation;
        }
    }
    let now = fresh.now;
    for (pair, before) in &old.monitoring.alarms {
        let mut kept = super::state::Refreshing::new(now);
        kept.generation = before.generation;
        fresh.monitoring.alarms.insert(pair.clone(), kept);
    }
    for (pair, before) in &old.monitoring.metrics {
        let mut kept = super::state::Refreshing::new(now);
        kept.generation = before.generation;
        fresh.monitoring.metrics.insert(pair.clone(), kept);
    }
    for (pair, before) in &old.monitoring.baselines {
        let mut kept = super::state::Refreshing::new(now);
        kept.generation = before.generation;
        fresh.monitoring.baselines.insert(pair.clone(), kept);
    }
    for (pair, before) in &old.security.findings {
        let mut kept = super::state::Refreshing::new(now);
        kept.generation = before.generation;
        fresh.security.findings.insert(pair.clone(), kept);
    }
    for (pair, before) in &old.security.exposure {
        let mut kept = super::state::Refreshing::new(now);
        kept.generation = before.generation;
        fresh.security.exposure.insert(pair.clone(), kept);
    }
    fresh.service.detail.generation = old.service.detail.generation;
    fresh.diagnosis.report.generation = old.diagnosis.report.generation;
}
