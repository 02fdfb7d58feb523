// Package function is the tasks function: Taskwire's REST API for tasks, tags and user
// settings, served as an instanced Knative function (invoke: http).
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
	app atomic.Pointer[app.App]
}

// New returns the tasks function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// Start opens the database and the token verifier from cfg, the environment.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	f.app.Store(a)
	return nil
}

// Stop closes the database pool.
func (f *Function) Stop(ctx context.Context) error {
	if a := f.app.Swap(nil); a != nil {
		a.Close()
	}
	return nil
}

// Ready reports whether Start has finished.
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
