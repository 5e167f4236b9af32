# shellcheck shell=bash
# C# section (sourced by scripts/bench.sh): the C# binding (bindings/csharp) against what a
# .NET user writes without it, System.Net.Http.HttpClient, on .NET 8 (the runtime from PyPI
# that bindings/csharp/run-tests.sh uses, through bindings/csharp/dotnet.sh) and, for the
# binding, on Mono too. Programs in benches/csharp/, built with Mono's mcs into $OUT/csharp/.
#   keep-alive: per round, one process per client: the binding's GetMessengerAlertCounter
#     (and its Async form) with a cached token against HttpClient.Send (and SendAsync),
#     with the C ABI called from C (abi_client) as the floor under the binding.
#   cold start: new process → first authenticated answer, login included, and an empty
#     program on each runtime for scale.
cs_need=()
command -v mcs >/dev/null 2>&1 || cs_need+=(mono-mcs)
command -v mono >/dev/null 2>&1 || cs_need+=(mono-runtime)
install_or_say "csharp (skipped)" "${cs_need[@]}" || return 0
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
# shellcheck source=../../bindings/csharp/dotnet.sh
source bindings/csharp/dotnet.sh # sets $dotnet (installs the runtime from PyPI when missing)
cs=$OUT/csharp
mkdir -p "$cs"
cs_flags=(-langversion:7 -warn:4 -warnaserror+ -nologo)
mapfile -t cs_sources < <(find bindings/csharp/src -name '*.cs' | LC_ALL=C sort)
mcs "${cs_flags[@]}" -target:library -out:"$cs/TokenBridge.dll" "${cs_sources[@]}"
mcs "${cs_flags[@]}" -r:"$cs/TokenBridge.dll" -out:"$cs/TokenBridgeBench.exe" benches/csharp/TokenBridgeBench.cs benches/csharp/Stats.cs
mcs "${cs_flags[@]}" -out:"$cs/Empty.exe" benches/csharp/Empty.cs
# HttpClientBench uses .NET 8 APIs (HttpClient.Send, SocketsHttpHandler, System.Text.Json):
# compiled against the runtime's own assemblies, it runs on .NET 8 only.
cs_fx=$(dirname "$dotnet")/shared/Microsoft.NETCore.App
cs_fx=$cs_fx/$(ls "$cs_fx" | grep '^8\.' | sort -V | tail -n 1)
cs_refs=()
for a in System.Private.CoreLib System.Runtime System.Net.Http System.Net.Primitives System.Net.Security \
    System.Security.Cryptography System.Text.Json System.Console System.Collections \
    System.Collections.NonGeneric System.Private.Uri System.Memory System.Runtime.Extensions System.Threading.Tasks; do
    cs_refs+=(-r:"$cs_fx/$a.dll")
done
mcs "${cs_flags[@]}" -nostdlib -noconfig -nowarn:1702 "${cs_refs[@]}" -out:"$cs/HttpClientBench.exe" \
    benches/csharp/HttpClientBench.cs benches/csharp/Stats.cs
dotnet_runtimeconfig "$cs" TokenBridgeBench HttpClientBench Empty
# The binding finds libtokenbridge.so the way run-tests.sh lets it: LD_LIBRARY_PATH.
cs_env=(env LD_LIBRARY_PATH="$PWD/target/release")
cs_tb=("${cs_env[@]}" "$dotnet" "$PWD/$cs/TokenBridgeBench.exe")
cs_http=("${cs_env[@]}" "$dotnet" "$PWD/$cs/HttpClientBench.exe")
cs_mono=("${cs_env[@]}" mono "$PWD/$cs/TokenBridgeBench.exe")
echo "== csharp: $ROUNDS rounds x $N requests (+$WARM warm-up, at least 0.5 s), TLS 1.3, client and nginx on CPU $CPU" >&2
for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r" >&2
    # The C ABI called from C (the https section's client): the floor under the binding.
    run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA"
    run "${cs_tb[@]}" "$TPORT" "$N" "$WARM" "$CA" sync tokenbridge-dotnet
    run "${cs_http[@]}" "$TPORT" "$N" "$WARM" "$CA" sync httpclient-send
    run "${cs_tb[@]}" "$TPORT" "$N" "$WARM" "$CA" async tokenbridge-dotnet-async
    run "${cs_http[@]}" "$TPORT" "$N" "$WARM" "$CA" async httpclient-sendasync
    run "${cs_mono[@]}" "$TPORT" "$N" "$WARM" "$CA" sync tokenbridge-mono
done
cs_per=$(( (${COLD_RUNS:-60} + 2) / 3 ))
echo "== csharp cold start: 3 rounds x $cs_per runs per program, pinned to CPU $CPU" >&2
for r in 1 2 3; do
    echo "-- round $r" >&2
    run "$OUT/cold_run" tokenbridge-dotnet "$cs_per" "${cs_tb[@]}" "$TPORT" 0 0 "$CA" cold -
    run "$OUT/cold_run" httpclient-dotnet "$cs_per" "${cs_http[@]}" "$TPORT" 0 0 "$CA" cold -
    run "$OUT/cold_run" empty-dotnet "$cs_per" "$dotnet" "$PWD/$cs/Empty.exe"
    run "$OUT/cold_run" tokenbridge-mono "$cs_per" "${cs_mono[@]}" "$TPORT" 0 0 "$CA" cold -
    run "$OUT/cold_run" empty-mono "$cs_per" mono "$PWD/$cs/Empty.exe"
done
