#!/usr/bin/env bash
# The C test suite of tokenbridge's C ABI. Builds the release library, checks the
# header as C and C++, builds test_tokenbridge.c against the shared and against the
# static library, runs both under valgrind against the sandbox, runs proxy.c under
# valgrind through the proxy lab (scripts/netlab.sh), runs store.c (processes sharing
# a token store, file:// and redis:// through scripts/redislab.sh) under valgrind,
# installs to a temporary prefix and builds example.c with pkg-config. Exits non-zero
# on any failure.
#
# usage: bash bindings/c/run-tests.sh
set -euo pipefail
# shellcheck source=/dev/null
source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/abi.sh"
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bindings/c
build=$here/build
target=${CARGO_TARGET_DIR:-$root/target}/release

step() { printf '\n== %s\n' "$*"; }
die() {
    echo "run-tests: $*" >&2
    exit 1
}

# ---------------------------------------------------------------- tools
need_valgrind() {
    command -v valgrind >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "installing valgrind"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
        command -v valgrind >/dev/null && return 0
    fi
    die "valgrind is missing; install it with: sudo apt-get install -y valgrind"
}
for tool in cargo gcc g++ pkg-config nm; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
need_valgrind

CFLAGS=(-std=c11 -Wall -Wextra -Werror -pthread -O1 -g)
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,possible
    --show-leak-kinds=definite,possible --error-exitcode=1
    --suppressions="$here/valgrind.supp")
# The lines of a valgrind log worth showing when all went well.
valgrind_summary() { grep -E 'in use at exit|definitely lost|indirectly lost|possibly lost|ERROR SUMMARY' "$1" || true; }

# ---------------------------------------------------------------- build
step "cargo build --release --features redis (library)"
cargo build --release --lib --features redis
# The library's SONAME is $TB_SONAME (what programs linked with -ltokenbridge
# ask for); cargo only writes libtokenbridge.so.
ln -sf libtokenbridge.so "$target/$TB_SONAME"
rm -rf "$build"
mkdir -p "$build/static"

step "the header compiles as C11, C99 and C++11"
for std in c11 c99; do
    gcc -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -x c "$root/include/tokenbridge.h"
done
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -x c++ -fsyntax-only "$root/include/tokenbridge.h"
# C++ callers use the enums as real enums.
cat >"$build/header_check.cpp" <<'CPP'
#include "tokenbridge.h"
static_assert(sizeof(tb_status) == 4, "tb_status is 32 bits");
static_assert(TB_VERSION_NUMBER == TB_VERSION_MAJOR * 10000 + TB_VERSION_MINOR * 100 + TB_VERSION_PATCH, "version");
int main() {
    tb_status s = tb_status_name(TB_OK) ? TB_OK : TB_PANIC;
    tb_messenger_status k = TB_MESSENGER_STATUS_CLOSED;
    tb_messenger_pending p = TB_MESSENGER_PENDING_YES;
    tb_status absent = TB_ABSENT;
    tb_datetime when = {2024, 1, 2, 3, 4, 5};
    tb_tls_roots r = TB_TLS_ROOTS_OS;
    tb_ucontact_login_kind l = TB_UCONTACT_LOGIN_AGENT;
    return static_cast<int>(s) + static_cast<int>(k) - 2 + static_cast<int>(p) - 1 +
           static_cast<int>(absent) - 2 + when.second - 5 + static_cast<int>(r) - 1 +
           static_cast<int>(l) - 1;
}
CPP
g++ -std=c++11 -Wall -Wextra -Werror -I"$root/include" -fsyntax-only "$build/header_check.cpp"

step "every exported function is declared in the header and called by the tests"
nm -D --defined-only "$target/libtokenbridge.so" | awk '$2 == "T" && $3 ~ /^tb_/ { print $3 }' |
    sort >"$build/exports.txt"
[ -s "$build/exports.txt" ] || die "no tb_ symbols exported by $target/libtokenbridge.so"
missing=0
while read -r fn; do
    grep -q "\\b$fn(" "$root/include/tokenbridge.h" || { echo "not in the header: $fn" >&2; missing=1; }
    # Called by one of the C test programs (not the example or the fake server), or
    # put in a table of getters that a test calls through (test_tokenbridge.c's
    # AGENT_FIELDS).
    grep -qsE "\\b$fn(\\(|\\},)" "$here"/test_tokenbridge.c "$here"/hostile.c "$here"/concurrency.c \
        "$here"/fork.c "$here"/logging.c "$here"/request.c ||
        { echo "not tested: $fn" >&2; missing=1; }
done <"$build/exports.txt"
[ "$missing" = 0 ] || die "exported functions missing from the header or the tests"
echo "$(wc -l <"$build/exports.txt") exported functions, all declared and tested"

step "build the tests (shared and static library)"
sources=("$here/test_tokenbridge.c" "$here/fake_server.c")
gcc "${CFLAGS[@]}" -I"$root/include" "${sources[@]}" -L"$target" -ltokenbridge \
    -Wl,-rpath,"$target" -o "$build/test_shared"
# Only the .a in the search path, so -ltokenbridge is the static library.
cp "$target/libtokenbridge.a" "$build/static/"
gcc "${CFLAGS[@]}" -I"$root/include" "${sources[@]}" -L"$build/static" -ltokenbridge \
    -lpthread -ldl -lm -o "$build/test_static"
# (grep on a captured string: `ldd | grep -q` can fail under pipefail when grep exits
# early and ldd gets SIGPIPE.)
if grep -q libtokenbridge <<<"$(ldd "$build/test_static")"; then
    die "test_static links libtokenbridge dynamically"
fi
gcc "${CFLAGS[@]}" -I"$root/include" "$here/example.c" -L"$target" -ltokenbridge \
    -Wl,-rpath,"$target" -o "$build/example"
gcc "${CFLAGS[@]}" -I"$root/include" "$here/proxy.c" -L"$target" -ltokenbridge \
    -Wl,-rpath,"$target" -o "$build/proxy"
gcc "${CFLAGS[@]}" -I"$root/include" "$here/store.c" -L"$target" -ltokenbridge \
    -Wl,-rpath,"$target" -o "$build/store"

# ---------------------------------------------------------------- sandbox
tmp=$(mktemp -d)
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
cleanup() {
    bash "$root/scripts/redislab.sh" stop "$tmp/redis"
    bash "$root/scripts/netlab.sh" stop "$tmp/lab"
    sandbox_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "start tokenbridge-sandbox (cargo install --path . --features sandbox)"
sandbox_start || die "the sandbox did not start"
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url (pid $SANDBOX_PID)"
export TOKENBRIDGE_SANDBOX_URL=$url
export RUST_BACKTRACE=0

# ---------------------------------------------------------------- run
summary=()
run_suite() { # name binary
    step "$1 under valgrind"
    local log="$build/$1.valgrind.log"
    if ! "${VALGRIND[@]}" --log-file="$log" "$2" | tee "$build/$1.out"; then
        cat "$log" >&2
        die "$1 failed"
    fi
    tail -n 1 "$build/$1.out" | grep -Eq '^[0-9]+ passed, 0 failed$' || die "$1: no clean summary line"
    valgrind_summary "$log"
    summary+=("$1: $(tail -n 1 "$build/$1.out"); valgrind: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$log" | head -n 1)")
}
run_suite test_shared "$build/test_shared"
run_suite test_static "$build/test_static"

step "the proxy lab (scripts/netlab.sh: nginx TLS front, tinyproxy open and with Basic auth)"
bash "$root/scripts/netlab.sh" start "$tmp/lab" "${url#http://}"
# shellcheck disable=SC1091 # written by netlab.sh
source "$tmp/lab/env"
run_suite proxy "$build/proxy"

step "the token store across processes (file:// and redis:// through scripts/redislab.sh)"
bash "$root/scripts/redislab.sh" start "$tmp/redis"
# shellcheck disable=SC1091 # written by redislab.sh
source "$tmp/redis/env"
run_suite store "$build/store"

step "example.c against the sandbox (under valgrind)"
eval "$(grep -E '^TOKENBRIDGE_YATIVO_(URL|ACCOUNT|SECRET)=' "$SANDBOX_OUT" | sed 's/^/export /')"
"${VALGRIND[@]}" --log-file="$build/example.valgrind.log" "$build/example" "$TOKENBRIDGE_YATIVO_URL" \
    | tee "$build/example.out" || { cat "$build/example.valgrind.log" >&2; die "example failed"; }
grep -q '"balances"' "$build/example.out" || die "example: no balances in its output"
valgrind_summary "$build/example.valgrind.log"

step "install to a temporary prefix and build example.c with pkg-config"
bash "$root/scripts/install.sh" "$tmp/prefix"
export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs tokenbridge)
echo "pkg-config --cflags --libs tokenbridge: $flags"
[ "$(pkg-config --modversion tokenbridge)" = "$(sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/tokenbridge.h")" ] ||
    die "pkg-config reports the wrong version"
# shellcheck disable=SC2086 # the flags are meant to split
gcc -std=c11 -Wall -Wextra -Werror "$here/example.c" $flags -Wl,-rpath,"$tmp/prefix/lib" \
    -o "$build/example_pkgconfig"
grep -q "$tmp/prefix/lib/libtokenbridge" <<<"$(ldd "$build/example_pkgconfig")" ||
    die "example_pkgconfig does not use the installed library"
"$build/example_pkgconfig" >/dev/null || die "example built with pkg-config failed"
# The static library through pkg-config --static.
mkdir -p "$tmp/static-only"
cp "$tmp/prefix/lib/libtokenbridge.a" "$tmp/static-only/"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror "$here/example.c" $(pkg-config --cflags tokenbridge) \
    -L"$tmp/static-only" $(pkg-config --static --libs tokenbridge) -o "$build/example_static"
"$build/example_static" >/dev/null || die "example linked statically failed"
summary+=("example.c: built as printed, with pkg-config (shared and static), ran against the sandbox")

step "summary"
printf '%s\n' "${summary[@]}"
echo "C tests passed"
