package recur_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/recur"
)

func TestFirst(t *testing.T) {
	// start is the series' local start and time of day; notBefore defaults to start;
	// want "" means the rule has no occurrence.
	for _, tt := range []struct {
		name, rule, zone, start, notBefore, want string
	}{
		{name: "StartMatches", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			start: "2026-05-04T09:00:00+02:00", want: "2026-05-04T09:00:00+02:00"},
		{name: "IntervalCountsFromStart", rule: "FREQ=DAILY;INTERVAL=3", zone: "Europe/Berlin",
			start: "2026-05-04T09:00:00+02:00", notBefore: "2026-05-04T10:00:00+02:00", want: "2026-05-07T09:00:00+02:00"},
		{name: "WeekdayAfterStart", rule: "FREQ=WEEKLY;BYDAY=MO,WE", zone: "America/New_York",
			start: "2026-05-05T19:00:00-04:00", want: "2026-05-06T19:00:00-04:00"},
		{name: "ThirtyFirstSkipsShortMonths", rule: "FREQ=MONTHLY;BYMONTHDAY=31", zone: "UTC",
			start: "2026-04-01T09:00:00Z", want: "2026-05-31T09:00:00Z"},
		{name: "LeapDay", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", zone: "Europe/Berlin",
			start: "2026-05-04T09:00:00+02:00", want: "2028-02-29T09:00:00+01:00"},
		{name: "KeepsWallClockAcrossSpringForward", rule: "FREQ=DAILY", zone: "America/New_York",
			start: "2026-03-07T08:30:00-05:00", notBefore: "2026-03-07T09:00:00-05:00", want: "2026-03-08T08:30:00-04:00"},
		{name: "GapMovesForward", rule: "FREQ=DAILY", zone: "America/New_York",
			start: "2026-03-07T02:30:00-05:00", notBefore: "2026-03-07T03:00:00-05:00", want: "2026-03-08T03:30:00-04:00"},
		{name: "RepeatedHourSecondInstance", rule: "FREQ=DAILY;UNTIL=20271107", zone: "America/New_York",
			start: "2027-11-07T01:30:00-05:00", want: "2027-11-07T01:30:00-05:00"},
		{name: "RepeatedHourFirstInstance", rule: "FREQ=DAILY;COUNT=1", zone: "America/New_York",
			start: "2027-11-07T01:30:00-04:00", want: "2027-11-07T01:30:00-04:00"},
		{name: "CountReached", rule: "FREQ=DAILY;COUNT=2", zone: "UTC",
			start: "2026-05-04T09:00:00Z", notBefore: "2026-05-06T00:00:00Z", want: ""},
		{name: "UntilDateIsTheZonesDay", rule: "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231", zone: "America/Los_Angeles",
			start: "2026-12-29T18:00:00-08:00", want: "2026-12-31T18:00:00-08:00"},
		{name: "NoSuchDate", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", zone: "UTC",
			start: "2026-05-04T09:00:00Z", want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			start := mustTime(t, tt.start)
			notBefore := start
			if tt.notBefore != "" {
				notBefore = mustTime(t, tt.notBefore)
			}
			got, ok, err := recur.First(tt.rule, loc, start, notBefore)
			require.NoError(t, err)
			if tt.want == "" {
				assert.False(t, ok, "got %v, want no occurrence", got)
				return
			}
			require.True(t, ok, "got no occurrence, want %s", tt.want)
			assert.Equal(t, mustTime(t, tt.want).UTC(), got.UTC(), "got %s, want %s", got.Format(time.RFC3339), tt.want)
		})
	}
}

func TestResolve(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for _, tt := range []struct{ name, wall, want string }{
		{"Plain", "2026-03-07T09:00:00Z", "2026-03-07T09:00:00-05:00"},
		{"GapMovesForward", "2026-03-08T02:30:00Z", "2026-03-08T03:30:00-04:00"},
		{"OverlapIsFirst", "2026-11-01T01:30:00Z", "2026-11-01T01:30:00-04:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := recur.Resolve(mustTime(t, tt.wall), ny)
			assert.Equal(t, tt.want, got.Format(time.RFC3339))
		})
	}
}

func TestFirst_Err(t *testing.T) {
	_, _, err := recur.First("FREQ=SOMETIMES", time.UTC, time.Now(), time.Now())
	assert.Error(t, err)
}
