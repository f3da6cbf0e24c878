//! Exports of a realistic incident (the 3 AM chatbot OOM): backdated
//! milestones, a corrected entry, a runbook step, a follow-up; the post-mortem
//! draft, JSON and CSV as snapshots, and the time-to-X figures.

use chrono::{Duration, TimeZone, Utc};
use triage::domain::clock::ManualClock;
use triage::domain::timeline::entry::{ActionRecord, ResultRecord, RunbookRef};
use triage::domain::timeline::incident::human_duration;
use triage::domain::timeline::redact::Redactor;
use triage::domain::timeline::{
    export, Actor, EntryDraft, EntryKind, Milestone, Severity, TimeSource,
};
use triage::store::IncidentStore;

/// A fresh incident opened by alice at 03:14, written through the real store.
struct Fresh {
    _dir: tempfile::TempDir,
    store: IncidentStore,
    clock: ManualClock,
    r: Redactor,
    id: String,
}

fn fresh(title: &str, severity: Option<Severity>) -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = IncidentStore::new(dir.path());
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 28, 3, 14, 0).unwrap());
    let r = Redactor::default();
    let id = store.start(title, severity, alice(), &r, &clock).unwrap();
    Fresh {
        _dir: dir,
        store,
        clock,
        r,
        id,
    }
}

fn alice() -> Actor {
    Actor::Human {
        name: "alice".into(),
    }
}

/// Write the incident through the real store, the clock moving as it would.
fn realistic_incident() -> (tempfile::TempDir, triage::domain::timeline::Incident) {
    // Entry ids are random: seed the generator so snapshots are stable.
    fastrand::seed(20260128);
    let Fresh {
        _dir: dir,
        store,
        clock,
        r,
        id,
    } = fresh(
        "chatbot-api OOM restart loop after v1.15.0",
        Some(Severity::Sev2),
    );
    let j = store.journal(&id);
    let at = |h: u32, m: u32| Some(Utc.with_ymd_and_hms(2026, 1, 28, h, m, 0).unwrap());
    let tick = |minutes: i64| clock.advance(Duration::minutes(minutes));

    let mut obs = EntryDraft::new(
        EntryKind::Observation,
        Actor::Console,
        "First look: 2 of 9 services unhealthy",
    );
    obs.detail = Some("- prod-web/chatbot-api degraded (15 failed tasks in deployment of chatbot-api:41)\n- prod-data/worker degraded (2 of 3 running)".into());
    j.append(obs, &r, &clock).unwrap();
    let mut deploy = EntryDraft::new(
        EntryKind::Observation,
        Actor::Console,
        "prod-web/chatbot-api: deployment of chatbot-api:41 started",
    );
    deploy.occurred_at = at(2, 47);
    deploy.time_source = TimeSource::Aws;
    deploy.resources =
        vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into()];
    j.append(deploy, &r, &clock).unwrap();
    // The health change, with its top suspect as the console journals it.
    let mut health = EntryDraft::new(
        EntryKind::Observation,
        Actor::Console,
        "prod-web/chatbot-api healthy → degraded: OOM loop since chatbot-api:41 (3 stops)",
    );
    health.occurred_at = at(2, 52);
    health.resources =
        vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into()];
    health.evidence = vec!["what changed: since UpdateService chatbot-api:41 by ci-deploy 5 m ago (UpdateService chatbot-api → chatbot-api:41; seen by cloudtrail 61563939-17cb-4343-a8b6-33d5a85e4542, ecs ecs-svc/2459399043085234195)".into()];
    j.append(health, &r, &clock).unwrap();
    // The console found backend-api slow and idle, and what its slow requests wait on.
    let mut waiting = EntryDraft::new(
        EntryKind::Observation,
        triage::domain::timeline::Actor::Console,
        "prod-web/backend-api is waiting on chatbot-api",
    );
    waiting.occurred_at = at(2, 54);
    waiting.evidence = vec!["where the time went: backend-api: p95 2.6 s (usually 224 ms) with CPU 36 %: waiting on a dependency → chatbot-api model call 30 s in 7 of 8 slow requests".into()];
    j.append(waiting, &r, &clock).unwrap();
    // Backdated: impact began with the deployment, detection was the page at 03:12.
    j.append(
        EntryDraft::milestone(Milestone::ImpactStarted, alice(), at(2, 49)),
        &r,
        &clock,
    )
    .unwrap();
    let detected = j
        .append(
            EntryDraft::milestone(Milestone::Detected, alice(), at(3, 10)),
            &r,
            &clock,
        )
        .unwrap();
    tick(1);
    // Correction: the page came at 03:12, not 03:10.
    let mut fix = EntryDraft::correcting(&detected);
    fix.occurred_at = at(3, 12);
    j.append(fix, &r, &clock).unwrap();
    j.append(
        EntryDraft::milestone(Milestone::Acknowledged, alice(), None),
        &r,
        &clock,
    )
    .unwrap();
    tick(2);
    let mut note = EntryDraft::new(
        EntryKind::Note,
        alice(),
        "Tasks die with exit 137 | OutOfMemoryError, 1-3 min after start",
    );
    note.important = true;
    j.append(note, &r, &clock).unwrap();
    tick(3);
    let mut step = EntryDraft::new(
        EntryKind::Step,
        alice(),
        "Roll back chatbot-api to revision 40",
    );
    step.runbook = Some(RunbookRef {
        file: "runbooks/oom-restart-loop.md".into(),
        content_sha: "9f2c1e".into(),
        run_id: "run-01".into(),
        step_id: "rollback".into(),
        attempt: 1,
        state: "succeeded".into(),
    });
    step.action = Some(ActionRecord {
        kind: "ecs.rollback".into(),
        destructive: true,
        dry_run: false,
        confirmed_by: Some("alice".into()),
        confirmation: Some("typed".into()),
        inputs: serde_json::json!({"cluster": "prod-web", "service": "chatbot-api", "to": "chatbot-api:40"}),
        undo: serde_json::json!({"task_definition": "chatbot-api:41"}),
    });
    step.result = Some(ResultRecord {
        status: "succeeded".into(),
        exit_code: None,
        duration_ms: Some(2140),
        outputs: serde_json::json!({"deployment_id": "ecs-svc/7316552849123456789"}),
        excerpt: None,
    });
    step.resources = vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into()];
    j.append(step, &r, &clock).unwrap();
    tick(4);
    j.append(
        EntryDraft::milestone(Milestone::Mitigated, alice(), None),
        &r,
        &clock,
    )
    .unwrap();
    tick(20);
    let mut followup = EntryDraft::new(
        EntryKind::Note,
        alice(),
        "Add a memory alarm on chatbot-api at 80% of the task limit",
    );
    followup.tags = vec!["followup".into()];
    j.append(followup, &r, &clock).unwrap();
    j.append(
        EntryDraft::milestone(Milestone::Resolved, alice(), None),
        &r,
        &clock,
    )
    .unwrap();
    let loaded = store.load(&id).unwrap();
    assert!(loaded.skipped.is_empty());
    (dir, loaded.incident)
}

#[test]
fn time_to_detect_mitigate_and_resolve_count_from_impact_start() {
    let (_dir, incident) = realistic_incident();
    let d = incident.durations();
    // impact 02:49; detected 03:12 (corrected from 03:10); mitigated 03:24; resolved 03:44
    assert_eq!(d.to_detect, Some(Duration::minutes(23)));
    assert_eq!(d.to_mitigate, Some(Duration::minutes(35)));
    assert_eq!(d.to_resolve, Some(Duration::minutes(55)));
    assert_eq!(human_duration(Duration::minutes(65)), "1h 05m");
    assert_eq!(incident.superseded.len(), 1);
}

#[test]
fn markdown_post_mortem_draft() {
    let (_dir, incident) = realistic_incident();
    let md = export::markdown(&incident);
    assert!(md.contains("## What changed"), "{md}");
    assert!(
        md.contains("since UpdateService chatbot-api:41 by ci-deploy"),
        "{md}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn json_export() {
    let (_dir, incident) = realistic_incident();
    let mut doc = export::json(&incident);
    // Entry ids are random; everything else is fixed.
    for e in doc["entries"].as_array_mut().unwrap() {
        e["id"] = "<id>".into();
        if e.get("supersedes").is_some() {
            e["supersedes"] = "<id>".into();
        }
    }
    let entries = doc["entries"].as_array().unwrap();
    let times: Vec<&str> = entries
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "ordered by occurred_at"
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&doc).unwrap());
}

#[test]
fn csv_export() {
    let (_dir, incident) = realistic_incident();
    let csv = export::csv(&incident);
    let ids: Vec<&str> = incident.entries.iter().map(|e| e.id.as_str()).collect();
    let mut stable = csv.clone();
    for (i, id) in ids.iter().enumerate() {
        stable = stable.replace(id, &format!("<id{}>", incident.entries[i].seq));
    }
    // Records end in CRLF; a multi-line field holds bare LFs inside quotes.
    assert_eq!(csv.matches("\r\n").count(), incident.entries.len() + 1);
    insta::assert_snapshot!(stable);
}

#[test]
fn alarm_transitions_are_journaled_once_start_time_to_detect_and_get_their_section() {
    use std::collections::BTreeMap;
    use triage::domain::alarms::{transitions, Alarm, AlarmState, OwnedAlarm};
    use triage::domain::service::ServiceKey;
    let alarm = |state: AlarmState, at: (u32, u32)| {
        OwnedAlarm {
        alarm: Alarm {
            name: "prod-web chatbot-api memory above 90 %".into(),
            arn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:chatbot-memory".into(),
            state,
            reason: "Threshold Crossed: 1 datapoint [100.0 (28/01/26 02:58:00)] was greater than the threshold (90.0).".into(),
            since: Some(Utc.with_ymd_and_hms(2026, 1, 28, at.0, at.1, 0).unwrap()),
            composite: false,
            metric: None,
            pair: Default::default(),
        },
        services: vec![ServiceKey::new("prod-web", "chatbot-api")],
    }
    };
    let firing = vec![alarm(AlarmState::Alarm, (2, 58))];
    let mut seen = BTreeMap::new();
    let into = transitions(&seen, &firing);
    assert_eq!(into.len(), 1, "already in ALARM when first seen: journaled");
    assert_eq!(
        into[0].summary,
        "Alarm prod-web chatbot-api memory above 90 % in ALARM"
    );
    seen.insert(firing[0].alarm.arn.clone(), AlarmState::Alarm);
    assert!(transitions(&seen, &firing).is_empty(), "once");
    let cleared = vec![alarm(AlarmState::Ok, (3, 30))];
    let out = transitions(&seen, &cleared);
    assert_eq!(
        out[0].summary,
        "Alarm prod-web chatbot-api memory above 90 % back to OK"
    );
    assert!(
        transitions(&BTreeMap::new(), &cleared).is_empty(),
        "an alarm first seen OK says nothing"
    );

    // In an incident without a `detected` milestone, the first alarm detected it.
    let dir = tempfile::tempdir().unwrap();
    let store = IncidentStore::new(dir.path());
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 28, 3, 5, 0).unwrap());
    let r = Redactor::default();
    let id = store
        .start("chatbot-api OOM", None, alice(), &r, &clock)
        .unwrap();
    let mut impact = EntryDraft::milestone(Milestone::ImpactStarted, alice(), None);
    impact.occurred_at = Some(Utc.with_ymd_and_hms(2026, 1, 28, 2, 49, 0).unwrap());
    let j = store.journal(&id);
    j.append(impact, &r, &clock).unwrap();
    for draft in into.into_iter().chain(out) {
        j.append(draft, &r, &clock).unwrap();
    }
    let incident = store.load(&id).unwrap().incident;
    assert_eq!(incident.durations().to_detect, Some(Duration::minutes(9)));
    let md = export::markdown(&incident);
    let section = md
        .split("## Alarms (UTC)")
        .nth(1)
        .expect("an alarms section")
        .split("\n## ")
        .next()
        .unwrap();
    assert!(section.contains("| 2026-01-28 02:58:00 | Alarm prod-web chatbot-api memory above 90 % in ALARM | prod-web/chatbot-api | Threshold Crossed"), "{section}");
    assert!(section.contains("back to OK"), "{section}");
}

#[test]
fn missing_facts_are_prompts_for_the_author_never_unknown_or_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = IncidentStore::new(dir.path());
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 28, 3, 14, 0).unwrap());
    let nobody = Actor::Human {
        name: "unknown".into(),
    };
    let id = store
        .start(
            "egress spike",
            None,
            nobody.clone(),
            &Redactor::default(),
            &clock,
        )
        .unwrap();
    store
        .journal(&id)
        .append(
            EntryDraft::new(EntryKind::Note, nobody, "looking"),
            &Redactor::default(),
            &clock,
        )
        .unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    assert!(!md.contains("unknown") && !md.contains("not set"), "{md}");
    assert!(
        md.contains("| Severity | _to choose: SEV1 (critical) to SEV4 (minor)_ |"),
        "{md}"
    );
    assert!(
        md.contains("| Responders | _to fill: no entry names its author"),
        "{md}"
    );
    assert!(
        md.contains("| Services | _to fill: no service was journaled"),
        "{md}"
    );
    // A shared author is a responder like the console's user.
    let bob = Actor::Human { name: "bob".into() };
    store
        .journal(&id)
        .append(
            EntryDraft::new(EntryKind::Note, bob, "blocking egress"),
            &Redactor::default(),
            &clock,
        )
        .unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    assert!(md.contains("| Responders | bob |"), "{md}");
}

#[test]
fn a_step_is_one_row_with_what_it_did_and_the_json_keeps_every_record() {
    let Fresh {
        _dir,
        store,
        clock,
        r,
        id,
    } = fresh("chatbot-api OOM", Some(Severity::Sev2));
    let j = store.journal(&id);
    let step = |state: &str| {
        let mut d = EntryDraft::new(
            EntryKind::Step,
            alice(),
            format!("Runbook oom-restart-loop · step rollback (Roll back): {state}"),
        );
        d.runbook = Some(RunbookRef {
            file: "oom-restart-loop.md".into(),
            content_sha: "9f2c1e".into(),
            run_id: "run-01".into(),
            step_id: "rollback".into(),
            attempt: 1,
            state: state.into(),
        });
        d
    };
    j.append(step("planned"), &r, &clock).unwrap();
    let mut confirmed = step("confirmed");
    confirmed.action = Some(ActionRecord {
        kind: "ecs.rollback".into(),
        destructive: true,
        dry_run: false,
        confirmed_by: Some("alice".into()),
        confirmation: Some("chatbot-api".into()),
        inputs: serde_json::json!({"cluster": "prod-web", "service": "chatbot-api"}),
        undo: serde_json::Value::Null,
    });
    j.append(confirmed, &r, &clock).unwrap();
    j.append(step("running"), &r, &clock).unwrap();
    clock.advance(Duration::seconds(2));
    let mut done = step("succeeded");
    done.action = Some(ActionRecord {
        kind: "ecs.rollback".into(),
        destructive: true,
        dry_run: false,
        confirmed_by: None,
        confirmation: None,
        inputs: serde_json::Value::Null,
        undo: serde_json::json!({"task_definition": "chatbot-api:41"}),
    });
    done.result = Some(ResultRecord {
        status: "succeeded".into(),
        duration_ms: Some(2140),
        excerpt: Some("chatbot-api: chatbot-api:41 → chatbot-api:40".into()),
        ..Default::default()
    });
    j.append(done, &r, &clock).unwrap();
    let incident = store.load(&id).unwrap().incident;
    let md = export::markdown(&incident);
    // One row in the response, in words, with who confirmed it and how long it took.
    assert!(
        md.contains("| oom-restart-loop › Roll back | chatbot-api: chatbot-api:41 → chatbot-api:40 (undo recorded) | succeeded | 2.1 s | alice |"),
        "{md}"
    );
    // One row in the timeline: how it ended.
    let timeline = md
        .split("## Timeline")
        .nth(1)
        .unwrap()
        .split("## ")
        .next()
        .unwrap();
    assert_eq!(timeline.matches("step rollback").count(), 1, "{timeline}");
    assert!(timeline.contains("(Roll back): succeeded"), "{timeline}");
    // No JSON in the prose; every record in the JSON export.
    assert!(!md.contains("```json"), "{md}");
    let json = export::json(&incident);
    assert_eq!(
        json["entries"].as_array().unwrap().len(),
        incident.entries.len()
    );
    assert_eq!(incident.entries.len(), 5);
}

#[test]
fn the_timeline_is_the_incidents_services_and_window_the_rest_counted() {
    let Fresh {
        _dir,
        store,
        clock,
        r,
        id,
    } = fresh("chatbot-api OOM loop after :41", Some(Severity::Sev2));
    let j = store.journal(&id);
    let arn = |s: &str| format!("arn:aws:ecs:eu-west-1:123456789012:service/prod-web/{s}");
    let seen = |summary: &str, service: &str, minutes_before: i64| {
        let mut d = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
        d.resources = vec![arn(service)];
        d.occurred_at = Some(
            Utc.with_ymd_and_hms(2026, 1, 28, 3, 14, 0).unwrap()
                - Duration::minutes(minutes_before),
        );
        d
    };
    // The incident's service: its trouble began 20 minutes before.
    j.append(
        seen("prod-web/chatbot-api healthy → degraded", "chatbot-api", 20),
        &r,
        &clock,
    )
    .unwrap();
    // Another service's trouble in the same minutes, and one an hour before.
    j.append(
        seen("prod-web/backend-api healthy → degraded", "backend-api", 3),
        &r,
        &clock,
    )
    .unwrap();
    j.append(
        seen("prod-web/worker task 1a2b stopped", "worker", 70),
        &r,
        &clock,
    )
    .unwrap();
    // A note about the incident's service, by a person.
    let mut note = EntryDraft::new(EntryKind::Note, alice(), "rolling back chatbot-api");
    note.resources = vec![arn("chatbot-api")];
    j.append(note, &r, &clock).unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    let timeline = md
        .split("## Timeline")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        timeline.contains("chatbot-api healthy → degraded"),
        "{timeline}"
    );
    assert!(timeline.contains("rolling back chatbot-api"), "{timeline}");
    assert!(
        !timeline.contains("backend-api") && !timeline.contains("worker"),
        "{timeline}"
    );
    assert!(
        timeline.contains("_2 other events in the account"),
        "{timeline}"
    );
    assert!(md.contains("| Services | prod-web/chatbot-api |"), "{md}");
    // The JSON keeps them all.
    let json = export::json(&store.load(&id).unwrap().incident);
    assert_eq!(json["entries"].as_array().unwrap().len(), 5);
}

#[test]
fn key_times_say_where_they_came_from_and_recovery_is_what_the_console_saw() {
    let dir = tempfile::tempdir().unwrap();
    let store = IncidentStore::new(dir.path());
    let t = |m: i64| Utc.with_ymd_and_hms(2026, 1, 28, 3, 0, 0).unwrap() + Duration::minutes(m);
    let clock = ManualClock::new(t(14));
    let r = Redactor::default();
    let id = store
        .start(
            "chatbot-api OOM loop",
            Some(Severity::Sev2),
            alice(),
            &r,
            &clock,
        )
        .unwrap();
    let j = store.journal(&id);
    let seen = |summary: &str, at: i64, tags: &[&str]| {
        let mut d = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
        d.resources =
            vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into()];
        d.occurred_at = Some(t(at));
        d.tags = tags.iter().map(|s| s.to_string()).collect();
        d
    };
    // First sign at 03:05, the alarm at 03:09; no detected milestone.
    j.append(
        seen("prod-web/chatbot-api task 1a2b stopped: OOM", 5, &[]),
        &r,
        &clock,
    )
    .unwrap();
    let mut alarm = seen("Alarm chatbot-api memory in ALARM", 9, &["alarm", "alarm"]);
    alarm.resources = vec![
        "arn:aws:cloudwatch:alarm:mem".into(),
        "prod-web/chatbot-api".into(),
    ];
    j.append(alarm, &r, &clock).unwrap();
    // Mitigated when the rollback finished (03:16); healthy at 03:20, the alarm OK at 03:22.
    j.append(
        EntryDraft::milestone(Milestone::Mitigated, alice(), Some(t(16))),
        &r,
        &clock,
    )
    .unwrap();
    j.append(
        seen(
            "prod-web/chatbot-api degraded → healthy: 2 of 2 running",
            20,
            &[],
        ),
        &r,
        &clock,
    )
    .unwrap();
    let mut ok = seen("Alarm chatbot-api memory back to OK", 22, &["alarm", "ok"]);
    ok.resources = vec![
        "arn:aws:cloudwatch:alarm:mem".into(),
        "prod-web/chatbot-api".into(),
    ];
    j.append(ok, &r, &clock).unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    let rows = md.split("## Key timestamps").nth(1).unwrap();
    assert!(rows.contains("| Impact started | 2026-01-28 03:05:00 | first sign: prod-web/chatbot-api task 1a2b stopped: OOM |"), "{rows}");
    assert!(
        rows.contains(
            "| Detected | 2026-01-28 03:09:00 | observed: Alarm chatbot-api memory in ALARM |"
        ),
        "{rows}"
    );
    assert!(
        rows.contains("| Mitigated | 2026-01-28 03:16:00 | milestone, by alice |"),
        "{rows}"
    );
    assert!(
        rows.contains(
            "| Recovered | 2026-01-28 03:22:00 | observed: Alarm chatbot-api memory back to OK |"
        ),
        "{rows}"
    );
    assert!(
        rows.contains("| **Time to detect** | 4m 00s | impact started → detected |"),
        "{rows}"
    );
    assert!(
        rows.contains("| **Time to mitigate** | 11m 00s |"),
        "{rows}"
    );
    assert!(rows.contains("| **Time to recover** | 17m 00s |"), "{rows}");
    assert!(rows.contains("| **Time to resolve** | — |"), "{rows}");
}

/// A step record of `run-1` as the driver writes it: planned (with its
/// inputs), then how it ended (with its outputs and undo).
fn step_records(
    step: &str,
    kind: &str,
    inputs: serde_json::Value,
    outputs: serde_json::Value,
    undo: serde_json::Value,
    at: chrono::DateTime<Utc>,
) -> [EntryDraft; 2] {
    let record = |state: &str| {
        let mut d = EntryDraft::new(
            EntryKind::Step,
            alice(),
            format!("Runbook fix · step {step} ({step}): {state}"),
        );
        d.occurred_at = Some(at);
        d.runbook = Some(RunbookRef {
            file: "runbooks/fix.md".into(),
            content_sha: "abc".into(),
            run_id: "run-1".into(),
            step_id: step.into(),
            attempt: 1,
            state: state.into(),
        });
        d
    };
    let mut planned = record("planned");
    planned.action = Some(ActionRecord {
        kind: kind.into(),
        destructive: true,
        inputs,
        ..Default::default()
    });
    let mut done = record("succeeded");
    done.action = Some(ActionRecord {
        kind: kind.into(),
        destructive: true,
        undo,
        ..Default::default()
    });
    done.result = Some(ResultRecord {
        status: "succeeded".into(),
        outputs,
        ..Default::default()
    });
    [planned, done]
}

#[test]
fn mitigated_is_the_first_change_after_which_nothing_got_worse() {
    let dir = tempfile::tempdir().unwrap();
    let store = IncidentStore::new(dir.path());
    let t = |m: i64| Utc.with_ymd_and_hms(2026, 1, 28, 3, 0, 0).unwrap() + Duration::minutes(m);
    let clock = ManualClock::new(t(10));
    let r = Redactor::default();
    let id = store
        .start("prod-web/api: 5XX", None, alice(), &r, &clock)
        .unwrap();
    let j = store.journal(&id);
    let seen = |summary: &str, at: i64| {
        let mut d = EntryDraft::new(EntryKind::Observation, Actor::Console, summary);
        d.resources = vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/api".into()];
        d.occurred_at = Some(t(at));
        d
    };
    // An older trouble of the same service, fixed long before: not this
    // incident's start (more than 15 minutes before the next sign).
    j.append(
        seen(
            "prod-web/api task 0f stopped: Essential container exited",
            -60,
        ),
        &r,
        &clock,
    )
    .unwrap();
    j.append(
        seen("prod-web/api healthy → degraded: 1 of 2 running", 2),
        &r,
        &clock,
    )
    .unwrap();
    // A scale-out at 03:12 did not help: it got worse at 03:15.
    for d in step_records(
        "scale",
        "ecs.scale",
        serde_json::json!({"cluster": "prod-web", "service": "api"}),
        serde_json::json!({"previous_count": "2", "count": "4"}),
        serde_json::Value::Null,
        t(12),
    ) {
        j.append(d, &r, &clock).unwrap();
    }
    j.append(
        seen("prod-web/api degraded → down: 0 of 4 running", 15),
        &r,
        &clock,
    )
    .unwrap();
    // Flow logs change nothing the service does; the rollback at 03:18 held.
    for d in step_records(
        "flowlogs",
        "ec2.flow_logs",
        serde_json::json!({}),
        serde_json::json!({"log_group": "/fl", "flow_logs": "fl-1", "network_interfaces": "eni-1"}),
        serde_json::Value::Null,
        t(17),
    ) {
        j.append(d, &r, &clock).unwrap();
    }
    for d in step_records(
        "rollback",
        "ecs.rollback",
        serde_json::json!({"cluster": "prod-web", "service": "api"}),
        serde_json::json!({"from_revision": "api:8", "to_revision": "api:7"}),
        serde_json::json!({"task_definition": "api:8"}),
        t(18),
    ) {
        j.append(d, &r, &clock).unwrap();
    }
    // A sign already under way within the settling time does not count.
    j.append(
        seen("prod-web/api down → degraded: 1 of 4 running", 19),
        &r,
        &clock,
    )
    .unwrap();
    j.append(
        seen("prod-web/api degraded → healthy: 4 of 4 running", 23),
        &r,
        &clock,
    )
    .unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    let rows = md.split("## Key timestamps").nth(1).unwrap();
    assert!(
        rows.contains("| Impact started | 2026-01-28 03:02:00 | first sign: prod-web/api healthy → degraded: 1 of 2 running |"),
        "{rows}"
    );
    assert!(
        rows.contains("| Mitigated | 2026-01-28 03:18:00 | the first change after which nothing got worse: api rolled back from :8 to :7 |"),
        "{rows}"
    );
    assert!(
        rows.contains("| **Time to mitigate** | 16m 00s |"),
        "{rows}"
    );
    assert!(rows.contains("| **Time to recover** | 21m 00s |"), "{rows}");
    // The response says each change in words, never JSON.
    let response = md.split("## Response").nth(1).unwrap();
    assert!(
        response.contains("| api scaled from 2 to 4 task(s) |"),
        "{response}"
    );
    assert!(
        response.contains("| api rolled back from :8 to :7 (undo recorded) |"),
        "{response}"
    );
    assert!(!response.contains('{'), "{response}");
    // The older stop is outside the window: counted, not listed.
    assert!(!md.contains("Essential container exited"), "{md}");
    assert!(md.contains("1 other event in the account"), "{md}");
}

#[test]
fn a_person_s_mitigated_milestone_wins_over_the_derived_one() {
    let Fresh {
        _dir,
        store,
        clock,
        r,
        id,
    } = fresh("prod-web/api: 5XX", Some(Severity::Sev2));
    let j = store.journal(&id);
    let at = |m: u32| Utc.with_ymd_and_hms(2026, 1, 28, 3, m, 0).unwrap();
    for d in step_records(
        "rollback",
        "ecs.rollback",
        serde_json::json!({"cluster": "prod-web", "service": "api"}),
        serde_json::json!({"from_revision": "api:8", "to_revision": "api:7"}),
        serde_json::Value::Null,
        at(16),
    ) {
        j.append(d, &r, &clock).unwrap();
    }
    j.append(
        EntryDraft::milestone(Milestone::Mitigated, alice(), Some(at(20))),
        &r,
        &clock,
    )
    .unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    assert!(
        md.contains("| Mitigated | 2026-01-28 03:20:00 | milestone, by alice |"),
        "{md}"
    );
}

#[test]
fn the_impact_names_the_requests_a_saved_search_found() {
    let Fresh {
        _dir,
        store,
        clock,
        r,
        id,
    } = fresh("prod-web/api: 5XX", Some(Severity::Sev2));
    let mut saved = EntryDraft::new(
        EntryKind::Note,
        alice(),
        "Request req-7f3a: 14 lines in 3 services, 2 errors (api 502)",
    );
    saved.tags = vec!["logs".into(), "req-7f3a".into()];
    saved.evidence = vec!["triage logs req-7f3a".into()];
    store.journal(&id).append(saved, &r, &clock).unwrap();
    let md = export::markdown(&store.load(&id).unwrap().incident);
    let impact = md
        .split("## Impact")
        .nth(1)
        .and_then(|s| s.split("## Key timestamps").next())
        .unwrap();
    assert!(
        impact.contains("Request req-7f3a: 14 lines in 3 services, 2 errors (api 502)"),
        "{impact}"
    );
}
