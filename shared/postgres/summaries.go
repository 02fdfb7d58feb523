package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// summaryBatch is how many users one transaction sends daily summaries to.
const summaryBatch = 100

// SendSummaries sends the daily summaries that are due, a transaction for up to a hundred
// users at a time until none is left, and returns how many it sent. For each user whose
// summary time has come it writes a summary.due event of the day it is in the user's zone,
// listing their open tasks due that day and those overdue (none when nothing is: a day
// with nothing to do sends nothing), and moves the summary to its time on the next day.
// One a day: the event's id is the user's and the day's, so a user who moves the time
// after the day's summary went gets no second one. A summary late by more than a day
// (nothing woke the function meanwhile) is of the day it is sent on, once. Concurrent
// senders never take the same user.
func (s *ReminderService) SendSummaries(ctx context.Context) (int, error) {
	sent := 0
	for {
		n, users, err := s.sendSummaries(ctx)
		sent += n
		if err != nil {
			return sent, fmt.Errorf("send daily summaries: %w", err)
		}
		if users < summaryBatch {
			return sent, nil
		}
	}
}

// summaryUser is a user whose daily summary is due, as sendSummaries reads and settles it.
type summaryUser struct {
	id, timeZone, at string
	day              time.Time // the day it is in the user's zone, midnight in UTC
	start, end       time.Time // the instants the day begins and ends there
	next             time.Time // when the next summary is due
	data             events.SummaryData
}

// sendSummaries sends the summaries of up to summaryBatch users, in three round trips:
// BEGIN and the users locked, their tasks, then the events, the next times and COMMIT. It
// returns how many it sent and how many users it took.
func (s *ReminderService) sendSummaries(ctx context.Context) (sent, taken int, err error) {
	tx, b, err := beginSystemTx(ctx, s.db)
	if err != nil {
		return 0, 0, err
	}
	defer tx.close(ctx)
	now := s.now()
	b.Queue(customPlanSQL)
	b.Queue(`
		SELECT id, time_zone, to_char(summary_at, 'HH24:MI') FROM users
		WHERE summary_next <= $1
		ORDER BY summary_next
		LIMIT $2
		FOR UPDATE SKIP LOCKED`, now, summaryBatch)
	br, err := tx.send(ctx, b)
	if err != nil {
		return 0, 0, err
	}
	var users []*summaryUser
	if _, err = br.Exec(); err == nil {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			var u summaryUser
			_, err = pgx.ForEachRow(rows, []any{&u.id, &u.timeZone, &u.at}, func() error {
				users = append(users, settleSummary(u, now))
				return nil
			})
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil || len(users) == 0 {
		return 0, len(users), translate(err)
	}

	byID := make(map[string]*summaryUser, len(users))
	ids := make([]string, len(users))
	days := make([]time.Time, len(users))
	starts := make([]time.Time, len(users))
	ends := make([]time.Time, len(users))
	for i, u := range users {
		byID[u.id] = u
		ids[i], days[i], starts[i], ends[i] = u.id, u.day, u.start, u.end
	}
	// Each user's tasks due by the end of the day: an all-day task by its day, one due at
	// a time by its instant. The bound on due_at lets the index serve both, an all-day
	// task ending its day in a zone up to 26 hours from the user's.
	b = &pgx.Batch{}
	b.Queue(`
		SELECT u.user_id, t.id, t.number, t.title, t.priority, t.due_at, to_char(t.due_date, 'YYYY-MM-DD'),
			t.time_zone, t.overdue, t.total, t.overdue_total
		FROM unnest($1::text[], $2::date[], $3::timestamptz[], $4::timestamptz[]) AS u (user_id, day, day_start, day_end)
		CROSS JOIN LATERAL (
			SELECT t.id, t.number, t.title, t.priority, t.due_at, t.due_date, t.time_zone,
				coalesce(t.due_date < u.day, t.due_at < u.day_start) AS overdue, count(*) OVER () AS total,
				count(*) FILTER (WHERE coalesce(t.due_date < u.day, t.due_at < u.day_start)) OVER () AS overdue_total
			FROM tasks t
			WHERE t.user_id = u.user_id AND t.status = 'open' AND t.due_at < u.day_end + interval '2 days'
				AND coalesce(t.due_date <= u.day, t.due_at < u.day_end)
			ORDER BY overdue, t.due_at, t.id
			LIMIT $5) t`,
		ids, days, starts, ends, events.MaxSummaryTasks).Query(func(rows pgx.Rows) error {
		var (
			user           string
			task           events.SummaryTask
			rank           int16
			total, overdue int
		)
		_, err := pgx.ForEachRow(rows, []any{&user, &task.ID, &task.Number, &task.Title, &rank, &task.DueAt,
			&task.DueDate, &task.TimeZone, &task.Overdue, &total, &overdue}, func() error {
			u := byID[user]
			task.Priority, task.DueAt = taskwire.PriorityFromRank(rank), task.DueAt.UTC()
			u.data.Tasks, u.data.Total, u.data.Overdue = append(u.data.Tasks, task), total, overdue
			return nil
		})
		return err
	})
	if br, err = tx.send(ctx, b); err == nil {
		err = br.Close() // reads the rows into the users' data
	}
	if err != nil {
		return 0, len(users), translate(err)
	}

	var (
		out   outboxRows
		nexts = make([]time.Time, len(users))
	)
	for i, u := range users {
		nexts[i] = u.next
		if u.data.Total == 0 {
			continue // nothing to do that day: nothing to say
		}
		e, err := events.NewSummaryDue(u.data, now)
		if err != nil {
			return 0, len(users), err
		}
		out.add(u.id, e)
	}
	b = &pgx.Batch{}
	b.Queue(`
		UPDATE users u SET summary_next = n.next
		FROM unnest($1::text[], $2::timestamptz[]) AS n (id, next)
		WHERE u.id = n.id`, ids, nexts)
	out.queue(b)
	if err := tx.commit(ctx, b); err != nil {
		return 0, len(users), err
	}
	return out.announce(s.db), len(users), nil
}

// settleSummary returns u's summary as it is due at now: of the day it is in the user's
// zone, next due at its time after now.
func settleSummary(u summaryUser, now time.Time) *summaryUser {
	u.day, _, u.start, u.end = taskwire.DueWindow(taskwire.DueToday, now, taskwire.LoadZone(u.timeZone))
	u.next = taskwire.NextSummary(now, u.at, u.timeZone)
	u.data = events.SummaryData{UserID: u.id, Date: u.day.Format(taskwire.DateLayout), TimeZone: u.timeZone,
		Tasks: []events.SummaryTask{}}
	return &u
}
