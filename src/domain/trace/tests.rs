//! The waterfall's rules: spans from log lines and from X-Ray documents,
//! nesting, self times, skew, bad input.

use super::from_logs::{duration_of, from_lines, TraceLine};
use super::from_xray::from_segments;
use super::trace_id::trace_id_in;
use super::*;
use proptest::prelude::*;

fn line(service: &str, at_ms: i64, message: &str) -> TraceLine {
    TraceLine {
        service: service.into(),
        at_ms,
        message: message.into(),
    }
}

#[test]
fn a_trace_id_is_found_alone_after_root_or_in_a_field() {
    let id = "1-5759e988-bd862e3fe1be46a994272793";
    assert_eq!(
        trace_id_in(&format!("Root={id};Parent=53995c3f42cd8ad8;Sampled=1")).as_deref(),
        Some(id)
    );
    assert_eq!(
        trace_id_in(&format!(r#"{{"traceId":"{id}","msg":"ok"}}"#)).as_deref(),
        Some(id)
    );
    assert_eq!(
        trace_id_in(&format!("trace {}", id.to_uppercase())).as_deref(),
        Some(id)
    );
    assert_eq!(
        trace_id_in("21-5759e988-bd862e3fe1be46a994272793"),
        None,
        "not the tail of a number"
    );
    assert_eq!(
        trace_id_in("1-5759e988-bd862e3fe1be46a99427279"),
        None,
        "too short"
    );
    assert_eq!(
        trace_id_in("1-5759e988-bd862e3fe1be46a9942727934"),
        None,
        "too long"
    );
    assert_eq!(trace_id_in("no trace here 1-"), None);
}

#[test]
fn durations_are_read_from_json_and_text_lines() {
    assert_eq!(
        duration_of(r#"{"msg":"model call","duration_ms":30012}"#),
        Some(30012)
    );
    assert_eq!(duration_of(r#"{"latency_ms":"250ms"}"#), Some(250));
    assert_eq!(duration_of(r#"{"duration":"1.5s"}"#), Some(1500));
    assert_eq!(duration_of("GET /api 200 duration_ms=42"), Some(42));
    assert_eq!(duration_of("my_duration_ms=42"), None, "another field");
    assert_eq!(duration_of(r#"{"duration_ms":-5}"#), None);
    assert_eq!(duration_of(r#"{"duration_ms":1e300}"#), None);
}

/// The case study's slow request: frontend → backend-api → chatbot-api,
/// whose model call takes 30 s.
fn slow_request() -> Vec<TraceLine> {
    vec![
        line(
            "frontend",
            1_000,
            r#"{"msg":"GET /chat","correlationId":"req-1"}"#,
        ),
        line(
            "backend-api",
            1_020,
            r#"{"msg":"POST /answer","correlationId":"req-1"}"#,
        ),
        line(
            "chatbot-api",
            1_040,
            r#"{"msg":"prompt built","correlationId":"req-1"}"#,
        ),
        line(
            "chatbot-api",
            31_050,
            r#"{"level":"error","msg":"model call timed out after 30000 ms","correlationId":"req-1","duration_ms":30000}"#,
        ),
        line(
            "backend-api",
            31_070,
            r#"{"msg":"answered 504","status":504,"correlationId":"req-1"}"#,
        ),
        line(
            "frontend",
            31_090,
            r#"{"msg":"done","correlationId":"req-1","duration_ms":30090}"#,
        ),
    ]
}

#[test]
fn the_log_lines_alone_give_the_nested_waterfall_and_its_bottleneck() {
    let w = from_lines("req-1", &slow_request());
    assert_eq!(w.source, SpanSource::Logs);
    let names: Vec<(&str, Option<usize>)> = w
        .spans
        .iter()
        .map(|s| (s.service.as_str(), s.parent))
        .collect();
    assert_eq!(
        names,
        vec![
            ("frontend", None),
            ("backend-api", Some(0)),
            ("chatbot-api", Some(1))
        ]
    );
    assert_eq!(w.total_ms, 30_090);
    let chatbot = &w.spans[2];
    assert_eq!((chatbot.start_ms, chatbot.duration_ms), (40, 30_010));
    assert!(chatbot.error && w.spans[1].error && !w.spans[0].error);
    assert_eq!(w.spans[1].self_ms, 30_050 - 30_010);
    let b = w.bottleneck.unwrap();
    assert_eq!((b.service.as_str(), b.self_ms), ("chatbot-api", 30_010));
}

#[test]
fn clock_skew_is_clamped_and_said_never_drawn_as_negative_time() {
    // chatbot-api's clock runs 300 ms behind: its lines seem to start before backend-api's.
    let lines = vec![
        line("backend-api", 10_000, "start"),
        line("chatbot-api", 9_800, "start"),
        line("chatbot-api", 10_500, "end"),
        line("backend-api", 11_000, "end"),
    ];
    let w = from_lines("r", &lines);
    assert!(w
        .spans
        .iter()
        .all(|s| s.start_ms >= 0 && s.duration_ms >= 0));
    assert_eq!(w.spans[1].parent, Some(0));
    assert!(
        w.notes.iter().any(|n| n.contains("clock skew of 200 ms")),
        "{:?}",
        w.notes
    );
}

#[test]
fn xray_segments_give_spans_self_times_errors_and_the_bottleneck() {
    let trace = "1-5759e988-bd862e3fe1be46a994272793";
    let backend = serde_json::json!({
        "id": "aaaa000000000001", "trace_id": trace, "name": "backend-api",
        "start_time": 100.000, "end_time": 131.100,
        "http": {"response": {"status": 504}}, "fault": true,
        "subsegments": [{"id": "aaaa000000000002", "name": "chatbot-api", "namespace": "remote",
            "start_time": 100.050, "end_time": 131.050}]
    })
    .to_string();
    let chatbot = serde_json::json!({
        "id": "bbbb000000000001", "trace_id": trace, "name": "chatbot-api",
        "parent_id": "aaaa000000000002", "start_time": 100.060, "end_time": 131.040, "error": true,
        "subsegments": [{"id": "bbbb000000000002", "name": "model call\u{1b}[31m", "start_time": 100.100,
            "end_time": 130.100, "namespace": "remote"}]
    })
    .to_string();
    let w = from_segments("req-1", trace, &[chatbot, backend]);
    let shape: Vec<(&str, &str, Option<usize>)> = w
        .spans
        .iter()
        .map(|s| (s.service.as_str(), s.name.as_str(), s.parent))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("backend-api", "backend-api", None),
            ("backend-api", "chatbot-api", Some(0)),
            ("chatbot-api", "chatbot-api", Some(1)),
            ("chatbot-api", "model call", Some(2)),
        ]
    );
    assert_eq!(w.spans[0].status, Some(504));
    assert!(w.spans[0].error && w.spans[2].error && !w.spans[3].error);
    let b = w.bottleneck.unwrap();
    assert_eq!((b.service.as_str(), b.self_ms), ("chatbot-api", 30_000));
    assert_eq!(w.total_ms, 31_100);
}

#[test]
fn a_parent_cycle_and_oversized_or_broken_documents_are_refused() {
    let trace = "1-5759e988-bd862e3fe1be46a994272793";
    let a = serde_json::json!({"id": "a", "parent_id": "b", "name": "a", "start_time": 10.0, "end_time": 11.0}).to_string();
    let b = serde_json::json!({"id": "b", "parent_id": "a", "name": "b", "start_time": 10.0, "end_time": 11.0}).to_string();
    let huge = format!(r#"{{"name":"x","pad":"{}"}}"#, "x".repeat(300 * 1024));
    let w = from_segments("r", trace, &[a, b, huge, "{not json".into()]);
    assert_eq!(w.spans.len(), 2);
    assert!(
        w.spans.iter().filter(|s| s.parent.is_none()).count() >= 1,
        "a cycle is broken"
    );
    assert!(w.notes.iter().any(|n| n.contains("was not read")));
    assert!(w.notes.iter().any(|n| n.contains("not JSON")));
}

proptest! {
    #[test]
    fn any_lines_give_spans_that_nest_in_order_and_never_go_negative(
        lines in prop::collection::vec((0usize..4, 0i64..100_000, 0i64..50_000, any::<bool>()), 0..30)
    ) {
        let services = ["a", "b", "c", "d"];
        let lines: Vec<TraceLine> = lines
            .iter()
            .map(|(s, at, took, timed)| line(
                services[*s],
                *at,
                &if *timed { format!(r#"{{"duration_ms":{took}}}"#) } else { "x".to_string() },
            ))
            .collect();
        let w = from_lines("r", &lines);
        for (i, s) in w.spans.iter().enumerate() {
            prop_assert!(s.start_ms >= 0 && s.duration_ms >= 0 && s.self_ms >= 0);
            prop_assert!(s.self_ms <= s.duration_ms);
            if let Some(p) = s.parent {
                prop_assert!(p < i);
                let parent = &w.spans[p];
                prop_assert!(s.start_ms >= parent.start_ms && s.end_ms() <= parent.end_ms());
            }
            prop_assert!(s.end_ms() <= w.total_ms);
        }
        let distinct: std::collections::BTreeSet<&str> = lines.iter().map(|l| l.service.as_str()).collect();
        prop_assert_eq!(w.spans.len(), distinct.len());
    }

    #[test]
    fn any_segments_nest_without_cycles_or_negative_time_even_with_missing_ends(
        docs in prop::collection::vec(
            (0usize..6, prop::option::of(0usize..6), 0u32..10_000, prop::option::of(0u32..10_000), any::<bool>()),
            1..12,
        )
    ) {
        // Segments whose parents are any of the others (cycles included),
        // some without an end, some with a subsegment.
        let documents: Vec<String> = docs
            .iter()
            .enumerate()
            .map(|(i, (service, parent, start, took, sub))| {
                let start = f64::from(*start) / 1000.0;
                let mut doc = serde_json::json!({
                    "id": format!("s{i}"),
                    "name": format!("svc{service}"),
                    "start_time": 1_700_000_000.0 + start,
                });
                if let Some(took) = took {
                    doc["end_time"] = serde_json::json!(1_700_000_000.0 + start + f64::from(*took) / 1000.0);
                }
                if let Some(p) = parent {
                    doc["parent_id"] = serde_json::json!(format!("s{p}"));
                }
                if *sub {
                    doc["subsegments"] = serde_json::json!([{
                        "id": format!("u{i}"), "name": "call",
                        "start_time": 1_700_000_000.0 + start, "end_time": 1_700_000_000.0 + start + 0.001
                    }]);
                }
                doc.to_string()
            })
            .collect();
        let w = from_segments("r", "1-00000001-000000000000000000000001", &documents);
        for (i, s) in w.spans.iter().enumerate() {
            prop_assert!(s.start_ms >= 0 && s.duration_ms >= 0 && s.self_ms >= 0);
            prop_assert!(s.self_ms <= s.duration_ms);
            if let Some(p) = s.parent {
                // Parents come first: no cycle survives.
                prop_assert!(p < i);
            }
            prop_assert!(w.depth(i) < w.spans.len());
        }
    }

    #[test]
    fn any_text_never_panics_the_trace_id_finder(text in ".{0,200}") {
        if let Some(id) = trace_id_in(&text) {
            prop_assert_eq!(id.len(), 35);
            prop_assert!(id.starts_with("1-"));
        }
    }
}
