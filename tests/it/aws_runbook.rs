//! Runbook steps against moto over HTTP with the real SDK clients: egress
//! lockdown and restore, secret rotation (values never shown or journaled),
//! rollback, scale, force deployment, read-only refusals, and the
//! compromised-host runbook end to end from the command line.

use crate::support::{fresh_region, moto, moto_config};
use assert_cmd::Command;
use std::sync::Arc;
use triage::aws::ec2::AwsNetwork;
use triage::aws::secrets::AwsSecrets;
use triage::aws::{AwsAccount, Connection};
use triage::domain::network::NetworkPort;
use triage::domain::ports::{EcsPort, ReadOnly};
use triage::domain::runbook::parse::parse;
use triage::domain::secrets::SecretsPort;
use triage::domain::PortError;
use triage::settings::AwsTuning;
use triage::workers::runbook::{execute, plan, StepContext, StepError, StepPorts};

struct Clock;
impl triage::domain::Clock for Clock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

async fn ports(region: &str, read_only: bool) -> StepPorts {
    let config = moto_config(region).await;
    let conn = Connection {
        region: Some(region.into()),
        endpoint_url: Some(moto().endpoint.clone()),
        tuning: AwsTuning {
            ecs_reads_per_second: 500.0,
            ecs_burst: 500,
            ..AwsTuning::default()
        },
        ..Connection::default()
    };
    let ecs: Arc<dyn EcsPort> = Arc::new(AwsAccount::with_config(&config, &conn));
    let network: Arc<dyn NetworkPort> = Arc::new(AwsNetwork::new(&config, None));
    let secrets: Arc<dyn SecretsPort> = Arc::new(AwsSecrets::new(&config, None));
    if read_only {
        StepPorts {
            ecs: Arc::new(ReadOnly(ecs)),
            network: Arc::new(ReadOnly(network)),
            secrets: Arc::new(ReadOnly(secrets)),
            search: None,
            clock: Arc::new(Clock),
            pair: None,
        }
    } else {
        StepPorts {
            ecs,
            network,
            secrets,
            search: None,
            clock: Arc::new(Clock),
            pair: None,
        }
    }
}

/// One step of the given kind with YAML inputs.
fn step(kind: &str, body: &str) -> triage::domain::runbook::Step {
    let text = format!("---\nrunbook: 1\nid: t\ntitle: T\n---\n\n> [!CAUTION]\n> test\n\n```yaml {{id=s kind={kind} destructive}}\n{body}\n```\n");
    parse("t.md", &text).runbook.steps.remove(0)
}

fn ctx(dir: &std::path::Path) -> StepContext {
    StepContext {
        artifacts: dir.to_path_buf(),
        env: Vec::new(),
        secret_values: Vec::new(),
        output: Box::new(|_| {}),
    }
}

async fn run_step(
    ports: &StepPorts,
    kind: &str,
    body: &str,
) -> Result<triage::workers::runbook::Executed, StepError> {
    let s = step(kind, body);
    let inputs = triage::domain::runbook::values::substitute(
        &s.body,
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    let p = plan(ports, &s, &inputs).await?;
    let dir = tempfile::tempdir().unwrap();
    execute(ports, &s, &inputs, &p, &mut ctx(dir.path())).await
}

async fn security_group(region: &str) -> (aws_sdk_ec2::Client, String) {
    let ec2 = aws_sdk_ec2::Client::new(&moto_config(region).await);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let sg = ec2
        .create_security_group()
        .group_name("api-tasks")
        .description("api tasks")
        .vpc_id(vpc_id)
        .send()
        .await
        .unwrap();
    (ec2, sg.group_id().unwrap().to_string())
}

async fn egress(ec2: &aws_sdk_ec2::Client, id: &str) -> Vec<String> {
    let out = ec2
        .describe_security_groups()
        .group_ids(id)
        .send()
        .await
        .unwrap();
    let mut rules: Vec<String> = out.security_groups()[0]
        .ip_permissions_egress()
        .iter()
        .flat_map(|p| {
            p.ip_ranges().iter().map(move |r| {
                format!(
                    "{} {}-{} {}",
                    p.ip_protocol().unwrap_or(""),
                    p.from_port().unwrap_or(-1),
                    p.to_port().unwrap_or(-1),
                    r.cidr_ip().unwrap_or("")
                )
            })
        })
        .collect();
    rules.sort();
    rules
}

#[tokio::test]
async fn lockdown_leaves_exactly_the_allow_list_and_restore_brings_back_the_original() {
    let region = fresh_region();
    let ports = ports(region, false).await;
    let (ec2, sg) = security_group(region).await;
    let original = egress(&ec2, &sg).await;
    assert_eq!(
        original,
        vec!["-1 -1--1 0.0.0.0/0"],
        "a new group allows all egress"
    );

    let locked = run_step(
        &ports,
        "ec2.egress_lockdown",
        &format!("security_groups: [{sg}]"),
    )
    .await
    .unwrap();
    assert!(locked.succeeded);
    assert_eq!(
        egress(&ec2, &sg).await,
        vec![
            "tcp 443-443 0.0.0.0/0",
            "tcp 53-53 0.0.0.0/0",
            "tcp 80-80 0.0.0.0/0",
            "udp 53-53 0.0.0.0/0"
        ]
    );
    assert_eq!(locked.outputs["removed"], "1");
    assert_eq!(locked.outputs["added"], "4");

    // Idempotent: a second lockdown finds nothing to do.
    let again = run_step(
        &ports,
        "ec2.egress_lockdown",
        &format!("security_groups: [{sg}]"),
    )
    .await
    .unwrap();
    assert!(again.excerpt.unwrap().starts_with("no change"));

    let snapshot = locked.outputs["snapshot"].clone();
    let body = format!("snapshot: '{snapshot}'");
    let restored = run_step(&ports, "ec2.egress_restore", &body).await.unwrap();
    assert!(restored.succeeded, "{restored:?}");
    assert_eq!(egress(&ec2, &sg).await, original);
}

async fn secret(region: &str, name: &str, value: &str) -> aws_sdk_secretsmanager::Client {
    let sm = aws_sdk_secretsmanager::Client::new(&moto_config(region).await);
    sm.create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .unwrap();
    sm
}

async fn stages(sm: &aws_sdk_secretsmanager::Client, name: &str) -> (String, String) {
    let d = sm.describe_secret().secret_id(name).send().await.unwrap();
    let find = |stage: &str| {
        d.version_ids_to_stages()
            .unwrap()
            .iter()
            .find(|(_, s)| s.iter().any(|x| x == stage))
            .map(|(v, _)| v.clone())
            .unwrap_or_default()
    };
    (find("AWSCURRENT"), find("AWSPREVIOUS"))
}

fn cli(data: &tempfile::TempDir, region: &str) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", data.path())
        .env("USER", "alice")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRIAGE_LOG_FILE", data.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", data.path().join("config"))
        .env("TRIAGE_DATA_DIR", data.path().join("incidents"))
        .args(["--region", region, "--endpoint-url", &moto().endpoint])
        .args([
            "--runbooks",
            concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks"),
        ]);
    cmd
}

fn journals(data: &tempfile::TempDir) -> String {
    let mut all = String::new();
    for dir in std::fs::read_dir(data.path().join("incidents")).unwrap() {
        let path = dir.unwrap().path().join("journal.jsonl");
        all.push_str(&std::fs::read_to_string(path).unwrap_or_default());
    }
    all
}

#[tokio::test]
async fn rotation_moves_awscurrent_to_a_new_version_and_the_value_appears_nowhere() {
    let region = fresh_region();
    let sm = secret(region, "prod/api/jwt", "old-jwt-signing-key-value").await;
    let (before, _) = stages(&sm, "prod/api/jwt").await;
    let data = tempfile::tempdir().unwrap();
    let runbook = data.path().join("rotate.md");
    std::fs::write(
        &runbook,
        "---\nrunbook: 1\nid: rotate-only\ntitle: Rotate\nparams:\n  secret_ids: { type: list, required: true }\n---\n\n> [!CAUTION]\n> New values.\n\n```yaml {id=rotate kind=secrets.rotate destructive}\nsecret_ids: ${params.secret_ids}\nmode: generate\n```\n",
    )
    .unwrap();
    let out = cli(&data, region)
        .args([
            "runbook",
            "run",
            runbook.to_str().unwrap(),
            "--param",
            "secret_ids=prod/api/jwt",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let (current, previous) = stages(&sm, "prod/api/jwt").await;
    assert_ne!(current, before);
    assert_eq!(previous, before, "AWSPREVIOUS is the old version");
    let value = sm
        .get_secret_value()
        .secret_id("prod/api/jwt")
        .send()
        .await
        .unwrap();
    let new_value = value.secret_string().unwrap().to_string();
    assert_ne!(new_value, "old-jwt-signing-key-value");
    let journal = journals(&data);
    for place in [&stdout, &stderr, &journal] {
        assert!(!place.contains(&new_value), "the new value leaked");
        assert!(
            !place.contains("old-jwt-signing-key-value"),
            "the old value leaked"
        );
    }
    assert!(journal.contains(&current), "version ids are journaled");
    assert!(stdout.contains(r#""state":"succeeded""#), "{stdout}");
}

#[tokio::test]
async fn lambda_rotation_without_a_configured_lambda_fails_clearly_without_calling_aws() {
    let region = fresh_region();
    secret(region, "prod/api/db", "db-password-value").await;
    let ports = ports(region, false).await;
    let before = moto().calls(region, "RotateSecret");
    let result = run_step(
        &ports,
        "secrets.rotate",
        "secret_ids: [prod/api/db]\nmode: lambda",
    )
    .await
    .unwrap();
    assert!(!result.succeeded);
    assert!(result
        .excerpt
        .unwrap()
        .contains("no rotation Lambda configured"));
    assert_eq!(moto().calls(region, "RotateSecret"), before);
}

async fn ecs_service(region: &str, desired: i32) -> aws_sdk_ecs::Client {
    let ecs = aws_sdk_ecs::Client::new(&moto_config(region).await);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    let container = crate::support::api_container("v1");
    for _ in 0..2 {
        ecs.register_task_definition()
            .family("api")
            .container_definitions(container.clone())
            .send()
            .await
            .unwrap();
    }
    ecs.create_service()
        .cluster("prod")
        .service_name("api")
        .task_definition("api:2")
        .desired_count(desired)
        .send()
        .await
        .unwrap();
    ecs
}

async fn described(ecs: &aws_sdk_ecs::Client) -> (String, i32) {
    let out = ecs
        .describe_services()
        .cluster("prod")
        .services("api")
        .send()
        .await
        .unwrap();
    let s = &out.services()[0];
    (
        s.task_definition()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string(),
        s.desired_count(),
    )
}

#[tokio::test]
async fn rollback_scale_and_force_change_the_service_and_are_idempotent() {
    let region = fresh_region();
    let ecs = ecs_service(region, 2).await;
    let ports = ports(region, false).await;
    let body = "cluster: prod\nservice: api";

    let rolled = run_step(&ports, "ecs.rollback", &format!("{body}\nto: previous"))
        .await
        .unwrap();
    assert_eq!(rolled.outputs["from_revision"], "api:2");
    assert_eq!(rolled.outputs["to_revision"], "api:1");
    assert_eq!(described(&ecs).await.0, "api:1");
    assert_eq!(
        rolled.undo["task_definition"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("api:2")
    );

    let scaled = run_step(&ports, "ecs.scale", &format!("{body}\ncount: 5"))
        .await
        .unwrap();
    assert_eq!(
        (
            scaled.outputs["previous_count"].as_str(),
            scaled.outputs["count"].as_str()
        ),
        ("2", "5")
    );
    assert_eq!(described(&ecs).await.1, 5);

    let updates = moto().calls(region, "UpdateService");
    let same = run_step(&ports, "ecs.scale", &format!("{body}\ncount: 5"))
        .await
        .unwrap();
    assert!(same.excerpt.unwrap().starts_with("no change"));
    let back = run_step(&ports, "ecs.rollback", &format!("{body}\nto: \"1\""))
        .await
        .unwrap();
    assert!(back.excerpt.unwrap().starts_with("no change"));
    assert_eq!(
        moto().calls(region, "UpdateService"),
        updates,
        "no write when already at target"
    );

    let forced = run_step(&ports, "ecs.force_new_deployment", body)
        .await
        .unwrap();
    assert!(forced.succeeded);
    assert_eq!(moto().calls(region, "UpdateService"), updates + 1);
}

#[tokio::test]
async fn read_only_refuses_every_write_step() {
    let region = fresh_region();
    let ecs = ecs_service(region, 2).await;
    let (ec2, sg) = security_group(region).await;
    secret(region, "prod/ro", "read-only-secret-value").await;
    let ports = ports(region, true).await;
    let body = "cluster: prod\nservice: api";
    for (kind, inputs) in [
        ("ecs.rollback", format!("{body}\nto: previous")),
        ("ecs.scale", format!("{body}\ncount: 7")),
        ("ecs.force_new_deployment", body.to_string()),
        ("ec2.egress_lockdown", format!("security_groups: [{sg}]")),
        (
            "secrets.rotate",
            "secret_ids: [prod/ro]\nmode: generate".to_string(),
        ),
    ] {
        match run_step(&ports, kind, &inputs).await {
            Err(StepError::Port(PortError::ReadOnly { .. })) => {}
            Ok(e) if !e.succeeded && e.excerpt.as_deref().unwrap_or("").contains("read-only") => {}
            other => panic!("{kind}: expected a read-only refusal, got {other:?}"),
        }
    }
    assert_eq!(described(&ecs).await, ("api:2".to_string(), 2));
    assert_eq!(egress(&ec2, &sg).await, vec!["-1 -1--1 0.0.0.0/0"]);
}

#[tokio::test]
async fn compromised_host_runs_end_to_end_filled_in_from_the_service() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let net = crate::support::security::network(&config).await;
    let (db, jwt) = crate::support::security::secrets(&config).await;
    let sm = aws_sdk_secretsmanager::Client::new(&config);
    // The values an intruder took: they appear nowhere triage writes.
    for (arn, value) in [
        (&db, "compromised-db-password"),
        (&jwt, "compromised-jwt-key"),
    ] {
        sm.put_secret_value()
            .secret_id(arn)
            .secret_string(value)
            .send()
            .await
            .unwrap();
    }
    // moto's services never start tasks: a service of zero tasks is steady,
    // and the task run for it is the one whose interface is logged.
    let eni = crate::support::security::service(
        &config,
        &net,
        &[&net.open_group],
        &(db.clone(), jwt.clone()),
        0,
    )
    .await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let sg = net.open_group.clone();
    let deployments_before = ecs
        .describe_services()
        .cluster("prod")
        .services("api")
        .send()
        .await
        .unwrap()
        .services()[0]
        .deployments()[0]
        .id()
        .unwrap()
        .to_string();
    let data = tempfile::tempdir().unwrap();
    let out = cli(&data, region)
        .args([
            "runbook",
            "run",
            "compromised-host",
            "--service",
            "prod/api",
            "--param",
            "flow_logs_role=arn:aws:iam::123456789012:role/flow-logs",
            "--param",
            "evidence_wait=0s",
            "--yes",
            "--answer",
            "confirm=bob",
            "--answer",
            "patch=done",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["state"], "succeeded", "{stdout}");
    let states: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["step"].is_string())
        .map(|v| {
            (
                v["step"].as_str().unwrap().to_string(),
                v["state"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(_, s)| s == "succeeded")
        .collect();
    assert_eq!(
        states.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["confirm", "flowlogs", "lockdown", "evidence", "rotate", "redeploy", "steady", "patch"]
    );
    assert_eq!(
        egress(&ec2, &sg).await.len(),
        4,
        "egress locked down to the allow-list"
    );
    let flow = ec2.describe_flow_logs().send().await.unwrap();
    assert_eq!(
        flow.flow_logs().len(),
        1,
        "flow logs on the task's interface"
    );
    assert_eq!(flow.flow_logs()[0].resource_id(), Some(eni.as_str()));
    for arn in [&db, &jwt] {
        let (_, previous) = stages(&sm, arn).await;
        assert!(!previous.is_empty(), "{arn} was rotated");
    }
    let journal = journals(&data);
    assert!(
        journal.contains(r#""milestone":"contained""#),
        "lockdown records the contained milestone"
    );
    assert!(journal.contains(r#""milestone":"mitigated""#));
    assert!(!journal.contains("compromised-db-password"));
    assert!(!journal.contains("compromised-jwt-key"));
    assert!(
        !stdout.contains("compromised-db-password") && !stdout.contains("compromised-jwt-key"),
        "no value on the terminal"
    );
    let after = ecs
        .describe_services()
        .cluster("prod")
        .services("api")
        .send()
        .await
        .unwrap();
    assert_ne!(
        after.services()[0].deployments()[0].id().unwrap(),
        deployments_before,
        "a new deployment was forced"
    );
}
