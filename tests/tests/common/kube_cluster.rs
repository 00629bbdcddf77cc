//! A Kubernetes cluster in one test process, as far as Ferry needs one: the in-process API
//! (`ferry_operator::fake_api`) served over HTTP, the operator's real controllers against it, the
//! stand-in Deployment controller, and a stand-in kubelet that runs each worker pod as a real
//! `ferry-worker kubernetes` process with the config the operator rendered, creates its Pod
//! object, and marks it ready once the worker's `/health` answers.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

use ferry_operator::controller::{run_all, Context};
use ferry_operator::fake_api::{http::serve, rollout, FakeApi};
use ferry_operator::metrics::Metrics;
use ferry_operator::names;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, PodCondition, PodStatus};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const NS: &str = "ferry";

/// The API, the operator, and the worker pods of one test.
pub struct LocalCluster {
    pub api: Arc<FakeApi>,
    pub client: kube::Client,
    kubeconfig: PathBuf,
    dir: PathBuf,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    pods: BTreeMap<String, WorkerPod>,
    /// Every pod started, running or not: a failure's logs include the pods already gone.
    started: BTreeSet<String>,
}

/// One worker pod: its process and REST port.
pub struct WorkerPod {
    child: Child,
    pub rest_port: u16,
    pub log: PathBuf,
}

impl LocalCluster {
    /// Starts the API and the operator; files (kubeconfig, worker configs, logs) go into `dir`.
    pub async fn start(dir: &Path) -> LocalCluster {
        let api = Arc::new(FakeApi::new().await.expect("the in-process API starts"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the API port");
        let port = listener.local_addr().expect("local addr").port();
        let shutdown = CancellationToken::new();
        let metrics = Metrics::new().expect("metrics");
        let ctx = Arc::new(Context::new(
            api.client("operator"),
            "ferry-worker:test".to_owned(),
            metrics,
            "ferry-operator-test".to_owned(),
        ));
        let tasks = vec![
            tokio::spawn({
                let (api, shutdown) = (api.clone(), shutdown.clone());
                async move {
                    if let Err(e) = serve(api, listener, shutdown).await {
                        eprintln!("the API server stopped: {e}");
                    }
                }
            }),
            tokio::spawn(run_all(ctx, Vec::new(), shutdown.clone())),
            tokio::spawn(rollout::roll_out_deployments(
                api.client("deployment-controller"),
                shutdown.clone(),
            )),
        ];
        let kubeconfig = dir.join("kubeconfig.yaml");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: local\n  context:\n    cluster: local\n    user: worker\n    namespace: {NS}\ncurrent-context: local\nusers:\n- name: worker\n  user: {{}}\n"
            ),
        )
        .expect("write the kubeconfig");
        LocalCluster {
            client: api.client("test"),
            api,
            kubeconfig,
            dir: dir.to_path_buf(),
            shutdown,
            tasks,
            pods: BTreeMap::new(),
            started: BTreeSet::new(),
        }
    }

    /// The worker properties the operator rendered for `cluster`, with this pod's own REST port
    /// (all pods share one host here).
    async fn worker_config(&self, cluster: &str, pod: &str, rest_port: u16) -> PathBuf {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), NS);
        let deadline = ferry_e2e::Deadline::after(Duration::from_secs(30));
        let rendered = loop {
            if let Ok(Some(cm)) = api.get_opt(&names::config_map(cluster)).await {
                if let Some(text) = cm
                    .data
                    .as_ref()
                    .and_then(|d| d.get(names::WORKER_PROPERTIES_KEY))
                {
                    break text.clone();
                }
            }
            assert!(
                !deadline.passed(),
                "the operator rendered no worker config for {cluster}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let path = self.dir.join(format!("{pod}.properties"));
        let text = format!(
            "{rendered}\n# this host's port for this pod\nlisteners=http://127.0.0.1:{rest_port}\noffset.flush.interval.ms=500\n"
        );
        std::fs::write(&path, text).expect("write the worker config");
        path
    }

    /// Starts pod `pod` of `cluster`: its Pod object (not ready), its worker process, and marks
    /// it ready once `/health` answers 200.
    pub async fn start_pod(&mut self, cluster: &str, pod: &str) {
        let rest_port = ferry_e2e::free_port();
        let config = self.worker_config(cluster, pod, rest_port).await;
        let mut object = Pod::default();
        object.metadata.name = Some(pod.to_owned());
        object.metadata.namespace = Some(NS.to_owned());
        object.metadata.labels = Some(names::selector_labels(cluster));
        object.status = Some(pod_status(false));
        Api::<Pod>::namespaced(self.client.clone(), NS)
            .create(&PostParams::default(), &object)
            .await
            .expect("create the Pod");
        let log = self.dir.join(format!("{pod}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(ferry_e2e::worker::worker_binary())
            .args(["kubernetes", "--config"])
            .arg(&config)
            .current_dir(&self.dir)
            .env("FERRY_LOG", "info")
            .env("KUBECONFIG", &self.kubeconfig)
            .env("POD_NAME", pod)
            .env("POD_NAMESPACE", NS)
            .env("POD_IP", "127.0.0.1")
            .env("FERRY_CONNECT_CLUSTER", cluster)
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start ferry-worker kubernetes");
        self.started.insert(pod.to_owned());
        self.pods.insert(
            pod.to_owned(),
            WorkerPod {
                child,
                rest_port,
                log,
            },
        );
        // The kubelet's readiness probe.
        let url = format!("http://127.0.0.1:{rest_port}/health");
        let deadline = ferry_e2e::Deadline::after(Duration::from_secs(30));
        loop {
            if let Ok(r) = reqwest::get(&url).await {
                if r.status().is_success() {
                    break;
                }
            }
            if let Some(p) = self.pods.get_mut(pod) {
                if let Ok(Some(status)) = p.child.try_wait() {
                    panic!("worker {pod} exited with {status}:\n{}", self.log_text(pod));
                }
            }
            assert!(
                !deadline.passed(),
                "worker {pod} not healthy:\n{}",
                self.log_text(pod)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.set_ready(pod, true).await;
    }

    /// Sets the pod's Ready condition, as the kubelet does from the readiness probe.
    pub async fn set_ready(&self, pod: &str, ready: bool) {
        Api::<Pod>::namespaced(self.client.clone(), NS)
            .patch_status(
                pod,
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({ "status": pod_status(ready) })),
            )
            .await
            .expect("set the pod's readiness");
    }

    /// The pod dies at once (kill -9) and its Pod object goes, as when its node is drained by
    /// force or the pod is evicted.
    pub async fn kill_pod(&mut self, pod: &str) {
        if let Some(mut p) = self.pods.remove(pod) {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        self.delete_pod_object(pod).await;
    }

    /// A graceful scale-down of one pod: SIGTERM (the worker stops its tasks, committing, and
    /// withdraws its reports), then the Pod object goes once the process has exited.
    pub async fn stop_pod(&mut self, pod: &str) {
        if let Some(mut p) = self.pods.remove(pod) {
            // SAFETY-free: `kill` the command, not libc.
            let _ = Command::new("kill")
                .args(["-TERM", &p.child.id().to_string()])
                .status();
            let deadline = ferry_e2e::Deadline::after(Duration::from_secs(60));
            loop {
                if let Ok(Some(_)) = p.child.try_wait() {
                    break;
                }
                if deadline.passed() {
                    let _ = p.child.kill();
                    panic!("worker {pod} did not stop on SIGTERM");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        self.delete_pod_object(pod).await;
    }

    async fn delete_pod_object(&self, pod: &str) {
        let _ = Api::<Pod>::namespaced(self.client.clone(), NS)
            .delete(pod, &DeleteParams::default())
            .await;
    }

    pub fn log_text(&self, pod: &str) -> String {
        self.pods
            .get(pod)
            .map(|p| std::fs::read_to_string(&p.log).unwrap_or_default())
            .or_else(|| std::fs::read_to_string(self.dir.join(format!("{pod}.log"))).ok())
            .unwrap_or_default()
    }

    pub fn rest_port(&self, pod: &str) -> Option<u16> {
        self.pods.get(pod).map(|p| p.rest_port)
    }

    pub fn pod_names(&self) -> Vec<String> {
        self.pods.keys().cloned().collect()
    }

    /// Every worker's log, for a failure message.
    /// The logs of every pod started, those stopped or killed included.
    pub fn all_logs(&self) -> String {
        self.started
            .iter()
            .map(|p| {
                let gone = if self.pods.contains_key(p) {
                    ""
                } else {
                    " (gone)"
                };
                format!("----- {p}{gone} -----\n{}", self.log_text(p))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub async fn stop(mut self) {
        let names: Vec<String> = self.pods.keys().cloned().collect();
        for pod in names {
            if let Some(mut p) = self.pods.remove(&pod) {
                let _ = p.child.kill();
                let _ = p.child.wait();
            }
        }
        self.shutdown.cancel();
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for p in self.pods.values_mut() {
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        self.shutdown.cancel();
    }
}

fn pod_status(ready: bool) -> PodStatus {
    PodStatus {
        phase: Some("Running".into()),
        pod_ip: Some("127.0.0.1".into()),
        conditions: Some(vec![PodCondition {
            type_: "Ready".into(),
            status: if ready { "True" } else { "False" }.into(),
            ..PodCondition::default()
        }]),
        ..PodStatus::default()
    }
}
