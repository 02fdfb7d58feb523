package taskwire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A daily summary is next due at its time on the same day if that is still to come, else
// on the next, in the user's zone and through its DST changes: a time the change skips
// comes that much later, one it repeats comes the first time.
func TestNextSummary(t *testing.T) {
	for _, tt := range []struct {
		name      string
		after, at string
		zone      string
		want      string // RFC 3339
	}{
		{"LaterToday", "2026-12-04T05:00:00Z", "07:30", "Europe/Berlin", "2026-12-04T07:30:00+01:00"},
		{"PassedToday", "2026-12-04T07:00:00Z", "07:30", "Europe/Berlin", "2026-12-05T07:30:00+01:00"},
		{"ExactlyNow", "2026-12-04T06:30:00Z", "07:30", "Europe/Berlin", "2026-12-05T07:30:00+01:00"},
		{"ZoneAheadOfUTC", "2026-12-04T20:00:00Z", "07:30", "Pacific/Auckland", "2026-12-06T07:30:00+13:00"},
		{"ZoneBehindUTC", "2026-12-05T02:00:00Z", "20:00", "America/Los_Angeles", "2026-12-04T20:00:00-08:00"},
		{"Midnight", "2026-12-04T12:00:00Z", "00:00", "UTC", "2026-12-05T00:00:00Z"},
		{"SpringForwardGap", "2026-03-08T05:00:00Z", "02:30", "America/New_York", "2026-03-08T03:30:00-04:00"},
		{"AfterSpringForward", "2026-03-08T08:00:00Z", "07:30", "America/New_York", "2026-03-08T07:30:00-04:00"},
		{"FallBackRepeated", "2026-11-01T04:00:00Z", "01:30", "America/New_York", "2026-11-01T01:30:00-04:00"},
		{"FallBackSecondPassing", "2026-11-01T05:45:00Z", "01:30", "America/New_York", "2026-11-02T01:30:00-05:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			after, err := time.Parse(time.RFC3339, tt.after)
			require.NoError(t, err)
			want, err := time.Parse(time.RFC3339, tt.want)
			require.NoError(t, err)
			got := taskwire.NextSummary(after, tt.at, tt.zone)
			assert.True(t, want.Equal(got), "got %s, want %s", got, want)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

// daily_summary_at takes a 24-hour time of day, written as hours and minutes, and null
// or "" to turn it off; anything else is refused, naming the field.
func TestApplyUserPatch_DailySummary(t *testing.T) {
	u, err := taskwire.ApplyUserPatch(taskwire.User{TimeZone: "UTC"}, []byte(`{"daily_summary_at": "18:05"}`))
	require.NoError(t, err)
	require.NotNil(t, u.DailySummaryAt)
	assert.Equal(t, "18:05", *u.DailySummaryAt)
	for _, off := range []string{`null`, `""`} {
		cleared, err := taskwire.ApplyUserPatch(u, []byte(`{"daily_summary_at": `+off+`}`))
		require.NoError(t, err)
		assert.Nil(t, cleared.DailySummaryAt, off)
	}
	for _, bad := range []string{`"6:05"`, `"24:00"`, `"18:5"`, `"18:05:00"`, `"6pm"`, `" 18:05"`} {
		_, err := taskwire.ApplyUserPatch(u, []byte(`{"daily_summary_at": `+bad+`}`))
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), bad)
		assert.Equal(t, "daily_summary_at", taskwire.ErrorField(err), bad)
	}
}

func TestApplyUserPatch_DailyGoal(t *testing.T) {
	u, err := taskwire.ApplyUserPatch(taskwire.User{TimeZone: "UTC", DailyGoal: 5}, []byte(`{"daily_goal": 3}`))
	require.NoError(t, err)
	assert.Equal(t, 3, u.DailyGoal)
	reset, err := taskwire.ApplyUserPatch(u, []byte(`{"daily_goal": null}`))
	require.NoError(t, err)
	assert.Equal(t, taskwire.DefaultDailyGoal, reset.DailyGoal, "null is the default again")
	for _, bad := range []string{`0`, `-1`, `101`, `2.5`, `"3"`, `true`} {
		_, err := taskwire.ApplyUserPatch(u, []byte(`{"daily_goal": `+bad+`}`))
		require.Error(t, err, bad)
		assert.Equal(t, "daily_goal", taskwire.ErrorField(err), bad)
	}
}
