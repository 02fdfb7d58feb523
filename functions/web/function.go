// Package function is the web function: Taskwire's browser app, a page with plain HTML,
// CSS and JavaScript modules embedded in the binary and served with content-hashed,
// long-cached URLs, precompressed with brotli and gzip. It holds no data and opens no
// database. The page calls the API on its own origin: in the whole app, which mounts this
// function at /, the API is there; alone, the function forwards the API's paths to
// TASKWIRE_API_URL (the tasks function) and TASKWIRE_CHAT_URL (the chat function).
package function

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Function serves the web app once Start has prepared its assets.
type Function struct {
	site  atomic.Pointer[Site]
	proxy *Proxy // set by Start before site; nil when the API is on this origin
}

// New returns the web function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// NewWithAPI returns the web function ready at once. With apiURL "" (the whole app) it
// serves the page alone, the API being on the same origin; otherwise it forwards the
// API's paths there, as Start does with TASKWIRE_API_URL.
func NewWithAPI(apiURL string) (*Function, error) {
	f := &Function{}
	if err := f.Start(context.Background(), map[string]string{"TASKWIRE_API_URL": apiURL}); err != nil {
		return nil, err
	}
	return f, nil
}

// Start prepares the assets, and the forwarding of the API's paths to TASKWIRE_API_URL
// (and of the assistant's to TASKWIRE_CHAT_URL, else the same) when it is set.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if cfg["TASKWIRE_API_URL"] != "" {
		p, err := NewProxy(cfg["TASKWIRE_API_URL"], cfg["TASKWIRE_CHAT_URL"])
		if err != nil {
			return err
		}
		p.Ending = ctx
		f.proxy = p
	} else if cfg["TASKWIRE_CHAT_URL"] != "" {
		return errors.New("web: TASKWIRE_CHAT_URL needs TASKWIRE_API_URL")
	}
	s, err := NewSite()
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

// Handle serves the page and its assets, and forwards the API's paths when the API is
// elsewhere.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	s := f.site.Load()
	if s == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting"))
		return
	}
	if f.proxy != nil && Serves(r.URL.Path) {
		f.proxy.ServeHTTP(w, r)
		return
	}
	s.ServeHTTP(w, r)
}
