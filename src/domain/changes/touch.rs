//! Which watched services a CloudTrail event touches.
//!
//! A change touches a service when it names: the service; its task
//! definition family; its security groups; its target groups, or a listener
//! or rule of a load balancer they are behind; the secrets its task
//! definition reads; its task or execution role (policy attach, put,
//! detach); its cluster (capacity providers, settings: every service in
//! it); its Application Auto Scaling target. ECS's own churn (its
//! service-linked role's network interfaces and target registrations) and
//! calls that failed are noise: never a suspect, only counted.

use super::super::ports::TaskDefinition;
use super::super::service::{Service, ServiceKey};
use super::trail::TrailEvent;

/// What triage knows of one watched service that a change can name.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFacts {
    pub key: ServiceKey,
    pub arn: String,
    /// The family of its task definition (`payments` of `payments:7`).
    pub family: String,
    pub security_groups: Vec<String>,
    /// Target group ARNs.
    pub target_groups: Vec<String>,
    /// Its target groups' load balancers, as `app/NAME/ID`.
    pub load_balancers: Vec<String>,
    /// Where its secrets come from (`valueFrom`: Secrets Manager or SSM).
    pub secrets: Vec<String>,
    /// Its task and execution roles, by name.
    pub roles: Vec<String>,
}

impl ServiceFacts {
    /// Facts of a service, with its task definition when read and the
    /// load balancers (ARNs) its target groups are behind.
    pub fn of(
        service: &Service,
        definition: Option<&TaskDefinition>,
        load_balancers: &[String],
    ) -> ServiceFacts {
        let family = super::super::service::revision_label(&service.task_definition)
            .rsplit_once(':')
            .map(|(f, _)| f.to_string())
            .unwrap_or_default();
        let mut roles = Vec::new();
        let mut secrets = Vec::new();
        if let Some(d) = definition {
            for arn in [&d.task_role, &d.execution_role].into_iter().flatten() {
                if let Some(name) = role_name(arn) {
                    roles.push(name);
                }
            }
            for c in &d.containers {
                secrets.extend(c.secret_sources.iter().cloned());
            }
        }
        ServiceFacts {
            key: service.key(),
            arn: service.arn.clone(),
            family,
            security_groups: service
                .network
                .as_ref()
                .map(|n| n.security_groups.clone())
                .unwrap_or_default(),
            target_groups: service.target_groups.clone(),
            load_balancers: load_balancers.iter().filter_map(|a| lb_tail(a)).collect(),
            secrets,
            roles,
        }
    }
}

/// What an event is to the watched services.
#[derive(Debug, Clone, PartialEq)]
pub enum Touches {
    /// ECS's own churn, or a call that failed: never a suspect.
    Noise,
    /// The services it touches; none: an account change.
    Services(Vec<ServiceKey>),
}

/// Which of `facts` the event touches.
pub fn touches(event: &TrailEvent, facts: &[ServiceFacts]) -> Touches {
    if event.is_ecs_churn() || event.error.is_some() {
        return Touches::Noise;
    }
    let cluster_wide = event.service() == "ecs"
        && matches!(
            event.name.as_str(),
            "PutClusterCapacityProviders" | "UpdateCluster" | "UpdateClusterSettings"
        );
    let services = facts
        .iter()
        .filter(|f| f.key.pair == event.pair)
        .filter(|f| {
            (cluster_wide && names_cluster(event, &f.key.cluster)) || names_service(event, f)
        })
        .map(|f| f.key.clone())
        .collect();
    Touches::Services(services)
}

fn names_service(event: &TrailEvent, f: &ServiceFacts) -> bool {
    let ecs = event.service() == "ecs";
    let iam = event.service() == "iam";
    let scaling = event.service() == "application-autoscaling";
    // A family is named by its own calls (Register/DeregisterTaskDefinition):
    // an UpdateService names a revision for *its* service, which may share
    // the family with services elsewhere.
    let definitions = ecs && event.name.contains("TaskDefinition");
    let scalable = format!("service/{}/{}", f.key.cluster, f.key.service);
    event.names.iter().any(|n| {
        let n = n.as_str();
        (!f.arn.is_empty() && n == f.arn)
            || (ecs && n == f.key.service && names_cluster(event, &f.key.cluster))
            || (definitions && !f.family.is_empty() && is_of_family(n, &f.family))
            || f.security_groups.iter().any(|g| g == n)
            || f.target_groups.iter().any(|t| t == n)
            || f.load_balancers.iter().any(|lb| names_load_balancer(n, lb))
            || f.secrets.iter().any(|s| names_secret(n, s))
            || (iam && f.roles.iter().any(|r| r == n))
            || (scaling && n == scalable)
    })
}

/// The event names the cluster, or names none (ECS's `default`).
fn names_cluster(event: &TrailEvent, cluster: &str) -> bool {
    match event.param("cluster") {
        Some(named) => named == cluster || named.ends_with(&format!(":cluster/{cluster}")),
        None => {
            event
                .names
                .iter()
                .any(|n| n == cluster || n.ends_with(&format!(":cluster/{cluster}")))
                || (cluster == "default" && event.param("service").is_some())
        }
    }
}

/// `payments`, `payments:7`, or `arn:…:task-definition/payments:7`.
fn is_of_family(name: &str, family: &str) -> bool {
    let label = name
        .rsplit_once(":task-definition/")
        .map_or(name, |(_, l)| l);
    match label.split_once(':') {
        Some((f, revision)) => f == family && revision.chars().all(|c| c.is_ascii_digit()),
        None => label == family,
    }
}

/// A load balancer's ARN, or a listener's or rule's of it (`app/NAME/ID`).
fn names_load_balancer(name: &str, lb: &str) -> bool {
    ["loadbalancer/", "listener/", "listener-rule/"]
        .iter()
        .any(|kind| name.contains(&format!(":{kind}{lb}")) && is_lb_arn_end(name, kind, lb))
}

fn is_lb_arn_end(name: &str, kind: &str, lb: &str) -> bool {
    let marker = format!(":{kind}{lb}");
    name.split_once(&marker)
        .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
}

/// `arn:…:loadbalancer/app/NAME/ID` → `app/NAME/ID`.
fn lb_tail(arn: &str) -> Option<String> {
    Some(arn.split_once(":loadbalancer/")?.1.to_string())
}

/// `arn:aws:iam::1:role/path/NAME` → NAME.
fn role_name(arn: &str) -> Option<String> {
    let tail = arn.split_once(":role/").map_or(arn, |(_, t)| t);
    tail.rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// Does the event's `name` (a secret id, a parameter name or an ARN) name
/// the secret a task definition reads from `source`?
fn names_secret(name: &str, source: &str) -> bool {
    // `arn:aws:secretsmanager:R:A:secret:NAME-AbCdEf[:json-key:stage:version]`
    if let Some((prefix, rest)) = source.split_once(":secret:") {
        let full = rest.split(':').next().unwrap_or(rest);
        let arn = format!("{prefix}:secret:{full}");
        let friendly = strip_suffix6(full);
        return name == arn
            || name == full
            || name == friendly
            || name == format!("{prefix}:secret:{friendly}");
    }
    // `arn:aws:ssm:R:A:parameter/NAME` or the parameter's name.
    let parameter = source.split_once(":parameter").map_or(source, |(_, p)| p);
    let bare = |p: &str| p.trim_start_matches('/').to_string();
    !parameter.is_empty() && (name == source || bare(name) == bare(parameter))
}

/// Secrets Manager adds `-` and six characters to a secret's name in its ARN.
fn strip_suffix6(full: &str) -> &str {
    match full.rsplit_once('-') {
        Some((name, tail))
            if tail.len() == 6 && tail.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            name
        }
        _ => full,
    }
}
