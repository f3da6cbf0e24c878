//! `shell` steps: bash in the incident's artifacts folder, parameters and
//! earlier outputs as `RB_*` variables only, outputs as `key=value` lines in
//! `$RB_OUTPUT`, output streamed line by line, timeout enforced.

use super::{Executed, Plan, StepContext, StepError};
use crate::domain::runbook::values::parse_output_file;
use crate::domain::runbook::Step;
use crate::domain::sanitize::strip_controls;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Lines of output kept for the journal.
const EXCERPT_LINES: usize = 20;
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

pub fn plan(step: &Step) -> Plan {
    let mut lines = vec![format!(
        "run with bash ({} line(s)):",
        step.body.lines().count()
    )];
    lines.extend(step.body.lines().map(|l| format!("  {l}")));
    Plan {
        lines,
        ..Plan::default()
    }
}

fn mask(line: &str, secrets: &[String]) -> String {
    let mut text = strip_controls(line);
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(s.as_str(), "••••••");
    }
    text
}

pub async fn run(step: &Step, ctx: &mut StepContext) -> Result<Executed, StepError> {
    // Long on purpose: spawn, stream stdout/stderr, time out and collect outputs share the child process.
    std::fs::create_dir_all(&ctx.artifacts).map_err(|e| {
        StepError::Failed(format!("cannot create {}: {e}", ctx.artifacts.display()))
    })?;
    let output_file = ctx
        .artifacts
        .join(format!(".rb-output-{}-{}", step.id, std::process::id()));
    let _ = std::fs::remove_file(&output_file);
    let mut command = tokio::process::Command::new("bash");
    command
        .arg("-c")
        .arg(&step.body)
        .current_dir(&ctx.artifacts)
        .env("RB_OUTPUT", &output_file)
        .envs(ctx.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| StepError::Failed(format!("cannot start bash: {e}")))?;
    let stdout = child.stdout.take().map(|s| BufReader::new(s).lines());
    let stderr = child.stderr.take().map(|s| BufReader::new(s).lines());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for mut lines in [stdout.map(either_left), stderr.map(either_right)]
        .into_iter()
        .flatten()
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let timeout = step.attrs.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut kept: Vec<String> = Vec::new();
    let mut timed_out = false;
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some(line) => {
                    let line = mask(&line, &ctx.secret_values);
                    (ctx.output)(line.clone());
                    kept.push(line);
                    if kept.len() > EXCERPT_LINES {
                        kept.remove(0);
                    }
                }
                None => break,
            },
            _ = tokio::time::sleep_until(deadline) => {
                timed_out = true;
                let _ = child.start_kill();
                break;
            }
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| StepError::Failed(format!("bash did not finish: {e}")))?;
    let mut outputs = std::fs::read_to_string(&output_file)
        .map(|t| parse_output_file(&t))
        .unwrap_or_default();
    let _ = std::fs::remove_file(&output_file);
    for v in outputs.values_mut() {
        *v = mask(v, &ctx.secret_values);
    }
    let code = status.code();
    outputs.insert(
        "exit_code".into(),
        code.map(|c| c.to_string())
            .unwrap_or_else(|| "killed".into()),
    );
    if timed_out {
        kept.push(format!("timed out after {}s: killed", timeout.as_secs()));
    }
    Ok(Executed {
        succeeded: !timed_out && code == Some(0),
        outputs,
        exit_code: code,
        excerpt: (!kept.is_empty()).then(|| kept.join("\n")),
        ..Executed::default()
    })
}

type Lines = Box<dyn LineSource>;

trait LineSource: Send {
    fn next_line(
        &mut self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = std::io::Result<Option<String>>> + Send + '_>,
    >;
}

impl<R: tokio::io::AsyncBufRead + Unpin + Send> LineSource for tokio::io::Lines<R> {
    fn next_line(
        &mut self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = std::io::Result<Option<String>>> + Send + '_>,
    > {
        Box::pin(tokio::io::Lines::next_line(self))
    }
}

fn either_left(l: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) -> Lines {
    Box::new(l)
}

fn either_right(l: tokio::io::Lines<BufReader<tokio::process::ChildStderr>>) -> Lines {
    Box::new(l)
}
