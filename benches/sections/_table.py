"""Tables shared by the benchmark sections in benches/sections/ (imported by their
NAME.py as `from _table import keepalive_table, cold_table`).

Input lines are what the clients print (benches/c/stats.h and benches/c/cold_run.c):
  RESULT <name> <requests> <seconds> <req/s> <p50 µs> <p99 µs>   one per client per round
  COLD <name> <runs> <p50 ms> <min ms> <p90 ms>, SAMPLES <name> <ms>...   per round
Rounds are interleaved, so the i-th RESULT of two clients come from the same round and
their ratio is paired."""
import statistics

med = statistics.median


def _results(lines):
    rows, order = {}, []
    for l in lines:
        if l.startswith("RESULT "):
            _, name, _n, _secs, rps, p50, p99 = l.split()
            if name not in rows:
                rows[name] = []
                order.append(name)
            rows[name].append((float(rps), float(p50), float(p99)))
    return rows, order


def paired(a, b):
    """Median (lowest–highest) over the rounds of a[i] / b[i]."""
    r = sorted(x / y for x, y in zip(a, b))
    return med(r), r[0], r[-1]


def keepalive_table(lines, baselines):
    """Markdown lines: req/s, p50, p99 per client, and p50 over each baseline client,
    paired per round. `baselines` names clients present in the lines."""
    rows, order = _results(lines)
    if not rows:
        return []
    m = {k: tuple(med(x[i] for x in v) for i in range(3)) for k, v in rows.items()}
    base = [b for b in baselines if b in rows]
    head = "| client | req/s | p50 µs | p99 µs |" + "".join(f" p50 / {b}, paired |" for b in base)
    o = [head, "|---|---:|---:|---:|" + "---:|" * len(base)]
    for k in order:
        rps, p50, p99 = m[k]
        cells = []
        for b in base:
            pm, lo, hi = paired([x[1] for x in rows[k]], [x[1] for x in rows[b]])
            cells.append(f" {pm:.2f}× ({lo:.2f}–{hi:.2f}) |")
        o.append(f"| {k} | {rps:,.0f} | {p50:.1f} | {p99:.1f} |" + "".join(cells))
    n = len(rows[order[0]])
    o += ["", f"Medians of {n} interleaved rounds; paired ratios: median (lowest–highest) of the per-round p50 ratios."]
    return o


def cold_table(lines, baseline):
    """Markdown lines for cold-start runs: median/fastest/p90 ms per program, and the
    baseline's time over each program's, paired per round (>1 means faster)."""
    samples, rounds, order = {}, {}, []
    for l in lines:
        f = l.split()
        if not f:
            continue
        if f[0] == "SAMPLES":
            if f[1] not in samples:
                samples[f[1]] = []
                order.append(f[1])
            samples[f[1]] += [float(x) for x in f[2:]]
        elif f[0] == "COLD":
            rounds.setdefault(f[1], []).append(float(f[3]))
    if not samples:
        return []
    o = ["| program | runs | median ms | fastest ms | p90 ms | " + baseline + " / this, paired |",
         "|---|---:|---:|---:|---:|---:|"]
    for k in order:
        v = sorted(samples[k])
        cell = "–"
        if baseline in rounds:
            pm, lo, hi = paired(rounds[baseline], rounds[k])
            cell = f"{pm:.1f}× ({lo:.1f}–{hi:.1f})"
        o.append(f"| {k} | {len(v)} | {med(v):.2f} | {v[0]:.2f} | {v[len(v) * 9 // 10]:.2f} | {cell} |")
    o += ["", f"All runs of {len(rounds.get(order[0], []))} interleaved rounds; the ratio pairs the round medians."]
    return o


def instructions_per_call(lines):
    """{client: instructions per call} from the INSTR lines of bench.sh's `count`
    (runs of 1,000 and 3,000 calls: the difference / 2,000 leaves out start-up)."""
    instr = {}
    for l in lines:
        f = l.split()
        if len(f) == 4 and f[0] == "INSTR" and f[3]:
            instr.setdefault(f[1], {})[int(f[2])] = int(f[3].replace(",", ""))
    return {k: (v[3000] - v[1000]) / 2000 for k, v in instr.items() if 1000 in v and 3000 in v}
