// Package host serves an instanced Knative function the way the Knative func Go runtime
// does, so the same function code runs under make run, in tests and in a cluster: it
// listens on LISTEN_ADDRESS (else PORT), answers /health/readiness and /health/liveness,
// runs Start while already serving, routes every other request to Handle, and on shutdown
// drains in-flight requests before calling Stop. For the event functions, which are HTTP
// functions as well, it also holds what their Handle is made of: EventHTTPHandler, which
// answers a CloudEvent delivery as a Knative subscriber does, and RequireDeliveryToken,
// the check of a delivery's OIDC token; a function uses them itself, so they hold under
// func's own runtime too.
//
// It holds no function logic and no signal handling: the caller wires SIGTERM and SIGINT
// to the context it passes to Serve.
package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Handler is an HTTP function: Handle(w, r), as in the func Go template with invoke: http.
type Handler interface {
	Handle(w http.ResponseWriter, r *http.Request)
}

// Starter is a function with a Start hook, given the environment as configuration.
// Serve runs Start while already serving; the function is not ready until Start returns nil.
// ctx is cancelled when the shutdown begins, before requests drain, so resources that
// requests use are released in Stop, not on ctx.
type Starter interface {
	Start(ctx context.Context, cfg map[string]string) error
}

// Stopper is a function with a Stop hook, called once in-flight requests have drained,
// and only if Start (when there is one) returned nil.
type Stopper interface {
	Stop(ctx context.Context) error
}

// ReadinessReporter reports readiness; Serve asks it once Start has returned nil.
type ReadinessReporter interface {
	Ready(ctx context.Context) (bool, error)
}

// LivenessReporter reports liveness.
type LivenessReporter interface {
	Alive(ctx context.Context) (bool, error)
}

const (
	defaultPort         = "8080"
	defaultDrainTimeout = 10 * time.Second
	readHeaderTimeout   = 10 * time.Second
	// readTimeout bounds reading a whole request, its body included, as the func runtime
	// does (30 s): without it a client that sent a body a byte at a time held its
	// connection, and its file descriptor, for good, on any route, signed in or not. A
	// live stream, which reads nothing after its request, outlives it.
	readTimeout = 30 * time.Second
	// writeTimeout bounds a request from its headers to the end of its answer, as func's
	// runtime (knative.dev/func-go) does, so that what is cut in a cluster is cut here
	// too: each handler answers within 25 s (chat's and reminders' bounds), and a live
	// stream lifts the bound for itself.
	writeTimeout = 30 * time.Second
	idleTimeout  = 120 * time.Second
)

// Options tune Serve; the zero value serves like the func runtime.
type Options struct {
	// Env is the configuration handed to Start and read for the listen address;
	// nil reads the process environment.
	Env map[string]string
	// Listener is the listener to serve on, closed by Serve; nil listens on
	// LISTEN_ADDRESS, else ":"+PORT, else ":8080".
	Listener net.Listener
	// DrainTimeout is how long in-flight requests may finish after ctx is done, and
	// again how long Stop may take; zero or less means 10s.
	DrainTimeout time.Duration
	// Logger receives the host's log lines; nil means slog.Default().
	Logger *slog.Logger
	// OnListen, if set, is called once with the bound address before serving starts.
	OnListen func(addr net.Addr)
}

// Serve runs f until ctx is done: it listens, serves /health/readiness and
// /health/liveness from Ready and Alive, runs Start(ctx, env) while already serving,
// routes every other request to Handle, and on ctx done stops accepting, drains in-flight
// requests, then calls Stop. It returns nil on a clean shutdown, and the wrapped error if
// Start fails, the server fails, the drain times out or Stop fails.
func Serve(ctx context.Context, f any, opts Options) error {
	env := opts.Env
	if env == nil {
		env = Env()
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}

	fn, ok := f.(Handler)
	if !ok {
		return errors.New("function has no Handle method of a known shape")
	}
	drain := opts.DrainTimeout
	if drain <= 0 {
		drain = defaultDrainTimeout
	}

	ln := opts.Listener
	if ln == nil {
		addr := listenAddress(env)
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}

	h := &host{f: f, handle: fn.Handle, log: log}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("function listening", "address", ln.Addr().String())
	if opts.OnListen != nil {
		opts.OnListen(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// Start gets its own context so that it is cancelled however Serve ends.
	startCtx, cancelStart := context.WithCancel(ctx)
	defer cancelStart()
	started := make(chan error, 1)
	go func() {
		if s, ok := f.(Starter); ok {
			release := holdGC()
			defer release()
			started <- s.Start(startCtx, maps.Clone(env))
			return
		}
		started <- nil
	}()

	var errs []error
	startPending, startOK := true, false
wait:
	for {
		select {
		case err := <-started:
			startPending, started = false, nil
			if err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				// The shutdown cancelled Start, whose return won the race with ctx.Done
				// below: a cancelled start, as when it is awaited after the drain.
				log.Info("start function cancelled", "error", err)
				break wait
			}
			if err != nil {
				log.Error("start function", "error", err)
				errs = append(errs, fmt.Errorf("start function: %w", err))
				break wait
			}
			startOK = true
			h.started.Store(true)
			log.Info("function started")
		case err := <-served:
			log.Error("serve", "error", err)
			errs = append(errs, fmt.Errorf("serve: %w", err))
			break wait
		case <-ctx.Done():
			log.Info("function stopping", "drain_timeout", drain.String())
			break wait
		}
	}

	// Stop accepting, then let in-flight requests finish.
	drainCtx, cancelDrain := context.WithTimeout(context.WithoutCancel(ctx), drain)
	err := srv.Shutdown(drainCtx)
	cancelDrain()
	if err != nil {
		_ = srv.Close()
		log.Error("drain requests", "error", err)
		errs = append(errs, fmt.Errorf("drain requests: %w", err))
	}

	// A Start still running when the shutdown began is cancelled and awaited, so that Stop
	// never runs beside it.
	if startPending {
		cancelStart()
		timer := time.NewTimer(drain)
		select {
		case err := <-started:
			switch {
			case err == nil:
				startOK = true
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				log.Info("start function cancelled", "error", err)
			default:
				log.Error("start function", "error", err)
				errs = append(errs, fmt.Errorf("start function: %w", err))
			}
		case <-timer.C:
			err := fmt.Errorf("start function: did not return within %s of the shutdown", drain)
			log.Error("start function", "error", err)
			errs = append(errs, err)
		}
		timer.Stop()
	}

	if s, ok := f.(Stopper); ok && startOK {
		stopCtx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), drain)
		err := s.Stop(stopCtx)
		cancelStop()
		if err != nil {
			log.Error("stop function", "error", err)
			errs = append(errs, fmt.Errorf("stop function: %w", err))
		}
	}
	if len(errs) == 0 {
		log.Info("function stopped")
	}
	return errors.Join(errs...)
}

// Env returns the process environment as a map.
func Env() map[string]string {
	env := make(map[string]string)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// listenAddress returns LISTEN_ADDRESS, else ":"+PORT, else ":8080".
func listenAddress(env map[string]string) string {
	if addr := env["LISTEN_ADDRESS"]; addr != "" {
		return addr
	}
	if port := env["PORT"]; port != "" {
		return ":" + port
	}
	return ":" + defaultPort
}

// startHeapLimit bounds the memory a process may take while the garbage collector is
// held off for a start (see holdGC); beyond it the collector runs after all.
const startHeapLimit = 64 << 20

// gcHold is the garbage collector's setting from before the first of the process's
// starting functions held it off (a process serves one function; a test may serve several).
var gcHold struct {
	sync.Mutex
	starting int   // functions now starting
	percent  int   // GOGC before
	limit    int64 // GOMEMLIMIT before
}

// holdGC turns the garbage collector off, up to startHeapLimit, until every function
// that called it has called the func it returned. A start's garbage (connections made,
// schemas and manifests read) outgrows the runtime's first 4 MB goal, and collecting it
// during the start, which stops the world, cost the whole app a tenth of its start time
// here; once the start is over, the first allocation past the goal collects it, after
// readiness.
func holdGC() (release func()) {
	gcHold.Lock()
	defer gcHold.Unlock()
	if gcHold.starting == 0 {
		gcHold.percent = debug.SetGCPercent(-1)
		gcHold.limit = debug.SetMemoryLimit(-1) // a negative limit only reads it
		debug.SetMemoryLimit(min(gcHold.limit, startHeapLimit))
	}
	gcHold.starting++
	return sync.OnceFunc(func() {
		gcHold.Lock()
		defer gcHold.Unlock()
		if gcHold.starting--; gcHold.starting == 0 {
			debug.SetMemoryLimit(gcHold.limit)
			debug.SetGCPercent(gcHold.percent)
		}
	})
}
