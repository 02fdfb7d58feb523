package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestStream(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		other := s.NewUser(t)
		st := mustOpenStream(t, s.URL, c.Token, "")
		assert.Equal(t, "text/event-stream", st.header.Get("Content-Type"))
		assert.Equal(t, "no-cache", st.header.Get("Cache-Control"))
		theirs := mustOpenStream(t, s.URL, other.Token, "")

		// Changes made elsewhere while the stream is open arrive in order.
		done := make(chan error, 1)
		go func() {
			done <- changeAll(s.URL, []change{
				{c.Token, http.MethodPost, "/v1/tasks", `{"title":"draft"}`, http.StatusCreated},
				{other.Token, http.MethodPost, "/v1/tasks", `{"title":"not mine"}`, http.StatusCreated},
				{c.Token, http.MethodPatch, "/v1/tasks/1", `{"title":"final"}`, http.StatusOK},
				{c.Token, http.MethodPost, "/v1/tasks/1/complete", "", http.StatusOK},
				{c.Token, http.MethodDelete, "/v1/tasks/1", "", http.StatusNoContent},
			})
		}()
		got := st.mustNext(t, 4)
		require.NoError(t, <-done)
		var created rest.TaskEvent
		require.NoError(t, json.Unmarshal([]byte(got[0].data), &created))
		task := created.Task
		require.NotNil(t, task)
		assert.Equal(t, "draft", task.Title)
		want := []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskCompleted, events.TypeTaskDeleted}
		assert.Equal(t, want, sseTypes(got))
		var last int64
		for i, e := range got {
			seq, err := strconv.ParseInt(e.id, 10, 64)
			require.NoError(t, err, "event %d: got id %q, want a number", i, e.id)
			assert.Greater(t, seq, last, "event %d: ids must increase", i)
			last = seq
			var data rest.TaskEvent
			require.NoError(t, json.Unmarshal([]byte(e.data), &data), "event %d data %s", i, e.data)
			assert.Equal(t, e.event, data.Type, "event %d: the data's type is the event's", i)
			assert.Equal(t, task.ID, data.TaskID)
			require.NotNil(t, data.Task)
			assert.Equal(t, task.ID, data.Task.ID)
			assert.False(t, data.Time.IsZero())
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(e.data), &raw))
			assert.ElementsMatch(t, []string{"id", "type", "time", "task_id", "task", "changes"}, keys(raw))
		}
		var updated rest.TaskEvent
		require.NoError(t, json.Unmarshal([]byte(got[1].data), &updated))
		assert.Equal(t, map[string]events.Change{"title": {Old: "draft", New: "final"}}, updated.Changes)

		mine := theirs.mustNext(t, 1)
		assert.Equal(t, events.TypeTaskCreated, mine[0].event)
		assert.Contains(t, mine[0].data, `"title":"not mine"`)
		st.mustNotGet(t, 300*time.Millisecond)
		theirs.mustNotGet(t, 0)
	})

	t.Run("OKResume", func(t *testing.T) {
		c := s.NewUser(t)
		first := mustOpenStream(t, s.URL, c.Token, "")
		c.MustCreateTask(t, map[string]any{"title": "one"})
		c.MustCreateTask(t, map[string]any{"title": "two"})
		c.MustCreateTask(t, map[string]any{"title": "three"})
		seen := first.mustNext(t, 3)
		first.close()

		// Reconnecting with the id of the first event replays only what came after it,
		// then continues live.
		for _, resume := range []struct{ header, query string }{{header: seen[0].id}, {query: seen[0].id}, {header: seen[0].id, query: "0"}} {
			path := ""
			if resume.query != "" {
				path = "?last_event_id=" + resume.query
			}
			st := mustOpenStreamAt(t, s.URL+"/v1/stream"+path, c.Token, resume.header)
			replayed := st.mustNext(t, 2)
			assert.Equal(t, []string{seen[1].id, seen[2].id}, sseIDs(replayed), "resume %+v", resume)
			assert.Equal(t, seen[1].data, replayed[0].data)
			st.mustNotGet(t, 100*time.Millisecond)
			st.close()
		}

		st := mustOpenStream(t, s.URL, c.Token, seen[2].id)
		c.MustCreateTask(t, map[string]any{"title": "four"})
		live := st.mustNext(t, 1)
		assert.Contains(t, live[0].data, `"title":"four"`)

		all := mustOpenStream(t, s.URL, c.Token, "0")
		assert.Len(t, all.mustNext(t, 4), 4, "Last-Event-ID 0 replays everything")
	})

	t.Run("OKFromNow", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "before the stream"})
		st := mustOpenStream(t, s.URL, c.Token, "")
		// The notification of a change committed before the stream began may arrive
		// after it did; it is not news.
		ctx := context.Background()
		before, err := s.App.Changes.Since(taskwire.NewContextWithUser(ctx, c.User), 0, 10)
		require.NoError(t, err)
		require.Len(t, before, 1)
		_, err = s.App.DB.Pool.Exec(ctx, `SELECT pg_notify($1, $2)`, postgres.OutboxChannel, c.User+" "+strconv.FormatInt(before[0].Seq, 10))
		require.NoError(t, err)
		c.MustCreateTask(t, map[string]any{"title": "after"})
		got := st.mustNext(t, 1)
		assert.Contains(t, got[0].data, `"title":"after"`, "a stream without Last-Event-ID replays nothing")
	})

	t.Run("OKLateCommit", func(t *testing.T) {
		// A transaction that took its position before another but commits after it is
		// still streamed: events go out in commit order.
		c := s.NewUser(t)
		st := mustOpenStream(t, s.URL, c.Token, "")
		ctx := context.Background()
		tx, err := s.App.DB.Pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		lateTask := uuid.New()
		var lateSeq int64
		require.NoError(t, tx.QueryRow(ctx, `
			INSERT INTO outbox (id, user_id, type, source, subject, time, data)
			VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), $5) RETURNING seq`,
			c.User, events.TypeTaskCreated, events.SourceTasks, lateTask.String(),
			`{"user_id":"`+c.User+`","task":{"id":"`+lateTask.String()+`","title":"late"},"changes":{}}`).Scan(&lateSeq))

		c.MustCreateTask(t, map[string]any{"title": "early"})
		early := st.mustNext(t, 1)
		assert.Contains(t, early[0].data, `"title":"early"`)
		require.NoError(t, tx.Commit(ctx))
		// Writers announce their rows after the commit, as this one does.
		_, err = s.App.DB.Pool.Exec(ctx, `SELECT pg_notify($1, $2)`, postgres.OutboxChannel, c.User+" "+strconv.FormatInt(lateSeq, 10))
		require.NoError(t, err)
		late := st.mustNext(t, 1)
		assert.Equal(t, strconv.FormatInt(lateSeq, 10), late[0].id)
		assert.Contains(t, late[0].data, `"title":"late"`)
		st.mustNotGet(t, 100*time.Millisecond)
	})

	t.Run("OKReminder", func(t *testing.T) {
		c, other := s.NewUser(t), s.NewUser(t)
		st := mustOpenStream(t, s.URL, c.Token, "")
		task := c.MustCreateTask(t, map[string]any{"title": "dentist"})
		st.mustNext(t, 1)
		// A reminder fires for each user, as the reminders function writes it.
		fire := func(user, taskID, title string) int64 {
			t.Helper()
			data := `{"user_id":"` + user + `","task_id":"` + taskID + `","title":"` + title +
				`","due_at":null,"remind_at":"2026-12-01T09:00:00Z"}`
			var seq int64
			require.NoError(t, s.App.DB.Pool.QueryRow(context.Background(), `
				INSERT INTO outbox (id, user_id, type, source, subject, time, data)
				VALUES (gen_random_uuid(), $1, $2, $3, gen_random_uuid()::text, now(), $4) RETURNING seq`,
				user, events.TypeReminderDue, events.SourceReminders, data).Scan(&seq))
			_, err := s.App.DB.Pool.Exec(context.Background(), `SELECT pg_notify($1, $2)`,
				postgres.OutboxChannel, user+" "+strconv.FormatInt(seq, 10))
			require.NoError(t, err)
			return seq
		}
		fire(other.User, uuid.NewString(), "not yours")
		seq := fire(c.User, task.ID.String(), "dentist")

		got := st.mustNext(t, 1)[0]
		assert.Equal(t, strconv.FormatInt(seq, 10), got.id)
		assert.Equal(t, events.TypeReminderDue, got.event)
		var ev rest.TaskEvent
		require.NoError(t, json.Unmarshal([]byte(got.data), &ev))
		assert.Equal(t, task.ID, ev.TaskID)
		assert.Nil(t, ev.Task)
		require.NotNil(t, ev.Reminder)
		assert.Equal(t, "dentist", ev.Reminder.Title)
		st.mustNotGet(t, 100*time.Millisecond)

		// A stream resumed from before it replays it too.
		again := mustOpenStream(t, s.URL, c.Token, strconv.FormatInt(seq-1, 10))
		assert.Equal(t, events.TypeReminderDue, again.mustNext(t, 1)[0].event)
	})

	t.Run("OKOneConnection", func(t *testing.T) {
		c := s.NewUser(t)
		before := listenerConnections(t, s)
		require.Positive(t, before)
		var streams []*sseClient
		for range 20 {
			streams = append(streams, mustOpenStream(t, s.URL, c.Token, ""))
		}
		assert.Equal(t, before, listenerConnections(t, s), "streams share the listener's one connection")
		c.MustCreateTask(t, map[string]any{"title": "to everyone"})
		for _, st := range streams {
			assert.Contains(t, st.mustNext(t, 1)[0].data, `"title":"to everyone"`)
		}
	})

	t.Run("OKKeepAlive", func(t *testing.T) {
		a := s.App
		srv := httptest.NewServer(rest.NewServer(rest.Deps{
			Tasks: a.Tasks, Users: a.Users, Auth: a.Verifier, Notifications: a.Notifications,
			Changes: a.Changes, Listener: a.Listener, KeepAlive: 50 * time.Millisecond,
		}))
		defer srv.Close()
		c := s.NewUser(t)
		st := mustOpenStream(t, srv.URL, c.Token, "")
		defer st.close()
		select {
		case comment := <-st.comments:
			assert.Equal(t, "keepalive", comment)
		case <-time.After(5 * time.Second):
			t.Fatal("got no keepalive comment")
		}
	})

	// A server that bounds how long reading a request may take (the func runtime's: 30 s;
	// the host's) must not end the streams it serves when that time is up.
	t.Run("OKOutlivesReadTimeout", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(s.App.API)
		srv.Config.ReadTimeout = 300 * time.Millisecond
		srv.Start()
		defer srv.Close()
		c := s.NewUser(t)
		st := mustOpenStream(t, srv.URL, c.Token, "")
		defer st.close()
		time.Sleep(time.Second)
		c.MustCreateTask(t, map[string]any{"title": "after the read timeout"})
		got := st.mustNext(t, 1)
		assert.Equal(t, []string{events.TypeTaskCreated}, sseTypes(got))
	})

	t.Run("OKListenerStops", func(t *testing.T) {
		a := s.App
		listener := postgres.NewListener(a.DB)
		srv := httptest.NewServer(rest.NewServer(rest.Deps{
			Tasks: a.Tasks, Users: a.Users, Auth: a.Verifier, Notifications: a.Notifications,
			Changes: a.Changes, Listener: listener,
		}))
		defer srv.Close()
		c := s.NewUser(t)
		st := mustOpenStream(t, srv.URL, c.Token, "")
		defer st.close()
		listener.Close()
		select {
		case <-st.ended:
		case <-time.After(5 * time.Second):
			t.Fatal("the stream did not end when the listener stopped")
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		c := s.NewUser(t)
		for _, tt := range []struct{ header, query, field string }{
			{header: "abc", field: "Last-Event-ID"},
			{header: "-1", field: "Last-Event-ID"},
			{header: "1.5", query: "last_event_id=7", field: "Last-Event-ID"},
			{query: "last_event_id=x", field: "last_event_id"},
			{query: "since=1", field: "since"},
			{query: "last_event_id=1&last_event_id=2", field: "last_event_id"},
		} {
			var headers []string
			if tt.header != "" {
				headers = []string{"Last-Event-ID", tt.header}
			}
			resp := c.Do(t, http.MethodGet, "/v1/stream?"+tt.query, nil, headers...)
			d := mustProblem(t, resp, http.StatusBadRequest, taskwire.EMALFORMED)
			assert.Equal(t, tt.field, d.Field, "%+v", tt)
		}
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/v1/stream"},
			{http.MethodGet, "/v1/changes"},
			{http.MethodGet, "/v1/tasks/1/history"},
			{http.MethodGet, "/v1/notifications"},
			{http.MethodPost, "/v1/notifications/" + "0190f5a2-7c1e-7d3a-9b2e-4f6a8c0d1e2f" + "/read"},
		} {
			resp := s.NewClient("").Do(t, r.method, r.path, nil)
			mustProblem(t, resp, http.StatusUnauthorized, taskwire.EUNAUTHORIZED)
		}
	})
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	id, event, data string
}

// sseClient reads a live stream in the background.
type sseClient struct {
	header   http.Header
	events   chan sseEvent
	comments chan string
	ended    chan struct{} // closed when the stream ends
	cancel   context.CancelFunc
}

// mustOpenStream opens GET /v1/stream on base with token, sending Last-Event-ID unless
// lastEventID is "", and closes it at the end of the test.
func mustOpenStream(t *testing.T, base, token, lastEventID string) *sseClient {
	t.Helper()
	return mustOpenStreamAt(t, base+"/v1/stream", token, lastEventID)
}

func mustOpenStreamAt(t *testing.T, url, token, lastEventID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		t.Fatalf("open stream: got status %d, want 200", resp.StatusCode)
	}
	c := &sseClient{
		header: resp.Header, events: make(chan sseEvent, 100), comments: make(chan string, 100),
		ended: make(chan struct{}), cancel: cancel,
	}
	go func() {
		defer close(c.ended)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch {
			case line == "":
				if e != (sseEvent{}) {
					select {
					case c.events <- e:
					case <-ctx.Done():
						return
					}
				}
				e = sseEvent{}
			case field == "":
				select {
				case c.comments <- value:
				default: // nobody is counting comments
				}
			case field == "id":
				e.id = value
			case field == "event":
				e.event = value
			case field == "data":
				e.data += value
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

// close hangs up.
func (c *sseClient) close() {
	c.cancel()
	<-c.ended
}

// mustNext returns the next n events, failing after a few seconds.
func (c *sseClient) mustNext(t *testing.T, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	timeout := time.After(5 * time.Second)
	for len(out) < n {
		select {
		case e := <-c.events:
			out = append(out, e)
		case <-timeout:
			t.Fatalf("got %d events within 5s, want %d: %v", len(out), n, out)
		}
	}
	return out
}

// mustNotGet fails when an event arrives within d.
func (c *sseClient) mustNotGet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-c.events:
		t.Fatalf("got event %+v, want none", e)
	case <-time.After(d):
	}
}

func sseTypes(list []sseEvent) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.event
	}
	return out
}

func sseIDs(list []sseEvent) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.id
	}
	return out
}

// listenerConnections counts the database connections that listen for outbox changes.
func listenerConnections(t *testing.T, s *resttest.Server) int {
	t.Helper()
	var n int
	require.NoError(t, s.App.DB.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'taskwire-listener'`).Scan(&n))
	return n
}

// change is a request that changes something, and the status it must get.
type change struct {
	token, method, path, body string
	status                    int
}

// changeAll sends the changes in turn with plain HTTP, so that it can run outside the
// test's goroutine, and returns the first failure.
func changeAll(base string, changes []change) error {
	for _, c := range changes {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, err := http.NewRequest(c.method, base+c.path, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			return fmt.Errorf("%s %s: got status %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, got)
		}
	}
	return nil
}

// One user may hold MaxStreamsPerUser live streams at once; the next is a 429 problem,
// another user is not affected, and closing one makes room.
func TestStream_BoundPerUser(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	streams := make([]*sseClient, rest.MaxStreamsPerUser)
	for i := range streams {
		streams[i] = mustOpenStream(t, s.URL, c.Token, "")
	}
	resp := c.Do(t, http.MethodGet, "/v1/stream", nil)
	resp.MustStatus(t, http.StatusTooManyRequests)
	assert.Equal(t, taskwire.ETOOMANY, resp.Problem(t).Code)
	mustOpenStream(t, s.URL, s.NewUser(t).Token, "")

	streams[0].close()
	// The server counts the stream closed once its handler has seen the client go.
	require.Eventually(t, func() bool {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/v1/stream", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { res.Body.Close() })
		return res.StatusCode == http.StatusOK
	}, 5*time.Second, 20*time.Millisecond)
}
