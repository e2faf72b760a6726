#!/usr/bin/env bash
# Makes an upgrade fixture from an earlier release: runs that release's `make demo` scenario
# with its own executables, lists what its gateway shows (expected/*.json), stops it, and
# keeps the databases of the services it had (<service>.sqlite, checkpointed), in a folder
# named after its commit beside this script. Tests/SuiteTests/UpgradeTests.swift opens each
# such folder with this release and compares.
#
#   git worktree add /tmp/old <commit> && (cd /tmp/old && make bootstrap && swift build)
#   Tests/Fixtures/upgrade/make-fixture.sh /tmp/old
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$(cd "$1" && pwd)
bin=$(cd "$old" && swift build --show-bin-path)
commit=$(git -C "$old" rev-parse HEAD)
out=$here/${commit:0:7}

cd "$old"
XIESHANG_BIN=$bin bash compose/demo.sh >"$here/demo.log" 2>&1 || { tail -n 20 "$here/demo.log"; exit 1; }
rm -f "$here/demo.log"
# Later releases' demos leave the suite running: start it afresh either way.
XIESHANG_BIN=$bin compose/xieshang-local stop --run-dir run/demo >/dev/null 2>&1 || true
XIESHANG_BIN=$bin compose/xieshang-local start --run-dir run/demo >/dev/null
trap 'XIESHANG_BIN=$bin compose/xieshang-local stop --run-dir run/demo >/dev/null' EXIT
export XIESHANG_KEYS_DIR=$old/run/demo/keys XIESHANG_IDENTITY=admin
rm -rf "$out" && mkdir -p "$out/expected"
list() { local name=$1; shift; "$bin/gateway" "$@" --json >"$out/expected/$name.json"; }
list terms term list
list members member list --page-size 500
list stations station list
list rooms room list
list units unit list
list meetings meeting list --all
list proposals proposal list --all
list topics topic list
services="member-registry meeting-scheduler proposal-tracker notifier"
if [ -x "$bin/duty-record" ]; then
  services+=" duty-record"
  list duty-ranking duty ranking --year 2026
  list duty-member-13 duty show 13 --year 2026
fi
if [ -x "$bin/portal" ]; then
  services+=" portal"
  list portal-accounts portal list
fi
ids=$(python3 -c 'import json,sys; print(" ".join(str(m["id"]) for m in json.load(open(sys.argv[1]))))' "$out/expected/meetings.json")
python3 - "$bin/gateway" "$out/expected" $ids <<'PY'
import json, subprocess, sys
gateway, out, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
shown = [json.loads(subprocess.run([gateway, "meeting", "show", i, "--json"], check=True, capture_output=True, text=True).stdout) for i in ids]
json.dump(shown, open(f"{out}/meeting-details.json", "w"), ensure_ascii=False, indent=1)
PY
XIESHANG_BIN=$bin compose/xieshang-local stop --run-dir run/demo >/dev/null
trap - EXIT
for service in $services; do
  db=run/demo/data/$service/$service.sqlite
  sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  cp "$db" "$out/$service.sqlite"
done
echo "$commit" >"$out/COMMIT"
echo "upgrade fixture from $commit written to $out"
