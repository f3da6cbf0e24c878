//! Several (account, Region) pairs in one `triage status` against moto: two
//! Regions of one account, a second account reached by assuming a role
//! through STS (moto keeps a backend per account id), and a pair whose
//! credentials AWS rejects (injected by the harness: moto checks no keys).
//! Every service appears once, tagged with its pair; the failing pair says
//! why and how to fix it while the others keep their data.

mod support;

use support::cli::{json, triage};
use support::{fresh_region, moto};

const SECOND_ACCOUNT: &str = "222233334444";

/// An alarm on a service's memory, put through the same SDK triage reads with.
async fn alarm(config: &aws_config::SdkConfig, name: &str, cluster: &str, service: &str) {
    use aws_sdk_cloudwatch::types as cw;
    aws_sdk_cloudwatch::Client::new(config)
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/ECS")
        .metric_name("MemoryUtilization")
        .dimensions(
            cw::Dimension::builder()
                .name("ClusterName")
                .value(cluster)
                .build(),
        )
        .dimensions(
            cw::Dimension::builder()
                .name("ServiceName")
                .value(service)
                .build(),
        )
        .statistic(cw::Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(cw::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
}

/// The SDK config of the second account, through STS as the profile would.
async fn second_account(region: &str) -> aws_config::SdkConfig {
    let base = support::moto_config(region).await;
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

#[tokio::test]
async fn two_regions_and_two_accounts_in_one_status_and_a_failing_pair_keeps_the_others() {
    let (r1, r2, r3) = (fresh_region(), fresh_region(), fresh_region());
    support::seed_services(
        &support::moto_config(r1).await,
        "web",
        "app",
        &["api", "front"],
    )
    .await;
    support::seed_services(&support::moto_config(r2).await, "web", "app", &["api"]).await;
    support::seed_services(&second_account(r1).await, "ops", "app", &["ledger"]).await;
    alarm(&support::moto_config(r1).await, "api memory", "web", "api").await;
    alarm(&second_account(r1).await, "ledger memory", "ops", "ledger").await;
    // Every call in r3 is refused as bad credentials.
    for op in ["GetCallerIdentity", "ListClusters"] {
        moto().fail(r3, op, "UnrecognizedClientException", 50);
    }

    let home = tempfile::tempdir().unwrap();
    let aws_config = home.path().join("aws-config");
    std::fs::write(
        &aws_config,
        format!("[profile base]\nregion = {r1}\n\n[profile second]\nrole_arn = arn:aws:iam::{SECOND_ACCOUNT}:role/triage-read\nsource_profile = base\nregion = {r1}\n"),
    )
    .unwrap();
    let credentials = home.path().join("aws-credentials");
    std::fs::write(
        &credentials,
        "[base]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let config_dir = home.path().join("config/triage");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        format!("[[accounts]]\nname = \"prod\"\nprofile = \"base\"\nregions = [\"{r1}\", \"{r2}\", \"{r3}\"]\nproduction = true\n\n[[accounts]]\nname = \"shared\"\nprofile = \"second\"\nregions = [\"{r1}\"]\n"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        triage(&home)
            .env("AWS_CONFIG_FILE", &aws_config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            // The profile's role is assumed through the emulator's STS.
            .env("AWS_ENDPOINT_URL_STS", &moto().endpoint)
            .args(["--endpoint-url", &moto().endpoint])
            .args(args)
            .assert()
    };

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

    // One pair (a flag wins over the config's list): no columns, the old document.
    let out = run(&["--profile", "base", "--region", r2, "status", "-o", "json"]).success();
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["region"], r2);
    assert_eq!(doc["services"][0]["account"], "123456789012");
    assert_eq!(doc["services"][0]["region"], r2);
    assert!(doc.get("pairs").is_none());
}
