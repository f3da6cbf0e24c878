//! A journal written by triage before the runbook engine was typed (the
//! fixture in `tests/fixtures/journals/left-waiting/`, written by the
//! release of commit 34126b2: a run of `left-waiting.md` that stopped
//! waiting for an approval) still loads, rebuilds to the same place, and
//! resumes to the end.

use assert_cmd::Command;
use std::path::Path;
use triage::domain::runbook::parse::parse;
use triage::domain::runbook::{Next, RunState, StepState};

const RUN: &str = "run-01m8sm5g7km043x4qssaj7w66k";

fn fixture() -> (tempfile::TempDir, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journals");
    let incident = std::fs::read_to_string(root.join("left-waiting/INCIDENT"))
        .unwrap()
        .trim()
        .to_string();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("incidents").join(&incident);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        root.join("left-waiting/journal.jsonl"),
        dir.join("journal.jsonl"),
    )
    .unwrap();
    std::fs::copy(
        root.join("left-waiting.md"),
        home.path().join("left-waiting.md"),
    )
    .unwrap();
    (home, incident)
}

#[test]
fn an_old_journal_rebuilds_to_where_the_run_stopped() {
    let (home, incident) = fixture();
    let store = triage::store::IncidentStore::new(&home.path().join("incidents"));
    let loaded = store.load(&incident).unwrap();
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    let text = std::fs::read_to_string(home.path().join("left-waiting.md")).unwrap();
    let rb = parse("left-waiting.md", &text).runbook;
    let state = RunState::rebuild(&rb, RUN, &loaded.incident.entries).expect("the run is there");
    assert!(state.changes_since_start(&rb).is_empty(), "same file");
    assert_eq!(state.steps[0].state, StepState::Succeeded);
    assert_eq!(state.outputs()["one"]["count"], "1");
    assert_eq!(state.next(&rb), Next::Answer { index: 1 });
    assert_eq!(state.waiting_for(&rb), Some("approve"));
}

#[test]
fn an_old_journal_resumes_to_the_end() {
    let (home, incident) = fixture();
    let out = Command::cargo_bin("triage")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("USER", "dana")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TRIAGE_LOG_FILE", home.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("TRIAGE_DATA_DIR", home.path().join("incidents"))
        .args(["--demo", "runbook", "run"])
        .arg(home.path().join("left-waiting.md"))
        .args(["--resume", RUN, "--answer", "approve=erin", "-o", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["state"], "succeeded", "{stdout}");
    assert_eq!(last["incident"], incident.as_str());
    // Step one ran once (before), step two once (now), in the artifacts folder.
    let ran = std::fs::read_to_string(
        home.path()
            .join("incidents")
            .join(&incident)
            .join("artifacts/ran"),
    )
    .unwrap_or_default();
    assert_eq!(ran, "two\n", "only step two ran now: {ran:?}");
    assert!(stdout.contains(r#""step":"approve""#) && stdout.contains(r#""state":"succeeded""#));
}
