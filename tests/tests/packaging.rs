//! The container images cannot be built on this machine (no Docker engine), so the Dockerfile is
//! checked for what the rest of the project relies on: the two targets, the binaries they start
//! (the operator's worker Deployment runs `ferry-worker kubernetes ...`, the chart runs
//! `ferry-operator ...` through the image's entrypoint), and the non-root UID the Deployments
//! assume.

use std::path::Path;

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The instructions of the stage `FROM ... AS name`, continuation lines joined.
fn stage(dockerfile: &str, name: &str) -> Vec<String> {
    let joined = dockerfile.replace("\\\n", " ");
    let mut out = Vec::new();
    let mut inside = false;
    for line in joined.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(from) = line.strip_prefix("FROM ") {
            inside = from.trim().ends_with(&format!(" AS {name}"));
            continue;
        }
        if inside {
            out.push(line.to_owned());
        }
    }
    out
}

#[test]
fn the_images_start_the_binaries_the_deployments_run_as_the_uid_they_expect() {
    let dockerfile = repo_file("Dockerfile");
    let worker = stage(&dockerfile, "worker");
    assert!(
        worker.contains(&r#"ENTRYPOINT ["/usr/local/bin/ferry-worker"]"#.to_owned()),
        "{worker:?}"
    );
    let operator = stage(&dockerfile, "operator");
    assert!(
        operator.contains(&r#"ENTRYPOINT ["/usr/local/bin/ferry-operator"]"#.to_owned()),
        "{operator:?}"
    );
    let runtime = stage(&dockerfile, "runtime");
    let uid = ferry_operator::build::deployment::DEFAULT_UID;
    assert!(
        runtime.contains(&format!("USER {uid}:{uid}")),
        "the runtime image runs as {uid}, as the Deployments assume: {runtime:?}"
    );
    let build = stage(&dockerfile, "build");
    assert!(
        build
            .iter()
            .any(|l| l.contains("cargo build --release --locked -p ferry-worker -p ferry-operator")),
        "{build:?}"
    );
    // The chart's default images are these two.
    let values = repo_file("charts/ferry/values.yaml");
    assert!(values.contains("repository: ghcr.io/ferry-dev/ferry-operator"));
    assert!(values.contains("repository: ghcr.io/ferry-dev/ferry-worker"));
}
