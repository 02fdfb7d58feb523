// Package function is the whole of Taskwire as one Knative function: every HTTP function
// of functions/ served on one port, sharing one process.
package function

import (
	"context"
	"net/http"

	tasks "github.com/taskwire/taskwire/functions/tasks"
)

// Function is the whole app.
type Function struct {
	tasks *tasks.Function
}

// New returns the whole app; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{tasks: tasks.New()}
}

// Start starts every part with cfg, the environment.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	return f.tasks.Start(ctx, cfg)
}

// Stop stops every part.
func (f *Function) Stop(ctx context.Context) error {
	return f.tasks.Stop(ctx)
}

// Ready reports whether every part is ready.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.tasks.Ready(ctx)
}

// Alive reports whether every part is alive.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return f.tasks.Alive(ctx)
}

// Handle routes a request to the part that serves its path.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	f.tasks.Handle(w, r)
}
