#!/usr/bin/env bash
# Proves that `make check-generated` fails when generated code is stale: once for a .proto
# changed without regenerating, once for a hand-edited generated Swift file, and that it
# passes on an untouched copy. Runs on a copy of the tree; the checkout is never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

copy() {
  rm -rf "$tmp/tree"; mkdir -p "$tmp/tree"
  (cd "$root" && cp -r Package.swift Makefile proto Sources Services Tests "$tmp/tree/")
}

# One copy for every case, each edit undone after its case, so that the copy's build of
# wire-gen (which depends on neither edited file) is made once and reused.
keep() { cp -p "$tmp/tree/$1" "$tmp/kept"; }
restore() { cp -p "$tmp/kept" "$tmp/tree/$1"; }

expect_fail() { # description
  if (cd "$tmp/tree" && make -s check-generated >"$tmp/out" 2>&1); then
    echo "FAIL: check-generated passed although $1"; cat "$tmp/out"; exit 1
  fi
  grep -q "stale" "$tmp/out" || { echo "FAIL: no 'stale' message when $1"; cat "$tmp/out"; exit 1; }
  echo "ok: check-generated fails when $1"
}

copy
proto=proto/xieshang/wiretest/v1/wiretest.proto
keep "$proto"
printf '\nmessage AddedWithoutRegenerating { string x = 1; }\n' >> "$tmp/tree/$proto"
expect_fail "a .proto changed without regenerating"
restore "$proto"

generated=Sources/XieshangWire/Generated/WiretestV1.swift
keep "$generated"
sed -i 's/public var label: String = ""/public var label: String = "edited"/' "$tmp/tree/$generated"
cmp -s "$tmp/kept" "$tmp/tree/$generated" && { echo "FAIL: the edit of $generated changed nothing"; exit 1; }
expect_fail "the generated Swift was edited by hand"
restore "$generated"

(cd "$tmp/tree" && make -s check-generated >"$tmp/out" 2>&1) || { echo "FAIL: check-generated fails on an untouched copy"; cat "$tmp/out"; exit 1; }
echo "ok: check-generated passes on an untouched copy"
