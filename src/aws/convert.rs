//! SDK types → domain types. Nothing from the SDK travels further up.

use crate::domain::ports::{ContainerDefinition, TaskDefinition};
use crate::domain::service::{
    arn_name, Deployment, DeploymentStatus, RolloutState, Service, ServiceEvent, ServiceNetwork,
};
use crate::domain::task::{Container, Task};
use aws_sdk_ecs::types;
use chrono::{DateTime, Utc};

pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    let t = t?;
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn count(n: i32) -> u32 {
    n.max(0) as u32
}

pub fn service(s: &types::Service) -> Service {
    let cluster = s
        .cluster_arn()
        .map(arn_name)
        .unwrap_or_default()
        .to_string();
    Service {
        cluster,
        name: s.service_name().unwrap_or_default().to_string(),
        arn: s.service_arn().unwrap_or_default().to_string(),
        status: s.status().unwrap_or("UNKNOWN").to_string(),
        desired: count(s.desired_count()),
        running: count(s.running_count()),
        pending: count(s.pending_count()),
        task_definition: s.task_definition().unwrap_or_default().to_string(),
        launch_type: s.launch_type().map(|l| l.as_str().to_string()).or_else(|| {
            s.capacity_provider_strategy()
                .first()
                .map(|c| c.capacity_provider().to_string())
        }),
        deployments: s.deployments().iter().map(deployment).collect(),
        events: s
            .events()
            .iter()
            .filter_map(|e| {
                Some(ServiceEvent {
                    id: e.id().unwrap_or_default().to_string(),
                    at: time(e.created_at())?,
                    message: e.message().unwrap_or_default().to_string(),
                })
            })
            .collect(),
        created_at: time(s.created_at()),
        target_groups: s
            .load_balancers()
            .iter()
            .filter_map(|lb| lb.target_group_arn().map(str::to_string))
            .collect(),
        network: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|v| ServiceNetwork {
                security_groups: v.security_groups().to_vec(),
                subnets: v.subnets().to_vec(),
                assign_public_ip: v.assign_public_ip() == Some(&types::AssignPublicIp::Enabled),
            }),
        // The reader of a pair says which (the adapter knows only its own).
        pair: Default::default(),
    }
}

fn deployment(d: &types::Deployment) -> Deployment {
    Deployment {
        id: d.id().unwrap_or_default().to_string(),
        status: DeploymentStatus::parse(d.status().unwrap_or_default()),
        rollout_state: d
            .rollout_state()
            .and_then(|r| RolloutState::parse(r.as_str())),
        rollout_state_reason: d.rollout_state_reason().map(str::to_string),
        task_definition: d.task_definition().unwrap_or_default().to_string(),
        desired: count(d.desired_count()),
        running: count(d.running_count()),
        pending: count(d.pending_count()),
        failed_tasks: count(d.failed_tasks()),
        created_at: time(d.created_at()),
        updated_at: time(d.updated_at()),
    }
}

pub fn task(t: &types::Task) -> Task {
    let arn = t.task_arn().unwrap_or_default().to_string();
    Task {
        id: arn_name(&arn).to_string(),
        cluster: t
            .cluster_arn()
            .map(arn_name)
            .unwrap_or_default()
            .to_string(),
        arn,
        group: t.group().map(str::to_string),
        task_definition: t.task_definition_arn().unwrap_or_default().to_string(),
        last_status: t.last_status().unwrap_or_default().to_string(),
        desired_status: t.desired_status().unwrap_or_default().to_string(),
        health_status: t.health_status().map(|h| h.as_str().to_string()),
        started_by: t.started_by().map(str::to_string),
        launch_type: t.launch_type().map(|l| l.as_str().to_string()),
        availability_zone: t.availability_zone().map(str::to_string),
        cpu: t.cpu().map(str::to_string),
        memory: t.memory().map(str::to_string),
        created_at: time(t.created_at()),
        started_at: time(t.started_at()),
        stopping_at: time(t.stopping_at()),
        stopped_at: time(t.stopped_at()),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        containers: t
            .containers()
            .iter()
            .map(|c| Container {
                name: c.name().unwrap_or_default().to_string(),
                image: c.image().map(str::to_string),
                last_status: c.last_status().map(str::to_string),
                exit_code: c.exit_code(),
                reason: c.reason().map(str::to_string),
                health_status: c.health_status().map(|h| h.as_str().to_string()),
            })
            .collect(),
        network_interface: attachment_detail(t, "networkInterfaceId"),
        private_ip: attachment_detail(t, "privateIPv4Address"),
    }
}

/// A detail of the task's elastic network interface attachment.
fn attachment_detail(t: &types::Task, name: &str) -> Option<String> {
    t.attachments()
        .iter()
        .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.value())
        .map(str::to_string)
}

pub fn task_definition(td: &types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        arn: td.task_definition_arn().unwrap_or_default().to_string(),
        family: td.family().unwrap_or_default().to_string(),
        revision: count(td.revision()),
        cpu: td.cpu().map(str::to_string),
        memory: td.memory().map(str::to_string),
        network_mode: td.network_mode().map(|m| m.as_str().to_string()),
        task_role: td.task_role_arn().map(str::to_string),
        execution_role: td.execution_role_arn().map(str::to_string),
        containers: td
            .container_definitions()
            .iter()
            .map(|c| {
                let log = c.log_configuration();
                let option = |key: &str| {
                    log.and_then(|l| l.options())
                        .and_then(|o| o.get(key))
                        .cloned()
                };
                ContainerDefinition {
                    name: c.name().unwrap_or_default().to_string(),
                    image: c.image().unwrap_or_default().to_string(),
                    essential: c.essential().unwrap_or(true),
                    memory: c.memory().map(count),
                    memory_reservation: c.memory_reservation().map(count),
                    command: c.command().to_vec(),
                    environment: c
                        .environment()
                        .iter()
                        .filter_map(|kv| kv.name().map(str::to_string))
                        .collect(),
                    secrets: c.secrets().iter().map(|s| s.name().to_string()).collect(),
                    secret_sources: c
                        .secrets()
                        .iter()
                        .map(|s| s.value_from().to_string())
                        .collect(),
                    log_group: option("awslogs-group"),
                    log_stream_prefix: option("awslogs-stream-prefix"),
                    health_check: c
                        .health_check()
                        .map(|h| h.command().to_vec())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    }
}
