//! The rules of what changed, on records shaped like CloudTrail's.

use super::assemble::Witnesses;
use super::touch::touches;
use super::trail::Lookup;
use super::*;
use crate::domain::ports::{ContainerDefinition, TaskDefinition};
use crate::domain::service::{Deployment, DeploymentStatus, Service, ServiceNetwork};
use chrono::TimeZone;
use serde_json::json;
use std::collections::HashMap;

const ACCOUNT: &str = "123456789012";

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

/// A record as CloudTrail writes it for a role's session.
fn record(name: &str, source: &str, minute: i64, role: &str, request: serde_json::Value) -> String {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:session",
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/session"),
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {
                "type": "Role", "userName": role,
                "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}")}},
        },
        "eventTime": t(minute).to_rfc3339(),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.9",
        "requestParameters": request,
        "responseElements": null,
        "readOnly": false,
        "eventType": "AwsApiCall",
    })
    .to_string()
}

fn event(
    id: &str,
    name: &str,
    source: &str,
    minute: i64,
    who: &str,
    request: serde_json::Value,
) -> TrailEvent {
    let record = record(name, source, minute, who, request);
    TrailEvent::from_lookup(Lookup {
        id,
        name,
        source,
        at: Some(t(minute)),
        username: Some(who),
        resources: Vec::new(),
        record: Some(&record),
    })
    .unwrap()
}

fn service(cluster: &str, name: &str, family_rev: &str, sg: &str, tg: &str) -> Service {
    Service {
        cluster: cluster.into(),
        name: name.into(),
        arn: format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:service/{cluster}/{name}"),
        status: "ACTIVE".into(),
        desired: 2,
        running: 2,
        pending: 0,
        task_definition: format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{family_rev}"),
        launch_type: Some("FARGATE".into()),
        deployments: Vec::new(),
        events: Vec::new(),
        created_at: Some(t(-10_000)),
        target_groups: vec![format!(
            "arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/{tg}/6d0ecf831eec9f09"
        )],
        network: Some(ServiceNetwork {
            security_groups: vec![sg.into()],
            subnets: vec!["subnet-0a1b".into()],
            assign_public_ip: false,
        }),
        pair: Default::default(),
    }
}

fn definition(family: &str, secret: &str) -> TaskDefinition {
    TaskDefinition {
        arn: format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{family}:7"),
        family: family.into(),
        revision: 7,
        cpu: Some("256".into()),
        memory: Some("512".into()),
        network_mode: Some("awsvpc".into()),
        task_role: Some(format!("arn:aws:iam::{ACCOUNT}:role/{family}-task")),
        execution_role: Some(format!(
            "arn:aws:iam::{ACCOUNT}:role/service-role/{family}-exec"
        )),
        containers: vec![ContainerDefinition {
            name: "app".into(),
            image: format!("{family}:1.0"),
            essential: true,
            memory: None,
            memory_reservation: None,
            command: Vec::new(),
            environment: Vec::new(),
            secrets: vec!["DB_PASSWORD".into()],
            secret_sources: vec![format!(
                "arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:{secret}-AbCdEf:password::"
            )],
            log_group: None,
            log_stream_prefix: None,
            health_check: Vec::new(),
        }],
    }
}

/// payments and orders in prod (behind one load balancer), search in batch.
fn world() -> (Vec<Service>, Vec<ServiceFacts>) {
    let services = vec![
        service("prod", "payments", "payments:7", "sg-0pay", "payments-tg"),
        service("prod", "orders", "orders:3", "sg-0ord", "orders-tg"),
        service("batch", "search", "search:2", "sg-0sea", "search-tg"),
    ];
    let lb = format!("arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/prod-alb/50dc6c495c0c9188");
    let facts = vec![
        ServiceFacts::of(
            &services[0],
            Some(&definition("payments", "prod/payments-db")),
            std::slice::from_ref(&lb),
        ),
        ServiceFacts::of(
            &services[1],
            Some(&definition("orders", "prod/orders-db")),
            &[lb],
        ),
        ServiceFacts::of(
            &services[2],
            Some(&definition("search", "batch/search-key")),
            &[],
        ),
    ];
    (services, facts)
}

fn touched(e: &TrailEvent, facts: &[ServiceFacts]) -> Vec<String> {
    match touches(e, facts) {
        Touches::Noise => vec!["noise".into()],
        Touches::Services(keys) => keys.iter().map(|k| k.service.clone()).collect(),
    }
}

#[test]
fn each_kind_of_change_touches_exactly_the_services_it_names() {
    let (_, facts) = world();
    let tg = |name: &str| {
        format!(
            "arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/{name}/6d0ecf831eec9f09"
        )
    };
    let cases: Vec<(TrailEvent, Vec<&str>)> = vec![
        (
            event(
                "1",
                "UpdateService",
                "ecs.amazonaws.com",
                0,
                "ci-deploy",
                json!({"cluster": "prod", "service": "payments", "taskDefinition": "payments:8"}),
            ),
            vec!["payments"],
        ),
        (
            event(
                "2",
                "RegisterTaskDefinition",
                "ecs.amazonaws.com",
                0,
                "ci-deploy",
                json!({"family": "orders", "containerDefinitions": [{"name": "app", "image": "orders:2.0",
                    "environment": [{"name": "MODE", "value": "sg-0sea"}]}]}),
            ),
            vec!["orders"],
        ),
        (
            event(
                "3",
                "AuthorizeSecurityGroupEgress",
                "ec2.amazonaws.com",
                0,
                "alice",
                json!({"groupId": "sg-0pay", "ipPermissions": {"items": [{"ipProtocol": "-1",
                    "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            ),
            vec!["payments"],
        ),
        (
            event(
                "4",
                "ModifyTargetGroup",
                "elasticloadbalancing.amazonaws.com",
                0,
                "alice",
                json!({"targetGroupArn": tg("search-tg"), "healthCheckPath": "/healthz"}),
            ),
            vec!["search"],
        ),
        (
            event(
                "5",
                "ModifyRule",
                "elasticloadbalancing.amazonaws.com",
                0,
                "alice",
                json!({"ruleArn": format!("arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:listener-rule/app/prod-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee")}),
            ),
            vec!["payments", "orders"],
        ),
        (
            event(
                "6",
                "PutSecretValue",
                "secretsmanager.amazonaws.com",
                0,
                "rotation",
                json!({"secretId": "prod/payments-db", "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            ),
            vec!["payments"],
        ),
        (
            event(
                "7",
                "AttachRolePolicy",
                "iam.amazonaws.com",
                0,
                "alice",
                json!({"roleName": "orders-exec", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            ),
            vec!["orders"],
        ),
        (
            event(
                "8",
                "PutClusterCapacityProviders",
                "ecs.amazonaws.com",
                0,
                "alice",
                json!({"cluster": "prod", "capacityProviders": ["FARGATE_SPOT"],
                    "defaultCapacityProviderStrategy": []}),
            ),
            vec!["payments", "orders"],
        ),
        (
            event(
                "9",
                "PutScalingPolicy",
                "application-autoscaling.amazonaws.com",
                0,
                "alice",
                json!({"resourceId": "service/batch/search", "serviceNamespace": "ecs",
                    "policyName": "cpu"}),
            ),
            vec!["search"],
        ),
        (
            event(
                "10",
                "CreateBucket",
                "s3.amazonaws.com",
                0,
                "alice",
                json!({"bucketName": "logs"}),
            ),
            vec![],
        ),
        (
            // A service of the same name in another cluster is another service.
            event(
                "11",
                "UpdateService",
                "ecs.amazonaws.com",
                0,
                "alice",
                json!({"cluster": "batch", "service": "payments", "desiredCount": 0}),
            ),
            vec![],
        ),
    ];
    for (e, expected) in cases {
        assert_eq!(touched(&e, &facts), expected, "{} {}", e.name, e.id);
    }
}

#[test]
fn ecs_churn_and_failed_calls_are_noise() {
    let (_, facts) = world();
    let mut eni = event(
        "e1",
        "CreateNetworkInterface",
        "ec2.amazonaws.com",
        0,
        "ecs-service-scheduler",
        json!({"subnetId": "subnet-0a1b", "groupSet": {"items": [{"groupId": "sg-0pay"}]}}),
    );
    eni.role = Some("AWSServiceRoleForECS".into());
    assert_eq!(touched(&eni, &facts), vec!["noise"]);
    let mut failed = event(
        "e2",
        "UpdateService",
        "ecs.amazonaws.com",
        0,
        "alice",
        json!({"cluster": "prod", "service": "payments"}),
    );
    failed.error = Some("AccessDenied".into());
    assert_eq!(touched(&failed, &facts), vec!["noise"]);
}

#[test]
fn a_record_keeps_its_names_never_its_values() {
    let e = event(
        "1",
        "RegisterTaskDefinition",
        "ecs.amazonaws.com",
        0,
        "ci-deploy",
        json!({"family": "orders", "containerDefinitions": [{"name": "app",
            "environment": [{"name": "API_KEY", "value": "sk_live_supersecret"}]}]}),
    );
    let kept = serde_json::to_string(&e).unwrap();
    assert!(!kept.contains("sk_live_supersecret"), "{kept}");
    assert!(e.names.iter().any(|n| n == "orders"));
    assert_eq!(e.role.as_deref(), Some("ci-deploy"));
    let s = event(
        "2",
        "PutSecretValue",
        "secretsmanager.amazonaws.com",
        0,
        "x",
        json!({"secretId": "prod/db", "secretString": "hunter2"}),
    );
    assert!(!serde_json::to_string(&s).unwrap().contains("hunter2"));
    // A record that is not JSON still gives the event.
    let bare = TrailEvent::from_lookup(Lookup {
        id: "3",
        name: "DeleteService",
        source: "ecs.amazonaws.com",
        at: Some(t(0)),
        username: Some("bob\u{1b}[31m\u{202e}"),
        resources: vec!["payments"],
        record: Some("{not json"),
    })
    .unwrap();
    assert_eq!(bare.names, vec!["payments"]);
    assert!(!bare.actor_shown().contains('\u{1b}') && !bare.actor_shown().contains('\u{202e}'));
}

#[test]
fn an_update_its_deployment_and_its_registration_are_one_change() {
    let (mut services, facts) = world();
    let deployment = |id: &str, td: &str, minute: i64, status: DeploymentStatus| Deployment {
        id: id.into(),
        status,
        rollout_state: None,
        rollout_state_reason: None,
        task_definition: format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{td}"),
        desired: 2,
        running: 2,
        pending: 0,
        failed_tasks: 0,
        created_at: Some(t(minute)),
        updated_at: Some(t(minute)),
    };
    services[0].deployments = vec![
        deployment("ecs-svc/2", "payments:8", 10, DeploymentStatus::Primary),
        deployment("ecs-svc/1", "payments:7", -600, DeploymentStatus::Active),
    ];
    // orders was deployed by someone CloudTrail has not delivered yet.
    services[1].deployments = vec![deployment(
        "ecs-svc/9",
        "orders:3",
        20,
        DeploymentStatus::Primary,
    )];
    let events = vec![
        event(
            "reg",
            "RegisterTaskDefinition",
            "ecs.amazonaws.com",
            5,
            "ci-deploy",
            json!({"family": "payments"}),
        ),
        event(
            "upd",
            "UpdateService",
            "ecs.amazonaws.com",
            10,
            "ci-deploy",
            json!({"cluster": "prod", "service": "payments", "taskDefinition": "payments:8"}),
        ),
    ];
    let mut definitions = HashMap::new();
    let mut before = definition("payments", "prod/payments-db");
    before.arn = services[0].deployments[1].task_definition.clone();
    let mut after = before.clone();
    after.arn = services[0].deployments[0].task_definition.clone();
    after.revision = 8;
    after.containers[0].image = "payments:2.0".into();
    definitions.insert(before.arn.clone(), before);
    definitions.insert(after.arn.clone(), after);
    let (changes, noise) = assemble(&Witnesses {
        events: &events,
        facts: &facts,
        services: &services,
        journal: &[],
        definitions: &definitions,
        since: t(-60),
    });
    assert_eq!(noise, 0);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    let update = changes
        .iter()
        .find(|c| c.action == "UpdateService")
        .unwrap();
    let kinds: Vec<(SourceKind, &str)> = update
        .sources
        .iter()
        .map(|s| (s.kind, s.id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (SourceKind::Cloudtrail, "upd"),
            (SourceKind::Ecs, "ecs-svc/2"),
            (SourceKind::Cloudtrail, "reg")
        ]
    );
    assert_eq!(update.summary, "UpdateService payments → payments:8");
    assert!(
        update.detail.iter().any(|d| d == "payments:7 → payments:8"),
        "{:?}",
        update.detail
    );
    assert!(
        update
            .detail
            .iter()
            .any(|d| d == "app.image: payments:1.0 → payments:2.0"),
        "{:?}",
        update.detail
    );
    let alone = changes.iter().find(|c| c.action == "Deployment").unwrap();
    assert_eq!(alone.sources[0].id, "ecs-svc/9");
    assert_eq!(alone.services[0].service, "orders");
}

#[test]
fn the_nearest_change_before_the_onset_ranks_first() {
    let (_, facts) = world();
    let events = vec![
        event(
            "old",
            "UpdateService",
            "ecs.amazonaws.com",
            -300,
            "ci-deploy",
            json!({"cluster": "prod", "service": "payments", "taskDefinition": "payments:6"}),
        ),
        event(
            "near",
            "AuthorizeSecurityGroupEgress",
            "ec2.amazonaws.com",
            -20,
            "alice",
            json!({"groupId": "sg-0pay"}),
        ),
        event(
            "mid",
            "PutSecretValue",
            "secretsmanager.amazonaws.com",
            -90,
            "rotation",
            json!({"secretId": "prod/payments-db"}),
        ),
        event(
            "fix",
            "UpdateService",
            "ecs.amazonaws.com",
            30,
            "bob",
            json!({"cluster": "prod", "service": "payments", "taskDefinition": "payments:7"}),
        ),
        event(
            "other",
            "UpdateService",
            "ecs.amazonaws.com",
            -5,
            "ci-deploy",
            json!({"cluster": "prod", "service": "orders"}),
        ),
    ];
    let (changes, _) = assemble(&Witnesses {
        events: &events,
        facts: &facts,
        services: &[],
        journal: &[],
        definitions: &HashMap::new(),
        since: t(-600),
    });
    let onset = onset(&[t(0), t(3), t(-200 - 61), t(10)]).unwrap();
    assert_eq!(onset, t(0), "a gap of over an hour starts a new episode");
    let key = facts[0].key.clone();
    let ranked = rank(&changes, &key, onset);
    let order: Vec<&str> = ranked.iter().map(|s| s.change.id()).collect();
    assert_eq!(order, vec!["near", "mid", "old", "fix"]);
    assert!(ranked[0].is_near() && ranked[1].is_near() && !ranked[2].is_near());
    assert!(!ranked[3].came_before());
    assert_eq!(
        ranked[0].phrase(t(13)),
        "since AuthorizeSecurityGroupEgress sg-0pay by alice 33 m ago"
    );
}

#[test]
fn a_runbook_step_and_what_cloudtrail_recorded_of_it_are_one_change() {
    use crate::domain::timeline::entry::{
        ActionRecord, Actor, Entry, EntryKind, RunbookRef, TimeSource,
    };
    let (_, facts) = world();
    let step = Entry {
        v: 1,
        id: "01JSTEP".into(),
        seq: 7,
        occurred_at: t(0),
        recorded_at: t(0),
        time_source: TimeSource::Local,
        kind: EntryKind::Step,
        milestone: None,
        actor: Actor::Human {
            name: "alice".into(),
        },
        summary: "Roll back payments to revision 7".into(),
        detail: None,
        resources: Vec::new(),
        runbook: Some(RunbookRef {
            file: "bad-deployment.md".into(),
            content_sha: "x".into(),
            run_id: "r1".into(),
            step_id: "rollback".into(),
            attempt: 1,
            state: "succeeded".into(),
        }),
        action: Some(ActionRecord {
            kind: "ecs.rollback".into(),
            destructive: true,
            dry_run: false,
            inputs: json!({"cluster": "prod", "service": "payments"}),
            ..ActionRecord::default()
        }),
        result: None,
        evidence: Vec::new(),
        important: false,
        supersedes: None,
        tags: Vec::new(),
        incident: None,
    };
    let events = vec![
        event(
            "upd",
            "UpdateService",
            "ecs.amazonaws.com",
            0,
            "AWSReservedSSO_OnCall",
            json!({"cluster": "prod", "service": "payments", "taskDefinition": "payments:7"}),
        ),
        // Another service's deploy at the same moment stays its own.
        event(
            "other",
            "UpdateService",
            "ecs.amazonaws.com",
            0,
            "ci-deploy",
            json!({"cluster": "prod", "service": "orders", "taskDefinition": "orders:4"}),
        ),
    ];
    let (changes, _) = assemble(&Witnesses {
        events: &events,
        facts: &facts,
        services: &[],
        journal: &[step],
        definitions: &HashMap::new(),
        since: t(-60),
    });
    assert_eq!(changes.len(), 2, "{changes:#?}");
    let rollback = changes.iter().find(|c| c.action == "ecs.rollback").unwrap();
    assert_eq!(rollback.actor, "alice");
    let ids: Vec<&str> = rollback.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["01JSTEP", "upd"]);
}
