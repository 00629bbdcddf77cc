//! Status, tasks and state changes of one connector: `/status`, `/tasks...`, `/restart`, `/pause`,
//! `/resume`, `/stop`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::ApiResult;
use super::herder::Herder;
use super::params::{task_id, PathParams, QueryParams};

/// `GET /connectors/{c}/status`.
pub async fn status(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.connector_status(&connector).await?).into_response())
}

/// `GET /connectors/{c}/tasks`: `[TaskInfo]`.
pub async fn tasks(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    Ok(Json(herder.task_configs(&connector).await?).into_response())
}

/// `GET /connectors/{c}/tasks-config` (deprecated in Kafka): `{"<c>-<t>": {config}}`, keyed by the
/// task id's string form.
pub async fn tasks_config(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Response> {
    let by_id: BTreeMap<String, _> = herder
        .task_configs(&connector)
        .await?
        .into_iter()
        .map(|task| {
            (
                format!("{}-{}", task.id.connector, task.id.task),
                task.config,
            )
        })
        .collect();
    Ok(Json(by_id).into_response())
}

/// `GET /connectors/{c}/tasks/{t}/status`.
pub async fn task_status(
    State(herder): State<Arc<dyn Herder>>,
    PathParams((connector, task)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let task = task_id(&task)?;
    Ok(Json(herder.task_status(&connector, task).await?).into_response())
}

/// `POST /connectors/{c}/tasks/{t}/restart` → 204.
pub async fn restart_task(
    State(herder): State<Arc<dyn Herder>>,
    PathParams((connector, task)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    let task = task_id(&task)?;
    herder.restart_task(&connector, task).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /connectors/{c}/restart?includeTasks=&onlyFailed=`: 204 for a plain connector restart, 202
/// with the status showing what is being restarted otherwise.
pub async fn restart(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
    query: QueryParams,
) -> ApiResult<Response> {
    let include_tasks = query.boolean("includeTasks", false);
    let only_failed = query.boolean("onlyFailed", false);
    let restarting = herder
        .restart_connector(&connector, include_tasks, only_failed)
        .await?;
    Ok(match restarting {
        Some(status) => (StatusCode::ACCEPTED, Json(status)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `PUT /connectors/{c}/pause` → 202.
pub async fn pause(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    herder.pause_connector(&connector).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{c}/resume` → 202.
pub async fn resume(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    herder.resume_connector(&connector).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{c}/stop` → 204.
pub async fn stop(
    State(herder): State<Arc<dyn Herder>>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    herder.stop_connector(&connector).await?;
    Ok(StatusCode::NO_CONTENT)
}
