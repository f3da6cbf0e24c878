//! An IAM Identity Center (SSO) session as the on-call engineer feels it:
//! how long the token has left, and the exact command that renews it.

use chrono::{DateTime, Duration, Utc};

/// Under this much time left, the header says so.
pub(crate) const WARN_MINUTES: i64 = 15;

/// An SSO token found in the CLI's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoToken {
    pub expires_at: DateTime<Utc>,
    /// The `sso_session` it belongs to (new-style profiles), if any.
    pub session: Option<String>,
}

/// Where the session stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoState {
    Fresh,
    /// Minutes left (rounded up), under [`WARN_MINUTES`].
    ExpiringSoon(i64),
    Expired,
}

pub fn state(token: &SsoToken, now: DateTime<Utc>) -> SsoState {
    let left = token.expires_at - now;
    if left <= Duration::zero() {
        SsoState::Expired
    } else if left < Duration::minutes(WARN_MINUTES) {
        SsoState::ExpiringSoon((left.num_seconds() + 59) / 60)
    } else {
        SsoState::Fresh
    }
}

/// The command that logs in again: by `sso_session` for new-style profiles
/// (one login serves every profile of the session), else by profile.
pub fn login_command(profile: Option<&str>, session: Option<&str>) -> String {
    match (session, profile) {
        (Some(s), _) => format!("aws sso login --sso-session {s}"),
        (None, Some(p)) => format!("aws sso login --profile {p}"),
        (None, None) => "aws sso login".to_string(),
    }
}
