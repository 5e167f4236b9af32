#!/usr/bin/env bash
# Benchmarks tokenbridge side by side with libcurl and a raw-socket client against
# nginx on loopback, all pinned to one CPU. Usage:
#   bash scripts/bench.sh [REQUESTS_PER_RUN] [ROUNDS]
# Prints a Markdown table (also written to target/bench/results.md). See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
ROUNDS=${2:-5}
WARM=2000
CPU=${BENCH_CPU:-0}
OUT=target/bench
mkdir -p "$OUT"

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need+=(libcurl4-openssl-dev)
command -v taskset >/dev/null || need+=(util-linux)
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "missing packages; run: sudo apt-get install -y ${need[*]}" >&2
        exit 1
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "== building" >&2
cargo build --release --quiet
ln -sf libtokenbridge.so target/release/libtokenbridge.so.0 # the SONAME programs ask for
cargo bench --bench rust_api --no-run --quiet 2>/dev/null || cargo bench --bench rust_api --no-run
CFLAGS="-O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
gcc $CFLAGS -o "$OUT/raw_client" benches/c/raw_client.c
gcc $CFLAGS -o "$OUT/curl_client" benches/c/curl_client.c -lcurl
gcc $CFLAGS -Iinclude -o "$OUT/abi_client" benches/c/abi_client.c \
    -Ltarget/release -ltokenbridge -Wl,-rpath,"$PWD/target/release"
RUST_BENCH=$(ls -t target/release/deps/rust_api-* | grep -v '\.d$' | head -n 1)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NGDIR=$(mktemp -d)
trap 'kill "$(cat "$NGDIR/nginx.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$NGDIR"' EXIT
cat > "$NGDIR/nginx.conf" <<CONF
worker_processes 1;
master_process off;
daemon off;
pid $NGDIR/nginx.pid;
error_log $NGDIR/error.log;
events { worker_connections 64; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_body_temp_path $NGDIR/body;
    proxy_temp_path $NGDIR/proxy;
    fastcgi_temp_path $NGDIR/fastcgi;
    uwsgi_temp_path $NGDIR/uwsgi;
    scgi_temp_path $NGDIR/scgi;
    default_type application/json;
    server {
        listen 127.0.0.1:$PORT;
        location = /anna/REST/Credentials/GetToken {
            return 200 '{"success":true,"message":"","data":{"Token":"bench-token","ExpiresIn":"3600"}}';
        }
        location = /anna/REST/AnnACorporate/Messenger/AlertCounter {
            return 200 '{"success":true,"message":"","alertCounter":3}';
        }
    }
}
CONF
taskset -c "$CPU" "$NGINX" -c "$NGDIR/nginx.conf" -p "$NGDIR" &
for _ in $(seq 1 50); do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/anna/REST/AnnACorporate/Messenger/AlertCounter" && break
    sleep 0.1
done

RESULTS="$OUT/raw-results.txt"
: > "$RESULTS"
run() { taskset -c "$CPU" "$@" | grep '^RESULT\|^RSS' | tee -a "$RESULTS" >&2; }
echo "== $ROUNDS rounds x $N requests (+$WARM warm-up), client and nginx on CPU $CPU" >&2
for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r" >&2
    run "$OUT/raw_client" "$PORT" "$N" "$WARM"
    run "$OUT/curl_client" "$PORT" "$N" "$WARM"
    run "$RUST_BENCH" "$PORT" "$N" "$WARM" cached
    run "$RUST_BENCH" "$PORT" "$N" "$WARM" ffi
    run "$OUT/abi_client" "$PORT" "$N" "$WARM"
done
echo "== login per call vs cached token" >&2
run "$RUST_BENCH" "$PORT" $((N / 4)) 500 login-per-call
run "$RUST_BENCH" "$PORT" $((N / 4)) 500 cached
echo "== peak RSS over 100k calls through the C ABI" >&2
taskset -c "$CPU" "$OUT/abi_client" "$PORT" 100000 1000 rss | grep '^RSS' | sed 's/^/RSSABI /' >> "$RESULTS"

# Instructions per call in the client process (user space; not the kernel, not nginx),
# counted by callgrind: repeatable to the instruction whatever else the machine does,
# where the timings above move by several percent from run to run on a shared VM.
# Runs of 1,000 and 3,000 calls; the difference / 2,000 leaves out start-up.
if [ "${BENCH_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
    echo "== instructions per call (callgrind)" >&2
    count() { # name, command...
        local name=$1 n total
        shift
        for n in 1000 3000; do
            total=$(RUST_BACKTRACE=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                "$1" "$PORT" "$n" 0 "${@:2}" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
            echo "INSTR $name $n $total" >> "$RESULTS"
        done
    }
    count raw-socket "$OUT/raw_client"
    count libcurl "$OUT/curl_client"
    count rust-api "$RUST_BENCH"
    count rust-via-c-abi "$RUST_BENCH" ffi
    count c-abi "$OUT/abi_client"
fi

python3 - "$RESULTS" "$OUT/results.md" <<'PY'
import statistics, sys
rows, rss = {}, []
order = []
lines = open(sys.argv[1]).read().splitlines()
# The last two rust-api RESULT lines belong to the login comparison.
login = [l for l in lines if l.startswith("RESULT rust-api-login-per-call")]
cached_tail = [l for l in lines if l.startswith("RESULT rust-api ")][-1:]
main = [l for l in lines if l.startswith("RESULT")]
main = [l for l in main if "login-per-call" not in l][:-1]
for l in main:
    _, name, n, secs, rps, p50, p99 = l.split()
    if name not in rows:
        rows[name] = []; order.append(name)
    rows[name].append((float(rps), float(p50), float(p99)))
for l in lines:
    if l.startswith("RSSABI"):
        rss.append(l.split()[2:])
med = {k: tuple(statistics.median(x[i] for x in v) for i in range(3)) for k, v in rows.items()}
# Paired per round: the clients of one round ran back to back, so their ratio is less
# moved by the machine's noise than a ratio of medians taken over different rounds.
def paired(a, b):
    r = sorted(x[1] / y[1] for x, y in zip(rows[a], rows[b]))
    return statistics.median(r), r[0], r[-1]
instr = {}
for l in lines:
    if l.startswith("INSTR"):
        _, name, n, total = l.split()
        instr.setdefault(name, {})[int(n)] = int(total)
floor = med["raw-socket"][1]; curl = med["libcurl"][1]
out = ["| client | req/s | p50 µs | p99 µs | p50 / floor | p50 / libcurl |", "|---|---:|---:|---:|---:|---:|"]
for k in order:
    rps, p50, p99 = med[k]
    out.append(f"| {k} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {p50/floor:.2f}× | {p50/curl:.2f}× |")
out.append("")
out.append(f"Medians of {len(rows['raw-socket'])} interleaved rounds.")
if "rust-api" in med and "c-abi" in med:
    out.append(f"C-ABI overhead over the Rust API (p50, medians): {100*(med['c-abi'][1]/med['rust-api'][1]-1):+.1f} %.")
    m, lo, hi = paired("c-abi", "rust-api")
    out.append(f"C-ABI overhead over the Rust API (p50, paired per round): {100*(m-1):+.1f} % (rounds: {100*(lo-1):+.1f} to {100*(hi-1):+.1f} %).")
if "rust-via-c-abi" in med:
    m, lo, hi = paired("rust-via-c-abi", "rust-api")
    out.append(f"C ABI layer alone (rust-via-c-abi over rust-api, same program, p50 paired per round): {100*(m-1):+.1f} % (rounds: {100*(lo-1):+.1f} to {100*(hi-1):+.1f} %).")
    out.append(f"C-ABI p50 / libcurl p50: {med['c-abi'][1]/curl:.2f} (paired per round: {paired('c-abi', 'libcurl')[0]:.2f}).")
if all(len(v) == 2 for v in instr.values()) and instr:
    per = {k: (v[3000] - v[1000]) / 2000 for k, v in instr.items()}
    out.append("Instructions per call in the client process (callgrind): " + ", ".join(f"{k} {v:,.0f}" for k, v in per.items()) + ".")
    if "rust-api" in per and "c-abi" in per:
        out.append(f"In instructions: c-abi over rust-api {100*(per['c-abi']/per['rust-api']-1):+.1f} %" + (f", rust-via-c-abi over rust-api {100*(per['rust-via-c-abi']/per['rust-api']-1):+.1f} %" if "rust-via-c-abi" in per else "") + ".")
if login and cached_tail:
    lp = login[-1].split(); cp = cached_tail[-1].split()
    out.append(f"Login per call: {float(lp[4]):,.0f} req/s (p50 {lp[5]} µs) vs cached token {float(cp[4]):,.0f} req/s (p50 {cp[5]} µs): {float(cp[4])/float(lp[4]):.2f}× throughput with the cache.")
if rss:
    out.append("Peak RSS through the C ABI: " + ", ".join(f"{int(c):,} calls → {int(k):,} KiB" for c, k in rss) + ".")
text = "\n".join(out)
print(text)
open(sys.argv[2], "w").write(text + "\n")
PY
