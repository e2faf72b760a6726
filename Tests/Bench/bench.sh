#!/usr/bin/env bash
# `make bench`: the speed and memory we claim, each as a ratio to a baseline measured in the
# same run on the same CPUs. Prints a table and writes run/bench/results.json.
#
# Pinning: servers on CPU 0, clients on CPU 1 (the C baselines and our code alike), since
# unpinned medians swing several-fold on these VMs. BENCH_QUICK=1 shortens every phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=run/bench
rm -rf "$out"; mkdir -p "$out"
quick=${BENCH_QUICK:-0}
seconds=$([ "$quick" = 1 ] && echo 3 || echo 10)
large=$([ "$quick" = 1 ] && echo 100000 || echo 1000000)

# The executables as deployed: `make bench` builds them first (`make release`).
bin=$(swift build -c release --show-bin-path)
for product in loadtest gateway member-registry meeting-scheduler proposal-tracker notifier duty-record portal; do
  [ -x "$bin/$product" ] || { echo "bench: $bin/$product is not built (make release)" >&2; exit 1; }
done
cc -O2 Tests/Bench/rpc_floor.c -lzmq -o "$out/rpc_floor"
cc -O2 -I Sources/CXieshangProto/include Tests/Bench/codec_floor.c \
  Sources/CXieshangProto/xieshang/member/v1/member.pb-c.c Sources/CXieshangProto/xieshang/meeting/v1/meeting.pb-c.c \
  -lprotobuf-c -o "$out/codec_floor"
cc -O2 -I Sources/CXieshangProto/include Tests/Bench/schedule_floor.c \
  Sources/CXieshangProto/xieshang/member/v1/member.pb-c.c Sources/CXieshangProto/xieshang/meeting/v1/meeting.pb-c.c \
  -lzmq -lprotobuf-c -lsqlite3 -o "$out/schedule_floor"

server_cpu="taskset -c 0"; client_cpu="taskset -c 1"
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then server_cpu=""; client_cpu=""; fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# "ready" as a word of its own at the start or after a name ("Address already in use" is no start).
wait_ready() { for _ in $(seq 1 600); do grep -qE "(^| )ready( |$)" "$1" && return 0; sleep 0.05; done; echo "bench: $1 never became ready" >&2; exit 1; }
rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# The process's own memory: resident pages not backed by a file (the shared libraries' code,
# most of VmRSS, is shared with every other Swift process on the machine).
anon_mib() { awk '/RssAnon/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# A process's CPU time so far (user + system, clock ticks) and the bytes it has written to storage.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
written() { awk '/^write_bytes/ { print $2 }' "/proc/$1/io"; }
# Brackets a command with the servers' CPU and writes: "ticks bytes" into FILE.
measured() { # file pid1 pid2 -- command…
  local file=$1 a=$2 b=$3; shift 4
  local t0=$(( $(cpu_ticks "$a") + $(cpu_ticks "$b") )) w0=$(( $(written "$a") + $(written "$b") ))
  "$@"
  echo "$(( $(cpu_ticks "$a") + $(cpu_ticks "$b") - t0 )) $(( $(written "$a") + $(written "$b") - w0 ))" >"$file"
}

# --- RPC floor ----------------------------------------------------------------------
# Three rounds, C's and ours alternating, each side's figures the median of its three: a slow
# spell of the VM then touches one round of each side, not the whole of one side.
echo "RPC floor…" >&2
$server_cpu "$out/rpc_floor" server tcp://127.0.0.1:17401 >"$out/c-server.log" & pids+=($!)
wait_ready "$out/c-server.log"
$server_cpu "$bin/loadtest" serve-noop --endpoint tcp://127.0.0.1:17402 >"$out/noop.log" & pids+=($!)
wait_ready "$out/noop.log"
requests=$([ "$quick" = 1 ] && echo 8000 || echo 35000)
round_seconds=$([ "$quick" = 1 ] && echo 1 || echo 4)
for round in 1 2 3; do
  for c in 1 16; do
    $client_cpu "$out/rpc_floor" client tcp://127.0.0.1:17401 "$((c == 1 ? requests : requests * 12))" $c >"$out/c-$c-$round.json"
    $client_cpu "$bin/loadtest" run --scheduler tcp://127.0.0.1:17402 --mix noop=1 --concurrency $c --connections 1 \
      --duration "$round_seconds" --warmup 1 --quiet --json >"$out/swift-$c-$round.json"
  done
done
# The same with CURVE (encryption and the ZAP handler's per-request key lookup), against
# the plain run above as the baseline.
"$bin/gateway" keys setup --dir "$out/keys" >/dev/null
$server_cpu "$bin/loadtest" serve-noop --endpoint tcp://127.0.0.1:17403 --keys "$out/keys" >"$out/noop-curve.log" & pids+=($!)
wait_ready "$out/noop-curve.log"
for c in 1 16; do
  $client_cpu "$bin/loadtest" run --scheduler tcp://127.0.0.1:17403 --mix noop=1 --concurrency $c --connections 1 \
    --duration "$seconds" --warmup 1 --quiet --json --keys "$out/keys" --identity admin >"$out/curve-$c.json"
done

# --- Codec --------------------------------------------------------------------------
# Five rounds, protobuf-c's and ours alternating, each measure the fastest of its five: a
# moment of the VM's noise then slows one round of one side, not the whole of one side.
echo "codec…" >&2
for round in 1 2 3 4 5; do
  $client_cpu "$out/codec_floor" 100000 >"$out/codec-c-$round.json"
  $client_cpu "$bin/loadtest" codec --iterations 100000 >"$out/codec-swift-$round.json"
done

# --- Idle memory of every service ---------------------------------------------------
# The whole suite as the local runner starts it (CURVE keys, metrics on), on ports of its own,
# measured a second after the last one is ready.
echo "idle memory…" >&2
suite_env=()
port=17600
for name in member-registry meeting-scheduler proposal-tracker notifier duty-record portal; do
  var=XIESHANG_$(echo "$name" | tr 'a-z-' 'A-Z_')
  suite_env+=("${var}_RPC=tcp://127.0.0.1:$((port + 1))" "${var}_EVENTS=tcp://127.0.0.1:$((port + 2))" "${var}_METRICS=127.0.0.1:$((port + 9))")
  port=$((port + 10))
done
suite_env+=(XIESHANG_PORTAL_HTTP=127.0.0.1:17680 XIESHANG_BIN="$bin")
env "${suite_env[@]}" compose/xieshang-local start --run-dir "$out/idle" >"$out/idle.log"
sleep 1
{ echo "{"
  for name in member-registry meeting-scheduler proposal-tracker notifier duty-record portal; do
    pid=$(cat "$out/idle/$name.pid")
    echo "\"$name\": {\"rss\": $(rss_mib "$pid"), \"anon\": $(anon_mib "$pid")},"
  done
  echo "\"-\": null}"; } >"$out/idle.json"
env "${suite_env[@]}" compose/xieshang-local stop --run-dir "$out/idle" >>"$out/idle.log"

# --- Scheduling ---------------------------------------------------------------------
security=(--insecure)   # start_suite's services; (--keys "$out/keys") for the CURVE run
client_keys=()          # load's; (--keys "$out/keys" --identity admin) for the CURVE run
start_suite() { # data-dir
  $server_cpu "$bin/member-registry" --data-dir "$1/registry" --rpc-endpoint tcp://127.0.0.1:17411 \
    --event-endpoint tcp://127.0.0.1:17412 "${security[@]}" --log-level warning >"$1-registry.log" 2>&1 & registry_pid=$!; pids+=($registry_pid)
  wait_ready "$1-registry.log"
  $server_cpu "$bin/meeting-scheduler" --data-dir "$1/scheduler" --rpc-endpoint tcp://127.0.0.1:17421 \
    --event-endpoint tcp://127.0.0.1:17422 --registry tcp://127.0.0.1:17411 --registry-events tcp://127.0.0.1:17412 "${security[@]}" --log-level warning >"$1-scheduler.log" 2>&1 & scheduler_pid=$!; pids+=($scheduler_pid)
  wait_ready "$1-scheduler.log"
}
# The scheduler's group-commit and SQL counters from its /metrics: "transactions writes statements".
commits() { # scheduler log (its ready line names the metrics URL)
  python3 -c '
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
value = lambda name: next(l.split()[-1] for l in text.splitlines() if l.startswith(name + "{"))
print(value("xieshang_storage_write_transactions_total"), value("xieshang_storage_writes_total"), value("xieshang_sql_statements_total"))' \
    "$(grep -o "metrics=[^ ]*" "$1" | head -n 1 | cut -d= -f2)"
}
stop_suite() { kill "$scheduler_pid" "$registry_pid"; wait "$scheduler_pid" "$registry_pid" 2>/dev/null || true; }
load() { # extra loadtest arguments…
  $client_cpu "$bin/loadtest" run --scheduler tcp://127.0.0.1:17421 --registry tcp://127.0.0.1:17411 --quiet --json ${client_keys[@]+"${client_keys[@]}"} "$@"
}

# Three rounds, ours and the C floor's (below) alternating, each on fresh data; each side's
# figures the median of its three rounds.
ours_round() { # round: leaves the suite running
  start_suite "$out/sched-$1"
  # loadtest's rooms and members made first (a moment of reads), and the scheduler given a
  # second to take them from the registry's events: the floor's are built in, so neither
  # side's CPU below counts making them.
  load --mix query-room=1 --concurrency 1 --duration 0.2 --warmup 0 >/dev/null
  sleep 1
  # Without a warm-up, so that the servers' CPU and writes over the run are the operations' own.
  commits "$out/sched-$1-scheduler.log" >"$out/commits-before-$1.txt"
  measured "$out/schedule-cost-$1.txt" "$scheduler_pid" "$registry_pid" -- \
    load --mix schedule=1 --concurrency 16 --duration "$seconds" --warmup 0 --use-existing >"$out/schedule-16-$1.json"
  commits "$out/sched-$1-scheduler.log" >"$out/commits-after-$1.txt"
}
# The scheduling floor, the same work in C: as many operations as ours ended in the same
# round, on the same rooms, members and horizon: the calendars fill alike, so both refuse at
# the same rate.
floor_round() { # round
  local operations floor_registry floor_scheduler
  operations=$(json "$out/schedule-16-$1.json" "next(o for o in d['operations'] if o['operation'] == 'schedule')['completed']")
  mkdir -p "$out/floor-$1"
  $server_cpu "$out/schedule_floor" registry tcp://127.0.0.1:17431 20 >"$out/floor-$1-registry.log" & floor_registry=$!; pids+=($floor_registry)
  wait_ready "$out/floor-$1-registry.log"
  $server_cpu "$out/schedule_floor" scheduler tcp://127.0.0.1:17432 tcp://127.0.0.1:17431 "$out/floor-$1/scheduler.sqlite" >"$out/floor-$1-scheduler.log" & floor_scheduler=$!; pids+=($floor_scheduler)
  wait_ready "$out/floor-$1-scheduler.log"
  measured "$out/floor-cost-$1.txt" "$floor_scheduler" "$floor_registry" -- \
    $client_cpu "$out/schedule_floor" client tcp://127.0.0.1:17432 "$operations" 16 20 200 365 >"$out/floor-16-$1.json"
  kill "$floor_scheduler" "$floor_registry"; wait "$floor_scheduler" "$floor_registry" 2>/dev/null || true
}

echo "scheduling throughput and memory, against the C floor…" >&2
ours_round 1
echo "{" >"$out/memory.json"
max_rate=$(json "$out/schedule-16-1.json" "d['throughput']")
half=$(python3 -c "print(max(1.0, $max_rate / 2))")
load --mix schedule=1 --rate "$half" --duration "$seconds" --warmup 1 --use-existing >"$out/schedule-open.json"
load --concurrency 16 --duration "$seconds" --warmup 1 --use-existing >"$out/mixed-16.json"
echo "\"registryLoaded\": $(rss_mib $registry_pid), \"schedulerLoaded\": $(rss_mib $scheduler_pid)}" >>"$out/memory.json"
stop_suite
floor_round 1
for round in 2 3; do
  ours_round "$round"
  stop_suite
  floor_round "$round"
done

# --- Scheduling on PostgreSQL: one and two scheduler replicas -----------------------
# A throwaway cluster (initdb here, as nobody when root), on the servers' CPU like the rest,
# synchronous_commit off: like SQLite's WAL with synchronous=NORMAL, a crash of a process
# loses nothing acknowledged, a power cut may lose the last commits. The registry stays on
# SQLite. The servers' CPU counts the PostgreSQL processes too.
echo "scheduling on PostgreSQL…" >&2
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(cd "$out" && pwd)/pg
mkdir -p "$pg_dir"
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid nobody --regid nogroup --clear-groups -- "$@"; else "$@"; fi; }
[ "$(id -u)" -ne 0 ] || chown nobody:nogroup "$pg_dir"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U xieshang -E UTF8 --locale=C >"$out/pg-initdb.log" 2>&1
if [ "$(id -u)" -eq 0 ]; then pg_run=(setpriv --reuid nobody --regid nogroup --clear-groups --); else pg_run=(); fi
$server_cpu "${pg_run[@]}" "$pg_bin/postgres" -D "$pg_dir/data" -k "$pg_dir" -c listen_addresses= -c synchronous_commit=off \
  -c shared_buffers=128MB >"$out/pg.log" 2>&1 & pg_pid=$!; pids+=($pg_pid)
for _ in $(seq 1 200); do "$pg_bin/pg_isready" -q -h "$pg_dir" -U xieshang && break; sleep 0.05; done
pg_ticks() { # the postmaster and every process it started
  local total=$(cpu_ticks "$pg_pid") child
  for child in $(pgrep -P "$pg_pid"); do total=$(( total + $(cpu_ticks "$child" 2>/dev/null || echo 0) )); done
  echo "$total"
}
pg_round() { # replicas label
  local replicas=$1 label=$2 database="sched_$2" endpoints="" sched_pids=() t0 t1 p0 p1 i
  psql -h "$pg_dir" -U xieshang -d postgres -qc "CREATE DATABASE $database" >/dev/null
  $server_cpu "$bin/member-registry" --data-dir "$out/$label/registry" --rpc-endpoint tcp://127.0.0.1:17411 \
    --event-endpoint tcp://127.0.0.1:17412 --metrics-address off --insecure --log-level warning >"$out/$label-registry.log" 2>&1 & registry_pid=$!; pids+=($registry_pid)
  wait_ready "$out/$label-registry.log"
  for i in $(seq 1 "$replicas"); do
    $server_cpu "$bin/meeting-scheduler" --data-dir "$out/$label/scheduler-$i" --rpc-endpoint "tcp://127.0.0.1:1742$i" \
      --event-endpoint "tcp://127.0.0.1:1743$i" --registry tcp://127.0.0.1:17411 --registry-events tcp://127.0.0.1:17412 \
      --database "postgresql://xieshang@/$database?host=$pg_dir" --metrics-address off --insecure --log-level warning >"$out/$label-scheduler-$i.log" 2>&1 &
    sched_pids+=($!); pids+=($!)
    wait_ready "$out/$label-scheduler-$i.log"
    endpoints+="${endpoints:+,}tcp://127.0.0.1:1742$i"
  done
  sleep 1
  p0=$(pg_ticks); t0=$(( p0 + $(cpu_ticks "$registry_pid") )); for i in "${sched_pids[@]}"; do t0=$(( t0 + $(cpu_ticks "$i") )); done
  $client_cpu "$bin/loadtest" run --scheduler "$endpoints" --registry tcp://127.0.0.1:17411 --quiet --json \
    --mix schedule=1 --concurrency 16 --duration "$seconds" --warmup 0 >"$out/schedule-16-$label.json"
  p1=$(pg_ticks); t1=$(( p1 + $(cpu_ticks "$registry_pid") )); for i in "${sched_pids[@]}"; do t1=$(( t1 + $(cpu_ticks "$i") )); done
  # All the servers' CPU; nothing written is counted here; PostgreSQL's own part.
  echo "$(( t1 - t0 )) 0 $(( p1 - p0 ))" >"$out/schedule-cost-$label.txt"
  kill "${sched_pids[@]}" "$registry_pid"; wait "${sched_pids[@]}" "$registry_pid" 2>/dev/null || true
}
pg_round 1 pg1
pg_round 2 pg2
kill -INT "$pg_pid"; wait "$pg_pid" 2>/dev/null || true

echo "scheduling throughput with CURVE…" >&2
security=(--keys "$out/keys"); client_keys=(--keys "$out/keys" --identity admin)
start_suite "$out/curve"
load --mix schedule=1 --concurrency 16 --duration "$seconds" --warmup 1 >"$out/schedule-16-curve.json"
stop_suite
security=(--insecure); client_keys=()

echo "latency against stored meetings…" >&2
for n in 1000 100000 "$large"; do
  $client_cpu "$bin/loadtest" seed-meetings --data-dir "$out/stored-$n/scheduler" --count "$n" --rooms 20 --members 200 >/dev/null 2>&1
  start_suite "$out/stored-$n"
  load --mix schedule=1 --concurrency 1 --duration "$seconds" --warmup 1 --rooms 20 --members 200 >"$out/stored-$n.json"
  stop_suite
done

# --- Report -------------------------------------------------------------------------
python3 - "$out" "$large" <<'PY'
import json, sys, os, platform
out, large = sys.argv[1], sys.argv[2]
def load(name): return json.load(open(os.path.join(out, name)))
def op(doc, name): return next(o for o in doc["operations"] if o["operation"] == name)
from statistics import median
def medians(docs):
    """Each measure: the median of the rounds'."""
    return {k: median(d[k] for d in docs) for k, v in docs[0].items() if isinstance(v, (int, float))}
rounds = (1, 2, 3)
c1, c16 = (medians([load(f"c-{c}-{r}.json") for r in rounds]) for c in (1, 16))
s1, s16 = (medians([op(load(f"swift-{c}-{r}.json"), "noop") for r in rounds]) for c in (1, 16))
def fastest(side):
    """Each message's each measure: the least of the five rounds."""
    rounds = [load(f"codec-{side}-{r}.json") for r in range(1, 6)]
    best = {}
    for doc in rounds:
        for m in doc:
            kept = best.setdefault(m["message"], dict(m))
            for k, v in m.items():
                if k.endswith("Ns"): kept[k] = min(kept[k], v)
    return best
codec_c, codec_s = fastest("c"), fastest("swift")
sched_rounds = [op(load(f"schedule-16-{r}.json"), "schedule") for r in rounds]
sched = medians(sched_rounds)
open_loop = op(load("schedule-open.json"), "schedule")
stored = {n: op(load(f"stored-{n}.json"), "schedule") for n in ["1000", "100000", large]}
memory = load("memory.json")
rows = []
def row(what, ours, base, ratio, target, met):
    rows.append({"measure": what, "ours": ours, "baseline": base, "ratio": round(ratio, 3), "target": target, "met": met})
r = s1["p50Ms"] * 1000 / c1["p50Us"]; row("no-op RPC p50, 1 caller (µs)", round(s1["p50Ms"] * 1000, 1), c1["p50Us"], r, "≤ 1.5× C libzmq", r <= 1.5)
r = s1["p99Ms"] * 1000 / c1["p99Us"]; row("no-op RPC p99, 1 caller (µs)", round(s1["p99Ms"] * 1000, 1), c1["p99Us"], r, "reported", None)
r = s1["throughput"] / c1["throughput"]; row("no-op RPC throughput, 1 caller (/s)", round(s1["throughput"]), round(c1["throughput"]), r, "reported", None)
r = s16["throughput"] / c16["throughput"]; row("no-op RPC throughput, 16 callers (/s)", round(s16["throughput"]), round(c16["throughput"]), r, "≥ 0.5× C libzmq", r >= 0.5)
k1, k16 = op(load("curve-1.json"), "noop"), op(load("curve-16.json"), "noop")
r = k1["p50Ms"] / s1["p50Ms"]; row("no-op RPC p50 with CURVE vs without, 1 caller (µs)", round(k1["p50Ms"] * 1000, 1), round(s1["p50Ms"] * 1000, 1), r, "reported", None)
r = k16["throughput"] / s16["throughput"]; row("no-op RPC throughput with CURVE vs without, 16 callers (/s)", round(k16["throughput"]), round(s16["throughput"]), r, "reported", None)
for m in ["member", "meeting"]:
    for k, label in [("encodeNs", "encode"), ("decodeNs", "decode")]:
        r = codec_s[m][k] / codec_c[m][k]
        row(f"codec {m} {label} (ns)", round(codec_s[m][k]), round(codec_c[m][k]), r, "≤ 2× protobuf-c", r <= 2)
    # As a service decodes a request: under the suite's text rules and list bound.
    r = codec_s[m]["decodeCheckedNs"] / codec_c[m]["decodeNs"]
    row(f"codec {m} decode under the services' text rules (ns)", round(codec_s[m]["decodeCheckedNs"]), round(codec_c[m]["decodeNs"]), r, "reported", None)
# Against the C floor doing the same work (Tests/Bench/schedule_floor.c), at the same refusal
# rate (the same rooms, members and horizon), with the servers' own CPU and writes.
floor_rounds = [load(f"floor-16-{r}.json") for r in rounds]
floor = medians(floor_rounds)
tick = os.sysconf("SC_CLK_TCK")
def cost(name, ops):
    ticks, written = map(int, open(os.path.join(out, name)).read().split()[:2])
    return ticks / tick * 1e6 / max(ops, 1), written / 1024 / max(ops, 1)
def postgres_cost(name, ops):
    return int(open(os.path.join(out, name)).read().split()[2]) / tick * 1e6 / max(ops, 1)
ours_costs = [cost(f"schedule-cost-{r}.txt", d["completed"]) for r, d in zip(rounds, sched_rounds)]
floor_costs = [cost(f"floor-cost-{r}.txt", d["completed"]) for r, d in zip(rounds, floor_rounds)]
ours_cpu, ours_kib = median(c for c, _ in ours_costs), median(k for _, k in ours_costs)
floor_cpu, floor_kib = median(c for c, _ in floor_costs), median(k for _, k in floor_costs)
r = sched["throughput"] / floor["throughput"]
row("schedule-and-publish throughput, 16 callers (/s) vs the C floor", round(sched["throughput"], 1), round(floor["throughput"], 1), r, "≥ 0.8× C floor", r >= 0.8)
r = sched["p50Ms"] / floor["p50Ms"]; row("schedule-and-publish p50, 16 callers (ms) vs the C floor", sched["p50Ms"], floor["p50Ms"], r, "reported", None)
r = sched["p99Ms"] / floor["p99Ms"]; row("schedule-and-publish p99, 16 callers (ms) vs the C floor", sched["p99Ms"], floor["p99Ms"], r, "reported", None)
r = ours_cpu / floor_cpu; row("server CPU per operation, scheduler + registry (µs) vs the C floor", round(ours_cpu), round(floor_cpu), r, "≤ 1.25× C floor", r <= 1.25)
r = ours_kib / max(floor_kib, 0.001); row("storage written per operation (KiB) vs the C floor", round(ours_kib, 1), round(floor_kib, 1), r, "reported", None)
# How many calls shared each commit (the scheduler's group commit), from its own counters.
def counters(r):
    (t0, w0, q0), (t1, w1, q1) = [map(float, open(os.path.join(out, f"commits-{when}-{r}.txt")).read().split()) for when in ["before", "after"]]
    return (w1 - w0) / max(t1 - t0, 1), (q1 - q0) / max(sched_rounds[r - 1]["completed"], 1)
row("writes a transaction carried (group commit), schedule-and-publish at 16 callers", round(median(counters(r)[0] for r in rounds), 2), "", 0, "reported", None)
row("SQL statements an operation, the scheduler's own (not BEGIN, COMMIT, savepoints)", round(median(counters(r)[1] for r in rounds), 1), "", 0, "reported", None)
ours_refused = median(d["refusals"] / max(d["completed"], 1) for d in sched_rounds)
row("refused bookings (conflicts) of operations: ours / the C floor", round(ours_refused, 3), round(floor["refusalRate"], 3), 0, "reported (compare at the same rate)", None)
pg1, pg2 = op(load("schedule-16-pg1.json"), "schedule"), op(load("schedule-16-pg2.json"), "schedule")
r = pg1["throughput"] / sched["throughput"]
row("schedule-and-publish on PostgreSQL, 1 replica, 16 callers (/s) vs SQLite", round(pg1["throughput"], 1), round(sched["throughput"], 1), r, "reported", None)
r = pg2["throughput"] / pg1["throughput"]
row("schedule-and-publish on PostgreSQL, 2 replicas (one CPU) vs 1 replica (/s)", round(pg2["throughput"], 1), round(pg1["throughput"], 1), r, "reported", None)
r = pg1["p50Ms"] / sched["p50Ms"]; row("schedule-and-publish p50 on PostgreSQL, 1 replica, vs SQLite (ms)", pg1["p50Ms"], sched["p50Ms"], r, "reported", None)
pg1_cpu, _ = cost("schedule-cost-pg1.txt", pg1["completed"])
pg2_cpu, _ = cost("schedule-cost-pg2.txt", pg2["completed"])
r = pg1_cpu / ours_cpu; row("server CPU per operation on PostgreSQL, 1 replica (scheduler + registry + postgres, µs) vs SQLite", round(pg1_cpu), round(ours_cpu), r, "reported", None)
r = pg2_cpu / pg1_cpu; row("server CPU per operation on PostgreSQL, 2 replicas vs 1 (µs)", round(pg2_cpu), round(pg1_cpu), r, "reported", None)
# What more cores or machines give: the services' part scales out with replicas, PostgreSQL's
# part stays on the one server.
pg1_server = postgres_cost("schedule-cost-pg1.txt", pg1["completed"])
r = pg1_server / pg1_cpu; row("of it PostgreSQL's own processes, 1 replica (µs) vs all the servers'", round(pg1_server), round(pg1_cpu), r, "reported", None)
r = sched["throughput"] / s16["throughput"]
row("schedule-and-publish throughput, 16 callers (/s) vs no-op RPC", round(sched["throughput"], 1), round(s16["throughput"]), r, "reported", None)
sched_curve = op(load("schedule-16-curve.json"), "schedule")
r = sched_curve["throughput"] / sched["throughput"]
row("schedule-and-publish throughput with CURVE vs without, 16 callers (/s)", round(sched_curve["throughput"], 1), round(sched["throughput"], 1), r, "reported", None)
row("schedule-and-publish open loop at half max: p50 / p99 (ms)", f'{open_loop["p50Ms"]} / {open_loop["p99Ms"]}', "", 0, "reported", None)
r = stored[large]["p50Ms"] / stored["1000"]["p50Ms"]
row(f"schedule p50 with {large} vs 1000 stored (ms)", stored[large]["p50Ms"], stored["1000"]["p50Ms"], r, "≤ 1.25×", r <= 1.25)
r = stored["100000"]["p50Ms"] / stored["1000"]["p50Ms"]
row("schedule p50 with 100000 vs 1000 stored (ms)", stored["100000"]["p50Ms"], stored["1000"]["p50Ms"], r, "reported", None)
idle = load("idle.json")
for svc in ["member-registry", "meeting-scheduler", "proposal-tracker", "notifier", "duty-record", "portal"]:
    rss, anon = idle[svc]["rss"], idle[svc]["anon"]
    row(f"{svc} resident idle (MiB)", rss, 30, rss / 30, "< 30 MiB", rss < 30)
    row(f"{svc} private (anonymous) resident idle (MiB)", anon, rss, anon / rss, "reported", None)
for svc in ["registry", "scheduler"]:
    row(f"{svc} resident after load (MiB)", memory[svc + "Loaded"], 150, memory[svc + "Loaded"] / 150, "< 150 MiB", memory[svc + "Loaded"] < 150)
result = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor()}, "rows": rows}
json.dump(result, open(os.path.join(out, "results.json"), "w"), indent=2, ensure_ascii=False)
width = max(len(r["measure"]) for r in rows)
print(f'{"measure".ljust(width)}  {"ours":>14}  {"baseline":>10}  {"ratio":>7}  target')
for r in rows:
    met = "" if r["met"] is None else ("met" if r["met"] else "MISSED")
    ratio = "" if r["ratio"] == 0 else f'{r["ratio"]:.2f}'
    print(f'{r["measure"].ljust(width)}  {str(r["ours"]):>14}  {str(r["baseline"]):>10}  {ratio:>7}  {r["target"]} {met}')
print(f"\nresults: {out}/results.json")
PY
