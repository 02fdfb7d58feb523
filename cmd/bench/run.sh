#!/usr/bin/env bash
# make bench: k6 against `taskwire serve` beside pgbench on the same PostgreSQL, as a table.
#
# It builds bin/taskwire, creates the database taskwire_bench on 127.0.0.1:5432 (dropped
# again at the end), migrates and seeds it, runs pgbench's INSERT and SELECT at 16 and 64
# clients, serves the app on a free port, and runs k6 (create, list 50, get, patch) at 16
# and 64 VUs as one user and spread over many, then 64-VU runs of create alone and list
# alone; last, pgbench runs the app's own create and list transactions, for reference.
# The table goes to stdout and .bench/table.txt; raw results stay under .bench/.
# It is a report: it exits 0 when a target fails (and says FAIL), non-zero only when the
# benchmark itself cannot run.
#
# Knobs: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_SOLO (1: also
# the create-only and list-only runs), BENCH_SPREAD (spread users, default 200),
# K6 (path of k6), GO (default go).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
SOLO=${BENCH_SOLO:-1}
SPREAD=${BENCH_SPREAD:-200}
PER_USER=60 # seeded open tasks per user: list 50 always returns 50 rows
GO=${GO:-go}
K6_VERSION=v1.8.1
DB=taskwire_bench
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGOPTIONS='-c client_min_messages=warning'
export K6_NO_USAGE_REPORT=true
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
OUT=$ROOT/.bench

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------
for tool in "$GO" psql pgbench python3 top; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (make bench runs make db first, which installs PostgreSQL with pgbench)"
done
if [ -z "${K6:-}" ]; then
	gobin=$("$GO" env GOBIN)
	[ -n "$gobin" ] || gobin="$("$GO" env GOPATH | cut -d: -f1)/bin"
	K6=$(command -v k6 || echo "$gobin/k6")
fi
if ! [ -x "$K6" ]; then
	log "installing k6 $K6_VERSION (go install go.k6.io/k6@$K6_VERSION; takes a few minutes)"
	(cd / && "$GO" install "go.k6.io/k6@$K6_VERSION") || die "go install go.k6.io/k6@$K6_VERSION failed"
	[ -x "$K6" ] || die "k6 was installed but is not at $K6; set K6=/path/to/k6"
fi
pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL does not answer at $PGHOST:$PGPORT (run make db)"

rm -rf "$OUT"
mkdir -p "$OUT"
# How busy the machine is before we start: the numbers assume it is otherwise idle.
python3 - >"$OUT/busy_before.txt" <<'EOF'
import time
def ticks():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f), f[3] + f[4]
t0, i0 = ticks(); time.sleep(2); t1, i1 = ticks()
print(round(100 * (1 - (i1 - i0) / max(1, t1 - t0))))
EOF
busy=$(cat "$OUT/busy_before.txt")
[ "$busy" -lt 25 ] || log "warning: the machine is ${busy} % busy before the benchmark; its numbers will be low"
TMP=$(mktemp -d)
SERVER_PID=
SAMPLER_PIDS=()

cleanup() {
	local rc=$?
	for pid in "${SAMPLER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	psql -qAtX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, database, seed, tokens ---------------------------------------------------
log "building bin/taskwire"
"$GO" build -o bin/taskwire ./cmd/taskwire || die "go build ./cmd/taskwire failed"

log "creating database $DB, migrating and seeding $((SPREAD + 1)) users × $PER_USER tasks"
psql -qAtX -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL TASKWIRE_DATA_DIR=$TMP/data
bin/taskwire migrate >/dev/null 2>"$OUT/migrate.log" || { cat "$OUT/migrate.log" >&2; die "migrate failed"; }
psql -qAtX -d "$DB" -v per="$PER_USER" -v spread="$SPREAD" -f cmd/bench/pgbench/seed.sql >/dev/null
psql -qAtX -d "$DB" -c "SHOW max_connections" >"$OUT/max_connections.txt"

log "minting $((SPREAD + 1)) tokens"
{
	printf '{"one": "%s", "spread": [' "$(bin/taskwire token one)"
	for i in $(seq 1 "$SPREAD"); do
		[ "$i" -gt 1 ] && printf ', '
		printf '"%s"' "$(bin/taskwire token "spread-$i")"
	done
	printf ']}\n'
} >"$TMP/tokens.json"

# sample NAME DELAY: in the middle of a run, one top frame (with command lines, so that the
# app's backends, autovacuum and the rest can be told apart); and every second of the
# measured part, what the connections to the bench database are doing (pg_stat_activity:
# on CPU, waiting for a lock, for the client, for WAL), from which the report takes the
# peak number of connections (the app's pool should hold it at 8, plus its LISTEN
# connections) and the wait mix. One psql session samples the whole run (\watch): a new
# psql and server backend each second cost the cores a burst of CPU that showed in the
# p99 of the runs they measured.
sample() {
	local name=$1 delay=$2
	(
		sleep "$((delay + DURATION / 2 - 1))"
		top -c -b -n 2 -d 2 -w 512 >"$OUT/top-$name.txt" 2>/dev/null || true
	) &
	SAMPLER_PIDS+=($!)
	(
		sleep "$delay"
		timeout "$DURATION" psql -qAtX -d postgres -F ' ' >>"$OUT/waits-$name.txt" 2>/dev/null <<-EOF || true
			SELECT 'sample', state, n FROM (
				SELECT 0 AS ord, CASE
					WHEN a.wait_event_type = 'Lock' AND l.locktype = 'object'
						THEN 'Lock:object:' || l.classid::regclass || ':' || l.objid
					ELSE coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU') END || ' (' || a.state || ')' AS state, count(*) AS n
				FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
				WHERE a.datname = '$DB' AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
				GROUP BY 2
				UNION ALL SELECT 1, 'end', 0) s
			ORDER BY ord \watch 1
		EOF
	) &
	SAMPLER_PIDS+=($!)
}

# settle: before each run, VACUUM ANALYZE and a CHECKPOINT, so that every run starts from
# the same state. Without it, the dead rows that earlier runs' updates left behind slow
# the later runs down: on a server with autovacuum off (as on the CI machine) nothing
# else removes them, and pgbench's SELECT, which runs first, would read a clean table
# that the app's listing, which runs after the writes, does not get.
settle() {
	psql -qAtX -d "$DB" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
}

# pgbench_run SCRIPT CLIENTS
pgbench_run() {
	local script=$1 c=$2 name=$1-$2
	log "pgbench $script at $c clients, ${DURATION}s"
	if [ "$script" = insert ]; then
		psql -qAtX -d "$DB" -v ON_ERROR_STOP=1 -f cmd/bench/pgbench/refill.sql >/dev/null
	fi
	settle
	sample "pgbench-$name" 0
	# -l: one line per transaction with its latency, for report.py's p50/p99.
	pgbench -n -c "$c" -j 2 -T "$DURATION" -M prepared -D spread="$SPREAD" \
		-l --log-prefix="$OUT/pgbench-$name-log" \
		-f "cmd/bench/pgbench/$script.sql" "$DB" >"$OUT/pgbench-$name.txt" 2>&1 ||
		log "pgbench $name exited $? (see .bench/pgbench-$name.txt)"
	wait "${SAMPLER_PIDS[@]}" 2>/dev/null || true
	SAMPLER_PIDS=()
}

# --- pgbench: the issue's statements ------------------------------------------------
for script in insert select select_plain; do
	for c in 16 64; do pgbench_run "$script" "$c"; done
done

# --- the server ----------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL=http://127.0.0.1:$PORT
log "starting taskwire serve on $BASE_URL"
LISTEN_ADDRESS=127.0.0.1:$PORT bin/taskwire serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
python3 - "$BASE_URL/health/readiness" <<'EOF' || { cat "$OUT/server.log" >&2; die "taskwire serve did not become ready"; }
import sys, time, urllib.request
for _ in range(300):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF

# --- k6 ------------------------------------------------------------------------------
# k6run NAME USERS VUS OPS
k6run() {
	local name=$1 users=$2 vus=$3 ops=$4
	log "k6 $name: $ops, $vus VUs, users=$users, ${WARMUP}s warm-up + ${DURATION}s"
	settle
	sample "k6-$name" "$WARMUP"
	"$K6" run --quiet --no-usage-report \
		-e BASE_URL="$BASE_URL" -e TOKENS="$TMP/tokens.json" -e USERS="$users" -e VUS="$vus" \
		-e OPS="$ops" -e DURATION="${DURATION}s" -e WARMUP="${WARMUP}s" \
		-e SUMMARY="$OUT/k6-$name.json" \
		cmd/bench/k6/tasks.js >"$OUT/k6-$name.log" 2>&1 || log "k6 $name exited $? (see .bench/k6-$name.log)"
	wait "${SAMPLER_PIDS[@]}" 2>/dev/null || true
	SAMPLER_PIDS=()
}

for vus in 16 64; do
	for users in one spread; do
		k6run "mix-$users-$vus" "$users" "$vus" create,list,get,patch
	done
done
if [ "$SOLO" = 1 ]; then
	for op in create list; do
		for users in one spread; do
			k6run "$op-$users-64" "$users" 64 "$op"
		done
	done
fi

kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

# --- pgbench: the app's own transactions, for reference (after k6: create_tx adds tasks) --
for script in create_tx list_tx; do
	for c in 16 64; do pgbench_run "$script" "$c"; done
done

# --- the table -----------------------------------------------------------------------
python3 cmd/bench/report.py "$OUT" "$DURATION" | tee "$OUT/table.txt"
