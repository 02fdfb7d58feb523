package host_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/host/hosttest"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 5 * time.Second

// handlerOnly is a function with Handle and nothing else.
type handlerOnly struct {
	handle func(w http.ResponseWriter, r *http.Request)
}

func (f *handlerOnly) Handle(w http.ResponseWriter, r *http.Request) { f.handle(w, r) }

// lifecycle is a function with every hook; a nil field means the hook succeeds.
type lifecycle struct {
	handle func(w http.ResponseWriter, r *http.Request)
	start  func(ctx context.Context, cfg map[string]string) error
	stop   func(ctx context.Context) error
	ready  func(ctx context.Context) (bool, error)
	alive  func(ctx context.Context) (bool, error)
}

func (f *lifecycle) Handle(w http.ResponseWriter, r *http.Request) {
	if f.handle == nil {
		_, _ = io.WriteString(w, "handled")
		return
	}
	f.handle(w, r)
}

func (f *lifecycle) Start(ctx context.Context, cfg map[string]string) error {
	if f.start == nil {
		return nil
	}
	return f.start(ctx, cfg)
}

func (f *lifecycle) Stop(ctx context.Context) error {
	if f.stop == nil {
		return nil
	}
	return f.stop(ctx)
}

func (f *lifecycle) Ready(ctx context.Context) (bool, error) {
	if f.ready == nil {
		return true, nil
	}
	return f.ready(ctx)
}

func (f *lifecycle) Alive(ctx context.Context) (bool, error) {
	if f.alive == nil {
		return true, nil
	}
	return f.alive(ctx)
}

// server is a running Serve.
type server struct {
	URL    string
	cancel context.CancelFunc
	done   chan error
}

// MustServe runs host.Serve on f in the background, listening on a free loopback port
// unless opts.Env says otherwise, and returns once it listens. Cleanup cancels it.
func MustServe(tb testing.TB, f any, opts host.Options) *server {
	tb.Helper()
	if opts.Env == nil {
		opts.Env = map[string]string{"LISTEN_ADDRESS": "127.0.0.1:0"}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	listening := make(chan net.Addr, 1)
	opts.OnListen = func(addr net.Addr) { listening <- addr }

	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- host.Serve(ctx, f, opts) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(waitTimeout):
			tb.Errorf("Serve did not return within %s of cleanup", waitTimeout)
		}
	})

	select {
	case addr := <-listening:
		s.URL = "http://" + addr.String()
	case err := <-s.done:
		s.done <- err
		// A Start that fails at once ends Serve soon after it listened: both channels are
		// ready, and select picks either.
		select {
		case addr := <-listening:
			s.URL = "http://" + addr.String()
		default:
			tb.Fatalf("Serve returned before listening: %v", err)
		}
	case <-time.After(waitTimeout):
		tb.Fatalf("Serve did not listen within %s", waitTimeout)
	}
	return s
}

// Stop cancels Serve's context and returns what Serve returned.
func (s *server) Stop(tb testing.TB) error {
	tb.Helper()
	s.cancel()
	return s.Wait(tb)
}

// MustBeReady waits until the function's Start has returned and readiness answers 200:
// Serve listens, and answers other paths 503, before then.
func (s *server) MustBeReady(tb testing.TB) {
	tb.Helper()
	require.Eventually(tb, func() bool {
		resp, _ := MustGet(tb, s.URL+"/health/readiness")
		return resp.StatusCode == http.StatusOK
	}, waitTimeout, 5*time.Millisecond, "the function never became ready")
}

// Wait returns what Serve returned, failing if it does not return in time.
func (s *server) Wait(tb testing.TB) error {
	tb.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for cleanup
		return err
	case <-time.After(waitTimeout):
		tb.Fatalf("Serve did not return within %s", waitTimeout)
		return nil
	}
}

// MustDo sends a request with a fresh connection and returns the response and its body.
func MustDo(tb testing.TB, method, url string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(tb, err)
	client := &http.Client{
		Timeout:   waitTimeout,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp, string(body)
}

// MustGet is MustDo with GET.
func MustGet(tb testing.TB, url string) (*http.Response, string) {
	tb.Helper()
	return MustDo(tb, http.MethodGet, url)
}

// receive waits for a value on ch.
func receive[T any](tb testing.TB, ch <-chan T) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		tb.Fatalf("nothing received within %s", waitTimeout)
		var zero T
		return zero
	}
}

// recorder records the order of events from several goroutines.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func TestServe_Starting(t *testing.T) {
	release := make(chan struct{})
	cfgs := make(chan map[string]string, 1)
	f := &handlerOnlyWithStart{
		handlerOnly: handlerOnly{handle: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "handled "+r.URL.Path)
		}},
		start: func(ctx context.Context, cfg map[string]string) error {
			cfgs <- cfg
			<-release
			return nil
		},
	}
	env := map[string]string{"LISTEN_ADDRESS": "127.0.0.1:0", "DATABASE_URL": "postgres://x"}
	s := MustServe(t, f, host.Options{Env: env})

	t.Run("ReadinessBeforeStart", func(t *testing.T) {
		resp, body := MustGet(t, s.URL+"/health/readiness")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "NOT READY", body)
	})
	t.Run("LivenessBeforeStart", func(t *testing.T) {
		resp, body := MustGet(t, s.URL+"/health/liveness")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "ALIVE", body)
	})
	t.Run("RequestBeforeStart", func(t *testing.T) {
		resp, body := MustGet(t, s.URL+"/tasks")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the function is starting","code":"unavailable"}`, body)
	})

	close(release)
	require.Eventually(t, func() bool {
		resp, _ := MustGet(t, s.URL+"/health/readiness")
		return resp.StatusCode == http.StatusOK
	}, waitTimeout, 10*time.Millisecond, "readiness never became 200 after Start returned")

	t.Run("ReadinessAfterStart", func(t *testing.T) {
		resp, body := MustGet(t, s.URL+"/health/readiness")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "READY", body)
	})
	t.Run("HeadReadiness", func(t *testing.T) {
		resp, body := MustDo(t, http.MethodHead, s.URL+"/health/readiness")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Empty(t, body)
	})
	t.Run("PostReadiness", func(t *testing.T) {
		resp, _ := MustDo(t, http.MethodPost, s.URL+"/health/readiness")
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
	})
	t.Run("RequestAfterStart", func(t *testing.T) {
		resp, body := MustGet(t, s.URL+"/tasks")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "handled /tasks", body)
	})
	t.Run("StartGotEnv", func(t *testing.T) {
		assert.Equal(t, env, receive(t, cfgs))
	})

	require.NoError(t, s.Stop(t))
}

// handlerOnlyWithStart has Handle and Start but no Ready, Alive or Stop.
type handlerOnlyWithStart struct {
	handlerOnly
	start func(ctx context.Context, cfg map[string]string) error
}

func (f *handlerOnlyWithStart) Start(ctx context.Context, cfg map[string]string) error {
	return f.start(ctx, cfg)
}

func TestServe_Reporters(t *testing.T) {
	tests := []struct {
		name       string
		f          *lifecycle
		path       string
		wantStatus int
		wantBody   string
	}{
		{
			name:       "NotReady",
			f:          &lifecycle{ready: func(context.Context) (bool, error) { return false, nil }},
			path:       "/health/readiness",
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "NOT READY",
		},
		{
			name:       "ReadyError",
			f:          &lifecycle{ready: func(context.Context) (bool, error) { return true, errors.New("pool closed") }},
			path:       "/health/readiness",
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "NOT READY",
		},
		{
			name:       "NotAlive",
			f:          &lifecycle{alive: func(context.Context) (bool, error) { return false, nil }},
			path:       "/health/liveness",
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "NOT ALIVE",
		},
		{
			name:       "AliveError",
			f:          &lifecycle{alive: func(context.Context) (bool, error) { return true, errors.New("stuck") }},
			path:       "/health/liveness",
			wantStatus: http.StatusServiceUnavailable,
			wantBody:   "NOT ALIVE",
		},
		{
			name:       "ReadyAndAlive",
			f:          &lifecycle{},
			path:       "/health/readiness",
			wantStatus: http.StatusOK,
			wantBody:   "READY",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustServe(t, tt.f, host.Options{})
			// Start returns at once; wait until a request reaches Handle.
			require.Eventually(t, func() bool {
				resp, _ := MustGet(t, s.URL+"/")
				return resp.StatusCode == http.StatusOK
			}, waitTimeout, 10*time.Millisecond)

			resp, body := MustGet(t, s.URL+tt.path)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantBody, body)
		})
	}
}

func TestServe_StartError(t *testing.T) {
	errBoom := errors.New("boom")
	stopped := false
	f := &lifecycle{
		start: func(context.Context, map[string]string) error { return errBoom },
		stop:  func(context.Context) error { stopped = true; return nil },
	}
	s := MustServe(t, f, host.Options{})

	err := s.Wait(t)
	require.Error(t, err)
	assert.ErrorIs(t, err, errBoom)
	assert.Contains(t, err.Error(), "start function: boom")
	assert.False(t, stopped, "Stop was called after a failed Start")
}

func TestServe_Drain(t *testing.T) {
	var rec recorder
	entered := make(chan struct{})
	release := make(chan struct{})
	f := &lifecycle{
		handle: func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			_, _ = io.WriteString(w, "finished")
			rec.add("request finished")
		},
		stop: func(ctx context.Context) error {
			_, hasDeadline := ctx.Deadline()
			assert.True(t, hasDeadline, "Stop's context has no deadline")
			assert.NoError(t, ctx.Err(), "Stop's context is already done")
			rec.add("stop")
			return nil
		},
	}
	s := MustServe(t, f, host.Options{DrainTimeout: waitTimeout})
	s.MustBeReady(t)

	type result struct {
		status int
		body   string
	}
	results := make(chan result, 1)
	go func() {
		resp, err := http.Get(s.URL + "/slow")
		if err != nil {
			results <- result{status: -1, body: err.Error()}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		results <- result{status: resp.StatusCode, body: string(body)}
	}()
	receive(t, entered)

	s.cancel()
	// The listener closes at once: new connections are refused while the request drains.
	addr := strings.TrimPrefix(s.URL, "http://")
	require.Eventually(t, func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		_ = conn.Close()
		return false
	}, waitTimeout, 10*time.Millisecond, "new connections still accepted after the stop signal")
	assert.Empty(t, rec.list(), "Stop ran before the in-flight request finished")

	close(release)
	got := receive(t, results)
	assert.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, "finished", got.body)
	require.NoError(t, s.Wait(t))
	assert.Equal(t, []string{"request finished", "stop"}, rec.list())
}

func TestServe_DrainTimeout(t *testing.T) {
	var rec recorder
	entered := make(chan struct{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := &lifecycle{
		handle: func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
		},
		stop: func(context.Context) error { rec.add("stop"); return nil },
	}
	s := MustServe(t, f, host.Options{DrainTimeout: 50 * time.Millisecond})
	s.MustBeReady(t)
	go func() {
		if resp, err := http.Get(s.URL + "/stuck"); err == nil {
			_ = resp.Body.Close()
		}
	}()
	receive(t, entered)

	err := s.Stop(t)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "drain requests")
	assert.Equal(t, []string{"stop"}, rec.list(), "Stop was not called after the drain timed out")
}

func TestServe_StopDuringStart(t *testing.T) {
	startCancelled := make(chan struct{})
	stopped := false
	f := &lifecycle{
		start: func(ctx context.Context, _ map[string]string) error {
			<-ctx.Done()
			close(startCancelled)
			return ctx.Err()
		},
		stop: func(context.Context) error { stopped = true; return nil },
	}
	s := MustServe(t, f, host.Options{})

	require.NoError(t, s.Stop(t))
	receive(t, startCancelled)
	assert.False(t, stopped, "Stop was called although Start never succeeded")
}

// A start's garbage is left for after the start: the collector is off from Start's call
// to its return, while another function of the process starts and finishes beside it
// too, and is back as it was once both have started.
func TestServe_NoCollectionDuringStart(t *testing.T) {
	// An earlier test's cancelled Start may still be returning, its hold on the collector
	// not yet released (the setting off, -1): the setting to restore is the one after it.
	require.Eventually(t, func() bool { return gcPercent() != -1 }, 5*time.Second, time.Millisecond,
		"a start of an earlier test still holds the collector off")
	before := gcPercent()
	runtime.GC() // so that no collection is under way, or due, when Start begins
	goal := heapGoal()
	secondStarted := make(chan struct{})
	type seen struct {
		percentAtStart, percentAtEnd int
		collections                  uint32
	}
	inStart := make(chan seen, 1)
	first := &lifecycle{start: func(ctx context.Context, _ map[string]string) error {
		var s seen
		s.percentAtStart = gcPercent()
		s.collections = allocate(goal + 4<<20)
		select {
		case <-secondStarted:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.percentAtEnd = gcPercent()
		inStart <- s
		return nil
	}}
	a := MustServe(t, first, host.Options{})
	b := MustServe(t, &lifecycle{}, host.Options{})
	b.MustBeReady(t)
	close(secondStarted)
	a.MustBeReady(t)

	s := receive(t, inStart)
	assert.Equal(t, -1, s.percentAtStart, "the collector was on when Start began")
	assert.Zero(t, s.collections, "the heap was collected %d times during Start", s.collections)
	assert.Equal(t, -1, s.percentAtEnd, "the collector came back on when the other function had started")
	assert.Equal(t, before, gcPercent(), "the collector's setting was not restored after the starts")
}

// gcPercent returns the garbage collector's setting (GOGC), -1 when it is off.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// heapGoal returns the heap size past which the collector runs next.
func heapGoal() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// allocate allocates, and drops, n bytes, and returns how many collections ran meanwhile.
func allocate(n uint64) uint32 {
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	before := stats.NumGC
	for allocated := uint64(0); allocated < n; allocated += 64 << 10 {
		sink = make([]byte, 64<<10)
	}
	runtime.ReadMemStats(&stats)
	return stats.NumGC - before
}

// sink keeps allocate's allocations from being optimised away.
var sink []byte

func TestServe_ListenAddress(t *testing.T) {
	ok := &handlerOnly{handle: func(w http.ResponseWriter, r *http.Request) {}}

	t.Run("LISTEN_ADDRESS", func(t *testing.T) {
		addr := hosttest.FreeAddr(t)
		s := MustServe(t, ok, host.Options{Env: map[string]string{"LISTEN_ADDRESS": addr, "PORT": "1"}})
		assert.Equal(t, "http://"+addr, s.URL)

		resp, _ := MustGet(t, "http://"+addr+"/health/liveness")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
	t.Run("PORT", func(t *testing.T) {
		_, port, err := net.SplitHostPort(hosttest.FreeAddr(t))
		require.NoError(t, err)
		s := MustServe(t, ok, host.Options{Env: map[string]string{"PORT": port}})
		assert.True(t, strings.HasSuffix(s.URL, ":"+port), "got %s, want port %s", s.URL, port)

		resp, _ := MustGet(t, "http://127.0.0.1:"+port+"/health/liveness")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestServe_Panic(t *testing.T) {
	var logs hosttest.Buffer
	f := &handlerOnly{handle: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			w.Header().Set("Content-Type", "text/csv")
			panic("handler bug")
		}
		_, _ = io.WriteString(w, "fine")
	}}
	s := MustServe(t, f, host.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	s.MustBeReady(t)

	resp, body := MustGet(t, s.URL+"/panic")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the function failed","code":"internal"}`, body)
	assert.Contains(t, logs.String(), "handler bug")
	assert.Contains(t, logs.String(), "goroutine", "the log has no stack")

	resp, body = MustGet(t, s.URL+"/after")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "fine", body)
}

func TestServe_NoHandle(t *testing.T) {
	tests := []struct {
		name string
		f    any
	}{
		{name: "Struct", f: struct{}{}},
		{name: "Nil", f: nil},
		{name: "WrongShape", f: func(w http.ResponseWriter, r *http.Request) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := host.Serve(context.Background(), tt.f, host.Options{Env: map[string]string{"LISTEN_ADDRESS": "127.0.0.1:0"}})
			require.Error(t, err)
			assert.Equal(t, "function has no Handle method of a known shape", err.Error())
		})
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("TASKWIRE_HOST_TEST", "a=b")
	assert.Equal(t, "a=b", host.Env()["TASKWIRE_HOST_TEST"])
}
