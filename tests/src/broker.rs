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

/// Where tansu keeps its data (`--storage-engine`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Storage {
    /// SQLite, in the broker's temporary directory. It stores records one by one, so a fetch from
    /// an offset inside a producer's batch starts at that offset, as Kafka's does.
    #[default]
    Sqlite,
    /// The in-memory object store. Faster, but tansu 0.6.0 keeps whole batches there and answers a
    /// fetch with the batches that *start* at or after the offset asked for: a consumer that resumes
    /// from a committed offset inside a batch never sees the rest of that batch (and one batch can
    /// be skipped while an earlier, concurrent one is still being written). Only for loads that
    /// always read from the start of a batch: the benchmark.
    Memory,
}

impl Storage {
    fn url(self) -> &'static str {
        match self {
            Storage::Sqlite => "sqlite://tansu.db",
            Storage::Memory => "memory://tansu/",
        }
    }
}

/// How to start tansu. The default is the plain broker every other test uses.
#[derive(Debug, Clone, Default)]
pub struct TansuOptions {
    /// Where the broker keeps its data; authentication needs SQLite (its users must outlive the
    /// restart that turns authentication on).
    pub storage: Storage,
    /// The port the broker advertises in metadata (a TLS proxy in front of it), if not its own.
    pub advertised_port: Option<u16>,
    /// `--authentication`: clients must log in with SASL (tansu offers SCRAM-SHA-256 and
    /// SCRAM-SHA-512; PLAIN is not compiled into its SASL library).
    pub authentication: bool,
    /// SCRAM users to create first: (name, password, `scram256` or `scram512`).
    pub scram_users: Vec<(String, String, &'static str)>,
    /// Topics to create first (name, partitions): with authentication on, tansu's own CLI can no
    /// longer reach the broker, so they are created before it is turned on.
    pub topics: Vec<(String, u32)>,
}

/// A running tansu broker, its data in a temporary directory; killed on drop.
pub struct Tansu {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tansu {
    pub fn start() -> Tansu {
        Self::start_with(TansuOptions::default())
    }

    /// Starts tansu as `options` say. With authentication, it runs twice on one SQLite file: first
    /// open, to create the users and topics with its CLI, then with `--authentication`.
    pub fn start_with(options: TansuOptions) -> Tansu {
        let port = free_port();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("tansu.log");
        let storage = if options.authentication {
            Storage::Sqlite.url()
        } else {
            options.storage.url()
        };
        let child = spawn(dir.path(), port, &log, storage, &options, false);
        let mut broker = Tansu {
            child,
            port,
            log,
            _dir: dir,
        };
        broker.wait_listening();
        if options.authentication {
            broker.create_users_and_topics(&options);
            let _ = broker.child.kill();
            let _ = broker.child.wait();
            broker.child = spawn(
                broker._dir.path(),
                port,
                &broker.log,
                storage,
                &options,
                true,
            );
            broker.wait_listening();
        } else {
            for (topic, partitions) in &options.topics {
                broker.create_topic(topic, *partitions);
            }
        }
        broker
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tansu exited with {status}: {}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "tansu did not listen on {} within 30 s: {}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn create_users_and_topics(&self, options: &TansuOptions) {
        for (name, password, mechanism) in &options.scram_users {
            self.cli(&[
                "user",
                "create",
                name,
                password,
                "--mechanism",
                mechanism,
                "--broker",
                &format!("tcp://127.0.0.1:{}", self.port),
            ]);
        }
        for (topic, partitions) in &options.topics {
            self.create_topic(topic, *partitions);
        }
    }

    fn cli(&self, args: &[&str]) {
        let out = Command::new(tansu_binary())
            .args(args)
            .output()
            .expect("run the tansu CLI");
        assert!(
            out.status.success(),
            "tansu {} failed: {}{}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The broker's process id (the benchmark reads its CPU time).
    pub fn pid(&self) -> u32 {
        self.child.id()
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

/// Starts the broker process on `port`, advertising the proxy's port when there is one.
fn spawn(
    dir: &std::path::Path,
    port: u16,
    log: &std::path::Path,
    storage: &str,
    options: &TansuOptions,
    authentication: bool,
) -> Child {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let url = format!("tcp://127.0.0.1:{port}");
    // Behind the TLS proxy the broker advertises `localhost`, the name the server certificate has,
    // so librdkafka's host name verification is exercised too.
    let advertised = match options.advertised_port {
        Some(p) => format!("tcp://localhost:{p}"),
        None => url.clone(),
    };
    let binary = tansu_binary();
    let mut command = Command::new(&binary);
    command.args([
        "broker",
        "--listener-url",
        &url,
        "--advertised-listener-url",
        &advertised,
        "--storage-engine",
        storage,
    ]);
    if authentication {
        command.arg("--authentication");
    }
    // Errors only, as tansu's default, plus its group coordinator's membership changes (members
    // dropped for missed heartbeats, leaders chosen): what a failing consumer-group test needs to
    // see. FERRY_TANSU_LOG overrides (a `RUST_LOG` filter).
    let log_filter = std::env::var("FERRY_TANSU_LOG")
        .unwrap_or_else(|_| "error,tansu_broker::coordinator::group=info".to_owned());
    command
        .env("RUST_LOG", log_filter)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start tansu ({}): {e}. Install it with .ci/install-tansu, or set FERRY_TANSU",
                binary.display()
            )
        })
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
