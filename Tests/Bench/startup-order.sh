#!/usr/bin/env bash
# `make startup-order`: writes Tests/Bench/startup-functions.txt, the functions the services
# run from their start until they are idle, which `make release` gives lld as its
# --symbol-ordering-file so that they lie together at the front of each executable's text.
#
# Why: a service's executable text is 27 MiB (the Swift runtime, Foundation, NIO, GRDB and
# ours, linked statically), and an idle service runs about 1.4 MiB of it, scattered. The
# kernel maps file pages around each fault (64 KiB at a time), so with the functions where
# the compiler and the archives left them, an idle service held 16-17 MiB of text resident;
# with them together, a few MiB. The file is profile data, not code: when it is stale (a
# renamed function), lld passes over the names it does not find and those functions stay
# where they were, costing memory, never correctness. `make bench` measures idle memory.
#
# How: the whole suite is started by the local runner as `make bench` starts it (CURVE keys,
# metrics on), each service under valgrind's callgrind, which records every function a
# process runs; a few seconds after the last is ready each profile is dumped, and the names
# that the executables define are written out.
set -euo pipefail
cd "$(dirname "$0")/../.."
output=Tests/Bench/startup-functions.txt
services=(member-registry meeting-scheduler proposal-tracker notifier duty-record portal)
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null \
  || { echo "startup-order: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
bin=$(swift build -c release --show-bin-path)
for name in "${services[@]}" gateway; do
  [ -x "$bin/$name" ] || { echo "startup-order: $bin/$name is not built (make release)" >&2; exit 1; }
done

work=$(mktemp -d)
run_env=()
cleanup() {
  [ -d "$work/run" ] && env "${run_env[@]}" compose/xieshang-local stop --run-dir "$work/run" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin" "$work/exe" "$work/profiles"

# valgrind's DWARF reader gives up on these executables' debug info; a copy without it keeps
# the symbol table, which is all the names need.
for name in "${services[@]}"; do
  objcopy --strip-debug "$bin/$name" "$work/exe/$name"
  cat >"$work/bin/$name" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$work/profiles/$name.%p --dump-instr=no \\
  --compress-strings=no --compress-pos=no --demangle=no $work/exe/$name "\$@"
EOF
  chmod +x "$work/bin/$name"
done
ln -s "$bin/gateway" "$work/bin/gateway"

# Ports of their own (as make bench's), so that a suite already running here is not disturbed.
port=17700
for name in "${services[@]}"; do
  var=XIESHANG_$(echo "$name" | tr 'a-z-' 'A-Z_')
  run_env+=("${var}_RPC=tcp://127.0.0.1:$((port + 1))" "${var}_EVENTS=tcp://127.0.0.1:$((port + 2))" "${var}_METRICS=127.0.0.1:$((port + 9))")
  port=$((port + 10))
done
run_env+=(XIESHANG_PORTAL_HTTP=127.0.0.1:17780 XIESHANG_BIN="$work/bin")

echo "startup-order: starting the suite under callgrind (about a minute)…" >&2
env "${run_env[@]}" compose/xieshang-local start --run-dir "$work/run" >"$work/start.log" \
  || { cat "$work/start.log" >&2; exit 1; }
# Each service's profile so far is dumped (callgrind writes it between the process's own
# instructions, so each is waited for) and its counts start again.
dump() { # the dump's number
  for name in "${services[@]}"; do
    callgrind_control --dump "$(cat "$work/run/$name.pid")" >/dev/null 2>&1
  done
  for name in "${services[@]}"; do
    pid=$(cat "$work/run/$name.pid")
    for _ in $(seq 1 300); do [ -s "$work/profiles/$name.$pid.$1" ] && break; sleep 0.1; done
    [ -s "$work/profiles/$name.$pid.$1" ] || { echo "startup-order: no profile $1 from $name" >&2; exit 1; }
  done
}
sleep 3
dump 1
# Then some work: schedule-and-publish with queries (what make bench loads), the portal's
# public pages, and the codec. Their functions go after the start-up ones: not touched at
# rest, but kept near each other rather than left among the cold ones.
echo "startup-order: serving some load under callgrind…" >&2
"$bin/loadtest" run --scheduler tcp://127.0.0.1:17711 --registry tcp://127.0.0.1:17701 \
  --keys "$work/run/keys" --identity admin --concurrency 4 --duration 20 --warmup 0 --quiet --json >"$work/load.json"
for page in / /login /public /portal.css; do curl -s -o /dev/null "http://127.0.0.1:17780$page" || true; done
dump 2
# And the codec on its own (`loadtest codec`, as make bench times it): the services encode and
# decode the same messages through the same code, which the load above may not all reach.
objcopy --strip-debug "$bin/loadtest" "$work/exe/loadtest"
valgrind --tool=callgrind --callgrind-out-file="$work/profiles/codec.2" --dump-instr=no --compress-strings=no \
  --compress-pos=no --demangle=no "$work/exe/loadtest" codec --iterations 2000 >/dev/null 2>"$work/codec.log" \
  || { cat "$work/codec.log" >&2; exit 1; }

# Every function a profile names (callers and callees), kept when an executable defines it.
functions() { cat "$@" | sed -n 's/^c\{0,1\}fn=//p' | LC_ALL=C sort -u; }
for name in "${services[@]}"; do
  nm --defined-only "$work/exe/$name" | awk 'NF == 3 && $2 ~ /^[tTwW]$/ { print $3 }'
done | LC_ALL=C sort -u >"$work/defined.txt"
functions "$work"/profiles/*.1 | LC_ALL=C comm -12 - "$work/defined.txt" >"$work/start.txt"
functions "$work"/profiles/*.2 | LC_ALL=C comm -12 - "$work/defined.txt" | LC_ALL=C comm -23 - "$work/start.txt" >"$work/serve.txt"
{
  echo "# The functions the services run from start to idle, then those they run serving, for"
  echo "# lld's --symbol-ordering-file. Written by \`make startup-order\` (Tests/Bench/startup-order.sh)."
  cat "$work/start.txt"
  echo "# serving"
  cat "$work/serve.txt"
} >"$output.tmp"
mv "$output.tmp" "$output"
echo "startup-order: $(wc -l <"$work/start.txt") functions from start to idle and $(wc -l <"$work/serve.txt") more serving, in $output" >&2
