package broker_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/broker"
)

func TestParseSchedule(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return tm
	}
	for _, tc := range []struct {
		name, spec, tz string
		at             string
		want           bool
	}{
		{"EveryMinute", "* * * * *", "", "2026-03-04T10:17:00Z", true},
		{"MinuteValue", "17 * * * *", "", "2026-03-04T10:17:59Z", true},
		{"MinuteValueOther", "17 * * * *", "", "2026-03-04T10:18:00Z", false},
		{"StepMatch", "*/15 * * * *", "", "2026-03-04T10:45:00Z", true},
		{"StepMiss", "*/15 * * * *", "", "2026-03-04T10:46:00Z", false},
		{"RangeStep", "10-30/10 * * * *", "", "2026-03-04T10:20:00Z", true},
		{"RangeStepMiss", "10-30/10 * * * *", "", "2026-03-04T10:40:00Z", false},
		{"StartStep", "5/20 * * * *", "", "2026-03-04T10:45:00Z", true},
		{"List", "0 8,12,18 * * *", "", "2026-03-04T12:00:00Z", true},
		{"ListMiss", "0 8,12,18 * * *", "", "2026-03-04T13:00:00Z", false},
		{"WeekdayNames", "0 9 * * MON-FRI", "", "2026-03-06T09:00:00Z", true}, // a Friday
		{"WeekdayNamesWeekend", "0 9 * * MON-FRI", "", "2026-03-07T09:00:00Z", false},
		{"SundayAsSeven", "0 0 * * 7", "", "2026-03-08T00:00:00Z", true},
		{"MonthNames", "0 0 1 jan,jul *", "", "2026-07-01T00:00:00Z", true},
		{"MonthNamesMiss", "0 0 1 jan,jul *", "", "2026-06-01T00:00:00Z", false},
		{"DayOfMonthOrWeekday", "0 0 13 * FRI", "", "2026-03-06T00:00:00Z", true}, // a Friday, not the 13th
		{"DayOfMonthOrWeekdayThe13th", "0 0 13 * FRI", "", "2026-03-13T00:00:00Z", true},
		{"DayOfMonthAndStarWeekday", "0 0 13 * *", "", "2026-03-06T00:00:00Z", false},
		{"Hourly", "@hourly", "", "2026-03-04T10:00:00Z", true},
		{"HourlyMiss", "@hourly", "", "2026-03-04T10:01:00Z", false},
		{"TimeZone", "0 9 * * *", "Europe/Paris", "2026-01-15T08:00:00Z", true},       // CET, UTC+1
		{"TimeZoneSummer", "0 9 * * *", "Europe/Paris", "2026-07-15T07:00:00Z", true}, // CEST, UTC+2
		{"TimeZoneUTCHour", "0 9 * * *", "Europe/Paris", "2026-01-15T09:00:00Z", false},
		{"CronTZPrefix", "CRON_TZ=America/New_York 0 9 * * *", "", "2026-01-15T14:00:00Z", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := broker.ParseSchedule(tc.spec, tc.tz)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Matches(at(tc.at)), "%q in %q at %s", tc.spec, tc.tz, tc.at)
		})
	}

	for _, spec := range []string{"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
		"*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * FOO *", "@every 5m"} {
		t.Run("Err"+spec, func(t *testing.T) {
			_, err := broker.ParseSchedule(spec, "")
			assert.Error(t, err, "got no error for %q, want one", spec)
		})
	}
}

// clockAt returns a clock that runs from at, now.
func clockAt(at time.Time) func() time.Time {
	offset := time.Until(at)
	return func() time.Time { return time.Now().Add(offset) }
}

func TestTick(t *testing.T) {
	pool, m := MustSetup(t, "ping")
	pings := &Subscriber{}
	// Run's first tick falls in a minute no ping source fires in.
	b := MustNewBroker(t, pool, m, Targets{"pings": {Handler: pings}},
		broker.Options{Now: clockAt(time.Date(2026, 3, 4, 12, 6, 30, 0, time.UTC))})
	ctx := context.Background()
	count := func(source string) int {
		return Count(t, pool, `SELECT count(*) FROM broker_events WHERE broker = $1 AND source = $2`, b.Name(), source)
	}
	fiveMinutes := "/apis/v1/namespaces/default/pingsources/every-five"
	paris := "/apis/v1/namespaces/tasks/pingsources/paris-nine"

	require.NoError(t, b.Tick(ctx, time.Date(2026, 3, 4, 12, 5, 10, 0, time.UTC)))
	assert.Equal(t, 1, count(fiveMinutes))
	require.NoError(t, b.Tick(ctx, time.Date(2026, 3, 4, 12, 5, 50, 0, time.UTC)))
	assert.Equal(t, 1, count(fiveMinutes), "the same minute fired twice is one event")
	require.NoError(t, b.Tick(ctx, time.Date(2026, 3, 4, 12, 6, 0, 0, time.UTC)))
	assert.Equal(t, 1, count(fiveMinutes), "12:06 is not in */5")
	require.NoError(t, b.Tick(ctx, time.Date(2026, 3, 4, 12, 10, 0, 0, time.UTC)))
	assert.Equal(t, 2, count(fiveMinutes))

	assert.Equal(t, 0, count(paris))
	require.NoError(t, b.Tick(ctx, time.Date(2026, 3, 4, 8, 0, 30, 0, time.UTC))) // a Wednesday, 09:00 in Paris
	assert.Equal(t, 1, count(paris))
	assert.Equal(t, 3, count(fiveMinutes), "08:00 is in */5 too")

	MustRun(t, b)
	require.Eventually(t, func() bool { return len(pings.Deliveries()) == 4 }, waitFor, 10*time.Millisecond)
	var tick *Received
	for _, d := range pings.Deliveries() {
		if d.Event.Source() == fiveMinutes && d.Event.Time().Equal(time.Date(2026, 3, 4, 12, 5, 0, 0, time.UTC)) {
			tick = &d
		}
	}
	require.NotNil(t, tick, "no delivery of the 12:05 tick")
	assert.Equal(t, broker.TypePing, tick.Event.Type())
	assert.Equal(t, "application/json", tick.Event.DataContentType())
	var data map[string]string
	require.NoError(t, json.Unmarshal(tick.Event.Data(), &data))
	assert.Equal(t, map[string]string{"reason": "tick"}, data)
}

// A broker that starts in a minute its ping sources fire in fires that minute at once,
// not a minute later: the minute may have begun while no broker ran.
func TestRun_TicksAtStart(t *testing.T) {
	pool, m := MustSetup(t, "ping")
	pings := &Subscriber{}
	b := MustNewBroker(t, pool, m, Targets{"pings": {Handler: pings}},
		broker.Options{Now: clockAt(time.Date(2026, 3, 4, 12, 5, 20, 0, time.UTC))})
	MustRun(t, b)
	require.Eventually(t, func() bool { return len(pings.Deliveries()) == 1 }, 5*time.Second, 10*time.Millisecond,
		"the 12:05 tick must come before 12:06")
	d := pings.Deliveries()[0]
	assert.True(t, d.Event.Time().Equal(time.Date(2026, 3, 4, 12, 5, 0, 0, time.UTC)), "got the tick of %s", d.Event.Time())
}
