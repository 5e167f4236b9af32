# What the test labs (scripts/netlab.sh, scripts/redislab.sh) share; sourced, with
# LAB_NAME set to the lab's name for its messages.

# Installs the Debian packages named (the ones found missing): with apt-get as root,
# waiting a bounded time for another apt-get's lock; otherwise prints the sudo
# command and exits 1.
lab_apt_install() { # package...
    [ $# -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "$LAB_NAME: missing packages; install them with: sudo apt-get install -y $*" >&2
        exit 1
    fi
    echo "$LAB_NAME: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq >/dev/null || {
        echo "$LAB_NAME: apt-get update failed; run: sudo apt-get install -y $*" >&2
        exit 1
    }
    timeout 300 apt-get -o DPkg::Lock::Timeout=120 install -y -qq "$@" >/dev/null || {
        echo "$LAB_NAME: apt-get install failed; run: sudo apt-get install -y $*" >&2
        exit 1
    }
}

# Free ports on 127.0.0.1, all bound at once so that they differ.
free_ports() { # count
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# Whether PID runs something of the lab in DIR (a PID the system reused for something
# else is left alone): its command line names DIR, or (redis-server rewrites its
# command line) it runs in DIR.
ours() { # pid dir
    { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$2" ||
        [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$2" ]
}
