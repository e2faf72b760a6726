#!/usr/bin/env bash
# Builds the C protocol client into OUT from proto/ (protoc-c) and libzmq: nothing of the
# Swift code. Usage: Tests/ProtocolClient/build.sh OUT-DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1
mkdir -p "$out"
protos=(proto/xieshang/rpc/v1/rpc.proto proto/xieshang/event/v1/event.proto proto/xieshang/member/v1/member.proto)
protoc-c -I proto --c_out="$out" "${protos[@]}"
cc -std=c11 -Wall -Werror -I "$out" Tests/ProtocolClient/protocol_client.c \
  "$out"/xieshang/rpc/v1/rpc.pb-c.c "$out"/xieshang/event/v1/event.pb-c.c "$out"/xieshang/member/v1/member.pb-c.c \
  -lzmq -lprotobuf-c -o "$out/protocol_client"
