package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/migrations"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// localServerAddr is the test PostgreSQL server, as the machine runs it.
const localServerAddr = "127.0.0.1:5432"

// localServerURL is the test server's maintenance database.
const localServerURL = "postgres://postgres@" + localServerAddr + "/postgres?sslmode=disable"

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ctx := context.Background()
		name := "taskwire_test_open_" + uniqueSuffix(t)
		dropScratchDBOnCleanup(t, name)

		db, err := postgres.Open(ctx, postgres.Config{LocalAddr: localServerAddr, Database: name, MaxConns: 2})
		require.NoError(t, err)
		defer db.Close()

		var current string
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT current_database()").Scan(&current))
		require.Equal(t, name, current, "got database %s, want %s", current, name)
		var tasks bool
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT to_regclass('public.tasks') IS NOT NULL").Scan(&tasks))
		require.True(t, tasks, "got no table tasks, want one")
		var version int
		require.NoError(t, db.Pool.QueryRow(ctx, "SELECT version FROM public.taskwire_schema_version").Scan(&version))
		require.Equal(t, latestMigrationVersion(t), version, "got schema version %d, want %d", version, latestMigrationVersion(t))
		require.EqualValues(t, 2, db.Pool.Config().MaxConns)

		// A second Open finds the database there and migrated.
		again, err := postgres.Open(ctx, postgres.Config{LocalAddr: localServerAddr, Database: name})
		require.NoError(t, err)
		again.Close()
	})
}

// The pool holds 8 connections unless the connection string says otherwise with
// pgxpool's pool_max_conns (a deployment behind a connection limit or a pooler); a size
// the caller gives wins over both.
func TestOpen_PoolSize(t *testing.T) {
	dbURL := postgrestest.EmptyURL(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", "3")
	u.RawQuery = q.Encode()
	cc, err := pgconn.ParseConfig(dbURL)
	require.NoError(t, err)
	keyValue := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable pool_max_conns=5", cc.Host, cc.Port, cc.User, cc.Database)

	for _, tc := range []struct {
		name     string
		url      string
		maxConns int32
		want     int32
	}{
		{"Default", dbURL, 0, 8},
		{"URL", u.String(), 0, 3},
		{"KeyValue", keyValue, 0, 5},
		{"CallerOverURL", u.String(), 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := postgres.Open(context.Background(), postgres.Config{URL: tc.url, MaxConns: tc.maxConns})
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, tc.want, db.Pool.Config().MaxConns)
		})
	}
}

// Scaled out in a cluster, the functions' pools together can ask for more connections
// than the server allows. A request whose pool must open one while the server is at its
// limit waits for one to be released, as it waits when the pool is full; when none comes
// back in time it is EUNAVAILABLE (503 with Retry-After over HTTP, retried by the broker),
// not an internal error, with the server's own words kept for the log.
func TestPool_ServerAtConnectionLimit(t *testing.T) {
	ctx := context.Background()
	dbURL := postgrestest.URL(t)
	su, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { su.Close(context.Background()) })
	role := "taskwire_test_limited_" + uniqueSuffix(t)
	_, err = su.Exec(ctx, "CREATE ROLE "+role+" LOGIN CONNECTION LIMIT 2")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := su.Exec(context.Background(), "DROP ROLE "+role)
		require.NoError(t, err)
	})
	// The role may do what the connecting superuser may, but is held to its limit.
	_, err = su.Exec(ctx, "GRANT "+pgx.Identifier{su.Config().User}.Sanitize()+" TO "+role)
	require.NoError(t, err)

	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.User = url.User(role)
	db, err := postgres.Open(ctx, postgres.Config{URL: u.String(), MaxConns: 4})
	require.NoError(t, err)
	defer db.Close()
	// The role's two connections are taken: the pool may open two more, but the server
	// refuses them.
	var held []*pgxpool.Conn
	release := func() {
		for _, c := range held {
			c.Release()
		}
		held = nil
	}
	defer release() // before db.Close, which waits for them
	for range 2 {
		c, err := db.Pool.Acquire(ctx)
		require.NoError(t, err)
		held = append(held, c)
	}
	userCtx := taskwire.NewContextWithUser(ctx, "ada")
	tasks := postgres.NewTaskService(db)

	t.Run("WaitsForARelease", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			_, err := tasks.FindTasks(userCtx, taskwire.TaskFilter{})
			done <- err
		}()
		time.Sleep(200 * time.Millisecond)
		last := held[len(held)-1]
		held = held[:len(held)-1]
		last.Release()
		require.NoError(t, <-done, "the request gets the released connection")
		c, err := db.Pool.Acquire(ctx) // taken again for the next subtest
		require.NoError(t, err)
		held = append(held, c)
	})

	t.Run("UnavailableWhenNoneIsReleased", func(t *testing.T) {
		_, err := tasks.FindTasks(userCtx, taskwire.TaskFilter{})
		require.Error(t, err)
		require.Equal(t, taskwire.EUNAVAILABLE, taskwire.ErrorCode(err), "got %v", err)
		require.Contains(t, err.Error(), "SQLSTATE 53300", "the cause is kept for the log")
	})
}

func TestMigrate(t *testing.T) {
	t.Run("Concurrent", func(t *testing.T) {
		ctx := context.Background()
		dbURL := postgrestest.EmptyURL(t)

		const processes = 4
		conns := make([]*pgx.Conn, processes)
		for i := range conns {
			conn, err := pgx.Connect(ctx, dbURL)
			require.NoError(t, err)
			defer conn.Close(ctx)
			conns[i] = conn
		}
		start := make(chan struct{})
		errs := make([]error, processes)
		var wg sync.WaitGroup
		for i, conn := range conns {
			wg.Go(func() {
				<-start
				errs[i] = postgres.Migrate(ctx, conn)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "migration %d", i)
		}

		var rows, version int
		require.NoError(t, conns[0].QueryRow(ctx, "SELECT count(*), max(version) FROM public.taskwire_schema_version").Scan(&rows, &version))
		require.Equal(t, 1, rows, "got %d version rows, want 1", rows)
		require.Equal(t, latestMigrationVersion(t), version, "got schema version %d, want %d", version, latestMigrationVersion(t))
		var tasks bool
		require.NoError(t, conns[0].QueryRow(ctx, "SELECT to_regclass('public.tasks') IS NOT NULL").Scan(&tasks))
		require.True(t, tasks, "got no table tasks, want one")
	})
}

func TestPrivateCluster(t *testing.T) {
	ctx := context.Background()
	dataDir := privateDataDir(t)
	t.Cleanup(func() {
		if err := postgres.StopPrivateCluster(context.Background(), dataDir); err != nil {
			t.Errorf("stop private cluster: %v", err)
		}
	})
	// Nothing answers on port 1.
	cfg := postgres.Config{LocalAddr: "127.0.0.1:1", DataDir: dataDir}

	db, err := postgres.Open(ctx, cfg)
	require.NoError(t, err)
	var one int
	require.NoError(t, db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one))
	require.Equal(t, 1, one)
	var tasks bool
	require.NoError(t, db.Pool.QueryRow(ctx, "SELECT to_regclass('public.tasks') IS NOT NULL").Scan(&tasks))
	require.True(t, tasks, "got no table tasks, want one")
	port := db.Pool.Config().ConnConfig.Port
	db.Close()

	portFile := filepath.Join(dataDir, "postgres", "taskwire.port")
	portBefore, err := os.ReadFile(portFile)
	require.NoError(t, err)
	pidFile := filepath.Join(dataDir, "postgres", "postmaster.pid")
	pidBefore, err := os.ReadFile(pidFile)
	require.NoError(t, err)

	// A second Open reuses the server that the first one started.
	db, err = postgres.Open(ctx, cfg)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one))
	require.Equal(t, port, db.Pool.Config().ConnConfig.Port, "got port %d, want %d", db.Pool.Config().ConnConfig.Port, port)
	portAfter, err := os.ReadFile(portFile)
	require.NoError(t, err)
	require.Equal(t, string(portBefore), string(portAfter))
	pidAfter, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	require.Equal(t, string(pidBefore), string(pidAfter), "got a restarted server, want the running one")
}

// privateDataDir returns a new data directory that the unprivileged user running
// PostgreSQL (when the test runs as root) can reach: t.TempDir and its parent are 0700.
func privateDataDir(tb testing.TB) string {
	tb.Helper()
	tmp := tb.TempDir()
	chmodSearchable(tb, tmp)
	chmodSearchable(tb, filepath.Dir(tmp))
	dir := filepath.Join(tmp, "data")
	require.NoError(tb, os.Mkdir(dir, 0o755))
	return dir
}

// chmodSearchable makes dir searchable, not readable, by everyone.
func chmodSearchable(tb testing.TB, dir string) {
	tb.Helper()
	require.NoError(tb, os.Chmod(dir, 0o711))
}

// latestMigrationVersion returns the number of the last embedded migration.
func latestMigrationVersion(tb testing.TB) int {
	tb.Helper()
	entries, err := migrations.FS.ReadDir(".")
	require.NoError(tb, err)
	n := 0
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".sql" {
			n++
		}
	}
	require.NotZero(tb, n, "got no migrations, want some")
	return n
}

// uniqueSuffix returns 6 random hex digits for unique database names.
func uniqueSuffix(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 3)
	_, err := rand.Read(b)
	require.NoError(tb, err)
	return hex.EncodeToString(b)
}

// dropScratchDBOnCleanup drops database name, if it exists, when the test ends.
func dropScratchDBOnCleanup(tb testing.TB, name string) {
	tb.Helper()
	tb.Cleanup(func() {
		conn := mustConnectMaintenanceDB(tb)
		defer conn.Close(context.Background())
		_, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		require.NoError(tb, err)
	})
}

// mustConnectMaintenanceDB connects to the test server's maintenance database.
func mustConnectMaintenanceDB(tb testing.TB) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), localServerURL)
	require.NoError(tb, err, "the test PostgreSQL server must run; start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start")
	return conn
}
