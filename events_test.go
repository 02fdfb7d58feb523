package function_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// webhookReceiver is a real HTTP receiver that verifies Standard Webhooks signatures.
type webhookReceiver struct {
	mu     sync.Mutex
	secret string
	got    []receivedHook
}

type receivedHook struct {
	at       time.Time
	id       string
	body     []byte
	verified error
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	defer wr.mu.Unlock()
	wr.got = append(wr.got, receivedHook{at: time.Now(), id: r.Header.Get("webhook-id"), body: body,
		verified: notify.Verify(wr.secret, r.Header, body)})
	w.WriteHeader(http.StatusNoContent)
}

func (wr *webhookReceiver) hooks() []receivedHook {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]receivedHook(nil), wr.got...)
}

// apiClient calls the running app as one user.
type apiClient struct {
	base, token string
}

// MustCall sends a JSON request and requires the status; it decodes the answer into out.
func (c apiClient) MustCall(tb testing.TB, method, path, body string, status int, out any) {
	tb.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(tb, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	require.Equal(tb, status, resp.StatusCode, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(tb, json.Unmarshal(raw, out))
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("timed out after %s waiting for %s", timeout, what)
}

type taskJSON struct {
	ID        string     `json:"id"`
	Number    int        `json:"number"`
	Status    string     `json:"status"`
	DueAt     *time.Time `json:"due_at"`
	SeriesID  *string    `json:"series_id"`
	Reminders []struct {
		FireAt *time.Time `json:"fire_at"`
	} `json:"reminders"`
}

// mustStartApp starts the whole app in one process, with the local broker reading
// eventing/ and cfg beside its database and data directory, and returns a client of a new
// user whose settings are the patch me (its %s the address of the returned webhook
// receiver, which verifies with the user's secret), and the database's URL.
func mustStartApp(t *testing.T, cfg map[string]string, me string) (apiClient, *webhookReceiver, string) {
	t.Helper()
	hooks := &webhookReceiver{}
	receiver := httptest.NewServer(hooks)
	t.Cleanup(receiver.Close)

	dir := t.TempDir()
	dbURL := postgrestest.URL(t)
	all := map[string]string{"DATABASE_URL": dbURL, "TASKWIRE_DATA_DIR": dir,
		"NOTIFY_FROM": "Taskwire <reminders@taskwire.test>", "NOTIFY_ALLOW_PRIVATE": "true"}
	maps.Copy(all, cfg)
	f := function.New()
	require.NoError(t, f.Start(context.Background(), all))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	t.Cleanup(srv.Close)

	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint("e2e-ada-"+strconv.FormatInt(time.Now().UnixNano(), 36), time.Hour)
	require.NoError(t, err)
	api := apiClient{base: srv.URL, token: token}

	var settings struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	api.MustCall(t, "PATCH", "/v1/me", fmt.Sprintf(me, receiver.URL), http.StatusOK, &settings)
	hooks.mu.Lock()
	hooks.secret = settings.WebhookSecret
	hooks.mu.Unlock()
	return api, hooks, dbURL
}

// TestTaskWebhooksEndToEnd runs the whole app in one process: with task_webhooks set, a
// task's creation and completion reach the user's webhook through the local broker,
// signed, each once, as does the next occurrence the completion makes.
func TestTaskWebhooksEndToEnd(t *testing.T) {
	api, hooks, _ := mustStartApp(t, nil, `{"webhook_url":"%s/hook","task_webhooks":true}`)
	var task taskJSON
	api.MustCall(t, "POST", "/v1/tasks", `{"title":"Stretch","due_at":"2030-01-01T09:00:00Z","recurrence":"FREQ=DAILY"}`,
		http.StatusCreated, &task)
	api.MustCall(t, "POST", "/v1/tasks/"+task.ID+"/complete", "", http.StatusOK, nil)

	want := []string{"task.completed #1", "task.created #1", "task.created #2"}
	waitFor(t, 15*time.Second, "the task webhooks", func() bool { return len(hooks.hooks()) >= len(want) })
	time.Sleep(300 * time.Millisecond) // anything more would have come by now
	assert.Equal(t, want, taskWebhooks(t, hooks))
}

// TestCreatedCompletedEndToEnd runs the whole app in one process: a recurring task that
// a hackathon client creates already completed ({"completed": true}) goes on to its next
// occurrence, as one completed later does; its creation and its completion are two events.
func TestCreatedCompletedEndToEnd(t *testing.T) {
	api, hooks, _ := mustStartApp(t, nil, `{"webhook_url":"%s/hook","task_webhooks":true}`)
	var me struct {
		ID string `json:"id"`
	}
	api.MustCall(t, "GET", "/v1/me", "", http.StatusOK, &me)
	var task taskJSON
	api.MustCall(t, "POST", "/api/"+me.ID+"/tasks",
		`{"title":"Water plants","due_at":"2030-01-01T09:00:00Z","recurrence":"FREQ=DAILY","completed":true}`,
		http.StatusCreated, &task)

	next := mustOnlyOpenTask(t, api)
	assert.Equal(t, 2, next.Number)
	require.NotNil(t, next.DueAt)
	assert.Equal(t, "2030-01-02T09:00:00Z", next.DueAt.UTC().Format(time.RFC3339))
	assert.Equal(t, task.SeriesID, next.SeriesID)

	want := []string{"task.completed #1", "task.created #1", "task.created #2"}
	waitFor(t, 15*time.Second, "the task webhooks", func() bool { return len(hooks.hooks()) >= len(want) })
	time.Sleep(300 * time.Millisecond) // anything more would have come by now
	assert.Equal(t, want, taskWebhooks(t, hooks))
}

// mustOnlyOpenTask waits until the user of api has exactly one open task, and returns it.
func mustOnlyOpenTask(t *testing.T, api apiClient) taskJSON {
	t.Helper()
	var only taskJSON
	waitFor(t, 15*time.Second, "the next occurrence", func() bool {
		var page struct{ Items []taskJSON }
		api.MustCall(t, "GET", "/v1/tasks?status=open", "", http.StatusOK, &page)
		if len(page.Items) == 1 {
			only = page.Items[0]
			return true
		}
		return false
	})
	return only
}

// taskWebhooks returns the task webhooks hooks received, each as "type #number", sorted;
// each must verify with the user's secret.
func taskWebhooks(t *testing.T, hooks *webhookReceiver) []string {
	t.Helper()
	var got []string
	for _, h := range hooks.hooks() {
		require.NoError(t, h.verified, "the webhook signature must verify with the user's secret")
		var p struct {
			Type string `json:"type"`
			Data struct {
				Task taskJSON `json:"task"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal(h.body, &p))
		got = append(got, fmt.Sprintf("%s #%d", p.Type, p.Data.Task.Number))
	}
	sort.Strings(got)
	return got
}

// TestDailySummaryEndToEnd runs the whole app in one process: at the minute's ping (here
// written to the outbox, as the broker's PingSource would send it) the reminders function
// sends the daily summary that is due, and notify delivers it to the user's email and
// webhook through the local broker, signed, once.
func TestDailySummaryEndToEnd(t *testing.T) {
	smtp := smtptest.NewServer(t)
	api, hooks, dbURL := mustStartApp(t, map[string]string{"SMTP_URL": smtp.URL},
		`{"webhook_url":"%s/hook","email":"ada@example.com","time_zone":"Europe/Berlin","daily_summary_at":"07:30"}`)
	var me struct {
		ID string `json:"id"`
	}
	api.MustCall(t, "GET", "/v1/me", "", http.StatusOK, &me)
	// Due an hour ago: today's or, just after midnight, overdue; in the summary either way.
	api.MustCall(t, "POST", "/v1/tasks", `{"title":"Water the plants","due_at":"`+
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`"}`, http.StatusCreated, nil)

	conn, err := pgx.Connect(context.Background(), dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `UPDATE users SET summary_next = now() - interval '1 second' WHERE id = $1`, me.ID)
	require.NoError(t, err)
	_, err = conn.Exec(context.Background(), `
		INSERT INTO outbox (id, user_id, type, source, subject, time, data)
		VALUES (gen_random_uuid(), $1, $2, '/apis/v1/namespaces/taskwire/pingsources/reminders-tick', '', now(), '{}')`,
		me.ID, events.TypePing)
	require.NoError(t, err)

	mails := smtp.WaitMessages(t, 1, 15*time.Second)
	body := string(mails[0].Data)
	assert.Contains(t, body, "Water the plants")
	assert.Contains(t, body, "Subject: Today,")
	waitFor(t, 15*time.Second, "the summary webhook", func() bool { return len(hooks.hooks()) > 0 })
	hook := hooks.hooks()[0]
	require.NoError(t, hook.verified, "the webhook signature must verify with the user's secret")
	assert.Contains(t, string(hook.body), `"type":"summary.due"`)
	assert.Contains(t, string(hook.body), `"title":"Water the plants"`)
	time.Sleep(300 * time.Millisecond) // anything more would have come by now
	assert.Len(t, smtp.Messages(), 1, "one email")
	assert.Len(t, hooks.hooks(), 1, "one webhook")
}

// TestEventsEndToEnd runs the whole app in one process, with the local broker reading
// eventing/: a daily task's reminder reaches a webhook on time with a valid signature, an
// email and the in-app inbox; completing it creates the next occurrence exactly once,
// however often the completion is delivered.
func TestEventsEndToEnd(t *testing.T) {
	smtp := smtptest.NewServer(t)
	api, hooks, dbURL := mustStartApp(t, map[string]string{"SMTP_URL": smtp.URL},
		`{"webhook_url":"%s/hook","email":"ada@example.com"}`)

	due := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	var task taskJSON
	api.MustCall(t, "POST", "/v1/tasks", `{"title":"Stretch","due_at":"`+due.Format(time.RFC3339)+
		`","recurrence":"FREQ=DAILY","reminders":[{"before":"PT1S"}]}`, http.StatusCreated, &task)
	require.Len(t, task.Reminders, 1)
	fireAt := *task.Reminders[0].FireAt

	// The reminder: on time, signed, once, on every channel.
	waitFor(t, 15*time.Second, "the reminder webhook", func() bool { return len(hooks.hooks()) > 0 })
	hook := hooks.hooks()[0]
	require.NoError(t, hook.verified, "the webhook signature must verify with the user's secret")
	late := hook.at.Sub(fireAt)
	t.Logf("webhook arrived %s after fire_at", late)
	assert.LessOrEqual(t, late, time.Second, "a reminder reaches its webhook within one second")
	assert.GreaterOrEqual(t, late, -50*time.Millisecond, "a reminder never fires early")
	assert.Contains(t, string(hook.body), `"title":"Stretch"`)
	assert.Contains(t, string(hook.body), fmt.Sprintf(`"task_number":%d`, task.Number), "the task as its user knows it")

	mails := smtp.WaitMessages(t, 1, 15*time.Second)
	msg, err := mails[0].Parse()
	require.NoError(t, err)
	assert.Contains(t, msg.Header.Get("Subject"), "Stretch")
	assert.Contains(t, msg.Header.Get("To"), "ada@example.com")
	text, err := mails[0].Text()
	require.NoError(t, err)
	assert.Contains(t, text, fmt.Sprintf("Task: #%d\n", task.Number))

	var inbox struct {
		Items []struct {
			TaskID string `json:"task_id"`
		} `json:"items"`
	}
	api.MustCall(t, "GET", "/v1/notifications", "", http.StatusOK, &inbox)
	require.Len(t, inbox.Items, 1)
	assert.Equal(t, task.ID, inbox.Items[0].TaskID)

	// Completing it creates the next occurrence, a day later, in the same series.
	api.MustCall(t, "POST", "/v1/tasks/"+task.ID+"/complete", "", http.StatusOK, nil)
	next := mustOnlyOpenTask(t, api)
	assert.Equal(t, 2, next.Number)
	require.NotNil(t, next.DueAt)
	assert.True(t, due.Add(24*time.Hour).Equal(*next.DueAt), "next due: got %s, want %s", next.DueAt, due.Add(24*time.Hour))
	assert.Equal(t, task.SeriesID, next.SeriesID)

	// The same completed event delivered twice more still makes one occurrence.
	conn, err := pgx.Connect(context.Background(), dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	// The broker keeps the event's data as JSON, which an operator can query, not as base64.
	var dataTaskID string
	require.NoError(t, conn.QueryRow(context.Background(), `
		SELECT coalesce(e.event->'data'->'task'->>'id', '') FROM broker_events e
		WHERE e.type = 'dev.taskwire.task.completed.v1' AND e.event->>'subject' = $1`, task.ID).Scan(&dataTaskID))
	assert.Equal(t, task.ID, dataTaskID, "the stored event's data.task.id")
	for i := 0; i < 2; i++ {
		tag, err := conn.Exec(context.Background(), `
			UPDATE broker_deliveries d SET state = 'pending', next_at = now(), attempts = 0, lease_until = NULL
			FROM broker_events e
			WHERE e.seq = d.event_seq AND d.trigger = 'recurrence' AND e.type = 'dev.taskwire.task.completed.v1'
				AND e.event->>'subject' = $1`, task.ID)
		require.NoError(t, err)
		require.EqualValues(t, 1, tag.RowsAffected())
		waitFor(t, 10*time.Second, "the redelivery", func() bool {
			var state string
			_ = conn.QueryRow(context.Background(), `
				SELECT d.state FROM broker_deliveries d JOIN broker_events e ON e.seq = d.event_seq
				WHERE d.trigger = 'recurrence' AND e.event->>'subject' = $1`, task.ID).Scan(&state)
			return state == "delivered"
		})
	}
	var all struct{ Items []taskJSON }
	api.MustCall(t, "GET", "/v1/tasks?status=all", "", http.StatusOK, &all)
	assert.Len(t, all.Items, 2, "one completed occurrence and exactly one next")

	assert.Len(t, hooks.hooks(), 1, "the webhook is delivered once")
	assert.Len(t, smtp.Messages(), 1, "the email is sent once")
}
