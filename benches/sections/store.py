"""Tables of the store section (benches/sections/store.sh)."""
from _table import instructions_per_call, keepalive_table

TITLE = "Token store: the hot path with a store, and a fleet of processes sharing one token"


def report(lines):
    o = keepalive_table(lines, ["c-abi"])
    per = instructions_per_call(lines)
    if per:
        o.append("Instructions per call in the client process (callgrind; runs of 1,000 and 3,000 calls, so the "
                 "login and the store's first read are left out): " + ", ".join(f"{k} {v:,.0f}" for k, v in per.items()) + ".")
    fleet = [l.split() for l in lines if l.startswith("FLEET ")]
    if fleet:
        o += ["", "| store | processes | seconds | token lifetime s | logins | refreshes | logins + refreshes per lifetime | calls | failed |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for _, name, procs, secs, life, logins, refreshes, calls, failed in fleet:
            per = (int(logins) + int(refreshes)) / (int(secs) / int(life))
            o.append(f"| {name} | {procs} | {secs} | {life} | {logins} | {refreshes} | {per:.1f} | {int(calls):,} | {failed} |")
        o += ["", "The issue's bound: logins + refreshes ≤ seconds / lifetime + 1 for the whole fleet with a store; "
              "without one each process logs in on its own."]
    return o
