//! Several simulated pairs: `--demo=saas,staging` watches the default demo
//! and a staging account in another Region, whose session expires two
//! minutes in (every read refused as AWS refuses an expired SSO session)
//! and comes back three minutes later.

use crate::support::cli::{json, triage};
use std::sync::Arc;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::clock::ManualClock;
use triage::domain::ports::EcsPort;
use triage::domain::PortError;

#[test]
fn status_over_two_demo_pairs_tags_every_service() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo=saas,staging", "status", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let pairs: Vec<(String, String)> = doc["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["account_name"].as_str().unwrap().to_string(),
                p["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("saas".to_string(), "eu-west-1".to_string()),
            ("staging".into(), "us-east-1".into())
        ]
    );
    let chatbots: Vec<&serde_json::Value> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["service"] == "chatbot-api")
        .collect();
    assert_eq!(chatbots.len(), 2, "the same name in two pairs, twice");
    assert!(chatbots
        .iter()
        .any(|s| s["account_name"] == "staging" && s["account"] == "210987654321"));
    // A scenario list with nothing in it is refused with how to write one.
    let out = triage(&home).args(["--demo=,", "status"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--demo=saas,staging"));
}

#[tokio::test]
async fn the_staging_session_expires_at_minute_two_and_comes_back_at_five() {
    let t0 = chrono::Utc::now();
    let clock = Arc::new(ManualClock::new(t0));
    let staging =
        DemoAccount::new(&Scenario::load("staging").unwrap(), clock.clone()).without_latency();
    assert!(staging.clusters().await.is_ok());
    clock.set(t0 + chrono::Duration::seconds(150));
    match staging.clusters().await {
        Err(PortError::ExpiredCredentials { profile }) => {
            assert_eq!(profile.as_deref(), Some("staging"))
        }
        other => panic!("{other:?}"),
    }
    assert!(staging.services("stg-web").await.is_err());
    clock.set(t0 + chrono::Duration::seconds(330));
    assert_eq!(
        staging.clusters().await.unwrap(),
        vec!["stg-web".to_string()]
    );
}
