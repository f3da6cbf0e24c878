//! The security incident's reads and steps with the real SDK clients
//! against moto over HTTP: egress and its baseline from Container Insights'
//! NetworkTxBytes (put through the CBOR bridge), a service's security groups
//! with open egress marked and its task definition's secrets, GuardDuty
//! findings (the harness's ListFindings/GetFindings) tied to their service,
//! VPC flow logs turned on and removed by steps, the evidence read back
//! from a flow-log group, and `runbook run compromised-host --service
//! --dry-run` filling itself in without changing anything.

use crate::support::security::{network, secrets, service};
use crate::support::{ecs_account, fresh_region, moto, moto_config};
use aws_sdk_cloudwatch::types as cw;
use std::sync::Arc;
use triage::aws::ec2::AwsNetwork;
use triage::aws::guardduty::AwsSecurity;
use triage::aws::logs::AwsLogs;
use triage::aws::monitoring::AwsMonitoring;
use triage::aws::secrets::AwsSecrets;
use triage::domain::egress::{anomaly, EgressLimits};
use triage::domain::metrics::{by_service, queries};
use triage::domain::network::NetworkPort;
use triage::domain::ports::{EcsPort, MonitoringPort};
use triage::domain::ranking::{rank_signals, Signals};
use triage::domain::secrets::SecretsPort;
use triage::domain::security::SecurityPort;
use triage::domain::Health;
use triage::workers::exposure::{read_exposure, ExposurePorts};
use triage::workers::runbook::{execute, plan, StepContext, StepPorts};

struct Clock;
impl triage::domain::Clock for Clock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

#[tokio::test]
async fn every_service_lists_its_groups_with_open_egress_and_its_secrets() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let net = network(&config).await;
    let arns = secrets(&config).await;
    service(
        &config,
        &net,
        &[&net.open_group, &net.locked_group],
        &arns,
        1,
    )
    .await;
    // web: another service, whose task definition reads a secret deleted since.
    let sm = aws_sdk_secretsmanager::Client::new(&config);
    let gone = sm
        .create_secret()
        .name("prod/web/old")
        .secret_string("x")
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();
    sm.delete_secret()
        .secret_id(&gone)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    let raw_ecs = aws_sdk_ecs::Client::new(&config);
    let mut container = crate::support::api_container("v1");
    container.secrets = Some(vec![aws_sdk_ecs::types::Secret::builder()
        .name("OLD")
        .value_from(&gone)
        .build()
        .unwrap()]);
    raw_ecs
        .register_task_definition()
        .family("web")
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    raw_ecs
        .create_service()
        .cluster("prod")
        .service_name("web")
        .task_definition("web:1")
        .desired_count(0)
        .send()
        .await
        .unwrap();
    let ecs = ecs_account(region, &config);
    let mut found = ecs.services("prod").await.unwrap();
    // A group of another account (a shared VPC's) cannot be described here
    // (moto refuses to make a service with one: added to what it said).
    let foreign = "sg-0ffffffffffff0000";
    for s in &mut found {
        if let Some(n) = &mut s.network {
            n.security_groups.push(foreign.into());
        }
    }
    let api = found.iter().find(|s| s.name == "api").unwrap();
    let network_config = api.network.as_ref().unwrap();
    assert_eq!(network_config.subnets, vec![net.subnet.clone()]);
    assert!(!network_config.assign_public_ip);

    let ports = ExposurePorts::new(
        Arc::new(AwsNetwork::new(&config, None)) as Arc<dyn NetworkPort>,
        Arc::new(AwsSecrets::new(&config, None)) as Arc<dyn SecretsPort>,
    );
    let before = moto().calls(region, "DescribeSecurityGroups");
    let read = read_exposure(&ecs, &ports, &found, true, chrono::Utc::now())
        .await
        .unwrap();
    let web = found.iter().find(|s| s.name == "web").unwrap();
    let web = read.get(&web.key()).unwrap();
    assert!(
        web.network.is_none(),
        "no awsvpc configuration: no groups of its own"
    );
    assert_eq!(
        web.secrets[0].problem.as_deref(),
        Some("no longer exists"),
        "a secret that no longer exists is said on its row"
    );
    let exposure = read.get(&api.key()).unwrap();
    let groups = &exposure.network.as_ref().unwrap().groups;
    let group = |id: &str| groups.iter().find(|g| g.id == id).unwrap();
    assert!(
        group(&net.open_group).open_egress,
        "AWS's default egress lets everything out"
    );
    assert_eq!(group(&net.open_group).name.as_deref(), Some("api-tasks"));
    assert!(
        !group(&net.locked_group).open_egress,
        "HTTPS only is not open"
    );
    assert!(group(foreign)
        .problem
        .as_deref()
        .unwrap()
        .contains("shared VPC"));
    assert!(exposure.open_egress());
    // One batched call failed on the foreign id, then one a group.
    assert!(moto().calls(region, "DescribeSecurityGroups") - before <= 4);

    // The secrets by ARN (the JSON key dropped), the parameter apart.
    assert_eq!(exposure.secret_ids(), vec![arns.0.clone(), arns.1.clone()]);
    assert_eq!(exposure.secret_sources().len(), 3);
    let db = exposure
        .secrets
        .iter()
        .find(|s| s.variable == "DATABASE_URL")
        .unwrap();
    assert_eq!(db.name.as_deref(), Some("prod/api/db"));
    assert!(
        db.last_changed.is_some(),
        "DescribeSecret's LastChangedDate"
    );
    let flags = exposure
        .secrets
        .iter()
        .find(|s| s.variable == "FLAGS")
        .unwrap();
    assert!(flags.secret_arn.is_none() && flags.problem.is_none());
    assert_eq!(exposure.log_groups, vec!["/ecs/api".to_string()]);
    assert_eq!(exposure.task_definition.as_deref(), Some("api:1"));
}

/// PutMetricData `value` for NetworkTxBytes of `service` at each time.
async fn put_egress(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    service: &str,
    points: &[(chrono::DateTime<chrono::Utc>, f64)],
) {
    for chunk in points.chunks(500) {
        let data: Vec<cw::MetricDatum> = chunk
            .iter()
            .map(|(at, value)| {
                cw::MetricDatum::builder()
                    .metric_name("NetworkTxBytes")
                    .dimensions(
                        cw::Dimension::builder()
                            .name("ClusterName")
                            .value("prod")
                            .build(),
                    )
                    .dimensions(
                        cw::Dimension::builder()
                            .name("ServiceName")
                            .value(service)
                            .build(),
                    )
                    .timestamp(aws_smithy_types::DateTime::from_secs(at.timestamp()))
                    .value(*value)
                    .unit(cw::StandardUnit::BytesSecond)
                    .build()
            })
            .collect();
        cloudwatch
            .put_metric_data()
            .namespace("ECS/ContainerInsights")
            .set_metric_data(Some(data))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn egress_ten_times_its_own_baseline_degrades_only_that_service() {
    let region = fresh_region();
    let config = moto_config(region).await;
    crate::support::seed_services(&config, "prod", "api", &["api", "batch"]).await;
    let now = chrono::Utc::now();
    let minutes = |m: i64| now - chrono::Duration::minutes(m);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    // api: 40 KB/s for a day, then 420 KB/s these last minutes.
    let mut api: Vec<_> = (65..1500)
        .step_by(5)
        .map(|m| (minutes(m), 40_000.0))
        .collect();
    api.extend((1..5).map(|m| (minutes(m), 420_000.0)));
    // batch: busy all day, and busy now: its usual.
    let mut batch: Vec<_> = (65..1500)
        .step_by(5)
        .map(|m| (minutes(m), 800_000.0))
        .collect();
    batch.extend((1..5).map(|m| (minutes(m), 850_000.0)));
    put_egress(&cloudwatch, "api", &api).await;
    put_egress(&cloudwatch, "batch", &batch).await;

    let ecs = ecs_account(region, &config);
    let services = ecs.services("prod").await.unwrap();
    let monitoring = AwsMonitoring::new(&config, None);
    let asked = queries(&services, &[], 60);
    let before = moto().calls(region, "GetMetricData");
    let answers = monitoring
        .metric_data(&asked, minutes(60), now)
        .await
        .unwrap();
    let metrics = by_service(&asked, answers);
    let baselines = triage::workers::watch::read_baseline(&monitoring, None, &services, now)
        .await
        .unwrap();
    assert_eq!(
        moto().calls(region, "GetMetricData") - before,
        2,
        "one call for the minute's metrics, one for the baseline"
    );
    let key = |name: &str| services.iter().find(|s| s.name == name).unwrap().key();
    let api_tx = metrics[&key("api")].summary(now).network_tx.unwrap();
    assert_eq!(api_tx.max, 420_000.0);
    assert_eq!(baselines[&key("api")].tx, Some(40_000.0));
    assert_eq!(baselines[&key("batch")].tx, Some(800_000.0));
    assert_eq!(baselines[&key("api")].rx, None, "no data is not zero");

    let limits = EgressLimits::default();
    let found: Vec<_> = services
        .iter()
        .filter_map(|s| {
            let a = anomaly(
                &metrics[&s.key()].summary(now),
                baselines.get(&s.key()),
                &limits,
            )?;
            Some((s.key(), a))
        })
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, key("api"));
    assert_eq!(
        found[0].1.words(),
        "egress 10.5× its usual: 420 KB/s, usually 40 KB/s"
    );
    // moto's services never start tasks: desired 0 is "scaled to zero",
    // which an attack still makes at least degraded.
    let ranked = rank_signals(
        services.clone(),
        now,
        &Signals {
            egress: &found,
            ..Signals::default()
        },
    );
    let health = |name: &str| {
        ranked
            .iter()
            .find(|r| r.service.name == name)
            .unwrap()
            .verdict
            .health
    };
    assert_eq!(health("api"), Health::Degraded);
    assert_eq!(health("batch"), Health::ScaledToZero);
}

/// A GuardDuty Runtime Monitoring finding document, as GetFindings answers.
fn finding(
    region: &str,
    id: &str,
    updated: &str,
    group: Option<&str>,
    archived: bool,
) -> serde_json::Value {
    let mut resource = serde_json::json!({"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0abc"}});
    if let Some(group) = group {
        resource = serde_json::json!({
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "name": "prod",
                "arn": format!("arn:aws:ecs:{region}:123456789012:cluster/prod"),
                "taskDetails": {
                    "arn": format!("arn:aws:ecs:{region}:123456789012:task/prod/0123456789abcdef"),
                    "definitionArn": format!("arn:aws:ecs:{region}:123456789012:task-definition/api:1"),
                    "group": group,
                }
            }
        });
    }
    serde_json::json!({
        "accountId": "123456789012",
        "arn": format!("arn:aws:guardduty:{region}:123456789012:detector/d/finding/{id}"),
        "createdAt": "2026-01-28T03:12:40.000Z",
        "description": "A container is communicating with 198.51.100.23, a known command and control server.",
        "id": id,
        "partition": "aws",
        "region": region,
        "resource": resource,
        "schemaVersion": "2.0",
        "service": {
            "serviceName": "guardduty",
            "archived": archived,
            "count": 14,
            "eventFirstSeen": "2026-01-28T03:12:40.000Z",
            "eventLastSeen": "2026-01-28T03:26:10.000Z",
            "action": {
                "actionType": "NETWORK_CONNECTION",
                "networkConnectionAction": {
                    "connectionDirection": "OUTBOUND",
                    "remoteIpDetails": {"ipAddressV4": "198.51.100.23"},
                    "remotePortDetails": {"port": 6667, "portName": "IRC"},
                    "protocol": "TCP"
                }
            }
        },
        "severity": 8.0,
        "title": "A container is communicating with a known command and control server.",
        "type": "Backdoor:Runtime/C&CActivity.B",
        "updatedAt": updated,
    })
}

#[tokio::test]
async fn guardduty_findings_tie_to_their_service_and_page_like_aws() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let security = AwsSecurity::new(&config, None);
    // No detector: GuardDuty is off, an answer rather than an error.
    let off = security.findings().await.unwrap();
    assert!(off.detector.is_none() && off.findings.is_empty());

    crate::support::seed_services(&config, "prod", "api", &["api", "web"]).await;
    let detector = aws_sdk_guardduty::Client::new(&config)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap()
        .detector_id
        .unwrap();
    let mut documents = vec![
        finding(
            region,
            "f-api",
            "2026-01-28T03:26:10.000Z",
            Some("service:api"),
            false,
        ),
        finding(region, "f-host", "2026-01-28T03:20:00.000Z", None, false),
        finding(
            region,
            "f-old",
            "2026-01-27T01:00:00.000Z",
            Some("service:api"),
            true,
        ),
    ];
    // Enough others that the list pages (50 a page).
    documents.extend((0..55).map(|i| {
        finding(
            region,
            &format!("f-{i:02}"),
            "2026-01-27T02:00:00.000Z",
            Some("service:web"),
            false,
        )
    }));
    let body = serde_json::json!({"region": region, "detector": detector, "findings": documents});
    let answer = crate::support::http(
        "POST",
        &format!("{}/_triage/guardduty/findings", moto().endpoint),
        Some(&body.to_string()),
    );
    assert!(answer.contains("ok"), "{answer}");

    let read = security.findings().await.unwrap();
    assert_eq!(read.detector.as_deref(), Some(detector.as_str()));
    assert_eq!(read.findings.len(), 57, "archived findings are left out");
    assert_eq!(read.findings[0].id, "f-api", "newest update first");
    assert_eq!(moto().calls(region, "ListFindings"), 2);
    assert_eq!(moto().calls(region, "GetFindings"), 2);
    let api = &read.findings[0];
    assert_eq!(api.kind, "Backdoor:Runtime/C&CActivity.B");
    assert_eq!(
        api.severity_band(),
        triage::domain::security::Severity::High
    );
    assert_eq!(api.remote.describe().as_deref(), Some("198.51.100.23:6667"));
    assert_eq!(api.count, 14);

    let ecs = ecs_account(region, &config);
    let services = ecs.services("prod").await.unwrap();
    let owned = triage::domain::security::tie(read.findings, &services);
    let of = |id: &str| owned.iter().find(|o| o.finding.id == id).unwrap();
    assert_eq!(of("f-api").services.len(), 1);
    assert_eq!(of("f-api").services[0].service, "api");
    assert!(
        of("f-host").services.is_empty(),
        "an instance finding is the account's"
    );
    assert_eq!(of("f-07").services[0].service, "web");
}

fn step(kind: &str, body: &str) -> triage::domain::runbook::Step {
    let text = format!("---\nrunbook: 1\nid: t\ntitle: T\n---\n\n> [!CAUTION]\n> test\n\n```yaml {{id=s kind={kind} destructive}}\n{body}\n```\n");
    triage::domain::runbook::parse::parse("t.md", &text)
        .runbook
        .steps
        .remove(0)
}

async fn run(
    ports: &StepPorts,
    kind: &str,
    body: &str,
) -> (
    triage::workers::runbook::Plan,
    Result<triage::workers::runbook::Executed, triage::workers::runbook::StepError>,
) {
    let s = step(kind, body);
    let inputs = triage::domain::runbook::values::substitute(
        &s.body,
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    let p = plan(ports, &s, &inputs).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = StepContext {
        artifacts: dir.path().to_path_buf(),
        env: Vec::new(),
        secret_values: Vec::new(),
        output: Box::new(|_| {}),
    };
    let done = execute(ports, &s, &inputs, &p, &mut ctx).await;
    (p, done)
}

async fn step_ports(region: &str) -> StepPorts {
    let config = moto_config(region).await;
    StepPorts {
        ecs: Arc::new(ecs_account(region, &config)),
        network: Arc::new(AwsNetwork::new(&config, None)),
        secrets: Arc::new(AwsSecrets::new(&config, None)),
        search: Some(Arc::new(AwsLogs::new(&config, None, None))),
        clock: Arc::new(Clock),
        pair: None,
    }
}

#[tokio::test]
async fn flow_logs_are_turned_on_for_the_tasks_once_and_removed_exactly() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let net = network(&config).await;
    let arns = secrets(&config).await;
    let eni = service(&config, &net, &[&net.open_group], &arns, 1).await;
    let ports = step_ports(region).await;
    let body = "cluster: prod\nservice: api\nlog_group: /triage/flow-logs/api\nrole: arn:aws:iam::123456789012:role/flow-logs";

    let (planned, done) = run(&ports, "ec2.flow_logs", body).await;
    assert!(planned.text().contains(&eni), "{}", planned.text());
    let done = done.unwrap();
    assert!(done.succeeded);
    assert_eq!(done.outputs["network_interfaces"], eni);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let on = ec2.describe_flow_logs().send().await.unwrap();
    assert_eq!(on.flow_logs().len(), 1);
    assert_eq!(on.flow_logs()[0].resource_id(), Some(eni.as_str()));
    assert_eq!(
        on.flow_logs()[0].log_group_name(),
        Some("/triage/flow-logs/api")
    );
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let group_exists = || async {
        logs.describe_log_groups()
            .log_group_name_prefix("/triage/flow-logs/api")
            .send()
            .await
            .unwrap()
            .log_groups()
            .len()
            == 1
    };
    assert!(group_exists().await, "the group was made");

    // Already on: said, and nothing made.
    let (again, done_again) = run(&ports, "ec2.flow_logs", body).await;
    assert!(again.no_change, "{}", again.text());
    assert!(done_again.unwrap().excerpt.unwrap().contains("no change"));
    assert_eq!(
        ec2.describe_flow_logs()
            .send()
            .await
            .unwrap()
            .flow_logs()
            .len(),
        1
    );

    // A flow log of someone else's on another interface stays.
    let other = ec2
        .create_network_interface()
        .subnet_id(&net.subnet)
        .send()
        .await
        .unwrap()
        .network_interface
        .unwrap()
        .network_interface_id
        .unwrap();
    ec2.create_flow_logs()
        .resource_ids(&other)
        .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::NetworkInterface)
        .traffic_type(aws_sdk_ec2::types::TrafficType::All)
        .log_group_name("/theirs")
        .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/theirs")
        .send()
        .await
        .unwrap();

    let created = done.outputs["created"].replace('"', "\\\"");
    let (undo, undone) = run(
        &ports,
        "ec2.flow_logs_remove",
        &format!("created: \"{created}\""),
    )
    .await;
    assert!(
        undo.text().contains("/triage/flow-logs/api"),
        "{}",
        undo.text()
    );
    assert!(undone.unwrap().succeeded);
    let left = ec2.describe_flow_logs().send().await.unwrap();
    assert_eq!(left.flow_logs().len(), 1);
    assert_eq!(left.flow_logs()[0].resource_id(), Some(other.as_str()));
    assert!(!group_exists().await, "the group the step made is gone");
}

#[tokio::test]
async fn the_evidence_step_adds_up_flow_records_when_insights_cannot() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.create_log_group()
        .log_group_name("/triage/flow-logs/api")
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name("/triage/flow-logs/api")
        .log_stream_name("eni-0a1b2c3d-all")
        .send()
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let record = |dst: &str, port: u16, bytes: u64, action: &str| {
        format!(
            "2 123456789012 eni-0a1b2c3d 10.8.1.5 {dst} 40000 {port} 6 10 {bytes} 1 2 {action} OK"
        )
    };
    let lines = [
        record("10.8.9.9", 5432, 8_000, "ACCEPT"),
        record("198.51.100.23", 6667, 3_400_000, "ACCEPT"),
        record("198.51.100.23", 6667, 1_200_000, "ACCEPT"),
        record("198.51.100.23", 6667, 180, "REJECT"),
    ];
    let events: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp((now - chrono::Duration::minutes(10 - i as i64)).timestamp_millis())
                .message(line)
                .build()
                .unwrap()
        })
        .collect();
    logs.put_log_events()
        .log_group_name("/triage/flow-logs/api")
        .log_stream_name("eni-0a1b2c3d-all")
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
    let ports = step_ports(region).await;
    let (_, done) = run(
        &ports,
        "logs.flow_top",
        "log_group: /triage/flow-logs/api\nnetwork_interfaces: eni-0a1b2c3d\nsince: 1h\nwait: 0s",
    )
    .await;
    let done = done.unwrap();
    assert_eq!(done.outputs["top_destination"], "198.51.100.23:6667");
    assert_eq!(done.outputs["top_bytes"], "4600000");
    assert_eq!(done.outputs["top_action"], "ACCEPT");
    // moto's Insights ignores `stats`: the records were read and added up here.
    assert_eq!(done.outputs["source"], "FilterLogEvents");
    let excerpt = done.excerpt.unwrap();
    assert!(
        excerpt.contains("198.51.100.23:6667") && excerpt.contains("REJECT"),
        "{excerpt}"
    );
}

#[tokio::test]
async fn compromised_host_dry_run_fills_itself_from_the_service_and_changes_nothing() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let net = network(&config).await;
    let arns = secrets(&config).await;
    service(&config, &net, &[&net.open_group], &arns, 1).await;
    let home = tempfile::tempdir().unwrap();
    // The flow logs' role comes from the config.
    let config_dir = home.path().join("config/triage");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        "[security]\nflow_logs_role = \"arn:aws:iam::123456789012:role/flow-logs\"\n",
    )
    .unwrap();
    let before = moto().calls_in(region);
    let out = crate::support::cli::aws_triage(&home, region)
        .current_dir(home.path())
        .args([
            "runbook",
            "run",
            "compromised-host",
            "--service",
            "prod/api",
            "--dry-run",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let filled = &lines[0]["filled"];
    assert_eq!(filled["security_groups"]["value"], net.open_group);
    assert!(filled["security_groups"]["source"]
        .as_str()
        .unwrap()
        .contains("network configuration"));
    assert_eq!(
        filled["secret_ids"]["value"],
        format!("{},{}", arns.0, arns.1)
    );
    assert_eq!(
        filled["flow_logs_role"]["value"],
        "arn:aws:iam::123456789012:role/flow-logs"
    );

    let plan_of = |step: &str| {
        lines
            .iter()
            .find(|l| l["step"] == step)
            .map(|l| l["plan"].to_string())
            .unwrap_or_default()
    };
    assert!(plan_of("lockdown").contains(&net.open_group), "{stdout}");
    assert!(
        plan_of("flowlogs").contains("/triage/flow-logs/api"),
        "{stdout}"
    );
    assert!(plan_of("rotate").contains("prod/api/db"), "{stdout}");
    assert!(lines.iter().all(|l| l["dry_run"] != false));
    // Nothing was changed: only reads were made.
    let after = moto().calls_in(region);
    let writes: Vec<_> = after
        .iter()
        .filter(|(op, n)| before.get(*op) != Some(n))
        .filter(|(op, _)| {
            !["Describe", "List", "Get"]
                .iter()
                .any(|read| op.starts_with(read))
        })
        .collect();
    assert!(writes.is_empty(), "a dry run wrote: {writes:?}");
}
