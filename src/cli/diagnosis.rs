//! `triage diagnose`: why tasks stopped, decoded, with the patterns across them.

use super::exit;
use super::output::schema::Version;
use super::output::shapes::diagnose::{
    DiagnoseDoc, FindingJson, LeftOutJson, PatternJson, ReadErrorJson,
};
use super::output::{rfc3339, table};
use super::Format;
use crate::domain::diagnosis::Severity;
use crate::domain::sanitize::one_line;
use crate::domain::sanitize::strip_controls;
use crate::domain::{Clock, Pair};
use crate::workers::diagnosis::{DiagnosisReport, DiagnosisScope, LeftOut};
use crate::workers::fleet::diagnose_all;
use crate::workers::PairPorts;
use clap::Args;

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Only this service (repeatable)
    #[arg(long, value_name = "NAME")]
    pub service: Vec<String>,

    /// Only tasks stopped within this long: 30m, 1h, 2d (ECS keeps stopped tasks about an hour)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,

    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// Exit 1 when a critical finding exists
    #[arg(long)]
    pub fail_on_critical: bool,

    /// Only this task (ARN, or id with --cluster; repeatable). Tasks ECS has
    /// forgotten are looked up in the incident journals.
    #[arg(long, value_name = "ARN")]
    pub task: Vec<String>,
}

/// Run `triage diagnose` over the pairs opened: every pair read at once,
/// the findings of all newest first, each naming its account and Region.
pub async fn run(
    args: &DiagnoseArgs,
    opened: &super::pairs::Opened,
    clusters: &[String],
    data_dir: &std::path::Path,
    clock: &dyn Clock,
) -> Result<u8, super::exit::CliError> {
    let since = args
        .since
        .as_deref()
        .map(crate::domain::timeline::time_input::parse_span)
        .transpose()
        .map_err(|e| super::logs::refused("--since", e))?;
    let scope = DiagnosisScope {
        clusters: clusters.to_vec(),
        services: args.service.clone(),
        since,
    };
    let now = clock.now();
    let pairs = opened.pairs();
    let ports: Vec<PairPorts> = pairs
        .iter()
        .map(|(pair, account)| {
            PairPorts::new(pair.clone(), account.ecs.clone()).with_logs(account.logs.clone())
        })
        .collect();
    if !args.task.is_empty() {
        return run_tasks(args, &ports, opened, clusters, data_dir, now).await;
    }
    let report = diagnose_all(&ports, &scope, Vec::new(), now).await?;
    for (place, err) in &report.errors {
        crate::errln!(
            "warning: stopped tasks of {place} could not be read: {}",
            strip_controls(&err.to_string())
        );
    }
    let LeftOut {
        other_services,
        standalone,
    } = report.left_out;
    if other_services + standalone > 0 {
        crate::errln!(
            "note: left out by --service: {other_services} stopped task{} of other services, \
             {standalone} started by no service (run without --service to see them)",
            if other_services == 1 { "" } else { "s" }
        );
    }
    let code = print_report(args, &report, opened, now)?;
    // A pair that could not be read at all: what is shown is not everything.
    let pair_failed = pairs.len() > 1
        && report
            .errors
            .iter()
            .any(|(place, _)| pairs.iter().any(|(p, _)| *place == p.label()));
    Ok(if pair_failed && code == exit::OK {
        exit::AWS
    } else {
        code
    })
}

/// Why one pair's `--task` ask ended.
enum Asked {
    Port(crate::domain::PortError),
    /// A prefix more than one task begins with: said, whatever the other pairs found.
    Ambiguous(super::exit::CliError),
}

/// True when `typed` (an ARN, an id or an id's prefix) names the task `arn`.
fn names_task(typed: &str, arn: &str) -> bool {
    arn == typed || (!typed.is_empty() && crate::domain::task::task_id_of(arn).starts_with(typed))
}

/// `--task`: the given tasks, each asked of the pairs in its ARN's Region
/// (a bare id, of every pair); those ECS forgot come from the incident journals.
async fn run_tasks(
    args: &DiagnoseArgs,
    pairs: &[PairPorts],
    opened: &super::pairs::Opened,
    clusters: &[String],
    data_dir: &std::path::Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u8, super::exit::CliError> {
    let default_cluster = match clusters {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let asks = pairs.iter().map(|ports| async move {
        let wanted: Vec<String> = args
            .task
            .iter()
            .filter(|task| {
                pairs.len() == 1
                    || crate::domain::service::arn_place(task)
                        .is_none_or(|(region, _)| region == ports.pair.region)
            })
            .cloned()
            .collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // A bare id may be the 8 characters the console shows: the cluster's task it begins.
        let mut resolved = Vec::new();
        for task in wanted {
            resolved.push(match default_cluster {
                Some(cluster) if !task.starts_with("arn:") => {
                    match super::task_id::typed_task(ports.ecs.as_ref(), cluster, &task).await {
                        Ok(arn) => arn,
                        Err(ambiguous @ crate::domain::task::TaskIdError::Ambiguous { .. }) => {
                            return Err(Asked::Ambiguous(ambiguous.into()));
                        }
                        // Not among ECS's tasks: perhaps in a journal.
                        Err(_) => task,
                    }
                }
                _ => task,
            });
        }
        let wanted = resolved;
        let (mut findings, _) = crate::workers::diagnosis::fetch_task_diagnosis(
            ports.ecs.as_ref(),
            ports.logs.as_deref(),
            default_cluster,
            &wanted,
        )
        .await
        .map_err(Asked::Port)?;
        for finding in &mut findings {
            finding.pair = ports.pair.clone();
        }
        Ok::<_, Asked>(findings)
    });
    let mut findings = Vec::new();
    let mut first_error = None;
    for asked in futures::future::join_all(asks).await {
        match asked {
            Ok(found) => findings.extend(found),
            Err(Asked::Ambiguous(err)) => return Err(err),
            Err(Asked::Port(err)) => {
                first_error.get_or_insert(err);
            }
        }
    }
    if let (true, Some(err)) = (findings.is_empty(), first_error) {
        return Err(err.into());
    }
    let missing: Vec<&String> = args
        .task
        .iter()
        .filter(|task| !findings.iter().any(|f| names_task(task, &f.task_arn)))
        .collect();
    let journaled: Vec<(String, crate::domain::diagnosis::Finding)> =
        crate::store::IncidentStore::new(data_dir)
            .list()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|l| {
                let id = l.incident.id.clone();
                crate::domain::diagnosis::journal::findings_in(&l.incident.entries)
                    .into_iter()
                    .map(move |f| (id.clone(), f))
            })
            .collect();
    let mut unknown = false;
    for task in missing {
        let matches = |f: &crate::domain::diagnosis::Finding| names_task(task, &f.task_arn);
        match journaled.iter().find(|(_, f)| matches(f)) {
            Some((incident, finding)) => {
                crate::errln!("task {task}: ECS no longer returns it (it keeps stopped tasks about an hour); shown from the journal of incident {incident}");
                findings.push(finding.clone());
            }
            None => {
                unknown = true;
                crate::errln!("task {task}: ECS does not return it and no incident journal has it (check the ARN and the region)");
            }
        }
    }
    let report = DiagnosisReport {
        findings,
        ..Default::default()
    };
    let code = print_report(args, &report, opened, now)?;
    Ok(if unknown { exit::USAGE } else { code })
}

/// Print the report as asked; the exit code `--fail-on-critical` asks for.
fn print_report(
    args: &DiagnoseArgs,
    report: &DiagnosisReport,
    opened: &super::pairs::Opened,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u8, super::exit::CliError> {
    match args.output {
        Format::Json => crate::outln!(
            "{}",
            super::output::json_text(&to_json(report, opened, now))
        ),
        Format::Text => crate::out!(
            "{}",
            to_text(report, opened.usable.len() + opened.failed.len() > 1)
        ),
    }
    let critical = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Critical);
    Ok(if args.fail_on_critical && critical {
        exit::PROBLEM_FOUND
    } else {
        exit::OK
    })
}

/// The report as `diagnose -o json` prints it.
pub(crate) fn to_json(
    report: &DiagnosisReport,
    opened: &super::pairs::Opened,
    now: chrono::DateTime<chrono::Utc>,
) -> DiagnoseDoc {
    let findings: Vec<FindingJson> = report.findings.iter().map(FindingJson::of).collect();
    DiagnoseDoc {
        schema_version: Version,
        generated_at: rfc3339(now),
        pairs: opened.json(
            |pair| {
                findings
                    .iter()
                    .zip(&report.findings)
                    .find(|(_, f)| f.pair == *pair)
                    .and_then(|(json, _)| json.place.account.clone())
            },
            |pair| {
                report
                    .errors
                    .iter()
                    .find(|(place, _)| *place == pair.label())
                    .map(|(_, err)| strip_controls(&err.to_string()))
            },
        ),
        patterns: report
            .patterns
            .iter()
            .map(|p| PatternJson::of(p, &report.findings))
            .collect(),
        findings,
        left_out: LeftOutJson {
            other_services: report.left_out.other_services,
            standalone: report.left_out.standalone,
        },
        errors: report
            .errors
            .iter()
            .map(|(source, err)| ReadErrorJson {
                source: source.clone(),
                error: strip_controls(&err.to_string()),
            })
            .collect(),
    }
}

pub(crate) fn to_text(report: &DiagnosisReport, several_pairs: bool) -> String {
    let mut out = String::new();
    let named = |pair: &Pair, what: String| {
        if several_pairs {
            format!("{pair} {what}")
        } else {
            what
        }
    };
    for p in &report.patterns {
        out.push_str(&format!(
            "PATTERN {}: {}\n",
            one_line(&named(&p.pair, format!("{}/{}", p.cluster, p.service))),
            one_line(&p.suggestion)
        ));
    }
    if !report.patterns.is_empty() {
        out.push('\n');
    }
    if report.findings.is_empty() {
        out.push_str("No stopped tasks (ECS keeps them for about an hour).\n");
        return out;
    }
    let rows: Vec<Vec<String>> = report
        .findings
        .iter()
        .map(|f| {
            vec![
                f.stopped_at
                    .map(|t| t.format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                f.severity.as_str().into(),
                named(
                    &f.pair,
                    format!("{}/{}", f.cluster, f.service.as_deref().unwrap_or("—")),
                ),
                f.task_arn
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(8)
                    .collect(),
                f.cause.code().into(),
                f.exit_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "—".into()),
                f.title.clone(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "STOPPED",
            "SEVERITY",
            "SERVICE",
            "TASK",
            "CAUSE",
            "EXIT",
            "WHAT HAPPENED",
        ],
        &rows,
    ));
    out
}
