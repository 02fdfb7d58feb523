package tools_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// "I'm in New York this week": set_time_zone sets the user's zone, and the dentist at
// 09:00 stays at 09:00 there; a zone that is none is refused naming time_zone.
func TestTools_SetTimeZone(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	set := newSet(db)
	ctx, _ := MustNewUser(t, db)

	berlin := MustCall[map[string]any](t, ctx, set, "set_time_zone", `{"time_zone": "Europe/Berlin"}`)
	assert.JSONEq(t, `{"time_zone": "Europe/Berlin"}`, mustJSON(t, berlin))
	task := MustCall[taskwire.Task](t, ctx, set, "add_task", `{"title": "Dentist", "due_at": "2030-12-10T09:00:00"}`)
	assert.Equal(t, "Europe/Berlin", task.TimeZone)

	MustCall[map[string]any](t, ctx, set, "set_time_zone", `{"time_zone": "America/New_York"}`)
	got := MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": "`+task.ID.String()+`"}`)
	assert.Equal(t, "America/New_York", got.TimeZone)
	require.NotNil(t, got.DueAt)
	assert.Equal(t, time.Date(2030, 12, 10, 14, 0, 0, 0, time.UTC), got.DueAt.UTC(), "09:00 in New York")

	for _, args := range []string{`{"time_zone": "Mars/Olympus"}`, `{"time_zone": null}`, `{}`, `{"time_zone": 5}`} {
		_, err := set.Call(ctx, "set_time_zone", json.RawMessage(args))
		require.Error(t, err, args)
		assert.Equal(t, "time_zone", taskwire.ErrorField(err), "%s: %v", args, err)
	}
	assert.Equal(t, "America/New_York", MustCall[taskwire.Task](t, ctx, set, "get_task", `{"task_id": "`+task.ID.String()+`"}`).TimeZone,
		"nothing changed by a refusal")
}
