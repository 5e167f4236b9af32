#!/usr/bin/env bash
# A crate that depends on tokenbridge without the `sandbox` feature compiles no server
# code: its dependency tree has no tiny_http or ctrlc, it builds, and
# `tokenbridge::sandbox` does not exist for it. With the feature, the module is there.
# Neither a dependent's build nor `cargo package` runs cbindgen (it is no dependency of
# any kind: the header comes from scripts/check-header.sh) or writes into the source
# tree (nothing outside target/ is newer than the start of this check, nothing is
# deleted).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=$root/target/dependent-check

status_before=$(git status --porcelain=v1 --untracked-files=all 2>/dev/null || true)
touch "$work/start"

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

# cbindgen in no edge of what a dependent builds of tokenbridge (its normal and build
# dependencies, on any target), with the default features or all of them.
for features in "" "--all-features"; do
    # shellcheck disable=SC2086 # an empty $features is no argument
    if cargo tree -q -p tokenbridge -e normal,build --prefix none --target all $features |
        grep -E '^cbindgen '; then
        echo "check-dependent: a dependent's build compiles cbindgen ${features:-(default features)}" >&2
        exit 1
    fi
done
echo "check-dependent: no cbindgen in what a dependent builds, with any features"

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

# The packaged crate builds (cargo package verifies it by building the .crate's
# sources, and fails if its build script changes them), and neither that nor the
# builds above wrote into the source tree.
cargo package -q --locked --allow-dirty
written=$(find "$root" \( -path "$root/target" -o -path "$root/.git" \) -prune -o -newer "$work/start" -print)
status_after=$(git status --porcelain=v1 --untracked-files=all 2>/dev/null || true)
if [ -n "$written" ] || [ "$status_before" != "$status_after" ]; then
    echo "check-dependent: a build or cargo package wrote into the source tree:" >&2
    printf '%s\n' "$written" >&2
    diff <(printf '%s\n' "$status_before") <(printf '%s\n' "$status_after") >&2 || true
    exit 1
fi
echo "check-dependent: cargo package verifies; no build wrote into the source tree"
