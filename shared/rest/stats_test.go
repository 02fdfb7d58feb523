package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// GET /v1/stats counts what the user completed today, in their zone, against the daily
// goal they set on /v1/me; a reopened task counts no more; bad parameters are problems
// that name them.
func TestStats(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	resp := c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"daily_goal": 2, "time_zone": "Asia/Tokyo"})
	resp.MustStatus(t, http.StatusOK)
	var me taskwire.User
	resp.JSON(t, &me)
	assert.Equal(t, 2, me.DailyGoal)

	a := c.MustCreateTask(t, map[string]any{"title": "a"})
	b := c.MustCreateTask(t, map[string]any{"title": "b"})
	c.MustCreateTask(t, map[string]any{"title": "c", "due_at": "2020-01-01T09:00:00Z"})
	for _, task := range []*taskwire.Task{a, b} {
		c.Do(t, http.MethodPost, "/v1/tasks/"+task.ID.String()+"/complete", nil).MustStatus(t, http.StatusOK)
	}
	st := mustStats(t, c, "")
	today := time.Now().In(mustZone(t, "Asia/Tokyo")).Format(taskwire.DateLayout)
	assert.Equal(t, today, st.Today)
	require.Len(t, st.Days, taskwire.DefaultStatsDays)
	assert.Equal(t, taskwire.DayCount{Date: today, Completed: 2}, st.Days[len(st.Days)-1])
	assert.Equal(t, 2, st.Completed)
	assert.Equal(t, taskwire.Streak{Current: 1, Longest: 1}, st.Streak, "two of two today")
	assert.Equal(t, 1, st.Open)
	assert.Equal(t, 1, st.Overdue)

	c.Do(t, http.MethodPost, "/v1/tasks/"+a.ID.String()+"/reopen", nil).MustStatus(t, http.StatusOK)
	st = mustStats(t, c, "?days=30")
	require.Len(t, st.Days, 30)
	assert.Equal(t, 1, st.Days[29].Completed)
	assert.Equal(t, taskwire.Streak{}, st.Streak, "one of two: today's goal not met yet")

	for query, field := range map[string]string{"?days=0": "days", "?days=91": "days", "?days=week": "days", "?days=7&days=8": "days", "?limit=5": "limit"} {
		resp := c.Do(t, http.MethodGet, "/v1/stats"+query, nil)
		resp.MustStatus(t, http.StatusBadRequest)
		assert.Equal(t, field, resp.Problem(t).Field, query)
	}
	resp = c.Do(t, http.MethodPatch, "/v1/me", map[string]any{"daily_goal": 0})
	resp.MustStatus(t, http.StatusUnprocessableEntity)
	assert.Equal(t, "daily_goal", resp.Problem(t).Field)
}

func mustStats(t *testing.T, c *resttest.Client, query string) taskwire.Stats {
	t.Helper()
	resp := c.Do(t, http.MethodGet, "/v1/stats"+query, nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var st taskwire.Stats
	resp.JSON(t, &st)
	return st
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
