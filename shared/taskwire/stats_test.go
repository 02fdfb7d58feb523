package taskwire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestNewStats_Streaks(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	days := func(pairs ...any) []taskwire.DayCount {
		var out []taskwire.DayCount
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, taskwire.DayCount{Date: pairs[i].(string), Completed: pairs[i+1].(int)})
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		goal    int
		history []taskwire.DayCount
		want    taskwire.Streak
	}{
		{"None", 1, nil, taskwire.Streak{}},
		{"Today", 1, days("2026-12-04", 1), taskwire.Streak{Current: 1, Longest: 1}},
		{"ThroughToday", 2, days("2026-12-02", 2, "2026-12-03", 3, "2026-12-04", 2), taskwire.Streak{Current: 3, Longest: 3}},
		{"TodayNotYet", 2, days("2026-12-02", 2, "2026-12-03", 2, "2026-12-04", 1), taskwire.Streak{Current: 2, Longest: 2}},
		{"YesterdayMissed", 1, days("2026-12-01", 1, "2026-12-02", 1), taskwire.Streak{Current: 0, Longest: 2}},
		{"ShortDayBreaks", 3, days("2026-11-01", 3, "2026-11-02", 3, "2026-11-03", 2, "2026-11-04", 3, "2026-12-04", 4),
			taskwire.Streak{Current: 1, Longest: 2}},
		{"AcrossMonths", 1, days("2026-11-29", 1, "2026-11-30", 1, "2026-12-01", 1), taskwire.Streak{Longest: 3}},
		{"UnorderedAndRepeated", 2, days("2026-12-04", 1, "2026-12-03", 2, "2026-12-04", 1), taskwire.Streak{Current: 2, Longest: 2}},
		{"FutureIgnored", 1, days("2026-12-05", 1, "2026-12-06", 1), taskwire.Streak{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := taskwire.NewStats(now, "UTC", tt.goal, 3, tt.history)
			assert.Equal(t, tt.want, st.Streak)
		})
	}
}

// The window is the user's days: late on 4 December in UTC it is already 5 December in
// Auckland, and the days around a DST change are whole days still.
func TestNewStats_Days(t *testing.T) {
	st := taskwire.NewStats(time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC), "Pacific/Auckland", 5, 3,
		[]taskwire.DayCount{{Date: "2026-12-05", Completed: 2}, {Date: "2026-12-01", Completed: 9}})
	assert.Equal(t, "2026-12-05", st.Today)
	assert.Equal(t, []taskwire.DayCount{dayCount("2026-12-03", 0), dayCount("2026-12-04", 0), dayCount("2026-12-05", 2)}, st.Days)
	assert.Equal(t, 2, st.Completed, "the days shown alone")
	assert.Equal(t, taskwire.Streak{Longest: 1}, st.Streak, "9 on 1 December met the goal once")

	st = taskwire.NewStats(time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), "Europe/Berlin", 1, 3, nil)
	assert.Equal(t, []taskwire.DayCount{dayCount("2026-03-28", 0), dayCount("2026-03-29", 0), dayCount("2026-03-30", 0)}, st.Days)
}

func TestParseStatsDays(t *testing.T) {
	for in, want := range map[string]int{"": 7, "1": 1, "30": 30, "90": 90} {
		got, err := taskwire.ParseStatsDays(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"0", "91", "-3", "7.5", "a week", " 7"} {
		_, err := taskwire.ParseStatsDays(bad)
		assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err), bad)
		assert.Equal(t, "days", taskwire.ErrorField(err), bad)
	}
}

// dayCount is a day's count of completed tasks.
func dayCount(date string, completed int) taskwire.DayCount {
	return taskwire.DayCount{Date: date, Completed: completed}
}
