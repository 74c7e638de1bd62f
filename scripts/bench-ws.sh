#!/usr/bin/env bash
# The WebSocket benchmarks of docs/benchmarks.md, end to end: builds the server, the load tool
# and the transfer module (release), starts `lightcone start` on a free port over a temporary
# data directory, publishes the transfer module as `transfer` (and the views test module as
# `views`), runs each workload and prints one JSON
# line per run. Needs what scripts/test.sh installs. Takes about three minutes.
#
#   scripts/bench-ws.sh            # the whole suite
#   SECONDS_PER_RUN=30 scripts/bench-ws.sh
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${SECONDS_PER_RUN:-10}"
cargo build --release --locked -p lightcone -p lightcone-bench >&2
bin=target/release
work="$(mktemp -d)"
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

export LIGHTCONE_CONFIG_DIR="$work/config"
wasm="$("$bin/lightcone" build --project-path samples/transfer/module-rust | tail -1)"
views_wasm="$("$bin/lightcone" build --project-path server/host/tests/modules/unstable | tail -1)"
ticker_wasm="$("$bin/lightcone" build --project-path server/host/tests/modules/ticker | tail -1)"
"$bin/lightcone" start --listen-addr 127.0.0.1:0 --data-dir "$work/data" 2>"$work/server.log" &
server_pid=$!
url=""
for _ in $(seq 100); do
    url="$(grep -o 'lightcone listening on http://[0-9.:]*' "$work/server.log" | head -1 | sed 's/lightcone listening on //')" || true
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.log" >&2; exit 1; }
"$bin/lightcone" identity new --server "$url" --default >&2
"$bin/lightcone" publish transfer --server "$url" --bin-path "$wasm" >&2
"$bin/lightcone" publish views --server "$url" --bin-path "$views_wasm" >&2
"$bin/lightcone" publish ticker --server "$url" --bin-path "$ticker_wasm" >&2

load="$bin/lightcone-bench"
"$load" transfer --server "$url" --seed --seconds "$secs" --alpha 0 --protocol v3
"$load" transfer --server "$url" --seconds "$secs" --alpha 1.5 --protocol v3
"$load" transfer --server "$url" --seconds "$secs" --alpha 0 --protocol v2
"$load" transfer --server "$url" --seconds "$secs" --alpha 0 --protocol v3 --idle-subscriptions 10
"$load" transfer --server "$url" --seconds "$secs" --alpha 0 --protocol v3 --idle-subscriptions 10000
"$load" fanout --server "$url" --seconds "$secs" --clients 100 --interval-ms 10
"$load" fanout --server "$url" --seconds "$secs" --clients 1000 --interval-ms 20
"$load" fanout --server "$url" --seconds "$secs" --clients 10 --interval-ms 5 --idle-clients 5000
"$load" fanout --server "$url" --seconds "$secs" --clients 1000 --interval-ms 1
"$load" views --server "$url" --database views --clients 1000 --rows-per-client 100 --commits 200
"$load" ticks --server "$url" --database ticker --seconds "$secs" --interval-ms 50
