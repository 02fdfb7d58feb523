// Package hosttest helps test event functions as Knative delivers to them: a local OpenID
// Connect issuer for delivery tokens, and CloudEvents posted to a handler.
package hosttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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
