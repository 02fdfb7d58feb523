package taskwire

import (
	"strconv"
	"time"
)

// Bounds of a user's daily goal and of the days the statistics show.
const (
	DefaultDailyGoal = 5   // tasks a day, as Todoist's default
	MaxDailyGoal     = 100 // tasks a day
	DefaultStatsDays = 7
	MaxStatsDays     = 90
)

// DayCount is how many tasks a user completed on one day of their time zone.
type DayCount struct {
	Date      string `json:"date"` // DateLayout
	Completed int    `json:"completed"`
}

// Streak is how many days in a row a user met their daily goal.
type Streak struct {
	// Current is the run that ends today, or yesterday while today's goal is not met yet:
	// a day breaks a streak only once it is over.
	Current int `json:"current"`
	Longest int `json:"longest"` // the longest run ever, the current one included
}

// Stats is what a user got done, by the days of their time zone: GET /v1/stats.
type Stats struct {
	TimeZone  string     `json:"time_zone"`
	Today     string     `json:"today"` // DateLayout, in TimeZone
	DailyGoal int        `json:"daily_goal"`
	Days      []DayCount `json:"days"`      // the last days, oldest first, today last
	Completed int        `json:"completed"` // in Days
	Streak    Streak     `json:"streak"`
	Open      int        `json:"open"`    // open tasks now
	Overdue   int        `json:"overdue"` // of them, those past their due time
}

// ParseStatsDays reads the days parameter of GET /v1/stats: 1 to MaxStatsDays, default
// DefaultStatsDays when empty.
func ParseStatsDays(s string) (int, error) {
	if s == "" {
		return DefaultStatsDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, FieldErrorf(EMALFORMED, "days", "days must be a whole number from 1 to %d, got %q", MaxStatsDays, s)
	}
	return n, ValidStatsDays(n)
}

// ValidStatsDays checks how many days the statistics show: 1 to MaxStatsDays.
func ValidStatsDays(n int) error {
	if n < 1 || n > MaxStatsDays {
		return FieldErrorf(EMALFORMED, "days", "days must be a whole number from 1 to %d, got %d", MaxStatsDays, n)
	}
	return nil
}

// NewStats makes a user's statistics at now in their zone tz of the last days days,
// from history: every day on which they completed a task, with how many, in any order.
// Days without any count as none; a streak is of days in a row with goal or more.
func NewStats(now time.Time, tz string, goal, days int, history []DayCount) *Stats {
	today := DayOf(now, LoadZone(tz))
	done := make(map[string]int, len(history))
	for _, d := range history {
		done[d.Date] += d.Completed
	}
	s := &Stats{TimeZone: tz, Today: today.Format(DateLayout), DailyGoal: goal, Days: make([]DayCount, days)}
	for i := range days {
		date := today.AddDate(0, 0, i-days+1).Format(DateLayout)
		s.Days[i] = DayCount{Date: date, Completed: done[date]}
		s.Completed += done[date]
	}
	s.Streak = streaks(today, goal, done)
	return s
}

// streaks returns the streaks at today of the days in done that met goal.
func streaks(today time.Time, goal int, done map[string]int) Streak {
	met := func(day time.Time) bool { return done[day.Format(DateLayout)] >= goal }
	var s Streak
	// Each run is counted from its first day, the day before which did not meet the goal.
	for date, n := range done {
		day, err := time.Parse(DateLayout, date)
		if err != nil || n < goal || met(day.AddDate(0, 0, -1)) || day.After(today) {
			continue
		}
		run := 1
		for met(day.AddDate(0, 0, run)) && !day.AddDate(0, 0, run).After(today) {
			run++
		}
		s.Longest = max(s.Longest, run)
		if last := day.AddDate(0, 0, run-1); last.Equal(today) || last.Equal(today.AddDate(0, 0, -1)) {
			s.Current = run
		}
	}
	return s
}

// ValidDailyGoal checks a daily goal: 1 to MaxDailyGoal tasks.
func ValidDailyGoal(field string, n int) error {
	if n < 1 || n > MaxDailyGoal {
		return FieldErrorf(EINVALID, field, "%s must be from 1 to %d tasks a day, got %d", field, MaxDailyGoal, n)
	}
	return nil
}
