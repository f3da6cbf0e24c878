//! The SSO session in the console: its token's expiry read every 30 s (every
//! 2 s once expired) from the AWS CLI's cache, said in the header under 15 minutes and when it has
//! expired (with the exact login command), and the account read again the
//! moment a fresh token appears — no restart, no key.

use super::effect::Effect;
use super::refresh::request_status;
use super::state::AppState;
use crate::domain::sso::{state, SsoState, SsoToken};
use chrono::{DateTime, Duration, Utc};

/// How often the cache is looked at while the token is good.
pub const CHECK_SECONDS: i64 = 30;
/// How often once it has expired: the engineer is running `aws sso login`
/// and the console should be back the moment it succeeds.
pub const EXPIRED_CHECK_SECONDS: i64 = 2;

/// What the console knows of the SSO session.
#[derive(Debug, Clone, Default)]
pub struct Sso {
    pub token: Option<SsoToken>,
    pub next_check: Option<DateTime<Utc>>,
    pub in_flight: bool,
}

/// The cache falls due for SSO profiles of a real account.
pub(crate) fn due(state: &mut AppState) -> Vec<Effect> {
    let (Some(profile), None) = (state.session.profile.clone(), &state.session.demo) else {
        return Vec::new();
    };
    let sso = &mut state.sso;
    if sso.in_flight || sso.next_check.is_some_and(|t| state.now < t) {
        return Vec::new();
    }
    sso.in_flight = true;
    sso.next_check = Some(state.now + Duration::seconds(CHECK_SECONDS));
    vec![Effect::CheckSso { profile }]
}

/// The cache was read: a token that turned fresh again resumes the reads at once.
pub(crate) fn on_token(state: &mut AppState, token: Option<SsoToken>) -> Vec<Effect> {
    let now = state.now;
    let was_expired = state
        .sso
        .token
        .as_ref()
        .is_some_and(|t| self::state(t, now) == SsoState::Expired);
    state.sso.in_flight = false;
    state.sso.token = token;
    let fresh = state
        .sso
        .token
        .as_ref()
        .is_some_and(|t| self::state(t, now) != SsoState::Expired);
    let expired = state
        .sso
        .token
        .as_ref()
        .is_some_and(|t| self::state(t, now) == SsoState::Expired);
    if expired {
        state.sso.next_check = Some(now + Duration::seconds(EXPIRED_CHECK_SECONDS));
    }
    if was_expired && fresh {
        super::navigation::flash(
            state,
            "SSO session renewed: reading the account again",
            false,
        );
        state.status.failures = 0;
        return request_status(state);
    }
    Vec::new()
}

/// The header's words for the session, when there is something to say.
pub fn header(state: &AppState) -> Option<(String, bool)> {
    let token = state.sso.token.as_ref()?;
    let command = crate::domain::sso::login_command(
        state.session.profile.as_deref(),
        token.session.as_deref(),
    );
    match self::state(token, state.now) {
        SsoState::Fresh => None,
        SsoState::ExpiringSoon(minutes) => {
            Some((format!("SSO: {minutes}m left ({command})"), false))
        }
        SsoState::Expired => Some((
            format!("SSO session expired: run `{command}`; triage resumes by itself"),
            true,
        )),
    }
}
