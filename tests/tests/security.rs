//! Secured Kafka end to end: the real worker moves a file through a real broker over TLS (with a
//! client certificate) and over SASL/SCRAM on TLS, with Kafka Connect's own client keys.
//!
//! tansu cannot serve TLS itself (see `ferry_e2e::tls_proxy`), so a TLS front made from the test's
//! own certificates sits before it and the broker advertises the front's address. tansu's
//! `--authentication` offers SCRAM-SHA-256 and SCRAM-SHA-512 (PLAIN is not built into it), so those
//! two are tested here and PLAIN at the level of the rendered client settings (unit tests).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ferry_e2e::broker::TansuOptions;
use ferry_e2e::certs::TestPki;
use ferry_e2e::tls_proxy::TlsProxy;
use ferry_e2e::worker::{lines, standalone_properties, write};
use ferry_e2e::{free_port, wait_until, Tansu, Worker};

const TOPIC: &str = "secure-lines";

/// A broker behind a TLS front; the broker advertises `localhost:<front port>`.
fn secured_broker(pki: &TestPki, options: TansuOptions, client_cert: bool) -> (Tansu, TlsProxy) {
    let front = free_port();
    let broker = Tansu::start_with(TansuOptions {
        advertised_port: Some(front),
        topics: vec![(TOPIC.to_string(), 1)],
        ..options
    });
    let upstream: SocketAddr = broker.bootstrap().parse().expect("broker address");
    let proxy = TlsProxy::start(
        pki,
        SocketAddr::from(([127, 0, 0, 1], front)),
        upstream,
        client_cert,
    );
    (broker, proxy)
}

/// The file source and sink around [`TOPIC`], as `.properties` files in `dir`.
fn file_connectors(dir: &Path, sink_extra: &str) -> (String, String) {
    let source = dir.join("source.properties");
    write(
        &source,
        &format!(
            "name=secure-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic={TOPIC}\n",
            dir.join("input.txt").display()
        ),
    );
    let sink = dir.join("sink.properties");
    write(
        &sink,
        &format!(
            "name=secure-sink\nconnector.class=FileStreamSink\ntasks.max=1\nfile={}\ntopics={TOPIC}\n{sink_extra}",
            dir.join("sink.txt").display()
        ),
    );
    (source.display().to_string(), sink.display().to_string())
}

/// A PEM file's content as one properties line (its line breaks become spaces), the way inline
/// certificates usually sit in a Kafka properties file.
fn one_line(pem: &str) -> String {
    pem.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn round_trip(dir: &Path, worker: &Worker) {
    worker
        .wait_running("secure-sink", Duration::from_secs(30))
        .await;
    let sink = dir.join("sink.txt");
    wait_until(
        "the lines in the sink file",
        Duration::from_secs(60),
        || (lines(&sink) == ["first secret line", "second"]).then_some(()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_round_trip_over_mutual_tls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = TestPki::generate();
    let ca = pki.write(&d.join("certs"));
    let (_broker, proxy) = secured_broker(&pki, TansuOptions::default(), true);
    std::fs::write(d.join("input.txt"), "first secret line\nsecond\n").unwrap();
    let port = free_port();
    // The producer reads its stores from files, the consumer has them inline: both forms of
    // Kafka's PEM keys are exercised against a server that requires a client certificate.
    let worker_config = format!(
        "{}\
         producer.security.protocol=SSL\n\
         producer.ssl.truststore.type=PEM\n\
         producer.ssl.truststore.location={ca}\n\
         producer.ssl.keystore.type=PEM\n\
         producer.ssl.keystore.location={client}\n\
         consumer.security.protocol=SSL\n\
         consumer.ssl.truststore.type=PEM\n\
         consumer.ssl.truststore.certificates={ca_inline}\n\
         consumer.ssl.keystore.type=PEM\n\
         consumer.ssl.keystore.certificate.chain={chain}\n\
         consumer.ssl.keystore.key={key}\n",
        standalone_properties(
            &format!("localhost:{}", proxy.addr.port()),
            port,
            &d.join("offsets").display().to_string(),
            500
        ),
        ca = ca.display(),
        client = d.join("certs/client.pem").display(),
        ca_inline = one_line(&pki.ca.cert),
        chain = one_line(&pki.client.cert),
        key = one_line(&pki.client.key),
    );
    write(&d.join("worker.properties"), &worker_config);
    let (source, sink) = file_connectors(d, "");
    let worker = Worker::start(d, "worker", port, &["worker.properties", &source, &sink]);
    round_trip(d, &worker).await;
    assert!(
        proxy.handshakes() >= 2,
        "the producer and the consumer each completed a TLS handshake with a client certificate"
    );
}

const PROVIDERS: &str = "config.providers=file,dir,env\n\
    config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n\
    config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider\n\
    config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\n";

/// SCRAM-SHA-512 for the producer, SCRAM-SHA-256 for the consumer, each password kept out of the
/// configuration by a config provider: the worker's producer password in a properties file
/// (`${file:...}`), the sink's consumer password in a mounted-Secret-style directory (`${dir:...}`)
/// with its user name from the environment (`${env:...}`). Afterwards neither password appears in
/// the log or in any REST response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_round_trip_over_sasl_scram_on_tls_with_secrets_from_providers() {
    const ALICE_PW: &str = "alice-pw-512-Zq8";
    const BOB_PW: &str = "bob-pw-256-Kx3";
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = TestPki::generate();
    let ca = pki.write(&d.join("certs"));
    let options = TansuOptions {
        authentication: true,
        scram_users: vec![
            ("alice".into(), ALICE_PW.into(), "scram512"),
            ("bob".into(), BOB_PW.into(), "scram256"),
        ],
        ..TansuOptions::default()
    };
    let (_broker, proxy) = secured_broker(&pki, options, false);
    let secrets = d.join("secrets");
    write(
        &secrets.join("kafka.properties"),
        &format!("alice.password={ALICE_PW}\n"),
    );
    write(&secrets.join("bob/password"), BOB_PW);
    std::fs::write(d.join("input.txt"), "first secret line\nsecond\n").unwrap();
    let port = free_port();
    let scram = "org.apache.kafka.common.security.scram.ScramLoginModule required";
    let worker_config = format!(
        "{}{PROVIDERS}\
         producer.security.protocol=SASL_SSL\n\
         producer.ssl.truststore.location={ca}\n\
         producer.sasl.mechanism=SCRAM-SHA-512\n\
         producer.sasl.jaas.config={scram} username=\"alice\" password=\"${{file:{secrets}/kafka.properties:alice.password}}\";\n\
         consumer.security.protocol=SASL_SSL\n\
         consumer.ssl.truststore.location={ca}\n\
         consumer.sasl.mechanism=SCRAM-SHA-256\n",
        standalone_properties(
            &format!("localhost:{}", proxy.addr.port()),
            port,
            &d.join("offsets").display().to_string(),
            500
        ),
        ca = ca.display(),
        secrets = secrets.display(),
    );
    write(&d.join("worker.properties"), &worker_config);
    let sink_override = format!(
        "consumer.override.sasl.jaas.config={scram} username=\"${{env:FERRY_TEST_SCRAM_USER}}\" password=\"${{dir:{}:password}}\";\n",
        secrets.join("bob").display()
    );
    let (source, sink) = file_connectors(d, &sink_override);
    let worker = Worker::start_with_env(
        d,
        "worker",
        port,
        &["worker.properties", &source, &sink],
        &[("FERRY_TEST_SCRAM_USER", "bob")],
    );
    round_trip(d, &worker).await;
    assert!(proxy.handshakes() >= 2);

    // The REST API shows the placeholders, never the values.
    let client = reqwest::Client::new();
    let mut shown = String::new();
    for path in [
        "/connectors?expand=info&expand=status",
        "/connectors/secure-sink",
        "/connectors/secure-sink/config",
        "/connectors/secure-sink/tasks",
        "/connectors/secure-sink/tasks-config",
        "/connectors/secure-sink/status",
        "/connectors/secure-source/tasks",
    ] {
        let body = client
            .get(worker.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        shown.push_str(&body);
    }
    let config = worker
        .get_json("/connectors/secure-sink/config")
        .await
        .expect("sink config");
    let jaas = config["consumer.override.sasl.jaas.config"]
        .as_str()
        .unwrap();
    assert!(
        jaas.contains("${dir:") && jaas.contains("${env:FERRY_TEST_SCRAM_USER}"),
        "{jaas}"
    );
    let tasks = worker
        .get_json("/connectors/secure-sink/tasks")
        .await
        .expect("sink tasks");
    assert!(
        tasks.to_string().contains("${dir:"),
        "task configs keep the placeholder: {tasks}"
    );
    let log = worker.log_text();
    for secret in [ALICE_PW, BOB_PW] {
        assert!(
            !shown.contains(secret),
            "a REST response shows a password: {shown}"
        );
        assert!(!log.contains(secret), "the log shows a password:\n{log}");
    }
}

/// Each placeholder form that cannot be resolved fails its connector with the placeholder named and
/// no secret shown; once the value exists, a restart resolves it again and the connector runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_placeholders_fail_the_connector_and_a_restart_resolves_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let secrets = d.join("secrets");
    write(
        &secrets.join("present.properties"),
        "unrelated=topsecret-value\n",
    );
    std::fs::create_dir_all(secrets.join("mounted")).unwrap();
    let worker_config = format!(
        "{}{PROVIDERS}",
        standalone_properties(
            "127.0.0.1:1",
            port,
            &d.join("offsets").display().to_string(),
            500
        )
    );
    write(&d.join("worker.properties"), &worker_config);
    let worker = Worker::start(d, "worker", port, &["worker.properties"]);
    let s = secrets.display();
    let cases = [
        (
            "missing-file",
            format!("${{file:{s}/absent.properties:topic}}"),
        ),
        (
            "missing-key",
            format!("${{file:{s}/present.properties:topic}}"),
        ),
        ("missing-dir-entry", format!("${{dir:{s}/mounted:topic}}")),
        ("missing-env", "${env:FERRY_TEST_SURELY_UNSET}".to_string()),
    ];
    let client = reqwest::Client::new();
    wait_until_up(&worker).await;
    for (name, placeholder) in &cases {
        let body = serde_json::json!({
            "name": name,
            "config": {
                "connector.class": "FileStreamSource",
                "file": d.join("input.txt").display().to_string(),
                "topic": placeholder,
            }
        });
        let response = client
            .post(worker.url("/connectors"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
    }
    for (name, placeholder) in &cases {
        let trace = failed_trace(&worker, name).await;
        assert!(trace.contains(placeholder.as_str()), "{name}: {trace}");
        assert!(!trace.contains("topsecret"), "{name}: {trace}");
    }
    assert!(!worker.log_text().contains("topsecret"));

    // The value appears; a restart resolves the placeholder again.
    write(
        &secrets.join("present.properties"),
        "unrelated=topsecret-value\ntopic=resolved-topic\n",
    );
    let restart = client
        .post(worker.url("/connectors/missing-key/restart"))
        .send()
        .await
        .unwrap();
    assert!(restart.status().is_success(), "{}", restart.status());
    ferry_e2e::wait_until_async(
        "missing-key RUNNING after the restart",
        Duration::from_secs(20),
        || async {
            let (c, _) = worker.states("missing-key").await?;
            (c == "RUNNING").then_some(())
        },
    )
    .await;
}

async fn wait_until_up(worker: &Worker) {
    ferry_e2e::wait_until_async("the REST API", Duration::from_secs(20), || async {
        worker.get_json("/").await.map(|_| ())
    })
    .await;
}

/// Waits until the connector is FAILED and returns its trace.
async fn failed_trace(worker: &Worker, name: &str) -> String {
    ferry_e2e::wait_until_async(
        &format!("{name} FAILED"),
        Duration::from_secs(20),
        || async {
            let status = worker
                .get_json(&format!("/connectors/{name}/status"))
                .await?;
            (status["connector"]["state"] == "FAILED").then(|| {
                status["connector"]["trace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
        },
    )
    .await
}

fn run_standalone(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(ferry_e2e::worker::worker_binary())
        .arg("standalone")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ferry-worker");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the worker cannot do stops it at start-up with the key named and what to use instead; a
/// worker placeholder that cannot be resolved stops it with the placeholder named.
#[test]
fn unsupported_security_and_missing_worker_placeholders_stop_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = standalone_properties("127.0.0.1:1", free_port(), "offsets", 500);
    write(
        &d.join("jks.properties"),
        &format!(
            "{base}producer.ssl.truststore.type=JKS\nproducer.ssl.truststore.location=/etc/t.jks\n"
        ),
    );
    let (code, stderr) = run_standalone(d, &["jks.properties"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("ssl.truststore.type=JKS") && stderr.contains("PEM"),
        "{stderr}"
    );

    write(
        &d.join("gssapi.properties"),
        &format!("{base}consumer.security.protocol=SASL_SSL\nconsumer.sasl.mechanism=GSSAPI\n"),
    );
    let (code, stderr) = run_standalone(d, &["gssapi.properties"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("sasl.mechanism=GSSAPI"), "{stderr}");

    write(
        &d.join("placeholder.properties"),
        &format!("{base}{PROVIDERS}producer.sasl.jaas.config=${{env:FERRY_TEST_SURELY_UNSET}}\n"),
    );
    let (code, stderr) = run_standalone(d, &["placeholder.properties"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("${env:FERRY_TEST_SURELY_UNSET}"),
        "{stderr}"
    );
}

/// The REST API over https (Kafka's `listeners.https.ssl.*` keys, the test CA's certificate) with
/// basic authentication from Kafka's JAAS and credentials files, and a bearer token kept in a file
/// behind a config provider placeholder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_over_https_requires_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = TestPki::generate();
    let ca = pki.write(&d.join("certs"));
    let server_pem = d.join("certs/server-keystore.pem");
    std::fs::write(&server_pem, pki.server.combined()).unwrap();
    write(
        &d.join("rest/credentials.properties"),
        "admin: admin-pw-Q7\n",
    );
    write(
        &d.join("rest/connect.jaas"),
        &format!(
            "KafkaConnect {{\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=\"{}\";\n}};\n",
            d.join("rest/credentials.properties").display()
        ),
    );
    write(&d.join("rest/token.properties"), "token=bearer-tok-M2\n");
    let port = free_port();
    let worker_config = format!(
        "{}{PROVIDERS}\
         listeners=https://127.0.0.1:{port}\n\
         listeners.https.ssl.keystore.type=PEM\n\
         listeners.https.ssl.keystore.location={keystore}\n\
         rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension\n\
         rest.basic.auth.jaas.config.file={jaas}\n\
         rest.auth.bearer.token=${{file:{token}:token}}\n",
        standalone_properties("127.0.0.1:1", port, &d.join("offsets").display().to_string(), 500),
        keystore = server_pem.display(),
        jaas = d.join("rest/connect.jaas").display(),
        token = d.join("rest/token.properties").display(),
    );
    write(&d.join("worker.properties"), &worker_config);
    let worker = Worker::start(d, "worker", port, &["worker.properties"]);
    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(std::fs::read(&ca).unwrap().as_slice()).unwrap(),
        )
        .build()
        .unwrap();
    let url = |path: &str| format!("https://localhost:{port}{path}");
    // /health needs no credentials (probes), and proves the TLS handshake with the test CA.
    ferry_e2e::wait_until_async("the https REST API", Duration::from_secs(20), || async {
        let r = client.get(url("/health")).send().await.ok()?;
        (r.status() == 200).then_some(())
    })
    .await;

    let response = client.get(url("/connectors")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], 401, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );

    let wrong = client
        .get(url("/connectors"))
        .basic_auth("admin", Some("not-the-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let basic = client
        .get(url("/connectors"))
        .basic_auth("admin", Some("admin-pw-Q7"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    assert_eq!(
        basic.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!([])
    );
    let bearer = client
        .get(url("/connectors"))
        .bearer_auth("bearer-tok-M2")
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);

    // Plain HTTP to the https port gets no API answer.
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/connectors")).await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));
    let log = worker.log_text();
    assert!(
        !log.contains("admin-pw-Q7") && !log.contains("bearer-tok-M2"),
        "{log}"
    );
}
