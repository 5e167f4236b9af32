#!/usr/bin/env bash
# Runs every test of tokenbridge: the Rust suites, the header drift check, the C suite
# under valgrind, the Python, C# and Java bindings against the sandbox (and through the
# proxy lab, scripts/netlab.sh), and a fuzz smoke run. Each step installs what it needs
# (apt-get when root; otherwise it stops and prints the exact command). See README.md.
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
        RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet --features sandbox
}
rust_tests() {
    # Every target but benches/ (clients that scripts/bench.sh drives against nginx).
    cargo test --lib --bins --tests --examples && cargo test --doc
}

step "rust: fmt, clippy, doc" rust_checks
# tinyproxy, nginx-light, openssl, curl: the proxy lab (scripts/netlab.sh) that
# tests/proxy.rs and every binding's proxy tests start. apt-get as root, else the
# command to run.
step "proxy lab packages" bash scripts/netlab.sh install
step "rust: tests" rust_tests
step "header drift" bash scripts/check-header.sh
step "a dependent without the sandbox feature compiles no server code" bash scripts/check-dependent.sh
step "README examples are the tested files" bash scripts/check-readme.sh
step "the README's main job: the quickstart on the sandbox" bash scripts/check-quickstart.sh
step "tokenbridge-sandbox as installed: keep-alive, control endpoint, stopping" bash scripts/check-sandbox.sh
step "C ABI suite under valgrind" bash bindings/c/run-tests.sh
[ -f bindings/c/run-hostile.sh ] && step "C hostile input and concurrency" bash bindings/c/run-hostile.sh
step "C library install (SONAME, pkg-config shared/static, CMake)" bash bindings/c/run-install.sh
step "Python binding" bash bindings/python/run-tests.sh
step "C# binding (Mono and .NET 8)" bash bindings/csharp/run-tests.sh
step "Java binding (JNA)" bash bindings/java/run-tests.sh
[ -f scripts/fuzz.sh ] && step "fuzz smoke" bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}"

echo
if [ "$failed" -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
