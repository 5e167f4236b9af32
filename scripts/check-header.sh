#!/usr/bin/env bash
# Header drift check: fails when include/tokenbridge.h is not what build.rs
# generates from src/ffi/ now, or when it differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# build.rs writes to TOKENBRIDGE_HEADER_OUT instead of include/ when it is set.
TOKENBRIDGE_HEADER_OUT="$tmp/tokenbridge.h" cargo build --quiet --lib
if [ ! -s "$tmp/tokenbridge.h" ]; then
    echo "check-header: build.rs generated no header (see the cargo warnings above)" >&2
    exit 1
fi
if ! diff -u include/tokenbridge.h "$tmp/tokenbridge.h"; then
    echo "check-header: include/tokenbridge.h is stale; run 'cargo build' and commit it" >&2
    exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git diff --exit-code HEAD -- include/tokenbridge.h; then
        echo "check-header: include/tokenbridge.h differs from the committed one; commit it" >&2
        exit 1
    fi
fi
echo "check-header: include/tokenbridge.h is current"
