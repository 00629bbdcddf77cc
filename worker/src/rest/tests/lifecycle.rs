//! Status, tasks, restarts, pause/resume/stop.

use axum::http::StatusCode;
use serde_json::json;

use super::memory_herder::{SOURCE_CLASS, WORKER_ID};
use super::support::Api;
use crate::rest::herder::TargetState;

#[tokio::test]
async fn status_has_kafkas_shape() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src/status").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "name": "src",
            "connector": {"state": "RUNNING", "worker_id": WORKER_ID},
            "tasks": [{"id": 0, "state": "RUNNING", "worker_id": WORKER_ID}],
            "type": "source"
        })
    );
    api.get("/connectors/nope/status")
        .await
        .assert_error(404, "No status found for connector nope");
}

#[tokio::test]
async fn status_includes_the_trace_of_a_failed_connector() {
    let api = Api::new();
    let body =
        json!({"name": "bad", "config": {"connector.class": SOURCE_CLASS, "test.fail": "true"}});
    assert_eq!(
        api.post("/connectors", &body.to_string()).await.status,
        StatusCode::CREATED
    );
    let body = api.get("/connectors/bad/status").await.json();
    assert_eq!(body["connector"]["state"], "FAILED");
    assert_eq!(
        body["connector"]["trace"],
        "java.lang.RuntimeException: boom"
    );
}

#[tokio::test]
async fn tasks_and_deprecated_tasks_config() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src/tasks").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(body[0]["id"], json!({"connector": "src", "task": 0}));
    assert_eq!(body[0]["config"]["task.class"], "FileStreamSourceTask");

    let reply = api.get("/connectors/src/tasks-config").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(body["src-0"]["task.class"], "FileStreamSourceTask");
    assert_eq!(body["src-0"]["topic"], "t1");

    api.get("/connectors/nope/tasks")
        .await
        .assert_error(404, "Connector nope not found");
    api.get("/connectors/nope/tasks-config")
        .await
        .assert_error(404, "Connector nope not found");
}

#[tokio::test]
async fn task_status_by_id() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src/tasks/0/status").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"id": 0, "state": "RUNNING", "worker_id": WORKER_ID})
    );
    api.get("/connectors/src/tasks/7/status")
        .await
        .assert_error(404, "No status found for task src-7");
}

#[tokio::test]
async fn non_numeric_task_ids_are_404_as_in_jersey() {
    let api = Api::new();
    api.create_source("src").await;
    for id in ["abc", "-1", "1.5", "99999999999"] {
        api.get(&format!("/connectors/src/tasks/{id}/status"))
            .await
            .assert_error(404, "HTTP 404 Not Found");
        api.post(&format!("/connectors/src/tasks/{id}/restart"), "")
            .await
            .assert_error(404, "HTTP 404 Not Found");
    }
}

#[tokio::test]
async fn restart_task_answers_204() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.post("/connectors/src/tasks/0/restart", "").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    api.post("/connectors/src/tasks/3/restart", "")
        .await
        .assert_error(404, "Task src-3 not found");
}

#[tokio::test]
async fn plain_restart_answers_204() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.post("/connectors/src/restart", "").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    // Jersey's Boolean binding: anything but "true" is false.
    let reply = api
        .post("/connectors/src/restart?includeTasks=yes", "")
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    api.post("/connectors/nope/restart", "")
        .await
        .assert_error(404, "Connector nope not found");
}

#[tokio::test]
async fn restart_with_tasks_answers_202_with_restarting_status() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api
        .post(
            "/connectors/src/restart?includeTasks=TRUE&onlyFailed=false",
            "",
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(
        reply.json(),
        json!({
            "name": "src",
            "connector": {"state": "RESTARTING", "worker_id": WORKER_ID},
            "tasks": [{"id": 0, "state": "RESTARTING", "worker_id": WORKER_ID}],
            "type": "source"
        })
    );

    // onlyFailed on a healthy connector: nothing restarts, but the answer is still 202 with a body.
    let reply = api
        .post("/connectors/src/restart?onlyFailed=true", "")
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.json()["connector"]["state"], "RUNNING");
}

#[tokio::test]
async fn pause_resume_and_stop() {
    let api = Api::new();
    api.create_source("src").await;

    let reply = api.put("/connectors/src/pause", "").await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(reply.body.is_empty());
    assert_eq!(api.herder.target_of("src"), Some(TargetState::Paused));
    let status = api.get("/connectors/src/status").await.json();
    assert_eq!(status["connector"]["state"], "PAUSED");

    let reply = api.put("/connectors/src/resume", "").await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(api.herder.target_of("src"), Some(TargetState::Started));

    let reply = api.put("/connectors/src/stop", "").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    let status = api.get("/connectors/src/status").await.json();
    assert_eq!(status["connector"]["state"], "STOPPED");
    assert_eq!(status["tasks"], json!([]));

    api.put("/connectors/nope/pause", "")
        .await
        .assert_error(404, "Unknown connector nope");
    api.put("/connectors/nope/resume", "")
        .await
        .assert_error(404, "Unknown connector nope");
    api.put("/connectors/nope/stop", "")
        .await
        .assert_error(404, "Connector nope not found");
}
