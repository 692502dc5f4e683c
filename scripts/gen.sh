#!/usr/bin/env bash
# Regenerates packages/contracts/src/gen from protos/: ts-proto code plus the descriptor set that
# server reflection serves. The output is committed; CI fails when running this changes it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
gen="$root/packages/contracts/src/gen"

cd "$root/protos"
buf generate
descriptor="$(mktemp)"
trap 'rm -f "$descriptor"' EXIT
buf build --exclude-source-info -o "$descriptor#format=binpb"
node "$root/scripts/write-descriptor-module.mjs" "$descriptor" "$gen/descriptor-set.ts"
node "$root/scripts/use-shared-writer.mjs" "$gen" "$root/packages/contracts/src/wire/encode-to-buffer.ts"
