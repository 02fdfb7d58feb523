package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) {
	// The split-layout test runs this binary as the program itself, one process per function.
	if os.Getenv("TASKWIRE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(postgrestest.Main(m))
}

// TestServe starts the program the way main does, mints a token with the token command,
// and uses the API: create, list, complete, then shuts down on the stop signal.
func TestServe(t *testing.T) {
	addr := hosttest.FreeAddr(t)
	dir := t.TempDir()
	t.Setenv("LISTEN_ADDRESS", addr)
	t.Setenv("DATABASE_URL", postgrestest.URL(t))
	t.Setenv("TASKWIRE_DATA_DIR", dir)
	t.Setenv("AUTH_JWKS_URL", "")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &bytes.Buffer{}, &bytes.Buffer{}) }()
	base := "http://" + addr
	MustBeReady(t, base)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"token", fmt.Sprintf("grace-%d", time.Now().UnixNano())}, &out, &bytes.Buffer{}))
	token := strings.TrimSpace(out.String())

	created := MustDo(t, "POST", base+"/v1/tasks", token, `{"title":"Call mum","priority":"high"}`, http.StatusCreated)
	var task struct {
		ID     string `json:"id"`
		Number int    `json:"number"`
	}
	require.NoError(t, json.Unmarshal(created, &task))
	assert.Equal(t, 1, task.Number)

	list := MustDo(t, "GET", base+"/v1/tasks", token, "", http.StatusOK)
	assert.Contains(t, string(list), "Call mum")
	completed := MustDo(t, "POST", base+"/v1/tasks/1/complete", token, "", http.StatusOK)
	assert.Contains(t, string(completed), `"status":"completed"`)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after the stop signal")
	}
}

func TestCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", postgrestest.URL(t))
	t.Setenv("TASKWIRE_DATA_DIR", t.TempDir())

	t.Run("Migrate", func(t *testing.T) {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"migrate"}, &out, &bytes.Buffer{}))
		assert.Contains(t, out.String(), "migrations applied")
	})
	t.Run("DeadLettersRefusedOutboxRow", func(t *testing.T) {
		conn, err := pgx.Connect(context.Background(), os.Getenv("DATABASE_URL"))
		require.NoError(t, err)
		defer conn.Close(context.Background())
		var seq int64
		require.NoError(t, conn.QueryRow(context.Background(), `
			INSERT INTO outbox (id, user_id, type, source, subject, time, data, refused_at, refused_reason)
			VALUES (gen_random_uuid(), 'cli', 'dev.taskwire.task.created.v1', '/taskwire/tasks', 'x', now(), '{}',
				now(), 'send to sink: refused: HTTP 413')
			RETURNING seq`).Scan(&seq))
		// As the relay sets a refused row aside: out of its queue.
		_, err = conn.Exec(context.Background(), `DELETE FROM outbox_pending WHERE seq = $1`, seq)
		require.NoError(t, err)
		id := fmt.Sprintf("outbox/%d", seq)

		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"deadletters"}, &out, &bytes.Buffer{}))
		assert.Contains(t, out.String(), id)
		assert.Contains(t, out.String(), "HTTP 413")

		out.Reset()
		require.NoError(t, run(context.Background(), []string{"replay", id}, &out, &bytes.Buffer{}))
		assert.Contains(t, out.String(), fmt.Sprintf("re-queued outbox row %d", seq))
		var refused, pending bool
		require.NoError(t, conn.QueryRow(context.Background(), `
			SELECT refused_at IS NOT NULL, EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq)
			FROM outbox o WHERE seq = $1`, seq).Scan(&refused, &pending))
		assert.False(t, refused)
		assert.True(t, pending, "the row is queued for the relay again")

		err = run(context.Background(), []string{"replay", id}, &bytes.Buffer{}, &bytes.Buffer{})
		assert.ErrorContains(t, err, "no refused outbox row")
		err = run(context.Background(), []string{"replay", "outbox/x"}, &bytes.Buffer{}, &bytes.Buffer{})
		assert.ErrorContains(t, err, "want outbox/SEQ")
	})
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		var errOut bytes.Buffer
		err := run(context.Background(), []string{"fly"}, &bytes.Buffer{}, &errOut)
		require.ErrorContains(t, err, `unknown command "fly"`)
		assert.Contains(t, errOut.String(), "usage: taskwire")
	})
	t.Run("ErrTokenWithoutName", func(t *testing.T) {
		err := run(context.Background(), []string{"token"}, &bytes.Buffer{}, &bytes.Buffer{})
		require.ErrorContains(t, err, "usage: taskwire token")
	})
}

// MustBeReady waits until the readiness endpoint answers 200.
func MustBeReady(tb testing.TB, base string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/health/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s never became ready", base)
}

// MustDo sends a request with a bearer token and requires the status; it returns the body.
func MustDo(tb testing.TB, method, url, token, body string, status int) []byte {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(tb, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	require.Equal(tb, status, resp.StatusCode, "%s %s: %s", method, url, buf.String())
	return buf.Bytes()
}

// TestLocalOnly: with the development issuer, which mints tokens for any name, serve
// answers only this machine unless LISTEN_ADDRESS or PORT says otherwise.
func TestLocalOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"development issuer", map[string]string{}, "127.0.0.1:8080"},
		{"listen address given", map[string]string{"LISTEN_ADDRESS": ":9000"}, ":9000"},
		{"port given", map[string]string{"PORT": "9000"}, ""},
		{"identity provider", map[string]string{"AUTH_JWKS_URL": "https://idp.example/jwks"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := maps.Clone(tc.env)
			assert.Equal(t, tc.want, localOnly(tc.env)["LISTEN_ADDRESS"])
			assert.Equal(t, before, tc.env, "the caller's environment is left as it was")
		})
	}
}
