//! Fixtures in the shape AWS returns them (DescribeServices JSON), read into
//! domain types the way the AWS adapter does.

use chrono::{DateTime, Utc};
use serde_json::Value;
use triage::domain::service::{
    arn_name, Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent,
};

pub fn load(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    serde_json::from_str(
        &std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display())),
    )
    .unwrap()
}

/// AWS timestamps: epoch seconds (the API) or RFC 3339 strings (the CLI).
fn time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => {
            let secs = n.as_f64()?;
            DateTime::from_timestamp(secs.trunc() as i64, (secs.fract() * 1e9) as u32)
        }
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn count(v: &Value, key: &str) -> u32 {
    v[key].as_i64().unwrap_or(0).max(0) as u32
}

/// Every service of a DescribeServices response.
pub fn services(doc: &Value) -> Vec<Service> {
    doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Service {
            cluster: arn_name(&text(s, "clusterArn")).to_string(),
            name: text(s, "serviceName"),
            arn: text(s, "serviceArn"),
            status: text(s, "status"),
            desired: count(s, "desiredCount"),
            running: count(s, "runningCount"),
            pending: count(s, "pendingCount"),
            task_definition: text(s, "taskDefinition"),
            launch_type: s["launchType"].as_str().map(str::to_string),
            network: network_of(s),
            deployments: s["deployments"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .map(|d| Deployment {
                            id: text(d, "id"),
                            status: DeploymentStatus::parse(&text(d, "status")),
                            rollout_state: RolloutState::parse(&text(d, "rolloutState")),
                            rollout_state_reason: d["rolloutStateReason"]
                                .as_str()
                                .map(str::to_string),
                            task_definition: text(d, "taskDefinition"),
                            desired: count(d, "desiredCount"),
                            running: count(d, "runningCount"),
                            pending: count(d, "pendingCount"),
                            failed_tasks: count(d, "failedTasks"),
                            created_at: time(&d["createdAt"]),
                            updated_at: time(&d["updatedAt"]),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            events: s["events"]
                .as_array()
                .map(|es| {
                    es.iter()
                        .filter_map(|e| {
                            Some(ServiceEvent {
                                id: text(e, "id"),
                                at: time(&e["createdAt"])?,
                                message: text(e, "message"),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
            created_at: time(&s["createdAt"]),
            target_groups: s["loadBalancers"]
                .as_array()
                .map(|lbs| {
                    lbs.iter()
                        .filter_map(|lb| lb["targetGroupArn"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            pair: Default::default(),
        })
        .collect()
}

/// The one service of a fixture file.
pub fn service(path: &str) -> Service {
    services(&load(path)).remove(0)
}

/// Every task of a DescribeTasks response.
pub fn tasks(doc: &Value) -> Vec<triage::domain::Task> {
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let arn = text(t, "taskArn");
            triage::domain::Task {
                id: arn_name(&arn).to_string(),
                arn,
                cluster: arn_name(&text(t, "clusterArn")).to_string(),
                group: t["group"].as_str().map(str::to_string),
                task_definition: text(t, "taskDefinitionArn"),
                last_status: text(t, "lastStatus"),
                desired_status: text(t, "desiredStatus"),
                health_status: t["healthStatus"].as_str().map(str::to_string),
                started_by: t["startedBy"].as_str().map(str::to_string),
                launch_type: t["launchType"].as_str().map(str::to_string),
                availability_zone: t["availabilityZone"].as_str().map(str::to_string),
                cpu: t["cpu"].as_str().map(str::to_string),
                memory: t["memory"].as_str().map(str::to_string),
                created_at: time(&t["createdAt"]),
                started_at: time(&t["startedAt"]),
                stopping_at: time(&t["stoppingAt"]),
                stopped_at: time(&t["stoppedAt"]),
                stop_code: t["stopCode"].as_str().map(str::to_string),
                stopped_reason: t["stoppedReason"].as_str().map(str::to_string),
                containers: t["containers"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .map(|c| triage::domain::Container {
                                name: text(c, "name"),
                                image: c["image"].as_str().map(str::to_string),
                                last_status: c["lastStatus"].as_str().map(str::to_string),
                                exit_code: c["exitCode"].as_i64().map(|x| x as i32),
                                reason: c["reason"].as_str().map(str::to_string),
                                health_status: c["healthStatus"].as_str().map(str::to_string),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                network_interface: eni_detail(t, "networkInterfaceId"),
                private_ip: eni_detail(t, "privateIPv4Address"),
            }
        })
        .collect()
}

/// A detail of a task's ElasticNetworkInterface attachment, as ECS writes it.
fn eni_detail(t: &Value, name: &str) -> Option<String> {
    t["attachments"]
        .as_array()?
        .iter()
        .filter(|a| a["type"] == "ElasticNetworkInterface")
        .flat_map(|a| a["details"].as_array().cloned().unwrap_or_default())
        .find(|d| d["name"] == name)
        .and_then(|d| d["value"].as_str().map(str::to_string))
}

/// A service's awsvpc configuration, as DescribeServices writes it.
fn network_of(s: &Value) -> Option<triage::domain::service::ServiceNetwork> {
    let v = &s["networkConfiguration"]["awsvpcConfiguration"];
    v.is_object()
        .then(|| triage::domain::service::ServiceNetwork {
            security_groups: strings(&v["securityGroups"]),
            subnets: strings(&v["subnets"]),
            assign_public_ip: v["assignPublicIp"] == "ENABLED",
        })
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
