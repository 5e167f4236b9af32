"""The table of benches/sections/python.sh: the Python binding against requests and
httpx, keep-alive and cold start."""
from _table import cold_table, keepalive_table

TITLE = "Python: the binding against requests and httpx, HTTPS (TLS 1.3)"


def report(lines):
    keep = keepalive_table(lines, ["python-requests", "python-httpx", "python-httpx-async"])
    cold = cold_table(lines, "python-requests")
    out = []
    if keep:
        out += ["Keep-alive, AlertCounter with a cached token, one CPU (c-abi: the same calls "
                "from C, for scale):", ""] + keep + [""]
    if cold:
        out += ["Cold start, a new process until the first authenticated answer, login included:", ""] + cold
    return out
