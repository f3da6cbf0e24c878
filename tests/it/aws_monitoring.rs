//! Alarms, metrics and target health with the real SDK clients against moto
//! over HTTP. aws-sdk-cloudwatch speaks RPC v2 CBOR, which moto does not;
//! the test harness translates CBOR <-> moto's CloudWatch JSON protocol (see
//! tests/it/support/moto_harness.py), so what triage reads is moto's real state,
//! seeded here through the same SDK.

use crate::support::{ecs_account, fresh_region, moto, moto_config};
use aws_sdk_cloudwatch::types as cw;
use triage::aws::monitoring::AwsMonitoring;
use triage::domain::alarms::{elb_dimension, AlarmState};
use triage::domain::metrics::MetricKind;
use triage::domain::ports::{EcsPort, MonitoringPort};
use triage::domain::service::ServiceKey;

fn key(cluster: &str, service: &str) -> ServiceKey {
    ServiceKey::new(cluster, service)
}

fn dimension(name: &str, value: &str) -> cw::Dimension {
    cw::Dimension::builder().name(name).value(value).build()
}

async fn vpc(ec2: &aws_sdk_ec2::Client, cidr: &str) -> String {
    ec2.create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .unwrap()
        .vpc
        .unwrap()
        .vpc_id
        .unwrap()
}

/// A VPC, an application load balancer and a target group with two targets.
async fn seed_load_balancer(config: &aws_config::SdkConfig) -> (String, String) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = vpc(&ec2, "10.0.0.0/16").await;
    let mut subnets = Vec::new();
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let region = config.region().unwrap().to_string();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.0.{i}.0/24"))
            .availability_zone(format!("{region}{zone}"))
            .send()
            .await
            .unwrap()
            .subnet
            .unwrap()
            .subnet_id
            .unwrap();
        subnets.push(subnet);
    }
    let (lb, tg, _) =
        crate::support::load_balancer(config, &vpc, subnets, "prod-web", "backend-api").await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    for ip in ["10.0.0.11", "10.0.1.12"] {
        elb.register_targets()
            .target_group_arn(&tg)
            .targets(
                aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                    .id(ip)
                    .port(8080)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    (lb, tg)
}

/// 26 services in `fleet`, and chatbot-api and backend-api (behind the target group) in `prod-web`.
async fn seed_services(config: &aws_config::SdkConfig, target_group: &str) {
    let ecs = aws_sdk_ecs::Client::new(config);
    for cluster in ["prod-web", "fleet"] {
        ecs.create_cluster()
            .cluster_name(cluster)
            .send()
            .await
            .unwrap();
    }
    ecs.register_task_definition()
        .family("api")
        .container_definitions(crate::support::api_container("v1"))
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod-web")
        .service_name("chatbot-api")
        .task_definition("api:1")
        .desired_count(1)
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod-web")
        .service_name("backend-api")
        .task_definition("api:1")
        .desired_count(2)
        .load_balancers(
            aws_sdk_ecs::types::LoadBalancer::builder()
                .target_group_arn(target_group)
                .container_name("api")
                .container_port(8080)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for i in 0..24 {
        ecs.create_service()
            .cluster("fleet")
            .service_name(format!("svc-{i:02}"))
            .task_definition("api:1")
            .desired_count(1)
            .send()
            .await
            .unwrap();
    }
}

async fn put_alarm(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    name: &str,
    namespace: &str,
    metric: &str,
    dimensions: Vec<cw::Dimension>,
    state: Option<(&str, cw::StateValue)>,
) {
    cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .namespace(namespace)
        .metric_name(metric)
        .set_dimensions(Some(dimensions))
        .statistic(cw::Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(cw::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    if let Some((reason, value)) = state {
        cloudwatch
            .set_alarm_state()
            .alarm_name(name)
            .state_value(value)
            .state_reason(reason)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn alarms_metrics_and_targets_come_back_as_put_and_tie_to_their_services() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let (lb, tg) = seed_load_balancer(&config).await;
    seed_services(&config, &tg).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);

    // By ECS dimensions, in ALARM with its reason.
    put_alarm(
        &cloudwatch,
        "chatbot-api memory above 90 %",
        "AWS/ECS",
        "MemoryUtilization",
        vec![
            dimension("ClusterName", "prod-web"),
            dimension("ServiceName", "chatbot-api"),
        ],
        Some((
            "Threshold Crossed: 1 datapoint [100.0] was greater than the threshold (90.0).",
            cw::StateValue::Alarm,
        )),
    )
    .await;
    // By target group (the ALB's dimensions).
    put_alarm(
        &cloudwatch,
        "backend-api 5XX",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        vec![
            dimension("TargetGroup", elb_dimension(&tg)),
            dimension("LoadBalancer", elb_dimension(&lb)),
        ],
        Some(("Threshold Crossed: 5XX", cw::StateValue::Alarm)),
    )
    .await;
    // Belongs to no service here: an account alarm, kept.
    put_alarm(
        &cloudwatch,
        "emails queue backlog",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        vec![dimension("QueueName", "emails")],
        // moto starts alarms OK; AWS starts them without data.
        Some((
            "Insufficient Data: 1 datapoint was unknown.",
            cw::StateValue::InsufficientData,
        )),
    )
    .await;
    // Enough alarms to page (DescribeAlarms returns at most 100 a call).
    for i in 0..105 {
        put_alarm(
            &cloudwatch,
            &format!("fleet svc-{:02} cpu {i:03}", i % 24),
            "AWS/ECS",
            "CPUUtilization",
            vec![
                dimension("ClusterName", "fleet"),
                dimension("ServiceName", &format!("svc-{:02}", i % 24)),
            ],
            None,
        )
        .await;
    }
    // chatbot-api's memory and CPU over the last minutes.
    let now = chrono::Utc::now();
    let at = |minutes_ago: i64| {
        aws_sdk_cloudwatch::primitives::DateTime::from_secs(
            (now - chrono::Duration::minutes(minutes_ago)).timestamp() / 60 * 60,
        )
    };
    for (minutes_ago, memory) in [(4, 71.0), (3, 85.0), (2, 97.0), (1, 100.0)] {
        for metric in ["MemoryUtilization", "CPUUtilization"] {
            cloudwatch
                .put_metric_data()
                .namespace("AWS/ECS")
                .metric_data(
                    cw::MetricDatum::builder()
                        .metric_name(metric)
                        .dimensions(dimension("ClusterName", "prod-web"))
                        .dimensions(dimension("ServiceName", "chatbot-api"))
                        .timestamp(at(minutes_ago))
                        .value(if metric == "CPUUtilization" {
                            40.0
                        } else {
                            memory
                        })
                        .unit(cw::StandardUnit::Percent)
                        .build(),
                )
                .send()
                .await
                .unwrap();
        }
    }

    let ecs = ecs_account(region, &config);
    let mut services = ecs.services("prod-web").await.unwrap();
    services.extend(ecs.services("fleet").await.unwrap());
    assert_eq!(services.len(), 26);
    let backend = services.iter().find(|s| s.name == "backend-api").unwrap();
    assert_eq!(
        backend.target_groups,
        vec![tg.clone()],
        "loadBalancers read"
    );

    let monitoring = AwsMonitoring::new(&config, None);
    let alarms_before = moto().calls(region, "DescribeAlarms");
    let metrics_before = moto().calls(region, "GetMetricData");
    let watched = triage::cli::watch::read(&monitoring, &services, &[], now)
        .await
        .unwrap();

    // Every alarm once, paged to the end.
    assert_eq!(watched.alarms.len(), 3 + 105);
    assert!(
        moto().calls(region, "DescribeAlarms") - alarms_before >= 2,
        "paged: {:?}",
        moto().calls_in(region)
    );
    let owned = |name: &str| {
        watched
            .alarms
            .iter()
            .find(|a| a.alarm.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let memory = owned("chatbot-api memory above 90 %");
    assert_eq!(memory.alarm.state, AlarmState::Alarm);
    assert_eq!(
        memory.alarm.reason,
        "Threshold Crossed: 1 datapoint [100.0] was greater than the threshold (90.0)."
    );
    assert!(memory.alarm.since.is_some(), "StateUpdatedTimestamp read");
    assert_eq!(memory.services, vec![key("prod-web", "chatbot-api")]);
    let metric = memory.alarm.metric.as_ref().unwrap();
    assert_eq!(metric.threshold, Some(90.0));
    assert_eq!(metric.comparison.as_deref(), Some("GreaterThanThreshold"));
    assert_eq!(
        owned("backend-api 5XX").services,
        vec![key("prod-web", "backend-api")],
        "tied by its target group"
    );
    assert_eq!(owned("emails queue backlog").services, vec![]);
    assert_eq!(
        owned("emails queue backlog").alarm.state,
        AlarmState::InsufficientData
    );

    // One GetMetricData for 26 services; the values are what was put.
    assert_eq!(
        moto().calls(region, "GetMetricData") - metrics_before,
        1,
        "{:?}",
        moto().calls_in(region)
    );
    let chatbot = &watched.metrics[&key("prod-web", "chatbot-api")];
    let values: Vec<f64> = chatbot.series[&MetricKind::MemoryMaximum]
        .iter()
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(values, vec![71.0, 85.0, 97.0, 100.0], "oldest first");
    assert_eq!(chatbot.summary(now).memory_percent.unwrap().max, 100.0);
    assert!(
        !watched.metrics.contains_key(&key("fleet", "svc-03")),
        "no data, no metrics: never invented"
    );

    // The target group's targets, with their states.
    let targets = monitoring.target_health(&tg).await.unwrap();
    assert_eq!(targets.len(), 2);
    let mut ids: Vec<&str> = targets.iter().map(|t| t.target.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["10.0.0.11", "10.0.1.12"]);
    assert!(targets
        .iter()
        .all(|t| t.port == Some(8080) && !t.state.is_empty()));
    let groups = monitoring
        .target_groups(std::slice::from_ref(&tg))
        .await
        .unwrap();
    assert_eq!(groups[0].load_balancer_arns, vec![lb.clone()]);
}

#[tokio::test]
async fn an_unhealthy_target_says_why() {
    let region = fresh_region();
    let config = moto_config(region).await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpc = vpc(&ec2, "10.1.0.0/16").await;
    let instance = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap()
        .instances()[0]
        .instance_id()
        .unwrap()
        .to_string();
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let tg = elb
        .create_target_group()
        .name("legacy-api")
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    elb.register_targets()
        .target_group_arn(&tg)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id(&instance)
                .port(80)
                .build(),
        )
        .send()
        .await
        .unwrap();
    ec2.stop_instances()
        .instance_ids(&instance)
        .send()
        .await
        .unwrap();
    let monitoring = AwsMonitoring::new(&config, None);
    let targets = monitoring.target_health(&tg).await.unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].target, instance);
    assert_eq!(targets[0].state, "unused");
    assert_eq!(targets[0].reason.as_deref(), Some("Target.InvalidState"));
    assert_eq!(
        targets[0].description.as_deref(),
        Some("Target is in the stopped state")
    );
    // A target group that is gone is an error naming it.
    let gone = monitoring
        .target_health(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0000000000000000",
        )
        .await;
    assert!(gone.is_err(), "{gone:?}");
}
