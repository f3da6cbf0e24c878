//! The simulated account: ECS services that launch tasks, roll out
//! deployments, run out of memory, run short of capacity and write the events
//! ECS writes. Time only moves when [`Simulation::advance_to`] is called, in
//! fixed steps, so a run is reproducible from its seed. What the ports read
//! is in `reads`, the container logs in `logs`, the writes in `writes`, a
//! service's starting state in `setup`.

mod exec;
mod flows;
mod logs;
mod network;
mod reads;
mod setup;
mod traces;
pub(crate) mod trail;
mod watch;
mod writes;

use crate::demo::scenario::{Fault, Scenario, ServiceSpec};
use crate::demo::security::SimSecurity;
use crate::domain::service::{DeploymentStatus, RolloutState, ServiceEvent};
use chrono::{DateTime, Duration, Utc};

/// One simulation step.
const STEP_SECONDS: i64 = 5;
/// ECS keeps stopped tasks for about an hour.
const STOPPED_TASK_RETENTION_MINUTES: i64 = 60;
/// ECS keeps the latest 100 events of a service.
const EVENT_LIMIT: usize = 100;
/// Seconds a task needs to stop after SIGTERM during a replacement.
const DRAIN_SECONDS: i64 = 30;

pub(crate) struct Simulation {
    pub now: DateTime<Utc>,
    rng: fastrand::Rng,
    account: String,
    region: String,
    clusters: Vec<String>,
    services: Vec<SimService>,
    /// Deployments the scenario makes happen at a given time.
    scheduled: Vec<(DateTime<Utc>, usize, usize)>,
    /// Security groups, secrets and the compromised service.
    pub security: SimSecurity,
    /// Requests crossing services, and when the console opened (the anchor
    /// of the scenario's failing request).
    requests: Option<crate::demo::requests::RequestSpec>,
    seed: u64,
    opened_at: DateTime<Utc>,
    /// The scenario's CloudWatch alarms.
    alarms: Vec<crate::demo::scenario::AlarmSpec>,
    /// Where the simulated history begins (before it, services ran steadily).
    history_start: DateTime<Utc>,
    /// VPC flow logs made by steps, and the log groups made for them.
    flow_logs: Vec<flows::SimFlowLog>,
    log_groups: Vec<String>,
    /// Write events of the console's and runbooks' calls (deploys and ECS's
    /// network interfaces are read from the deployments and tasks).
    trail: Vec<crate::domain::changes::TrailEvent>,
}

struct SimService {
    cluster: String,
    name: String,
    /// `stable(name)`, kept: the metrics hash it for every point.
    seed: u64,
    created_at: DateTime<Utc>,
    desired: u32,
    capacity: Option<u32>,
    start_seconds: i64,
    launch_type: String,
    family: String,
    container: String,
    cpu: String,
    memory: String,
    revisions: Vec<SimRevision>,
    deployments: Vec<SimDeployment>,
    tasks: Vec<SimTask>,
    events: Vec<ServiceEvent>,
    recent_failures: Vec<DateTime<Utc>>,
    next_launch_at: DateTime<Utc>,
    last_throttle_event: Option<DateTime<Utc>>,
    last_capacity_event: Option<DateTime<Utc>>,
    /// Behind the cluster's load balancer, with a target group of its own.
    load_balanced: bool,
    /// ECS Exec on the service (and so on its tasks).
    exec: bool,
    /// Its tasks' security groups.
    security_groups: Vec<String>,
    /// The secrets its task definition reads: (variable, valueFrom).
    secrets: Vec<(String, String)>,
}

struct SimRevision {
    number: u32,
    image: String,
    environment: Vec<String>,
    fault: Fault,
    fault_after: [u32; 2],
}

struct SimDeployment {
    id: String,
    revision: usize,
    status: DeploymentStatus,
    rollout: RolloutState,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    failed_tasks: u32,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Phase {
    Provisioning,
    Running,
    Stopping,
    Stopped,
}

struct SimTask {
    id: String,
    /// `stable(id)`, kept: the metrics hash it for every sample.
    seed: u64,
    deployment: String,
    revision: usize,
    phase: Phase,
    created_at: DateTime<Utc>,
    running_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    dies_at: Option<DateTime<Utc>>,
    stopping_at: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
    stop_code: Option<String>,
    stopped_reason: Option<String>,
    exit_code: Option<i32>,
    container_reason: Option<String>,
}

impl Simulation {
    /// Build the account as it was `history_minutes` before `now`, then run it up to `now`.
    pub fn new(scenario: &Scenario, now: DateTime<Utc>) -> Simulation {
        let start = now - Duration::minutes(i64::from(scenario.history_minutes));
        let mut sim = Simulation {
            now: start,
            rng: fastrand::Rng::with_seed(scenario.seed),
            account: scenario.account.clone(),
            region: scenario.region.clone(),
            clusters: scenario.clusters.iter().map(|c| c.name.clone()).collect(),
            services: Vec::new(),
            scheduled: Vec::new(),
            security: SimSecurity::new(
                &scenario.account,
                &scenario.region,
                &scenario.security_groups,
                &scenario.secrets,
                scenario.exfiltration.clone(),
                now,
            ),
            requests: scenario.requests.clone(),
            seed: scenario.seed,
            opened_at: now,
            alarms: scenario.alarms.clone(),
            history_start: start,
            flow_logs: Vec::new(),
            log_groups: Vec::new(),
            trail: Vec::new(),
        };
        for (index, spec) in scenario.services.iter().enumerate() {
            sim.add_service(index, spec, start, now);
        }
        sim.scheduled.sort_by_key(|(at, _, _)| *at);
        sim.advance_to(now);
        sim
    }

    /// Run the account forward to `to` in fixed steps.
    pub(crate) fn advance_to(&mut self, to: DateTime<Utc>) {
        // A laptop that slept for a week should not simulate the week.
        if to - self.now > Duration::hours(24) {
            self.now = to - Duration::hours(24);
        }
        while self.now + Duration::seconds(STEP_SECONDS) <= to {
            self.now += Duration::seconds(STEP_SECONDS);
            self.step();
        }
    }

    fn step(&mut self) {
        let now = self.now;
        while let Some(&(at, service, revision)) = self.scheduled.first() {
            if at > now {
                break;
            }
            self.scheduled.remove(0);
            self.deploy(service, revision, false, trail::By::Ci);
        }
        for index in 0..self.services.len() {
            self.step_service(index);
        }
    }

    fn step_service(&mut self, index: usize) {
        // Long on purpose: one simulated minute of a service, in the order ECS does it (deployments, placement, stops, events); the steps share the service's mutable state.
        let now = self.now;
        let rng = &mut self.rng;
        let s = &mut self.services[index];

        // 1. Tasks that die (OOM) or finish stopping.
        let mut stopped_ids = Vec::new();
        for task in s.tasks.iter_mut() {
            if task.phase == Phase::Running && task.dies_at.is_some_and(|d| d <= now) {
                task.phase = Phase::Stopped;
                task.stopping_at = Some(now);
                task.stopped_at = Some(now + Duration::seconds(2));
                if s.revisions[task.revision].fault == Fault::ElbHealthCheck {
                    task.stop_code = Some("ServiceSchedulerInitiated".into());
                    task.stopped_reason = Some(format!(
                        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}-tg/6d0ecf831eec9f09)",
                        self.region, self.account, s.family
                    ));
                    task.exit_code = Some(143);
                } else {
                    task.stop_code = Some("EssentialContainerExited".into());
                    task.stopped_reason = Some("Essential container in task exited".into());
                    task.exit_code = Some(137);
                    task.container_reason =
                        Some("OutOfMemoryError: Container killed due to memory usage".into());
                }
                stopped_ids.push(task.id.clone());
                if let Some(d) = s.deployments.iter_mut().find(|d| d.id == task.deployment) {
                    d.failed_tasks += 1;
                    d.updated_at = now;
                }
                s.recent_failures.push(now);
            }
            if task.phase == Phase::Stopping
                && task
                    .stopping_at
                    .is_some_and(|t| t + Duration::seconds(DRAIN_SECONDS) <= now)
            {
                task.phase = Phase::Stopped;
                task.stopped_at = Some(now);
                task.exit_code = Some(143);
            }
        }
        if !stopped_ids.is_empty() {
            push_event(s, rng, now, stopped_message(&s.name, &stopped_ids));
        }

        // 2. Provisioned tasks start running, or fail to start.
        let mut failed_to_start = Vec::new();
        for task in s.tasks.iter_mut() {
            if task.phase == Phase::Provisioning && task.running_at <= now {
                let revision = &s.revisions[task.revision];
                if let Some((reason, container_reason)) =
                    start_failure(revision, &self.account, &self.region, &s.family)
                {
                    task.phase = Phase::Stopped;
                    task.stopping_at = Some(now);
                    task.stopped_at = Some(now + Duration::seconds(1));
                    task.stop_code = Some("TaskFailedToStart".into());
                    task.stopped_reason = Some(reason);
                    task.container_reason = container_reason;
                    failed_to_start.push(task.deployment.clone());
                    continue;
                }
                task.phase = Phase::Running;
                task.started_at = Some(now);
                if matches!(revision.fault, Fault::Oom | Fault::ElbHealthCheck) {
                    let [low, high] = revision.fault_after;
                    let life = rng.u32(low..=high.max(low));
                    task.dies_at = Some(now + Duration::seconds(i64::from(life)));
                }
            }
        }
        for deployment in failed_to_start {
            if let Some(d) = s.deployments.iter_mut().find(|d| d.id == deployment) {
                d.failed_tasks += 1;
                d.updated_at = now;
            }
            s.recent_failures.push(now);
        }

        // 3. The scheduler keeps the primary deployment at the desired count.
        let Some(primary) = s
            .deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary)
        else {
            return;
        };
        let primary_id = primary.id.clone();
        let primary_revision = primary.revision;
        let live = |t: &&SimTask| matches!(t.phase, Phase::Provisioning | Phase::Running);
        let primary_live = s
            .tasks
            .iter()
            .filter(live)
            .filter(|t| t.deployment == primary_id)
            .count() as u32;
        let all_live = s.tasks.iter().filter(live).count() as u32;
        s.recent_failures
            .retain(|t| *t > now - Duration::minutes(15));

        if primary_live < s.desired {
            let throttled = s.recent_failures.len() >= 3 && now < s.next_launch_at;
            let capacity_left = s.capacity.map_or(u32::MAX, |c| c.saturating_sub(all_live));
            let room = (2 * s.desired).saturating_sub(all_live);
            let wanted = (s.desired - primary_live).min(room);
            let launch = wanted.min(capacity_left);
            if throttled {
                // waiting out ECS's restart back-off
            } else if launch > 0 {
                let mut ids = Vec::new();
                for _ in 0..launch {
                    let id = task_id(rng);
                    let jitter = i64::from(rng.u32(0..10));
                    s.tasks.push(SimTask {
                        seed: crate::demo::security::stable(&id),
                        id: id.clone(),
                        deployment: primary_id.clone(),
                        revision: primary_revision,
                        phase: Phase::Provisioning,
                        created_at: now,
                        running_at: now + Duration::seconds(s.start_seconds + jitter),
                        started_at: None,
                        dies_at: None,
                        stopping_at: None,
                        stopped_at: None,
                        stop_code: None,
                        stopped_reason: None,
                        exit_code: None,
                        container_reason: None,
                    });
                    ids.push(id);
                }
                let tasks: Vec<String> = ids.iter().map(|id| format!("(task {id})")).collect();
                let message = format!(
                    "(service {}) has started {} tasks: {}.",
                    s.name,
                    ids.len(),
                    tasks.join(" ")
                );
                push_event(s, rng, now, message);
                if s.recent_failures.len() >= 3 {
                    // ECS backs off restarts of a service whose tasks keep failing.
                    let backoff = 20 * s.recent_failures.len() as i64;
                    s.next_launch_at = now + Duration::seconds(backoff.min(300));
                    if s.last_throttle_event
                        .is_none_or(|t| now - t > Duration::minutes(10))
                    {
                        s.last_throttle_event = Some(now);
                        let message = format!(
                            "(service {}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
                            s.name
                        );
                        push_event(s, rng, now, message);
                    }
                }
            } else if wanted > 0
                && capacity_left == 0
                && s.last_capacity_event
                    .is_none_or(|t| now - t > Duration::minutes(15))
            {
                s.last_capacity_event = Some(now);
                let message = format!(
                    "(service {}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
                    s.name
                );
                push_event(s, rng, now, message);
            }
        }

        // 4. Old deployments drain as the primary's tasks come up; extra tasks scale in.
        let primary_running = s
            .tasks
            .iter()
            .filter(|t| t.deployment == primary_id && t.phase == Phase::Running)
            .count() as u32;
        let old_allowed = s.desired.saturating_sub(primary_running) as usize;
        let mut to_stop: Vec<usize> = Vec::new();
        let old: Vec<usize> = (0..s.tasks.len())
            .filter(|&i| s.tasks[i].deployment != primary_id && live(&&s.tasks[i]))
            .collect();
        if old.len() > old_allowed {
            to_stop.extend(old.iter().skip(old_allowed));
        }
        let primary_tasks: Vec<usize> = (0..s.tasks.len())
            .filter(|&i| s.tasks[i].deployment == primary_id && live(&&s.tasks[i]))
            .collect();
        if primary_tasks.len() as u32 > s.desired {
            to_stop.extend(primary_tasks.iter().skip(s.desired as usize));
        }
        if !to_stop.is_empty() {
            let mut ids = Vec::new();
            for i in to_stop {
                let task = &mut s.tasks[i];
                task.phase = Phase::Stopping;
                task.stopping_at = Some(now);
                task.dies_at = None;
                task.stop_code = Some("ServiceSchedulerInitiated".into());
                task.stopped_reason = Some(format!(
                    "Scaling activity initiated by (deployment {primary_id})"
                ));
                ids.push(task.id.clone());
            }
            push_event(s, rng, now, stopped_message(&s.name, &ids));
        }

        // 5. Deployments finish.
        let draining: Vec<String> = s
            .deployments
            .iter()
            .filter(|d| d.status != DeploymentStatus::Primary)
            .filter(|d| !s.tasks.iter().any(|t| t.deployment == d.id && live(&t)))
            .filter(|d| {
                !s.tasks
                    .iter()
                    .any(|t| t.deployment == d.id && t.phase == Phase::Stopping)
            })
            .map(|d| d.id.clone())
            .collect();
        s.deployments.retain(|d| !draining.contains(&d.id));
        let others_left = s.deployments.len() > 1;
        let primary_running_now = primary_running;
        let desired = s.desired;
        let name = s.name.clone();
        if let Some(p) = s
            .deployments
            .iter_mut()
            .find(|d| d.status == DeploymentStatus::Primary)
        {
            if p.rollout == RolloutState::InProgress
                && !others_left
                && primary_running_now >= desired
            {
                p.rollout = RolloutState::Completed;
                p.reason = Some("ECS deployment completed.".into());
                p.updated_at = now;
                let id = p.id.clone();
                push_event(
                    s,
                    rng,
                    now,
                    format!("(service {name}) (deployment {id}) deployment completed."),
                );
                push_event(
                    s,
                    rng,
                    now,
                    format!("(service {name}) has reached a steady state."),
                );
            }
        }

        // 6. ECS forgets stopped tasks after about an hour.
        s.tasks.retain(|t| {
            t.phase != Phase::Stopped
                || t.stopped_at
                    .is_none_or(|at| now - at < Duration::minutes(STOPPED_TASK_RETENTION_MINUTES))
        });
    }

    /// Start a deployment of `revision` (as UpdateService does).
    fn deploy(&mut self, service: usize, revision: usize, force: bool, by: trail::By) {
        let now = self.now;
        let id = deployment_id(&mut self.rng);
        let s = &mut self.services[service];
        let current = s
            .deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary);
        if !force && current.is_some_and(|d| d.revision == revision) {
            return;
        }
        self.security.deployed(&s.name, now);
        for d in s.deployments.iter_mut() {
            d.status = DeploymentStatus::Active;
        }
        s.deployments.insert(
            0,
            SimDeployment {
                id: id.clone(),
                revision,
                status: DeploymentStatus::Primary,
                rollout: RolloutState::InProgress,
                reason: None,
                created_at: now,
                updated_at: now,
                failed_tasks: 0,
            },
        );
        // A new task definition resets ECS's restart back-off.
        s.recent_failures.clear();
        s.next_launch_at = now;
        self.record_deploy(service, now, &id, by);
    }
}

/// Why a task of this revision fails before it runs, as ECS words it.
fn start_failure(
    revision: &SimRevision,
    account: &str,
    region: &str,
    family: &str,
) -> Option<(String, Option<String>)> {
    match revision.fault {
        Fault::ImageNotFound => {
            let reason = format!(
                "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {image}: {image}: not found",
                image = revision.image
            );
            Some((reason.clone(), Some(reason)))
        }
        Fault::SecretsAccess => Some((
            format!(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:{region}:{account}:secret:prod/{family}/api-key from secrets manager: AccessDeniedException: User: arn:aws:sts::{account}:assumed-role/ecsTaskExecutionRole/{family} is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:{region}:{account}:secret:prod/{family}/api-key"
            ),
            None,
        )),
        _ => None,
    }
}

fn push_event(s: &mut SimService, rng: &mut fastrand::Rng, at: DateTime<Utc>, message: String) {
    s.events.push(ServiceEvent {
        id: event_id(rng),
        at,
        message,
    });
    if s.events.len() > EVENT_LIMIT {
        s.events.remove(0);
    }
}

fn stopped_message(service: &str, ids: &[String]) -> String {
    let tasks: Vec<String> = ids.iter().map(|id| format!("(task {id})")).collect();
    format!(
        "(service {service}) has stopped {} running tasks: {}.",
        ids.len(),
        tasks.join(" ")
    )
}

fn task_id(rng: &mut fastrand::Rng) -> String {
    (0..32)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect()
}

fn event_id(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        rng.u16(..),
        rng.u16(..),
        rng.u64(..) & 0xffff_ffff_ffff
    )
}

fn deployment_id(rng: &mut fastrand::Rng) -> String {
    format!(
        "ecs-svc/{}",
        rng.u64(1_000_000_000_000_000_000..9_999_999_999_999_999_999)
    )
}
