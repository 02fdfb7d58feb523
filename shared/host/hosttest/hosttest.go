// Package hosttest helps test event functions as Knative delivers to them: a local OpenID
// Connect issuer for delivery tokens, and CloudEvents posted to a handler.
package hosttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/auth"
)

// MustServeIssuer serves a local OpenID Connect issuer on a loopback port until the test
// ends and returns it.
func MustServeIssuer(tb testing.TB) *auth.Issuer {
	tb.Helper()
	var iss atomic.Pointer[auth.Issuer]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Load().ServeHTTP(w, r) }))
	tb.Cleanup(srv.Close)
	i, err := auth.NewIssuer(srv.URL)
	require.NoError(tb, err)
	iss.Store(i)
	return i
}

// MustDeliver posts body as a structured-mode CloudEvent to h, with the Authorization
// header authorization (none when empty), and returns the response.
func MustDeliver(tb testing.TB, h http.Handler, authorization, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// MustStructured returns e in structured mode.
func MustStructured(tb testing.TB, e event.Event) string {
	tb.Helper()
	b, err := json.Marshal(e)
	require.NoError(tb, err)
	return string(b)
}

// FreeAddr returns a loopback address whose port is free now, for a server a test starts
// by address. The port lies below Linux's ephemeral range (32768 on): a free port in that
// range can be taken, before the server binds it, by an outgoing connection of another
// test running beside this one.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(22000))
		if l, err := net.Listen("tcp", addr); err == nil {
			require.NoError(tb, l.Close())
			return addr
		}
	}
	tb.Fatal("no free port below the ephemeral range")
	return ""
}

// Buffer is a bytes.Buffer that goroutines write and a test reads at once: a server's
// log, a process's output.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
