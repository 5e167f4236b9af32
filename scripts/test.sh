#!/usr/bin/env bash
# Runs every test of tokenbridge: the Rust suites, the header drift check, the C suite
# under valgrind, the Python, C# and Java bindings against the sandbox (and through the
# proxy lab, scripts/netlab.sh), a fuzz smoke run, and the cross builds
# (scripts/cross.sh): the Windows x64 DLL and the arm64 library, the Rust suite under
# Wine and under qemu-aarch64, the C suite and the quickstart under Wine, the release
# archives. Each step installs what it needs (apt-get when root; otherwise it stops and
# prints the exact command). See README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0
export CARGO_TERM_COLOR=never

passed=0
failed=0
failures=()
step() {
    local name=$1
    shift
    echo
    echo "==== $name"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "==== $name: ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "==== $name: FAILED ($((SECONDS - start)) s)"
    fi
}

rust_checks() {
    cargo fmt --all -- --check &&
        cargo clippy --all-targets -- -D warnings &&
        cargo clippy --all-targets --features cli,redis -- -D warnings &&
        RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet --features cli
}
rust_tests() {
    # Every target but benches/ (clients that scripts/bench.sh drives against nginx);
    # with the Redis token store (tests/store.rs starts scripts/redislab.sh) and the
    # tokenbridge command (tests/cli.rs runs the built executable).
    cargo test --features redis,cli --lib --bins --tests --examples && cargo test --doc
}
# The declared MSRV (`rust-version` in Cargo.toml) builds the library from Cargo.lock
# and passes its unit tests; rustup installs that toolchain when it is missing.
msrv_tests() {
    local msrv
    msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
    if ! command -v rustup >/dev/null; then
        echo "the MSRV check needs rustup: https://rustup.rs" >&2
        return 1
    fi
    if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
        rustup toolchain install "$msrv" --profile minimal || return 1
    fi
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/msrv" cargo "+$msrv" test --lib --locked
}

# The packages (wheels, NuGet, jar) must carry the cross builds made below.
export TOKENBRIDGE_REQUIRE_CROSS=1
rm -f "${CARGO_TARGET_DIR:-target}/cross/summary.txt"

step "rust: fmt, clippy, doc" rust_checks
# tinyproxy, nginx-light, openssl, curl: the proxy lab (scripts/netlab.sh) that
# tests/proxy.rs and every binding's proxy tests start. apt-get as root, else the
# command to run.
step "proxy lab packages" bash scripts/netlab.sh install
step "redis lab packages (redis-server, for tests/store.rs)" bash scripts/redislab.sh install
step "rust: tests" rust_tests
step "rust: the MSRV (rust-version) builds and passes the unit tests" msrv_tests
step "header drift" bash scripts/check-header.sh
step "a dependent: no server code without the sandbox feature, no cbindgen, no writes into the source tree" bash scripts/check-dependent.sh
step "README examples are the tested files" bash scripts/check-readme.sh
step "the README's main job: the quickstart on the sandbox" bash scripts/check-quickstart.sh
step "tokenbridge-sandbox as installed: keep-alive, control endpoint, stopping" bash scripts/check-sandbox.sh
step "cross: tokenbridge.dll (+ .dll.a, .lib, .def, .a) and arm64 libtokenbridge.so" bash scripts/cross.sh build
step "cross: tokenbridge.exe (feature cli): tests/cli.rs under Wine" bash scripts/cross.sh cli-windows
step "cross: the Rust suite under Wine (x86_64-pc-windows-gnu)" bash scripts/cross.sh rust-windows
step "cross: the Rust suite under qemu-aarch64 (aarch64-unknown-linux-gnu)" bash scripts/cross.sh rust-arm64
step "cross: the C suite and example.c under Wine" bash scripts/cross.sh c-windows
step "cross: the quickstart under Wine" bash scripts/cross.sh quickstart-windows
step "cross: C release archives; the Windows example from its archive under Wine" bash scripts/cross.sh archives
step "C ABI suite under valgrind" bash bindings/c/run-tests.sh
[ -f bindings/c/run-hostile.sh ] && step "C hostile input and concurrency" bash bindings/c/run-hostile.sh
step "C library install (SONAME, pkg-config shared/static, CMake)" bash bindings/c/run-install.sh
step "Python binding" bash bindings/python/run-tests.sh
step "C# binding (Mono and .NET 8)" bash bindings/csharp/run-tests.sh
step "Java binding (JNA)" bash bindings/java/run-tests.sh
[ -f scripts/fuzz.sh ] && step "fuzz smoke" bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}"

echo
summary_file="${CARGO_TARGET_DIR:-target}/cross/summary.txt"
if [ -f "$summary_file" ]; then
    echo "cross builds and suites:"
    sed 's/^/  /' "$summary_file"
fi
if [ "$failed" -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
