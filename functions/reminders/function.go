// Package function is the reminders function: woken by the minute's PingSource tick, its
// own follow-up ticks and task changes, it fires each due reminder on time as one
// dev.taskwire.reminder.due.v1 event (and, at the tick, sends the daily summaries due as
// dev.taskwire.summary.due.v1), served as an instanced Knative function
// (invoke: http) that checks each delivery's OIDC token itself. The timing lives in
// shared/remind, the claims in shared/postgres.
package function

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/remind"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function fires reminders once it has a database.
type Function struct {
	state      atomic.Pointer[state]
	deliveries host.Deliveries // what Handle serves, once Start set it up
}

// state is what Start (or NewWithDB) provides.
type state struct {
	bg        *app.Background // the outbox relay to K_SINK, when Start opened the database
	db        *postgres.DB
	owned     bool // opened by Start, so closed by Stop
	reminders *postgres.ReminderService
	handler   *remind.Handler
}

// New returns the reminders function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// NewWithDB returns the reminders function on an open pool, ready at once, for the whole
// app that shares one pool among its parts; Stop leaves the pool open.
func NewWithDB(db *postgres.DB) *Function {
	f := &Function{}
	f.state.Store(newState(db, false))
	return f
}

func newState(db *postgres.DB, owned bool) *state {
	reminders := postgres.NewReminderService(db)
	return &state{db: db, owned: owned, reminders: reminders, handler: remind.NewHandler(reminders)}
}

// Start sets up the delivery check (EVENTS_OIDC_ISSUER, EVENTS_OIDC_AUDIENCE) and opens
// the database from cfg, the environment, unless a pool was given.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if err := f.deliveries.Start(ctx, cfg, f); err != nil {
		return err
	}
	if f.state.Load() != nil {
		return nil
	}
	sink, err := app.SinkFromEnv(cfg) // a malformed setting stops the start before anything opens
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(cfg, app.DataDir(cfg)))
	if err != nil {
		return err
	}
	s := newState(db, true)
	if !f.state.CompareAndSwap(nil, s) {
		db.Close()
		return nil
	}
	// Fired reminders are announced through the outbox.
	s.bg = app.StartSinkRelay(sink, db)
	return nil
}

// Stop lets go of the reminders this process claimed and did not fire (the events
// delivered again find them free at once), and closes the database pool that Start
// opened.
func (f *Function) Stop(ctx context.Context) error {
	s := f.state.Load()
	if s == nil {
		return nil
	}
	if _, err := s.reminders.Release(ctx); err != nil {
		slog.WarnContext(ctx, "reminders not released: they are free once their leases end", "err", err)
	}
	if s.owned && f.state.CompareAndSwap(s, nil) {
		if s.bg != nil {
			s.bg.Stop()
		}
		s.db.Close()
	}
	return nil
}

// Ready reports whether the function has its database.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.state.Load() != nil, nil
}

// Alive reports that the function can serve.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return true, nil
}

// Handle serves one CloudEvent delivered over HTTP, as a Knative Trigger sends it: with
// EVENTS_OIDC_ISSUER set it first checks the delivery's bearer token (401 without a valid
// one), then answers as host.EventHTTPHandler does with HandleEvent. Before Start it
// answers 503, which the broker retries.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	f.deliveries.ServeHTTP(w, r)
}

// HandleEvent serves one event: a ping, a follow-up tick or a task change fires what
// falls due within the request's budget; the reply, when there is one, is a follow-up
// tick that keeps the chain going while something falls due before the next ping. The
// whole app calls it in process.
func (f *Function) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	s := f.state.Load()
	if s == nil {
		return nil, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting")
	}
	return s.handler.Handle(ctx, e)
}
