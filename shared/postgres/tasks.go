package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TaskService stores tasks; every method acts as the signed-in user of ctx, and every
// change commits with the CloudEvent that announces it.
type TaskService struct {
	db *DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewTaskService returns a TaskService on db.
func NewTaskService(db *DB) *TaskService {
	return &TaskService{db: db, Now: time.Now}
}

func (s *TaskService) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// taskFields are a task's own columns, as scanTask and scanTaskList read them.
const taskFields = `t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.due_date, t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version, t.checklist, t.duration, t.position`

// taskColumns are the columns scanTask reads, reminders folded in as JSON.
const taskColumns = taskFields + `,
	COALESCE((SELECT json_agg(json_build_object('id', r.id, 'before', r.before, 'at', r.at, 'fire_at', r.fire_at) ORDER BY r.position)
		FROM reminders r WHERE r.task_id = t.id), '[]')`

// taskRow holds what taskFields' columns scan into: pgtype values where they save pgx
// the reflection and string round trips of pointers and of uuid.UUID's sql.Scanner.
type taskRow struct {
	t                  taskwire.Task
	id, seriesID       pgtype.UUID
	dueAt, completedAt pgtype.Timestamptz
	recurrence         pgtype.Text
	duration           pgtype.Text
	status, repeat     string
	rank               int16
	dueDate            pgtype.Date
}

// dest returns the scan destinations of taskFields' columns, then extra.
func (r *taskRow) dest(extra ...any) []any {
	t := &r.t
	return append([]any{&r.id, &t.Number, &t.Title, &t.Description, &r.status, &r.rank, &t.Tags, &r.dueAt,
		&r.dueDate, &t.TimeZone, &r.recurrence, &r.repeat, &r.seriesID, &r.completedAt, &t.CreatedAt,
		&t.UpdatedAt, &t.Version, &t.Checklist, &r.duration, &t.Position}, extra...)
}

// task returns the scanned task with its times in UTC and no nil tags; its reminders are
// the caller's.
func (r *taskRow) task() (*taskwire.Task, error) {
	t := r.t
	var err error
	t.ID = uuid.UUID(r.id.Bytes)
	t.Status, t.RepeatFrom, t.Priority = taskwire.Status(r.status), taskwire.RepeatFrom(r.repeat), taskwire.PriorityFromRank(r.rank)
	if t.DueAt, err = timePtr(r.dueAt); err != nil {
		return nil, err
	}
	if r.dueDate.Valid {
		day := r.dueDate.Time.Format(taskwire.DateLayout)
		t.DueDate = &day
	}
	if t.CompletedAt, err = timePtr(r.completedAt); err != nil {
		return nil, err
	}
	if r.recurrence.Valid {
		rule := r.recurrence.String
		t.Recurrence = &rule
	}
	if r.duration.Valid {
		d := r.duration.String
		t.Duration = &d
	}
	if r.seriesID.Valid {
		series := uuid.UUID(r.seriesID.Bytes)
		t.SeriesID = &series
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	if t.Tags == nil {
		t.Tags = []string{}
	}
	if t.Checklist == nil {
		t.Checklist = []taskwire.Step{}
	}
	return &t, nil
}

// timePtr returns the time v holds in UTC, nil for NULL; like a scan into *time.Time, it
// refuses infinity.
func timePtr(v pgtype.Timestamptz) (*time.Time, error) {
	if !v.Valid {
		return nil, nil
	}
	if v.InfinityModifier != pgtype.Finite {
		return nil, fmt.Errorf("cannot scan %v timestamptz into a time", v.InfinityModifier)
	}
	t := v.Time.UTC()
	return &t, nil
}

// scanTask reads a row of taskColumns, and then into extra the columns the query has
// after them.
func scanTask(row pgx.Row, extra ...any) (*taskwire.Task, error) {
	var r taskRow
	var reminders []byte
	if err := row.Scan(r.dest(append([]any{&reminders}, extra...)...)...); err != nil {
		return nil, err
	}
	t, err := r.task()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(reminders, &t.Reminders); err != nil {
		return nil, fmt.Errorf("read reminders: %w", err)
	}
	for i := range t.Reminders {
		t.Reminders[i].At, t.Reminders[i].FireAt = utc(t.Reminders[i].At), utc(t.Reminders[i].FireAt)
	}
	return t, nil
}

// scanTaskList reads the rows of listQuery, where each reminder of a task comes on a row of
// its own (a task without any on one row with no reminder), and hands each task to add,
// as scanTask would have read it.
func scanTaskList(rows pgx.Rows, add func(*taskwire.Task)) error {
	var r taskRow
	var rid pgtype.UUID
	var before pgtype.Text
	var at, fireAt pgtype.Timestamptz
	dest := r.dest(&rid, &before, &at, &fireAt)
	var t *taskwire.Task
	for rows.Next() {
		r.t = taskwire.Task{} // the scan allocates what the previous task still holds
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if t == nil || t.ID != r.id.Bytes {
			if t != nil {
				add(t)
			}
			var err error
			if t, err = r.task(); err != nil {
				return err
			}
			t.Reminders = []taskwire.Reminder{}
		}
		if rid.Valid {
			rem := taskwire.Reminder{ID: rid.Bytes, Before: before.String}
			var err error
			if rem.At, err = timePtr(at); err != nil {
				return err
			}
			if rem.FireAt, err = timePtr(fireAt); err != nil {
				return err
			}
			t.Reminders = append(t.Reminders, rem)
		}
	}
	if t != nil {
		add(t)
	}
	return rows.Err()
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// refClause returns the condition that finds a task by uuid or per-user number, as $2.
func refClause(ref string) (string, any, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return "t.id = $2", id, nil
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
		return "t.number = $2", n, nil
	}
	return "", nil, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
}

// FindTask returns the task with uuid or number ref.
func (s *TaskService) FindTask(ctx context.Context, ref string) (*taskwire.Task, error) {
	cond, arg, err := refClause(ref)
	if err != nil {
		return nil, err
	}
	var t *taskwire.Task
	query := `SELECT ` + taskColumns + ` FROM tasks t WHERE t.user_id = $1 AND ` + cond
	err = readUser(ctx, s.db, query, []any{taskwire.UserFromContext(ctx), arg}, func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
		}
		var err error
		t, err = scanTask(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find task: %w", translate(err))
	}
	return t, nil
}

// lockTaskSQL reads the task that cond ($2) finds and locks it for a change.
func lockTaskSQL(cond string) string {
	return `SELECT ` + taskColumns + ` FROM tasks t WHERE t.user_id = $1 AND ` + cond + ` FOR UPDATE OF t`
}

// foundForUpdate maps the scan of lockTaskSQL's row: no row is ENOTFOUND for ref.
func foundForUpdate(t *taskwire.Task, err error, ref string) (*taskwire.Task, error) {
	if err != nil {
		if taskwire.ErrorCode(translate(err)) == taskwire.ENOTFOUND {
			return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
		}
		return nil, err
	}
	return t, nil
}

// matchETag returns EPRECONDITION unless ifMatch is empty or admits cur's current ETag.
func matchETag(cur *taskwire.Task, ifMatch string) error {
	if ifMatch != "" && !cur.MatchesETag(ifMatch) {
		return taskwire.FieldErrorf(taskwire.EPRECONDITION, "If-Match", "the task changed: its current ETag is %s", cur.ETag())
	}
	return nil
}

// lockTask queues the statement that reads and locks the task with uuid or number ref on
// the transaction's first batch b, sends b and returns the task. Errors in sending b are
// returned as send returns them; the others as foundForUpdate maps them.
func (tx *userTx) lockTask(ctx context.Context, b *pgx.Batch, ref string) (t *taskwire.Task, sendErr, err error) {
	cond, arg, err := refClause(ref)
	if err != nil {
		return nil, nil, err
	}
	b.Queue(lockTaskSQL(cond), tx.user, arg)
	br, sendErr := tx.send(ctx, b)
	if sendErr != nil {
		return nil, sendErr, nil
	}
	defer br.Close()
	t, err = scanTask(br.QueryRow())
	if t, err = foundForUpdate(t, err, ref); err != nil {
		return nil, nil, err
	}
	if err := br.Close(); err != nil {
		return nil, nil, err
	}
	return t, nil, nil
}

// successorSQL reads and locks the member of series $2 that follows task $3: the
// occurrence that completing it made, if it has been made.
const successorSQL = `SELECT ` + taskColumns + ` FROM tasks t
	WHERE t.user_id = $1 AND t.series_id = $2
		AND t.series_index > (SELECT series_index FROM tasks WHERE user_id = $1 AND id = $3)
	ORDER BY t.series_index LIMIT 1 FOR UPDATE OF t`

// withdrawable returns the occurrence that reopening cur withdraws: the one completing it
// made, the next of its series, while it is still open and unchanged (version 1). Undoing
// a completion then leaves the series as it was, where the next occurrence used to stay
// beside the reopened one, due twice; completing it again makes the next one anew. A next
// occurrence that was edited or completed is the user's, and stays. It costs a round trip,
// only on reopening a completed member of a series.
func (tx *userTx) withdrawable(ctx context.Context, cur *taskwire.Task) (*taskwire.Task, error) {
	b := &pgx.Batch{}
	b.Queue(successorSQL, tx.user, cur.SeriesID, cur.ID)
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	next, err := scanTask(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, br.Close()
	}
	if err != nil {
		return nil, err
	}
	if next.Status != taskwire.StatusOpen || next.Version != 1 {
		return nil, br.Close()
	}
	return next, br.Close()
}

// insertTaskSQL numbers a task as the user's next and inserts it, in one statement, and
// returns its number. The user's row is created on first sight, unless the user deleted
// the account (a process that saw the user before may take an old token for a while, see
// seenFor): then no row comes back. Its lock, held to the commit, orders one user's
// creates, so that their outbox rows commit in the order of their positions (see
// lockOutboxSQL). Queued in the transaction's last batch, ahead of the task's reminders
// and event, the lock is held only while those are written and the transaction commits.
// No row comes back either when the series has a task at that position already (the
// number is used up all the same, as a failed create's).
const insertTaskSQL = `
	WITH n AS (
		INSERT INTO users (id, task_seq) SELECT $2, 1
		WHERE EXISTS (SELECT FROM users u WHERE u.id = $2) OR NOT EXISTS (SELECT FROM deleted_users d WHERE d.id = $2)
		ON CONFLICT (id) DO UPDATE SET task_seq = users.task_seq + 1
		RETURNING task_seq)
	INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at, due_date,
		time_zone, recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at, version,
		checklist, duration, position)
	SELECT $1, $2, n.task_seq, $3, $4, $5, $6, $7, $8, $18, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19, $20, $21 FROM n
	ON CONFLICT (series_id, series_index) WHERE series_id IS NOT NULL DO NOTHING
	RETURNING number`

// queueNewTask queues what writes new task t as occurrence index of its series (1 for a
// task of its own): insertTaskSQL, its reminders and its task.created event. Once the
// batch's results are read, t.Number is set, inserted tells whether the task was, and seq
// is the event's outbox position, to be announced with outboxWritten after the commit.
// When the series has a task at that position already, none of it is written.
func queueNewTask(b *pgx.Batch, user string, t *taskwire.Task, index int, now time.Time) (inserted *bool, seq *int64, err error) {
	inserted = new(bool)
	placeNew(t)
	b.Queue(insertTaskSQL,
		t.ID, user, t.Title, t.Description, t.Status, t.Priority.Rank(), t.Tags, t.DueAt,
		t.TimeZone, t.Recurrence, t.RepeatFrom, t.SeriesID, index, t.CompletedAt, t.CreatedAt, t.UpdatedAt, t.Version,
		t.DueDate, t.Checklist, t.Duration, t.Position,
	).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&t.Number)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		*inserted = err == nil
		return err
	})
	queueReminderRows(b, user, t) // a new task has no other reminders to delete
	e, err := events.NewTaskEvent(events.TypeTaskCreated, user, t, nil, now)
	if err != nil {
		return nil, nil, err
	}
	return inserted, queueOutbox(b, newTaskOutboxSQL, e, user, t.ID), nil
}

// queueCreatedCompletion queues the task.completed event of task t, created completed,
// after its task.created event; the returned position is set when the batch's results
// are read.
func queueCreatedCompletion(b *pgx.Batch, user string, t *taskwire.Task, now time.Time) (*int64, error) {
	open := *t
	open.Status, open.CompletedAt = taskwire.StatusOpen, nil
	e, err := events.NewTaskEvent(events.TypeTaskCompleted, user, t, events.Diff(&open, t), now)
	if err != nil {
		return nil, err
	}
	return queueOutbox(b, newTaskOutboxSQL, e, user, t.ID), nil
}

// placeNew gives task t, when it has no position, the one of a task added when it was
// created: after every task added before (a new task; one put back from the trash or a
// file that predates positions).
func placeNew(t *taskwire.Task) {
	if t.Position == "" {
		t.Position = taskwire.PositionAt(t.CreatedAt)
	}
}

// userZoneSQL reads the user's time zone: UTC for a user not seen before.
const userZoneSQL = `SELECT coalesce((SELECT time_zone FROM users WHERE id = $1), 'UTC')`

// CreateTask creates a task from validated fields. With an idempotency key it creates at
// most one task per key: a repeat with the same body returns the first task and replayed
// true; a repeat with another body is EINVALID.
//
// A create that names its time zone and carries no key takes one round trip, which
// begins the transaction, writes the task (numbering it), its reminders and its event, and
// commits. Otherwise a first round trip claims the key, or reads the user's time zone, or
// both.
func (s *TaskService) CreateTask(ctx context.Context, f taskwire.TaskFields, key taskwire.IdempotencyKey) (t *taskwire.Task, replayed bool, err error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, false, err
	}
	defer tx.close(ctx)
	user := tx.user

	if key.Key != "" || f.TimeZone == "" {
		// The key is claimed first: a repeat of it waits on the claim until the first
		// request ends, then reads what that one stored.
		if key.Key != "" {
			queueClaimKey(b, user, key)
		}
		readZone := f.TimeZone == ""
		if readZone {
			b.Queue(userZoneSQL, user)
		}
		first, zone, err := readClaimAndZone(ctx, tx, b, user, key, readZone)
		if err != nil {
			return nil, false, fmt.Errorf("create task: %w", err)
		}
		if first != nil {
			return first, true, nil
		}
		if readZone {
			f.TimeZone = zone
		}
		b = &pgx.Batch{}
	}

	now := s.now()
	id, err := uuid.NewV7()
	if err != nil {
		return nil, false, fmt.Errorf("create task: new id: %w", err)
	}
	t = &taskwire.Task{ID: id, UserID: user, CreatedAt: now, Version: 1}
	apply(t, f, now)
	inserted, at, err := queueNewTask(b, user, t, 1, now) // a new id: inserted unless the account is gone
	if err != nil {
		return nil, false, fmt.Errorf("create task: %w", err)
	}
	var done *int64
	if t.Status == taskwire.StatusCompleted && t.Recurrence != nil {
		// A series created with its first occurrence done (the hackathon routes'
		// "completed": true) goes on as one completed later does: the completion is an
		// event of its own, which the recurrence function answers with the next one.
		if done, err = queueCreatedCompletion(b, user, t, now); err != nil {
			return nil, false, fmt.Errorf("create task: %w", err)
		}
	}
	if key.Key != "" {
		response, err := json.Marshal(t)
		if err != nil {
			return nil, false, fmt.Errorf("create task: %w", err)
		}
		b.Queue(`
			UPDATE idempotency_keys SET task_id = $3,
				response = jsonb_set($4::jsonb, '{number}', (SELECT to_jsonb(number) FROM tasks WHERE id = $3))
			WHERE user_id = $1 AND key = $2`,
			user, key.Key, t.ID, response)
	}
	if err := tx.commit(ctx, b); err != nil {
		return nil, false, fmt.Errorf("create task: %w", err)
	}
	if !*inserted { // nothing was written
		return nil, false, fmt.Errorf("create task: %w", errAccountDeleted())
	}
	s.db.outboxWritten(user, *at)
	if done != nil {
		s.db.outboxWritten(user, *done)
	}
	return t, false, nil
}

// readClaimAndZone sends the first batch of a create, b, and reads what queueClaimKey (when
// key is set) and userZoneSQL (when readZone) queued on it: the task the key's first
// request created, if it was taken, and the user's time zone.
func readClaimAndZone(ctx context.Context, tx *userTx, b *pgx.Batch, user string, key taskwire.IdempotencyKey, readZone bool) (first *taskwire.Task, zone string, err error) {
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, "", err
	}
	defer br.Close()
	if key.Key != "" {
		if first, err = readClaimKey(br, user, key); err != nil {
			return nil, "", err
		}
	}
	if readZone {
		if err := br.QueryRow().Scan(&zone); err != nil {
			return nil, "", fmt.Errorf("time zone: %w", translate(err))
		}
	}
	if err := br.Close(); err != nil {
		return nil, "", fmt.Errorf("time zone: %w", translate(err))
	}
	return first, zone, nil
}

// IdempotencyKeyTTL is how long an idempotency key is remembered: a repeat within it
// answers the first response; after it the key is free again. A day covers any client's
// retries, as with Stripe's keys.
const IdempotencyKeyTTL = 24 * time.Hour

// expireKeysSQL deletes user $1's keys older than $2, reading only those (migration 012).
const expireKeysSQL = `DELETE FROM idempotency_keys WHERE user_id = $1 AND created_at < now() - $2::interval`

// queueClaimKey queues what claims an idempotency key, for readClaimKey to read: the
// user's row, which the key's refers to (made on first sight as insertTaskSQL makes it,
// and whether the user has one); the removal of the user's keys older than
// IdempotencyKeyTTL (this one's too, which frees it); the key; and the key as stored,
// which is the first request's when the claim found the key taken.
func queueClaimKey(b *pgx.Batch, user string, key taskwire.IdempotencyKey) {
	b.Queue(`
		WITH made AS (
			INSERT INTO users (id) SELECT $1
			WHERE NOT EXISTS (SELECT FROM deleted_users d WHERE d.id = $1)
			ON CONFLICT (id) DO NOTHING
			RETURNING id)
		SELECT EXISTS (SELECT FROM made) OR EXISTS (SELECT FROM users u WHERE u.id = $1)`, user)
	b.Queue(expireKeysSQL, user, IdempotencyKeyTTL)
	b.Queue(`
		INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO NOTHING`, user, key.Key, key.Hash)
	b.Queue(`SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		user, key.Key)
}

// readClaimKey reads the results of queueClaimKey: nil when the key was claimed now, else
// the task its first request created.
func readClaimKey(br pgx.BatchResults, user string, key taskwire.IdempotencyKey) (*taskwire.Task, error) {
	var exists bool
	if err := br.QueryRow().Scan(&exists); err != nil {
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
	}
	if !exists {
		return nil, errAccountDeleted()
	}
	if _, err := br.Exec(); err != nil { // the expired keys
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
	}
	tag, err := br.Exec()
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
	}
	var hash, response []byte
	if err := br.QueryRow().Scan(&hash, &response); err != nil {
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	if !bytes.Equal(hash, key.Hash) {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "Idempotency-Key",
			"this Idempotency-Key was already used with a different request body")
	}
	var first taskwire.Task
	if err := json.Unmarshal(response, &first); err != nil {
		return nil, fmt.Errorf("idempotency key: stored response: %w", err)
	}
	first.UserID = user
	return &first, nil
}

// apply sets t's fields from f at time now, materialising reminders and marking
// completion; bookkeeping (version, updated_at) is the caller's.
func apply(t *taskwire.Task, f taskwire.TaskFields, now time.Time) {
	t.Title, t.Description, t.Priority, t.Tags, t.Checklist = f.Title, f.Description, f.Priority, f.Tags, f.Checklist
	if t.Tags == nil {
		t.Tags = []string{}
	}
	if t.Checklist == nil {
		t.Checklist = []taskwire.Step{}
	}
	t.DueAt, t.TimeZone, t.RepeatFrom = f.DueAt, f.TimeZone, f.RepeatFrom
	t.DueDate = taskwire.DueDate(f.DueAt, f.TimeZone, f.AllDay)
	t.Duration = taskwire.DurationOf(f)
	t.Recurrence = nil
	if f.Recurrence != "" {
		rule := f.Recurrence
		t.Recurrence = &rule
		if t.SeriesID == nil {
			series := t.ID
			t.SeriesID = &series
		}
	}
	if f.Position != "" {
		t.Position = f.Position
	}
	if f.Status != t.Status {
		t.Status = f.Status
		t.CompletedAt = nil
		if f.Status == taskwire.StatusCompleted {
			t.CompletedAt = &now
		}
	}
	t.Reminders = make([]taskwire.Reminder, 0, len(f.Reminders))
	for _, spec := range f.Reminders {
		id := spec.ID
		if id == uuid.Nil {
			id, _ = uuid.NewV7()
		}
		t.Reminders = append(t.Reminders, taskwire.Reminder{ID: id, Before: spec.Before, At: spec.At, FireAt: spec.FireAt(t.DueAt, t.TimeZone, f.AllDay)})
	}
	t.UpdatedAt = now
}

// queueReminders makes the task's reminder rows match t.Reminders: unchanged reminders
// keep their state, moved ones are armed again, dropped ones are deleted.
func queueReminders(b *pgx.Batch, user string, t *taskwire.Task) {
	ids := queueReminderRows(b, user, t)
	b.Queue(`DELETE FROM reminders WHERE task_id = $1 AND NOT (id = ANY($2))`, t.ID, ids)
}

// queueReminderRows writes t.Reminders (keeping the state of unchanged ones, arming moved
// ones again; one kept by its id takes its offset or time as t has it, which a snooze
// moves) and returns their ids; it deletes no other reminder of the task. Reopening the
// task ends the leases on its reminders: a holder that found the task completed let its
// claim go, and the reopened task's event claims them anew. It writes nothing when the
// task's row is not there (see insertTaskSQL).
func queueReminderRows(b *pgx.Batch, user string, t *taskwire.Task) []uuid.UUID {
	ids := make([]uuid.UUID, 0, len(t.Reminders))
	for i, r := range t.Reminders {
		ids = append(ids, r.ID)
		var before *string
		if r.Before != "" {
			before = &r.Before
		}
		b.Queue(`
			INSERT INTO reminders (id, task_id, user_id, position, before, at, fire_at, task_open)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM tasks WHERE id = $2
			ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, before = EXCLUDED.before, at = EXCLUDED.at,
				fire_at = EXCLUDED.fire_at,
				fired_at = CASE WHEN reminders.fire_at IS DISTINCT FROM EXCLUDED.fire_at THEN NULL ELSE reminders.fired_at END,
				lease_until = CASE WHEN EXCLUDED.task_open AND NOT reminders.task_open THEN NULL ELSE reminders.lease_until END,
				task_open = EXCLUDED.task_open`,
			r.ID, t.ID, user, i, before, r.At, r.FireAt, t.Status == taskwire.StatusOpen)
	}
	return ids
}

// queueEvent writes the change's CloudEvent to the outbox, in the change's transaction,
// and returns where its outbox position will be once the batch's results are read: to be
// announced with outboxWritten after the commit.
func queueEvent(b *pgx.Batch, typ, user string, t *taskwire.Task, changes map[string]events.Change, now time.Time) (*int64, error) {
	e, err := events.NewTaskEvent(typ, user, t, changes, now)
	if err != nil {
		return nil, err
	}
	return queueOutbox(b, outboxSQL, e, user), nil
}

// outboxSQL inserts an event into the outbox, whose trigger queues it for the relay in
// outbox_pending. The extensions $8 gain webhook=on when user $2 has task webhooks, which
// the notify Trigger filters on (migration 024).
const outboxSQL = `
	INSERT INTO outbox (id, user_id, type, source, subject, time, data, extensions)
	VALUES ($1, $2, $3, $4, $5, $6, $7, ` + webhookExtensionsSQL + `)
	RETURNING seq`

// newTaskOutboxSQL is outboxSQL for the event of task $9, inserted earlier in the same
// transaction, whose number it sets in the data's task.number; without the task's row it
// inserts nothing.
const newTaskOutboxSQL = `
	INSERT INTO outbox (id, user_id, type, source, subject, time, data, extensions)
	SELECT $1, $2, $3, $4, $5, $6, jsonb_set($7::jsonb, '{task,number}', to_jsonb(t.number)),
		` + webhookExtensionsSQL + `
	FROM tasks t WHERE t.id = $9
	RETURNING seq`

// webhookExtensionsSQL is the extensions $8 of an event of user $2, with webhook=on when
// the user has task webhooks.
const webhookExtensionsSQL = `CASE WHEN (SELECT u.task_webhooks FROM users u WHERE u.id = $2)
		THEN coalesce($8::jsonb, '{}') || jsonb_build_object('` + events.ExtensionWebhook + `', '` +
	events.WebhookOn + `') ELSE $8::jsonb END`

// queueOutbox queues query (outboxSQL or newTaskOutboxSQL, whose arguments after the
// event's follow in more) for event e of user; the returned position is set when the
// batch's results are read, and stays 0 when the query inserted nothing.
func queueOutbox(b *pgx.Batch, query string, e event.Event, user string, more ...any) *int64 {
	seq := new(int64)
	var ext map[string]any
	if len(e.Extensions()) > 0 {
		ext = e.Extensions()
	}
	args := append([]any{e.ID(), user, e.Type(), e.Source(), e.Subject(), e.Time(), e.Data(), ext}, more...)
	b.Queue(query, args...).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(seq); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	return seq
}

// UpdateTask applies a JSON Merge Patch to the task with uuid or number ref. A non-empty
// ifMatch must admit the task's current ETag, else EPRECONDITION.
func (s *TaskService) UpdateTask(ctx context.Context, ref, ifMatch string, patch []byte) (*taskwire.Task, error) {
	t, err := s.change(ctx, ref, ifMatch, func(cur *taskwire.Task) (taskwire.TaskFields, error) {
		return taskwire.ApplyPatch(cur.Fields(), patch)
	})
	if err != nil {
		return nil, fmt.Errorf("update task: %w", err)
	}
	return t, nil
}

// SetStatus completes or reopens a task; asking for the status it has changes nothing.
// A non-empty ifMatch must admit the task's current ETag when the status changes, else
// EPRECONDITION; asked again after its answer was lost, the change answers the task as
// it is, whatever the version it was asked at.
func (s *TaskService) SetStatus(ctx context.Context, ref, ifMatch string, status taskwire.Status) (*taskwire.Task, error) {
	t, err := s.change(ctx, ref, "", func(cur *taskwire.Task) (taskwire.TaskFields, error) {
		f := cur.Fields()
		if cur.Status != status {
			if err := matchETag(cur, ifMatch); err != nil {
				return f, err
			}
		}
		f.Status = status
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("set task status: %w", err)
	}
	return t, nil
}

// EndSeries completes a recurring task as the last of its series: in the same change its
// rule is taken off, so no next occurrence follows (the recurrence consumer reads the
// task as committed). A task without a rule is completed as SetStatus would; ifMatch is
// taken as SetStatus takes it. A completed occurrence that still has its rule is a
// conflict, since its next occurrence is made or on its way, and that one is the
// series' to end.
func (s *TaskService) EndSeries(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error) {
	t, err := s.change(ctx, ref, "", func(cur *taskwire.Task) (taskwire.TaskFields, error) {
		f := cur.Fields()
		if cur.Status != taskwire.StatusCompleted {
			if err := matchETag(cur, ifMatch); err != nil {
				return f, err
			}
		}
		if cur.Status == taskwire.StatusCompleted && cur.Recurrence != nil {
			return f, taskwire.Errorf(taskwire.ECONFLICT,
				"task %d is completed, and its series went on: end the series from its next occurrence", cur.Number)
		}
		f.Status = taskwire.StatusCompleted
		f.Recurrence = ""
		f.RepeatFrom = taskwire.RepeatFromSchedule
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("end series: %w", err)
	}
	return t, nil
}

// ToggleTask completes an open task and reopens a completed one.
func (s *TaskService) ToggleTask(ctx context.Context, ref string) (*taskwire.Task, error) {
	t, err := s.change(ctx, ref, "", func(cur *taskwire.Task) (taskwire.TaskFields, error) {
		f := cur.Fields()
		f.Status = taskwire.StatusCompleted
		if cur.Status == taskwire.StatusCompleted {
			f.Status = taskwire.StatusOpen
		}
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("toggle task: %w", err)
	}
	return t, nil
}

// lockOutboxSQL locks the user's row, as numbering a task does (CreateTask, and the next
// occurrence of a series), until the commit. A change takes it just before it writes its
// outbox row. Readers page through a user's outbox by position (the changes feed, a live
// stream resumed after the last id it saw), and a position is drawn when its row is
// written: without one lock for all of a user's writers, a change that drew a position
// could commit after another that drew a later one, and a reader that had already passed
// the later one would never see it. Taken last, the lock is held only while the outbox row
// is written and the transaction commits, with no round trip in between.
const lockOutboxSQL = `SELECT FROM users WHERE id = $1 FOR NO KEY UPDATE`

// change locks a task, derives its new fields with edit, and stores the result with its
// event; a change that changes nothing writes nothing. It takes two round trips: the
// first begins the transaction and reads and locks the task, the second writes the
// change and its event and commits.
func (s *TaskService) change(ctx context.Context, ref, ifMatch string, edit func(*taskwire.Task) (taskwire.TaskFields, error)) (*taskwire.Task, error) {
	return s.changeIn(ctx, ref, ifMatch, func(_ *userTx, cur *taskwire.Task, _ *pgx.Batch) (taskwire.TaskFields, error) {
		return edit(cur)
	})
}

// changeIn is change for an edit that reads more in the transaction tx (each read a
// round trip more) or writes more: the statements it queues on b commit with the change,
// ahead of it.
func (s *TaskService) changeIn(ctx context.Context, ref, ifMatch string, edit func(tx *userTx, cur *taskwire.Task, b *pgx.Batch) (taskwire.TaskFields, error)) (*taskwire.Task, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	cur, sendErr, err := tx.lockTask(ctx, b, ref)
	if sendErr != nil {
		return nil, sendErr
	}
	if err != nil {
		return nil, translate(err)
	}
	if err := matchETag(cur, ifMatch); err != nil {
		return nil, err
	}
	more := &pgx.Batch{}
	f, err := edit(tx, cur, more)
	if err != nil {
		return nil, err
	}
	return s.commitChange(ctx, tx, cur, f, more)
}

// commitChange stores locked task cur changed to fields f, with its event, after the
// statements b holds, and commits them together; a change that changes nothing commits
// b alone.
func (s *TaskService) commitChange(ctx context.Context, tx *userTx, cur *taskwire.Task, f taskwire.TaskFields, b *pgx.Batch) (*taskwire.Task, error) {
	next, seqs, err := tx.queueChange(ctx, b, cur, f, s.now())
	if err != nil {
		return nil, err
	}
	if b.Len() == 0 {
		return cur, nil
	}
	if err := tx.commit(ctx, b); err != nil {
		return nil, err
	}
	for _, seq := range seqs {
		s.db.outboxWritten(tx.user, *seq)
	}
	return next, nil
}

// queueChange queues on b what stores locked task cur changed to fields f, with its
// event: the task's row (and its reminders' when they or its status changed), and, when
// a reopening withdraws the next occurrence its completion made, that one's deletion and
// event. It returns the task as changed and the events' outbox positions, to be announced
// after the commit; cur and none when f changes nothing. It reads the occurrence to
// withdraw, one round trip, only when reopening an occurrence of a series.
func (tx *userTx) queueChange(ctx context.Context, b *pgx.Batch, cur *taskwire.Task, f taskwire.TaskFields, now time.Time) (*taskwire.Task, []*int64, error) {
	next := *cur
	apply(&next, f, now)
	changes := events.Diff(cur, &next)
	if len(changes) == 0 {
		return cur, nil, nil
	}
	next.Version = cur.Version + 1
	if err := tx.checkCount(ctx, cur, &next); err != nil {
		return nil, nil, err
	}
	var withdrawn *taskwire.Task
	if cur.Status == taskwire.StatusCompleted && next.Status == taskwire.StatusOpen && cur.SeriesID != nil {
		var err error
		if withdrawn, err = tx.withdrawable(ctx, cur); err != nil {
			return nil, nil, translate(err)
		}
	}
	queueTaskUpdate(b, tx.user, &next, changes)
	if withdrawn != nil {
		b.Queue(`DELETE FROM tasks WHERE user_id = $1 AND id = $2`, tx.user, withdrawn.ID)
	}
	b.Queue(lockOutboxSQL, tx.user)
	seq, err := queueEvent(b, events.TaskChangeType(cur, &next), tx.user, &next, changes, now)
	if err != nil {
		return nil, nil, err
	}
	seqs := []*int64{seq}
	if withdrawn != nil {
		if seq, err = queueEvent(b, events.TypeTaskDeleted, tx.user, withdrawn, nil, now); err != nil {
			return nil, nil, err
		}
		seqs = append(seqs, seq)
	}
	return &next, seqs, nil
}

// checkCount refuses a rule given to locked occurrence cur (next, as changed) whose
// COUNT ends its series before it: COUNT counts the whole series, from its first
// occurrence, and the task would look recurring while completing it made nothing. It
// reads the task's place in its series, a round trip, only for a new rule with a COUNT.
func (tx *userTx) checkCount(ctx context.Context, cur, next *taskwire.Task) error {
	count := 0
	if next.Recurrence != nil && (cur.Recurrence == nil || *cur.Recurrence != *next.Recurrence) {
		count = recur.Count(*next.Recurrence)
	}
	if count == 0 || cur.SeriesID == nil {
		return nil
	}
	pos, err := tx.seriesPosition(ctx, cur)
	if err != nil {
		return fmt.Errorf("series position: %w", translate(err))
	}
	if count < pos.index {
		return taskwire.FieldErrorf(taskwire.EINVALID, "recurrence",
			"recurrence %s ends the series before this task, its occurrence %d: COUNT counts the whole series, so make it %d or more",
			*next.Recurrence, pos.index, pos.index)
	}
	return nil
}

// queueTaskUpdate writes next, a task changed by changes, over its row; its text (title,
// description, checklist) only when that changed, and its reminder rows only when its
// reminders or its status changed.
func queueTaskUpdate(b *pgx.Batch, user string, next *taskwire.Task, changes map[string]events.Change) {
	args := []any{user, next.ID, next.Status, next.Priority.Rank(), next.Tags,
		next.DueAt, next.TimeZone, next.Recurrence, next.RepeatFrom, next.SeriesID,
		next.CompletedAt, next.UpdatedAt, next.Version, next.DueDate, next.Duration, next.Position}
	if textChanged(changes) {
		b.Queue(`
		UPDATE tasks SET status = $3, priority = $4, tags = $5,
			due_at = $6, time_zone = $7, recurrence = $8, repeat_from = $9, series_id = $10,
			completed_at = $11, updated_at = $12, version = $13, due_date = $14, duration = $15,
			position = $16, title = $17, description = $18, checklist = $19
		WHERE user_id = $1 AND id = $2`,
			append(args, next.Title, next.Description, next.Checklist)...)
	} else {
		// An update that names a column computes the columns generated from it again,
		// equal or not: the search vectors' to_tsvector of every word, which a
		// completion does not change.
		b.Queue(`
		UPDATE tasks SET status = $3, priority = $4, tags = $5,
			due_at = $6, time_zone = $7, recurrence = $8, repeat_from = $9, series_id = $10,
			completed_at = $11, updated_at = $12, version = $13, due_date = $14, duration = $15,
			position = $16
		WHERE user_id = $1 AND id = $2`,
			args...)
	}
	// The reminder rows hold the reminders and whether the task is open: a change of
	// neither (a new title, say) leaves them alone, as rewriting a row with the same
	// values still leaves a dead version of it behind.
	_, remindersChanged := changes["reminders"]
	if _, statusChanged := changes["status"]; remindersChanged || statusChanged {
		queueReminders(b, user, next)
	}
}

// textChanged reports whether changes change a task's text: its title, description or
// checklist, from which the tasks table generates title_key and the search vectors.
func textChanged(changes map[string]events.Change) bool {
	for _, k := range []string{"title", "description", "checklist"} {
		if _, ok := changes[k]; ok {
			return true
		}
	}
	return false
}

// DeleteTask moves the task with uuid or number ref into the trash, from which
// RestoreTask brings it back; a non-empty ifMatch must admit its current ETag. Like
// change, it takes two round trips.
func (s *TaskService) DeleteTask(ctx context.Context, ref, ifMatch string) error {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return err
	}
	defer tx.close(ctx)
	user := tx.user
	cur, sendErr, err := tx.lockTask(ctx, b, ref)
	if sendErr != nil {
		return sendErr
	}
	if err != nil {
		return fmt.Errorf("delete task: %w", translate(err))
	}
	if err := matchETag(cur, ifMatch); err != nil {
		return err
	}
	now := s.now()
	b = &pgx.Batch{}
	seq, err := queueDelete(b, user, cur, now)
	if err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	if err := tx.commit(ctx, b); err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	s.db.outboxWritten(user, *seq)
	return nil
}

// FindTasks lists the tasks that match f, one page at a time (keyset pagination).
func (s *TaskService) FindTasks(ctx context.Context, f taskwire.TaskFilter) (*taskwire.TaskPage, error) {
	if f.Limit < 1 || f.Limit > taskwire.MaxLimit {
		f.Limit = taskwire.DefaultLimit
	}
	now := s.now()
	var window *dueWindow
	if f.Due != "" && f.Due != taskwire.DueNone {
		// The days are the user's: one more round trip, for their zone.
		zone, err := taskwire.UserZone(ctx, &UserService{db: s.db})
		if err != nil {
			return nil, fmt.Errorf("find tasks: %w", err)
		}
		window = new(dueWindow)
		window.first, window.last, window.from, window.to = taskwire.DueWindow(f.Due, now, taskwire.LoadZone(zone))
	}
	query, args := listQuery(taskwire.UserFromContext(ctx), f, now, window)
	page := &taskwire.TaskPage{Items: make([]*taskwire.Task, 0, f.Limit+1)}
	read := readUser
	if len(f.Tags) > 0 || f.Query != "" || len(f.Priorities) > 0 || f.DueBefore != nil || f.DueAfter != nil || f.Overdue ||
		f.Due != "" || f.CompletedBefore != nil || f.CompletedAfter != nil {
		// How many of the user's tasks a filter keeps decides whether a page walks the
		// order's index or looks the matches up: a plan for the user who reads.
		read = readUserPlanned
	}
	err := read(ctx, s.db, query, args, func(rows pgx.Rows) error {
		return scanTaskList(rows, func(t *taskwire.Task) { page.Items = append(page.Items, t) })
	})
	if err != nil {
		return nil, fmt.Errorf("find tasks: %w", translate(err))
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		page.NextCursor = taskwire.CursorAfter(f.Sort, page.Items[f.Limit-1]).Encode()
	}
	return page, nil
}

// searchCondition returns the condition of a search for the words of the SQL parameter
// q, in websearch_to_tsquery's syntax (quotes, or, -word), read two ways, either of which
// may match: by the english configuration against search, stemmed, so that "groceries"
// finds "grocery"; and word for word against words, each word a prefix and accents set
// aside, so that "mil" finds "milk" while it is being typed and "cafe" finds "Café" (the
// taskwire_words configuration's query with :* after every lexeme). The second reading
// only adds to what the first finds.
func searchCondition(q string) string {
	return `(t.search @@ websearch_to_tsquery('english', ` + q + `) OR t.words @@ ` +
		`regexp_replace(websearch_to_tsquery('taskwire_words', ` + q + `)::text, '''((?:[^'']|'''')*)''', '''\1'':*', 'g')::tsquery)`
}

// dueWindow is a due window of days (taskwire.DueWindow) as a listing reads it.
type dueWindow struct {
	first, last time.Time // its days, midnight in UTC
	from, to    time.Time // the instants its first day begins and the day after its last
}

// listQuery builds the listing's SQL: filters, then the keyset condition, then the order
// (ties by id in the sort's direction, tasks without a due date last), one row extra to
// tell whether a next page exists. The page's reminders are joined to it, a row each
// (see scanTaskList): fetched by index for each task of the page, they cost less than a
// JSON aggregate per task, and they need no decoding from JSON.
func listQuery(user string, f taskwire.TaskFilter, now time.Time, window *dueWindow) (string, []any) {
	args := []any{user}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"t.user_id = $1"}
	switch f.Status {
	case "open", "completed":
		where = append(where, "t.status = "+arg(f.Status))
	}
	// Every index that orders a listing leads with (user_id, status): a listing of both
	// statuses reads each status's first page from its index and merges the two (see below),
	// where one query over both would sort all the user's tasks.
	both := f.Status != "open" && f.Status != "completed"
	if len(f.Priorities) > 0 {
		ranks := make([]int16, len(f.Priorities))
		for i, p := range f.Priorities {
			ranks[i] = p.Rank()
		}
		where = append(where, "t.priority = ANY("+arg(ranks)+")")
	}
	if len(f.Tags) > 0 {
		where = append(where, "t.tags @> "+arg(f.Tags))
	}
	if f.Query != "" {
		where = append(where, searchCondition(arg(f.Query)))
	}
	if f.DueBefore != nil {
		where = append(where, "t.due_at < "+arg(*f.DueBefore))
	}
	if f.DueAfter != nil {
		where = append(where, "t.due_at > "+arg(*f.DueAfter))
	}
	if f.Overdue {
		where = append(where, "t.status = 'open' AND t.due_at < "+arg(now))
	}
	if f.Due == taskwire.DueNone {
		where = append(where, "t.due_at IS NULL")
	}
	if window != nil {
		// An all-day task by its day; one due at a time by its instant. The bounds on
		// due_at, a day and two hours either side, hold an all-day task ending its day in
		// any zone, and let the due index serve both.
		from, to := arg(window.from), arg(window.to)
		in := "coalesce(t.due_date BETWEEN " + arg(window.first) + " AND " + arg(window.last) +
			", t.due_at >= " + from + " AND t.due_at < " + to + ")"
		if !f.WithOverdue {
			where = append(where, in,
				"t.due_at >= "+from+"::timestamptz - interval '26 hours' AND t.due_at < "+to+"::timestamptz + interval '26 hours'")
		} else {
			// And the open tasks overdue before it (an all-day one's due_at ends its day),
			// or due on a day before it: an all-day task of a zone behind the user's, whose
			// day the user has left and its zone has not, is still left to do.
			where = append(where, "("+in+" OR (t.status = 'open' AND (t.due_at < "+arg(now)+" OR t.due_date < "+arg(window.first)+")))",
				"t.due_at < "+to+"::timestamptz + interval '26 hours'")
		}
	}
	if f.CompletedBefore != nil {
		where = append(where, "t.completed_at < "+arg(*f.CompletedBefore))
	}
	if f.CompletedAfter != nil {
		where = append(where, "t.completed_at > "+arg(*f.CompletedAfter))
	}

	// splits are the ranges a page is read from, each in the listing's order, when the
	// cursor's position is more than one range of an index; nil for one.
	var splits []string
	col, cmp, dir := sortColumn(f.Sort.Field), ">", "ASC"
	if f.Sort.Desc {
		cmp, dir = "<", "DESC"
	}
	if c := f.Cursor; c != nil {
		id := arg(c.ID)
		switch {
		case f.Sort.Nullable() && c.Time == nil:
			where = append(where, "("+col+" IS NULL AND t.id "+cmp+" "+id+")")
		case f.Sort.Nullable():
			// After a task with a due date come the later ones, then those without (last
			// in both directions): two ranges of the index, read as two branches. One
			// condition with OR could be no range of it, and read every task before the
			// cursor. The same holds for completion times and open tasks.
			v := arg(*c.Time)
			splits = []string{fmt.Sprintf("(%s, t.id) %s (%s::timestamptz, %s)", col, cmp, v, id), col + " IS NULL"}
		case f.Sort.Field == taskwire.SortPriority:
			where = append(where, fmt.Sprintf("(%s, t.id) %s (%s::smallint, %s)", col, cmp, arg(int16(*c.Int)), id))
		case f.Sort.Field == taskwire.SortTitle:
			where = append(where, fmt.Sprintf(`(%s, t.id) %s (lower(%s) COLLATE "C", %s)`, col, cmp, arg(*c.Str), id))
		case f.Sort.Field == taskwire.SortPosition:
			where = append(where, fmt.Sprintf(`(%s, t.id) %s (%s::text COLLATE "C", %s)`, col, cmp, arg(*c.Str), id))
		default:
			where = append(where, fmt.Sprintf("(%s, t.id) %s (%s::timestamptz, %s)", col, cmp, arg(*c.Time), id))
		}
	}
	// Ties go by id in the sort's direction. Only due_at and completed_at have NULLs (no
	// due date, not completed), which come last in both directions: ASC puts them last
	// already; DESC NULLS LAST is no order an index gives, read either way, so such a page
	// is read from two ranges of the column's index read backwards (DESC puts NULLs first
	// there), with and without a value, each in branchOrder. (NULLS LAST written on a
	// column without NULLs kept the planner from reading its index backwards, and it
	// sorted all the user's tasks for one page.)
	branchOrder := fmt.Sprintf("%s %s, t.id %s", col, dir, dir)
	order := branchOrder
	if f.Sort.Nullable() && f.Sort.Desc {
		order = col + " DESC NULLS LAST, t.id DESC"
		switch {
		case f.Cursor == nil:
			splits = []string{col + " IS NOT NULL", col + " IS NULL"}
		case splits == nil: // a cursor among the tasks without a value
			splits = []string{col + " IS NULL"}
		}
	}
	// Not arg(…) inside the return: Go leaves unspecified whether args is read before or
	// after that call appends to it, and go1.26 compiles it to a slice of dead stack.
	limit := arg(f.Limit + 1)
	if both {
		// Each status is a range of every index, so both are two.
		statuses := []string{"t.status = 'open'", "t.status = 'completed'"}
		if splits == nil {
			splits = statuses
		} else {
			var product []string
			for _, st := range statuses {
				for _, sp := range splits {
					product = append(product, st+" AND "+sp)
				}
			}
			splits = product
		}
	}
	filter := strings.Join(where, " AND ")
	// A filter by words or tags reads through the view user_tasks, whose reads can look the
	// matches up in the GIN indexes: from the table, row-level security keeps @@ and @> out
	// of an index scan, and a rare word read every task of the user (see migration 017).
	// Other listings keep the table, whose policy holds them to the user.
	from := "tasks t"
	if len(f.Tags) > 0 || f.Query != "" {
		from = "user_tasks t"
	}
	// The page carries title_key for the orders above it (the merge's and the final one).
	fields := taskFields + `, t.title_key`
	page := `SELECT ` + fields + ` FROM ` + from + ` WHERE ` + filter + ` ORDER BY ` + order + ` LIMIT ` + limit
	if splits != nil {
		// One page from each range, merged: each walks its range in order and stops.
		branches := make([]string, len(splits))
		for i, sp := range splits {
			branches[i] = `(SELECT ` + fields + ` FROM ` + from + ` WHERE ` + filter + ` AND ` + sp +
				` ORDER BY ` + branchOrder + ` LIMIT ` + limit + `)`
		}
		page = `SELECT * FROM (` + strings.Join(branches, ` UNION ALL `) + `) t ORDER BY ` + order + ` LIMIT ` + limit
	}
	// OFFSET 0 keeps the reminders a lookup per task of the page: joined as a table, the
	// planner may scan all the user's reminders instead.
	return `SELECT ` + taskFields + `, r.id, r.before, r.at, r.fire_at
		FROM (` + page + `) t
		LEFT JOIN LATERAL (SELECT r.id, r.before, r.at, r.fire_at, r.position FROM reminders r
			WHERE r.task_id = t.id OFFSET 0) r ON true
		ORDER BY ` + order + `, r.position`, args
}

func sortColumn(f taskwire.SortField) string {
	switch f {
	case taskwire.SortPriority:
		return "t.priority"
	case taskwire.SortCreatedAt:
		return "t.created_at"
	case taskwire.SortTitle:
		return `t.title_key COLLATE "C"`
	case taskwire.SortCompletedAt:
		return "t.completed_at"
	case taskwire.SortPosition:
		return "t.position" // its collation is C
	}
	return "t.due_at"
}

// Tags lists the user's tags with how many open tasks carry each. Tasks share a few sets
// of tags, so it counts by set first and takes each set apart once, rather than each
// task's: for a user with 200 000 tasks, 190 ms where it took 240 here.
func (s *TaskService) Tags(ctx context.Context) ([]taskwire.Tag, error) {
	tags := []taskwire.Tag{}
	err := readUser(ctx, s.db, `
		SELECT tag, sum(s.open)::bigint
		FROM (
			SELECT t.tags, count(*) FILTER (WHERE t.status = 'open') AS open
			FROM tasks t
			WHERE t.user_id = $1 AND t.tags <> '{}'
			GROUP BY t.tags) s
		CROSS JOIN LATERAL unnest(s.tags) AS tag
		GROUP BY tag ORDER BY tag`, []any{taskwire.UserFromContext(ctx)}, func(rows pgx.Rows) error {
		for rows.Next() {
			var tag taskwire.Tag
			if err := rows.Scan(&tag.Name, &tag.OpenCount); err != nil {
				return err
			}
			tags = append(tags, tag)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", translate(err))
	}
	return tags, nil
}
