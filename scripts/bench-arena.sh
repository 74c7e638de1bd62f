#!/usr/bin/env bash
# The arena benchmark of docs/benchmarks.md: builds the server, the arena module and
# arena-bots (release), starts `lightcone start` on a free port over a temporary data
# directory (durable, defaults), publishes samples/arena/module-rust once per run (a fresh
# arena sized for the bots: one bot per 100 × 100 interest cell, four pellets per bot) and
# plays it with N bots, printing arena-bots' JSON report per run. Needs what scripts/test.sh
# installs. On a machine with two cores or more the server is pinned to the first core and
# the bots to the others (taskset), so neither steals the other's CPU, and the bots' own
# slowness is in their numbers, not in the server's.
#
#   scripts/bench-arena.sh                      # 100, 500, 1000 bots with interest; 100, 500 without
#   BOTS="100 1000" NO_INTEREST="" SECONDS_PER_RUN=30 scripts/bench-arena.sh
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${SECONDS_PER_RUN:-15}"
with_interest="${BOTS-100 500 1000}"
without_interest="${NO_INTEREST-100 500}"
cargo build --release --locked -p lightcone -p lightcone-arena-bots >&2
bin=target/release
work="$(mktemp -d)"
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
# Every bot holds a socket, and so does the server for it.
ulimit -n "$(ulimit -Hn)"

export LIGHTCONE_CONFIG_DIR="$work/config"
cores="$(nproc)"
server_on="" bots_on=""
if [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
    server_on="taskset -c 0" bots_on="taskset -c 1-$((cores - 1))"
fi
wasm="$("$bin/lightcone" build --project-path samples/arena/module-rust | tail -1)"
$server_on "$bin/lightcone" start --listen-addr 127.0.0.1:0 --data-dir "$work/data" 2>"$work/server.log" &
server_pid=$!
url=""
for _ in $(seq 100); do
    url="$(grep -o 'lightcone listening on http://[0-9.:]*' "$work/server.log" | head -1 | sed 's/lightcone listening on //')" || true
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.log" >&2; exit 1; }
"$bin/lightcone" identity new --server "$url" --default >&2

# CPU seconds (user + system) process $1 has used.
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

run=0
play() { # bots, extra arena-bots flags...
    local bots="$1"; shift
    run=$((run + 1))
    local db="arena-$run"
    local world food
    world="$(python3 -c "import math; print(max(1000, round(100 * math.sqrt($bots))))")"
    food=$((bots * 4))
    "$bin/lightcone" publish "$db" --server "$url" --bin-path "$wasm" >&2
    "$bin/lightcone" call "$db" configure "$world" "$food" 5000 --server "$url" >&2
    local cpu_before cpu_after
    cpu_before="$(cpu_seconds "$server_pid")"
    # mimalloc keeps the pages bots free (MIMALLOC_PURGE_DELAY=-1): giving pages back and
    # faulting them in again cost the bots a tenth of their CPU (measured with a thread per bot).
    MIMALLOC_PURGE_DELAY=-1 $bots_on "$bin/arena-bots" --server "$url" --database "$db" --bots "$bots" --seconds "$secs" "$@"
    cpu_after="$(cpu_seconds "$server_pid")"
    # The server's CPU over the whole run (warm-up and connecting included), in cores.
    python3 -c "import json; print(json.dumps({'bots': $bots, 'flags': '$*', 'server_cores': round(($cpu_after - $cpu_before) / ($secs + 3), 2)}))"
    # The next run starts on a quiet server.
    "$bin/lightcone" delete "$db" --server "$url" --yes >&2 || true
}
for n in $with_interest; do play "$n"; done
for n in $without_interest; do play "$n" --no-interest; done
