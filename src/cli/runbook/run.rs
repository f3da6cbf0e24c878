//! `triage runbook run`: a run from the command line. Answers and
//! confirmations come from flags; a step nobody answered pauses the run
//! (exit 4) and says how to go on.

use super::catalogue::print_problems;
use super::opening::{incident_for, OpenedFor};
use super::*;
use crate::cli::exit;
use crate::cli::output::schema::Version;
use crate::cli::output::shapes::runbook::{
    self as runbook_shapes, EndRecord, FilledRecord, FilledValue, PlanRecord, RunRecord, StepRecord,
};
use crate::cli::Format;
use crate::domain::runbook::kinds::StepKind;
use crate::domain::runbook::lint::has_errors;
use crate::domain::runbook::resume::{decide_resume, ResumeAsk};
use crate::domain::runbook::run::{RunOutcome, RunState, StepState};
use crate::domain::runbook::values::resolve_params;
use crate::domain::runbook::Runbook;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::Actor;
use crate::domain::Clock;
use crate::settings::Settings;
use crate::store::runbooks;
use crate::store::{IncidentStore, StoreError};
use crate::wiring::Account;
use crate::workers::runbook::driver::{
    dry_run, Decision, DecisionFuture, Operator, Progress, Request, Resolution, RunEnd,
};
use crate::workers::runbook::session::RunSession;
use crate::workers::runbook::StepPorts;
use std::collections::HashMap;
use std::sync::Arc;

/// Answers and confirmations from the command line.
struct FlagOperator {
    yes: bool,
    answers: HashMap<String, String>,
    me: String,
    json: bool,
    run_id: String,
    runbook: Runbook,
}

impl Operator for FlagOperator {
    fn decide<'a>(&'a mut self, request: Request<'a>) -> DecisionFuture<'a> {
        let decision = match request {
            Request::Confirm { step, plan } => match self.answers.get(&step.id) {
                Some(v) if Some(v) == plan.target.as_ref() || v == "yes" => Decision::Confirm {
                    by: self.me.clone(),
                    typed: Some(plan.target.clone().unwrap_or_else(|| v.clone())),
                },
                Some(v) if v == "skip" => Decision::Skip {
                    by: self.me.clone(),
                    reason: "--answer skip".into(),
                },
                Some(v) if v == "abort" => Decision::Abort {
                    by: self.me.clone(),
                    reason: "--answer abort".into(),
                },
                _ if self.yes => Decision::Confirm {
                    by: self.me.clone(),
                    typed: Some("--yes".into()),
                },
                _ => Decision::Wait,
            },
            Request::Answer { step, .. } => match self.answers.get(&step.id) {
                Some(v) => Decision::Answer {
                    by: self.me.clone(),
                    value: v.clone(),
                },
                None => Decision::Wait,
            },
            Request::Resolve { step } => match self.answers.get(&step.id).map(String::as_str) {
                Some("done") => Decision::Resolve {
                    by: self.me.clone(),
                    how: Resolution::Done,
                },
                Some("failed") => Decision::Resolve {
                    by: self.me.clone(),
                    how: Resolution::Failed,
                },
                Some("retry") => Decision::Resolve {
                    by: self.me.clone(),
                    how: Resolution::Retry,
                },
                _ => Decision::Wait,
            },
            // From the command line a failed step ends the run; `--resume`
            // cannot bring it back (the run has ended).
            Request::Failed { .. } => Decision::Wait,
        };
        Box::pin(async move { decision })
    }

    fn progress(&mut self, progress: Progress) {
        match progress {
            Progress::Transition { index, entry } => {
                let Some(r) = &entry.runbook else { return };
                if self.json {
                    let kind = index
                        .and_then(|i| self.runbook.steps.get(i))
                        .map(|s| s.kind_name().to_string());
                    if r.step_id.is_empty() {
                        return; // the run's start says nothing; its end is printed by the caller
                    }
                    let record = RunRecord::Step(StepRecord {
                        record: runbook_shapes::Step,
                        schema_version: Version,
                        run_id: self.run_id.clone(),
                        step: r.step_id.clone(),
                        kind,
                        state: r.state.clone(),
                        attempt: r.attempt,
                        outputs: entry
                            .result
                            .as_ref()
                            .and_then(|x| x.outputs.as_object())
                            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                            .unwrap_or_default(),
                        excerpt: entry.result.as_ref().and_then(|x| x.excerpt.clone()),
                    });
                    crate::outln!("{}", crate::cli::output::json_line(&record));
                } else if !r.step_id.is_empty() {
                    let n = index.map(|i| i + 1).unwrap_or(0);
                    match r.step_state() {
                        Some(StepState::Planned) => {
                            let step = index.and_then(|i| self.runbook.steps.get(i));
                            crate::outln!(
                                "[{n}/{}] {} ({}) — {}",
                                self.runbook.steps.len(),
                                r.step_id,
                                step.map(|s| s.kind_name()).unwrap_or(""),
                                step.map(|s| s.title.as_str()).unwrap_or("")
                            );
                            for line in entry.detail.as_deref().unwrap_or("").lines() {
                                crate::outln!("      plan: {line}");
                            }
                        }
                        Some(StepState::Running) => {}
                        state => {
                            let skipped = state == Some(StepState::Skipped);
                            let state = state.map(StepState::as_str).unwrap_or(&r.state);
                            crate::outln!("      {state}");
                            if let Some(x) = entry.result.as_ref().and_then(|x| x.excerpt.as_ref())
                            {
                                for line in x.lines() {
                                    crate::outln!("      │ {line}");
                                }
                            }
                            if let Some(d) = entry.detail.as_ref().filter(|_| skipped) {
                                crate::outln!("      │ {d}");
                            }
                        }
                    }
                }
            }
            Progress::Rejected { index, reason } => {
                let step = self
                    .runbook
                    .steps
                    .get(index)
                    .map(|s| s.id.as_str())
                    .unwrap_or("");
                crate::errln!("step `{step}`: {reason}");
            }
            Progress::Planned { .. } => {}
            Progress::Output { .. } => {}
        }
    }

    fn output_sink(&self) -> Box<dyn FnMut(usize, String) + Send> {
        let json = self.json;
        Box::new(move |_, line| {
            if json {
                crate::errln!("  │ {line}");
            } else {
                crate::outln!("      │ {line}");
            }
        })
    }
}

/// The incident holding a run.
fn incident_of_run(
    store: &IncidentStore,
    wanted: Option<&str>,
    run_id: &str,
) -> Result<(String, Vec<crate::domain::timeline::Entry>), String> {
    let candidates: Vec<String> = match wanted {
        Some(id) => vec![id.to_string()],
        None => store
            .list()
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|l| l.incident.id)
            .collect(),
    };
    for id in candidates {
        let loaded = store.load(&id).map_err(|e| e.to_string())?;
        if loaded
            .incident
            .entries
            .iter()
            .any(|e| e.runbook.as_ref().is_some_and(|r| r.run_id == run_id))
        {
            return Ok((id, loaded.incident.entries));
        }
    }
    Err(format!(
        "no incident journal holds run `{run_id}`; see `triage incident list`"
    ))
}

/// The pair a run to resume began in, as its start entry names it (None:
/// not resuming, the run is not found, or it began before pairs were named).
pub fn pair_of_resumed(args: &RunArgs, settings: &Settings) -> Option<String> {
    let run_id = args.resume.as_deref()?;
    let store = IncidentStore::new(&settings.data_dir);
    let (_, entries) = incident_of_run(&store, args.incident.as_deref(), run_id).ok()?;
    crate::domain::runbook::run::unfinished_runs(&entries)
        .into_iter()
        .find(|r| r.run_id == run_id)
        .map(|r| r.pair)
        .filter(|p| !p.is_unnamed())
        .map(|p| p.label())
}

/// Why a runbook's parameters could not be filled from a service.
enum FillError {
    Usage(String),
    Aws(crate::domain::PortError),
}

/// What `--service` gave: each parameter it fills, and the service's health.
type Filled = (
    Vec<(String, crate::domain::runbook::fill::Filled)>,
    crate::domain::Health,
);

/// The runbook's parameters that `--service CLUSTER/SERVICE` gives, each
/// with where it came from: the service as ECS describes it, what its tasks
/// can reach and read, the account's flow logs role.
async fn fill_from_service(
    rb: &Runbook,
    service: &str,
    account: &Account,
    pair: &crate::domain::pair::WatchedPair,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Filled, FillError> {
    use crate::domain::runbook::fill::{value_for, Selection};
    let Some((cluster, name)) = service
        .split_once('/')
        .filter(|(c, n)| !c.is_empty() && !n.is_empty())
    else {
        return Err(FillError::Usage(format!(
            "--service {service}: write CLUSTER/SERVICE, e.g. --service prod-web/backend-api"
        )));
    };
    let found = match account.ecs.service(cluster, name).await {
        Ok(found) => found,
        Err(err) if err.missing().is_some() => {
            return Err(FillError::Usage(format!(
                "--service {service}: {err}; `triage status` lists the services"
            )))
        }
        Err(err) => return Err(FillError::Aws(err)),
    };
    let ports = crate::workers::exposure::ExposurePorts::new(
        account.network.clone(),
        account.secrets.clone(),
    );
    let exposure = crate::workers::exposure::read_exposure(
        account.ecs.as_ref(),
        &ports,
        std::slice::from_ref(&found),
        false,
        now,
    )
    .await
    .map_err(FillError::Aws)?
    .remove(&found.key());
    let selection = Selection {
        cluster: Some(cluster),
        service: Some(name),
        task: None,
        exposure: exposure.as_ref(),
        flow_logs_role: pair.flow_logs_role.as_deref(),
    };
    let filled = rb
        .params
        .iter()
        .filter(|p| !p.secret)
        .filter_map(|p| Some((p.name.clone(), value_for(&p.name, &selection)?)))
        .collect();
    Ok((filled, crate::domain::classify(&found, now).health))
}

/// Say what `--service` filled (what `--param` gave wins): on stderr for a
/// person, as one JSON line first for a script.
fn report_filled(
    filled: &[(String, crate::domain::runbook::fill::Filled)],
    given: &std::collections::BTreeMap<String, String>,
    json: bool,
) {
    let used: Vec<_> = filled
        .iter()
        .filter(|(name, _)| !given.contains_key(name))
        .collect();
    if json {
        let record = RunRecord::Filled(FilledRecord {
            record: runbook_shapes::Filled,
            schema_version: Version,
            filled: used
                .iter()
                .map(|(name, f)| {
                    (
                        name.clone(),
                        FilledValue {
                            value: f.value.clone(),
                            source: f.source.clone(),
                        },
                    )
                })
                .collect(),
        });
        crate::outln!("{}", crate::cli::output::json_line(&record));
        return;
    }
    for (name, f) in used {
        let clean = crate::domain::sanitize::one_line;
        crate::errln!("{name} = {} (from {})", clean(&f.value), clean(&f.source));
    }
}

pub async fn run(
    args: &RunArgs,
    settings: &Settings,
    account: &Account,
    pair: crate::domain::pair::WatchedPair,
    clock: Arc<dyn Clock>,
) -> Result<u8, crate::cli::exit::CliError> {
    // Long on purpose: the command's checks in the order a person reads their errors (file, parameters, resume, incident, confirmation), each answered with its own message and exit code.
    let usage = |message: String| {
        crate::errln!("error: {message}");
        Ok(exit::USAGE)
    };
    let file = match runbooks::find(&settings.runbook_paths, &args.file) {
        Ok(f) => f,
        Err(e) => return usage(e.to_string()),
    };
    if has_errors(&file.problems) {
        print_problems(&file);
        return usage(format!(
            "{} has errors; fix them first (`triage runbook check {}`)",
            file.path.display(),
            file.path.display()
        ));
    }
    let rb = file.runbook.clone();
    let mut given = match pairs(&args.params, "--param") {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let mut health = None;
    if let Some(service) = &args.service {
        let (filled, found) =
            match fill_from_service(&rb, service, account, &pair, clock.now()).await {
                Ok(filled) => filled,
                Err(FillError::Usage(message)) => return usage(message),
                Err(FillError::Aws(err)) => return Err(err.into()),
            };
        health = Some(found);
        report_filled(&filled, &given, args.output == Format::Json);
        for (name, value) in filled {
            given.entry(name).or_insert(value.value);
        }
    }
    let answers: HashMap<String, String> = match pairs(&args.answers, "--answer") {
        Ok(a) => a.into_iter().collect(),
        Err(e) => return usage(e),
    };
    for step in answers.keys() {
        if rb.step(step).is_none() {
            return usage(format!(
                "--answer {step}=…: `{}` has no step `{step}`",
                rb.id
            ));
        }
    }
    let ports = StepPorts {
        ecs: account.ecs.clone(),
        network: account.network.clone(),
        secrets: account.secrets.clone(),
        search: Some(account.search.clone()),
        clock: clock.clone(),
        pair: Some(pair),
    };
    let json_out = args.output == Format::Json;
    let store = IncidentStore::new(&settings.data_dir);
    let me = Actor::Human {
        name: settings.operator.clone(),
    };
    let redactor =
        Redactor::new(&settings.redact).map_err(|e| StoreError::Invalid(e.to_string()))?;

    // Resuming: the run's incident, and the one decision the console makes
    // too (same file, secret parameters given again, unknown steps named).
    let resumed = match &args.resume {
        Some(run_id) => {
            let (incident, entries) =
                match incident_of_run(&store, args.incident.as_deref(), run_id) {
                    Ok(found) => found,
                    Err(e) => return usage(e),
                };
            let ask = ResumeAsk {
                run_id: run_id.clone(),
                accept_changes: args.accept_changes,
                given: given.clone(),
            };
            match decide_resume(&rb, &entries, &ask) {
                Ok(resumable) => {
                    if !resumable.accepted_changes.is_empty() {
                        crate::errln!(
                            "going on with the runbook's changes accepted: {} (journaled)",
                            resumable.accepted_changes.join(", ")
                        );
                    }
                    for step in &resumable.unknown {
                        crate::errln!(
                            "step `{step}` was running when the run stopped: you will be asked what it did"
                        );
                    }
                    Some((incident, resumable))
                }
                Err(refused) => return usage(refused.to_string()),
            }
        }
        None => None,
    };
    let params = match &resumed {
        Some((_, resumable)) => resumable.params.clone(),
        None => match resolve_params(&rb, &given) {
            Ok(p) => p,
            Err(errors) => {
                for e in &errors {
                    crate::errln!("error: {e}");
                }
                return Ok(exit::USAGE);
            }
        },
    };

    if args.dry_run {
        let plans = dry_run(&rb, &params, &ports).await;
        let mut failed = false;
        for (index, result) in plans {
            let step = &rb.steps[index];
            match (&result, json_out) {
                (Ok(p), true) => crate::outln!(
                    "{}",
                    crate::cli::output::json_line(&RunRecord::Plan(PlanRecord {
                        record: runbook_shapes::Plan,
                        schema_version: Version,
                        step: step.id.clone(),
                        kind: step.kind_name().to_string(),
                        state: StepState::Planned.as_str().to_string(),
                        plan: p.lines.clone(),
                        no_change: p.no_change,
                        error: None,
                        dry_run: true,
                    }))
                ),
                (Err(e), true) => crate::outln!(
                    "{}",
                    crate::cli::output::json_line(&RunRecord::Plan(PlanRecord {
                        record: runbook_shapes::Plan,
                        schema_version: Version,
                        step: step.id.clone(),
                        kind: step.kind_name().to_string(),
                        state: StepState::Failed.as_str().to_string(),
                        plan: Vec::new(),
                        no_change: false,
                        error: Some(e.to_string()),
                        dry_run: true,
                    }))
                ),
                (Ok(p), false) => {
                    crate::outln!(
                        "[{}/{}] {} ({}) — {}",
                        index + 1,
                        rb.steps.len(),
                        step.id,
                        step.kind_name(),
                        step.title
                    );
                    for line in &p.lines {
                        crate::outln!("      plan: {line}");
                    }
                }
                (Err(e), false) => crate::outln!(
                    "[{}/{}] {} ({}): cannot plan: {e}",
                    index + 1,
                    rb.steps.len(),
                    step.id,
                    step.kind_name()
                ),
            }
            failed |= result.is_err();
        }
        if !json_out {
            crate::outln!("dry run: nothing was executed or journaled");
        }
        return Ok(if failed {
            exit::PROBLEM_FOUND
        } else {
            exit::OK
        });
    }

    let accepted = resumed
        .as_ref()
        .and_then(|(_, resumable)| resumable.accepted_entry(&rb, me.clone()));
    let (incident, resumed_state) = match resumed {
        Some((incident, resumable)) => (incident, Some(resumable.state)),
        None => match incident_for(
            &store,
            args.incident.as_deref(),
            OpenedFor {
                rb: &rb,
                params: &params,
                health,
                ask: !args.yes && args.output != Format::Json,
            },
            &me,
            &redactor,
            clock.as_ref(),
        ) {
            Ok(id) => (id, None),
            Err(e) => return usage(e.to_string()),
        },
    };
    let mut session = RunSession::new(
        &store,
        &incident,
        &redactor,
        &rb,
        &params,
        clock.clone(),
        &settings.operator,
        resumed_state.as_ref().map(|s| s.run_id.clone()),
    );
    let run_id = session.run_id.clone();
    if let Some(draft) = accepted {
        crate::workers::runbook::driver::RunJournal::append(&mut session.journal, draft)?;
    }
    if !json_out {
        crate::outln!(
            "Runbook {} — {} (run {run_id}, incident {incident}){}",
            rb.id,
            rb.title,
            if resumed_state.is_some() {
                ", resumed"
            } else {
                ""
            }
        );
    }
    let mut operator = FlagOperator {
        yes: args.yes,
        answers,
        me: settings.operator.clone(),
        json: json_out,
        run_id: run_id.clone(),
        runbook: rb.clone(),
    };
    let mut driver = session.driver(&rb, params, ports, &mut operator);
    let (state, end) = match resumed_state {
        Some(mut state) => {
            let end = driver.drive(&mut state).await?;
            (state, end)
        }
        None => driver.start(&run_id).await?,
    };
    let code = match &end {
        RunEnd::Finished {
            outcome: RunOutcome::Succeeded,
            ..
        } => exit::OK,
        RunEnd::Finished {
            outcome: RunOutcome::Failed,
            aws_error: true,
        } => exit::AWS,
        RunEnd::Finished { .. } => exit::PROBLEM_FOUND,
        RunEnd::Waiting { .. } => WAITING,
    };
    let (state_word, waiting_for) = match &end {
        RunEnd::Finished { outcome, .. } => (outcome.as_str(), None),
        RunEnd::Waiting { step } => ("waiting", Some(step.clone())),
    };
    if json_out {
        crate::outln!(
            "{}",
            crate::cli::output::json_line(&RunRecord::End(EndRecord {
                record: runbook_shapes::End,
                schema_version: Version,
                run_id: run_id.to_string(),
                state: state_word.to_string(),
                waiting_for,
                incident: incident.clone(),
            }))
        );
    } else {
        match &waiting_for {
            Some(step) => {
                let hint = waiting_hint(&rb, &state, step);
                crate::outln!("waiting: step `{step}` {hint}");
                crate::outln!(
                    "continue: triage runbook run {} --resume {run_id} --answer {step}=…",
                    args.file
                );
            }
            None => crate::outln!("run {state_word}"),
        }
    }
    Ok(code)
}

fn waiting_hint(rb: &Runbook, state: &RunState, step_id: &str) -> String {
    let Some(step) = rb.step(step_id) else {
        return String::new();
    };
    let unknown = state
        .steps
        .iter()
        .any(|s| s.id == step_id && s.state == crate::domain::runbook::StepState::Unknown);
    if unknown {
        return "was running when the run stopped: check what it did, then answer done, failed or retry".into();
    }
    match step.kind {
        Some(StepKind::Approve) => "needs a second person: --answer STEP=<their name>".into(),
        Some(StepKind::Choice) => {
            let options = crate::domain::runbook::values::substitute(
                &step.body,
                &Default::default(),
                &Default::default(),
            )
            .ok()
            .and_then(|v| v.get("options").cloned())
            .map(|o| o.to_string())
            .unwrap_or_default();
            format!("needs a choice {options}")
        }
        Some(StepKind::Manual) => "is done by hand: --answer STEP=done when it is".into(),
        _ => "is destructive and needs confirmation: --yes or --answer STEP=yes".into(),
    }
}
