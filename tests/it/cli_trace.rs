//! `triage trace ID`: where one request's time went — on the demo (the case
//! study's slow chat: 30 s in chatbot-api's model call, from the X-Ray
//! segments its lines' trace id names) and against moto (segments put with
//! PutTraceSegments and a line carrying `Root=`; lines that time their own
//! work; X-Ray refused), text and JSON.

use crate::support::cli::{aws_triage, json, triage};
use crate::support::{fresh_region, log_lines, moto_config};

#[test]
fn the_demos_slow_request_waits_on_chatbot_api() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args([
            "--demo",
            "trace",
            "req-5f1e0c9a",
            "--since",
            "2h",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let doc = succeeded(&out);
    // Its lines carry a trace id: X-Ray's segments draw it.
    assert_eq!(doc["source"], "xray");
    assert!(doc["trace_id"].as_str().unwrap().starts_with("1-"));
    let spans: Vec<(&str, &str, serde_json::Value)> = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                s["parent"].clone(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            ("frontend", "frontend", serde_json::Value::Null),
            ("frontend", "backend-api", 0.into()),
            ("backend-api", "backend-api", 1.into()),
            ("backend-api", "chatbot-api", 2.into()),
            ("chatbot-api", "chatbot-api", 3.into()),
            ("chatbot-api", "model call", 4.into()),
        ]
    );
    assert_eq!(doc["bottleneck"]["service"], "chatbot-api");
    assert_eq!(doc["bottleneck"]["name"], "model call");
    assert!(doc["bottleneck"]["self_ms"].as_i64().unwrap() >= 29_000);
    assert!(doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["error"] == true));
    let text = triage(&home)
        .args(["--demo", "trace", "req-5f1e0c9a", "--since", "2h"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("← bottleneck"), "{text}");
    assert!(
        text.contains("bottleneck: chatbot-api model call holds 30.00 s itself"),
        "{text}"
    );
    assert!(text.contains("from X-Ray trace 1-"), "{text}");
    // No line carries it: exit 1, said.
    let none = triage(&home)
        .args(["--demo", "trace", "req-nobody-sent", "--since", "1h"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stdout).contains("No line carries req-nobody-sent"));
    let follow = triage(&home)
        .args(["--demo", "trace", "req-5f1e0c9a", "--follow"])
        .output()
        .unwrap();
    assert_eq!(follow.status.code(), Some(2));
}

#[tokio::test]
async fn lines_that_time_their_own_work_give_the_waterfall_against_moto() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let t = chrono::Utc::now().timestamp_millis() - 60_000;
    log_lines(
        &config,
        "/ecs/gateway",
        "ecs/app/t1",
        &[
            (t, r#"{"correlationId":"req-77","msg":"POST /pay"}"#),
            (
                t + 2_000,
                r#"{"correlationId":"req-77","msg":"200","duration_ms":2000}"#,
            ),
        ],
    )
    .await;
    log_lines(
        &config,
        "/ecs/payments",
        "ecs/app/t2",
        &[(
            t + 1_900,
            r#"{"correlationId":"req-77","msg":"charged","duration_ms":1700}"#,
        )],
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = aws_triage(&home, region)
        .args([
            "trace",
            "req-77",
            "--since",
            "1h",
            "--log-group",
            "/ecs/gateway",
            "--log-group",
            "/ecs/payments",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let doc = succeeded(&out);
    let spans = doc["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2, "{doc:#}");
    assert_eq!(spans[0]["service"], "/ecs/gateway");
    assert_eq!(spans[1]["service"], "/ecs/payments");
    assert_eq!(spans[1]["parent"], 0);
    // payments reaches back by its own duration: 200 ms to 1,900 ms.
    assert_eq!(spans[1]["start_ms"], 200);
    assert_eq!(spans[1]["duration_ms"], 1_700);
    assert_eq!(spans[0]["self_ms"], 300);
    assert_eq!(doc["bottleneck"]["service"], "/ecs/payments");
    assert_eq!(doc["total_ms"], 2_000);
}

/// The JSON a command printed, once it succeeded (its stderr shown if not).
fn succeeded(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

/// `triage trace ID --since 1h --log-group /ecs/gateway` against moto,
/// with `extra` arguments (`-o json`).
fn gateway_trace(
    home: &tempfile::TempDir,
    region: &str,
    id: &str,
    extra: &[&str],
) -> std::process::Output {
    aws_triage(home, region)
        .args(["trace", id, "--since", "1h", "--log-group", "/ecs/gateway"])
        .args(extra)
        .output()
        .unwrap()
}

/// A segment document as an X-Ray SDK sends it.
fn segment(fields: serde_json::Value) -> String {
    fields.to_string()
}

/// Segments put with PutTraceSegments, and the line that names the trace.
async fn put_trace(config: &aws_config::SdkConfig, trace: &str, t: f64) {
    let docs = [
        segment(serde_json::json!({
            "id": "aaaaaaaaaaaaaaa1", "trace_id": trace, "name": "gateway",
            "start_time": t, "end_time": t + 1.5,
            "http": {"response": {"status": 502}}, "fault": true,
            "subsegments": [{
                "id": "aaaaaaaaaaaaaaa2", "name": "orders", "namespace": "remote",
                "start_time": t + 0.05, "end_time": t + 1.45, "fault": true,
                "http": {"response": {"status": 502}}
            }]
        })),
        segment(serde_json::json!({
            "id": "bbbbbbbbbbbbbbb1", "trace_id": trace, "name": "orders",
            "parent_id": "aaaaaaaaaaaaaaa2",
            "start_time": t + 0.06, "end_time": t + 1.44,
            "http": {"response": {"status": 502}}, "fault": true,
            "subsegments": [
                {"id": "bbbbbbbbbbbbbbb2", "name": "orders-db", "namespace": "aws",
                 "start_time": t + 0.1, "end_time": t + 0.2},
                {"id": "bbbbbbbbbbbbbbb3", "name": "payments-api", "namespace": "remote",
                 "start_time": t + 0.25, "end_time": t + 1.4, "error": true,
                 "http": {"response": {"status": 429}}}
            ]
        })),
    ];
    let xray = aws_sdk_xray::Client::new(config);
    let out = xray
        .put_trace_segments()
        .set_trace_segment_documents(Some(docs.to_vec()))
        .send()
        .await
        .unwrap();
    assert!(out.unprocessed_trace_segments().is_empty(), "{out:?}");
}

#[tokio::test]
async fn x_ray_segments_named_by_a_root_line_give_spans_self_times_errors_and_the_bottleneck() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let now = chrono::Utc::now();
    let t = (now - chrono::Duration::seconds(90)).timestamp_millis() as f64 / 1000.0;
    let trace = format!("1-{:08x}-0123456789abcdef01234567", t as i64);
    put_trace(&config, &trace, t).await;
    let at = (t * 1000.0) as i64;
    let header = format!("Root={trace};Parent=aaaaaaaaaaaaaaa1;Sampled=1");
    log_lines(
        &config,
        "/ecs/gateway",
        "ecs/app/t1",
        &[(
            at + 1_500,
            &format!(r#"{{"correlationId":"req-x1","msg":"502","X-Amzn-Trace-Id":"{header}"}}"#),
        )],
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = gateway_trace(&home, region, "req-x1", &["-o", "json"]);
    let doc = succeeded(&out);
    assert_eq!(doc["source"], "xray", "{doc:#}");
    assert_eq!(doc["trace_id"], trace.as_str());
    let spans: Vec<(&str, &str, i64, i64, i64, bool, serde_json::Value)> = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                s["start_ms"].as_i64().unwrap(),
                s["duration_ms"].as_i64().unwrap(),
                s["self_ms"].as_i64().unwrap(),
                s["error"].as_bool().unwrap(),
                s["parent"].clone(),
            )
        })
        .collect();
    use serde_json::Value::Null;
    assert_eq!(
        spans,
        vec![
            ("gateway", "gateway", 0, 1500, 100, true, Null),
            ("gateway", "orders", 50, 1400, 20, true, 0.into()),
            ("orders", "orders", 60, 1380, 130, true, 1.into()),
            ("orders", "orders-db", 100, 100, 100, false, 2.into()),
            ("orders", "payments-api", 250, 1150, 1150, true, 2.into()),
        ]
    );
    assert_eq!(doc["bottleneck"]["service"], "orders");
    assert_eq!(doc["bottleneck"]["name"], "payments-api");
    assert_eq!(doc["bottleneck"]["self_ms"], 1150);
    assert_eq!(doc["total_ms"], 1500);
    let text = gateway_trace(&home, region, "req-x1", &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("from X-Ray trace {trace}")),
        "{text}"
    );
    assert!(
        text.contains("bottleneck: orders payments-api holds 1.15 s itself"),
        "{text}"
    );
}

#[tokio::test]
async fn a_trace_x_ray_no_longer_has_is_drawn_from_the_lines_and_says_why() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let t = chrono::Utc::now().timestamp_millis() - 60_000;
    let trace = format!("1-{:08x}-ffffffffffffffffffffffff", t / 1000);
    log_lines(
        &config,
        "/ecs/gateway",
        "ecs/app/t1",
        &[
            (
                t,
                &format!(r#"{{"correlationId":"req-x2","traceId":"{trace}"}}"#),
            ),
            (
                t + 800,
                r#"{"correlationId":"req-x2","msg":"done","duration_ms":800}"#,
            ),
        ],
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let out = gateway_trace(&home, region, "req-x2", &["-o", "json"]);
    let doc = json(&out.stdout);
    assert_eq!(doc["source"], "logs", "{doc:#}");
    assert_eq!(doc["total_ms"], 800);
    let text = gateway_trace(&home, region, "req-x2", &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("X-Ray has no segments for trace {trace}")),
        "{text}"
    );
}

#[tokio::test]
async fn a_slow_services_slowest_requests_name_what_holds_their_time_against_moto() {
    use triage::domain::trace::reading::TracePort;
    let region = fresh_region();
    let config = moto_config(region).await;
    let now = chrono::Utc::now();
    // Three slow requests through "orders", held by payments-api; one fast.
    for (n, secs) in [(1, 200), (2, 150), (3, 120)] {
        let t = (now - chrono::Duration::seconds(secs)).timestamp_millis() as f64 / 1000.0;
        let trace = format!("1-{:08x}-00000000000000000000000{n}", t as i64);
        put_trace(&config, &trace, t).await;
    }
    let traces = triage::aws::xray::AwsTraces::new(&config, None);
    let blame = triage::workers::trace::slow_requests_blame(
        &traces,
        "orders",
        now - chrono::Duration::minutes(15),
        1000,
    )
    .await
    .unwrap()
    .expect("blamed");
    assert_eq!(
        (
            blame.service.as_str(),
            blame.name.as_str(),
            blame.count,
            blame.of
        ),
        ("orders", "payments-api", 3, 3)
    );
    assert_eq!(blame.self_ms, 1150);
    // One GetTraceSummaries, one BatchGetTraces for three ids.
    let calls = traces.calls();
    assert_eq!(calls.get("GetTraceSummaries"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("BatchGetTraces"), Some(&1), "{calls:?}");
    // Nothing slower than 2 s: nothing read beyond the summaries.
    let none = triage::workers::trace::slow_requests_blame(
        &traces,
        "orders",
        now - chrono::Duration::minutes(15),
        2000,
    )
    .await
    .unwrap();
    assert_eq!(none, None);
}

#[test]
fn the_slow_demos_headline_says_backend_api_waits_on_chatbot_apis_model_call() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home)
        .args(["--demo=slow", "status", "-o", "json"])
        .output()
        .unwrap();
    let doc = succeeded(&out);
    let backend = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "backend-api")
        .expect("backend-api");
    let waiting = &backend["waiting"];
    assert_eq!(waiting["on"]["service"], "chatbot-api", "{waiting:#}");
    assert_eq!(waiting["on"]["name"], "model call");
    assert!(waiting["cpu_percent"].as_f64().unwrap() < 50.0);
    assert!(waiting["p95_ms"].as_f64().unwrap() > 3.0 * waiting["usual_p95_ms"].as_f64().unwrap());
    let headline = backend["headline"].as_str().unwrap();
    assert!(
        headline.contains("waiting on a dependency → chatbot-api model call"),
        "{headline}"
    );
    let text = triage(&home)
        .args(["--demo=slow", "status"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("waiting on a dependency → chatbot-api model call"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_slow_idle_services_are_traced_one_summary_and_two_batches_each() {
    use std::sync::Arc;
    use triage::domain::trace::reading::TracePort;
    use triage::domain::Clock;
    let cache = tempfile::tempdir().unwrap();
    let runbooks = triage::store::runbooks::list(&[]);
    // slow: three services wait on the model; saas: at most chatbot-api,
    // while its dying tasks slow it (backend-api's CPU is the intruder's).
    for (name, most) in [("slow", 3), ("saas", 1)] {
        let scenario = triage::demo::scenario::Scenario::load(name).unwrap();
        let clock = Arc::new(triage::domain::clock::ManualClock::new(chrono::Utc::now()));
        let demo =
            Arc::new(triage::demo::DemoAccount::new(&scenario, clock.clone()).without_latency());
        let account = triage::wiring::Account::of_demo(demo, &scenario, cache.path());
        let scope = triage::cli::status::StatusScope {
            mappings: &[],
            clusters: &[],
            limits: Default::default(),
            runbooks: &runbooks,
        };
        let read = triage::cli::status::read_account(&account, &scope, clock.now(), "")
            .await
            .unwrap();
        let slow = read.slow.len();
        if name == "slow" {
            assert_eq!(slow, most, "{:?}", read.slow.keys());
        }
        assert!(
            slow <= most
                && read
                    .slow
                    .keys()
                    .all(|k| name == "slow" || k.service == "chatbot-api"),
            "{name}: {:?}",
            read.slow.keys()
        );
        let calls = account.traces.calls();
        let count = |op: &str| calls.get(op).copied().unwrap_or(0);
        assert_eq!(count("GetTraceSummaries"), slow as u64, "{name}: {calls:?}");
        // Its eight slowest requests: two BatchGetTraces of five ids at most.
        assert!(
            count("BatchGetTraces") <= 2 * slow as u64,
            "{name}: {calls:?}"
        );
        if name == "slow" {
            assert_eq!(count("BatchGetTraces"), 6, "{calls:?}");
        }
    }
}

#[tokio::test]
async fn x_ray_refused_draws_from_the_lines_and_says_which_permission() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let t = chrono::Utc::now().timestamp_millis() - 60_000;
    let trace = format!("1-{:08x}-00000000000000000000abcd", t / 1000);
    put_trace(&config, &trace, t as f64 / 1000.0).await;
    log_lines(
        &config,
        "/ecs/gateway",
        "ecs/app/t1",
        &[(
            t + 1_500,
            &format!(r#"{{"correlationId":"req-x3","traceId":"{trace}","duration_ms":1500}}"#),
        )],
    )
    .await;
    crate::support::moto().fail(region, "BatchGetTraces", "AccessDeniedException", 1);
    let home = tempfile::tempdir().unwrap();
    let out = gateway_trace(&home, region, "req-x3", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("from 1 log lines"), "{text}");
    assert!(
        text.contains("X-Ray could not be read (no permission: allow xray:BatchGetTraces and xray:GetTraceSummaries): drawn from the log lines"),
        "{text}"
    );
    // The next read, allowed again, draws from X-Ray.
    let again = gateway_trace(&home, region, "req-x3", &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("from X-Ray trace"));
}
