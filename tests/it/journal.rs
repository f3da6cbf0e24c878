//! The journal never loses a line: a writer killed with SIGKILL mid-stream
//! loses nothing it reported written; two processes appending at once never
//! interleave; a torn line is skipped and reported, never fatal; redaction
//! runs on every write.
// A test prints what it saw (triage code prints only through its cleaning macros).
#![allow(clippy::disallowed_macros)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use triage::domain::timeline::redact::Redactor;
use triage::domain::timeline::{Actor, EntryDraft, EntryKind};
use triage::store::Journal;
use triage::wiring::SystemClock;

const CHILD_DIR: &str = "TRIAGE_TEST_JOURNAL_DIR";
const CHILD_NAME: &str = "TRIAGE_TEST_WRITER";
const CHILD_COUNT: &str = "TRIAGE_TEST_COUNT";

/// Not a test on its own: the writer process the tests below start.
#[test]
#[ignore]
fn journal_writer_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let name = std::env::var(CHILD_NAME).unwrap();
    let count: usize = std::env::var(CHILD_COUNT).unwrap().parse().unwrap();
    let journal = Journal::new(Path::new(&dir));
    let redactor = Redactor::default();
    let padding = "x".repeat(180);
    for i in 0..count {
        let draft = EntryDraft::new(
            EntryKind::Note,
            Actor::Human { name: name.clone() },
            format!("{name} #{i} {padding}"),
        );
        let entry = journal.append(draft, &redactor, &SystemClock).unwrap();
        // Reported only once the append (and its fsync) has returned.
        println!("wrote {name} {i} {}", entry.seq);
    }
}

fn writer(dir: &Path, name: &str, count: usize) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        "journal::journal_writer_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_DIR, dir)
    .env(CHILD_NAME, name)
    .env(CHILD_COUNT, count.to_string())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    cmd
}

fn reported(line: &str) -> Option<(String, usize, u64)> {
    let mut parts = line.strip_prefix("wrote ")?.split_whitespace();
    Some((
        parts.next()?.to_string(),
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

#[test]
fn a_writer_killed_at_random_points_loses_nothing_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    let mut reported_seqs = Vec::new();
    for round in 0..4 {
        let mut child = writer(dir.path(), &format!("w{round}"), 5000)
            .spawn()
            .unwrap();
        let stop_after = fastrand::usize(20..600);
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < stop_after {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(r) = reported(&line) {
                        reported_seqs.push(r.2);
                        seen += 1;
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap(); // SIGKILL, wherever it is
        child.wait().unwrap();
        // Lines already in the pipe were reported written too.
        for line in lines.map_while(Result::ok) {
            if let Some(r) = reported(&line) {
                reported_seqs.push(r.2);
            }
        }
        let report = journal.read().expect("the reader survives a killed writer");
        assert!(
            report.skipped.len() <= round + 1,
            "at most one torn line per kill: {:?}",
            report.skipped
        );
        let on_disk: std::collections::HashSet<u64> =
            report.entries.iter().map(|e| e.seq).collect();
        for seq in &reported_seqs {
            assert!(
                on_disk.contains(seq),
                "entry {seq} was reported written but is missing"
            );
        }
    }
    let report = journal.read().unwrap();
    let seqs: Vec<u64> = report.entries.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "sequence numbers only grow"
    );
    assert!(seqs.len() >= reported_seqs.len());
}

#[test]
fn two_processes_appending_at_once_never_interleave_or_lose_lines() {
    let dir = tempfile::tempdir().unwrap();
    let per_writer = 600;
    let a = writer(dir.path(), "alice", per_writer).spawn().unwrap();
    let b = writer(dir.path(), "bob", per_writer).spawn().unwrap();
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
    }
    let bytes = std::fs::read(dir.path().join("journal.jsonl")).unwrap();
    let report = Journal::new(dir.path()).read().unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.entries.len(), 2 * per_writer);
    assert_eq!(
        bytes.iter().filter(|b| **b == b'\n').count(),
        2 * per_writer,
        "one line per entry"
    );
    let mut seqs: Vec<u64> = report.entries.iter().map(|e| e.seq).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=(2 * per_writer) as u64).collect::<Vec<_>>(),
        "unique, gapless sequence numbers"
    );
    for name in ["alice", "bob"] {
        let mine: Vec<usize> = report
            .entries
            .iter()
            .filter_map(|e| e.summary.strip_prefix(&format!("{name} #")))
            .map(|rest| rest.split_whitespace().next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(
            mine,
            (0..per_writer).collect::<Vec<_>>(),
            "{name}'s entries, all, in order"
        );
    }
}

#[test]
fn a_torn_line_is_skipped_and_reported_and_the_next_append_starts_clean() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    let clock = Arc::new(SystemClock);
    let redactor = Redactor::default();
    for i in 0..3 {
        journal
            .append(
                EntryDraft::new(EntryKind::Note, Actor::Console, format!("n{i}")),
                &redactor,
                clock.as_ref(),
            )
            .unwrap();
    }
    // A power cut mid-write.
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(journal.path())
        .unwrap();
    file.write_all(br#"{"v":1,"id":"01TORN","seq":4,"occurred_at":"2026-01-"#)
        .unwrap();
    drop(file);
    let report = journal.read().unwrap();
    assert_eq!(report.entries.len(), 3);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].1.contains("torn"), "{:?}", report.skipped);

    let next = journal
        .append(
            EntryDraft::new(EntryKind::Note, Actor::Console, "after the crash"),
            &redactor,
            clock.as_ref(),
        )
        .unwrap();
    assert_eq!(next.seq, 4);
    let report = journal.read().unwrap();
    assert_eq!(report.entries.len(), 4);
    assert_eq!(report.entries[3].summary, "after the crash");
    assert_eq!(
        report.skipped.len(),
        1,
        "the torn line stays skipped, nothing else is lost"
    );
}

#[test]
fn secrets_never_reach_the_file_or_any_export() {
    let dir = tempfile::tempdir().unwrap();
    let store = triage::store::IncidentStore::new(dir.path());
    let clock = SystemClock;
    let mut redactor = Redactor::default();
    let secret = "Pr0d-DB-p4ss-9f8e7d";
    redactor.add_secret(secret);
    let id = store
        .start(
            "DB credentials leak",
            None,
            Actor::Console,
            &redactor,
            &clock,
        )
        .unwrap();
    let mut note = EntryDraft::new(
        EntryKind::Note,
        Actor::Human { name: "alice".into() },
        format!("rotated {secret}; old header was Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
    );
    note.detail = Some(format!(
        "```\nDATABASE_URL=postgres://app:{secret}@db/prod\n```"
    ));
    store.journal(&id).append(note, &redactor, &clock).unwrap();

    let file = std::fs::read_to_string(store.journal(&id).path()).unwrap();
    let incident = store.load(&id).unwrap().incident;
    let exports = [
        file.clone(),
        triage::domain::timeline::export::markdown(&incident),
        triage::domain::timeline::export::json(&incident).to_string(),
        triage::domain::timeline::export::csv(&incident),
    ];
    for text in &exports {
        assert!(!text.contains(secret), "secret leaked into:\n{text}");
        assert!(
            !text.contains("eyJhbGciOiJIUzI1NiJ9"),
            "bearer token leaked into:\n{text}"
        );
        assert!(text.contains("[REDACTED]"));
    }
}
