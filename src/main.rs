//! `triage`: opens the console, or runs a subcommand.

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use triage::cli::exit::{self, CliError};
use triage::cli::{Cli, Command};
use triage::domain::Pair;
use triage::settings::Settings;
use triage::wiring::{init_logging, open_share, Account, SystemClock};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            triage::errln!("triage: cannot start: {err}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli));
    // Quitting never waits on a job still blocked in a call (a slow DNS
    // lookup, an unreachable endpoint): whatever is left is dropped.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Errors can echo names and messages from AWS: cleaned like any other text.
            triage::errln!(
                "triage: {}",
                triage::domain::sanitize::strip_controls(&format!("{err:#}"))
            );
            let files = triage::store::aws_profiles::AwsFiles::from_env(&|k| std::env::var(k).ok());
            if let Some(hint) = err.sso_session_hint(&files) {
                triage::errln!("triage: {hint}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    // Completions and the manual need no config, account or data.
    match &cli.command {
        Some(Command::Completions(args)) => {
            let mut text = Vec::new();
            triage::cli::completions::completions(args, &mut text);
            return Ok(print_all(&text));
        }
        Some(Command::Man(args)) => {
            let mut text = Vec::new();
            return match triage::cli::completions::man(args, &mut text) {
                Ok(pages) => {
                    for page in pages {
                        text.extend(format!("{}\n", page.display()).into_bytes());
                    }
                    Ok(print_all(&text))
                }
                Err(err) => {
                    triage::errln!("error: cannot write the manual: {err}");
                    Ok(exit::USAGE)
                }
            };
        }
        _ => {}
    }
    let settings = Settings::load(&cli.global)?;
    init_logging(&settings);
    let clock = Arc::new(SystemClock);
    let Some(command) = &cli.command else {
        // A refused `[keys]` entry is a config error (exit 2), said before anything opens.
        triage::console::keymap(&settings)?;
        let watched = triage::wiring::open_watched(&settings).await?;
        let shared = open_share(&settings).await?;
        triage::console::run(&settings, watched, shared, clock).await?;
        return Ok(exit::OK);
    };
    for warning in &settings.warnings {
        triage::errln!(
            "warning: {}",
            triage::domain::sanitize::strip_controls(warning)
        );
    }
    match command {
        // Answered above, before the settings are read.
        Command::Completions(_) | Command::Man(_) => Ok(exit::OK),
        // One pair watched or many, one path: one pair is a list of one.
        Command::Status(args) => {
            let pairs = open_pairs(&settings).await;
            let runbooks = triage::store::runbooks::list(&settings.runbook_paths);
            let scope = status_scope(&settings, &runbooks);
            triage::cli::pairs::status(args, pairs, &scope, clock.as_ref()).await
        }
        Command::Alarms(args) => {
            let pairs = open_pairs(&settings).await;
            triage::cli::pairs::alarms(
                args,
                pairs,
                &settings.alarm_mappings,
                &settings.clusters,
                clock.as_ref(),
            )
            .await
        }
        Command::Changes(args) => {
            let opened = triage::cli::pairs::opened(open_pairs(&settings).await)?;
            triage::cli::changes::run(
                args,
                &opened,
                &triage::cli::changes::ChangesScope {
                    clusters: &settings.clusters,
                    mappings: &settings.alarm_mappings,
                    data_dir: &settings.data_dir,
                },
                clock.as_ref(),
            )
            .await
        }
        Command::Diagnose(args) => {
            let opened = triage::cli::pairs::opened(open_pairs(&settings).await)?;
            let code = triage::cli::diagnosis::run(
                args,
                &opened,
                &settings.clusters,
                &settings.data_dir,
                clock.as_ref(),
            )
            .await?;
            Ok(triage::cli::pairs::with_left_out(
                code,
                !opened.failed.is_empty(),
            ))
        }
        Command::Logs(args) => {
            let opened = triage::cli::pairs::opened(open_pairs(&settings).await)?;
            let pairs: Vec<(Pair, &Account)> = opened.pairs();
            let code = triage::cli::logs::run(args, &pairs, &settings, clock.as_ref()).await?;
            Ok(triage::cli::pairs::with_left_out(
                code,
                !opened.failed.is_empty(),
            ))
        }
        Command::Trace(args) => {
            let opened = triage::cli::pairs::opened(open_pairs(&settings).await)?;
            let pairs: Vec<(Pair, &Account)> = opened.pairs();
            let code =
                triage::cli::logs::trace::run(args, &pairs, &settings, clock.as_ref()).await?;
            Ok(triage::cli::pairs::with_left_out(
                code,
                !opened.failed.is_empty(),
            ))
        }
        Command::Runbook(args) => {
            use triage::cli::runbook::{self, RunbookCommand};
            match &args.command {
                RunbookCommand::List { output } => Ok(runbook::list(&settings, *output)),
                RunbookCommand::Show { file, output } => {
                    Ok(runbook::show(&settings, file, *output))
                }
                RunbookCommand::Check { files } => Ok(runbook::check(files)),
                RunbookCommand::Run(run) => {
                    // A run changes one pair: the one asked for, or the one
                    // the run to resume began in.
                    let asked = run
                        .pair
                        .clone()
                        .or_else(|| runbook::pair_of_resumed(run, &settings));
                    let spec = triage::cli::pairs::one_pair(
                        &settings.pairs,
                        asked.as_deref(),
                        None,
                        "runbook run",
                    )?;
                    let (watched, account) = triage::wiring::open_named(&settings, spec).await?;
                    runbook::run(run, &settings, &account, watched, clock.clone()).await
                }
            }
        }
        Command::Wait(args) => {
            let spec =
                triage::cli::pairs::one_pair(&settings.pairs, args.pair.as_deref(), None, "wait")?;
            let (watched, account) = triage::wiring::open_named(&settings, spec).await?;
            triage::cli::wait::run(
                args,
                &account,
                &triage::cli::wait::WaitScope {
                    pair: &watched.pair,
                    mappings: &settings.alarm_mappings,
                    desktop: settings.notify_desktop,
                },
                clock.as_ref(),
            )
            .await
        }
        Command::Exec(args) => {
            let region = triage::domain::service::arn_place(&args.task).map(|(r, _)| r);
            let spec = triage::cli::pairs::one_pair(
                &settings.pairs,
                args.pair.as_deref(),
                region,
                "exec",
            )?;
            let (_, account) = triage::wiring::open_named(&settings, spec).await?;
            triage::cli::exec::run(
                args,
                account.exec.as_ref(),
                account.ecs.as_ref(),
                &settings,
                clock.as_ref(),
            )
            .await
        }
        // The journal is local: no AWS account needed.
        Command::Incident(args) => {
            let shared = open_share(&settings).await?;
            triage::cli::incident::run(args, &settings, clock.as_ref(), shared.as_deref()).await
        }
    }
}

/// Every pair's account (the settings' own when no pair was named),
/// opened concurrently (each with its own clients), or why not.
async fn open_pairs(
    settings: &Settings,
) -> Vec<(
    triage::settings::pairs::PairSpec,
    Result<triage::wiring::Account, triage::wiring::OpenError>,
)> {
    let opened = triage::wiring::pair_specs(settings)
        .into_iter()
        .map(|pair| async move {
            let account = triage::wiring::open_pair(settings, &pair).await;
            (pair, account)
        });
    futures::future::join_all(opened).await
}

/// Print generated text; a reader that stops early (`| head`) is not an error.
fn print_all(text: &[u8]) -> u8 {
    use std::io::Write;
    match std::io::stdout().write_all(text) {
        Ok(()) => exit::OK,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(err) => {
            triage::errln!("error: cannot write to stdout: {err}");
            exit::USAGE
        }
    }
}

/// What `status` looks at besides the account, from the settings.
fn status_scope<'a>(
    settings: &'a Settings,
    runbooks: &'a [triage::domain::runbook::RunbookFile],
) -> triage::cli::status::StatusScope<'a> {
    triage::cli::status::StatusScope {
        runbooks,
        mappings: &settings.alarm_mappings,
        clusters: &settings.clusters,
        limits: settings.security.limits,
    }
}
