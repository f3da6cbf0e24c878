//! What `triage diagnose` and `triage logs` cost against moto, counted by
//! the harness call by call: stopped tasks are listed once per cluster page
//! whatever the number of services, a warm run needs no
//! DescribeTaskDefinition, and a warm search is one FilterLogEvents per
//! group plus the discovery of the services. Text from AWS is cleaned in
//! JSON `fields` too.

use crate::support::{fresh_region, moto};
use assert_cmd::Command;
use std::collections::BTreeMap;

fn triage(home: &tempfile::TempDir, region: &str) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("TRIAGE_LOG_FILE", home.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["--region", region, "--endpoint-url", &moto().endpoint]);
    cmd
}

/// Calls made in `region` since `before`.
fn since(region: &str, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    moto()
        .calls_in(region)
        .into_iter()
        .filter_map(|(op, n)| {
            let d = n - before.get(&op).copied().unwrap_or(0);
            (d > 0).then_some((op, d))
        })
        .collect()
}

/// `clusters` × `services` services, each with a task definition of its own
/// logging to `/ecs/<cluster>/<service>`; `stopped` of them with one task
/// stopped (OOM-killed), spread evenly over the clusters.
async fn seed(region: &str, clusters: &[&str], services: usize, stopped: usize) {
    let config = crate::support::moto_config(region).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let now = chrono::Utc::now().timestamp();
    for cluster in clusters {
        let mut count = 0;
        let stopped = stopped / clusters.len();
        ecs.create_cluster()
            .cluster_name(*cluster)
            .send()
            .await
            .unwrap();
        for i in 0..services {
            let name = format!("svc-{i:02}");
            let family = format!("{cluster}-{name}");
            let group = format!("/ecs/{cluster}/{name}");
            logs.create_log_group()
                .log_group_name(&group)
                .send()
                .await
                .unwrap();
            let container = aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image(format!("{family}:v1"))
                .memory(512)
                .essential(true)
                .log_configuration(
                    aws_sdk_ecs::types::LogConfiguration::builder()
                        .log_driver(aws_sdk_ecs::types::LogDriver::Awslogs)
                        .options("awslogs-group", &group)
                        .options("awslogs-stream-prefix", "ecs")
                        .build()
                        .unwrap(),
                )
                .build();
            ecs.register_task_definition()
                .family(&family)
                .container_definitions(container)
                .send()
                .await
                .unwrap();
            ecs.create_service()
                .cluster(*cluster)
                .service_name(&name)
                .task_definition(format!("{family}:1"))
                .desired_count(1)
                .send()
                .await
                .unwrap();
            if count < stopped && i % 2 == 0 {
                count += 1;
                let out = ecs
                    .run_task()
                    .cluster(*cluster)
                    .task_definition(format!("{family}:1"))
                    .group(format!("service:{name}"))
                    .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
                    .send()
                    .await
                    .unwrap();
                let arn = out.tasks()[0].task_arn().unwrap().to_string();
                moto().stop_task(
                    region,
                    &arn,
                    "EssentialContainerExited",
                    "Essential container in task exited",
                    &[(
                        Some(137),
                        Some("OutOfMemoryError: Container killed due to memory usage"),
                    )],
                    now - 60,
                );
            }
        }
    }
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

#[tokio::test]
async fn diagnosis_lists_stopped_tasks_per_cluster_and_a_warm_run_needs_no_task_definition() {
    let region = fresh_region();
    // 2 clusters × 13 services, 12 of them with a stopped task.
    seed(region, &["web", "data"], 13, 12).await;
    let home = tempfile::tempdir().unwrap();
    let before = moto().calls_in(region);
    let cold = triage(&home, region)
        .args(["diagnose", "--since", "2h", "-o", "json"])
        .assert()
        .success();
    let cold_calls = since(region, &before);
    let doc = json(&cold.get_output().stdout);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 12, "{doc}");
    // moto pages ListTasks by 10 (the harness), like AWS by 100: 6 a cluster = 1 page each.
    assert_eq!(cold_calls["ListTasks"], 2, "{cold_calls:?}");
    assert_eq!(cold_calls["DescribeTasks"], 2, "{cold_calls:?}");
    assert_eq!(cold_calls["DescribeTaskDefinition"], 12, "{cold_calls:?}");

    let before = moto().calls_in(region);
    triage(&home, region)
        .args(["diagnose", "--since", "2h", "-o", "json"])
        .assert()
        .success();
    let warm = since(region, &before);
    assert_eq!(warm.get("DescribeTaskDefinition"), None, "{warm:?}");
    assert_eq!(warm["ListTasks"], 2);
    let total: u64 = warm.values().sum();
    assert!(total <= 30, "{total} calls: {warm:?}");
}

#[tokio::test]
async fn more_services_do_not_mean_more_listing_of_stopped_tasks() {
    let region = fresh_region();
    // 2 clusters × 40 services, still 12 stopped tasks.
    seed(region, &["web", "data"], 40, 12).await;
    let home = tempfile::tempdir().unwrap();
    let before = moto().calls_in(region);
    triage(&home, region)
        .args(["diagnose", "--since", "2h", "-o", "json"])
        .assert()
        .success();
    let calls = since(region, &before);
    assert_eq!(calls["ListTasks"], 2, "one page per cluster: {calls:?}");
    assert_eq!(calls["DescribeTasks"], 2, "{calls:?}");
}

#[tokio::test]
async fn a_warm_search_is_one_filter_call_per_group_and_fields_are_clean() {
    let region = fresh_region();
    seed(region, &["web"], 6, 0).await;
    let config = crate::support::moto_config(region).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let group = "/ecs/web/svc-02";
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name("ecs/app/t1")
        .send()
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    // A JSON escape that decodes to a C1 control (CSI) and a bidi override.
    let hostile = r#"{"correlationId":"corr-777","msg":"x\u009b31m\u202eevil"}"#;
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name("ecs/app/t1")
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now - 60_000)
                .message(hostile)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let search = |home: &tempfile::TempDir| {
        let before = moto().calls_in(region);
        let out = triage(home, region)
            .args(["logs", "corr-777", "--since", "2h", "-o", "json"])
            .assert()
            .success();
        (out.get_output().clone(), since(region, &before))
    };
    let (_, cold) = search(&home);
    assert_eq!(cold["DescribeTaskDefinition"], 6, "{cold:?}");
    let (out, warm) = search(&home);
    assert_eq!(warm.get("DescribeTaskDefinition"), None, "{warm:?}");
    assert_eq!(warm["FilterLogEvents"], 6, "{warm:?}");
    // ListClusters, ListServices, DescribeServices: discovery refreshed, in
    // parallel; GetCallerIdentity: every JSON line names its account.
    assert_eq!(warm["GetCallerIdentity"], 1, "{warm:?}");
    let total: u64 = warm.values().sum();
    assert!(total <= 6 + 3 + 1, "{warm:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["service"], "web/svc-02");
    assert_eq!(line["fields"]["msg"], "xevil", "{line}");
    assert!(!stdout.contains('\u{9b}') && !stdout.contains('\u{202e}'));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cost: discovery"), "{stderr}");
    assert!(
        stderr.contains("6 task definitions from the cache"),
        "{stderr}"
    );
}
