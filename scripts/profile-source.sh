#!/usr/bin/env bash
# Counts the CPU instructions the whole ferry-worker process (every thread: the source task,
# librdkafka's, the allocator's) spends per record on each of ferry-bench's source loads: the plain
# file source, the struct chain and the value-preserving chain (issue 5's figure).
#
# Instruction counts from callgrind barely move between runs (about 0.1% here), where throughput
# on a shared 2-CPU machine moves by tens of percent, so they show what a change to the record path
# costs or saves. They do not count the broker's work or time spent waiting.
#
#   scripts/profile-source.sh [LINES [KEY=VALUE...]]   (default 300000; about 30 s a load)
#
# Each KEY=VALUE is appended to the worker's properties, as ferry-bench's --worker-property, e.g.
# `scripts/profile-source.sh 300000 producer.compression.type=lz4` counts the compression too.
#
# Needs valgrind (apt-get install valgrind) and tansu (scripts/install-tansu.sh, or FERRY_TANSU).
# Keeps each load's callgrind file in $PROFILE_DIR (default /tmp/ferry-profile) for
# `callgrind_annotate --inclusive=no <file>`.
set -euo pipefail

lines=${1:-300000}
shift || true
extra_properties=("$@")
for property in "${extra_properties[@]}"; do
  [[ $property == *=* ]] || { echo "profile-source: '$property' is not KEY=VALUE" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
out=${PROFILE_DIR:-/tmp/ferry-profile}
tansu=${FERRY_TANSU:-$HOME/.cache/ferry/tansu-0.6.0/bin/tansu}

for tool in valgrind callgrind_control curl; do
  command -v "$tool" >/dev/null || { echo "profile-source: $tool is required (apt-get install valgrind curl)" >&2; exit 1; }
done
[ -x "$tansu" ] || { echo "profile-source: no tansu at $tansu; run scripts/install-tansu.sh or set FERRY_TANSU" >&2; exit 1; }

(cd "$root" && cargo build --quiet --release -p ferry-worker -p ferry-e2e --bin ferry-worker --bin ferry-bench)
# FERRY_WORKER_BIN profiles another build of the worker (an older commit, say) on the same loads.
worker_bin=${FERRY_WORKER_BIN:-$root/target/release/ferry-worker}

rm -rf "$out"
mkdir -p "$out"
# The loads exactly as ferry-bench runs them, and its input lines.
"$root/target/release/ferry-bench" --write-source-configs "$out/configs" --lines "$lines" 2>/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    if [ $SECONDS -ge $deadline ]; then echo "profile-source: timed out waiting for: $1" >&2; return 1; fi
    sleep 0.5
  done
}

# Stops a background process and waits for it (its exit status is that of a kill, not an error).
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

broker_pid=""
worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null || true
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
}
trap cleanup EXIT

# Runs one load; prints its instructions per record.
profile() {
  local config=$1 name dir port rest topic lands_in
  name=$(basename "$config" .properties)
  dir=$out/$name
  mkdir -p "$dir"
  port=$(free_port)
  rest=$(free_port)
  (cd "$dir" && exec "$tansu" broker --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" --storage-engine memory://tansu/ >"$dir/tansu.log" 2>&1) &
  broker_pid=$!
  topic=$(sed -n 's/^topic=//p' "$config")
  lands_in=$(sed -n 's/^# lands in: //p' "$config")
  wait_for "\"$tansu\" topic create \"$topic\" --broker tcp://127.0.0.1:$port >/dev/null 2>&1" 30
  if [ "$lands_in" != "$topic" ]; then
    "$tansu" topic create "$lands_in" --broker "tcp://127.0.0.1:$port" >/dev/null
  fi
  cat >"$dir/worker.properties" <<EOF
bootstrap.servers=127.0.0.1:$port
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.file.filename=$dir/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$rest
EOF
  for property in "${extra_properties[@]}"; do
    echo "$property" >>"$dir/worker.properties"
  done
  : >"$out/configs/input.txt"
  valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
    "$worker_bin" standalone "$dir/worker.properties" "$config" >"$dir/worker.log" 2>&1 &
  worker_pid=$!
  wait_for "curl -sf http://127.0.0.1:$rest/connectors/$name/status | grep -q '\"tasks\":\[{\"id\":0,\"state\":\"RUNNING\"'" 120
  # Startup is not counted: zero the counters once the task runs, then give it the lines.
  callgrind_control -z "$worker_pid" >/dev/null 2>&1
  cat "$out/configs/lines.txt" >>"$out/configs/input.txt"
  written() {
    curl -sf "http://127.0.0.1:$rest/metrics" |
      awk -v c="$name" '$1 ~ "^ferry_source_records_written_total\\{connector=\"" c "\"" {print int($2)}'
  }
  wait_for "[ \"\$(written)\" -ge $lines ] 2>/dev/null" 1800
  callgrind_control -d "$worker_pid" >/dev/null 2>&1
  stop "$worker_pid"
  worker_pid=""
  stop "$broker_pid"
  broker_pid=""
  # The dump after zeroing is callgrind.out.1; its summary is every thread's instructions.
  awk -v n="$lines" '/^summary:/ {printf "%.0f\n", $2 / n}' "$dir/callgrind.out.1"
}

declare -A per_record
for config in "$out"/configs/*.properties; do
  name=$(basename "$config" .properties)
  echo "profile-source: $name ($lines lines)…" >&2
  per_record[$name]=$(profile "$config")
done

plain=${per_record[load-source]}
echo
echo "Worker instructions per record (all threads, callgrind, $lines records${extra_properties[*]:+; ${extra_properties[*]}}):"
printf '%-22s %10s %10s\n' load instr/rec "vs plain"
for name in load-source load-source-chain load-source-routed; do
  awk -v n="$name" -v v="${per_record[$name]}" -v p="$plain" \
    'BEGIN { printf "%-22s %10d %+9.1f%%\n", n, v, (v - p) * 100 / p }'
done
echo "callgrind files: $out/<load>/callgrind.out.1"
