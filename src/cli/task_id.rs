//! A task as it was typed on the command line — an ARN, a whole id, or the
//! 8-character prefix the console shows — made the task's ARN by asking the
//! cluster which tasks it has (running and stopped: one ListTasks each).

use super::exit::CliError;
use crate::domain::ports::EcsPort;
use crate::domain::task::{resolve_task_id, TaskIdError, TaskState};

/// The ARN of the task `typed` names in `cluster`; an ARN as it is. If the
/// cluster's tasks cannot be listed, `typed` goes on as it is (the call
/// that needs the task then says what is wrong).
pub(crate) async fn typed_task(
    ecs: &dyn EcsPort,
    cluster: &str,
    typed: &str,
) -> Result<String, TaskIdError> {
    if typed.trim().starts_with("arn:") {
        return Ok(typed.trim().to_string());
    }
    let (running, stopped) = futures::join!(
        ecs.task_arns(cluster, TaskState::Running),
        ecs.task_arns(cluster, TaskState::Stopped)
    );
    let (Ok(mut arns), Ok(stopped)) = (running, stopped) else {
        return Ok(typed.trim().to_string());
    };
    arns.extend(stopped);
    resolve_task_id(typed, cluster, &arns)
}

/// A task id that names no task, or several: the engineer's input (exit 2).
impl From<TaskIdError> for CliError {
    fn from(err: TaskIdError) -> CliError {
        CliError::Settings(crate::settings::SettingsError::Input(err.to_string()))
    }
}
