//! After the fix: a service whose own state is fine again — healthy, or
//! rolling out the change — while its alarms still fire is **recovering**
//! when that change came after the alarms fired (a rollback, a redeploy):
//! an alarm clears only once its metric has been under its threshold for
//! its evaluation period, minutes after the fix. Its reason says what is
//! still pending, so a tired person does not second-guess a fix that works.

use super::alarms::{Alarm, AlarmState};
use super::health::{Health, HealthVerdict};
use super::service::{revision_label, Service};
use chrono::{DateTime, Utc};

/// The verdict of a recovering service, or None when it is not one.
/// `ecs` is the service's own verdict (before its alarms were counted).
pub fn recovering(
    ecs: &HealthVerdict,
    service: &Service,
    alarms: &[&Alarm],
) -> Option<HealthVerdict> {
    if !matches!(ecs.health, Health::Healthy | Health::Deploying) {
        return None;
    }
    let firing: Vec<&&Alarm> = alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .collect();
    // Since when they fire: the latest of them went into ALARM then.
    let fired: DateTime<Utc> = firing
        .iter()
        .map(|a| a.since)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()?;
    let primary = service.primary()?;
    let changed = primary.created_at?;
    if changed <= fired {
        return None;
    }
    let mut pending = vec![match ecs.health {
        Health::Deploying => ecs.reason.clone(),
        _ => format!(
            "on {} since {} UTC",
            revision_label(&primary.task_definition),
            changed.format("%H:%M")
        ),
    }];
    pending.extend(firing.iter().map(|a| {
        let within = a
            .metric
            .as_ref()
            .and_then(|m| m.period_seconds)
            .map(|p| format!(", re-evaluates within {}", period_words(p)))
            .unwrap_or_default();
        format!("alarm {} still in ALARM{within}", a.name)
    }));
    Some(HealthVerdict {
        health: Health::Recovering,
        reason: pending.join(" · "),
    })
}

/// `1 min`, `5 min`, `30 s`.
fn period_words(seconds: u32) -> String {
    if seconds >= 60 && seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alarms::AlarmMetric;
    use crate::domain::service::{Deployment, DeploymentStatus, RolloutState};
    use chrono::TimeZone;

    fn at(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 28, 3, m, 0).unwrap()
    }

    fn service(deployed: u32) -> Service {
        Service {
            cluster: "prod-web".into(),
            name: "chatbot-api".into(),
            arn: "arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            pending: 0,
            task_definition: "chatbot-api:40".into(),
            launch_type: None,
            deployments: vec![Deployment {
                id: "ecs-svc/1".into(),
                status: DeploymentStatus::Primary,
                task_definition: "chatbot-api:40".into(),
                desired: 2,
                running: 2,
                pending: 0,
                failed_tasks: 0,
                rollout_state: Some(RolloutState::Completed),
                rollout_state_reason: None,
                created_at: Some(at(deployed)),
                updated_at: Some(at(deployed + 1)),
            }],
            events: vec![],
            created_at: None,
            target_groups: vec![],
            network: None,
            pair: Default::default(),
        }
    }

    fn alarm(since: u32) -> Alarm {
        Alarm {
            name: "chatbot-api memory above 90 %".into(),
            arn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mem".into(),
            state: AlarmState::Alarm,
            reason: "Threshold Crossed".into(),
            since: Some(at(since)),
            composite: false,
            metric: Some(AlarmMetric {
                namespace: "AWS/ECS".into(),
                name: "MemoryUtilization".into(),
                dimensions: vec![],
                statistic: Some("Maximum".into()),
                period_seconds: Some(60),
                threshold: Some(90.0),
                comparison: Some("GreaterThanThreshold".into()),
            }),
            pair: Default::default(),
        }
    }

    fn healthy() -> HealthVerdict {
        HealthVerdict {
            health: Health::Healthy,
            reason: "2 of 2 running".into(),
        }
    }

    #[test]
    fn a_fix_after_the_alarm_fired_is_recovering_with_what_is_pending() {
        let v = recovering(&healthy(), &service(14), &[&alarm(2)]).unwrap();
        assert_eq!(v.health, Health::Recovering);
        assert_eq!(
            v.reason,
            "on chatbot-api:40 since 03:14 UTC · alarm chatbot-api memory above 90 % still in ALARM, re-evaluates within 1 min"
        );
        // Rolling the fix out: how far it is.
        let rolling = HealthVerdict {
            health: Health::Deploying,
            reason: "rolling out chatbot-api:40 (1 of 2 new running)".into(),
        };
        let v = recovering(&rolling, &service(14), &[&alarm(2)]).unwrap();
        assert!(v
            .reason
            .starts_with("rolling out chatbot-api:40 (1 of 2 new running) · alarm"));
    }

    #[test]
    fn no_change_since_the_alarm_or_a_sick_service_is_not_recovering() {
        // Deployed before the alarm fired: nothing was done about it.
        assert_eq!(recovering(&healthy(), &service(1), &[&alarm(2)]), None);
        // Its own state is bad: degraded, not recovering.
        let degraded = HealthVerdict {
            health: Health::Degraded,
            reason: "3 task stops in 10m".into(),
        };
        assert_eq!(recovering(&degraded, &service(14), &[&alarm(2)]), None);
        // No alarm firing: healthy is healthy.
        let mut ok = alarm(2);
        ok.state = AlarmState::Ok;
        assert_eq!(recovering(&healthy(), &service(14), &[&ok]), None);
        // An alarm that does not say since when: cannot tell.
        let mut unknown = alarm(2);
        unknown.since = None;
        assert_eq!(recovering(&healthy(), &service(14), &[&unknown]), None);
    }
}
