#!/usr/bin/env bash
# The proxy test lab every language's tests use: a real TLS front and two real HTTP
# proxies on 127.0.0.1, in front of a running sandbox.
#
#   bash scripts/netlab.sh start DIR UPSTREAM_HOST:PORT   # e.g. the sandbox's host:port
#   source DIR/env                                        # the TB_LAB_* variables below
#   bash scripts/netlab.sh stop DIR
#   bash scripts/netlab.sh install                        # only install the packages
#
# `start` makes, all in DIR and on free ports of 127.0.0.1:
#   * a test CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost), openssl CLI;
#   * nginx (Debian's nginx-light) as a TLS front (TLS 1.2 and 1.3, keep-alive) passing
#     every path, the Host header and the body to http://UPSTREAM over kept-alive
#     upstream connections, its access log naming the TLS connection of each request;
#   * tinyproxy (Debian's) twice: open, and with `BasicAuth USER PASSWORD` (a password
#     made fresh for each run), each logging every client connection and CONNECT, and
#     tunnelling only to the TLS front's port and UPSTREAM's port;
#   * a watchdog that stops all of them when the process that ran `start` ends (or
#     after TB_LAB_MAX_SECONDS, default 3600), so a killed test leaves nothing behind.
# It checks the lab itself with curl (through both proxies, and what the
# authenticating one answers a wrong and a missing password), then writes DIR/env
# (`export NAME=value` lines). The logs then hold the lines of those checks: count
# what a test did from the size a log had before it.
#   TB_LAB_HTTPS_URL        https://127.0.0.1:PORT (the TLS front; UPSTREAM's paths)
#   TB_LAB_HTTPS_LOG        its access log: "CONNECTION_SERIAL REQUESTS_ON_IT TLS_VERSION
#                           \"REQUEST_LINE\" STATUS" per request
#   TB_LAB_HTTP_URL         http://UPSTREAM (the plain-http target)
#   TB_LAB_CA_FILE          the test CA (PEM) to trust for TB_LAB_HTTPS_URL
#   TB_LAB_PROXY            http://127.0.0.1:P1 (open proxy); TB_LAB_PROXY_LOG its log
#   TB_LAB_PROXY_AUTH       http://USER:PASSWORD@127.0.0.1:P2; TB_LAB_PROXY_AUTH_LOG
#   TB_LAB_PROXY_AUTH_URL   http://127.0.0.1:P2 (no credentials: the proxy says 407)
#   TB_LAB_PROXY_AUTH_BAD   http://USER:WRONG@127.0.0.1:P2
#   TB_LAB_PROXY_USER, TB_LAB_PROXY_PASSWORD, TB_LAB_PROXY_BAD_PASSWORD
#   TB_LAB_PROXY_AUTH_NONE_STATUS, TB_LAB_PROXY_AUTH_BAD_STATUS: the status the
#                           proxy answered a CONNECT without and with wrong credentials
#                           (measured with curl: tinyproxy 1.11 says 407 and 401)
# In tinyproxy's logs a client connection is a line with "Connect (file descriptor",
# a tunnel a line with "): CONNECT 127.0.0.1:PORT".
#
# Missing packages (tinyproxy nginx-light openssl curl python3) are installed with
# apt-get when root; otherwise it prints the sudo command and exits 1. Every wait is
# bounded (10 s). `stop` ends exactly the processes `start` wrote into DIR/*.pid.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=(tinyproxy nginx-light openssl curl python3)

die() {
    echo "netlab: $*" >&2
    exit 1
}

LAB_NAME=netlab
# shellcheck source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
tinyproxy_bin() { command -v tinyproxy 2>/dev/null || { [ -x /usr/sbin/tinyproxy ] && echo /usr/sbin/tinyproxy; } || true; }

install_packages() {
    local need=()
    [ -n "$(tinyproxy_bin)" ] || need+=(tinyproxy)
    [ -n "$(nginx_bin)" ] || need+=(nginx-light)
    command -v openssl >/dev/null || need+=(openssl)
    command -v curl >/dev/null || need+=(curl)
    command -v python3 >/dev/null || need+=(python3)
    # Installing tinyproxy may start Debian's own service on port 8888; the lab does
    # not use it.
    lab_apt_install "${need[@]}"
    [ -n "$(tinyproxy_bin)" ] && [ -n "$(nginx_bin)" ] || die "installed, but tinyproxy or nginx is still missing"
}

# Stops the processes named by DIR/*.pid.
stop_lab() { # dir
    local dir=$1 f pid pids=() i
    for f in "$dir"/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        rm -f "$f"
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        if ours "$pid" "$dir"; then
            kill "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    # They keep nothing worth a graceful end (the logs are written line by line), and
    # tinyproxy and nginx take 1-2 s to notice a SIGTERM: SIGKILL what is left after
    # 0.3 s.
    for i in $(seq 1 30); do
        local alive=0
        for pid in "${pids[@]}"; do ours "$pid" "$dir" && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.01
    done
    for pid in "${pids[@]}"; do
        if ours "$pid" "$dir"; then kill -9 "$pid" 2>/dev/null || true; fi
    done
    return 0
}

start_lab() { # dir upstream
    local dir=$1 upstream=$2
    [[ "$upstream" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || die "UPSTREAM must be HOST:PORT, got '$upstream'"
    install_packages
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop_lab "$dir" # a lab left in DIR by an earlier run
    local t0 ports tport p1 p2 user group puser ppass pbad
    t0=$(date +%s%N)
    read -r tport p1 p2 <<<"$(free_ports 3)"
    user=$(id -un)
    group=$(id -gn)
    puser="tb-lab-user-$(openssl rand -hex 3)"
    ppass="pw-$(openssl rand -hex 12)"
    pbad="wrong-$(openssl rand -hex 12)"
    local up_port=${upstream##*:}

    # ------------------------------------------------------------ certificates
    local ca=$dir/ca.pem
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -keyout "$dir/ca.key" -out "$ca" -subj "/CN=tokenbridge netlab CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
        die "openssl could not make the CA"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$ca" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null ||
        die "openssl could not sign the server certificate"

    # ------------------------------------------------------------ nginx, the TLS front
    mkdir -p "$dir/nginx"
    cat >"$dir/nginx.conf" <<CONF
# The lab's TLS front: one process as the user who started it (master_process off).
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 256; }
http {
    log_format lab '\$connection \$connection_requests \$ssl_protocol "\$request" \$status';
    access_log $dir/nginx-access.log lab;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    keepalive_timeout 60s;
    keepalive_requests 100000;
    client_max_body_size 8m;
    client_body_buffer_size 1m;
    # The sandbox closes connections idle for 30 s; nginx lets its own go first, so a
    # POST never meets an upstream connection closing under it.
    upstream sandbox {
        server $upstream;
        keepalive 8;
        keepalive_timeout 10s;
    }
    server {
        listen 127.0.0.1:$tport ssl;
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://sandbox;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_read_timeout 60s;
        }
    }
}
CONF
    local nginx tinyproxy
    nginx=$(nginx_bin)
    tinyproxy=$(tinyproxy_bin)
    "$nginx" -e "$dir/nginx-error.log" -p "$dir/nginx" -c "$dir/nginx.conf" \
        </dev/null >"$dir/nginx.out" 2>&1 &
    echo $! >"$dir/nginx.pid"

    # ------------------------------------------------------------ tinyproxy x2
    tinyproxy_conf() { # name port [basicauth]
        {
            # As root, tinyproxy switches to User/Group: the user who started the lab.
            if [ "$(id -u)" = 0 ]; then
                echo "User $user"
                echo "Group $group"
            fi
            cat <<CONF
Listen 127.0.0.1
Port $2
Timeout 120
LogFile "$dir/tinyproxy-$1.log"
LogLevel Connect
PidFile "$dir/tinyproxy-$1/tinyproxy.pid"
MaxClients 64
Allow 127.0.0.1
ConnectPort $tport
ConnectPort $up_port
CONF
            [ -n "${3:-}" ] && echo "BasicAuth $3"
        } >"$dir/tinyproxy-$1.conf"
        mkdir -p "$dir/tinyproxy-$1"
        "$tinyproxy" -d -c "$dir/tinyproxy-$1.conf" </dev/null >"$dir/tinyproxy-$1.out" 2>&1 &
        echo $! >"$dir/tinyproxy-$1.pid"
    }
    tinyproxy_conf open "$p1"
    tinyproxy_conf auth "$p2" "$puser $ppass"

    # ------------------------------------------------------------ watchdog
    local owner=${TB_LAB_OWNER_PID:-$PPID} max=${TB_LAB_MAX_SECONDS:-3600}
    (
        exec -a "netlab-watchdog $dir" bash -c '
            owner=$1 dir=$2 max=$3 script=$4
            end=$((SECONDS + max))
            while kill -0 "$owner" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1 & wait $!; done
            rm -f "$dir/watchdog.pid"
            exec bash "$script" stop "$dir"
        ' netlab-watchdog "$owner" "$dir" "$max" "$root/scripts/netlab.sh"
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watchdog.pid"

    # ------------------------------------------------------------ checks (≤ 10 s)
    local https=https://127.0.0.1:$tport probe=/__sandbox/stats i code
    fail() {
        echo "netlab: $*" >&2
        for f in nginx-error.log nginx.out tinyproxy-open.log tinyproxy-open.out tinyproxy-auth.log tinyproxy-auth.out; do
            [ -s "$dir/$f" ] && { echo "--- $f" >&2; tail -n 20 "$dir/$f" >&2; }
        done
        stop_lab "$dir"
        exit 1
    }
    wait_ok() { # what, curl arguments...
        local what=$1
        shift
        for i in $(seq 1 100); do
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$ca" "$@" "$https$probe" || true)
            [ "$code" = 200 ] && return 0
            sleep 0.1
        done
        fail "$what did not answer 200 within 10 s (last: $code)"
    }
    wait_ok "the TLS front $https (to $upstream)" --noproxy '*'
    wait_ok "the open proxy 127.0.0.1:$p1" --proxy "http://127.0.0.1:$p1"
    wait_ok "the authenticating proxy 127.0.0.1:$p2" --proxy "http://127.0.0.1:$p2" --proxy-user "$puser:$ppass"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --proxy "http://127.0.0.1:$p1" "http://$upstream$probe" || true)
    [ "$code" = 200 ] || fail "the open proxy did not reach http://$upstream (status $code)"
    # What the authenticating proxy answers a CONNECT without and with wrong credentials.
    local none_status bad_status
    none_status=$(curl -s -o /dev/null -w '%{http_connect}' --max-time 2 --cacert "$ca" \
        --proxy "http://127.0.0.1:$p2" "$https$probe" || true)
    bad_status=$(curl -s -o /dev/null -w '%{http_connect}' --max-time 2 --cacert "$ca" \
        --proxy "http://127.0.0.1:$p2" --proxy-user "$puser:$pbad" "$https$probe" || true)
    [[ "$none_status" =~ ^4[0-9][0-9]$ ]] || fail "a CONNECT without credentials got '$none_status', not a 4xx"
    [[ "$bad_status" =~ ^4[0-9][0-9]$ ]] || fail "a CONNECT with a wrong password got '$bad_status', not a 4xx"
    # The logs are not emptied: tinyproxy keeps writing at its own offset after a
    # truncation (the file then starts with NUL bytes). Tests count from a mark.

    # ------------------------------------------------------------ env
    {
        printf 'export %s=%q\n' \
            TB_LAB_DIR "$dir" \
            TB_LAB_CA_FILE "$ca" \
            TB_LAB_HTTPS_URL "$https" \
            TB_LAB_HTTPS_LOG "$dir/nginx-access.log" \
            TB_LAB_HTTP_URL "http://$upstream" \
            TB_LAB_PROXY "http://127.0.0.1:$p1" \
            TB_LAB_PROXY_LOG "$dir/tinyproxy-open.log" \
            TB_LAB_PROXY_AUTH "http://$puser:$ppass@127.0.0.1:$p2" \
            TB_LAB_PROXY_AUTH_URL "http://127.0.0.1:$p2" \
            TB_LAB_PROXY_AUTH_BAD "http://$puser:$pbad@127.0.0.1:$p2" \
            TB_LAB_PROXY_AUTH_LOG "$dir/tinyproxy-auth.log" \
            TB_LAB_PROXY_USER "$puser" \
            TB_LAB_PROXY_PASSWORD "$ppass" \
            TB_LAB_PROXY_BAD_PASSWORD "$pbad" \
            TB_LAB_PROXY_AUTH_NONE_STATUS "$none_status" \
            TB_LAB_PROXY_AUTH_BAD_STATUS "$bad_status"
    } >"$dir/env.tmp"
    mv "$dir/env.tmp" "$dir/env"
    echo "netlab: up in $((($(date +%s%N) - t0) / 1000000)) ms: TLS front $https -> $upstream," \
        "proxies 127.0.0.1:$p1 (open), 127.0.0.1:$p2 (Basic; no credentials: $none_status," \
        "wrong password: $bad_status); env in $dir/env" >&2
}

case "${1:-}" in
start)
    [ $# -eq 3 ] || die "usage: netlab.sh start DIR UPSTREAM_HOST:PORT"
    start_lab "$2" "$3"
    ;;
stop)
    [ $# -eq 2 ] || die "usage: netlab.sh stop DIR"
    [ -d "$2" ] || exit 0
    stop_lab "$(cd "$2" && pwd)"
    ;;
install)
    install_packages
    ;;
*)
    die "usage: netlab.sh start DIR UPSTREAM_HOST:PORT | stop DIR | install"
    ;;
esac
