#!/usr/bin/env bash
# Sets up what is missing, builds, and runs batchd on its own PostgreSQL with the example
# compute environment (managed: batchd starts a local batch-agent when jobs arrive), queue
# and job definition, then runs a first job and prints its output. batchd keeps running until
# Ctrl-C, which stops it and its agents cleanly. State lives in build/quickstart-data; a
# second run reuses it.
#
#   BATCHD_LISTEN   address to serve on (default 127.0.0.1:7100)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

deploy/install-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)" --target batchd batchctl batch-agent

data=$repo/build/quickstart-data
listen=${BATCHD_LISTEN:-127.0.0.1:7100}
batchd=$repo/build/scheduler/batchd
batchctl=$repo/build/cli/batchctl
mkdir -p "$data"
rm -f "$data/batchd.addr"  # left by a batchd that was killed: wait for the new one's

echo "quickstart: starting batchd (log: $data/batchd.log)"
"$batchd" --data-dir "$data" --listen "$listen" >>"$data/batchd.log" 2>&1 &
batchd_pid=$!

stop_batchd() {
  { set +x; } 2>/dev/null
  if kill -0 "$batchd_pid" 2>/dev/null; then
    echo "quickstart: stopping batchd (and the agents it started)"
    kill -TERM "$batchd_pid" 2>/dev/null || true
    wait "$batchd_pid" || true
  fi
}
trap stop_batchd EXIT
trap 'exit 130' INT TERM

# batchd writes its address file once it serves; initialising PostgreSQL the first time takes
# a few seconds.
for _ in $(seq 1200); do
  [[ -s $data/batchd.addr ]] && break
  if ! kill -0 "$batchd_pid" 2>/dev/null; then
    echo "quickstart: batchd did not start; the end of its log:" >&2
    tail -n 20 "$data/batchd.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s $data/batchd.addr ]]; then
  echo "quickstart: batchd did not start within 2 minutes; see $data/batchd.log" >&2
  exit 1
fi
addr=$(<"$data/batchd.addr")
export BATCHD_ADDR=$addr
echo "quickstart: batchd serves on $addr"

set -x
"$batchctl" --server "$addr" apply -f deploy/examples/quickstart.yaml
{ set +x; } 2>/dev/null

set -x
job=$("$batchctl" --server "$addr" submit --queue default --definition hello --name hello-1)
"$batchctl" --server "$addr" wait "$job" --timeout 60
"$batchctl" --server "$addr" logs "$job"
"$batchctl" --server "$addr" get jobs
"$batchctl" --server "$addr" get nodes
"$batchctl" --server "$addr" events ce local
{ set +x; } 2>/dev/null

cat <<MSG

batchd is running on $addr; it started a local agent for the job and stops it once it has
been idle for 5 minutes (state in $data, logs in $data/batchd.log and
$data/nodes/*/agent.log).
Try:  BATCHD_ADDR=$addr $batchctl get jobs
Press Ctrl-C to stop it.
MSG
wait "$batchd_pid"
