//! The console and the incident timeline: what it records by itself, and
//! notes, milestones, corrections and exports from the keyboard.

use chrono::{DateTime, Duration, TimeZone, Utc};
use triage::app::state::{Overlay, PromptPurpose, SessionInfo};
use triage::app::update::init;
use triage::app::{
    update, AppState, Effect, Key, KeyPress, Msg, Screen, StatusSnapshot, WorkerResult,
};
use triage::domain::ports::AccountIdentity;
use triage::domain::timeline::{Actor, Entry, EntryDraft, EntryKind, Milestone, TimeSource};
use triage::settings::ThemeSpec;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

fn state() -> AppState {
    let session = SessionInfo {
        demo: Some("saas".into()),
        profile: None,
        region: None,
        read_only: false,
        clusters: vec![],
        production_patterns: vec![],
        refresh_selected: Duration::seconds(5),
        refresh_others: Duration::seconds(30),
        operator: "alice".into(),
        share: false,
        pairs: vec![],
    };
    let mut s = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, t0());
    update(
        &mut s,
        Msg::Resize {
            width: 120,
            height: 30,
        },
    );
    s
}

fn opened_entry() -> Entry {
    EntryDraft::new(
        EntryKind::Decision,
        Actor::Human {
            name: "alice".into(),
        },
        "Incident opened: chatbot OOM",
    )
    .into_entry("01AAA".into(), 1, t0())
}

fn journal_drafts(effects: &[Effect]) -> Vec<EntryDraft> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(d) => Some((**d).clone()),
            _ => None,
        })
        .collect()
}

/// Write the drafts as the journal would, feeding the results back.
fn write_back(s: &mut AppState, drafts: Vec<EntryDraft>) {
    let mut seq = s
        .incident
        .as_ref()
        .map(|v| v.incident.entries.len() as u64)
        .unwrap_or(0);
    for d in drafts {
        seq += 1;
        let entry = d.into_entry(format!("01E{seq:03}"), seq, s.now);
        update(s, Msg::Worker(WorkerResult::Journaled(Ok(Box::new(entry)))));
    }
}

fn services(names: &[&str]) -> Vec<triage::domain::Service> {
    // Reuse the health fixtures' shape through the demo: simplest is a tiny hand-made service.
    names
        .iter()
        .map(|n| triage::domain::Service {
            cluster: "prod-web".into(),
            name: n.to_string(),
            arn: format!("arn:aws:ecs:eu-west-1:123456789012:service/prod-web/{n}"),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            pending: 0,
            task_definition: format!("{n}:1"),
            launch_type: None,
            deployments: vec![],
            events: vec![],
            created_at: None,
            target_groups: vec![],
            network: None,
            pair: Default::default(),
        })
        .collect()
}

fn status(s: &mut AppState, services: Vec<triage::domain::Service>) -> Vec<Effect> {
    let effects = update(s, Msg::Tick(s.status.next_at.max(s.now)));
    let generation = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchStatus { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap_or(s.status.generation);
    update(
        s,
        Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(StatusSnapshot {
                services,
                ..Default::default()
            }),
        }),
    )
}

fn attach(s: &mut AppState) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((
            "20260128-0312-chatbot-oom".into(),
            vec![opened_entry()],
        )))),
    )
}

fn identity() -> Msg {
    Msg::Worker(WorkerResult::Identity {
        pair: Default::default(),
        result: Ok(AccountIdentity {
            account: Some("123456789012".into()),
            region: "eu-west-1".into(),
            demo: true,
            ..Default::default()
        }),
    })
}

fn keys(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Msg::Key(KeyPress::char(c)));
    }
}

fn enter(s: &mut AppState) -> Vec<Effect> {
    update(s, Msg::Key(KeyPress::plain(Key::Enter)))
}

#[test]
fn attaching_records_who_opened_the_console_and_a_first_look() {
    let mut s = state();
    init(&mut s);
    update(&mut s, identity());
    status(&mut s, services(&["chatbot-api", "frontend"]));
    let drafts = journal_drafts(&attach(&mut s));
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    assert!(drafts[0]
        .summary
        .starts_with("Console opened by alice on the demo account"));
    assert!(drafts[1].summary.starts_with("First look: all 2 services"));
    // Only once.
    assert!(journal_drafts(&update(&mut s, identity())).is_empty());
}

#[test]
fn a_health_change_is_written_down_with_its_reason() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    status(&mut s, services(&["chatbot-api"]));
    let mut down = services(&["chatbot-api"]);
    down[0].running = 0;
    s.now = s.status.next_at;
    let drafts = journal_drafts(&status(&mut s, down));
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(
        drafts[0].summary,
        "prod-web/chatbot-api healthy → down: 0 of 2 running"
    );
    assert!(drafts[0].important);
    assert_eq!(drafts[0].actor, Actor::Console);
}

#[test]
fn nothing_is_recorded_without_an_incident_and_the_keys_say_how_to_start_one() {
    let mut s = state();
    init(&mut s);
    assert!(journal_drafts(&status(&mut s, services(&["a"]))).is_empty());
    keys(&mut s, "t");
    assert_eq!(s.screen, Screen::Timeline);
    keys(&mut s, "n");
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.message.as_ref().unwrap().text.contains(":start"));
    keys(&mut s, ":");
    keys(&mut s, "start checkout errors");
    // The severity is asked next; a wrong one is asked again, the title kept.
    assert_eq!(enter(&mut s), vec![]);
    assert!(
        matches!(&s.overlay, Overlay::Prompt(p) if p.purpose == PromptPurpose::StartSeverity("checkout errors".into()))
    );
    if let Overlay::Prompt(p) = &mut s.overlay {
        p.input.text.clear();
    }
    keys(&mut s, "SEV9");
    assert_eq!(enter(&mut s), vec![]);
    assert!(s.message.as_ref().unwrap().text.contains("SEV1, SEV2"));
    if let Overlay::Prompt(p) = &mut s.overlay {
        p.input.text.clear();
    }
    keys(&mut s, "2");
    assert_eq!(
        enter(&mut s),
        vec![Effect::StartIncident {
            title: "checkout errors".into(),
            severity: Some(triage::domain::timeline::Severity::Sev2),
        }]
    );
}

#[test]
fn start_without_a_title_offers_one_named_from_the_worst_service_and_its_severity() {
    let mut s = state();
    init(&mut s);
    let mut down = services(&["api", "web"]);
    down[1].running = 0;
    status(&mut s, down);
    keys(&mut s, "t:start");
    assert_eq!(enter(&mut s), vec![]);
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the title is asked: {:?}", s.overlay)
    };
    assert_eq!(p.purpose, PromptPurpose::StartIncident);
    assert!(
        p.input.text.starts_with("prod-web/web: "),
        "{:?}",
        p.input.text
    );
    let title = p.input.text.clone();
    assert_eq!(enter(&mut s), vec![]);
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the severity is asked")
    };
    assert_eq!(p.input.text, "SEV2", "a service down");
    let effects = enter(&mut s);
    assert!(
        matches!(&effects[..], [Effect::StartIncident { title: t, severity: Some(_) }] if *t == title),
        "{effects:?}"
    );
}

#[test]
fn notes_milestones_corrections_marks_and_export_from_the_timeline() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    keys(&mut s, "t");

    keys(&mut s, "n");
    keys(&mut s, "rolled back to :40");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(drafts[0].kind, EntryKind::Note);
    assert_eq!(drafts[0].summary, "rolled back to :40");
    assert_eq!(
        drafts[0].actor,
        Actor::Human {
            name: "alice".into()
        }
    );
    write_back(&mut s, drafts);

    keys(&mut s, "m");
    keys(&mut s, "detected 10m ago");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(drafts[0].milestone, Some(Milestone::Detected));
    assert_eq!(drafts[0].occurred_at, Some(t0() - Duration::minutes(10)));
    assert_eq!(drafts[0].time_source, TimeSource::Operator);
    write_back(&mut s, drafts);

    keys(&mut s, "m");
    keys(&mut s, "detectd");
    assert!(journal_drafts(&enter(&mut s)).is_empty());
    assert!(s
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("unknown milestone"));

    // The cursor is on the newest entry (the note, by time); correct it.
    let view = s.incident.as_ref().unwrap();
    let selected = view.incident.entries[view.cursor.selected].clone();
    keys(&mut s, "e");
    update(&mut s, Msg::Key(KeyPress::ctrl('u')));
    keys(&mut s, "rolled back to revision 40");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(drafts[0].supersedes.as_deref(), Some(selected.id.as_str()));
    assert_eq!(drafts[0].summary, "rolled back to revision 40");
    write_back(&mut s, drafts);
    let incident = &s.incident.as_ref().unwrap().incident;
    assert!(incident.is_superseded(&selected));

    let view = s.incident.as_ref().unwrap();
    let selected = view.incident.entries[view.cursor.selected].clone();
    let drafts = journal_drafts(&update(&mut s, Msg::Key(KeyPress::char('i'))));
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].supersedes.as_deref(), Some(selected.id.as_str()));
    assert_eq!(drafts[0].important, !selected.important, "i flips the mark");

    assert_eq!(
        update(&mut s, Msg::Key(KeyPress::char('x'))),
        vec![Effect::ExportIncident]
    );
}

#[test]
fn a_failed_write_is_said_out_loud() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    update(
        &mut s,
        Msg::Worker(WorkerResult::Journaled(Err(
            "cannot write /data/journal.jsonl: No space left on device".into(),
        ))),
    );
    let message = s.message.clone().unwrap();
    assert!(
        message.error
            && message.text.contains("NOT written")
            && message.text.contains("No space left")
    );
}

#[test]
fn with_sharing_the_console_publishes_what_it_writes_and_merges_what_others_shared() {
    let mut s = state();
    s.session.share = true;
    init(&mut s);
    let effects = attach(&mut s);
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::PublishShare { entries, .. } if entries.len() == 1)));

    // What it writes goes out.
    keys(&mut s, "t");
    keys(&mut s, "n");
    keys(&mut s, "mine");
    let drafts = journal_drafts(&enter(&mut s));
    let entry = drafts[0].clone().into_entry("01MINE".into(), 2, s.now);
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::Journaled(Ok(Box::new(entry)))),
    );
    assert!(
        matches!(&effects[..], [Effect::PublishShare { entries, .. }] if entries[0].id == "01MINE")
    );

    // It asks for others' entries every few seconds, one request at a time
    // (and looks at its own journal file every tick).
    let shared_pulls = |effects: Vec<Effect>| -> Vec<Effect> {
        assert!(effects.contains(&Effect::FollowJournal), "{effects:?}");
        effects
            .into_iter()
            .filter(|e| *e != Effect::FollowJournal)
            .collect()
    };
    let effects = shared_pulls(update(&mut s, Msg::Tick(t0() + Duration::seconds(1))));
    assert!(matches!(
        &effects[..],
        [Effect::PullShare { cursor: None, .. }]
    ));
    assert!(shared_pulls(update(&mut s, Msg::Tick(t0() + Duration::seconds(2)))).is_empty());
    let bobs = EntryDraft::new(
        EntryKind::Note,
        Actor::Human { name: "bob".into() },
        "blocking egress",
    )
    .into_entry("01BOB".into(), 1, t0());
    update(
        &mut s,
        Msg::Worker(WorkerResult::SharePulled(Ok((
            vec![bobs.clone(), bobs],
            Some("f/2".into()),
        )))),
    );
    let view = s.incident.as_ref().unwrap();
    assert_eq!(
        view.incident
            .entries
            .iter()
            .filter(|e| e.id == "01BOB")
            .count(),
        1,
        "each entry once"
    );
    assert_eq!(view.share_cursor.as_deref(), Some("f/2"));
    let effects = shared_pulls(update(&mut s, Msg::Tick(t0() + Duration::seconds(8))));
    assert!(matches!(&effects[..], [Effect::PullShare { cursor: Some(c), .. }] if c == "f/2"));

    update(
        &mut s,
        Msg::Worker(WorkerResult::SharePublishFailed("access denied".into())),
    );
    assert!(s.message.as_ref().unwrap().text.contains("not shared"));
}

fn report_of(names: &[&str]) -> triage::workers::diagnosis::DiagnosisReport {
    use crate::support::fixtures;
    triage::workers::diagnosis::DiagnosisReport {
        findings: names
            .iter()
            .map(|n| {
                triage::domain::diagnosis::diagnose(
                    &fixtures::tasks(&fixtures::load(&format!("stopped-tasks/{n}.json")))[0],
                    None,
                )
            })
            .collect(),
        ..Default::default()
    }
}

fn diagnosis_result(
    s: &mut AppState,
    report: triage::workers::diagnosis::DiagnosisReport,
) -> Vec<Effect> {
    s.diagnosis.report.generation += 1;
    let generation = s.diagnosis.report.generation;
    update(
        s,
        Msg::Worker(WorkerResult::Diagnosis {
            generation,
            result: Ok(Box::new(report)),
        }),
    )
}

#[test]
fn stopped_tasks_are_journaled_once_and_outlive_ecs() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    let report = report_of(&[
        "oom_killed--exit-137-with-oom-reason",
        "segfault--exit-139",
        "deployment_replaced--scheduler-143",
    ]);
    let drafts = journal_drafts(&diagnosis_result(&mut s, report.clone()));
    assert_eq!(
        drafts.len(),
        2,
        "benign replacements are not journaled: {drafts:?}"
    );
    assert!(drafts
        .iter()
        .all(|d| d.tags.contains(&"stopped-task".to_string())));
    assert!(
        drafts[0].summary.contains("stopped: Out of memory"),
        "{}",
        drafts[0].summary
    );
    assert_eq!(drafts[0].time_source, TimeSource::Aws);
    // Seen again: not written again.
    assert!(journal_drafts(&diagnosis_result(&mut s, report)).is_empty());
    write_back(&mut s, drafts);

    // An hour later ECS has forgotten them; the console still shows them, from the journal.
    diagnosis_result(&mut s, report_of(&["deployment_replaced--scheduler-143"]));
    let shown: Vec<(&str, bool)> = s
        .visible_findings()
        .iter()
        .map(|f| (f.cause.code(), f.from_journal))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("oom_killed", true),
            ("segfault", true),
            ("deployment_replaced", false)
        ]
    );

    // A console that attaches later knows they were recorded.
    let entries = s.incident.as_ref().unwrap().incident.entries.clone();
    let mut later = state();
    init(&mut later);
    update(
        &mut later,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((
            "20260128-0312-chatbot-oom".into(),
            entries,
        )))),
    );
    let again = report_of(&["oom_killed--exit-137-with-oom-reason"]);
    assert!(journal_drafts(&diagnosis_result(&mut later, again)).is_empty());
}

#[test]
fn with_several_pairs_each_change_names_its_pair_and_a_failing_pair_changes_nothing() {
    use triage::domain::pair::WatchedPair;
    use triage::domain::Pair;
    let mut session = state().session;
    session.demo = None;
    let (east, west) = (
        Pair::new("prod", "us-east-1"),
        Pair::new("prod", "eu-west-1"),
    );
    session.pairs = [&east, &west]
        .iter()
        .map(|p| WatchedPair {
            pair: (*p).clone(),
            ..WatchedPair::default()
        })
        .collect();
    let mut s = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, t0());
    let effects = init(&mut s);
    attach(&mut s);
    let generation_of = |effects: &[Effect], wanted: &Pair| {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::FetchStatus {
                    generation, pair, ..
                } if pair == wanted => Some(*generation),
                _ => None,
            })
            .unwrap()
    };
    let answer = |s: &mut AppState, pair: &Pair, generation: u64, running: u32| {
        let mut read = services(&["chatbot-api"]);
        read[0].running = running;
        for service in &mut read {
            service.pair = pair.clone();
        }
        update(
            s,
            Msg::Worker(WorkerResult::Status {
                generation,
                pair: pair.clone(),
                result: Ok(StatusSnapshot {
                    services: read,
                    ..Default::default()
                }),
            }),
        )
    };
    answer(&mut s, &east, generation_of(&effects, &east), 2);
    answer(&mut s, &west, generation_of(&effects, &west), 2);
    assert_eq!(
        s.status.data.as_ref().unwrap().len(),
        2,
        "the same name twice"
    );

    // The next reads: east goes down, west's read fails.
    let later = s.now + Duration::seconds(31);
    let effects = update(&mut s, Msg::Tick(later));
    let drafts = journal_drafts(&answer(&mut s, &east, generation_of(&effects, &east), 0));
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(
        drafts[0].summary,
        "prod/us-east-1 prod-web/chatbot-api healthy → down: 0 of 2 running"
    );
    let drafts = journal_drafts(&update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            generation: generation_of(&effects, &west),
            pair: west.clone(),
            result: Err(triage::domain::PortError::Unreachable {
                endpoint: "ecs.eu-west-1.amazonaws.com".into(),
                message: "timed out".into(),
            }),
        }),
    ));
    assert!(
        drafts.is_empty(),
        "a pair that cannot be read changes nothing: {drafts:?}"
    );
    let ranked = s.status.data.as_ref().unwrap();
    assert!(
        ranked.iter().any(|r| r.service.pair == west),
        "its last data stays"
    );
    assert_eq!(s.failing_pairs().len(), 1);
    assert!(
        s.status.error.is_none(),
        "the view is not failing: one pair is"
    );
}

/// Two terminals on one incident: what a second writer (a CLI `incident
/// note`, another console) appends to the journal on disk joins the
/// console's timeline at its next look — in order, once, and a line still
/// being written waits until it is whole. The console's own entries, read
/// back from the file, are not doubled.
#[test]
fn the_console_follows_what_a_second_writer_appends_to_its_journal() {
    use std::sync::Arc;
    use triage::console::journal::IncidentJournal;
    use triage::domain::clock::ManualClock;
    use triage::domain::timeline::redact::Redactor;
    use triage::domain::Clock;
    use triage::store::IncidentStore;

    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(t0()));
    let bob = Actor::Human { name: "bob".into() };
    let other = IncidentStore::new(dir.path());
    let id = other
        .start(
            "egress at 3 AM",
            None,
            bob.clone(),
            &Redactor::default(),
            clock.as_ref(),
        )
        .unwrap();
    let mut journal = IncidentJournal::new(
        IncidentStore::new(dir.path()),
        Redactor::default(),
        clock.clone(),
        "alice".into(),
    );
    let mut s = state();
    init(&mut s);
    let attached = journal.attach_open().unwrap();
    update(&mut s, Msg::Worker(attached));
    let look = |s: &mut AppState, journal: &mut IncidentJournal| {
        let effects = update(s, Msg::Tick(s.now + Duration::seconds(1)));
        assert!(effects.contains(&Effect::FollowJournal), "{effects:?}");
        let grew = journal.handle(&Effect::FollowJournal).unwrap();
        update(s, Msg::Worker(grew));
    };
    let summaries = |s: &AppState| -> Vec<String> {
        s.incident
            .as_ref()
            .unwrap()
            .incident
            .entries
            .iter()
            .map(|e| e.summary.clone())
            .collect()
    };

    // Bob writes from his shell while the console is open.
    for text in ["bob: sg-0a1b locked down", "bob: rotating the DB secret"] {
        clock.advance(Duration::seconds(5));
        other
            .journal(&id)
            .append(
                EntryDraft::new(EntryKind::Note, bob.clone(), text),
                &Redactor::default(),
                clock.as_ref(),
            )
            .unwrap();
    }
    look(&mut s, &mut journal);
    let seen = summaries(&s);
    let locked = seen
        .iter()
        .position(|t| t == "bob: sg-0a1b locked down")
        .expect("bob's first note");
    let rotating = seen
        .iter()
        .position(|t| t == "bob: rotating the DB secret")
        .expect("bob's second note");
    assert!(locked < rotating, "{seen:?}");
    assert!(s
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("2 new timeline entries written from another terminal"));

    // Nothing new: nothing changes.
    look(&mut s, &mut journal);
    assert_eq!(summaries(&s), seen);

    // The console's own note, written and then read back by the next look: once.
    let draft = EntryDraft::new(
        EntryKind::Note,
        Actor::Human {
            name: "alice".into(),
        },
        "alice: egress is down",
    );
    let written = journal.handle(&Effect::Journal(Box::new(draft))).unwrap();
    update(&mut s, Msg::Worker(written));
    look(&mut s, &mut journal);
    assert_eq!(
        summaries(&s)
            .iter()
            .filter(|t| *t == "alice: egress is down")
            .count(),
        1
    );

    // A line half written (the writer is mid-`write`) waits; whole, it comes.
    let path = dir.path().join(&id).join("journal.jsonl");
    let line = {
        let mut entry = EntryDraft::new(EntryKind::Note, bob.clone(), "bob: flow logs on")
            .into_entry("01ZZZHALF".into(), 99, clock.now());
        entry.occurred_at = clock.now();
        serde_json::to_string(&entry).unwrap()
    };
    let (first, rest) = line.split_at(line.len() / 2);
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(first.as_bytes()).unwrap();
    look(&mut s, &mut journal);
    assert!(!summaries(&s).iter().any(|t| t == "bob: flow logs on"));
    file.write_all(format!("{rest}\n").as_bytes()).unwrap();
    look(&mut s, &mut journal);
    assert_eq!(
        summaries(&s)
            .iter()
            .filter(|t| *t == "bob: flow logs on")
            .count(),
        1
    );
}

#[test]
fn a_milestone_typed_out_of_order_in_the_console_is_refused_and_not_written() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    keys(&mut s, "t");
    keys(&mut s, "m");
    keys(&mut s, "detected 10m ago");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(drafts.len(), 1);
    write_back(&mut s, drafts);
    keys(&mut s, "m");
    keys(&mut s, "resolved 20m ago");
    let effects = enter(&mut s);
    assert!(journal_drafts(&effects).is_empty(), "{effects:?}");
    let message = &s.message.as_ref().unwrap().text;
    assert!(message.contains("would come before detected"), "{message}");
}

#[test]
fn the_timeline_lists_the_incidents_scope_and_a_shows_every_entry() {
    let mut s = state();
    let mut note = EntryDraft::new(
        EntryKind::Note,
        Actor::Human {
            name: "alice".into(),
        },
        "rolling back chatbot-api",
    );
    note.resources = vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-web/chatbot-api".into()];
    let mut elsewhere = EntryDraft::new(
        EntryKind::Observation,
        Actor::Console,
        "prod-data/worker healthy → degraded",
    );
    elsewhere.resources =
        vec!["arn:aws:ecs:eu-west-1:123456789012:service/prod-data/worker".into()];
    let entries = vec![
        opened_entry(),
        note.into_entry("01AAB".into(), 2, t0()),
        elsewhere.into_entry("01AAC".into(), 3, t0()),
    ];
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok((
            "20260128-0312-chatbot-oom".into(),
            entries,
        )))),
    );
    update(&mut s, Msg::Key(KeyPress::char('t')));
    let text = crate::support::console::render(&s);
    assert!(text.contains("rolling back chatbot-api"), "{text}");
    assert!(!text.contains("prod-data/worker"), "{text}");
    assert!(
        text.contains("2 of 3 entries: its services and window (a: all)"),
        "{text}"
    );
    // The cursor is on the newest shown entry: the note.
    let view = s.incident.as_ref().unwrap();
    assert_eq!(view.selected().unwrap().summary, "rolling back chatbot-api");
    update(&mut s, Msg::Key(KeyPress::char('a')));
    let text = crate::support::console::render(&s);
    assert!(
        text.contains("prod-data/worker healthy → degraded"),
        "{text}"
    );
    assert!(
        text.contains("all 3 entries (a: the incident's only)"),
        "{text}"
    );
}

#[test]
fn title_and_severity_are_changed_by_a_journaled_decision() {
    let mut s = state();
    init(&mut s);
    // Without an incident there is nothing to change.
    keys(&mut s, ":severity 2");
    assert!(enter(&mut s).is_empty());
    assert!(s.message.as_ref().unwrap().text.contains(":start"));
    attach(&mut s);
    keys(&mut s, ":severity 2");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0].summary, "Severity set to SEV2");
    let change = drafts[0].incident.as_ref().unwrap();
    assert_eq!(change.severity.as_deref(), Some("SEV2"));
    assert_eq!(change.title, None);
    write_back(&mut s, drafts);
    assert_eq!(
        s.incident.as_ref().unwrap().incident.severity,
        Some(triage::domain::timeline::Severity::Sev2)
    );
    // `:title` alone asks, prefilled with the title it has.
    keys(&mut s, ":title");
    assert!(enter(&mut s).is_empty());
    let Overlay::Prompt(p) = &s.overlay else {
        panic!("the title is asked")
    };
    assert_eq!(p.purpose, PromptPurpose::Title);
    let current = s.incident.as_ref().unwrap().incident.title.clone();
    assert_eq!(p.input.text, current);
    keys(&mut s, " after :41");
    let drafts = journal_drafts(&enter(&mut s));
    assert_eq!(
        drafts[0].incident.as_ref().unwrap().title.as_deref(),
        Some(format!("{current} after :41").as_str())
    );
    write_back(&mut s, drafts);
    assert_eq!(
        s.incident.as_ref().unwrap().incident.title,
        format!("{current} after :41")
    );
    // A wrong severity is said, nothing written.
    keys(&mut s, ":severity SEV9");
    assert!(journal_drafts(&enter(&mut s)).is_empty());
    assert!(s.message.as_ref().unwrap().text.contains("SEV1, SEV2"));
}

fn notified(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_watch_tells_once_when_reached_and_each_time_it_gets_worse() {
    let mut s = state();
    init(&mut s);
    attach(&mut s);
    // web is down (first, the worst): `w` watches it until healthy.
    let mut down = services(&["api", "web"]);
    down[1].running = 0;
    status(&mut s, down.clone());
    keys(&mut s, "w");
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .contains("watching prod-web/web until healthy"),
        "{:?}",
        s.message
    );
    // Still down: nothing said.
    assert!(notified(&status(&mut s, down.clone())).is_empty());
    // Healthy: said once (bell and notification, flash, journal), then done.
    let effects = status(&mut s, services(&["api", "web"]));
    assert_eq!(notified(&effects), vec!["prod-web/web is healthy"]);
    let journaled = journal_drafts(&effects);
    assert!(
        journaled
            .iter()
            .any(|d| d.summary == "Watch: prod-web/web is healthy"),
        "{journaled:?}"
    );
    assert!(notified(&status(&mut s, services(&["api", "web"]))).is_empty());
    assert!(s.watches.is_empty());

    // Watched until steady while one of two runs; it drops to none: worse,
    // said, and still watched.
    let mut short = services(&["api", "web"]);
    short[1].running = 1;
    status(&mut s, short);
    keys(&mut s, ":watch steady");
    enter(&mut s);
    assert_eq!(s.watches.len(), 1);
    let effects = status(&mut s, down);
    let said = notified(&effects);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("prod-web/web got worse: "), "{said:?}");
    assert_eq!(s.watches.len(), 1);
    // A wrong UNTIL is said.
    keys(&mut s, ":watch done");
    enter(&mut s);
    assert!(s
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("healthy, steady or alarm-ok"));
}
