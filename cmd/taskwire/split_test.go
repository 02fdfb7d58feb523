package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/host/hosttest"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// splitProcs runs the split layout's processes from this test binary.
type splitProcs struct {
	tb    testing.TB
	env   []string
	extra map[string][]string
	mu    sync.Mutex
	procs map[string]*exec.Cmd
}

// MustStart starts function name as its own process and waits until it is ready.
func (s *splitProcs) MustStart(name string) {
	s.tb.Helper()
	cmd := exec.Command(os.Args[0], "serve", name)
	cmd.Env = append(append(append([]string{}, s.env...), s.extra[name]...), "TASKWIRE_TEST_RUN_MAIN=1")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if testing.Verbose() {
		cmd.Stdout, cmd.Stderr = prefixed(os.Stdout, name), prefixed(os.Stderr, name)
	}
	require.NoError(s.tb, cmd.Start())
	s.mu.Lock()
	s.procs[name] = cmd
	s.mu.Unlock()
	addr := strings.TrimPrefix(s.extra[name][0], "LISTEN_ADDRESS=")
	MustBeReady(s.tb, "http://"+addr)
}

// Kill ends function name's process at once, as a crash would.
func (s *splitProcs) Kill(name string) {
	s.mu.Lock()
	cmd := s.procs[name]
	s.mu.Unlock()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// StopAll stops every process with SIGTERM.
func (s *splitProcs) StopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cmd := range s.procs {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, cmd := range s.procs {
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
}

// freeBase picks a port offset at which every port of the split layout is free.
func freeBase(tb testing.TB) int {
	tb.Helper()
	for range 50 {
		// The ports stay below Linux's ephemeral range (32768 on): a port free now could
		// otherwise be taken, before the process binds it, by an outgoing connection of
		// another test running beside this one.
		base := 10000 + rand.IntN(14000)
		free := true
		for _, port := range splitPorts {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+base))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	tb.Fatal("no free ports for the split layout")
	return 0
}

// blockingReceiver is a webhook receiver whose first request waits until released.
type blockingReceiver struct {
	mu      sync.Mutex
	secret  string
	ids     []string
	times   []time.Time
	errs    []error
	first   chan struct{}
	release chan struct{}
}

func (br *blockingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	br.mu.Lock()
	br.ids = append(br.ids, r.Header.Get("webhook-id"))
	br.times = append(br.times, time.Now())
	br.errs = append(br.errs, notify.Verify(br.secret, r.Header, body))
	n := len(br.ids)
	br.mu.Unlock()
	if n == 1 {
		close(br.first)
		select {
		case <-br.release:
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (br *blockingReceiver) count() int {
	br.mu.Lock()
	defer br.mu.Unlock()
	return len(br.ids)
}

// TestSplit runs every function as its own process, talking CloudEvents over HTTP
// through the local broker: the reminder reaches the webhook on time; the notify process
// is killed in the middle of that delivery, and after it restarts the event is delivered
// again and nothing is lost or doubled; completing the task creates the next occurrence;
// the assistant, reached through the web function, completes that one in turn.
func TestSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts seven processes")
	}
	smtp := smtptest.NewServer(t)
	hooks := &blockingReceiver{first: make(chan struct{}), release: make(chan struct{})}
	receiver := httptest.NewServer(hooks)
	t.Cleanup(receiver.Close)
	t.Cleanup(func() {
		select {
		case <-hooks.release:
		default:
			close(hooks.release)
		}
	})

	dir := t.TempDir()
	base := freeBase(t)
	env := []string{"DATABASE_URL=" + postgrestest.URL(t), "TASKWIRE_DATA_DIR=" + dir,
		"SMTP_URL=" + smtp.URL, "NOTIFY_ALLOW_PRIVATE=true", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	layout, err := SplitEnv(base)
	require.NoError(t, err)
	procs := &splitProcs{tb: t, env: env, extra: layout, procs: map[string]*exec.Cmd{}}
	t.Cleanup(procs.StopAll)
	for _, name := range []string{"broker", "tasks", "recurrence", "reminders", "notify"} {
		procs.MustStart(name)
	}

	// The event functions run with the delivery check on: a CloudEvent posted
	// straight to one without the broker's token is refused, and nothing below gets
	// through unless the broker's tokens are accepted.
	for _, name := range []string{"recurrence", "reminders", "notify"} {
		assert.Contains(t, layout[name], "EVENTS_OIDC_AUDIENCE=taskwire-"+name, "the audience its Trigger names")
		url := fmt.Sprintf("http://127.0.0.1:%d/", splitPorts[name]+base)
		resp := MustPostEvent(t, url, "")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s: a delivery without a token", name)
		assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"), "%s: got WWW-Authenticate %q", name, resp.Header.Get("WWW-Authenticate"))
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	}

	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint(fmt.Sprintf("split-grace-%d", time.Now().UnixNano()), time.Hour)
	require.NoError(t, err)
	api := fmt.Sprintf("http://127.0.0.1:%d", splitPorts["tasks"]+base)
	resp := MustPostEvent(t, fmt.Sprintf("http://127.0.0.1:%d/", splitPorts["notify"]+base), "Bearer "+token)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a user's token is no delivery token")

	var me struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	require.NoError(t, json.Unmarshal(MustDo(t, "PATCH", api+"/v1/me", token,
		`{"webhook_url":"`+receiver.URL+`","email":"grace@example.com"}`, http.StatusOK), &me))
	hooks.mu.Lock()
	hooks.secret = me.WebhookSecret
	hooks.mu.Unlock()

	due := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	var task struct {
		ID        string `json:"id"`
		Reminders []struct {
			FireAt time.Time `json:"fire_at"`
		} `json:"reminders"`
	}
	require.NoError(t, json.Unmarshal(MustDo(t, "POST", api+"/v1/tasks", token, `{"title":"Feed the cat","due_at":"`+
		due.Format(time.RFC3339)+`","recurrence":"FREQ=DAILY","reminders":[{"before":"PT1S"}]}`, http.StatusCreated), &task))

	select {
	case <-hooks.first:
	case <-time.After(20 * time.Second):
		t.Fatal("the reminder never reached the webhook")
	}
	hooks.mu.Lock()
	late, sigErr, firstID := hooks.times[0].Sub(task.Reminders[0].FireAt), hooks.errs[0], hooks.ids[0]
	hooks.mu.Unlock()
	t.Logf("webhook arrived %s after fire_at, across four processes", late)
	require.NoError(t, sigErr)
	assert.LessOrEqual(t, late, time.Second, "a reminder reaches its webhook within one second")

	// The notify process dies in the middle of the delivery; the broker delivers again
	// once it is back.
	procs.Kill("notify")
	close(hooks.release)
	procs.MustStart("notify")
	deadline := time.Now().Add(30 * time.Second)
	for hooks.count() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.GreaterOrEqual(t, hooks.count(), 2, "the event was redelivered after the restart")
	hooks.mu.Lock()
	assert.Equal(t, firstID, hooks.ids[1], "a redelivery carries the same webhook-id, so receivers can deduplicate")
	assert.NoError(t, hooks.errs[1])
	hooks.mu.Unlock()

	var inbox struct{ Items []json.RawMessage }
	require.NoError(t, json.Unmarshal(MustDo(t, "GET", api+"/v1/notifications", token, "", http.StatusOK), &inbox))
	assert.Len(t, inbox.Items, 1, "one in-app notification, however often the event came")
	smtp.WaitMessages(t, 1, 10*time.Second)

	// Completing the task reaches the recurrence process and creates the next occurrence.
	MustDo(t, "POST", api+"/v1/tasks/"+task.ID+"/complete", token, "", http.StatusOK)
	deadline = time.Now().Add(20 * time.Second)
	var page struct {
		Items []struct {
			Number int       `json:"number"`
			DueAt  time.Time `json:"due_at"`
		} `json:"items"`
	}
	for time.Now().Before(deadline) {
		require.NoError(t, json.Unmarshal(MustDo(t, "GET", api+"/v1/tasks", token, "", http.StatusOK), &page))
		if len(page.Items) == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Len(t, page.Items, 1, "the next occurrence is open")
	assert.Equal(t, 2, page.Items[0].Number)
	assert.True(t, due.Add(24*time.Hour).Equal(page.Items[0].DueAt))

	// The page and the assistant are functions of their own too. Through the web
	// function's address, which serves the page and passes the API's paths on, the
	// assistant completes the new occurrence; the event its tool call wrote reaches
	// recurrence through the broker, and recurrence makes the third occurrence.
	model := openaitest.Start()
	t.Cleanup(model.Close)
	procs.extra["chat"] = append(procs.extra["chat"], "OPENAI_API_KEY=split", "OPENAI_BASE_URL="+model.BaseURL())
	procs.MustStart("chat")
	procs.MustStart("web")
	site := fmt.Sprintf("http://127.0.0.1:%d", splitPorts["web"]+base)
	assert.Contains(t, strings.ToLower(string(MustDo(t, "GET", site+"/", "", "", http.StatusOK))), "<html")
	model.Push(openaitest.Call("complete_task", `{"task_id": 2}`), openaitest.Text("Marked task 2 as done."))
	var reply struct {
		Response string `json:"response"`
	}
	require.NoError(t, json.Unmarshal(MustDo(t, "POST", site+"/v1/chat", token, `{"message":"mark task 2 as done"}`, http.StatusOK), &reply))
	assert.Equal(t, "Marked task 2 as done.", reply.Response)
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		require.NoError(t, json.Unmarshal(MustDo(t, "GET", site+"/v1/tasks", token, "", http.StatusOK), &page))
		if len(page.Items) == 1 && page.Items[0].Number == 3 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Len(t, page.Items, 1, "the occurrence after the one the assistant completed is open")
	assert.Equal(t, 3, page.Items[0].Number)
	assert.True(t, due.Add(48*time.Hour).Equal(page.Items[0].DueAt))
}

// MustPostEvent posts a binary-mode reminder.due CloudEvent to url with the Authorization
// header authorization (none when empty) and returns the response, its body read.
func MustPostEvent(tb testing.TB, url, authorization string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{}`))
	require.NoError(tb, err)
	req.Header.Set("Ce-Specversion", "1.0")
	req.Header.Set("Ce-Id", "direct-1")
	req.Header.Set("Ce-Source", "/test")
	req.Header.Set("Ce-Type", "dev.taskwire.reminder.due.v1")
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp
}

// A function that stops on its own stops the split, which says which one: until
// 2026-12-06 the others ran on, and nothing said the one was gone while its events piled
// up at the broker.
func TestSplit_OneStops(t *testing.T) {
	if testing.Short() {
		t.Skip("starts seven processes")
	}
	t.Setenv("TASKWIRE_TEST_RUN_MAIN", "1") // the children: this binary, as the program
	t.Setenv("DATABASE_URL", postgrestest.URL(t))
	t.Setenv("TASKWIRE_DATA_DIR", t.TempDir())
	base := freeBase(t)
	var stdout, stderr hosttest.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	var splitErr error
	done := make(chan struct{})
	go func() { splitErr = split(ctx, base, &stdout, &stderr); close(done) }()
	t.Cleanup(func() {
		cancel() // should it run on, the split stops its processes
		select {
		case <-done:
		case <-time.After(20 * time.Second):
		}
	})

	pid := regexp.MustCompile(`recurrence: pid (\d+),`)
	deadline := time.Now().Add(60 * time.Second)
	var m []string
	for m == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		m = pid.FindStringSubmatch(stdout.String())
	}
	require.NotNil(t, m, "recurrence started: %s", stdout.String())
	require.NoError(t, waitReady(context.Background(), fmt.Sprintf("http://127.0.0.1:%d", splitPorts["recurrence"]+base), 30*time.Second))
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(n, syscall.SIGKILL))

	select {
	case <-done:
		require.Error(t, splitErr)
		assert.Contains(t, splitErr.Error(), "recurrence stopped")
		assert.Contains(t, stderr.String(), "recurrence stopped (signal: killed): stopping the others")
	case <-time.After(30 * time.Second):
		t.Fatal("the split ran on without recurrence")
	}
	for name, port := range splitPorts {
		_, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port+base), time.Second)
		assert.Error(t, err, "%s still listens", name)
	}
}
