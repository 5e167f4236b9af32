#!/usr/bin/env bash
# Hostile input and concurrency through the C ABI, from C (issue 7):
#
# * hostile.c: every exported function with NULL in each pointer argument, invalid
#   UTF-8, an empty and a 1 MiB string in each string argument, out-of-range enums
#   and indexes (the answer handles' accessors and the messenger filter's setters
#   included); run under valgrind (no error, no definite or possible leak).
# * concurrency.c: 16 pthreads x 500 calls on one shared client per API against a
#   sandbox whose tokens live TOKEN_LIFETIME seconds (default 4), the token expiring
#   mid-run; no call fails and the sandbox counts exactly the expected logins and
#   refreshes.
# * fork.c: a uContact client used in a forked child (a warm keep-alive connection,
#   parent and child calling at once; a fork during another thread's login) drops the
#   parent's connections and token, logs in on its own and never ends the parent's
#   session; against its own keep-alive server, no sandbox needed.
# * logging.c: tb_set_log_callback at TRACE over calls to all three APIs; records arrive
#   (one per request, the logins), none holds a secret (the access hash read with
#   tb_access_data_hash included; nor does the wire rebuilt from the hex dump rows),
#   NULL turns it off, levels filter; under valgrind.
# * request.c: the generic call as typed data (tb_request_*, tb_<api>_send,
#   tb_response_*) against the sandbox and fake_server.c: a payout and its replay,
#   forms, JSON, HEAD, queries, refused headers with nothing sent, a 1 MiB body,
#   hostile arguments to every new function; under valgrind.
#
# Builds in target/c-hostile (not bindings/c/build, which run-tests.sh owns).
# usage: bash bindings/c/run-hostile.sh
set -euo pipefail
# shellcheck source=/dev/null
source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/abi.sh"
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bindings/c
target=${CARGO_TARGET_DIR:-$root/target}
lib=$target/release
build=$target/c-hostile
lifetime=${TOKEN_LIFETIME:-4}

step() { printf '\n== %s\n' "$*"; }
die() {
    echo "run-hostile: $*" >&2
    exit 1
}

for tool in cargo gcc; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "installing valgrind"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
    fi
    command -v valgrind >/dev/null || die "valgrind is missing; install it with: sudo apt-get install -y valgrind"
fi

step "cargo build --release --features redis (library)"
cargo build --release --lib --features redis
# The library's SONAME is $TB_SONAME (what programs linked with -ltokenbridge
# ask for); cargo only writes libtokenbridge.so.
ln -sf libtokenbridge.so "$lib/$TB_SONAME"
mkdir -p "$build"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -pthread -O1 -g -I"$root/include")
for prog in hostile concurrency fork logging; do
    gcc "${CFLAGS[@]}" "$here/$prog.c" -L"$lib" -ltokenbridge -Wl,-rpath,"$lib" -o "$build/$prog"
done
gcc "${CFLAGS[@]}" "$here/request.c" "$here/fake_server.c" -L"$lib" -ltokenbridge \
    -Wl,-rpath,"$lib" -o "$build/request"

# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
trap sandbox_stop EXIT
trap 'exit 130' INT TERM

# Starts a sandbox with the given options; sets $url.
start_sandbox() {
    sandbox_start "$@" || die "the sandbox did not start"
    url=$TOKENBRIDGE_SANDBOX_URL
}

export RUST_BACKTRACE=0

step "hostile.c under valgrind"
start_sandbox
log=$build/hostile.valgrind.log
if ! TOKENBRIDGE_SANDBOX_URL=$url valgrind --leak-check=full \
    --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \
    --error-exitcode=1 --suppressions="$here/valgrind.supp" --log-file="$log" "$build/hostile" >"$build/hostile.out"; then
    cat "$build/hostile.out" "$log" >&2
    die "hostile.c failed"
fi
grep -v '^  ' "$build/hostile.out"
grep -E 'definitely lost|possibly lost|ERROR SUMMARY' "$log"
hostile_summary=$(tail -n 1 "$build/hostile.out")

step "concurrency.c (tokens live ${lifetime} s)"
start_sandbox --token-lifetime "$lifetime"
TOKENBRIDGE_SANDBOX_URL=$url TOKENBRIDGE_TOKEN_LIFETIME=$lifetime "$build/concurrency" ||
    die "concurrency.c failed"

step "fork.c (a client used in forked children)"
RUST_BACKTRACE=0 timeout 120 "$build/fork" || die "fork.c failed"

step "logging.c under valgrind (the log callback)"
start_sandbox
logging_log=$build/logging.valgrind.log
if ! TOKENBRIDGE_SANDBOX_URL=$url timeout 600 valgrind --leak-check=full \
    --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \
    --error-exitcode=1 --suppressions="$here/valgrind.supp" --log-file="$logging_log" \
    "$build/logging" >"$build/logging.out"; then
    cat "$build/logging.out" "$logging_log" >&2
    die "logging.c failed"
fi
cat "$build/logging.out"
grep -E 'definitely lost|possibly lost|ERROR SUMMARY' "$logging_log"
logging_summary=$(tail -n 1 "$build/logging.out")

step "request.c under valgrind (tb_request, tb_<api>_send, tb_response)"
start_sandbox
request_log=$build/request.valgrind.log
if ! TOKENBRIDGE_SANDBOX_URL=$url timeout 600 valgrind --leak-check=full \
    --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \
    --error-exitcode=1 --suppressions="$here/valgrind.supp" --log-file="$request_log" \
    "$build/request" >"$build/request.out"; then
    cat "$build/request.out" "$request_log" >&2
    die "request.c failed"
fi
cat "$build/request.out"
grep -E 'definitely lost|possibly lost|ERROR SUMMARY' "$request_log"
request_summary=$(tail -n 1 "$build/request.out")

step "summary"
echo "hostile.c: $hostile_summary; valgrind: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$log" | head -n 1)"
echo "logging.c: $logging_summary; valgrind: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$logging_log" | head -n 1)"
echo "request.c: $request_summary; valgrind: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$request_log" | head -n 1)"
echo "C hostile and concurrency tests passed"
