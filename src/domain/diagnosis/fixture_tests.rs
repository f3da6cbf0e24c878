//! Stopped-task diagnosis over real-shaped DescribeTasks fixtures: each file
//! is named `<expected cause>--<variant>.json` (one per row of docs/specs/DIAGNOSIS.md
//! plus the tricky ones), and patterns across tasks.

use crate::fixtures;
use chrono::{Duration, TimeZone, Utc};
use triage::domain::diagnosis::{diagnose, patterns, Cause, Severity};

fn fixture_files() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stopped-tasks");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_is_decoded_to_its_cause() {
    let files = fixture_files();
    assert!(
        files.len() >= 30,
        "at least 30 fixtures, found {}",
        files.len()
    );
    let mut wrong = Vec::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = name.split("--").next().unwrap();
        let doc = fixtures::load(&format!("stopped-tasks/{name}.json"));
        let essential: Option<Vec<String>> = doc["essential"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect());
        let task = fixtures::tasks(&doc).remove(0);
        let finding = diagnose(&task, essential.as_deref());
        if finding.cause.code() != expected {
            wrong.push(format!(
                "{name}: got {} ({})",
                finding.cause.code(),
                finding.title
            ));
        }
        // Every finding explains itself and shows where it came from.
        assert!(
            !finding.title.is_empty() && !finding.explanation.is_empty(),
            "{name}"
        );
        assert!(!finding.next_checks.is_empty(), "{name}");
        assert_eq!(finding.task_arn, task.arn);
    }
    assert!(wrong.is_empty(), "misdiagnosed:\n{}", wrong.join("\n"));
}

#[test]
fn every_cause_is_covered_by_a_fixture() {
    let covered: std::collections::BTreeSet<String> = fixture_files()
        .iter()
        .map(|p| {
            p.file_stem()
                .unwrap()
                .to_string_lossy()
                .split("--")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let all = [
        Cause::OomKilled,
        Cause::Sigkill,
        Cause::AppError,
        Cause::UsageError,
        Cause::NotExecutable,
        Cause::CommandNotFound,
        Cause::Abort,
        Cause::Segfault,
        Cause::Sigterm,
        Cause::ExitedZero,
        Cause::ExecFormat,
        Cause::ImagePullNetwork,
        Cause::ImageNotFound,
        Cause::ImagePullAuth,
        Cause::ImagePullRateLimited,
        Cause::DiskFull,
        Cause::SecretsAccess,
        Cause::SecretsNetwork,
        Cause::LoggerInit,
        Cause::EniProvisioning,
        Cause::ElbHealthCheck,
        Cause::ContainerHealthCheck,
        Cause::DeploymentReplaced,
        Cause::UserStopped,
        Cause::SpotInterruption,
        Cause::Infrastructure,
        Cause::CannotStartContainer,
        Cause::RuntimeTimeout,
        Cause::HostRuntimeError,
        Cause::Maintenance,
        Cause::Unknown,
    ];
    for cause in all {
        assert!(
            covered.contains(cause.code()),
            "no fixture for {}",
            cause.code()
        );
    }
}

#[test]
fn the_reason_wins_over_the_bare_exit_code_and_evidence_is_exact_and_clean() {
    let oom = diagnose(
        &fixtures::tasks(&fixtures::load(
            "stopped-tasks/oom_killed--exit-137-with-oom-reason.json",
        ))[0],
        None,
    );
    assert_eq!(oom.severity, Severity::Critical);
    assert_eq!(oom.runbook.as_deref(), Some("oom-restart-loop"));
    let fields: Vec<(&str, &str)> = oom
        .evidence
        .iter()
        .map(|e| (e.field.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("stopCode", "EssentialContainerExited"),
            ("stoppedReason", "Essential container in task exited"),
            ("container", "api"),
            ("exitCode", "137"),
            (
                "reason",
                "OutOfMemoryError: Container killed due to memory usage"
            ),
        ]
    );
    let hostile = diagnose(
        &fixtures::tasks(&fixtures::load(
            "stopped-tasks/oom_killed--reason-with-escape-sequences.json",
        ))[0],
        None,
    );
    assert_eq!(
        hostile.container_reason.as_deref(),
        Some("OutOfMemoryError: Container killed due to memory usage")
    );
    assert!(hostile
        .evidence
        .iter()
        .all(|e| !e.value.contains('\u{1b}') && !e.value.contains('\u{7}')));

    let pull = diagnose(
        &fixtures::tasks(&fixtures::load(
            "stopped-tasks/image_not_found--tag-missing.json",
        ))[0],
        None,
    );
    assert!(pull
        .evidence
        .iter()
        .any(|e| e.field == "startedAt" && e.value.contains("never started")));

    let unknown = diagnose(
        &fixtures::tasks(&fixtures::load(
            "stopped-tasks/unknown--unmapped-exit-code.json",
        ))[0],
        None,
    );
    assert!(unknown.title.contains("exit code 3"), "{}", unknown.title);
    assert!(
        unknown.evidence.iter().any(|e| e.field == "stoppedReason"),
        "raw fields shown"
    );

    let benign = diagnose(
        &fixtures::tasks(&fixtures::load(
            "stopped-tasks/deployment_replaced--scheduler-143.json",
        ))[0],
        None,
    );
    assert_eq!(benign.severity, Severity::Info);
}

#[test]
fn a_restart_loop_since_a_deployment_suggests_rolling_back() {
    let service = fixtures::service("health/degraded-repeated-stops.json"); // chatbot-api:41, deployed 25m before 03:12
    let template = fixtures::tasks(&fixtures::load(
        "stopped-tasks/oom_killed--exit-137-with-oom-reason.json",
    ))
    .remove(0);
    let t0 = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
    let mut findings = Vec::new();
    for minutes in [2, 8, 14, 20] {
        let mut task = template.clone();
        task.id = format!("task{minutes}");
        task.arn = format!("arn:aws:ecs:eu-west-1:123456789012:task/prod-web/task{minutes}");
        task.stopped_at = Some(t0 - Duration::minutes(minutes));
        task.task_definition = service.task_definition.clone();
        findings.push(diagnose(&task, None));
    }
    // A benign replacement does not make a pattern.
    let replaced = fixtures::tasks(&fixtures::load(
        "stopped-tasks/deployment_replaced--scheduler-143.json",
    ))
    .remove(0);
    findings.push(diagnose(&replaced, None));

    let found = patterns(&findings, std::slice::from_ref(&service));
    assert_eq!(found.len(), 1, "{found:?}");
    let p = &found[0];
    assert_eq!((p.cause, p.count), (Cause::OomKilled, 4));
    assert!(p.since_deployment);
    assert_eq!(p.rollback_to.as_deref(), Some("chatbot-api:40"));
    assert_eq!(p.period(), Some(Duration::minutes(6)));
    assert_eq!(p.short(), "4× OOM in 18m");
    assert!(
        p.suggestion.contains("roll back to chatbot-api:40"),
        "{}",
        p.suggestion
    );
    assert!(
        p.suggestion.contains("oom-restart-loop"),
        "{}",
        p.suggestion
    );
}

#[test]
fn task_definition_diff_shows_what_changed_without_values() {
    use triage::domain::diagnosis::patterns::diff;
    use triage::domain::ports::{ContainerDefinition, TaskDefinition};
    let container = ContainerDefinition {
        name: "api".into(),
        image: "chatbot-api:v1.14.2".into(),
        essential: true,
        memory: Some(2048),
        memory_reservation: None,
        command: vec!["node".into(), "server.js".into()],
        environment: vec!["NODE_ENV".into()],
        secrets: vec!["DATABASE_URL".into()],
        secret_sources: vec!["arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db".into()],
        log_group: Some("/ecs/prod-web/chatbot-api".into()),
        log_stream_prefix: Some("ecs".into()),
        health_check: vec![],
    };
    let before = TaskDefinition {
        arn: "td:40".into(),
        family: "chatbot-api".into(),
        revision: 40,
        cpu: Some("1024".into()),
        memory: Some("2048".into()),
        network_mode: Some("awsvpc".into()),
        task_role: None,
        execution_role: None,
        containers: vec![container.clone()],
    };
    let mut after = before.clone();
    after.revision = 41;
    after.containers[0].image = "chatbot-api:v1.15.0".into();
    after.containers[0]
        .environment
        .push("EMBEDDINGS_CACHE_MB".into());
    let changes = diff(&before, &after);
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["api.image", "api.environment (names)"]);
    assert_eq!(changes[1].after, "EMBEDDINGS_CACHE_MB, NODE_ENV");
}
