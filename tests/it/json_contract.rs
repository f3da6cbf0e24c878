//! The JSON contract: every `-o json` output is one typed shape, the same
//! for one pair and for several, and says so in a JSON Schema.
//!
//! - `docs/schemas/*.schema.json` are generated from the types; a type
//!   changed without its schema fails here (regenerate them with
//!   `TRIAGE_WRITE_SCHEMAS=1 cargo test --test it json_contract`).
//! - Every command's real output — on the demo and against moto, one pair
//!   and three — validates against its schema.
//! - `status`, `alarms`, `diagnose`, `incident list` and `runbook list`
//!   have the same top-level keys (and item keys) with one pair and three.

use crate::support::cli::{json, triage};
use crate::support::{fresh_region, moto};
use std::collections::BTreeSet;
use std::path::PathBuf;
use triage::cli::output::schema::{documents, Document};

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/schemas")
}

fn document(name: &str) -> Document {
    documents()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no document {name}"))
}

#[test]
fn the_schemas_in_docs_are_the_ones_the_types_give() {
    let write = std::env::var_os("TRIAGE_WRITE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for doc in documents() {
        let path = schema_dir().join(format!("{}.schema.json", doc.name));
        let generated = serde_json::to_string_pretty(&(doc.schema)()).unwrap() + "\n";
        if write {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if on_disk == generated => {}
            _ => stale.push(path.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "these schemas differ from their types (a shape changed: raise SCHEMA_VERSION if a key was removed, renamed or retyped), regenerate with TRIAGE_WRITE_SCHEMAS=1 cargo test --test it json_contract: {stale:?}"
    );
    // No schema left on disk for an output that no longer exists.
    let known: BTreeSet<String> = documents()
        .iter()
        .map(|d| format!("{}.schema.json", d.name))
        .collect();
    for entry in std::fs::read_dir(schema_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(known.contains(&name), "docs/schemas/{name} has no output");
    }
}

#[test]
fn a_schema_refuses_what_its_type_would_never_print() {
    // The validation below can fail: a missing key, an extra key, a wrong
    // version are each refused.
    let schema = (document("incident-start").schema)();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&serde_json::json!({"schema_version": 1, "id": "x"})));
    for wrong in [
        serde_json::json!({"schema_version": 1}),
        serde_json::json!({"schema_version": 1, "id": "x", "extra": true}),
        serde_json::json!({"schema_version": 2, "id": "x"}),
        serde_json::json!({"schema_version": 1, "id": 7}),
    ] {
        assert!(!validator.is_valid(&wrong), "accepted {wrong}");
    }
}

/// Validate `stdout` (one document, or JSON Lines) against its schema;
/// returns the values read.
pub(crate) fn validated(name: &str, stdout: &[u8]) -> Vec<serde_json::Value> {
    let doc = document(name);
    let validator = jsonschema::validator_for(&(doc.schema)()).unwrap();
    let values: Vec<serde_json::Value> = if doc.lines {
        String::from_utf8_lossy(stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| json(l.as_bytes()))
            .collect()
    } else {
        vec![json(stdout)]
    };
    assert!(!values.is_empty(), "{name}: nothing printed");
    for value in &values {
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not match docs/schemas/{name}.schema.json: {errors:?}\n{value:#}",
            doc.command
        );
    }
    values
}

/// The keys of a document, and of the first item of each of its lists.
fn shape(value: &serde_json::Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    if let Some(map) = value.as_object() {
        for (key, inner) in map {
            keys.insert(key.clone());
            if let Some(first) = inner.as_array().and_then(|a| a.first()) {
                for item_key in first.as_object().into_iter().flat_map(|o| o.keys()) {
                    keys.insert(format!("{key}[].{item_key}"));
                }
            }
        }
    }
    keys
}

/// Run triage and return its stdout, whatever its exit code (1 means a
/// problem found, which these demos have).
fn stdout(cmd: &mut assert_cmd::Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        !out.stdout.is_empty(),
        "no output; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every command's output on the demo with `demo` as the `--demo` value.
fn demo_outputs(demo: &str) -> Vec<(&'static str, serde_json::Value)> {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        stdout(
            triage(&home)
                .arg(format!("--demo={demo}"))
                .args(args)
                .args(["-o", "json"]),
        )
    };
    let mut seen = Vec::new();
    let mut keep = |name: &'static str, out: Vec<u8>| {
        for value in validated(name, &out) {
            seen.push((name, value));
        }
    };
    keep("status", run(&["status"]));
    keep("alarms", run(&["alarms"]));
    keep("changes", run(&["changes"]));
    keep(
        "changes",
        run(&[
            "changes",
            "--service",
            "prod-web/chatbot-api",
            "--since",
            "1h",
        ]),
    );
    keep("diagnose", run(&["diagnose"]));
    keep("logs", run(&["logs", "req-5f1e0c9a", "--since", "2h"]));
    keep("trace", run(&["trace", "req-5f1e0c9a", "--since", "2h"]));
    keep("incident-list", run(&["incident", "list"]));
    keep(
        "incident-start",
        run(&["incident", "start", "checkout errors"]),
    );
    keep("incident-list", run(&["incident", "list"]));
    keep("runbook-list", run(&["runbook", "list"]));
    keep(
        "runbook-show",
        run(&["runbook", "show", "oom-restart-loop"]),
    );
    let pair = if demo.contains(',') {
        vec!["--pair", "saas"]
    } else {
        Vec::new()
    };
    let mut dry_run = vec![
        "runbook",
        "run",
        "compromised-host",
        "--service",
        "prod-web/backend-api",
        "--dry-run",
    ];
    dry_run.extend(&pair);
    keep("runbook-run", run(&dry_run));
    let mut answered = vec![
        "runbook",
        "run",
        "service-down",
        "--param",
        "cluster=prod-web",
        "--param",
        "service=chatbot-api",
    ];
    answered.extend(&pair);
    keep("runbook-run", run(&answered));
    let mut wait = vec![
        "wait",
        "--service",
        "prod-data/reindexer",
        "--until",
        "steady",
    ];
    wait.extend(&pair);
    keep("wait", run(&wait));
    seen
}

#[test]
fn every_demo_output_matches_its_schema_and_one_pair_is_a_list_of_one() {
    let one = demo_outputs("saas");
    let three = demo_outputs("staging,saas,staging");
    for name in [
        "status",
        "alarms",
        "changes",
        "diagnose",
        "incident-list",
        "runbook-list",
    ] {
        let of = |outputs: &[(&str, serde_json::Value)]| {
            outputs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let (a, b) = (of(&one), of(&three));
        assert_eq!(shape(&a), shape(&b), "{name}: one pair and three differ");
        if let Some(pairs) = a.get("pairs") {
            assert_eq!(pairs.as_array().unwrap().len(), 1, "{name}: {pairs}");
            assert_eq!(b["pairs"].as_array().unwrap().len(), 3, "{name}");
        }
    }
    // Every item names its place, one pair or three.
    for (name, value) in one.iter().chain(&three) {
        for list in [
            "services", "alarms", "findings", "patterns", "pairs", "changes", "onsets",
        ] {
            for item in value
                .get(list)
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
            {
                for key in ["account", "account_name", "region"] {
                    assert!(
                        item.get(key).is_some(),
                        "{name}.{list}[] lacks {key}: {item}"
                    );
                }
                assert!(
                    item["region"].as_str().is_some_and(|r| !r.is_empty()),
                    "{name}: {item}"
                );
            }
        }
    }
    let status = &one.iter().find(|(n, _)| *n == "status").unwrap().1;
    assert_eq!(status["schema_version"], 1);
    assert_eq!(status["pairs"][0]["account_name"], "demo");
}

/// A pair on moto: a service running a task with ECS Exec on, a task that
/// died of OOM, an alarm on its memory and a log line carrying an ID.
async fn seed(region: &str) -> String {
    let task = crate::support::seed_exec(region, true, true).await;
    let config = crate::support::moto_config(region).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    let died = ecs
        .run_task()
        .cluster("prod")
        .task_definition("api:1")
        .group("service:api")
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .send()
        .await
        .unwrap()
        .tasks()[0]
        .task_arn()
        .unwrap()
        .to_string();
    moto().stop_task(
        region,
        &died,
        "EssentialContainerExited",
        "Essential container in task exited",
        &[(Some(137), Some("OutOfMemoryError: Container killed"))],
        chrono::Utc::now().timestamp() - 60,
    );
    crate::support::memory_alarm(&config, "api memory", "prod", "api").await;
    let at = chrono::Utc::now().timestamp_millis() - 30_000;
    crate::support::log_lines(
        &config,
        "/ecs/api",
        "ecs/api/0123456789abcdef",
        &[(
            at,
            r#"{"level":"error","correlationId":"req-contract","msg":"upstream timed out"}"#,
        )],
    )
    .await;
    task
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_against_moto_matches_its_schema_one_region_and_three() {
    let regions = [fresh_region(), fresh_region(), fresh_region()];
    let mut tasks = Vec::new();
    for region in regions {
        tasks.push(seed(region).await);
    }
    let home = tempfile::tempdir().unwrap();
    let run = |regions: &[&str], args: &[&str]| {
        let mut cmd = triage(&home);
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .args(["--endpoint-url", &moto().endpoint]);
        for r in regions {
            cmd.args(["--region", r]);
        }
        stdout(cmd.args(args).args(["-o", "json"]))
    };
    let mut shapes: Vec<(&str, BTreeSet<String>, BTreeSet<String>)> = Vec::new();
    for name in ["status", "alarms", "changes", "diagnose"] {
        let one = validated(name, &run(&regions[..1], &[name])).remove(0);
        let three = validated(name, &run(&regions, &[name])).remove(0);
        assert_eq!(one["pairs"].as_array().unwrap().len(), 1, "{name}");
        assert_eq!(three["pairs"].as_array().unwrap().len(), 3, "{name}");
        let accounts: BTreeSet<&str> = three["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["region"].as_str().unwrap())
            .collect();
        assert_eq!(accounts.len(), 3, "{name}: {three}");
        shapes.push((name, shape(&one), shape(&three)));
    }
    for (name, one, three) in shapes {
        assert_eq!(one, three, "{name}: one region and three differ");
    }
    let lines = validated(
        "logs",
        &run(&regions, &["logs", "req-contract", "--since", "1h"]),
    );
    assert_eq!(lines.len(), 3, "one line in each region: {lines:?}");
    let lines = validated(
        "logs",
        &run(&regions[..1], &["logs", "req-contract", "--since", "1h"]),
    );
    assert_eq!(lines[0]["region"], regions[0]);
    assert_eq!(lines[0]["account"], "123456789012");
    validated(
        "exec-check",
        &run(&regions[..1], &["exec", "--task", &tasks[0], "--check"]),
    );
    validated(
        "runbook-run",
        &run(
            &regions[..1],
            &[
                "runbook",
                "run",
                "service-down",
                "--param",
                "cluster=prod",
                "--param",
                "service=api",
                "--dry-run",
            ],
        ),
    );
}
