//! What the security tests seed in moto: an awsvpc network with an open
//! and a locked security group, two secrets, and a service whose task
//! definition reads them, with a running task and its network interface.

/// What a `prod` cluster's awsvpc service `api` runs in: a VPC (DNS
/// hostnames on, as moto's awsvpc tasks need), a subnet, the tasks' group
/// (AWS's default egress: everything out) and a locked one (HTTPS only).
pub struct Network {
    pub subnet: String,
    pub open_group: String,
    pub locked_group: String,
}

pub async fn network(config: &aws_config::SdkConfig) -> Network {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.8.0.0/16")
        .send()
        .await
        .unwrap()
        .vpc
        .unwrap()
        .vpc_id
        .unwrap();
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc)
        .enable_dns_hostnames(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("10.8.1.0/24")
        .send()
        .await
        .unwrap()
        .subnet
        .unwrap()
        .subnet_id
        .unwrap();
    let group = |name: &'static str| {
        let ec2 = ec2.clone();
        let vpc = vpc.clone();
        async move {
            ec2.create_security_group()
                .group_name(name)
                .description(name)
                .vpc_id(vpc)
                .send()
                .await
                .unwrap()
                .group_id
                .unwrap()
        }
    };
    let open_group = group("api-tasks").await;
    let locked_group = group("api-locked").await;
    let all = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("0.0.0.0/0")
                .build(),
        )
        .build();
    ec2.revoke_security_group_egress()
        .group_id(&locked_group)
        .ip_permissions(all)
        .send()
        .await
        .unwrap();
    ec2.authorize_security_group_egress()
        .group_id(&locked_group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    Network {
        subnet,
        open_group,
        locked_group,
    }
}

/// Two secrets (their ARNs).
pub async fn secrets(config: &aws_config::SdkConfig) -> (String, String) {
    let sm = aws_sdk_secretsmanager::Client::new(config);
    let mut arns = Vec::new();
    for name in ["prod/api/db", "prod/api/jwt"] {
        let out = sm
            .create_secret()
            .name(name)
            .secret_string("not-shown")
            .send()
            .await
            .unwrap();
        arns.push(out.arn.unwrap());
    }
    (arns[0].clone(), arns[1].clone())
}

/// Cluster `prod`, service `api` (`desired` tasks) on awsvpc in `groups`
/// reading the two secrets (one through a JSON key) and an SSM parameter,
/// with one task of it running (moto's services start none themselves);
/// returns the task's network interface.
pub async fn service(
    config: &aws_config::SdkConfig,
    net: &Network,
    groups: &[&str],
    (db, jwt): &(String, String),
    desired: i32,
) -> String {
    let ecs = aws_sdk_ecs::Client::new(config);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    let secret = |name: &str, from: &str| {
        aws_sdk_ecs::types::Secret::builder()
            .name(name)
            .value_from(from)
            .build()
            .unwrap()
    };
    let mut container = super::api_container("v7");
    container.secrets = Some(vec![
        secret("DATABASE_URL", db),
        secret("JWT_KEY", &format!("{jwt}:key::")),
        secret(
            "FLAGS",
            "arn:aws:ssm:us-east-1:123456789012:parameter/prod/api/flags",
        ),
    ]);
    ecs.register_task_definition()
        .family("api")
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    let vpc_config = aws_sdk_ecs::types::AwsVpcConfiguration::builder()
        .subnets(&net.subnet)
        .set_security_groups(Some(groups.iter().map(|g| g.to_string()).collect()))
        .assign_public_ip(aws_sdk_ecs::types::AssignPublicIp::Disabled)
        .build()
        .unwrap();
    let network = aws_sdk_ecs::types::NetworkConfiguration::builder()
        .awsvpc_configuration(vpc_config)
        .build();
    ecs.create_service()
        .cluster("prod")
        .service_name("api")
        .task_definition("api:1")
        .desired_count(desired)
        .network_configuration(network.clone())
        .send()
        .await
        .unwrap();
    let task = ecs
        .run_task()
        .cluster("prod")
        .task_definition("api:1")
        .group("service:api")
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .network_configuration(network)
        .send()
        .await
        .unwrap();
    task.tasks()[0].attachments()[0]
        .details()
        .iter()
        .find(|d| d.name() == Some("networkInterfaceId"))
        .and_then(|d| d.value())
        .unwrap()
        .to_string()
}
