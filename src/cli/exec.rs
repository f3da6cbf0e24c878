//! `triage exec`: a shell into a running container through ECS Exec, handed
//! to `session-manager-plugin` as the AWS CLI does. Refused in `--read-only`;
//! journaled into the open incident (who, when, which task and container,
//! the command — never the session's output).

use super::exit::{self, CliError};
use super::Format;
use crate::domain::exec::{closed_entry, opened_entry, ExecPort};
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{Actor, EntryDraft};
use crate::domain::Clock;
use crate::settings::Settings;
use crate::store::{IncidentStore, StoreError};
use crate::workers::exec::{find_plugin, prepare, run_handoff, ExecAsk, ExecError};
use clap::Args;

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The task: its id or ARN (the cluster comes from --cluster, or from the ARN)
    #[arg(long, value_name = "TASK")]
    pub task: String,

    /// The container (needed when the task has more than one)
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,

    /// What to run (default: the config's `[exec] command`, else /bin/sh)
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,

    /// Only check that a shell can be opened; open nothing
    #[arg(long)]
    pub check: bool,

    /// The account and Region of the task, when several are watched and its
    /// ARN does not tell: NAME/REGION
    #[arg(long, value_name = "NAME/REGION")]
    pub pair: Option<String>,

    /// Output format (of --check, and of the summary once the shell ends)
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// The cluster meant: the one `--cluster`, else the task ARN's.
pub(crate) fn cluster_of(clusters: &[String], task: &str) -> Result<String, CliError> {
    match clusters {
        [one] => Ok(one.clone()),
        [] => {
            // arn:aws:ecs:<region>:<account>:task/<cluster>/<id>
            let mut parts = task.rsplit(':').next().unwrap_or("").split('/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("task"), Some(cluster), Some(_)) => Ok(cluster.to_string()),
                _ => Err(usage(
                    "say which cluster the task is in: `--cluster NAME` (or pass the task's ARN)",
                )),
            }
        }
        many => Err(usage(&format!(
            "one cluster for exec, not {} ({}): pass a single --cluster",
            many.len(),
            many.join(", ")
        ))),
    }
}

fn usage(message: &str) -> CliError {
    CliError::Settings(crate::settings::SettingsError::Input(message.to_string()))
}

/// Run `triage exec`; returns the exit code.
pub async fn run(
    args: &ExecArgs,
    port: &dyn ExecPort,
    ecs: &dyn crate::domain::ports::EcsPort,
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let cluster = cluster_of(&settings.clusters, &args.task)?;
    // The 8 characters the console shows are enough, when no other task shares them.
    let task = super::task_id::typed_task(ecs, &cluster, &args.task).await?;
    let ask = ExecAsk {
        cluster,
        task,
        container: args.container.clone(),
        command: args
            .command
            .clone()
            .unwrap_or_else(|| settings.exec_command.clone()),
        pair: Default::default(),
    };
    let plugin = find_plugin(std::env::var_os("PATH").as_deref());
    if args.check {
        return check(port, &ask, settings, plugin, args.output).await;
    }
    let prepared = prepare(port, &ask, settings.read_only, plugin).await?;
    let me = Actor::Human {
        name: settings.operator.clone(),
    };
    let journal = OpenIncident::find(settings)?;
    journal.append(opened_entry(&prepared.request, me.clone()), clock);
    crate::errln!(
        "triage: shell into task {} ({}) — exit the shell to come back",
        prepared.request.task,
        prepared.request.container
    );
    let ended = run_handoff(&prepared.handoff).await?;
    journal.append(
        closed_entry(&prepared.request, me, ended.exit_code, ended.seconds),
        clock,
    );
    if args.output == Format::Json {
        let doc = super::output::shapes::ExecEndedDoc {
            schema_version: super::output::schema::Version,
            cluster: prepared.request.cluster.clone(),
            task: prepared.request.task.clone(),
            container: prepared.request.container.clone(),
            command: prepared.request.command.clone(),
            exit_code: ended.exit_code,
            seconds: ended.seconds,
            journaled_in: journal.id().map(str::to_string),
        };
        crate::outln!("{}", super::output::json_text(&doc));
    }
    Ok(match ended.exit_code {
        Some(0) => exit::OK,
        _ => exit::PROBLEM_FOUND,
    })
}

/// `--check`: every pre-check, no `ExecuteCommand`.
async fn check(
    port: &dyn ExecPort,
    ask: &ExecAsk,
    settings: &Settings,
    plugin: Option<std::path::PathBuf>,
    output: Format,
) -> Result<u8, CliError> {
    let verdict = crate::workers::exec::readiness(port, ask, settings.read_only, plugin).await;
    let (ready, container, reason) = match &verdict {
        Ok(container) => (true, Some(container.clone()), None),
        Err(err @ ExecError::Port(_)) => return Err(err.clone().into()),
        Err(err) => (false, None, Some(err.to_string())),
    };
    match output {
        Format::Json => crate::outln!(
            "{}",
            super::output::json_text(&super::output::shapes::ExecCheckDoc {
                schema_version: super::output::schema::Version,
                cluster: ask.cluster.clone(),
                task: ask.task.clone(),
                ready,
                container,
                reason,
            })
        ),
        Format::Text => match (&container, &reason) {
            (Some(c), _) => crate::outln!("ready: a shell can be opened in container {c}"),
            (_, Some(r)) => crate::outln!("not ready: {r}"),
            _ => {}
        },
    }
    Ok(if ready { exit::OK } else { exit::PROBLEM_FOUND })
}

/// The open incident, if there is exactly one; journal writes that fail are
/// said on stderr (the shell is not refused for them).
struct OpenIncident {
    store: IncidentStore,
    id: Option<String>,
    redactor: Redactor,
}

impl OpenIncident {
    fn find(settings: &Settings) -> Result<OpenIncident, CliError> {
        let store = IncidentStore::new(&settings.data_dir);
        let redactor =
            Redactor::new(&settings.redact).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let id = match store.resolve(None) {
            Ok(id) => Some(id),
            Err(StoreError::NoOpenIncident) => None,
            Err(err @ StoreError::SeveralOpen { .. }) => {
                crate::errln!("warning: not journaled: {err}");
                None
            }
            Err(err) => return Err(err.into()),
        };
        Ok(OpenIncident {
            store,
            id,
            redactor,
        })
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn append(&self, draft: EntryDraft, clock: &dyn Clock) {
        let Some(id) = &self.id else { return };
        if let Err(err) = self.store.journal(id).append(draft, &self.redactor, clock) {
            crate::errln!("warning: could not journal the shell in incident {id}: {err}");
        }
    }
}
