package rest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestAllDayTasks(t *testing.T) {
	s := resttest.MustStart(t)

	// A day without a zone is read in the user's; the task reads back with its day and
	// with due_at at the day's last second there.
	t.Run("Create", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Pacific/Auckland"}`).MustStatus(t, http.StatusOK)
		resp := c.Do(t, http.MethodPost, "/v1/tasks", `{"title": "Pay rent", "due_date": "2030-05-01", "reminders": [{"before": "PT0S"}]}`)
		resp.MustStatus(t, http.StatusCreated)
		assert.Contains(t, string(resp.Body), `"due_date":"2030-05-01"`)
		var task taskwire.Task
		resp.JSON(t, &task)
		assert.Equal(t, "Pacific/Auckland", task.TimeZone)
		assert.Equal(t, time.Date(2030, 5, 1, 11, 59, 59, 0, time.UTC), *task.DueAt, "23:59:59 in New Zealand's winter (+12)")
		require.Len(t, task.Reminders, 1)
		assert.Equal(t, time.Date(2030, 4, 30, 21, 0, 0, 0, time.UTC), *task.Reminders[0].FireAt, "09:00 on the day")
		assert.Equal(t, task, *c.MustGetTask(t, "1"))

		timed := c.Do(t, http.MethodPost, "/v1/tasks", `{"title": "Call", "due_at": "2030-05-01T10:00:00Z"}`)
		timed.MustStatus(t, http.StatusCreated)
		assert.Contains(t, string(timed.Body), `"due_date":null`, "a task due at a time has no day")

		for _, body := range []string{
			`{"title": "x", "due_date": "tomorrow"}`,
			`{"title": "x", "due_date": "2030-05-01", "due_at": "2030-05-01T10:00:00Z"}`,
			`{"title": "x", "due_date": "2030-05-01", "recurrence": "FREQ=HOURLY"}`,
		} {
			d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks", body), http.StatusUnprocessableEntity, taskwire.EINVALID)
			assert.Contains(t, []string{"due_date", "recurrence"}, d.Field, body)
		}
		alias := c.Do(t, http.MethodPost, "/api/"+c.User+"/tasks", `{"title": "Bins out", "due_date": "2030-05-02"}`)
		alias.MustStatus(t, http.StatusCreated)
		assert.Contains(t, string(alias.Body), `"due_date":"2030-05-02"`, "the hackathon clients' route")
		assert.Len(t, c.MustListTasks(t, "status=all"), 3, "nothing written by the refused ones")
	})

	// A task due today is not overdue before the day is over; one due yesterday is.
	t.Run("Overdue", func(t *testing.T) {
		c := s.NewUser(t)
		zone, today := middayZone(time.Now())
		yesterday := today.AddDate(0, 0, -1)
		c.MustCreateTask(t, map[string]any{"title": "today", "due_date": today.Format(taskwire.DateLayout), "time_zone": zone})
		c.MustCreateTask(t, map[string]any{"title": "yesterday", "due_date": yesterday.Format(taskwire.DateLayout), "time_zone": zone})
		c.MustCreateTask(t, map[string]any{"title": "a minute ago", "due_at": time.Now().Add(-time.Minute).Format(time.RFC3339)})
		assert.Equal(t, []string{"a minute ago", "yesterday"}, titles(c.MustListTasks(t, "overdue=true&sort=title")))
		// The day's tasks are due before its end: "due by tomorrow" lists them.
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
		q := url.Values{"sort": {"title"}, "due_after": {start.Format(time.RFC3339)}, "due_before": {start.AddDate(0, 0, 1).Format(time.RFC3339)}}
		assert.Equal(t, []string{"a minute ago", "today"}, titles(c.MustListTasks(t, q.Encode())), "the day's tasks, not yesterday's")
		// due=today says the same, on the day of the user's zone, without the client
		// working out when it begins.
		c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"time_zone": zone}).MustStatus(t, http.StatusOK)
		assert.Equal(t, []string{"a minute ago", "today"}, titles(c.MustListTasks(t, "due=today&sort=title")))
		assert.Empty(t, c.MustListTasks(t, "due=tomorrow"))
		// due=later: after the week, the seventh day after today on, all-day tasks by
		// their day; what the page's "Later" lists, and a saved filter can keep.
		c.MustCreateTask(t, map[string]any{"title": "in six days", "due_date": today.AddDate(0, 0, 6).Format(taskwire.DateLayout), "time_zone": zone})
		c.MustCreateTask(t, map[string]any{"title": "in a week", "due_date": today.AddDate(0, 0, 7).Format(taskwire.DateLayout), "time_zone": zone})
		c.MustCreateTask(t, map[string]any{"title": "next year", "due_at": today.AddDate(1, 0, 0).Format(time.RFC3339)})
		assert.Equal(t, []string{"in a week", "next year"}, titles(c.MustListTasks(t, "due=later&sort=title")))
		assert.Equal(t, []string{"a minute ago", "in six days", "today"}, titles(c.MustListTasks(t, "due=week&sort=title")))
		// with_overdue: the window and the open tasks overdue before it (Todoist's Today),
		// not a completed one, nor one due after the window.
		c.MustCreateTask(t, map[string]any{"title": "last week", "due_date": today.AddDate(0, 0, -7).Format(taskwire.DateLayout), "time_zone": zone})
		c.MustCreateTask(t, map[string]any{"title": "done last week", "due_at": today.AddDate(0, 0, -7).Format(time.RFC3339), "completed": true})
		assert.Equal(t, []string{"a minute ago", "last week", "today", "yesterday"},
			titles(c.MustListTasks(t, "due=today&with_overdue=true&sort=title")))
		assert.Equal(t, []string{"a minute ago", "in six days", "last week", "today", "yesterday"},
			titles(c.MustListTasks(t, "due=week&with_overdue=true&sort=title")))
		assert.Equal(t, []string{"a minute ago", "last week", "today", "yesterday"},
			titles(c.MustListTasks(t, "due=today&with_overdue=true&status=all&sort=title")), "no completed task of the past")
		assert.Equal(t, []string{"a minute ago", "today"}, titles(c.MustListTasks(t, "due=today&with_overdue=false&sort=title")))
		assert.Equal(t, []string{"last week", "yesterday", "a minute ago", "today", "in six days"},
			titles(c.MustListTasks(t, "due=week&with_overdue=true&sort=due_at&limit=2")), "page after page")
	})

	// An all-day task of a zone behind the user's, due on a day the user has left and its
	// zone has not, is left to do today: due=today&with_overdue lists it (until
	// 2026-12-06 it was in no window until its day ended there). Kiritimati is 25 hours
	// ahead of Pago Pago, so the day there is always one the user has left.
	t.Run("AZoneBehind", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Pacific/Kiritimati"}`).MustStatus(t, http.StatusOK)
		behind, err := time.LoadLocation("Pacific/Pago_Pago")
		require.NoError(t, err)
		c.MustCreateTask(t, map[string]any{"title": "its day there", "time_zone": "Pacific/Pago_Pago",
			"due_date": time.Now().In(behind).Format(taskwire.DateLayout)})
		assert.Equal(t, []string{"its day there"}, titles(c.MustListTasks(t, "due=today&with_overdue=true")))
		assert.Empty(t, c.MustListTasks(t, "overdue=true"), "not overdue: its day is not over")
		assert.Empty(t, c.MustListTasks(t, "due=today"), "its day is not the user's today")
	})

	// A patch moves a task between a time and a day; a new zone keeps its day.
	t.Run("Patch", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": "2030-05-01T10:00:00Z", "time_zone": "Europe/Berlin"})
		patch := func(body string) taskwire.Task {
			t.Helper()
			resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", body, "Content-Type", "application/merge-patch+json")
			resp.MustStatus(t, http.StatusOK)
			var task taskwire.Task
			resp.JSON(t, &task)
			return task
		}
		task := patch(`{"due_date": "2030-05-02"}`)
		require.NotNil(t, task.DueDate)
		assert.Equal(t, "2030-05-02", *task.DueDate)
		task = patch(`{"time_zone": "America/New_York"}`)
		assert.Equal(t, "2030-05-02", *task.DueDate)
		assert.Equal(t, time.Date(2030, 5, 3, 3, 59, 59, 0, time.UTC), *task.DueAt)
		task = patch(`{"due_at": "2030-05-02T15:00:00Z", "due_date": null}`)
		assert.Nil(t, task.DueDate)
		assert.Equal(t, time.Date(2030, 5, 2, 15, 0, 0, 0, time.UTC), *task.DueAt)
		d := mustProblem(t, c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"due_at": "2030-05-02T15:00:00Z", "due_date": "2030-05-03"}`,
			"Content-Type", "application/merge-patch+json"), http.StatusUnprocessableEntity, taskwire.EINVALID)
		assert.Equal(t, "due_date", d.Field)
		task = patch(`{"due_date": null}`)
		assert.Nil(t, task.DueAt)
	})

	// The day travels through the trash, the export and the import.
	t.Run("TrashExportImport", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{"title": "Pay rent", "due_date": "2030-05-01", "time_zone": "Europe/Berlin",
			"recurrence": "FREQ=MONTHLY", "reminders": []map[string]any{{"before": "P1D"}}})
		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		page := mustTrash(t, c, "")
		require.Len(t, page.Items, 1)
		assert.Equal(t, task.DueDate, page.Items[0].Task.DueDate)
		c.Do(t, http.MethodPost, "/v1/tasks/1/restore", nil).MustStatus(t, http.StatusOK)
		restored := c.MustGetTask(t, "1")
		assert.Equal(t, task.DueDate, restored.DueDate)
		assert.Equal(t, task.Reminders, restored.Reminders)

		export := c.Do(t, http.MethodGet, "/v1/export", nil)
		export.MustStatus(t, http.StatusOK)
		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		c.Do(t, http.MethodDelete, "/v1/trash/1", nil).MustStatus(t, http.StatusNoContent)
		resp := c.Do(t, http.MethodPost, "/v1/import", string(export.Body))
		resp.MustStatus(t, http.StatusOK)
		var got rest.Imported
		resp.JSON(t, &got)
		assert.Equal(t, rest.Imported{Added: 1}, got)
		back := c.MustGetTask(t, "1")
		require.NotNil(t, back.DueDate, "imported all-day")
		assert.Equal(t, "2030-05-01", *back.DueDate)
		assert.Equal(t, task.DueAt, back.DueAt)
		assert.Equal(t, task.Reminders[0].FireAt, back.Reminders[0].FireAt)
	})
}

// middayZone returns a fixed-offset zone in which now is around midday, and the day it
// is there, so that a test of "today" does not run into midnight.
func middayZone(now time.Time) (zone string, today time.Time) {
	offset := 12 - now.UTC().Hour()           // hours east of UTC
	zone = fmt.Sprintf("Etc/GMT%+d", -offset) // the IANA names count west
	if offset == 0 {
		zone = "UTC"
	}
	y, m, d := now.UTC().Add(time.Duration(offset) * time.Hour).Date()
	return zone, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
