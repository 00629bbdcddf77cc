//! `/connectors/{c}/topics[/reset]` and `/connectors/{c}/offsets`.

use axum::http::StatusCode;
use serde_json::json;

use super::memory_herder::MemoryHerder;
use super::support::Api;

const NO_OFFSETS: &str = "Partitions / offsets need to be provided for an alter offsets request";

#[tokio::test]
async fn topics_are_keyed_by_connector() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src/topics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"src": {"topics": ["t1"]}}));

    let reply = api.put("/connectors/src/topics/reset", "").await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(reply.body.is_empty());
    api.get("/connectors/nope/topics")
        .await
        .assert_error(404, "Connector nope not found");
}

#[tokio::test]
async fn topic_tracking_disabled_is_403() {
    let api = Api::with(MemoryHerder::with_topic_tracking(false));
    api.create_source("src").await;
    api.get("/connectors/src/topics")
        .await
        .assert_error(403, "Topic tracking is disabled.");
    api.put("/connectors/src/topics/reset", "")
        .await
        .assert_error(403, "Topic tracking is disabled.");
}

#[tokio::test]
async fn offsets_round_trip_once_stopped() {
    let api = Api::new();
    api.create_source("src").await;
    let reply = api.get("/connectors/src/offsets").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"offsets": []}));

    let offsets = json!({"offsets": [
        {"partition": {"filename": "/tmp/in"}, "offset": {"position": 42}},
        {"partition": {"filename": "/tmp/other"}, "offset": null}
    ]});
    // Running connectors cannot have their offsets altered.
    api.patch("/connectors/src/offsets", &offsets.to_string())
        .await
        .assert_error(
            400,
            "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint",
        );

    assert_eq!(
        api.put("/connectors/src/stop", "").await.status,
        StatusCode::NO_CONTENT
    );
    let reply = api
        .patch("/connectors/src/offsets", &offsets.to_string())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"message": "The offsets for this connector have been altered successfully"})
    );
    assert_eq!(api.get("/connectors/src/offsets").await.json(), offsets);

    let reply = api.delete("/connectors/src/offsets").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"message": "The offsets for this connector have been reset successfully"})
    );
    assert_eq!(
        api.get("/connectors/src/offsets").await.json(),
        json!({"offsets": []})
    );
}

#[tokio::test]
async fn altering_without_offsets_is_400() {
    let api = Api::new();
    api.create_source("src").await;
    api.put("/connectors/src/stop", "").await;
    for body in [r#"{"offsets": []}"#, "{}", r#"{"offsets": null}"#, ""] {
        api.patch("/connectors/src/offsets", body)
            .await
            .assert_error(400, NO_OFFSETS);
    }
    api.patch("/connectors/src/offsets", r#"{"offsets": 3}"#)
        .await
        .assert_error(400, "\"offsets\" must be an array, not a number");
    let reply = api
        .patch(
            "/connectors/src/offsets",
            r#"{"offsets": [{"offset": {}}]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("Invalid offsets in request body: "),
        "{message}"
    );
}

#[tokio::test]
async fn offsets_of_unknown_connector_are_404() {
    let api = Api::new();
    api.get("/connectors/nope/offsets")
        .await
        .assert_error(404, "Connector nope not found");
    api.delete("/connectors/nope/offsets")
        .await
        .assert_error(404, "Connector nope not found");
    let offsets = json!({"offsets": [{"partition": {"f": "x"}, "offset": null}]});
    api.patch("/connectors/nope/offsets", &offsets.to_string())
        .await
        .assert_error(404, "Connector nope not found");
}
