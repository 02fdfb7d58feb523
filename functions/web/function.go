// Package function is the web function: Taskwire's browser app, a page with plain HTML,
// CSS and JavaScript modules embedded in the binary and served with content-hashed,
// long-cached URLs, precompressed with brotli and gzip. It holds no data and opens no
// database: the page talks to the API at TASKWIRE_API_URL (unset: the origin that served
// the page, as in the whole app, which mounts this function at /).
package function

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function serves the web app once Start has prepared its assets.
type Function struct {
	site atomic.Pointer[Site]
}

// New returns the web function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// NewWithAPI returns the web function ready at once, its page talking to the API at
// apiURL ("" for the origin that serves the page); the whole app mounts it this way.
func NewWithAPI(apiURL string) (*Function, error) {
	s, err := NewSite(apiURL)
	if err != nil {
		return nil, err
	}
	f := &Function{}
	f.site.Store(s)
	return f, nil
}

// Start hashes and compresses the assets for the API origin in TASKWIRE_API_URL.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	s, err := NewSite(cfg["TASKWIRE_API_URL"])
	if err != nil {
		return err
	}
	f.site.Store(s)
	return nil
}

// Stop has nothing to release.
func (f *Function) Stop(ctx context.Context) error {
	return nil
}

// Ready reports whether the assets are prepared.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.site.Load() != nil, nil
}

// Alive reports that the function can serve.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return true, nil
}

// Handle serves the page and its assets.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	s := f.site.Load()
	if s == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting"))
		return
	}
	s.ServeHTTP(w, r)
}
