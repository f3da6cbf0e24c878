//! Alarms as specifications: each alarm is tied to the services it watches
//! (ECS dimensions, a target group, a load balancer, a `[alarms]` mapping),
//! the rest kept as account alarms; an alarm in ALARM makes its service at
//! least degraded, naming the alarm and why; lists put ALARM first, then the
//! services' rank.

use triage::domain::alarms::{
    elb_dimension, ordered, tie, Alarm, AlarmMapping, AlarmMetric, AlarmState, Dimension,
    TargetGroup,
};
use triage::domain::health::{with_alarms, Health, HealthVerdict};
use triage::domain::service::{Service, ServiceKey};

const TG: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/backend-api/73e2d6bc24d8a067";
const LB: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/prod-web/50dc6c495c0c9188";

fn service(cluster: &str, name: &str, target_groups: &[&str]) -> Service {
    let mut s = crate::fixtures::service("health/healthy.json");
    s.cluster = cluster.into();
    s.name = name.into();
    s.target_groups = target_groups.iter().map(|t| t.to_string()).collect();
    s
}

fn alarm(name: &str, state: AlarmState, namespace: &str, dims: &[(&str, &str)]) -> Alarm {
    Alarm {
        name: name.into(),
        arn: format!("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}"),
        state,
        reason: "Threshold Crossed: 1 out of the last 1 datapoints [100.0 (01/12/26 03:01:00)] was greater than the threshold (90.0).".into(),
        since: None,
        composite: false,
        metric: Some(AlarmMetric {
            namespace: namespace.into(),
            name: "M".into(),
            dimensions: dims
                .iter()
                .map(|(n, v)| Dimension {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            statistic: Some("Maximum".into()),
            period_seconds: Some(60),
            threshold: Some(90.0),
            comparison: Some("GreaterThanThreshold".into()),
        }),
        pair: Default::default(),
    }
}

fn key(cluster: &str, service: &str) -> ServiceKey {
    ServiceKey::new(cluster, service)
}

#[test]
fn elb_arns_become_their_dimension_values() {
    assert_eq!(
        elb_dimension(TG),
        "targetgroup/backend-api/73e2d6bc24d8a067"
    );
    assert_eq!(elb_dimension(LB), "app/prod-web/50dc6c495c0c9188");
}

#[test]
fn each_alarm_is_tied_to_what_it_watches_and_the_rest_kept() {
    let services = vec![
        service("prod-web", "chatbot-api", &[]),
        service("prod-web", "backend-api", &[TG]),
        service("prod-data", "worker", &[]),
    ];
    let groups = vec![TargetGroup {
        arn: TG.into(),
        load_balancer_arns: vec![LB.into()],
    }];
    let mappings = vec![AlarmMapping {
        dimension: "DBInstanceIdentifier".into(),
        value: "orders-db".into(),
        service: key("prod-data", "worker"),
    }];
    let alarms = vec![
        alarm(
            "mem",
            AlarmState::Alarm,
            "AWS/ECS",
            &[("ClusterName", "prod-web"), ("ServiceName", "chatbot-api")],
        ),
        alarm(
            "insights",
            AlarmState::Ok,
            "ECS/ContainerInsights",
            &[("ClusterName", "prod-data"), ("ServiceName", "worker")],
        ),
        alarm(
            "5xx",
            AlarmState::Alarm,
            "AWS/ApplicationELB",
            &[
                ("TargetGroup", "targetgroup/backend-api/73e2d6bc24d8a067"),
                ("LoadBalancer", "app/prod-web/50dc6c495c0c9188"),
            ],
        ),
        alarm(
            "lb-wide",
            AlarmState::Ok,
            "AWS/ApplicationELB",
            &[("LoadBalancer", "app/prod-web/50dc6c495c0c9188")],
        ),
        alarm(
            "other-cluster",
            AlarmState::Ok,
            "AWS/ECS",
            &[("ClusterName", "staging"), ("ServiceName", "chatbot-api")],
        ),
        alarm(
            "db",
            AlarmState::Alarm,
            "AWS/RDS",
            &[("DBInstanceIdentifier", "orders-db")],
        ),
        alarm(
            "unknown",
            AlarmState::InsufficientData,
            "AWS/SQS",
            &[("QueueName", "emails")],
        ),
        Alarm {
            metric: None,
            composite: true,
            ..alarm("composite", AlarmState::Ok, "", &[])
        },
    ];
    let owned = tie(alarms, &services, &groups, &mappings);
    let owners = |name: &str| {
        owned
            .iter()
            .find(|a| a.alarm.name == name)
            .unwrap()
            .services
            .clone()
    };
    assert_eq!(owners("mem"), vec![key("prod-web", "chatbot-api")]);
    assert_eq!(owners("insights"), vec![key("prod-data", "worker")]);
    assert_eq!(owners("5xx"), vec![key("prod-web", "backend-api")]);
    assert_eq!(
        owners("lb-wide"),
        vec![key("prod-web", "backend-api")],
        "every service behind the load balancer"
    );
    assert_eq!(
        owners("other-cluster"),
        vec![],
        "same name, another cluster"
    );
    assert_eq!(
        owners("db"),
        vec![key("prod-data", "worker")],
        "by the [alarms] mapping"
    );
    assert_eq!(owners("unknown"), vec![]);
    assert_eq!(owners("composite"), vec![]);
    assert_eq!(owned.len(), 8, "nothing dropped");

    // Lists: ALARM first, by the services' rank, account alarms last within a state.
    let rank = |k: &ServiceKey| services.iter().position(|s| &s.key() == k);
    let names: Vec<&str> = ordered(&owned, rank)
        .iter()
        .map(|a| a.alarm.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "mem",
            "5xx",
            "db",
            "unknown",
            "lb-wide",
            "insights",
            "composite",
            "other-cluster"
        ]
    );
}

#[test]
fn an_alarm_in_alarm_makes_a_service_at_least_degraded_and_says_why() {
    let healthy = HealthVerdict {
        health: Health::Healthy,
        reason: "2/2 running".into(),
    };
    let firing = alarm(
        "chatbot-api memory above 90 %",
        AlarmState::Alarm,
        "AWS/ECS",
        &[],
    );
    let v = with_alarms(healthy.clone(), &[&firing]);
    assert_eq!(v.health, Health::Degraded);
    assert!(
        v.reason
            .starts_with("alarm chatbot-api memory above 90 % in ALARM: Threshold Crossed"),
        "{}",
        v.reason
    );

    let quiet = alarm("quiet", AlarmState::Ok, "AWS/ECS", &[]);
    let unknown = alarm("no data", AlarmState::InsufficientData, "AWS/ECS", &[]);
    assert_eq!(
        with_alarms(healthy.clone(), &[&quiet, &unknown]),
        healthy,
        "only ALARM counts"
    );

    let down = HealthVerdict {
        health: Health::Down,
        reason: "0/2 running".into(),
    };
    let v = with_alarms(down, &[&firing, &firing]);
    assert_eq!(v.health, Health::Down, "never better than ECS says");
    assert_eq!(
        v.reason,
        "0/2 running · 2 alarms in ALARM (chatbot-api memory above 90 %, …)"
    );

    let zero = HealthVerdict {
        health: Health::ScaledToZero,
        reason: "scaled to zero".into(),
    };
    assert_eq!(with_alarms(zero, &[&firing]).health, Health::Degraded);
}

#[test]
fn alarm_states_read_as_cloudwatch_writes_them() {
    for state in AlarmState::ALL {
        assert_eq!(AlarmState::parse(state.as_str()), Some(state));
    }
    assert_eq!(
        AlarmState::parse("insufficient-data"),
        Some(AlarmState::InsufficientData)
    );
    assert_eq!(AlarmState::parse("alarmed"), None);
}
