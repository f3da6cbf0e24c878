//! `:ctx` and `:region` without a terminal: the profile picker with SSO,
//! role and production profiles marked; the switch asked of the console;
//! the state started afresh on the new account with the incident kept and
//! the switch journaled; a context that fails leaves everything as it was;
//! the demo refuses.

mod support;

use triage::app::state::Overlay;
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, WorkerResult};
use triage::domain::context::{Context, ProfileInfo};

fn aws_state() -> AppState {
    let mut session = support::console::demo_session();
    session.demo = None;
    session.profile = Some("alpha".into());
    session.production_patterns = vec!["prod*".into()];
    support::console::state_for(session, chrono::Utc::now())
}

fn command(s: &mut AppState, line: &str) -> Vec<Effect> {
    update(s, Msg::Key(KeyPress::char(':')));
    for c in line.chars() {
        update(s, Msg::Key(KeyPress::char(c)));
    }
    update(s, Msg::Key(KeyPress::plain(Key::Enter)))
}

fn message(s: &AppState) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn profile(name: &str, sso: bool, role: bool) -> ProfileInfo {
    ProfileInfo {
        name: name.into(),
        region: Some("eu-west-1".into()),
        sso,
        role_arn: role.then(|| "arn:aws:iam::2:role/ops".into()),
    }
}

#[test]
fn ctx_lists_the_profiles_marked_and_picking_one_asks_for_its_account() {
    let mut s = aws_state();
    assert_eq!(command(&mut s, "ctx"), vec![Effect::ListProfiles]);
    update(
        &mut s,
        Msg::Worker(WorkerResult::Profiles(Ok(vec![
            profile("alpha", false, false),
            profile("prod-oncall", true, false),
            profile("staging", false, true),
        ]))),
    );
    let Overlay::Pick(picker) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let notes: Vec<&str> = picker.items.iter().map(|i| i.note.as_str()).collect();
    assert_eq!(notes[0], "eu-west-1 · ← current");
    assert_eq!(notes[1], "PRODUCTION · SSO · eu-west-1");
    assert_eq!(notes[2], "role · eu-west-1");
    for c in "stag".chars() {
        update(&mut s, Msg::Key(KeyPress::char(c)));
    }
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    assert_eq!(
        effects,
        vec![Effect::SwitchContext(Context {
            profile: Some("staging".into()),
            region: None
        })]
    );
    assert!(message(&s).contains("opening profile staging"));
}

#[test]
fn region_switches_at_once_with_an_argument_and_keeps_the_profile() {
    let mut s = aws_state();
    let effects = command(&mut s, "region us-east-2");
    assert_eq!(
        effects,
        vec![Effect::SwitchContext(Context {
            profile: Some("alpha".into()),
            region: Some("us-east-2".into())
        })]
    );
    command(&mut s, "region");
    let Overlay::Pick(picker) = &s.overlay else {
        panic!()
    };
    assert!(picker.items.iter().any(|i| i.label == "eu-central-1"));
}

#[test]
fn the_new_account_starts_afresh_with_the_incident_kept_and_the_switch_journaled() {
    let mut s = aws_state();
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![])))),
    );
    s.services.cursor.selected = 3;
    let old_generation = s.status.generation;
    let context = Context {
        profile: Some("beta".into()),
        region: Some("us-west-2".into()),
    };
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ContextReady {
            context: context.clone(),
            result: Ok(()),
        }),
    );
    assert_eq!(
        effects[0],
        Effect::AdoptContext,
        "the workers change before any read"
    );
    let journaled = effects.iter().find_map(|e| match e {
        Effect::Journal(draft) => Some(draft.summary.clone()),
        _ => None,
    });
    assert_eq!(
        journaled.as_deref(),
        Some("Console switched from profile alpha in eu-west-1 to profile beta in us-west-2")
    );
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::FetchStatus { .. })));
    assert!(effects.contains(&Effect::FetchIdentity));
    assert_eq!(
        s.incident.as_ref().unwrap().incident.id,
        "inc-1",
        "still attached"
    );
    assert_eq!(s.session.profile.as_deref(), Some("beta"));
    assert_eq!(s.services.cursor.selected, 0, "the screens start afresh");
    assert!(
        s.status.generation > old_generation,
        "answers from the old account are stale"
    );

    // An old answer arriving late is dropped.
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            generation: old_generation,
            result: Ok(Default::default()),
        }),
    );
    assert!(s.status.data.is_none());
}

#[test]
fn a_context_that_cannot_be_opened_leaves_everything_as_it_was() {
    let mut s = aws_state();
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ContextReady {
            context: Context {
                profile: Some("broken".into()),
                region: None,
            },
            result: Err("AWS rejected the credentials".into()),
        }),
    );
    assert!(effects.is_empty());
    assert_eq!(s.session.profile.as_deref(), Some("alpha"));
    assert!(
        message(&s).contains("cannot switch to profile broken"),
        "{}",
        message(&s)
    );
    assert!(message(&s).contains("still watching the account before"));
}

#[test]
fn the_demo_has_one_account() {
    let mut s = aws_state();
    s.session.demo = Some("saas".into());
    assert!(command(&mut s, "ctx").is_empty());
    assert!(message(&s).contains("the demo is one simulated account"));
}
