//! The `ferry-worker` process under test, seen as a user sees it: its REST API, `/metrics` and
//! `/proc/<pid>/status`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use ferry_e2e::worker::{free_port, standalone_properties, write};
use ferry_e2e::{Deadline, Worker};
use serde_json::{json, Value};

/// How much of the worker log an error message quotes.
const LOG_TAIL_LINES: usize = 40;

/// A running worker (killed on drop, by [`Worker`]) and the instant it was spawned.
pub struct FerryWorker {
    worker: Worker,
    http: reqwest::Client,
    pub spawned: Instant,
}

/// Resident memory of the worker in bytes: now (`VmRSS`) and the peak so far (`VmHWM`).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
}

/// A connector's state and its tasks' states, as `GET /connectors/{name}/status` reports them.
struct Status {
    connector: String,
    tasks: Vec<String>,
}

impl Status {
    fn running(&self) -> bool {
        self.connector == "RUNNING"
            && !self.tasks.is_empty()
            && self.tasks.iter().all(|t| t == "RUNNING")
    }

    fn failed(&self) -> bool {
        self.connector == "FAILED" || self.tasks.iter().any(|t| t == "FAILED")
    }
}

impl FerryWorker {
    /// Writes the worker properties into `dir` and spawns `ferry-worker standalone` with the given
    /// connector property files (paths relative to `dir`).
    pub fn start(
        dir: &Path,
        bootstrap: &str,
        offset_flush_ms: u64,
        extra_properties: &[String],
        connector_files: &[&str],
    ) -> anyhow::Result<Self> {
        let port = free_port();
        let offsets = dir.join("connect.offsets");
        let mut properties = standalone_properties(
            bootstrap,
            port,
            &offsets.display().to_string(),
            offset_flush_ms,
        );
        // A later key wins in a properties file, so the extras override the defaults above.
        for line in extra_properties {
            properties.push_str(line);
            properties.push('\n');
        }
        write(&dir.join("worker.properties"), &properties);
        let mut args = vec!["worker.properties"];
        args.extend_from_slice(connector_files);
        // The process talks only to loopback: never through a proxy from the environment.
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .context("cannot build the HTTP client")?;
        let spawned = Instant::now();
        let worker = Worker::start(dir, "worker", port, &args);
        Ok(FerryWorker {
            worker,
            http,
            spawned,
        })
    }

    /// The last lines of the worker's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = self.worker.log_text();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(LOG_TAIL_LINES);
        format!(
            "worker log ({}), last lines:\n{}",
            self.worker.log.display(),
            lines[from..].join("\n")
        )
    }

    /// The worker's process id.
    pub fn pid(&self) -> u32 {
        self.worker.pid()
    }

    /// Fails when the worker process has exited.
    pub fn check_alive(&self) -> anyhow::Result<()> {
        match self.worker.exited() {
            Some(status) => bail!("the worker exited with {status}\n{}", self.log_tail()),
            None => Ok(()),
        }
    }

    async fn get(&self, path: &str) -> Option<reqwest::Response> {
        let response = self.http.get(self.worker.url(path)).send().await.ok()?;
        response.status().is_success().then_some(response)
    }

    async fn status(&self, connector: &str) -> Option<Status> {
        let body: Value = self
            .get(&format!("/connectors/{connector}/status"))
            .await?
            .json()
            .await
            .ok()?;
        let tasks = body["tasks"]
            .as_array()?
            .iter()
            .filter_map(|t| t["state"].as_str().map(str::to_string));
        Some(Status {
            connector: body["connector"]["state"].as_str()?.to_string(),
            tasks: tasks.collect(),
        })
    }

    /// Polls the status of every connector each `every` until all are RUNNING with all tasks RUNNING,
    /// and returns when that was first seen.
    pub async fn wait_running(
        &self,
        connectors: &[&str],
        every: Duration,
        limit: Duration,
    ) -> anyhow::Result<Instant> {
        let deadline = Deadline::after(limit);
        loop {
            if self.all_running(connectors).await? {
                return Ok(Instant::now());
            }
            self.check_alive()?;
            if deadline.passed() {
                bail!(
                    "{connectors:?} not all RUNNING within {limit:?}\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn all_running(&self, connectors: &[&str]) -> anyhow::Result<bool> {
        for name in connectors {
            match self.status(name).await {
                Some(s) if s.failed() => bail!("{name} FAILED: {:?}\n{}", s.tasks, self.log_tail()),
                Some(s) if s.running() => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// `POST /connectors`, as `curl -X POST` would.
    pub async fn create_connector(&self, name: &str, config: Value) -> anyhow::Result<()> {
        let body = json!({ "name": name, "config": config });
        let request = self.http.post(self.worker.url("/connectors")).json(&body);
        send_expecting_success(request, &format!("POST /connectors ({name})")).await
    }

    /// `DELETE /connectors/{name}`, which answers once the connector and its tasks are stopped.
    pub async fn delete_connector(&self, name: &str) -> anyhow::Result<()> {
        let path = format!("/connectors/{name}");
        let request = self.http.delete(self.worker.url(&path));
        send_expecting_success(request, &format!("DELETE {path}")).await
    }

    /// The sum over tasks of a connector's series of a counter in `GET /metrics`; 0 before it exists.
    pub async fn counter(&self, metric: &str, connector: &str) -> anyhow::Result<f64> {
        let response = self
            .get("/metrics")
            .await
            .ok_or_else(|| anyhow!("GET /metrics failed"))?;
        let text = response.text().await.context("GET /metrics body")?;
        Ok(counter_value(&text, metric, connector))
    }

    /// `VmRSS` and `VmHWM` from `/proc/<pid>/status`.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.worker.pid());
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let field =
            |name: &str| proc_kib(&text, name).ok_or_else(|| anyhow!("no {name} in {path}"));
        Ok(Memory {
            rss: field("VmRSS")? * 1024,
            peak: field("VmHWM")? * 1024,
        })
    }
}

/// Sends `request` (described as `what` in errors) and fails unless the answer is a success, with
/// the status and body the worker gave.
async fn send_expecting_success(
    request: reqwest::RequestBuilder,
    what: &str,
) -> anyhow::Result<()> {
    let response = request.send().await.with_context(|| what.to_string())?;
    if !response.status().is_success() {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        bail!("{what} answered {status}: {text}");
    }
    Ok(())
}

/// Sums the samples of `metric` labelled `connector="<connector>"` in Prometheus text format.
fn counter_value(text: &str, metric: &str, connector: &str) -> f64 {
    let label = format!("connector=\"{connector}\"");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let labels = series
                .strip_prefix(metric)?
                .strip_prefix('{')?
                .strip_suffix('}')?;
            if !labels.split(',').any(|kv| kv == label) {
                return None;
            }
            value.parse::<f64>().ok()
        })
        .sum()
}

/// A `Name:   1234 kB` line of `/proc/<pid>/status`, in KiB.
fn proc_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.split(':').next() == Some(name))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_sums_the_tasks_of_one_connector() {
        let text = "# HELP ferry_source_records_written_total x\n\
                    ferry_source_records_written_total{connector=\"a\",task=\"0\"} 3\n\
                    ferry_source_records_written_total{connector=\"a\",task=\"1\"} 4\n\
                    ferry_source_records_written_total{connector=\"ab\",task=\"0\"} 100\n\
                    ferry_source_records_polled_total{connector=\"a\",task=\"0\"} 9\n";
        assert_eq!(
            counter_value(text, "ferry_source_records_written_total", "a"),
            7.0
        );
        assert_eq!(
            counter_value(text, "ferry_sink_records_put_total", "a"),
            0.0
        );
    }

    #[test]
    fn proc_status_fields_are_read_in_kib() {
        let status = "Name:\tferry-worker\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(proc_kib(status, "VmHWM"), Some(20480));
        assert_eq!(proc_kib(status, "VmRSS"), Some(10240));
        assert_eq!(proc_kib(status, "VmSwap"), None);
    }
}
