//! `triage incident …` as a command: start, list, note, milestone, close,
//! export; which incident is meant; clear errors for bad input.

use assert_cmd::Command;

fn triage(data: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", data.path())
        .env("USER", "alice")
        .env("TRIAGE_LOG_FILE", data.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", data.path().join("config"))
        .env("TRIAGE_DATA_DIR", data.path().join("incidents"));
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    String::from_utf8(cmd.assert().code(code).get_output().stderr.clone()).unwrap()
}

#[test]
fn an_incident_from_start_to_export() {
    let data = tempfile::tempdir().unwrap();
    let id = stdout(triage(&data).args([
        "incident",
        "start",
        "Checkout errors after deploy",
        "--severity",
        "sev2",
    ]));
    let id = id.trim().to_string();
    assert!(id.ends_with("-checkout-errors-after-deploy"), "{id}");

    stdout(triage(&data).args([
        "incident",
        "milestone",
        "impact_started",
        "--at",
        "2026-01-28T02:49:00Z",
    ]));
    stdout(triage(&data).args([
        "incident",
        "milestone",
        &id,
        "detected",
        "--at",
        "2026-01-28T03:12:00Z",
    ]));
    stdout(triage(&data).args([
        "incident",
        "note",
        "Rolled back to revision 40",
        "--important",
    ]));
    stdout(triage(&data).args([
        "incident",
        "note",
        &id,
        "Add a memory alarm",
        "--tag",
        "followup",
    ]));
    stdout(triage(&data).args([
        "incident",
        "milestone",
        "mitigated",
        "--at",
        "2026-01-28T03:24:00Z",
    ]));

    let list: serde_json::Value = serde_json::from_str(&stdout(
        triage(&data).args(["incident", "list", "-o", "json"]),
    ))
    .unwrap();
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["severity"], "SEV2");
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[0]["entries"], 6);

    let md = stdout(triage(&data).args(["incident", "export", "--format", "md"]));
    assert!(md.starts_with("# Post-mortem: Checkout errors after deploy"));
    assert!(md.contains("| **Time to detect** | 23m 00s |"), "{md}");
    assert!(md.contains("| **Time to mitigate** | 35m 00s |"));
    assert!(md.contains("| Add a memory alarm | _owner_ | _due_ |"));
    assert!(md.contains("| Responders | alice |"));

    let out = data.path().join("timeline.json");
    triage(&data)
        .args(["incident", "export", &id, "--format", "json", "-o"])
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["incident"]["title"], "Checkout errors after deploy");
    let entries = doc["entries"].as_array().unwrap();
    let times: Vec<&str> = entries
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));

    let csv = stdout(triage(&data).args(["incident", "export", "--format", "csv"]));
    assert!(csv.starts_with("seq,id,occurred_at"));

    stdout(triage(&data).args(["incident", "close"]));
    let list = stdout(triage(&data).args(["incident", "list"]));
    assert!(list.contains("closed"), "{list}");
    // Nothing open any more: a note needs an id now.
    let err = stderr_of(triage(&data).args(["incident", "note", "late thought"]), 2);
    assert!(err.contains("no open incident"), "{err}");
    stdout(triage(&data).args(["incident", "note", &id, "late thought"]));
}

#[test]
fn several_open_incidents_must_be_named() {
    let data = tempfile::tempdir().unwrap();
    let a = stdout(triage(&data).args(["incident", "start", "first"]));
    let b = stdout(triage(&data).args(["incident", "start", "second"]));
    let err = stderr_of(triage(&data).args(["incident", "note", "which one?"]), 2);
    assert!(err.contains(a.trim()) && err.contains(b.trim()), "{err}");
    stdout(triage(&data).args(["incident", "note", a.trim(), "this one"]));
}

#[test]
fn bad_input_is_explained() {
    let data = tempfile::tempdir().unwrap();
    let err = stderr_of(
        triage(&data).args(["incident", "start", "x", "--severity", "SEV9"]),
        2,
    );
    assert!(err.contains("SEV1"), "{err}");
    let err = stderr_of(triage(&data).args(["incident", "start", "  "]), 2);
    assert!(err.contains("title"), "{err}");
    stdout(triage(&data).args(["incident", "start", "real"]));
    let err = stderr_of(triage(&data).args(["incident", "milestone", "fixed"]), 2);
    assert!(
        err.contains("impact_started") && err.contains("resolved"),
        "{err}"
    );
    let err = stderr_of(
        triage(&data).args(["incident", "note", "x", "--at", "around three"]),
        2,
    );
    assert!(err.contains("15m ago"), "{err}");
    let err = stderr_of(
        triage(&data).args(["incident", "export", "no-such-incident"]),
        2,
    );
    assert!(err.contains("no incident `no-such-incident`"), "{err}");
    let err = stderr_of(triage(&data).args(["incident", "note", ""]), 2);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn list_reports_a_torn_line_and_keeps_going() {
    let data = tempfile::tempdir().unwrap();
    let id = stdout(triage(&data).args(["incident", "start", "torn"]));
    let journal = data
        .path()
        .join("incidents")
        .join(id.trim())
        .join("journal.jsonl");
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap()
        .write_all(b"{\"v\":1,\"id\":\"x")
        .unwrap();
    let out = triage(&data).args(["incident", "list"]).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("torn last line"), "{stderr}");
    stdout(triage(&data).args(["incident", "note", "after the tear"]));
    let md = stdout(triage(&data).args(["incident", "export"]));
    assert!(md.contains("after the tear"));
}
