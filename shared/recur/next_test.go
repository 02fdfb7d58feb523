package recur_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/recur"
)

func TestNext(t *testing.T) {
	// Times are RFC 3339 with the zone's offset, so a row shows both the local wall
	// clock and the instant. completed and now default to due; want "" means the
	// series ended.
	for _, tt := range []struct {
		name      string
		rule      string
		zone      string
		due       string
		index     int
		fromDone  bool
		completed string
		now       string
		previous  string
		want      string
		wantIndex int
	}{
		{name: "Daily", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 1, want: "2026-05-05T09:00:00+02:00", wantIndex: 2},
		{name: "DailyTwiceADay", rule: "FREQ=DAILY;BYHOUR=9,18", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 1, want: "2026-05-04T18:00:00+02:00", wantIndex: 2},
		{name: "WeeklyByDayWednesdayToFriday", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR", zone: "America/New_York",
			due: "2026-05-06T09:00:00-04:00", index: 4, want: "2026-05-08T09:00:00-04:00", wantIndex: 5},
		{name: "WeeklyByDayFridayToMonday", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR", zone: "America/New_York",
			due: "2026-05-08T09:00:00-04:00", index: 5, want: "2026-05-11T09:00:00-04:00", wantIndex: 6},
		{name: "WeeklyEveryOtherWeek", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", zone: "America/New_York",
			due: "2026-05-06T09:00:00-04:00", index: 2, want: "2026-05-18T09:00:00-04:00", wantIndex: 3},
		{name: "WeeklyAcrossSpringForward", rule: "FREQ=WEEKLY", zone: "America/New_York",
			due: "2026-03-02T09:00:00-05:00", index: 1, want: "2026-03-09T09:00:00-04:00", wantIndex: 2},
		{name: "EveryWeekdayFridayToMonday", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", zone: "Europe/Berlin",
			due: "2026-05-08T08:30:00+02:00", index: 1, want: "2026-05-11T08:30:00+02:00", wantIndex: 2},
		{name: "EveryWeekdayTuesdayToWednesday", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", zone: "Europe/Berlin",
			due: "2026-05-12T08:30:00+02:00", index: 3, want: "2026-05-13T08:30:00+02:00", wantIndex: 4},
		{name: "MonthlyThe31stSkipsFebruary", rule: "FREQ=MONTHLY;BYMONTHDAY=31", zone: "Europe/Berlin",
			due: "2026-01-31T18:00:00+01:00", index: 1, want: "2026-03-31T18:00:00+02:00", wantIndex: 2},
		{name: "MonthlyThe31stSkipsApril", rule: "FREQ=MONTHLY;BYMONTHDAY=31", zone: "Europe/Berlin",
			due: "2026-03-31T18:00:00+02:00", index: 2, want: "2026-05-31T18:00:00+02:00", wantIndex: 3},
		{name: "MonthlyLastDay", rule: "FREQ=MONTHLY;BYMONTHDAY=-1", zone: "Europe/Berlin",
			due: "2026-01-31T18:00:00+01:00", index: 1, want: "2026-02-28T18:00:00+01:00", wantIndex: 2},
		{name: "MonthlyOnTwoDays", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15", zone: "Europe/Berlin",
			due: "2026-01-15T09:00:00+01:00", index: 2, want: "2026-02-01T09:00:00+01:00", wantIndex: 3},
		{name: "MonthlyOnADayAndTheLastDay", rule: "FREQ=MONTHLY;BYMONTHDAY=15,-1", zone: "Europe/Berlin",
			due: "2026-02-15T09:00:00+01:00", index: 3, want: "2026-02-28T09:00:00+01:00", wantIndex: 4},
		{name: "MonthlySecondAndFourthFriday", rule: "FREQ=MONTHLY;BYDAY=+2FR,+4FR", zone: "Europe/Berlin",
			due: "2026-03-13T09:00:00+01:00", index: 1, want: "2026-03-27T09:00:00+01:00", wantIndex: 2},
		// The last and the first business day, as quick add writes them (BYSETPOS among
		// Monday to Friday): 28 February and 1 March 2026 fall on a weekend.
		{name: "MonthlyLastWeekday", rule: "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", zone: "Europe/Berlin",
			due: "2026-01-30T17:00:00+01:00", index: 1, want: "2026-02-27T17:00:00+01:00", wantIndex: 2},
		{name: "MonthlyFirstWeekday", rule: "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO,TU,WE,TH,FR", zone: "Europe/Berlin",
			due: "2026-02-02T09:00:00+01:00", index: 1, want: "2026-03-02T09:00:00+01:00", wantIndex: 2},
		{name: "YearlyLeapDay", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", zone: "Europe/Berlin",
			due: "2028-02-29T08:00:00+01:00", index: 1, completed: "2028-02-29T10:00:00+01:00",
			want: "2032-02-29T08:00:00+01:00", wantIndex: 2},

		// 09:00 stays 09:00 across DST.
		{name: "SpringForwardNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-03-07T09:00:00-05:00", index: 1, want: "2026-03-08T09:00:00-04:00", wantIndex: 2},
		{name: "FallBackNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-10-31T09:00:00-04:00", index: 1, want: "2026-11-01T09:00:00-05:00", wantIndex: 2},
		{name: "SpringForwardBerlin", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-28T09:00:00+01:00", index: 1, want: "2026-03-29T09:00:00+02:00", wantIndex: 2},
		{name: "FallBackBerlin", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-10-24T09:00:00+02:00", index: 1, want: "2026-10-25T09:00:00+01:00", wantIndex: 2},

		// RFC 5545 3.3.5: a local time in a DST gap takes the offset before the gap, so
		// 02:30 on the spring-forward day is 03:30; the day after, 02:30 again.
		{name: "InTheGapNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-03-07T02:30:00-05:00", index: 1, want: "2026-03-08T03:30:00-04:00", wantIndex: 2},
		{name: "AfterTheGapNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-03-08T03:30:00-04:00", index: 2, previous: "2026-03-07T02:30:00-05:00",
			want: "2026-03-09T02:30:00-04:00", wantIndex: 3},
		{name: "AfterTheGapNewYorkWithoutHistory", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-03-08T03:30:00-04:00", index: 1, want: "2026-03-09T03:30:00-04:00", wantIndex: 2},
		{name: "InTheGapBerlin", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-28T02:30:00+01:00", index: 1, want: "2026-03-29T03:30:00+02:00", wantIndex: 2},
		{name: "AfterTheGapBerlin", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-29T03:30:00+02:00", index: 2, previous: "2026-03-28T02:30:00+01:00",
			want: "2026-03-30T02:30:00+02:00", wantIndex: 3},
		// A local time that the fall-back overlap repeats is the first of the two.
		{name: "InTheOverlapNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-10-31T01:30:00-04:00", index: 1, want: "2026-11-01T01:30:00-04:00", wantIndex: 2},
		{name: "AfterTheOverlapNewYork", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-11-01T01:30:00-04:00", index: 2, want: "2026-11-02T01:30:00-05:00", wantIndex: 3},
		{name: "InTheOverlapBerlin", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-10-24T02:30:00+02:00", index: 1, want: "2026-10-25T02:30:00+02:00", wantIndex: 2},

		// COUNT counts the whole series; UNTIL is the last moment an occurrence may have.
		{name: "CountBeforeTheLast", rule: "FREQ=DAILY;COUNT=3", zone: "Europe/Berlin",
			due: "2026-05-05T09:00:00+02:00", index: 2, want: "2026-05-06T09:00:00+02:00", wantIndex: 3},
		{name: "CountEnded", rule: "FREQ=DAILY;COUNT=3", zone: "Europe/Berlin",
			due: "2026-05-06T09:00:00+02:00", index: 3},
		{name: "UntilIncludesItsMoment", rule: "FREQ=WEEKLY;UNTIL=20260520T070000Z", zone: "Europe/Berlin",
			due: "2026-05-13T09:00:00+02:00", index: 1, want: "2026-05-20T09:00:00+02:00", wantIndex: 2},
		{name: "UntilEnded", rule: "FREQ=WEEKLY;UNTIL=20260520T070000Z", zone: "Europe/Berlin",
			due: "2026-05-20T09:00:00+02:00", index: 2},
		{name: "UntilJustBefore", rule: "FREQ=WEEKLY;UNTIL=20260520T065959Z", zone: "Europe/Berlin",
			due: "2026-05-13T09:00:00+02:00", index: 1},
		// UNTIL as a date is the whole of that day in the series' zone, as a local time
		// that wall-clock time there.
		{name: "UntilDateKeepsItsEvening", rule: "FREQ=DAILY;UNTIL=20261231", zone: "America/New_York",
			due: "2026-12-30T20:00:00-05:00", index: 1, want: "2026-12-31T20:00:00-05:00", wantIndex: 2},
		{name: "UntilDateEnded", rule: "FREQ=DAILY;UNTIL=20261231", zone: "America/New_York",
			due: "2026-12-31T20:00:00-05:00", index: 2},
		{name: "UntilDateEndsInTheZone", rule: "FREQ=DAILY;UNTIL=20261231", zone: "Pacific/Auckland",
			due: "2026-12-31T09:00:00+13:00", index: 2},
		{name: "UntilDateKeepsItsMorning", rule: "FREQ=DAILY;UNTIL=20261231", zone: "Pacific/Auckland",
			due: "2026-12-30T09:00:00+13:00", index: 1, want: "2026-12-31T09:00:00+13:00", wantIndex: 2},
		{name: "UntilLocalTime", rule: "FREQ=WEEKLY;UNTIL=20260520T090000", zone: "Europe/Berlin",
			due: "2026-05-13T09:00:00+02:00", index: 1, want: "2026-05-20T09:00:00+02:00", wantIndex: 2},
		{name: "UntilLocalTimeJustBefore", rule: "FREQ=WEEKLY;UNTIL=20260520T083000", zone: "Europe/Berlin",
			due: "2026-05-13T09:00:00+02:00", index: 1},
		{name: "NoOccurrenceEver", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", zone: "Europe/Berlin",
			due: "2026-01-30T09:00:00+01:00", index: 1},
		{name: "NoOccurrenceEverDaily", rule: "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", zone: "Europe/Berlin",
			due: "2026-01-30T09:00:00+01:00", index: 1},
		{name: "Easter", rule: "FREQ=YEARLY;BYEASTER=0", zone: "Europe/Berlin",
			due: "2026-04-05T10:00:00+02:00", index: 1, want: "2027-03-28T10:00:00+02:00", wantIndex: 2},
		{name: "FarFuture", rule: "FREQ=YEARLY", zone: "Europe/Berlin",
			due: "9997-06-01T10:00:00+02:00", index: 1, want: "9998-06-01T10:00:00+02:00", wantIndex: 2},

		// From the completion: the completion's local date at the series' time of day.
		{name: "FromCompletionLate", rule: "FREQ=DAILY;INTERVAL=3", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 1, fromDone: true, completed: "2026-05-06T18:00:00+02:00",
			want: "2026-05-09T09:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionEarly", rule: "FREQ=WEEKLY", zone: "Europe/Berlin",
			due: "2026-05-08T09:00:00+02:00", index: 1, fromDone: true, completed: "2026-05-06T07:00:00+02:00",
			want: "2026-05-13T09:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionLocalDate", rule: "FREQ=DAILY", zone: "America/New_York",
			due: "2026-05-04T09:00:00-04:00", index: 1, fromDone: true, completed: "2026-05-06T23:30:00-04:00",
			want: "2026-05-07T09:00:00-04:00", wantIndex: 2},
		// A plain hourly rule steps elapsed hours, on the nights the clocks change too
		// (until 2026-12-06 wall-clock hours: the repeated hour skipped, every 3 hours
		// across the gap 2 hours, every 8 hours across the overlap 9).
		{name: "HourlyAcrossFallBack", rule: "FREQ=HOURLY", zone: "America/New_York",
			due: "2027-11-07T01:00:00-04:00", index: 1, want: "2027-11-07T01:00:00-05:00", wantIndex: 2},
		{name: "Every3HoursAcrossSpringForward", rule: "FREQ=HOURLY;INTERVAL=3", zone: "America/New_York",
			due: "2027-03-14T00:00:00-05:00", index: 1, want: "2027-03-14T04:00:00-04:00", wantIndex: 2},
		{name: "Every8HoursAcrossFallBack", rule: "FREQ=HOURLY;INTERVAL=8", zone: "America/New_York",
			due: "2027-11-06T20:00:00-04:00", index: 1, want: "2027-11-07T03:00:00-05:00", wantIndex: 2},
		{name: "Every8HoursOverdueCountsTheSteps", rule: "FREQ=HOURLY;INTERVAL=8;COUNT=5", zone: "Europe/Berlin",
			due: "2026-05-04T08:00:00+02:00", index: 1, now: "2026-05-05T09:00:00+02:00", want: "2026-05-05T16:00:00+02:00", wantIndex: 5},
		{name: "Every8HoursOverdueEnded", rule: "FREQ=HOURLY;INTERVAL=8;COUNT=4", zone: "Europe/Berlin",
			due: "2026-05-04T08:00:00+02:00", index: 1, now: "2026-05-05T09:00:00+02:00", want: ""},
		// Never before the completion, nor the occurrence just completed again.
		{name: "FromCompletionHourly", rule: "FREQ=HOURLY;INTERVAL=2", zone: "America/New_York",
			due: "2026-12-01T09:00:00-05:00", index: 1, fromDone: true, completed: "2026-12-01T22:10:37-05:00",
			want: "2026-12-02T00:10:00-05:00", wantIndex: 2},
		{name: "FromCompletionByHourLaterThatDay", rule: "FREQ=DAILY;BYHOUR=9,17", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 1, fromDone: true, completed: "2026-05-04T18:00:00+02:00",
			want: "2026-05-05T09:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionByHourSameDay", rule: "FREQ=DAILY;BYHOUR=9,17", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 1, fromDone: true, completed: "2026-05-04T12:00:00+02:00",
			want: "2026-05-04T17:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionEarlyByDayNotTheSameAgain", rule: "FREQ=WEEKLY;BYDAY=MO", zone: "Europe/Berlin",
			due: "2026-05-11T09:00:00+02:00", index: 1, fromDone: true, completed: "2026-05-09T10:00:00+02:00",
			want: "2026-05-18T09:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionCountEnded", rule: "FREQ=DAILY;COUNT=2", zone: "Europe/Berlin",
			due: "2026-05-04T09:00:00+02:00", index: 2, fromDone: true, completed: "2026-05-10T18:00:00+02:00"},
		// Whole months from the completion: the same day of the month, or the last day of a
		// shorter month; never a month skipped.
		{name: "FromCompletionMonthlyOn31st", rule: "FREQ=MONTHLY", zone: "Europe/Berlin",
			due: "2027-01-25T09:00:00+01:00", index: 1, fromDone: true, completed: "2027-01-31T18:00:00+01:00",
			want: "2027-02-28T09:00:00+01:00", wantIndex: 2},
		{name: "FromCompletionMonthlyOn30thLeapYear", rule: "FREQ=MONTHLY", zone: "Europe/Berlin",
			due: "2028-01-25T09:00:00+01:00", index: 1, fromDone: true, completed: "2028-01-30T18:00:00+01:00",
			want: "2028-02-29T09:00:00+01:00", wantIndex: 2},
		{name: "FromCompletionMonthlyOn15th", rule: "FREQ=MONTHLY;INTERVAL=2", zone: "America/New_York",
			due: "2026-12-10T09:00:00-05:00", index: 1, fromDone: true, completed: "2026-12-15T08:00:00-05:00",
			want: "2027-02-15T09:00:00-05:00", wantIndex: 2},
		{name: "FromCompletionMonthlyAcrossDST", rule: "FREQ=MONTHLY", zone: "Europe/Berlin",
			due: "2027-03-01T09:00:00+01:00", index: 1, fromDone: true, completed: "2027-03-03T10:00:00+01:00",
			want: "2027-04-03T09:00:00+02:00", wantIndex: 2},
		{name: "FromCompletionYearlyOnLeapDay", rule: "FREQ=YEARLY", zone: "Europe/Berlin",
			due: "2028-02-20T09:00:00+01:00", index: 1, fromDone: true, completed: "2028-02-29T12:00:00+01:00",
			want: "2029-02-28T09:00:00+01:00", wantIndex: 2},
		{name: "FromCompletionMonthlyCountEnded", rule: "FREQ=MONTHLY;COUNT=2", zone: "Europe/Berlin",
			due: "2027-01-25T09:00:00+01:00", index: 2, fromDone: true, completed: "2027-01-31T18:00:00+01:00"},
		{name: "FromCompletionMonthlyUntilPassed", rule: "FREQ=MONTHLY;UNTIL=20270220", zone: "Europe/Berlin",
			due: "2027-01-25T09:00:00+01:00", index: 1, fromDone: true, completed: "2027-01-31T18:00:00+01:00"},
		{name: "FromCompletionMonthlyByDayKeepsTheRule", rule: "FREQ=MONTHLY;BYMONTHDAY=31", zone: "Europe/Berlin",
			due: "2027-01-25T09:00:00+01:00", index: 1, fromDone: true, completed: "2027-01-31T18:00:00+01:00",
			want: "2027-03-31T09:00:00+02:00", wantIndex: 2},

		// Completed long after its due date, from the schedule: the first occurrence not
		// in the past; the ones that passed count as members of the series.
		{name: "LongAfterDue", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-01T09:00:00+01:00", index: 1, completed: "2026-03-20T15:00:00+01:00",
			want: "2026-03-21T09:00:00+01:00", wantIndex: 21},
		{name: "LongAfterDueTodayStillAhead", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-01T09:00:00+01:00", index: 1, completed: "2026-03-20T08:00:00+01:00",
			want: "2026-03-20T09:00:00+01:00", wantIndex: 20},
		{name: "LongAfterDueWeekly", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR", zone: "Europe/Berlin",
			due: "2026-01-05T09:00:00+01:00", index: 1, completed: "2026-05-07T12:00:00+02:00",
			want: "2026-05-08T09:00:00+02:00", wantIndex: 54},
		{name: "LongAfterDueCountRanOut", rule: "FREQ=DAILY;COUNT=10", zone: "Europe/Berlin",
			due: "2026-03-01T09:00:00+01:00", index: 1, completed: "2026-03-20T15:00:00+01:00"},
		{name: "LongAfterDueUntilPassed", rule: "FREQ=DAILY;UNTIL=20260310T235959Z", zone: "Europe/Berlin",
			due: "2026-03-01T09:00:00+01:00", index: 1, completed: "2026-03-20T15:00:00+01:00"},
		{name: "CompletedLateButNowEarlier", rule: "FREQ=DAILY", zone: "Europe/Berlin",
			due: "2026-03-01T09:00:00+01:00", index: 1, completed: "2026-03-20T15:00:00+01:00", now: "2026-03-01T10:00:00+01:00",
			want: "2026-03-02T09:00:00+01:00", wantIndex: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := recur.Series{
				Rule:           tt.rule,
				TimeZone:       tt.zone,
				Due:            mustTime(t, tt.due),
				Index:          tt.index,
				FromCompletion: tt.fromDone,
				CompletedAt:    mustTime(t, tt.due),
			}
			if tt.completed != "" {
				s.CompletedAt = mustTime(t, tt.completed)
			}
			s.Now = s.CompletedAt
			if tt.now != "" {
				s.Now = mustTime(t, tt.now)
			}
			if tt.previous != "" {
				s.Previous = mustTime(t, tt.previous)
			}

			got, ok, err := recur.Next(s)
			require.NoError(t, err)
			if tt.want == "" {
				assert.False(t, ok, "got next %s (index %d), want the series ended", got.At.Format(time.RFC3339), got.Index)
				return
			}
			require.True(t, ok, "got the series ended, want next %s", tt.want)
			assert.Equal(t, tt.want, got.At.Format(time.RFC3339), "got next %s, want %s", got.At.Format(time.RFC3339), tt.want)
			assert.Equal(t, tt.zone, got.At.Location().String(), "got the next occurrence in %s, want %s", got.At.Location(), tt.zone)
			assert.Equal(t, tt.wantIndex, got.Index, "got index %d, want %d", got.Index, tt.wantIndex)
		})
	}
}

func TestNext_Err(t *testing.T) {
	due := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		s    recur.Series
		why  string
	}{
		{"BadRule", recur.Series{Rule: "FREQ=SOMETIMES", Due: due, Index: 1, Now: due}, "undefined frequency"},
		{"BadZone", recur.Series{Rule: "FREQ=DAILY", TimeZone: "Mars/Olympus_Mons", Due: due, Index: 1, Now: due}, "Mars/Olympus_Mons"},
		{"NoIndex", recur.Series{Rule: "FREQ=DAILY", Due: due, Now: due}, "index must be positive"},
		{"NoDue", recur.Series{Rule: "FREQ=DAILY", Index: 1, Now: due}, "needs a due time"},
		{"FromCompletionWithoutIt", recur.Series{Rule: "FREQ=DAILY", Due: due, Index: 1, FromCompletion: true, Now: due}, "completion time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := recur.Next(tt.s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.why)
			assert.False(t, ok)
		})
	}

	t.Run("TooManySteps", func(t *testing.T) {
		// Twenty years of hours lie between the due time and now.
		s := recur.Series{Rule: "FREQ=HOURLY", Due: due, Index: 1, Now: due.AddDate(20, 0, 0)}
		_, ok, err := recur.Next(s)
		require.ErrorIs(t, err, recur.ErrTooManySteps)
		assert.False(t, ok)
	})
}

func TestNext_UTCWithoutZone(t *testing.T) {
	due := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	got, ok, err := recur.Next(recur.Series{Rule: "FREQ=DAILY", Due: due, Index: 1, Now: due})
	require.NoError(t, err)
	require.True(t, ok)
	want := due.AddDate(0, 0, 1)
	assert.True(t, want.Equal(got.At), "got %v, want %v", got.At, want)
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	at, err := time.Parse(time.RFC3339, s)
	require.NoError(tb, err)
	return at
}
