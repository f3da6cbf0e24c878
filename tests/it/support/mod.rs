//! Test support: moto AWS emulators provisioned and started by the tests
//! themselves (a venv under target/, created on first use), isolated between
//! tests by giving each test its own regions. Every test is in one binary,
//! and moto serves 16 regions: a test takes a block of regions of one
//! emulator (a pool, started as needed), and `moto()` is that emulator.

#![allow(dead_code)]

pub mod cli;
pub mod console;
pub mod demo;
pub mod fixtures;
pub mod security;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub struct Moto {
    pub endpoint: String,
    /// The harness exits on its own when this test binary is gone.
    _process: std::sync::Mutex<std::process::Child>,
}

/// Regions moto serves; each test takes one so tests never see each other's state.
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
];
/// Regions a test may take (a test of several pairs takes up to this many).
const BLOCK: usize = 4;
static NEXT_BLOCK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This test's block (each test runs on its own thread) and how many of
    /// its regions it has taken.
    static BLOCK_TAKEN: std::cell::Cell<Option<(usize, usize)>> = const { std::cell::Cell::new(None) };
}

/// This test's block and how many of its regions it has taken: a block is
/// taken by the test's first `fresh_region()` or `moto()`, whichever comes first.
fn block() -> (usize, usize) {
    BLOCK_TAKEN.with(|b| {
        let taken = b
            .get()
            .unwrap_or_else(|| (NEXT_BLOCK.fetch_add(1, Ordering::SeqCst), 0));
        b.set(Some(taken));
        taken
    })
}

/// A region no other test uses, on this test's emulator.
pub fn fresh_region() -> &'static str {
    let (block, taken) = block();
    assert!(taken < BLOCK, "a test takes at most {BLOCK} regions");
    BLOCK_TAKEN.with(|b| b.set(Some((block, taken + 1))));
    let per_emulator = REGIONS.len() / BLOCK;
    REGIONS[(block % per_emulator) * BLOCK + taken]
}

/// The emulator of this test's regions.
fn emulator_index() -> usize {
    block().0 / (REGIONS.len() / BLOCK)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The moto the harness is written against: 5.2.6 stopped answering
/// CloudWatch's JSON protocol, which the harness's CBOR bridge speaks to it.
pub const MOTO_VERSION: &str = "5.2.5";

/// The venv with moto, created once per machine (locked against parallel test binaries).
pub fn moto_python() -> PathBuf {
    let dir = target_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let venv = dir.join("moto-venv");
    let python = venv.join("bin/python");
    let lock = std::fs::File::create(dir.join("moto-venv.lock")).unwrap();
    lock.lock().unwrap();
    let ready = python.exists()
        && Command::new(&python)
            .args([
                "-c",
                &format!("import moto.server, werkzeug, cbor2; assert moto.__version__ == '{MOTO_VERSION}'"),
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 is needed to run moto");
        assert!(status.success(), "creating the moto venv failed");
        let status = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("moto[server]=={MOTO_VERSION}"),
                // CloudWatch's RPC v2 CBOR, translated by the harness.
                "cbor2>=5,<6",
            ])
            .status()
            .expect("pip");
        assert!(status.success(), "installing moto failed");
    }
    lock.unlock().unwrap();
    python
}

/// The emulator of this test's regions, started on first use.
pub fn moto() -> &'static Moto {
    static POOL: std::sync::Mutex<Vec<&'static OnceLock<Moto>>> = std::sync::Mutex::new(Vec::new());
    let index = emulator_index();
    let slot: &'static OnceLock<Moto> = {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        while pool.len() <= index {
            pool.push(Box::leak(Box::new(OnceLock::new())));
        }
        pool[index]
    };
    slot.get_or_init(|| {
        let python = moto_python();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/moto_harness.py");
        let mut child = Command::new(python)
            .arg(script)
            .args(["--parent-pid", &std::process::id().to_string()])
            .stdout(Stdio::piped())
            // TRIAGE_HARNESS_LOG=FILE keeps moto's own errors, to debug a test.
            .stderr(match std::env::var_os("TRIAGE_HARNESS_LOG") {
                Some(path) => Stdio::from(std::fs::File::create(path).expect("harness log")),
                None => Stdio::null(),
            })
            .spawn()
            .expect("start moto harness");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .unwrap_or_else(|| panic!("moto harness said {line:?}"));
        let endpoint = format!("http://127.0.0.1:{port}");
        // Tasks stay as they are until a test changes them (moto otherwise
        // moves a task one state on at every DescribeTasks).
        http(
            "POST",
            &format!("{endpoint}/moto-api/state-manager/set-transition"),
            Some(r#"{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}"#),
        );
        Moto {
            endpoint,
            _process: std::sync::Mutex::new(child),
        }
    })
}

impl Moto {
    /// Calls the emulator has seen in `region`, by operation.
    pub fn calls(&self, region: &str, operation: &str) -> u64 {
        let body = http("GET", &format!("{}/_triage/calls", self.endpoint), None);
        let counts: serde_json::Value = serde_json::from_str(&body).unwrap();
        counts[format!("{region} {operation}")]
            .as_u64()
            .unwrap_or(0)
    }

    /// Every call seen in `region`, by operation.
    pub fn calls_in(&self, region: &str) -> std::collections::BTreeMap<String, u64> {
        let body = http("GET", &format!("{}/_triage/calls", self.endpoint), None);
        let counts: serde_json::Value = serde_json::from_str(&body).unwrap();
        counts
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(k, v)| {
                let (r, op) = k.split_once(' ')?;
                (r == region).then(|| (op.to_string(), v.as_u64().unwrap_or(0)))
            })
            .collect()
    }

    /// Make a task STOPPED as ECS reports it: stop code, reason, and per
    /// container exit code (None = absent) and reason.
    pub fn stop_task(
        &self,
        region: &str,
        task: &str,
        stop_code: &str,
        reason: &str,
        containers: &[(Option<i32>, Option<&str>)],
        stopped_at: i64,
    ) {
        let containers: Vec<serde_json::Value> = containers
            .iter()
            .map(|(code, reason)| serde_json::json!({"exitCode": code, "reason": reason}))
            .collect();
        let body = serde_json::json!({
            "region": region, "task": task, "stopCode": stop_code, "stoppedReason": reason,
            "stoppedAt": stopped_at, "containers": containers,
        });
        let answer = http(
            "POST",
            &format!("{}/_triage/ecs/stop-task", self.endpoint),
            Some(&body.to_string()),
        );
        assert!(answer.contains("\"ok\""), "stop-task: {answer}");
    }

    /// Let a service's deployment finish (running = desired, COMPLETED), as
    /// ECS does and moto does not.
    pub fn settle(&self, region: &str, cluster: &str, service: &str) {
        let body = serde_json::json!({"region": region, "cluster": cluster, "service": service});
        let answer = http(
            "POST",
            &format!("{}/_triage/ecs/settle", self.endpoint),
            Some(&body.to_string()),
        );
        assert!(answer.contains("\"ok\""), "settle: {answer}");
    }

    /// The next `count` calls of `operation` in `region` fail with `code`.
    pub fn fail(&self, region: &str, operation: &str, code: &str, count: u32) {
        let body = serde_json::json!({
            "region": region, "operation": operation, "code": code,
            "message": format!("injected {code}"), "count": count
        });
        http(
            "POST",
            &format!("{}/_triage/faults", self.endpoint),
            Some(&body.to_string()),
        );
    }
}

/// SDK config for `region` on the emulator, with dummy static credentials and
/// no SDK retries (failures are quick and clear).
pub async fn moto_config(region: &str) -> aws_config::SdkConfig {
    config_for(region, &moto().endpoint).await
}

/// The same, for any endpoint (an unreachable one, say).
pub async fn config_for(region: &str, endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .load()
        .await
}

/// A minimal HTTP/1.1 client over a TcpStream (no extra dependency).
pub fn http(method: &str, url: &str, body: Option<&str>) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// The `api` container the AWS tests register: essential, 512 MiB, logging
/// with awslogs to `/ecs/api` (prefix `ecs`) — streams `ecs/api/<task-id>`.
pub fn api_container(tag: &str) -> aws_sdk_ecs::types::ContainerDefinition {
    aws_sdk_ecs::types::ContainerDefinition::builder()
        .name("api")
        .image(format!(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:{tag}"
        ))
        .memory(512)
        .essential(true)
        .log_configuration(
            aws_sdk_ecs::types::LogConfiguration::builder()
                .log_driver(aws_sdk_ecs::types::LogDriver::Awslogs)
                .options("awslogs-group", "/ecs/api")
                .options("awslogs-stream-prefix", "ecs")
                .build()
                .unwrap(),
        )
        .build()
}

/// A cluster `prod` with service `api` (exec on or off) and one task it runs.
pub async fn seed_exec(region: &str, exec: bool, task_exec: bool) -> String {
    let config = moto_config(region).await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    ecs.register_task_definition()
        .family("api")
        .task_role_arn("arn:aws:iam::123456789012:role/api-task")
        .container_definitions(api_container("v7"))
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster("prod")
        .service_name("api")
        .task_definition("api:1")
        .desired_count(1)
        .enable_execute_command(exec)
        .send()
        .await
        .unwrap();
    let out = ecs
        .run_task()
        .cluster("prod")
        .task_definition("api:1")
        .group("service:api")
        .enable_execute_command(task_exec)
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .send()
        .await
        .unwrap();
    out.tasks()[0].task_arn().unwrap().to_string()
}

/// A cluster holding these services (desired 0), all on `family:1`.
pub async fn seed_services(
    config: &aws_config::SdkConfig,
    cluster: &str,
    family: &str,
    services: &[&str],
) {
    let ecs = aws_sdk_ecs::Client::new(config);
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    ecs.register_task_definition()
        .family(family)
        .container_definitions(api_container("v1"))
        .send()
        .await
        .unwrap();
    for name in services {
        ecs.create_service()
            .cluster(cluster)
            .service_name(*name)
            .task_definition(format!("{family}:1"))
            .desired_count(0)
            .send()
            .await
            .unwrap();
    }
}

/// The real ECS adapter on the emulator in `region`, its budget opened wide
/// (the tests are not the account's neighbours).
pub fn ecs_account(region: &str, config: &aws_config::SdkConfig) -> triage::aws::AwsAccount {
    triage::aws::AwsAccount::with_config(
        config,
        &triage::aws::Connection {
            region: Some(region.into()),
            endpoint_url: Some(moto().endpoint.clone()),
            tuning: triage::settings::AwsTuning {
                ecs_reads_per_second: 500.0,
                ecs_burst: 500,
                ..triage::settings::AwsTuning::default()
            },
            ..triage::aws::Connection::default()
        },
    )
}

/// An alarm on a service's memory, put through the same SDK triage reads with.
pub async fn memory_alarm(
    config: &aws_config::SdkConfig,
    name: &str,
    cluster: &str,
    service: &str,
) {
    use aws_sdk_cloudwatch::types as cw;
    aws_sdk_cloudwatch::Client::new(config)
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/ECS")
        .metric_name("MemoryUtilization")
        .dimensions(
            cw::Dimension::builder()
                .name("ClusterName")
                .value(cluster)
                .build(),
        )
        .dimensions(
            cw::Dimension::builder()
                .name("ServiceName")
                .value(service)
                .build(),
        )
        .statistic(cw::Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(cw::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
}

/// A log group with one stream holding these lines (milliseconds, message).
pub async fn log_lines(
    config: &aws_config::SdkConfig,
    group: &str,
    stream: &str,
    lines: &[(i64, &str)],
) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    logs.create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap();
    let events = lines
        .iter()
        .map(|(at, message)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(*at)
                .message(*message)
                .build()
                .unwrap()
        })
        .collect();
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
}

/// An application load balancer `name` in `subnets`, a target group `group`
/// (IP targets on 8080) and a listener on :80 forwarding to it; their ARNs.
pub async fn load_balancer(
    config: &aws_config::SdkConfig,
    vpc: &str,
    subnets: Vec<String>,
    name: &str,
    group: &str,
) -> (String, String, String) {
    use aws_sdk_elasticloadbalancingv2::types as elbv2;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let lb = elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets))
        .send()
        .await
        .unwrap()
        .load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let tg = elb
        .create_target_group()
        .name(group)
        .protocol(elbv2::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc)
        .target_type(elbv2::TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    let listener = elb
        .create_listener()
        .load_balancer_arn(&lb)
        .protocol(elbv2::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            elbv2::Action::builder()
                .r#type(elbv2::ActionTypeEnum::Forward)
                .target_group_arn(&tg)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .listeners()[0]
        .listener_arn()
        .unwrap()
        .to_string();
    (lb, tg, listener)
}
