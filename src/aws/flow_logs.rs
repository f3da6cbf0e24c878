//! VPC flow logs over EC2: DescribeFlowLogs by resource (paged),
//! CreateFlowLogs into a CloudWatch Logs group (all traffic, one-minute
//! aggregation so evidence arrives fast), DeleteFlowLogs by id. Called by
//! the network adapter, through its budget.

use super::ec2::AwsNetwork;
use super::errors::map_sdk_error;
use crate::domain::flowlogs::{FlowLog, FlowLogRequest, FlowResource};
use crate::domain::PortError;
use aws_sdk_ec2::types::{Filter, FlowLogsResourceType, LogDestinationType, TrafficType};

/// Filter values DescribeFlowLogs takes in one filter.
const RESOURCES_PER_CALL: usize = 200;

fn flow_log(f: &aws_sdk_ec2::types::FlowLog) -> FlowLog {
    FlowLog {
        id: f.flow_log_id().unwrap_or_default().to_string(),
        resource: f.resource_id().unwrap_or_default().to_string(),
        log_group: f.log_group_name().map(str::to_string).or_else(|| {
            // A CloudWatch Logs destination's ARN ends with the group name.
            f.log_destination()
                .filter(|d| d.contains(":log-group:"))
                .and_then(|d| d.split(":log-group:").nth(1))
                .map(|g| g.trim_end_matches(":*").to_string())
        }),
    }
}

pub(super) async fn describe(
    network: &AwsNetwork,
    filter: &str,
    values: &[String],
) -> Result<Vec<FlowLog>, PortError> {
    let mut found = Vec::new();
    for chunk in values.chunks(RESOURCES_PER_CALL) {
        let mut token: Option<String> = None;
        loop {
            network.admit("DescribeFlowLogs").await;
            let out = network
                .client()
                .describe_flow_logs()
                .filter(
                    Filter::builder()
                        .name(filter)
                        .set_values(Some(chunk.to_vec()))
                        .build(),
                )
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error("DescribeFlowLogs", e, network.context()))?;
            found.extend(out.flow_logs().iter().map(flow_log));
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) if Some(t) != token.as_deref() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(found)
}

pub(super) async fn create(
    network: &AwsNetwork,
    request: &FlowLogRequest,
) -> Result<Vec<FlowLog>, PortError> {
    let kind = match request.kind {
        FlowResource::NetworkInterface => FlowLogsResourceType::NetworkInterface,
        FlowResource::Subnet => FlowLogsResourceType::Subnet,
        FlowResource::Vpc => FlowLogsResourceType::Vpc,
    };
    network.admit("CreateFlowLogs").await;
    let out = network
        .client()
        .create_flow_logs()
        .resource_type(kind)
        .set_resource_ids(Some(request.resources.clone()))
        .traffic_type(TrafficType::All)
        .log_destination_type(LogDestinationType::CloudWatchLogs)
        .log_group_name(&request.log_group)
        .deliver_logs_permission_arn(&request.role)
        .max_aggregation_interval(60)
        .send()
        .await
        .map_err(|e| map_sdk_error("CreateFlowLogs", e, network.context()))?;
    if let Some(failed) = out.unsuccessful().first() {
        let why = failed
            .error()
            .and_then(|e| e.message())
            .unwrap_or("no reason given");
        return Err(PortError::InvalidInput {
            operation: "CreateFlowLogs".into(),
            message: format!(
                "{}: {}",
                failed.resource_id().unwrap_or("a resource"),
                crate::domain::sanitize::one_line(why)
            ),
        });
    }
    let ids: Vec<String> = out.flow_log_ids().to_vec();
    let made = describe(network, "flow-log-id", &ids).await?;
    Ok(made)
}

pub(super) async fn delete(network: &AwsNetwork, ids: &[String]) -> Result<(), PortError> {
    if ids.is_empty() {
        return Ok(());
    }
    network.admit("DeleteFlowLogs").await;
    let out = network
        .client()
        .delete_flow_logs()
        .set_flow_log_ids(Some(ids.to_vec()))
        .send()
        .await
        .map_err(|e| map_sdk_error("DeleteFlowLogs", e, network.context()))?;
    match out.unsuccessful().first() {
        Some(failed) => Err(PortError::InvalidInput {
            operation: "DeleteFlowLogs".into(),
            message: format!(
                "{}: {}",
                failed.resource_id().unwrap_or("a flow log"),
                crate::domain::sanitize::one_line(
                    failed
                        .error()
                        .and_then(|e| e.message())
                        .unwrap_or("no reason given")
                )
            ),
        }),
        None => Ok(()),
    }
}
