package function_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	web "github.com/taskwire/taskwire/functions/web"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// e2eDir holds the browser tests' script and npm packages; their output (screenshots,
// first-load measurements) goes to e2eDir/out, which git ignores.
const e2eDir = "functions/web/e2e"

// MustStartApp starts the whole app on the test database and serves it on a free port.
func MustStartApp(tb testing.TB, cfg map[string]string) string {
	tb.Helper()
	return MustStartAppServer(tb, cfg).URL
}

// MustStartAppServer is MustStartApp returning the server, whose connections a test may
// close.
func MustStartAppServer(tb testing.TB, cfg map[string]string) *httptest.Server {
	tb.Helper()
	full := map[string]string{"DATABASE_URL": postgrestest.URL(tb), "TASKWIRE_DATA_DIR": tb.TempDir()}
	for k, v := range cfg {
		full[k] = v
	}
	f := function.New()
	require.NoError(tb, f.Start(context.Background(), full))
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	tb.Cleanup(func() {
		srv.CloseClientConnections() // the page's live streams
		srv.Close()
		_ = f.Stop(context.Background())
	})
	return srv
}

// TestWeb_Mounted checks that the whole app serves the web app at / and the API beside it.
func TestWeb_Mounted(t *testing.T) {
	base := MustStartApp(t, nil)
	for path, want := range map[string]string{
		"/":              "text/html; charset=utf-8",
		"/index.html":    "text/html; charset=utf-8",
		"/assets/app.js": "text/javascript; charset=utf-8",
		"/v1/tasks":      "application/problem+json", // 401 without a token
		"/api/x/tasks":   "application/problem+json",
	} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.Header.Get("Content-Type"), path)
	}
	resp, err := http.Post(base+"/v1/dev/token", "application/json", strings.NewReader(`{"name":"web"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the development issuer's sign-in route")
}

// TestWeb_Alone checks the web function on its own in front of the whole app: it serves
// the page and forwards the API, so that the page's same-origin calls reach the API.
func TestWeb_Alone(t *testing.T) {
	api := MustStartApp(t, nil)
	page, err := web.NewWithAPI(api)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(page.Handle))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))

	resp, err = http.Post(srv.URL+"/v1/dev/token", "application/json", strings.NewReader(`{"name":"alone"}`))
	require.NoError(t, err)
	var tok struct{ Token string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.NotEmpty(t, tok.Token)

	req, err := http.NewRequest("GET", srv.URL+"/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var me struct{ ID string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&me))
	resp.Body.Close()
	assert.Equal(t, "alone", me.ID)
}

// TestWeb_Browser runs the browser tests (functions/web/e2e/run.mjs) in Debian's headless
// Chromium against the whole app: sign-in, quick add, the form, live changes and
// reminders through the event flow, filters, chat, accessibility, storage, a page of
// another origin calling the API, phone width, and the first load's weight and time. It is skipped, saying why, without Chromium or
// the npm packages (make web-deps installs both).
func TestWeb_Browser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium, _ = exec.LookPath("chromium")
	}
	node, _ := exec.LookPath("node")
	_, pkgErr := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core"))
	switch {
	case chromium == "":
		t.Skip("Chromium is not available: browser tests skipped (make web-deps installs Debian's chromium)")
	case node == "":
		t.Skip("node is not available: browser tests skipped")
	case pkgErr != nil:
		t.Skipf("the e2e npm packages are missing: browser tests skipped (make web-deps runs npm ci in %s)", e2eDir)
	}

	cfg, chat := browserChat(t)
	// A page of another origin, as a hackathon client's is: the app lets this origin's
	// pages call it, and the same page at "localhost" (another origin again) is refused.
	client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>A client of another origin</title>")
	}))
	t.Cleanup(client.Close)
	cfg["CORS_ALLOWED_ORIGINS"] = client.URL
	srv := MustStartAppServer(t, cfg)
	base := srv.URL
	out, err := filepath.Abs(filepath.Join(e2eDir, "out"))
	require.NoError(t, err)

	// A passing run took about four minutes alone on this machine's PVM days
	// (2026-12-06), and over five beside the other packages' tests under make test, where
	// five minutes cut it short at the 72nd scenario, all passed; each failing scenario
	// adds the 20 s its waits give up after, and a run cut short reports none of what
	// failed. The bound only keeps a hung browser from holding CI.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "run.mjs")
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "TASKWIRE_URL="+base, "CHROMIUM="+chromium, "OUT_DIR="+out,
		"CLIENT_URL="+client.URL, "OTHER_CLIENT_URL="+strings.Replace(client.URL, "127.0.0.1", "localhost", 1))
	if chat {
		cmd.Env = append(cmd.Env, "CHAT_SCRIPTED=1")
	}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	var failed []string
	for lines.Scan() {
		line := lines.Text()
		t.Log(line)
		if line == "DROP CONNECTIONS" {
			srv.CloseClientConnections() // the page's live stream ends; it must resume
		}
		if strings.HasPrefix(line, "not ok") {
			failed = append(failed, line)
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	assert.Empty(t, failed)
	require.NoError(t, err, "the browser tests failed; screenshots of failures are in %s", out)
}

// browserChat starts a scripted model for the chat scenario and returns the configuration
// that points the app's assistant at it: asked anything, the model adds the task "Book the
// dentist" with the add_task tool when asked about the dentist, then says so; anything
// else it answers in words.
func browserChat(tb testing.TB) (map[string]string, bool) {
	tb.Helper()
	model := openaitest.New(tb)
	model.Handle(func(r openaitest.Request) openaitest.Reply {
		switch {
		case !strings.Contains(r.LastUser(), "dentist"):
			return openaitest.Text("You are welcome.")
		case len(r.ToolResults()) == 0:
			return openaitest.Call("add_task", `{"title": "Book the dentist", "priority": "high", "tags": ["health"]}`)
		}
		return openaitest.Text("I added “Book the dentist” as a high-priority task tagged health.")
	})
	return map[string]string{"OPENAI_BASE_URL": model.BaseURL(), "OPENAI_API_KEY": "scripted", "OPENAI_MODEL": "scripted"}, true
}
