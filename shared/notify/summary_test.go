package notify_test

import (
	"context"
	"encoding/json"
	"mime"
	"slices"
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

// A daily summary reaches the user's email and webhook, each once however often the
// event comes; a user who turned the summary off since it was written, or who is gone,
// gets nothing, and data that cannot be read goes to the dead letters.
func TestHandler_Summary(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	h, mail := MustNewHandler(t, db, true)
	rcv := MustNewReceiver(t)
	user := MustNewUser(t, db, "ada@example.com", rcv.URL)
	ctx := taskwire.NewContextWithUser(context.Background(), user.ID)
	users := postgres.NewUserService(db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Europe/Berlin", "daily_summary_at": "07:30"}`))
	require.NoError(t, err)

	e := mustSummaryEvent(t, db, summaryData(user.ID))
	for range 3 {
		_, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
	}
	msgs := mail.WaitMessages(t, 1, 5*time.Second)
	require.Len(t, msgs, 1, "one email however often the event comes")
	parsed, err := msgs[0].Parse()
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Today, Thursday 5 March: 3 tasks, 1 overdue", subject)
	body := readBody(t, msgs[0])
	assert.Contains(t, body, "Thursday, 5 March 2026 (Europe/Berlin)\n")
	assert.Contains(t, body, "\nToday\n  #4  09:00  Standup  (high)\n  #7  all day  Pay rent\n"+
		"\nOverdue\n  #2  Mon 2 Mar 17:00  Taxes  (urgent)\n")

	got := rcv.Delivered()
	require.Len(t, got, 1, "one webhook however often the event comes")
	require.NoError(t, notify.Verify(*user.WebhookSecret, got[0].Header, got[0].Body))
	assert.Equal(t, e.ID(), got[0].Header.Get(notify.HeaderID))
	var payload struct {
		Type      string             `json:"type"`
		Timestamp time.Time          `json:"timestamp"`
		Data      events.SummaryData `json:"data"`
	}
	require.NoError(t, json.Unmarshal(got[0].Body, &payload))
	assert.Equal(t, "summary.due", payload.Type)
	assert.True(t, e.Time().Equal(payload.Timestamp))
	assert.Equal(t, "2026-03-05", payload.Data.Date)
	require.Len(t, payload.Data.Tasks, 3)
	assert.Equal(t, "Standup", payload.Data.Tasks[0].Title)

	// What the outbox does not hold is not sent, and what it holds is sent as written:
	// until 2026-12-06 a summary posted to the broker was mailed and signed with whatever
	// tasks it named.
	forged := e.Clone()
	forged.SetID(uuid.NewString())
	_, err = h.Handle(context.Background(), forged)
	require.NoError(t, err)
	earlier := summaryData(user.ID)
	earlier.Date = "2026-03-04"
	altered := mustSummaryEvent(t, db, earlier)
	changed := earlier
	changed.Tasks = slices.Clone(earlier.Tasks)
	changed.Tasks[0].Title = "Wire $5000 to account X"
	require.NoError(t, altered.SetData(event.ApplicationJSON, changed))
	_, err = h.Handle(context.Background(), altered)
	require.NoError(t, err)
	msgs = mail.WaitMessages(t, 2, 5*time.Second)
	require.Len(t, msgs, 2, "the altered one's, not the forged one's")
	assert.NotContains(t, readBody(t, msgs[1]), "Wire $5000")
	assert.Contains(t, readBody(t, msgs[1]), "Standup")

	// Turned off before the next day's came: it is not sent.
	_, err = users.UpdateMe(ctx, []byte(`{"daily_summary_at": null}`))
	require.NoError(t, err)
	next := summaryData(user.ID)
	next.Date = "2026-03-06"
	_, err = h.Handle(context.Background(), mustSummaryEvent(t, db, next))
	require.NoError(t, err)

	// A user who is gone: acknowledged, sent nowhere.
	gone := summaryData("user-" + uuid.NewString())
	_, err = h.Handle(context.Background(), mustSummaryEvent(t, db, gone))
	require.NoError(t, err)
	assert.Len(t, mail.Messages(), 2)
	assert.Len(t, rcv.Delivered(), 2)

	// Bad data: EINVALID, which the edge answers with a 4xx for the dead letters.
	for name, data := range map[string]any{
		"NoUser": map[string]any{"date": "2026-03-05", "time_zone": "UTC"},
		"NoDay":  map[string]any{"user_id": user.ID, "date": "5 March", "time_zone": "UTC"},
		"NoZone": map[string]any{"user_id": user.ID, "date": "2026-03-05", "time_zone": "Mars/Olympus"},
		"NoJSON": "not an object",
	} {
		bad := event.New()
		bad.SetID(uuid.NewString())
		bad.SetSource(events.SourceReminders)
		bad.SetType(events.TypeSummaryDue)
		require.NoError(t, bad.SetData(event.ApplicationJSON, data))
		_, err := h.Handle(context.Background(), bad)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), name)
	}
}

// A summary's email reads the day's tasks at their times in the summary's zone, or "all
// day", then the overdue ones by their day, and says how many it left out.
func TestSummaryEmail(t *testing.T) {
	d := summaryData("u")
	d.Total, d.Overdue = 53, 51
	email := notify.SummaryEmail("ada@example.com", "evt-1", d, "reminders@taskwire.test")
	assert.Equal(t, "ada@example.com", email.To)
	assert.Equal(t, "Today, Thursday 5 March: 53 tasks, 51 overdue", email.Subject)
	assert.Contains(t, email.Body, "  #2  Mon 2 Mar 17:00  Taxes  (urgent)\n  … and 50 more\n")
	assert.Equal(t, "summary.evt-1@taskwire.test", email.MessageID)

	one := events.SummaryData{UserID: "u", Date: "2026-03-05", TimeZone: "Asia/Tokyo", Total: 1, Tasks: []events.SummaryTask{{
		Number: 9, Title: "Card for Mum", Priority: taskwire.PriorityNone, DueAt: time.Date(2026, 3, 3, 14, 59, 59, 0, time.UTC),
		DueDate: new("2026-03-03"), TimeZone: "Asia/Tokyo", Overdue: true,
	}}, Overdue: 1}
	email = notify.SummaryEmail("ada@example.com", "evt-2", one, "reminders@taskwire.test")
	assert.Equal(t, "Today, Thursday 5 March: 1 task, 1 overdue", email.Subject)
	assert.Contains(t, email.Body, "\nOverdue\n  #9  Tue 3 Mar  Card for Mum\n")
	assert.NotContains(t, email.Body, "Today\n")
}

// summaryData is a summary of 5 March 2026 in Berlin for user: two tasks due that day,
// at 09:00 and all day, and one overdue since the 2nd.
func summaryData(user string) events.SummaryData {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	return events.SummaryData{UserID: user, Date: "2026-03-05", TimeZone: "Europe/Berlin", Total: 3, Overdue: 1,
		Tasks: []events.SummaryTask{
			{ID: uuid.New(), Number: 4, Title: "Standup", Priority: taskwire.PriorityHigh,
				DueAt: time.Date(2026, 3, 5, 9, 0, 0, 0, berlin).UTC(), TimeZone: "Europe/Berlin"},
			{ID: uuid.New(), Number: 7, Title: "Pay rent", Priority: taskwire.PriorityNone,
				DueAt: time.Date(2026, 3, 5, 23, 59, 59, 0, berlin).UTC(), DueDate: new("2026-03-05"), TimeZone: "Europe/Berlin"},
			{ID: uuid.New(), Number: 2, Title: "Taxes", Priority: taskwire.PriorityUrgent,
				DueAt: time.Date(2026, 3, 2, 17, 0, 0, 0, berlin).UTC(), TimeZone: "Europe/Berlin", Overdue: true},
		}}
}

// mustSummaryEvent returns the summary.due event of d, as the reminders function makes
// it, and writes it to the outbox as that function does.
func mustSummaryEvent(tb testing.TB, db *postgres.DB, d events.SummaryData) event.Event {
	tb.Helper()
	e, err := events.NewSummaryDue(d, time.Date(2026, 3, 5, 6, 30, 1, 0, time.UTC))
	require.NoError(tb, err)
	_, err = db.Pool.Exec(context.Background(), `INSERT INTO outbox (id, user_id, type, source, subject, time, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID(), d.UserID, e.Type(), e.Source(), e.Subject(), e.Time(), json.RawMessage(e.Data()))
	require.NoError(tb, err)
	return e
}
