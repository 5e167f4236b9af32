#!/usr/bin/env bash
# The Redis lab of the token store's tests: Debian's redis-server on 127.0.0.1, with
# an ACL user and password (the default user off) on a plain port and on a TLS port
# whose certificate a test CA signs.
#
#   bash scripts/redislab.sh start DIR     # writes DIR/env (source it)
#   bash scripts/redislab.sh down DIR      # stops the server only (a store outage)
#   bash scripts/redislab.sh up DIR        # starts it again on the same ports
#   bash scripts/redislab.sh stop DIR      # stops the server and the watchdog
#   bash scripts/redislab.sh install       # only install the packages
#
# DIR/env exports:
#   TB_REDIS_URL       redis://USER:PASSWORD@127.0.0.1:PORT/0
#   TB_REDIS_TLS_URL   rediss://USER:PASSWORD@127.0.0.1:TLS_PORT/0
#   TB_REDIS_CA_FILE   the test CA (PEM) that signed the TLS port's certificate
#   TB_REDIS_USER, TB_REDIS_PASSWORD (fresh for each run)
# Nothing is persisted (no RDB, no AOF): a restart empties the store, as an outage
# of a cache may. Missing packages (redis-server openssl python3) are installed with
# apt-get when root; otherwise it prints the sudo command and exits 1. A watchdog
# stops the server when the process that ran `start` ends (TB_LAB_OWNER_PID, else
# the parent) or after TB_LAB_MAX_SECONDS (default 3600). Every wait is bounded.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
    echo "redislab: $*" >&2
    exit 1
}

LAB_NAME=redislab
# shellcheck source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

redis_bin() { command -v redis-server 2>/dev/null || { [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server; } || true; }

install_packages() {
    local need=()
    [ -n "$(redis_bin)" ] || need+=(redis-server)
    command -v openssl >/dev/null || need+=(openssl)
    command -v python3 >/dev/null || need+=(python3)
    lab_apt_install "${need[@]}"
    [ -n "$(redis_bin)" ] || die "installed, but redis-server is still missing"
}

stop_pid() { # pidfile dir
    local f=$1 dir=$2 pid i
    [ -f "$f" ] || return 0
    pid=$(cat "$f" 2>/dev/null || true)
    rm -f "$f"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    ours "$pid" "$dir" || return 0
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        ours "$pid" "$dir" || return 0
        sleep 0.02
    done
    kill -9 "$pid" 2>/dev/null || true
}

# Starts redis-server with DIR/redis.conf and waits (5 s at most) for its ports.
up() { # dir
    local dir=$1 port tport i
    port=$(sed -n 's/^port //p' "$dir/redis.conf")
    tport=$(sed -n 's/^tls-port //p' "$dir/redis.conf")
    "$(redis_bin)" "$dir/redis.conf" >>"$dir/redis.out" 2>&1 </dev/null &
    echo $! >"$dir/redis.pid"
    for i in $(seq 1 250); do
        if python3 - "$port" "$tport" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
for p in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(p)), timeout=0.2).close()
PY
        sleep 0.02
    done
    tail -n 20 "$dir/redis.out" >&2 || true
    die "redis-server did not open its ports within 5 s"
}

start_lab() { # dir
    local dir=$1 port tport user pass
    install_packages
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop_lab "$dir"
    read -r port tport <<<"$(free_ports 2)"
    user="tb-lab-$(openssl rand -hex 3)"
    pass="pw-$(openssl rand -hex 16)"
    local ca=$dir/ca.pem
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -keyout "$dir/ca.key" -out "$ca" -subj "/CN=tokenbridge redislab CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
        die "openssl could not make the CA"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$ca" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null ||
        die "openssl could not sign the server certificate"
    chmod 600 "$dir/server.key" "$dir/ca.key"
    umask 077
    cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
protected-mode yes
port $port
tls-port $tport
tls-cert-file $dir/server.pem
tls-key-file $dir/server.key
tls-ca-cert-file $ca
tls-auth-clients no
daemonize no
dir $dir
save ""
appendonly no
logfile ""
user default off
user $user on >$pass ~* &* +@all
CONF
    up "$dir"
    local owner=${TB_LAB_OWNER_PID:-$PPID} max=${TB_LAB_MAX_SECONDS:-3600}
    (
        exec -a "redislab-watchdog $dir" bash -c '
            owner=$1 dir=$2 max=$3 script=$4
            end=$((SECONDS + max))
            while kill -0 "$owner" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1 & wait $!; done
            rm -f "$dir/watchdog.pid"
            exec bash "$script" stop "$dir"
        ' redislab-watchdog "$owner" "$dir" "$max" "$root/scripts/redislab.sh"
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/watchdog.pid"
    cat >"$dir/env" <<ENV
export TB_REDIS_URL=redis://$user:$pass@127.0.0.1:$port/0
export TB_REDIS_TLS_URL=rediss://$user:$pass@127.0.0.1:$tport/0
export TB_REDIS_CA_FILE=$ca
export TB_REDIS_USER=$user
export TB_REDIS_PASSWORD=$pass
ENV
}

stop_lab() { # dir
    local dir=$1
    stop_pid "$dir/watchdog.pid" "$dir"
    stop_pid "$dir/redis.pid" "$dir"
}

case "${1:-}" in
install) install_packages ;;
start) [ $# -eq 2 ] || die "usage: redislab.sh start DIR"; start_lab "$2" ;;
down) [ $# -eq 2 ] || die "usage: redislab.sh down DIR"; d=$(cd "$2" && pwd); stop_pid "$d/redis.pid" "$d" ;;
up) [ $# -eq 2 ] || die "usage: redislab.sh up DIR"; d=$(cd "$2" && pwd); up "$d" ;;
stop) [ $# -eq 2 ] || die "usage: redislab.sh stop DIR"; [ -d "$2" ] && stop_lab "$(cd "$2" && pwd)" ;;
*) die "usage: redislab.sh install | start DIR | down DIR | up DIR | stop DIR" ;;
esac
