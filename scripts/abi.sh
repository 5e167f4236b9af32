# shellcheck shell=bash
# The C ABI's SONAME from its one source, ABI_MAJOR in build.rs (sourced by the
# scripts that build, install or check the shared library): TB_ABI_MAJOR (e.g. 1)
# and TB_SONAME (libtokenbridge.so.1).
TB_ABI_MAJOR=$(sed -n 's/^const ABI_MAJOR: u32 = \([0-9][0-9]*\);$/\1/p' \
    "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build.rs")
if [ -z "$TB_ABI_MAJOR" ]; then
    echo "scripts/abi.sh: no 'const ABI_MAJOR: u32 = N;' in build.rs" >&2
    exit 1
fi
TB_SONAME="libtokenbridge.so.$TB_ABI_MAJOR"
export TB_ABI_MAJOR TB_SONAME
