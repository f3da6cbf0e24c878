//! The console's runbook screens as specifications: `R` on a finding opens
//! its runbook filled in; the form refuses bad values and says which; a run
//! without an incident opens one first; answers carry the number of the
//! question they answer; the run view with a plan and a typed confirmation.

use crate::support::console::{demo_session, render};
use crate::support::fixtures;
use chrono::{DateTime, TimeZone, Utc};
use triage::app::effect::{Ask, Question, RunEvent};
use triage::app::state::Overlay;
use triage::app::update::init;
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, Screen, WorkerResult};
use triage::domain::runbook::decision::{Decision, Resolution};
use triage::domain::runbook::run::{transition, RunState, Transition};
use triage::domain::runbook::StepState;
use triage::domain::runbook::{Plan, RunbookFile};
use triage::domain::timeline::entry::ResultRecord;
use triage::domain::timeline::{Actor, Entry};
use triage::settings::ThemeSpec;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

fn shipped_runbooks() -> Vec<RunbookFile> {
    // Relative, as `./runbooks` is found (tests run in the package's root).
    triage::store::runbooks::list(&[std::path::PathBuf::from("runbooks")])
}

fn console(width: u16, height: u16) -> AppState {
    let session = demo_session();
    let mut s = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, t0());
    update(&mut s, Msg::Resize { width, height });
    let effects = init(&mut s);
    assert!(
        effects.contains(&Effect::LoadRunbooks),
        "the runbooks are read when the console opens, so R works at once"
    );
    update(
        &mut s,
        Msg::Worker(WorkerResult::Runbooks(shipped_runbooks())),
    );
    s
}

fn key(s: &mut AppState, k: KeyPress) -> Vec<Effect> {
    update(s, Msg::Key(k))
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        key(s, KeyPress::char(c));
    }
}

fn enter(s: &mut AppState) -> Vec<Effect> {
    key(s, KeyPress::plain(Key::Enter))
}

fn command(s: &mut AppState, line: &str) -> Vec<Effect> {
    key(s, KeyPress::char(':'));
    typed(s, line);
    enter(s)
}

fn attach_incident(s: &mut AppState, id: &str) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((id.into(), vec![])))),
    )
}

/// The OOM finding on screen, as from the diagnosis worker.
fn on_oom_finding(s: &mut AppState) {
    use triage::domain::diagnosis::{diagnose, patterns};
    let doc = fixtures::load("stopped-tasks/oom_killed--exit-137-with-oom-reason.json");
    let findings = vec![diagnose(&fixtures::tasks(&doc)[0], None)];
    let services = vec![fixtures::service("health/degraded-repeated-stops.json")];
    let report = triage::workers::diagnosis::DiagnosisReport {
        patterns: patterns(&findings, &services),
        findings,
        services,
        errors: vec![],
        left_out: Default::default(),
    };
    key(s, KeyPress::char('d'));
    let generation = s.diagnosis.report.generation;
    update(
        s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation,
            result: Ok(Box::new(report)),
        }),
    );
    enter(s);
    assert!(matches!(s.screen, Screen::Finding(_)), "{:?}", s.screen);
}

fn field<'a>(s: &'a AppState, name: &str) -> &'a str {
    let form = s.form.as_ref().expect("the form is open");
    &form
        .fields
        .iter()
        .find(|f| f.spec.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .input
        .text
}

#[test]
fn r_on_an_oom_finding_opens_its_runbook_filled_in_from_the_finding() {
    let mut s = console(120, 32);
    on_oom_finding(&mut s);
    let effects = key(&mut s, KeyPress::char('R'));
    assert!(effects.is_empty(), "nothing runs before the form is sent");
    assert_eq!(s.screen, Screen::RunbookForm);
    assert_eq!(s.form.as_ref().unwrap().file.runbook.id, "oom-restart-loop");
    assert_eq!(field(&s, "cluster"), "prod-web");
    assert_eq!(field(&s, "service"), "chatbot-api");
    assert_eq!(field(&s, "scale_to"), "8", "defaults are filled in too");
    // Esc leaves the form without running anything, back to the finding.
    let effects = key(&mut s, KeyPress::plain(Key::Esc));
    assert!(effects.is_empty());
    assert!(matches!(s.screen, Screen::Finding(_)));
    assert!(s.form.is_none());
}

#[test]
fn r_before_the_runbooks_are_read_opens_the_form_once_they_are() {
    let mut s = console(120, 32);
    s.runbooks.files = None;
    on_oom_finding(&mut s);
    let effects = key(&mut s, KeyPress::char('R'));
    assert_eq!(effects, vec![Effect::LoadRunbooks]);
    update(
        &mut s,
        Msg::Worker(WorkerResult::Runbooks(shipped_runbooks())),
    );
    assert_eq!(s.screen, Screen::RunbookForm);
    assert_eq!(field(&s, "service"), "chatbot-api");
}

#[test]
fn the_picker_lists_every_runbook_and_filters() {
    let mut s = console(120, 32);
    let effects = command(&mut s, "rb");
    assert_eq!(s.screen, Screen::Runbooks);
    assert!(
        effects.contains(&Effect::LoadRunbooks),
        "the folders are read again"
    );
    let text = render(&s);
    for id in [
        "bad-deployment",
        "compromised-host",
        "image-pull-failure",
        "oom-restart-loop",
        "rotate-secrets",
        "service-down",
    ] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
    assert!(text.contains("CHECK") && text.contains("ok"), "{text}");
    key(&mut s, KeyPress::char('/'));
    typed(&mut s, "secur");
    enter(&mut s);
    let text = render(&s);
    assert!(
        text.contains("compromised-host") && !text.contains("oom-restart-loop"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_form_refuses_missing_and_bad_values_and_says_which() {
    let mut s = console(120, 32);
    command(&mut s, "rb");
    key(&mut s, KeyPress::char('/'));
    typed(&mut s, "oom");
    enter(&mut s);
    enter(&mut s);
    assert_eq!(s.screen, Screen::RunbookForm);
    // Nothing selected on home: cluster and service are empty.
    assert_eq!(field(&s, "cluster"), "");
    let form = s.form.as_ref().unwrap();
    assert_eq!(
        form.fields[form.focus].spec.name, "cluster",
        "starts on the first empty required field"
    );
    typed(&mut s, "prod-web");
    key(&mut s, KeyPress::plain(Key::Tab));
    key(&mut s, KeyPress::plain(Key::Tab));
    // scale_to: not a number.
    key(&mut s, KeyPress::ctrl('u'));
    typed(&mut s, "lots");
    let effects = enter(&mut s);
    assert!(effects.is_empty(), "bad values start nothing");
    let form = s.form.as_ref().unwrap();
    let errors = form.errors.join("\n");
    assert!(errors.contains("`service` is required"), "{errors}");
    assert!(errors.contains("scale_to"), "{errors}");
    assert!(
        !errors.contains("--param"),
        "CLI hints do not belong in the form: {errors}"
    );
    assert_eq!(form.fields[form.focus].spec.name, "service");
    let text = render(&s);
    assert!(text.contains("✗ parameter `service` is required"), "{text}");
}

/// The OOM runbook's form, sent: the run view is up, waiting for its incident.
fn sent_form(s: &mut AppState) -> Vec<Effect> {
    on_oom_finding(s);
    key(s, KeyPress::char('R'));
    enter(s)
}

#[test]
fn a_run_without_an_incident_asks_its_title_and_severity_then_runs_there() {
    let mut s = console(120, 32);
    assert!(
        sent_form(&mut s).is_empty(),
        "nothing starts before the incident"
    );
    assert_eq!(s.screen, Screen::Run);
    // No service the console has read: where, and the runbook's title.
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the title is asked: {:?}", s.overlay)
    };
    assert_eq!(
        p.input.text,
        "prod-web/chatbot-api: ECS task OOM restart loop"
    );
    // Dismissed: the run says it waits; `:start` opens one later.
    key(&mut s, KeyPress::plain(Key::Esc));
    assert!(s.message.as_ref().unwrap().text.contains("the run waits"));
    key(&mut s, KeyPress::char(':'));
    for c in "start".chars() {
        key(&mut s, KeyPress::char(c));
    }
    assert!(enter(&mut s).is_empty());
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the title is asked again")
    };
    assert_eq!(
        p.input.text,
        "prod-web/chatbot-api: ECS task OOM restart loop"
    );
    assert!(enter(&mut s).is_empty());
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the severity is asked")
    };
    assert_eq!(p.input.text, "SEV4");
    assert_eq!(
        enter(&mut s),
        vec![Effect::StartIncident {
            title: "prod-web/chatbot-api: ECS task OOM restart loop".into(),
            severity: Some(triage::domain::timeline::Severity::Sev4),
        }]
    );
    let effects = attach_incident(&mut s, "20260128-0312-runbook");
    let start = effects
        .iter()
        .find_map(|e| match e {
            Effect::StartRun {
                file,
                params,
                incident,
                ..
            } => Some((file.runbook.id.clone(), params.clone(), incident.clone())),
            _ => None,
        })
        .expect("the run starts in the new incident");
    assert_eq!(start.0, "oom-restart-loop");
    assert_eq!(start.2, "20260128-0312-runbook");
    assert_eq!(
        start.1 .0.get("service").map(|v| v.render()).as_deref(),
        Some("chatbot-api")
    );
}

#[test]
fn a_run_joins_the_attached_incident() {
    let mut s = console(120, 32);
    attach_incident(&mut s, "inc-open");
    let effects = sent_form(&mut s);
    assert!(
        matches!(effects.as_slice(), [Effect::StartRun { incident, .. }] if incident == "inc-open"),
        "{effects:?}"
    );
    // A second runbook cannot start while this run is going.
    key(&mut s, KeyPress::plain(Key::Esc));
    key(&mut s, KeyPress::char('R'));
    assert_ne!(s.screen, Screen::RunbookForm);
    assert!(s.message.as_ref().unwrap().text.contains(":run"));
}

/// A run at the rollback step: steps 1–3 done, the plan read, the typed
/// confirmation asked (question number 7).
fn at_rollback(width: u16, height: u16) -> AppState {
    let mut s = console(width, height);
    attach_incident(&mut s, "20260128-0312-chatbot-oom");
    sent_form(&mut s);
    let rb = s.run.as_ref().unwrap().file.runbook.clone();
    let run_id = "run-01kg2x7d0m3vq8a1b2c3d4e5f6";
    update(
        &mut s,
        Msg::Worker(WorkerResult::Run(RunEvent::Started {
            run_id: run_id.into(),
            incident: "20260128-0312-chatbot-oom".into(),
        })),
    );
    let me = Actor::Human {
        name: "alice".into(),
    };
    let mut mirror = RunState::new(&rb, run_id, serde_json::Value::Null);
    let outputs = [
        serde_json::json!({"count": "15", "cause": "oom_killed", "since_deployment": "true", "rollback_to": "chatbot-api:40"}),
        serde_json::json!({"running": "1", "desired": "2", "revision": "chatbot-api:41"}),
        serde_json::json!({"choice": "rollback"}),
    ];
    for (i, out) in outputs.into_iter().enumerate() {
        for (n, state) in ["planned", "succeeded"].into_iter().enumerate() {
            let draft = transition(
                &rb,
                &mirror,
                i,
                me.clone(),
                Transition {
                    state: StepState::parse(state).unwrap(),
                    attempt: 1,
                    result: (state == "succeeded").then(|| ResultRecord {
                        status: "succeeded".into(),
                        outputs: out.clone(),
                        ..ResultRecord::default()
                    }),
                    ..Transition::default()
                },
            );
            let entry: Entry = draft.into_entry(
                format!("01KG2X7D0M3VQ8A1B2C3D4E{i}{n}"),
                (i * 2 + n + 1) as u64,
                t0(),
            );
            mirror.apply(&rb, &entry);
            update(
                &mut s,
                Msg::Worker(WorkerResult::Run(RunEvent::Transition(Box::new(entry)))),
            );
        }
    }
    let planned = transition(
        &rb,
        &mirror,
        3,
        me,
        Transition {
            state: StepState::Planned,
            attempt: 1,
            detail: Some(
                "prod-web/chatbot-api: task definition chatbot-api:41 → chatbot-api:40".into(),
            ),
            ..Transition::default()
        },
    )
    .into_entry("01KG2X7D0M3VQ8A1B2C3D4E300".into(), 7, t0());
    update(
        &mut s,
        Msg::Worker(WorkerResult::Run(RunEvent::Transition(Box::new(planned)))),
    );
    let plan = Plan {
        lines: vec!["prod-web/chatbot-api: task definition chatbot-api:41 → chatbot-api:40".into()],
        target: Some("chatbot-api".into()),
        ..Plan::default()
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::Run(RunEvent::Planned {
            index: 3,
            plan: plan.clone(),
        })),
    );
    update(
        &mut s,
        Msg::Worker(WorkerResult::Run(RunEvent::Asks(Question {
            ask: 7,
            index: 3,
            kind: Ask::Confirm { plan, typed: true },
        }))),
    );
    s
}

#[test]
fn run_view_with_a_plan_and_a_typed_confirmation() {
    let mut s = at_rollback(120, 30);
    assert!(
        enter(&mut s).is_empty(),
        "Enter opens the field; nothing is sent yet"
    );
    typed(&mut s, "chatbot-a");
    let text = render(&s);
    for expected in [
        "step 4 of 6 waits for you",
        "✓  1 Why tasks stopped",
        "›○  4 Roll back",
        "CAUTION",
        "chatbot-api:41 → chatbot-api:40",
        "Destructive: confirm by typing chatbot-api",
        "type chatbot-api to confirm: chatbot-a",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn a_typed_confirmation_is_sent_with_its_question_number_and_only_once() {
    let mut s = at_rollback(120, 30);
    enter(&mut s);
    typed(&mut s, "chatbot-api");
    let effects = enter(&mut s);
    assert_eq!(
        effects,
        vec![Effect::DecideRun {
            run_id: "run-01kg2x7d0m3vq8a1b2c3d4e5f6".into(),
            ask: 7,
            decision: Decision::Confirm {
                by: "alice".into(),
                typed: Some("chatbot-api".into()),
            },
        }]
    );
    // The question is closed: another Enter confirms nothing.
    assert!(enter(&mut s).is_empty());
    assert!(s.run.as_ref().unwrap().question.is_none());
    // A rejection is shown, and the question comes again.
    update(
        &mut s,
        Msg::Worker(WorkerResult::Run(RunEvent::Rejected {
            index: 3,
            reason: "typed `chatbot`, but confirming needs `chatbot-api`".into(),
        })),
    );
    assert!(render(&s).contains("confirming needs `chatbot-api`"));
}

#[test]
fn esc_in_the_confirmation_field_sends_nothing() {
    let mut s = at_rollback(120, 30);
    enter(&mut s);
    typed(&mut s, "chat");
    assert!(key(&mut s, KeyPress::plain(Key::Esc)).is_empty());
    assert_eq!(s.screen, Screen::Run, "Esc closed the field, not the view");
    assert!(s.run.as_ref().unwrap().question.is_some(), "still asked");
}

fn ask(s: &mut AppState, ask: u64, index: usize, kind: Ask) {
    update(
        s,
        Msg::Worker(WorkerResult::Run(RunEvent::Asks(Question {
            ask,
            index,
            kind,
        }))),
    );
}

fn decision(effects: &[Effect]) -> Option<&Decision> {
    effects.iter().find_map(|e| match e {
        Effect::DecideRun { decision, .. } => Some(decision),
        _ => None,
    })
}

#[test]
fn skip_and_abort_ask_why_and_journal_it() {
    let mut s = at_rollback(120, 30);
    key(&mut s, KeyPress::char('s'));
    typed(&mut s, "scaled out by hand already");
    let effects = enter(&mut s);
    assert_eq!(
        decision(&effects),
        Some(&Decision::Skip {
            by: "alice".into(),
            reason: "scaled out by hand already".into()
        })
    );
    ask(
        &mut s,
        8,
        5,
        Ask::Answer {
            plan: Plan::default(),
        },
    );
    key(&mut s, KeyPress::char('A'));
    typed(&mut s, "wrong service");
    let effects = enter(&mut s);
    assert_eq!(
        decision(&effects),
        Some(&Decision::Abort {
            by: "alice".into(),
            reason: "wrong service".into()
        })
    );
}

#[test]
fn a_choice_is_made_by_number_and_a_bad_one_is_refused_on_screen() {
    let mut s = at_rollback(120, 30);
    let plan = Plan {
        lines: vec!["Roll back to the previous revision, or scale out?".into()],
        data: triage::domain::runbook::PlanData::Question {
            options: vec!["rollback".into(), "scale".into()],
        },
        ..Plan::default()
    };
    ask(&mut s, 9, 2, Ask::Answer { plan });
    enter(&mut s);
    typed(&mut s, "3");
    assert!(enter(&mut s).is_empty());
    assert!(s
        .run
        .as_ref()
        .unwrap()
        .notice
        .as_ref()
        .unwrap()
        .contains("rollback, scale"));
    enter(&mut s);
    typed(&mut s, "2");
    let effects = enter(&mut s);
    assert_eq!(
        decision(&effects),
        Some(&Decision::Answer {
            by: "alice".into(),
            value: "scale".into()
        })
    );
}

#[test]
fn an_unknown_step_is_marked_done_failed_or_run_again_and_a_failed_one_retried() {
    for (k, how) in [
        ('D', Resolution::Done),
        ('F', Resolution::Failed),
        ('R', Resolution::Retry),
    ] {
        let mut s = at_rollback(120, 30);
        ask(&mut s, 10, 3, Ask::Resolve);
        assert!(render(&s).contains("was running when the run stopped"));
        assert!(enter(&mut s).is_empty(), "Enter alone does not decide");
        let effects = key(&mut s, KeyPress::char(k));
        assert_eq!(
            decision(&effects),
            Some(&Decision::Resolve {
                by: "alice".into(),
                how
            })
        );
    }
    let mut s = at_rollback(120, 30);
    ask(
        &mut s,
        11,
        3,
        Ask::Failed {
            error: "AccessDeniedException: not allowed to UpdateService".into(),
        },
    );
    assert!(render(&s).contains("Failed: AccessDeniedException"));
    // D does not apply to a failed step.
    assert!(decision(&key(&mut s, KeyPress::char('D'))).is_none());
    let effects = key(&mut s, KeyPress::char('R'));
    assert_eq!(
        decision(&effects),
        Some(&Decision::Resolve {
            by: "alice".into(),
            how: Resolution::Retry
        })
    );
}

#[test]
fn run_screens_render_small_without_panic() {
    for (w, h) in [(20, 5), (1, 1), (200, 4), (40, 12)] {
        let mut s = at_rollback(w, h);
        render(&s);
        enter(&mut s);
        typed(&mut s, "chat");
        render(&s);
        command(&mut s, "rb");
        render(&s);
    }
}

/// A run's entries as a crash left them: started, step 1 done, step 2 running.
fn crashed_run_entries(rb: &triage::domain::runbook::Runbook) -> Vec<Entry> {
    use triage::domain::runbook::run::start_entry;
    let me = Actor::Human {
        name: "alice".into(),
    };
    let params =
        serde_json::json!({"cluster": "prod-web", "service": "chatbot-api", "scale_to": 8});
    let mut mirror = RunState::new(rb, "run-crashed", params);
    let mut entries = Vec::new();
    let mut push = |draft: triage::domain::timeline::EntryDraft, mirror: &mut RunState| {
        let n = entries.len() as u64 + 1;
        let entry = draft.into_entry(format!("01KG2X7D0M3VQ8A1B2C3D4E{n:03}"), n, t0());
        mirror.apply(rb, &entry);
        entries.push(entry);
    };
    push(start_entry(rb, &mirror, me.clone()), &mut mirror);
    for (i, state) in [
        (0, "planned"),
        (0, "running"),
        (0, "succeeded"),
        (1, "planned"),
        (1, "running"),
    ] {
        let draft = transition(
            rb,
            &mirror,
            i,
            me.clone(),
            Transition {
                state: StepState::parse(state).unwrap(),
                attempt: 1,
                ..Transition::default()
            },
        );
        push(draft, &mut mirror);
    }
    entries
}

#[test]
fn resume_rebuilds_a_crashed_run_and_its_running_step_comes_back_unknown() {
    let mut s = console(120, 30);
    let rb = shipped_runbooks()
        .into_iter()
        .find(|f| f.runbook.id == "oom-restart-loop")
        .unwrap()
        .runbook;
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((
            "inc-crashed".into(),
            crashed_run_entries(&rb),
        )))),
    );
    let effects = command(&mut s, "resume");
    assert!(
        effects.iter().any(|e| matches!(e,
            Effect::ResumeRun { ask, incident, .. }
                if ask.run_id == "run-crashed" && incident == "inc-crashed")),
        "{effects:?}"
    );
    // The journaled parameters are back.
    assert_eq!(
        s.run
            .as_ref()
            .unwrap()
            .params
            .0
            .get("service")
            .map(|v| v.render())
            .as_deref(),
        Some("chatbot-api")
    );
    assert_eq!(s.screen, Screen::Run);
    let text = render(&s);
    assert!(text.contains("✓  1 Why tasks stopped"), "{text}");
    assert!(text.contains("?  2 The service now"), "{text}");
    // The run asks what became of it; D marks it done.
    ask(&mut s, 1, 1, Ask::Resolve);
    let effects = key(&mut s, KeyPress::char('D'));
    assert_eq!(
        decision(&effects),
        Some(&Decision::Resolve {
            by: "alice".into(),
            how: Resolution::Done
        })
    );
}

#[test]
fn resume_says_why_it_cannot() {
    let mut s = console(120, 30);
    command(&mut s, "resume");
    assert!(s
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("no incident is attached"));
    attach_incident(&mut s, "inc-quiet");
    command(&mut s, "resume");
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .contains("has no unfinished run"),
        "{:?}",
        s.message
    );
    assert_ne!(s.screen, Screen::Run);
}

#[test]
fn the_run_view_names_the_keys_in_use_after_a_remap() {
    use triage::app::keymap::{KeyOverride, Keymap};
    let mut s = at_rollback(120, 30);
    let before = render(&s);
    assert!(
        before.contains("Enter type the name · s skip · A abort the run"),
        "{before}"
    );
    s.keymap = Keymap::with_overrides(&[KeyOverride {
        action: "run_skip".into(),
        keys: vec!["x".into()],
        line: 7,
    }])
    .unwrap();
    let after = render(&s);
    assert!(
        after.contains("Enter type the name · x skip · A abort the run"),
        "the hint follows [keys]:\n{after}"
    );
}

/// backend-api read healthy, then GuardDuty's finding about it and what it
/// can reach: its group (open egress) and its task definition's secrets.
fn compromised_backend(s: &mut AppState, exposure_first: bool) {
    use triage::domain::exposure::{Exposure, GroupExposure, NetworkExposure, SecretExposure};
    use triage::domain::security::{Remote, SecurityFinding, SecurityRead};
    s.security.enabled = true;
    let mut service = fixtures::service("health/healthy.json");
    service.network = Some(triage::domain::service::ServiceNetwork {
        security_groups: vec!["sg-0b4c3a2d1e0f00001".into()],
        subnets: vec!["subnet-0a".into()],
        assign_public_ip: false,
    });
    let pair = s.pairs[0].pair().clone();
    let generation = s.pairs[0].status.generation;
    update(
        s,
        Msg::Worker(WorkerResult::Status {
            generation,
            pair: pair.clone(),
            result: Ok(triage::domain::snapshot::StatusSnapshot {
                services: vec![service.clone()],
                clusters: vec!["prod-web".into()],
                cluster_errors: vec![],
                throttled_calls: 0,
            }),
        }),
    );
    let effects = update(s, Msg::Tick(t0() + chrono::Duration::seconds(1)));
    let security = effects.iter().find_map(|e| match e {
        Effect::FetchSecurity { generation, .. } => Some(*generation),
        _ => None,
    });
    let exposure = effects.iter().find_map(|e| match e {
        Effect::FetchExposure { generation, .. } => Some(*generation),
        _ => None,
    });
    let (security, exposure) = (
        security.expect("GuardDuty is read"),
        exposure.expect("exposure is read"),
    );
    let secret = |name: &str| SecretExposure {
        variable: name.to_ascii_uppercase(),
        source: format!(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/backend/{name}-AbCdEf"
        ),
        secret_arn: Some(format!(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/backend/{name}-AbCdEf"
        )),
        name: Some(format!("prod/backend/{name}")),
        last_changed: None,
        problem: None,
    };
    let read = Exposure {
        network: Some(NetworkExposure {
            groups: vec![GroupExposure {
                id: "sg-0b4c3a2d1e0f00001".into(),
                name: Some("backend-api-tasks".into()),
                open_egress: true,
                egress: vec![],
                problem: None,
            }],
            subnets: vec!["subnet-0a".into()],
            assign_public_ip: false,
        }),
        secrets: vec![secret("database-url"), secret("jwt-signing-key")],
        task_definition: Some("backend-api:42".into()),
        log_groups: vec!["/ecs/prod-web/backend-api".into()],
        definition_problem: None,
    };
    let exposure_answer = WorkerResult::Exposure {
        generation: exposure,
        pair: pair.clone(),
        result: Ok([(service.key(), read)].into_iter().collect()),
    };
    let finding = SecurityFinding {
        id: "f1".into(),
        arn: "arn:aws:guardduty:eu-west-1:123456789012:detector/d/finding/f1".into(),
        kind: "Backdoor:Runtime/C&CActivity.B".into(),
        title: "A container is talking to a command and control server.".into(),
        description: "198.51.100.23".into(),
        severity: 8.0,
        first_seen: Some(t0()),
        last_seen: Some(t0()),
        count: 3,
        cluster: Some("arn:aws:ecs:eu-west-1:123456789012:cluster/prod-web".into()),
        task_arn: None,
        task_group: Some("service:backend-api".into()),
        task_definition: None,
        remote: Remote {
            ip: Some("198.51.100.23".into()),
            port: Some(6667),
            domain: None,
        },
        pair: pair.clone(),
    };
    let security_answer = WorkerResult::Security {
        generation: security,
        pair,
        result: Ok(SecurityRead {
            detector: Some("d".into()),
            findings: vec![finding],
        }),
    };
    if exposure_first {
        update(s, Msg::Worker(exposure_answer));
        update(s, Msg::Worker(security_answer));
    } else {
        update(s, Msg::Worker(security_answer));
        key(s, KeyPress::char('R'));
        update(s, Msg::Worker(exposure_answer));
    }
}

#[test]
fn r_on_a_compromised_service_opens_the_lockdown_filled_in_from_what_it_can_reach() {
    let mut s = console(160, 40);
    compromised_backend(&mut s, true);
    let row = &s.status.data.as_ref().unwrap()[0];
    assert_eq!(
        row.verdict.health,
        triage::domain::Health::Degraded,
        "a HIGH finding degrades it"
    );
    let headline = s.headline(row);
    assert!(
        headline.starts_with(
            "GuardDuty HIGH Backdoor:Runtime/C&CActivity.B → 198.51.100.23:6667 · R: compromised-host"
        ),
        "{headline}"
    );
    key(&mut s, KeyPress::char('R'));
    assert_eq!(s.form.as_ref().unwrap().file.runbook.id, "compromised-host");
    assert_eq!(field(&s, "cluster"), "prod-web");
    assert_eq!(field(&s, "service"), "backend-api");
    assert_eq!(field(&s, "security_groups"), "sg-0b4c3a2d1e0f00001");
    assert!(field(&s, "secret_ids").contains("prod/backend/jwt-signing-key"));
    let form = s.form.as_ref().unwrap();
    let source = |name: &str| {
        form.fields
            .iter()
            .find(|f| f.spec.name == name)
            .and_then(|f| f.source.clone())
            .unwrap_or_default()
    };
    assert!(
        source("security_groups").contains("network configuration"),
        "{}",
        source("security_groups")
    );
    assert!(source("secret_ids").contains("task definition backend-api:42"));
    let screen = render(&s);
    assert!(
        screen.contains("from the service's network configuration"),
        "{screen}"
    );
}

/// The status read of one service, as from the status worker.
fn read_status(s: &mut AppState, service: triage::domain::Service) {
    let pair = s.pairs[0].pair().clone();
    let generation = s.pairs[0].status.generation;
    update(
        s,
        Msg::Worker(WorkerResult::Status {
            generation,
            pair,
            result: Ok(triage::domain::snapshot::StatusSnapshot {
                services: vec![service],
                clusters: vec!["prod-web".into()],
                cluster_errors: vec![],
                throttled_calls: 0,
            }),
        }),
    );
}

#[test]
fn r_on_a_service_no_runbook_fits_says_why_and_opens_the_list() {
    let mut s = console(160, 40);
    // Unhealthy targets, every task running, no restart loop, not compromised:
    // no shipped runbook's `when:` holds (service-down wants no running tasks).
    read_status(
        &mut s,
        fixtures::service("health/degraded-unhealthy-targets.json"),
    );
    let row = s.status.data.as_ref().unwrap()[0].clone();
    assert!(row.verdict.health.is_unhealthy(), "{:?}", row.verdict);
    let suggestion = s.suggestion(&row);
    assert_eq!(suggestion.runbook, None, "{suggestion:?}");
    assert!(
        !suggestion.headline.contains("R:"),
        "{}",
        suggestion.headline
    );
    key(&mut s, KeyPress::char('R'));
    assert_eq!(s.screen, Screen::Runbooks, "the list opens");
    assert!(s.form.is_none(), "no form is offered");
    let said = &s.message.as_ref().expect("R says why").text;
    assert!(said.starts_with("no runbook fits"), "{said}");
    assert!(said.contains("running"), "{said}");
}

#[test]
fn r_offers_service_down_only_when_no_task_runs() {
    let mut s = console(160, 40);
    read_status(&mut s, fixtures::service("health/down.json"));
    let row = s.status.data.as_ref().unwrap()[0].clone();
    assert_eq!(row.service.running, 0);
    let suggestion = s.suggestion(&row);
    let runbook = suggestion
        .runbook
        .expect("a runbook fits a service with no tasks");
    assert_eq!(runbook.id, "service-down");
    assert!(
        runbook.reason.contains("no running tasks"),
        "{}",
        runbook.reason
    );
    assert!(
        suggestion.headline.contains("R: service-down"),
        "{}",
        suggestion.headline
    );
    key(&mut s, KeyPress::char('R'));
    assert_eq!(s.form.as_ref().unwrap().file.runbook.id, "service-down");
}

#[test]
fn a_form_opened_before_the_service_is_read_fills_itself_when_it_is() {
    let mut s = console(160, 40);
    compromised_backend(&mut s, false);
    assert_eq!(s.form.as_ref().unwrap().file.runbook.id, "compromised-host");
    assert_eq!(field(&s, "security_groups"), "sg-0b4c3a2d1e0f00001");
    assert!(field(&s, "secret_ids").contains("prod/backend/database-url"));
}
