package host_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// eventFunc is event logic made of a func.
type eventFunc func(ctx context.Context, e event.Event) (*event.Event, error)

func (f eventFunc) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	return f(ctx, e)
}

// MustPostEvent delivers a binary-mode CloudEvent of type typ to h and returns the response.
func MustPostEvent(tb testing.TB, h http.Handler, typ, data string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest("POST", "/", strings.NewReader(data))
	req.Header.Set("Ce-Specversion", "1.0")
	req.Header.Set("Ce-Id", "evt-1")
	req.Header.Set("Ce-Source", "/test")
	req.Header.Set("Ce-Type", typ)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestEventHTTPHandler(t *testing.T) {
	h := host.EventHTTPHandler(eventFunc(func(ctx context.Context, e event.Event) (*event.Event, error) {
		switch e.Type() {
		case "reply":
			r := event.New()
			r.SetID("reply-of-" + e.ID())
			r.SetSource("/replier")
			r.SetType("replied")
			_ = r.SetData(event.ApplicationJSON, map[string]string{"got": string(e.Data())})
			return &r, nil
		case "poison":
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "data.task", "the task is missing")
		case "flaky":
			return nil, errors.New("database went away")
		}
		return nil, nil
	}))

	t.Run("Reply", func(t *testing.T) {
		w := MustPostEvent(t, h, "reply", `{"a":1}`)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "reply-of-evt-1", w.Header().Get("Ce-Id"))
		assert.Equal(t, "replied", w.Header().Get("Ce-Type"))
		assert.JSONEq(t, `{"got":"{\"a\":1}"}`, w.Body.String())
	})
	t.Run("NoReply", func(t *testing.T) {
		assert.Equal(t, http.StatusAccepted, MustPostEvent(t, h, "quiet", `{}`).Code)
	})
	t.Run("ErrPoison", func(t *testing.T) {
		w := MustPostEvent(t, h, "poison", `{}`)
		assert.Equal(t, http.StatusUnprocessableEntity, w.Code, "bad data must not be retried")
		assert.Contains(t, w.Body.String(), "data.task")
	})
	t.Run("ErrPassing", func(t *testing.T) {
		assert.Equal(t, http.StatusInternalServerError, MustPostEvent(t, h, "flaky", `{}`).Code, "a passing fault is retried")
	})
	t.Run("ErrNotAnEvent", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/", strings.NewReader("hello")))
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
	t.Run("ErrMethod", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	})
}
