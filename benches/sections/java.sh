# The Java section (sourced by scripts/bench.sh, nginx running): the AnnA AlertCounter
# call with a cached token through the Java binding (JNA over libtokenbridge.so), against
# java.net.http.HttpClient and OkHttp (Jackson writes the body and reads the answer for
# both), one JVM per client per round, pinned to CPU $CPU with nginx; then cold start
# (a new JVM until the first authenticated answer, login included) and a JVM that only
# prints, for scale. The program is benches/java/src/Bench.java; its jars come from
# Maven Central once (benches/java/pom.xml, into target/m2 and $OUT/java/lib).
java_section() {
    local jout=$OUT/java m2=$PWD/target/m2 need=()
    command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || need+=(maven)
    install_or_say "java (skipped)" "${need[@]}" || return 0
    mkdir -p "$jout"
    # The jars, once per pom.xml (offline afterwards: the stamp holds the pom's hash).
    local stamp
    stamp=$(sha256sum benches/java/pom.xml | cut -d' ' -f1)
    if [ "$(cat "$jout/lib.stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$jout/lib"
        mvn -B -ntp -q -Dstyle.color=never -Dmaven.repo.local="$m2" -f benches/java/pom.xml \
            dependency:copy-dependencies -DoutputDirectory="$PWD/$jout/lib" >&2
        echo "$stamp" > "$jout/lib.stamp"
    fi
    local cp
    cp=$(ls "$jout"/lib/*.jar | paste -sd: -)
    # The binding from its sources (as bindings/java builds its jar) and the benchmark.
    rm -rf "$jout/classes"
    mkdir -p "$jout/classes"
    javac -encoding UTF-8 -Xlint:all -Werror -d "$jout/classes" -cp "$cp" \
        $(find bindings/java/src/main/java -name '*.java') benches/java/src/Bench.java
    cp="$cp:$jout/classes"
    # The library as cargo built it (tokenbridge.library: no copy out of a jar).
    local jvm=(java -Dtokenbridge.library="$PWD/target/release/libtokenbridge.so" -Djna.tmpdir="$jout/jna" -cp "$cp" Bench)
    # Enough calls before the timed ones that C2 has compiled the hot path (its
    # threshold is about 10,000 invocations): BENCH_JAVA_WARM, 20,000 by default.
    local jwarm=${BENCH_JAVA_WARM:-20000}
    echo "== java: $ROUNDS rounds x $N requests (+$jwarm warm-up), one JVM per client per round, client and nginx on CPU $CPU ($(java -version 2>&1 | head -n 1))" >&2
    for r in $(seq 1 "$ROUNDS"); do
        echo "-- round $r" >&2
        for c in tokenbridge httpclient okhttp; do
            run "${jvm[@]}" keepalive "$c" "$TPORT" "$CA" "$N" "$jwarm"
        done
        # The same calls from C (the https section's client): what JNA and the binding add.
        run "$OUT/abi_client" "$TPORT" "$N" "$WARM" call "$CA"
    done
    # BENCH_JAVA_PROFILE=jfr: one more binding run under JFR (its Java-side samples; the
    # native call itself shows as jdk.NativeMethodSample) into $OUT/java/tokenbridge.jfr;
    # BENCH_JAVA_PROFILE=perf: the same run under perf record (cpu-clock, by shared
    # object: JIT code, JNA's dispatch, libtokenbridge, libc) into $OUT/java/tokenbridge.perf.
    local prof=(keepalive tokenbridge "$TPORT" "$CA" $((N * 4)) "$jwarm")
    case "${BENCH_JAVA_PROFILE:-}" in
        jfr) taskset -c "$CPU" java -XX:StartFlightRecording=filename="$jout/tokenbridge.jfr",settings=profile \
            "${jvm[@]:1}" "${prof[@]}" >&2 ;;
        perf) taskset -c "$CPU" perf record -q -e cpu-clock -F 4000 -o "$jout/tokenbridge.perf" -- \
            "${jvm[@]}" "${prof[@]}" >&2
            perf report -q -i "$jout/tokenbridge.perf" --sort dso --stdio 2>/dev/null | head -n 12 >&2 ;;
    esac
    local per=$(((COLD_RUNS + 2) / 3))
    echo "== java cold: 3 rounds x $per runs per client, pinned to CPU $CPU" >&2
    for r in 1 2 3; do
        echo "-- round $r" >&2
        for c in tokenbridge httpclient okhttp; do
            run "$OUT/cold_run" "java-$c" "$per" "${jvm[@]}" cold "$c" "$TPORT" "$CA"
        done
        run "$OUT/cold_run" java-empty "$per" "${jvm[@]}" empty
        run "$OUT/cold_run" c-abi "$per" "$PWD/$OUT/cold_abi" "$TPORT" "$CA"
    done
}
java_section
