//! A failing service's suspects: the changes that touched it, nearest
//! before its onset first.
//!
//! The onset is the first signal of this episode — an alarm going off, a
//! task stopping, the health changing — where an episode is a run of
//! signals with no gap over an hour, ending with the latest. A change up to
//! a minute after the onset still counts as before it (clocks and
//! CloudTrail's timestamps differ by seconds); later ones follow, oldest
//! first (what was done about it).

use super::super::service::ServiceKey;
use super::Change;
use chrono::{DateTime, Duration, Utc};

/// Signals further apart than this are two episodes.
const EPISODE_GAP_MINUTES: i64 = 60;
/// A change this long after the onset still counts as before it.
const SLACK_SECONDS: i64 = 60;
/// A suspect this near before the onset is named on the services row.
pub const NEAR_HOURS: i64 = 2;

/// The first signal of the latest episode.
pub fn onset(signals: &[DateTime<Utc>]) -> Option<DateTime<Utc>> {
    let mut sorted: Vec<DateTime<Utc>> = signals.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut first = *sorted.first()?;
    for at in sorted.into_iter().skip(1) {
        if first - at > Duration::minutes(EPISODE_GAP_MINUTES) {
            break;
        }
        first = at;
    }
    Some(first)
}

/// A change as a suspect: how long before the onset it came (negative: after).
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect<'a> {
    pub change: &'a Change,
    pub before_onset: Duration,
}

impl Suspect<'_> {
    /// Before the onset (with the slack), so it may have caused it.
    pub fn came_before(&self) -> bool {
        self.before_onset >= -Duration::seconds(SLACK_SECONDS)
    }

    /// Before the onset and within [`NEAR_HOURS`] of it.
    pub fn is_near(&self) -> bool {
        self.came_before() && self.before_onset <= Duration::hours(NEAR_HOURS)
    }

    /// What the change was done to, in a word (`payments:2`, `sg-0abc`).
    pub fn subject(&self) -> &str {
        subject(&self.change.summary)
    }

    /// `since UpdateService payments:2 by ci-deploy 33 m ago`.
    pub fn phrase(&self, now: DateTime<Utc>) -> String {
        format!(
            "since {} {} by {} {} ago",
            self.change.action,
            subject(&self.change.summary),
            self.change.actor,
            ago(now - self.change.at)
        )
    }
}

/// The changes that touched `key`, ranked: those before `onset` (or now,
/// when it is not failing) nearest first, then those after it, oldest first.
pub fn rank<'a>(changes: &'a [Change], key: &ServiceKey, onset: DateTime<Utc>) -> Vec<Suspect<'a>> {
    let mut suspects: Vec<Suspect<'a>> = changes
        .iter()
        .filter(|c| c.touches(key))
        .map(|change| Suspect {
            change,
            before_onset: onset - change.at,
        })
        .collect();
    suspects.sort_by(|a, b| match (a.came_before(), b.came_before()) {
        (true, true) => a
            .before_onset
            .abs()
            .cmp(&b.before_onset.abs())
            .then_with(|| a.change.id().cmp(b.change.id())),
        (false, false) => a.change.at.cmp(&b.change.at),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
    });
    suspects
}

/// What the change was done to, in a word: the revision deployed, else the
/// first name after the action.
fn subject(summary: &str) -> &str {
    if let Some((_, after)) = summary.split_once(" → ") {
        return after.split_whitespace().next().unwrap_or(after);
    }
    let mut words = summary.split_whitespace();
    let first = words.next().unwrap_or("");
    words.next().unwrap_or(first).trim_end_matches(':')
}

/// `33 m`, `2 h 5 m`, `3 d`.
pub fn ago(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match minutes {
        0 => format!("{} s", d.num_seconds().max(0)),
        1..=59 => format!("{minutes} m"),
        60..=1439 if minutes % 60 == 0 => format!("{} h", minutes / 60),
        60..=1439 => format!("{} h {} m", minutes / 60, minutes % 60),
        _ => format!("{} d", minutes / 1440),
    }
}

/// A service's signals of trouble: when each of its alarms in ALARM went
/// off, and each ECS event that says a task stopped, failed its health
/// checks or could not start.
pub fn signals(
    service: &super::super::service::Service,
    alarms: &[&super::super::alarms::Alarm],
) -> Vec<DateTime<Utc>> {
    use super::super::alarms::AlarmState;
    let mut out: Vec<DateTime<Utc>> = alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .filter_map(|a| a.since)
        .collect();
    out.extend(
        service
            .events
            .iter()
            .filter(|e| {
                let m = e.message.as_str();
                m.contains("has stopped")
                    || m.contains("unhealthy")
                    || m.contains("unable to")
                    || m.contains("failed")
            })
            .map(|e| e.at),
    );
    out
}
