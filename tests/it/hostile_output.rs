//! Hostile text never reaches a terminal, a JSON reader, a journal or an
//! export. Names and messages carrying every class of control — ESC/CSI
//! sequences, OSC ended by BEL, the C1 CSI U+009B and other C1 controls,
//! raw CR and LF, bidi overrides (U+202A–U+202E) and isolates
//! (U+2066–U+2069), and 10 KB strings — are driven through each output path,
//! and every character that comes out is checked.
//!
//! Paths covered:
//! - **console frames** on a TestBackend (every cell of the frame): the
//!   services list, the service screen, its events, the timeline with a
//!   hostile note, help — services' cluster and names, events, reasons;
//! - **CLI text** (the real binary on a demo scenario whose cluster, services
//!   and alarm are named with hostile text): `status`, `diagnose` (its
//!   PATTERN line and table), `alarms`, `runbook run --service … --dry-run`,
//!   `incident list`, and stderr (warnings, an unknown cluster's name
//!   echoed in an error);
//! - **CLI JSON**: the same commands with `-o json`, every string decoded
//!   (keys too) — a JSON escape like `\u009b` would decode to a control;
//! - **the journal**: `incident start` and `incident note` with hostile
//!   text, and a step's result keyed by a name AWS returned (as
//!   `secrets.rotate` keys what it rotated), every line of `journal.jsonl`
//!   decoded, keys included;
//! - **exports**: `incident export --format md`, `json` and `csv`.

use crate::support::cli::triage;
use crate::support::console::{demo_session, render, state_for};
use proptest::prelude::*;
use triage::app::{update, Effect, Key, KeyPress, Msg, StatusSnapshot, WorkerResult};

/// What must never come out: C0 controls but newline and tab, DEL, C1, bidi.
fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

/// The first unsafe character of `text` and what surrounds it, if any.
fn first_unsafe(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().position(|c| is_unsafe(*c))?;
    let around: String = chars[at.saturating_sub(30)..(at + 30).min(chars.len())]
        .iter()
        .collect();
    Some(format!("U+{:04X} in {around:?}", chars[at] as u32))
}

/// Every class of hostile piece, mixed with ordinary text.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\u{1b}[31m".to_string()),
            Just("\u{1b}]0;pwned\u{7}".to_string()),
            Just("\u{1b}]52;c;cm0gLXJm\u{7}".to_string()),
            Just("\u{9b}2J".to_string()),
            Just("\u{85}".to_string()),
            Just("\r\n".to_string()),
            Just("\r".to_string()),
            Just("\u{202e}".to_string()),
            Just("\u{202a}".to_string()),
            Just("\u{2066}".to_string()),
            Just("\u{2069}".to_string()),
            Just("\u{7}".to_string()),
            "[a-z]{1,6}",
        ],
        1..10,
    )
    .prop_map(|parts| parts.concat())
}

/// A name for AWS things: hostile, but with a letter first and no `/`
/// (`CLUSTER/SERVICE` must still split).
fn name(prefix: &str, hostile: &str) -> String {
    format!("{prefix}{}", hostile.replace('/', ""))
}

/// 10 KB of text with a control of every class every few hundred bytes.
fn ten_kilobytes() -> String {
    let piece = "x".repeat(300) + "\u{1b}[2J\u{9b}31m\u{202e}\r\n\u{2066}\u{7}";
    piece.repeat(10_240 / piece.len() + 1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every cell of every screen is displayable, whatever the names and
    /// messages a status read brought.
    #[test]
    fn console_frames_hold_no_control_or_bidi_character(
        cluster in hostile(), service in hostile(), event in hostile(), note in hostile(),
    ) {
        let now = chrono::Utc::now();
        let mut s = state_for(demo_session(), now);
        let effects = triage::app::update::init(&mut s);
        let generation = effects.iter().find_map(|e| match e {
            Effect::FetchStatus { generation, .. } => Some(*generation),
            _ => None,
        }).unwrap();
        let mut svc = crate::support::fixtures::service("health/down.json");
        svc.cluster = name("c", &cluster);
        svc.name = name("s", &service);
        for e in &mut svc.events {
            e.message = format!("(service {}) {event}", svc.name);
        }
        update(&mut s, Msg::Worker(WorkerResult::Status {
            pair: Default::default(),
            generation,
            result: Ok(StatusSnapshot { services: vec![svc], ..Default::default() }),
        }));
        update(&mut s, Msg::Tick(now + chrono::Duration::seconds(2)));
        let mut frames = vec![("home", render(&s))];
        update(&mut s, Msg::Key(KeyPress::char('?')));
        frames.push(("help", render(&s)));
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
        frames.push(("service", render(&s)));
        update(&mut s, Msg::Key(KeyPress::char('E')));
        frames.push(("events", render(&s)));
        update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
        update(&mut s, Msg::Key(KeyPress::char('t')));
        update(&mut s, Msg::Worker(WorkerResult::IncidentAttached(Ok(("inc-1".into(), vec![
            hostile_entry(&note, now),
        ])))));
        frames.push(("timeline", render(&s)));
        for (screen, frame) in frames {
            prop_assert!(first_unsafe(&frame).is_none(), "{screen}: {:?}", first_unsafe(&frame));
        }
    }
}

/// A journal entry with hostile text in its summary, detail and tags, as a
/// second writer might have left it.
fn hostile_entry(text: &str, at: chrono::DateTime<chrono::Utc>) -> triage::domain::timeline::Entry {
    use triage::domain::timeline::{Actor, EntryDraft, EntryKind};
    let mut draft = EntryDraft::new(
        EntryKind::Note,
        Actor::Human {
            name: format!("bob{text}"),
        },
        format!("note {text}"),
    );
    draft.detail = Some(text.to_string());
    draft.tags = vec![text.to_string()];
    draft.into_entry("01HOSTILE".into(), 1, at)
}

/// The staging demo with its cluster, services and alarm renamed.
fn hostile_scenario(dir: &std::path::Path, cluster: &str, service: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/demo/scenarios/staging.toml"
    ))
    .unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    doc.remove("credentials_expire");
    doc["clusters"][0]["name"] = cluster.into();
    for s in doc["services"].as_array_mut().unwrap() {
        let renamed = format!("{}{service}", s["name"].as_str().unwrap());
        s["name"] = renamed.into();
        s["cluster"] = cluster.into();
    }
    doc["alarms"][0]["name"] = format!("memory {service}").into();
    doc["alarms"][0]["service"] = format!("{cluster}/chatbot-api{service}").into();
    let path = dir.join("hostile.toml");
    std::fs::write(&path, toml::to_string(&doc).unwrap()).unwrap();
    path
}

/// Check a command's stdout and stderr: text, or JSON (one document or JSON
/// lines) whose every decoded string, keys too, is clean.
fn assert_clean(what: &str, out: &std::process::Output, json: bool) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        first_unsafe(&stdout).is_none(),
        "{what} stdout: {:?}",
        first_unsafe(&stdout)
    );
    assert!(
        first_unsafe(&stderr).is_none(),
        "{what} stderr: {:?}",
        first_unsafe(&stderr)
    );
    if json {
        let docs: Vec<serde_json::Value> = match serde_json::from_str(&stdout) {
            Ok(doc) => vec![doc],
            Err(_) => stdout
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {e}: {l}")))
                .collect(),
        };
        assert!(!docs.is_empty(), "{what}: no JSON: {stderr}");
        for doc in docs {
            assert_json_clean(what, &doc);
        }
    }
}

fn assert_json_clean(what: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            assert!(first_unsafe(s).is_none(), "{what}: {:?}", first_unsafe(s))
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| assert_json_clean(what, v)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                assert!(
                    first_unsafe(k).is_none(),
                    "{what} key: {:?}",
                    first_unsafe(k)
                );
                assert_json_clean(what, v);
            }
        }
        _ => {}
    }
}

/// Every CLI path over one hostile name: text and JSON, stderr, the journal
/// and the exports.
fn every_cli_path_is_clean(hostile: &str) {
    let home = tempfile::tempdir().unwrap();
    let cluster = name("stg", hostile);
    let service = hostile.replace('/', "");
    let scenario = hostile_scenario(home.path(), &cluster, &service);
    let demo = format!("--demo={}", scenario.display());
    let run = |args: &[&str]| {
        let out = triage(&home).arg(&demo).args(args).output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 3),
            "{args:?}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    for (args, json) in [
        (vec!["status"], false),
        (vec!["status", "-o", "json"], true),
        (vec!["diagnose", "--since", "2h"], false),
        (vec!["diagnose", "--since", "2h", "-o", "json"], true),
        (vec!["alarms"], false),
        (vec!["alarms", "-o", "json"], true),
    ] {
        assert_clean(&format!("{args:?}"), &run(&args), json);
    }
    // The PATTERN line keeps the service's name on its line (CR LF folded).
    let diagnosed = run(&["diagnose", "--since", "2h"]);
    let text = String::from_utf8_lossy(&diagnosed.stdout);
    let pattern = text
        .lines()
        .find(|l| l.starts_with("PATTERN "))
        .expect("the OOM loop's pattern");
    assert!(
        pattern.contains("chatbot-api") && pattern.contains("roll back to"),
        "{pattern:?}"
    );
    // An error that echoes a name it was given.
    let unknown = run(&["--cluster", &format!("nope{hostile}"), "status"]);
    assert_clean("unknown cluster", &unknown, false);

    let target = format!("{cluster}/chatbot-api{service}");
    for json in [false, true] {
        let mut args = vec![
            "runbook",
            "run",
            "oom-restart-loop",
            "--service",
            &target,
            "--dry-run",
        ];
        if json {
            args.extend(["-o", "json"]);
        }
        assert_clean("runbook dry run", &run(&args), json);
    }

    let title = format!("egress {hostile}");
    assert_clean(
        "incident start",
        &run(&["incident", "start", &title]),
        false,
    );
    let note = format!("seen {hostile}");
    assert_clean("incident note", &run(&["incident", "note", &note]), false);
    assert_clean("incident list", &run(&["incident", "list"]), false);
    assert_clean(
        "incident list json",
        &run(&["incident", "list", "-o", "json"]),
        true,
    );
    for format in ["md", "csv"] {
        let out = run(&["incident", "export", "--format", format]);
        // CSV ends its rows with CRLF (RFC 4180): the only CR allowed.
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        assert!(
            first_unsafe(&text).is_none(),
            "export {format}: {:?}",
            first_unsafe(&text)
        );
        assert!(text.contains("seen"), "export {format}: {text}");
    }
    assert_clean(
        "export json",
        &run(&["incident", "export", "--format", "json"]),
        true,
    );

    let journals: Vec<_> = walk(home.path())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "journal.jsonl"))
        .collect();
    assert_eq!(journals.len(), 1, "{journals:?}");
    for line in std::fs::read_to_string(&journals[0]).unwrap().lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_json_clean("journal line", &doc);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

proptest! {
    // Each case runs the binary some twenty times.
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn cli_text_json_journal_and_exports_hold_no_control_or_bidi_character(text in hostile()) {
        every_cli_path_is_clean(&text);
    }
}

#[test]
fn a_ten_kilobyte_hostile_name_comes_out_clean_everywhere() {
    every_cli_path_is_clean(&ten_kilobytes());
}

/// A step's result keyed by the name AWS returned (a secret's name, as
/// `secrets.rotate` records what it rotated): the journal line holds it
/// cleaned, key and all, and so does every export.
#[test]
fn a_step_result_keyed_by_a_hostile_name_is_journaled_and_exported_clean() {
    use triage::domain::timeline::entry::{ActionRecord, ResultRecord};
    use triage::domain::timeline::{export, Actor, EntryDraft, EntryKind};
    let dir = tempfile::tempdir().unwrap();
    let store = triage::store::IncidentStore::new(dir.path());
    let clock = triage::domain::clock::ManualClock::new(chrono::Utc::now());
    let redactor = triage::domain::timeline::redact::Redactor::default();
    let me = Actor::Human {
        name: "alice".into(),
    };
    let id = store
        .start("egress", None, me.clone(), &redactor, &clock)
        .unwrap();
    let secret = "prod/db\u{1b}]0;pwned\u{7}\u{202e}gnp\u{9b}2J\r\nname";
    let mut draft = EntryDraft::new(EntryKind::Step, me, format!("rotated {secret}"));
    draft.action = Some(ActionRecord {
        kind: "secrets.rotate".into(),
        inputs: serde_json::json!({ "secret_ids": [secret] }),
        undo: serde_json::json!({ secret: { "version": "v1" } }),
        ..Default::default()
    });
    draft.result = Some(ResultRecord {
        status: "succeeded".into(),
        outputs: serde_json::json!({ "rotated": { secret: "AWSCURRENT" } }),
        excerpt: Some(format!("rotated {secret}")),
        ..Default::default()
    });
    store.journal(&id).append(draft, &redactor, &clock).unwrap();
    let text = std::fs::read_to_string(dir.path().join(&id).join("journal.jsonl")).unwrap();
    for line in text.lines() {
        assert_json_clean("journal line", &serde_json::from_str(line).unwrap());
    }
    // The C1 CSI took its "2J"; CR dropped, the newline kept (escaped in JSON).
    assert!(
        text.contains(r#""prod/dbgnp\nname":"AWSCURRENT""#),
        "{text}"
    );
    let incident = store.load(&id).unwrap().incident;
    let md = export::markdown(&incident);
    assert!(first_unsafe(&md).is_none(), "{:?}", first_unsafe(&md));
    assert_json_clean("export json", &export::json(&incident));
    let csv = export::csv(&incident).replace("\r\n", "\n");
    assert!(first_unsafe(&csv).is_none(), "{:?}", first_unsafe(&csv));
}
