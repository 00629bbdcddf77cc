//! Builder tests: names, labels, owner references, hashes, security, template merges, probes.

use std::collections::BTreeMap;

use ferry_crds::common::{
    ConnectTemplate, ContainerTemplate, LogLevel, Logging, LoggingType, MetadataTemplate,
    PodTemplate, ProbeSettings, ResourceTemplate,
};
use ferry_crds::{KafkaConnect, KafkaConnectSpec};
use k8s_openapi::api::core::v1::{Affinity, EnvVar, PodSecurityContext, Toleration, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::*;
use crate::names;

const IMAGE: &str = "ghcr.io/ferry/ferry-worker:0.1.0";

pub(crate) fn connect(spec: KafkaConnectSpec) -> KafkaConnect {
    let mut kc = KafkaConnect::new("my-connect", spec);
    kc.metadata = ObjectMeta {
        name: Some("my-connect".into()),
        namespace: Some("ns".into()),
        uid: Some("uid-1".into()),
        generation: Some(3),
        ..ObjectMeta::default()
    };
    kc
}

fn spec() -> KafkaConnectSpec {
    KafkaConnectSpec::new("kafka:9092", "g", "offsets")
}

fn build(kc: &KafkaConnect) -> DesiredObjects {
    build_all(kc, IMAGE, &BTreeMap::new()).expect("builds")
}

fn hash_of(objects: &DesiredObjects) -> String {
    objects
        .deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(names::CONFIG_HASH_ANNOTATION))
        .cloned()
        .expect("hash annotation")
}

#[test]
fn every_object_has_name_namespace_labels_and_owner() {
    let o = build(&connect(spec()));
    let metas = [
        (&o.service_account.metadata, "my-connect-connect"),
        (&o.role.metadata, "my-connect-connect"),
        (&o.role_binding.metadata, "my-connect-connect"),
        (&o.config_map.metadata, "my-connect-connect-config"),
        (&o.service.metadata, "my-connect-connect-api"),
        (&o.pod_disruption_budget.metadata, "my-connect-connect"),
        (&o.deployment.metadata, "my-connect-connect"),
    ];
    for (meta, name) in metas {
        assert_eq!(meta.name.as_deref(), Some(name));
        assert_eq!(meta.namespace.as_deref(), Some("ns"));
        let labels = meta.labels.as_ref().expect("labels");
        assert_eq!(labels["app.kubernetes.io/name"], "ferry-worker");
        assert_eq!(labels["app.kubernetes.io/instance"], "my-connect");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "ferry-operator");
        assert_eq!(labels["ferry.dev/cluster"], "my-connect");
        let owners = meta.owner_references.as_ref().expect("owners");
        assert_eq!(owners.len(), 1);
        assert_eq!(owners[0].kind, "KafkaConnect");
        assert_eq!(owners[0].api_version, "ferry.dev/v1beta1");
        assert_eq!(owners[0].uid, "uid-1");
        assert_eq!(owners[0].controller, Some(true));
    }
}

#[test]
fn missing_uid_is_an_error() {
    let mut kc = connect(spec());
    kc.metadata.uid = None;
    assert_eq!(
        build_all(&kc, IMAGE, &BTreeMap::new()),
        Err(BuildError::MissingMetadata("metadata.uid"))
    );
}

#[test]
fn config_map_holds_worker_properties() {
    let o = build(&connect(spec()));
    let text = &o.config_map.data.as_ref().expect("data")[names::WORKER_PROPERTIES_KEY];
    assert!(
        text.contains("bootstrap.servers=kafka\\:9092")
            || text.contains("bootstrap.servers=kafka:9092")
    );
    assert!(text.contains("group.id=g\n"), "{text}");
}

#[test]
fn deployment_runs_the_worker_in_kubernetes_mode() {
    let o = build(&connect(spec()));
    let d = o.deployment.spec.as_ref().expect("spec");
    assert_eq!(d.replicas, Some(1));
    assert_eq!(
        d.selector.match_labels.as_ref(),
        Some(&names::selector_labels("my-connect"))
    );
    let pod = d.template.spec.as_ref().expect("pod");
    assert_eq!(
        pod.service_account_name.as_deref(),
        Some("my-connect-connect")
    );
    let c = &pod.containers[0];
    assert_eq!(c.image.as_deref(), Some(IMAGE));
    assert_eq!(
        c.args.as_deref(),
        Some(
            &[
                "kubernetes".to_string(),
                "--config".into(),
                "/etc/ferry/worker.properties".into()
            ][..]
        )
    );
    let env: Vec<&str> = c.env.iter().flatten().map(|e| e.name.as_str()).collect();
    for name in [
        "POD_NAME",
        "POD_NAMESPACE",
        "POD_IP",
        "FERRY_CONNECT_CLUSTER",
    ] {
        assert!(env.contains(&name), "{name} in {env:?}");
    }
    let config_volume = pod
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == "config")
        .and_then(|v| v.config_map.as_ref())
        .expect("config volume");
    assert_eq!(config_volume.name, "my-connect-connect-config");
}

#[test]
fn image_from_spec_wins() {
    let mut s = spec();
    s.image = Some("registry/custom:1".into());
    let o = build(&connect(s));
    let pod = o
        .deployment
        .spec
        .and_then(|d| d.template.spec)
        .expect("pod");
    assert_eq!(
        pod.containers[0].image.as_deref(),
        Some("registry/custom:1")
    );
}

#[test]
fn default_security_is_restricted() {
    let o = build(&connect(spec()));
    let pod = o
        .deployment
        .spec
        .and_then(|d| d.template.spec)
        .expect("pod");
    let psc = pod.security_context.expect("pod security");
    assert_eq!(psc.run_as_non_root, Some(true));
    assert_eq!(
        psc.seccomp_profile.map(|s| s.type_).as_deref(),
        Some("RuntimeDefault")
    );
    let csc = pod.containers[0]
        .security_context
        .clone()
        .expect("container security");
    assert_eq!(csc.read_only_root_filesystem, Some(true));
    assert_eq!(csc.allow_privilege_escalation, Some(false));
    assert_eq!(csc.run_as_non_root, Some(true));
    assert_eq!(
        csc.capabilities.and_then(|c| c.drop),
        Some(vec!["ALL".to_string()])
    );
    // A read-only root needs a writable /tmp.
    let mounts = pod.containers[0].volume_mounts.clone().unwrap_or_default();
    assert!(mounts
        .iter()
        .any(|m| m.mount_path == "/tmp" && m.read_only == Some(false)));
}

#[test]
fn hash_changes_with_config_and_with_secrets_only() {
    let base = build(&connect(spec()));
    let same = build(&connect(spec()));
    assert_eq!(hash_of(&base), hash_of(&same));

    let mut changed = spec();
    changed
        .config
        .insert("offset.flush.interval.ms".into(), "1000".into());
    assert_ne!(hash_of(&base), hash_of(&build(&connect(changed))));

    let kc = connect(spec());
    let s1 = BTreeMap::from([("pw".to_string(), "h1".to_string())]);
    let s2 = BTreeMap::from([("pw".to_string(), "h2".to_string())]);
    let h1 = hash_of(&build_all(&kc, IMAGE, &s1).expect("builds"));
    let h2 = hash_of(&build_all(&kc, IMAGE, &s2).expect("builds"));
    assert_ne!(h1, h2);
    assert_ne!(h1, hash_of(&base));

    // Replicas do not change the pod template, so scaling does not roll the pods.
    let mut scaled = spec();
    scaled.replicas = 5;
    assert_eq!(hash_of(&base), hash_of(&build(&connect(scaled))));
}

#[test]
fn probes_take_spec_settings_over_defaults() {
    let mut s = spec();
    s.liveness_probe = Some(ProbeSettings {
        initial_delay_seconds: Some(30),
        failure_threshold: Some(7),
        ..ProbeSettings::default()
    });
    let o = build(&connect(s));
    let c = &o
        .deployment
        .spec
        .and_then(|d| d.template.spec)
        .expect("pod")
        .containers[0];
    let live = c.liveness_probe.clone().expect("liveness");
    assert_eq!(live.initial_delay_seconds, Some(30));
    assert_eq!(live.failure_threshold, Some(7));
    assert_eq!(live.period_seconds, Some(10));
    let http = live.http_get.expect("http");
    assert_eq!(http.path.as_deref(), Some("/health"));
    let ready = c.readiness_probe.clone().expect("readiness");
    assert_eq!(ready.initial_delay_seconds, Some(5));
    assert_eq!(ready.timeout_seconds, Some(5));
}

#[test]
fn template_merges_and_operator_values_win() {
    let mut s = spec();
    s.template = Some(ConnectTemplate {
        deployment: Some(ResourceTemplate {
            metadata: Some(MetadataTemplate {
                labels: BTreeMap::from([("team".to_string(), "data".to_string())]),
                annotations: BTreeMap::new(),
            }),
        }),
        pod: Some(PodTemplate {
            metadata: Some(MetadataTemplate {
                labels: BTreeMap::from([
                    ("team".to_string(), "data".to_string()),
                    ("ferry.dev/cluster".to_string(), "other".to_string()),
                ]),
                annotations: BTreeMap::from([("a".to_string(), "b".to_string())]),
            }),
            affinity: Some(Affinity::default()),
            tolerations: vec![Toleration {
                key: Some("dedicated".into()),
                ..Toleration::default()
            }],
            security_context: Some(PodSecurityContext {
                run_as_user: Some(1000),
                ..PodSecurityContext::default()
            }),
            priority_class_name: Some("high".into()),
            termination_grace_period_seconds: Some(90),
            ..PodTemplate::default()
        }),
        connect_container: Some(ContainerTemplate {
            env: vec![
                EnvVar {
                    name: "EXTRA".into(),
                    value: Some("1".into()),
                    value_from: None,
                },
                EnvVar {
                    name: "POD_IP".into(),
                    value: Some("spoofed".into()),
                    value_from: None,
                },
            ],
            volume_mounts: vec![VolumeMount {
                name: "extra".into(),
                mount_path: "/mnt/extra".into(),
                ..VolumeMount::default()
            }],
            security_context: None,
        }),
        service: Some(ResourceTemplate {
            metadata: Some(MetadataTemplate {
                labels: BTreeMap::new(),
                annotations: BTreeMap::from([("svc".to_string(), "yes".to_string())]),
            }),
        }),
        pod_disruption_budget: None,
    });
    let o = build(&connect(s));
    assert_eq!(
        o.deployment.metadata.labels.as_ref().expect("labels")["team"],
        "data"
    );
    assert_eq!(
        o.service
            .metadata
            .annotations
            .as_ref()
            .expect("annotations")["svc"],
        "yes"
    );
    let t = o.deployment.spec.expect("spec").template;
    let meta = t.metadata.expect("meta");
    let labels = meta.labels.expect("labels");
    assert_eq!(labels["team"], "data");
    assert_eq!(
        labels["ferry.dev/cluster"], "my-connect",
        "operator label wins"
    );
    let annotations = meta.annotations.expect("annotations");
    assert_eq!(annotations["a"], "b");
    assert!(annotations.contains_key(names::CONFIG_HASH_ANNOTATION));
    let pod = t.spec.expect("pod");
    assert!(pod.affinity.is_some());
    assert_eq!(
        pod.tolerations.expect("tolerations")[0].key.as_deref(),
        Some("dedicated")
    );
    assert_eq!(pod.priority_class_name.as_deref(), Some("high"));
    assert_eq!(pod.termination_grace_period_seconds, Some(90));
    // A template security context replaces the default.
    let psc = pod.security_context.expect("psc");
    assert_eq!(psc.run_as_user, Some(1000));
    assert_eq!(psc.run_as_non_root, None);
    let c = &pod.containers[0];
    let env = c.env.clone().expect("env");
    assert!(env.iter().any(|e| e.name == "EXTRA"));
    let pod_ip: Vec<_> = env.iter().filter(|e| e.name == "POD_IP").collect();
    assert_eq!(pod_ip.len(), 1);
    assert!(pod_ip[0].value_from.is_some(), "operator's POD_IP wins");
    assert!(c
        .volume_mounts
        .iter()
        .flatten()
        .any(|m| m.mount_path == "/mnt/extra"));
}

#[test]
fn inline_logging_becomes_ferry_log() {
    let mut s = spec();
    s.logging = Some(Logging {
        type_: LoggingType::Inline,
        loggers: Some(BTreeMap::from([
            ("rootLogger.level".to_string(), LogLevel::Warn),
            ("ferry_worker::runtime".to_string(), LogLevel::Fatal),
        ])),
        value_from: None,
    });
    assert_eq!(
        deployment::log_filter(&s).as_deref(),
        Some("warn,ferry_worker::runtime=error")
    );
    let o = build(&connect(s));
    let c = &o
        .deployment
        .spec
        .and_then(|d| d.template.spec)
        .expect("pod")
        .containers[0];
    assert!(c.env.iter().flatten().any(|e| e.name == "FERRY_LOG"));
}

#[test]
fn service_and_pdb_select_the_worker_pods() {
    let o = build(&connect(spec()));
    let svc = o.service.spec.expect("spec");
    assert_eq!(svc.selector, Some(names::selector_labels("my-connect")));
    let ports: Vec<(Option<String>, i32)> = svc
        .ports
        .iter()
        .flatten()
        .map(|p| (p.name.clone(), p.port))
        .collect();
    assert_eq!(
        ports,
        vec![
            (Some("rest-api".into()), 8083),
            (Some("metrics".into()), 9404)
        ]
    );
    let pdb = o.pod_disruption_budget.spec.expect("spec");
    assert_eq!(
        pdb.max_unavailable,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(1))
    );
    assert_eq!(
        pdb.selector.and_then(|s| s.match_labels),
        Some(names::selector_labels("my-connect"))
    );
}

#[test]
fn role_grants_only_connectors_status_and_named_secrets() {
    let o = build(&connect(spec()));
    let rules = o.role.rules.expect("rules");
    assert_eq!(
        rules.len(),
        2,
        "no Secret rule without named Secrets: {rules:?}"
    );
    assert_eq!(
        rules[0].resources,
        Some(vec!["kafkaconnectors".to_string()])
    );
    assert_eq!(rules[0].verbs, vec!["get", "list", "watch"]);
    assert_eq!(
        rules[1].resources,
        Some(vec!["kafkaconnectors/status".to_string()])
    );
    assert!(rules.iter().all(|r| !r.verbs.contains(&"*".to_string())));

    let mut s = spec();
    s.authentication = Some(ferry_crds::common::ClientAuthentication {
        type_: ferry_crds::common::AuthenticationType::Plain,
        certificate_and_key: None,
        username: Some("u".into()),
        password_secret: Some(ferry_crds::common::PasswordSecretSource {
            secret_name: "pw".into(),
            password: "p".into(),
        }),
    });
    let rules = build(&connect(s)).role.rules.expect("rules");
    let secrets = rules
        .iter()
        .find(|r| r.resources == Some(vec!["secrets".to_string()]))
        .expect("secret rule");
    assert_eq!(secrets.verbs, vec!["get"]);
    assert_eq!(secrets.resource_names, Some(vec!["pw".to_string()]));

    let rb = o.role_binding;
    assert_eq!(rb.role_ref.kind, "Role");
    assert_eq!(rb.role_ref.name, "my-connect-connect");
    let subject = &rb.subjects.expect("subjects")[0];
    assert_eq!(subject.kind, "ServiceAccount");
    assert_eq!(subject.name, "my-connect-connect");
    assert_eq!(subject.namespace.as_deref(), Some("ns"));
}
