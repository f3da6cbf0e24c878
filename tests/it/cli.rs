//! `triage` as a command: output formats, exit codes, and clear errors for
//! bad input, on the demo and against moto.

use crate::support::cli::{json, triage};
use crate::support::{fresh_region, moto};
use assert_cmd::Command;

#[test]
fn demo_status_json_is_ranked_and_complete() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "status", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    // One pair is a list of one.
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["pairs"][0]["account"], "123456789012");
    assert_eq!(doc["pairs"][0]["region"], "eu-west-1");
    assert_eq!(doc["pairs"][0]["account_name"], "demo");
    assert!(doc["generated_at"].as_str().unwrap().ends_with('Z'));
    let services = doc["services"].as_array().unwrap();
    assert!(services.len() >= 8);
    assert_eq!(services[0]["service"], "chatbot-api");
    for s in services {
        for key in [
            "cluster",
            "service",
            "status",
            "reason",
            "desired",
            "running",
            "pending",
            "task_definition",
            "deployments",
            "events",
        ] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
        for d in s["deployments"].as_array().unwrap() {
            for key in [
                "id",
                "status",
                "rollout_state",
                "task_definition",
                "desired",
                "running",
                "pending",
                "failed_tasks",
                "created_at",
                "updated_at",
            ] {
                assert!(d.get(key).is_some(), "deployment {key} missing");
            }
        }
    }
    let statuses: Vec<&str> = services
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    for expected in ["degraded", "deploying", "healthy", "scaled_to_zero"] {
        assert!(
            statuses.contains(&expected),
            "{expected} not in {statuses:?}"
        );
    }
}

#[test]
fn demo_status_text_is_an_aligned_table() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home).args(["--demo", "status"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("HEALTH"));
    let first = lines.next().unwrap();
    assert!(first.contains("chatbot-api"));
    let column = header.find("SERVICE").unwrap();
    assert_eq!(&first[column..column + "chatbot-api".len()], "chatbot-api");
}

#[test]
fn fail_on_unhealthy_exits_1() {
    let home = tempfile::tempdir().unwrap();
    triage(&home)
        .args(["--demo", "status", "--fail-on-unhealthy"])
        .assert()
        .code(1);
    // Only the healthy cluster's services: nothing to fail on? prod-data has the degraded worker;
    // so check the flag is what makes the difference.
    triage(&home).args(["--demo", "status"]).assert().code(0);
}

#[test]
fn an_unknown_cluster_lists_the_clusters_that_exist() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "--cluster", "prod-wbe", "status"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("prod-wbe") && stderr.contains("prod-web, prod-data"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_demo_scenario_names_the_built_in_ones() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo=nope", "status"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("saas"));
}

#[test]
fn config_unknown_key_warns_and_wrong_type_exits_2_with_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "region = \"eu-west-1\"\nrefesh = 3\n").unwrap();
    let out = triage(&home)
        .args(["--demo", "--config"])
        .arg(&config)
        .args(["status", "-o", "json"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("unknown key `refesh`") && stderr.contains("config.toml"),
        "{stderr}"
    );

    std::fs::write(
        &config,
        "region = \"eu-west-1\"\n\n[refresh]\nothers_seconds = \"often\"\n",
    )
    .unwrap();
    let out = triage(&home)
        .args(["--demo", "--config"])
        .arg(&config)
        .arg("status")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("config.toml:4") && stderr.contains("`refresh.others_seconds`"),
        "{stderr}"
    );
}

#[test]
fn a_missing_config_file_given_explicitly_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "--config", "/nonexistent/triage.toml", "status"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("/nonexistent/triage.toml"));
}

#[test]
fn an_unknown_theme_lists_the_themes() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "--theme", "neon", "status"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("high-contrast"));
}

#[test]
fn bad_usage_exits_2() {
    let home = tempfile::tempdir().unwrap();
    triage(&home)
        .args(["status", "-o", "yaml"])
        .assert()
        .code(2);
    triage(&home).args(["frobnicate"]).assert().code(2);
}

// ----- against moto -----

async fn seed(region: &str, clusters: &[(&str, usize)]) {
    let config = crate::support::moto_config(region).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.register_task_definition()
        .family("api")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("api")
                .image("api:v1")
                .memory(256)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for (cluster, services) in clusters {
        ecs.create_cluster()
            .cluster_name(*cluster)
            .send()
            .await
            .unwrap();
        for i in 0..*services {
            ecs.create_service()
                .cluster(*cluster)
                .service_name(format!("svc-{i:02}"))
                .task_definition("api:1")
                .desired_count(1)
                .send()
                .await
                .unwrap();
        }
    }
}

fn aws_triage(home: &tempfile::TempDir, region: &str) -> Command {
    let mut cmd = triage(home);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args(["--region", region, "--endpoint-url", &moto().endpoint]);
    cmd
}

#[tokio::test]
async fn status_against_aws_lists_every_service_of_every_cluster() {
    let region = fresh_region();
    seed(region, &[("web", 25), ("jobs", 3)]).await;
    let home = tempfile::tempdir().unwrap();
    let out = aws_triage(&home, region)
        .args(["status", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["pairs"][0]["account"], "123456789012");
    assert_eq!(doc["pairs"][0]["region"], region);
    assert_eq!(doc["services"].as_array().unwrap().len(), 28);

    // --cluster narrows; AWS_ENDPOINT_URL works like --endpoint-url.
    let out = triage(&home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .args([
            "--region",
            region,
            "--cluster",
            "jobs",
            "status",
            "-o",
            "json",
        ])
        .assert()
        .success();
    assert_eq!(
        json(&out.get_output().stdout)["services"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn expired_credentials_exit_3_naming_the_sso_login_command() {
    let region = fresh_region();
    seed(region, &[("web", 1)]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("credentials"),
        "[oncall]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join("config"),
        format!("[profile oncall]\nregion = {region}\n"),
    )
    .unwrap();
    moto().fail(region, "ListClusters", "ExpiredTokenException", 1);
    moto().fail(region, "GetCallerIdentity", "ExpiredToken", 1);
    let out = triage(&home)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .args([
            "--profile",
            "oncall",
            "--endpoint-url",
            &moto().endpoint,
            "status",
        ])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("aws sso login --profile oncall"),
        "{stderr}"
    );
}

#[test]
fn no_credentials_exit_3_saying_how_to_fix_it_and_mentioning_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args([
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto().endpoint,
            "status",
        ])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("no AWS credentials") && stderr.contains("triage --demo"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_endpoint_exits_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args([
            "--region",
            "us-east-1",
            "--endpoint-url",
            &endpoint,
            "status",
        ])
        .assert()
        .code(3);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("cannot reach"));
}

/// Every error names the endpoint the calls went to — ECS's and Logs' alike
/// — never the Region's public one.
#[test]
fn an_unreachable_endpoint_is_the_one_named_by_ecs_and_logs_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["status"],
        vec![
            "logs",
            "corr-1",
            "--log-group",
            "/aws/ecs/api",
            "--since",
            "1h",
        ],
    ] {
        let out = triage(&home)
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .args(["--region", "us-east-1", "--endpoint-url", &endpoint])
            .args(&args)
            .assert()
            .code(3);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr);
        assert!(
            stderr.contains(&format!("cannot reach {endpoint}"))
                && !stderr.contains("amazonaws.com"),
            "{args:?}: {stderr}"
        );
    }
}

/// Throttled to the end: the last word says triage gave up and what to do,
/// not that it is still retrying.
#[test]
fn a_throttled_status_that_gives_up_says_so_and_exits_3() {
    let region = fresh_region();
    moto().fail(region, "ListClusters", "ThrottlingException", 50);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[aws]\nthrottle_retries = 1\n").unwrap();
    let out = crate::support::cli::aws_triage(&home, region)
        .arg("--config")
        .arg(&config)
        .arg("status")
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("throttling ListClusters")
            && last.contains("retries ran out")
            && !last.contains("retrying"),
        "{stderr}"
    );
    assert_eq!(moto().calls(region, "ListClusters"), 2);
}

#[test]
fn no_region_exits_2_saying_where_to_set_it() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .arg("status")
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--region"));
}

#[test]
fn demo_diagnose_json_decodes_stopped_tasks_and_finds_the_loop() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "diagnose", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "task_arn",
            "cluster",
            "service",
            "task_definition",
            "stopped_at",
            "stop_code",
            "stopped_reason",
            "container",
            "exit_code",
            "container_reason",
            "cause",
            "severity",
            "title",
            "explanation",
            "next_checks",
            "runbook",
            "log_tail",
            "log_tail_missing",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
    let times: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["stopped_at"].as_str())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let newest_oom = findings
        .iter()
        .find(|f| f["cause"] == "oom_killed")
        .unwrap();
    let tail = newest_oom["log_tail"].as_array().unwrap();
    assert!(
        !tail.is_empty() && tail.len() <= 50,
        "the container's last lines"
    );
    assert!(tail.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("memory high"));
    let oom = doc["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["service"] == "prod-web/chatbot-api")
        .unwrap();
    assert_eq!(oom["cause"], "oom_killed");
    assert_eq!(oom["since_deployment"], true);

    triage(&home)
        .args(["--demo", "diagnose", "--fail-on-critical"])
        .assert()
        .code(1);
    let out = triage(&home)
        .args(["--demo", "diagnose", "--service", "weaviate", "-o", "json"])
        .assert()
        .success();
    assert!(json(&out.get_output().stdout)["findings"]
        .as_array()
        .unwrap()
        .is_empty());
    let out = triage(&home)
        .args(["--demo", "diagnose", "--service", "nope"])
        .assert()
        .code(3);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("`nope`"));
    let out = triage(&home)
        .args(["--demo", "diagnose", "--since", "soon"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("30m"));
}

#[test]
fn diagnose_given_tasks_and_tasks_only_the_journal_remembers() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "diagnose", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let arn = doc["findings"][0]["task_arn"].as_str().unwrap().to_string();

    let out = triage(&home)
        .args(["--demo", "diagnose", "--task", &arn, "-o", "json"])
        .assert()
        .success();
    let one = json(&out.get_output().stdout);
    assert_eq!(one["findings"].as_array().unwrap().len(), 1);
    assert_eq!(one["findings"][0]["task_arn"], arn.as_str());
    assert_eq!(one["findings"][0]["from_journal"], false);

    // A task ECS has forgotten, but an incident journal recorded.
    let forgotten =
        "arn:aws:ecs:eu-west-1:123456789012:task/prod-web/0123456789abcdef0123456789abcdef";
    let store = triage::store::IncidentStore::new(
        &home.path().join("data").join("triage").join("incidents"),
    );
    let clock = triage::wiring::SystemClock;
    let redactor = triage::domain::timeline::redact::Redactor::default();
    let id = store
        .start(
            "earlier",
            None,
            triage::domain::timeline::Actor::Console,
            &redactor,
            &clock,
        )
        .unwrap();
    let mut finding = triage::domain::diagnosis::diagnose(
        &triage::domain::Task {
            arn: forgotten.into(),
            id: "0123456789abcdef0123456789abcdef".into(),
            cluster: "prod-web".into(),
            group: Some("service:chatbot-api".into()),
            task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/chatbot-api:41"
                .into(),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            health_status: None,
            started_by: None,
            launch_type: None,
            availability_zone: None,
            cpu: None,
            memory: None,
            created_at: None,
            started_at: None,
            stopping_at: None,
            stopped_at: Some(chrono::Utc::now() - chrono::Duration::hours(3)),
            stop_code: Some("EssentialContainerExited".into()),
            stopped_reason: Some("Essential container in task exited".into()),
            containers: vec![triage::domain::Container {
                name: "api".into(),
                image: None,
                last_status: None,
                exit_code: Some(137),
                reason: Some("OutOfMemoryError: Container killed due to memory usage".into()),
                health_status: None,
            }],
            network_interface: None,
            private_ip: None,
        },
        None,
    );
    finding.from_journal = false;
    store
        .journal(&id)
        .append(
            triage::domain::diagnosis::journal::entry_for(&finding, false),
            &redactor,
            &clock,
        )
        .unwrap();
    let out = triage(&home)
        .args(["--demo", "diagnose", "--task", forgotten, "-o", "json"])
        .assert()
        .success();
    let remembered = json(&out.get_output().stdout);
    assert_eq!(remembered["findings"][0]["from_journal"], true);
    assert_eq!(remembered["findings"][0]["cause"], "oom_killed");
    assert!(String::from_utf8_lossy(&out.get_output().stderr)
        .contains("shown from the journal of incident"));

    let out = triage(&home)
        .args([
            "--demo",
            "diagnose",
            "--task",
            "arn:aws:ecs:eu-west-1:123456789012:task/prod-web/ffffffffffffffffffffffffffffffff",
        ])
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&out.get_output().stderr).contains("no incident journal has it")
    );
    let out = triage(&home)
        .args(["--demo", "diagnose", "--task", "abc123"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--cluster"));
}

#[test]
fn logs_follows_one_request_as_json_lines_with_grep_like_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    // An ID the demo's chatbot-api logged.
    let out = triage(&home)
        .args(["--demo", "diagnose", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let id = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["log_tail"].as_array().unwrap().clone())
        .find_map(|l| {
            let fields: serde_json::Value = serde_json::from_str(l["message"].as_str()?).ok()?;
            fields["correlationId"].as_str().map(str::to_string)
        })
        .expect("a correlation ID in the demo's logs");

    let out = triage(&home)
        .args(["--demo", "logs", &id, "-o", "json"])
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        for key in [
            "timestamp",
            "service",
            "log_group",
            "log_stream",
            "task_id",
            "message",
            "fields",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        assert_eq!(line["fields"]["correlationId"], id.as_str());
    }
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("searched 9 log groups"), "{stderr}");

    // Nothing matched: exit 1, like grep.
    triage(&home)
        .args(["--demo", "logs", "req-00000000"])
        .assert()
        .code(1);
    // Bad input: exit 2 with the reason.
    let out = triage(&home).args(["--demo", "logs", " "]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("empty"));
    let out = triage(&home)
        // Whole times: `HH:MM` is the latest such time, so between 02:00
        // and 03:00 `--start 03:00` is yesterday's and the window not empty.
        .args([
            "--demo",
            "logs",
            "x",
            "--start",
            "2026-01-28T03:00:00Z",
            "--end",
            "2026-01-28T02:00:00Z",
        ])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("window is empty"));
    triage(&home)
        .args(["--demo", "logs", "x", "--since", "1h", "--start", "03:00"])
        .assert()
        .code(2);
}

#[tokio::test]
async fn logs_against_aws_searches_the_named_group_and_reports_missing_and_unsearched_ones() {
    let region = fresh_region();
    let config = crate::support::moto_config(region).await;
    let now = chrono::Utc::now().timestamp_millis();
    let messages = [
        "{\"correlationId\":\"abc-1\"}",
        "{\"correlationId\":\"abc-12\"}",
        "abc-1 plain",
    ];
    let lines: Vec<(i64, &str)> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (now - 60_000 + i as i64, *m))
        .collect();
    crate::support::log_lines(&config, "/ecs/api", "ecs/api/task1", &lines).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let home = tempfile::tempdir().unwrap();
    let out = aws_triage(&home, region)
        .args([
            "logs",
            "abc-1",
            "--log-group",
            "/ecs/api",
            "--log-group",
            "/ecs/gone",
            "-o",
            "json",
        ])
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        stdout.lines().count(),
        2,
        "the JSON hit and the plain-text hit, not the near miss: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("INCOMPLETE") && stderr.contains("/ecs/gone: missing"),
        "{stderr}"
    );

    // A group AWS would not answer: what was found is printed, the answer is
    // said to be incomplete, and the exit code is 3 whatever matched.
    logs.create_log_group()
        .log_group_name("/ecs/worker")
        .send()
        .await
        .unwrap();
    moto().fail(region, "FilterLogEvents", "AccessDeniedException", 1);
    let out = aws_triage(&home, region)
        .args([
            "logs",
            "abc-1",
            "--log-group",
            "/ecs/api",
            "--log-group",
            "/ecs/worker",
            "--engine",
            "filter",
        ])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("access denied")
            && stderr.contains("INCOMPLETE: 1 of 2 log groups could not be searched"),
        "{stderr}"
    );

    // A window older than the group keeps its logs: clipped to it, and said.
    logs.put_retention_policy()
        .log_group_name("/ecs/api")
        .retention_in_days(3)
        .send()
        .await
        .unwrap();
    let out = aws_triage(&home, region)
        .args([
            "logs",
            "abc-1",
            "--log-group",
            "/ecs/api",
            "--since",
            "10d",
            "--engine",
            "filter",
        ])
        .assert()
        .code(0);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("warning: /ecs/api keeps 3 days of logs: searched it from"),
        "{stderr}"
    );
    // Within a day no group can have lost anything: no call, no warning.
    let out = aws_triage(&home, region)
        .args(["logs", "abc-1", "--log-group", "/ecs/api", "--since", "2h"])
        .assert()
        .code(0);
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains("warning"));
}

#[test]
fn logs_crosses_services_and_follow_never_repeats_a_line() {
    let home = tempfile::tempdir().unwrap();
    // The demo's failing request, through frontend → backend-api → chatbot-api.
    let out = triage(&home)
        .args(["--demo", "logs", "req-5f1e0c9a", "-o", "json"])
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let services: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["service"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        services,
        [
            "prod-web/frontend",
            "prod-web/backend-api",
            "prod-web/chatbot-api",
            "prod-web/chatbot-api",
            "prod-web/backend-api",
            "prod-web/frontend"
        ]
    );
    // The same with --follow for a few polls, then Ctrl-C: the six lines
    // once each, and exit 0 (something matched).
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["--demo", "logs", "req-5f1e0c9a", "--follow", "-o", "json"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(8));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("following req-5f1e0c9a"), "{stderr}");
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(
        lines, 6,
        "each line once, after two polls with overlap: {stderr}"
    );
}

#[test]
fn runbook_list_from_an_empty_directory_lists_the_built_in_runbooks() {
    let home = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .current_dir(empty.path())
        .args(["runbook", "list", "-o", "json"])
        .assert()
        .success();
    let list = json(&out.get_output().stdout);
    let ids: Vec<&str> = list["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "compromised-host",
        "oom-restart-loop",
        "service-down",
        "rotate-secrets",
    ] {
        assert!(ids.contains(&id), "{id} not among {ids:?}");
    }
    assert!(list["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["built_in"] == true && r["ok"] == true));
    // A folder's runbook of the same id overrides the built-in one.
    let mine = empty.path().join("runbooks");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(
        mine.join("oom.md"),
        "---\nrunbook: 1\nid: oom-restart-loop\ntitle: Our own OOM runbook\n---\n\n# Ours\n\n```yaml {id=look kind=manual}\nmessage: look\n```\n",
    )
    .unwrap();
    let out = triage(&home)
        .current_dir(empty.path())
        .args(["runbook", "list"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("oom-restart-loop"))
        .unwrap();
    assert!(
        row.contains("Our own OOM runbook") && row.contains("runbooks/oom.md"),
        "{row}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("compromised-host") && l.contains("built in")),
        "{text}"
    );
}

/// `triage --demo --config FILE status` with `text` as the config: refused
/// with exit 2; its stderr.
fn refused_config(home: &tempfile::TempDir, text: &str) -> String {
    let config = home.path().join("config.toml");
    std::fs::write(&config, text).unwrap();
    let out = triage(home)
        .args(["--demo", "--config"])
        .arg(&config)
        .arg("status")
        .assert()
        .code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// Every number the config takes, just above and just below its range:
/// refused with exit 2, the file, the line and the key — never accepted
/// to hang a read (a rate of 0.5) or spin for minutes (50 retries).
#[test]
fn every_config_number_out_of_its_range_is_refused_with_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    for rule in triage::settings::numbers::RULES {
        let (section, key) = rule.key.split_once('.').unwrap();
        let write = |n: f64| {
            if rule.whole {
                format!("{}", n as i64)
            } else {
                format!("{n:?}")
            }
        };
        let mut values = vec![write(if rule.whole {
            rule.high + 1.0
        } else {
            rule.high * 2.0
        })];
        if rule.low > 0.0 {
            values.push(write(if rule.whole {
                rule.low - 1.0
            } else {
                rule.low / 2.0
            }));
        } else if !rule.whole {
            values.push(write(-1.0));
        }
        for value in values {
            let stderr = refused_config(
                &home,
                &format!("name = \"x\"\n\n[{section}]\n{key} = {value}\n"),
            );
            assert!(
                stderr.contains("config.toml:4")
                    && stderr.contains(&format!("`{}`", rule.key))
                    && (stderr.contains("out of range") || stderr.contains("invalid value")),
                "{} = {value}: {stderr}",
                rule.key
            );
        }
    }
}

#[test]
fn a_bad_theme_colour_is_refused_at_its_line() {
    let home = tempfile::tempdir().unwrap();
    let theme = home.path().join("neon.toml");
    std::fs::write(
        &theme,
        "name = \"neon\"\n[roles]\naccent = \"cyan\"\ndegraded = \"glow\"\n",
    )
    .unwrap();
    let out = triage(&home)
        .args(["--demo", "--theme"])
        .arg(&theme)
        .arg("status")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("neon.toml:4") && stderr.contains("`glow` is not a colour"),
        "{stderr}"
    );
}

#[test]
fn a_bad_redact_pattern_is_refused_at_its_line() {
    let home = tempfile::tempdir().unwrap();
    let stderr = refused_config(
        &home,
        "name = \"x\"\nredact = [\n  \"token-[0-9]+\",\n  \"(unclosed\",\n]\n",
    );
    assert!(
        stderr.contains("config.toml:4")
            && stderr.contains("`redact`")
            && stderr.contains("(unclosed"),
        "{stderr}"
    );
}

#[test]
fn a_security_number_out_of_range_is_refused_at_its_line() {
    let home = tempfile::tempdir().unwrap();
    let stderr = refused_config(
        &home,
        "region = \"eu-west-1\"\n\n[security]\negress_ratio = 0.5\n",
    );
    assert!(
        stderr.contains("config.toml:4")
            && stderr.contains("security.egress_ratio")
            && stderr.contains("1.5 to 1000"),
        "{stderr}"
    );
}

#[test]
fn demo_status_json_says_what_backend_api_can_reach_and_what_guardduty_found() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "status", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let backend = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "backend-api")
        .unwrap();
    assert_eq!(backend["status"], "degraded");
    assert_eq!(
        backend["network"]["security_groups"][0],
        "sg-0b4c3a2d1e0f00001"
    );
    assert_eq!(backend["network"]["open_egress"], true);
    assert_eq!(backend["network"]["assign_public_ip"], false);
    assert_eq!(backend["secrets"].as_array().unwrap().len(), 3);
    let tx = &backend["metrics"]["network_tx_bytes_per_second"];
    assert!(
        tx["max"].as_f64().unwrap() > 5.0 * tx["baseline"].as_f64().unwrap(),
        "{tx}"
    );
    let finding = &doc["security_findings"][0];
    assert_eq!(finding["type"], "Backdoor:Runtime/C&CActivity.B");
    assert_eq!(finding["services"][0], "prod-web/backend-api");
    assert_eq!(finding["remote"]["ip"], "198.51.100.23");
    // A quiet service has its groups (HTTPS only) and no finding.
    let notifier = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "notifier")
        .unwrap();
    assert_eq!(notifier["network"]["open_egress"], false);
    assert_eq!(notifier["security_findings"].as_array().unwrap().len(), 0);
}

/// The 8 characters the console shows in its TASK column are enough for
/// `diagnose --task` and `exec`; a prefix that several tasks share is said,
/// with the tasks it begins.
#[test]
fn the_task_id_prefix_the_console_shows_names_the_task_and_an_ambiguous_one_is_said() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "diagnose", "-o", "json"])
        .assert()
        .success();
    let arn = json(&out.get_output().stdout)["findings"][0]["task_arn"]
        .as_str()
        .unwrap()
        .to_string();
    let id = arn.rsplit('/').next().unwrap();
    let short = &id[..8];

    let out = triage(&home)
        .args([
            "--demo",
            "--cluster",
            "prod-web",
            "diagnose",
            "--task",
            short,
            "-o",
            "json",
        ])
        .assert()
        .success();
    assert_eq!(
        json(&out.get_output().stdout)["findings"][0]["task_arn"],
        arn.as_str()
    );

    // exec finds the task (and says it has stopped), not "not in cluster".
    let out = triage(&home)
        .args([
            "--demo",
            "--cluster",
            "prod-web",
            "exec",
            "--task",
            short,
            "--check",
            "-o",
            "json",
        ])
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["task"], arn.as_str());
    assert!(doc["reason"].as_str().unwrap().contains("STOPPED"), "{doc}");

    // One hex digit begins several of the cluster's tasks.
    let ambiguous = "0123456789abcdef".chars().find_map(|c| {
        let out = triage(&home)
            .args([
                "--demo",
                "--cluster",
                "prod-web",
                "diagnose",
                "--task",
                &c.to_string(),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        stderr
            .contains("is ambiguous")
            .then_some((out.status.code(), stderr))
    });
    let (code, stderr) = ambiguous.expect("some hex digit begins several tasks");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("tasks begin with it") && stderr.contains("type more of it"),
        "{stderr}"
    );
}
