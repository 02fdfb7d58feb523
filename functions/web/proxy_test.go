package function_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	function "github.com/taskwire/taskwire/functions/web"
)

// echo is an upstream that answers with its name and what it received.
func echo(tb testing.TB, name string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("ETag", `"7"`)
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprintf(w, "%s %s %s?%s auth=%s host=%s body=%s", name, r.Method, r.URL.Path, r.URL.RawQuery,
			r.Header.Get("Authorization"), r.Host, body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// MustStartWeb starts the web function with cfg and serves it.
func MustStartWeb(tb testing.TB, cfg map[string]string) *httptest.Server {
	tb.Helper()
	f := function.New()
	require.NoError(tb, f.Start(context.Background(), cfg))
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	tb.Cleanup(srv.Close)
	return srv
}

func TestProxy_Routes(t *testing.T) {
	tasks, chat := echo(t, "tasks"), echo(t, "chat")
	web := MustStartWeb(t, map[string]string{"TASKWIRE_API_URL": tasks.URL + "/", "TASKWIRE_CHAT_URL": chat.URL})
	tests := []struct{ method, path, want string }{
		{"GET", "/v1/tasks?status=all", "tasks GET /v1/tasks?status=all"},
		{"PATCH", "/v1/tasks/3", "tasks PATCH /v1/tasks/3?"},
		{"GET", "/v1/stream", "tasks GET /v1/stream?"},
		{"POST", "/v1/dev/token", "tasks POST /v1/dev/token?"},
		{"GET", "/api/ada/tasks", "tasks GET /api/ada/tasks?"},
		{"POST", "/v1/chat", "chat POST /v1/chat?"},
		{"GET", "/v1/conversations", "chat GET /v1/conversations?"},
		{"GET", "/v1/conversations/x/messages", "chat GET /v1/conversations/x/messages?"},
		{"POST", "/api/ada/chat", "chat POST /api/ada/chat?"},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, web.URL+tt.path, strings.NewReader(`{"a":1}`))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer tok")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, http.StatusTeapot, resp.StatusCode, "the upstream's status")
			assert.Equal(t, `"7"`, resp.Header.Get("ETag"), "the upstream's headers")
			assert.True(t, strings.HasPrefix(string(body), tt.want), "got %q, want it to start with %q", body, tt.want)
			assert.Contains(t, string(body), "auth=Bearer tok")
			assert.Contains(t, string(body), `body={"a":1}`)
		})
	}
	t.Run("HostIsTheUpstreams", func(t *testing.T) {
		resp, err := http.Get(web.URL + "/v1/tasks")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(body), "host="+strings.TrimPrefix(tasks.URL, "http://"), "Knative routes by Host")
	})
	t.Run("PageStaysHere", func(t *testing.T) {
		resp, err := http.Get(web.URL + "/")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	})
}

func TestProxy_ChatDefaultsToAPI(t *testing.T) {
	tasks := echo(t, "tasks")
	web := MustStartWeb(t, map[string]string{"TASKWIRE_API_URL": tasks.URL})
	resp, err := http.Post(web.URL+"/v1/chat", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.True(t, strings.HasPrefix(string(body), "tasks POST /v1/chat"), "got %q", body)
}

// TestProxy_Streams shows that an event stream is passed on event by event: the upstream
// sends its second event only after the client has read the first through the proxy, so
// a proxy that buffered would never deliver either.
func TestProxy_Streams(t *testing.T) {
	read := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "id: 1\ndata: one\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-read:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "id: 2\ndata: two\n\n")
	}))
	t.Cleanup(upstream.Close)
	web := MustStartWeb(t, map[string]string{"TASKWIRE_API_URL": upstream.URL})

	resp, err := http.Get(web.URL + "/v1/stream")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	assert.Equal(t, "id: 1", lines.Text())
	close(read)
	var rest []string
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	assert.Equal(t, []string{"data: one", "", "id: 2", "data: two", ""}, rest)
}

// A stream passed on outlives the server's write timeout, which func's runtime sets to
// 30 s: it would be cut, and the page would reconnect, every 30 s.
func TestProxy_StreamOutlivesWriteTimeout(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "id: %d\ndata: x\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(400 * time.Millisecond)
		}
	}))
	t.Cleanup(upstream.Close)
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{"TASKWIRE_API_URL": upstream.URL}))
	web := httptest.NewUnstartedServer(http.HandlerFunc(f.Handle))
	web.Config.WriteTimeout = 300 * time.Millisecond
	web.Start()
	t.Cleanup(web.Close)

	resp, err := http.Get(web.URL + "/v1/stream")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "the stream ended early")
	assert.Equal(t, 3, strings.Count(string(b), "data: x"), "got %q", b)
}

// A stream passed on ends when the function's shutdown begins (its Start context is
// done), so that the drain does not wait for it.
func TestProxy_StreamsEndAtShutdown(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "id: 1\ndata: one\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(upstream.Close)
	f := function.New()
	ctx, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	require.NoError(t, f.Start(ctx, map[string]string{"TASKWIRE_API_URL": upstream.URL}))
	web := httptest.NewServer(http.HandlerFunc(f.Handle))
	t.Cleanup(web.Close)

	resp, err := http.Get(web.URL + "/v1/stream")
	require.NoError(t, err)
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	ended := make(chan struct{})
	go func() {
		for lines.Scan() {
		}
		close(ended)
	}()
	shutdown()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the start of the shutdown")
	}
}

func TestProxy_UpstreamDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	web := MustStartWeb(t, map[string]string{"TASKWIRE_API_URL": down.URL})
	resp, err := http.Get(web.URL + "/v1/tasks")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.NotContains(t, string(body), strings.TrimPrefix(down.URL, "http://"), "where the API lives is the log's, not the page's")
}
