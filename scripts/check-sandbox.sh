#!/usr/bin/env bash
# The sandbox as a user gets it: `cargo install --path . --features sandbox` gives
# tokenbridge-sandbox, which keeps connections alive (curl -v sends two requests over
# one connection), answers its control endpoint, stops on SIGTERM, and with
# --exit-on-stdin-eof stops when its standard input ends.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
    else
        echo "check-sandbox: curl is missing; install it with: sudo apt-get install -y curl" >&2
        exit 1
    fi
}
# shellcheck source=sandbox.sh
source scripts/sandbox.sh
work=$(mktemp -d)
pid=
cleanup() {
    sandbox_stop
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "check-sandbox: $*" >&2
    exit 1
}

sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
"$TOKENBRIDGE_SANDBOX_BIN" --version

# Two requests in one curl command: the second goes over the first's connection.
curl -sv -o /dev/null -o /dev/null "$url/__sandbox/stats" "$url/yativo/api/v1/wallet/balance" \
    2>"$work/curl.log" || fail "curl failed: $(cat "$work/curl.log")"
grep -E "Re-using existing connection|Reusing existing connection" "$work/curl.log" ||
    fail "curl did not reuse the connection: $(cat "$work/curl.log")"
! grep -qi "^< connection: close" "$work/curl.log" || fail "the sandbox sent Connection: close"

# The control endpoint: a fault once, then the real answer; stats; reset.
curl -sf -X POST "$url/__sandbox/faults" -H 'Content-Type: application/json' \
    -d '{"path": "/yativo/api/v1/wallet/balance", "status": 503, "times": 1}' >/dev/null ||
    fail "cannot set a fault"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/yativo/api/v1/wallet/balance")
[ "$code" = 503 ] || fail "the fault answered $code, not 503"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/yativo/api/v1/wallet/balance")
[ "$code" = 401 ] || fail "after the fault: $code, not the real 401"
curl -sf "$url/__sandbox/stats" | grep -q '"yativo.call"' || fail "no statistics"
curl -sf -X POST "$url/__sandbox/reset" >/dev/null || fail "cannot reset"
echo "check-sandbox: connection reused; a fault, statistics and reset over HTTP"

# SIGTERM stops it (exit status 0).
kill -TERM "$SANDBOX_PID"
for _ in $(seq 1 50); do kill -0 "$SANDBOX_PID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$SANDBOX_PID" 2>/dev/null || fail "still running 5 s after SIGTERM"
wait "$SANDBOX_PID" || fail "exited with status $? after SIGTERM"

# --exit-on-stdin-eof: stops when the pipe feeding it closes.
mkfifo "$work/in"
"$TOKENBRIDGE_SANDBOX_BIN" --exit-on-stdin-eof <"$work/in" >"$work/out" 2>&1 &
pid=$!
exec 3>"$work/in"
for _ in $(seq 1 50); do grep -q TOKENBRIDGE_SANDBOX_URL= "$work/out" && break; sleep 0.1; done
grep -q TOKENBRIDGE_SANDBOX_URL= "$work/out" || fail "no first line: $(cat "$work/out")"
exec 3>&-
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "still running 5 s after its stdin ended"
wait "$pid" || fail "exited with status $? after stdin EOF"
pid=
echo "check-sandbox: stops on SIGTERM and, when asked, at the end of its input"
