//! The logs screen as a specification: hits arrive in any batch order and
//! show in time order once each; the hop latency shows where the service
//! changes; find jumps with n/N; Enter shows the JSON; following asks again
//! after a few seconds; saving writes evidence; stale results are dropped;
//! a million lines draw like ten.

use crate::support::console::{demo_session, render};
use chrono::{DateTime, Duration, TimeZone, Utc};
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, Screen, WorkerResult};
use triage::domain::logsearch::LogEvent;
use triage::domain::timeline::EntryKind;
use triage::settings::ThemeSpec;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap()
}

fn console() -> AppState {
    let session = demo_session();
    let mut s = AppState::new(session, ThemeSpec::built_in("dark").unwrap(), false, t0());
    update(
        &mut s,
        Msg::Resize {
            width: 140,
            height: 30,
        },
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

fn open(s: &mut AppState, id: &str) -> u64 {
    key(s, KeyPress::char(':'));
    typed(s, &format!("logs {id}"));
    let effects = key(s, KeyPress::plain(Key::Enter));
    assert_eq!(s.screen, Screen::Logs);
    effects
        .iter()
        .find_map(|e| match e {
            Effect::SearchLogs {
                generation,
                id: asked,
                start,
                end,
                ..
            } => {
                assert_eq!(asked, id);
                assert_eq!(*end - *start, Duration::hours(1));
                Some(*generation)
            }
            _ => None,
        })
        .expect("the search starts")
}

fn ev(group: &str, ms: i64, msg: &str) -> LogEvent {
    LogEvent {
        group: format!("/ecs/prod-web/{group}"),
        stream: format!("ecs/app/{group}-1"),
        timestamp: t0() - Duration::minutes(5) + Duration::milliseconds(ms),
        ingestion: None,
        event_id: None,
        message: format!(
            r#"{{"level":"info","service":"{group}","msg":"{msg}","correlationId":"req-1"}}"#
        ),
        pair: Default::default(),
    }
}

fn services() -> Vec<(String, String)> {
    ["frontend", "backend-api", "chatbot-api"]
        .iter()
        .map(|s| (format!("/ecs/prod-web/{s}"), format!("prod-web/{s}")))
        .collect()
}

fn hits(s: &mut AppState, generation: u64, events: Vec<LogEvent>) {
    update(
        s,
        Msg::Worker(WorkerResult::LogHits {
            generation,
            events,
            services: services(),
        }),
    );
}

/// The search of `generation` ended, every group searched.
fn searched(s: &mut AppState, generation: u64) {
    update(
        s,
        Msg::Worker(WorkerResult::LogsDone {
            generation,
            complete: true,
            coverage: "9 log groups searched".into(),
            capped: false,
        }),
    );
}

/// A request: frontend → backend-api → chatbot-api and back.
fn request() -> Vec<LogEvent> {
    vec![
        ev("frontend", 0, "received; calling backend-api"),
        ev("backend-api", 18, "received; calling chatbot-api"),
        ev("chatbot-api", 30, "received; working"),
        ev("chatbot-api", 530, "answered in 500 ms"),
        ev("backend-api", 554, "200 in 536 ms"),
        ev("frontend", 590, "200 in 590 ms"),
    ]
}

#[test]
fn hits_in_any_order_show_once_in_time_order_with_hop_latency() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    let all = request();
    // The chatbot's group answers first, then the others, one line twice.
    hits(&mut s, generation, vec![all[2].clone(), all[3].clone()]);
    hits(
        &mut s,
        generation,
        vec![all[0].clone(), all[5].clone(), all[3].clone()],
    );
    hits(&mut s, generation, vec![all[1].clone(), all[4].clone()]);
    searched(&mut s, generation);
    let view = s.logs.as_ref().unwrap();
    assert_eq!(view.events, all);
    let text = render(&s);
    assert!(text.contains("req-1 · 6 lines across 3 services"), "{text}");
    assert!(text.contains("+18ms backend-api"), "{text}");
    assert!(text.contains("+12ms chatbot-api"), "{text}");
    assert!(text.contains("+24ms backend-api"), "{text}");
    // No hop within one service.
    let answered = text
        .lines()
        .find(|l| l.contains("answered in 500 ms"))
        .unwrap();
    assert!(!answered.contains("+500ms"), "{answered}");
    // A stale search's hits are dropped.
    hits(&mut s, generation + 7, vec![ev("frontend", 9, "stale")]);
    assert_eq!(s.logs.as_ref().unwrap().events.len(), 6);
}

#[test]
fn find_jumps_with_n_and_shift_n_and_enter_shows_the_json() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    hits(&mut s, generation, request());
    key(&mut s, KeyPress::char('/'));
    typed(&mut s, "backend");
    key(&mut s, KeyPress::plain(Key::Enter));
    assert_eq!(
        s.logs.as_ref().unwrap().cursor.selected,
        0,
        "frontend's line mentions backend-api"
    );
    key(&mut s, KeyPress::char('n'));
    assert_eq!(s.logs.as_ref().unwrap().cursor.selected, 1);
    key(&mut s, KeyPress::char('n'));
    assert_eq!(s.logs.as_ref().unwrap().cursor.selected, 4);
    key(&mut s, KeyPress::char('N'));
    assert_eq!(s.logs.as_ref().unwrap().cursor.selected, 1);
    key(&mut s, KeyPress::plain(Key::Enter));
    let text = render(&s);
    assert!(
        text.contains("\"msg\": \"received; calling chatbot-api\""),
        "pretty JSON: {text}"
    );
}

#[test]
fn following_asks_again_after_a_few_seconds_from_where_it_stopped() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    hits(&mut s, generation, request());
    update(
        &mut s,
        Msg::Worker(WorkerResult::LogsDone {
            generation,
            complete: true,
            coverage: String::new(),
            capped: false,
        }),
    );
    key(&mut s, KeyPress::char('f'));
    let later = t0() + Duration::seconds(5);
    let effects = update(&mut s, Msg::Tick(later));
    let (start, end) = effects
        .iter()
        .find_map(|e| match e {
            Effect::SearchLogs { start, end, .. } => Some((*start, *end)),
            _ => None,
        })
        .expect("following searches again");
    assert_eq!(end, later);
    assert!(
        start < t0() && start > t0() - Duration::minutes(1),
        "from where it stopped, with a little overlap"
    );
    // While that search runs, no second one.
    assert!(update(&mut s, Msg::Tick(later + Duration::seconds(5)))
        .iter()
        .all(|e| !matches!(e, Effect::SearchLogs { .. })));
    // A new line arrives and the cursor stays on the newest.
    key(&mut s, KeyPress::char('G'));
    hits(
        &mut s,
        generation,
        vec![ev("frontend", 60_000, "retry 200")],
    );
    let view = s.logs.as_ref().unwrap();
    assert_eq!(view.cursor.selected, 6);
}

#[test]
fn saving_writes_the_lines_as_evidence() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    hits(&mut s, generation, request());
    assert!(
        key(&mut s, KeyPress::char('s')).is_empty(),
        "no incident: nothing written"
    );
    update(
        &mut s,
        Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![])))),
    );
    let effects = key(&mut s, KeyPress::char('s'));
    let draft = effects
        .iter()
        .find_map(|e| match e {
            Effect::Journal(d) => Some(d.clone()),
            _ => None,
        })
        .expect("a journal entry");
    assert_eq!(draft.kind, EntryKind::Observation);
    assert!(
        draft.summary.contains("req-1: 6 log lines across prod-web/frontend → prod-web/backend-api → prod-web/chatbot-api"),
        "{}",
        draft.summary
    );
    assert!(draft
        .detail
        .as_deref()
        .unwrap()
        .contains("answered in 500 ms"));
    assert_eq!(draft.occurred_at, Some(request()[0].timestamp));
}

#[test]
fn l_follows_the_id_of_the_selected_line() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    let mut other = ev("frontend", 5, "x");
    other.message =
        r#"{"level":"info","msg":"retrying","correlationId":"req-2","cause":"req-1 failed"}"#
            .into();
    hits(&mut s, generation, vec![other]);
    let effects = key(&mut s, KeyPress::char('L'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SearchLogs { id, .. } if id == "req-2")),
        "{effects:?}"
    );
    assert_eq!(s.logs.as_ref().unwrap().id, "req-2");
}

#[test]
fn hostile_log_text_never_reaches_the_terminal() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    let mut bad = ev("frontend", 0, "x");
    bad.message = "req-1 \u{1b}]52;c;cHduZWQ=\u{7} \u{1b}[2J\u{9b}31m owned".into();
    hits(&mut s, generation, vec![bad]);
    key(&mut s, KeyPress::plain(Key::Enter));
    let text = render(&s);
    assert!(text.contains("owned"));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'),
        "{text:?}"
    );
}

#[test]
fn a_million_lines_keep_their_order_and_draw_only_what_shows() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    let batch: Vec<LogEvent> = (0..1_000_000)
        .map(|i| ev(["frontend", "backend-api"][i % 2], i as i64, "tick"))
        .collect();
    hits(&mut s, generation, batch);
    key(&mut s, KeyPress::char('G'));
    let view = s.logs.as_ref().unwrap();
    assert_eq!(view.events.len(), 1_000_000);
    assert_eq!(view.cursor.selected, 999_999);
    // Drawing builds only the rows on screen (benches/console.rs measures it).
    let text = render(&s);
    assert!(text.contains("1000000 lines"), "{text}");
    assert!(text.contains("tick"), "{text}");
}

#[test]
fn a_search_stopped_at_its_call_cap_asks_before_going_on() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    update(
        &mut s,
        Msg::Worker(WorkerResult::LogsDone {
            generation,
            complete: false,
            coverage: "INCOMPLETE — /ecs/g2001: not searched (cap of 2000 calls)".into(),
            capped: true,
        }),
    );
    let text = render(&s);
    assert!(text.contains("call cap"), "{text}");
    typed(&mut s, "y");
    let effects = key(&mut s, KeyPress::plain(Key::Enter));
    let again = effects
        .iter()
        .find_map(|e| match e {
            Effect::SearchLogs {
                generation: g,
                id,
                search_all,
                ..
            } => Some((*g, id.clone(), *search_all)),
            _ => None,
        })
        .expect("the search again");
    assert_eq!(again, (generation + 1, "req-1".to_string(), true));
    // Said no (Esc): nothing more is searched.
    let mut s = console();
    let generation = open(&mut s, "req-2");
    update(
        &mut s,
        Msg::Worker(WorkerResult::LogsDone {
            generation,
            complete: false,
            coverage: "INCOMPLETE".into(),
            capped: true,
        }),
    );
    let effects = key(&mut s, KeyPress::plain(Key::Esc));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::SearchLogs { .. })));
}

#[test]
fn w_on_a_searched_request_draws_its_waterfall_from_the_lines_held() {
    let mut s = console();
    let generation = open(&mut s, "req-1");
    hits(&mut s, generation, request());
    searched(&mut s, generation);
    let effects = key(&mut s, KeyPress::char('W'));
    assert_eq!(s.screen, Screen::Waterfall);
    // No new search: the six lines go to the waterfall's read.
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::SearchLogs { .. })));
    let (generation, lines) = effects
        .iter()
        .find_map(|e| match e {
            Effect::ReadWaterfall {
                generation,
                lines,
                id,
                ..
            } => {
                assert_eq!(id, "req-1");
                Some((*generation, lines.clone()))
            }
            _ => None,
        })
        .expect("the waterfall is read");
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0].service, "prod-web/frontend");
    assert!(render(&s).contains("6 lines found; reading X-Ray"));
    update(
        &mut s,
        Msg::Worker(WorkerResult::Waterfall {
            generation,
            result: Ok(triage::domain::trace::from_logs::from_lines(
                "req-1", &lines,
            )),
        }),
    );
    let text = render(&s);
    assert!(
        text.contains("bottleneck prod-web/chatbot-api holds 500 ms itself"),
        "{text}"
    );
    // Esc: back to the lines.
    key(&mut s, KeyPress::plain(Key::Esc));
    assert_eq!(s.screen, Screen::Logs);
}

#[test]
fn a_lines_id_is_followed_into_its_waterfall_and_a_line_without_one_says_so() {
    let mut s = console();
    let effects = triage::app::screens::waterfall::follow_line(
        &mut s,
        r#"{"msg":"done","traceId":"1-6979789c-85a76ff0aa3b8870b80013d1"}"#,
    );
    // No correlation ID: its trace id is searched for.
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SearchLogs { id, .. }
            if id == "1-6979789c-85a76ff0aa3b8870b80013d1")),
        "{effects:?}"
    );
    assert_eq!(s.screen, Screen::Waterfall);
    assert!(render(&s).contains("searching every service's logs for 1-6979789c"));
    let nothing = triage::app::screens::waterfall::follow_line(&mut s, "plain text, no id");
    assert!(nothing.is_empty());
    assert!(render(&s).contains("carries no correlation ID or trace id"));
}
