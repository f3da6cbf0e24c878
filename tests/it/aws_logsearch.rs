//! The filter engine against moto over HTTP: a quoted term on the server,
//! exact matching on the client (near-miss IDs dropped), groups merged by
//! time, a missing group reported.

use crate::support::{fresh_region, moto};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use triage::aws::logs::AwsLogs;
use triage::domain::logsearch::Matcher;
use triage::workers::logsearch::{filter_search, GroupOutcome};

#[tokio::test]
async fn finds_the_request_in_every_group_and_nothing_else() {
    let region = fresh_region();
    let config = crate::support::moto_config(region).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let now = chrono::Utc::now().timestamp_millis();
    let services = ["frontend", "backend-api", "chatbot-api"];
    for (i, service) in services.iter().enumerate() {
        let group = format!("/ecs/prod-web/{service}");
        logs.create_log_group()
            .log_group_name(&group)
            .send()
            .await
            .unwrap();
        logs.create_log_stream()
            .log_group_name(&group)
            .log_stream_name(format!("ecs/app/task{i}"))
            .send()
            .await
            .unwrap();
        let mut events = Vec::new();
        for n in 0..200i64 {
            let at = now - 600_000 + n * 1000 + i as i64 * 10;
            let message = match n {
                50 => format!(
                    r#"{{"level":"info","service":"{service}","correlationId":"corr-123","msg":"hop {i}"}}"#
                ),
                51 => format!(
                    r#"{{"level":"info","service":"{service}","correlationId":"corr-1234","msg":"near miss"}}"#
                ),
                52 => "plain line mentioning xcorr-123 and corr-123x".to_string(),
                _ => format!(
                    r#"{{"level":"info","service":"{service}","correlationId":"corr-{n}9","msg":"noise"}}"#
                ),
            };
            events.push(
                InputLogEvent::builder()
                    .timestamp(at)
                    .message(message)
                    .build()
                    .unwrap(),
            );
        }
        logs.put_log_events()
            .log_group_name(&group)
            .log_stream_name(format!("ecs/app/task{i}"))
            .set_log_events(Some(events))
            .send()
            .await
            .unwrap();
    }
    let port = AwsLogs::new(
        &config,
        None,
        Some(triage::domain::quotas::Pace {
            per_second: 500.0,
            burst: 10,
        }),
    );
    let mut groups: Vec<String> = services
        .iter()
        .map(|s| format!("/ecs/prod-web/{s}"))
        .collect();
    groups.push("/ecs/prod-web/no-such-service".into());
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let start = chrono::DateTime::from_timestamp_millis(now - 3_600_000).unwrap();
    let end = chrono::DateTime::from_timestamp_millis(now + 60_000).unwrap();
    let result = filter_search(&port, &groups, &matcher, start, end, |_| {}).await;

    let hops: Vec<&str> = result
        .events
        .iter()
        .map(|e| e.group.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        hops,
        vec!["frontend", "backend-api", "chatbot-api"],
        "one hop per service, in time order"
    );
    assert!(result
        .events
        .iter()
        .all(|e| e.message.contains("\"corr-123\"")));
    assert_eq!(result.groups[3].1, GroupOutcome::Missing);
    assert!(!result.complete());
    assert!(moto().calls(region, "FilterLogEvents") >= 4);
}

#[tokio::test]
async fn a_services_own_recent_lines_are_its_tasks_streams_newest_first() {
    use triage::domain::ports::{ContainerDefinition, LogStream, TaskDefinition};
    let region = fresh_region();
    let config = crate::support::moto_config(region).await;
    let now = chrono::Utc::now().timestamp_millis();
    // Two running tasks write to the service's group; a third has no stream yet.
    crate::support::log_lines(
        &config,
        "/ecs/prod-web/orders",
        "ecs/app/task-a",
        &[(now - 3_000, "a first"), (now - 1_000, "a last")],
    )
    .await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.create_log_stream()
        .log_group_name("/ecs/prod-web/orders")
        .log_stream_name("ecs/app/task-b")
        .send()
        .await
        .unwrap();
    logs.put_log_events()
        .log_group_name("/ecs/prod-web/orders")
        .log_stream_name("ecs/app/task-b")
        .log_events(
            InputLogEvent::builder()
                .timestamp(now - 2_000)
                .message("b \u{1b}[31mred\u{1b}[0m")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let definition = TaskDefinition {
        arn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:1".into(),
        family: "orders".into(),
        revision: 1,
        cpu: None,
        memory: None,
        containers: vec![ContainerDefinition {
            name: "app".into(),
            image: "orders:v1".into(),
            essential: true,
            memory: None,
            memory_reservation: None,
            command: vec![],
            environment: vec![],
            secrets: vec![],
            secret_sources: vec![],
            log_group: Some("/ecs/prod-web/orders".into()),
            log_stream_prefix: Some("ecs".into()),
            health_check: vec![],
        }],
        network_mode: None,
        task_role: None,
        execution_role: None,
    };
    let streams: Vec<LogStream> = ["task-a", "task-b", "task-c"]
        .iter()
        .flat_map(|t| definition.log_streams(t))
        .collect();
    assert_eq!(streams[0].stream, "ecs/app/task-a");
    let port = AwsLogs::new(&config, None, None);
    let lines = triage::workers::service_logs::read_recent(&port, &streams, chrono::Utc::now())
        .await
        .unwrap();
    let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, ["a last", "b \u{1b}[31mred\u{1b}[0m", "a first"]);
    // One GetLogEvents a stream, the missing one included (and skipped).
    assert_eq!(
        triage::domain::ports::LogsPort::calls(&port).get("GetLogEvents"),
        Some(&3)
    );
}
