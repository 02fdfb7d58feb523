package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// trashSQL moves task $2 of user $1 into the trash, as $3 (its JSON) at $4, with its
// number and its place in its series, which restoring it needs.
const trashSQL = `
	WITH d AS (DELETE FROM tasks WHERE user_id = $1 AND id = $2 RETURNING id, number, series_index)
	INSERT INTO trash (task_id, user_id, number, series_index, task, deleted_at)
	SELECT d.id, $1, d.number, d.series_index, $3, $4 FROM d
	ON CONFLICT (task_id) DO UPDATE SET number = EXCLUDED.number, series_index = EXCLUDED.series_index,
		task = EXCLUDED.task, deleted_at = EXCLUDED.deleted_at`

// queueTrash queues what moves task t, deleted at now, into the trash.
func queueTrash(b *pgx.Batch, user string, t *taskwire.Task, now time.Time) error {
	doc, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode task: %w", err)
	}
	b.Queue(trashSQL, user, t.ID, doc, now)
	return nil
}

// trashRefClause returns the condition that finds a task of the trash by uuid or number,
// as $2.
func trashRefClause(ref string) (string, any, error) {
	_, arg, err := refClause(ref)
	if err != nil {
		return "", nil, err
	}
	if _, isID := arg.(uuid.UUID); isID {
		return "tr.task_id = $2", arg, nil
	}
	return "tr.number = $2", arg, nil
}

// Trash lists the signed-in user's deleted tasks, the latest deletion first, limit of
// them after cursor (the last of the previous page, or nil for the first).
func (s *TaskService) Trash(ctx context.Context, limit int, cursor *taskwire.Cursor) (*taskwire.TrashPage, error) {
	if limit < 1 || limit > taskwire.MaxLimit {
		limit = taskwire.DefaultLimit
	}
	user := taskwire.UserFromContext(ctx)
	query := `SELECT tr.task, tr.deleted_at FROM trash tr WHERE tr.user_id = $1
		ORDER BY tr.deleted_at DESC, tr.task_id DESC LIMIT $2`
	args := []any{user, limit + 1}
	if cursor != nil {
		query = `SELECT tr.task, tr.deleted_at FROM trash tr WHERE tr.user_id = $1
			AND (tr.deleted_at, tr.task_id) < ($3, $4)
		ORDER BY tr.deleted_at DESC, tr.task_id DESC LIMIT $2`
		args = append(args, *cursor.Time, cursor.ID)
	}
	page := &taskwire.TrashPage{Items: []taskwire.DeletedTask{}}
	err := readUser(ctx, s.db, query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			d, err := scanDeleted(rows, user)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", translate(err))
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		c := taskwire.Cursor{Sort: taskwire.TrashOrder.String(), Time: &last.DeletedAt, ID: last.Task.ID}
		page.NextCursor = c.Encode()
	}
	return page, nil
}

// scanDeleted reads a task of the trash: its JSON and when it was deleted.
func scanDeleted(row pgx.Row, user string) (taskwire.DeletedTask, error) {
	var d taskwire.DeletedTask
	var doc []byte
	if err := row.Scan(&doc, &d.DeletedAt); err != nil {
		return d, err
	}
	d.DeletedAt = d.DeletedAt.UTC()
	d.Task = &taskwire.Task{}
	if err := json.Unmarshal(doc, d.Task); err != nil {
		return d, fmt.Errorf("trash: task: %w", err)
	}
	d.Task.UserID = user
	return d, nil
}

// restoreSQL reads and locks task $2 of user $1 in the trash, with the number of the task
// that holds its place in its series now, if one does.
func restoreSQL(cond string) string {
	return `SELECT tr.task, tr.series_index,
		(SELECT t.number FROM tasks t WHERE t.user_id = $1 AND t.series_id = (tr.task->>'series_id')::uuid
			AND t.series_index = tr.series_index)
	FROM trash tr WHERE tr.user_id = $1 AND ` + cond + ` FOR UPDATE OF tr`
}

// queueDelete queues what moves locked task t of user into the trash, with its
// task.deleted event, whose outbox position it returns as queueEvent does.
func queueDelete(b *pgx.Batch, user string, t *taskwire.Task, now time.Time) (*int64, error) {
	if err := queueTrash(b, user, t, now); err != nil {
		return nil, err
	}
	b.Queue(lockOutboxSQL, user)
	return queueEvent(b, events.TypeTaskDeleted, user, t, nil, now)
}

// insertBackSQL puts a task back (from the trash, or from an export) with its id, number
// and place in its series.
const insertBackSQL = `
	INSERT INTO tasks (id, user_id, number, title, description, status, priority, tags, due_at, due_date,
		time_zone, recurrence, repeat_from, series_id, series_index, completed_at, created_at, updated_at, version,
		checklist, duration, position)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $19, $10, $11, $12, $13, $14, $15, $16, $17, $18, $20, $21, $22)`

// queueTaskBack queues what puts task t back at place index of its series, as it was:
// the task with its id and number, its reminders, and its task.created event, whose
// outbox position it returns as queueEvent does. Its reminders already past are the
// caller's to mark fired (one statement for many tasks).
func queueTaskBack(b *pgx.Batch, user string, t *taskwire.Task, index int, now time.Time) (*int64, error) {
	if t.Checklist == nil {
		t.Checklist = []taskwire.Step{} // deleted before tasks had checklists
	}
	placeNew(t)
	b.Queue(insertBackSQL, t.ID, user, t.Number, t.Title, t.Description, t.Status, t.Priority.Rank(), t.Tags,
		t.DueAt, t.TimeZone, t.Recurrence, t.RepeatFrom, t.SeriesID, index, t.CompletedAt, t.CreatedAt, t.UpdatedAt, t.Version,
		t.DueDate, t.Checklist, t.Duration, t.Position)
	queueReminderRows(b, user, t)
	return queueEvent(b, events.TypeTaskCreated, user, t, nil, now)
}

// pastFiredSQL marks the reminders of tasks $3 of user $1 due by $2 fired: put back, they
// would fire at once, late.
const pastFiredSQL = `UPDATE reminders SET fired_at = $2 WHERE user_id = $1 AND task_id = ANY($3) AND fire_at <= $2`

// RestoreTask puts the task with uuid or number ref back from the trash, as it was when
// it was deleted, with its id and number, one version later, and writes its task.created
// event. Its reminders whose time passed in the meantime are born fired, as they would
// fire at once, late; the others fire on time. A task that is not in the trash but exists
// (restored already) is returned as it is; one the user does not have is ENOTFOUND; one
// whose place in its series another occurrence took is ECONFLICT.
func (s *TaskService) RestoreTask(ctx context.Context, ref string) (*taskwire.Task, error) {
	tasks, _, err := s.restoreTasks(ctx, []string{ref})
	if err != nil {
		return nil, fmt.Errorf("restore task: %w", err)
	}
	return tasks[0], nil
}

// restoreTasks puts the tasks refs name back from the trash, as RestoreTask puts one, all
// in one transaction, or none when one of them cannot come back: then it returns the
// index of that ref with the error. It returns the tasks in the order of refs, a task
// named twice once. It takes two round trips, however many the tasks.
func (s *TaskService) restoreTasks(ctx context.Context, refs []string) ([]*taskwire.Task, int, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, -1, err
	}
	defer tx.close(ctx)
	user := tx.user
	for i, ref := range refs {
		cond, arg, err := trashRefClause(ref)
		if err != nil {
			return nil, i, err
		}
		taskCond, _, _ := refClause(ref)
		b.Queue(restoreSQL(cond), user, arg)
		b.Queue(`SELECT `+taskColumns+` FROM tasks t WHERE t.user_id = $1 AND `+taskCond, user, arg)
	}
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, -1, err
	}
	type back struct {
		task  *taskwire.Task
		index int // its place in its series
	}
	out := make([]*taskwire.Task, 0, len(refs))
	var backs []back
	seen := map[uuid.UUID]bool{}
	failed, failure := -1, error(nil)
	for i, ref := range refs {
		var doc []byte
		var index int
		var taken *int64
		trashErr := br.QueryRow().Scan(&doc, &index, &taken)
		present, presentErr := scanTask(br.QueryRow())
		if failure != nil {
			continue // read on: the batch's results come in order
		}
		var t *taskwire.Task
		switch {
		case errors.Is(trashErr, pgx.ErrNoRows) && presentErr == nil:
			t = present // restored already, or never deleted
		case errors.Is(trashErr, pgx.ErrNoRows) && errors.Is(presentErr, pgx.ErrNoRows):
			failed, failure = i, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q in the trash", ref)
		case trashErr != nil:
			failed, failure = i, translate(trashErr)
		default:
			t = &taskwire.Task{}
			if err := json.Unmarshal(doc, t); err != nil {
				failed, failure = i, fmt.Errorf("trash: task: %w", err)
			} else if taken != nil {
				failed, failure = i, taskwire.Errorf(taskwire.ECONFLICT,
					"task %d cannot go back into its series: task %d has its place now", t.Number, *taken)
			} else if !seen[t.ID] {
				backs = append(backs, back{t, index})
			}
		}
		if t != nil && !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	if err := br.Close(); err != nil {
		return nil, -1, translate(err)
	}
	if failure != nil {
		return nil, failed, failure
	}
	if len(backs) == 0 {
		return out, -1, nil
	}
	now := s.now()
	b = &pgx.Batch{}
	b.Queue(lockOutboxSQL, user)
	ids := make([]uuid.UUID, len(backs))
	seqs := make([]*int64, len(backs))
	for i, bk := range backs {
		t := bk.task
		t.UserID, t.UpdatedAt, t.Version = user, now, t.Version+1
		b.Queue(`DELETE FROM trash WHERE user_id = $1 AND task_id = $2`, user, t.ID)
		if seqs[i], err = queueTaskBack(b, user, t, bk.index, now); err != nil {
			return nil, -1, err
		}
		ids[i] = t.ID
	}
	b.Queue(pastFiredSQL, user, now, ids)
	if err := tx.commit(ctx, b); err != nil {
		return nil, -1, err
	}
	for _, seq := range seqs {
		s.db.outboxWritten(user, *seq)
	}
	return out, -1, nil
}

// PurgeTask removes the task with uuid or number ref from the trash for good; one that is
// not in it is ENOTFOUND. Its events stay, as every deleted task's do: they are its history.
func (s *TaskService) PurgeTask(ctx context.Context, ref string) error {
	cond, arg, err := trashRefClause(ref)
	if err != nil {
		return err
	}
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return err
	}
	defer tx.close(ctx)
	var purged bool
	b.Queue(`DELETE FROM trash tr WHERE tr.user_id = $1 AND `+cond+` RETURNING true`, tx.user, arg).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&purged); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	if err := tx.commit(ctx, b); err != nil {
		return fmt.Errorf("purge task: %w", err)
	}
	if !purged {
		return taskwire.Errorf(taskwire.ENOTFOUND, "no task %q in the trash", ref)
	}
	return nil
}

// EmptyTrash removes every task in the signed-in user's trash for good, and returns how
// many it removed; their histories stay.
func (s *TaskService) EmptyTrash(ctx context.Context) (int, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return 0, err
	}
	defer tx.close(ctx)
	var purged int
	b.Queue(`WITH purged AS (DELETE FROM trash WHERE user_id = $1 RETURNING 1) SELECT count(*) FROM purged`, tx.user).
		QueryRow(func(row pgx.Row) error { return row.Scan(&purged) })
	if err := tx.commit(ctx, b); err != nil {
		return 0, fmt.Errorf("empty trash: %w", err)
	}
	return purged, nil
}
