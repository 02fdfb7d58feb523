package host

import (
	"context"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
)

// The health paths the func runtime reserves; every other path goes to the function.
const (
	readinessPath = "/health/readiness"
	livenessPath  = "/health/liveness"
)

// host is the http.Handler in front of one function.
type host struct {
	f       any
	handle  http.HandlerFunc
	log     *slog.Logger
	started atomic.Bool // Start has returned nil
}

// ServeHTTP answers the health paths itself and routes everything else to the function,
// or answers 503 while Start is still running.
func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case readinessPath:
		h.probe(w, r, "readiness", h.ready, "READY", "NOT READY")
	case livenessPath:
		h.probe(w, r, "liveness", h.alive, "ALIVE", "NOT ALIVE")
	default:
		if !h.started.Load() {
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusServiceUnavailable, "the function is starting")
			return
		}
		h.serveFunction(w, r)
	}
}

// ready is false until Start has returned nil, then the function's own answer, if any.
func (h *host) ready(ctx context.Context) (bool, error) {
	if !h.started.Load() {
		return false, nil
	}
	if rr, ok := h.f.(ReadinessReporter); ok {
		return rr.Ready(ctx)
	}
	return true, nil
}

// alive is the function's own answer, if any, else true.
func (h *host) alive(ctx context.Context) (bool, error) {
	if lr, ok := h.f.(LivenessReporter); ok {
		return lr.Alive(ctx)
	}
	return true, nil
}

// probe answers a health check with 200 and up, or 503 and down when check says false or
// fails.
func (h *host) probe(w http.ResponseWriter, r *http.Request, name string, check func(context.Context) (bool, error), up, down string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	ok, err := check(r.Context())
	if err != nil {
		h.log.Warn("health check failed", "check", name, "error", err)
	}
	status, body := http.StatusOK, up
	if !ok || err != nil {
		status, body = http.StatusServiceUnavailable, down
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// serveFunction calls Handle and survives its panics: it logs the panic with its stack
// and answers 500 if nothing was written yet, or aborts the response otherwise so that the
// client does not take a truncated response for a whole one.
func (h *host) serveFunction(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if rec == http.ErrAbortHandler {
			panic(rec) // the handler's own request to abort; net/http handles it quietly
		}
		h.log.Error("function panicked",
			"panic", rec, "method", r.Method, "path", r.URL.Path, "stack", string(debug.Stack()))
		if tw.wrote {
			panic(http.ErrAbortHandler)
		}
		clear(w.Header())
		writeProblem(w, http.StatusInternalServerError, "the function failed")
	}()
	h.handle(tw, r)
}

// trackingWriter notes whether the response has begun. It keeps http.Flusher for streams
// and unwraps for http.ResponseController.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

// WriteHeader records that the response began unless code is informational.
func (w *trackingWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records that the response began.
func (w *trackingWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Flush sends what is buffered, which begins the response.
func (w *trackingWriter) Flush() {
	w.wrote = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *trackingWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// writeProblem answers status with an application/problem+json body.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	problem.WriteDetails(w, problem.Details{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   codes[status],
	})
}

// codes names the statuses the host answers by itself.
var codes = map[int]string{
	http.StatusServiceUnavailable:  taskwire.EUNAVAILABLE,
	http.StatusInternalServerError: taskwire.EINTERNAL,
	http.StatusMethodNotAllowed:    "method_not_allowed",
}
