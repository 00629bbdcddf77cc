//! `/connector-plugins...`.

use axum::http::StatusCode;
use serde_json::json;

use super::memory_herder::{SINK_CLASS, SOURCE_CLASS};
use super::support::Api;

#[tokio::test]
async fn list_defaults_to_connectors_only() {
    let api = Api::new();
    let reply = api.get("/connector-plugins").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!([
            {"class": SINK_CLASS, "type": "sink", "version": "0.1.0"},
            {"class": SOURCE_CLASS, "type": "source", "version": "0.1.0"}
        ])
    );
    // A blank value takes the default, as Jersey does.
    let reply = api.get("/connector-plugins/?connectorsOnly=").await;
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
    let reply = api.get("/connector-plugins?connectorsOnly=true").await;
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn list_with_connectors_only_false_includes_the_rest() {
    let api = Api::new();
    let reply = api.get("/connector-plugins?connectorsOnly=false").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body.as_array().unwrap().len(), 3);
    assert_eq!(body[2]["type"], "transformation");
}

#[tokio::test]
async fn plugin_config_lists_key_infos() {
    let api = Api::new();
    let reply = api.get("/connector-plugins/FileStreamSource/config").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body.as_array().unwrap().len(), 2);
    assert_eq!(
        body[0],
        json!({
            "name": "file", "type": "STRING", "required": false, "default_value": null,
            "importance": "HIGH", "documentation": "Source filename.", "group": null, "order": -1,
            "width": "NONE", "display_name": "file", "dependents": []
        })
    );
    api.get("/connector-plugins/Nope/config")
        .await
        .assert_error(404, "Unknown plugin Nope.");
}

#[tokio::test]
async fn validate_answers_200_even_with_errors() {
    let api = Api::new();
    let config = json!({"connector.class": SOURCE_CLASS});
    let reply = api
        .put(
            "/connector-plugins/FileStreamSourceConnector/config/validate",
            &config.to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["name"], SOURCE_CLASS);
    assert_eq!(body["error_count"], 1);
    assert_eq!(
        body["configs"][0]["value"]["errors"],
        json!(["Missing required configuration \"file\" which has no default value."])
    );

    // The alias without "Connector" and the full class name both match the included class.
    let config = json!({"connector.class": SOURCE_CLASS, "file": "/tmp/x"});
    for plugin in ["FileStreamSource", SOURCE_CLASS] {
        let reply = api
            .put(
                &format!("/connector-plugins/{plugin}/config/validate"),
                &config.to_string(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{plugin}");
        assert_eq!(reply.json()["error_count"], 0, "{plugin}");
    }
}

#[tokio::test]
async fn validate_requires_a_matching_connector_class() {
    let api = Api::new();
    api.put(
        "/connector-plugins/FileStreamSource/config/validate",
        r#"{"file": "/tmp/x", "tasks.max": 1}"#,
    )
    .await
    .assert_error(
        400,
        "Connector config {file=/tmp/x, tasks.max=1} contains no connector type",
    );
    api.put(
        "/connector-plugins/FileStreamSource/config/validate",
        r#"{"connector.class": null}"#,
    )
    .await
    .assert_error(
        400,
        "Connector config {connector.class=null} contains no connector type",
    );
    let config = json!({"connector.class": SINK_CLASS});
    api.put(
        "/connector-plugins/FileStreamSource/config/validate",
        &config.to_string(),
    )
    .await
    .assert_error(
        400,
        &format!(
            "Included connector type {SINK_CLASS} does not match request type FileStreamSource"
        ),
    );
    api.put("/connector-plugins/FileStreamSource/config/validate", "[]")
        .await
        .assert_error(400, "Request body must be a JSON object, not an array");
}
