//! The service-detail job: one service with its running and recently stopped
//! tasks and its task definition.

use crate::domain::ports::EcsPort;
use crate::domain::service::ServiceKey;
use crate::domain::snapshot::ServiceDetail;
use crate::domain::task::TaskState;
use crate::domain::PortError;

pub async fn fetch_detail(ecs: &dyn EcsPort, key: &ServiceKey) -> Result<ServiceDetail, PortError> {
    let service = ecs.service(&key.cluster, &key.service).await?;
    let (running, stopped, task_definition) = futures::join!(
        ecs.tasks(&key.cluster, &key.service, TaskState::Running),
        ecs.tasks(&key.cluster, &key.service, TaskState::Stopped),
        ecs.task_definition(&service.task_definition),
    );
    Ok(ServiceDetail {
        running: running?,
        stopped: stopped?,
        // The task definition is a nicety: its absence must not hide the rest.
        task_definition: task_definition.ok(),
        service,
    })
}
