//! Spec building blocks of `KafkaConnect`: TLS, authentication, probes, logging and the pod template.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, CSIVolumeSource, ConfigMapKeySelector, ConfigMapVolumeSource, EmptyDirVolumeSource,
    EnvVar, LocalObjectReference, PersistentVolumeClaimVolumeSource, PodSecurityContext,
    SecretVolumeSource, SecurityContext, Toleration, VolumeMount,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// TLS towards the Kafka brokers. Setting `tls`, even empty, enables TLS (security.protocol SSL, or
/// SASL_SSL with SASL authentication); without `trustedCertificates` the image's CA bundle is used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientTls {
    /// CA certificates the workers trust when connecting to the brokers. Strimzi:
    /// spec.tls.trustedCertificates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_certificates: Vec<CertSecretSource>,
}

/// A certificate (or a set of them) in a Secret of the same namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "has(self.certificate) != has(self.pattern)",
    "message": "set exactly one of certificate and pattern"
}]))]
pub struct CertSecretSource {
    /// Name of the Secret holding the certificate.
    pub secret_name: String,
    /// Key in the Secret whose value is a PEM certificate. Exactly one of certificate and pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Glob pattern of the Secret keys to use, for example `*.crt`; all matching certificates are
    /// trusted. Exactly one of certificate and pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// Authentication mechanism towards the Kafka brokers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AuthenticationType {
    /// Mutual TLS with the client certificate and key in `certificateAndKey`.
    #[serde(rename = "tls")]
    Tls,
    /// SASL SCRAM-SHA-256 with `username` and `passwordSecret`.
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    /// SASL SCRAM-SHA-512 with `username` and `passwordSecret`.
    #[serde(rename = "scram-sha-512")]
    ScramSha512,
    /// SASL PLAIN with `username` and `passwordSecret`.
    #[serde(rename = "plain")]
    Plain,
}

/// Client authentication towards the Kafka brokers. Strimzi: spec.authentication (Ferry has no
/// `custom` or `oauth` type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "self.type != 'tls' || has(self.certificateAndKey)",
        "message": "authentication type tls requires certificateAndKey"
    },
    {
        "rule": "self.type == 'tls' || (has(self.username) && has(self.passwordSecret))",
        "message": "authentication types scram-sha-256, scram-sha-512 and plain require username and passwordSecret"
    },
    {
        "rule": "self.type == 'tls' || !has(self.certificateAndKey)",
        "message": "certificateAndKey is only used with authentication type tls"
    },
    {
        "rule": "self.type != 'tls' || (!has(self.username) && !has(self.passwordSecret))",
        "message": "username and passwordSecret are not used with authentication type tls"
    }
]))]
pub struct ClientAuthentication {
    /// Mechanism: `tls`, `scram-sha-256`, `scram-sha-512` or `plain`.
    #[serde(rename = "type")]
    pub type_: AuthenticationType,
    /// Client certificate and key (type `tls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_and_key: Option<CertAndKeySecretSource>,
    /// SASL user name (types `scram-sha-256`, `scram-sha-512`, `plain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Secret key holding the SASL password (types `scram-sha-256`, `scram-sha-512`, `plain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<PasswordSecretSource>,
}

/// A client certificate and its private key in a Secret of the same namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertAndKeySecretSource {
    /// Name of the Secret.
    pub secret_name: String,
    /// Key in the Secret holding the PEM client certificate (chain).
    pub certificate: String,
    /// Key in the Secret holding the PEM private key.
    pub key: String,
}

/// A password in a Secret of the same namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordSecretSource {
    /// Name of the Secret.
    pub secret_name: String,
    /// Key in the Secret holding the password.
    pub password: String,
}

/// Health probe timing. The probe itself is an HTTP GET on the worker's `/health` endpoint.
/// Unset fields take the operator's defaults. Strimzi: spec.livenessProbe / spec.readinessProbe.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProbeSettings {
    /// Seconds after the container starts before the first probe (operator default: 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub initial_delay_seconds: Option<i32>,
    /// Seconds after which a probe times out (operator default: 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub timeout_seconds: Option<i32>,
    /// Seconds between probes (operator default: 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub period_seconds: Option<i32>,
    /// Consecutive successes after a failure for the probe to count as successful; must be 1 for a
    /// liveness probe (operator default: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub success_threshold: Option<i32>,
    /// Consecutive failures for the probe to count as failed (operator default: 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub failure_threshold: Option<i32>,
}

/// Where the worker's log levels come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LoggingType {
    /// Levels given inline in `loggers`.
    Inline,
    /// Levels read from a ConfigMap key named in `valueFrom.configMapKeyRef`.
    External,
}

/// A log level. Kafka's log4j names are accepted; `FATAL` is treated as `ERROR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// Everything.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation (the default).
    Info,
    /// Unexpected but handled.
    Warn,
    /// Failures.
    Error,
    /// Failures (log4j name; same as ERROR).
    Fatal,
    /// Nothing.
    Off,
}

/// Worker logging. Strimzi: spec.logging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "self.type != 'inline' || !has(self.valueFrom)",
        "message": "logging type inline takes loggers, not valueFrom"
    },
    {
        "rule": "self.type != 'external' || (has(self.valueFrom) && !has(self.loggers))",
        "message": "logging type external requires valueFrom.configMapKeyRef and takes no loggers"
    }
]))]
pub struct Logging {
    /// `inline` (levels in `loggers`) or `external` (levels in a ConfigMap).
    #[serde(rename = "type")]
    pub type_: LoggingType,
    /// Logger name to level. `root` (or Strimzi's `rootLogger.level`) sets the default level; other
    /// names are Ferry module paths such as `ferry_worker::runtime`, or Kafka logger names which the
    /// operator maps to Ferry's modules where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loggers: Option<BTreeMap<String, LogLevel>>,
    /// Source of the levels for type `external`: a ConfigMap key with one `name=LEVEL` per line.
    /// Changing the ConfigMap applies without a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ExternalLoggingSource>,
}

/// Reference to the ConfigMap key with external logging configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalLoggingSource {
    /// The ConfigMap (same namespace) and key.
    pub config_map_key_ref: ConfigMapKeySelector,
}

/// Labels and annotations added to a generated object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetadataTemplate {
    /// Labels added to the object. Labels the operator sets itself (such as `ferry.dev/cluster`)
    /// win.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations added to the object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Template of a generated object whose metadata can be customised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplate {
    /// Labels and annotations added to the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataTemplate>,
}

/// Customisation of the worker pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplate {
    /// Labels and annotations added to the worker pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataTemplate>,
    /// Pod affinity and anti-affinity rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Tolerations of the worker pods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Pod security context. The operator's default runs as non-root with the RuntimeDefault
    /// seccomp profile; fields set here replace the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Priority class of the worker pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Extra volumes, for example Secrets read by connectors through a config provider; mount them
    /// with `connectContainer.volumeMounts`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<AdditionalVolume>,
    /// Secrets used to pull the worker image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    /// Seconds a stopping worker gets to commit offsets and stop its tasks (operator default: 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub termination_grace_period_seconds: Option<i64>,
}

/// An extra volume of the worker pods. Like Strimzi, only the volume sources a worker needs are
/// offered (Secrets, ConfigMaps, scratch space, claims and CSI drivers such as the Secrets Store
/// CSI driver); exactly one source is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "(has(self.secret) ? 1 : 0) + (has(self.configMap) ? 1 : 0) + (has(self.emptyDir) ? 1 : 0) + (has(self.persistentVolumeClaim) ? 1 : 0) + (has(self.csi) ? 1 : 0) == 1",
    "message": "set exactly one of secret, configMap, emptyDir, persistentVolumeClaim and csi"
}]))]
pub struct AdditionalVolume {
    /// Volume name, referenced by `connectContainer.volumeMounts[].name`.
    #[schemars(length(min = 1))]
    pub name: String,
    /// A Secret of the same namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretVolumeSource>,
    /// A ConfigMap of the same namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapVolumeSource>,
    /// Scratch space that lives as long as the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirVolumeSource>,
    /// A PersistentVolumeClaim of the same namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
    /// A CSI volume, for example from the Secrets Store CSI driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CSIVolumeSource>,
}

/// Customisation of the worker container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerTemplate {
    /// Extra environment variables. Variables the operator sets itself win.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Extra volume mounts, for volumes declared in `pod.volumes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    /// Container security context. The operator's default is non-root, read-only root file system,
    /// no privilege escalation and all capabilities dropped; fields set here replace the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
}

/// Customisation of the objects the operator generates for a `KafkaConnect`. Strimzi:
/// spec.template (Ferry has a Deployment where Strimzi has a StrimziPodSet).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectTemplate {
    /// The worker Deployment's own metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<ResourceTemplate>,
    /// The worker pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodTemplate>,
    /// The worker container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_container: Option<ContainerTemplate>,
    /// The Service in front of the workers' REST API and metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ResourceTemplate>,
    /// The PodDisruptionBudget of the workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_disruption_budget: Option<ResourceTemplate>,
}
