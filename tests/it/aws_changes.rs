//! What changed, against the harness's CloudTrail (LookupEvents with AWS's
//! quota) and moto's ECS, through `triage changes -o json`: each kind of
//! change tied to exactly the services it touches, read-only events never
//! read, ECS's interface churn counted and never shown, an UpdateService and
//! the deployment it made one change, the nearest change before a failure
//! first, a warm read of at most 2 calls, and no call throttled.

use crate::support::cli::{aws_triage, json};
use crate::support::security::{network, secrets, service};
use crate::support::{fresh_region, moto, moto_config};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";

/// A LookupEvents event as CloudTrail answers it, its record a JSON string.
fn event(
    id: &str,
    name: &str,
    source: &str,
    at: DateTime<Utc>,
    role: &str,
    request: Value,
    read_only: bool,
) -> Value {
    let mut identity = json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLE:{role}-session"),
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{role}-session"),
        "accountId": ACCOUNT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
            "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}")}},
    });
    if role == "AWSServiceRoleForECS" {
        identity["invokedBy"] = json!("ecs.amazonaws.com");
    }
    let record = json!({
        "eventVersion": "1.09", "userIdentity": identity,
        "eventTime": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": format!("{source}.amazonaws.com"), "eventName": name,
        "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
        "requestParameters": request, "responseElements": null,
        "eventID": id, "readOnly": read_only, "eventType": "AwsApiCall",
    });
    json!({
        "EventId": id, "EventName": name, "ReadOnly": read_only.to_string(),
        "EventTime": at.timestamp(), "EventSource": format!("{source}.amazonaws.com"),
        "Username": format!("{role}-session"), "Resources": [],
        "CloudTrailEvent": record.to_string(),
    })
}

fn seed_trail(region: &str, events: Vec<Value>) {
    let body = json!({"region": region, "events": events});
    let answer = crate::support::http(
        "POST",
        &format!("{}/_triage/cloudtrail/events", moto().endpoint),
        Some(&body.to_string()),
    );
    assert!(answer.contains("ok"), "{answer}");
}

fn throttled(region: &str) -> u64 {
    let body = crate::support::http(
        "GET",
        &format!("{}/_triage/cloudtrail/throttled", moto().endpoint),
        None,
    );
    serde_json::from_str::<Value>(&body).unwrap()[region]
        .as_u64()
        .unwrap_or(0)
}

/// `prod` holds `api` (the open group, two secrets) and `web` (the locked
/// group, a task role); CloudTrail holds one change of each kind, 320 of
/// ECS's interface events and read-only calls. Returns the time of api's
/// deployment.
async fn world(region: &str) -> (DateTime<Utc>, String, String) {
    let config = moto_config(region).await;
    let net = network(&config).await;
    let arns = secrets(&config).await;
    service(&config, &net, &[&net.open_group], &arns, 1).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.register_task_definition()
        .family("web")
        .task_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/web-task"))
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .container_definitions(crate::support::api_container("w1"))
        .send()
        .await
        .unwrap();
    let vpc = aws_sdk_ecs::types::AwsVpcConfiguration::builder()
        .subnets(&net.subnet)
        .security_groups(&net.locked_group)
        .build()
        .unwrap();
    ecs.create_service()
        .cluster("prod")
        .service_name("web")
        .task_definition("web:1")
        .desired_count(0)
        .network_configuration(
            aws_sdk_ecs::types::NetworkConfiguration::builder()
                .awsvpc_configuration(vpc)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let described = ecs
        .describe_services()
        .cluster("prod")
        .services("api")
        .send()
        .await
        .unwrap();
    let deployment = &described.services()[0].deployments()[0];
    let deployed = DateTime::from_timestamp(deployment.created_at().unwrap().secs(), 0).unwrap();
    let deployment_id = deployment.id().unwrap().to_string();

    let now = Utc::now();
    let mut events = vec![
        // CI registered api:1 and deployed it: one change with the ECS deployment.
        event(
            "reg-api",
            "RegisterTaskDefinition",
            "ecs",
            deployed - Duration::seconds(60),
            "ci-deploy",
            json!({"family": "api", "containerDefinitions": [{"name": "api",
                "environment": [{"name": "TOKEN", "value": "sk_live_never_shown"}]}]}),
            false,
        ),
        event(
            "upd-api",
            "UpdateService",
            "ecs",
            deployed - Duration::seconds(2),
            "ci-deploy",
            json!({"cluster": "prod", "service": "api", "taskDefinition": "api:1"}),
            false,
        ),
        event(
            "egress",
            "AuthorizeSecurityGroupEgress",
            "ec2",
            now - Duration::minutes(20),
            "alice",
            json!({"groupId": net.open_group, "ipPermissions": {"items": [{"ipProtocol": "-1",
                "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            false,
        ),
        event(
            "secret",
            "PutSecretValue",
            "secretsmanager",
            now - Duration::minutes(90),
            "rotation",
            json!({"secretId": "prod/api/db", "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
            false,
        ),
        event(
            "role",
            "AttachRolePolicy",
            "iam",
            now - Duration::minutes(50),
            "alice",
            json!({"roleName": "web-task", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            false,
        ),
        event(
            "scaling",
            "PutScalingPolicy",
            "application-autoscaling",
            now - Duration::minutes(40),
            "alice",
            json!({"resourceId": "service/prod/web", "serviceNamespace": "ecs", "policyName": "cpu"}),
            false,
        ),
        event(
            "capacity",
            "PutClusterCapacityProviders",
            "ecs",
            now - Duration::minutes(200),
            "alice",
            json!({"cluster": "prod", "capacityProviders": ["FARGATE_SPOT"]}),
            false,
        ),
        event(
            "elsewhere",
            "AuthorizeSecurityGroupIngress",
            "ec2",
            now - Duration::minutes(30),
            "bob",
            json!({"groupId": "sg-0notwatched"}),
            false,
        ),
        // Names from AWS are hostile text like any other.
        event(
            "hostile\u{1b}[2J\u{202e}",
            "AuthorizeSecurityGroupEgress",
            "ec2",
            now - Duration::minutes(25),
            "mallory\u{1b}]52;c;aGk=\u{7}\u{202e}",
            json!({"groupId": format!("{}\u{1b}[31m\u{2066}", net.open_group)}),
            false,
        ),
        event(
            "read",
            "DescribeServices",
            "ecs",
            now - Duration::minutes(10),
            "alice",
            json!({"cluster": "prod", "services": ["api"]}),
            true,
        ),
    ];
    // ECS's own hand: 320 interfaces created and deleted over 6 hours.
    for i in 0..320 {
        let name = if i % 2 == 0 {
            "CreateNetworkInterface"
        } else {
            "DeleteNetworkInterface"
        };
        events.push(event(
            &format!("eni-{i}"),
            name,
            "ec2",
            now - Duration::seconds(60 * i + 30),
            "AWSServiceRoleForECS",
            json!({"subnetId": net.subnet,
                "groupSet": {"items": [{"groupId": net.open_group}]}}),
            false,
        ));
    }
    seed_trail(region, events);
    (deployed, deployment_id, net.open_group)
}

/// `triage changes ARGS -o json` against the harness in `region`: it succeeds,
/// and its document.
fn changes_json(home: &tempfile::TempDir, region: &str, args: &[&str]) -> Value {
    let out = aws_triage(home, region)
        .arg("changes")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

fn services_of(doc: &Value, id: &str) -> Vec<String> {
    let change = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == id)
        })
        .unwrap_or_else(|| panic!("no change with source {id}: {doc:#}"));
    change["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_change_is_tied_to_the_services_it_touched_and_a_warm_read_makes_at_most_two_calls() {
    let region = fresh_region();
    let (_, deployment_id, _) = world(region).await;
    let home = tempfile::tempdir().unwrap();
    let doc = changes_json(&home, region, &["--since", "6h"]);
    let text = doc.to_string();
    assert!(
        !text.contains("sk_live_never_shown"),
        "a value reached the output"
    );

    assert_eq!(services_of(&doc, "egress"), vec!["prod/api"]);
    assert_eq!(services_of(&doc, "secret"), vec!["prod/api"]);
    assert_eq!(services_of(&doc, "role"), vec!["prod/web"]);
    assert_eq!(services_of(&doc, "scaling"), vec!["prod/web"]);
    assert_eq!(services_of(&doc, "capacity"), vec!["prod/api", "prod/web"]);
    assert!(
        services_of(&doc, "elsewhere").is_empty(),
        "an account change"
    );
    // The UpdateService, the deployment it made and the registration before it: one change.
    let update = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "UpdateService")
        .unwrap();
    let sources: Vec<(String, String)> = update["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().into(),
                s["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        vec![
            ("cloudtrail".into(), "upd-api".into()),
            ("ecs".into(), deployment_id.clone()),
            ("cloudtrail".into(), "reg-api".into())
        ]
    );
    assert_eq!(
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["sources"].to_string().contains(&deployment_id))
            .count(),
        1
    );
    // Read-only events are never asked for; ECS's churn is counted, never shown.
    assert!(!text.contains("\"read\""));
    assert!(!text.contains("eni-"));
    assert_eq!(doc["coverage"]["noise"], 320);
    assert_eq!(doc["coverage"]["events"], 329);
    let clean = |text: &str| {
        !text.chars().any(|c| {
            (c.is_control() && c != '\n')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
    };
    assert!(
        clean(&serde_json::to_string(&doc).unwrap().replace("\\u", "")),
        "JSON holds a control or bidi character"
    );
    assert!(
        !text.contains("\\u001b") && !text.contains('\u{202e}'),
        "{text}"
    );
    // 329 write events in 6 h: a page per 50.
    let cold = moto().calls(region, "LookupEvents");
    assert_eq!(cold, 7, "cold: one call per 50 events");
    assert_eq!(doc["coverage"]["lookup_calls"], 7);

    // A minute later (here: at once), from the cache: only what is newer.
    let warm = changes_json(&home, region, &["--since", "6h"]);
    assert!(
        moto().calls(region, "LookupEvents") - cold <= 2,
        "warm read: at most 2 calls"
    );
    assert_eq!(warm["coverage"]["events"], 329, "nothing lost or doubled");
    assert!(warm["coverage"]["kept_events"].as_u64().unwrap() > 300);
    assert_eq!(throttled(region), 0, "never throttled by itself");
    // The text holds no control or bidi character either.
    let before_text = moto().calls(region, "LookupEvents");
    let plain = aws_triage(&home, region)
        .args(["changes"])
        .output()
        .unwrap();
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(clean(&plain), "{plain}");
    assert!(
        plain.contains("mallory"),
        "{plain}\ncalls {} throttled {}",
        moto().calls(region, "LookupEvents") - before_text,
        throttled(region)
    );
}

#[tokio::test]
async fn a_failing_service_lists_the_nearest_change_before_its_onset_first() {
    let region = fresh_region();
    world(region).await;
    // api's memory alarm goes off: its onset.
    let config = moto_config(region).await;
    crate::support::memory_alarm(&config, "api memory", "prod", "api").await;
    aws_sdk_cloudwatch::Client::new(&config)
        .set_alarm_state()
        .alarm_name("api memory")
        .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
        .state_reason(
            "Threshold Crossed: 1 datapoint [97.0] was greater than the threshold (90.0).",
        )
        .send()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let doc = changes_json(&home, region, &["--service", "prod/api"]);
    let ids: Vec<String> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sources"][0]["id"].as_str().unwrap().to_string())
        .collect();
    // Nearest before the onset first; web's own changes are not listed.
    assert_eq!(
        ids,
        vec!["upd-api", "egress", "secret", "capacity"],
        "{doc:#}"
    );
    assert!(doc["onsets"][0]["onset"].is_string(), "{doc:#}");
    let before = doc["changes"][1]["before_onset_seconds"].as_i64().unwrap();
    assert!((19 * 60..30 * 60).contains(&before), "{before}");

    let out = aws_triage(&home, region)
        .args(["changes", "--service", "prod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CLUSTER/SERVICE"));
}

#[tokio::test]
async fn cloudtrail_access_denied_is_said_once_and_the_deployments_still_show() {
    let region = fresh_region();
    let (_, deployment_id, _) = world(region).await;
    moto().fail(region, "LookupEvents", "AccessDeniedException", 1);
    let home = tempfile::tempdir().unwrap();
    let doc = changes_json(&home, region, &[]);
    let unread = doc["coverage"]["unread"].as_array().unwrap();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert!(unread[0].as_str().unwrap().contains("CloudTrail"));
    assert!(
        doc["changes"].to_string().contains(&deployment_id),
        "the ECS deployment is still shown"
    );
}

#[tokio::test]
async fn a_target_group_and_a_rule_of_its_load_balancer_touch_the_service_behind_it() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let net = network(&config).await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpc = ec2
        .describe_subnets()
        .subnet_ids(&net.subnet)
        .send()
        .await
        .unwrap()
        .subnets()[0]
        .vpc_id()
        .unwrap()
        .to_string();
    let second = ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.8.2.0/24")
        .availability_zone(format!("{region}b"))
        .send()
        .await
        .unwrap()
        .subnet
        .unwrap()
        .subnet_id
        .unwrap();
    let (_, tg, listener) = crate::support::load_balancer(
        &config,
        &vpc,
        vec![net.subnet.clone(), second],
        "shop-alb",
        "shop-tg",
    )
    .await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    ecs.register_task_definition()
        .family("shop")
        .container_definitions(crate::support::api_container("s1"))
        .send()
        .await
        .unwrap();
    for (name, behind) in [("shop", true), ("other", false)] {
        let mut create = ecs
            .create_service()
            .cluster("prod")
            .service_name(name)
            .task_definition("shop:1")
            .desired_count(0);
        if behind {
            create = create.load_balancers(
                aws_sdk_ecs::types::LoadBalancer::builder()
                    .target_group_arn(&tg)
                    .container_name("api")
                    .container_port(8080)
                    .build(),
            );
        }
        create.send().await.unwrap();
    }
    let now = Utc::now();
    let rule = format!(
        "{}/9683b2d02a6cabee",
        listener.replace(":listener/", ":listener-rule/")
    );
    seed_trail(
        region,
        vec![
            event(
                "tg",
                "ModifyTargetGroup",
                "elasticloadbalancing",
                now - Duration::minutes(30),
                "alice",
                json!({"targetGroupArn": tg, "healthCheckPath": "/healthz"}),
                false,
            ),
            event(
                "rule",
                "ModifyRule",
                "elasticloadbalancing",
                now - Duration::minutes(20),
                "alice",
                json!({"ruleArn": rule, "actions": []}),
                false,
            ),
            event(
                "listener",
                "ModifyListener",
                "elasticloadbalancing",
                now - Duration::minutes(10),
                "alice",
                json!({"listenerArn": listener, "port": 8080}),
                false,
            ),
        ],
    );
    let home = tempfile::tempdir().unwrap();
    let doc = changes_json(&home, region, &[]);
    for id in ["tg", "rule", "listener"] {
        assert_eq!(services_of(&doc, id), vec!["prod/shop"], "{id}: {doc:#}");
    }
}
