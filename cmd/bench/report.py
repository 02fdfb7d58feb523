"""Prints make bench's table from the raw results bench/run.sh leaves in .bench/.

usage: python3 bench/report.py OUT_DIR DURATION_SECONDS

Reads k6-<loop>-<users>-<vus>.json (k6 handleSummary), pgbench-<script>-<clients>.txt,
top-<run>.txt and conns-<run>.txt; prints the table and writes OUT_DIR/results.json.
Targets (the issue's): p99 <= 10 ms for create and list at 16 VUs; at 64 VUs create and
list reach at least half of pgbench's TPS for the same statement; no errors anywhere.
Always exits 0: the table is a report, and FAIL is printed in it.
"""

import glob
import json
import os
import re
import sys

P99_TARGET_MS = 10.0
RATIO_TARGET = 0.5
POOL = 8  # shared/postgres/open.go: defaultMaxConns
LISTENERS = 2  # connections the app holds beside its pool: live streams' LISTEN (changes.go) and the relay's (relay.go)
PGBENCH_FOR = {"create": "insert", "list": "select"}

# Readable names of the connection states that matter here.
STATE_NAMES = {
    "Lock:object:pg_database:0": "NOTIFY-queue lock",  # every commit that issued NOTIFY takes it, one at a time
    "Lock:transactionid": "row lock",  # waiting for another transaction's row lock
    "Client:ClientRead (idle in transaction)": "app, in tx",  # the database waits for the app mid-transaction
    "Client:ClientRead (idle)": "app, idle",  # a pooled connection nobody is using
    "CPU (active)": "running",
}


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def pgbench(out):
    res = {}
    for path in sorted(glob.glob(os.path.join(out, "pgbench-*.txt"))):
        script, clients = re.match(r"pgbench-(.+)-(\d+)\.txt$", os.path.basename(path)).groups()
        text = read(path)
        tps = re.search(r"^tps = ([\d.]+)", text, re.M)
        lat = re.search(r"^latency average = ([\d.]+) ms", text, re.M)
        failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
        done = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
        lats = latencies(out, f"pgbench-{script}-{clients}")
        res[(script, int(clients))] = {
            "tps": float(tps.group(1)) if tps else None,
            "latency_ms": float(lat.group(1)) if lat else None,
            "p50_ms": percentile(lats, 50),
            "p99_ms": percentile(lats, 99),
            "failed": int(failed.group(1)) if failed else (0 if done else None),
            "transactions": int(done.group(1)) if done else None,
        }
    return res


def latencies(out, run):
    """The latencies (ms) of run's transactions, from pgbench's per-transaction logs (-l):
    "client transaction latency_us script epoch_s epoch_us"; a failed one has no number."""
    lats = []
    for path in glob.glob(os.path.join(out, f"{run}-log.*")):
        for line in read(path).splitlines():
            f = line.split()
            if len(f) >= 3 and f[2].isdigit():
                lats.append(int(f[2]) / 1000)
    return sorted(lats)


def percentile(values, q):
    """The q-th percentile of sorted values (nearest rank), or None when there are none."""
    if not values:
        return None
    return values[min(len(values) - 1, max(0, -(-len(values) * q // 100) - 1))]


def classify(cmd):
    """The kind of process a top -c command line belongs to."""
    if cmd.startswith("postgres: autovacuum"):
        return "autovacuum"
    if cmd.startswith("postgres"):
        return "postgres"
    first = os.path.basename(cmd.split()[0]) if cmd.split() else ""
    return first if first in ("taskwire", "k6", "pgbench") else "other"


def top(out, run):
    """CPU % (of one core) by kind of process in the second frame of top, and the machine's idle %."""
    text = read(os.path.join(out, f"top-{run}.txt"))
    frames = re.split(r"^top - ", text, flags=re.M)
    if len(frames) < 3:
        return None
    frame = frames[-1]
    idle = re.search(r"%Cpu\(s\):.*?([\d.]+)\s*id", frame)
    cpu, header = {}, None
    for line in frame.splitlines():
        cols = line.split(None, len(header) - 1) if header else line.split()
        if not cols:
            continue
        if cols[0] == "PID":
            header = cols
            continue
        if header and len(cols) == len(header):
            try:
                pct = float(cols[header.index("%CPU")].replace(",", "."))
            except ValueError:
                continue
            kind = classify(cols[-1])
            cpu[kind] = cpu.get(kind, 0.0) + pct
    return {"idle_pct": float(idle.group(1)) if idle else None, "by_command": cpu}


def waits(out, run):
    """Peak client connections to the bench database, and the mean number in each state."""
    samples, peak, cur, totals = 0, 0, 0, {}
    for line in read(os.path.join(out, f"waits-{run}.txt")).splitlines():
        parts = line.split(" ")
        if len(parts) < 3 or parts[0] != "sample":
            continue
        if parts[1] == "end":
            samples += 1
            peak, cur = max(peak, cur), 0
            continue
        label, n = " ".join(parts[1:-1]), int(parts[-1])
        for raw, name in STATE_NAMES.items():
            label = label.replace(raw, name)
        cur += n
        totals[label] = totals.get(label, 0) + n
    if not samples:
        return None, {}
    return peak, {k: v / samples for k, v in totals.items()}


def k6(out, duration):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, "k6-*.json"))):
        loop, users, vus = re.match(r"k6-(\w+)-(\w+)-(\d+)\.json$", os.path.basename(path)).groups()
        metrics = json.loads(read(path)).get("metrics", {})
        ops = ["create", "list", "get", "patch", "all"] if loop == "mix" else [loop]
        rows = []
        for op in ops:
            sel = "scenario:measure" if op == "all" else f"op:{op},scenario:measure"
            dur = metrics.get(f"http_req_duration{{{sel}}}", {}).get("values", {})
            count = metrics.get(f"http_reqs{{{sel}}}", {}).get("values", {}).get("count", 0)
            failed = metrics.get(f"http_req_failed{{{sel}}}", {}).get("values", {}).get("passes", 0)
            checks = metrics.get(f"op_errors{{{sel}}}", {}).get("values", {}).get("count", 0)
            rows.append({
                "op": op, "loop": "mix" if loop == "mix" else "solo", "users": users, "vus": int(vus),
                "count": count, "rps": count / duration,
                "p50": dur.get("med"), "p95": dur.get("p(95)"), "p99": dur.get("p(99)"),
                "errors": max(failed, checks) if count else None,
            })
        runs.append({"name": f"{loop}-{users}-{vus}", "rows": rows})
    order = {"mix": 0, "solo": 1}
    runs.sort(key=lambda r: (order[r["rows"][0]["loop"]], r["rows"][0]["vus"], r["rows"][0]["op"], r["rows"][0]["users"]))
    return runs


TX_FOR = {"create": "create_tx", "list": "list_tx"}


def bound(pg, row):
    """What pgbench's p99 for the app's own transaction says about row's p99 target: when
    the database alone, with no HTTP and no Go, misses it, no server can meet it here."""
    tx = TX_FOR.get(row["op"])
    p99 = pg.get((tx, row["vus"]), {}).get("p99_ms")
    if p99 is None:
        return ""
    verdict = "the database alone misses it" if p99 > P99_TARGET_MS else "the database alone meets it"
    return f" (pgbench's {tx} at {row['vus']} clients: p99 {p99:.2f} ms; {verdict})"


def judge(row, pg):
    """Sets pgbench TPS, ratio and the verdicts of the targets that apply to row."""
    checks = []
    script = PGBENCH_FOR.get(row["op"])
    row["pgbench_tps"] = row["ratio"] = None
    if script and (script, row["vus"]) in pg and pg[(script, row["vus"])]["tps"]:
        row["pgbench_tps"] = pg[(script, row["vus"])]["tps"]
        row["ratio"] = row["rps"] / row["pgbench_tps"]
    if script and row["vus"] == 16:
        checks.append(("p99", row["p99"] is not None and row["p99"] <= P99_TARGET_MS))
    if script and row["vus"] == 64:
        checks.append(("ratio", row["ratio"] is not None and row["ratio"] >= RATIO_TARGET))
    checks.append(("errors", row["errors"] == 0))
    row["failed_targets"] = [name for name, ok in checks if not ok]
    row["target"] = "PASS" if not row["failed_targets"] else "FAIL " + ",".join(row["failed_targets"])


NOISY_PCT = 30.0  # CPU % of a core used mid-run by processes outside the benchmark


def noisy(out, run):
    """The CPU % other processes used in the middle of run, when it is enough to skew it."""
    t = top(out, run)
    other = t["by_command"].get("other", 0.0) if t else 0.0
    return other if other > NOISY_PCT else None


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def main():
    out, duration = sys.argv[1], float(sys.argv[2])
    pg = pgbench(out)
    runs = k6(out, duration)
    max_conn = read(os.path.join(out, "max_connections.txt")).strip() or "?"
    lines = []
    p = lines.append

    p("")
    p(f"Taskwire load benchmark: {duration:g} s per run after a warm-up; k6, pgbench and PostgreSQL share this machine ({os.cpu_count()} cores).")
    p("mix = each VU loops create, list 50, get, patch (one op's req/s is a quarter of the loop's);")
    p("solo = the VUs run that op alone, as pgbench runs its statement alone. users: one = all VUs as one user,")
    p("spread = each iteration as a random one of the spread users. ratio = req/s / pgbench TPS at as many clients.")
    p("")
    head = f"{'op':<7} {'loop':<5} {'users':<7} {'VUs':>4} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'pgbench TPS':>11} {'ratio':>6}  target"
    p(head)
    p("-" * len(head))
    fails, noisy_runs = [], set()
    for run in runs:
        if noisy(out, "k6-" + run["name"]):
            noisy_runs.add("k6 " + run["name"])
        for row in run["rows"]:
            judge(row, pg)
            script = PGBENCH_FOR.get(row["op"])
            if script and row["pgbench_tps"] and noisy(out, f"pgbench-{script}-{row['vus']}"):
                noisy_runs.add(f"pgbench {script}-{row['vus']}")
                row["target"] += " *"
            if "k6 " + run["name"] in noisy_runs and not row["target"].endswith("*"):
                row["target"] += " *"
            p(f"{row['op']:<7} {row['loop']:<5} {row['users']:<7} {row['vus']:>4} {row['rps']:>8.1f} "
              f"{fmt(row['p50'], '7.2f'):>7} {fmt(row['p95'], '7.2f'):>7} {fmt(row['p99'], '7.2f'):>7} "
              f"{fmt(row['errors'], 'd', 'n/a'):>6} {fmt(row['pgbench_tps'], '11.0f'):>11} {fmt(row['ratio'], '6.2f'):>6}  {row['target']}")
            for name in row["failed_targets"]:
                fails.append((row, name))
        p("")
    if not runs:
        p("(no k6 results: see .bench/k6-*.log)")
    p("targets: p99 <= 10 ms for create and list at 16 VUs; ratio >= 0.5 for create and list at 64 VUs; 0 errors everywhere")
    if noisy_runs:
        p(f"* measured while processes outside the benchmark used more than {NOISY_PCT:g} % of a core ({', '.join(sorted(noisy_runs))}):")
        p("  those numbers are low; rerun when the machine is quiet.")
    busy = read(os.path.join(out, "busy_before.txt")).strip()
    if busy:
        p(f"CPU busy in the 2 s before the benchmark started: {busy} % of the machine.")
    p("")

    scripts = ["insert", "select", "select_plain", "create_tx", "list_tx"]
    p("pgbench on the same server (-j 2 -M prepared): insert = create's INSERT into bench_tasks (tasks' shape, seeded copy);")
    p("select = list's 50-row SELECT with its reminders subquery; for reference: select_plain = without it;")
    p("create_tx / list_tx = the app's whole create transaction / list round trip, as the Go code sends them.")
    p(f"  {'script':<13} {'clients':>7} {'TPS':>9} {'lat avg ms':>10} {'p50 ms':>7} {'p99 ms':>7} {'failed':>6}   CPU % of a core: postgres / pgbench / autovacuum / other, idle")
    for (script, clients), r in sorted(pg.items(), key=lambda kv: (scripts.index(kv[0][0]) if kv[0][0] in scripts else 9, kv[0][1])):
        t = top(out, f"pgbench-{script}-{clients}")
        cpu = ""
        if t:
            bc = t["by_command"]
            cpu = f"{bc.get('postgres', 0):.0f} / {bc.get('pgbench', 0):.0f} / {bc.get('autovacuum', 0):.0f} / {bc.get('other', 0):.0f}, {fmt(t['idle_pct'], '.0f')}"
        p(f"  {script:<13} {clients:>7} {fmt(r['tps'], '9.0f'):>9} {fmt(r['latency_ms'], '10.3f'):>10} "
          f"{fmt(r['p50_ms'], '7.2f'):>7} {fmt(r['p99_ms'], '7.2f'):>7} {fmt(r['failed'], 'd', '?'):>6}   {cpu}")
    p("")

    p(f"Mid-run CPU (top, % of one core; {os.cpu_count()} cores = {100 * (os.cpu_count() or 1)} %); peak connections to the bench database")
    p(f"(the app's pool holds {POOL}, plus its {LISTENERS} LISTEN connections; max_connections is {max_conn}) and what they")
    p("were doing, on average (pg_stat_activity each second).")
    p("other = processes outside the benchmark: when it is high, that run's numbers are low. States: running = executing;")
    p("row lock = waiting for another transaction's row (one user's task counter); NOTIFY-queue lock = waiting to commit behind")
    p("other transactions that issued NOTIFY (one at a time, cluster-wide); app, in tx / app, idle = waiting for the Go server.")
    p(f"  {'run':<18} {'taskwire':>8} {'postgres':>8} {'autovac':>7} {'k6':>5} {'other':>5} {'idle':>5} {'conns':>5}  connection states")
    for run in runs:
        t = top(out, f"k6-{run['name']}")
        bc = t["by_command"] if t else {}
        peak, states = waits(out, f"k6-{run['name']}")
        mix = ", ".join(f"{k} {v:.1f}" for k, v in sorted(states.items(), key=lambda kv: -kv[1])[:4])
        p(f"  {run['name']:<18} {bc.get('taskwire', 0):>8.0f} {bc.get('postgres', 0):>8.0f} {bc.get('autovacuum', 0):>7.0f} {bc.get('k6', 0):>5.0f} {bc.get('other', 0):>5.0f} "
          f"{fmt(t['idle_pct'] if t else None, '5.0f'):>5} {fmt(peak, 'd', '?'):>5}  {mix}")
        run["cpu"], run["peak_conns"], run["conn_states"] = bc, peak, states
    over = [r["name"] for r in runs if r["rows"][0]["vus"] > POOL]
    if over:
        total = lambda r: next(row for row in r["rows"] if row["op"] == "all" or row["loop"] == "solo")
        errs = sum(total(r)["errors"] or 0 for r in runs if r["name"] in over)
        peak = max((r.get("peak_conns") or 0) for r in runs)
        p(f"  queueing: {len(over)} runs put more VUs than the pool's {POOL} connections; errors in them: {errs}; peak connections: {peak}"
          + ("" if peak <= POOL + LISTENERS else f" (more than the pool's {POOL} + {LISTENERS} LISTEN: check the pool size)"))
    server_errors = len(re.findall(r"level=ERROR", read(os.path.join(out, "server.log"))))
    p(f"  server log: {server_errors} ERROR lines (.bench/server.log)")
    p("")

    # Where the time goes at 64 clients: the statement alone, the app's transaction alone
    # (pgbench), the app behind HTTP (k6, op alone, users spread).
    solo = {r["rows"][0]["op"]: r["rows"][0] for r in runs if r["rows"][0]["loop"] == "solo" and r["rows"][0]["users"] == "spread"}
    lines_gap = []
    for op, stmt, tx in (("create", "insert", "create_tx"), ("list", "select", "list_tx")):
        a, b, c = pg.get((stmt, 64), {}).get("tps"), pg.get((tx, 64), {}).get("tps"), solo.get(op, {}).get("rps")
        if a and b and c:
            lines_gap.append(f"  {op:<7} {stmt} {a:.0f} TPS -> {tx} {b:.0f} TPS ({b / a:.2f}x) -> app {c:.0f} req/s ({c / b:.2f}x of {tx}, {c / a:.2f}x of {stmt})")
    if lines_gap:
        p("At 64 clients, from the bare statement to the app's transaction to the app over HTTP (solo, spread):")
        lines.extend(lines_gap)
        p("")

    if fails:
        p(f"FAIL: {len(fails)} target(s) missed:")
        for row, name in fails:
            what = {
                "p99": f"p99 {fmt(row['p99'], '.2f')} ms > {P99_TARGET_MS:g} ms" + bound(pg, row),
                "ratio": f"{row['rps']:.0f} req/s = {fmt(row['ratio'], '.2f')} × pgbench's {fmt(row['pgbench_tps'], '.0f')} TPS < {RATIO_TARGET:g}",
                "errors": f"{fmt(row['errors'], 'd', 'no result')} errors",
            }[name]
            p(f"  FAIL {row['op']} {row['loop']} users={row['users']} VUs={row['vus']}: {what}")
    else:
        p("PASS: every target met.")

    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"duration_s": duration, "max_connections": max_conn, "pool": POOL,
                   "pgbench": [{"script": s, "clients": c, **r} for (s, c), r in pg.items()],
                   "k6": runs}, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
