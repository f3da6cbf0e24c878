//! Several (account, Region) pairs in one `triage status` against moto: two
//! Regions of one account, a second account reached by assuming a role
//! through STS (moto keeps a backend per account id), and a pair whose
//! credentials AWS rejects (injected by the harness: moto checks no keys).
//! Every service appears once, tagged with its pair; the failing pair says
//! why and how to fix it while the others keep their data.

use crate::support::cli::{json, triage};
use crate::support::{fresh_region, moto};

const SECOND_ACCOUNT: &str = "222233334444";

/// The SDK config of the second account, through STS as the profile would.
async fn second_account(region: &str) -> aws_config::SdkConfig {
    let base = crate::support::moto_config(region).await;
    let creds = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{SECOND_ACCOUNT}:role/triage-read"))
        .role_session_name("seed")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(&moto().endpoint)
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            None,
            "assumed",
        ))
        .load()
        .await
}

/// A home whose AWS CLI files have the `base` profile (keys) and the
/// `second` profile (a role of the second account, assumed through STS),
/// and whose triage config lists these `[[accounts]]`.
struct Home {
    dir: tempfile::TempDir,
    aws_config: std::path::PathBuf,
    credentials: std::path::PathBuf,
}

impl Home {
    fn new(region: &str, accounts: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let aws_config = dir.path().join("aws-config");
        std::fs::write(
            &aws_config,
            format!("[profile base]\nregion = {region}\n\n[profile second]\nrole_arn = arn:aws:iam::{SECOND_ACCOUNT}:role/triage-read\nsource_profile = base\nregion = {region}\n"),
        )
        .unwrap();
        let credentials = dir.path().join("aws-credentials");
        std::fs::write(
            &credentials,
            "[base]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
        )
        .unwrap();
        let config_dir = dir.path().join("config/triage");
        std::fs::create_dir_all(&config_dir).unwrap();
        std::fs::write(config_dir.join("config.toml"), accounts).unwrap();
        Home {
            dir,
            aws_config,
            credentials,
        }
    }

    fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        triage(&self.dir)
            .env("AWS_CONFIG_FILE", &self.aws_config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &self.credentials)
            // The profile's role is assumed through the emulator's STS.
            .env("AWS_ENDPOINT_URL_STS", &moto().endpoint)
            .args(["--endpoint-url", &moto().endpoint])
            .args(args)
            .assert()
    }
}

#[tokio::test]
async fn two_regions_and_two_accounts_in_one_status_and_a_failing_pair_keeps_the_others() {
    let (r1, r2, r3) = (fresh_region(), fresh_region(), fresh_region());
    crate::support::seed_services(
        &crate::support::moto_config(r1).await,
        "web",
        "app",
        &["api", "front"],
    )
    .await;
    crate::support::seed_services(
        &crate::support::moto_config(r2).await,
        "web",
        "app",
        &["api"],
    )
    .await;
    crate::support::seed_services(&second_account(r1).await, "ops", "app", &["ledger"]).await;
    crate::support::memory_alarm(
        &crate::support::moto_config(r1).await,
        "api memory",
        "web",
        "api",
    )
    .await;
    crate::support::memory_alarm(&second_account(r1).await, "ledger memory", "ops", "ledger").await;
    // Every call in r3 is refused as bad credentials.
    for op in ["GetCallerIdentity", "ListClusters"] {
        moto().fail(r3, op, "UnrecognizedClientException", 50);
    }

    let accounts = format!("[[accounts]]\nname = \"prod\"\nprofile = \"base\"\nregions = [\"{r1}\", \"{r2}\", \"{r3}\"]\nproduction = true\n\n[[accounts]]\nname = \"shared\"\nprofile = \"second\"\nregions = [\"{r1}\"]\n");
    let home = Home::new(r1, &accounts);
    let run = |args: &[&str]| home.run(args);
    let out = run(&["status", "-o", "json"]).code(3);
    let doc = json(&out.get_output().stdout);
    let mut seen: Vec<(String, String, String, String)> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["account_name"].as_str().unwrap().to_string(),
                s["account"].as_str().unwrap().to_string(),
                s["region"].as_str().unwrap().to_string(),
                format!(
                    "{}/{}",
                    s["cluster"].as_str().unwrap(),
                    s["service"].as_str().unwrap()
                ),
            )
        })
        .collect();
    seen.sort();
    let mut expected = vec![
        (
            "prod".to_string(),
            "123456789012".to_string(),
            r1.to_string(),
            "web/api".to_string(),
        ),
        (
            "prod".into(),
            "123456789012".into(),
            r1.into(),
            "web/front".into(),
        ),
        (
            "prod".into(),
            "123456789012".into(),
            r2.into(),
            "web/api".into(),
        ),
        (
            "shared".into(),
            SECOND_ACCOUNT.into(),
            r1.into(),
            "ops/ledger".into(),
        ),
    ];
    expected.sort();
    assert_eq!(seen, expected, "every service once, tagged with its pair");

    let pairs = doc["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 4, "{pairs:?}");
    let failing = pairs.iter().find(|p| p["region"] == r3).unwrap();
    let error = failing["error"].as_str().unwrap();
    assert!(error.contains("rejected the credentials"), "{error}");
    assert!(
        error.contains("profile `base`") || error.contains("base"),
        "{error}"
    );
    assert!(pairs
        .iter()
        .filter(|p| p["region"] != r3)
        .all(|p| p["error"].is_null()));
    let shared = pairs
        .iter()
        .find(|p| p["account_name"] == "shared")
        .unwrap();
    assert_eq!(
        shared["account"], SECOND_ACCOUNT,
        "the assumed role's account"
    );
    assert_eq!(pairs[0]["production"], true);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains(&format!("prod/{r3}")), "{stderr}");

    // The table gains ACCOUNT and REGION columns.
    let out = run(&["status"]).code(3);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("ACCOUNT") && header.contains("REGION"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("shared") && l.contains("ledger")),
        "{text}"
    );

    // Alarms span the pairs too, each naming its account and Region.
    let out = run(&["alarms", "-o", "json"]).code(3);
    let doc = json(&out.get_output().stdout);
    let mut alarms: Vec<(String, String, String, String)> = doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["account_name"].as_str().unwrap().to_string(),
                a["account"].as_str().unwrap().to_string(),
                a["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    alarms.sort();
    assert_eq!(
        alarms,
        vec![
            (
                "api memory".to_string(),
                "prod".to_string(),
                "123456789012".to_string(),
                r1.to_string()
            ),
            (
                "ledger memory".into(),
                "shared".into(),
                SECOND_ACCOUNT.into(),
                r1.into()
            ),
        ]
    );
    let ledger = doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "ledger memory")
        .unwrap();
    assert_eq!(
        ledger["services"],
        serde_json::json!([{"cluster": "ops", "service": "ledger"}])
    );

    // One pair (a flag wins over the config's list): the same document, a
    // list of one pair.
    let out = run(&["--profile", "base", "--region", r2, "status", "-o", "json"]).success();
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["pairs"].as_array().unwrap().len(), 1);
    assert_eq!(doc["pairs"][0]["region"], r2);
    assert_eq!(doc["pairs"][0]["account_name"], "base");
    assert_eq!(doc["services"][0]["account"], "123456789012");
    assert_eq!(doc["services"][0]["region"], r2);
}

/// Three tasks of `web/api` killed for memory, a minute apart, ending `ago`
/// seconds before now.
async fn oom_loop(config: &aws_config::SdkConfig, region: &str, ago: i64) {
    let ecs = aws_sdk_ecs::Client::new(config);
    let out = ecs
        .run_task()
        .cluster("web")
        .task_definition("app:1")
        .count(3)
        .group("service:api")
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .send()
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    for (i, task) in out.tasks().iter().enumerate() {
        moto().stop_task(
            region,
            task.task_arn().unwrap(),
            "EssentialContainerExited",
            "Essential container in task exited",
            &[(
                Some(137),
                Some("OutOfMemoryError: Container killed due to memory usage"),
            )],
            now - ago - 60 * i as i64,
        );
    }
}

/// One line of request `id` in `/ecs/api`, written `ago` seconds before now.
async fn request_line(config: &aws_config::SdkConfig, id: &str, ago: i64, text: &str) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let _ = logs
        .create_log_group()
        .log_group_name("/ecs/api")
        .send()
        .await;
    let _ = logs
        .create_log_stream()
        .log_group_name("/ecs/api")
        .log_stream_name("ecs/api/t1")
        .send()
        .await;
    let at = chrono::Utc::now().timestamp_millis() - ago * 1000;
    logs.put_log_events()
        .log_group_name("/ecs/api")
        .log_stream_name("ecs/api/t1")
        .log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(at)
                .message(format!("{{\"correlationId\":\"{id}\",\"msg\":\"{text}\"}}"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn diagnose_and_logs_span_the_pairs_and_the_same_names_in_two_regions_stay_apart() {
    let (r1, r2) = (fresh_region(), fresh_region());
    // The same cluster and service in both Regions, each in its own OOM loop.
    for (region, ago) in [(r1, 0), (r2, 30)] {
        let config = crate::support::moto_config(region).await;
        crate::support::seed_services(&config, "web", "app", &["api"]).await;
        oom_loop(&config, region, ago).await;
    }
    // One request crossing both Regions and the second account.
    let id = "req-pairs-77";
    request_line(&crate::support::moto_config(r2).await, id, 30, "edge").await;
    request_line(&crate::support::moto_config(r1).await, id, 20, "api").await;
    request_line(&second_account(r1).await, id, 10, "ledger").await;
    let accounts = format!("[[accounts]]\nname = \"prod\"\nprofile = \"base\"\nregions = [\"{r1}\", \"{r2}\"]\n\n[[accounts]]\nname = \"shared\"\nprofile = \"second\"\nregions = [\"{r1}\"]\n");
    let home = Home::new(r1, &accounts);

    let out = home.run(&["diagnose", "-o", "json"]).success();
    let doc = json(&out.get_output().stdout);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 6, "{doc}");
    for region in [r1, r2] {
        let here: Vec<&serde_json::Value> =
            findings.iter().filter(|f| f["region"] == region).collect();
        assert_eq!(here.len(), 3, "three stops in {region}");
        assert!(here
            .iter()
            .all(|f| f["account_name"] == "prod" && f["cause"] == "oom_killed"));
    }
    let patterns = doc["patterns"].as_array().unwrap();
    let mut loops: Vec<(String, u64)> = patterns
        .iter()
        .map(|p| {
            (
                p["region"].as_str().unwrap().to_string(),
                p["count"].as_u64().unwrap(),
            )
        })
        .collect();
    loops.sort();
    let mut expected = vec![(r1.to_string(), 3), (r2.to_string(), 3)];
    expected.sort();
    assert_eq!(loops, expected, "one loop per Region, not one of six");

    let out = home
        .run(&["logs", id, "--log-group", "/ecs/api", "-o", "json"])
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| json(l.as_bytes())).collect();
    let seen: Vec<(String, String, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["account_name"].as_str().unwrap().to_string(),
                l["account"].as_str().unwrap().to_string(),
                l["region"].as_str().unwrap().to_string(),
                l["fields"]["msg"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let base = "123456789012".to_string();
    assert_eq!(
        seen,
        vec![
            (
                "prod".to_string(),
                base.clone(),
                r2.to_string(),
                "edge".to_string()
            ),
            ("prod".into(), base, r1.into(), "api".into()),
            (
                "shared".into(),
                SECOND_ACCOUNT.into(),
                r1.into(),
                "ledger".into()
            ),
        ],
        "every pair's lines, in time order"
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains(&format!("shared/{r1}: searched 1 log group")),
        "{stderr}"
    );

    // One pair made to fail: the others' findings are printed, the exit says not all.
    moto().fail(r2, "ListClusters", "UnrecognizedClientException", 5);
    let out = home.run(&["diagnose", "-o", "json"]).code(3);
    let doc = json(&out.get_output().stdout);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{doc}");
    assert!(findings.iter().all(|f| f["region"] == r1));
    let errors = doc["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["source"] == format!("prod/{r2}")
            && e["error"]
                .as_str()
                .unwrap()
                .contains("rejected the credentials")),
        "{errors:?}"
    );
}
