//! `:ctx` and `:region`: watch another profile or Region without a restart.
//! The pickers (profiles from the AWS CLI's files, SSO and production ones
//! marked), the switch asked of the console, and the state started afresh
//! for the new account — keeping the incident, the run in progress, the
//! keymap and the screen size. The switch is journaled.

use super::effect::Effect;
use super::navigation::flash;
use super::picker::{PickItem, PickPurpose, Picker};
use super::state::{AppState, Overlay};
use crate::domain::context::{profile_note, Context, ProfileInfo, REGIONS};
use crate::domain::timeline::{EntryDraft, EntryKind};

/// `:ctx [PROFILE]`: at once, or a picker once the profiles are read.
pub(crate) fn ask_profile(state: &mut AppState, profile: Option<String>) -> Vec<Effect> {
    if refused_in_demo(state) {
        return Vec::new();
    }
    match profile {
        Some(profile) => switch(
            state,
            Context {
                profile: Some(profile),
                region: None,
            },
        ),
        None => vec![Effect::ListProfiles],
    }
}

/// `:region [REGION]`: at once, or a picker of the commercial Regions.
pub(crate) fn ask_region(state: &mut AppState, region: Option<String>) -> Vec<Effect> {
    if refused_in_demo(state) {
        return Vec::new();
    }
    let profile = state.session.profile.clone();
    if let Some(region) = region {
        return switch(
            state,
            Context {
                profile,
                region: Some(region),
            },
        );
    }
    let current = state.identity.as_ref().map(|i| i.region.clone());
    let items = REGIONS
        .iter()
        .map(|r| PickItem {
            label: r.to_string(),
            note: if current.as_deref() == Some(*r) {
                "← current".into()
            } else {
                String::new()
            },
        })
        .collect();
    let contexts = REGIONS
        .iter()
        .map(|r| Context {
            profile: profile.clone(),
            region: Some(r.to_string()),
        })
        .collect();
    state.overlay = Overlay::Pick(Picker::new(
        "Region · type to narrow · ↑↓ · Enter switches · Esc",
        items,
        PickPurpose::Context(contexts),
    ));
    Vec::new()
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
    let items = profiles
        .iter()
        .map(|p| {
            let production = state
                .session
                .production_patterns
                .iter()
                .any(|pattern| crate::settings::glob_match(pattern, &p.name));
            let current = state.session.profile.as_deref() == Some(p.name.as_str());
            PickItem {
                label: p.name.clone(),
                note: profile_note(p, production, current),
            }
        })
        .collect();
    let contexts = profiles
        .iter()
        .map(|p| Context {
            profile: Some(p.name.clone()),
            region: None,
        })
        .collect();
    state.overlay = Overlay::Pick(Picker::new(
        "profile · type to narrow · ↑↓ · Enter switches · Esc",
        items,
        PickPurpose::Context(contexts),
    ));
    Vec::new()
}

/// Ask the console to open this context's account.
pub(crate) fn switch(state: &mut AppState, context: Context) -> Vec<Effect> {
    flash(state, &format!("opening {}…", context.describe()), false);
    vec![Effect::SwitchContext(context)]
}

/// The account is open (watch it from now on), or why it could not be.
pub(crate) fn on_ready(
    state: &mut AppState,
    context: Context,
    result: Result<(), String>,
) -> Vec<Effect> {
    if let Err(message) = result {
        let text = format!(
            "cannot switch to {}: {message} (still watching the account before)",
            context.describe()
        );
        flash(state, &text, true);
        return Vec::new();
    }
    let before = Context {
        profile: state.session.profile.clone(),
        region: state
            .session
            .region
            .clone()
            .or_else(|| state.identity.as_ref().map(|i| i.region.clone())),
    };
    let mut session = state.session.clone();
    session.profile = context.profile.clone();
    session.region = context.region.clone();
    let mut fresh = AppState::new(session, state.theme.clone(), state.no_color, state.now);
    carry_over(state, &mut fresh);
    *state = fresh;
    let mut effects = vec![Effect::AdoptContext];
    if state.incident.is_some() {
        let mut draft = EntryDraft::new(
            EntryKind::Action,
            super::incident::me(state),
            format!(
                "Console switched from {} to {}",
                before.describe(),
                context.describe()
            ),
        );
        draft.tags.push("context".into());
        effects.push(Effect::Journal(Box::new(draft)));
    }
    effects.extend(super::update::init(state));
    flash(state, &format!("watching {}", context.describe()), false);
    effects
}

/// What the new account's state keeps of the old: the incident (and its
/// timeline), the run in progress, the keymap, the size, the command for
/// shells — and every request's generation, so answers the old account is
/// still sending are recognised as stale and dropped.
fn carry_over(old: &mut AppState, fresh: &mut AppState) {
    fresh.incident = old.incident.take();
    if let Some(view) = &mut fresh.incident {
        // The new account's opening is journaled like the first one.
        view.start_recorded = false;
    }
    fresh.run = old.run.take();
    fresh.keymap = std::mem::take(&mut old.keymap);
    fresh.width = old.width;
    fresh.height = old.height;
    fresh.shell_command = std::mem::take(&mut old.shell_command);
    fresh.monitoring.enabled = old.monitoring.enabled;
    fresh.monitoring.mappings = std::mem::take(&mut old.monitoring.mappings);
    fresh.status.generation = old.status.generation;
    fresh.service.detail.generation = old.service.detail.generation;
    fresh.diagnosis.report.generation = old.diagnosis.report.generation;
    fresh.monitoring.alarms.generation = old.monitoring.alarms.generation;
    fresh.monitoring.metrics.generation = old.monitoring.metrics.generation;
}
