# The fleet token store (issue 23), sourced by scripts/bench.sh:
# 1. the hot path: the HTTPS keep-alive call of the https section through a client
#    with no store, a file store and a Redis store (each logs in once, then calls with
#    its token in memory); the store must cost nothing once a process has a token.
# 2. the fleet: 32 processes (benches/c/fleet_worker.c) against the sandbox with 2 s
#    Yativo tokens for 10 s, with no store, a file store and Redis: logins and refreshes
#    at the sandbox (its statistics), calls and failed calls.
# Redis is Debian's redis-server started by scripts/redislab.sh (ACL user and password);
# without it (and not root to install it) the Redis rows are left out, with a note.
STORE_ROUNDS=${BENCH_STORE_ROUNDS:-3}
FLEET_PROCS=${BENCH_FLEET_PROCS:-32}
FLEET_SECONDS=${BENCH_FLEET_SECONDS:-10}
SDIR=$OUT/store
rm -rf "$SDIR" && mkdir -p "$SDIR"
cargo build --release --quiet --features sandbox,redis --bin tokenbridge-sandbox
gcc $CFLAGS -o "$OUT/fleet_worker" benches/c/fleet_worker.c $TB

redis_url=
if TB_LAB_OWNER_PID=$$ bash scripts/redislab.sh start "$SDIR/redis" >"$SDIR/redislab.log" 2>&1; then
    # shellcheck source=/dev/null
    source "$SDIR/redis/env"
    redis_url=$TB_REDIS_URL
else
    echo "store: no Redis rows: scripts/redislab.sh start failed: $(tail -n 3 "$SDIR/redislab.log")" >&2
fi
stores=("none" "file://$PWD/$SDIR/tokens")
[ -n "$redis_url" ] && stores+=("$redis_url")
store_name() { case $1 in none) echo none ;; file://*) echo file ;; redis*) echo redis ;; esac; }

echo "-- store: hot path, $STORE_ROUNDS rounds x $N calls" >&2
for r in $(seq 1 "$STORE_ROUNDS"); do
    # Which client goes first turns from round to round.
    for k in $(seq 0 $((${#stores[@]} - 1))); do
        s=${stores[$(( (k + r) % ${#stores[@]} ))]}
        if [ "$s" = none ]; then
            run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA" # the https section's client
        else
            run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA" "$s" "c-abi-store-$(store_name "$s")"
        fi
    done
done

if callgrind; then
    echo "-- store: instructions per call (callgrind)" >&2
    for s in "${stores[@]}"; do
        if [ "$s" = none ]; then
            count c-abi "$TPORT" "$OUT/abi_client" call "$CA"
        else
            count "c-abi-store-$(store_name "$s")" "$TPORT" "$OUT/abi_client" call "$CA" "$s" "c-abi-store-$(store_name "$s")"
        fi
    done
fi

echo "-- store: fleet of $FLEET_PROCS processes, 2 s tokens, $FLEET_SECONDS s" >&2
target/release/tokenbridge-sandbox --yativo-token-lifetime 2 > "$SDIR/sandbox.out" 2>"$SDIR/sandbox.err" &
NGPIDS+=($!) # stopped with nginx at the end
sandbox_url=
for _ in $(seq 1 100); do
    sandbox_url=$(sed -n 's/^TOKENBRIDGE_SANDBOX_URL=//p' "$SDIR/sandbox.out")
    [ -n "$sandbox_url" ] && break
    sleep 0.05
done
[ -n "$sandbox_url" ] || { echo "store: the sandbox did not start: $(cat "$SDIR/sandbox.err")" >&2; exit 1; }
for s in "${stores[@]}"; do
    name=$(store_name "$s")
    [ "$name" = file ] && rm -rf "$SDIR/tokens"
    curl -sf -X POST "$sandbox_url/__sandbox/reset" >/dev/null
    until=$(( $(date +%s%3N) + FLEET_SECONDS * 1000 ))
    pids=()
    for i in $(seq 1 "$FLEET_PROCS"); do
        if [ "$s" = none ]; then
            "$OUT/fleet_worker" "$sandbox_url" "$until" > "$SDIR/w-$name-$i.out" 2>"$SDIR/w-$name-$i.err" &
        else
            "$OUT/fleet_worker" "$sandbox_url" "$until" "$s" > "$SDIR/w-$name-$i.out" 2>"$SDIR/w-$name-$i.err" &
        fi
        pids+=($!)
        sleep 0.02 # started 20 ms apart, as in tests/store.rs
    done
    for p in "${pids[@]}"; do wait "$p" || echo "store: a worker ($name) failed: see $SDIR" >&2; done
    stats=$(curl -sf "$sandbox_url/__sandbox/stats")
    calls=$(cat "$SDIR"/w-"$name"-*.out | awk '$1 == "FLEETW" { c += $2; f += $3 } END { print c + 0, f + 0 }')
    line="FLEET $name $FLEET_PROCS $FLEET_SECONDS 2 $(echo "$stats" | $PY -c 'import json,sys; s=json.load(sys.stdin); print(s.get("yativo.login",0), s.get("yativo.refresh",0))') $calls"
    echo "$line" | tee -a "$RESULTS" >&2
done
[ -n "$redis_url" ] && bash scripts/redislab.sh stop "$SDIR/redis" >/dev/null 2>&1 || true
