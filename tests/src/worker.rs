//! The `ferry-worker` binary as a child process, with its REST API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

/// A free TCP port on loopback (bound then released; good enough for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn worker_binary() -> PathBuf {
    if let Ok(p) = std::env::var("FERRY_WORKER_BIN") {
        return PathBuf::from(p);
    }
    let path = crate::binaries_dir().join("ferry-worker");
    assert!(
        path.exists(),
        "{} does not exist: build it first (cargo build -p ferry-worker), or set FERRY_WORKER_BIN",
        path.display()
    );
    path
}

/// A running worker; killed on drop.
pub struct Worker {
    child: std::sync::Mutex<Option<Child>>,
    pub rest_port: u16,
    pub log: PathBuf,
}

impl Worker {
    /// Starts `ferry-worker standalone <args...>` in `dir`, logging to `dir/<name>.log`.
    pub fn start(dir: &Path, name: &str, rest_port: u16, args: &[&str]) -> Worker {
        Self::start_with_env(dir, name, rest_port, args, &[])
    }

    /// As [`Worker::start`], with extra environment variables for the worker process.
    pub fn start_with_env(
        dir: &Path,
        name: &str,
        rest_port: u16,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Worker {
        let log = dir.join(format!("{name}.log"));
        let log_file = std::fs::File::create(&log).expect("log file");
        let stdout = log_file.try_clone().expect("log file");
        let child = Command::new(worker_binary())
            .arg("standalone")
            .args(args)
            .current_dir(dir)
            .env("FERRY_LOG", "info")
            .envs(env.iter().copied())
            .stdout(stdout)
            .stderr(log_file)
            .spawn()
            .expect("start ferry-worker");
        Worker {
            child: std::sync::Mutex::new(Some(child)),
            rest_port,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.rest_port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET a REST path; `None` while the worker is not answering yet.
    pub async fn get_json(&self, path: &str) -> Option<serde_json::Value> {
        let response = reqwest::get(self.url(path)).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json().await.ok()
    }

    /// The state of a connector and its tasks, e.g. `("RUNNING", ["RUNNING"])`.
    pub async fn states(&self, connector: &str) -> Option<(String, Vec<String>)> {
        let status = self
            .get_json(&format!("/connectors/{connector}/status"))
            .await?;
        let c = status["connector"]["state"].as_str()?.to_string();
        let tasks = status["tasks"]
            .as_array()?
            .iter()
            .filter_map(|t| t["state"].as_str().map(str::to_string))
            .collect();
        Some((c, tasks))
    }

    /// Waits until the connector and all its (at least one) tasks are RUNNING.
    pub async fn wait_running(&self, connector: &str, limit: Duration) {
        let deadline = crate::Deadline::after(limit);
        loop {
            if let Some((c, tasks)) = self.states(connector).await {
                if c == "RUNNING" && !tasks.is_empty() && tasks.iter().all(|t| t == "RUNNING") {
                    return;
                }
                assert!(
                    !tasks.iter().any(|t| t == "FAILED"),
                    "{connector} has a FAILED task: {:?}\n{}",
                    self.get_json(&format!("/connectors/{connector}/status"))
                        .await,
                    self.log_text()
                );
            }
            if deadline.passed() {
                panic!(
                    "{connector} not RUNNING within {limit:?}; worker log:\n{}",
                    self.log_text()
                );
            }
            if let Some(status) = self.exited() {
                panic!(
                    "the worker exited with {status} while waiting for {connector}:\n{}",
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The exit status, once the process has exited.
    pub fn exited(&self) -> Option<std::process::ExitStatus> {
        let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_mut()?.try_wait().ok().flatten()
    }

    pub fn pid(&self) -> u32 {
        let guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Sends SIGKILL (a crash) and reaps the process.
    pub fn kill9(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut c) = child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends SIGTERM and waits for the exit, returning its status.
    pub fn terminate(&mut self, limit: Duration) -> std::process::ExitStatus {
        let mut c = self
            .child
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .expect("worker running");
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = c.try_wait() {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = c.kill();
                panic!("the worker did not exit within {limit:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Writes a file, creating parent directories.
pub fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, text).expect("write file");
}

/// A worker properties file like Kafka's `connect-standalone.properties`, for a broker and a REST port.
pub fn standalone_properties(
    bootstrap: &str,
    rest_port: u16,
    offsets_file: &str,
    flush_ms: u64,
) -> String {
    format!(
        "bootstrap.servers={bootstrap}\n\
         key.converter=org.apache.kafka.connect.json.JsonConverter\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\n\
         key.converter.schemas.enable=true\n\
         value.converter.schemas.enable=true\n\
         offset.storage.file.filename={offsets_file}\n\
         offset.flush.interval.ms={flush_ms}\n\
         listeners=http://127.0.0.1:{rest_port}\n"
    )
}

/// Reads the lines of a file (empty when it does not exist yet).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}
