//! What `triage wait` waits for, and how a look at the service answers it:
//! the service **healthy** (as `triage status` says it, its alarms OK too),
//! **steady** (one deployment, its counts met), or its **alarms OK**. Each
//! look says what is still pending, in words, and whether the service got
//! worse since the look before.

use super::alarms::{AlarmState, OwnedAlarm};
use super::ranking::RankedService;
use super::Health;
use serde::Serialize;

/// What is waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Until {
    Healthy,
    Steady,
    AlarmOk,
}

/// An `--until` that is none of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not something to wait for: use healthy, steady or alarm-ok")]
pub struct UnknownUntil(pub String);

impl Until {
    pub fn parse(text: &str) -> Result<Until, UnknownUntil> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "healthy" => Ok(Until::Healthy),
            "steady" => Ok(Until::Steady),
            "alarm-ok" | "alarms-ok" | "ok" => Ok(Until::AlarmOk),
            _ => Err(UnknownUntil(text.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Until::Healthy => "healthy",
            Until::Steady => "steady",
            Until::AlarmOk => "alarm-ok",
        }
    }

    /// Its answer depends on the service's alarms (read with each look).
    pub fn needs_alarms(self) -> bool {
        matches!(self, Until::Healthy | Until::AlarmOk)
    }
}

/// One look at the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Look {
    pub health: Health,
    /// Why, as `triage status` says it.
    pub reason: String,
    pub running: u32,
    pub desired: u32,
    pub pending: u32,
    /// Deployments not yet inactive.
    pub deployments: usize,
    /// One deployment, its counts met.
    pub steady: bool,
    /// The names of its alarms in ALARM.
    pub alarms_in_alarm: Vec<String>,
}

impl Look {
    /// Its alarms in ALARM that its reason does not already name.
    pub fn alarms_not_said(&self) -> impl Iterator<Item = &String> {
        let shown = if self.health == Health::Healthy {
            ""
        } else {
            self.reason.as_str()
        };
        self.alarms_in_alarm
            .iter()
            .filter(move |name| !shown.contains(name.as_str()))
    }

    /// The look of `ranked` (its verdict with its alarms) and its alarms.
    pub fn of(ranked: &RankedService, alarms: &[OwnedAlarm]) -> Look {
        let s = &ranked.service;
        let key = s.key();
        Look {
            health: ranked.verdict.health,
            reason: ranked.verdict.reason.clone(),
            running: s.running,
            desired: s.desired,
            pending: s.pending,
            deployments: s
                .deployments
                .iter()
                .filter(|d| d.status != super::service::DeploymentStatus::Inactive)
                .count(),
            steady: s.is_steady(),
            alarms_in_alarm: alarms
                .iter()
                .filter(|a| a.alarm.state == AlarmState::Alarm && a.services.contains(&key))
                .map(|a| a.alarm.name.clone())
                .collect(),
        }
    }
}

/// The look answers what is waited for.
pub fn reached(until: Until, look: &Look) -> bool {
    match until {
        Until::Healthy => look.health == Health::Healthy && look.alarms_in_alarm.is_empty(),
        Until::Steady => look.steady,
        Until::AlarmOk => look.alarms_in_alarm.is_empty(),
    }
}

/// What is still pending, in words: `1 of 2 running · 2 deployments ·
/// alarm api 5XX in ALARM`.
pub fn pending(until: Until, look: &Look) -> String {
    let mut left = Vec::new();
    let health_said = until == Until::Healthy && look.health != Health::Healthy;
    if health_said {
        left.push(format!("{}: {}", look.health.as_str(), look.reason));
    }
    if until == Until::Steady {
        if look.running != look.desired || look.pending > 0 {
            let mut counts = format!("{} of {} running", look.running, look.desired);
            if look.pending > 0 {
                counts.push_str(&format!(", {} pending", look.pending));
            }
            left.push(counts);
        }
        if look.deployments > 1 {
            left.push(format!("{} deployments", look.deployments));
        }
    }
    if until.needs_alarms() {
        // Those the health's reason already names are not said twice.
        let alarms: Vec<&String> = if health_said {
            look.alarms_not_said().collect()
        } else {
            look.alarms_in_alarm.iter().collect()
        };
        left.extend(alarms.iter().map(|name| format!("alarm {name} in ALARM")));
    }
    if left.is_empty() {
        "nothing".into()
    } else {
        left.join(" · ")
    }
}

/// How bad a health is: down and failed worst, then degraded.
fn badness(health: Health) -> u8 {
    match health {
        Health::Down | Health::Failed => 2,
        Health::Degraded => 1,
        _ => 0,
    }
}

/// The service got worse between two looks: a worse health, fewer tasks
/// running, or an alarm newly in ALARM. In words; None when it did not.
pub fn got_worse(before: &Look, now: &Look) -> Option<String> {
    let mut worse = Vec::new();
    if badness(now.health) > badness(before.health) {
        worse.push(format!(
            "{} → {}: {}",
            before.health.as_str(),
            now.health.as_str(),
            now.reason
        ));
    } else if now.running < before.running && now.desired == before.desired {
        worse.push(format!(
            "{} → {} of {} running",
            before.running, now.running, now.desired
        ));
    }
    worse.extend(
        now.alarms_in_alarm
            .iter()
            .filter(|a| !before.alarms_in_alarm.contains(a))
            .map(|a| format!("alarm {a} in ALARM")),
    );
    (!worse.is_empty()).then(|| worse.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(health: Health, running: u32, alarms: &[&str]) -> Look {
        Look {
            health,
            reason: format!("{running} of 2 running"),
            running,
            desired: 2,
            pending: 0,
            deployments: 1,
            steady: running == 2,
            alarms_in_alarm: alarms.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn healthy_needs_its_alarms_ok_too_steady_does_not() {
        let l = look(Health::Healthy, 2, &["api 5XX"]);
        assert!(!reached(Until::Healthy, &l));
        assert!(reached(Until::Steady, &l));
        assert!(!reached(Until::AlarmOk, &l));
        assert_eq!(pending(Until::Healthy, &l), "alarm api 5XX in ALARM");
        assert_eq!(pending(Until::Steady, &l), "nothing");
    }

    #[test]
    fn pending_says_what_is_left_in_words() {
        let mut l = look(Health::Deploying, 1, &[]);
        l.pending = 1;
        l.deployments = 2;
        assert_eq!(
            pending(Until::Steady, &l),
            "1 of 2 running, 1 pending · 2 deployments"
        );
        assert_eq!(pending(Until::Healthy, &l), "deploying: 1 of 2 running");
    }

    #[test]
    fn an_alarm_the_reason_names_is_said_once() {
        let mut l = look(Health::Degraded, 2, &["mem high"]);
        l.reason = "alarm mem high in ALARM: Threshold Crossed".into();
        assert_eq!(
            pending(Until::Healthy, &l),
            "degraded: alarm mem high in ALARM: Threshold Crossed"
        );
        assert_eq!(pending(Until::AlarmOk, &l), "alarm mem high in ALARM");
    }

    #[test]
    fn worse_is_a_worse_health_fewer_tasks_or_a_new_alarm() {
        let ok = look(Health::Healthy, 2, &[]);
        assert_eq!(got_worse(&ok, &ok), None);
        assert_eq!(
            got_worse(&ok, &look(Health::Down, 0, &[])).unwrap(),
            "healthy → down: 0 of 2 running"
        );
        assert_eq!(
            got_worse(
                &look(Health::Deploying, 2, &[]),
                &look(Health::Deploying, 1, &[])
            )
            .unwrap(),
            "2 → 1 of 2 running"
        );
        assert_eq!(
            got_worse(&ok, &look(Health::Healthy, 2, &["mem"])).unwrap(),
            "alarm mem in ALARM"
        );
        // Better is not worse.
        assert_eq!(got_worse(&look(Health::Down, 0, &[]), &ok), None);
    }

    #[test]
    fn until_reads_its_words() {
        assert_eq!(Until::parse("alarm_ok").unwrap(), Until::AlarmOk);
        assert_eq!(Until::parse("Steady").unwrap(), Until::Steady);
        assert!(Until::parse("done")
            .unwrap_err()
            .to_string()
            .contains("healthy, steady or alarm-ok"));
    }
}
