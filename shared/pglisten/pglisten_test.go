package pglisten_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/pglisten"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// TestRun hears notifications, and after its connection is killed it listens again and
// says so, since what was sent meanwhile was lost.
func TestRun(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	config := db.Pool.Config().ConnConfig.Copy()
	config.RuntimeParams["application_name"] = "pglisten-test"
	listening := make(chan struct{}, 10)
	payloads := make(chan string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		pglisten.Run(ctx, config, "pglisten_test", slog.New(slog.NewTextHandler(io.Discard, nil)), pglisten.Handler{
			Listening: func() { listening <- struct{}{} },
			Notify:    func(p string) { payloads <- p },
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	mustReceive(t, listening, "the first listen")
	_, err := db.Pool.Exec(context.Background(), `SELECT pg_notify('pglisten_test', 'hello')`)
	require.NoError(t, err)
	assert.Equal(t, "hello", mustReceive(t, payloads, "the notification"))

	_, err = db.Pool.Exec(context.Background(), `
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pglisten-test'`)
	require.NoError(t, err)
	mustReceive(t, listening, "listening again after the connection was killed")
	_, err = db.Pool.Exec(context.Background(), `SELECT pg_notify('pglisten_test', 'again')`)
	require.NoError(t, err)
	assert.Equal(t, "again", mustReceive(t, payloads, "a notification on the new connection"))
}

// mustReceive waits up to 10 seconds for a value on ch.
func mustReceive[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		tb.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
