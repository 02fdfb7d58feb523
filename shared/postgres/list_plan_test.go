package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// A page of a big user's tasks reads about a page of them, in every sort and in both
// statuses at once: the listing walks an index and stops. A descending sort written
// NULLS LAST on a column without nulls, a sort by title, and a listing of both statuses
// read and sorted all of the user's tasks instead (0.2–0.8 s a page with 200 000).
func TestFindTasks_PageReadsAPage(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	MustInsertTasks(t, db, user, 3000)
	svc := postgres.NewTaskService(db)

	for _, status := range []string{"open", "completed", "all"} {
		for _, sort := range []string{"due_at", "-due_at", "priority", "-priority", "created_at", "-created_at", "title", "-title", "completed_at", "-completed_at", "position", "-position"} {
			s, err := taskwire.ParseSort(sort)
			require.NoError(t, err)
			f := taskwire.TaskFilter{Status: status, Sort: s, Limit: 50}
			query, args := postgres.ListQuery(user, f, time.Now())
			read := MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "tasks", query, args...)
			// At most a page from each range it is read from: two statuses, each with and
			// without a due date.
			assert.LessOrEqual(t, read, 4*(f.Limit+1), "status=%s sort=%s read %d of the user's tasks for a page of %d", status, sort, read, f.Limit)

			// Deep in the list, after 800 tasks, a page still reads about a page.
			deep := taskwire.TaskFilter{Status: status, Sort: s, Limit: 200}
			for range 4 {
				page, err := svc.FindTasks(ctx, deep)
				require.NoError(t, err)
				deep.Cursor, err = taskwire.ParseCursor(page.NextCursor, s)
				require.NoError(t, err)
			}
			deep.Limit = 50
			query, args = postgres.ListQuery(user, deep, time.Now())
			read = MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "tasks", query, args...)
			assert.LessOrEqual(t, read, 4*(deep.Limit+1), "status=%s sort=%s read %d of the user's tasks for a page of %d after 800", status, sort, read, deep.Limit)
		}
	}
}

// A search for a rare word, or a filter by a rare tag, looks its few matches up in the
// GIN indexes rather than reading every task of a big user: read from the table under
// row-level security it could not, and a page of a rare word read all of them (0.2–1.6 s
// with 100 000–200 000). A common word still walks the order's index and stops after a
// page, and another user's task with the same word and tag stays out of the results.
func TestFindTasks_RareWordOrTagLooksMatchesUp(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	_, other := MustNewUser(t, db)
	MustInsertTasks(t, db, other, 10)
	MustInsertTasks(t, db, user, 3000)
	for _, u := range []string{user, other} {
		_, err := db.Pool.Exec(ctx, `UPDATE tasks SET title = 'call the Zanzibar office', tags = '{travel}'
			WHERE user_id = $1 AND number = 7`, u)
		require.NoError(t, err)
	}
	_, err := db.Pool.Exec(ctx, `VACUUM ANALYZE tasks`)
	require.NoError(t, err)
	svc := postgres.NewTaskService(db)

	for _, f := range []taskwire.TaskFilter{
		{Query: "zanzibar"},
		{Query: "zanz"}, // as it is typed
		{Tags: []string{"travel"}},
		{Query: "zanzibar", Status: "all", Sort: taskwire.Sort{Field: taskwire.SortTitle, Desc: true}},
	} {
		f.Limit = 50
		if f.Status == "" {
			f.Status = "open"
		}
		page, err := svc.FindTasks(ctx, f)
		require.NoError(t, err)
		require.Len(t, page.Items, 1, "%+v: got %d tasks, want the user's one", f, len(page.Items))
		assert.Equal(t, int64(7), page.Items[0].Number)

		query, args := postgres.ListQuery(user, f, time.Now())
		read := MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "tasks", query, args...)
		assert.LessOrEqual(t, read, 10, "%+v: read %d tasks for one match", f, read)
	}

	common := taskwire.TaskFilter{Status: "open", Query: "task", Limit: 50}
	query, args := postgres.ListQuery(user, common, time.Now())
	read := MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "tasks", query, args...)
	assert.LessOrEqual(t, read, 2*(common.Limit+1), "a common word read %d tasks for a page of %d", read, common.Limit)
}

// Paging through a big user's tasks with the cursor visits every task once, in the
// listing's order, in every sort and status: the ranges a page is read from (both
// statuses; after a due date, the later ones and then those without) leave no gap.
func TestFindTasks_PagesVisitEachTaskOnce(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	MustInsertTasks(t, db, user, 1200)
	svc := postgres.NewTaskService(db)

	for _, status := range []string{"open", "completed", "all"} {
		for _, sort := range []string{"due_at", "-due_at", "priority", "-created_at", "title", "-title", "completed_at", "-completed_at", "position", "-position"} {
			s, err := taskwire.ParseSort(sort)
			require.NoError(t, err)
			col, dir := map[string]string{
				"due_at": "due_at", "priority": "priority", "created_at": "created_at", "title": `lower(title) COLLATE "C"`,
				"completed_at": "completed_at", "position": "position",
			}[strings.TrimPrefix(sort, "-")], "ASC"
			if s.Desc {
				dir = "DESC"
			}
			var want []uuid.UUID
			rows, err := db.Pool.Query(ctx, `SELECT id FROM tasks WHERE user_id = $1 AND ($2 = 'all' OR status = $2)
				ORDER BY `+col+` `+dir+` NULLS LAST, id `+dir, user, status)
			require.NoError(t, err)
			want, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			require.NoError(t, err)

			var got []uuid.UUID
			f := taskwire.TaskFilter{Status: status, Sort: s, Limit: 97}
			for pages := 0; ; pages++ {
				require.Less(t, pages, 100, "too many pages")
				page, err := svc.FindTasks(ctx, f)
				require.NoError(t, err)
				for _, task := range page.Items {
					got = append(got, task.ID)
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor, err = taskwire.ParseCursor(page.NextCursor, s)
				require.NoError(t, err)
			}
			assert.Equal(t, want, got, "status=%s sort=%s", status, sort)
		}
	}
}

// A page of the changes feed reads about a page of events, not every event of the user
// after the sync token (2 s a page with a million of them, and every page of a sync from
// the start read them all again).
func TestChanges_PageReadsAPage(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO outbox (id, user_id, type, source, subject, time, data, published_at)
		SELECT gen_random_uuid(), $1, $2, $3, 'task-' || (g % 4900), now(), '{}', now()
		FROM generate_series(1, 5000) g`, user, events.TypeTaskUpdated, events.SourceTasks)
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `ANALYZE outbox`)
	require.NoError(t, err)

	const limit = 50
	read := MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "outbox", postgres.ChangesSQL, user, events.SourceTasks, int64(0), limit+1)
	// The page walks the events in order, each looking for a later event of its task (the
	// first 100 have one, as 100 tasks changed twice), and stops after the page: not the
	// 5 000 events after the token.
	assert.Less(t, read, 1000, "read %d events for a page of %d", read, limit)
}

// A page of a long history reads about a page of its events, from the start, from the
// latest and deep in it, not every event of the task (which, each with the whole task,
// answered megabytes for a task changed thousands of times).
func TestHistory_PageReadsAPage(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO outbox (id, user_id, type, source, subject, time, data, published_at)
		SELECT gen_random_uuid(), $1, $2, $3, CASE WHEN g % 2 = 0 THEN 'long' ELSE 'task-' || g END, now(), '{}', now()
		FROM generate_series(1, 10000) g`, user, events.TypeTaskUpdated, events.SourceTasks)
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `ANALYZE outbox`)
	require.NoError(t, err)
	var middle int64
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT seq FROM outbox WHERE user_id = $1 AND subject = 'long' ORDER BY seq OFFSET 2500 LIMIT 1`, user).Scan(&middle))

	const limit = 50
	for _, newest := range []bool{false, true} {
		for _, cursor := range []int64{0, middle} {
			read := MustRowsReadAfter(t, db, postgres.PlannedScopeSQL, []any{user}, "outbox", postgres.HistorySQL(newest), user, events.SourceTasks, "long", cursor, limit+1)
			assert.LessOrEqual(t, read, 4*(limit+1), "newest=%v cursor=%d: read %d events for a page of %d", newest, cursor, read, limit)
		}
	}
}

// MustInsertTasks gives user n tasks straight in SQL, as a big account holds them: a
// third completed, every priority, half with a due date, titled "task" and three words of
// a thousand, a few common and most rare (w0 is in about one title of four, w999 in
// one of a thousand), and then VACUUMs and ANALYZEs the table, as autovacuum would.
func MustInsertTasks(tb testing.TB, db *postgres.DB, user string, n int) {
	tb.Helper()
	ctx := context.Background()
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO tasks (id, user_id, number, title, status, priority, due_at, time_zone, completed_at, created_at, updated_at, position)
		SELECT gen_random_uuid(), $1, g,
			'task ' || (SELECT string_agg('w' || floor(1000 * power((abs(hashtext(g || '/' || i)) % 10007) / 10007.0, 3))::int, ' ')
				FROM generate_series(1, 3) i),
			CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'open' END, g % 5,
			CASE WHEN g % 2 = 0 THEN now() + g * interval '1 hour' END, 'UTC',
			CASE WHEN g % 3 = 0 THEN now() - (g % 17) * interval '1 hour' END, now() - g * interval '1 minute', now(),
			'i' || lpad(((g * 7919) % 1000003)::text, 9, '0') -- in an order of their own
		FROM generate_series(1, $2::int) g`, user, n)
	require.NoError(tb, err)
	// VACUUM also moves the new entries of the GIN indexes out of their pending list, which
	// a lookup reads whole.
	_, err = db.Pool.Exec(ctx, `VACUUM ANALYZE tasks`)
	require.NoError(tb, err)
}
