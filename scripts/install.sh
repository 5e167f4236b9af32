#!/usr/bin/env bash
# Installs tokenbridge's C library under a prefix: include/tokenbridge.h, the shared
# and static libraries in lib/, and lib/pkgconfig/tokenbridge.pc, so that
#   pkg-config --cflags --libs tokenbridge
# works (set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig for a prefix pkg-config does not
# search). Builds the release library first.
#
# usage: scripts/install.sh [PREFIX]     (default /usr/local; DESTDIR is honoured)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${1:-/usr/local}
case "$prefix" in
    /*) ;;
    *) prefix="$PWD/$prefix" ;; # the .pc file needs an absolute path
esac
dest="${DESTDIR:-}$prefix"

cargo build --release --lib --quiet
target_dir=${CARGO_TARGET_DIR:-target}/release

version=$(sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' include/tokenbridge.h)
if [ -z "$version" ]; then
    echo "install: no TB_VERSION_STRING in include/tokenbridge.h" >&2
    exit 1
fi

# What a program linking the static library needs besides it (rustc's
# --print native-static-libs for the target).
case "$(uname -s)" in
    Darwin)
        shared=libtokenbridge.dylib
        libs_private="-framework Security -framework CoreFoundation -liconv -lc -lm"
        ;;
    *)
        shared=libtokenbridge.so
        libs_private="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
        ;;
esac

install -d "$dest/include" "$dest/lib/pkgconfig"
install -m 644 include/tokenbridge.h "$dest/include/tokenbridge.h"
install -m 755 "$target_dir/$shared" "$dest/lib/$shared"
install -m 644 "$target_dir/libtokenbridge.a" "$dest/lib/libtokenbridge.a"
if [ "$(uname -s)" = Darwin ]; then
    install_name_tool -id "$prefix/lib/$shared" "$dest/lib/$shared"
fi
sed -e "s|@PREFIX@|$prefix|g" \
    -e "s|@VERSION@|$version|g" \
    -e "s|@LIBS_PRIVATE@|$libs_private|g" \
    bindings/c/tokenbridge.pc.in >"$dest/lib/pkgconfig/tokenbridge.pc"

echo "installed tokenbridge $version under $dest:"
echo "  $dest/include/tokenbridge.h"
echo "  $dest/lib/$shared"
echo "  $dest/lib/libtokenbridge.a"
echo "  $dest/lib/pkgconfig/tokenbridge.pc"
