package rest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A task says how long it takes: written in canonical form, cleared by null, kept through
// export and import; an all-day task's lasts whole days, and a duration that is none,
// longer than a month or counted in months is refused naming it, with nothing written.
func TestDuration(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)

	dentist := c.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": "2030-05-01T09:00:00Z", "duration": "P0DT1H0M30S"})
	require.NotNil(t, dentist.Duration)
	assert.Equal(t, "PT1H30S", *dentist.Duration, "canonical: no zero units")
	trip := c.MustCreateTask(t, map[string]any{"title": "Trip", "due_date": "2030-05-03", "duration": "P2D"})
	assert.Equal(t, "P2D", *trip.Duration)
	estimate := c.MustCreateTask(t, map[string]any{"title": "Read the report", "duration": "PT20M"})
	assert.Equal(t, "PT20M", *estimate.Duration, "an estimate needs no due")
	plain := c.MustCreateTask(t, map[string]any{"title": "Call", "duration": ""})
	assert.Nil(t, plain.Duration, "\"\" is none")

	resp := c.Do(t, http.MethodPatch, "/v1/tasks/1", map[string]any{"duration": "PT45M"}, "If-Match", dentist.ETag())
	resp.MustStatus(t, http.StatusOK)
	var got taskwire.Task
	resp.JSON(t, &got)
	assert.Equal(t, "PT45M", *got.Duration)
	history := mustHistory(t, c, "1")
	assert.Equal(t, "PT45M", history[len(history)-1].Changes["duration"].New)

	// An all-day task's duration is days: a time of day is refused, whichever member came
	// last.
	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   map[string]any
		status int
	}{
		{"None", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "duration": "PT0S"}, http.StatusUnprocessableEntity},
		{"TooLong", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "duration": "P32D"}, http.StatusUnprocessableEntity},
		{"Months", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "duration": "P1M"}, http.StatusUnprocessableEntity},
		{"NotADuration", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "duration": "90 minutes"}, http.StatusUnprocessableEntity},
		{"NotAString", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "duration": 90}, http.StatusBadRequest},
		{"HoursOnAllDay", http.MethodPost, "/v1/tasks", map[string]any{"title": "x", "due_date": "2030-05-03", "duration": "PT2H"}, http.StatusUnprocessableEntity},
		{"AllDayWithHours", http.MethodPatch, "/v1/tasks/1", map[string]any{"due_date": "2030-05-03"}, http.StatusUnprocessableEntity},
		{"HoursOnAllDayPatch", http.MethodPatch, "/v1/tasks/2", map[string]any{"duration": "PT1H"}, http.StatusUnprocessableEntity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.Do(t, tt.method, tt.path, tt.body)
			resp.MustStatus(t, tt.status)
			assert.Equal(t, "duration", resp.Problem(t).Field)
		})
	}
	assert.Len(t, c.MustListTasks(t, "status=all"), 4, "no task was created")
	assert.Equal(t, "PT45M", *c.MustGetTask(t, "1").Duration, "the refused patches changed nothing")
	assert.Nil(t, c.MustGetTask(t, "1").DueDate)

	// Through an export, read back after the task was lost.
	export := c.Do(t, http.MethodGet, "/v1/export", nil)
	export.MustStatus(t, http.StatusOK)
	c.Do(t, http.MethodDelete, "/v1/tasks/2", nil).MustStatus(t, http.StatusNoContent)
	c.Do(t, http.MethodDelete, "/v1/trash/2", nil).MustStatus(t, http.StatusNoContent)
	c.Do(t, http.MethodPost, "/v1/import", export.Body).MustStatus(t, http.StatusOK)
	assert.Equal(t, "P2D", *c.MustGetTask(t, "2").Duration)

	resp = c.Do(t, http.MethodPatch, "/v1/tasks/1", map[string]any{"duration": nil})
	resp.MustStatus(t, http.StatusOK)
	resp.JSON(t, &got)
	assert.Nil(t, got.Duration, "null clears it")
}
