package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// importStateSQL reads what an import must not repeat, once the user's row is locked
// (numbering tasks takes that lock): $2 are the ids in the file, $3 their numbers, $4
// their series. Each row is a kind and a value: "id" a task the user has (in the list or
// the trash), "number" a number in use, "series" a series' last place.
const importStateSQL = `
	SELECT 'id', t.id, NULL::bigint FROM tasks t WHERE t.user_id = $1 AND t.id = ANY($2)
	UNION ALL SELECT 'id', tr.task_id, NULL FROM trash tr WHERE tr.user_id = $1 AND tr.task_id = ANY($2)
	UNION ALL SELECT 'number', NULL, t.number FROM tasks t WHERE t.user_id = $1 AND t.number = ANY($3)
	UNION ALL SELECT 'number', NULL, tr.number FROM trash tr WHERE tr.user_id = $1 AND tr.number = ANY($3)
	UNION ALL SELECT 'series', t.series_id, max(t.series_index)::bigint FROM tasks t
		WHERE t.user_id = $1 AND t.series_id = ANY($4) GROUP BY t.series_id`

// placeImported gives the tasks of a file that carry no position (any but Taskwire's own
// export) one in the order they were made, ordered: each after the one before, even
// when a file gives them all one creation time, as files without such times do. Tasks
// with the same position would stand together wherever one of them is moved beside.
func placeImported(ordered []*taskwire.Task) {
	prev := ""
	for _, t := range ordered {
		if t.Position != "" {
			continue
		}
		t.Position = taskwire.PositionAt(t.CreatedAt)
		if t.Position <= prev {
			if next, err := taskwire.PositionBetween(prev, ""); err == nil {
				t.Position = next
			}
		}
		prev = t.Position
	}
}

// seriesShiftSQL and seriesOrderSQL number the tasks of the series $2 of user $1 again in
// the order they were made, when an import added an occurrence older than one the series
// had: left after it, the old one would hold the place that completing the open one
// makes its next, and none would come. Places are unique within a series at every row,
// so they move out of the way first.
const (
	seriesShiftSQL = `UPDATE tasks SET series_index = series_index + 1000000000 WHERE user_id = $1 AND series_id = ANY($2)`
	seriesOrderSQL = `
		UPDATE tasks t SET series_index = o.place
		FROM (SELECT id, row_number() OVER (PARTITION BY series_id ORDER BY created_at, number) AS place
			FROM tasks WHERE user_id = $1 AND series_id = ANY($2)) o
		WHERE t.id = o.id`
)

// ImportTasks adds tasks read from an export to the signed-in user's list, in one
// transaction, each with its task.created event: a task the user has already (by id, in
// the list or the trash) is left as it is, so that importing a file twice adds nothing the
// second time. A task keeps its id and its number, unless the user has a task by that
// number or it has none (0), when it takes the next; the user's next number comes after
// every number kept.
// A series' tasks, the ones it had included, are in the order they were created.
// Reminders whose time has passed are born fired. It returns how many tasks it added and how many were
// there already. A file in which another account holds an id of a task or reminder (the
// other account's export) is imported again with ids of the user's own
// (taskwire.Rekey), the same each time.
func (s *TaskService) ImportTasks(ctx context.Context, tasks []*taskwire.Task) (added, present int, err error) {
	again := cloneTasks(tasks)
	added, present, err = s.importTasks(ctx, tasks)
	if !errors.Is(err, errHeldElsewhere) {
		return added, present, err
	}
	taskwire.Rekey(again, taskwire.UserFromContext(ctx))
	added, present, err = s.importTasks(ctx, again)
	if errors.Is(err, errHeldElsewhere) {
		// Ids derived for this user that another account holds: only a file made for it.
		return 0, 0, taskwire.Errorf(taskwire.ECONFLICT, "a task or reminder of the file has an id another account holds")
	}
	return added, present, err
}

// errHeldElsewhere is importTasks' error when another account holds an id of the file.
var errHeldElsewhere = errors.New("an id of the file is another account's")

// cloneTasks copies tasks as far as importTasks changes them.
func cloneTasks(tasks []*taskwire.Task) []*taskwire.Task {
	out := make([]*taskwire.Task, len(tasks))
	for i, t := range tasks {
		c := *t
		c.Reminders = slices.Clone(t.Reminders)
		out[i] = &c
	}
	return out
}

// importTasks is ImportTasks with the file's ids as they are: errHeldElsewhere, and
// nothing added, when another account holds one.
func (s *TaskService) importTasks(ctx context.Context, tasks []*taskwire.Task) (added, present int, err error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return 0, 0, fmt.Errorf("import tasks: %w", err)
	}
	defer tx.close(ctx)
	user := tx.user
	ids, numbers, series := make([]uuid.UUID, len(tasks)), make([]int64, len(tasks)), []uuid.UUID{}
	for i, t := range tasks {
		ids[i], numbers[i] = t.ID, t.Number
		if t.SeriesID != nil {
			series = append(series, *t.SeriesID)
		}
	}
	b.Queue(`SELECT task_seq FROM users WHERE id = $1 FOR UPDATE`, user)
	b.Queue(importStateSQL, user, ids, numbers, series)
	br, err := tx.send(ctx, b)
	if err != nil {
		return 0, 0, fmt.Errorf("import tasks: %w", err)
	}
	var seq int64
	have, used, places := map[uuid.UUID]bool{}, map[int64]bool{}, map[uuid.UUID]int{}
	err = br.QueryRow().Scan(&seq)
	var rows pgx.Rows
	if err == nil {
		rows, err = br.Query()
	}
	if err == nil {
		for rows.Next() {
			var kind string
			var id *uuid.UUID
			var n *int64
			if err = rows.Scan(&kind, &id, &n); err != nil {
				break
			}
			switch kind {
			case "id":
				have[*id] = true
			case "number":
				used[*n] = true
			case "series":
				places[*id] = int(*n)
			}
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if closeErr := br.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("import tasks: %w", translate(err))
	}

	// What is new, each with its number: its own when free, else the next after all.
	var fresh []*taskwire.Task
	for _, t := range tasks {
		if have[t.ID] {
			present++
			continue
		}
		have[t.ID] = true // a task twice in the file is added once
		fresh = append(fresh, t)
	}
	var renumber []*taskwire.Task
	for _, t := range fresh {
		if t.Number == 0 || used[t.Number] {
			renumber = append(renumber, t)
			continue
		}
		used[t.Number] = true
		seq = max(seq, t.Number)
	}
	for _, t := range renumber {
		seq++
		t.Number = seq
	}
	// A series' new tasks take its next places in the order they were made; a series that
	// had tasks already is put in that order whole once they are in (seriesOrderSQL).
	ordered := slices.Clone(fresh)
	slices.SortStableFunc(ordered, func(a, b *taskwire.Task) int { return cmp.Compare(a.CreatedAt.UnixNano(), b.CreatedAt.UnixNano()) })
	index := map[uuid.UUID]int{}
	var mixed []uuid.UUID
	for _, t := range ordered {
		if t.SeriesID == nil {
			index[t.ID] = 1
			continue
		}
		if places[*t.SeriesID] > 0 && !slices.Contains(mixed, *t.SeriesID) {
			mixed = append(mixed, *t.SeriesID)
		}
		places[*t.SeriesID]++
		index[t.ID] = places[*t.SeriesID]
	}
	placeImported(ordered)

	now := s.now()
	b = &pgx.Batch{}
	var seqs []*int64
	freshIDs := make([]uuid.UUID, 0, len(fresh))
	for _, t := range fresh {
		freshIDs = append(freshIDs, t.ID)
		t.UserID = user
		at, err := queueTaskBack(b, user, t, index[t.ID], now)
		if err != nil {
			return 0, 0, fmt.Errorf("import tasks: %w", err)
		}
		seqs = append(seqs, at)
	}
	b.Queue(pastFiredSQL, user, now, freshIDs)
	if len(mixed) > 0 {
		b.Queue(seriesShiftSQL, user, mixed)
		b.Queue(seriesOrderSQL, user, mixed)
	}
	b.Queue(`UPDATE users SET task_seq = greatest(task_seq, $2) WHERE id = $1`, user, seq)
	if err := tx.commit(ctx, b); err != nil {
		// A task's id another account holds conflicts (23505); a reminder's, which the
		// insert would update, is beyond the policy's reach (42501).
		var pgErr *pgconn.PgError
		if taskwire.ErrorCode(err) == taskwire.ECONFLICT || errors.As(err, &pgErr) && pgErr.Code == "42501" {
			return 0, 0, errHeldElsewhere
		}
		return 0, 0, fmt.Errorf("import tasks: %w", err)
	}
	for _, at := range seqs {
		s.db.outboxWritten(user, *at)
	}
	return len(fresh), present, nil
}
