#!/usr/bin/env bash
# The README's main job, as a user runs it: `cargo run --example quickstart` against
# the built-in sandbox. It must exit 0, walk through all 13 operations (a silent
# refresh and the two expected errors included) and print no secret.
#
# usage: scripts/check-quickstart.sh [CARGO RUN OPTIONS]   (scripts/cross.sh passes
#        `--target x86_64-pc-windows-gnu`, with Wine as the target's runner)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# No real server: every API uses the sandbox, whatever this shell has exported.
if ! env -u TOKENBRIDGE_UCONTACT_SERVER -u TOKENBRIDGE_YATIVO_URL -u TOKENBRIDGE_ANNA_URL \
    cargo run --quiet --example quickstart "$@" >"$out" 2>&1; then
    cat "$out" >&2
    echo "check-quickstart: the quickstart failed" >&2
    exit 1
fi
fail() {
    cat "$out" >&2
    echo "check-quickstart: $*" >&2
    exit 1
}
for id in U1 U2 U3 Y1 Y2 A1 A2 A3 A4 A5 A6 A7 A8; do
    grep -q "^  $id " "$out" || fail "operation $id is missing from the transcript"
done
grep -q "All 13 of 13 operations succeeded" "$out" || fail "not every operation succeeded"
grep -q "2 expected errors were reported as such" "$out" || fail "the two expected errors are missing"
grep -q "wrong user or password" "$out" || fail "the wrong-password step is missing"
grep -q "the Yativo token was refreshed silently" "$out" || fail "the silent refresh is missing"
for secret in 's3cret' 'agent-pass' 'yativo-secret' 'anna-pass' 'COMPANYHASH' 'eyJ' 'hash=' 'token='; do
    if grep -qF -- "$secret" "$out"; then
        fail "\`$secret\` appears in the transcript"
    fi
done
tail -n 3 "$out"
echo "check-quickstart: 13 operations, no secret printed"
