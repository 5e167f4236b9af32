#!/usr/bin/env bash
# A crate that depends on tokenbridge without the `sandbox` feature compiles no server
# code: its dependency tree has no tiny_http or ctrlc, it builds, and
# `tokenbridge::sandbox` does not exist for it. With the feature, the module is there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=$root/target/dependent-check

make_crate() { # dir, dependency line, main.rs
    mkdir -p "$1/src"
    cat >"$1/Cargo.toml" <<TOML
[package]
name = "dependent"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$2

[workspace]
TOML
    printf '%s\n' "$3" >"$1/src/main.rs"
    cp "$root/Cargo.lock" "$1/Cargo.lock"
}

plain=$work/plain
make_crate "$plain" "tokenbridge = { path = \"$root\" }" \
    'fn main() { println!("{}", tokenbridge::VERSION); }'
tree=$(cd "$plain" && cargo tree -q -e normal --prefix none)
if grep -E '^(tiny_http|ctrlc) ' <<<"$tree"; then
    echo "check-dependent: a dependent without the sandbox feature pulls in server crates (above)" >&2
    exit 1
fi
(cd "$plain" && cargo check -q)
echo "check-dependent: without the feature: no tiny_http, no ctrlc in the tree; it builds"

# The module is really behind the feature: naming it fails without, builds with.
naming='fn main() { let _ = tokenbridge::sandbox::SandboxOptions::default(); }'
without=$work/without
make_crate "$without" "tokenbridge = { path = \"$root\" }" "$naming"
if (cd "$without" && cargo check -q 2>/dev/null); then
    echo "check-dependent: tokenbridge::sandbox exists without the feature" >&2
    exit 1
fi
with=$work/with
make_crate "$with" "tokenbridge = { path = \"$root\", features = [\"sandbox\"] }" "$naming"
(cd "$with" && cargo check -q)
echo "check-dependent: tokenbridge::sandbox exists only with the feature"
