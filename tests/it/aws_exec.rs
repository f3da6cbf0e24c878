//! ECS Exec against moto (the harness answers ExecuteCommand as AWS does and
//! keeps `enableExecuteCommand`, which moto drops): the request that reaches
//! AWS, the session handed to a stub `session-manager-plugin` with the AWS
//! CLI's arguments, the journal's entries (never the token), and each
//! refusal said before any ExecuteCommand: plugin missing, exec off on the
//! service, a task older than the setting, read-only.

use crate::support::cli::{aws_triage, json, stub_plugin};
use crate::support::{fresh_region, moto};

fn exec_requests(region: &str) -> Vec<serde_json::Value> {
    let body = crate::support::http(
        "GET",
        &format!("{}/_triage/ecs/exec-requests", moto().endpoint),
        None,
    );
    let all: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    all.into_iter().filter(|r| r["region"] == region).collect()
}

/// Exit 2, and what was said.
fn refused(out: assert_cmd::assert::Assert) -> String {
    let out = out.code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn path_with(bin: &std::path::Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[tokio::test]
async fn the_session_reaches_the_plugin_with_the_aws_cli_arguments_and_is_journaled() {
    let region = fresh_region();
    let task = crate::support::seed_exec(region, true, true).await;
    let task_id = task.rsplit('/').next().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let bin = stub_plugin(home.path(), 0);
    aws_triage(&home, region)
        .args(["incident", "start", "api is slow"])
        .assert()
        .success();

    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args([
            "--cluster",
            "prod",
            "exec",
            "--task",
            &task_id,
            "-o",
            "json",
        ])
        .write_stdin("ls /app\n")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("STUB SHELL"),
        "the plugin ran on the terminal: {stdout}"
    );
    assert!(
        stdout.contains("stub read: ls /app"),
        "stdin went to the shell: {stdout}"
    );

    // What reached AWS.
    let requests = exec_requests(region);
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r["cluster"], "prod");
    assert_eq!(r["task"], task.as_str(), "the full ARN is sent");
    assert_eq!(r["container"], "api", "the only container is chosen");
    assert_eq!(r["command"], "/bin/sh");
    assert_eq!(r["interactive"], true);

    // What the plugin was given: the AWS CLI's six arguments.
    let args = std::fs::read_to_string(home.path().join("plugin-args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args.len(), 6, "{args:?}");
    let session: serde_json::Value = serde_json::from_str(args[0]).unwrap();
    assert!(session["sessionId"]
        .as_str()
        .unwrap()
        .starts_with("ecs-execute-command-"));
    assert!(session["streamUrl"]
        .as_str()
        .unwrap()
        .starts_with("wss://ssmmessages."));
    assert!(!session["tokenValue"].as_str().unwrap().is_empty());
    assert_eq!(args[1], region);
    assert_eq!(args[2], "StartSession");
    assert_eq!(args[3], "", "no profile: empty, as the AWS CLI passes it");
    let target: serde_json::Value = serde_json::from_str(args[4]).unwrap();
    assert_eq!(
        target["Target"],
        format!("ecs:prod_{task_id}_{task_id}-2531612879"),
        "ecs:<cluster>_<task id>_<runtime id>"
    );
    assert_eq!(args[5], moto().endpoint);

    // The summary, after the shell.
    let summary = stdout
        .lines()
        .skip_while(|l| !l.starts_with('{'))
        .collect::<Vec<_>>()
        .join("\n");
    let doc = crate::json_contract::validated("exec", summary.as_bytes()).remove(0);
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["container"], "api");

    // Journaled: opened and closed, the command, never the token.
    let incident_dir = std::fs::read_dir(home.path().join("data/triage/incidents"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let journal = std::fs::read_to_string(incident_dir.join("journal.jsonl")).unwrap();
    assert!(
        journal.contains(&format!(
            "Shell opened into task {task_id} (api) with ECS Exec: /bin/sh"
        )),
        "{journal}"
    );
    assert!(
        journal.contains(&format!("Shell into task {task_id} (api) closed after")),
        "{journal}"
    );
    assert!(journal.contains("\"kind\":\"ecs_exec\""), "{journal}");
    assert!(
        !journal.contains(session["tokenValue"].as_str().unwrap()),
        "the token is never journaled"
    );
    assert!(
        !journal.contains("ls /app"),
        "the session's input is not journaled"
    );
}

#[tokio::test]
async fn each_refusal_says_why_before_calling_execute_command() {
    let region = fresh_region();
    let task = crate::support::seed_exec(region, false, false).await;
    let task_id = task.rsplit('/').next().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let bin = stub_plugin(home.path(), 0);

    // No plugin on PATH.
    let out = aws_triage(&home, region)
        .env("PATH", "/usr/bin:/bin")
        .args(["--cluster", "prod", "exec", "--task", &task_id])
        .assert();
    let err = refused(out);
    assert!(
        err.contains("`session-manager-plugin` is not installed"),
        "{err}"
    );
    assert!(
        err.contains("session-manager-working-with-install-plugin"),
        "{err}"
    );

    // Exec off on the service.
    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args(["--cluster", "prod", "exec", "--task", &task_id])
        .assert();
    let err = refused(out);
    assert!(
        err.contains("aws ecs update-service --cluster prod --service api --enable-execute-command --force-new-deployment"),
        "{err}"
    );

    // Read-only, whatever the task.
    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args([
            "--read-only",
            "--cluster",
            "prod",
            "exec",
            "--task",
            &task_id,
        ])
        .assert();
    let err = refused(out);
    assert!(err.contains("refused in read-only mode"), "{err}");

    // --check says the same, as JSON, and exits 1.
    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args([
            "--cluster",
            "prod",
            "exec",
            "--task",
            &task_id,
            "--check",
            "-o",
            "json",
        ])
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["ready"], false);
    assert!(doc["reason"]
        .as_str()
        .unwrap()
        .contains("ECS Exec is off on service api"));

    // The 8 characters the console shows name the same task (ListTasks finds it).
    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args([
            "--cluster",
            "prod",
            "exec",
            "--task",
            &task_id[..8],
            "--check",
            "-o",
            "json",
        ])
        .assert()
        .code(1);
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["task"], task.as_str());
    assert!(doc["reason"]
        .as_str()
        .unwrap()
        .contains("ECS Exec is off on service api"));

    assert!(
        exec_requests(region).is_empty(),
        "nothing reached ExecuteCommand"
    );
    assert!(
        !home.path().join("plugin-args").exists(),
        "the plugin never ran"
    );
}

#[tokio::test]
async fn a_task_started_before_exec_was_turned_on_is_told_to_be_replaced() {
    let region = fresh_region();
    let task = crate::support::seed_exec(region, true, false).await;
    let home = tempfile::tempdir().unwrap();
    let bin = stub_plugin(home.path(), 0);
    // The ARN alone names the cluster.
    let out = aws_triage(&home, region)
        .env("PATH", path_with(&bin))
        .args(["exec", "--task", &task])
        .assert();
    let err = refused(out);
    assert!(
        err.contains("started before ECS Exec was turned on for api"),
        "{err}"
    );
    assert!(err.contains("--force-new-deployment"), "{err}");
    assert!(exec_requests(region).is_empty());
}
