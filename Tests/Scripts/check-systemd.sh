#!/usr/bin/env bash
# Checks compose/systemd's units: systemd-analyze verify accepts each (against the built
# executables, so a wrong path or an unknown key fails), each carries the hardening
# operators rely on, and each ExecStart, with xieshang.env's variables, starts its service
# for real (in a temporary folder, on ports it picks, with keys from gateway keys setup),
# which then drains and exits 0 on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v systemd-analyze >/dev/null || { echo "check-systemd: systemd-analyze is not installed (make bootstrap)" >&2; exit 1; }
bin=${XIESHANG_BIN:-$(swift build --show-bin-path)}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

units=(compose/systemd/xieshang-member-registry.service compose/systemd/xieshang-meeting-scheduler.service
       compose/systemd/xieshang-proposal-tracker.service compose/systemd/xieshang-notifier.service
       compose/systemd/xieshang-duty-record.service compose/systemd/xieshang-portal.service)
mkdir -p "$tmp/units"
for unit in "${units[@]}"; do sed "s|/usr/local/bin/|$bin/|" "$unit" >"$tmp/units/$(basename "$unit")"; done
if ! out=$(cd "$tmp/units" && systemd-analyze verify --man=no ./*.service 2>&1) || [ -n "$out" ]; then
  echo "check-systemd: systemd-analyze verify:"; echo "$out"; exit 1
fi

for unit in "${units[@]}"; do
  name=$(basename "$unit" .service); name=${name#xieshang-}
  for key in "User=xieshang" "ProtectSystem=strict" "ProtectHome=true" "NoNewPrivileges=true" "PrivateTmp=true" \
             "CapabilityBoundingSet=" "ReadWritePaths=/var/lib/xieshang/$name" "StateDirectory=xieshang/$name" \
             "Restart=on-failure" "TimeoutStopSec=" "EnvironmentFile=/etc/xieshang/xieshang.env"; do
    grep -q "^$key" "$unit" || { echo "check-systemd: $unit lacks $key" >&2; exit 1; }
  done
done

# Each ExecStart as systemd would run it: xieshang.env's variables, its paths moved into the
# temporary folder and its addresses onto free loopback ports; the services it calls are
# the ones started before it.
"$bin/gateway" keys setup --dir "$tmp/keys" >/dev/null
set -a; source compose/systemd/xieshang.env; set +a
export XIESHANG_METRICS_ADDRESS=127.0.0.1:0
for bind in $(compgen -v | grep -E '^XIESHANG_.*_BIND(_EVENTS)?$'); do export "$bind=tcp://127.0.0.1:*"; done
export XIESHANG_PORTAL_HTTP=127.0.0.1:0
for unit in "${units[@]}"; do
  name=$(basename "$unit" .service); name=${name#xieshang-}
  line=$(sed -n 's/^ExecStart=//p' "$unit")
  line=${line//\/usr\/local\/bin\//$bin/}; line=${line//\/var\/lib\/xieshang\//$tmp/data/}; line=${line//\/etc\/xieshang\/keys/$tmp/keys}
  eval "set -- $line"
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q " ready " "$tmp/$name.log" && break; kill -0 "${pids[-1]}" 2>/dev/null || break; sleep 0.05; done
  ready=$(grep -m1 " ready " "$tmp/$name.log") || { echo "check-systemd: $unit's ExecStart did not start $name:"; tail -n 5 "$tmp/$name.log"; exit 1; }
  [ -f "$tmp/data/$name/$name.sqlite" ] || { echo "check-systemd: $name did not write into its StateDirectory"; exit 1; }
  key=$(echo "$name" | sed 's/member-registry/REGISTRY/;s/meeting-scheduler/SCHEDULER/;s/proposal-tracker/TRACKER/;s/notifier/NOTIFIER/;s/duty-record/DUTY/;s/portal/PORTAL/')
  rpc=$(sed -n 's/.* rpc=\([^ ]*\).*/\1/p' <<<"$ready"); events=$(sed -n 's/.* events=\([^ ]*\).*/\1/p' <<<"$ready")
  export "XIESHANG_${key}_ENDPOINT=$rpc"
  [ -z "$events" ] || export "XIESHANG_${key}_EVENTS=$events"
done
XIESHANG_KEYS_DIR=$tmp/keys XIESHANG_IDENTITY=admin "$bin/gateway" health >"$tmp/health.txt" \
  || { echo "check-systemd: the services started from the units are not healthy:"; cat "$tmp/health.txt"; exit 1; }
XIESHANG_KEYS_DIR=$tmp/keys XIESHANG_IDENTITY=admin "$bin/gateway" health --service portal >"$tmp/health.txt" \
  || { echo "check-systemd: the portal started from its unit is not healthy:"; cat "$tmp/health.txt"; exit 1; }
for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
  kill -TERM "${pids[$i]}"
  status=0; wait "${pids[$i]}" || status=$?
  [ "$status" -eq 0 ] || { echo "check-systemd: a service exited $status on SIGTERM"; exit 1; }
done
pids=()
echo "check-systemd: ${#units[@]} units verified and started"
