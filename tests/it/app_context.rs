//! `:ctx` and `:region` without a terminal: the profile picker with SSO,
//! role and production profiles marked; the switch asked of the console
//! (instead of the pairs watched now, or as well); the state started afresh
//! on the new pairs with the incident kept, or the new pairs added beside
//! the old; every switch journaled; a switch that fails leaves everything
//! as it was; the demo refuses.

use triage::app::state::Overlay;
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, WorkerResult};
use triage::domain::context::{Context, ProfileInfo, Switch};
use triage::domain::pair::WatchedPair;
use triage::domain::Pair;

fn aws_state() -> AppState {
    let mut session = crate::support::console::demo_session();
    session.demo = None;
    session.profile = Some("alpha".into());
    session.production_patterns = vec!["prod*".into()];
    session.pairs = vec![watched("alpha", "eu-west-1")];
    crate::support::console::state_for(session, chrono::Utc::now())
}

fn watched(profile: &str, region: &str) -> WatchedPair {
    WatchedPair {
        pair: Pair::new(profile, region),
        profile: Some(profile.into()),
        ..WatchedPair::default()
    }
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

fn one(profile: &str, region: Option<&str>, add: bool) -> Effect {
    Effect::SwitchContext(Switch {
        contexts: vec![Context {
            profile: Some(profile.into()),
            region: region.map(str::to_string),
        }],
        add,
    })
}

fn journaled(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::Journal(draft) => Some(draft.summary.clone()),
        _ => None,
    })
}

fn attach(s: &mut AppState) {
    update(
        s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![])))),
    );
}

fn picker_for_profiles(s: &mut AppState) {
    assert_eq!(command(s, "ctx"), vec![Effect::ListProfiles]);
    update(
        s,
        Msg::Worker(WorkerResult::Profiles(Ok(vec![
            profile("alpha", false, false),
            profile("prod-oncall", true, false),
            profile("staging", false, true),
        ]))),
    );
}

#[test]
fn ctx_lists_the_profiles_marked_and_picking_one_asks_for_its_account() {
    let mut s = aws_state();
    picker_for_profiles(&mut s);
    let Overlay::Pick(picker) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let notes: Vec<&str> = picker.items.iter().map(|i| i.note.as_str()).collect();
    assert_eq!(notes[0], "eu-west-1 · ← current");
    assert_eq!(notes[1], "PRODUCTION · SSO · eu-west-1");
    assert_eq!(notes[2], "role · eu-west-1");
    assert!(picker.title.contains("Tab adds"), "{}", picker.title);
    for c in "stag".chars() {
        update(&mut s, Msg::Key(KeyPress::char(c)));
    }
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    assert_eq!(effects, vec![one("staging", None, false)]);
    assert!(message(&s).contains("opening profile staging"));
}

#[test]
fn tab_in_the_picker_adds_the_profile_instead() {
    let mut s = aws_state();
    picker_for_profiles(&mut s);
    for c in "prod".chars() {
        update(&mut s, Msg::Key(KeyPress::char(c)));
    }
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Tab)));
    assert_eq!(effects, vec![one("prod-oncall", None, true)]);
    assert_eq!(s.overlay, Overlay::None);
    assert!(message(&s).contains("adding profile prod-oncall"));
}

#[test]
fn ctx_and_region_at_once_with_an_argument_plus_adds() {
    let mut s = aws_state();
    assert_eq!(
        command(&mut s, "region us-east-2"),
        vec![one("alpha", Some("us-east-2"), false)]
    );
    assert_eq!(
        command(&mut s, "region +us-east-2"),
        vec![one("alpha", Some("us-east-2"), true)]
    );
    assert_eq!(command(&mut s, "ctx +beta"), vec![one("beta", None, true)]);
    command(&mut s, "region");
    let Overlay::Pick(picker) = &s.overlay else {
        panic!()
    };
    assert!(picker.items.iter().any(|i| i.label == "eu-central-1"));
}

#[test]
fn region_asks_for_every_watched_profile_in_it() {
    let mut s = aws_state();
    add(&mut s, vec![watched("beta", "eu-west-1")]);
    let effects = command(&mut s, "region ap-south-1");
    let Some(Effect::SwitchContext(switch)) = effects.first() else {
        panic!("{effects:?}")
    };
    let profiles: Vec<Option<&str>> = switch
        .contexts
        .iter()
        .map(|c| c.profile.as_deref())
        .collect();
    assert_eq!(profiles, vec![Some("alpha"), Some("beta")]);
    assert!(switch
        .contexts
        .iter()
        .all(|c| c.region.as_deref() == Some("ap-south-1")));
}

fn add(s: &mut AppState, pairs: Vec<WatchedPair>) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(WorkerResult::ContextReady {
            switch: Switch {
                contexts: vec![],
                add: true,
            },
            result: Ok(pairs),
        }),
    )
}

#[test]
fn the_new_account_starts_afresh_with_the_incident_kept_and_the_switch_journaled() {
    let mut s = aws_state();
    attach(&mut s);
    s.services.cursor.selected = 3;
    let old = Pair::new("alpha", "eu-west-1");
    let old_generation = s.pairs[0].status.generation;
    let switch = Switch {
        contexts: vec![Context {
            profile: Some("beta".into()),
            region: Some("us-west-2".into()),
        }],
        add: false,
    };
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ContextReady {
            switch,
            result: Ok(vec![watched("beta", "us-west-2")]),
        }),
    );
    assert_eq!(
        effects[0],
        Effect::AdoptContext,
        "the workers change before any read"
    );
    assert_eq!(
        journaled(&effects).as_deref(),
        Some("Console switched from alpha/eu-west-1 (profile alpha) to beta/us-west-2 (profile beta)")
    );
    let beta = Pair::new("beta", "us-west-2");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::FetchStatus { pair, .. } if *pair == beta)));
    assert!(effects.contains(&Effect::FetchIdentity { pair: beta.clone() }));
    assert_eq!(
        s.incident.as_ref().unwrap().incident.id,
        "inc-1",
        "still attached"
    );
    assert_eq!(s.session.profile.as_deref(), Some("beta"));
    assert_eq!(s.pairs.len(), 1);
    assert_eq!(s.services.cursor.selected, 0, "the screens start afresh");

    // An old answer arriving late is dropped: its pair is not watched.
    update(
        &mut s,
        Msg::Worker(WorkerResult::Status {
            generation: old_generation,
            pair: old,
            result: Ok(Default::default()),
        }),
    );
    assert!(s.status.data.is_none());
}

#[test]
fn added_pairs_join_the_ones_watched_and_are_read_at_once() {
    let mut s = aws_state();
    attach(&mut s);
    let effects = add(&mut s, vec![watched("beta", "us-east-1")]);
    assert_eq!(effects[0], Effect::AdoptContext);
    assert_eq!(
        journaled(&effects).as_deref(),
        Some("Console now also watches beta/us-east-1 (profile beta)")
    );
    let beta = Pair::new("beta", "us-east-1");
    assert!(effects.contains(&Effect::FetchIdentity { pair: beta.clone() }));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::FetchStatus { pair, .. } if *pair == beta)));
    assert_eq!(s.pairs.len(), 2);
    assert!(s.several_pairs());
    assert_eq!(s.session.pairs.len(), 2);
    // Nothing new: said, nothing changes.
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ContextReady {
            switch: Switch {
                contexts: vec![Context {
                    profile: Some("beta".into()),
                    region: None,
                }],
                add: true,
            },
            result: Ok(vec![]),
        }),
    );
    assert!(effects.is_empty());
    assert!(message(&s).contains("watched already"), "{}", message(&s));
}

#[test]
fn a_context_that_cannot_be_opened_leaves_everything_as_it_was() {
    let mut s = aws_state();
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ContextReady {
            switch: Switch {
                contexts: vec![Context {
                    profile: Some("broken".into()),
                    region: None,
                }],
                add: false,
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
    assert!(message(&s).contains("still watching what was watched before"));
}

#[test]
fn the_demo_has_one_account() {
    let mut s = aws_state();
    s.session.demo = Some("saas".into());
    assert!(command(&mut s, "ctx").is_empty());
    assert!(message(&s).contains("the demo is one simulated account"));
}
