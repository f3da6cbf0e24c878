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
    let list = &list["incidents"];
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

#[test]
fn export_after_close_exports_the_incident_closed_last() {
    let data = tempfile::tempdir().unwrap();
    let first = stdout(triage(&data).args(["incident", "start", "first outage"]));
    stdout(triage(&data).args(["incident", "close", first.trim()]));
    let second = stdout(triage(&data).args(["incident", "start", "egress at 3 AM"]));
    stdout(triage(&data).args(["incident", "note", "locked down sg-0a1b"]));
    stdout(triage(&data).args(["incident", "close"]));
    let out = triage(&data)
        .args(["incident", "export", "--format", "md"])
        .assert()
        .success();
    let md = String::from_utf8_lossy(&out.get_output().stdout);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(md.starts_with("# Post-mortem: egress at 3 AM"), "{md}");
    assert!(md.contains("locked down sg-0a1b"));
    assert!(
        stderr.contains(&format!("no incident is open: exporting {}", second.trim())),
        "{stderr}"
    );
}

#[test]
fn an_empty_data_dir_variable_is_unset_not_the_current_directory() {
    let data = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = triage(&data)
            .env("TRIAGE_DATA_DIR", "")
            .env("XDG_DATA_HOME", data.path().join("xdg"))
            .current_dir(cwd.path())
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    let id = run(&["incident", "start", "egress"]);
    assert_eq!(
        std::fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "nothing in the current directory"
    );
    assert!(data
        .path()
        .join("xdg/triage/incidents")
        .join(id.trim())
        .is_dir());
    assert!(run(&["incident", "list"]).contains(id.trim()));
}

/// `ulimit -f 0` makes every write to a file fail (EFBIG, as a full disk
/// fails with ENOSPC) while directories can still be made.
#[test]
fn a_start_that_cannot_write_leaves_no_incident_behind() {
    let data = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("triage");
    let status = std::process::Command::new("sh")
        .env_clear()
        .env("HOME", data.path())
        .env("USER", "alice")
        .env("TRIAGE_LOG_FILE", "/dev/null")
        .env("XDG_CONFIG_HOME", data.path().join("config"))
        .env("TRIAGE_DATA_DIR", data.path().join("incidents"))
        .args([
            "-c",
            "ulimit -f 0; trap '' XFSZ; exec \"$0\" incident start 'will not be written'",
        ])
        .arg(&bin)
        .output()
        .unwrap();
    assert!(!status.status.success(), "{status:?}");
    assert!(
        String::from_utf8_lossy(&status.stderr).contains("journal"),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let list = stdout(triage(&data).args(["incident", "list"]));
    assert!(list.contains("No incidents yet"), "{list}");
    // And the next start is the one open incident, not one of "several".
    stdout(triage(&data).args(["incident", "start", "the real one"]));
    stdout(triage(&data).args(["incident", "note", "no need to say which"]));
}

#[test]
fn milestones_out_of_order_are_refused_and_no_duration_is_negative() {
    let data = tempfile::tempdir().unwrap();
    let id = stdout(triage(&data).args(["incident", "start", "checkout errors"]));
    stdout(triage(&data).args(["incident", "milestone", "detected", "--at", "10m ago"]));
    let err = stderr_of(
        triage(&data).args(["incident", "milestone", "resolved", "--at", "20m ago"]),
        2,
    );
    assert!(
        err.contains("resolved at")
            && err.contains("would come before detected at")
            && err.contains("a later time"),
        "{err}"
    );
    let err = stderr_of(
        triage(&data).args(["incident", "milestone", "impact_started", "--at", "5m ago"]),
        2,
    );
    assert!(err.contains("would come after detected"), "{err}");

    // A journal from before the order was kept: resolved before detected,
    // both before the incident's start. The post-mortem has no negative time.
    let journal = data
        .path()
        .join("incidents")
        .join(id.trim())
        .join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let detected: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let mut resolved = detected.clone();
    resolved["id"] = "01OLDRESOLVED".into();
    resolved["seq"] = 99.into();
    resolved["milestone"] = "resolved".into();
    resolved["summary"] = "Resolved".into();
    let at = chrono::Utc::now() - chrono::Duration::minutes(30);
    resolved["occurred_at"] = at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        .into();
    std::fs::write(&journal, format!("{text}{resolved}\n")).unwrap();
    let md = stdout(triage(&data).args(["incident", "export", "--format", "md"]));
    assert!(!md.contains("| -"), "{md}");
    assert!(
        md.contains("| **Time to detect** | 20m 00s |")
            || md.contains("| **Time to detect** | 19m 59s |"),
        "{md}"
    );
}

#[test]
fn a_journal_line_from_a_newer_triage_is_reported_and_skipped() {
    let data = tempfile::tempdir().unwrap();
    let id = stdout(triage(&data).args(["incident", "start", "egress"]));
    let journal = data
        .path()
        .join("incidents")
        .join(id.trim())
        .join("journal.jsonl");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("{\"v\":99,\"id\":\"01FUTURE\",\"seq\":2,\"shape\":\"unknown to v1\"}\n");
    std::fs::write(&journal, text).unwrap();
    let out = triage(&data).args(["incident", "list"]).assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains(
            "line 2: written by a newer triage (journal format v99; this one reads v1): skipped"
        ),
        "{stderr}"
    );
}

#[test]
fn severity_left_to_choose_is_said_and_set_later_with_the_title() {
    let data = tempfile::tempdir().unwrap();
    // Not a terminal: never asked, but told how to set it.
    let out = triage(&data)
        .args(["incident", "start", "Checkout errors"])
        .assert()
        .success()
        .get_output()
        .clone();
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains(&format!("triage incident set {id} --severity")),
        "{said}"
    );
    let md = stdout(triage(&data).args(["incident", "export"]));
    assert!(md.contains("| Severity | _to choose:"), "{md}");

    let set = stdout(triage(&data).args([
        "incident",
        "set",
        "--title",
        "Checkout errors after v2.3 deploy",
        "--severity",
        "2",
    ]));
    assert!(set.contains("severity set to SEV2"), "{set}");
    let md = stdout(triage(&data).args(["incident", "export"]));
    assert!(
        md.starts_with("# Post-mortem: Checkout errors after v2.3 deploy\n"),
        "{md}"
    );
    assert!(md.contains("| Severity | SEV2 |"), "{md}");
    // The id does not change with the title.
    assert!(md.contains(&format!("| Incident | `{id}` |")), "{md}");

    let err = stderr_of(triage(&data).args(["incident", "set"]), 2);
    assert!(err.contains("nothing to change"), "{err}");
    let err = stderr_of(
        triage(&data).args(["incident", "set", "--severity", "SEV9"]),
        2,
    );
    assert!(err.contains("SEV1, SEV2, SEV3, SEV4"), "{err}");
}

#[test]
fn a_cli_run_without_an_incident_opens_one_named_after_its_service_with_a_severity() {
    let data = tempfile::tempdir().unwrap();
    let out = triage(&data)
        .args([
            "--demo",
            "runbook",
            "run",
            "compromised-host",
            "--service",
            "prod-web/backend-api",
            "--yes",
        ])
        .assert()
        .get_output()
        .clone();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("\"prod-web/backend-api: Compromised host sending traffic out\", SEV1"),
        "{said}"
    );
    let md = stdout(triage(&data).args(["incident", "export"]));
    assert!(md.contains("| Severity | SEV1 |"), "{md}");
    assert!(!md.contains("Runbook: "), "{md}");
}
