package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Stats returns what the signed-in user got done at now, by the days of their time zone:
// the last days days, their daily goal and streaks, and how many tasks are open and
// overdue, in one round trip. A task counts on the day it was last completed while it
// stays completed; a reopened or deleted one counts no more. Days are those of the zone
// the user has now, for the past too.
func (s *UserService) Stats(ctx context.Context, days int, now time.Time) (*taskwire.Stats, error) {
	var (
		tz            string
		goal          int
		open, overdue int
		dates         []string
		counts        []int
	)
	err := readUser(ctx, s.db, `
		SELECT u.time_zone, u.daily_goal,
			(SELECT count(*) FROM tasks t WHERE t.user_id = u.id AND t.status = 'open'),
			(SELECT count(*) FROM tasks t WHERE t.user_id = u.id AND t.status = 'open' AND t.due_at < $2),
			coalesce(array_agg(to_char(d.day, 'YYYY-MM-DD') ORDER BY d.day) FILTER (WHERE d.day IS NOT NULL), '{}'),
			coalesce(array_agg(d.n ORDER BY d.day) FILTER (WHERE d.day IS NOT NULL), '{}')
		FROM users u
		LEFT JOIN LATERAL (
			SELECT (t.completed_at AT TIME ZONE u.time_zone)::date AS day, count(*) AS n
			FROM tasks t
			WHERE t.user_id = u.id AND t.status = 'completed'
			GROUP BY 1) d ON true
		WHERE u.id = $1
		GROUP BY u.id`, []any{taskwire.UserFromContext(ctx), now}, func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return taskwire.Errorf(taskwire.ENOTFOUND, "no such user")
		}
		return rows.Scan(&tz, &goal, &open, &overdue, &dates, &counts)
	})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", translate(err))
	}
	history := make([]taskwire.DayCount, len(dates))
	for i, d := range dates {
		history[i] = taskwire.DayCount{Date: d, Completed: counts[i]}
	}
	st := taskwire.NewStats(now, tz, goal, days, history)
	st.Open, st.Overdue = open, overdue
	return st, nil
}
