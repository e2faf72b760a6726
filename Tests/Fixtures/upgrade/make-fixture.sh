#!/usr/bin/env bash
# Makes the upgrade fixture from an earlier release: runs that release's `make demo` scenario
# with its own executables, lists what its gateway shows (expected/*.json), stops it, and
# keeps its four databases (<service>.sqlite, checkpointed, about a megabyte in all).
# Tests/SuiteTests/UpgradeTests.swift opens them with this release and compares.
#
#   git worktree add /tmp/old <commit> && (cd /tmp/old && swift build)
#   Tests/Fixtures/upgrade/make-fixture.sh /tmp/old
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$(cd "$1" && pwd)
bin=$(cd "$old" && swift build --show-bin-path)
commit=$(git -C "$old" rev-parse HEAD)

cd "$old"
XIESHANG_BIN=$bin bash compose/demo.sh >"$here/demo.log" 2>&1 || { tail -n 20 "$here/demo.log"; exit 1; }
rm -f "$here/demo.log"
XIESHANG_BIN=$bin compose/xieshang-local start --run-dir run/demo >/dev/null
trap 'XIESHANG_BIN=$bin compose/xieshang-local stop --run-dir run/demo >/dev/null' EXIT
export XIESHANG_KEYS_DIR=$old/run/demo/keys XIESHANG_IDENTITY=admin
mkdir -p "$here/expected"
list() { local name=$1; shift; "$bin/gateway" "$@" --json >"$here/expected/$name.json"; }
list terms term list
list members member list --page-size 500
list stations station list
list rooms room list
list units unit list
list meetings meeting list --all
list proposals proposal list --all
list topics topic list
ids=$(python3 -c 'import json,sys; print(" ".join(str(m["id"]) for m in json.load(open(sys.argv[1]))))' "$here/expected/meetings.json")
python3 - "$bin/gateway" "$here/expected" $ids <<'PY'
import json, subprocess, sys
gateway, out, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
shown = [json.loads(subprocess.run([gateway, "meeting", "show", i, "--json"], check=True, capture_output=True, text=True).stdout) for i in ids]
json.dump(shown, open(f"{out}/meeting-details.json", "w"), ensure_ascii=False, indent=1)
PY
XIESHANG_BIN=$bin compose/xieshang-local stop --run-dir run/demo >/dev/null
trap - EXIT
for service in member-registry meeting-scheduler proposal-tracker notifier; do
  db=run/demo/data/$service/$service.sqlite
  sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  cp "$db" "$here/$service.sqlite"
done
echo "$commit" >"$here/COMMIT"
echo "upgrade fixture from $commit written to $here"
