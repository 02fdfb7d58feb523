package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MustMigratedScratchDB creates and migrates a scratch database and returns a connection
// to it, closed at cleanup.
func MustMigratedScratchDB(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, postgrestest.EmptyURL(tb))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	require.NoError(tb, postgres.Migrate(ctx, conn))
	return conn
}

// A function starting on a database that is already migrated does not wait for the
// migration lock: another process holding it (a migration in progress elsewhere, of
// another database version) does not hold the start up.
func TestMigrate_Current(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		conn := MustMigratedScratchDB(t)
		holder, err := pgx.ConnectConfig(context.Background(), conn.Config())
		require.NoError(t, err)
		defer holder.Close(context.Background())
		_, err = holder.Exec(context.Background(), "SELECT pg_advisory_lock($1)", postgres.MigrateLockKey)
		require.NoError(t, err)

		// The deadline only keeps a regression from hanging: without the check, Migrate
		// waits for the lock until it.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, postgres.Migrate(ctx, conn))
	})

	// A database a newer revision migrated further is left as it is, not rolled back.
	t.Run("Ahead", func(t *testing.T) {
		ctx := context.Background()
		conn := MustMigratedScratchDB(t)
		ahead := latestMigrationVersion(t) + 1
		_, err := conn.Exec(ctx, "UPDATE public.taskwire_schema_version SET version = $1", ahead)
		require.NoError(t, err)

		require.NoError(t, postgres.Migrate(ctx, conn))
		var version int
		require.NoError(t, conn.QueryRow(ctx, "SELECT version FROM public.taskwire_schema_version").Scan(&version))
		require.Equal(t, ahead, version, "got schema version %d, want %d", version, ahead)
	})
}

// Tasks already there when positions arrive stand in the order they were added, before
// any task added after, with the positions a task created at their time gets: moving one
// beside a new task works as beside any other.
func TestMigrate_TaskPositions(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, postgrestest.EmptyURL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.NoError(t, postgres.MigrateTo(ctx, conn, 26))

	created := []time.Time{
		time.Date(2026, 12, 4, 15, 30, 0, 1000, time.UTC),
		time.Date(2019, 3, 1, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC),
		time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), // an import from before 1970
	}
	_, err = conn.Exec(ctx, `INSERT INTO users (id) VALUES ('ada')`)
	require.NoError(t, err)
	for i, at := range created {
		_, err = conn.Exec(ctx, `
			INSERT INTO tasks (id, user_id, number, title, time_zone, created_at, updated_at)
			VALUES (gen_random_uuid(), 'ada', $1, $2, 'UTC', $3, $3)`, i+1, fmt.Sprint("task ", i+1), at)
		require.NoError(t, err)
	}
	require.NoError(t, postgres.Migrate(ctx, conn))

	rows, err := conn.Query(ctx, `SELECT number, position FROM tasks ORDER BY number`)
	require.NoError(t, err)
	positions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		Number   int
		Position string
	}])
	require.NoError(t, err)
	require.Len(t, positions, len(created))
	for i, p := range positions {
		require.Equal(t, taskwire.PositionAt(created[i]), p.Position, "task %d, created %v", p.Number, created[i])
	}
}
