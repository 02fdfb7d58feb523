package broker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/broker"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// TestKeptOffSequentialScans shows why a claim and an outcome run with the broker's
// settings: the pool prepares them, PostgreSQL plans a prepared statement once for any
// parameters after a few runs, and without statistics newer than that plan (autovacuum
// off, as on this machine) it keeps scanning the whole table that was small then.
func TestKeptOffSequentialScans(t *testing.T) {
	ctx := context.Background()
	conn := mustOwnTables(t)
	_, err := conn.Exec(ctx, `
		INSERT INTO broker_events (broker, source, id, type, event)
			SELECT 'plans', 'test', g::text, 'test.v1', '{}' FROM generate_series(1, 20) g;
		INSERT INTO broker_deliveries (event_seq, trigger) SELECT seq, 'notify' FROM broker_events;
		-- Statistics of the small tables, as an ANALYZE took them then; none follow.
		ANALYZE broker_events;
		ANALYZE broker_deliveries`)
	require.NoError(t, err)

	now := time.Now()
	lease := now.Add(time.Minute)
	statements := []struct {
		name, settings, sql string
		args                []any
	}{
		{"claim", broker.ClaimSettingsSQL, broker.ClaimSQL, []any{"plans", "notify", now, 16, lease}},
		{"outcomes", broker.ClaimSettingsSQL, broker.OutcomesSQL, []any{"notify", now, []int64{1}, []string{"delivered"},
			[]int32{1}, []time.Time{now}, []int32{200}, []string{""}, []time.Time{lease}}},
	}
	// While the table is small: each prepared and run as the pool would, once as the broker
	// runs it and once bare.
	for _, s := range statements {
		for _, settings := range []string{s.settings, ""} {
			mustCachePlan(t, conn, prepared(s.name, settings), settings, s.sql, s.args)
		}
	}
	_, err = conn.Exec(ctx, `
		INSERT INTO broker_events (broker, source, id, type, event)
			SELECT 'plans', 'grown', g::text, 'test.v1', '{}' FROM generate_series(1, 20000) g;
		INSERT INTO broker_deliveries (event_seq, trigger, state)
			SELECT seq, 'notify', 'delivered' FROM broker_events WHERE source = 'grown'`)
	require.NoError(t, err)

	for _, s := range statements {
		assert.True(t, seqScansDeliveries(t, conn, "", prepared(s.name, ""), s.args),
			"%s: bare, a plan made while the table was small scans it whole (or this test no longer shows why the settings are there)", s.name)
		assert.False(t, seqScansDeliveries(t, conn, s.settings, prepared(s.name, s.settings), s.args),
			"%s: with the broker's settings it reads the deliveries through their indexes", s.name)
	}
}

// TestClaimReadsWhatItLeases: a claim planned while the tables were empty (statistics
// taken then, as the benchmark's VACUUM ANALYZE between scenarios takes them, and no
// autovacuum since) reads the due deliveries and the ones it leases, not the whole
// table: joined to the due ones, the update walked every delivery for each claim, 57 ms
// with 20 000 of them.
func TestClaimReadsWhatItLeases(t *testing.T) {
	ctx := context.Background()
	conn := mustOwnTables(t)
	_, err := conn.Exec(ctx, `ANALYZE broker_events; ANALYZE broker_deliveries`)
	require.NoError(t, err)
	now := time.Now()
	args := []any{"plans", "notify", now, 16, now.Add(time.Minute)}
	mustCachePlan(t, conn, "claim", broker.ClaimSettingsSQL, broker.ClaimSQL, args)
	_, err = conn.Exec(ctx, `
		INSERT INTO broker_events (broker, source, id, type, event)
			SELECT 'plans', 'burst', g::text, 'test.v1', '{}' FROM generate_series(1, 20000) g;
		INSERT INTO broker_deliveries (event_seq, trigger) SELECT seq, 'notify' FROM broker_events`)
	require.NoError(t, err)

	read := rowsRead(t, conn, broker.ClaimSettingsSQL, "claim", args)
	assert.Less(t, read, 200, "the claim read %d deliveries to lease 16 of 20 000 due", read)
}

// rowsRead returns how many rows of broker_deliveries the prepared statement name reads,
// run with args after settings in a transaction that is rolled back.
func rowsRead(t *testing.T, conn *pgx.Conn, settings, name string, args []any) int {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, settings)
	require.NoError(t, err)
	plan := postgrestest.MustScanPlan(t, tx.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE "+name+"("+literals(args)+")"))
	n, _ := plan.RowsRead("broker_deliveries")
	return n
}

// literals writes args as SQL, separated by commas.
func literals(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = literal(a)
	}
	return strings.Join(out, ", ")
}

// mustOwnTables returns a connection of its own, whose empty temporary broker_events and
// broker_deliveries stand in for the shared ones: the other tests' rows make no
// difference, and no pool connection keeps them.
func mustOwnTables(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	pool := postgrestest.MustOpenDB(t).Pool
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, `
		CREATE TEMP TABLE broker_events (LIKE public.broker_events INCLUDING ALL);
		CREATE TEMP TABLE broker_deliveries (LIKE public.broker_deliveries INCLUDING ALL)`)
	require.NoError(t, err)
	return conn
}

// mustCachePlan prepares sql as name and runs it with args, after settings when not
// empty, each run rolled back, as the pool would run it, until PostgreSQL keeps a
// generic plan of it.
func mustCachePlan(t *testing.T, conn *pgx.Conn, name, settings, sql string, args []any) {
	t.Helper()
	ctx := context.Background()
	_, err := conn.Prepare(ctx, name, sql)
	require.NoError(t, err)
	for range 8 {
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		if settings != "" {
			_, err = tx.Exec(ctx, settings)
			require.NoError(t, err)
		}
		_, err = tx.Exec(ctx, name, args...)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback(ctx))
	}
}

// prepared names the statement name as prepared to run after settings, or bare.
func prepared(name, settings string) string {
	if settings == "" {
		return "bare_" + name
	}
	return name
}

// seqScansDeliveries reports whether the plan of the prepared statement name, run with
// args after settings (when not empty) in a transaction, scans broker_deliveries whole.
func seqScansDeliveries(t *testing.T, conn *pgx.Conn, settings, name string, args []any) bool {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	if settings != "" {
		_, err = tx.Exec(ctx, settings)
		require.NoError(t, err)
	}
	plan := postgrestest.MustScanPlan(t, tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) EXECUTE "+name+"("+literals(args)+")"))
	return plan.SeqScans("broker_deliveries")
}

// literal writes v as SQL: EXECUTE takes its arguments as expressions.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case time.Time:
		return "'" + v.Format(time.RFC3339Nano) + "'"
	case []int64, []int32:
		return "'{" + strings.Trim(fmt.Sprint(v), "[]") + "}'"
	case []string:
		return "ARRAY[" + literals(anys(v)) + "]::text[]"
	case []time.Time:
		return "ARRAY[" + literals(anys(v)) + "]::timestamptz[]"
	default:
		return fmt.Sprint(v)
	}
}

// anys returns vs as a slice of any.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
