package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// MustNewUser returns a context signed in as a new user, whose rows go at cleanup.
func MustNewUser(tb testing.TB, db *postgres.DB) (context.Context, string) {
	tb.Helper()
	id := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), id)
	require.NoError(tb, postgres.NewUserService(db).EnsureUser(ctx, id, time.Time{}))
	tb.Cleanup(func() {
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM outbox WHERE user_id = $1`, id)
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
		assert.NoError(tb, err)
	})
	return ctx, id
}

// newSet returns the tools over the services of db.
func newSet(db *postgres.DB) *tools.Set {
	return tools.New(postgres.NewTaskService(db), postgres.NewUserService(db), postgres.NewNotificationService(db), postgres.NewChangeService(db))
}

// MustCall calls a tool that must succeed and decodes its result into a T.
func MustCall[T any](tb testing.TB, ctx context.Context, set *tools.Set, name, args string) T {
	tb.Helper()
	out, err := set.Call(ctx, name, json.RawMessage(args))
	require.NoError(tb, err, "%s(%s)", name, args)
	var v T
	require.NoError(tb, json.Unmarshal(out, &v), "result of %s: %s", name, out)
	return v
}

// MustFail calls a tool that must be refused and returns the refusal as the model reads it.
func MustFail(tb testing.TB, ctx context.Context, set *tools.Set, name, args string) map[string]string {
	tb.Helper()
	_, err := set.Call(ctx, name, json.RawMessage(args))
	require.Error(tb, err, "%s(%s): got success, want an error", name, args)
	res, ok := tools.ErrorResult(err)
	require.True(tb, ok, "%s(%s): got %v, want an error for the model", name, args, err)
	var m map[string]string
	require.NoError(tb, json.Unmarshal(res, &m))
	return m
}

// eventTypes returns the types of the user's outbox events, oldest first.
func eventTypes(tb testing.TB, db *postgres.DB, user string) []string {
	tb.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT type FROM outbox WHERE user_id = $1 ORDER BY seq`, user)
	require.NoError(tb, err)
	var types []string
	for rows.Next() {
		var typ string
		require.NoError(tb, rows.Scan(&typ))
		types = append(types, typ)
	}
	require.NoError(tb, rows.Err())
	return types
}

func TestSet_List(t *testing.T) {
	set := tools.New(nil, nil, nil, nil)
	var names []string
	for _, tool := range set.List() {
		names = append(names, tool.Name)
		assert.NotEmpty(t, tool.Description, "%s: description", tool.Name)
		var schema map[string]any
		require.NoError(t, json.Unmarshal(tool.Parameters, &schema), "%s: schema is not JSON", tool.Name)
		assert.Equal(t, "object", schema["type"], "%s: schema type", tool.Name)
		_, ok := schema["properties"].(map[string]any)
		assert.True(t, ok, "%s: schema has no properties", tool.Name)
		found, ok := set.Lookup(tool.Name)
		assert.True(t, ok)
		assert.Equal(t, tool.Name, found.Name)
	}
	assert.Equal(t, []string{"add_task", "quick_add", "list_tasks", "get_task", "complete_task", "reopen_task",
		"skip_occurrence", "undo_skip", "move_task", "delete_task", "restore_task", "list_deleted_tasks", "update_task", "check_step", "reschedule_task", "save_filter", "list_filters", "delete_filter", "list_tags",
		"rename_tag", "delete_tag", "list_notifications", "snooze_reminder", "set_daily_summary", "get_stats", "set_daily_goal", "set_time_zone", "bulk_tasks", "task_history"}, names)
	deleteTask, _ := set.Lookup("delete_task")
	assert.Contains(t, deleteTask.Description, "trash", "a deleted task is not gone for good")
	assert.Contains(t, deleteTask.Description, "restore_task", "the model must know how to bring it back")
	snooze, _ := set.Lookup("snooze_reminder")
	assert.Contains(t, snooze.Description, "list_notifications", "the model must know where a notification's id comes from")
	// A task due on a day rather than at a time: the tools that set a due take due_date.
	for _, name := range []string{"add_task", "update_task", "reschedule_task"} {
		tool, _ := set.Lookup(name)
		var schema struct {
			Properties map[string]any `json:"properties"`
			Required   []string       `json:"required"`
		}
		require.NoError(t, json.Unmarshal(tool.Parameters, &schema))
		assert.Contains(t, schema.Properties, "due_date", "%s takes due_date", name)
		assert.Contains(t, tool.Description, "due_date", "%s: the model must know of due_date", name)
		assert.NotContains(t, schema.Required, "due_at", "%s: due_date will do instead", name)
	}
}

func TestTools_QuickAdd(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "America/New_York"}`))
	require.NoError(t, err)
	type result struct {
		Task       taskwire.Task
		Understood []string
	}
	tomorrowAt := func(zone string, hour int) string {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		d := time.Now().In(loc).AddDate(0, 0, 1)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc).UTC().Format(time.RFC3339)
	}

	t.Run("OKTheUsersZone", func(t *testing.T) {
		got := MustCall[result](t, ctx, set, "quick_add", `{"text": "Water the plants tomorrow 5pm #home !high remind 1h before"}`)
		assert.Equal(t, "Water the plants", got.Task.Title)
		assert.Equal(t, taskwire.PriorityHigh, got.Task.Priority)
		assert.Equal(t, []string{"home"}, got.Task.Tags)
		require.NotNil(t, got.Task.DueAt)
		assert.Equal(t, tomorrowAt("America/New_York", 17), got.Task.DueAt.UTC().Format(time.RFC3339))
		require.Len(t, got.Task.Reminders, 1)
		assert.NotEmpty(t, got.Understood)
	})

	t.Run("OKZoneGiven", func(t *testing.T) {
		got := MustCall[result](t, ctx, set, "quick_add", `{"text": "Call mom tomorrow 5pm", "time_zone": "Asia/Tokyo"}`)
		require.NotNil(t, got.Task.DueAt)
		assert.Equal(t, tomorrowAt("Asia/Tokyo", 17), got.Task.DueAt.UTC().Format(time.RFC3339))
		assert.Equal(t, "Asia/Tokyo", got.Task.TimeZone)
	})

	// A date without a time of day makes an all-day task, which the result shows with its
	// due_date.
	t.Run("OKAllDay", func(t *testing.T) {
		before := time.Now()
		got := MustCall[result](t, ctx, set, "quick_add", `{"text": "Buy milk tomorrow remind me 1 hour before"}`)
		after := time.Now()
		ny := taskwire.LoadZone("America/New_York")
		tomorrow := func(now time.Time) string { return now.In(ny).AddDate(0, 0, 1).Format(taskwire.DateLayout) }
		assert.Equal(t, "Buy milk", got.Task.Title)
		require.NotNil(t, got.Task.DueDate, "got a timed task, want an all-day one")
		assert.Contains(t, []string{tomorrow(before), tomorrow(after)}, *got.Task.DueDate)
		require.NotNil(t, got.Task.DueAt)
		assert.Equal(t, *got.Task.DueDate+"T23:59:59", got.Task.DueAt.Format("2006-01-02T15:04:05"), "the day's end, in the task's zone")
		require.Len(t, got.Task.Reminders, 1)
		assert.Equal(t, *got.Task.DueDate+"T08:00:00", got.Task.Reminders[0].FireAt.Format("2006-01-02T15:04:05"))
		assert.Contains(t, strings.Join(got.Understood, "; "), "all day")
	})

	t.Run("ErrEmptyTitle", func(t *testing.T) {
		_, err := set.Call(ctx, "quick_add", json.RawMessage(`{"text": "#home !high"}`))
		require.Error(t, err)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
	})
}

// Times without an offset are read in the arguments' time_zone, else the task's (a new
// task's is the user's; a listing's bounds are the user's), with the offset that zone has
// on that date: a Berlin user in winter who says 9:00 on 5 April means 09:00 summer time.
// Tasks come back with their times in their own zone.
func TestTools_LocalTimes(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Europe/Berlin"}`))
	require.NoError(t, err)
	instant := func(tb testing.TB, p *time.Time) string {
		tb.Helper()
		require.NotNil(tb, p)
		return p.UTC().Format(time.RFC3339)
	}

	got := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "2027-04-05T09:00:00",
		"reminders": [{"before": "PT1H"}, {"at": "2027-04-04T18:30"}]}`)
	assert.Equal(t, "2027-04-05T07:00:00Z", instant(t, got.DueAt), "09:00 summer time")
	assert.Equal(t, "2027-04-05T09:00:00+02:00", got.DueAt.Format(time.RFC3339))
	assert.Equal(t, "2027-04-04T16:30:00Z", instant(t, got.Reminders[1].At))
	assert.Equal(t, "2027-04-05T08:00:00+02:00", got.Reminders[0].FireAt.Format(time.RFC3339))

	got = MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Call", "due_at": "2027-01-05T09:00", "time_zone": "America/New_York"}`)
	assert.Equal(t, "2027-01-05T14:00:00Z", instant(t, got.DueAt), "read in the time_zone given")
	assert.Equal(t, "2027-01-05T09:00:00-05:00", got.DueAt.Format(time.RFC3339))

	got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 1, "due_at": "2027-03-28T02:30:00"}`)
	assert.Equal(t, "2027-03-28T01:30:00Z", instant(t, got.DueAt), "a time the clocks skip moves forward by the gap")
	got = MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 1, "due_at": "2027-04-05T10:00:00+01:00"}`)
	assert.Equal(t, "2027-04-05T09:00:00Z", instant(t, got.DueAt), "a time with an offset is read as written")
	// A task's own times are read in its zone, in which they are given: the model that
	// reads the New York task due at 09:00 and moves it an hour writes 10:00, New York's.
	got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 2, "due_at": "2027-01-05T10:00"}`)
	assert.Equal(t, "2027-01-05T10:00:00-05:00", got.DueAt.Format(time.RFC3339), "in the task's zone, not the user's")
	got = MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 2, "reminders": [{"at": "2027-01-05T08:00"}]}`)
	assert.Equal(t, "2027-01-05T13:00:00Z", instant(t, got.Reminders[0].At))
	got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 2, "due_at": "2027-01-05T10:00", "time_zone": "Asia/Tokyo"}`)
	assert.Equal(t, "2027-01-05T01:00:00Z", instant(t, got.DueAt), "in the zone the same call sets")

	page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"due_after": "2027-04-05T10:30:00", "due_before": "2027-04-05T11:30:00"}`)
	require.Len(t, page.Items, 1, "09:00Z is 11:00 in Berlin")
	assert.Equal(t, "Dentist", page.Items[0].Title)

	// The last hour of the year 9999 in UTC is in the year 10000 in Kiritimati: such a
	// task is listed, its times in UTC.
	got = MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Far", "due_at": "9999-12-31T23:00:00Z", "time_zone": "Pacific/Kiritimati"}`)
	assert.Equal(t, "9999-12-31T23:00:00Z", got.DueAt.Format(time.RFC3339))
	page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"status": "all"}`)
	assert.Len(t, page.Items, 3)

	_, err = set.Call(ctx, "add_task", json.RawMessage(`{"title": "x", "due_at": "2027-01-05T09:00", "time_zone": "Mars/Olympus"}`))
	assert.Equal(t, "time_zone", taskwire.ErrorField(err))
	_, err = set.Call(ctx, "add_task", json.RawMessage(`{"title": "x", "due_at": "5 April 9am"}`))
	assert.Equal(t, "due_at", taskwire.ErrorField(err), "what is neither is refused as before")
}

// "What did I get done today?": list_tasks bounds completion times as it bounds due
// times, a local time read in the user's zone, and lists completed tasks, the latest
// first, without being told the status.
func TestTools_CompletedSince(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Pacific/Pago_Pago"}`)) // UTC-11, no DST
	require.NoError(t, err)
	pagoPago, err := time.LoadLocation("Pacific/Pago_Pago")
	require.NoError(t, err)

	start := time.Now().Add(-time.Minute)
	for _, title := range []string{"Water the plants", "Pay the rent", "Still to do"} {
		MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "`+title+`"}`)
	}
	MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": 2}`)
	time.Sleep(2 * time.Millisecond)
	MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": 1}`)

	local := start.In(pagoPago).Format("2006-01-02T15:04:05")
	page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"completed_after": "`+local+`", "sort": "-completed_at"}`)
	var titles []string
	for _, task := range page.Items {
		titles = append(titles, task.Title)
	}
	assert.Equal(t, []string{"Water the plants", "Pay the rent"}, titles, "done since a minute ago, in Pago Pago's time")

	// UTC's wall-clock time of then, read in Pago Pago, is 11 hours later: nothing yet.
	utc := start.UTC().Format("2006-01-02T15:04:05")
	page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"completed_after": "`+utc+`"}`)
	assert.Empty(t, page.Items, "a local time is the user's, not UTC's")

	_, err = set.Call(ctx, "list_tasks", json.RawMessage(`{"completed_after": "`+local+`", "status": "pending"}`))
	assert.Equal(t, "completed_after", taskwire.ErrorField(err))
}

// "Skip this week's standup": skip_occurrence moves the task to its next occurrence, not
// done; a task that does not repeat is refused with a reason the model can repeat.
func TestTools_SkipOccurrence(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Standup", "due_at": "`+due.Format(time.RFC3339)+`", "recurrence": "FREQ=WEEKLY"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "`+due.Format(time.RFC3339)+`"}`)

	got := MustCall[taskwire.Task](t, ctx, set, "skip_occurrence", `{"task_id": 1}`)
	require.NotNil(t, got.DueAt)
	assert.True(t, due.AddDate(0, 0, 7).Equal(*got.DueAt), "got %v, want a week later", got.DueAt)
	assert.Equal(t, taskwire.StatusOpen, got.Status)

	_, err := set.Call(ctx, "skip_occurrence", json.RawMessage(`{"task_id": 2}`))
	assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err))
	assert.Contains(t, err.Error(), "does not repeat")
	_, err = set.Call(ctx, "skip_occurrence", json.RawMessage(`{"task_id": 99}`))
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))

	// "Oops, I do have standup this week": undo_skip takes the skip back, once.
	back := MustCall[taskwire.Task](t, ctx, set, "undo_skip", `{"task_id": 1}`)
	require.NotNil(t, back.DueAt)
	assert.True(t, due.Equal(*back.DueAt), "got %v, want the due before the skip", back.DueAt)
	_, err = set.Call(ctx, "undo_skip", json.RawMessage(`{"task_id": 1}`))
	assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err))
	assert.Contains(t, err.Error(), "no skip to undo")
}

// "Rename my wrok tag to work": rename_tag and delete_tag change every task that carries
// the tag, and refuse what they cannot do with the argument named.
func TestTools_RenameAndDeleteTag(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	tasks := postgres.NewTaskService(db)
	set := tools.New(tasks, postgres.NewUserService(db), postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Report", "tags": ["wrok", "q3"]}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Slides", "tags": ["work", "wrok"]}`)

	tag := MustCall[taskwire.Tag](t, ctx, set, "rename_tag", `{"tag": "wrok", "new_name": "Work"}`)
	assert.Equal(t, taskwire.Tag{Name: "work", OpenCount: 2}, tag)
	MustCall[map[string]any](t, ctx, set, "delete_tag", `{"tag": "Q3"}`)
	for ref, want := range map[string][]string{"1": {"work"}, "2": {"work"}} {
		task, err := tasks.FindTask(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, want, task.Tags, "task %s", ref)
	}

	for _, tt := range []struct {
		tool, args, field string
		code              string
	}{
		{"rename_tag", `{"tag": "work", "new_name": ""}`, "new_name", taskwire.EINVALID},
		{"rename_tag", `{"new_name": "x"}`, "tag", taskwire.EINVALID},
		{"rename_tag", `{"tag": "nope", "new_name": "x"}`, "", taskwire.ENOTFOUND},
		{"delete_tag", `{"tag": "q3"}`, "", taskwire.ENOTFOUND},
		{"delete_tag", `{}`, "tag", taskwire.EINVALID},
	} {
		_, err := set.Call(ctx, tt.tool, json.RawMessage(tt.args))
		assert.Equal(t, tt.code, taskwire.ErrorCode(err), "%s %s: %v", tt.tool, tt.args, err)
		assert.Equal(t, tt.field, taskwire.ErrorField(err), "%s %s", tt.tool, tt.args)
	}
}

// "What's on today?": list_tasks' due names the user's days, so the model need not work
// out when they begin; due=none is what has no date.
func TestTools_ListDue(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	// A zone where it is about midday, so that the test never runs across its midnight.
	off := 12 - time.Now().UTC().Hour()
	zone := fmt.Sprintf("Etc/GMT%+d", -off)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "`+zone+`"}`))
	require.NoError(t, err)
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	today := time.Now().In(loc)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Call the bank", "due_date": "`+today.Format(taskwire.DateLayout)+`"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "`+today.AddDate(0, 0, 1).Format("2006-01-02")+`T09:00:00"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Learn Greek"}`)

	for due, want := range map[string][]string{
		"today": {"Call the bank"}, "tomorrow": {"Dentist"}, "week": {"Call the bank", "Dentist"}, "none": {"Learn Greek"},
	} {
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"due": "`+due+`", "sort": "due_at"}`)
		var got []string
		for _, task := range page.Items {
			got = append(got, task.Title)
		}
		assert.Equal(t, want, got, "due=%s", due)
	}
	refused := MustFail(t, ctx, set, "list_tasks", `{"due": "soon"}`)
	assert.Equal(t, "due", refused["field"])

	// "What do I have to do today?": today's and what is overdue.
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Pay the plumber", "due_date": "`+today.AddDate(0, 0, -2).Format(taskwire.DateLayout)+`"}`)
	page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"due": "today", "with_overdue": true, "sort": "due_at"}`)
	var got []string
	for _, task := range page.Items {
		got = append(got, task.Title)
	}
	assert.Equal(t, []string{"Pay the plumber", "Call the bank"}, got)
	refused = MustFail(t, ctx, set, "list_tasks", `{"with_overdue": true}`)
	assert.Equal(t, "with_overdue", refused["field"])
}

// "Send me my tasks every morning at 7": set_daily_summary sets the summary's time, says
// where it goes (never the webhook's secret), turns it off with null, and refuses a time
// it cannot read naming its own argument.
func TestTools_SetDailySummary(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Europe/Berlin", "email": "ada@example.com", "webhook_url": "https://example.com/hook"}`))
	require.NoError(t, err)

	out, err := set.Call(ctx, "set_daily_summary", json.RawMessage(`{"at": "07:00"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"daily_summary_at": "07:00", "time_zone": "Europe/Berlin", "email": "ada@example.com",
		"webhook_url": "https://example.com/hook"}`, string(out))
	me, err := users.FindMe(ctx)
	require.NoError(t, err)
	assert.Equal(t, "07:00", *me.DailySummaryAt)

	for _, tt := range []struct{ args, code string }{
		{`{"at": "7"}`, taskwire.EINVALID},
		{`{"at": "25:00"}`, taskwire.EINVALID},
		{`{}`, taskwire.EINVALID},
		{`{"at": 7}`, taskwire.EMALFORMED},
	} {
		_, err := set.Call(ctx, "set_daily_summary", json.RawMessage(tt.args))
		assert.Equal(t, tt.code, taskwire.ErrorCode(err), "%s: %v", tt.args, err)
		assert.Equal(t, "at", taskwire.ErrorField(err), tt.args)
		assert.NotContains(t, err.Error(), "daily_summary_at", "%s: the model knows the argument as at", tt.args)
	}
	off := MustCall[map[string]any](t, ctx, set, "set_daily_summary", `{"at": null}`)
	assert.Nil(t, off["daily_summary_at"])
	me, err = users.FindMe(ctx)
	require.NoError(t, err)
	assert.Nil(t, me.DailySummaryAt)
}

// A task due on a day rather than at a time: due_date creates it, reschedules a task to
// a day and back to a time, and every result shows it, with due_at at the day's end in
// the task's zone.
func TestTools_AllDay(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, user := MustNewUser(t, db)
	_, err := users.UpdateMe(ctx, []byte(`{"time_zone": "Europe/Berlin"}`))
	require.NoError(t, err)
	day := func(tb testing.TB, task taskwire.Task) string {
		tb.Helper()
		require.NotNil(tb, task.DueDate, "got a timed task, want an all-day one")
		return *task.DueDate
	}

	t.Run("AddTask", func(t *testing.T) {
		out, err := set.Call(ctx, "add_task", json.RawMessage(`{"title": "Pay rent", "due_date": "2027-04-01",
			"reminders": [{"before": "PT0S"}, {"before": "P1D"}]}`))
		require.NoError(t, err)
		assert.Contains(t, string(out), `"due_date":"2027-04-01"`)
		var got taskwire.Task
		require.NoError(t, json.Unmarshal(out, &got))
		assert.Equal(t, "2027-04-01", day(t, got))
		assert.Equal(t, "Europe/Berlin", got.TimeZone, "the day is the user's")
		assert.Equal(t, "2027-04-01T23:59:59+02:00", got.DueAt.Format(time.RFC3339), "due until the day's end, in its zone")
		require.Len(t, got.Reminders, 2)
		assert.Equal(t, "2027-04-01T09:00:00+02:00", got.Reminders[0].FireAt.Format(time.RFC3339), "09:00 on the day")
		assert.Equal(t, "2027-03-31T09:00:00+02:00", got.Reminders[1].FireAt.Format(time.RFC3339), "09:00 the day before")

		series := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Bins out", "due_date": "2027-01-04",
			"time_zone": "America/New_York", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}`)
		assert.Equal(t, "2027-01-04", day(t, series))
		assert.Equal(t, "2027-01-04T23:59:59-05:00", series.DueAt.Format(time.RFC3339), "in the zone given")
		require.NotNil(t, series.Recurrence)
		assert.Equal(t, "FREQ=WEEKLY;BYDAY=MO", *series.Recurrence)

		timed := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "2027-04-05T09:00:00"}`)
		assert.Nil(t, timed.DueDate, "a task due at a time has no day")
	})

	t.Run("Results", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": 1}`)
		assert.Equal(t, "2027-04-01", day(t, got))
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"sort": "due_at"}`)
		require.Len(t, page.Items, 3)
		assert.Equal(t, []string{"Bins out", "Pay rent", "Dentist"}, []string{page.Items[0].Title, page.Items[1].Title, page.Items[2].Title})
		assert.Equal(t, "2027-04-01", day(t, *page.Items[1]))
		assert.Nil(t, page.Items[2].DueDate)
		// The day is listed by due_at, its end: in a window of the day, not of the next.
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"due_after": "2027-04-01T00:00:00", "due_before": "2027-04-02T00:00:00"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "Pay rent", page.Items[0].Title)
	})

	t.Run("RescheduleToADay", func(t *testing.T) {
		MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 3, "reminders": [{"before": "PT1H"}]}`)
		got := MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 3, "due_date": "2027-04-06"}`)
		assert.Equal(t, "2027-04-06", day(t, got))
		assert.Equal(t, "2027-04-06T23:59:59+02:00", got.DueAt.Format(time.RFC3339))
		require.Len(t, got.Reminders, 1)
		assert.Equal(t, "2027-04-06T08:00:00+02:00", got.Reminders[0].FireAt.Format(time.RFC3339),
			"the reminder an hour before moves to an hour before 09:00 on the day")
		var fireAt time.Time
		require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT fire_at FROM reminders WHERE task_id = $1`, got.ID).Scan(&fireAt))
		assert.Equal(t, "2027-04-06T06:00:00Z", fireAt.UTC().Format(time.RFC3339), "the stored reminder must move")

		got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 3, "due_date": "2027-04-06", "time_zone": "Asia/Tokyo"}`)
		assert.Equal(t, "2027-04-06T23:59:59+09:00", got.DueAt.Format(time.RFC3339), "the day in the zone the same call sets")
		got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 3, "due_at": "2027-04-07T10:00", "due_date": null}`)
		assert.Nil(t, got.DueDate, "back to a time")
		assert.Equal(t, "2027-04-07T10:00:00+09:00", got.DueAt.Format(time.RFC3339))
		got = MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 3, "due_date": "2027-04-08"}`)
		assert.Equal(t, "2027-04-08", day(t, got), "update_task sets a day too")
		MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 3, "reminders": []}`)
		got = MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 3, "due_date": null}`)
		assert.Nil(t, got.DueDate)
		assert.Nil(t, got.DueAt, "null for no due date")
	})

	t.Run("Err", func(t *testing.T) {
		for _, tc := range []struct {
			name, tool, args, code, field string
		}{
			{"Both", "add_task", `{"title": "x", "due_at": "2027-04-01T09:00:00", "due_date": "2027-04-01"}`, taskwire.EINVALID, "due_date"},
			{"NotADay", "add_task", `{"title": "x", "due_date": "next friday"}`, taskwire.EINVALID, "due_date"},
			{"HourlyOnADay", "add_task", `{"title": "x", "due_date": "2027-04-01", "recurrence": "FREQ=HOURLY"}`, taskwire.EINVALID, "recurrence"},
			{"RescheduleBoth", "reschedule_task", `{"task_id": 1, "due_at": "2027-04-01T09:00:00", "due_date": "2027-04-01"}`, taskwire.EINVALID, "due_date"},
			{"RescheduleNotADay", "reschedule_task", `{"task_id": 1, "due_date": "2027-4-1"}`, taskwire.EINVALID, "due_date"},
			{"RescheduleZoneOnly", "reschedule_task", `{"task_id": 1, "time_zone": "Asia/Tokyo"}`, taskwire.EINVALID, "due_at"},
			{"UpdateBoth", "update_task", `{"task_id": 1, "due_at": "2027-04-01T09:00:00", "due_date": "2027-04-01"}`, taskwire.EINVALID, "due_date"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := MustFail(t, ctx, set, tc.tool, tc.args)
				assert.Equal(t, tc.code, got["code"], "got %v", got)
				assert.Equal(t, tc.field, got["field"], "got %v", got)
			})
		}
		got := MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": 1}`)
		assert.Equal(t, "2027-04-01", day(t, got), "the refusals changed nothing")
	})

	t.Run("SameEventsAsREST", func(t *testing.T) {
		types := eventTypes(t, db, user)
		assert.Equal(t, []string{"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1"}, types[:3])
		for _, typ := range types[3:] {
			assert.Equal(t, "dev.taskwire.task.updated.v1", typ)
		}
	})
}

// "I finished the course, stop repeating it": complete_task with end_series makes a
// recurring task the last of its series, its rule gone.
func TestTools_CompleteEndingTheSeries(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)
	task := MustCall[taskwire.Task](t, ctx, set, "add_task",
		`{"title": "Physio exercises", "due_at": "2026-12-07T09:00:00+01:00", "recurrence": "FREQ=DAILY"}`)
	got := MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": "`+task.ID.String()+`", "end_series": true}`)
	assert.Equal(t, taskwire.StatusCompleted, got.Status)
	assert.Nil(t, got.Recurrence, "the rule taken off")
	other := MustCall[taskwire.Task](t, ctx, set, "add_task",
		`{"title": "Stretch", "due_at": "2026-12-07T09:00:00+01:00", "recurrence": "FREQ=DAILY"}`)
	got = MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": "`+other.ID.String()+`", "end_series": false}`)
	assert.Equal(t, other.Recurrence, got.Recurrence, "false: the series goes on")
}

func TestTools_TaskHistory(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)
	task := MustCall[taskwire.Task](t, ctx, set, "add_task",
		`{"title": "Dentist", "due_at": "2026-12-07T09:00:00", "time_zone": "Europe/Berlin"}`)
	MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 1, "due_at": "2026-12-09T10:00:00"}`)
	MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 1, "description": "Bring the x-ray"}`)
	MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": 1}`)

	h := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": 1}`)
	var what []string
	for _, e := range h.Events {
		what = append(what, e.What)
		assert.Equal(t, "Dentist", e.Title)
		_, offset := e.Time.Zone()
		assert.Equal(t, 3600, offset, "%s: the time in the task's zone, got %v", e.What, e.Time)
	}
	assert.Equal(t, []string{"completed", "updated", "updated", "created"}, what, "the latest first")
	assert.Equal(t, task.ID.String(), h.TaskID)
	assert.False(t, h.HasMore)
	assert.Equal(t, events.Change{Old: "", New: "Bring the x-ray"}, h.Events[1].Changes["description"])
	assert.Equal(t, events.Change{Old: "2026-12-07T09:00:00+01:00", New: "2026-12-09T10:00:00+01:00"}, h.Events[2].Changes["due_at"],
		"a due moved, said in the task's zone")
	assert.Nil(t, h.Events[3].Changes, "a creation changes no field")

	// Pages: the latest two, then the two before.
	first := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": 1, "limit": 2}`)
	require.True(t, first.HasMore)
	require.NotEmpty(t, first.NextCursor)
	rest := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": 1, "limit": 2, "cursor": "`+first.NextCursor+`"}`)
	assert.False(t, rest.HasMore)
	assert.Empty(t, rest.NextCursor)
	assert.Equal(t, h.Events, append(first.Events, rest.Events...), "two pages hold the whole history")

	// A deleted task's history, by its id; restored, a creation after the deletion, also
	// when the deletion is on the next page.
	MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": 1}`)
	gone := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": "`+task.ID.String()+`", "limit": 1}`)
	require.Len(t, gone.Events, 1)
	assert.Equal(t, "deleted", gone.Events[0].What)
	MustCall[taskwire.Task](t, ctx, set, "restore_task", `{"task_id": "`+task.ID.String()+`"}`)
	back := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": "`+task.ID.String()+`", "limit": 1}`)
	require.Len(t, back.Events, 1)
	assert.Equal(t, "restored", back.Events[0].What)
	assert.True(t, back.HasMore)
	earlier := MustCall[tools.History](t, ctx, set, "task_history", `{"task_id": "`+task.ID.String()+`", "cursor": "`+back.NextCursor+`"}`)
	require.Len(t, earlier.Events, 5)
	assert.Equal(t, "deleted", earlier.Events[0].What, "the page after the restore begins with the deletion")
	assert.Equal(t, "created", earlier.Events[4].What, "the first creation is no restore")
}

func TestTools_Lifecycle(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, user := MustNewUser(t, db)

	t.Run("AddTask", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": " Dentist ", "priority": "high", "tags": ["Health"],
			"due_at": "2026-11-27T09:00:00+01:00", "time_zone": "Europe/Berlin", "recurrence": "FREQ=MONTHLY",
			"repeat_from": "completion", "reminders": [{"before": "PT1H"}]}`)
		assert.Equal(t, int64(1), got.Number)
		assert.Equal(t, "Dentist", got.Title)
		assert.Equal(t, taskwire.PriorityHigh, got.Priority)
		assert.Equal(t, []string{"health"}, got.Tags)
		assert.Equal(t, "2026-11-27T09:00:00+01:00", got.DueAt.Format(time.RFC3339), "in the task's zone")
		assert.Equal(t, "Europe/Berlin", got.TimeZone)
		require.NotNil(t, got.Recurrence)
		assert.Equal(t, "FREQ=MONTHLY", *got.Recurrence)
		assert.Equal(t, taskwire.RepeatFromCompletion, got.RepeatFrom)
		require.Len(t, got.Reminders, 1)
		assert.Equal(t, "2026-11-27T08:00:00+01:00", got.Reminders[0].FireAt.Format(time.RFC3339))

		MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Buy groceries", "tags": ["home"]}`)
		MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Water the plants", "tags": ["home"], "priority": "low"}`)
		assert.Equal(t, []string{"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1"},
			eventTypes(t, db, user))
	})

	t.Run("ListTasks", func(t *testing.T) {
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{}`)
		assert.Len(t, page.Items, 3, "got %d pending tasks, want 3", len(page.Items))
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"tag": "home", "sort": "-priority"}`)
		require.Len(t, page.Items, 2)
		assert.Equal(t, "Water the plants", page.Items[0].Title, "got %q first, want the low-priority task before none", page.Items[0].Title)
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"q": "grocery", "status": "all"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "Buy groceries", page.Items[0].Title)
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"priority": ["high", "urgent"], "due_before": "2026-12-01T00:00:00Z"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "Dentist", page.Items[0].Title)
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"limit": 1}`)
		assert.Len(t, page.Items, 1)
		assert.NotEmpty(t, page.NextCursor)
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"limit": 2, "cursor": "`+page.NextCursor+`"}`)
		assert.Len(t, page.Items, 2)
	})

	t.Run("CompleteByNumber", func(t *testing.T) {
		for _, ref := range []string{`2`, `"2"`, `"#2"`} {
			got := MustCall[taskwire.Task](t, ctx, set, "complete_task", `{"task_id": `+ref+`}`)
			assert.Equal(t, int64(2), got.Number)
			assert.Equal(t, taskwire.StatusCompleted, got.Status, "task_id %s", ref)
		}
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"status": "completed"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "Buy groceries", page.Items[0].Title)
		page = MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", `{"status": "pending"}`)
		assert.Len(t, page.Items, 2)
	})

	t.Run("ReopenByID", func(t *testing.T) {
		task := MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": 2}`)
		got := MustCall[taskwire.Task](t, ctx, set, "reopen_task", `{"task_id": "`+task.ID.String()+`"}`)
		assert.Equal(t, taskwire.StatusOpen, got.Status)
	})

	t.Run("UpdateTask", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "update_task", `{"task_id": 3, "priority": "urgent", "tags": ["home", "garden"]}`)
		assert.Equal(t, taskwire.PriorityUrgent, got.Priority)
		assert.Equal(t, []string{"home", "garden"}, got.Tags)
		assert.Equal(t, "Water the plants", got.Title, "got title %q, want it untouched", got.Title)
	})

	t.Run("RescheduleMovesReminders", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "reschedule_task", `{"task_id": 1, "due_at": "2026-11-30T10:00:00-05:00", "time_zone": "America/New_York"}`)
		assert.Equal(t, "2026-11-30T10:00:00-05:00", got.DueAt.Format(time.RFC3339))
		assert.Equal(t, "America/New_York", got.TimeZone)
		require.Len(t, got.Reminders, 1)
		assert.Equal(t, "2026-11-30T09:00:00-05:00", got.Reminders[0].FireAt.Format(time.RFC3339), "the reminder an hour before must move")
		var fireAt time.Time
		require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT fire_at FROM reminders WHERE task_id = $1`, got.ID).Scan(&fireAt))
		assert.Equal(t, "2026-11-30T14:00:00Z", fireAt.UTC().Format(time.RFC3339), "the stored reminder must move")
	})

	t.Run("ListTags", func(t *testing.T) {
		got := MustCall[struct{ Tags []taskwire.Tag }](t, ctx, set, "list_tags", ``)
		names := map[string]int64{}
		for _, tag := range got.Tags {
			names[tag.Name] = tag.OpenCount
		}
		assert.Equal(t, map[string]int64{"health": 1, "home": 2, "garden": 1}, names)
	})

	t.Run("DeleteTask", func(t *testing.T) {
		got := MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": 2}`)
		assert.Equal(t, true, got["deleted"])
		assert.Equal(t, "Buy groceries", got["title"])
		var n int
		require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM tasks WHERE user_id = $1 AND number = 2`, user).Scan(&n))
		assert.Equal(t, 0, n, "got %d rows of task 2, want it deleted", n)
	})

	t.Run("SameEventsAsREST", func(t *testing.T) {
		assert.Equal(t, []string{
			"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1",
			"dev.taskwire.task.completed.v1", // completing twice more changed nothing and announced nothing
			"dev.taskwire.task.reopened.v1",
			"dev.taskwire.task.updated.v1",
			"dev.taskwire.task.updated.v1",
			"dev.taskwire.task.deleted.v1",
		}, eventTypes(t, db, user))
	})
}

// deletedPage is list_deleted_tasks' result.
type deletedPage struct {
	Items []struct {
		Number    int64     `json:"number"`
		TaskID    uuid.UUID `json:"task_id"`
		Title     string    `json:"title"`
		DeletedAt time.Time `json:"deleted_at"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// inTrash reports whether the task with id is in the trash, read from the database.
func inTrash(tb testing.TB, db *postgres.DB, id uuid.UUID) bool {
	tb.Helper()
	var n int
	require.NoError(tb, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM trash WHERE task_id = $1`, id).Scan(&n))
	return n == 1
}

// A task the assistant deleted, by mistake or not, the user can ask for back: by its
// number, by its id, or by its title, which list_deleted_tasks turns into a number.
func TestTools_Trash(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	store := postgres.NewTaskService(db)
	set := tools.New(store, postgres.NewUserService(db), postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, user := MustNewUser(t, db)
	dentist := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "tags": ["health"],
		"due_at": "2027-04-05T09:00:00", "time_zone": "Europe/Berlin", "reminders": [{"before": "PT1H"}]}`)
	groceries := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Buy groceries"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Water the plants"}`)

	t.Run("ListDeletedTasks", func(t *testing.T) {
		page := MustCall[deletedPage](t, ctx, set, "list_deleted_tasks", `{}`)
		assert.Empty(t, page.Items)
		out, err := set.Call(ctx, "list_deleted_tasks", nil)
		require.NoError(t, err)
		assert.JSONEq(t, `{"items": []}`, string(out), "an empty trash is an empty list, not null")

		MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": 1}`)
		MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": 2}`)
		page = MustCall[deletedPage](t, ctx, set, "list_deleted_tasks", ``)
		require.Len(t, page.Items, 2)
		assert.Equal(t, []string{"Buy groceries", "Dentist"}, []string{page.Items[0].Title, page.Items[1].Title},
			"the latest deleted first")
		got := page.Items[1]
		assert.Equal(t, int64(1), got.Number)
		assert.Equal(t, dentist.ID, got.TaskID)
		assert.WithinDuration(t, time.Now(), got.DeletedAt, time.Minute)
		_, offset := got.DeletedAt.Zone()
		_, berlin := got.DeletedAt.In(taskwire.LoadZone("Europe/Berlin")).Zone()
		assert.Equal(t, berlin, offset, "deleted_at is given in the task's zone, as its other times")
		assert.Empty(t, page.NextCursor)
		assert.True(t, inTrash(t, db, dentist.ID))
	})

	t.Run("RestoreByNumber", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "restore_task", `{"task_id": "#1"}`)
		assert.Equal(t, dentist.ID, got.ID)
		assert.Equal(t, int64(1), got.Number)
		assert.Equal(t, "Dentist", got.Title)
		assert.Equal(t, "2027-04-05T09:00:00+02:00", got.DueAt.Format(time.RFC3339), "in the task's zone, as complete_task gives it")

		stored, err := store.FindTask(ctx, "1")
		require.NoError(t, err, "task 1 is back among the user's tasks")
		assert.Equal(t, dentist.ID, stored.ID)
		assert.Equal(t, []string{"health"}, stored.Tags)
		require.Len(t, stored.Reminders, 1, "with its reminder")
		assert.False(t, inTrash(t, db, dentist.ID), "and out of the trash")
	})

	t.Run("RestoreByID", func(t *testing.T) {
		got := MustCall[taskwire.Task](t, ctx, set, "restore_task", `{"task_id": "`+groceries.ID.String()+`"}`)
		assert.Equal(t, groceries.ID, got.ID)
		assert.Equal(t, int64(2), got.Number)
		stored, err := store.FindTask(ctx, "2")
		require.NoError(t, err)
		assert.Equal(t, "Buy groceries", stored.Title)
		assert.False(t, inTrash(t, db, groceries.ID))
		page := MustCall[deletedPage](t, ctx, set, "list_deleted_tasks", `{}`)
		assert.Empty(t, page.Items, "the trash is empty again")
	})

	t.Run("RestoreTaskNotDeleted", func(t *testing.T) {
		before, err := store.FindTask(ctx, "3")
		require.NoError(t, err)
		got := MustCall[taskwire.Task](t, ctx, set, "restore_task", `{"task_id": 3}`)
		assert.Equal(t, before.ID, got.ID)
		assert.Equal(t, before.Version, got.Version, "a task that is not in the trash is given as it is")
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, ref := range []string{`99`, `"` + uuid.NewString() + `"`} {
			got := MustFail(t, ctx, set, "restore_task", `{"task_id": `+ref+`}`)
			assert.Equal(t, taskwire.ENOTFOUND, got["code"], "got %v", got)
			assert.Equal(t, "task_id", got["field"], "got %v", got)
			assert.Contains(t, got["error"], "the user has no task "+strings.Trim(ref, `"`))
		}
	})

	t.Run("Pages", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		for i := range 21 {
			task := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Task `+strconv.Itoa(i+1)+`"}`)
			MustCall[map[string]any](t, ctx, set, "delete_task", `{"task_id": `+strconv.FormatInt(task.Number, 10)+`}`)
		}
		page := MustCall[deletedPage](t, ctx, set, "list_deleted_tasks", `{}`)
		require.Len(t, page.Items, 20, "a small page")
		assert.Equal(t, "Task 21", page.Items[0].Title)
		require.NotEmpty(t, page.NextCursor)
		page = MustCall[deletedPage](t, ctx, set, "list_deleted_tasks", `{"cursor": "`+page.NextCursor+`"}`)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "Task 1", page.Items[0].Title)
		assert.Empty(t, page.NextCursor)
	})

	t.Run("SameEventsAsREST", func(t *testing.T) {
		assert.Equal(t, []string{
			"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1",
			"dev.taskwire.task.deleted.v1", "dev.taskwire.task.deleted.v1",
			"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", // restored, and nothing for task 3
		}, eventTypes(t, db, user))
	})
}

func TestTools_Refusals(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, user := MustNewUser(t, db)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Mine"}`)

	for _, tc := range []struct {
		name, tool, args, code, field string
	}{
		{"BlankTitle", "add_task", `{"title": "  "}`, taskwire.EINVALID, "title"},
		{"TitleNotString", "add_task", `{"title": 5}`, taskwire.EMALFORMED, "title"},
		{"BadZone", "add_task", `{"title": "x", "time_zone": "Mars/Olympus"}`, taskwire.EINVALID, "time_zone"},
		{"BadRRule", "add_task", `{"title": "x", "due_at": "2026-03-01T09:00:00Z", "recurrence": "FREQ=SOMETIMES"}`, taskwire.EINVALID, "recurrence"},
		{"RecurrenceWithoutDue", "add_task", `{"title": "x", "recurrence": "FREQ=DAILY"}`, taskwire.EINVALID, "recurrence"},
		{"UnknownField", "add_task", `{"title": "x", "colour": "red"}`, taskwire.EMALFORMED, "colour"},
		{"NotJSON", "add_task", `{"title": `, taskwire.EMALFORMED, ""},
		{"BadStatus", "list_tasks", `{"status": "later"}`, taskwire.EMALFORMED, "status"},
		{"BadLimit", "list_tasks", `{"limit": 1000}`, taskwire.EMALFORMED, "limit"},
		{"TagNotString", "list_tasks", `{"tag": [1]}`, taskwire.EMALFORMED, "tag"},
		{"NullArguments", "complete_task", `null`, taskwire.EMALFORMED, ""},
		{"NullTaskArguments", "add_task", `null`, taskwire.EMALFORMED, ""},
		{"MissingTaskID", "complete_task", `{}`, taskwire.EINVALID, "task_id"},
		{"BadTaskID", "complete_task", `{"task_id": "the dentist"}`, taskwire.EINVALID, "task_id"},
		{"NegativeTaskID", "delete_task", `{"task_id": -1}`, taskwire.EINVALID, "task_id"},
		{"NoSuchTask", "complete_task", `{"task_id": 99}`, taskwire.ENOTFOUND, "task_id"},
		{"EndSeriesNotBoolean", "complete_task", `{"task_id": 1, "end_series": "yes"}`, taskwire.EMALFORMED, "end_series"},
		{"NoSuchTaskToEnd", "complete_task", `{"task_id": 99, "end_series": true}`, taskwire.ENOTFOUND, "task_id"},
		{"ExtraField", "get_task", `{"task_id": 1, "title": "x"}`, taskwire.EMALFORMED, "title"},
		{"NothingToUpdate", "update_task", `{"task_id": 1}`, taskwire.EINVALID, ""},
		{"BadPriority", "update_task", `{"task_id": 1, "priority": "asap"}`, taskwire.EINVALID, "priority"},
		{"RescheduleWithoutDue", "reschedule_task", `{"task_id": 1}`, taskwire.EINVALID, "due_at"},
		{"RescheduleBadDueDate", "reschedule_task", `{"task_id": 1, "due_date": "friday"}`, taskwire.EINVALID, "due_date"},
		{"RescheduleBadDue", "reschedule_task", `{"task_id": 1, "due_at": "friday"}`, taskwire.EINVALID, "due_at"},
		{"RescheduleOtherField", "reschedule_task", `{"task_id": 1, "due_at": null, "title": "x"}`, taskwire.EMALFORMED, "title"},
		{"RestoreWithoutTaskID", "restore_task", `{}`, taskwire.EINVALID, "task_id"},
		{"RestoreOtherField", "restore_task", `{"task_id": 1, "title": "x"}`, taskwire.EMALFORMED, "title"},
		{"ListDeletedBadCursor", "list_deleted_tasks", `{"cursor": "later"}`, taskwire.EMALFORMED, "cursor"},
		{"ListDeletedOtherField", "list_deleted_tasks", `{"limit": 5}`, taskwire.EMALFORMED, "limit"},
		{"NotificationsLimitZero", "list_notifications", `{"limit": 0}`, taskwire.EMALFORMED, "limit"},
		{"NotificationsLimitTooBig", "list_notifications", `{"limit": 51}`, taskwire.EMALFORMED, "limit"},
		{"NotificationsLimitNotNumber", "list_notifications", `{"limit": "5"}`, taskwire.EMALFORMED, "limit"},
		{"NotificationsUnreadNotBool", "list_notifications", `{"unread_only": "yes"}`, taskwire.EMALFORMED, "unread_only"},
		{"NotificationsOtherField", "list_notifications", `{"cursor": "x"}`, taskwire.EMALFORMED, "cursor"},
		{"SnoozeWithoutID", "snooze_reminder", `{"for": "PT1H"}`, taskwire.EINVALID, "notification_id"},
		{"SnoozeNullID", "snooze_reminder", `{"notification_id": null}`, taskwire.EINVALID, "notification_id"},
		{"SnoozeBadID", "snooze_reminder", `{"notification_id": "the dentist"}`, taskwire.EINVALID, "notification_id"},
		{"SnoozeTaskNumber", "snooze_reminder", `{"notification_id": 1}`, taskwire.EINVALID, "notification_id"},
		{"SnoozeSeconds", "snooze_reminder", `{"notification_id": "` + uuid.NewString() + `", "for": "PT30S"}`, taskwire.EINVALID, "for"},
		{"SnoozeSoon", "snooze_reminder", `{"notification_id": "` + uuid.NewString() + `", "for": "soon"}`, taskwire.EINVALID, "for"},
		{"SnoozeMonths", "snooze_reminder", `{"notification_id": "` + uuid.NewString() + `", "for": "P1M"}`, taskwire.EINVALID, "for"},
		{"SnoozeUnknown", "snooze_reminder", `{"notification_id": "` + uuid.NewString() + `"}`, taskwire.ENOTFOUND, "notification_id"},
		{"HistoryWithoutTaskID", "task_history", `{}`, taskwire.EINVALID, "task_id"},
		{"HistoryNoSuchTask", "task_history", `{"task_id": 99}`, taskwire.ENOTFOUND, "task_id"},
		{"HistoryLimitZero", "task_history", `{"task_id": 1, "limit": 0}`, taskwire.EMALFORMED, "limit"},
		{"HistoryLimitTooBig", "task_history", `{"task_id": 1, "limit": 51}`, taskwire.EMALFORMED, "limit"},
		{"HistoryBadCursor", "task_history", `{"task_id": 1, "cursor": "earlier"}`, taskwire.EMALFORMED, "cursor"},
		{"HistoryOtherField", "task_history", `{"task_id": 1, "order": "oldest"}`, taskwire.EMALFORMED, "order"},
		{"SnoozeOtherField", "snooze_reminder", `{"notification_id": "` + uuid.NewString() + `", "task_id": 1}`, taskwire.EMALFORMED, "task_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MustFail(t, ctx, set, tc.tool, tc.args)
			assert.Equal(t, tc.code, got["code"], "got %v", got)
			assert.Equal(t, tc.field, got["field"], "got %v", got)
			assert.NotEmpty(t, got["error"])
		})
	}
	t.Run("NothingWritten", func(t *testing.T) {
		assert.Equal(t, []string{"dev.taskwire.task.created.v1"}, eventTypes(t, db, user))
	})
}

func TestTools_OtherUsersTasksUnreachable(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	alice, _ := MustNewUser(t, db)
	bob, bobID := MustNewUser(t, db)
	theirs := MustCall[taskwire.Task](t, bob, set, "add_task", `{"title": "Bob's secret"}`)
	binned := MustCall[taskwire.Task](t, bob, set, "add_task", `{"title": "Bob's deleted secret"}`)
	MustCall[map[string]any](t, bob, set, "delete_task", `{"task_id": 2}`)

	for _, tc := range []struct{ tool, args string }{
		{"get_task", `{"task_id": 1}`},
		{"get_task", `{"task_id": "` + theirs.ID.String() + `"}`},
		{"complete_task", `{"task_id": "` + theirs.ID.String() + `"}`},
		{"update_task", `{"task_id": "` + theirs.ID.String() + `", "title": "mine now"}`},
		{"reschedule_task", `{"task_id": "` + theirs.ID.String() + `", "due_at": null}`},
		{"delete_task", `{"task_id": "` + theirs.ID.String() + `"}`},
		{"restore_task", `{"task_id": 2}`},
		{"restore_task", `{"task_id": "` + binned.ID.String() + `"}`},
		{"restore_task", `{"task_id": "` + theirs.ID.String() + `"}`},
		{"task_history", `{"task_id": 1}`},
		{"task_history", `{"task_id": "` + binned.ID.String() + `"}`},
	} {
		got := MustFail(t, alice, set, tc.tool, tc.args)
		assert.Equal(t, taskwire.ENOTFOUND, got["code"], "%s(%s): got %v", tc.tool, tc.args, got)
	}
	page := MustCall[taskwire.TaskPage](t, alice, set, "list_tasks", `{"status": "all", "q": "secret"}`)
	assert.Empty(t, page.Items)
	trash := MustCall[deletedPage](t, alice, set, "list_deleted_tasks", `{}`)
	assert.Empty(t, trash.Items, "alice lists none of bob's deleted tasks")
	assert.True(t, inTrash(t, db, binned.ID), "bob's deleted task stays in his trash")

	still := MustCall[taskwire.Task](t, bob, set, "get_task", `{"task_id": 1}`)
	assert.Equal(t, "Bob's secret", still.Title)
	assert.Equal(t, taskwire.StatusOpen, still.Status)
	assert.Equal(t, []string{"dev.taskwire.task.created.v1", "dev.taskwire.task.created.v1", "dev.taskwire.task.deleted.v1"},
		eventTypes(t, db, bobID))
}

func TestErrorResult(t *testing.T) {
	set := tools.New(nil, nil, nil, nil)
	_, err := set.Call(context.Background(), "launch_rocket", json.RawMessage(`{}`))
	require.Error(t, err)
	assert.True(t, errors.Is(err, tools.ErrUnknownTool), "got %v, want ErrUnknownTool", err)
	res, ok := tools.ErrorResult(err)
	require.True(t, ok)
	var m map[string]string
	require.NoError(t, json.Unmarshal(res, &m))
	assert.Equal(t, "unknown_tool", m["code"])
	assert.Contains(t, m["error"], "launch_rocket")
	assert.Contains(t, m["error"], "add_task", "the error must tell the model which tools exist")

	_, ok = tools.ErrorResult(errors.New("connection refused"))
	assert.False(t, ok, "an internal failure is the caller's, not the model's")
	_, ok = tools.ErrorResult(taskwire.Errorf(taskwire.EUNAVAILABLE, "the request was cancelled"))
	assert.False(t, ok)
}
