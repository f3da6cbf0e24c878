//! Crash safety: a run killed with SIGKILL in step 3 of 5 keeps steps 1 and 2
//! exactly once; step 3 comes back unknown and is not re-run until the
//! operator says so; then it runs next. A changed file refuses to resume.

use assert_cmd::cargo::CommandCargoExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FIVE: &str = "---\nrunbook: 1\nid: five\ntitle: Five shell steps\n---\n\n## One\n\n```bash {id=s1 kind=shell}\necho one >> ran\n```\n\n## Two\n\n```bash {id=s2 kind=shell}\necho two >> ran\n```\n\n## Three\n\n```bash {id=s3 kind=shell}\necho three >> ran\nif [ ! -f ../../go ]; then sleep 30; fi\n```\n\n## Four\n\n```bash {id=s4 kind=shell}\necho four >> ran\n```\n\n## Five\n\n```bash {id=s5 kind=shell}\necho five >> ran\n```\n";

fn triage(data: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", data)
        .env("USER", "carol")
        .env("TRIAGE_LOG_FILE", data.join("triage.log"))
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("TRIAGE_DATA_DIR", data.join("incidents"))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--demo");
    cmd
}

fn journal(data: &std::path::Path) -> (std::path::PathBuf, String) {
    let dir = std::fs::read_dir(data.join("incidents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let text = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap_or_default();
    (dir, text)
}

fn count(journal: &str, step: &str, state: &str) -> usize {
    journal
        .lines()
        .filter(|l| {
            l.contains(&format!(r#""step_id":"{step}""#))
                && l.contains(&format!(r#""state":"{state}""#))
        })
        .count()
}

#[test]
fn a_run_killed_in_step_three_resumes_without_repeating_steps_one_and_two() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("five.md");
    std::fs::write(&file, FIVE).unwrap();
    let mut child = triage(data.path())
        .args(["runbook", "run", file.to_str().unwrap(), "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until step 3 is running (its script sleeps), then kill -9.
    let started = Instant::now();
    loop {
        if data.path().join("incidents").exists() {
            let (_, j) = journal(data.path());
            if count(&j, "s3", "running") == 1 {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "step 3 never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (dir, j) = journal(data.path());
    let run_id = j
        .lines()
        .find_map(|l| {
            l.split(r#""run_id":""#)
                .nth(1)
                .map(|r| r.split('"').next().unwrap().to_string())
        })
        .unwrap();
    assert_eq!(count(&j, "s1", "succeeded"), 1);
    assert_eq!(count(&j, "s2", "succeeded"), 1);

    // Resuming without an answer: step 3 is unknown and waits for the operator (exit 4).
    let out = triage(data.path())
        .args([
            "runbook",
            "run",
            file.to_str().unwrap(),
            "--resume",
            &run_id,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("was running when the run stopped"));
    let ran = std::fs::read_to_string(dir.join("artifacts/ran")).unwrap();
    assert_eq!(
        ran, "one\ntwo\nthree\n",
        "nothing re-ran without the operator"
    );

    // A changed file refuses to resume without --accept-changes.
    std::fs::write(&file, FIVE.replace("echo four", "echo FOUR")).unwrap();
    let out = triage(data.path())
        .args([
            "runbook",
            "run",
            file.to_str().unwrap(),
            "--resume",
            &run_id,
            "--answer",
            "s3=retry",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("s4 (edited)"));
    std::fs::write(&file, FIVE).unwrap();

    // The operator says: run it again. Step 3 runs next, then 4 and 5.
    // (the script looks for `go` two folders above its artifacts folder)
    std::fs::write(data.path().join("incidents/go"), "").unwrap();
    let out = triage(data.path())
        .args([
            "runbook",
            "run",
            file.to_str().unwrap(),
            "--resume",
            &run_id,
            "--answer",
            "s3=retry",
        ])
        .current_dir(data.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (_, j) = journal(data.path());
    assert_eq!(count(&j, "s1", "succeeded"), 1, "step 1 exactly once");
    assert_eq!(count(&j, "s2", "succeeded"), 1, "step 2 exactly once");
    assert_eq!(count(&j, "s3", "succeeded"), 1);
    assert_eq!(count(&j, "s5", "succeeded"), 1);
    let ran = std::fs::read_to_string(dir.join("artifacts/ran")).unwrap();
    assert_eq!(ran, "one\ntwo\nthree\nthree\nfour\nfive\n");
}
