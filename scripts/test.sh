#!/usr/bin/env bash
# Runs Ferry's whole test suite: unit tests, the CRD and chart checks, and the end-to-end tests that run
# the real ferry-worker binary against a real Kafka-protocol broker (tansu, installed on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tansu.sh
# The Helm chart, its rendered manifests and the repository's YAML (offline; installs Helm,
# kubernetes-validate and yamllint on first use).
scripts/check-chart.sh
export FERRY_TANSU="${FERRY_CACHE:-$HOME/.cache/ferry}/tansu-0.6.0/bin/tansu"
# The end-to-end tests run the binaries, so build them first.
cargo build --workspace --bins
cargo test --workspace --no-fail-fast "$@"
