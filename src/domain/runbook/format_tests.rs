//! The runbook format: parsing, every lint rule (with its line), the shipped
//! runbooks, and the step state machine rebuilt from journal entries.

use proptest::prelude::*;
use triage::domain::runbook::lint::{check, has_errors};
use triage::domain::runbook::parse::parse;
use triage::domain::runbook::run::{transition, Next, RunState, Transition};
use triage::domain::runbook::StepState;
use triage::domain::runbook::{Confirm, OnFailure, Severity};
use triage::domain::timeline::entry::ResultRecord;
use triage::domain::timeline::{Actor, Entry, EntryDraft};

const GOOD: &str = r#"---
runbook: 1
id: ecs-oom-restart-loop
title: ECS task OOM restart loop
tags: [ecs, availability]
params:
  cluster: { type: string, required: true }
  service: { type: string, required: true }
  scale_to: { type: integer, default: 8, description: Tasks after scale-out }
  token: { type: string, secret: true }
---

# ECS task OOM restart loop

Prose for the human.

```bash
echo "an example, not a step"
```

## 1. Why tasks stopped

```yaml {id=stopped kind=ecs.stopped_tasks}
cluster: ${params.cluster}
service: ${params.service}
since: 1h
```

## 2. Roll back

> [!CAUTION]
> Replaces every running task with the previous task definition revision.

```yaml {id=rollback kind=ecs.rollback destructive confirm=typed timeout=5m retries=2 on_failure=goto:stopped when=stopped.top_cause==oom_killed milestone=mitigated}
cluster: ${params.cluster}
service: ${params.service}
to: previous
```

## 3. Note it

```bash {id=note kind=shell note="a quoted value"}
echo "$RB_STEPS_ROLLBACK_TO_REVISION" > rolled-back
```
"#;

#[test]
fn a_good_runbook_parses_with_lines_titles_prose_and_attributes() {
    let parsed = parse("good.md", GOOD);
    let rb = &parsed.runbook;
    assert_eq!(rb.id, "ecs-oom-restart-loop");
    assert_eq!(rb.title, "ECS task OOM restart loop");
    assert_eq!(rb.tags, vec!["ecs", "availability"]);
    assert_eq!(rb.params.len(), 4);
    assert!(rb.param("token").unwrap().secret);
    assert_eq!(
        rb.steps.len(),
        3,
        "the example fence without id is not a step"
    );
    let stopped = &rb.steps[0];
    assert_eq!(
        (stopped.id.as_str(), stopped.kind_name()),
        ("stopped", "ecs.stopped_tasks")
    );
    assert_eq!(stopped.title, "Why tasks stopped");
    assert_eq!(stopped.line, 23);
    let rollback = &rb.steps[1];
    assert!(rollback.attrs.destructive);
    assert_eq!(rollback.attrs.confirm, Confirm::Typed);
    assert_eq!(rollback.attrs.retries, 2);
    assert_eq!(
        rollback.attrs.timeout,
        Some(std::time::Duration::from_secs(300))
    );
    assert_eq!(rollback.attrs.on_failure, OnFailure::Goto("stopped".into()));
    assert_eq!(
        rollback.attrs.when.as_ref().unwrap().describe(),
        "stopped.top_cause==oom_killed"
    );
    assert_eq!(rollback.attrs.milestone.as_deref(), Some("mitigated"));
    assert!(
        rollback.alert.is_some(),
        "the CAUTION alert belongs to the rollback"
    );
    assert!(rollback.prose.contains("[!CAUTION]"));
    assert!(rb.intro.contains("Prose for the human."));
    // `note=` is not a known attribute: reported, with the fence's line.
    let all = check("good.md", GOOD).problems;
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].message.contains("unknown attribute `note`"));
    assert_eq!(all[0].line, rb.steps[2].line);
}

/// Each broken runbook → the line and the words its problem must carry.
fn broken() -> Vec<(&'static str, String, usize, &'static str)> {
    let head = "---\nrunbook: 1\nid: t\ntitle: T\nparams:\n  cluster: { type: string, required: true }\n---\n\n";
    let with = |body: &str| format!("{head}{body}");
    vec![
        ("no front matter", "# Just markdown\n".into(), 1, "no front matter"),
        ("bad yaml", "---\nrunbook: 1\nid: [unclosed\n---\n".into(), 4, "not valid YAML"),
        ("no version", "---\nid: t\ntitle: T\n---\n".into(), 2, "runbook: 1"),
        ("bad param type", "---\nrunbook: 1\nid: t\ntitle: T\nparams:\n  x: { type: float }\n---\n".into(), 6, "unknown type `float`"),
        ("default of wrong type", "---\nrunbook: 1\nid: t\ntitle: T\nparams:\n  n: { type: integer, default: many }\n---\n".into(), 6, "default does not match"),
        ("unknown kind", with("```yaml {id=a kind=ecs.explode}\ncluster: x\n```\n"), 9, "unknown kind `ecs.explode`"),
        ("unknown attribute", with("```yaml {id=a kind=ecs.service colour=red}\ncluster: x\nservice: y\n```\n"), 9, "unknown attribute `colour`"),
        ("duplicate id", with("```yaml {id=a kind=ecs.service}\ncluster: x\nservice: y\n```\n\n```yaml {id=a kind=ecs.service}\ncluster: x\nservice: y\n```\n"), 14, "duplicate step id `a`"),
        ("missing required input", with("```yaml {id=a kind=ecs.scale destructive}\ncluster: x\nservice: y\n```\n"), 9, "needs the input `count`"),
        ("unknown param reference", with("```yaml {id=a kind=ecs.service}\ncluster: ${params.clustr}\nservice: y\n```\n"), 10, "names no parameter"),
        ("unknown step reference", with("```yaml {id=a kind=ecs.service}\ncluster: ${steps.zz.x}\nservice: y\n```\n"), 10, "names no step"),
        ("later step reference", with("```yaml {id=a kind=ecs.service}\ncluster: ${steps.b.status}\nservice: y\n```\n\n```yaml {id=b kind=ecs.service}\ncluster: x\nservice: y\n```\n"), 10, "runs later"),
        ("destructive without alert", with("```yaml {id=a kind=ecs.rollback destructive}\ncluster: x\nservice: y\n```\n"), 9, "no `> [!CAUTION]`"),
        ("when on unknown step", with("```yaml {id=a kind=ecs.service when=nope.x==1}\ncluster: x\nservice: y\n```\n"), 9, "`when=nope.x==1` names no step"),
        ("shell splices", with("```bash {id=a kind=shell}\necho ${params.cluster}\n```\n"), 9, "must not splice"),
        ("shell in yaml fence", with("```yaml {id=a kind=shell}\necho hi\n```\n"), 9, "```bash"),
        ("goto unknown", with("```yaml {id=a kind=ecs.service on_failure=goto:zz}\ncluster: x\nservice: y\n```\n"), 9, "goto:zz` names no step"),
        ("unknown milestone", with("```yaml {id=a kind=ecs.service milestone=done}\ncluster: x\nservice: y\n```\n"), 9, "unknown milestone"),
        ("unclosed attributes", with("```yaml {id=a kind=ecs.service\ncluster: x\n```\n"), 9, "closed by `}`"),
        ("unknown input", with("```yaml {id=a kind=ecs.service}\ncluster: x\nservice: y\nregion: z\n```\n"), 12, "has no input `region`"),
    ]
}

#[test]
fn every_lint_rule_reports_its_problem_at_its_line() {
    for (name, text, line, words) in broken() {
        let problems = check("broken.md", &text).problems;
        let hit = problems.iter().find(|p| p.message.contains(words));
        let Some(hit) = hit else {
            panic!("{name}: expected a problem with `{words}`, got {problems:?}");
        };
        assert_eq!(hit.severity, Severity::Error, "{name}");
        assert_eq!(hit.line, line, "{name}: {}", hit.message);
    }
}

#[test]
fn a_write_step_not_marked_destructive_is_a_warning() {
    let text = "---\nrunbook: 1\nid: t\ntitle: T\n---\n\n```yaml {id=a kind=ecs.scale}\ncluster: x\nservice: y\ncount: 2\n```\n";
    let problems = check("w.md", text).problems;
    assert!(!has_errors(&problems));
    assert!(problems
        .iter()
        .any(|p| p.severity == Severity::Warning && p.message.contains("mark it `destructive`")));
}

#[test]
fn the_shipped_runbooks_pass_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "README.md" {
            continue;
        }
        let parsed = check(
            &path.display().to_string(),
            &std::fs::read_to_string(&path).unwrap(),
        );
        assert!(
            parsed.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.problems
        );
        ids.push(parsed.runbook.id);
    }
    ids.sort();
    assert_eq!(
        ids,
        [
            "bad-deployment",
            "compromised-host",
            "image-pull-failure",
            "oom-restart-loop",
            "rotate-secrets",
            "service-down"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn no_input_panics_the_parser_or_the_linter(text in "(---\n|```[a-z]* \\{[a-z=. \"]*\\}\n|\\$\\{[a-z.]*\\}|> \\[![A-Z]*\\]\n|[a-z:{}\\[\\], \"=#\n-]){0,60}") {
        let parsed = check("p.md", &text);
        for p in parsed.problems {
            prop_assert!(p.line >= 1);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(text in "\\PC{0,300}") {
        let _ = check("p.md", &text);
    }
}

const FIVE: &str = "---\nrunbook: 1\nid: five\ntitle: Five\n---\n\n```bash {id=s1 kind=shell}\necho 1\n```\n\n```bash {id=s2 kind=shell}\necho 2\n```\n\n```bash {id=s3 kind=shell}\necho 3\n```\n\n```bash {id=s4 kind=shell}\necho 4\n```\n\n```bash {id=s5 kind=shell}\necho 5\n```\n";

fn entry(draft: EntryDraft, seq: u64) -> Entry {
    draft.into_entry(format!("E{seq}"), seq, chrono::Utc::now())
}

#[test]
fn a_run_rebuilt_after_step_two_continues_with_step_three() {
    let rb = parse("five.md", FIVE).runbook;
    let mut state = RunState::new(&rb, "run-1", serde_json::json!({}));
    let mut entries = vec![entry(
        triage::domain::runbook::run::start_entry(&rb, &state, Actor::Console),
        1,
    )];
    for index in 0..2 {
        for s in ["planned", "running", "succeeded"] {
            let t = Transition {
                state: StepState::parse(s).unwrap(),
                attempt: 1,
                result: (s == "succeeded").then(|| ResultRecord {
                    status: s.into(),
                    outputs: serde_json::json!({"exit_code": "0"}),
                    ..ResultRecord::default()
                }),
                ..Transition::default()
            };
            let e = entry(
                transition(&rb, &state, index, Actor::Console, t),
                entries.len() as u64 + 1,
            );
            state.apply(&rb, &e);
            entries.push(e);
        }
    }
    let rebuilt = RunState::rebuild(&rb, "run-1", &entries).unwrap();
    assert_eq!(
        rebuilt.next(&rb),
        Next::Plan {
            index: 2,
            attempt: 1
        }
    );
    assert_eq!(rebuilt.outputs()["s2"]["exit_code"], "0");

    // Step 3 started running, then the process died: it comes back unknown.
    let e = entry(
        transition(
            &rb,
            &rebuilt,
            2,
            Actor::Console,
            Transition {
                state: StepState::Running,
                attempt: 1,
                ..Transition::default()
            },
        ),
        99,
    );
    entries.push(e);
    let rebuilt = RunState::rebuild(&rb, "run-1", &entries).unwrap();
    assert_eq!(rebuilt.next(&rb), Next::Resolve { index: 2 });
    assert_eq!(rebuilt.waiting_for(&rb), Some("s3"));

    // An edited step is detected.
    let edited = parse("five.md", &FIVE.replace("echo 4", "echo four")).runbook;
    assert_eq!(rebuilt.changes_since_start(&edited), vec!["s4 (edited)"]);
    assert!(rebuilt.changes_since_start(&rb).is_empty());
}

#[test]
fn every_runbook_in_the_folder_ships_inside_the_binary_and_lints_clean() {
    let shipped: Vec<String> = std::fs::read_dir("runbooks")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    let built_in = triage::store::runbooks::built_in();
    for name in &shipped {
        let file = built_in
            .iter()
            .find(|f| f.path.to_string_lossy() == name.as_str())
            .unwrap_or_else(|| panic!("{name} is not in store::runbooks::BUILT_IN"));
        assert!(file.problems.is_empty(), "{name}: {:?}", file.problems);
        let on_disk = std::fs::read_to_string(format!("runbooks/{name}")).unwrap();
        let (_, text) = triage::store::runbooks::BUILT_IN
            .iter()
            .find(|(n, _)| n == name)
            .unwrap();
        assert_eq!(*text, on_disk, "{name} as shipped");
    }
    assert_eq!(built_in.len(), shipped.len());
}
