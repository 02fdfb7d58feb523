package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// CalendarService stores each user's calendar feed and reads what the feed shows: the
// open tasks that have a due time.
type CalendarService struct {
	db *DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewCalendarService returns a CalendarService on db.
func NewCalendarService(db *DB) *CalendarService {
	return &CalendarService{db: db, Now: time.Now}
}

// CalendarFeed returns the signed-in user's feed, or ENOTFOUND when they have none.
func (s *CalendarService) CalendarFeed(ctx context.Context) (*taskwire.CalendarFeed, error) {
	var feed *taskwire.CalendarFeed
	err := readUser(ctx, s.db, `SELECT token, created_at FROM calendar_feeds WHERE user_id = $1`,
		[]any{taskwire.UserFromContext(ctx)}, func(rows pgx.Rows) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return err
				}
				return taskwire.Errorf(taskwire.ENOTFOUND, "no calendar feed; POST /v1/calendar-feed creates one")
			}
			feed = &taskwire.CalendarFeed{}
			if err := rows.Scan(&feed.Token, &feed.CreatedAt); err != nil {
				return err
			}
			feed.CreatedAt = feed.CreatedAt.UTC()
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find calendar feed: %w", translate(err))
	}
	return feed, nil
}

// CreateCalendarFeed gives the signed-in user a feed with a new token, replacing the one
// they had: its address stops working.
func (s *CalendarService) CreateCalendarFeed(ctx context.Context) (*taskwire.CalendarFeed, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	feed := &taskwire.CalendarFeed{Token: taskwire.NewCalendarToken(), CreatedAt: s.Now().UTC().Truncate(time.Microsecond)}
	b.Queue(`
		INSERT INTO calendar_feeds (user_id, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at`,
		tx.user, feed.Token, feed.CreatedAt)
	if err := tx.commit(ctx, b); err != nil {
		return nil, fmt.Errorf("create calendar feed: %w", err)
	}
	return feed, nil
}

// DeleteCalendarFeed turns the signed-in user's feed off, if they have one: its address
// stops working.
func (s *CalendarService) DeleteCalendarFeed(ctx context.Context) error {
	if _, err := execUser(ctx, s.db, `DELETE FROM calendar_feeds WHERE user_id = $1`, taskwire.UserFromContext(ctx)); err != nil {
		return fmt.Errorf("delete calendar feed: %w", err)
	}
	return nil
}

// CalendarOwner returns the user whose feed has token, or ENOTFOUND, and the position of
// the user's latest task event (0 for none): every change of what the feed shows writes one
// (task changes, completions and next occurrences, deletions, restores, imports), and
// positions only grow, so the feed is as it was while the position is. A reminder that
// fires, or a daily summary, writes an event too (from the reminders source), which the
// position passes over: the feed's alarms are the reminders as set, whether fired or not. It reads as the connecting role, for a request
// that has no signed-in user: the token is its credential.
func (s *CalendarService) CalendarOwner(ctx context.Context, token string) (user string, seq int64, err error) {
	if !taskwire.ValidCalendarToken(token) {
		return "", 0, taskwire.Errorf(taskwire.ENOTFOUND, "no such calendar feed")
	}
	b := &pgx.Batch{}
	b.Queue(`
		SELECT f.user_id, coalesce((SELECT o.seq FROM outbox o WHERE o.user_id = f.user_id AND o.source = $2
			ORDER BY o.seq DESC LIMIT 1), 0)
		FROM calendar_feeds f WHERE f.token = $1`, token, events.SourceTasks).QueryRow(func(row pgx.Row) error {
		return row.Scan(&user, &seq)
	})
	err = s.db.sendBatch(ctx, b).Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, taskwire.Errorf(taskwire.ENOTFOUND, "no such calendar feed")
	}
	if err != nil {
		return "", 0, fmt.Errorf("find calendar feed: %w", translate(err))
	}
	return user, seq, nil
}

// CalendarZones returns the time zones of the signed-in user's open tasks that have a
// due time, each with the earliest due time in it: what the feed's VTIMEZONEs must cover.
func (s *CalendarService) CalendarZones(ctx context.Context) (map[string]time.Time, error) {
	zones := map[string]time.Time{}
	err := readUser(ctx, s.db, `
		SELECT time_zone, min(due_at) FROM tasks
		WHERE user_id = $1 AND status = 'open' AND due_at IS NOT NULL
		GROUP BY time_zone`,
		[]any{taskwire.UserFromContext(ctx)}, func(rows pgx.Rows) error {
			for rows.Next() {
				var zone string
				var first time.Time
				if err := rows.Scan(&zone, &first); err != nil {
					return err
				}
				zones[zone] = first.UTC()
			}
			return rows.Err()
		})
	if err != nil {
		return nil, fmt.Errorf("find calendar zones: %w", translate(err))
	}
	return zones, nil
}

// SeriesIndex returns the 1-based place of the signed-in user's task id in its series,
// which a rule's COUNT counts from the series' first occurrence; ENOTFOUND for a task the
// user does not have.
func (s *TaskService) SeriesIndex(ctx context.Context, id uuid.UUID) (int, error) {
	index := 0
	err := readUser(ctx, s.db, `SELECT series_index FROM tasks WHERE user_id = $1 AND id = $2`,
		[]any{taskwire.UserFromContext(ctx), id}, func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&index); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	if err == nil && index == 0 {
		err = taskwire.Errorf(taskwire.ENOTFOUND, "no task %s", id)
	}
	if err != nil {
		return 0, fmt.Errorf("find series index: %w", translate(err))
	}
	return index, nil
}

// CalendarTasks returns up to limit of the signed-in user's open tasks that have a due
// time, in order of due time (ties by id), after the task after when it is set, each with
// its place in its series.
func (s *CalendarService) CalendarTasks(ctx context.Context, after *taskwire.Task, limit int) ([]taskwire.SeriesTask, error) {
	args := []any{taskwire.UserFromContext(ctx), limit}
	keyset := ""
	if after != nil && after.DueAt != nil {
		keyset = ` AND (t.due_at, t.id) > ($3, $4)`
		args = append(args, *after.DueAt, after.ID)
	}
	query := `SELECT ` + taskColumns + `, t.series_index FROM tasks t
		WHERE t.user_id = $1 AND t.status = 'open' AND t.due_at IS NOT NULL` + keyset + `
		ORDER BY t.due_at, t.id LIMIT $2`
	tasks := make([]taskwire.SeriesTask, 0, limit)
	err := readUser(ctx, s.db, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			var index int
			t, err := scanTask(rows, &index)
			if err != nil {
				return err
			}
			tasks = append(tasks, taskwire.SeriesTask{Task: t, Index: index})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find calendar tasks: %w", translate(err))
	}
	return tasks, nil
}
