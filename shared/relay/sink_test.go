package relay_test

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/relay"
)

func TestSinkSender(t *testing.T) {
	t.Run("OKAfterRetries", func(t *testing.T) {
		sink := newSink(t, http.StatusServiceUnavailable, http.StatusBadGateway)
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{Overrides: `{"extensions":{"cluster":"test-1"}}`})
		require.NoError(t, err)
		e := newEvent(t)

		require.NoError(t, s.Send(context.Background(), e))
		reqs := sink.requests()
		require.Len(t, reqs, 3, "got %d attempts, want 2 refusals then success", len(reqs))
		got := reqs[2]
		assert.Equal(t, http.MethodPost, got.method)
		// Binary mode: attributes in Ce-* headers, the data as the body.
		assert.Equal(t, "1.0", got.header.Get("Ce-Specversion"))
		assert.Equal(t, e.ID(), got.header.Get("Ce-Id"))
		assert.Equal(t, e.Source(), got.header.Get("Ce-Source"))
		assert.Equal(t, e.Type(), got.header.Get("Ce-Type"))
		assert.Equal(t, e.Subject(), got.header.Get("Ce-Subject"))
		at, err := time.Parse(time.RFC3339Nano, got.header.Get("Ce-Time"))
		require.NoError(t, err, "Ce-Time %q", got.header.Get("Ce-Time"))
		assert.True(t, e.Time().Equal(at))
		assert.Equal(t, "test-1", got.header.Get("Ce-Cluster"), "the K_CE_OVERRIDES extension")
		assert.Equal(t, event.ApplicationJSON, got.header.Get("Content-Type"))
		assert.JSONEq(t, string(e.Data()), string(got.body))
		for _, r := range reqs {
			assert.Equal(t, e.ID(), r.header.Get("Ce-Id"), "every attempt sends the same event")
			assert.JSONEq(t, string(e.Data()), string(r.body))
		}
		assert.Empty(t, e.Extensions(), "the caller's event is left as it was")
	})

	// In a cluster with OIDC on, a SinkBinding mounts the broker's token, renewed in
	// place, and K_CA_CERTS names the certificate of an https broker address.
	t.Run("OKTokenFileAndCACerts", func(t *testing.T) {
		sink := newTLSSink(t)
		certs := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sink.Certificate().Raw}))
		file := filepath.Join(t.TempDir(), "token")
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{CACerts: certs, TokenFile: file})
		require.NoError(t, err)

		require.NoError(t, s.Send(context.Background(), newEvent(t)), "no token file yet: OIDC is off")
		require.NoError(t, os.WriteFile(file, []byte("first.jwt\n"), 0o600))
		require.NoError(t, s.Send(context.Background(), newEvent(t)))
		require.NoError(t, os.WriteFile(file, []byte("renewed.jwt"), 0o600))
		require.NoError(t, s.Send(context.Background(), newEvent(t)))
		reqs := sink.requests()
		require.Len(t, reqs, 3)
		assert.Empty(t, reqs[0].header.Get("Authorization"))
		assert.Equal(t, "Bearer first.jwt", reqs[1].header.Get("Authorization"))
		assert.Equal(t, "Bearer renewed.jwt", reqs[2].header.Get("Authorization"), "the file is read for each send")

		untrusting, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.ErrorContains(t, untrusting.Send(ctx, newEvent(t)), "certificate", "without K_CA_CERTS the sink's certificate is unknown")

		_, err = relay.NewSinkSender(sink.URL, relay.SinkConfig{CACerts: "not a certificate"})
		assert.ErrorContains(t, err, "K_CA_CERTS")
	})

	t.Run("OKWithoutOverrides", func(t *testing.T) {
		sink := newSink(t)
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{})
		require.NoError(t, err)
		require.NoError(t, s.Send(context.Background(), newEvent(t)))
		require.Len(t, sink.requests(), 1)
		for name := range sink.requests()[0].header {
			assert.Contains(t, []string{"Ce-Id", "Ce-Source", "Ce-Type", "Ce-Subject", "Ce-Time", "Ce-Specversion", "Content-Type"},
				name, "got header %s, which the event does not call for", name)
		}
	})

	t.Run("ErrRefused", func(t *testing.T) {
		sink := newSink(t, http.StatusBadRequest)
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{})
		require.NoError(t, err)
		err = s.Send(context.Background(), newEvent(t))
		assert.ErrorIs(t, err, relay.ErrRefused, "a 400 refuses the event for good")
		assert.Len(t, sink.requests(), 1, "a 400 is not retried")
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		sink := newSink(t, http.StatusForbidden)
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{})
		require.NoError(t, err)
		err = s.Send(context.Background(), newEvent(t))
		require.Error(t, err)
		assert.NotErrorIs(t, err, relay.ErrRefused, "a 403 is the sink's to fix, not the event's")
	})

	t.Run("ErrUnavailable", func(t *testing.T) {
		sink := newSink(t, 503, 503, 503, 503, 503, 503, 503)
		s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{})
		require.NoError(t, err)
		err = s.Send(context.Background(), newEvent(t))
		require.Error(t, err)
		assert.NotErrorIs(t, err, relay.ErrRefused, "a busy sink may take the event later")
		assert.Len(t, sink.requests(), 1+relay.SendRetries)
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		sink := httptest.NewServer(http.NotFoundHandler())
		url := sink.URL
		sink.Close()
		s, err := relay.NewSinkSender(url, relay.SinkConfig{})
		require.NoError(t, err)
		assert.Error(t, s.Send(context.Background(), newEvent(t)))
	})

	t.Run("ErrConfig", func(t *testing.T) {
		for _, tt := range []struct{ name, sink, overrides string }{
			{"NoSink", "", ""},
			{"RelativeSink", "/broker", ""},
			{"NotHTTP", "ftp://broker.example/", ""},
			{"OverridesNotJSON", "http://broker.example/", "{"},
			{"OverridesUnknownMember", "http://broker.example/", `{"extension":{"a":"b"}}`},
			{"OverridesBadName", "http://broker.example/", `{"extensions":{"not-valid":"b"}}`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := relay.NewSinkSender(tt.sink, relay.SinkConfig{Overrides: tt.overrides})
				assert.Error(t, err)
			})
		}
	})
}

// TestRelayToSink publishes the outbox to an HTTP sink end to end.
func TestRelayToSink(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	sink := newSink(t, http.StatusServiceUnavailable)
	s, err := relay.NewSinkSender(sink.URL, relay.SinkConfig{Overrides: `{"extensions":{"taskwirecluster":"local"}}`})
	require.NoError(t, err)
	stop := MustRun(t, relay.New(db.Pool, s, relay.Options{}))
	task := MustCreateTask(t, ctx, postgres.NewTaskService(db), "to the broker")
	waitFor(t, func() bool { return countPending(t, db, user) == 0 }, "the row published")
	stop()

	var got []request
	for _, r := range sink.requests() {
		if r.header.Get("Ce-Subject") == task.ID.String() && r.status/100 == 2 {
			got = append(got, r)
		}
	}
	require.Len(t, got, 1, "the event is acknowledged once")
	assert.Equal(t, events.TypeTaskCreated, got[0].header.Get("Ce-Type"))
	assert.Equal(t, "local", got[0].header.Get("Ce-Taskwirecluster"))
	assert.Contains(t, string(got[0].body), `"title":"to the broker"`)
}

// sink is a test broker: it answers the given statuses in turn, then 202, and keeps
// every request.
type sink struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	reqs     []request
}

type request struct {
	method string
	header http.Header
	body   []byte
	status int
}

func newSink(tb testing.TB, statuses ...int) *sink {
	return startSink(tb, false, statuses...)
}

// newTLSSink starts a sink on https, under a certificate of its own.
func newTLSSink(tb testing.TB) *sink {
	return startSink(tb, true)
}

func startSink(tb testing.TB, https bool, statuses ...int) *sink {
	s := &sink{statuses: statuses}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		status := http.StatusAccepted
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		h := http.Header{}
		for name, v := range r.Header {
			if len(name) > 3 && name[:3] == "Ce-" || name == "Content-Type" || name == "Authorization" {
				h[name] = v
			}
		}
		s.reqs = append(s.reqs, request{method: r.Method, header: h, body: body, status: status})
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	if https {
		s.StartTLS()
	} else {
		s.Start()
	}
	tb.Cleanup(s.Close)
	return s
}

func (s *sink) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

func newEvent(tb testing.TB) event.Event {
	tb.Helper()
	e := event.New()
	e.SetID(uuid.NewString())
	e.SetSource(events.SourceTasks)
	e.SetType(events.TypeTaskCreated)
	e.SetSubject(uuid.NewString())
	e.SetTime(time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC))
	require.NoError(tb, e.SetData(event.ApplicationJSON, []byte(`{"user_id":"u","task":{"title":"x"},"changes":{}}`)))
	return e
}
