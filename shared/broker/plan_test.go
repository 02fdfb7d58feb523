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
	pool := postgrestest.MustOpenDB(t).Pool
	// A connection of its own, whose temporary tables stand in for the shared ones: the
	// other tests' rows make no difference, and no pool connection keeps them.
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, `
		CREATE TEMP TABLE broker_events (LIKE public.broker_events INCLUDING ALL);
		CREATE TEMP TABLE broker_deliveries (LIKE public.broker_deliveries INCLUDING ALL);
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
		{"outcome", broker.BookkeepingSQL, broker.OutcomeSQL, []any{int64(1), "notify", "delivered", 1, now, 200, nil, now, lease}},
	}
	// While the table is small: each prepared and run as the pool would, once as the broker
	// runs it and once bare.
	for _, s := range statements {
		for _, settings := range []string{s.settings, ""} {
			name := prepared(s.name, settings)
			_, err := conn.Prepare(ctx, name, s.sql)
			require.NoError(t, err)
			for range 8 {
				tx, err := conn.Begin(ctx)
				require.NoError(t, err)
				if settings != "" {
					_, err = tx.Exec(ctx, settings)
					require.NoError(t, err)
				}
				_, err = tx.Exec(ctx, name, s.args...)
				require.NoError(t, err)
				require.NoError(t, tx.Rollback(ctx))
			}
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
	literals := make([]string, len(args))
	for i, a := range args {
		literals[i] = literal(a)
	}
	plan := postgrestest.MustScanPlan(t, tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) EXECUTE "+name+"("+strings.Join(literals, ", ")+")"))
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
	default:
		return fmt.Sprint(v)
	}
}
