//! `triage wait` against moto: at once for a service already there, 1 after
//! the timeout for one that is down (saying what it waits for), 0 when the
//! service becomes steady during the wait (changed through the API), 3 on
//! an AWS error, 2 for bad input; and one DescribeServices a look.

use crate::support::cli::{aws_triage, json};
use crate::support::{fresh_region, moto, moto_config, seed_services};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_returns_when_reached_times_out_when_not_and_sees_a_change_during_the_wait() {
    let region = fresh_region();
    let config = moto_config(region).await;
    seed_services(&config, "prod", "api", &["ready", "down", "rolling"]).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    // `ready`: two tasks wanted, two running, its deployment done.
    ecs.update_service()
        .cluster("prod")
        .service("ready")
        .desired_count(2)
        .send()
        .await
        .unwrap();
    moto().settle(region, "prod", "ready");
    // `down`: two wanted, none running (a new service moto never starts).
    ecs.delete_service()
        .cluster("prod")
        .service("down")
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod")
        .service_name("down")
        .task_definition("api:1")
        .desired_count(2)
        .send()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();

    // Already healthy: exit 0 at the first look, one DescribeServices.
    let before = moto().calls(region, "DescribeServices");
    let started = Instant::now();
    let out = aws_triage(&home, region)
        .args([
            "wait",
            "--service",
            "prod/ready",
            "--until",
            "steady",
            "-o",
            "json",
        ])
        .assert()
        .code(0);
    assert!(started.elapsed() < Duration::from_secs(10));
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["reached"], true);
    assert_eq!(doc["looks"], 1);
    assert_eq!(doc["last"]["running"], 2);
    assert_eq!(doc["pending"], "nothing");
    assert_eq!(moto().calls(region, "DescribeServices") - before, 1);
    // Healthy reads its alarms too (none here), and is met.
    aws_triage(&home, region)
        .args(["wait", "--service", "prod/ready"])
        .assert()
        .code(0);

    // Down: exit 1 after the timeout, saying what it still waits for.
    let started = Instant::now();
    let out = aws_triage(&home, region)
        .args([
            "wait",
            "--service",
            "prod/down",
            "--until",
            "healthy",
            "--timeout",
            "3s",
            "--every",
            "1s",
        ])
        .assert()
        .code(1);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(3), "{waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    let said = text(&out.get_output().stderr);
    assert!(
        said.contains("timed out after")
            && said.contains("still waiting for: down: 0 of 2 running"),
        "{said}"
    );

    // Becomes steady during the wait: the API changes it after two seconds.
    ecs.delete_service()
        .cluster("prod")
        .service("rolling")
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod")
        .service_name("rolling")
        .task_definition("api:1")
        .desired_count(2)
        .send()
        .await
        .unwrap();
    let fixer = {
        let ecs = ecs.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            ecs.update_service()
                .cluster("prod")
                .service("rolling")
                .desired_count(2)
                .send()
                .await
                .unwrap();
        })
    };
    let home2 = tempfile::tempdir().unwrap();
    let cmd = {
        let mut cmd = aws_triage(&home2, region);
        cmd.args([
            "wait",
            "--service",
            "prod/rolling",
            "--until",
            "steady",
            "--timeout",
            "60s",
            "--every",
            "1s",
            "-o",
            "json",
        ]);
        cmd
    };
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = cmd;
        cmd.assert().code(0).get_output().clone()
    })
    .await
    .unwrap();
    fixer.await.unwrap();
    let doc = json(&out.stdout);
    assert_eq!(doc["reached"], true);
    assert!(doc["looks"].as_u64().unwrap() >= 2, "{doc}");
    assert_eq!(doc["last"]["steady"], true);
    let progress = text(&out.stderr);
    assert!(
        progress.contains("prod/rolling down: 0 of 2 running"),
        "{progress}"
    );
}

#[test]
fn wait_says_what_was_wrong_with_its_input_and_an_aws_error_is_exit_3() {
    let region = fresh_region();
    let home = tempfile::tempdir().unwrap();
    let out = aws_triage(&home, region)
        .args(["wait", "--service", "prod"])
        .assert()
        .code(2);
    assert!(text(&out.get_output().stderr).contains("write CLUSTER/SERVICE"));
    let out = aws_triage(&home, region)
        .args(["wait", "--service", "prod/api", "--until", "done"])
        .assert()
        .code(2);
    assert!(text(&out.get_output().stderr).contains("healthy, steady or alarm-ok"));
    let out = aws_triage(&home, region)
        .args(["wait", "--service", "prod/api", "--timeout", "soon"])
        .assert()
        .code(2);
    assert!(text(&out.get_output().stderr).contains("soon"));
    // A service that does not exist: said, with where to look.
    let out = aws_triage(&home, region)
        .args(["wait", "--service", "nowhere/api", "--timeout", "2s"])
        .assert()
        .code(2);
    assert!(
        text(&out.get_output().stderr).contains("triage status"),
        "{}",
        text(&out.get_output().stderr)
    );
    // AWS refuses: exit 3.
    moto().fail(region, "DescribeServices", "AccessDeniedException", 1);
    aws_triage(&home, region)
        .args(["wait", "--service", "prod/api", "--timeout", "2s"])
        .assert()
        .code(3);
}
