package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
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

// taskColumns are the columns scanTask reads, reminders folded in as JSON.
const taskColumns = `t.id, t.number, t.title, t.description, t.status, t.priority, t.tags, t.due_at,
	t.time_zone, t.recurrence, t.repeat_from, t.series_id, t.completed_at, t.created_at,
	t.updated_at, t.version,
	COALESCE((SELECT json_agg(json_build_object('id', r.id, 'before', r.before, 'at', r.at, 'fire_at', r.fire_at) ORDER BY r.position)
		FROM reminders r WHERE r.task_id = t.id), '[]')`

func scanTask(row pgx.Row) (*taskwire.Task, error) {
	var t taskwire.Task
	var status, repeat string
	var rank int16
	var reminders []byte
	err := row.Scan(&t.ID, &t.Number, &t.Title, &t.Description, &status, &rank, &t.Tags, &t.DueAt,
		&t.TimeZone, &t.Recurrence, &repeat, &t.SeriesID, &t.CompletedAt, &t.CreatedAt,
		&t.UpdatedAt, &t.Version, &reminders)
	if err != nil {
		return nil, err
	}
	t.Status, t.RepeatFrom, t.Priority = taskwire.Status(status), taskwire.RepeatFrom(repeat), taskwire.PriorityFromRank(rank)
	if err := json.Unmarshal(reminders, &t.Reminders); err != nil {
		return nil, fmt.Errorf("read reminders: %w", err)
	}
	t.DueAt, t.CompletedAt = utc(t.DueAt), utc(t.CompletedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	for i := range t.Reminders {
		t.Reminders[i].At, t.Reminders[i].FireAt = utc(t.Reminders[i].At), utc(t.Reminders[i].FireAt)
	}
	if t.Tags == nil {
		t.Tags = []string{}
	}
	return &t, nil
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

func findForUpdate(ctx context.Context, tx pgx.Tx, user, ref string) (*taskwire.Task, error) {
	cond, arg, err := refClause(ref)
	if err != nil {
		return nil, err
	}
	row := tx.QueryRow(ctx, `SELECT `+taskColumns+` FROM tasks t WHERE t.user_id = $1 AND `+cond+` FOR UPDATE OF t`, user, arg)
	t, err := scanTask(row)
	if err != nil {
		if taskwire.ErrorCode(translate(err)) == taskwire.ENOTFOUND {
			return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
		}
		return nil, err
	}
	return t, nil
}

// CreateTask creates a task from validated fields. With an idempotency key it creates at
// most one task per key: a repeat with the same body returns the first task and replayed
// true; a repeat with another body is EINVALID.
func (s *TaskService) CreateTask(ctx context.Context, f taskwire.TaskFields, key taskwire.IdempotencyKey) (t *taskwire.Task, replayed bool, err error) {
	tx, user, err := beginUser(ctx, s.db)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = tx.Rollback(ctx) }()

	// The user row is created on first sight and its counter numbers the task; its lock
	// orders concurrent creates of one user, so a repeated key waits for the first.
	var seq int64
	var userZone string
	err = tx.QueryRow(ctx, `
		INSERT INTO users (id, task_seq) VALUES ($1, 1)
		ON CONFLICT (id) DO UPDATE SET task_seq = users.task_seq + 1
		RETURNING task_seq, time_zone`, user).Scan(&seq, &userZone)
	if err != nil {
		return nil, false, fmt.Errorf("create task: number: %w", translate(err))
	}
	if key.Key != "" {
		if first, err := claimKey(ctx, tx, user, key); err != nil || first != nil {
			return first, first != nil, err
		}
	}

	now := s.now()
	id, err := uuid.NewV7()
	if err != nil {
		return nil, false, fmt.Errorf("create task: new id: %w", err)
	}
	t = &taskwire.Task{ID: id, Number: seq, UserID: user, CreatedAt: now, Version: 1}
	if f.TimeZone == "" {
		f.TimeZone = userZone
	}
	apply(t, f, now)

	b := &pgx.Batch{}
	b.Queue(`
		INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at,
			time_zone, recurrence, repeat_from, series_id, completed_at, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		t.ID, user, t.Number, t.Title, t.Description, t.Status, t.Priority.Rank(), t.Tags, t.DueAt,
		t.TimeZone, t.Recurrence, t.RepeatFrom, t.SeriesID, t.CompletedAt, t.CreatedAt, t.UpdatedAt, t.Version)
	queueReminders(b, user, t)
	if err := queueEvent(b, events.TypeTaskCreated, user, t, nil, now); err != nil {
		return nil, false, fmt.Errorf("create task: %w", err)
	}
	if key.Key != "" {
		response, err := json.Marshal(t)
		if err != nil {
			return nil, false, fmt.Errorf("create task: %w", err)
		}
		b.Queue(`UPDATE idempotency_keys SET task_id = $3, response = $4 WHERE user_id = $1 AND key = $2`,
			user, key.Key, t.ID, response)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, false, fmt.Errorf("create task: %w", translate(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, false, fmt.Errorf("create task: commit: %w", translate(err))
	}
	return t, false, nil
}

// claimKey records an idempotency key, or returns the task its first request created.
func claimKey(ctx context.Context, tx pgx.Tx, user string, key taskwire.IdempotencyKey) (*taskwire.Task, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO NOTHING`, user, key.Key, key.Hash)
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var hash, response []byte
	err = tx.QueryRow(ctx, `SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		user, key.Key).Scan(&hash, &response)
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", translate(err))
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
	t.Title, t.Description, t.Priority, t.Tags = f.Title, f.Description, f.Priority, f.Tags
	if t.Tags == nil {
		t.Tags = []string{}
	}
	t.DueAt, t.TimeZone, t.RepeatFrom = f.DueAt, f.TimeZone, f.RepeatFrom
	t.Recurrence = nil
	if f.Recurrence != "" {
		rule := f.Recurrence
		t.Recurrence = &rule
		if t.SeriesID == nil {
			series := t.ID
			t.SeriesID = &series
		}
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
		t.Reminders = append(t.Reminders, taskwire.Reminder{ID: id, Before: spec.Before, At: spec.At, FireAt: spec.FireAt(t.DueAt, t.TimeZone)})
	}
	t.UpdatedAt = now
}

// queueReminders makes the task's reminder rows match t.Reminders: unchanged reminders
// keep their state, moved ones are armed again, dropped ones are deleted.
func queueReminders(b *pgx.Batch, user string, t *taskwire.Task) {
	ids := make([]uuid.UUID, 0, len(t.Reminders))
	for i, r := range t.Reminders {
		ids = append(ids, r.ID)
		var before *string
		if r.Before != "" {
			before = &r.Before
		}
		b.Queue(`
			INSERT INTO reminders (id, task_id, user_id, position, before, at, fire_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, fire_at = EXCLUDED.fire_at,
				fired_at = CASE WHEN reminders.fire_at IS DISTINCT FROM EXCLUDED.fire_at THEN NULL ELSE reminders.fired_at END`,
			r.ID, t.ID, user, i, before, r.At, r.FireAt)
	}
	b.Queue(`DELETE FROM reminders WHERE task_id = $1 AND NOT (id = ANY($2))`, t.ID, ids)
}

// queueEvent writes the change's CloudEvent to the outbox, in the change's transaction.
func queueEvent(b *pgx.Batch, typ, user string, t *taskwire.Task, changes map[string]events.Change, now time.Time) error {
	e, err := events.NewTaskEvent(typ, user, t, changes, now)
	if err != nil {
		return err
	}
	queueOutbox(b, user, e)
	return nil
}

func queueOutbox(b *pgx.Batch, user string, e event.Event) {
	b.Queue(`INSERT INTO outbox (id, user_id, type, source, subject, time, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID(), user, e.Type(), e.Source(), e.Subject(), e.Time(), e.Data())
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
func (s *TaskService) SetStatus(ctx context.Context, ref string, status taskwire.Status) (*taskwire.Task, error) {
	t, err := s.change(ctx, ref, "", func(cur *taskwire.Task) (taskwire.TaskFields, error) {
		f := cur.Fields()
		f.Status = status
		return f, nil
	})
	if err != nil {
		return nil, fmt.Errorf("set task status: %w", err)
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

// change locks a task, derives its new fields with edit, and stores the result with its
// event; a change that changes nothing writes nothing.
func (s *TaskService) change(ctx context.Context, ref, ifMatch string, edit func(*taskwire.Task) (taskwire.TaskFields, error)) (*taskwire.Task, error) {
	tx, user, err := beginUser(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	cur, err := findForUpdate(ctx, tx, user, ref)
	if err != nil {
		return nil, translate(err)
	}
	if ifMatch != "" && !cur.MatchesETag(ifMatch) {
		return nil, taskwire.FieldErrorf(taskwire.EPRECONDITION, "If-Match",
			"the task changed: its current ETag is %s", cur.ETag())
	}
	f, err := edit(cur)
	if err != nil {
		return nil, err
	}
	now := s.now()
	next := *cur
	apply(&next, f, now)
	changes := events.Diff(cur, &next)
	if len(changes) == 0 {
		return cur, nil
	}
	next.Version = cur.Version + 1

	b := &pgx.Batch{}
	b.Queue(`
		UPDATE tasks SET title = $3, description = $4, status = $5, priority = $6, tags = $7,
			due_at = $8, time_zone = $9, recurrence = $10, repeat_from = $11, series_id = $12,
			completed_at = $13, updated_at = $14, version = $15
		WHERE user_id = $1 AND id = $2`,
		user, next.ID, next.Title, next.Description, next.Status, next.Priority.Rank(), next.Tags,
		next.DueAt, next.TimeZone, next.Recurrence, next.RepeatFrom, next.SeriesID,
		next.CompletedAt, next.UpdatedAt, next.Version)
	queueReminders(b, user, &next)
	if err := queueEvent(b, events.TaskChangeType(cur, &next), user, &next, changes, now); err != nil {
		return nil, err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, translate(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", translate(err))
	}
	return &next, nil
}

// DeleteTask deletes the task with uuid or number ref; a non-empty ifMatch must admit
// its current ETag.
func (s *TaskService) DeleteTask(ctx context.Context, ref, ifMatch string) error {
	tx, user, err := beginUser(ctx, s.db)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	cur, err := findForUpdate(ctx, tx, user, ref)
	if err != nil {
		return fmt.Errorf("delete task: %w", translate(err))
	}
	if ifMatch != "" && !cur.MatchesETag(ifMatch) {
		return taskwire.FieldErrorf(taskwire.EPRECONDITION, "If-Match", "the task changed: its current ETag is %s", cur.ETag())
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM tasks WHERE user_id = $1 AND id = $2`, user, cur.ID)
	if err := queueEvent(b, events.TypeTaskDeleted, user, cur, nil, s.now()); err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("delete task: %w", translate(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("delete task: commit: %w", translate(err))
	}
	return nil
}

// FindTasks lists the tasks that match f, one page at a time (keyset pagination).
func (s *TaskService) FindTasks(ctx context.Context, f taskwire.TaskFilter) (*taskwire.TaskPage, error) {
	if f.Limit < 1 || f.Limit > taskwire.MaxLimit {
		f.Limit = taskwire.DefaultLimit
	}
	query, args := listQuery(taskwire.UserFromContext(ctx), f, s.now())
	page := &taskwire.TaskPage{Items: make([]*taskwire.Task, 0, f.Limit)}
	err := readUser(ctx, s.db, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			t, err := scanTask(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, t)
		}
		return nil
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

// listQuery builds the listing's SQL: filters, then the keyset condition, then the order
// (ties by id in the sort's direction, tasks without a due date last), one row extra to
// tell whether a next page exists.
func listQuery(user string, f taskwire.TaskFilter, now time.Time) (string, []any) {
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
		where = append(where, "t.search @@ websearch_to_tsquery('english', "+arg(f.Query)+")")
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

	col, cmp, dir := sortColumn(f.Sort.Field), ">", "ASC"
	if f.Sort.Desc {
		cmp, dir = "<", "DESC"
	}
	if c := f.Cursor; c != nil {
		id := arg(c.ID)
		switch {
		case f.Sort.Field == taskwire.SortDueAt && c.Time == nil:
			where = append(where, "(t.due_at IS NULL AND t.id "+cmp+" "+id+")")
		case f.Sort.Field == taskwire.SortDueAt:
			v := arg(*c.Time)
			where = append(where, fmt.Sprintf("(t.due_at IS NULL OR t.due_at %s %s OR (t.due_at = %s AND t.id %s %s))", cmp, v, v, cmp, id))
		case f.Sort.Field == taskwire.SortPriority:
			where = append(where, fmt.Sprintf("(%s, t.id) %s (%s::smallint, %s)", col, cmp, arg(int16(*c.Int)), id))
		case f.Sort.Field == taskwire.SortTitle:
			where = append(where, fmt.Sprintf(`(%s, t.id) %s (lower(%s) COLLATE "C", %s)`, col, cmp, arg(*c.Str), id))
		default:
			where = append(where, fmt.Sprintf("(%s, t.id) %s (%s::timestamptz, %s)", col, cmp, arg(*c.Time), id))
		}
	}
	order := fmt.Sprintf("%s %s NULLS LAST, t.id %s", col, dir, dir)
	// Not arg(…) inside the return: Go leaves unspecified whether args is read before or
	// after that call appends to it, and go1.26 compiles it to a slice of dead stack.
	limit := arg(f.Limit + 1)
	return `SELECT ` + taskColumns + ` FROM tasks t WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + limit, args
}

func sortColumn(f taskwire.SortField) string {
	switch f {
	case taskwire.SortPriority:
		return "t.priority"
	case taskwire.SortCreatedAt:
		return "t.created_at"
	case taskwire.SortTitle:
		return `lower(t.title) COLLATE "C"`
	}
	return "t.due_at"
}

// Tags lists the user's tags with how many open tasks carry each.
func (s *TaskService) Tags(ctx context.Context) ([]taskwire.Tag, error) {
	tags := []taskwire.Tag{}
	err := readUser(ctx, s.db, `
		SELECT tag, count(*) FILTER (WHERE t.status = 'open')
		FROM tasks t CROSS JOIN LATERAL unnest(t.tags) AS tag
		WHERE t.user_id = $1
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
