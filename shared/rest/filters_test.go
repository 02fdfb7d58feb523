package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A saved filter is a listing named to come back to: saved as a checked, canonical query
// string of GET /v1/tasks, listed by name, renamed, changed and deleted, the user's own;
// its query lists what it says.
func TestSavedFilters(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "Report", "tags": []string{"work"}, "priority": "high"})
	c.MustCreateTask(t, map[string]any{"title": "Groceries", "tags": []string{"home"}})

	resp := c.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": " Work, urgent first ", "query": "?tag=work&sort=-priority&q="})
	resp.MustStatus(t, http.StatusCreated)
	var work taskwire.SavedFilter
	resp.JSON(t, &work)
	assert.Equal(t, "/v1/filters/"+work.ID.String(), resp.Header.Get("Location"))
	assert.Equal(t, "Work, urgent first", work.Name, "the name is trimmed")
	assert.Equal(t, "sort=-priority&tag=work", work.Query, "canonical: in order of name, empty ones dropped")
	tasks := c.MustListTasks(t, work.Query)
	require.Len(t, tasks, 1)
	assert.Equal(t, "Report", tasks[0].Title)

	resp = c.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": "all done", "query": "status=completed"})
	resp.MustStatus(t, http.StatusCreated)
	var done taskwire.SavedFilter
	resp.JSON(t, &done)

	page := mustListFilters(t, c)
	require.Len(t, page.Items, 2)
	assert.Equal(t, []string{"all done", "Work, urgent first"}, []string{page.Items[0].Name, page.Items[1].Name}, "by name, whatever its case")

	resp = c.Do(t, http.MethodPatch, "/v1/filters/"+work.ID.String(), map[string]any{"query": "tag=work&due=week"})
	resp.MustStatus(t, http.StatusOK)
	var changed taskwire.SavedFilter
	resp.JSON(t, &changed)
	assert.Equal(t, "Work, urgent first", changed.Name, "a patch without a name keeps it")
	assert.Equal(t, "due=week&tag=work", changed.Query)

	// The same filter written another way is saved the same (until 2026-12-06 a comma
	// list, repeated values in it and the values' order were kept as written).
	for _, query := range []string{"priority=high,low&tag=y&tag=x", "tag=x&priority=low&priority=high&tag=y", "priority=low,high,high&tag=X&tag=y"} {
		resp := c.Do(t, http.MethodPatch, "/v1/filters/"+work.ID.String(), map[string]any{"query": query})
		resp.MustStatus(t, http.StatusOK)
		var got taskwire.SavedFilter
		resp.JSON(t, &got)
		assert.Equal(t, "priority=high&priority=low&tag=x&tag=y", got.Query, query)
	}

	resp = c.Do(t, http.MethodPatch, "/v1/filters/"+done.ID.String(), map[string]any{"name": "WORK, URGENT FIRST"})
	resp.MustStatus(t, http.StatusConflict)
	assert.Equal(t, "name", resp.Problem(t).Field, "one name per user, whatever its case")

	other := s.NewUser(t)
	other.Do(t, http.MethodPatch, "/v1/filters/"+work.ID.String(), map[string]any{"name": "mine"}).MustStatus(t, http.StatusNotFound)
	other.Do(t, http.MethodDelete, "/v1/filters/"+work.ID.String(), nil).MustStatus(t, http.StatusNotFound)
	assert.Empty(t, mustListFilters(t, other).Items, "another user sees none of them")
	other.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": "all done"}).MustStatus(t, http.StatusCreated)

	c.Do(t, http.MethodDelete, "/v1/filters/"+done.ID.String(), nil).MustStatus(t, http.StatusNoContent)
	c.Do(t, http.MethodDelete, "/v1/filters/"+done.ID.String(), nil).MustStatus(t, http.StatusNotFound)
	page = mustListFilters(t, c)
	require.Len(t, page.Items, 1)
	assert.Equal(t, work.ID, page.Items[0].ID)
}

// A saved filter's name and query are checked as a listing checks its query, and a
// refusal names what was wrong and saves nothing.
func TestSavedFilters_BadInput(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	for _, tt := range []struct {
		body   string
		status int
		field  string
		detail string
	}{
		{`{"query": "tag=work"}`, http.StatusUnprocessableEntity, "name", "name is required"},
		{`{"name": "  "}`, http.StatusUnprocessableEntity, "name", "must not be blank"},
		{`{"name": "x\ny"}`, http.StatusUnprocessableEntity, "name", "one line"},
		{`{"name": null}`, http.StatusUnprocessableEntity, "name", "cannot be null"},
		{`{"name": "x", "query": null}`, http.StatusUnprocessableEntity, "query", "cannot be null"},
		{`{"name": "x", "query": "due=someday"}`, http.StatusUnprocessableEntity, "query", "due must be"},
		{`{"name": "x", "query": "colour=red"}`, http.StatusUnprocessableEntity, "query", "unknown query parameter"},
		{`{"name": "x", "query": "tag=%zz"}`, http.StatusUnprocessableEntity, "query", "must be a query string"},
		{`{"name": "x", "query": "cursor=abc"}`, http.StatusUnprocessableEntity, "query", "holds a cursor"},
		{`{"name": "x", "query": 3}`, http.StatusBadRequest, "query", ""},
		{`{"name": "x", "colour": "red"}`, http.StatusBadRequest, "colour", "unknown field"},
	} {
		resp := c.Do(t, http.MethodPost, "/v1/filters", tt.body)
		resp.MustStatus(t, tt.status)
		p := resp.Problem(t)
		assert.Equal(t, tt.field, p.Field, "body %s", tt.body)
		assert.Contains(t, p.Detail, tt.detail, "body %s", tt.body)
	}
	c.Do(t, http.MethodPatch, "/v1/filters/not-an-id", `{"name": "x"}`).MustStatus(t, http.StatusNotFound)
	assert.Empty(t, mustListFilters(t, c).Items, "nothing saved")

	for i := 0; i < taskwire.MaxSavedFilters; i++ {
		c.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))}).MustStatus(t, http.StatusCreated)
	}
	resp := c.Do(t, http.MethodPost, "/v1/filters", `{"name": "one more"}`)
	resp.MustStatus(t, http.StatusUnprocessableEntity)
	assert.Contains(t, resp.Problem(t).Detail, "the most there can be")
}

// mustListFilters returns c's saved filters.
func mustListFilters(tb testing.TB, c *resttest.Client) rest.SavedFilterPage {
	tb.Helper()
	resp := c.Do(tb, http.MethodGet, "/v1/filters", nil)
	resp.MustStatus(tb, http.StatusOK)
	var page rest.SavedFilterPage
	resp.JSON(tb, &page)
	return page
}

// A saved filter's tags are kept as tasks carry them, so that renaming a tag renames it
// in the filters that list by it too, which then list the same tasks; deleting a tag
// leaves a filter as it was, listing none.
func TestSavedFilters_TagRenamed(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.MustCreateTask(t, map[string]any{"title": "Report", "tags": []string{"wrok", "q3"}})
	resp := c.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": "Work", "query": "tag=Wrok&tag=q3&tag=wrok&sort=title"})
	resp.MustStatus(t, http.StatusCreated)
	var f taskwire.SavedFilter
	resp.JSON(t, &f)
	assert.Equal(t, "sort=title&tag=q3&tag=wrok", f.Query, "tags lower-case, once each, in order")
	c.Do(t, http.MethodPost, "/v1/filters", map[string]any{"name": "Home", "query": "tag=home"}).MustStatus(t, http.StatusCreated)

	c.Do(t, http.MethodPatch, "/v1/tags/wrok", `{"name": "work & play"}`).MustStatus(t, http.StatusOK)
	page := mustListFilters(t, c)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "tag=home", page.Items[0].Query, "a filter without the tag stays")
	assert.Equal(t, "sort=title&tag=q3&tag=work+%26+play", page.Items[1].Query)
	tasks := c.MustListTasks(t, page.Items[1].Query)
	require.Len(t, tasks, 1, "the renamed filter lists the same task")
	assert.Equal(t, "Report", tasks[0].Title)

	// Renamed into a tag the filter names already: named once, as the filter would be
	// saved now.
	c.Do(t, http.MethodPatch, "/v1/tags/q3", `{"name": "Work & Play"}`).MustStatus(t, http.StatusOK)
	merged := mustListFilters(t, c).Items[1].Query
	assert.Equal(t, "sort=title&tag=work+%26+play", merged)
	tasks = c.MustListTasks(t, merged)
	require.Len(t, tasks, 1, "the merged filter lists the same task")
	assert.Equal(t, []string{"work & play"}, tasks[0].Tags)

	c.Do(t, http.MethodDelete, "/v1/tags/work%20%26%20play", nil).MustStatus(t, http.StatusNoContent)
	assert.Equal(t, merged, mustListFilters(t, c).Items[1].Query)
}
