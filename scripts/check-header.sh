#!/usr/bin/env bash
# include/tokenbridge.h is generated from src/ffi/ by the cbindgen CLI, here and nowhere
# else: no build generates it (a build writes nothing into the source tree, and Rust
# dependents compile no cbindgen).
#
#   bash scripts/check-header.sh           fails when the header is not what src/ffi/
#                                          gives now, or is not committed (CI runs this)
#   bash scripts/check-header.sh --write   writes the header from src/ffi/
#
# The settings are cbindgen.toml's; this script adds to its `after_includes` the macros
# cbindgen cannot derive: the version (from Cargo.toml) and the Yativo URLs (from
# src/ffi/constants.rs). The cbindgen CLI is the pinned version below, installed once
# with `cargo install --locked` into target/tools/ when it is missing (crates.io).
set -euo pipefail
cd "$(dirname "$0")/.."

# The header's bytes depend on cbindgen's version: change it here only, then --write.
cbindgen_version=0.29.4

mode=check
case "${1:-}" in
"") ;;
--write) mode=write ;;
*)
    echo "usage: $0 [--write]" >&2
    exit 2
    ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tools=${CARGO_TARGET_DIR:-target}/tools/cbindgen-$cbindgen_version
cbindgen=$tools/bin/cbindgen
if [ "$("$cbindgen" --version 2>/dev/null)" != "cbindgen $cbindgen_version" ]; then
    echo "check-header: installing cbindgen $cbindgen_version into $tools"
    cargo install --quiet --locked --force cbindgen --version "$cbindgen_version" --root "$tools"
fi

# The version macros: MAJOR.MINOR.PATCH of the package (a pre-release suffix is not
# part of them).
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if ! [[ $version =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    echo "check-header: the package version '$version' is not MAJOR.MINOR.PATCH" >&2
    exit 1
fi
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
if [ "$minor" -ge 100 ] || [ "$patch" -ge 100 ]; then
    echo "check-header: TB_VERSION_NUMBER packs MINOR and PATCH into two decimal digits each" >&2
    exit 1
fi
url() { # the value of a `pub const NAME: &str = "...";` line of src/ffi/constants.rs
    local value
    value=$(sed -n "s/^pub const $1: &str = \"\\([^\"\\\\]*\\)\";\$/\\1/p" src/ffi/constants.rs)
    if [ -z "$value" ]; then
        echo "check-header: src/ffi/constants.rs has no one-line \`pub const $1: &str = \"...\";\`" >&2
        exit 1
    fi
    printf '%s' "$value"
}
production=$(url TB_YATIVO_PRODUCTION_URL)
sandbox=$(url TB_YATIVO_SANDBOX_URL)

TB_MACROS=$(
    cat <<EOF

/** The major version of this header (compare with tb_version_number()). */
#define TB_VERSION_MAJOR $major
/** The minor version of this header. */
#define TB_VERSION_MINOR $minor
/** The patch version of this header. */
#define TB_VERSION_PATCH $patch
/** This header's version as a string, "MAJOR.MINOR.PATCH" (equal to tb_version()). */
#define TB_VERSION_STRING "$major.$minor.$patch"
/** This header's version as MAJOR * 10000 + MINOR * 100 + PATCH (equal to tb_version_number()). */
#define TB_VERSION_NUMBER ((TB_VERSION_MAJOR) * 10000 + (TB_VERSION_MINOR) * 100 + (TB_VERSION_PATCH))

/** Yativo's production base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_PRODUCTION_URL "$production"
/** Yativo's online sandbox base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_SANDBOX_URL "$sandbox"
EOF
)
export TB_MACROS
# cbindgen.toml with the macros at the end of its `after_includes = """ ... """`.
if ! awk '
    !done && /^after_includes = """/ { inside = 1 }
    inside && /"""$/ && !/^after_includes = """$/ {
        $0 = substr($0, 1, length($0) - 3) ENVIRON["TB_MACROS"] "\"\"\""
        inside = 0
        done = 1
    }
    { print }
    END { exit !done }' cbindgen.toml >"$tmp/cbindgen.toml"; then
    echo "check-header: cbindgen.toml has no multi-line after_includes = \"\"\"...\"\"\"" >&2
    exit 1
fi

"$cbindgen" --quiet --config "$tmp/cbindgen.toml" --output "$tmp/tokenbridge.h" src/ffi/mod.rs
if [ ! -s "$tmp/tokenbridge.h" ]; then
    echo "check-header: cbindgen wrote no header" >&2
    exit 1
fi

if [ "$mode" = write ]; then
    if cmp -s "$tmp/tokenbridge.h" include/tokenbridge.h; then
        echo "check-header: include/tokenbridge.h is current"
    else
        cp "$tmp/tokenbridge.h" include/tokenbridge.h
        echo "check-header: wrote include/tokenbridge.h"
    fi
    exit 0
fi

if ! diff -u include/tokenbridge.h "$tmp/tokenbridge.h"; then
    echo "check-header: include/tokenbridge.h is stale; run 'bash scripts/check-header.sh --write' and commit it" >&2
    exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git diff --exit-code HEAD -- include/tokenbridge.h; then
        echo "check-header: include/tokenbridge.h differs from the committed one; commit it" >&2
        exit 1
    fi
fi
echo "check-header: include/tokenbridge.h is current"
