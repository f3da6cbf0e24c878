//! Property tests: parsers and matchers never panic, and sanitizing always
//! leaves text that is safe for a terminal.

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::path::Path;
use triage::domain::sanitize::{one_line, strip_controls};
use triage::domain::service::{Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent};
use triage::domain::{classify, Health};

fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

/// Text an attacker would put in a log line, an event, a tag or a runbook.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\u{1b}[31m".to_string()),
            Just("\u{1b}]0;t\u{7}".to_string()),
            Just("\u{9b}2J".to_string()),
            Just("\u{202e}".to_string()),
            Just("\u{2066}".to_string()),
            Just("\u{2069}".to_string()),
            Just("\u{85}".to_string()),
            Just("\r".to_string()),
            "[a-z ]{0,6}",
            any::<char>().prop_map(String::from),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn every_string(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| every_string(v, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                every_string(v, out);
            }
        }
        _ => {}
    }
}

proptest! {
    /// JSON escapes decode to real controls (`\u009b` inside `fields`):
    /// every string of the cleaned document, keys too, is clean.
    #[test]
    fn cleaned_json_has_no_control_or_bidi_character(
        key in hostile(), value in hostile(), nested in hostile(),
    ) {
        let doc = serde_json::json!({ key.clone(): value, "fields": { "msg": nested, "list": [key] } });
        // The way `triage logs -o json` gets `fields`: parsed from the (escaped) message.
        let reparsed: serde_json::Value = serde_json::from_str(&doc.to_string()).unwrap();
        let cleaned = triage::domain::sanitize::clean_json(reparsed);
        let mut strings = Vec::new();
        every_string(&cleaned, &mut strings);
        for s in strings {
            prop_assert!(!s.chars().any(is_unsafe), "{s:?}");
        }
    }

    /// Every export (post-mortem markdown, JSON, CSV) of entries carrying
    /// hostile text is clean.
    #[test]
    fn exports_have_no_control_or_bidi_character(
        title in hostile(), summary in hostile(), detail in hostile(), tag in hostile(),
    ) {
        use triage::domain::timeline::{export, Actor, EntryDraft, EntryKind};
        let dir = tempfile::tempdir().unwrap();
        let store = triage::store::IncidentStore::new(dir.path());
        let clock = triage::domain::clock::ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 28, 3, 0, 0).unwrap());
        let r = triage::domain::timeline::redact::Redactor::default();
        let me = Actor::Human { name: "alice".into() };
        let id = store.start(&format!("t {title}"), None, me.clone(), &r, &clock).unwrap();
        let mut draft = EntryDraft::new(EntryKind::Note, me, format!("s {summary}"));
        draft.detail = Some(detail);
        draft.tags = vec![tag];
        store.journal(&id).append(draft, &r, &clock).unwrap();
        let incident = store.load(&id).unwrap().incident;
        let md = export::markdown(&incident);
        let csv = export::csv(&incident);
        let mut strings = Vec::new();
        every_string(&export::json(&incident), &mut strings);
        for text in [md, csv].into_iter().chain(strings) {
            prop_assert!(!text.chars().any(|c| is_unsafe(c) && c != '\r'), "{text:?}");
        }
    }

    #[test]
    fn sanitized_text_has_no_control_characters(input in any::<String>()) {
        let out = strip_controls(&input);
        prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        prop_assert!(!one_line(&input).chars().any(|c| is_unsafe(c) || c == '\n'));
    }

    #[test]
    fn sanitizing_escape_heavy_text_is_safe(parts in proptest::collection::vec(
        prop_oneof![
            Just("\u{1b}[".to_string()), Just("\u{1b}]".to_string()), Just("\u{7}".to_string()),
            Just("\u{1b}\\".to_string()), Just("\u{9b}".to_string()), Just("\u{9d}".to_string()),
            Just("\u{1b}P".to_string()), Just("31m".to_string()), Just("text".to_string()), Just(";".to_string()),
        ], 0..30)) {
        let input: String = parts.concat();
        let out = strip_controls(&input);
        prop_assert!(!out.chars().any(is_unsafe), "{input:?} -> {out:?}");
    }

    #[test]
    fn plain_printable_text_is_left_alone(input in "[ -~]*") {
        prop_assert_eq!(strip_controls(&input), input);
    }

    #[test]
    fn config_parsing_never_panics(text in any::<String>()) {
        let _ = triage::settings::config::parse(&text, Path::new("config.toml"));
    }

    #[test]
    fn config_like_text_never_panics(lines in proptest::collection::vec(
        "(\\[[a-z]{1,8}\\]|[a-z_]{1,16} = (\"[a-z]*\"|[0-9]{1,5}|true|\\[\\]|\\{\\}|[a-z]+))", 0..12)) {
        let _ = triage::settings::config::parse(&lines.join("\n"), Path::new("config.toml"));
    }

    #[test]
    fn palette_parsing_never_panics(line in any::<String>()) {
        let _ = triage::app::commands::palette::resume_args(&line);
        for screen in triage::app::Screen::every() {
            let _ = triage::app::commands::palette::matches(&screen, &line);
        }
    }

    #[test]
    fn classification_never_panics_and_is_consistent(
        desired in 0u32..50, running in 0u32..60, pending in 0u32..10, failed in 0u32..5,
        rollout in 0usize..4, extra_deployment in any::<bool>(),
        events in proptest::collection::vec((0i64..120, any::<String>()), 0..20),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        let deployment = |status, rollout_state| Deployment {
            id: "ecs-svc/1".into(), status, rollout_state, rollout_state_reason: None,
            task_definition: "arn:aws:ecs:eu-west-1:1:task-definition/x:1".into(),
            desired, running, pending, failed_tasks: failed,
            created_at: Some(now - Duration::minutes(20)), updated_at: Some(now),
        };
        let state = [None, Some(RolloutState::InProgress), Some(RolloutState::Completed), Some(RolloutState::Failed)][rollout];
        let mut deployments = vec![deployment(DeploymentStatus::Primary, state)];
        if extra_deployment {
            deployments.push(deployment(DeploymentStatus::Active, Some(RolloutState::Completed)));
        }
        let service = Service {
            cluster: "c".into(), name: "s".into(), arn: "a".into(), status: "ACTIVE".into(),
            desired, running, pending, task_definition: "x:1".into(), launch_type: None, deployments,
            events: events.into_iter().map(|(m, message)| ServiceEvent { id: "e".into(), at: now - Duration::minutes(m), message }).collect(),
            created_at: None, target_groups: vec![], network: None, pair: Default::default(),
        };
        let v = classify(&service, now);
        prop_assert!(!v.reason.is_empty());
        if desired == 0 { prop_assert_eq!(v.health, Health::ScaledToZero); }
        if desired > 0 && running == 0 { prop_assert_eq!(v.health, Health::Down); }
        if v.health == Health::Healthy { prop_assert!(running >= desired); }
    }
}

proptest! {
    #[test]
    fn diagnosis_never_panics_and_its_evidence_is_clean(
        stop_code in proptest::option::of("[A-Za-z]{0,30}"),
        reason in proptest::option::of(any::<String>()),
        containers in proptest::collection::vec(
            (proptest::option::of(any::<i32>()), proptest::option::of(any::<String>()), any::<bool>()),
            0..4,
        ),
    ) {
        let task = triage::domain::Task {
            arn: "arn:aws:ecs:eu-west-1:1:task/c/t".into(),
            id: "t".into(),
            cluster: "c".into(),
            group: Some("service:s".into()),
            task_definition: "td:1".into(),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            health_status: None,
            started_by: None,
            launch_type: None,
            availability_zone: None,
            cpu: None,
            memory: None,
            created_at: None,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code,
            stopped_reason: reason,
            containers: containers
                .iter()
                .enumerate()
                .map(|(i, (exit_code, reason, _))| triage::domain::Container {
                    name: format!("c{i}"),
                    image: None,
                    last_status: None,
                    exit_code: *exit_code,
                    reason: reason.clone(),
                    health_status: None,
                })
                .collect(),
            network_interface: None,
            private_ip: None,
        };
        let essential: Vec<String> = containers
            .iter()
            .enumerate()
            .filter(|(_, (_, _, essential))| *essential)
            .map(|(i, _)| format!("c{i}"))
            .collect();
        let finding = triage::domain::diagnosis::diagnose(&task, Some(&essential));
        prop_assert!(!finding.title.is_empty());
        for e in &finding.evidence {
            prop_assert!(!e.value.chars().any(is_unsafe), "{:?}", e);
        }
        prop_assert!(!finding.stopped_reason.unwrap_or_default().chars().any(is_unsafe));
    }
}

proptest! {
    #[test]
    fn the_matcher_never_panics(id in "[a-zA-Z0-9-]{1,20}", message in any::<String>()) {
        let m = triage::domain::logsearch::Matcher::new(&id, &[]).unwrap();
        let _ = m.matches(&message);
    }

    #[test]
    fn a_near_miss_id_never_matches_and_the_id_itself_does(
        id in "[a-z]{3,8}-[0-9]{1,6}",
        extra in "[a-z0-9]{1,3}",
        before in "[ =,(\\[]{0,3}",
        after in "[ ),\\]]{0,3}",
    ) {
        let m = triage::domain::logsearch::Matcher::new(&id, &[]).unwrap();
        let near_text = format!("request {id}{extra} failed");
        let near_json = format!("{{\"correlationId\":\"{id}{extra}\"}}");
        let spaced = format!("request{before}{id}{after} failed");
        let nested = format!("{{\"level\":\"info\",\"ctx\":{{\"requestId\":\"{id}\"}}}}");
        prop_assert!(!m.matches(&near_text));
        prop_assert!(!m.matches(&near_json));
        prop_assert!(m.matches(&spaced) || before.is_empty() || after.is_empty());
        prop_assert!(m.matches(&nested));
    }

    #[test]
    fn the_merge_releases_every_event_once_in_time_order(
        pages in proptest::collection::vec((0usize..4, proptest::collection::vec(0i64..1000, 0..20)), 0..30),
    ) {
        use chrono::TimeZone;
        use triage::domain::logsearch::{LogEvent, Merger};
        let groups: Vec<String> = (0..4).map(|g| format!("g{g}")).collect();
        let mut merger = Merger::new(&groups);
        let mut clock = [0i64; 4];
        let mut sent = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (g, mut times) in pages {
            times.sort();
            let events: Vec<LogEvent> = times
                .iter()
                .map(|t| {
                    // Each group pages forward in time.
                    let ts = clock[g].max(*t);
                    clock[g] = ts;
                    sent.insert((g, ts));
                    LogEvent {
                        group: groups[g].clone(),
                        stream: "s".into(),
                        timestamp: chrono::Utc.timestamp_opt(1_769_569_920 + ts, 0).unwrap(),
                        ingestion: None,
                        event_id: None,
                        message: format!("{g}-{ts}"),
                        pair: Default::default(),
                    }
                })
                .collect();
            merger.push(&groups[g], events);
            out.extend(merger.ready());
        }
        for g in &groups {
            merger.finish(g);
        }
        out.extend(merger.ready());
        prop_assert!(out.windows(2).all(|w| w[0].timestamp <= w[1].timestamp), "time order");
        prop_assert_eq!(out.len(), sent.len(), "every distinct event once");
    }
}

proptest! {
    #[test]
    fn flow_records_never_panic_and_bytes_are_only_ever_added_up(
        lines in proptest::collection::vec(any::<String>(), 0..20),
        records in proptest::collection::vec((0u64..10_000_000, any::<bool>(), 0u16..3), 0..20),
    ) {
        use triage::domain::flowlogs::{parse, top};
        for line in &lines {
            let _ = parse(line);
        }
        let made: Vec<String> = records
            .iter()
            .map(|(bytes, accepted, dst)| format!(
                "2 123456789012 eni-0a 10.0.0.5 198.51.100.{dst} 40000 443 6 1 {bytes} 1 2 {} OK",
                if *accepted { "ACCEPT" } else { "REJECT" }
            ))
            .collect();
        let all: Vec<&str> = lines.iter().chain(&made).map(String::as_str).collect();
        let (found, _) = top(all.iter().copied(), &[], 100);
        let total: u64 = records.iter().map(|r| r.0).sum();
        let counted: u64 = found.iter().filter(|d| d.address.starts_with("198.51.100.")).map(|d| d.bytes).sum();
        prop_assert_eq!(counted, total);
        prop_assert!(found.windows(2).all(|w| w[0].bytes >= w[1].bytes), "most bytes first");
    }

    #[test]
    fn a_secret_arn_is_found_only_in_secrets_manager_arns(text in any::<String>()) {
        if let Some(arn) = triage::domain::exposure::secret_arn(&text) {
            prop_assert!(arn.starts_with("arn:") && arn.contains(":secretsmanager:") && text.starts_with(&arn));
        }
    }
}
