//! The AWS adapter against moto over HTTP, with the real SDK clients: paging
//! to the end, batching, caching, write calls, and error mapping.

use crate::support::{fresh_region, moto};
use triage::aws::{AwsAccount, Connection};
use triage::domain::ports::{EcsPort, ServiceChange};
use triage::domain::PortError;
use triage::settings::AwsTuning;

async fn sdk_config(region: &str, endpoint: &str) -> aws_config::SdkConfig {
    crate::support::config_for(region, endpoint).await
}

fn connection(region: &str, endpoint: &str) -> Connection {
    Connection {
        profile: Some("test-profile".into()),
        region: Some(region.into()),
        endpoint_url: Some(endpoint.into()),
        tuning: AwsTuning {
            ecs_reads_per_second: 500.0,
            ecs_burst: 500,
            ..AwsTuning::default()
        },
    }
}

async fn account(region: &str) -> AwsAccount {
    let endpoint = &moto().endpoint;
    AwsAccount::with_config(
        &sdk_config(region, endpoint).await,
        &connection(region, endpoint),
    )
}

/// A cluster with `count` services on one task definition, made with the SDK directly.
async fn seed_cluster(region: &str, cluster: &str, count: usize) -> aws_sdk_ecs::Client {
    let ecs = aws_sdk_ecs::Client::new(&sdk_config(region, &moto().endpoint).await);
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let container = crate::support::api_container("v1");
    for revision in 0..2 {
        let _ = revision;
        ecs.register_task_definition()
            .family("api")
            .container_definitions(container.clone())
            .send()
            .await
            .unwrap();
    }
    for i in 0..count {
        ecs.create_service()
            .cluster(cluster)
            .service_name(format!("svc-{i:02}"))
            .task_definition("api:2")
            .desired_count(2)
            .send()
            .await
            .unwrap();
    }
    ecs
}

#[tokio::test]
async fn a_cluster_of_25_services_shows_25_with_describes_batched_by_10() {
    let region = fresh_region();
    seed_cluster(region, "prod", 25).await;
    let account = account(region).await;

    let services = account.services("prod").await.unwrap();

    assert_eq!(services.len(), 25);
    let mut names: Vec<_> = services.iter().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 25, "every service once");
    assert!(services
        .iter()
        .all(|s| s.cluster == "prod" && s.desired == 2));
    // moto pages ListServices by 10 here (as AWS may): 10 + 10 + 5.
    assert_eq!(moto().calls(region, "ListServices"), 3);
    // DescribeServices takes 10 at a time: 10 + 10 + 5.
    assert_eq!(moto().calls(region, "DescribeServices"), 3);
    let primary = services[0].primary().expect("a primary deployment");
    assert!(primary.task_definition.ends_with("task-definition/api:2"));
}

#[tokio::test]
async fn clusters_are_listed_to_the_end() {
    let region = fresh_region();
    let ecs = aws_sdk_ecs::Client::new(&sdk_config(region, &moto().endpoint).await);
    for i in 0..23 {
        ecs.create_cluster()
            .cluster_name(format!("c{i:02}"))
            .send()
            .await
            .unwrap();
    }
    let clusters = account(region).await.clusters().await.unwrap();
    assert_eq!(clusters.len(), 23);
    assert_eq!(clusters[0], "c00");
    assert_eq!(moto().calls(region, "ListClusters"), 3);
}

#[tokio::test]
async fn task_definitions_are_described_once_then_cached() {
    let region = fresh_region();
    seed_cluster(region, "prod", 1).await;
    let account = account(region).await;
    let arn = account.services("prod").await.unwrap()[0]
        .task_definition
        .clone();
    let first = account.task_definition(&arn).await.unwrap();
    let second = account.task_definition(&arn).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.family, "api");
    assert_eq!(first.revision, 2);
    assert_eq!(first.containers[0].log_group.as_deref(), Some("/ecs/api"));
    assert_eq!(moto().calls(region, "DescribeTaskDefinition"), 1);
}

#[tokio::test]
async fn update_service_changes_desired_count_and_revision() {
    let region = fresh_region();
    seed_cluster(region, "prod", 1).await;
    let account = account(region).await;
    let updated = account
        .update_service(
            "prod",
            "svc-00",
            ServiceChange {
                desired_count: Some(5),
                task_definition: Some("api:1".into()),
                force_new_deployment: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.desired, 5);
    let service = account.service("prod", "svc-00").await.unwrap();
    assert_eq!(service.desired, 5);
    assert!(
        service.task_definition.ends_with("api:1"),
        "{}",
        service.task_definition
    );
}

#[tokio::test]
async fn read_only_refuses_writes_before_they_reach_aws() {
    let region = fresh_region();
    seed_cluster(region, "prod", 1).await;
    let account = triage::domain::ports::ReadOnly(account(region).await);
    let err = account
        .update_service(
            "prod",
            "svc-00",
            ServiceChange {
                desired_count: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PortError::ReadOnly { .. }));
    assert_eq!(moto().calls(region, "UpdateService"), 0);
    assert_eq!(account.service("prod", "svc-00").await.unwrap().desired, 2);
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_and_counted() {
    let region = fresh_region();
    seed_cluster(region, "prod", 3).await;
    moto().fail(region, "DescribeServices", "ThrottlingException", 2);
    let account = account(region).await;
    let services = account.services("prod").await.unwrap();
    assert_eq!(services.len(), 3);
    assert_eq!(account.throttled_calls(), 2);
    assert_eq!(moto().calls(region, "DescribeServices"), 3);
}

#[tokio::test]
async fn persistent_throttling_gives_up_with_a_throttled_error() {
    let region = fresh_region();
    seed_cluster(region, "prod", 1).await;
    moto().fail(region, "ListServices", "ThrottlingException", 50);
    let endpoint = &moto().endpoint;
    let mut conn = connection(region, endpoint);
    conn.tuning.throttle_retries = 2;
    let account = AwsAccount::with_config(&sdk_config(region, endpoint).await, &conn);
    let err = account.services("prod").await.unwrap_err();
    assert!(matches!(err, PortError::Throttled { .. }), "{err:?}");
    assert_eq!(moto().calls(region, "ListServices"), 3);
}

#[tokio::test]
async fn errors_map_to_kinds_with_advice() {
    let region = fresh_region();
    seed_cluster(region, "prod", 1).await;
    let account = account(region).await;

    moto().fail(region, "ListClusters", "AccessDeniedException", 1);
    let err = account.clusters().await.unwrap_err();
    assert!(matches!(err, PortError::AccessDenied { .. }), "{err:?}");
    assert!(err.to_string().contains("ListClusters"));

    moto().fail(region, "ListClusters", "ExpiredTokenException", 1);
    let err = account.clusters().await.unwrap_err();
    assert!(
        matches!(err, PortError::ExpiredCredentials { .. }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("aws sso login --profile test-profile"));

    moto().fail(region, "GetCallerIdentity", "InvalidClientTokenId", 1);
    let err = account.identity().await.unwrap_err();
    assert!(
        matches!(err, PortError::InvalidCredentials { .. }),
        "{err:?}"
    );

    let err = account
        .service("prod", "no-such-service")
        .await
        .unwrap_err();
    assert!(matches!(err, PortError::NotFound { .. }), "{err:?}");

    let err = account.services("no-such-cluster").await.unwrap_err();
    assert!(matches!(err, PortError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn identity_comes_from_sts() {
    let region = fresh_region();
    let id = account(region).await.identity().await.unwrap();
    assert_eq!(id.account.as_deref(), Some("123456789012"));
    assert_eq!(id.region, region);
    assert!(!id.demo);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_reported_as_such() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let region = "us-east-1";
    let account = AwsAccount::with_config(
        &sdk_config(region, &endpoint).await,
        &connection(region, &endpoint),
    );
    let err = account.clusters().await.unwrap_err();
    assert!(matches!(err, PortError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&endpoint));
}
