package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// quickPreview is the contract of a dry run's answer, read strictly.
type quickPreview struct {
	Task struct {
		Title      string                   `json:"title"`
		Priority   string                   `json:"priority"`
		Tags       []string                 `json:"tags"`
		DueAt      *string                  `json:"due_at"`
		DueDate    *string                  `json:"due_date"`
		Duration   *string                  `json:"duration"`
		TimeZone   string                   `json:"time_zone"`
		Recurrence *string                  `json:"recurrence"`
		RepeatFrom string                   `json:"repeat_from"`
		Reminders  []taskwire.ReminderInput `json:"reminders"`
	} `json:"task"`
	Understood []struct {
		Text    string `json:"text"`
		Meaning string `json:"meaning"`
	} `json:"understood"`
}

// mustPreview asks for a dry run of body and returns the answer, read strictly.
func mustPreview(t *testing.T, c *resttest.Client, body any) quickPreview {
	t.Helper()
	resp := c.Do(t, http.MethodPost, "/v1/tasks/quick?dry_run=true", body)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Empty(t, resp.Header.Get("Location"), "a dry run creates nothing")
	var p quickPreview
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&p), "the dry run must answer exactly the contract's members: %s", resp.Body)
	return p
}

// tomorrowAt returns the day after the present in loc at hour:00, as "tomorrow <hour>" means.
func tomorrowAt(now time.Time, loc *time.Location, hour int) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, hour, 0, 0, 0, loc)
}

// dayIn returns the day n days after now's day in loc, written as due_date is.
func dayIn(now time.Time, loc *time.Location, n int) string {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 0, 0, 0, 0, time.UTC).Format(taskwire.DateLayout)
}

// next15th returns the next 15th of a month from now's day in loc on, written as
// due_date is.
func next15th(now time.Time, loc *time.Location) string {
	l := now.In(loc)
	m := l.Month()
	if l.Day() > 15 {
		m++
	}
	return time.Date(l.Year(), m, 15, 0, 0, 0, 0, time.UTC).Format(taskwire.DateLayout)
}

// middayIn returns a zone of a whole-hour offset in which now is around midday, so that
// a test of "today" does not run into midnight.
func middayIn(now time.Time) string {
	west := now.UTC().Hour() - 12 // hours west of UTC, as the IANA names count
	if west == 0 {
		return "UTC"
	}
	return fmt.Sprintf("Etc/GMT%+d", west)
}

func TestQuickAdd(t *testing.T) {
	s := resttest.MustStart(t)
	const rent = "Pay rent every month on the 1st at 9am #home !high remind 1h before"

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": rent, "time_zone": "Europe/Berlin"},
			"Idempotency-Key", "rent-1")
		resp.MustStatus(t, http.StatusCreated)
		assert.Equal(t, `"1"`, resp.Header.Get("ETag"))
		var task taskwire.Task
		resp.JSON(t, &task)
		assert.Equal(t, "/v1/tasks/"+task.ID.String(), resp.Header.Get("Location"))
		assert.Equal(t, "Pay rent", task.Title)
		assert.Equal(t, taskwire.PriorityHigh, task.Priority)
		assert.Equal(t, []string{"home"}, task.Tags)
		assert.Equal(t, "Europe/Berlin", task.TimeZone)
		require.NotNil(t, task.Recurrence)
		assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=1", *task.Recurrence)
		assert.Equal(t, taskwire.RepeatFromSchedule, task.RepeatFrom)
		require.NotNil(t, task.DueAt)
		due := task.DueAt.In(taskwire.LoadZone("Europe/Berlin"))
		assert.Equal(t, []int{1, 9, 0}, []int{due.Day(), due.Hour(), due.Minute()}, "got due %v, want the 1st at 09:00 in Berlin", due)
		assert.True(t, task.DueAt.After(time.Now()), "got due %v, want the next 1st", task.DueAt)
		require.Len(t, task.Reminders, 1)
		assert.Equal(t, "PT1H", task.Reminders[0].Before)
		require.NotNil(t, task.Reminders[0].FireAt)
		assert.Equal(t, task.DueAt.Add(-time.Hour), *task.Reminders[0].FireAt)

		assert.Equal(t, &task, c.MustGetTask(t, "1"), "the task is stored as answered")
		assert.Equal(t, []string{events.TypeTaskCreated}, eventTypes(mustHistory(t, c, "1")), "created with its event, as POST /v1/tasks")

		again := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": rent, "time_zone": "Europe/Berlin"},
			"Idempotency-Key", "rent-1")
		again.MustStatus(t, http.StatusCreated)
		assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		assert.Equal(t, resp.Body, again.Body, "a replay answers the first task")
		assert.Len(t, c.MustListTasks(t, "status=all"), 1)
	})

	t.Run("DryRunSavesNothing", func(t *testing.T) {
		c := s.NewUser(t)
		p := mustPreview(t, c, map[string]any{"text": rent, "time_zone": "America/New_York"})
		assert.Equal(t, "Pay rent", p.Task.Title)
		assert.Equal(t, "high", p.Task.Priority)
		assert.Equal(t, []string{"home"}, p.Task.Tags)
		assert.Equal(t, "America/New_York", p.Task.TimeZone)
		require.NotNil(t, p.Task.Recurrence)
		assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=1", *p.Task.Recurrence)
		assert.Equal(t, "schedule", p.Task.RepeatFrom)
		require.NotNil(t, p.Task.DueAt)
		assert.Nil(t, p.Task.DueDate, "a time of day makes a timed task")
		due, err := time.Parse(time.RFC3339, *p.Task.DueAt)
		require.NoError(t, err)
		assert.Equal(t, "09:00", due.Format("15:04"), "due_at carries the zone's offset: %s", *p.Task.DueAt)
		require.Len(t, p.Task.Reminders, 1)
		require.NotNil(t, p.Task.Reminders[0].Before)
		assert.Equal(t, "PT1H", *p.Task.Reminders[0].Before)
		var texts []string
		for _, f := range p.Understood {
			texts = append(texts, f.Text)
			assert.NotEmpty(t, f.Meaning)
		}
		assert.Equal(t, []string{"every month on the 1st", "at 9am", "#home", "!high", "remind 1h before"}, texts)

		assert.Empty(t, c.MustListTasks(t, "status=all"), "a dry run saves nothing")
		again := c.Do(t, http.MethodPost, "/v1/tasks/quick?dry_run=false", map[string]any{"text": "x"})
		again.MustStatus(t, http.StatusCreated)
		var first taskwire.Task
		again.JSON(t, &first)
		assert.Equal(t, int64(1), first.Number, "the dry run used no number")

		// The preview's task is a body POST /v1/tasks takes as it is.
		made := c.MustCreateTask(t, p.Task)
		assert.Equal(t, "Pay rent", made.Title)
		assert.Equal(t, due.UTC(), made.DueAt.UTC())
	})

	t.Run("DryRunUnderstoodNothing", func(t *testing.T) {
		p := mustPreview(t, s.NewUser(t), map[string]any{"text": "just a title"})
		assert.Equal(t, "just a title", p.Task.Title)
		assert.NotNil(t, p.Understood, "understood is a list, empty")
		assert.Empty(t, p.Understood)
		assert.Nil(t, p.Task.DueAt)
		assert.Nil(t, p.Task.DueDate)
		assert.Equal(t, "none", p.Task.Priority)
		assert.Equal(t, "UTC", p.Task.TimeZone, "a new user's zone is UTC")
	})

	// "for 45 minutes" says how long it takes: previewed, then on the task made.
	t.Run("Duration", func(t *testing.T) {
		c := s.NewUser(t)
		p := mustPreview(t, c, map[string]any{"text": "dentist friday at 9 for 45 minutes"})
		require.NotNil(t, p.Task.Duration)
		assert.Equal(t, "PT45M", *p.Task.Duration)
		assert.Equal(t, "dentist", p.Task.Title)
		resp := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": "dentist friday at 9 for 45 minutes"})
		resp.MustStatus(t, http.StatusCreated)
		var got taskwire.Task
		resp.JSON(t, &got)
		require.NotNil(t, got.Duration)
		assert.Equal(t, "PT45M", *got.Duration)
		assert.Nil(t, mustPreview(t, c, map[string]any{"text": "call mom"}).Task.Duration, "null when the line says none")
	})

	t.Run("UsersZone", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"time_zone": "Asia/Tokyo"}).MustStatus(t, http.StatusOK)
		tokyo := taskwire.LoadZone("Asia/Tokyo")
		before := time.Now()
		resp := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": "call mom tomorrow 5pm"})
		after := time.Now()
		resp.MustStatus(t, http.StatusCreated)
		var got taskwire.Task
		resp.JSON(t, &got)
		assert.Equal(t, "call mom", got.Title)
		assert.Equal(t, "Asia/Tokyo", got.TimeZone)
		assert.Nil(t, got.DueDate, "a time of day makes a timed task")
		require.NotNil(t, got.DueAt)
		// The day may turn in Tokyo during the request: either day is right then.
		assert.Contains(t, []time.Time{tomorrowAt(before, tokyo, 17).UTC(), tomorrowAt(after, tokyo, 17).UTC()}, got.DueAt.UTC())

		p := mustPreview(t, c, map[string]any{"text": "call mom tomorrow 5pm", "time_zone": "America/Los_Angeles"})
		assert.Equal(t, "America/Los_Angeles", p.Task.TimeZone, "the body's zone wins over the user's")
		require.NotNil(t, p.Task.DueAt)
		due, err := time.Parse(time.RFC3339, *p.Task.DueAt)
		require.NoError(t, err)
		assert.Equal(t, "17:00", due.In(taskwire.LoadZone("America/Los_Angeles")).Format("15:04"))
	})

	// A date without a time of day makes an all-day task: due until the day's end in its
	// zone, its relative reminders counting back from 09:00 on the day.
	t.Run("AllDay", func(t *testing.T) {
		c := s.NewUser(t)
		berlin := taskwire.LoadZone("Europe/Berlin")
		before := time.Now()
		resp := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": "buy milk tomorrow remind me 1 hour before",
			"time_zone": "Europe/Berlin"})
		after := time.Now()
		resp.MustStatus(t, http.StatusCreated)
		var task taskwire.Task
		resp.JSON(t, &task)
		assert.Equal(t, "buy milk", task.Title)
		require.NotNil(t, task.DueDate, "got a timed task, want an all-day one")
		// The day may turn in Berlin during the request: either day is right then.
		assert.Contains(t, []string{dayIn(before, berlin, 1), dayIn(after, berlin, 1)}, *task.DueDate)
		day, err := time.Parse(taskwire.DateLayout, *task.DueDate)
		require.NoError(t, err)
		require.NotNil(t, task.DueAt)
		assert.Equal(t, taskwire.EndOfDay(day, berlin), task.DueAt.UTC(), "due until the day's last second in Berlin")
		require.Len(t, task.Reminders, 1)
		assert.Equal(t, "PT1H", task.Reminders[0].Before)
		require.NotNil(t, task.Reminders[0].FireAt)
		fire := task.Reminders[0].FireAt.In(berlin)
		assert.Equal(t, *task.DueDate+" 08:00", fire.Format("2006-01-02 15:04"), "an hour before 09:00 on the day")
		assert.Equal(t, &task, c.MustGetTask(t, "1"), "the task is stored as answered")
	})

	// "today" is today, all day: the task is not overdue while the day lasts.
	t.Run("TodayIsNotOverdue", func(t *testing.T) {
		c := s.NewUser(t)
		zone := middayIn(time.Now())
		task := c.Do(t, http.MethodPost, "/v1/tasks/quick", map[string]any{"text": "call bank today", "time_zone": zone})
		task.MustStatus(t, http.StatusCreated)
		var got taskwire.Task
		task.JSON(t, &got)
		require.NotNil(t, got.DueDate)
		assert.Equal(t, dayIn(time.Now(), taskwire.LoadZone(zone), 0), *got.DueDate)
		assert.True(t, got.DueAt.After(time.Now()), "got due %v, want the end of today", got.DueAt)
		assert.Empty(t, c.MustListTasks(t, "overdue=true"))
		assert.Len(t, c.MustListTasks(t, "status=all"), 1)
	})

	// A repeat rule without a time of day makes an all-day series; the dry run answers
	// its day as due_date, which POST /v1/tasks takes as it is.
	t.Run("DryRunAllDaySeries", func(t *testing.T) {
		c := s.NewUser(t)
		ny := taskwire.LoadZone("America/New_York")
		before := time.Now()
		p := mustPreview(t, c, map[string]any{"text": "pay bills every 15th remind me at 8am", "time_zone": "America/New_York"})
		after := time.Now()
		assert.Equal(t, "pay bills", p.Task.Title)
		assert.Nil(t, p.Task.DueAt, "an all-day task has no due_at to send")
		require.NotNil(t, p.Task.DueDate)
		assert.Contains(t, []string{next15th(before, ny), next15th(after, ny)}, *p.Task.DueDate)
		require.NotNil(t, p.Task.Recurrence)
		assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=15", *p.Task.Recurrence)
		require.Len(t, p.Task.Reminders, 1)
		require.NotNil(t, p.Task.Reminders[0].Before, "a series' reminder moves with it")
		assert.Equal(t, "PT1H", *p.Task.Reminders[0].Before, "08:00 is an hour before 09:00 on the day")
		require.NotEmpty(t, p.Understood)
		assert.Equal(t, "every 15th", p.Understood[0].Text)
		assert.Contains(t, p.Understood[0].Meaning, "all day")
		assert.Empty(t, c.MustListTasks(t, "status=all"), "a dry run saves nothing")

		made := c.MustCreateTask(t, p.Task)
		require.NotNil(t, made.DueDate)
		assert.Equal(t, *p.Task.DueDate, *made.DueDate)
		require.Len(t, made.Reminders, 1)
		require.NotNil(t, made.Reminders[0].FireAt)
		assert.Equal(t, *made.DueDate+" 08:00", made.Reminders[0].FireAt.In(ny).Format("2006-01-02 15:04"))
	})

	t.Run("Err", func(t *testing.T) {
		c := s.NewUser(t)
		for _, tt := range []struct {
			name, query string
			body        any
			status      int
			code, field string
		}{
			{"MissingText", "", map[string]any{}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"BlankText", "", map[string]any{"text": "  "}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"EmptyTitle", "", map[string]any{"text": "tomorrow 5pm #home"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"EmptyTitleDryRun", "?dry_run=true", map[string]any{"text": "tomorrow 5pm"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"ReminderWithoutDue", "", map[string]any{"text": "call remind 1h before"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"ReminderAfterTheDay", "", map[string]any{"text": "buy milk today remind me in 30 hours"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"SeriesReminderAfterNine", "", map[string]any{"text": "bins every thursday remind me thursday at 10am"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "text"},
			{"UnknownZone", "", map[string]any{"text": "x", "time_zone": "Mars/Olympus"}, http.StatusUnprocessableEntity, taskwire.EINVALID, "time_zone"},
			{"TextNotString", "", map[string]any{"text": 3}, http.StatusBadRequest, taskwire.EMALFORMED, "text"},
			{"UnknownField", "", map[string]any{"text": "x", "title": "y"}, http.StatusBadRequest, taskwire.EMALFORMED, "title"},
			{"BadDryRun", "?dry_run=maybe", map[string]any{"text": "x"}, http.StatusBadRequest, taskwire.EMALFORMED, "dry_run"},
			{"DryRunTwice", "?dry_run=true&dry_run=true", map[string]any{"text": "x"}, http.StatusBadRequest, taskwire.EMALFORMED, "dry_run"},
			{"UnknownParameter", "?dryrun=true", map[string]any{"text": "x"}, http.StatusBadRequest, taskwire.EMALFORMED, "dryrun"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/quick"+tt.query, tt.body), tt.status, tt.code)
				assert.Equal(t, tt.field, d.Field)
			})
		}
		assert.Empty(t, c.MustListTasks(t, "status=all"), "nothing was written")
	})
}
