// Package function is the tasks function: Taskwire's REST API for tasks, tags, user
// settings, notifications and live changes, served as an instanced Knative function
// (invoke: http). With K_SINK set it also relays its outbox to that broker.
package function

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function serves the tasks API once Start has opened the database.
type Function struct {
	app   atomic.Pointer[app.App]
	owned bool // Start opened the app, so Stop closes it
	bg    *app.Background
}

// New returns the tasks function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{owned: true}
}

// NewWithApp returns the tasks function on an app opened by its caller (the whole-app
// bundle), ready at once; the caller relays events and closes the app.
func NewWithApp(a *app.App) *Function {
	f := &Function{}
	f.app.Store(a)
	return f
}

// Start opens the database and the token verifier from cfg, the environment, and starts
// the outbox relay when K_SINK is set.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if !f.owned {
		return nil
	}
	sink, err := app.SinkFromEnv(cfg) // a malformed setting stops the start before anything opens
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	a.EndStreamsWhenDone(ctx)
	f.bg = app.StartSinkRelay(sink, a.DB)
	f.app.Store(a)
	return nil
}

// Stop stops the relay and closes the database pool it opened.
func (f *Function) Stop(ctx context.Context) error {
	if !f.owned {
		return nil
	}
	if f.bg != nil {
		f.bg.Stop()
	}
	if a := f.app.Swap(nil); a != nil {
		a.Close()
	}
	return nil
}

// Ready reports whether the function can serve.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.app.Load() != nil, nil
}

// Alive reports that the function can serve.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return true, nil
}

// Handle serves one request of the tasks API.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	a := f.app.Load()
	if a == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting"))
		return
	}
	a.API.ServeHTTP(w, r)
}
