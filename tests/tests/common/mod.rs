//! Shared set-up of the end-to-end tests: the repository's stock config files, copied into a temporary
//! working directory with the test's broker, REST port and offsets file appended (a later key wins in a
//! properties file, so the stock content stays as shipped).

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ferry_e2e::wait_until;
use ferry_e2e::worker::lines;

pub fn repo_config(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `config/connect-standalone.properties` into `dir`: the stock file plus test overrides.
pub fn stock_worker_config(dir: &Path, bootstrap: &str, rest_port: u16, flush_ms: u64) -> PathBuf {
    stock_worker_config_with(dir, bootstrap, rest_port, flush_ms, "")
}

/// [`stock_worker_config`] with `extra` worker settings (lines of `key=value`) after the overrides.
pub fn stock_worker_config_with(
    dir: &Path,
    bootstrap: &str,
    rest_port: u16,
    flush_ms: u64,
    extra: &str,
) -> PathBuf {
    let text = format!(
        "{}\n# test overrides\nbootstrap.servers={bootstrap}\nlisteners=http://127.0.0.1:{rest_port}\noffset.storage.file.filename={}\noffset.flush.interval.ms={flush_ms}\n{extra}",
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

/// The consumer session timeout of [`quick_rejoin`]: 6 s rather than Kafka's 45 s.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(6);

/// Worker settings that let a worker restarted after kill -9 get its sink partitions back soon: a
/// killed worker never leaves its consumer group, so the broker has to time the dead member out,
/// after `consumer.session.timeout.ms` ([`SESSION_TIMEOUT`]).
pub fn quick_rejoin() -> String {
    format!(
        "consumer.session.timeout.ms={}\nconsumer.heartbeat.interval.ms=1000\n\
         consumer.max.poll.interval.ms=10000\n",
        SESSION_TIMEOUT.as_millis()
    )
}

/// Waits out [`SESSION_TIMEOUT`] (and a second more) after a kill -9, before the group's next
/// change (a restart, a rebalance).
///
/// tansu keeps the killed member in the group until its session times out, and a member that joins
/// before then gets a generation led by the dead member, and no partitions: in our runs it stayed
/// so for the ten minutes we waited. (Kafka would drop the dead member once the rebalance timeout
/// passed.) Nor does tansu 0.6.0 rebalance when it does drop the dead member: its coordinator
/// notices the expiry while answering a live member's heartbeat, tells only that member to rejoin,
/// and keeps the assignment that gives the dead member partitions, which then stay unread until the
/// group's membership changes again. tansu cannot list a group's members, so there is no condition
/// to wait for; this outlasts the broker's timer instead.
pub async fn outlast_session_timeout() {
    tokio::time::sleep(SESSION_TIMEOUT + Duration::from_secs(1)).await;
}

/// Waits until the file at `path` holds every line of `expected` (other lines, duplicates
/// included, are allowed), or panics after `limit`.
pub async fn wait_for_every_line(path: &Path, expected: &HashSet<String>, limit: Duration) {
    wait_until(
        &format!("every expected line in {}", path.display()),
        limit,
        || {
            let got: HashSet<String> = lines(path).into_iter().collect();
            expected.is_subset(&got).then_some(())
        },
    )
    .await;
}
