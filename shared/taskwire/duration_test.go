package taskwire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestParseDuration(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in        string
			want      taskwire.Duration
			canonical string
		}{
			{"PT15M", taskwire.Duration{Minutes: 15}, "PT15M"},
			{"P1D", taskwire.Duration{Days: 1}, "P1D"},
			{"P1DT2H", taskwire.Duration{Days: 1, Hours: 2}, "P1DT2H"},
			{"P2W", taskwire.Duration{Weeks: 2}, "P2W"},
			{"P1W2D", taskwire.Duration{Weeks: 1, Days: 2}, "P1W2D"},
			{"PT1H30M15S", taskwire.Duration{Hours: 1, Minutes: 30, Seconds: 15}, "PT1H30M15S"},
			{"PT90M", taskwire.Duration{Minutes: 90}, "PT90M"},
			{"PT0S", taskwire.Duration{}, "PT0S"},
			{"P0D", taskwire.Duration{}, "PT0S"},
			{"PT015M", taskwire.Duration{Minutes: 15}, "PT15M"},
			{"PT30S", taskwire.Duration{Seconds: 30}, "PT30S"},
			{"P366D", taskwire.Duration{Days: 366}, "P366D"},
			{"PT8784H", taskwire.Duration{Hours: 8784}, "PT8784H"},
			{"P52W2D", taskwire.Duration{Weeks: 52, Days: 2}, "P52W2D"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				got, err := taskwire.ParseDuration(tt.in)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, tt.canonical, got.String())
			})
		}
	})

	t.Run("Err", func(t *testing.T) {
		for _, in := range []string{
			"", "P", "PT", "15M", "pt15m", "P1", "PT1", "P1DT", "PTT1M", "PT1M T1S", "P1M", "P1Y",
			"PT1D", "P1H", "P-1D", "P+1D", "PT1.5H", "PT1,5H", "P1D1D", "PT1M1M", "P1DP1D",
			"P367D", "P53W", "PT8785H", "P100001D", "P99999999999999999999D", "PT15M ", " PT15M",
			"P1DT1H1H", "P１D", "15 minutes",
		} {
			t.Run(in, func(t *testing.T) {
				got, err := taskwire.ParseDuration(in)
				assert.Error(t, err, "ParseDuration(%q) = %v, want an error", in, got)
			})
		}
	})
}

// A refused reminder duration says why, and the reminder's error carries it.
func TestParseDuration_SaysWhy(t *testing.T) {
	for in, why := range map[string]string{
		"P1M":      "use weeks (W) or days (D)",
		"P1Y":      "use weeks (W) or days (D)",
		"P367D":    "longer than 366 days",
		"PT99999H": "longer than 366 days",
		// Whose nanoseconds overflow: they wrapped around to a time inside the bound.
		"P20000W":         "longer than 366 days",
		"P100000W100000D": "longer than 366 days",
	} {
		_, err := taskwire.ParseDuration(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), why, in)
		_, err = taskwire.NewTask{Title: "x", DueAt: new("2030-01-01T09:00:00Z"), Reminders: []taskwire.ReminderInput{{Before: new(in)}}}.Fields()
		assert.Equal(t, "reminders[0].before", taskwire.ErrorField(err), in)
		assert.Contains(t, taskwire.ErrorMessage(err), why, in)
	}
}

func TestDurationBefore(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}

	for _, tt := range []struct {
		name     string
		duration string
		due      string
		loc      *time.Location
		want     string
	}{
		// Berlin moves to summer time on 2026-03-29: 09:00 CEST is 07:00Z, 09:00 CET the
		// day before is 08:00Z, 23 hours earlier.
		{"DayAcrossSpringForward", "P1D", "2026-03-29T07:00:00Z", berlin, "2026-03-28T08:00:00Z"},
		{"HoursAcrossSpringForward", "PT24H", "2026-03-29T07:00:00Z", berlin, "2026-03-28T07:00:00Z"},
		{"WeekAcrossSpringForward", "P1W", "2026-04-01T07:00:00Z", berlin, "2026-03-25T08:00:00Z"},
		// New York moves back on 2026-11-01: 09:00 EST is 14:00Z, 09:00 EDT the day before is 13:00Z.
		{"DayAcrossFallBack", "P1D", "2026-11-01T14:00:00Z", newYork, "2026-10-31T13:00:00Z"},
		{"DayAndHoursAcrossFallBack", "P1DT1H", "2026-11-01T14:00:00Z", newYork, "2026-10-31T12:00:00Z"},
		// Berlin repeats 02:00-03:00 on 2027-10-31: 02:30 the day before 02:30 CET on
		// 1 November is the first 02:30, in summer time, as recurrence resolves it.
		{"DayOntoRepeatedTime", "P1D", "2027-11-01T01:30:00Z", berlin, "2027-10-31T00:30:00Z"},
		// Berlin skips 02:00-03:00 on 2026-03-29: 02:30 that day is 03:30 CEST.
		{"DayIntoGap", "P1D", "2026-03-30T00:30:00Z", berlin, "2026-03-29T01:30:00Z"},
		{"DayKeepsFractions", "P1D", "2026-03-30T07:00:00.5Z", berlin, "2026-03-29T07:00:00.5Z"},
		{"Minutes", "PT15M", "2026-03-29T07:00:00Z", berlin, "2026-03-29T06:45:00Z"},
		{"DayInUTC", "P1D", "2026-03-29T07:00:00Z", time.UTC, "2026-03-28T07:00:00Z"},
		{"Zero", "PT0S", "2026-03-29T07:00:00Z", berlin, "2026-03-29T07:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := taskwire.ParseDuration(tt.duration)
			require.NoError(t, err)
			got := d.Before(utc(tt.due), tt.loc)
			assert.True(t, got.Equal(utc(tt.want)), "%s before %s in %s: got %s, want %s",
				tt.duration, tt.due, tt.loc, got.UTC().Format(time.RFC3339), tt.want)
		})
	}
}

// After counts days on the calendar as Before does: a snooze of a day keeps the time of
// day across a DST change.
func TestDurationAfter(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	for _, tt := range []struct {
		name, duration, from, want string
	}{
		// 09:00 CET on 28 March is 08:00Z; 09:00 CEST the next day is 07:00Z, 23 hours on.
		{"DayAcrossSpringForward", "P1D", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"},
		{"HoursAcrossSpringForward", "PT24H", "2026-03-28T08:00:00Z", "2026-03-29T08:00:00Z"},
		{"DayAndMinutes", "P1DT10M", "2026-03-28T08:00:00Z", "2026-03-29T07:10:00Z"},
		{"DayIntoGap", "P1D", "2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z"}, // 02:30 → 03:30 CEST
		{"Minutes", "PT10M", "2026-03-28T08:00:00Z", "2026-03-28T08:10:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := taskwire.ParseDuration(tt.duration)
			require.NoError(t, err)
			from, err := time.Parse(time.RFC3339, tt.from)
			require.NoError(t, err)
			got := d.After(from, berlin)
			assert.Equal(t, tt.want, got.UTC().Format(time.RFC3339), "%s after %s", tt.duration, tt.from)
		})
	}
}

func TestReminderSpecFireAt(t *testing.T) {
	due := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("X", 3600))

	got := taskwire.ReminderSpec{Before: "P1D"}.FireAt(&due, "Europe/Berlin", false)
	require.NotNil(t, got)
	assert.Equal(t, time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC), *got)

	assert.Nil(t, taskwire.ReminderSpec{Before: "P1D"}.FireAt(nil, "Europe/Berlin", false), "a relative reminder without a due date never fires")

	got = taskwire.ReminderSpec{At: &at}.FireAt(nil, "Europe/Berlin", false)
	require.NotNil(t, got)
	assert.Equal(t, time.UTC, got.Location())
	assert.True(t, got.Equal(at))
}
