package recur_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/teambition/rrule-go"

	"github.com/taskwire/taskwire/shared/recur"
)

func TestForCalendar(t *testing.T) {
	for _, tt := range []struct {
		name  string
		rule  string
		zone  string
		index int
		want  string // "" when no rule can say it
		days  bool   // ForCalendarDays, an all-day task's
	}{
		{name: "WithoutEnd", rule: "FREQ=WEEKLY;BYDAY=MO,WE", zone: "Europe/Berlin", index: 7, want: "FREQ=WEEKLY;BYDAY=MO,WE"},
		{name: "CountLessTheOccurrencesBefore", rule: "FREQ=DAILY;COUNT=5", zone: "Europe/Berlin", index: 3, want: "FREQ=DAILY;COUNT=3"},
		{name: "CountFromTheFirst", rule: "FREQ=DAILY;COUNT=5", zone: "Europe/Berlin", index: 1, want: "FREQ=DAILY;COUNT=5"},
		{name: "CountAtTheLast", rule: "FREQ=DAILY;COUNT=5", zone: "Europe/Berlin", index: 5, want: ""},
		{name: "UntilUTCStays", rule: "FREQ=DAILY;UNTIL=20261231T080000Z", zone: "Europe/Berlin", index: 2,
			want: "FREQ=DAILY;UNTIL=20261231T080000Z"},
		// A date is the end of that day in the task's zone; a local time is that time there.
		{name: "UntilDateIsTheEndOfThatDay", rule: "FREQ=DAILY;UNTIL=20261231", zone: "Europe/Berlin", index: 2,
			want: "FREQ=DAILY;UNTIL=20261231T225959Z"},
		{name: "UntilLocalTime", rule: "FREQ=DAILY;UNTIL=20260701T090000", zone: "America/New_York", index: 2,
			want: "FREQ=DAILY;UNTIL=20260701T130000Z"},
		{name: "Easter", rule: "FREQ=YEARLY;BYEASTER=0", zone: "Europe/Berlin", index: 1, want: ""},
		{days: true, name: "DaysWithoutEnd", rule: "FREQ=WEEKLY;BYDAY=MO,WE", zone: "Europe/Berlin", index: 7, want: "FREQ=WEEKLY;BYDAY=MO,WE"},
		{days: true, name: "DaysCountLessTheOccurrencesBefore", rule: "FREQ=DAILY;COUNT=5", zone: "Europe/Berlin", index: 3, want: "FREQ=DAILY;COUNT=3"},
		{days: true, name: "DaysCountAtTheLast", rule: "FREQ=DAILY;COUNT=5", zone: "Europe/Berlin", index: 5, want: ""},
		// RFC 5545: with a DATE start, UNTIL is a DATE. A date stays that date in any zone.
		{days: true, name: "DaysUntilDateStays", rule: "FREQ=DAILY;UNTIL=20261231", zone: "Pacific/Kiritimati", index: 2,
			want: "FREQ=DAILY;UNTIL=20261231"},
		{days: true, name: "DaysUntilDateWithInterval", rule: "FREQ=MONTHLY;INTERVAL=2;UNTIL=20271231;BYMONTHDAY=1", zone: "America/New_York", index: 1,
			want: "FREQ=MONTHLY;INTERVAL=2;UNTIL=20271231;BYMONTHDAY=1"},
		// A local time or a UTC time is the day it falls on in the task's zone.
		{days: true, name: "DaysUntilLocalTime", rule: "FREQ=DAILY;UNTIL=20260701T235959", zone: "America/New_York", index: 2,
			want: "FREQ=DAILY;UNTIL=20260701"},
		{days: true, name: "DaysUntilUTCLaterInTheZone", rule: "FREQ=DAILY;UNTIL=20261230T230000Z", zone: "Europe/Berlin", index: 2,
			want: "FREQ=DAILY;UNTIL=20261231"},
		{days: true, name: "DaysUntilUTCEarlierInTheZone", rule: "FREQ=DAILY;UNTIL=20270101T045959Z", zone: "America/New_York", index: 2,
			want: "FREQ=DAILY;UNTIL=20261231"},
		{days: true, name: "DaysUntilUTCInUTC", rule: "FREQ=WEEKLY;UNTIL=20261231T080000Z", zone: "UTC", index: 1,
			want: "FREQ=WEEKLY;UNTIL=20261231"},
		{days: true, name: "DaysEaster", rule: "FREQ=YEARLY;BYEASTER=0", zone: "Europe/Berlin", index: 1, want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			forCalendar := recur.ForCalendar
			if tt.days {
				forCalendar = recur.ForCalendarDays
			}
			got, ok := forCalendar(tt.rule, loc, tt.index)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestForCalendarAgreesWithNext reads each rule as a calendar app would, from an open
// occurrence on (RFC 5545: DTSTART's wall clock in its zone, the rule on wall-clock
// time), and checks that it names the occurrences the series will have, in order.
func TestForCalendarAgreesWithNext(t *testing.T) {
	for _, tt := range []struct {
		rule, zone, due string
		index           int
	}{
		{"FREQ=DAILY;COUNT=10", "America/New_York", "2026-03-05T09:00:00-05:00", 4},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261120", "Europe/Berlin", "2026-10-19T07:30:00+02:00", 1},
		{"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12", "Europe/Berlin", "2026-01-31T18:00:00+01:00", 2},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "Australia/Sydney", "2028-02-29T08:00:00+11:00", 1},
		{"FREQ=DAILY", "Europe/London", "2026-10-20T01:30:00+01:00", 1},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			due, err := time.Parse(time.RFC3339, tt.due)
			require.NoError(t, err)

			// The series, as completing each occurrence on time makes it.
			var want []time.Time
			s := recur.Series{Rule: tt.rule, TimeZone: tt.zone, Due: due, Index: tt.index}
			for len(want) < 40 {
				s.Now = s.Due
				occ, ok, err := recur.Next(s)
				require.NoError(t, err)
				if !ok {
					break
				}
				want = append(want, occ.At.UTC())
				s.Previous, s.Due, s.Index = s.Due, occ.At, occ.Index
			}

			rule, ok := recur.ForCalendar(tt.rule, loc, tt.index)
			require.True(t, ok)
			opt, err := rrule.StrToROption(rule)
			require.NoError(t, err)
			wall := due.In(loc)
			opt.Dtstart = time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC)
			if !opt.Until.IsZero() {
				// UNTIL is an instant; on floating wall-clock times it stands for the
				// last wall-clock time it admits in the zone.
				u := opt.Until.In(loc)
				opt.Until = time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.UTC)
			}
			r, err := rrule.NewRRule(*opt)
			require.NoError(t, err)
			var got []time.Time
			next := r.Iterator()
			next() // DTSTART: the open occurrence itself
			for len(got) < 40 {
				w, ok := next()
				if !ok {
					break
				}
				got = append(got, recur.Resolve(w, loc).UTC())
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestForCalendarDaysAgreesWithNext reads each rule as a calendar app reads that of an
// all-day event, from an open occurrence on (RFC 5545: DTSTART and UNTIL dates, the rule
// on days), and checks that it names the days the series of days will have, in order.
// The series is run as the task service runs an all-day task's: on its days at midnight
// in UTC.
func TestForCalendarDaysAgreesWithNext(t *testing.T) {
	for _, tt := range []struct {
		rule, zone, day string
		index           int
	}{
		{"FREQ=DAILY;COUNT=10", "America/New_York", "2026-03-05", 4},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261120", "Europe/Berlin", "2026-10-19", 1},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261120T120000", "Asia/Tokyo", "2026-10-19", 1},
		{"FREQ=DAILY;UNTIL=20261231T080000Z", "Europe/Berlin", "2026-12-20", 2},
		{"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12", "Europe/Berlin", "2026-01-31", 2},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "Australia/Sydney", "2028-02-29", 1},
		{"FREQ=DAILY", "Europe/London", "2026-10-20", 1},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			day, err := time.Parse("2006-01-02", tt.day)
			require.NoError(t, err)

			// The series of days, as completing each occurrence on its day makes it.
			var want []time.Time
			s := recur.Series{Rule: tt.rule, Due: day, Index: tt.index}
			for len(want) < 40 {
				s.Now = s.Due
				occ, ok, err := recur.Next(s)
				require.NoError(t, err)
				if !ok {
					break
				}
				want = append(want, occ.At.UTC())
				s.Previous, s.Due, s.Index = s.Due, occ.At, occ.Index
			}

			rule, ok := recur.ForCalendarDays(tt.rule, loc, tt.index)
			require.True(t, ok)
			opt, err := rrule.StrToROption(rule) // a DATE UNTIL is its midnight: the whole day
			require.NoError(t, err)
			opt.Dtstart = day
			r, err := rrule.NewRRule(*opt)
			require.NoError(t, err)
			var got []time.Time
			next := r.Iterator()
			next() // DTSTART: the open occurrence itself
			for len(got) < 40 {
				d, ok := next()
				if !ok {
					break
				}
				got = append(got, d.UTC())
			}
			assert.Equal(t, want, got)
		})
	}
}
