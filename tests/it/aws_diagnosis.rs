//! Stopped tasks against moto over HTTP: listed to the end, described in
//! batches of 100, filtered to the service by group, and diagnosed from the
//! exit codes and reasons ECS reports (set through the harness route).

use crate::support::{fresh_region, moto};
use triage::aws::{AwsAccount, Connection};
use triage::domain::ports::EcsPort;
use triage::domain::TaskState;
use triage::settings::AwsTuning;
use triage::workers::diagnosis::{fetch_diagnosis, DiagnosisScope};

#[tokio::test]
async fn stopped_tasks_are_listed_batched_filtered_and_diagnosed() {
    let region = fresh_region();
    let config = crate::support::moto_config(region).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    let container = crate::support::api_container("v2");
    ecs.register_task_definition()
        .family("api")
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod")
        .service_name("api")
        .task_definition("api:1")
        .desired_count(1)
        .send()
        .await
        .unwrap();

    let mut arns = Vec::new();
    for group in ["service:api", "service:api", "service:other"] {
        let count = if group == "service:other" { 5 } else { 60 };
        let mut remaining = count;
        while remaining > 0 {
            let batch = remaining.min(10);
            let out = ecs
                .run_task()
                .cluster("prod")
                .task_definition("api:1")
                .count(batch)
                .group(group)
                .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
                .send()
                .await
                .unwrap();
            for t in out.tasks() {
                arns.push((group, t.task_arn().unwrap().to_string()));
            }
            remaining -= batch;
        }
    }
    let now = chrono::Utc::now().timestamp();
    let api: Vec<&String> = arns
        .iter()
        .filter(|(g, _)| *g == "service:api")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(api.len(), 120);
    // Most were replaced by a deployment; a few died of real causes.
    for (i, arn) in api.iter().enumerate() {
        let at = now - 60 * (i as i64 % 50);
        match i {
            0..=3 => moto().stop_task(region, arn, "EssentialContainerExited", "Essential container in task exited", &[(Some(137), Some("OutOfMemoryError: Container killed due to memory usage"))], at),
            4 => moto().stop_task(region, arn, "EssentialContainerExited", "Essential container in task exited", &[(Some(139), None)], at),
            5 => moto().stop_task(region, arn, "TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue", &[(None, None)], at),
            _ => moto().stop_task(region, arn, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/123)", &[(Some(143), None)], at),
        }
    }
    for (_, arn) in arns.iter().filter(|(g, _)| *g == "service:other") {
        moto().stop_task(
            region,
            arn,
            "EssentialContainerExited",
            "Essential container in task exited",
            &[(Some(1), None)],
            now,
        );
    }

    // The first OOM-killed task wrote to its awslogs stream before it died.
    let logs_client = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs_client
        .create_log_group()
        .log_group_name("/ecs/api")
        .send()
        .await
        .unwrap();
    let first_id = api[0].rsplit('/').next().unwrap().to_string();
    let stream = format!("ecs/api/{first_id}");
    logs_client
        .create_log_stream()
        .log_group_name("/ecs/api")
        .log_stream_name(&stream)
        .send()
        .await
        .unwrap();
    let events: Vec<aws_sdk_cloudwatchlogs::types::InputLogEvent> = (0..60)
        .map(|i| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp((now - 120 + i) * 1000)
                .message(format!(
                    "{{\"level\":\"warn\",\"msg\":\"heap {} MiB\"}}",
                    400 + i
                ))
                .build()
                .unwrap()
        })
        .collect();
    logs_client
        .put_log_events()
        .log_group_name("/ecs/api")
        .log_stream_name(&stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();

    let conn = Connection {
        region: Some(region.into()),
        endpoint_url: Some(moto().endpoint.clone()),
        tuning: AwsTuning {
            ecs_reads_per_second: 500.0,
            ecs_burst: 500,
            ..AwsTuning::default()
        },
        ..Default::default()
    };
    let account = AwsAccount::with_config(&config, &conn);
    let stopped = account
        .tasks("prod", "api", TaskState::Stopped)
        .await
        .unwrap();
    assert_eq!(
        stopped.len(),
        120,
        "only the service's own tasks (by group), all of them"
    );
    // ListTasks is paged to the end; DescribeTasks takes 100 at a time.
    let described = moto().calls(region, "DescribeTasks");
    assert!(
        (2..=3).contains(&described),
        "DescribeTasks calls: {described}"
    );
    assert!(moto().calls(region, "ListTasks") > 1, "paged");
    let oom = stopped
        .iter()
        .find(|t| t.containers[0].exit_code == Some(137))
        .unwrap();
    assert_eq!(oom.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert_eq!(
        oom.containers[0].reason.as_deref(),
        Some("OutOfMemoryError: Container killed due to memory usage")
    );

    let report = fetch_diagnosis(
        &account,
        None,
        &DiagnosisScope {
            services: vec!["api".into()],
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    // Tasks by ARN: found ones described, unknown ones absent.
    let wanted = vec![
        api[0].clone(),
        "arn:aws:ecs:us-east-1:123456789012:task/prod/00000000000000000000000000000000".to_string(),
    ];
    let described = account.describe_tasks("prod", &wanted).await.unwrap();
    assert_eq!(described.len(), 1);
    assert_eq!(&described[0].arn, api[0]);

    let logs = triage::aws::logs::AwsLogs::new(
        &config,
        None,
        Some(triage::domain::quotas::Pace {
            per_second: 500.0,
            burst: 10,
        }),
    );
    let with_logs = fetch_diagnosis(
        &account,
        Some(&logs),
        &DiagnosisScope {
            services: vec!["api".into()],
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let first = with_logs
        .findings
        .iter()
        .find(|f| f.task_id == first_id)
        .expect("the first OOM task");
    match &first.logs {
        triage::domain::diagnosis::LogTail::Lines {
            stream: read,
            lines,
        } => {
            assert_eq!(read, &format!("/ecs/api {stream}"));
            assert_eq!(lines.len(), 50, "the last 50 lines");
            assert!(
                lines.last().unwrap().message.contains("heap 459 MiB"),
                "{:?}",
                lines.last()
            );
        }
        other => panic!("{other:?}"),
    }
    let other = with_logs
        .findings
        .iter()
        .find(|f| f.cause.code() == "segfault")
        .unwrap();
    match &other.logs {
        triage::domain::diagnosis::LogTail::Missing { why } => {
            assert!(why.contains("no log stream"), "{why}")
        }
        other => panic!("{other:?}"),
    }

    let count = |code: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.cause.code() == code)
            .count()
    };
    assert_eq!(count("oom_killed"), 4);
    assert_eq!(count("segfault"), 1);
    assert_eq!(count("secrets_access"), 1);
    assert_eq!(count("deployment_replaced"), 114);
    let pattern = report
        .patterns
        .iter()
        .find(|p| p.cause.code() == "oom_killed")
        .expect("a loop of 4 OOM kills");
    assert_eq!(pattern.count, 4);
    // --since narrows to recent stops.
    let recent = fetch_diagnosis(
        &account,
        None,
        &DiagnosisScope {
            services: vec!["api".into()],
            since: Some(chrono::Duration::minutes(5)),
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert!(recent.findings.len() < report.findings.len());
    assert!(!recent.findings.is_empty());
}
