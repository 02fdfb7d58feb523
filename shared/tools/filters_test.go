package tools_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// "Save this as Work, urgent first", "show me my Work filter, only high ones", "forget
// that filter": save_filter saves a listing as list_tasks takes it (saving under a name
// there is changes it), list_tasks lists a saved filter by name with more arguments
// changing it, and a name there is not is refused with the names there are.
func TestTools_SavedFilters(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	users := postgres.NewUserService(db)
	set := tools.New(postgres.NewTaskService(db), users, postgres.NewNotificationService(db), postgres.NewChangeService(db))
	ctx, _ := MustNewUser(t, db)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Report", "tags": ["work"], "priority": "high"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Slides", "tags": ["work"], "priority": "low"}`)
	MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Groceries", "tags": ["home"]}`)

	saved := MustCall[taskwire.SavedFilter](t, ctx, set, "save_filter", `{"name": "Work", "tag": ["work"], "sort": "title"}`)
	assert.Equal(t, "sort=title&tag=work", saved.Query)
	titles := func(args string) []string {
		t.Helper()
		page := MustCall[taskwire.TaskPage](t, ctx, set, "list_tasks", args)
		var out []string
		for _, task := range page.Items {
			out = append(out, task.Title)
		}
		return out
	}
	assert.Equal(t, []string{"Report", "Slides"}, titles(`{"filter": "work"}`), "by name, whatever its case")
	assert.Equal(t, []string{"Report"}, titles(`{"filter": "Work", "priority": ["high"]}`), "more arguments change it")
	assert.Equal(t, []string{"Slides", "Report"}, titles(`{"filter": "Work", "sort": "-title"}`))

	again := MustCall[taskwire.SavedFilter](t, ctx, set, "save_filter", `{"name": "WORK", "tag": ["work"], "due": "week"}`)
	assert.Equal(t, saved.ID, again.ID, "saving under a name there is changes that filter")
	assert.Equal(t, "due=week&tag=work", again.Query)
	MustCall[taskwire.SavedFilter](t, ctx, set, "save_filter", `{"name": "Home", "tag": ["home"]}`)
	list := MustCall[struct {
		Filters []taskwire.SavedFilter `json:"filters"`
	}](t, ctx, set, "list_filters", `{}`)
	require.Len(t, list.Filters, 2)
	assert.Equal(t, "Home", list.Filters[0].Name)

	for _, tt := range []struct{ tool, args, code, field, says string }{
		{"list_tasks", `{"filter": "Errands"}`, taskwire.EINVALID, "filter", `there are "Home", "Work"`},
		{"save_filter", `{"tag": ["work"]}`, taskwire.EINVALID, "name", "must not be blank"},
		{"save_filter", `{"name": "x", "due": "someday"}`, taskwire.EINVALID, "query", "due must be"},
		{"delete_filter", `{"name": "Errands"}`, taskwire.EINVALID, "name", "no saved filter"},
	} {
		got := MustFail(t, ctx, set, tt.tool, tt.args)
		assert.Equal(t, tt.code, got["code"], tt.args)
		assert.Equal(t, tt.field, got["field"], tt.args)
		assert.Contains(t, got["error"], tt.says, tt.args)
	}

	MustCall[map[string]any](t, ctx, set, "delete_filter", `{"name": "home"}`)
	filters, err := users.SavedFilters(ctx)
	require.NoError(t, err)
	require.Len(t, filters, 1)
	assert.Equal(t, "Work", filters[0].Name)
}
