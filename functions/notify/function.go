// Package function is the notify function: it turns each reminder.due event into an
// in-app notification, a signed webhook and an email, served as an instanced Knative
// function (invoke: http) that checks each delivery's OIDC token itself. The logic lives
// in shared/notify; this package wires it.
package function

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function handles reminder.due events once Start (or NewWithDB) has set it up.
type Function struct {
	state      atomic.Pointer[state]
	deliveries host.Deliveries // what Handle serves, once Start set it up
}

type state struct {
	handler *notify.Handler
	db      *postgres.DB // closed by Stop when the function opened it
	ownsDB  bool
}

// New returns the notify function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// NewWithDB returns the notify function ready on db, which the caller keeps and closes,
// configured by cfg (notify.ConfigFromEnv): for the whole app, where every part shares
// one pool.
func NewWithDB(db *postgres.DB, cfg notify.Config) (*Function, error) {
	h, err := newHandler(db, cfg)
	if err != nil {
		return nil, err
	}
	f := New()
	f.state.Store(&state{handler: h, db: db})
	return f, nil
}

// Start sets up the delivery check (EVENTS_OIDC_ISSUER, EVENTS_OIDC_AUDIENCE), opens the
// database (DATABASE_URL, or the local cluster) and sets up the channels from cfg, the
// environment: SMTP_URL, NOTIFY_FROM, NOTIFY_ALLOW_PRIVATE. A function made by NewWithDB
// has its database and channels already.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if err := f.deliveries.Start(ctx, cfg, f); err != nil {
		return err
	}
	if f.state.Load() != nil {
		return nil
	}
	c, err := notify.ConfigFromEnv(cfg)
	if err != nil {
		return err // before opening anything
	}
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(cfg, app.DataDir(cfg)))
	if err != nil {
		return err
	}
	h, err := newHandler(db, c)
	if err != nil {
		db.Close()
		return err
	}
	if !f.state.CompareAndSwap(nil, &state{handler: h, db: db, ownsDB: true}) {
		db.Close()
	}
	return nil
}

func newHandler(db *postgres.DB, cfg notify.Config) (*notify.Handler, error) {
	if db == nil {
		return nil, errors.New("notify: no database")
	}
	return notify.NewHandler(postgres.NewNotificationService(db), cfg)
}

// Stop closes the database pool if Start opened it.
func (f *Function) Stop(ctx context.Context) error {
	if s := f.state.Swap(nil); s != nil && s.ownsDB {
		s.db.Close()
	}
	return nil
}

// Ready reports whether the function is set up.
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

// HandleEvent delivers one reminder.due event; other events are acknowledged and ignored.
// The whole app calls it in process. Before Start has finished it is EUNAVAILABLE, which
// the broker retries.
func (f *Function) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	s := f.state.Load()
	if s == nil {
		return nil, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting")
	}
	return s.handler.Handle(ctx, e)
}
