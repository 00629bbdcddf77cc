//! Shared set-up of the end-to-end tests: the repository's stock config files, copied into a temporary
//! working directory with the test's broker, REST port and offsets file appended (a later key wins in a
//! properties file, so the stock content stays as shipped).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn repo_config(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `config/connect-standalone.properties` into `dir`: the stock file plus test overrides.
pub fn stock_worker_config(dir: &Path, bootstrap: &str, rest_port: u16, flush_ms: u64) -> PathBuf {
    let text = format!(
        "{}\n# test overrides\nbootstrap.servers={bootstrap}\nlisteners=http://127.0.0.1:{rest_port}\noffset.storage.file.filename={}\noffset.flush.interval.ms={flush_ms}\n",
        repo_config("connect-standalone.properties"),
        dir.join("connect.offsets").display()
    );
    let path = dir.join("config/connect-standalone.properties");
    ferry_e2e::worker::write(&path, &text);
    path
}

/// Copies a stock connector file into `dir/config`.
pub fn stock_connector(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join("config").join(name);
    ferry_e2e::worker::write(&path, &repo_config(name));
    path
}

pub fn envelope(s: &str) -> String {
    format!(
        r#"{{"schema":{{"type":"string","optional":false}},"payload":{}}}"#,
        serde_json::Value::String(s.to_string())
    )
}

/// Worker settings that let a worker restarted after kill -9 get its sink partitions back soon: a
/// killed worker never leaves its consumer group, so the broker has to time the dead member out,
/// after `consumer.session.timeout.ms` (6 s here rather than 45 s).
pub const QUICK_REJOIN: &str =
    "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=1000\n\
    consumer.max.poll.interval.ms=10000\n";

/// Waits out the session timeout of [`QUICK_REJOIN`] after a kill -9, before the restart.
///
/// tansu keeps the killed member in the group until its session times out, and a member that joins
/// before then gets a generation led by the dead member, and no partitions: in our runs it stayed
/// so for the ten minutes we waited. (Kafka would drop the dead member once the rebalance timeout
/// passed.) tansu cannot list a group's members, so there is no condition to wait for; this
/// outlasts the broker's timer instead.
pub async fn outlast_session_timeout() {
    tokio::time::sleep(std::time::Duration::from_secs(6 + 1)).await;
}
