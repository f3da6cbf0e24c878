//! The one decision on resuming a run, shared by `triage runbook run
//! --resume` and the console's `:resume`: a run that is not there, one that
//! has ended, an edited runbook (refused unless accepted), secret
//! parameters (never journaled: given again), and steps found running.

use triage::app::commands::palette::resume_args;
use triage::domain::runbook::parse::parse as parse_runbook;
use triage::domain::runbook::resume::{decide_resume, ResumeAsk, ResumeRefused};
use triage::domain::runbook::run::{start_entry, transition, RunState, Transition};
use triage::domain::runbook::StepState;
use triage::domain::timeline::{Actor, Entry, EntryDraft};

const RB: &str = "---\nrunbook: 1\nid: two\ntitle: Two steps\nparams:\n  cluster: { type: string, required: true }\n  token: { type: string, secret: true }\n---\n\n## One\n\n```bash {id=one kind=shell}\necho one\n```\n\n## Two\n\n```bash {id=two kind=shell}\necho two\n```\n";

fn entry(draft: EntryDraft, seq: u64) -> Entry {
    draft.into_entry(format!("e{seq}"), seq, chrono::Utc::now())
}

/// A run whose step one succeeded and step two was running when it stopped.
fn entries() -> Vec<Entry> {
    let rb = parse_runbook("two.md", RB).runbook;
    let state = RunState::new(&rb, "run-x", serde_json::json!({"cluster": "prod"}));
    let mut out = vec![entry(start_entry(&rb, &state, Actor::Console), 1)];
    for (index, s) in [
        (0, StepState::Planned),
        (0, StepState::Succeeded),
        (1, StepState::Running),
    ] {
        let t = Transition {
            state: s,
            attempt: 1,
            ..Transition::default()
        };
        let n = out.len() as u64 + 1;
        out.push(entry(transition(&rb, &state, index, Actor::Console, t), n));
    }
    out
}

fn ask(run_id: &str) -> ResumeAsk {
    ResumeAsk {
        run_id: run_id.into(),
        ..Default::default()
    }
}

#[test]
fn a_run_that_is_not_there_is_refused() {
    let rb = parse_runbook("two.md", RB).runbook;
    let err = decide_resume(&rb, &entries(), &ask("run-nope")).unwrap_err();
    assert!(matches!(err, ResumeRefused::NoSuchRun { .. }));
    assert!(err
        .to_string()
        .contains("run `run-nope` is not a run of `two`"));
}

#[test]
fn secret_parameters_must_be_given_again_and_then_it_goes_on() {
    let rb = parse_runbook("two.md", RB).runbook;
    let err = decide_resume(&rb, &entries(), &ask("run-x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "secret parameters are never journaled: give token again to resume run run-x (--param NAME=VALUE)"
    );
    let mut with_token = ask("run-x");
    with_token.given.insert("token".into(), "s3cret".into());
    let ok = decide_resume(&rb, &entries(), &with_token).unwrap();
    // The journaled parameter is back; the running step comes back unknown.
    assert_eq!(ok.params.get("cluster").unwrap().render(), "prod");
    assert_eq!(ok.params.get("token").unwrap().render(), "s3cret");
    assert_eq!(ok.unknown, vec!["two".to_string()]);
}

#[test]
fn an_edited_runbook_is_refused_unless_the_changes_are_accepted() {
    let edited = RB.replace("echo two", "echo TWO");
    let rb = parse_runbook("two.md", &edited).runbook;
    let mut a = ask("run-x");
    a.given.insert("token".into(), "t".into());
    let err = decide_resume(&rb, &entries(), &a).unwrap_err();
    assert!(
        err.to_string()
            .contains("changed since run run-x began (two (edited))"),
        "{err}"
    );
    assert!(err.to_string().contains("--accept-changes"));
    a.accept_changes = true;
    let ok = decide_resume(&rb, &entries(), &a).unwrap();
    assert_eq!(ok.accepted_changes, vec!["two (edited)".to_string()]);
    // The journal says the run goes on with what changed, accepted.
    let said = ok.accepted_entry(&rb, Actor::Console).expect("an entry");
    assert!(
        said.summary.contains("two (edited)") && said.summary.contains("accepted"),
        "{}",
        said.summary
    );
}

#[test]
fn the_console_reads_the_same_flags() {
    let a = resume_args("run-x --accept-changes --param token=t").unwrap();
    assert_eq!(a.run_id, "run-x");
    assert!(a.accept_changes);
    assert_eq!(a.given.get("token").map(String::as_str), Some("t"));
    let newest = resume_args("").unwrap();
    assert!(newest.run_id.is_empty());
    assert!(resume_args("--param").unwrap_err().contains("NAME=VALUE"));
    assert!(resume_args("--force")
        .unwrap_err()
        .contains("--accept-changes"));
}
