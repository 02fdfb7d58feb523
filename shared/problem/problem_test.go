package problem_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// captureLog sends the default logger's records to a buffer for the rest of the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

// Each error answers with its status and code; what the user is not to see (an internal
// error's text, an unavailable dependency's own words) goes only to the log, and a
// request's own mistakes are not logged at all.
func TestWrite(t *testing.T) {
	cause := errors.New("FATAL: too many connections for role (SQLSTATE 53300)")
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		detail     string
		retryAfter string
		log        string // the level logged, "" for none
	}{
		{"Invalid", taskwire.FieldErrorf(taskwire.EINVALID, "title", "title is required"), 422, "title is required", "", ""},
		{"Internal", cause, 500, "internal error", "", "level=ERROR"},
		{"Unavailable", fmt.Errorf("find tasks: %w: %w", taskwire.Errorf(taskwire.EUNAVAILABLE, "try again"), cause), 503, "try again", "1", "level=WARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logged := captureLog(t)
			w := httptest.NewRecorder()
			problem.Write(w, httptest.NewRequest(http.MethodGet, "/v1/tasks", nil), tc.err)

			require.Equal(t, tc.status, w.Code)
			assert.Equal(t, problem.ContentType, w.Header().Get("Content-Type"))
			assert.Equal(t, tc.retryAfter, w.Header().Get("Retry-After"))
			var d problem.Details
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
			assert.Equal(t, tc.detail, d.Detail)
			assert.NotContains(t, w.Body.String(), "SQLSTATE", "the cause is not shown to the user")
			if tc.log == "" {
				assert.Empty(t, logged.String())
				return
			}
			assert.Contains(t, logged.String(), tc.log)
			assert.Contains(t, logged.String(), "SQLSTATE 53300", "the cause is logged")
		})
	}
}

// A failure of a request its client ended is logged as info, not as an error: nothing is
// wrong with the server.
func TestWrite_ClientWentAway(t *testing.T) {
	logged := captureLog(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w := httptest.NewRecorder()
	problem.Write(w, httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/chat", nil), fmt.Errorf("chat: %w", context.Canceled))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, logged.String(), "level=INFO")
	assert.NotContains(t, logged.String(), "level=ERROR")
}

// Extension members stand beside the standard ones, which they cannot replace.
func TestDetails_Extensions(t *testing.T) {
	d := problem.Details{Type: "t", Title: "Bad Gateway", Status: 502, Detail: "the model failed", Code: "upstream",
		Extensions: map[string]any{"conversation_id": "c1", "status": 200}}
	b, err := json.Marshal(d)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "c1", got["conversation_id"])
	assert.Equal(t, float64(502), got["status"])
	assert.Equal(t, "the model failed", got["detail"])

	b, err = json.Marshal(problem.Details{Status: 404, Code: "not_found"})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "Extensions")
}

// A 401 challenges the client; it names the error only when the request sent credentials
// (RFC 6750, section 3.1).
func TestWrite_Challenge(t *testing.T) {
	err := taskwire.Errorf(taskwire.EUNAUTHORIZED, "token is missing")
	w := httptest.NewRecorder()
	problem.Write(w, httptest.NewRequest(http.MethodGet, "/v1/tasks", nil), err)
	assert.Equal(t, `Bearer realm="taskwire"`, w.Header().Get("WWW-Authenticate"))

	r := httptest.NewRequest(http.MethodGet, "/v1/tasks", nil)
	r.Header.Set("Authorization", "Bearer expired")
	w = httptest.NewRecorder()
	problem.Write(w, r, taskwire.Errorf(taskwire.EUNAUTHORIZED, "token is expired"))
	assert.Equal(t, `Bearer realm="taskwire", error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
}
