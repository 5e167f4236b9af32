"""The Java section's tables (benches/sections/java.sh)."""
from _table import cold_table, keepalive_table

TITLE = "Java: the binding against java.net.http.HttpClient and OkHttp"


def report(lines):
    o = ["Keep-alive, cached token, TLS 1.3, client JVM and nginx on one CPU (benches/java/src/Bench.java):", ""]
    o += keepalive_table(lines, ["java-httpclient", "java-okhttp"])
    o += ["", "Cold start: a new JVM until the first authenticated answer, login included "
          "(java-empty: a JVM that prints and exits; c-abi: the C program, for scale):", ""]
    o += cold_table(lines, "java-httpclient")
    return o
