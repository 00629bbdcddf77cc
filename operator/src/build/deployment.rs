//! The worker Deployment: `ferry-worker kubernetes` with the rendered config, hardened by default.

use std::collections::BTreeMap;

use ferry_crds::common::{AdditionalVolume, LogLevel, LoggingType, ProbeSettings};
use ferry_crds::KafkaConnectSpec;
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar,
    EnvVarSource, HTTPGetAction, ObjectFieldSelector, PodSecurityContext, PodSpec, PodTemplateSpec,
    Probe, SeccompProfile, SecretKeySelector, SecretVolumeSource, SecurityContext, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::hash::config_hash;
use super::meta::{merge_template, Owner};
use super::references::{client_cert_dir, trusted_dir, SASL_PASSWORD_ENV};
use super::service::REST_PORT_NAME;
use crate::names;

/// UID/GID the workers run as when the template sets no pod security context (the distroless
/// `nonroot` user). Explicit, so `runAsNonRoot` also holds for images whose USER is a name.
pub const DEFAULT_UID: i64 = 65532;
/// Default `terminationGracePeriodSeconds`: time to commit offsets and stop tasks.
pub const DEFAULT_GRACE_SECONDS: i64 = 30;
/// Env var naming the worker's `KafkaConnect`, so it watches the connectors bound to it.
pub const CLUSTER_ENV: &str = "FERRY_CONNECT_CLUSTER";

/// Inputs of the Deployment besides the spec.
pub struct DeploymentInput<'a> {
    /// Image used when `spec.image` is unset.
    pub default_image: &'a str,
    /// ConfigMap data (see [`super::config_map::config_data`]), hashed onto the pod template.
    pub config_data: &'a BTreeMap<String, String>,
    /// Data hash of every Secret in [`super::references::hashed_secrets`], by name.
    pub secret_hashes: &'a BTreeMap<String, String>,
}

/// Deployment `<name>-connect`.
pub fn deployment(owner: &Owner, spec: &KafkaConnectSpec, input: &DeploymentInput) -> Deployment {
    let template = spec.template.as_ref();
    let pod_t = template.and_then(|t| t.pod.as_ref());
    let deployment_meta = template
        .and_then(|t| t.deployment.as_ref())
        .and_then(|d| d.metadata.as_ref());

    let (pod_labels, mut pod_annotations) = merge_template(
        names::object_labels(&owner.name),
        pod_t.and_then(|p| p.metadata.as_ref()),
    );
    pod_annotations.insert(
        names::CONFIG_HASH_ANNOTATION.to_owned(),
        config_hash(input.config_data, input.secret_hashes),
    );

    let pod_spec = PodSpec {
        service_account_name: Some(names::workers(&owner.name)),
        containers: vec![container(owner, spec, input.default_image)],
        volumes: Some(volumes(owner, spec)),
        security_context: Some(
            pod_t
                .and_then(|p| p.security_context.clone())
                .unwrap_or_else(default_pod_security_context),
        ),
        affinity: pod_t.and_then(|p| p.affinity.clone()),
        tolerations: pod_t
            .map(|p| p.tolerations.clone())
            .filter(|t| !t.is_empty()),
        priority_class_name: pod_t.and_then(|p| p.priority_class_name.clone()),
        image_pull_secrets: pod_t
            .map(|p| p.image_pull_secrets.clone())
            .filter(|s| !s.is_empty()),
        termination_grace_period_seconds: Some(
            pod_t
                .and_then(|p| p.termination_grace_period_seconds)
                .unwrap_or(DEFAULT_GRACE_SECONDS),
        ),
        ..PodSpec::default()
    };

    Deployment {
        metadata: owner.meta(names::workers(&owner.name), deployment_meta),
        spec: Some(DeploymentSpec {
            replicas: Some(spec.replicas),
            selector: LabelSelector {
                match_labels: Some(names::selector_labels(&owner.name)),
                match_expressions: None,
            },
            // Surge rather than drop a worker: capacity never dips during a roll.
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::Int(1)),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: Some(pod_annotations),
                    ..ObjectMeta::default()
                }),
                spec: Some(pod_spec),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn container(owner: &Owner, spec: &KafkaConnectSpec, default_image: &str) -> Container {
    let container_t = spec
        .template
        .as_ref()
        .and_then(|t| t.connect_container.as_ref());
    let mut mounts = vec![
        mount("config", names::CONFIG_DIR),
        VolumeMount {
            read_only: Some(false),
            ..mount("tmp", "/tmp")
        },
    ];
    for (i, secret) in trusted_secrets(spec).iter().enumerate() {
        mounts.push(mount(&format!("tls-trusted-{i}"), &trusted_dir(secret)));
    }
    if let Some(ck) = client_cert(spec) {
        mounts.push(mount("tls-client", &client_cert_dir(&ck.secret_name)));
    }
    if let Some(t) = container_t {
        mounts.extend(t.volume_mounts.iter().cloned());
    }
    let config_file = format!("{}/{}", names::CONFIG_DIR, names::WORKER_PROPERTIES_KEY);
    Container {
        name: names::CONTAINER_NAME.to_owned(),
        image: Some(
            spec.image
                .clone()
                .unwrap_or_else(|| default_image.to_owned()),
        ),
        args: Some(vec![
            "kubernetes".to_owned(),
            "--config".to_owned(),
            config_file,
        ]),
        env: Some(env(owner, spec)),
        ports: Some(vec![ContainerPort {
            name: Some(REST_PORT_NAME.to_owned()),
            container_port: names::REST_PORT,
            protocol: Some("TCP".to_owned()),
            ..ContainerPort::default()
        }]),
        liveness_probe: Some(probe(spec.liveness_probe.as_ref())),
        readiness_probe: Some(probe(spec.readiness_probe.as_ref())),
        resources: spec.resources.clone(),
        security_context: Some(
            container_t
                .and_then(|t| t.security_context.clone())
                .unwrap_or_else(default_container_security_context),
        ),
        volume_mounts: Some(mounts),
        ..Container::default()
    }
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: name.to_owned(),
        mount_path: path.to_owned(),
        read_only: Some(true),
        ..VolumeMount::default()
    }
}

/// Template env first, then the operator's variables, replacing template entries of the same name
/// (the worker depends on them).
fn env(owner: &Owner, spec: &KafkaConnectSpec) -> Vec<EnvVar> {
    let field = |name: &str, path: &str| EnvVar {
        name: name.to_owned(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: Some("v1".to_owned()),
                field_path: path.to_owned(),
            }),
            ..EnvVarSource::default()
        }),
    };
    let mut own = vec![
        field("POD_NAME", "metadata.name"),
        field("POD_NAMESPACE", "metadata.namespace"),
        field("POD_IP", "status.podIP"),
        EnvVar {
            name: CLUSTER_ENV.to_owned(),
            value: Some(owner.name.clone()),
            value_from: None,
        },
    ];
    if let Some(filter) = log_filter(spec) {
        own.push(EnvVar {
            name: "FERRY_LOG".to_owned(),
            value: Some(filter),
            value_from: None,
        });
    }
    if let Some(p) = spec
        .authentication
        .as_ref()
        .and_then(|a| a.password_secret.as_ref())
    {
        own.push(EnvVar {
            name: SASL_PASSWORD_ENV.to_owned(),
            value: None,
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: p.secret_name.clone(),
                    key: p.password.clone(),
                    optional: Some(false),
                }),
                ..EnvVarSource::default()
            }),
        });
    }
    let mut out: Vec<EnvVar> = spec
        .template
        .as_ref()
        .and_then(|t| t.connect_container.as_ref())
        .map(|t| t.env.clone())
        .unwrap_or_default();
    out.retain(|e| !own.iter().any(|o| o.name == e.name));
    out.extend(own);
    out
}

/// Inline logging as a `tracing-subscriber` filter (`FERRY_LOG`): `root` (or Strimzi's
/// `rootLogger.level`) is the default level, every other name a target directive.
pub fn log_filter(spec: &KafkaConnectSpec) -> Option<String> {
    let logging = spec.logging.as_ref()?;
    if logging.type_ != LoggingType::Inline {
        return None;
    }
    let loggers = logging.loggers.as_ref()?;
    let mut parts = Vec::new();
    for root in ["root", "rootLogger.level"] {
        if let Some(level) = loggers.get(root) {
            parts.push(level_name(*level).to_owned());
        }
    }
    for (name, level) in loggers {
        if name != "root" && name != "rootLogger.level" {
            parts.push(format!("{name}={}", level_name(*level)));
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error | LogLevel::Fatal => "error",
        LogLevel::Off => "off",
    }
}

/// HTTP GET `/health` with the spec's timing over the documented defaults.
pub fn probe(settings: Option<&ProbeSettings>) -> Probe {
    let s = settings.cloned().unwrap_or_default();
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/health".to_owned()),
            port: IntOrString::String(REST_PORT_NAME.to_owned()),
            scheme: Some("HTTP".to_owned()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(s.initial_delay_seconds.unwrap_or(5)),
        timeout_seconds: Some(s.timeout_seconds.unwrap_or(5)),
        period_seconds: Some(s.period_seconds.unwrap_or(10)),
        success_threshold: Some(s.success_threshold.unwrap_or(1)),
        failure_threshold: Some(s.failure_threshold.unwrap_or(3)),
        ..Probe::default()
    }
}

fn runtime_default_seccomp() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".to_owned(),
        localhost_profile: None,
    }
}

/// Non-root with the RuntimeDefault seccomp profile (Pod Security Standards "restricted").
pub fn default_pod_security_context() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(DEFAULT_UID),
        run_as_group: Some(DEFAULT_UID),
        fs_group: Some(DEFAULT_UID),
        seccomp_profile: Some(runtime_default_seccomp()),
        ..PodSecurityContext::default()
    }
}

/// Read-only root file system, no privilege escalation, every capability dropped.
pub fn default_container_security_context() -> SecurityContext {
    SecurityContext {
        run_as_non_root: Some(true),
        read_only_root_filesystem: Some(true),
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        capabilities: Some(Capabilities {
            add: None,
            drop: Some(vec!["ALL".to_owned()]),
        }),
        seccomp_profile: Some(runtime_default_seccomp()),
        ..SecurityContext::default()
    }
}

/// Distinct Secrets holding trusted certificates, in spec order.
fn trusted_secrets(spec: &KafkaConnectSpec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in spec.tls.iter().flat_map(|t| &t.trusted_certificates) {
        if !out.contains(&c.secret_name) {
            out.push(c.secret_name.clone());
        }
    }
    out
}

fn client_cert(spec: &KafkaConnectSpec) -> Option<&ferry_crds::common::CertAndKeySecretSource> {
    spec.authentication
        .as_ref()
        .and_then(|a| a.certificate_and_key.as_ref())
}

fn secret_volume(name: String, secret: &str) -> Volume {
    Volume {
        name,
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.to_owned()),
            ..SecretVolumeSource::default()
        }),
        ..Volume::default()
    }
}

fn volumes(owner: &Owner, spec: &KafkaConnectSpec) -> Vec<Volume> {
    let mut out = vec![
        Volume {
            name: "config".to_owned(),
            config_map: Some(ConfigMapVolumeSource {
                name: names::config_map(&owner.name),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
        // The root file system is read-only; librdkafka and the runtime may still need scratch.
        Volume {
            name: "tmp".to_owned(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        },
    ];
    for (i, secret) in trusted_secrets(spec).iter().enumerate() {
        out.push(secret_volume(format!("tls-trusted-{i}"), secret));
    }
    if let Some(ck) = client_cert(spec) {
        out.push(secret_volume("tls-client".to_owned(), &ck.secret_name));
    }
    let extra = spec
        .template
        .as_ref()
        .and_then(|t| t.pod.as_ref())
        .map(|p| p.volumes.as_slice())
        .unwrap_or_default();
    out.extend(extra.iter().map(additional_volume));
    out
}

fn additional_volume(v: &AdditionalVolume) -> Volume {
    Volume {
        name: v.name.clone(),
        secret: v.secret.clone(),
        config_map: v.config_map.clone(),
        empty_dir: v.empty_dir.clone(),
        persistent_volume_claim: v.persistent_volume_claim.clone(),
        csi: v.csi.clone(),
        ..Volume::default()
    }
}
