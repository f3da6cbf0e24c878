//! A demo service's starting state: its definition, deployments, running
//! tasks and the history the scenario gives it before the console opens.

use super::*;

impl Simulation {
    pub(super) fn add_service(
        &mut self,
        index: usize,
        spec: &ServiceSpec,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        // Long on purpose: a demo service's whole starting state (definition, deployments, tasks, history) written out.
        let revisions: Vec<SimRevision> = spec
            .revisions
            .iter()
            .enumerate()
            .map(|(i, r)| SimRevision {
                number: spec.first_revision + i as u32,
                image: format!("{}:{}", spec.image, r.tag),
                environment: r.environment.clone(),
                fault: r.fault,
                fault_after: r.fault_after_seconds,
            })
            .collect();
        // The revision in effect when the simulation starts: the newest one
        // deployed before then (or the first).
        let history = start;
        let mut initial = 0;
        for (i, r) in spec.revisions.iter().enumerate() {
            let at = now - Duration::minutes(i64::from(r.deployed_minutes_ago));
            if at <= history {
                initial = i;
            } else {
                self.scheduled.push((at, index, i));
            }
        }
        let deployed_at = now
            - Duration::minutes(i64::from(spec.revisions[initial].deployed_minutes_ago))
                .min(Duration::minutes(60 * 24 * 30));
        let security_groups = if spec.security_groups.is_empty() {
            vec![self.security.cluster_group(&spec.cluster)]
        } else {
            spec.security_groups.clone()
        };
        let secrets: Vec<(String, String)> = if spec.secrets.is_empty() {
            // An SSM parameter, as many services keep their database URL.
            vec![(
                "DATABASE_URL".into(),
                format!(
                    "arn:aws:ssm:{}:{}:parameter/{}/{}/database-url",
                    self.region, self.account, spec.cluster, spec.name
                ),
            )]
        } else {
            spec.secrets
                .iter()
                .filter_map(|entry| {
                    let (variable, name) = entry.split_once('=')?;
                    Some((variable.to_string(), self.security.secret_arn(name)?))
                })
                .collect()
        };
        let mut service = SimService {
            cluster: spec.cluster.clone(),
            name: spec.name.clone(),
            seed: crate::demo::security::stable(&spec.name),
            created_at: deployed_at - Duration::days(30),
            desired: spec.desired,
            capacity: spec.capacity,
            start_seconds: i64::from(spec.start_seconds.max(5)),
            launch_type: spec.launch_type.clone().unwrap_or_else(|| "FARGATE".into()),
            family: spec.name.clone(),
            container: spec.container.clone(),
            cpu: spec.cpu.clone(),
            memory: spec.memory.clone(),
            revisions,
            deployments: Vec::new(),
            tasks: Vec::new(),
            events: Vec::new(),
            recent_failures: Vec::new(),
            next_launch_at: start,
            last_throttle_event: None,
            last_capacity_event: None,
            load_balanced: spec.load_balanced,
            exec: spec.exec,
            security_groups,
            secrets,
        };
        let deployment = SimDeployment {
            id: deployment_id(&mut self.rng),
            revision: initial,
            status: DeploymentStatus::Primary,
            rollout: RolloutState::Completed,
            reason: Some("ECS deployment completed.".into()),
            created_at: deployed_at,
            updated_at: deployed_at + Duration::minutes(4),
            failed_tasks: 0,
        };
        // Tasks already running at the start, up to capacity.
        let running = spec.capacity.map_or(spec.desired, |c| c.min(spec.desired));
        for _ in 0..running {
            let started =
                deployment.updated_at - Duration::seconds(i64::from(self.rng.u32(30..200)));
            let id = task_id(&mut self.rng);
            let task = SimTask {
                seed: crate::demo::security::stable(&id),
                id,
                deployment: deployment.id.clone(),
                revision: initial,
                phase: Phase::Running,
                created_at: started - Duration::seconds(40),
                running_at: started,
                started_at: Some(started),
                dies_at: None,
                stopping_at: None,
                stopped_at: None,
                stop_code: None,
                stopped_reason: None,
                exit_code: None,
                container_reason: None,
            };
            service.tasks.push(task);
        }
        let steady = ServiceEvent {
            id: event_id(&mut self.rng),
            at: start - Duration::minutes(i64::from(self.rng.u32(1..300))),
            message: format!("(service {}) has reached a steady state.", spec.name),
        };
        service.events.push(steady);
        let (deployed, first) = (deployment.id.clone(), deployment.created_at);
        service.deployments.push(deployment);
        self.services.push(service);
        let index = self.services.len() - 1;
        self.record_deploy(index, first, &deployed, super::trail::By::Ci);
    }
}
