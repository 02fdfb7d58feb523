package rest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestTaskHistory(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		task := c.MustCreateTask(t, map[string]any{"title": "draft", "priority": "low"})
		c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title":"final"}`).MustStatus(t, http.StatusOK)
		c.Do(t, http.MethodPost, "/v1/tasks/1/complete", nil).MustStatus(t, http.StatusOK)
		c.MustCreateTask(t, map[string]any{"title": "another"})

		byNumber := mustHistory(t, c, "1")
		wantTypes := []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskCompleted}
		assert.Equal(t, wantTypes, eventTypes(byNumber))
		assert.Equal(t, byNumber, mustHistory(t, c, task.ID.String()), "the same history by uuid")

		c.Do(t, http.MethodDelete, "/v1/tasks/1", nil).MustStatus(t, http.StatusNoContent)
		list := mustHistory(t, c, task.ID.String())
		require.Equal(t, append(wantTypes, events.TypeTaskDeleted), eventTypes(list), "a deleted task's history stays")
		for i, e := range list {
			assert.Equal(t, task.ID, e.TaskID, "event %d", i)
			require.NotNil(t, e.Task, "event %d has no task", i)
			assert.Equal(t, task.ID, e.Task.ID)
			assert.NotEmpty(t, e.ID)
			if i > 0 {
				assert.False(t, e.Time.Before(list[i-1].Time), "event %d: got events out of order", i)
			}
		}
		assert.Empty(t, list[0].Changes)
		assert.Equal(t, "draft", list[0].Task.Title)
		assert.Equal(t, map[string]events.Change{"title": {Old: "draft", New: "final"}}, list[1].Changes)
		assert.Equal(t, events.Change{Old: "open", New: "completed"}, list[2].Changes["status"])
		assert.Equal(t, "final", list[3].Task.Title, "the deletion carries the task as it was")

		mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/1/history", nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})

	t.Run("OKShape", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "shape"})
		resp := c.Do(t, http.MethodGet, "/v1/tasks/1/history", nil)
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var raw struct {
			Items []map[string]json.RawMessage `json:"items"`
		}
		resp.JSON(t, &raw)
		require.Len(t, raw.Items, 1)
		assert.ElementsMatch(t, []string{"id", "type", "time", "task_id", "task", "changes"}, keys(raw.Items[0]))
		assert.JSONEq(t, `{}`, string(raw.Items[0]["changes"]))
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		c := s.NewUser(t)
		other := s.NewUser(t).MustCreateTask(t, map[string]any{"title": "someone else's"})
		for _, ref := range []string{"1", other.ID.String(), uuid.NewString(), "nope"} {
			resp := c.Do(t, http.MethodGet, "/v1/tasks/"+ref+"/history", nil)
			mustProblem(t, resp, http.StatusNotFound, taskwire.ENOTFOUND)
		}
	})

	t.Run("OKPages", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "v1"})
		for v := 2; v <= 5; v++ {
			c.Do(t, http.MethodPatch, "/v1/tasks/1", fmt.Sprintf(`{"title":"v%d"}`, v)).MustStatus(t, http.StatusOK)
		}
		// read follows next_cursor from query, returning each page's titles.
		read := func(query string) (pages [][]string) {
			t.Helper()
			cursor := ""
			for range 5 {
				q := query
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				resp := c.Do(t, http.MethodGet, "/v1/tasks/1/history?"+q, nil)
				resp.MustStatus(t, http.StatusOK)
				var h rest.TaskHistory
				resp.JSON(t, &h)
				var titles []string
				for _, e := range h.Items {
					titles = append(titles, e.Task.Title)
				}
				pages = append(pages, titles)
				assert.Equal(t, h.HasMore, h.NextCursor != "", "a next_cursor exactly while has_more")
				if !h.HasMore {
					return pages
				}
				cursor = h.NextCursor
			}
			t.Fatalf("more than 5 pages: %v", pages)
			return nil
		}
		assert.Equal(t, [][]string{{"v1", "v2"}, {"v3", "v4"}, {"v5"}}, read("limit=2"))
		assert.Equal(t, [][]string{{"v5", "v4"}, {"v3", "v2"}, {"v1"}}, read("limit=2&order=newest"))
		assert.Equal(t, [][]string{{"v1", "v2", "v3", "v4", "v5"}}, read("order=oldest"), "50 unless a limit is given")
	})

	t.Run("ErrUnknownParameter", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "x"})
		d := mustProblem(t, c.Do(t, http.MethodGet, "/v1/tasks/1/history?after=5", nil), http.StatusBadRequest, taskwire.EMALFORMED)
		assert.Equal(t, "after", d.Field)
	})
}

func TestChanges(t *testing.T) {
	s := resttest.MustStart(t)

	t.Run("OK", func(t *testing.T) {
		c := s.NewUser(t)
		other := s.NewUser(t)
		a := c.MustCreateTask(t, map[string]any{"title": "a"})
		b := c.MustCreateTask(t, map[string]any{"title": "b"})
		other.MustCreateTask(t, map[string]any{"title": "not mine"})
		c.Do(t, http.MethodPatch, "/v1/tasks/"+a.ID.String(), `{"title":"a2"}`).MustStatus(t, http.StatusOK)

		first := mustChanges(t, c, "")
		require.Equal(t, []uuid.UUID{b.ID, a.ID}, changedTasks(first), "each task once, by latest change")
		assert.Equal(t, "a2", first.Changes[1].Task.Title, "the latest state")
		assert.False(t, first.HasMore)
		require.NotEmpty(t, first.NextSince)

		same := mustChanges(t, c, first.NextSince)
		assert.Empty(t, same.Changes)
		assert.Equal(t, first.NextSince, same.NextSince, "with nothing new the token stays")

		cTask := c.MustCreateTask(t, map[string]any{"title": "c"})
		c.Do(t, http.MethodDelete, "/v1/tasks/"+b.ID.String(), nil).MustStatus(t, http.StatusNoContent)
		next := mustChanges(t, c, first.NextSince)
		require.Equal(t, []uuid.UUID{cTask.ID, b.ID}, changedTasks(next))
		assert.False(t, next.Changes[0].Deleted)
		assert.Equal(t, "c", next.Changes[0].Task.Title)
		assert.True(t, next.Changes[1].Deleted, "a deleted task is a tombstone")
		assert.Nil(t, next.Changes[1].Task)

		resp := c.Do(t, http.MethodGet, "/v1/changes?since="+url.QueryEscape(first.NextSince), nil)
		var raw struct {
			Changes []map[string]json.RawMessage `json:"changes"`
		}
		resp.JSON(t, &raw)
		require.Len(t, raw.Changes, 2)
		assert.JSONEq(t, `{"task_id":"`+b.ID.String()+`","deleted":true,"task":null}`, string(mustJSON(t, raw.Changes[1])))
		assert.ElementsMatch(t, []string{"task_id", "deleted", "task"}, keys(raw.Changes[0]))

		assert.Empty(t, mustChanges(t, c, next.NextSince).Changes)
		fromScratch := mustChanges(t, c, "")
		assert.Equal(t, []uuid.UUID{a.ID, cTask.ID, b.ID}, changedTasks(fromScratch), "without since, from the beginning")
		empty := c.Do(t, http.MethodGet, "/v1/changes?since=", nil)
		empty.MustStatus(t, http.StatusOK)
	})

	t.Run("OKPages", func(t *testing.T) {
		c := s.NewUser(t)
		var want []uuid.UUID
		for _, title := range []string{"1", "2", "3", "4", "5"} {
			want = append(want, c.MustCreateTask(t, map[string]any{"title": title}).ID)
		}
		var got []uuid.UUID
		since := ""
		pages := 0
		for ; ; pages++ {
			require.Less(t, pages, 10)
			resp := c.Do(t, http.MethodGet, "/v1/changes?limit=2&since="+url.QueryEscape(since), nil)
			resp.MustStatus(t, http.StatusOK)
			var page rest.ChangePage
			resp.JSON(t, &page)
			assert.LessOrEqual(t, len(page.Changes), 2)
			got = append(got, changedTasks(page)...)
			since = page.NextSince
			if !page.HasMore {
				break
			}
		}
		assert.Equal(t, want, got)
		assert.Equal(t, 2, pages, "five changes in pages of two are three pages, the last saying there is no more")

		c.MustCreateTask(t, map[string]any{"title": "6"})
		resp := c.Do(t, http.MethodGet, "/v1/changes?limit=6", nil)
		var page rest.ChangePage
		resp.JSON(t, &page)
		assert.Len(t, page.Changes, 6)
		assert.False(t, page.HasMore, "a page of exactly limit changes is the last when nothing follows")
	})

	t.Run("ErrBadParameter", func(t *testing.T) {
		c := s.NewUser(t)
		token := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		for _, tt := range []struct{ query, field string }{
			{"since=abc!", "since"},
			{"since=" + token("x"), "since"},
			{"since=" + token("-1"), "since"},
			{"since=" + token("007"), "since"},
			{"since=" + token("99999999999999999999"), "since"},
			{"since=MA==", "since"},
			{"since=" + token("1") + "&since=" + token("2"), "since"},
			{"limit=0", "limit"},
			{"limit=201", "limit"},
			{"limit=ten", "limit"},
			{"cursor=x", "cursor"},
		} {
			resp := c.Do(t, http.MethodGet, "/v1/changes?"+tt.query, nil)
			d := mustProblem(t, resp, http.StatusBadRequest, taskwire.EMALFORMED)
			assert.Equal(t, tt.field, d.Field, "query %s", tt.query)
		}
		for _, seq := range []int64{0, 1, 1 << 62} {
			got, err := rest.ParseSyncToken(rest.EncodeSyncToken(seq))
			require.NoError(t, err)
			assert.Equal(t, seq, got)
		}
	})
}

// TestContractEventSchemas checks that the schemas of the events, the changes feed and
// notifications name exactly the JSON members of the Go types they describe.
func TestContractEventSchemas(t *testing.T) {
	doc := loadContract(t)
	for name, v := range map[string]any{
		"TaskEvent":        rest.TaskEvent{},
		"TaskHistory":      rest.TaskHistory{},
		"Change":           rest.Change{},
		"ChangePage":       rest.ChangePage{},
		"Notification":     taskwire.Notification{},
		"NotificationPage": rest.NotificationPage{},
		"FieldChange":      events.Change{},
	} {
		schema, ok := resolve(doc, "#/components/schemas/"+name)
		require.True(t, ok, "schema %s is missing", name)
		props, _ := schema.(map[string]any)["properties"].(map[string]any)
		var names []string
		for p := range props {
			names = append(names, p)
		}
		sort.Strings(names)
		assert.Equal(t, jsonNames(reflect.TypeOf(v)), names, "schema %s and %T", name, v)
	}
}

func mustHistory(t *testing.T, c *resttest.Client, ref string) []rest.TaskEvent {
	t.Helper()
	resp := c.Do(t, http.MethodGet, "/v1/tasks/"+ref+"/history", nil)
	resp.MustStatus(t, http.StatusOK)
	var h rest.TaskHistory
	resp.JSON(t, &h)
	return h.Items
}

func mustChanges(t *testing.T, c *resttest.Client, since string) rest.ChangePage {
	t.Helper()
	path := "/v1/changes"
	if since != "" {
		path += "?since=" + url.QueryEscape(since)
	}
	resp := c.Do(t, http.MethodGet, path, nil)
	resp.MustStatus(t, http.StatusOK)
	var page rest.ChangePage
	resp.JSON(t, &page)
	return page
}

func eventTypes(list []rest.TaskEvent) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Type
	}
	return out
}

func changedTasks(p rest.ChangePage) []uuid.UUID {
	out := make([]uuid.UUID, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.TaskID
	}
	return out
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
