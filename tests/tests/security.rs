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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_round_trip_over_sasl_scram_on_tls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = TestPki::generate();
    let ca = pki.write(&d.join("certs"));
    let options = TansuOptions {
        authentication: true,
        scram_users: vec![
            ("alice".into(), "alice-pw-512".into(), "scram512"),
            ("bob".into(), "bob-pw-256".into(), "scram256"),
        ],
        ..TansuOptions::default()
    };
    let (broker, proxy) = secured_broker(&pki, options, false);
    std::fs::write(d.join("input.txt"), "first secret line\nsecond\n").unwrap();
    let port = free_port();
    let jaas = |user: &str, pw: &str| {
        format!("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"{pw}\";")
    };
    let worker_config = format!(
        "{}\
         producer.security.protocol=SASL_SSL\n\
         producer.ssl.truststore.location={ca}\n\
         producer.sasl.mechanism=SCRAM-SHA-512\n\
         producer.sasl.jaas.config={producer_jaas}\n\
         consumer.security.protocol=SASL_SSL\n\
         consumer.ssl.truststore.location={ca}\n\
         consumer.sasl.mechanism=SCRAM-SHA-256\n\
         consumer.sasl.jaas.config={consumer_jaas}\n",
        standalone_properties(
            &format!("localhost:{}", proxy.addr.port()),
            port,
            &d.join("offsets").display().to_string(),
            500
        ),
        ca = ca.display(),
        producer_jaas = jaas("alice", "alice-pw-512"),
        consumer_jaas = jaas("bob", "bob-pw-256"),
    );
    write(&d.join("worker.properties"), &worker_config);
    let (source, sink) = file_connectors(d, "");
    let worker = Worker::start(d, "worker", port, &["worker.properties", &source, &sink]);
    round_trip(d, &worker).await;
    assert!(proxy.handshakes() >= 2);
    let _ = broker;
}
