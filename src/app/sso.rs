//! SSO sessions in the console: each watched profile's token expiry read
//! every 30 s (every 2 s once expired) from the AWS CLI's cache, said in the
//! header under 15 minutes and when it has expired (with the exact login
//! command), and the pairs of that profile read again the moment a fresh
//! token appears — no restart, no key.

use super::effect::Effect;
use super::state::AppState;
use crate::domain::sso::{state, SsoState, SsoToken};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// How often the cache is looked at while the token is good.
pub(crate) const CHECK_SECONDS: i64 = 30;
/// How often once it has expired: the engineer is running `aws sso login`
/// and the console should be back the moment it succeeds.
pub(crate) const EXPIRED_CHECK_SECONDS: i64 = 2;

/// What the console knows of one profile's SSO session.
#[derive(Debug, Clone, Default)]
pub struct Sso {
    pub token: Option<SsoToken>,
    pub next_check: Option<DateTime<Utc>>,
    pub in_flight: bool,
}

/// Each watched profile's SSO session, by profile name.
pub(crate) type SsoSessions = BTreeMap<String, Sso>;

/// The cache falls due for the profiles of a real account.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    if state.session.demo.is_some() {
        return Vec::new();
    }
    let mut profiles: Vec<String> = state
        .pairs
        .iter()
        .filter_map(|w| w.watched.profile.clone())
        .collect();
    profiles.dedup();
    let now = state.now;
    let mut effects = Vec::new();
    for profile in profiles {
        let sso = state.sso.entry(profile.clone()).or_default();
        if sso.in_flight || sso.next_check.is_some_and(|t| now < t) {
            continue;
        }
        sso.in_flight = true;
        sso.next_check = Some(now + Duration::seconds(CHECK_SECONDS));
        effects.push(Effect::CheckSso { profile });
    }
    effects
}

/// The cache was read: a token that turned fresh again resumes the reads of
/// that profile's pairs at once.
pub(crate) fn on_token(
    state: &mut AppState,
    profile: String,
    token: Option<SsoToken>,
) -> Vec<Effect> {
    let now = state.now;
    let sso = state.sso.entry(profile.clone()).or_default();
    let expired_at = |t: &Option<SsoToken>| {
        t.as_ref()
            .is_some_and(|t| self::state(t, now) == SsoState::Expired)
    };
    let was_expired = expired_at(&sso.token);
    sso.in_flight = false;
    sso.token = token;
    let expired = expired_at(&sso.token);
    let fresh = sso.token.is_some() && !expired;
    if expired {
        sso.next_check = Some(now + Duration::seconds(EXPIRED_CHECK_SECONDS));
    }
    if !(was_expired && fresh) {
        return Vec::new();
    }
    super::navigation::flash(
        state,
        &format!("SSO session renewed for {profile}: reading its account again"),
        false,
    );
    let mut effects = Vec::new();
    for index in 0..state.pairs.len() {
        if state.pairs[index].watched.profile.as_deref() == Some(profile.as_str()) {
            state.pairs[index].status.failures = 0;
            effects.push(super::pairs::request(state, index));
        }
    }
    effects
}

/// The header's words for the most urgent session, when there is something
/// to say: an expired one first, then the one with the least time left.
pub fn header(state: &AppState) -> Option<(String, bool)> {
    let several = state.sso.len() > 1;
    let (_, profile, token, now) = state
        .sso
        .iter()
        .filter_map(|(profile, sso)| {
            let token = sso.token.as_ref()?;
            let now = self::state(token, state.now);
            let urgency = match now {
                SsoState::Fresh => return None,
                SsoState::Expired => i64::MIN,
                SsoState::ExpiringSoon(minutes) => minutes,
            };
            Some((urgency, profile, token, now))
        })
        .min_by_key(|(urgency, ..)| *urgency)?;
    let command = crate::domain::sso::login_command(Some(profile), token.session.as_deref());
    let whose = if several {
        format!(" of {profile}")
    } else {
        String::new()
    };
    match now {
        SsoState::Fresh => None,
        SsoState::ExpiringSoon(minutes) => {
            Some((format!("SSO{whose}: {minutes}m left ({command})"), false))
        }
        SsoState::Expired => Some((
            format!("SSO session{whose} expired: run `{command}`; triage resumes by itself"),
            true,
        )),
    }
}
