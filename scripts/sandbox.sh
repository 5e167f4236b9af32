# Starting the sandbox for a test suite in any language: source this file from bash,
# then call `sandbox_start [tokenbridge-sandbox options]`.
#
#   source scripts/sandbox.sh
#   sandbox_start --token-lifetime 4     # installs tokenbridge-sandbox if needed, starts it
#   echo "$TOKENBRIDGE_SANDBOX_URL"       # http://127.0.0.1:PORT
#   ...
#   sandbox_stop                          # call it from the script's EXIT trap
#
# The executable is installed the way a user installs it, `cargo install --path .
# --features sandbox`, into target/sandbox-install (set TOKENBRIDGE_SANDBOX_BIN to use
# another one, e.g. one on PATH). Each sandbox_start starts one more instance;
# sandbox_stop stops all of this script's. Only processes started here are stopped,
# by their PID.

_sandbox_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_sandbox_pids=()
_sandbox_dirs=()

# Installs tokenbridge-sandbox (once per shell) and prints its path.
sandbox_install() {
    if [ -n "${TOKENBRIDGE_SANDBOX_BIN:-}" ]; then
        echo "$TOKENBRIDGE_SANDBOX_BIN"
        return 0
    fi
    local prefix="$_sandbox_root/target/sandbox-install"
    # A kept target dir makes the reinstall of an unchanged tree a no-op build.
    cargo install --quiet --locked --path "$_sandbox_root" --features sandbox \
        --root "$prefix" --target-dir "$_sandbox_root/target/sandbox-build" >&2 || return 1
    TOKENBRIDGE_SANDBOX_BIN="$prefix/bin/tokenbridge-sandbox"
    export TOKENBRIDGE_SANDBOX_BIN
    echo "$TOKENBRIDGE_SANDBOX_BIN"
}

# Starts a sandbox with the given options; exports TOKENBRIDGE_SANDBOX_URL, and sets
# SANDBOX_PID and SANDBOX_OUT (the file holding what it printed: each API's URL and
# the sandbox credentials as NAME=value lines). Waits up to 30 s for its first line.
sandbox_start() {
    local bin dir url="" i
    bin=$(sandbox_install) || { echo "sandbox.sh: cannot install tokenbridge-sandbox" >&2; return 1; }
    TOKENBRIDGE_SANDBOX_BIN=$bin
    export TOKENBRIDGE_SANDBOX_BIN
    dir=$(mktemp -d)
    _sandbox_dirs+=("$dir")
    : >"$dir/out"
    "$bin" "$@" >"$dir/out" 2>"$dir/err" </dev/null &
    SANDBOX_PID=$!
    _sandbox_pids+=("$SANDBOX_PID")
    for i in $(seq 1 300); do
        url=$(sed -n 's/^TOKENBRIDGE_SANDBOX_URL=//p' "$dir/out" | head -n 1)
        [ -n "$url" ] && break
        if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
            echo "sandbox.sh: tokenbridge-sandbox exited early:" >&2
            cat "$dir/err" >&2
            return 1
        fi
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "sandbox.sh: no TOKENBRIDGE_SANDBOX_URL= line within 30 s" >&2
        cat "$dir/err" >&2
        return 1
    fi
    TOKENBRIDGE_SANDBOX_URL=$url
    SANDBOX_OUT=$dir/out
    export TOKENBRIDGE_SANDBOX_URL SANDBOX_PID SANDBOX_OUT
}

# Stops every sandbox this shell started (SIGTERM, then waits for it).
sandbox_stop() {
    local pid dir
    for pid in "${_sandbox_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    _sandbox_pids=()
    for dir in "${_sandbox_dirs[@]}"; do
        rm -rf "$dir"
    done
    _sandbox_dirs=()
}
