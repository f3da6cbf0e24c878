//! Shared incidents against moto: two responders, two data dirs, two
//! processes, one timeline through a CloudWatch Logs group; each entry keeps
//! its author.

use crate::support::{fresh_region, moto};
use assert_cmd::Command;

fn responder(name: &str, data: &tempfile::TempDir, region: &str) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", data.path())
        .env("USER", name)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRIAGE_LOG_FILE", data.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", data.path().join("config"))
        .env("TRIAGE_DATA_DIR", data.path().join("incidents"))
        .args([
            "--share",
            "--region",
            region,
            "--endpoint-url",
            &moto().endpoint,
        ]);
    cmd
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn authors(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"]["name"].as_str().unwrap_or("").to_string(),
                e["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn two_responders_in_two_processes_see_one_timeline() {
    let region = fresh_region();
    let alice_dir = tempfile::tempdir().unwrap();
    let bob_dir = tempfile::tempdir().unwrap();

    let id = ok(responder("alice", &alice_dir, region).args([
        "incident",
        "start",
        "Egress spike",
        "--severity",
        "SEV1",
    ]));
    let id = id.trim();
    ok(responder("alice", &alice_dir, region).args([
        "incident",
        "note",
        id,
        "Outbound traffic 10x normal on prod-web",
    ]));

    // Bob joins by id: alice's entries come in, his go out.
    ok(responder("bob", &bob_dir, region).args([
        "incident",
        "note",
        id,
        "Blocking egress on sg-0abc",
    ]));
    ok(responder("bob", &bob_dir, region).args(["incident", "milestone", id, "contained"]));

    // Both now export the same timeline, each entry with its author.
    let export = |who: &str, dir: &tempfile::TempDir| -> serde_json::Value {
        serde_json::from_str(&ok(
            responder(who, dir, region).args(["incident", "export", id, "--format", "json"])
        ))
        .unwrap()
    };
    let from_alice = export("alice", &alice_dir);
    let from_bob = export("bob", &bob_dir);
    let a = authors(&from_alice);
    let b = authors(&from_bob);
    assert_eq!(a, b, "one timeline");
    assert!(
        a.contains(&(
            "alice".into(),
            "Outbound traffic 10x normal on prod-web".into()
        )),
        "{a:?}"
    );
    assert!(
        a.contains(&("bob".into(), "Blocking egress on sg-0abc".into())),
        "{a:?}"
    );
    assert!(a.contains(&("bob".into(), "Contained".into())), "{a:?}");
    assert_eq!(from_alice["incident"]["title"], "Egress spike");
    assert_eq!(from_bob["incident"]["severity"], "SEV1");
    // Each entry once, however often it was pulled.
    ok(responder("alice", &alice_dir, region).args(["incident", "export", id]));
    let again = authors(&export("alice", &alice_dir));
    assert_eq!(again.len(), a.len());
    // The log group is where the README says.
    assert!(moto().calls(region, "PutLogEvents") >= 4);

    // Bob adds one more by its id; alice's commands without an id (the one
    // open incident) pull it first: her export, her list, her next note.
    ok(responder("bob", &bob_dir, region).args([
        "incident",
        "note",
        id,
        "Flow logs show 198.51.100.23:6667",
    ]));
    let md = ok(responder("alice", &alice_dir, region).args(["incident", "export"]));
    assert!(md.contains("Flow logs show 198.51.100.23:6667"), "{md}");
    ok(responder("bob", &bob_dir, region).args(["incident", "note", id, "Rotating secrets"]));
    let listed = ok(responder("alice", &alice_dir, region).args(["incident", "list"]));
    let entries_before = authors(&export("alice", &alice_dir)).len();
    assert!(listed.contains(id), "{listed}");
    ok(responder("bob", &bob_dir, region).args(["incident", "note", id, "Redeployed"]));
    ok(responder("alice", &alice_dir, region).args(["incident", "note", "Egress back to normal"]));
    let from_alice = authors(&export("alice", &alice_dir));
    let from_bob = authors(&export("bob", &bob_dir));
    assert_eq!(from_alice.len(), entries_before + 2, "{from_alice:?}");
    assert_eq!(from_alice, from_bob, "one timeline, each entry once");
    assert!(from_alice.contains(&("bob".into(), "Redeployed".into())));
    assert!(from_alice.contains(&("alice".into(), "Egress back to normal".into())));
}

#[test]
fn sharing_failure_is_an_aws_error_and_the_local_entry_is_kept() {
    let region = fresh_region();
    let dir = tempfile::tempdir().unwrap();
    let id = ok(responder("alice", &dir, region).args(["incident", "start", "x"]));
    moto().fail(region, "PutLogEvents", "AccessDeniedException", 1);
    let out = responder("alice", &dir, region)
        .args(["incident", "note", id.trim(), "kept locally"])
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("written locally, but not shared"),
        "{stderr}"
    );
    let journal = std::fs::read_to_string(
        dir.path()
            .join("incidents")
            .join(id.trim())
            .join("journal.jsonl"),
    )
    .unwrap();
    assert!(journal.contains("kept locally"));
}
