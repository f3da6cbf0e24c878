//! `triage alarms` and the alarm and metric fields of `triage status` on
//! the demo: alarms in the ranked order with their services, account alarms
//! kept, `--state` filtering, `--fail-on-alarm`, metric fields present only
//! with data, a bad `[alarms]` entry refused with what to write.

use crate::support::cli::{json, triage};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn alarms_come_in_the_services_order_with_their_services() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "alarms", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let alarms = doc["alarms"].as_array().unwrap();
    let names: Vec<&str> = alarms.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names[0], "prod-web chatbot-api memory above 90 %",
        "ALARM first, the worst service first: {names:?}"
    );
    let states: Vec<&str> = alarms
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    let first_ok = states.iter().position(|s| *s == "OK").unwrap();
    assert!(
        states[..first_ok].iter().all(|s| *s == "ALARM"),
        "{states:?}"
    );
    let account = alarms
        .iter()
        .find(|a| a["name"] == "orders-db CPU above 80 %")
        .expect("an account alarm is kept");
    assert_eq!(account["services"], serde_json::json!([]));
    assert_eq!(
        alarms[0]["services"],
        serde_json::json!([{"cluster": "prod-web", "service": "chatbot-api"}])
    );
    assert_eq!(alarms[0]["metric"]["name"], "MemoryUtilization");
    assert!(alarms[0]["since"].as_str().unwrap().ends_with('Z'));

    let only_ok = triage(&home)
        .args(["--demo", "alarms", "--state", "ok", "-o", "json"])
        .assert()
        .success();
    let doc = json(&only_ok.get_output().stdout);
    assert!(doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["state"] == "OK"));

    let failing = triage(&home)
        .args(["--demo", "alarms", "--fail-on-alarm"])
        .assert()
        .code(1);
    assert!(text(&failing.get_output().stdout).contains("prod-web backend-api 5XX above 5 %"));
    let bad = triage(&home)
        .args(["--demo", "alarms", "--state", "ringing"])
        .assert()
        .code(2);
    assert!(text(&bad.get_output().stderr).contains("use ALARM, OK or INSUFFICIENT_DATA"));
}

#[test]
fn status_json_carries_each_services_alarms_and_metrics() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo", "status", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let services = doc["services"].as_array().unwrap();
    let by_name = |name: &str| services.iter().find(|s| s["service"] == name).unwrap();
    let chatbot = by_name("chatbot-api");
    assert_eq!(chatbot["alarms"][0]["state"], "ALARM");
    assert_eq!(chatbot["metrics"]["memory_percent"]["max"], 100.0);
    assert!(chatbot["metrics"]["cpu_percent"]["avg"].is_number());
    let backend = by_name("backend-api");
    assert!(backend["metrics"]["http_5xx_percent"].as_f64().unwrap() > 5.0);
    assert!(backend["metrics"]["p95_ms"].as_f64().unwrap() > 2000.0);
    assert_eq!(backend["metrics"]["targets"]["healthy"], 4);
    // No load balancer: no 5XX, p95 or targets — null, never invented.
    let weaviate = by_name("weaviate");
    assert!(
        weaviate["metrics"]["http_5xx_percent"].is_null(),
        "{weaviate}"
    );
    assert!(weaviate["metrics"]["targets"].is_null());
    // Scaled to zero: no metrics at all.
    assert!(by_name("reindexer")["metrics"].is_null());
    assert_eq!(doc["account_alarms"][0]["name"], "orders-db CPU above 80 %");

    triage(&home)
        .args(["--demo", "status", "--fail-on-alarm"])
        .assert()
        .code(1);
}

#[test]
fn a_bad_alarms_mapping_says_what_to_write() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/triage");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[alarms]\n\"DBInstanceIdentifier\" = \"orders\"\n",
    )
    .unwrap();
    let refused = triage(&home).args(["--demo", "alarms"]).assert().code(2);
    let stderr = text(&refused.get_output().stderr);
    assert!(
        stderr.contains("\"Dimension=value\" = \"cluster/service\""),
        "{stderr}"
    );
    std::fs::write(
        config.join("config.toml"),
        "[alarms]\n\"DBInstanceIdentifier=orders-db\" = \"prod-data/worker\"\n",
    )
    .unwrap();
    let out = triage(&home)
        .args(["--demo", "alarms", "-o", "json"])
        .assert()
        .success();
    let doc = json(&out.get_output().stdout);
    let db = doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "orders-db CPU above 80 %")
        .unwrap()
        .clone();
    assert_eq!(
        db["services"],
        serde_json::json!([{"cluster": "prod-data", "service": "worker"}]),
        "tied by the mapping"
    );
}
