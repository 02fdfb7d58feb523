package notify_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A user who set task_webhooks gets each change of their tasks at their webhook, signed,
// once however often the event comes; the writers mark those events for the Trigger. A
// user who did not, or turned it off since, gets none, and neither is marked.
func TestHandler_TaskWebhook(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	h, _ := MustNewHandler(t, db, true)
	rcv := MustNewReceiver(t)
	user := MustNewUser(t, db, "", rcv.URL)
	ctx := taskwire.NewContextWithUser(context.Background(), user.ID)
	users := postgres.NewUserService(db)
	_, err := users.UpdateMe(ctx, []byte(`{"task_webhooks": true}`))
	require.NoError(t, err)
	tasks := postgres.NewTaskService(db)
	f, err := taskwire.NewTask{Title: "Water the plants", Checklist: taskwire.ChecklistInput{{Text: "Balcony"}}}.Fields()
	require.NoError(t, err)
	task, _, err := tasks.CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(t, err)
	_, err = tasks.SetStatus(ctx, task.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(t, err)

	sent := mustTaskEvents(t, db, user.ID)
	require.Len(t, sent, 2)
	for _, e := range sent {
		assert.Equal(t, events.WebhookOn, e.Extensions()[events.ExtensionWebhook], "%s is marked for the Trigger", e.Type())
		for range 2 { // redelivered: one webhook
			_, err := h.Handle(context.Background(), e)
			require.NoError(t, err)
		}
	}
	got := rcv.Delivered()
	require.Len(t, got, 2)
	var types []string
	for i, r := range got {
		require.NoError(t, notify.Verify(*user.WebhookSecret, r.Header, r.Body))
		assert.Equal(t, sent[i].ID(), r.Header.Get(notify.HeaderID))
		var payload struct {
			Type      string          `json:"type"`
			Timestamp time.Time       `json:"timestamp"`
			Data      events.TaskData `json:"data"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &payload))
		types = append(types, payload.Type)
		assert.Equal(t, user.ID, payload.Data.UserID)
		require.NotNil(t, payload.Data.Task)
		assert.Equal(t, task.ID, payload.Data.Task.ID)
		assert.Equal(t, []taskwire.Step{{Text: "Balcony"}}, payload.Data.Task.Checklist)
		assert.True(t, sent[i].Time().Equal(payload.Timestamp))
		if payload.Type == "task.completed" {
			assert.Equal(t, events.Change{Old: "open", New: "completed"}, payload.Data.Changes["status"])
		}
	}
	assert.Equal(t, []string{"task.created", "task.completed"}, types)

	// What the outbox does not hold is not sent, and what it holds is sent as written
	// (until 2026-12-06 an event posted to the broker was signed and sent as it came).
	forged := sent[1].Clone()
	forged.SetID(uuid.NewString())
	_, err = h.Handle(context.Background(), forged)
	require.NoError(t, err)
	_, err = tasks.UpdateTask(ctx, task.ID.String(), "", []byte(`{"title": "Water the ferns"}`))
	require.NoError(t, err)
	altered := mustTaskEvents(t, db, user.ID)[2]
	require.NoError(t, altered.SetData(event.ApplicationJSON, events.TaskData{UserID: user.ID,
		Task: &taskwire.Task{ID: task.ID, Title: "Wire $5000 to account X"}}))
	_, err = h.Handle(context.Background(), altered)
	require.NoError(t, err)
	got = rcv.Delivered()
	require.Len(t, got, 3, "the altered one's, not the forged one's")
	assert.Contains(t, string(got[2].Body), "Water the ferns")
	assert.NotContains(t, string(got[2].Body), "Wire $5000")

	// Turned off: an event still on its way is not sent, and new ones are not marked.
	_, err = users.UpdateMe(ctx, []byte(`{"task_webhooks": false}`))
	require.NoError(t, err)
	_, err = tasks.SetStatus(ctx, task.ID.String(), "", taskwire.StatusOpen)
	require.NoError(t, err)
	reopened := mustTaskEvents(t, db, user.ID)[3]
	assert.NotContains(t, reopened.Extensions(), events.ExtensionWebhook)
	_, err = h.Handle(context.Background(), sent[0].Clone())
	require.NoError(t, err)
	late := sent[1].Clone()
	late.SetID(uuid.NewString())
	_, err = h.Handle(context.Background(), late)
	require.NoError(t, err)
	assert.Len(t, rcv.Requests(), 3, "nothing more was sent")

	// Bad data is for the dead letters; a user who is gone is no error.
	bad := sent[1].Clone()
	require.NoError(t, bad.SetData(event.ApplicationJSON, map[string]any{"user_id": user.ID}))
	_, err = h.Handle(context.Background(), bad)
	assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
	gone := sent[1].Clone()
	require.NoError(t, gone.SetData(event.ApplicationJSON, events.TaskData{UserID: "user-gone", Task: task}))
	_, err = h.Handle(context.Background(), gone)
	assert.NoError(t, err)
}

// mustTaskEvents returns user's task events from the outbox, oldest first, as the relay
// publishes them: with their extensions.
func mustTaskEvents(tb testing.TB, db *postgres.DB, user string) []event.Event {
	tb.Helper()
	rows, err := db.Pool.Query(context.Background(), `
		SELECT id, type, source, subject, time, data, coalesce(extensions, '{}') FROM outbox
		WHERE user_id = $1 AND type LIKE 'dev.taskwire.task.%' ORDER BY seq`, user)
	require.NoError(tb, err)
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var (
			id                   uuid.UUID
			typ, source, subject string
			at                   time.Time
			data                 []byte
			ext                  map[string]any
		)
		require.NoError(tb, rows.Scan(&id, &typ, &source, &subject, &at, &data, &ext))
		e := event.New()
		e.SetID(id.String())
		e.SetType(typ)
		e.SetSource(source)
		e.SetSubject(subject)
		e.SetTime(at)
		require.NoError(tb, e.SetData(event.ApplicationJSON, json.RawMessage(data)))
		for k, v := range ext {
			e.SetExtension(k, v)
		}
		out = append(out, e)
	}
	require.NoError(tb, rows.Err())
	return out
}
