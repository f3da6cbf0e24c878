//! `triage trace ID`: where one request's time went, from its log lines —
//! on the demo (the case study's slow chat: 30 s in chatbot-api's model
//! call) and against moto (lines that time their own work), text and JSON.

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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    assert_eq!(doc["source"], "logs");
    let spans: Vec<(&str, serde_json::Value)> = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["service"].as_str().unwrap(), s["parent"].clone()))
        .collect();
    assert_eq!(
        spans,
        vec![
            ("prod-web/frontend", serde_json::Value::Null),
            ("prod-web/backend-api", 0.into()),
            ("prod-web/chatbot-api", 1.into()),
        ]
    );
    assert_eq!(doc["bottleneck"]["service"], "prod-web/chatbot-api");
    assert!(doc["bottleneck"]["self_ms"].as_i64().unwrap() >= 29_000);
    let text = triage(&home)
        .args(["--demo", "trace", "req-5f1e0c9a", "--since", "2h"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("← bottleneck"), "{text}");
    assert!(
        text.contains("bottleneck: prod-web/chatbot-api holds"),
        "{text}"
    );
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
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
