// Package function is the recurrence function: on task.completed of a recurring task it
// creates the series' next occurrence, served as an instanced Knative function
// (invoke: http) that checks each delivery's OIDC token itself. The logic lives in
// shared/postgres (RecurrenceService) and shared/recur; this package wires them.
package function

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function handles task.completed events once Start has opened the database.
type Function struct {
	shared *postgres.DB // the whole app's pool, when NewWithDB made the function
	owned  atomic.Pointer[postgres.DB]
	svc    atomic.Pointer[postgres.RecurrenceService]
	bg     *app.Background // the outbox relay to K_SINK, when Start opened the database

	deliveries host.Deliveries // what Handle serves, once Start set it up
}

// New returns the recurrence function; the func runtime (or the project's host) calls
// Start, which opens the database.
func New() *Function {
	return &Function{}
}

// NewWithDB returns the recurrence function on a pool that the caller opened and
// closes, as the whole-app bundle shares one; it is ready at once.
func NewWithDB(db *postgres.DB) *Function {
	f := &Function{shared: db}
	f.svc.Store(postgres.NewRecurrenceService(db))
	return f
}

// Start sets up the delivery check (EVENTS_OIDC_ISSUER, EVENTS_OIDC_AUDIENCE) and opens
// (and migrates) the database from cfg, the environment, unless the function was made on
// an open pool.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if err := f.deliveries.Start(ctx, cfg, f); err != nil {
		return err
	}
	db := f.shared
	if db == nil {
		sink, err := app.SinkFromEnv(cfg) // a malformed setting stops the start before anything opens
		if err != nil {
			return err
		}
		if db, err = postgres.Open(ctx, postgres.ConfigFromEnv(cfg, app.DataDir(cfg))); err != nil {
			return err
		}
		if old := f.owned.Swap(db); old != nil {
			old.Close()
		}
		// The occurrences this function creates are announced through the outbox.
		f.bg = app.StartSinkRelay(sink, db)
	}
	f.svc.Store(postgres.NewRecurrenceService(db))
	return nil
}

// Stop closes the pool that Start opened; a shared pool is its owner's to close.
func (f *Function) Stop(ctx context.Context) error {
	f.svc.Store(nil)
	if f.bg != nil {
		f.bg.Stop()
	}
	if db := f.owned.Swap(nil); db != nil {
		db.Close()
	}
	return nil
}

// Ready reports whether Start has finished.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.svc.Load() != nil, nil
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

// HandleEvent creates the next occurrence for a task.completed event and ignores every
// other event; the whole app calls it in process. It never replies with an event: the new
// occurrence's task.created leaves through the outbox. Bad event data is EINVALID (dead
// letters); other errors are retried.
func (f *Function) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	if e.Type() != events.TypeTaskCompleted {
		return nil, nil
	}
	svc := f.svc.Load()
	if svc == nil {
		return nil, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting")
	}
	next, err := svc.HandleCompleted(ctx, e)
	if err != nil {
		return nil, err
	}
	if next != nil {
		slog.InfoContext(ctx, "next occurrence created", "event", e.ID(), "task", next.ID, "due_at", next.DueAt)
	}
	return nil, nil
}
