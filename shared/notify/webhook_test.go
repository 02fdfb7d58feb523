package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestWebhookSender_Send(t *testing.T) {
	body := []byte(`{"type":"reminder.due","data":{"title":"Water the plants"}}`)

	t.Run("OK", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		secret := taskwire.NewWebhookSecret()
		sender := notify.NewWebhookSender(true)
		require.NoError(t, sender.Send(context.Background(), notify.Webhook{URL: rcv.URL, Secret: secret, ID: "evt-1", Body: body}))

		got := rcv.Requests()
		require.Len(t, got, 1)
		assert.Equal(t, http.StatusOK, got[0].Status)
		assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
		assert.Equal(t, "evt-1", got[0].Header.Get(notify.HeaderID))
		assert.JSONEq(t, string(body), string(got[0].Body))
		require.NoError(t, notify.Verify(secret, got[0].Header, got[0].Body), "the receiver verifies the signature with the user's secret")
	})

	t.Run("Flaky", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		rcv.FailNext(2)
		sender := notify.NewWebhookSender(true)
		start := time.Now()
		require.NoError(t, sender.Send(context.Background(), notify.Webhook{URL: rcv.URL, Secret: taskwire.NewWebhookSecret(), ID: "evt-2", Body: body}))
		elapsed := time.Since(start)

		got := rcv.Requests()
		require.Len(t, got, 3, "got %d tries, want 3 (two failures, then success)", len(got))
		assert.Equal(t, []int{500, 500, 200}, statuses(got))
		for _, r := range got {
			assert.Equal(t, "evt-2", r.Header.Get(notify.HeaderID), "got a webhook-id that changes between tries, want it stable")
		}
		assert.GreaterOrEqual(t, elapsed, 600*time.Millisecond, "got tries %v apart in all, want backoff of 0.2 s then 0.4 s", elapsed)
	})

	t.Run("ErrDown", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		rcv.FailNext(-1)
		sender := notify.NewWebhookSender(true)
		sender.Backoff = 10 * time.Millisecond
		err := sender.Send(context.Background(), notify.Webhook{URL: rcv.URL, Secret: taskwire.NewWebhookSecret(), ID: "evt-3", Body: body})
		require.Error(t, err)
		assert.False(t, notify.IsPermanent(err), "got a permanent error for a failing receiver, want a temporary one: %v", err)
		assert.Len(t, rcv.Requests(), 3, "got %d tries, want 3", len(rcv.Requests()))
	})

	// A receiver's URL often carries a token; the error, which is logged, names the
	// receiver without it.
	t.Run("ErrDownKeepsTheTokenOutOfTheError", func(t *testing.T) {
		addr := MustNewReceiver(t).URL
		sender := notify.NewWebhookSender(false)
		sender.Attempts = 1
		err := sender.Send(context.Background(), notify.Webhook{URL: addr + "/hook?token=SECRETQ", Secret: taskwire.NewWebhookSecret(), ID: "evt-3b", Body: body})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "/hook")
		assert.NotContains(t, err.Error(), "SECRETQ")
		assert.True(t, notify.IsPermanent(err), "a refused address stays permanent: %v", err)
	})

	t.Run("ErrRedirect", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		redirect := httptest.NewServer(http.RedirectHandler(rcv.URL, http.StatusTemporaryRedirect))
		t.Cleanup(redirect.Close)
		sender := notify.NewWebhookSender(true)
		sender.Attempts = 1
		err := sender.Send(context.Background(), notify.Webhook{URL: redirect.URL, Secret: taskwire.NewWebhookSecret(), ID: "evt-4", Body: body})
		require.Error(t, err)
		assert.Empty(t, rcv.Requests(), "got the redirect followed, want it refused")
	})

	t.Run("ErrBlocked", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		sender := notify.NewWebhookSender(false)
		start := time.Now()
		err := sender.Send(context.Background(), notify.Webhook{URL: rcv.URL, Secret: taskwire.NewWebhookSecret(), ID: "evt-5", Body: body})
		require.Error(t, err)
		assert.ErrorIs(t, err, notify.ErrBlockedAddress)
		assert.True(t, notify.IsPermanent(err), "got %v, want a permanent error", err)
		assert.Less(t, time.Since(start), 150*time.Millisecond, "got a refused address retried, want it given up at once")
		assert.Empty(t, rcv.Requests())
	})

	t.Run("ErrPermanent", func(t *testing.T) {
		sender := notify.NewWebhookSender(true)
		for _, w := range []notify.Webhook{
			{URL: "ftp://example.com/hook", Secret: taskwire.NewWebhookSecret(), ID: "evt-6"},
			{URL: "/relative", Secret: taskwire.NewWebhookSecret(), ID: "evt-6"},
			{URL: "https://example.com/hook", Secret: "not-a-secret!", ID: "evt-6"},
		} {
			err := sender.Send(context.Background(), w)
			assert.True(t, notify.IsPermanent(err), "webhook %+v: got %v, want a permanent error", w, err)
		}
	})

	t.Run("ErrCanceled", func(t *testing.T) {
		rcv := MustNewReceiver(t)
		rcv.FailNext(-1)
		sender := notify.NewWebhookSender(true)
		sender.Backoff = time.Hour
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err := sender.Send(ctx, notify.Webhook{URL: rcv.URL, Secret: taskwire.NewWebhookSecret(), ID: "evt-7", Body: body})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// Receiver is a webhook endpoint for tests that records every request.
type Receiver struct {
	URL string

	mu       sync.Mutex
	failures int // requests still to answer 500; negative: all
	requests []ReceivedWebhook
}

// ReceivedWebhook is one request a Receiver answered.
type ReceivedWebhook struct {
	Header http.Header
	Body   []byte
	Status int
}

// MustNewReceiver starts a Receiver on a loopback port, stopped at cleanup.
func MustNewReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	rcv := &Receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rcv.mu.Lock()
		status := http.StatusOK
		if rcv.failures != 0 {
			status = http.StatusInternalServerError
			if rcv.failures > 0 {
				rcv.failures--
			}
		}
		rcv.requests = append(rcv.requests, ReceivedWebhook{Header: r.Header.Clone(), Body: body, Status: status})
		rcv.mu.Unlock()
		w.WriteHeader(status)
	}))
	tb.Cleanup(srv.Close)
	rcv.URL = srv.URL + "/hooks/taskwire"
	return rcv
}

// FailNext makes the receiver answer the next n requests with 500; n < 0: every request
// until FailNext(0).
func (r *Receiver) FailNext(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = n
}

// Requests returns the requests received so far.
func (r *Receiver) Requests() []ReceivedWebhook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ReceivedWebhook(nil), r.requests...)
}

// Delivered returns the requests answered 2xx.
func (r *Receiver) Delivered() []ReceivedWebhook {
	var out []ReceivedWebhook
	for _, req := range r.Requests() {
		if req.Status/100 == 2 {
			out = append(out, req)
		}
	}
	return out
}

func statuses(reqs []ReceivedWebhook) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}

// decodePayload decodes a reminder webhook's body.
func decodePayload(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	require.NoError(tb, json.Unmarshal(body, &m), "webhook body %s", body)
	return m
}
