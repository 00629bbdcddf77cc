{{/*
Name of the chart, or nameOverride.
*/}}
{{- define "ferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: fullnameOverride, else "<release>-ferry", or the release name alone when
it already contains the chart name. Truncated to 63 characters (a DNS label).
*/}}
{{- define "ferry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"<chart>-<version>" for the helm.sh/chart label.
*/}}
{{- define "ferry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select the operator pods. Never change them in an upgrade: a Deployment's selector is
immutable.
*/}}
{{- define "ferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
Labels on every object of the chart.
*/}}
{{- define "ferry.labels" -}}
helm.sh/chart: {{ include "ferry.chart" . }}
{{ include "ferry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: ferry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The operator's ServiceAccount.
*/}}
{{- define "ferry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ferry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference.
*/}}
{{- define "ferry.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Default worker image, handed to the operator as FERRY_WORKER_IMAGE.
*/}}
{{- define "ferry.workerImage" -}}
{{- printf "%s:%s" .Values.workerImage.repository (default .Chart.AppVersion .Values.workerImage.tag) }}
{{- end }}

{{/*
Name of the coordination.k8s.io Lease the operator replicas elect their leader with. Fixed in the
operator; the chart only names it to restrict the RBAC rule to it.
*/}}
{{- define "ferry.leaseName" -}}
ferry-operator
{{- end }}

{{/*
What the operator does in the namespaces it watches, used by the ClusterRole (all namespaces) and by
the Role in each watched namespace. Nothing more:

- kafkaconnects, kafkaconnectors: watch them, write their status. kafkaconnects/finalizers (update):
  the owned objects carry an owner reference with blockOwnerDeletion, which clusters with the
  OwnerReferencesPermissionEnforcement admission plugin (OpenShift, hardened clusters) only accept from
  a client that may update the owner's finalizers.
- configmaps, services, serviceaccounts, deployments, poddisruptionbudgets, roles, rolebindings: the
  objects built for each KafkaConnect, applied server-side, watched so changes by hand are undone, and
  deleted when no longer wanted.
- pods (read): the live worker pods, to assign tasks and report status.
- secrets (read): the operator hashes every Secret a KafkaConnect references (TLS certificates, SASL
  passwords) into the worker pod template, so changing the Secret rolls the workers; it watches them
  to do that within a second, and reports ReferenceNotFound when one is missing. It never writes them.
- events: Kubernetes Events on meaningful transitions.

Creating the workers' Role is not privilege escalation: Kubernetes lets a client create a Role, or
bind one, only if it already holds every permission in it (or has the `escalate` / `bind` verbs, which
this chart never grants). The workers' Role (operator/src/build/rbac.rs) allows get/list/watch on
kafkaconnectors, get/patch on kafkaconnectors/status and get on the named Secrets; each is a subset
of the rules below, in the same namespace. A permission added to the workers' Role must be added
here first, or the apply fails with "attempting to grant RBAC permissions not currently held".
*/}}
{{- define "ferry.operatorRules" -}}
- apiGroups: ["ferry.dev"]
  resources: ["kafkaconnects", "kafkaconnectors"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["ferry.dev"]
  resources: ["kafkaconnects/status", "kafkaconnectors/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["ferry.dev"]
  resources: ["kafkaconnects/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps", "services", "serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
