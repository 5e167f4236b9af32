"""The C# section's tables (benches/sections/csharp.sh)."""
from _table import cold_table, keepalive_table

TITLE = "C#: the binding vs System.Net.Http.HttpClient (.NET 8; the binding on Mono too)"


def report(lines):
    o = ["Keep-alive, cached token, one process per client per round (sync: the binding's "
         "GetMessengerAlertCounter vs HttpClient.Send; async: GetMessengerAlertCounterAsync "
         "vs SendAsync, awaited; c-abi is the C ABI called from C, the floor under the binding):", ""]
    o += keepalive_table(lines, ["httpclient-send", "httpclient-sendasync", "c-abi"])
    o += ["", "Cold start, new process → first authenticated answer (login included); "
          "empty-* is a program that returns at once:", ""]
    o += cold_table(lines, "httpclient-dotnet")
    return o
