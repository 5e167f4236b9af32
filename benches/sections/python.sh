# Python: the binding (bindings/python, ctypes over target/release/libtokenbridge.so)
# against requests and httpx, the clients a Python user would otherwise write.
# Sourced by scripts/bench.sh (nginx running, the library built); see BENCHMARKS.md.
#   keep-alive  benches/python/client.py, one process per client per round, pinned:
#               AlertCounter with a cached token, per-call latencies (stats.h's RESULT)
#   cold        a new process until the first authenticated answer, login included:
#               benches/python/cold.py (tokenbridge, httpx), benches/cold_python.py
#               (requests), through $OUT/cold_run
# Every Python client runs on the interpreter of $OUT/venv (made here when missing, with
# requests and httpx from PyPI), never through a wrapper such as a pyenv shim, whose own
# start-up would be counted; the binding is imported from the checkout (PYTHONPATH) with
# TOKENBRIDGE_LIBRARY pointing at the library bench.sh built.
PYV=$OUT/venv/bin/python
if ! { [ -x "$PYV" ] && "$PYV" -c 'import requests, httpx' 2>/dev/null; }; then
    if [ ! -x "$PYV" ] && ! python3 -m venv "$OUT/venv"; then
        rm -rf "$OUT/venv"
        install_or_say "python (skipped; python3 -m venv failed)" python3-venv || return 0
        python3 -m venv "$OUT/venv"
    fi
    if ! "$OUT/venv/bin/pip" install -q --disable-pip-version-check requests httpx; then
        echo "python section skipped: could not install requests and httpx; run: $OUT/venv/bin/pip install requests httpx" >&2
        return 0
    fi
fi
# The binding's bytecode, as pip writes it for an installed package (requests and httpx
# in the venv have theirs): without it, and with PYTHONDONTWRITEBYTECODE set, every
# cold run would compile the binding's sources. Idempotent (compileall skips fresh files).
"$PYV" -m compileall -q bindings/python/tokenbridge >/dev/null
py_tb=(env "PYTHONPATH=$PWD/bindings/python" "TOKENBRIDGE_LIBRARY=$PWD/target/release/libtokenbridge.so")
echo "== python: $("$PYV" -c 'import sys, requests, httpx; print("Python", sys.version.split()[0], "requests", requests.__version__, "httpx", httpx.__version__)')" >&2
echo "== python: keep-alive, $ROUNDS rounds x $N requests (+$WARM warm-up), client and nginx on CPU $CPU" >&2
for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r" >&2
    run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA" # for scale: the C ABI from C
    for client in tokenbridge requests httpx tokenbridge-aio httpx-async; do
        run "${py_tb[@]}" "$PYV" benches/python/client.py "$client" "$TPORT" "$N" "$WARM" "$CA"
    done
done
per=$(( (COLD_RUNS + 2) / 3 ))
echo "== python: cold start, 3 rounds x $per runs per program, pinned to CPU $CPU" >&2
for r in 1 2 3; do
    echo "-- round $r" >&2
    PYTHONPATH=$PWD/bindings/python TOKENBRIDGE_LIBRARY=$PWD/target/release/libtokenbridge.so \
        run "$OUT/cold_run" python-tokenbridge "$per" "$PYV" benches/python/cold.py tokenbridge "$TPORT" "$CA"
    run "$OUT/cold_run" python-requests "$per" "$PYV" benches/cold_python.py "$TPORT" "$CA"
    run "$OUT/cold_run" python-httpx "$per" "$PYV" benches/python/cold.py httpx "$TPORT" "$CA"
    # For scale: the interpreter doing nothing, and the same calls from C.
    run "$OUT/cold_run" python-empty "$per" "$PYV" -c pass
    run "$OUT/cold_run" c-abi "$per" "$PWD/$OUT/cold_abi" "$TPORT" "$CA"
done
