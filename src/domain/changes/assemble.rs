//! Changes made of their witnesses: CloudTrail write events, the services'
//! ECS deployments and triage's own journal.
//!
//! One act is one change: an `UpdateService` in CloudTrail and the ECS
//! deployment it created (same service, within two minutes) are one change
//! carrying both sources, and a `RegisterTaskDefinition` of the revision it
//! deploys, made in the quarter hour before, joins it. Noise (ECS's own
//! churn, failed calls) is counted, never kept.

use super::super::diagnosis::patterns::diff;
use super::super::pair::Pair;
use super::super::ports::TaskDefinition;
use super::super::sanitize::one_line;
use super::super::service::{revision_label, Service, ServiceKey};
use super::super::timeline::Entry;
use super::summary::{cut, summary};
use super::touch::{touches, ServiceFacts, Touches};
use super::trail::TrailEvent;
use super::{Change, Source, SourceKind};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A deployment and the call that made it are this close at most.
const SAME_ACT: i64 = 120;
/// A task definition registered this long before the deploy that uses it belongs to it.
const REGISTERED_BEFORE: i64 = 15 * 60;

/// Everything read for one set of pairs.
pub struct Witnesses<'a> {
    pub events: &'a [TrailEvent],
    pub facts: &'a [ServiceFacts],
    /// The watched services as last read (their deployments).
    pub services: &'a [Service],
    /// The incident's journal (triage's own actions).
    pub journal: &'a [Entry],
    /// Task definitions known by ARN (for a deploy's diff).
    pub definitions: &'a HashMap<String, TaskDefinition>,
    /// Only what happened from here on is kept.
    pub since: DateTime<Utc>,
}

/// The changes, newest first, and how many events were noise.
pub fn assemble(w: &Witnesses<'_>) -> (Vec<Change>, usize) {
    let mut noise = 0;
    let mut changes: Vec<Change> = Vec::new();
    for event in w.events.iter().filter(|e| e.at >= w.since) {
        match touches(event, w.facts) {
            Touches::Noise => noise += 1,
            Touches::Services(services) => changes.push(of_event(event, services)),
        }
    }
    for service in w.services {
        for deployment in service.deployments.iter() {
            let Some(at) = deployment.created_at.filter(|at| *at >= w.since) else {
                continue;
            };
            witness_deployment(&mut changes, service, deployment, at);
        }
    }
    fold_registrations(&mut changes);
    describe_deploys(&mut changes, w.services, w.definitions);
    changes.extend(w.journal.iter().filter_map(|e| of_entry(e, w.facts)));
    fold_own_actions(&mut changes);
    changes.retain(|c| c.at >= w.since);
    changes.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id().cmp(b.id())));
    (changes, noise)
}

fn of_event(event: &TrailEvent, services: Vec<ServiceKey>) -> Change {
    let deploys = matches!(event.name.as_str(), "UpdateService" | "CreateService")
        .then(|| event.param("taskDefinition").map(str::to_string))
        .flatten();
    let registers = (event.name == "RegisterTaskDefinition")
        .then(|| {
            event
                .names
                .iter()
                .find(|n| n.contains(":task-definition/"))
                .cloned()
        })
        .flatten();
    Change {
        at: event.at,
        actor: event.actor_shown(),
        action: one_line(&event.name),
        summary: cut(&summary(event, registers.as_deref())),
        detail: Vec::new(),
        services,
        sources: vec![Source {
            kind: SourceKind::Cloudtrail,
            id: event.id.clone(),
        }],
        pair: event.pair.clone(),
        deploys: deploys.or(registers),
    }
}

/// The deployment joins the `UpdateService`/`CreateService` that made it,
/// or is a change of its own.
fn witness_deployment(
    changes: &mut Vec<Change>,
    service: &Service,
    deployment: &super::super::service::Deployment,
    at: DateTime<Utc>,
) {
    let key = service.key();
    let source = Source {
        kind: SourceKind::Ecs,
        id: deployment.id.clone(),
    };
    if changes.iter().any(|c| c.sources.contains(&source)) {
        return;
    }
    let maker = changes
        .iter_mut()
        .filter(|c| {
            matches!(c.action.as_str(), "UpdateService" | "CreateService")
                && c.touches(&key)
                && !c.sources.iter().any(|s| s.kind == SourceKind::Ecs)
                && (c.at - at).num_seconds().abs() <= SAME_ACT
        })
        .min_by_key(|c| (c.at - at).num_seconds().abs());
    if let Some(change) = maker {
        change.sources.push(source);
        change.deploys = Some(deployment.task_definition.clone());
        return;
    }
    changes.push(Change {
        at,
        actor: "—".into(),
        action: "Deployment".into(),
        summary: cut(&format!(
            "deployment of {} to {} ({}{})",
            revision_label(&deployment.task_definition),
            one_line(&service.name),
            deployment.status.as_str(),
            deployment
                .rollout_state
                .map(|r| format!(", {}", r.as_str()))
                .unwrap_or_default()
        )),
        detail: Vec::new(),
        services: vec![key],
        sources: vec![source],
        pair: service.pair.clone(),
        deploys: Some(deployment.task_definition.clone()),
    });
}

fn is_deploy(c: &Change) -> bool {
    matches!(
        c.action.as_str(),
        "UpdateService" | "CreateService" | "Deployment"
    )
}

/// A `RegisterTaskDefinition` joins the first deploy of the revision it
/// registered made within a quarter hour after it.
fn fold_registrations(changes: &mut Vec<Change>) {
    let mut gone = Vec::new();
    for i in 0..changes.len() {
        if changes[i].action != "RegisterTaskDefinition" {
            continue;
        }
        // The revision registered (from the response), else only its family.
        let registered = changes[i]
            .deploys
            .as_deref()
            .map(revision_label)
            .unwrap_or_else(|| {
                changes[i]
                    .summary
                    .trim_start_matches("registered ")
                    .to_string()
            });
        let same = |deployed: &str| match registered.contains(':') {
            true => deployed == registered,
            false => deployed
                .rsplit_once(':')
                .is_some_and(|(f, _)| f == registered),
        };
        let at = changes[i].at;
        let deploy = (0..changes.len())
            .filter(|&j| {
                let c = &changes[j];
                is_deploy(c)
                    && c.at >= at
                    && (c.at - at).num_seconds() <= REGISTERED_BEFORE
                    && c.pair == changes[i].pair
                    && c.deploys
                        .as_deref()
                        .map(revision_label)
                        .is_some_and(|d| same(&d))
            })
            .min_by_key(|&j| changes[j].at);
        if let Some(j) = deploy {
            let registration = changes[i].clone();
            let target = &mut changes[j];
            target.sources.extend(registration.sources);
            target.detail.push(format!(
                "{} by {}",
                registration.summary, registration.actor
            ));
            gone.push(i);
        }
    }
    let mut index = 0;
    changes.retain(|_| {
        index += 1;
        !gone.contains(&(index - 1))
    });
}

/// Each deploy says what it changed: the revision before and after, and
/// their diff when both are known. The revision before is the service's
/// previous deploy in this window, else the deployment ECS still lists
/// before it, else the revision numbered one less.
fn describe_deploys(
    changes: &mut [Change],
    services: &[Service],
    definitions: &HashMap<String, TaskDefinition>,
) {
    let by_label: HashMap<String, &TaskDefinition> = definitions
        .values()
        .map(|td| (format!("{}:{}", td.family, td.revision), td))
        .collect();
    let mut order: Vec<usize> = (0..changes.len())
        .filter(|&i| is_deploy(&changes[i]))
        .collect();
    order.sort_by_key(|&i| changes[i].at);
    let mut last: HashMap<ServiceKey, String> = HashMap::new();
    for i in order {
        let Some(after) = changes[i].deploys.as_deref().map(revision_label) else {
            continue;
        };
        let Some(key) = changes[i].services.first().cloned() else {
            continue;
        };
        let listed_before = services.iter().find(|s| s.is(&key)).and_then(|s| {
            s.deployments
                .iter()
                .filter(|d| d.created_at.is_some_and(|t| t < changes[i].at))
                .max_by_key(|d| d.created_at)
                .map(|d| revision_label(&d.task_definition))
        });
        let before = last
            .get(&key)
            .cloned()
            .or(listed_before)
            .or_else(|| one_less(&after));
        last.insert(key, after.clone());
        let Some(before) = before.filter(|b| *b != after) else {
            continue;
        };
        let mut lines = vec![format!("{before} → {after}")];
        if let (Some(a), Some(b)) = (by_label.get(&before), by_label.get(&after)) {
            lines.extend(
                diff(a, b)
                    .into_iter()
                    .map(|c| one_line(&format!("{}: {} → {}", c.field, c.before, c.after))),
            );
        }
        changes[i].detail.splice(0..0, lines);
    }
}

/// `payments:7` → `payments:6`.
pub fn one_less(label: &str) -> Option<String> {
    let (family, revision) = label.rsplit_once(':')?;
    let n: u32 = revision.parse().ok()?;
    (n > 1).then(|| format!("{family}:{}", n - 1))
}

/// What AWS records of a runbook step of this kind: the actions of its
/// CloudTrail events (and the ECS deployment a rollback makes).
fn recorded_as(kind: &str, action: &str) -> bool {
    match kind.split_once('.').map_or(kind, |(family, _)| family) {
        "ecs" => matches!(action, "UpdateService" | "Deployment" | "StopTask"),
        "ec2" => action.contains("SecurityGroup") || action.contains("FlowLogs"),
        "secrets" => matches!(action, "PutSecretValue" | "RotateSecret" | "UpdateSecret"),
        _ => false,
    }
}

/// triage's own step and what AWS recorded of it are one act: the
/// CloudTrail events (and deployment) of its kind on the same service
/// within two minutes join the step's change, which keeps who did it.
fn fold_own_actions(changes: &mut Vec<Change>) {
    let own: Vec<usize> = (0..changes.len())
        .filter(|&i| {
            changes[i]
                .sources
                .first()
                .is_some_and(|s| s.kind == SourceKind::Triage)
        })
        .filter(|&i| !changes[i].services.is_empty())
        .collect();
    let mut gone: Vec<usize> = Vec::new();
    for i in own {
        let witnesses: Vec<usize> = (0..changes.len())
            .filter(|&j| j != i && !gone.contains(&j))
            .filter(|&j| {
                let (step, c) = (&changes[i], &changes[j]);
                c.sources
                    .first()
                    .is_some_and(|s| s.kind != SourceKind::Triage)
                    && c.services.iter().any(|k| step.touches(k))
                    && (c.at - step.at).num_seconds().abs() <= SAME_ACT
                    && recorded_as(&step.action, &c.action)
            })
            .collect();
        for j in witnesses {
            let witness = changes[j].clone();
            let step = &mut changes[i];
            step.sources.extend(witness.sources);
            step.detail
                .push(format!("{} ({})", witness.summary, witness.action));
            step.detail.extend(witness.detail);
            step.deploys = step.deploys.take().or(witness.deploys);
            gone.push(j);
        }
    }
    let mut index = 0;
    changes.retain(|_| {
        index += 1;
        !gone.contains(&(index - 1))
    });
}

/// A journal entry of triage's that changed something: a runbook step that
/// acted (not a dry run), or a shell opened into a task.
fn of_entry(entry: &Entry, facts: &[ServiceFacts]) -> Option<Change> {
    let action = entry.action.as_ref()?;
    let done = entry
        .runbook
        .as_ref()
        .is_none_or(|r| r.state == "succeeded");
    if action.dry_run || !done || !(action.destructive || action.kind == "ecs_exec") {
        return None;
    }
    let cluster = action.inputs["cluster"].as_str();
    let service = action.inputs["service"].as_str();
    let services = facts
        .iter()
        .filter(|f| {
            Some(f.key.cluster.as_str()) == cluster && Some(f.key.service.as_str()) == service
        })
        .map(|f| f.key.clone())
        .collect();
    Some(Change {
        at: entry.occurred_at,
        actor: one_line(&entry.actor.label()),
        action: one_line(&action.kind),
        summary: cut(&one_line(&entry.summary)),
        detail: Vec::new(),
        services,
        sources: vec![Source {
            kind: SourceKind::Triage,
            id: entry.id.clone(),
        }],
        pair: Pair::default(),
        deploys: None,
    })
}
