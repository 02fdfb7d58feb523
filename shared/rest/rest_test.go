package rest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// taskJSONFields are the members every task object carries.
var taskJSONFields = []string{
	"id", "number", "title", "description", "status", "priority", "tags", "due_at",
	"time_zone", "recurrence", "repeat_from", "series_id", "reminders", "completed_at",
	"created_at", "updated_at", "version",
}

// mustTime parses an RFC 3339 time.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

// ids returns the ids of tasks, in order.
func ids(tasks []*taskwire.Task) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.ID.String()
	}
	return out
}

// taskIDs returns the ids of tasks given as the tasks themselves, in order.
func taskIDs(tasks ...*taskwire.Task) []string { return ids(tasks) }

// mustProblem checks that resp is a problem with status and code and returns it.
func mustProblem(t *testing.T, resp *resttest.Response, status int, code string) problem.Details {
	t.Helper()
	require.Equal(t, status, resp.Status, "got status %d, want %d: %s", resp.Status, status, resp)
	d := resp.Problem(t)
	assert.Equal(t, code, d.Code, "got code %q, want %q", d.Code, code)
	assert.Equal(t, "https://taskwire.dev/problems/"+code, d.Type)
	assert.NotEmpty(t, d.Title)
	assert.NotEmpty(t, d.Detail)
	assert.Empty(t, resp.Header.Get("ETag"), "a problem carries no ETag")
	return d
}

func TestCreateTask(t *testing.T) {
	s := resttest.MustStart(t)

	// A byte order mark before the JSON, as some Windows tools write one, is ignored, as
	// RFC 8259 allows (until 2026-12-06 a 400).
	t.Run("OKByteOrderMark", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodPost, "/v1/tasks", "\ufeff"+`{"title": "Buy milk"}`)
		resp.MustStatus(t, http.StatusCreated)
		var task taskwire.Task
		resp.JSON(t, &task)
		assert.Equal(t, "Buy milk", task.Title)
	})

	// A compressed body is refused, saying so: until 2026-12-06 a gzip body was "not valid
	// UTF-8".
	t.Run("ErrCompressed", func(t *testing.T) {
		c := s.NewUser(t)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, err := zw.Write([]byte(`{"title": "Buy milk"}`))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks", gz.String(), "Content-Encoding", "gzip"), http.StatusBadRequest, taskwire.EMALFORMED)
		assert.Equal(t, "Content-Encoding", d.Field)
		assert.Contains(t, d.Detail, "gzip")
		assert.Empty(t, c.MustListTasks(t, ""))
	})

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		before := time.Now().Add(-time.Second)
		resp := c.Do(t, http.MethodPost, "/v1/tasks", map[string]any{"title": "  Buy milk  "})
		resp.MustStatus(t, http.StatusCreated)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.Equal(t, `"1"`, resp.Header.Get("ETag"))

		var raw map[string]json.RawMessage
		resp.JSON(t, &raw)
		for _, name := range taskJSONFields {
			assert.Contains(t, raw, name, "got no %q in the task, want every field", name)
		}
		assert.NotContains(t, raw, "completed", "a /v1 task carries no completed member")

		var task taskwire.Task
		resp.JSON(t, &task)
		assert.Equal(t, "/v1/tasks/"+task.ID.String(), resp.Header.Get("Location"))
		assert.Equal(t, int64(1), task.Number)
		assert.Equal(t, "Buy milk", task.Title, "the title is trimmed")
		assert.Equal(t, "", task.Description)
		assert.Equal(t, taskwire.StatusOpen, task.Status)
		assert.Equal(t, taskwire.PriorityNone, task.Priority)
		assert.Equal(t, []string{}, task.Tags)
		assert.Nil(t, task.DueAt)
		assert.Equal(t, "UTC", task.TimeZone)
		assert.Nil(t, task.Recurrence)
		assert.Equal(t, taskwire.RepeatFromSchedule, task.RepeatFrom)
		assert.Nil(t, task.SeriesID)
		assert.Equal(t, []taskwire.Reminder{}, task.Reminders)
		assert.Nil(t, task.CompletedAt)
		assert.Equal(t, int64(1), task.Version)
		assert.True(t, task.CreatedAt.After(before), "got created_at %v, want about now", task.CreatedAt)
		assert.Equal(t, time.UTC, task.CreatedAt.Location(), "times are returned in UTC")
		assert.Equal(t, task.CreatedAt, task.UpdatedAt)

		second := c.MustCreateTask(t, map[string]any{"title": "Second"})
		assert.Equal(t, int64(2), second.Number, "numbers count up per user")
		other := s.NewUser(t).MustCreateTask(t, map[string]any{"title": "Someone else's"})
		assert.Equal(t, int64(1), other.Number, "each user numbers from 1")
	})

	t.Run("OKEveryField", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{
			"title":       "Stand-up",
			"description": "Daily\n\twith the team",
			"priority":    "high",
			"tags":        []string{"Work", " meetings ", "work"},
			"due_at":      "2026-03-29T09:00:00+02:00",
			"time_zone":   "Europe/Berlin",
			"recurrence":  "RRULE:freq=weekly;byday=mo,tu",
			"repeat_from": "completion",
			"reminders":   []map[string]string{{"before": "P1D"}, {"before": "PT15M"}, {"at": "2026-03-28T12:00:00-04:00"}},
		})
		assert.Equal(t, "Daily\n\twith the team", task.Description)
		assert.Equal(t, taskwire.PriorityHigh, task.Priority)
		assert.Equal(t, []string{"work", "meetings"}, task.Tags, "tags are trimmed, lower-cased and deduplicated")
		require.NotNil(t, task.DueAt)
		assert.Equal(t, mustTime(t, "2026-03-29T07:00:00Z"), *task.DueAt)
		assert.Equal(t, "Europe/Berlin", task.TimeZone)
		require.NotNil(t, task.Recurrence)
		assert.Equal(t, "FREQ=WEEKLY;BYDAY=MO,TU", *task.Recurrence, "the rule is stored in canonical form")
		assert.Equal(t, taskwire.RepeatFromCompletion, task.RepeatFrom)
		require.NotNil(t, task.SeriesID)
		assert.Equal(t, task.ID, *task.SeriesID, "a recurring task starts its own series")

		require.Len(t, task.Reminders, 3)
		want := []struct {
			before string
			fireAt string
		}{
			// 2026-03-29 is the day Berlin moves to summer time: one calendar day before
			// 09:00 CEST is 09:00 CET, 23 hours earlier.
			{"P1D", "2026-03-28T08:00:00Z"},
			{"PT15M", "2026-03-29T06:45:00Z"},
			{"", "2026-03-28T16:00:00Z"},
		}
		for i, w := range want {
			r := task.Reminders[i]
			assert.NotEqual(t, "00000000-0000-0000-0000-000000000000", r.ID.String())
			assert.Equal(t, w.before, r.Before, "reminders[%d].before", i)
			require.NotNil(t, r.FireAt, "reminders[%d].fire_at", i)
			assert.Equal(t, mustTime(t, w.fireAt), *r.FireAt, "reminders[%d].fire_at", i)
		}
		require.NotNil(t, task.Reminders[2].At)
		assert.Equal(t, mustTime(t, "2026-03-28T16:00:00Z"), *task.Reminders[2].At)

		got := c.MustGetTask(t, task.ID.String())
		assert.Equal(t, task, got, "GET returns what POST answered")
	})

	t.Run("OKUserTimeZone", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"time_zone": "America/New_York"}).MustStatus(t, http.StatusOK)
		task := c.MustCreateTask(t, map[string]any{"title": "In my zone"})
		assert.Equal(t, "America/New_York", task.TimeZone, "a task without time_zone takes the user's")
		task = c.MustCreateTask(t, map[string]any{"title": "Elsewhere", "time_zone": "Asia/Tokyo"})
		assert.Equal(t, "Asia/Tokyo", task.TimeZone)
	})

	// A local time (no UTC offset) is read in the task's zone with the offset that zone has
	// on that date, given or the user's; a PATCH reads it in the task's zone.
	t.Run("OKLocalTimes", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"time_zone": "America/New_York"}).MustStatus(t, http.StatusOK)
		task := c.MustCreateTask(t, map[string]any{"title": "After the change", "due_at": "2026-03-09T09:00:00",
			"reminders": []map[string]any{{"at": "2026-03-06T09:00"}}})
		assert.Equal(t, "America/New_York", task.TimeZone)
		assert.Equal(t, mustTime(t, "2026-03-09T13:00:00Z"), *task.DueAt, "09:00 EDT")
		assert.Equal(t, mustTime(t, "2026-03-06T14:00:00Z"), *task.Reminders[0].At, "09:00 EST")

		task = c.MustCreateTask(t, map[string]any{"title": "Elsewhere", "due_at": "2026-03-09T09:00", "time_zone": "Europe/Berlin"})
		assert.Equal(t, mustTime(t, "2026-03-09T08:00:00Z"), *task.DueAt)
		resp := c.Do(t, http.MethodPatch, "/v1/tasks/"+task.ID.String(), map[string]any{"due_at": "2026-07-01T09:00"})
		resp.MustStatus(t, http.StatusOK)
		var patched taskwire.Task
		resp.JSON(t, &patched)
		assert.Equal(t, mustTime(t, "2026-07-01T07:00:00Z"), *patched.DueAt, "09:00 CEST, in the task's zone, not the user's")
	})

	t.Run("OKCompleted", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{"title": "Already done", "completed": true})
		assert.Equal(t, taskwire.StatusCompleted, task.Status)
		assert.NotNil(t, task.CompletedAt)
	})
}

func TestIdempotencyKey(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OKReplay", func(t *testing.T) {
		c := s.NewUser(t)
		body := `{"title":"Pay rent","tags":["home"]}`
		first := c.Do(t, http.MethodPost, "/v1/tasks", body, "Idempotency-Key", "rent-2026-03")
		first.MustStatus(t, http.StatusCreated)
		assert.Empty(t, first.Header.Get("Idempotent-Replayed"))

		second := c.Do(t, http.MethodPost, "/v1/tasks", body, "Idempotency-Key", "rent-2026-03")
		second.MustStatus(t, http.StatusCreated)
		assert.Equal(t, "true", second.Header.Get("Idempotent-Replayed"))
		assert.JSONEq(t, string(first.Body), string(second.Body), "a replay answers the first response")
		assert.Equal(t, first.Header.Get("Location"), second.Header.Get("Location"))
		assert.Equal(t, first.Header.Get("ETag"), second.Header.Get("ETag"))

		tasks := c.MustListTasks(t, "status=all")
		require.Len(t, tasks, 1, "got %d tasks, want the one the key created", len(tasks))

		next := c.MustCreateTask(t, map[string]any{"title": "Next"})
		assert.Equal(t, int64(2), next.Number, "a replay uses up no number")
	})

	t.Run("OKKeysPerUser", func(t *testing.T) {
		body := `{"title":"Same key, other people"}`
		a := s.NewUser(t).Do(t, http.MethodPost, "/v1/tasks", body, "Idempotency-Key", "k1")
		b := s.NewUser(t).Do(t, http.MethodPost, "/v1/tasks", body, "Idempotency-Key", "k1")
		a.MustStatus(t, http.StatusCreated)
		b.MustStatus(t, http.StatusCreated)
		assert.Empty(t, b.Header.Get("Idempotent-Replayed"))
		assert.NotEqual(t, a.Header.Get("Location"), b.Header.Get("Location"))
	})

	t.Run("ErrOtherBody", func(t *testing.T) {
		c := s.NewUser(t)
		c.Do(t, http.MethodPost, "/v1/tasks", `{"title":"One"}`, "Idempotency-Key", "k").MustStatus(t, http.StatusCreated)
		resp := c.Do(t, http.MethodPost, "/v1/tasks", `{"title":"Two"}`, "Idempotency-Key", "k")
		d := mustProblem(t, resp, http.StatusUnprocessableEntity, taskwire.EINVALID)
		assert.Equal(t, "Idempotency-Key", d.Field)
		assert.Empty(t, resp.Header.Get("Location"))
		assert.Len(t, c.MustListTasks(t, "status=all"), 1)
	})
}

func TestListTasks(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	groceries := c.MustCreateTask(t, map[string]any{
		"title": "Buy groceries", "priority": "high", "tags": []string{"home", "errand"}, "due_at": "2020-01-01T10:00:00Z",
	})
	report := c.MustCreateTask(t, map[string]any{
		"title": "Write report", "description": "The quarterly numbers", "priority": "low", "tags": []string{"work"},
		"due_at": "2100-01-01T10:00:00Z",
	})
	mom := c.MustCreateTask(t, map[string]any{"title": "call mom", "priority": "urgent", "tags": []string{"home"}})
	old := c.MustCreateTask(t, map[string]any{
		"title": "Old thing", "priority": "high", "tags": []string{"home"}, "due_at": "2020-06-01T10:00:00Z", "completed": true,
	})
	// Someone else's tasks never show up.
	s.NewUser(t).MustCreateTask(t, map[string]any{"title": "Buy groceries too", "priority": "high", "tags": []string{"home"}})

	for _, tt := range []struct {
		name, query string
		want        []*taskwire.Task
	}{
		{"Default", "", []*taskwire.Task{groceries, report, mom}},
		{"StatusOpen", "status=open", []*taskwire.Task{groceries, report, mom}},
		{"StatusPending", "status=pending", []*taskwire.Task{groceries, report, mom}},
		{"StatusCompleted", "status=completed", []*taskwire.Task{old}},
		{"StatusAll", "status=all", []*taskwire.Task{groceries, report, mom, old}},
		{"Priority", "priority=high", []*taskwire.Task{groceries}},
		{"EmptyValuesAsAFormSendsThem", "status=&priority=&tag=&q=&due_before=&sort=", []*taskwire.Task{groceries, report, mom}},
		{"EmptyTagBesideAnother", "tag=&tag=work", []*taskwire.Task{report}},
		{"PriorityAllStatuses", "priority=high&status=all", []*taskwire.Task{groceries, old}},
		{"PriorityRepeated", "priority=high&priority=urgent", []*taskwire.Task{groceries, mom}},
		{"PriorityComma", "priority=high,%20urgent", []*taskwire.Task{groceries, mom}},
		{"Tag", "tag=home", []*taskwire.Task{groceries, mom}},
		{"TagNormalized", "tag=%20HOME%20", []*taskwire.Task{groceries, mom}},
		{"TagsAllMatch", "tag=home&tag=errand", []*taskwire.Task{groceries}},
		{"TagsNoneMatch", "tag=home&tag=work", []*taskwire.Task{}},
		{"Query", "q=grocery", []*taskwire.Task{groceries}},
		{"QueryDescription", "q=quarterly", []*taskwire.Task{report}},
		{"QueryWebsearch", "q=" + url.QueryEscape(`groceries or mom`), []*taskwire.Task{groceries, mom}},
		// A search box holding only spaces searches for nothing: every task, as with q=.
		{"QueryBlank", "q=%20%20", []*taskwire.Task{groceries, report, mom}},
		{"DueBefore", "due_before=2050-01-01T00:00:00Z", []*taskwire.Task{groceries}},
		{"DueBeforeAll", "due_before=2050-01-01T00:00:00%2B02:00&status=all", []*taskwire.Task{groceries, old}},
		{"DueAfter", "due_after=2050-01-01T00:00:00Z", []*taskwire.Task{report}},
		{"DueWindow", "due_after=2019-01-01T00:00:00Z&due_before=2021-01-01T00:00:00Z&status=all", []*taskwire.Task{groceries, old}},
		{"Overdue", "overdue=true", []*taskwire.Task{groceries}},
		{"OverdueAllStatuses", "overdue=true&status=all", []*taskwire.Task{groceries}},
		{"OverdueFalse", "overdue=false", []*taskwire.Task{groceries, report, mom}},
		{"SortDueAt", "sort=due_at", []*taskwire.Task{groceries, report, mom}},
		{"SortDueAtDesc", "sort=-due_at", []*taskwire.Task{report, groceries, mom}},
		{"SortPriorityDesc", "sort=-priority", []*taskwire.Task{mom, groceries, report}},
		{"SortPriority", "sort=priority", []*taskwire.Task{report, groceries, mom}},
		{"SortTitle", "sort=title", []*taskwire.Task{groceries, mom, report}},
		{"SortTitleDesc", "sort=-title", []*taskwire.Task{report, mom, groceries}},
		{"SortCreatedAtDesc", "sort=-created_at", []*taskwire.Task{mom, report, groceries}},
		// The hackathon clients' names of two sorts.
		{"SortDueDate", "sort=due_date", []*taskwire.Task{groceries, report, mom}},
		{"SortCreatedDesc", "sort=-created", []*taskwire.Task{mom, report, groceries}},
		{"Combined", "status=all&tag=home&priority=high&sort=-due_at", []*taskwire.Task{old, groceries}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.Do(t, http.MethodGet, "/v1/tasks?"+tt.query, nil)
			resp.MustStatus(t, http.StatusOK)
			var page taskwire.TaskPage
			resp.JSON(t, &page)
			assert.Equal(t, ids(tt.want), ids(page.Items), "GET /v1/tasks?%s", tt.query)
			var raw map[string]json.RawMessage
			resp.JSON(t, &raw)
			assert.NotContains(t, raw, "next_cursor", "the last page has no next_cursor")
			assert.Equal(t, "[", string(raw["items"][:1]), "items is an array, also when empty")
		})
	}

	t.Run("OKLimitAndCursor", func(t *testing.T) {
		resp := c.Do(t, http.MethodGet, "/v1/tasks?limit=2&sort=due_at", nil)
		resp.MustStatus(t, http.StatusOK)
		var page taskwire.TaskPage
		resp.JSON(t, &page)
		assert.Equal(t, taskIDs(groceries, report), ids(page.Items))
		require.NotEmpty(t, page.NextCursor)

		resp = c.Do(t, http.MethodGet, "/v1/tasks?limit=2&sort=due_at&cursor="+url.QueryEscape(page.NextCursor), nil)
		resp.MustStatus(t, http.StatusOK)
		var next taskwire.TaskPage
		resp.JSON(t, &next)
		assert.Equal(t, taskIDs(mom), ids(next.Items))
		assert.Empty(t, next.NextCursor)
	})

	t.Run("OKExactlyOnePage", func(t *testing.T) {
		resp := c.Do(t, http.MethodGet, "/v1/tasks?limit=3", nil)
		resp.MustStatus(t, http.StatusOK)
		var page taskwire.TaskPage
		resp.JSON(t, &page)
		assert.Len(t, page.Items, 3)
		assert.Empty(t, page.NextCursor, "a page that holds the last task has no next_cursor")
	})
}

// TestListTasksPagination walks every sort order a page of two at a time and checks that
// each task is visited exactly once, in the order a single page lists them.
func TestListTasksPagination(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	// Ties on every sort key, tasks without a due date, and titles that differ in case.
	for _, body := range []map[string]any{
		{"title": "banana", "priority": "high", "due_at": "2026-05-01T09:00:00Z"},
		{"title": "Apple", "priority": "low"},
		{"title": "apple", "priority": "high", "due_at": "2026-05-01T09:00:00Z"},
		{"title": "cherry", "priority": "none", "due_at": "2026-04-01T09:00:00Z"},
		{"title": "Banana", "priority": "urgent"},
		{"title": "date", "priority": "low", "due_at": "2026-06-01T09:00:00Z"},
		{"title": "elderberry", "priority": "high"},
		{"title": "fig", "priority": "medium", "due_at": "2026-05-01T09:00:00Z", "completed": true},
		{"title": "Grape", "priority": "high", "due_at": "2026-04-01T09:00:00Z"},
	} {
		c.MustCreateTask(t, body)
	}
	all := c.MustListTasks(t, "status=all&limit=200")
	require.Len(t, all, 9)
	for i, task := range all {
		assert.Equal(t, int64(i+1), task.Number, "the default order is creation, which is number order")
	}

	for _, sort := range []string{"created_at", "-created_at", "due_at", "-due_at", "priority", "-priority", "title", "-title"} {
		t.Run(sort, func(t *testing.T) {
			whole := c.MustListTasks(t, "status=all&limit=200&sort="+sort)
			require.Len(t, whole, len(all))
			checkOrder(t, sort, whole)
			for _, limit := range []int{1, 2, 4} {
				walked := c.MustListTasks(t, "status=all&sort="+sort+"&limit="+strconv.Itoa(limit))
				assert.Equal(t, ids(whole), ids(walked), "walking sort=%s limit=%d", sort, limit)
			}
			open := c.MustListTasks(t, "limit=2&sort="+sort)
			assert.Len(t, open, 8, "walking the open tasks with sort=%s", sort)
		})
	}
}

// checkOrder checks that tasks are in the order sort names: by its key, tasks without a
// due date last, ties by id in the sort's direction.
func checkOrder(t *testing.T, sort string, tasks []*taskwire.Task) {
	t.Helper()
	desc := strings.HasPrefix(sort, "-")
	field := strings.TrimPrefix(sort, "-")
	cmp := func(a, b *taskwire.Task) int {
		var c int
		switch field {
		case "created_at":
			c = a.CreatedAt.Compare(b.CreatedAt)
		case "priority":
			c = int(a.Priority.Rank()) - int(b.Priority.Rank())
		case "title":
			c = strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		case "due_at":
			switch {
			case a.DueAt == nil && b.DueAt == nil:
			case a.DueAt == nil:
				return 1 // last either way
			case b.DueAt == nil:
				return -1
			default:
				c = a.DueAt.Compare(*b.DueAt)
			}
		}
		if c == 0 {
			c = strings.Compare(a.ID.String(), b.ID.String())
		}
		if desc {
			c = -c
		}
		return c
	}
	assert.True(t, slices.IsSortedFunc(tasks, cmp), "tasks are not in %s order: %v", sort, titles(tasks))
}

func titles(tasks []*taskwire.Task) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.Title
	}
	return out
}

func TestTask(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OKGetByIDAndNumber", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{"title": "Find me"})
		byID := c.Do(t, http.MethodGet, "/v1/tasks/"+created.ID.String(), nil)
		byID.MustStatus(t, http.StatusOK)
		assert.Equal(t, `"1"`, byID.Header.Get("ETag"))
		byNumber := c.Do(t, http.MethodGet, "/v1/tasks/1", nil)
		byNumber.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, string(byID.Body), string(byNumber.Body))
	})

	t.Run("OKPatch", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{
			"title": "Draft", "description": "keep", "tags": []string{"a"}, "due_at": "2026-01-10T09:00:00Z",
			"reminders": []map[string]string{{"before": "PT1H"}},
		})
		resp := c.Do(t, http.MethodPatch, "/v1/tasks/"+created.ID.String(), map[string]any{
			"title": "Final", "priority": "medium", "tags": []string{"b", "c"}, "due_at": "2026-01-11T09:00:00Z",
		}, "If-Match", `"1"`)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, `"2"`, resp.Header.Get("ETag"))
		var got taskwire.Task
		resp.JSON(t, &got)
		assert.Equal(t, "Final", got.Title)
		assert.Equal(t, "keep", got.Description, "a merge patch keeps what it does not name")
		assert.Equal(t, taskwire.PriorityMedium, got.Priority)
		assert.Equal(t, []string{"b", "c"}, got.Tags)
		assert.Equal(t, int64(2), got.Version)
		assert.True(t, got.UpdatedAt.After(created.UpdatedAt))
		assert.Equal(t, created.CreatedAt, got.CreatedAt)
		require.Len(t, got.Reminders, 1)
		assert.Equal(t, created.Reminders[0].ID, got.Reminders[0].ID, "an unchanged reminder keeps its id")
		assert.Equal(t, mustTime(t, "2026-01-11T08:00:00Z"), *got.Reminders[0].FireAt, "fire_at follows due_at")

		resp = c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"description":null,"priority":null,"tags":null,"reminders":null,"due_at":null}`)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &got)
		assert.Equal(t, "", got.Description)
		assert.Equal(t, taskwire.PriorityNone, got.Priority)
		assert.Equal(t, []string{}, got.Tags)
		assert.Equal(t, []taskwire.Reminder{}, got.Reminders)
		assert.Nil(t, got.DueAt)
		assert.Equal(t, int64(3), got.Version)
		assert.Equal(t, &got, c.MustGetTask(t, "1"))
	})

	t.Run("OKMergePatchContentType", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{"title": "Typed"})
		resp := c.Do(t, http.MethodPatch, "/v1/tasks/"+created.ID.String(), `{"title":"Merge-patched"}`,
			"Content-Type", "application/merge-patch+json")
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, "Merge-patched", c.MustGetTask(t, "1").Title)
	})

	t.Run("OKPatchNothingChanges", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{"title": "Same", "tags": []string{"x"}})
		resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"Same","tags":["X"]}`)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, `"1"`, resp.Header.Get("ETag"), "a patch that changes nothing bumps nothing")
		assert.Equal(t, created, c.MustGetTask(t, "1"))
	})

	t.Run("ErrPreconditionFailed", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "Contended"})
		c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"First writer"}`, "If-Match", `"1"`).MustStatus(t, http.StatusOK)

		resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"Second writer"}`, "If-Match", `"1"`)
		d := mustProblem(t, resp, http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		assert.Equal(t, "If-Match", d.Field)
		got := c.MustGetTask(t, "1")
		assert.Equal(t, "First writer", got.Title)
		assert.Equal(t, int64(2), got.Version)

		resp = c.Do(t, http.MethodDelete, "/v1/tasks/1", nil, "If-Match", `"1"`)
		mustProblem(t, resp, http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		c.MustGetTask(t, "1")

		// The version without its quotes, as clients that keep the number send it, is that
		// version (until 2026-12-06 a 412 that named the version sent as the current one).
		for _, form := range []string{"%s", "W/%s", `"7", %s`, "*", "%v"} {
			cur := c.MustGetTask(t, "1")
			ifMatch := strings.ReplaceAll(strings.ReplaceAll(form, "%s", cur.ETag()), "%v", strconv.FormatInt(cur.Version, 10))
			body := map[string]any{"description": "written at version " + strconv.FormatInt(cur.Version, 10)}
			resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", body, "If-Match", ifMatch)
			resp.MustStatus(t, http.StatusOK)
			assert.Equal(t, `"`+strconv.FormatInt(cur.Version+1, 10)+`"`, resp.Header.Get("ETag"), "If-Match: %s", ifMatch)
		}

		// An If-Match that holds no tag (empty, as a client's unset variable sends it, or
		// not a tag) guards nothing and is refused, changing nothing: until 2026-12-06 an
		// empty one changed the task unguarded. A tag of another version is 412.
		before := c.MustGetTask(t, "1")
		for _, ifMatch := range []string{"", " ", "garbage", `"2`, `"1", x`} {
			resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"Unguarded"}`, "If-Match", ifMatch)
			d := mustProblem(t, resp, http.StatusBadRequest, taskwire.EMALFORMED)
			assert.Equal(t, "If-Match", d.Field, "If-Match: %q", ifMatch)
		}
		mustProblem(t, c.Do(t, http.MethodDelete, "/v1/tasks/1", nil, "If-Match", ""), http.StatusBadRequest, taskwire.EMALFORMED)
		mustProblem(t, c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"Unguarded"}`, "If-Match", `"abc"`), http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		assert.Equal(t, before, c.MustGetTask(t, "1"))
	})

	// Complete and reopen honour If-Match as a patch does (until 2026-12-06 they ignored
	// it, and a stale one completed a task edited meanwhile); sent again after a lost
	// answer, with the ETag it was sent with, the same change answers the task as it is.
	t.Run("IfMatchOnStatus", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "Call the bank", "recurrence": "FREQ=WEEKLY", "due_date": "2030-01-07"})
		c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"Call the bank about the card"}`).MustStatus(t, http.StatusOK)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/1/complete", nil, "If-Match", `"1"`), http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/1/complete", `{"end_series": true}`, "If-Match", `"1"`),
			http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		assert.Equal(t, taskwire.StatusOpen, c.MustGetTask(t, "1").Status, "a stale If-Match completes nothing")

		for range 2 {
			resp := c.Do(t, http.MethodPost, "/v1/tasks/1/complete", nil, "If-Match", `"2"`)
			resp.MustStatus(t, http.StatusOK)
			assert.Equal(t, `"3"`, resp.Header.Get("ETag"), "completed once, the second time answered as it is")
		}
		c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"description":"card ends 4242"}`).MustStatus(t, http.StatusOK)
		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/1/reopen", nil, "If-Match", `"3"`), http.StatusPreconditionFailed, taskwire.EPRECONDITION)
		assert.Equal(t, taskwire.StatusCompleted, c.MustGetTask(t, "1").Status, "a stale If-Match reopens nothing")
		resp := c.Do(t, http.MethodPost, "/v1/tasks/1/reopen", nil, "If-Match", `"4"`)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, `"5"`, resp.Header.Get("ETag"))
	})

	t.Run("OKDelete", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{"title": "Doomed"})
		c.MustCreateTask(t, map[string]any{"title": "Doomed too"})

		resp := c.Do(t, http.MethodDelete, "/v1/tasks/"+created.ID.String(), nil, "If-Match", `"1"`)
		resp.MustStatus(t, http.StatusNoContent)
		assert.Empty(t, resp.Body)
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/"+created.ID.String(), nil), http.StatusNotFound, taskwire.ENOTFOUND)
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/1", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		mustProblem(t, c.Do(t, http.MethodDelete, "/v1/tasks/1", nil), http.StatusNotFound, taskwire.ENOTFOUND)

		c.Do(t, http.MethodDelete, "/v1/tasks/2", nil).MustStatus(t, http.StatusNoContent)
		third := c.MustCreateTask(t, map[string]any{"title": "After"})
		assert.Equal(t, int64(3), third.Number, "numbers are never reused")
	})

	t.Run("OKCompleteAndReopen", func(t *testing.T) {
		c := s.NewUser(t)
		created := c.MustCreateTask(t, map[string]any{"title": "Finish me"})

		first := c.Do(t, http.MethodPost, "/v1/tasks/"+created.ID.String()+"/complete", nil)
		first.MustStatus(t, http.StatusOK)
		var done taskwire.Task
		first.JSON(t, &done)
		assert.Equal(t, taskwire.StatusCompleted, done.Status)
		require.NotNil(t, done.CompletedAt)
		assert.Equal(t, int64(2), done.Version)
		assert.Equal(t, `"2"`, first.Header.Get("ETag"))

		second := c.Do(t, http.MethodPost, "/v1/tasks/1/complete", nil)
		second.MustStatus(t, http.StatusOK)
		var again taskwire.Task
		second.JSON(t, &again)
		assert.Equal(t, done, again, "completing a completed task changes nothing")
		assert.Equal(t, `"2"`, second.Header.Get("ETag"))

		resp := c.Do(t, http.MethodPost, "/v1/tasks/1/reopen", nil)
		resp.MustStatus(t, http.StatusOK)
		var open taskwire.Task
		resp.JSON(t, &open)
		assert.Equal(t, taskwire.StatusOpen, open.Status)
		assert.Nil(t, open.CompletedAt)
		assert.Equal(t, int64(3), open.Version)

		resp = c.Do(t, http.MethodPost, "/v1/tasks/1/reopen", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, `"3"`, resp.Header.Get("ETag"))

		mustProblem(t, c.Do(t, http.MethodPost, "/v1/tasks/99/complete", nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		c := s.NewUser(t)
		for _, ref := range []string{"1", "0", "-1", "abc", "00000000-0000-0000-0000-000000000000", "9223372036854775808"} {
			resp := c.Do(t, http.MethodGet, "/v1/tasks/"+url.PathEscape(ref), nil)
			mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
		}
	})
}

func TestTags(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)

	resp := c.Do(t, http.MethodGet, "/v1/tags", nil)
	resp.MustStatus(t, http.StatusOK)
	assert.JSONEq(t, `[]`, string(resp.Body))

	c.MustCreateTask(t, map[string]any{"title": "a", "tags": []string{"Home", " work "}})
	c.MustCreateTask(t, map[string]any{"title": "b", "tags": []string{"home"}})
	c.MustCreateTask(t, map[string]any{"title": "c", "tags": []string{"home", "old"}, "completed": true})
	s.NewUser(t).MustCreateTask(t, map[string]any{"title": "d", "tags": []string{"secret"}})

	resp = c.Do(t, http.MethodGet, "/v1/tags", nil)
	resp.MustStatus(t, http.StatusOK)
	var tags []taskwire.Tag
	resp.JSON(t, &tags)
	assert.Equal(t, []taskwire.Tag{{Name: "home", OpenCount: 2}, {Name: "old", OpenCount: 0}, {Name: "work", OpenCount: 1}}, tags)
}

func TestMe(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodGet, "/v1/me", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, `{"id":"`+c.User+`","time_zone":"UTC","email":null,"webhook_url":null,"webhook_secret":null,`+
			`"task_webhooks":false,"daily_summary_at":null,"daily_goal":5}`, string(resp.Body))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "the settings hold the webhook secret")
	})

	// Task webhooks are turned on and off; anything but true or false is refused.
	t.Run("TaskWebhooks", func(t *testing.T) {
		c := s.NewUser(t)
		var me taskwire.User
		resp := c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"task_webhooks": true})
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &me)
		assert.True(t, me.TaskWebhooks)
		c.Do(t, http.MethodGet, "/v1/me", nil).JSON(t, &me)
		assert.True(t, me.TaskWebhooks, "kept")
		mustProblem(t, c.Do(t, http.MethodPatch, "/v1/me", `{"task_webhooks": null}`), http.StatusUnprocessableEntity, taskwire.EINVALID)
		d := mustProblem(t, c.Do(t, http.MethodPatch, "/v1/me", `{"task_webhooks": "yes"}`), http.StatusBadRequest, taskwire.EMALFORMED)
		assert.Equal(t, "task_webhooks", d.Field)
		c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"task_webhooks": false}).JSON(t, &me)
		assert.False(t, me.TaskWebhooks)
	})

	// The daily summary's time is set as 24-hour hours and minutes, and cleared with
	// null or ""; anything else is refused, naming the field.
	t.Run("DailySummary", func(t *testing.T) {
		c := s.NewUser(t)
		var me taskwire.User
		resp := c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"daily_summary_at": "07:30"})
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &me)
		assert.Equal(t, "07:30", *me.DailySummaryAt)
		c.Do(t, http.MethodGet, "/v1/me", nil).JSON(t, &me)
		assert.Equal(t, "07:30", *me.DailySummaryAt, "kept")
		for _, bad := range []string{"7:30", "24:00", "07:60", "07:30:00", "7am", "19.30"} {
			d := mustProblem(t, c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"daily_summary_at": bad}),
				http.StatusUnprocessableEntity, taskwire.EINVALID)
			assert.Equal(t, "daily_summary_at", d.Field, bad)
		}
		d := mustProblem(t, c.Do(t, http.MethodPatch, "/v1/me", `{"daily_summary_at": 730}`), http.StatusBadRequest, taskwire.EMALFORMED)
		assert.Equal(t, "daily_summary_at", d.Field)
		c.Do(t, http.MethodGet, "/v1/me", nil).JSON(t, &me)
		assert.Equal(t, "07:30", *me.DailySummaryAt, "a refused patch changes nothing")
		c.Do(t, http.MethodPatch, "/v1/me", `{"daily_summary_at": ""}`).JSON(t, &me)
		assert.Nil(t, me.DailySummaryAt)
		c.Do(t, http.MethodPatch, "/v1/me", `{"daily_summary_at": "23:59"}`).JSON(t, &me)
		c.Do(t, http.MethodPatch, "/v1/me", `{"daily_summary_at": null}`).JSON(t, &me)
		assert.Nil(t, me.DailySummaryAt)
	})

	// A new user's zone is UTC until they set theirs: "dentist at 3pm", created before,
	// is at 3pm in the zone they set, not an hour later; a task they put in another zone
	// stays, and the change is in the task's history.
	t.Run("TimeZoneMovesTasks", func(t *testing.T) {
		c := s.NewUser(t)
		dentist := c.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": "2030-12-10T15:00:00"})
		tokyo := c.MustCreateTask(t, map[string]any{"title": "Call Tokyo", "due_at": "2030-12-10T09:00:00", "time_zone": "Asia/Tokyo"})
		c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Europe/Berlin"}`).MustStatus(t, http.StatusOK)

		got := c.MustGetTask(t, dentist.ID.String())
		assert.Equal(t, "Europe/Berlin", got.TimeZone)
		assert.Equal(t, "2030-12-10T14:00:00Z", got.DueAt.Format(time.RFC3339), "15:00 in Berlin")
		assert.EqualValues(t, 2, got.Version)
		assert.Equal(t, tokyo.DueAt, c.MustGetTask(t, tokyo.ID.String()).DueAt, "a task in another zone stays")

		resp := c.Do(t, http.MethodGet, "/v1/tasks/"+dentist.ID.String()+"/history", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.Contains(t, string(resp.Body), `"time_zone":{"old":"UTC","new":"Europe/Berlin"}`)
	})

	t.Run("OKSettings", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodPatch, "/v1/me", map[string]any{
			"time_zone": "Europe/Berlin", "email": "ada@example.com", "webhook_url": "https://example.com/hook",
		})
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		var me taskwire.User
		resp.JSON(t, &me)
		assert.Equal(t, c.User, me.ID)
		assert.Equal(t, "Europe/Berlin", me.TimeZone)
		require.NotNil(t, me.Email)
		assert.Equal(t, "ada@example.com", *me.Email)
		require.NotNil(t, me.WebhookURL)
		assert.Equal(t, "https://example.com/hook", *me.WebhookURL)
		require.NotNil(t, me.WebhookSecret)
		assert.True(t, strings.HasPrefix(*me.WebhookSecret, "whsec_"), "got webhook_secret %q, want whsec_…", *me.WebhookSecret)
		assert.Greater(t, len(*me.WebhookSecret), len("whsec_")+40)

		got := c.Do(t, http.MethodGet, "/v1/me", nil)
		got.MustStatus(t, http.StatusOK)
		assert.JSONEq(t, string(resp.Body), string(got.Body), "GET /v1/me shows what PATCH answered")

		resp = c.Do(t, http.MethodPatch, "/v1/me", `{"webhook_url":"http://example.org/other"}`)
		resp.MustStatus(t, http.StatusOK)
		var moved taskwire.User
		resp.JSON(t, &moved)
		assert.Equal(t, *me.WebhookSecret, *moved.WebhookSecret, "the secret is kept when the address changes")

		resp = c.Do(t, http.MethodPatch, "/v1/me", `{"webhook_url":null,"email":""}`)
		resp.MustStatus(t, http.StatusOK)
		var cleared taskwire.User
		resp.JSON(t, &cleared)
		assert.Nil(t, cleared.WebhookURL)
		assert.Nil(t, cleared.WebhookSecret, "clearing the webhook clears its secret")
		assert.Nil(t, cleared.Email)
		assert.Equal(t, "Europe/Berlin", cleared.TimeZone)

		resp = c.Do(t, http.MethodPatch, "/v1/me", `{"webhook_url":"https://example.com/again"}`)
		resp.MustStatus(t, http.StatusOK)
		var again taskwire.User
		resp.JSON(t, &again)
		require.NotNil(t, again.WebhookSecret)
		assert.NotEqual(t, *me.WebhookSecret, *again.WebhookSecret, "a new webhook gets a new secret")
	})
}

// comparableProblem returns a problem with its instance blanked and ref in its detail replaced,
// so that problems about different references can be compared.
func comparableProblem(d problem.Details, ref string) problem.Details {
	d.Instance = ""
	d.Detail = strings.ReplaceAll(d.Detail, ref, "{ref}")
	return d
}

func TestOtherUsersTask(t *testing.T) {
	s := resttest.MustStart(t)
	owner, stranger := s.NewUser(t), s.NewUser(t)
	task := owner.MustCreateTask(t, map[string]any{"title": "Private"})

	missing := "0190f0c4-0000-7000-8000-000000000000"
	missingProblem := comparableProblem(
		mustProblem(t, stranger.Do(t, http.MethodGet, "/v1/tasks/"+missing, nil), http.StatusNotFound, taskwire.ENOTFOUND), missing)

	refs := []string{task.ID.String(), strconv.FormatInt(task.Number, 10)}
	requests := []struct{ method, suffix, body string }{
		{http.MethodGet, "", ""},
		{http.MethodPatch, "", `{"title":"Mine now"}`},
		{http.MethodPost, "/complete", ""},
		{http.MethodPost, "/reopen", ""},
		{http.MethodDelete, "", ""},
	}
	seen := map[string][]byte{}
	for _, ref := range refs {
		for _, r := range requests {
			var body any
			if r.body != "" {
				body = r.body
			}
			resp := stranger.Do(t, r.method, "/v1/tasks/"+ref+r.suffix, body)
			d := mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
			assert.Equal(t, missingProblem, comparableProblem(d, ref), "%s /v1/tasks/%s%s: another user's task must look missing", r.method, ref, r.suffix)
			seen[r.method+ref+r.suffix] = resp.Body
		}
	}
	assert.Equal(t, task, owner.MustGetTask(t, task.ID.String()), "the stranger changed nothing")

	// Once the task is really gone, the stranger gets byte for byte the same answers.
	owner.Do(t, http.MethodDelete, "/v1/tasks/"+task.ID.String(), nil).MustStatus(t, http.StatusNoContent)
	for _, ref := range refs {
		for _, r := range requests {
			var body any
			if r.body != "" {
				body = r.body
			}
			resp := stranger.Do(t, r.method, "/v1/tasks/"+ref+r.suffix, body)
			assert.Equal(t, string(seen[r.method+ref+r.suffix]), string(resp.Body), "%s /v1/tasks/%s%s", r.method, ref, r.suffix)
		}
	}
}

func TestAliases(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	base := "/api/" + c.User + "/tasks"

	resp := c.Do(t, http.MethodPost, base, `{"title":"Hackathon task","priority":"low"}`)
	resp.MustStatus(t, http.StatusCreated)
	var created struct {
		taskwire.Task
		Completed *bool `json:"completed"`
	}
	resp.JSON(t, &created)
	require.NotNil(t, created.Completed, "alias task objects carry completed")
	assert.False(t, *created.Completed)
	assert.Equal(t, "/v1/tasks/"+created.ID.String(), resp.Header.Get("Location"))
	assert.Equal(t, `"1"`, resp.Header.Get("ETag"))
	id := created.ID.String()

	t.Run("OKList", func(t *testing.T) {
		resp := c.Do(t, http.MethodGet, base+"?status=pending", nil)
		resp.MustStatus(t, http.StatusOK)
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		resp.JSON(t, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, false, page.Items[0]["completed"])
		assert.Equal(t, id, page.Items[0]["id"])
		require.NotNil(t, page.NextCursor, "the alias list always carries next_cursor")
		assert.Equal(t, "", *page.NextCursor)

		mustProblem(t, c.Do(t, http.MethodGet, base+"?limit=0", nil), http.StatusBadRequest, taskwire.EMALFORMED)
	})

	t.Run("OKGet", func(t *testing.T) {
		for _, ref := range []string{id, "1"} {
			resp := c.Do(t, http.MethodGet, base+"/"+ref, nil)
			resp.MustStatus(t, http.StatusOK)
			var got map[string]any
			resp.JSON(t, &got)
			assert.Equal(t, false, got["completed"])
			assert.Equal(t, "Hackathon task", got["title"])
		}
	})

	t.Run("OKPutIsMergePatch", func(t *testing.T) {
		resp := c.Do(t, http.MethodPut, base+"/"+id, `{"title":"Renamed","completed":true}`)
		resp.MustStatus(t, http.StatusOK)
		var got map[string]any
		resp.JSON(t, &got)
		assert.Equal(t, "Renamed", got["title"])
		assert.Equal(t, "low", got["priority"], "PUT keeps what the body does not name")
		assert.Equal(t, true, got["completed"])
		assert.Equal(t, "completed", got["status"])

		resp = c.Do(t, http.MethodPut, base+"/1", `{"completed":false}`)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &got)
		assert.Equal(t, false, got["completed"])
	})

	// Those clients send back the whole object they read, with the members the server
	// owns; an unknown member is still refused.
	t.Run("OKPutWholeObject", func(t *testing.T) {
		resp := c.Do(t, http.MethodPost, base, `{"title":"Round trip","due_at":"2030-01-01T09:00:00Z","reminders":[{"before":"PT1H"}]}`)
		resp.MustStatus(t, http.StatusCreated)
		var got map[string]any
		resp.JSON(t, &got)
		reminderID := got["reminders"].([]any)[0].(map[string]any)["id"]
		got["title"] = "Round trip, renamed"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), got)
		resp.MustStatus(t, http.StatusOK)
		var back map[string]any
		resp.JSON(t, &back)
		assert.Equal(t, "Round trip, renamed", back["title"])
		assert.Equal(t, got["number"], back["number"])
		assert.Equal(t, reminderID, back["reminders"].([]any)[0].(map[string]any)["id"], "the reminder is the same one")

		// Their way to tick a task off: the object read, with completed flipped and the
		// status it came with. completed, their member, wins; both ways.
		for _, done := range []bool{true, false} {
			back["completed"] = done
			resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), back)
			resp.MustStatus(t, http.StatusOK)
			resp.JSON(t, &back)
			assert.Equal(t, done, back["completed"])
			assert.Equal(t, map[bool]string{true: "completed", false: "open"}[done], back["status"])
		}

		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), `{"title":"x","colour":"red"}`)
		resp.MustStatus(t, http.StatusBadRequest)
	})

	// An all-day task reads with its due_date and the due_at it implies (the day's last
	// second); sent back whole, the day is what it says (until 2026-12-06 it was a 422,
	// "give due_at (a time) or due_date (a day), not both").
	t.Run("OKPutWholeAllDayObject", func(t *testing.T) {
		resp := c.Do(t, http.MethodPost, base, `{"title":"Bins out","due_date":"2030-05-02"}`)
		resp.MustStatus(t, http.StatusCreated)
		var got map[string]any
		resp.JSON(t, &got)
		require.NotNil(t, got["due_at"], "an all-day task reads with its due_at")
		got["title"] = "Bins out!"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), got)
		resp.MustStatus(t, http.StatusOK)
		var back map[string]any
		resp.JSON(t, &back)
		assert.Equal(t, "Bins out!", back["title"])
		assert.Equal(t, "2030-05-02", back["due_date"])
		assert.Equal(t, got["due_at"], back["due_at"])

		// Moved to another day: the day changed, the due_at read back did not.
		back["due_date"] = "2030-05-03"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), back)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &back)
		assert.Equal(t, "2030-05-03", back["due_date"])

		// Given a time by a client that knows only due_at: the day read back is as it was
		// and due_at is new, so the task is due at that time (until 2026-12-06 the time
		// was dropped without a word).
		back["due_at"] = "2030-05-03T15:00:00Z"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), back)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &back)
		assert.Nil(t, back["due_date"], "a task due at a time")
		assert.Equal(t, "2030-05-03T15:00:00Z", back["due_at"])

		// Back to a day, then made a timed task by their client: due_date null, due_at a time.
		back["due_date"] = "2030-05-02"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), back)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &back)
		require.Equal(t, "2030-05-02", back["due_date"])
		back["due_date"], back["due_at"] = nil, "2030-05-02T09:00:00Z"
		resp = c.Do(t, http.MethodPut, base+"/"+got["id"].(string), back)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &back)
		assert.Nil(t, back["due_date"])
		assert.Equal(t, "2030-05-02T09:00:00Z", back["due_at"])
	})

	t.Run("OKToggle", func(t *testing.T) {
		for _, want := range []bool{true, false, true} {
			resp := c.Do(t, http.MethodPatch, base+"/"+id+"/complete", nil)
			resp.MustStatus(t, http.StatusOK)
			var got map[string]any
			resp.JSON(t, &got)
			assert.Equal(t, want, got["completed"])
			assert.Equal(t, want, c.MustGetTask(t, id).Status == taskwire.StatusCompleted)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		other := s.NewUser(t)
		otherBase := "/api/" + other.User + "/tasks"
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, otherBase, ""},
			{http.MethodPost, otherBase, `{"title":"Sneaky"}`},
			{http.MethodGet, otherBase + "/1", ""},
			{http.MethodPut, otherBase + "/1", `{"title":"Sneaky"}`},
			{http.MethodDelete, otherBase + "/1", ""},
			{http.MethodPatch, otherBase + "/1/complete", ""},
		} {
			var body any
			if r.body != "" {
				body = r.body
			}
			resp := c.Do(t, r.method, r.path, body)
			d := mustProblem(t, resp, http.StatusForbidden, taskwire.EFORBIDDEN)
			assert.Equal(t, "user_id", d.Field, "%s %s", r.method, r.path)
		}
		assert.Empty(t, other.MustListTasks(t, "status=all"))
	})

	t.Run("OKDelete", func(t *testing.T) {
		resp := c.Do(t, http.MethodDelete, base+"/"+id, nil)
		resp.MustStatus(t, http.StatusNoContent)
		mustProblem(t, c.Do(t, http.MethodGet, base+"/"+id, nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})
}

func TestAuth(t *testing.T) {
	s := resttest.MustStart(t)
	stranger, err := auth.LoadDevIssuer(t.TempDir())
	require.NoError(t, err)
	foreign, err := stranger.Mint("user-1", time.Hour)
	require.NoError(t, err)
	valid, err := s.Issuer.Mint("user-1", time.Hour)
	require.NoError(t, err)

	for _, tt := range []struct {
		name, header string
	}{
		{"ErrMissing", ""},
		{"ErrNotBearer", "Basic dXNlcjpwYXNz"},
		{"ErrEmptyBearer", "Bearer "},
		{"ErrNoScheme", valid},
		{"ErrGarbage", "Bearer garbage"},
		{"ErrAlmostAToken", "Bearer " + valid[:len(valid)-4] + "AAAA"},
		{"ErrOtherIssuer", "Bearer " + foreign},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := s.NewClient("")
			var headers []string
			if tt.header != "" {
				headers = []string{"Authorization", tt.header}
			}
			for _, r := range []struct{ method, path string }{
				{http.MethodGet, "/v1/tasks"},
				{http.MethodPost, "/v1/tasks"},
				{http.MethodGet, "/v1/me"},
				{http.MethodGet, "/api/user-1/tasks"},
			} {
				var body any
				if r.method == http.MethodPost {
					body = `{"title":"Unauthorised"}`
				}
				resp := c.Do(t, r.method, r.path, body, headers...)
				mustProblem(t, resp, http.StatusUnauthorized, taskwire.EUNAUTHORIZED)
				assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"),
					"got WWW-Authenticate %q, want Bearer …", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("ErrSubjectNUL", func(t *testing.T) {
		// A trusted issuer may sign any subject; one the database cannot hold is refused.
		token, err := s.Issuer.Mint("user\x00nul", time.Hour)
		require.NoError(t, err)
		resp := s.NewClient(token).Do(t, http.MethodGet, "/v1/me", nil)
		mustProblem(t, resp, http.StatusUnauthorized, taskwire.EUNAUTHORIZED)
	})

	t.Run("OK", func(t *testing.T) {
		resp := s.NewClient("").Do(t, http.MethodGet, "/v1/me", nil, "Authorization", "bearer "+valid)
		resp.MustStatus(t, http.StatusOK)
		assert.Empty(t, resp.Header.Get("WWW-Authenticate"))
	})
}

func TestRoutes(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)

	t.Run("ErrUnknownRoute", func(t *testing.T) {
		for _, path := range []string{"/", "/v1", "/v1/nothing", "/v1/tasks/1/nothing", "/v2/tasks"} {
			resp := c.Do(t, http.MethodGet, path, nil)
			d := mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
			assert.Equal(t, path, d.Instance)
		}
		resp := s.NewClient("").Do(t, http.MethodGet, "/v1/nothing", nil)
		mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
	})

	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		for _, tt := range []struct {
			method, path string
			allow        []string
		}{
			{http.MethodPut, "/v1/tasks", []string{"GET", "POST"}},
			{http.MethodDelete, "/v1/tasks", []string{"GET", "POST"}},
			{http.MethodPut, "/v1/tasks/1", []string{"GET", "PATCH", "DELETE"}},
			{http.MethodGet, "/v1/tasks/1/complete", []string{"POST"}},
			{http.MethodPut, "/v1/me", []string{"GET", "PATCH", "DELETE"}},
			{http.MethodPost, "/v1/tags", []string{"GET"}},
			{http.MethodPatch, "/api/" + c.User + "/tasks/1", []string{"GET", "PUT", "DELETE"}},
		} {
			resp := s.NewClient("").Do(t, tt.method, tt.path, nil)
			d := mustProblem(t, resp, http.StatusMethodNotAllowed, "method_not_allowed")
			allow := resp.Header.Get("Allow")
			for _, m := range tt.allow {
				assert.Contains(t, allow, m, "%s %s: got Allow %q", tt.method, tt.path, allow)
			}
			assert.NotContains(t, allow, tt.method, "%s %s: got Allow %q", tt.method, tt.path, allow)
			assert.Equal(t, tt.path, d.Instance)
		}
	})
}

// Text that looks the same is the same: "café" typed with a precomposed é (NFC) or with
// e and a combining accent (NFD, as macOS file names and some keyboards give it) is one
// tag, and each finds the other in a search and a tag filter.
func TestUnicodeNormalization(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	const nfc, nfd = "caf\u00e9", "cafe\u0301"
	a := c.MustCreateTask(t, map[string]any{"title": "Meet at the " + nfd, "description": "the " + nfd + " by the station", "tags": []string{nfd}})
	c.MustCreateTask(t, map[string]any{"title": "Pay the " + nfc + " bill", "tags": []string{strings.ToUpper(nfc)}})
	assert.Equal(t, "Meet at the "+nfc, a.Title, "stored composed")
	assert.Equal(t, "the "+nfc+" by the station", a.Description)
	assert.Equal(t, []string{nfc}, a.Tags)

	resp := c.Do(t, http.MethodGet, "/v1/tags", nil)
	resp.MustStatus(t, http.StatusOK)
	var tags []taskwire.Tag
	resp.JSON(t, &tags)
	assert.Equal(t, []taskwire.Tag{{Name: nfc, OpenCount: 2}}, tags)

	for _, query := range []string{"tag=" + url.QueryEscape(nfd), "tag=" + url.QueryEscape(nfc), "q=" + url.QueryEscape(nfd), "q=" + url.QueryEscape(nfc)} {
		resp := c.Do(t, http.MethodGet, "/v1/tasks?"+query, nil)
		resp.MustStatus(t, http.StatusOK)
		var page taskwire.TaskPage
		resp.JSON(t, &page)
		assert.Len(t, page.Items, 2, query)
	}
}

func TestDeleteMe(t *testing.T) {
	s := resttest.MustStart(t)
	c, other := s.NewUser(t), s.NewUser(t)
	task := c.MustCreateTask(t, map[string]any{"title": "Mine"})
	theirs := other.MustCreateTask(t, map[string]any{"title": "Theirs"})

	// Not without the user's id typed again: nothing is deleted.
	for _, body := range []string{"", `{}`, `{"confirm": "someone"}`} {
		d := mustProblem(t, c.Do(t, http.MethodDelete, "/v1/me", body), http.StatusUnprocessableEntity, taskwire.EINVALID)
		assert.Equal(t, "confirm", d.Field)
		assert.Contains(t, d.Detail, c.User)
	}
	mustProblem(t, c.Do(t, http.MethodDelete, "/v1/me", `{"confirm": 1}`), http.StatusBadRequest, taskwire.EMALFORMED)
	c.MustGetTask(t, task.ID.String())

	c.Do(t, http.MethodDelete, "/v1/me", `{"confirm": "`+c.User+`"}`).MustStatus(t, http.StatusNoContent)
	// The token no longer signs in: it would bring the account back, empty.
	for _, path := range []string{"/v1/me", "/v1/tasks"} {
		resp := c.Do(t, http.MethodGet, path, nil)
		d := mustProblem(t, resp, http.StatusUnauthorized, taskwire.EUNAUTHORIZED)
		assert.Contains(t, d.Detail, "deleted")
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
	}
	assert.Equal(t, "Theirs", other.MustGetTask(t, theirs.ID.String()).Title)

	// Signed in again (a token issued after the deletion), the user starts anew.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	token, err := s.Issuer.Mint(c.User, resttest.TokenTTL)
	require.NoError(t, err)
	again := s.NewClient(token)
	assert.Empty(t, again.MustListTasks(t, "status=all"))
	mustProblem(t, again.Do(t, http.MethodGet, "/v1/tasks/"+task.ID.String()+"/history", nil), http.StatusNotFound, taskwire.ENOTFOUND)
}
