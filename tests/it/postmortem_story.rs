//! The demo's two stories, driven end to end as a responder lives them, and
//! their post-mortems compared with the golden files in `tests/golden/`:
//! the console watches the demo (its health changes and alarms journaled),
//! an incident is opened with `:start` (title and severity offered), a
//! runbook runs (answered as a person would), the console keeps watching
//! until the services recover, the incident is resolved, and the draft is
//! exported.
//!
//! Time is tokio's, paused: every sleep (a refresh, a poll of the run)
//! moves it at once, and the demo's clock follows it, so each run of the
//! story is the same to the second. `TRIAGE_WRITE_GOLDEN=1` rewrites the
//! files after a deliberate change; review the diff.

use crate::support::console::{demo_session, state_for, workers_over};
use crate::support::demo::TokioClock;
use chrono::{TimeZone, Utc};
use std::sync::Arc;
use std::time::Duration;
use triage::app::effect::{Ask, RunEvent, RunParams};
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, WorkerResult};
use triage::console::journal::IncidentJournal;
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::runbook::decision::Decision;
use triage::domain::runbook::values::resolve_params;
use triage::domain::timeline::redact::Redactor;
use triage::domain::timeline::{export, Actor, EntryDraft, Milestone};
use triage::domain::Clock;
use triage::store::IncidentStore;
use triage::workers::runbook::operator::{spawn, ConsoleRuns};
use triage::workers::runbook::StepPorts;
use triage::workers::Workers;

/// One responder's console over the demo, writing to a real journal.
struct Story {
    clock: Arc<TokioClock>,
    demo: Arc<DemoAccount>,
    state: AppState,
    workers: Workers,
    journal: IncidentJournal,
    results: tokio::sync::mpsc::UnboundedReceiver<WorkerResult>,
    store: Arc<IncidentStore>,
    _dir: tempfile::TempDir,
}

impl Story {
    fn new() -> Story {
        let clock = Arc::new(TokioClock::at(
            Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap(),
        ));
        let scenario = Scenario::load("saas").unwrap();
        let demo = Arc::new(DemoAccount::new(&scenario, clock.clone()).without_latency());
        let dir = tempfile::tempdir().unwrap();
        let account =
            triage::wiring::Account::of_demo(demo.clone(), &scenario, &dir.path().join("cache"));
        let (tx, results) = tokio::sync::mpsc::unbounded_channel();
        let workers = workers_over(&account, tx);
        let store = Arc::new(IncidentStore::new(&dir.path().join("incidents")));
        let journal = IncidentJournal::new(
            IncidentStore::new(&dir.path().join("incidents")),
            Redactor::default(),
            clock.clone(),
            "alice".into(),
        );
        let mut state = state_for(demo_session(), clock.now());
        // As the console sets them over an account with alarms and GuardDuty.
        state.monitoring.enabled = true;
        state.security.enabled = true;
        let effects = triage::app::update::init(&mut state);
        let mut story = Story {
            clock,
            demo,
            state,
            workers,
            journal,
            results,
            store,
            _dir: dir,
        };
        story.carry(effects);
        story
    }

    /// Effects to the journal or the workers; what the journal answers at once goes back in.
    fn carry(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for effect in queue {
                if let Some(result) = self.journal.handle(&effect) {
                    next.extend(update(&mut self.state, Msg::Worker(result)));
                    continue;
                }
                match effect {
                    Effect::Quit | Effect::Copy(_) => {}
                    other => self.workers.run(other),
                }
            }
            queue = next;
        }
    }

    /// The console for `seconds` of the story: a tick a second, results as they come.
    async fn watch(&mut self, seconds: u64) {
        let until = tokio::time::Instant::now() + Duration::from_secs(seconds);
        while tokio::time::Instant::now() < until {
            self.step().await;
        }
    }

    /// One second of the console.
    async fn step(&mut self) {
        let tick = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(tick);
        loop {
            tokio::select! {
                Some(result) = self.results.recv() => {
                    let effects = update(&mut self.state, Msg::Worker(result));
                    self.carry(effects);
                }
                _ = &mut tick => break,
            }
        }
        let effects = update(&mut self.state, Msg::Tick(self.clock.now()));
        self.carry(effects);
    }

    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let effects = update(&mut self.state, Msg::Key(KeyPress::char(c)));
            self.carry(effects);
        }
    }

    fn enter(&mut self) {
        let effects = update(&mut self.state, Msg::Key(KeyPress::plain(Key::Enter)));
        self.carry(effects);
    }

    /// `:start`, the offered title and severity taken as they are.
    fn start_incident(&mut self) -> String {
        self.keys(":start");
        self.enter();
        self.enter();
        self.enter();
        self.state
            .incident
            .as_ref()
            .map(|v| v.incident.id.clone())
            .expect("the incident is open")
    }

    /// Run `runbook` in the incident, each question answered by `answer`
    /// (step id, its kind, the question) while the console keeps watching.
    async fn run(
        &mut self,
        runbook: &str,
        given: &[(&str, &str)],
        answer: impl Fn(&str, &Ask) -> Decision,
    ) {
        let incident = self.start_or_open();
        let file =
            triage::store::runbooks::load(std::path::Path::new(&format!("runbooks/{runbook}.md")))
                .unwrap();
        let given = given
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = RunParams(resolve_params(&file.runbook, &given).unwrap());
        let steps: Vec<String> = file.runbook.steps.iter().map(|s| s.id.clone()).collect();
        let runs = ConsoleRuns {
            ports: StepPorts {
                ecs: self.demo.clone(),
                network: self.demo.clone(),
                secrets: self.demo.clone(),
                search: Some(self.demo.clone()),
                clock: self.clock.clone(),
                pair: None,
            },
            store: self.store.clone(),
            redactor: Redactor::default(),
            operator: "alice".into(),
        };
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let (_, decisions) = spawn(&runs, file, params, incident, tx);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(WorkerResult::Run(RunEvent::Asks(q))) => {
                        // A person reads the question before answering.
                        tokio::time::sleep(Duration::from_secs(20)).await;
                        decisions.send((q.ask, answer(&steps[q.index], &q.kind))).unwrap();
                    }
                    Some(WorkerResult::Run(RunEvent::Ended { outcome, error })) => {
                        assert_eq!(error, None, "{runbook} ended with an error");
                        assert!(outcome.is_some(), "{runbook} ended");
                        break;
                    }
                    Some(_) => {}
                    None => panic!("{runbook}: the run went away"),
                },
                _ = self.step() => {}
            }
        }
    }

    fn start_or_open(&mut self) -> String {
        match &self.state.incident {
            Some(v) => v.incident.id.clone(),
            None => self.start_incident(),
        }
    }

    /// A person marks the incident resolved (as `triage incident milestone resolved`).
    fn resolve(&mut self, id: &str) {
        self.store
            .journal(id)
            .append(
                EntryDraft::milestone(
                    Milestone::Resolved,
                    Actor::Human {
                        name: "alice".into(),
                    },
                    None,
                ),
                &Redactor::default(),
                self.clock.as_ref(),
            )
            .unwrap();
    }

    fn export(&self, id: &str) -> (String, serde_json::Value) {
        let incident = self.store.load(id).unwrap().incident;
        (export::markdown(&incident), export::json(&incident))
    }
}

/// How alice answers: each step's answer as given, each change confirmed
/// (its target's name typed where asked).
fn as_alice(ask: &Ask, answers: &[(&str, &str)], step: &str) -> Decision {
    match ask {
        Ask::Answer { .. } => Decision::Answer {
            by: "alice".into(),
            value: answers
                .iter()
                .find(|(s, _)| *s == step)
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| panic!("unexpected question at {step}")),
        },
        Ask::Confirm { plan, typed } => Decision::Confirm {
            by: "alice".into(),
            typed: typed.then(|| plan.target.clone().unwrap()),
        },
        other => panic!("unexpected question at {step}: {other:?}"),
    }
}

/// Run ids are random: the golden file says `run-…`.
fn stable(markdown: &str) -> String {
    let runs = regex::Regex::new(r"run-[0-9a-z]{26}").unwrap();
    runs.replace_all(markdown, "run-…").into_owned()
}

fn compare_with_golden(name: &str, markdown: &str) {
    let path = std::path::Path::new("tests/golden").join(name);
    let got = stable(markdown);
    if std::env::var_os("TRIAGE_WRITE_GOLDEN").is_some() {
        std::fs::create_dir_all("tests/golden").unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (TRIAGE_WRITE_GOLDEN=1 writes it)", path.display()));
    if got != want {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (w, g))| w != g)
            .take(8)
            .map(|(i, (w, g))| format!("line {}:\n  want {w}\n  got  {g}", i + 1))
            .collect();
        panic!(
            "{} differs from the story's post-mortem ({} lines, want {}):\n{}",
            path.display(),
            got.lines().count(),
            want.lines().count(),
            diff.join("\n")
        );
    }
}

/// Every entry is in the JSON, the ones the prose leaves out too.
fn json_keeps_every_entry(story: &Story, id: &str, json: &serde_json::Value) {
    let written = story.store.load(id).unwrap().incident.entries.len();
    assert_eq!(json["entries"].as_array().unwrap().len(), written);
}

#[tokio::test(start_paused = true)]
async fn the_oom_story_s_post_mortem_is_its_golden_file() {
    let mut story = Story::new();
    // The page: the console opens on the demo and watches a minute.
    story.watch(60).await;
    let id = story.start_incident();
    story.watch(30).await;
    story
        .run(
            "oom-restart-loop",
            &[("cluster", "prod-web"), ("service", "chatbot-api")],
            |step, ask| as_alice(ask, &[("decide", "rollback")], step),
        )
        .await;
    // The console keeps watching until the alarm clears.
    story.watch(8 * 60).await;
    story.resolve(&id);
    let (markdown, json) = story.export(&id);
    json_keeps_every_entry(&story, &id, &json);
    compare_with_golden("postmortem-oom.md", &markdown);
    let lines = markdown.lines().count();
    assert!(lines <= 150, "the OOM story's post-mortem is {lines} lines");
}

#[tokio::test(start_paused = true)]
async fn the_compromised_host_story_s_post_mortem_is_its_golden_file() {
    let mut story = Story::new();
    story.watch(60).await;
    // The page names backend-api: the responder finds it first.
    story.keys("/backend-api");
    story.enter();
    let id = story.start_incident();
    story.watch(30).await;
    let secrets = [
        "prod/backend/database-url",
        "prod/backend/jwt-signing-key",
        "prod/backend/stripe-api-key",
    ]
    .join(",");
    story
        .run(
            "compromised-host",
            &[
                ("cluster", "prod-web"),
                ("service", "backend-api"),
                ("security_groups", "sg-0b4c3a2d1e0f00001"),
                ("secret_ids", &secrets),
                (
                    "flow_logs_role",
                    "arn:aws:iam::123456789012:role/vpc-flow-logs",
                ),
            ],
            |step, ask| as_alice(ask, &[("confirm", "bob"), ("patch", "done")], step),
        )
        .await;
    story.watch(5 * 60).await;
    story.resolve(&id);
    let (markdown, json) = story.export(&id);
    json_keeps_every_entry(&story, &id, &json);
    compare_with_golden("postmortem-compromised-host.md", &markdown);
    let lines = markdown.lines().count();
    assert!(
        lines <= 250,
        "the security story's post-mortem is {lines} lines"
    );
}

/// chatbot-api's row as the console ranks it now: its health and reason.
fn chatbot_row(story: &Story) -> (triage::domain::Health, String) {
    story
        .state
        .status
        .data
        .iter()
        .flatten()
        .find(|r| r.service.name == "chatbot-api")
        .map(|r| (r.verdict.health, r.verdict.reason.clone()))
        .expect("chatbot-api is listed")
}

#[tokio::test(start_paused = true)]
async fn after_the_rollback_the_row_reads_recovering_with_what_is_pending_then_healthy() {
    use triage::domain::Health;
    let mut story = Story::new();
    story.watch(60).await;
    assert_eq!(chatbot_row(&story).0, Health::Degraded);
    story.start_incident();
    story
        .run(
            "oom-restart-loop",
            &[("cluster", "prod-web"), ("service", "chatbot-api")],
            |step, ask| as_alice(ask, &[("decide", "rollback")], step),
        )
        .await;
    // Every ten seconds for eight minutes: what the row says.
    let mut seen: Vec<(Health, String)> = Vec::new();
    let mut screen_while_recovering = None;
    let mut fallen = None;
    for _ in 0..48 {
        story.watch(10).await;
        let row = chatbot_row(&story);
        if row.0 == Health::Recovering {
            let screen = crate::support::console::render(&story.state);
            // The row's headline says memory now beside its peak, once it
            // has fallen (the service screen's `now 39 % · peak 100 %`).
            let ranked = story.state.status.data.iter().flatten();
            let headline = ranked
                .clone()
                .find(|r| r.service.name == "chatbot-api")
                .map(|r| story.state.suggestion(r).headline)
                .unwrap_or_default();
            if fallen.is_none() && headline.contains("memory 100 % → ") {
                fallen = Some(headline);
            }
            screen_while_recovering.get_or_insert(screen);
        }
        if seen.last() != Some(&row) {
            seen.push(row);
        }
    }
    let first_recovering = seen
        .iter()
        .position(|(h, _)| *h == Health::Recovering)
        .unwrap_or_else(|| panic!("never recovering: {seen:#?}"));
    let (_, pending) = &seen[first_recovering];
    assert!(
        pending.contains("chatbot-api:40")
            && pending.contains("still in ALARM, re-evaluates within"),
        "what is pending is said: {pending}"
    );
    // Once recovering it never reads degraded again, and ends healthy.
    assert!(
        seen[first_recovering..]
            .iter()
            .all(|(h, _)| matches!(h, Health::Recovering | Health::Healthy)),
        "{seen:#?}"
    );
    assert_eq!(seen.last().unwrap().0, Health::Healthy, "{seen:#?}");
    let screen = screen_while_recovering.unwrap();
    let row = screen
        .lines()
        .find(|l| l.contains("chatbot-api"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("↗ recovering"), "{row}");
    let fallen = fallen.expect("the row says memory's fall while recovering");
    assert!(fallen.contains("memory 100 % → 39 %"), "{fallen}");
}
