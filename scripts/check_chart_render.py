#!/usr/bin/env python3
"""Checks on the Helm chart's rendered manifests, run by scripts/check-chart.sh.

    check_chart_render.py split RENDERED OUT_TO_VALIDATE SKIPPED_KIND...
        Writes the documents of RENDERED whose kind is not a SKIPPED_KIND to OUT_TO_VALIDATE (for
        kubernetes-validate, which only knows Kubernetes' own kinds) and prints what it skipped.
    check_chart_render.py default RENDERED
    check_chart_render.py namespaced RENDERED
        Asserts what the default / ci/namespaced-values.yaml rendering must contain.
    check_chart_render.py values-documented VALUES_YAML VALUES_SCHEMA_JSON README_MD
        Every value in values.yaml appears, as `key.path`, in the README's values table.

Exits 1 with the list of failures when a check fails.
"""

import json
import sys

import yaml

# What the workers' Role (built by the operator for each KafkaConnect, operator/src/build/rbac.rs)
# grants. Kubernetes lets the operator create that Role only if it holds all of it itself, so its
# rules must cover these.
WORKER_ROLE_NEEDS = [
    ("ferry.dev", "kafkaconnectors", "get"),
    ("ferry.dev", "kafkaconnectors", "list"),
    ("ferry.dev", "kafkaconnectors", "watch"),
    ("ferry.dev", "kafkaconnectors/status", "get"),
    ("ferry.dev", "kafkaconnectors/status", "patch"),
    ("", "secrets", "get"),
]

failures = []


def check(condition, message):
    if condition:
        print(f"  ok: {message}")
    else:
        print(f"  FAILED: {message}")
        failures.append(message)


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def find(docs, kind, name=None, namespace=None):
    return [
        d
        for d in docs
        if d["kind"] == kind
        and (name is None or d["metadata"]["name"] == name)
        and (namespace is None or d["metadata"].get("namespace") == namespace)
    ]


def grants(rules, group, resource, verb):
    return any(
        group in r.get("apiGroups", [])
        and resource in r.get("resources", [])
        and verb in r.get("verbs", [])
        and not r.get("resourceNames")
        for r in rules
    )


def check_operator_rules(rules, where):
    verbs = {v for r in rules for v in r.get("verbs", [])}
    check(not verbs & {"*", "escalate", "bind", "impersonate"},
          f"{where}: no wildcard, escalate, bind or impersonate verbs")
    check(all("*" not in r.get("resources", []) and "*" not in r.get("apiGroups", []) for r in rules),
          f"{where}: no wildcard resources or API groups")
    missing = [n for n in WORKER_ROLE_NEEDS if not grants(rules, *n)]
    check(not missing, f"{where}: holds every permission of the workers' Role (missing: {missing})")
    check(grants(rules, "", "secrets", "watch") and not grants(rules, "", "secrets", "create")
          and not grants(rules, "", "secrets", "patch"),
          f"{where}: Secrets are read-only")
    for group, resource in [("", "configmaps"), ("", "services"), ("", "serviceaccounts"),
                            ("apps", "deployments"), ("policy", "poddisruptionbudgets"),
                            ("rbac.authorization.k8s.io", "roles"),
                            ("rbac.authorization.k8s.io", "rolebindings")]:
        check(all(grants(rules, group, resource, v)
                  for v in ["get", "list", "watch", "create", "patch", "update", "delete"]),
              f"{where}: manages {resource}")


def check_lease_role(docs, namespace):
    roles = [r for r in find(docs, "Role", namespace=namespace)
             if any("leases" in rule.get("resources", []) for rule in r["rules"])]
    check(len(roles) == 1, f"one leader-election Role in {namespace}")
    if roles:
        rules = roles[0]["rules"]
        named = [r for r in rules if r.get("resourceNames") == ["ferry-operator"]]
        check(named and set(named[0]["verbs"]) == {"get", "update"},
              "Lease get/update limited to the Lease ferry-operator")
        check(any(r["verbs"] == ["create"] for r in rules), "Lease create allowed")
    leases_elsewhere = [d["metadata"]["name"] for d in docs
                        if d["kind"] in ("Role", "ClusterRole") and d not in roles
                        and any("leases" in rule.get("resources", []) for rule in d["rules"])]
    check(not leases_elsewhere, f"no other role touches Leases ({leases_elsewhere})")


def check_deployment(docs, replicas, namespaces, log_json):
    deployments = find(docs, "Deployment")
    check(len(deployments) == 1, "one operator Deployment")
    if not deployments:
        return
    d = deployments[0]
    spec = d["spec"]["template"]["spec"]
    c = spec["containers"][0]
    check(d["spec"]["replicas"] == replicas, f"{replicas} replica(s)")
    args = c["args"]
    check(args[:5] == ["--leader-elect", "--metrics-addr", "0.0.0.0:8080", "--health-addr", "0.0.0.0:8081"],
          "--leader-elect, --metrics-addr 0.0.0.0:8080, --health-addr 0.0.0.0:8081")
    if namespaces:
        check(args[5:7] == ["--namespaces", ",".join(namespaces)], f"--namespaces {','.join(namespaces)}")
    else:
        check("--namespaces" not in args, "no --namespaces (all namespaces)")
    check(("--log-json" in args) == log_json, f"--log-json {'set' if log_json else 'not set'}")
    env = {e["name"]: e for e in c["env"]}
    check(env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name"
          and env.get("POD_NAMESPACE", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
          == "metadata.namespace", "POD_NAME and POD_NAMESPACE from the downward API")
    check(all(k in env for k in ["FERRY_WORKER_IMAGE", "RUST_LOG"]), "FERRY_WORKER_IMAGE and RUST_LOG set")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    check(c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
          and c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
          and set(ports) == {"metrics", "health"}, "probes on /healthz and /readyz, ports metrics and health")
    psc, sc = spec.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and psc.get("seccompProfile") == {"type": "RuntimeDefault"}
          and sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
          and sc.get("capabilities", {}).get("drop") == ["ALL"],
          "non-root, RuntimeDefault seccomp, read-only root fs, no privilege escalation, drop ALL")
    check(c.get("resources", {}).get("requests"), "resource requests set")
    return spec


def check_common(docs, namespace):
    for d in docs:
        if d["kind"] not in ("ClusterRole", "ClusterRoleBinding"):
            check(d["metadata"].get("namespace"), f"{d['kind']}/{d['metadata']['name']} has a namespace")
    svc = find(docs, "Service")
    check(len(svc) == 1 and svc[0]["spec"]["ports"][0]["targetPort"] == "metrics", "metrics Service")
    check(len(find(docs, "ServiceAccount", namespace=namespace)) == 1, f"ServiceAccount in {namespace}")


def main_default(path):
    docs = load(path)
    print(f"{path}: default values")
    check_common(docs, "ferry-system")
    spec = check_deployment(docs, 2, [], log_json=True)
    if spec:
        terms = spec.get("affinity", {}).get("podAntiAffinity", {}) \
            .get("preferredDuringSchedulingIgnoredDuringExecution", [])
        check(terms and terms[0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname",
              "preferred pod anti-affinity across nodes")
    pdb = find(docs, "PodDisruptionBudget")
    check(len(pdb) == 1, "PodDisruptionBudget with 2 replicas")
    crs, crbs = find(docs, "ClusterRole"), find(docs, "ClusterRoleBinding")
    check(len(crs) == 1 and len(crbs) == 1, "ClusterRole and ClusterRoleBinding (all namespaces)")
    if crs:
        check_operator_rules(crs[0]["rules"], "ClusterRole")
    check(crbs and crbs[0]["subjects"][0]["namespace"] == "ferry-system", "ClusterRoleBinding subject")
    check_lease_role(docs, "ferry-system")
    check(not find(docs, "ServiceMonitor"), "no ServiceMonitor by default")


def main_namespaced(path):
    docs = load(path)
    namespaces = ["data-pipelines", "analytics"]
    print(f"{path}: charts/ferry/ci/namespaced-values.yaml")
    check_common(docs, "ferry-system")
    spec = check_deployment(docs, 1, namespaces, log_json=False)
    if spec:
        check("nodeAffinity" in spec.get("affinity", {}) and "podAntiAffinity" not in spec["affinity"],
              "affinity from values replaces the default")
    check(not find(docs, "PodDisruptionBudget"), "no PodDisruptionBudget with 1 replica")
    check(not find(docs, "ClusterRole") and not find(docs, "ClusterRoleBinding"), "no cluster-wide RBAC")
    for ns in namespaces:
        roles = find(docs, "Role", namespace=ns)
        bindings = find(docs, "RoleBinding", namespace=ns)
        check(len(roles) == 1 and len(bindings) == 1, f"Role and RoleBinding in {ns}")
        if roles:
            check_operator_rules(roles[0]["rules"], f"Role in {ns}")
        if bindings:
            check(bindings[0]["subjects"][0] == {"kind": "ServiceAccount", "name": "ferry-operator",
                                                 "namespace": "ferry-system"},
                  f"RoleBinding in {ns} binds the operator's ServiceAccount")
    check_lease_role(docs, "ferry-system")
    sm = find(docs, "ServiceMonitor")
    check(len(sm) == 1 and sm[0]["metadata"]["labels"].get("release") == "kube-prometheus-stack",
          "ServiceMonitor with extra labels")


def main_split(rendered, out, skipped_kinds):
    docs = load(rendered)
    keep = [d for d in docs if d["kind"] not in skipped_kinds]
    for d in docs:
        if d["kind"] in skipped_kinds:
            print(f"  skipped (defined by a CRD, not in Kubernetes' schemas): "
                  f"{d['apiVersion']} {d['kind']}/{d['metadata']['name']}")
    with open(out, "w") as f:
        yaml.safe_dump_all(keep, f, sort_keys=False)
    print(f"  {len(keep)} object(s) to validate: "
          + ", ".join(sorted({f"{d['kind']}" for d in keep})))


def flatten(values, schema, prefix=""):
    """Value paths, down to the objects the chart's schema closes (additionalProperties: false);
    free-form Kubernetes objects (resources, securityContext, affinity) count as one value."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        node = schema.get("properties", {}).get(key, {})
        if isinstance(value, dict) and node.get("additionalProperties") is False:
            yield from flatten(value, node, path + ".")
        else:
            yield path


def main_values_documented(values_path, schema_path, readme_path):
    with open(values_path) as f:
        values = yaml.safe_load(f)
    with open(schema_path) as f:
        schema = json.load(f)
    with open(readme_path) as f:
        readme = f.read()
    print(f"{readme_path}: documents every value of {values_path}")
    paths = list(flatten(values, schema))
    missing = [p for p in paths if f"`{p}`" not in readme]
    check(not missing, f"{len(paths)} values documented (missing: {missing})")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "split":
        main_split(args[0], args[1], set(args[2:]))
    elif mode == "default":
        main_default(args[0])
    elif mode == "namespaced":
        main_namespaced(args[0])
    elif mode == "values-documented":
        main_values_documented(args[0], args[1], args[2])
    else:
        sys.exit(f"unknown mode {mode}")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
