#!/usr/bin/env bash
# Benchmarks tokenbridge side by side with libcurl, the curl command line, Python
# requests and floor clients against nginx on loopback. One command:
#   bash scripts/bench.sh [REQUESTS_PER_RUN] [ROUNDS]
# Sections (all by default; pick some with BENCH_ONLY=http,https,cold,threads,create,...):
#   http     plain HTTP keep-alive, pinned to one CPU, login per call, peak RSS, and
#            instructions per call (callgrind; BENCH_CALLGRIND=0 skips it)
#   https    TLS 1.3 keep-alive calls (test CA made at run time), pinned; peak RSS
#            over 100k calls; instructions per call
#   cold     a new process until the first authenticated answer, login included
#   threads  1..16 threads through one shared client vs libcurl, unpinned
#   create   time and memory per client
#   and one section per file benches/sections/NAME.sh (sourced here, after the build and
#   with nginx running: it may use run, N, ROUNDS, WARM, CPU, CA, TPORT, PORT, OUT, PY and
#   writes its lines to $RESULTS) with its table made by benches/sections/NAME.py
#   (TITLE, and report(lines) returning the Markdown lines).
# Each section writes a Markdown table to target/bench/<section>.md; all of them go to
# target/bench/results.md. See BENCHMARKS.md.
set -euo pipefail
# shellcheck source=/dev/null
source "$(cd "$(dirname "$0")" && pwd)/abi.sh"
cd "$(dirname "$0")/.."
N=${1:-20000}
ROUNDS=${2:-5}
WARM=2000
CPU=${BENCH_CPU:-0}
PLUGINS=
for f in benches/sections/[!_]*.sh; do [ -e "$f" ] && PLUGINS+=${PLUGINS:+,}$(basename "$f" .sh); done
ONLY=${BENCH_ONLY:-http,https,cold,threads,create${PLUGINS:+,$PLUGINS}}
COLD_RUNS=${BENCH_COLD_RUNS:-60}
THREAD_TOTAL=${BENCH_THREAD_TOTAL:-32000}
THREAD_ROUNDS=${BENCH_THREAD_ROUNDS:-5}
CLIENTS=${BENCH_CLIENTS:-1000}
OUT=target/bench
mkdir -p "$OUT"
want() { [[ ",$ONLY," == *",$1,"* ]]; }
export RUST_BACKTRACE=0

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need+=(libcurl4-openssl-dev)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v taskset >/dev/null || need+=(util-linux)
command -v gcc >/dev/null || need+=(gcc)
# install_or_say WHO PACKAGE...: installs Debian packages with apt-get when run as root;
# otherwise prints the command to run (prefixed by WHO) and fails. Sections use it too.
install_or_say() {
    local who=$1
    shift
    [ $# -gt 0 ] || return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        echo "$who: missing packages; run: sudo apt-get install -y $*" >&2
        return 1
    fi
}
install_or_say bench.sh "${need[@]}" || exit 1
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# The interpreter itself, not a launcher in front of it (a pyenv shim costs ~140 ms a
# start, which the cold section would count as Python's).
PY=$(python3 -c 'import sys; print(sys.executable)')
if want cold && ! "$PY" -c 'import requests' 2>/dev/null; then
    [ -x "$OUT/venv/bin/python" ] || { "$PY" -m venv "$OUT/venv" && "$OUT/venv/bin/pip" install -q requests; }
    PY=$OUT/venv/bin/python
fi

echo "== building" >&2
cargo build --release --features redis --quiet
ln -sf libtokenbridge.so target/release/$TB_SONAME # the SONAME programs ask for
cargo bench --bench rust_api --no-run --quiet 2>/dev/null || cargo bench --bench rust_api --no-run
CFLAGS="-O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
TB="-Iinclude -Ltarget/release -ltokenbridge -Wl,-rpath,$PWD/target/release"
gcc $CFLAGS -o "$OUT/raw_client" benches/c/raw_client.c
gcc $CFLAGS -o "$OUT/tls_floor" benches/c/tls_floor.c -lssl -lcrypto
gcc $CFLAGS -o "$OUT/curl_client" benches/c/curl_client.c -lcurl
gcc $CFLAGS -o "$OUT/abi_client" benches/c/abi_client.c $TB
gcc $CFLAGS -o "$OUT/cold_run" benches/c/cold_run.c
gcc $CFLAGS -o "$OUT/cold_abi" benches/c/cold_abi.c $TB
gcc $CFLAGS -o "$OUT/cold_curl" benches/c/cold_curl.c -lcurl
gcc $CFLAGS -pthread -o "$OUT/abi_threads" benches/c/abi_threads.c $TB
gcc $CFLAGS -pthread -o "$OUT/curl_threads" benches/c/curl_threads.c -lcurl
gcc $CFLAGS -o "$OUT/create_abi" benches/c/create_abi.c $TB
gcc $CFLAGS -o "$OUT/create_curl" benches/c/create_curl.c -lcurl
RUST_BENCH=$(ls -t target/release/deps/rust_api-* | grep -v '\.d$' | head -n 1)

# nginx: one instance pinned to CPU $CPU (one worker, as before) serving plain HTTP on
# $PORT and TLS 1.3 on $TPORT; the threads section starts a second one, unpinned, with
# one worker per CPU (a single worker would be the bottleneck it measures).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
TPORT=$(free_port)
MPORT=$(free_port)
NGDIR=$(mktemp -d)
NGPIDS=()
cleanup() {
    for p in "${NGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${NGPIDS[@]}"; do for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
    rm -rf "$NGDIR"
}
trap cleanup EXIT

# The test CA and the server's certificate (ECDSA P-256, SAN 127.0.0.1 and localhost),
# made fresh for every run; nothing is installed anywhere.
CA=$NGDIR/ca.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$NGDIR/ca.key" -out "$CA" -subj "/CN=tokenbridge bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$NGDIR/server.key" -out "$NGDIR/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > "$NGDIR/server.ext"
openssl x509 -req -in "$NGDIR/server.csr" -CA "$CA" -CAkey "$NGDIR/ca.key" -CAcreateserial -days 2 \
    -extfile "$NGDIR/server.ext" -out "$NGDIR/server.pem" 2>/dev/null

nginx_conf() { # name, workers, master(on|off), listen lines...
    local name=$1 workers=$2 master=$3 dir=$NGDIR/$1
    shift 3
    mkdir -p "$dir"
    {
        cat <<CONF
worker_processes $workers;
master_process $master;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    default_type application/json;
    ssl_certificate $NGDIR/server.pem;
    ssl_certificate_key $NGDIR/server.key;
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:SSL_$name:1m;
    ssl_session_tickets on;
    server {
CONF
        for l in "$@"; do echo "        listen $l;"; done
        cat <<'CONF'
        location = /anna/REST/Credentials/GetToken {
            return 200 '{"success":true,"message":"","data":{"Token":"bench-token","ExpiresIn":"3600"}}';
        }
        location = /anna/REST/AnnACorporate/Messenger/AlertCounter {
            return 200 '{"success":true,"message":"","alertCounter":3}';
        }
    }
}
CONF
    } > "$dir/nginx.conf"
}
start_nginx() { # name, readiness URL, taskset args...
    local name=$1 url=$2
    shift 2
    "$@" "$NGINX" -c "$NGDIR/$name/nginx.conf" -p "$NGDIR/$name" &
    NGPIDS+=($!)
    for _ in $(seq 1 50); do
        curl -s -o /dev/null --cacert "$CA" -X POST "$url" && return 0
        sleep 0.1
    done
    echo "nginx ($name) did not start: $(cat "$NGDIR/$name/error.log")" >&2
    exit 1
}
nginx_conf pinned 1 off "127.0.0.1:$PORT" "127.0.0.1:$TPORT ssl"
start_nginx pinned "https://127.0.0.1:$TPORT/anna/REST/AnnACorporate/Messenger/AlertCounter" taskset -c "$CPU"
if want threads; then
    nginx_conf multi "$(nproc)" on "127.0.0.1:$MPORT ssl"
    start_nginx multi "https://127.0.0.1:$MPORT/anna/REST/AnnACorporate/Messenger/AlertCounter" env
fi

RESULTS=/dev/null
run() { taskset -c "$CPU" "$@" | grep '^RESULT\|^RSS\|^COLD\|^SAMPLES\|^CREATE\|^THREADS' | tee -a "$RESULTS" | grep -v '^SAMPLES' >&2; }
# Instructions per call in the client process (user space; not the kernel, not nginx),
# counted by callgrind: repeatable to the instruction whatever else the machine does,
# where the timings move by several percent from run to run on a shared VM. Runs of
# 1,000 and 3,000 calls; the difference / 2,000 leaves out start-up (and the handshake).
count() { # name, port, program, extra arguments...
    local name=$1 port=$2 n total
    shift 2
    for n in 1000 3000; do
        total=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
            "$1" "$port" "$n" 0 "${@:2}" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
        echo "INSTR $name $n $total" >> "$RESULTS"
    done
}
callgrind() { [ "${BENCH_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; }

if want http; then
    RESULTS="$OUT/raw-http.txt"; : > "$RESULTS"
    echo "== http: $ROUNDS rounds x $N requests (+$WARM warm-up), client and nginx on CPU $CPU" >&2
    for r in $(seq 1 "$ROUNDS"); do
        echo "-- round $r" >&2
        run "$OUT/raw_client" "$PORT" "$N" "$WARM"
        run "$OUT/curl_client" "$PORT" "$N" "$WARM"
        run "$RUST_BENCH" "$PORT" "$N" "$WARM" cached
        run "$RUST_BENCH" "$PORT" "$N" "$WARM" ffi
        run "$OUT/abi_client" "$PORT" "$N" "$WARM"
    done
    echo "== http: login per call vs cached token" >&2
    for mode in login-per-call cached; do
        taskset -c "$CPU" "$RUST_BENCH" "$PORT" $((N / 4)) 500 "$mode" | sed -n 's/^RESULT /LOGIN /p' | tee -a "$RESULTS" >&2
    done
    echo "== http: peak RSS over 100k calls through the C ABI" >&2
    taskset -c "$CPU" "$OUT/abi_client" "$PORT" 100000 1000 rss | grep '^RSS' >> "$RESULTS"
    if callgrind; then
        echo "== http: instructions per call (callgrind)" >&2
        count raw-socket "$PORT" "$OUT/raw_client"
        count libcurl "$PORT" "$OUT/curl_client"
        count rust-api "$PORT" "$RUST_BENCH"
        count rust-via-c-abi "$PORT" "$RUST_BENCH" ffi
        count c-abi "$PORT" "$OUT/abi_client"
    fi
fi

if want https; then
    RESULTS="$OUT/raw-https.txt"; : > "$RESULTS"
    echo "== https: $ROUNDS rounds x $N requests (+$WARM warm-up), TLS 1.3, client and nginx on CPU $CPU" >&2
    for r in $(seq 1 "$ROUNDS"); do
        echo "-- round $r" >&2
        run "$OUT/tls_floor" "$TPORT" "$N" "$WARM" "$CA"
        run "$OUT/curl_client" "$TPORT" "$N" "$WARM" "$CA"
        run "$RUST_BENCH" "$TPORT" "$N" "$WARM" cached "$CA"
        run "$RUST_BENCH" "$TPORT" "$N" "$WARM" ffi "$CA"
        run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA"
    done
    echo "== https: peak RSS over 100k calls through the C ABI" >&2
    taskset -c "$CPU" "$OUT/abi_client" "$TPORT" 100000 1000 rss "$CA" | grep '^RSS' >> "$RESULTS"
    if callgrind; then
        echo "== https: instructions per call (callgrind)" >&2
        count tls-floor "$TPORT" "$OUT/tls_floor" "$CA"
        count libcurl "$TPORT" "$OUT/curl_client" "$CA"
        count rust-api "$TPORT" "$RUST_BENCH" cached "$CA"
        count c-abi "$TPORT" "$OUT/abi_client" call "$CA"
    fi
fi

if want cold; then
    RESULTS="$OUT/raw-cold.txt"; : > "$RESULTS"
    # Interleaved in 3 rounds of a third of the runs each; the table takes the median
    # over all runs of a client, and the ratios paired per round.
    per=$(( (COLD_RUNS + 2) / 3 ))
    body='{"hash":"COMPANYHASH","userId":"42","userDocType":"","userDocValue":"","messengerFilters":{"departmentAlias":"","channelAlias":"","dataIni":"","dataFim":"","status":"","pendentes":""}}'
    login='{"hash":"COMPANYHASH","user":"annauser","pass":"anna-pass"}'
    base="https://127.0.0.1:$TPORT/anna/REST"
    # The tokenbridge command with a token kept from an earlier run (a file token store,
    # as `tokenbridge call` uses by default), against the vendor-snippet curl pair and
    # one curl call that already has its token.
    cargo build --release --quiet --features cli --bin tokenbridge
    rm -rf "$OUT/cli-tokens"
    cat > "$OUT/cli-profiles.toml" <<TOML
[profiles.bench]
api = "anna"
url = "https://127.0.0.1:$TPORT/anna/"
user = "annauser"
password_env = "TB_BENCH_PASS"
company_hash_env = "TB_BENCH_HASH"
ca_file = "$CA"
proxy = "none"
token_store = "file://$PWD/$OUT/cli-tokens"
TOML
    export TB_BENCH_PASS=anna-pass TB_BENCH_HASH=COMPANYHASH
    cli=(target/release/tokenbridge --config "$OUT/cli-profiles.toml" call bench POST REST/AnnACorporate/Messenger/AlertCounter --json "$body")
    "${cli[@]}" >/dev/null # the login whose token the timed runs use
    echo "== cold: 3 rounds x $per runs per client, pinned to CPU $CPU" >&2
    for r in 1 2 3; do
        run "$OUT/cold_run" tokenbridge-cli-cached "$per" "${cli[@]}"
        run "$OUT/cold_run" curl-cli-one-call "$per" \
            curl -sf --cacert "$CA" -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-token' \
                -d "$body" -o /dev/null "$base/AnnACorporate/Messenger/AlertCounter"
        echo "-- round $r" >&2
        run "$OUT/cold_run" c-abi "$per" "$PWD/$OUT/cold_abi" "$TPORT" "$CA"
        # The same program trusting only the test CA, like curl --cacert: the OS store
        # (TB_TLS_ROOTS_OS) read from SSL_CERT_FILE, as on a host whose store holds it.
        SSL_CERT_FILE="$CA" run "$OUT/cold_run" c-abi-os-roots "$per" "$PWD/$OUT/cold_abi" "$TPORT" os
        run "$OUT/cold_run" libcurl "$per" "$PWD/$OUT/cold_curl" "$TPORT" "$CA"
        run "$OUT/cold_run" curl-cli "$per" \
            curl -sf --cacert "$CA" -H 'Content-Type: application/json' -d "$login" -o /dev/null "$base/Credentials/GetToken" :: \
            curl -sf --cacert "$CA" -H 'Content-Type: application/json' -H 'Authorization: Bearer bench-token' \
                -d "$body" -o /dev/null "$base/AnnACorporate/Messenger/AlertCounter"
        run "$OUT/cold_run" python-requests "$per" "$PY" benches/cold_python.py "$TPORT" "$CA"
        # For scale: a process that does nothing, and the OpenSSL floor client making
        # its TLS connection and two calls (no login: the same request twice).
        run "$OUT/cold_run" empty-process "$per" /bin/true
        run "$OUT/cold_run" openssl-floor "$per" "$PWD/$OUT/tls_floor" "$TPORT" 2 0 "$CA"
    done
fi

if want threads; then
    RESULTS="$OUT/raw-threads.txt"; : > "$RESULTS"
    echo "== threads: $THREAD_ROUNDS rounds, $THREAD_TOTAL calls per run, unpinned, nginx with $(nproc) workers" >&2
    for r in $(seq 1 "$THREAD_ROUNDS"); do
        echo "-- round $r" >&2
        # Which client goes first alternates from round to round.
        for t in 1 2 4 8 16; do
            if [ $((r % 2)) = 1 ]; then pair=(abi_threads curl_threads); else pair=(curl_threads abi_threads); fi
            for prog in "${pair[@]}"; do
                "$OUT/$prog" "$MPORT" "$t" "$THREAD_TOTAL" 200 "$CA" | tee -a "$RESULTS" >&2
            done
        done
    done
fi

if want create; then
    RESULTS="$OUT/raw-create.txt"; : > "$RESULTS"
    echo "== create: $CLIENTS clients, pinned to CPU $CPU" >&2
    for r in 1 2 3; do
        run "$OUT/create_abi" "$TPORT" "$CLIENTS" "$CA" new
        run "$OUT/create_abi" "$TPORT" "$CLIENTS" "$CA" first-call
        run "$OUT/create_curl" "$TPORT" 200 "$CA"
    done
fi

for sec in ${PLUGINS//,/ }; do
    if want "$sec"; then
        RESULTS="$OUT/raw-$sec.txt"; : > "$RESULTS"
        echo "== $sec (benches/sections/$sec.sh)" >&2
        # shellcheck source=/dev/null
        source "benches/sections/$sec.sh"
    fi
done

$PY - "$OUT" "$ONLY" <<'PY'
import os, statistics, sys
out, only = sys.argv[1], sys.argv[2].split(",")
med = statistics.median

def lines(section):
    path = os.path.join(out, f"raw-{section}.txt")
    return open(path).read().splitlines() if os.path.exists(path) else []

def keepalive(section, floor_name):
    ls = lines(section)
    rows, order = {}, []
    for l in ls:
        if l.startswith("RESULT "):
            _, name, n, secs, rps, p50, p99 = l.split()
            if name not in rows:
                rows[name] = []; order.append(name)
            rows[name].append((float(rps), float(p50), float(p99)))
    if not rows:
        return []
    m = {k: tuple(med(x[i] for x in v) for i in range(3)) for k, v in rows.items()}
    def paired(a, b):
        r = sorted(x[1] / y[1] for x, y in zip(rows[a], rows[b]))
        return med(r), r[0], r[-1]
    floor, curl = m[floor_name][1], m["libcurl"][1]
    o = ["| client | req/s | p50 µs | p99 µs | p50 / floor | p50 / libcurl | p50 / libcurl, paired per round |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    for k in order:
        rps, p50, p99 = m[k]
        pm, lo, hi = paired(k, "libcurl")
        o.append(f"| {k} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {p50/floor:.2f}× | {p50/curl:.2f}× | {pm:.2f}× ({lo:.2f}–{hi:.2f}) |")
    o += ["", f"Medians of {len(rows[floor_name])} interleaved rounds; paired ratios: median (lowest–highest) over the rounds."]
    if "rust-api" in m and "c-abi" in m:
        pm, lo, hi = paired("c-abi", "rust-api")
        o.append(f"C-ABI over the Rust API (p50, paired per round): {100*(pm-1):+.1f} % (rounds: {100*(lo-1):+.1f} to {100*(hi-1):+.1f} %).")
    if "rust-via-c-abi" in m:
        pm, lo, hi = paired("rust-via-c-abi", "rust-api")
        o.append(f"C ABI layer alone (rust-via-c-abi over rust-api, p50 paired per round): {100*(pm-1):+.1f} % (rounds: {100*(lo-1):+.1f} to {100*(hi-1):+.1f} %).")
    instr = {}
    for l in ls:
        if l.startswith("INSTR "):
            _, name, n, total = l.split()
            if total:
                instr.setdefault(name, {})[int(n)] = int(total.replace(",", ""))
    per = {k: (v[3000] - v[1000]) / 2000 for k, v in instr.items() if len(v) == 2}
    if per:
        o.append("Instructions per call in the client process (callgrind): " + ", ".join(f"{k} {v:,.0f}" for k, v in per.items()) + ".")
        if "c-abi" in per and "libcurl" in per:
            o.append(f"In instructions: c-abi / libcurl {per['c-abi']/per['libcurl']:.2f}×.")
    login = [l.split() for l in ls if l.startswith("LOGIN ")]
    if len(login) == 2:
        lp, cp = login
        o.append(f"Login per call: {float(lp[4]):,.0f} req/s (p50 {lp[5]} µs) vs cached token {float(cp[4]):,.0f} req/s (p50 {cp[5]} µs): {float(cp[4])/float(lp[4]):.2f}× throughput with the cache.")
    rss = [l.split()[1:] for l in ls if l.startswith("RSS ")]
    if rss:
        o.append("Peak RSS through the C ABI: " + ", ".join(f"{int(c):,} calls → {int(k):,} KiB" for c, k in rss) + ".")
    return o

def cold():
    samples, rounds, order = {}, {}, []
    for l in lines("cold"):
        f = l.split()
        if f[0] == "SAMPLES":
            if f[1] not in samples:
                samples[f[1]] = []; order.append(f[1])
            samples[f[1]] += [float(x) for x in f[2:]]
        elif f[0] == "COLD":
            rounds.setdefault(f[1], []).append(float(f[3]))
    if not samples:
        return []
    m = {k: med(v) for k, v in samples.items()}
    def paired(a, b):
        r = sorted(x / y for x, y in zip(rounds[a], rounds[b]))
        return f"{med(r):.2f}× ({r[0]:.2f}–{r[-1]:.2f})"
    o = ["| program | runs | median ms | fastest ms | p90 ms | / libcurl C program | curl CLI / this |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    for k in order:
        v = sorted(samples[k])
        o.append(f"| {k} | {len(v)} | {m[k]:.2f} | {v[0]:.2f} | {v[len(v) * 9 // 10]:.2f} | {m[k]/m['libcurl']:.2f}× | {m['curl-cli']/m[k]:.1f}× |")
    o += ["", f"All runs of {len(rounds['libcurl'])} interleaved rounds. Paired per round (ratio of the round medians, median and range): "
          f"c-abi / libcurl C program {paired('c-abi', 'libcurl')}, curl CLI / c-abi {paired('curl-cli', 'c-abi')}"
          + (f", curl CLI / c-abi-os-roots {paired('curl-cli', 'c-abi-os-roots')}" if 'c-abi-os-roots' in rounds else "")
          + (f"; the tokenbridge command with a kept token: curl CLI pair / it {paired('curl-cli', 'tokenbridge-cli-cached')}, "
             f"it / one curl call with a known token {paired('tokenbridge-cli-cached', 'curl-cli-one-call')}"
             if 'tokenbridge-cli-cached' in rounds and 'curl-cli-one-call' in rounds else "") + "."]
    return o

def threads():
    rows = {}
    for l in lines("threads"):
        if l.startswith("THREADS "):
            _, name, t, n, rps, p50, p99 = l.split()
            rows.setdefault((int(t), name), []).append((float(rps), float(p50), float(p99)))
    if not rows:
        return []
    o = ["| threads | c-abi req/s | libcurl req/s | req/s ratio | c-abi p50 µs | libcurl p50 µs | c-abi p99 µs | libcurl p99 µs | p99 ratio |",
         "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for t in sorted({k[0] for k in rows}):
        a, c = rows.get((t, "c-abi")), rows.get((t, "libcurl"))
        if not a or not c:
            continue
        ma = [med(x[i] for x in a) for i in range(3)]
        mc = [med(x[i] for x in c) for i in range(3)]
        o.append(f"| {t} | {ma[0]:,.0f} | {mc[0]:,.0f} | {ma[0]/mc[0]:.2f}× | {ma[1]:.1f} | {mc[1]:.1f} | {ma[2]:.1f} | {mc[2]:.1f} | {ma[2]/mc[2]:.2f}× |")
    o += ["", f"Medians of {len(next(iter(rows.values())))} rounds; in each round every thread count ran both clients, which first alternating from round to round."]
    return o

def create():
    rows, order = {}, []
    for l in lines("create"):
        if l.startswith("CREATE "):
            _, name, n, first, p50, p99, kib = l.split()
            if name not in rows:
                rows[name] = []; order.append(name)
            rows[name].append((int(n), float(first), float(p50), float(p99), float(kib)))
    if not rows:
        return []
    o = ["| what | count | first µs | after the first: p50 µs | p99 µs | KiB each |", "|---|---:|---:|---:|---:|---:|"]
    for k in order:
        v = rows[k]
        o.append(f"| {k} | {v[0][0]} | {med(x[1] for x in v):,.0f} | {med(x[2] for x in v):,.1f} | {med(x[3] for x in v):,.1f} | {med(x[4] for x in v):.1f} |")
    o += ["", f"Medians of {len(rows[order[0]])} runs (each a new process)."]
    return o

sections = [("http", "Plain HTTP keep-alive, one CPU", lambda: keepalive("http", "raw-socket")),
            ("https", "HTTPS (TLS 1.3) keep-alive, one CPU", lambda: keepalive("https", "tls-floor")),
            ("cold", "Cold start: a new process until the first authenticated answer over HTTPS, login included", cold),
            ("threads", "Threads: one shared client vs one libcurl handle per thread, HTTPS, unpinned", threads),
            ("create", "Client creation, HTTPS with an extra CA file", create)]
import glob, importlib.util
sys.path.insert(0, "benches/sections")
for path in sorted(p for p in glob.glob("benches/sections/*.py") if not os.path.basename(p).startswith("_")):
    key = os.path.basename(path)[:-3]
    spec = importlib.util.spec_from_file_location(f"bench_section_{key}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sections.append((key, mod.TITLE, (lambda m, k: lambda: m.report(lines(k)))(mod, key)))
allout = []
for key, title, fn in sections:
    if key not in only:
        continue
    body = fn()
    if not body:
        continue
    text = f"### {title}\n\n" + "\n".join(body) + "\n"
    open(os.path.join(out, f"{key}.md"), "w").write(text)
    allout.append(text)
text = "\n".join(allout)
print(text)
open(os.path.join(out, "results.md"), "w").write(text)
PY
