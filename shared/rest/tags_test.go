package rest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A tag is renamed (a typo mended, "wrok" to "work") or dropped on every task that
// carries it, open and completed, in one request: each task one version later, with its
// change in its history; a rename onto a tag a task has merges the two. Another user's
// tasks with the same tag are untouched.
func TestTags_RenameAndDelete(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	report := c.MustCreateTask(t, map[string]any{"title": "Write report", "tags": []string{"wrok", "urgent"}})
	slides := c.MustCreateTask(t, map[string]any{"title": "Slides", "tags": []string{"work", "wrok"}})
	done := c.MustCreateTask(t, map[string]any{"title": "Old memo", "tags": []string{"Wrok"}, "completed": true})
	plain := c.MustCreateTask(t, map[string]any{"title": "Buy milk", "tags": []string{"home"}})
	other := s.NewUser(t)
	theirs := other.MustCreateTask(t, map[string]any{"title": "Theirs", "tags": []string{"wrok"}})

	resp := c.Do(t, http.MethodPatch, "/v1/tags/WROK", map[string]any{"name": " Work "})
	resp.MustStatus(t, http.StatusOK)
	var tag taskwire.Tag
	resp.JSON(t, &tag)
	assert.Equal(t, taskwire.Tag{Name: "work", OpenCount: 2}, tag)

	got := c.MustGetTask(t, report.ID.String())
	assert.Equal(t, []string{"work", "urgent"}, got.Tags, "renamed in place")
	assert.Equal(t, report.Version+1, got.Version)
	assert.Equal(t, []string{"work"}, c.MustGetTask(t, slides.ID.String()).Tags, "merged: one work")
	assert.Equal(t, []string{"work"}, c.MustGetTask(t, done.ID.String()).Tags, "completed tasks too")
	assert.Equal(t, plain.Version, c.MustGetTask(t, plain.ID.String()).Version, "a task without the tag is untouched")
	assert.Equal(t, []string{"wrok"}, other.MustGetTask(t, theirs.ID.String()).Tags, "another user's tag is theirs")

	history := mustHistory(t, c, report.ID.String())
	require.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated}, eventTypes(history))
	assert.Equal(t, events.Change{Old: []any{"wrok", "urgent"}, New: []any{"work", "urgent"}}, history[1].Changes["tags"])

	// The same rename again, as a client retries one whose answer it lost: the tags are
	// as it asks already, so it answers as the first did and changes nothing.
	resp = c.Do(t, http.MethodPatch, "/v1/tags/WROK", map[string]any{"name": " Work "})
	resp.MustStatus(t, http.StatusOK)
	resp.JSON(t, &tag)
	assert.Equal(t, taskwire.Tag{Name: "work", OpenCount: 2}, tag)
	assert.Equal(t, report.Version+1, c.MustGetTask(t, report.ID.String()).Version, "the retry changed nothing")

	resp = c.Do(t, http.MethodDelete, "/v1/tags/urgent", nil)
	resp.MustStatus(t, http.StatusNoContent)
	assert.Equal(t, []string{"work"}, c.MustGetTask(t, report.ID.String()).Tags)
	resp = c.Do(t, http.MethodGet, "/v1/tags", nil)
	resp.MustStatus(t, http.StatusOK)
	var tags []taskwire.Tag
	resp.JSON(t, &tags)
	assert.Equal(t, []taskwire.Tag{{Name: "home", OpenCount: 1}, {Name: "work", OpenCount: 2}}, tags)

	// Renamed to itself (another case), nothing changes: no task is a version later.
	resp = c.Do(t, http.MethodPatch, "/v1/tags/work", map[string]any{"name": "WORK"})
	resp.MustStatus(t, http.StatusOK)
	resp.JSON(t, &tag)
	assert.Equal(t, taskwire.Tag{Name: "work", OpenCount: 2}, tag)
	assert.Equal(t, report.Version+2, c.MustGetTask(t, report.ID.String()).Version, "the rename and the removal, no more")

	// A tag with a slash or a space is one path segment, escaped.
	c.MustCreateTask(t, map[string]any{"title": "Plan", "tags": []string{"q3/plan"}})
	resp = c.Do(t, http.MethodPatch, "/v1/tags/"+url.PathEscape("q3/plan"), map[string]any{"name": "q3 plan"})
	resp.MustStatus(t, http.StatusOK)
	resp = c.Do(t, http.MethodDelete, "/v1/tags/"+url.PathEscape("q3 plan"), nil)
	resp.MustStatus(t, http.StatusNoContent)

	for _, tt := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"UnknownTag", http.MethodPatch, "/v1/tags/nope", map[string]any{"name": "x"}, http.StatusNotFound, ""},
		{"UnknownTagDelete", http.MethodDelete, "/v1/tags/wrok", nil, http.StatusNotFound, ""},
		{"NoName", http.MethodPatch, "/v1/tags/work", map[string]any{}, http.StatusUnprocessableEntity, "name"},
		{"BlankName", http.MethodPatch, "/v1/tags/work", map[string]any{"name": "  "}, http.StatusUnprocessableEntity, "name"},
		{"LongName", http.MethodPatch, "/v1/tags/work", map[string]any{"name": strings.Repeat("t", 51)}, http.StatusUnprocessableEntity, "name"},
		{"NameNotAString", http.MethodPatch, "/v1/tags/work", map[string]any{"name": 3}, http.StatusBadRequest, "name"},
		{"UnknownField", http.MethodPatch, "/v1/tags/work", map[string]any{"name": "x", "colour": "red"}, http.StatusBadRequest, "colour"},
		{"OtherUsersTag", http.MethodDelete, "/v1/tags/home", nil, http.StatusNotFound, ""},
		{"NULInTheName", http.MethodDelete, "/v1/tags/a%00b", nil, http.StatusNotFound, ""},
		{"NULInTheNameRename", http.MethodPatch, "/v1/tags/a%00b", map[string]any{"name": "x"}, http.StatusNotFound, ""},
		{"NameTooLongForATag", http.MethodDelete, "/v1/tags/" + strings.Repeat("t", 51), nil, http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			client := c
			if tt.name == "OtherUsersTag" {
				client = other
			}
			resp := client.Do(t, tt.method, tt.path, tt.body)
			resp.MustStatus(t, tt.status)
			assert.Equal(t, tt.field, resp.Problem(t).Field)
		})
	}
	assert.Equal(t, []string{"work"}, c.MustGetTask(t, report.ID.String()).Tags, "refusals changed nothing")
}
