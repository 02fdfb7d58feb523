package postgrestest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

func TestMustOpenDB(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ctx := context.Background()
		db := postgrestest.MustOpenDB(t)
		require.Same(t, db, postgrestest.MustOpenDB(t), "got a second DB, want the shared one")

		var name string
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT current_database()").Scan(&name))
		require.True(t, strings.HasPrefix(name, "taskwire_test_postgrestest_"), "got database %s, want taskwire_test_postgrestest_…", name)
		require.LessOrEqual(t, len(name), 63)
		require.Contains(t, postgrestest.URL(t), "/"+name+"?")

		var tasks bool
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT to_regclass('public.tasks') IS NOT NULL").Scan(&tasks))
		require.True(t, tasks, "got no table tasks, want one")
	})
}
