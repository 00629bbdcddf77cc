//! `/connectors`, `/connectors/{c}` and `/connectors/{c}/config`.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

use super::memory_herder::{SINK_CLASS, SOURCE_CLASS, WORKER_ID};
use super::support::Api;
use crate::rest::herder::TargetState;

#[tokio::test]
async fn list_is_an_array_of_names() {
    let api = Api::new();
    let reply = api.get("/connectors").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!([]));

    api.create_source("b").await;
    api.create_source("a").await;
    let reply = api.get("/connectors").await;
    assert_eq!(reply.json(), json!(["a", "b"]));
    // Jersey also serves the collection with a trailing slash.
    assert_eq!(api.get("/connectors/").await.json(), json!(["a", "b"]));
}

#[tokio::test]
async fn list_expands_status_and_info() {
    let api = Api::new();
    api.create_source("src").await;

    let reply = api.get("/connectors?expand=status").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"src": {"status": {
            "name": "src",
            "connector": {"state": "RUNNING", "worker_id": WORKER_ID},
            "tasks": [{"id": 0, "state": "RUNNING", "worker_id": WORKER_ID}],
            "type": "source"
        }}})
    );

    let reply = api.get("/connectors?expand=info&expand=status").await;
    let body = reply.json();
    assert_eq!(body["src"]["info"]["name"], "src");
    assert_eq!(
        body["src"]["info"]["tasks"],
        json!([{"connector": "src", "task": 0}])
    );
    assert_eq!(body["src"]["status"]["connector"]["state"], "RUNNING");
    assert_eq!(body["src"].as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn list_with_unknown_expansion_gives_empty_objects() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors?expand=bogus").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"src": {}}));
}

#[tokio::test]
async fn create_answers_201_with_location_and_info() {
    let api = Api::new();
    let body =
        json!({"name": "src", "config": {"connector.class": SOURCE_CLASS, "tasks.max": "2"}});
    let reply = api.post("/connectors", &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header(header::LOCATION), Some("/connectors/src"));
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_eq!(
        reply.json(),
        json!({
            "name": "src",
            "config": {"connector.class": SOURCE_CLASS, "tasks.max": "2", "name": "src"},
            "tasks": [{"connector": "src", "task": 0}, {"connector": "src", "task": 1}],
            "type": "source"
        })
    );
    assert_eq!(api.herder.target_of("src"), Some(TargetState::Started));
}

#[tokio::test]
async fn create_accepts_an_explicit_json_content_type() {
    let api = Api::new();
    let body = json!({"name": "sink", "config": {"connector.class": SINK_CLASS}});
    let request = Request::builder()
        .method(Method::POST)
        .uri("/connectors")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = api.send_request(request).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.json()["type"], "sink");
}

#[tokio::test]
async fn create_trims_the_name_and_fills_config_name() {
    let api = Api::new();
    let body = json!({"name": "  spaced  ", "config": {"connector.class": SOURCE_CLASS}});
    let reply = api.post("/connectors", &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header(header::LOCATION), Some("/connectors/spaced"));
    assert_eq!(reply.json()["name"], "spaced");
    assert_eq!(api.herder.config_of("spaced").unwrap()["name"], "spaced");
}

#[tokio::test]
async fn create_percent_encodes_the_location_and_paths_are_decoded() {
    let api = Api::new();
    let body = json!({"name": "my conn", "config": {"connector.class": SOURCE_CLASS}});
    let reply = api.post("/connectors", &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(
        reply.header(header::LOCATION),
        Some("/connectors/my%20conn")
    );

    let reply = api.get("/connectors/my%20conn").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["name"], "my conn");
}

#[tokio::test]
async fn create_rejects_a_mismatched_config_name() {
    let api = Api::new();
    let body = json!({"name": "a", "config": {"connector.class": SOURCE_CLASS, "name": "b"}});
    let reply = api.post("/connectors", &body.to_string()).await;
    reply.assert_error(
        400,
        "Connector name configuration (b) doesn't match connector name in the URL (a)",
    );
    assert!(api.herder.config_of("a").is_none());
}

#[tokio::test]
async fn create_twice_is_a_conflict() {
    let api = Api::new();
    api.create_source("src").await;
    let body = json!({"name": "src", "config": {"connector.class": SOURCE_CLASS}});
    let reply = api.post("/connectors", &body.to_string()).await;
    reply.assert_error(409, "Connector src already exists");
}

#[tokio::test]
async fn create_maps_initial_state_case_insensitively() {
    let api = Api::new();
    for (name, state, expected) in [
        ("p", "paused", TargetState::Paused),
        ("s", "Stopped", TargetState::Stopped),
        ("r", "RUNNING", TargetState::Started),
    ] {
        let body = json!({"name": name, "config": {"connector.class": SOURCE_CLASS}, "initial_state": state});
        let reply = api.post("/connectors", &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{state}");
        assert_eq!(api.herder.target_of(name), Some(expected), "{state}");
    }
    let body =
        json!({"name": "n", "config": {"connector.class": SOURCE_CLASS}, "initial_state": null});
    assert_eq!(
        api.post("/connectors", &body.to_string()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(api.herder.target_of("n"), Some(TargetState::Started));
}

#[tokio::test]
async fn create_rejects_an_invalid_initial_state() {
    let api = Api::new();
    let body = json!({"name": "x", "config": {"connector.class": SOURCE_CLASS}, "initial_state": "STARTED"});
    let reply = api.post("/connectors", &body.to_string()).await;
    reply.assert_error(
        400,
        "Invalid initial_state \"STARTED\": must be one of RUNNING, PAUSED or STOPPED",
    );
    assert!(api.herder.config_of("x").is_none());
}

#[tokio::test]
async fn create_passes_config_validation_errors_through() {
    let api = Api::new();
    let body = json!({"name": "x", "config": {"connector.class": SOURCE_CLASS, "file": null}});
    let reply = api.post("/connectors", &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with(
            "Connector configuration is invalid and contains the following 1 error(s):\nNull value"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn create_coerces_scalar_config_values_to_strings() {
    let api = Api::new();
    let body =
        r#"{"name":"x","config":{"connector.class":"FileStreamSource","tasks.max":3,"flag":true}}"#;
    let reply = api.post("/connectors", body).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let config = api.herder.config_of("x").unwrap();
    assert_eq!(config["tasks.max"], "3");
    assert_eq!(config["flag"], "true");
}

#[tokio::test]
async fn create_rejects_bad_bodies_with_400() {
    let api = Api::new();
    let malformed = api.post("/connectors", "{\"name\": ").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let message = malformed.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("Malformed JSON in request body: "),
        "{message}"
    );

    api.post("/connectors", "[1, 2]")
        .await
        .assert_error(400, "Request body must be a JSON object, not an array");
    api.post("/connectors", "")
        .await
        .assert_error(400, "Request body must be a JSON object, but it is empty");
    api.post("/connectors", r#"{"config": {}}"#)
        .await
        .assert_error(
            400,
            "Connector name must be provided in the request body (\"name\")",
        );
    api.post("/connectors", r#"{"name": 5, "config": {}}"#)
        .await
        .assert_error(
            400,
            "Connector name (\"name\") must be a string, not a number",
        );
    api.post("/connectors", r#"{"name": "x"}"#)
        .await
        .assert_error(
            400,
            "Connector config must be provided in the request body (\"config\")",
        );
    api.post("/connectors", r#"{"name": "x", "config": "a=b"}"#)
        .await
        .assert_error(
            400,
            "Connector config (\"config\") must be a JSON object, not a string",
        );
    api.post(
        "/connectors",
        r#"{"name": "x", "config": {"topics": ["a"]}}"#,
    )
    .await
    .assert_error(
        400,
        "Configuration value for \"topics\" must be a string, not an array",
    );
    assert!(api.herder.config_of("x").is_none());
}

#[tokio::test]
async fn get_info_and_config() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "name": "src",
            "config": {"connector.class": SOURCE_CLASS, "tasks.max": "1", "topic": "t1", "file": "/tmp/in", "name": "src"},
            "tasks": [{"connector": "src", "task": 0}],
            "type": "source"
        })
    );
    let reply = api.get("/connectors/src/config").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"connector.class": SOURCE_CLASS, "tasks.max": "1", "topic": "t1", "file": "/tmp/in", "name": "src"})
    );

    api.get("/connectors/nope")
        .await
        .assert_error(404, "Connector nope not found");
    api.get("/connectors/nope/config")
        .await
        .assert_error(404, "Connector nope not found");
}

#[tokio::test]
async fn put_config_creates_then_updates() {
    let api = Api::new();
    let config = json!({"connector.class": SOURCE_CLASS, "tasks.max": "1"}).to_string();
    let reply = api.put("/connectors/src/config", &config).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header(header::LOCATION), Some("/connectors/src"));
    assert_eq!(reply.json()["config"]["name"], "src");

    let config =
        json!({"connector.class": SOURCE_CLASS, "tasks.max": "2", "name": "src"}).to_string();
    let reply = api.put("/connectors/src/config", &config).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::LOCATION), None);
    assert_eq!(reply.json()["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(api.herder.config_of("src").unwrap()["tasks.max"], "2");
}

#[tokio::test]
async fn put_config_rejects_a_mismatched_name_and_non_objects() {
    let api = Api::new();
    let config = json!({"connector.class": SOURCE_CLASS, "name": "other"}).to_string();
    api.put("/connectors/src/config", &config)
        .await
        .assert_error(
            400,
            "Connector name configuration (other) doesn't match connector name in the URL (src)",
        );
    let config = json!({"connector.class": SOURCE_CLASS, "name": null}).to_string();
    api.put("/connectors/src/config", &config)
        .await
        .assert_error(
            400,
            "Connector name configuration (null) doesn't match connector name in the URL (src)",
        );
    api.put("/connectors/src/config", "\"x\"")
        .await
        .assert_error(400, "Request body must be a JSON object, not a string");
    assert!(api.herder.config_of("src").is_none());
}

#[tokio::test]
async fn patch_config_merges_and_removes_nulls() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api
        .patch(
            "/connectors/src/config",
            r#"{"tasks.max": "4", "topic": null}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["config"]["tasks.max"], "4");
    assert!(body["config"].get("topic").is_none());
    assert_eq!(body["tasks"].as_array().unwrap().len(), 4);

    api.patch("/connectors/nope/config", r#"{"a": "b"}"#)
        .await
        .assert_error(404, "Connector nope not found");
}

#[tokio::test]
async fn delete_answers_204_then_404() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.delete("/connectors/src").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    assert!(api.herder.config_of("src").is_none());
    api.delete("/connectors/src")
        .await
        .assert_error(404, "Connector src not found");
}
