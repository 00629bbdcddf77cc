//! tansu, an Apache Kafka-compatible broker written in Rust, run as a child process.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::worker::free_port;

/// Where `.ci/run` installs tansu (`cargo install --root`), keyed by version; `FERRY_TANSU` overrides.
pub fn tansu_binary() -> PathBuf {
    if let Ok(p) = std::env::var("FERRY_TANSU") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".to_string());
    let cached = PathBuf::from(home).join(".cache/ferry/tansu-0.6.0/bin/tansu");
    if cached.exists() {
        return cached;
    }
    PathBuf::from("tansu")
}

/// A running tansu broker with the in-memory storage engine; killed on drop.
pub struct Tansu {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tansu {
    pub fn start() -> Tansu {
        let port = free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("tansu.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let url = format!("tcp://127.0.0.1:{port}");
        let binary = tansu_binary();
        let child = Command::new(&binary)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start tansu ({}): {e}. Install it with .ci/install-tansu, or set FERRY_TANSU",
                    binary.display()
                )
            });
        let mut broker = Tansu {
            child,
            port,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = broker.child.try_wait() {
                panic!("tansu exited with {status}: {}", broker.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "tansu did not listen on {port} within 30 s: {}",
                broker.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        broker
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Creates a topic with the tansu CLI (tansu does not create topics on produce).
    pub fn create_topic(&self, name: &str, partitions: u32) {
        let out = Command::new(tansu_binary())
            .args([
                "topic",
                "create",
                name,
                "--broker",
                &format!("tcp://127.0.0.1:{}", self.port),
                "--partitions",
                &partitions.to_string(),
            ])
            .output()
            .expect("run tansu topic create");
        assert!(
            out.status.success(),
            "tansu topic create {name} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
