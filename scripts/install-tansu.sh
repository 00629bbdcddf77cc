#!/usr/bin/env bash
# Installs tansu (an Apache Kafka-compatible broker written in Rust, used by the end-to-end tests and
# benchmarks) into a cache outside the checkout, keyed by version, and reuses it when present.
# About 10 minutes from scratch on 2 cores.
set -euo pipefail
version=0.6.0
root="${FERRY_CACHE:-$HOME/.cache/ferry}/tansu-$version"
if [ -x "$root/bin/tansu" ]; then
  echo "tansu $version: $root/bin/tansu (cached)"
  exit 0
fi
echo "installing tansu $version into $root (first run only; about 10 minutes)"
mkdir -p "$root"
CARGO_TARGET_DIR="${FERRY_CACHE:-$HOME/.cache/ferry}/tansu-build" \
  cargo install --root "$root" tansu --version "$version" --locked --features dynostore,libsql
rm -rf "${FERRY_CACHE:-$HOME/.cache/ferry}/tansu-build"
"$root/bin/tansu" --version || true
