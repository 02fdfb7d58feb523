package postgres_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// t0 is the tests' fixed "now".
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

func TestTaskService_CreateTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		due := time.Date(2026, 3, 5, 17, 30, 0, 0, time.UTC)
		at := time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)

		created := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title:       "  Write the report  ",
			Description: "Quarterly\nnumbers",
			Priority:    "high",
			Tags:        []string{"work"},
			DueAt:       rfc3339(due),
			TimeZone:    "Europe/Berlin",
			Reminders:   []taskwire.ReminderInput{{Before: ptr("PT15M")}, {At: rfc3339(at)}},
		})

		now := t0.Truncate(time.Microsecond)
		assert.NotEqual(t, uuid.Nil, created.ID, "got nil id, want one")
		assert.Equal(t, int64(1), created.Number, "got number %d, want 1", created.Number)
		assert.Equal(t, "Write the report", created.Title, "got title %q, want it trimmed", created.Title)
		assert.Equal(t, "Quarterly\nnumbers", created.Description)
		assert.Equal(t, taskwire.StatusOpen, created.Status)
		assert.Equal(t, taskwire.PriorityHigh, created.Priority)
		assert.Equal(t, []string{"work"}, created.Tags)
		require.NotNil(t, created.DueAt)
		assert.True(t, due.Equal(*created.DueAt), "got due_at %v, want %v", created.DueAt, due)
		assert.Equal(t, "Europe/Berlin", created.TimeZone)
		assert.Nil(t, created.Recurrence)
		assert.Equal(t, taskwire.RepeatFromSchedule, created.RepeatFrom)
		assert.Nil(t, created.CompletedAt)
		assert.True(t, now.Equal(created.CreatedAt), "got created_at %v, want %v", created.CreatedAt, now)
		assert.True(t, now.Equal(created.UpdatedAt), "got updated_at %v, want %v", created.UpdatedAt, now)
		assert.Equal(t, int64(1), created.Version)
		require.Len(t, created.Reminders, 2)
		assert.Equal(t, "PT15M", created.Reminders[0].Before)
		assert.Equal(t, due.Add(-15*time.Minute), *created.Reminders[0].FireAt)
		assert.Equal(t, at, *created.Reminders[1].At)
		assert.Equal(t, at, *created.Reminders[1].FireAt)

		// What the store hands back is what it keeps; only the owner, which a task read
		// never carries, differs.
		want := *created
		want.UserID = ""
		for _, ref := range []string{created.ID.String(), "1"} {
			got, err := svc.FindTask(ctx, ref)
			require.NoError(t, err, "find %s", ref)
			require.Equal(t, &want, got, "find %s: got the task read back differently", ref)
		}
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		svc := postgres.NewTaskService(db)
		f, err := taskwire.NewTask{Title: "nobody's"}.Fields()
		require.NoError(t, err)
		_, _, err = svc.CreateTask(context.Background(), f, taskwire.IdempotencyKey{})
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})

	t.Run("NumbersPerUser", func(t *testing.T) {
		svc := postgres.NewTaskService(db)
		ctxA, _ := MustNewUser(t, db)
		ctxB, _ := MustNewUser(t, db)
		var numbers []int64
		for i := range 3 {
			numbers = append(numbers, MustCreateTask(t, ctxA, svc, taskwire.NewTask{Title: fmt.Sprintf("a%d", i+1)}).Number)
			if i < 2 {
				numbers = append(numbers, MustCreateTask(t, ctxB, svc, taskwire.NewTask{Title: fmt.Sprintf("b%d", i+1)}).Number)
			}
		}
		require.Equal(t, []int64{1, 1, 2, 2, 3}, numbers, "got numbers %v (a and b interleaved), want each user counting from 1", numbers)

		got := MustFindTask(t, ctxA, svc, "2")
		assert.Equal(t, "a2", got.Title, "got task 2 of a titled %q, want a2", got.Title)
		got = MustFindTask(t, ctxB, svc, "2")
		assert.Equal(t, "b2", got.Title, "got task 2 of b titled %q, want b2", got.Title)
		_, err := svc.FindTask(ctxB, "3")
		requireCode(t, err, taskwire.ENOTFOUND)
	})

	t.Run("TagsNormalized", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		created := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "tagged", Tags: []string{"Work", " work ", "HOME", "home", "Errands"}})
		want := []string{"work", "home", "errands"}
		require.Equal(t, want, created.Tags)
		got := MustFindTask(t, ctx, svc, created.ID.String())
		require.Equal(t, want, got.Tags, "got tags %v, want %v", got.Tags, want)
	})

	t.Run("TimeZoneOfUser", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		_, err := postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"time_zone":"America/New_York"}`))
		require.NoError(t, err)
		svc := postgres.NewTaskService(db)
		created := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "zoned"})
		assert.Equal(t, "America/New_York", created.TimeZone)
		got := MustFindTask(t, ctx, svc, "1")
		assert.Equal(t, "America/New_York", got.TimeZone, "got time_zone %q, want the user's", got.TimeZone)

		explicit := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "zoned", TimeZone: "Asia/Tokyo"})
		assert.Equal(t, "Asia/Tokyo", explicit.TimeZone, "got time_zone %q, want the task's own", explicit.TimeZone)

		// With an Idempotency-Key too, whose claim goes first (with the zone's read, when
		// the task names none).
		for _, tc := range []struct{ zone, want string }{{"", "America/New_York"}, {"Asia/Tokyo", "Asia/Tokyo"}} {
			f, err := taskwire.NewTask{Title: "keyed", TimeZone: tc.zone}.Fields()
			require.NoError(t, err)
			keyed, replayed, err := svc.CreateTask(ctx, f, idempotencyKey("zone-"+tc.zone, []byte(tc.zone)))
			require.NoError(t, err)
			assert.False(t, replayed)
			assert.Equal(t, tc.want, keyed.TimeZone, "keyed, zone %q: got time_zone %q", tc.zone, keyed.TimeZone)
			got := MustFindTask(t, ctx, svc, keyed.ID.String())
			assert.Equal(t, tc.want, got.TimeZone, "keyed, zone %q: got time_zone %q stored", tc.zone, got.TimeZone)
		}
	})

	t.Run("TimeZoneUTC", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		created := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "unzoned"})
		got := MustFindTask(t, ctx, svc, created.ID.String())
		assert.Equal(t, "UTC", got.TimeZone, "got time_zone %q, want UTC", got.TimeZone)
	})

	t.Run("RelativeReminderAcrossDST", func(t *testing.T) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		// Clocks in Berlin went forward in the night to 29 March 2026 and back in the
		// night to 25 October 2026: "P1D" is a calendar day, so 23 or 25 hours there.
		for _, tc := range []struct {
			name string
			due  time.Time
			want time.Time
		}{
			{"DayOfSpringChange", time.Date(2026, 3, 29, 9, 0, 0, 0, berlin), time.Date(2026, 3, 28, 9, 0, 0, 0, berlin)},
			{"DayAfterSpringChange", time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), time.Date(2026, 3, 29, 9, 0, 0, 0, berlin)},
			{"DayOfAutumnChange", time.Date(2026, 10, 25, 9, 0, 0, 0, berlin), time.Date(2026, 10, 24, 9, 0, 0, 0, berlin)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx, _ := MustNewUser(t, db)
				svc := postgres.NewTaskService(db)
				created := MustCreateTask(t, ctx, svc, taskwire.NewTask{
					Title: "call", DueAt: rfc3339(tc.due), TimeZone: "Europe/Berlin",
					Reminders: []taskwire.ReminderInput{{Before: ptr("P1D")}},
				})
				got := MustFindTask(t, ctx, svc, created.ID.String())
				require.Len(t, got.Reminders, 1)
				fire := got.Reminders[0].FireAt
				require.NotNil(t, fire, "got no fire_at, want one")
				assert.True(t, tc.want.Equal(*fire), "got fire_at %v, want %v (09:00 in Berlin the day before)",
					fire.In(berlin), tc.want)
			})
		}
	})

	t.Run("SeriesID", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		recurring := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "standup", DueAt: rfc3339(t0), Recurrence: ptr("FREQ=WEEKLY;BYDAY=MO"),
		})
		got := MustFindTask(t, ctx, svc, recurring.ID.String())
		require.NotNil(t, got.SeriesID, "got no series_id, want the task's id")
		assert.Equal(t, recurring.ID, *got.SeriesID, "got series_id %v, want %v", *got.SeriesID, recurring.ID)
		require.NotNil(t, got.Recurrence)

		oneOff := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "once", DueAt: rfc3339(t0)})
		got = MustFindTask(t, ctx, svc, oneOff.ID.String())
		assert.Nil(t, got.SeriesID, "got series_id %v, want none", got.SeriesID)
		assert.Nil(t, got.Recurrence)
	})
}

func TestTaskService_Outbox(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "draft"})
		svc.Now = fixedClock(t0.Add(time.Minute))
		MustUpdateTask(t, ctx, svc, task.ID.String(), `{"title":"final"}`)
		svc.Now = fixedClock(t0.Add(2 * time.Minute))
		_, err := svc.SetStatus(ctx, "1", "", taskwire.StatusCompleted)
		require.NoError(t, err)
		svc.Now = fixedClock(t0.Add(3 * time.Minute))
		_, err = svc.SetStatus(ctx, "1", "", taskwire.StatusOpen)
		require.NoError(t, err)
		svc.Now = fixedClock(t0.Add(4 * time.Minute))
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))

		rows := MustListOutbox(t, db, user)
		wantTypes := []string{
			events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskCompleted,
			events.TypeTaskReopened, events.TypeTaskDeleted,
		}
		require.Equal(t, wantTypes, outboxTypes(rows), "got event types %v, want %v", outboxTypes(rows), wantTypes)
		for i, row := range rows {
			assert.Equal(t, events.SourceTasks, row.Source, "event %d: got source %q", i, row.Source)
			assert.Equal(t, task.ID.String(), row.Subject, "event %d: got subject %q, want the task id", i, row.Subject)
			at := t0.Add(time.Duration(i) * time.Minute).Truncate(time.Microsecond)
			assert.True(t, at.Equal(row.Time), "event %d: got time %v, want %v", i, row.Time, at)
			data := row.TaskData(t)
			assert.Equal(t, user, data.UserID, "event %d: got user_id %q, want %q", i, data.UserID, user)
			require.NotNil(t, data.Task, "event %d: got no task", i)
			assert.Equal(t, task.ID, data.Task.ID, "event %d: got task %v, want %v", i, data.Task.ID, task.ID)
			assert.Equal(t, task.Number, data.Task.Number, "event %d: got number %d, want %d", i, data.Task.Number, task.Number)
			assert.NotNil(t, data.Changes, "event %d: got changes null, want an object", i)
			row.RequireValidCloudEvent(t)
		}

		assert.Empty(t, rows[0].TaskData(t).Changes, "got changes on created, want none")
		assert.Equal(t, "draft", rows[0].TaskData(t).Task.Title)
		updated := rows[1].TaskData(t)
		assert.Equal(t, map[string]events.Change{"title": {Old: "draft", New: "final"}}, updated.Changes)
		assert.Equal(t, int64(2), updated.Task.Version)
		completed := rows[2].TaskData(t)
		assert.Equal(t, events.Change{Old: "open", New: "completed"}, completed.Changes["status"])
		assert.Contains(t, completed.Changes, "completed_at")
		assert.Equal(t, events.Change{Old: "completed", New: "open"}, rows[3].TaskData(t).Changes["status"])
		deleted := rows[4].TaskData(t)
		assert.Equal(t, "final", deleted.Task.Title, "got the deleted task titled %q, want it as it was", deleted.Task.Title)
		assert.Equal(t, int64(4), deleted.Task.Version)
	})

	t.Run("NoChange", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "same", Tags: []string{"work"}})

		for _, patch := range []string{`{"title":"same"}`, `{"tags":["Work"]}`, `{"status":"open"}`, `{}`} {
			got := MustUpdateTask(t, ctx, svc, task.ID.String(), patch)
			assert.Equal(t, int64(1), got.Version, "patch %s: got version %d, want 1", patch, got.Version)
		}
		got, err := svc.SetStatus(ctx, "1", "", taskwire.StatusOpen)
		require.NoError(t, err)
		assert.Equal(t, int64(1), got.Version)

		assert.Equal(t, int64(1), MustFindTask(t, ctx, svc, "1").Version, "got the version bumped, want 1")
		rows := MustListOutbox(t, db, user)
		assert.Equal(t, []string{events.TypeTaskCreated}, outboxTypes(rows), "got events %v, want only the creation", outboxTypes(rows))
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "keep"})

		_, err := svc.UpdateTask(ctx, "1", "", []byte(`{"title":"   "}`))
		requireCode(t, err, taskwire.EINVALID)
		_, err = svc.UpdateTask(ctx, "1", "", []byte(`{"title":"new","priority":"extreme"}`))
		requireCode(t, err, taskwire.EINVALID)

		got := MustFindTask(t, ctx, svc, "1")
		assert.Equal(t, "keep", got.Title)
		assert.Equal(t, int64(1), got.Version, "got version %d after failed updates, want 1", got.Version)
		rows := MustListOutbox(t, db, user)
		assert.Equal(t, []string{events.TypeTaskCreated}, outboxTypes(rows), "got events %v, want only the creation", outboxTypes(rows))
	})
}

func TestRowLevelSecurity(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctxA, a := MustNewUser(t, db)
	ctxB, b := MustNewUser(t, db)
	reminder := []taskwire.ReminderInput{{Before: ptr("PT10M")}}
	for i := range 2 {
		MustCreateTask(t, ctxA, svc, taskwire.NewTask{Title: fmt.Sprintf("a%d", i), DueAt: rfc3339(t0), Reminders: reminder})
	}
	for i := range 3 {
		MustCreateTask(t, ctxB, svc, taskwire.NewTask{Title: fmt.Sprintf("b%d", i), DueAt: rfc3339(t0), Reminders: reminder})
	}
	bTask := MustFindTask(t, ctxB, svc, "1")

	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct {
			user string
			want int
		}{{a, 2}, {b, 3}} {
			// user_tasks is the view a listing by words or tags reads: the table's owner's,
			// so the policy does not apply to it, and its own condition does the same.
			for _, table := range []string{"tasks", "user_tasks", "reminders", "outbox"} {
				got := scopedCount(t, db, tc.user, table)
				assert.Equal(t, tc.want, got, "user %s: got %d rows of %s, want %d", tc.user, got, table, tc.want)
			}
		}
		// A deleted task each, in the trash.
		for _, ctx := range []context.Context{ctxA, ctxB} {
			require.NoError(t, svc.DeleteTask(ctx, MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "deleted"}).ID.String(), ""))
		}
		// And a calendar feed and a saved filter each.
		feeds, users := postgres.NewCalendarService(db), postgres.NewUserService(db)
		for _, ctx := range []context.Context{ctxA, ctxB} {
			_, err := feeds.CreateCalendarFeed(ctx)
			require.NoError(t, err)
			_, err = users.CreateSavedFilter(ctx, "work", "tag=work")
			require.NoError(t, err)
		}
		for _, user := range []string{a, b} {
			assert.Equal(t, 1, scopedCount(t, db, user, "trash"), "user %s: rows of trash", user)
			assert.Equal(t, 1, scopedCount(t, db, user, "calendar_feeds"), "user %s: rows of calendar_feeds", user)
			assert.Equal(t, 1, scopedCount(t, db, user, "saved_filters"), "user %s: rows of saved_filters", user)
		}
		// Unscoped, the test's superuser sees both users' tasks: the filtering above is RLS.
		var all int
		require.NoError(t, db.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM tasks WHERE user_id = ANY($1)`, []string{a, b}).Scan(&all))
		require.Equal(t, 5, all)
	})

	t.Run("NoUser", func(t *testing.T) {
		for _, table := range []string{"tasks", "user_tasks", "reminders", "outbox", "users", "idempotency_keys", "trash", "calendar_feeds", "saved_filters"} {
			got := scopedCount(t, db, "", table)
			assert.Zero(t, got, "got %d rows of %s with no user set, want 0", got, table)
		}
	})

	t.Run("InsertForOtherUser", func(t *testing.T) {
		ctx := context.Background()
		insert := `INSERT INTO tasks (id, user_id, number, title, time_zone, created_at, updated_at, position)
			VALUES ($1, $2, 1000, 'planted', 'UTC', now(), now(), 'a0')`

		tx, err := db.Pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		mustScope(t, tx, a)
		_, err = tx.Exec(ctx, insert, uuid.New(), b)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr, "got %v, want a PostgreSQL error", err)
		assert.Equal(t, "42501", pgErr.Code, "got SQLSTATE %s (%s), want 42501", pgErr.Code, pgErr.Message)
		assert.Contains(t, pgErr.Message, "row-level security")
		require.NoError(t, tx.Rollback(ctx))

		// The same row for the scoped user goes in: the refusal above is the policy's.
		tx, err = db.Pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		mustScope(t, tx, a)
		_, err = tx.Exec(ctx, insert, uuid.New(), a)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback(ctx))
	})

	// The view reads as its owner, past the policy: the app role may not write through it.
	t.Run("ViewOnlyReads", func(t *testing.T) {
		ctx := context.Background()
		for _, write := range []string{
			`UPDATE user_tasks SET title = 'taken'`,
			`DELETE FROM user_tasks`,
			`INSERT INTO user_tasks (id, user_id, number, title, time_zone, created_at, updated_at)
				VALUES (gen_random_uuid(), '` + b + `', 1000, 'planted', 'UTC', now(), now())`,
		} {
			tx, err := db.Pool.Begin(ctx)
			require.NoError(t, err)
			mustScope(t, tx, a)
			_, err = tx.Exec(ctx, write)
			var pgErr *pgconn.PgError
			require.ErrorAs(t, err, &pgErr, "%s: got %v, want a PostgreSQL error", write, err)
			assert.Equal(t, "42501", pgErr.Code, "%s: got SQLSTATE %s (%s), want 42501", write, pgErr.Code, pgErr.Message)
			require.NoError(t, tx.Rollback(ctx))
		}
		assert.Equal(t, "b0", MustFindTask(t, ctxB, svc, bTask.ID.String()).Title)
	})

	t.Run("UpdateOtherUser", func(t *testing.T) {
		ctx := context.Background()
		tx, err := db.Pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		mustScope(t, tx, a)
		tag, err := tx.Exec(ctx, `UPDATE tasks SET title = 'taken' WHERE id = $1`, bTask.ID)
		require.NoError(t, err)
		assert.Zero(t, tag.RowsAffected(), "got %d rows of b updated under a's scope, want 0", tag.RowsAffected())
		tag, err = tx.Exec(ctx, `DELETE FROM tasks WHERE id = $1`, bTask.ID)
		require.NoError(t, err)
		assert.Zero(t, tag.RowsAffected(), "got %d rows of b deleted under a's scope, want 0", tag.RowsAffected())
		require.NoError(t, tx.Commit(ctx))
		assert.Equal(t, "b0", MustFindTask(t, ctxB, svc, bTask.ID.String()).Title)
	})
}

func TestTaskService_CreateTask_Idempotency(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	body := []byte(`{"title":"pay rent"}`)
	f, err := taskwire.NewTask{Title: "pay rent"}.Fields()
	require.NoError(t, err)

	t.Run("Replay", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		key := idempotencyKey("key-1", body)

		first, replayed, err := svc.CreateTask(ctx, f, key)
		require.NoError(t, err)
		assert.False(t, replayed, "got replayed on the first request, want false")
		second, replayed, err := svc.CreateTask(ctx, f, key)
		require.NoError(t, err)
		assert.True(t, replayed, "got replayed false on the repeat, want true")
		assert.Equal(t, first.ID, second.ID, "got task %v on the repeat, want %v", second.ID, first.ID)
		assert.Equal(t, first.Number, second.Number)
		assert.Equal(t, first.Title, second.Title)

		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user), "got several tasks, want 1")
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, user), "got several events, want 1")

		// The repeat did not use up a number.
		third := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "next"})
		assert.Equal(t, int64(2), third.Number, "got number %d after a replay, want 2", third.Number)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		_, _, err := svc.CreateTask(ctx, f, idempotencyKey("key-1", body))
		require.NoError(t, err)

		other, err := taskwire.NewTask{Title: "pay rent twice"}.Fields()
		require.NoError(t, err)
		_, _, err = svc.CreateTask(ctx, other, idempotencyKey("key-1", []byte(`{"title":"pay rent twice"}`)))
		requireCode(t, err, taskwire.EINVALID)
		assert.Equal(t, "Idempotency-Key", taskwire.ErrorField(err))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, user))
	})

	t.Run("ExpiredKeyIsFree", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		first, _, err := svc.CreateTask(ctx, f, idempotencyKey("key-1", body))
		require.NoError(t, err)
		_, _, err = svc.CreateTask(ctx, f, idempotencyKey("key-2", body))
		require.NoError(t, err)
		_, err = db.Pool.Exec(context.Background(), `UPDATE idempotency_keys SET created_at = now() - $2::interval
			WHERE user_id = $1`, user, postgres.IdempotencyKeyTTL+time.Minute)
		require.NoError(t, err)

		again, replayed, err := svc.CreateTask(ctx, f, idempotencyKey("key-1", body))
		require.NoError(t, err)
		assert.False(t, replayed, "a key older than a day is free again")
		assert.NotEqual(t, first.ID, again.ID)
		assert.Equal(t, 3, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user))
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM idempotency_keys WHERE user_id = $1`, user),
			"the user's expired keys are gone; the new claim is kept")
		_, replayed, err = svc.CreateTask(ctx, f, idempotencyKey("key-1", body))
		require.NoError(t, err)
		assert.True(t, replayed, "the key claimed again is remembered again")
	})

	t.Run("ExpiryReadsOnlyExpired", func(t *testing.T) {
		// A keyed create deletes the user's expired keys; it reads those, not every key
		// the user still holds.
		_, user := MustNewUser(t, db)
		ctx := context.Background()
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
			SELECT $1, 'key-' || i, '\x00', now() - CASE WHEN i <= 3 THEN $2::interval ELSE '1 minute' END
			FROM generate_series(1, 300) AS i`, user, postgres.IdempotencyKeyTTL+time.Hour)
		require.NoError(t, err)
		_, err = db.Pool.Exec(ctx, `ANALYZE idempotency_keys`)
		require.NoError(t, err)

		read := MustRowsRead(t, db, "idempotency_keys", postgres.ExpireKeysSQL, user, postgres.IdempotencyKeyTTL)
		assert.Equal(t, 3, read, "got %d keys read to delete the 3 expired of 300, want 3", read)
	})

	t.Run("KeyPerUser", func(t *testing.T) {
		ctxA, _ := MustNewUser(t, db)
		ctxB, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		key := idempotencyKey("shared-key", body)
		a, _, err := svc.CreateTask(ctxA, f, key)
		require.NoError(t, err)
		b, replayed, err := svc.CreateTask(ctxB, f, key)
		require.NoError(t, err)
		assert.False(t, replayed, "got b's request replayed from a's key, want a task of its own")
		assert.NotEqual(t, a.ID, b.ID)
	})

	t.Run("Concurrent", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		key := idempotencyKey("key-concurrent", body)

		const n = 8
		type result struct {
			id       uuid.UUID
			replayed bool
			err      error
		}
		results := make([]result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				task, replayed, err := svc.CreateTask(ctx, f, key)
				results[i] = result{replayed: replayed, err: err}
				if task != nil {
					results[i].id = task.ID
				}
			})
		}
		close(start)
		wg.Wait()

		firsts := 0
		for i, r := range results {
			require.NoError(t, r.err, "request %d", i)
			assert.Equal(t, results[0].id, r.id, "request %d: got task %v, want %v", i, r.id, results[0].id)
			if !r.replayed {
				firsts++
			}
		}
		assert.Equal(t, 1, firsts, "got %d requests that created, want 1", firsts)
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM tasks WHERE user_id = $1`, user), "got several tasks, want 1")
		assert.Equal(t, 1, countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, user), "got several events, want 1")
	})
}

func TestTaskService_UpdateTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("IfMatch", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "v1"})

		got, err := svc.UpdateTask(ctx, task.ID.String(), `"1"`, []byte(`{"title":"v2"}`))
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version, "got version %d, want 2", got.Version)
		assert.Equal(t, `"2"`, got.ETag())

		_, err = svc.UpdateTask(ctx, task.ID.String(), `"1"`, []byte(`{"title":"lost update"}`))
		requireCode(t, err, taskwire.EPRECONDITION)
		assert.Equal(t, "v2", MustFindTask(t, ctx, svc, "1").Title)

		got, err = svc.UpdateTask(ctx, "1", `*`, []byte(`{"title":"v3"}`))
		require.NoError(t, err)
		assert.Equal(t, "v3", got.Title)
		assert.Equal(t, int64(3), got.Version)

		got, err = svc.UpdateTask(ctx, "1", `W/"3"`, []byte(`{"title":"v4"}`))
		require.NoError(t, err)
		assert.Equal(t, int64(4), got.Version)
	})

	t.Run("StatusCompletes", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "done soon"})

		got := MustUpdateTask(t, ctx, svc, "1", `{"status":"completed"}`)
		assert.Equal(t, taskwire.StatusCompleted, got.Status)
		require.NotNil(t, got.CompletedAt)
		assert.True(t, t0.Truncate(time.Microsecond).Equal(*got.CompletedAt))
		rows := MustListOutbox(t, db, user)
		want := []string{events.TypeTaskCreated, events.TypeTaskCompleted}
		assert.Equal(t, want, outboxTypes(rows), "got events %v, want %v", outboxTypes(rows), want)

		got = MustUpdateTask(t, ctx, svc, "1", `{"completed":false,"title":"not yet"}`)
		assert.Equal(t, taskwire.StatusOpen, got.Status)
		assert.Nil(t, got.CompletedAt)
		rows = MustListOutbox(t, db, user)
		want = append(want, events.TypeTaskReopened)
		assert.Equal(t, want, outboxTypes(rows), "got events %v, want %v", outboxTypes(rows), want)
	})

	t.Run("ErrInvalidDueCleared", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "remind me", DueAt: rfc3339(t0), Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}},
		})
		_, err := svc.UpdateTask(ctx, "1", "", []byte(`{"due_at":null}`))
		requireCode(t, err, taskwire.EINVALID)
		assert.Equal(t, "due_at", taskwire.ErrorField(err))
		got := MustFindTask(t, ctx, svc, "1")
		require.NotNil(t, got.DueAt, "got due_at cleared, want it kept")
		assert.Equal(t, int64(1), got.Version)
	})

	t.Run("DueMovesReminders", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		due := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		at := time.Date(2026, 3, 9, 18, 0, 0, 0, time.UTC)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "dentist", DueAt: rfc3339(due),
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT1H")}, {At: rfc3339(at)}},
		})
		// Both reminders have fired.
		_, err := db.Pool.Exec(context.Background(), `UPDATE reminders SET fired_at = $2 WHERE task_id = $1`, task.ID, at)
		require.NoError(t, err)

		moved := due.Add(48 * time.Hour)
		got := MustUpdateTask(t, ctx, svc, "1", fmt.Sprintf(`{"due_at":%q}`, moved.Format(time.RFC3339)))
		require.Len(t, got.Reminders, 2)
		for i := range got.Reminders {
			assert.Equal(t, task.Reminders[i].ID, got.Reminders[i].ID, "reminder %d: got a new id, want it kept", i)
		}
		got = MustFindTask(t, ctx, svc, "1")
		require.Len(t, got.Reminders, 2)
		assert.Equal(t, task.Reminders[0].ID, got.Reminders[0].ID)
		assert.Equal(t, moved.Add(-time.Hour), *got.Reminders[0].FireAt, "got fire_at %v, want an hour before the new due date", got.Reminders[0].FireAt)
		assert.Equal(t, task.Reminders[1].ID, got.Reminders[1].ID)
		assert.Equal(t, at, *got.Reminders[1].FireAt, "got the absolute reminder moved to %v, want %v", got.Reminders[1].FireAt, at)

		// The moved reminder fires again; the absolute one, which did not move, does not.
		fired := map[uuid.UUID]*time.Time{}
		rows, err := db.Pool.Query(context.Background(), `SELECT id, fired_at FROM reminders WHERE task_id = $1`, task.ID)
		require.NoError(t, err)
		for rows.Next() {
			var id uuid.UUID
			var at *time.Time
			require.NoError(t, rows.Scan(&id, &at))
			fired[id] = at
		}
		require.NoError(t, rows.Err())
		assert.Nil(t, fired[task.Reminders[0].ID], "got the moved reminder marked fired, want it armed again")
		assert.NotNil(t, fired[task.Reminders[1].ID], "got the unmoved reminder armed again, want it left fired")
	})

	t.Run("ReplaceReminders", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		due := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "flight", DueAt: rfc3339(due),
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}, {At: rfc3339(due.Add(-24 * time.Hour))}},
		})

		got := MustUpdateTask(t, ctx, svc, "1", `{"reminders":[{"before":"PT3H"},{"before":"PT15M"}]}`)
		require.Len(t, got.Reminders, 2)
		assert.Equal(t, "PT3H", got.Reminders[0].Before)
		assert.NotContains(t, []uuid.UUID{task.Reminders[0].ID, task.Reminders[1].ID}, got.Reminders[0].ID, "got an old id for a new reminder")
		assert.Equal(t, due.Add(-3*time.Hour), *got.Reminders[0].FireAt)
		assert.Equal(t, task.Reminders[0].ID, got.Reminders[1].ID, "got a new id for the kept PT15M reminder, want the old one")

		found := MustFindTask(t, ctx, svc, "1")
		assert.Equal(t, got.Reminders, found.Reminders, "got reminders %+v stored, want %+v", found.Reminders, got.Reminders)
		assert.Equal(t, 2, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, task.ID))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE id = $1`, task.Reminders[1].ID), "got the dropped reminder kept")

		got = MustUpdateTask(t, ctx, svc, "1", `{"reminders":[]}`)
		assert.Empty(t, got.Reminders)
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, task.ID), "got reminders left after clearing them")
	})

	t.Run("RemindersLeftAlone", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		due := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "dentist", DueAt: rfc3339(due), Reminders: []taskwire.ReminderInput{{Before: ptr("PT1H")}},
		})
		// xmin names the transaction that wrote a row's version: a rewrite changes it.
		version := func() string {
			t.Helper()
			var xmin string
			require.NoError(t, db.Pool.QueryRow(context.Background(),
				`SELECT xmin::text FROM reminders WHERE task_id = $1`, task.ID).Scan(&xmin))
			return xmin
		}
		before := version()

		got := MustUpdateTask(t, ctx, svc, "1", `{"title":"dentist at 9","priority":"high","tags":["health"]}`)
		assert.Equal(t, task.Reminders, got.Reminders)
		assert.Equal(t, before, version(), "got the reminder's row rewritten by a change that leaves it alone")

		// Completing the task, moving its due date and editing its reminders do change them.
		for _, change := range []func(){
			func() { MustSetStatus(t, ctx, svc, task.ID, taskwire.StatusCompleted) },
			func() { MustSetStatus(t, ctx, svc, task.ID, taskwire.StatusOpen) },
			func() { MustUpdateTask(t, ctx, svc, "1", `{"due_at":"2026-03-11T09:00:00Z"}`) },
			func() { MustUpdateTask(t, ctx, svc, "1", `{"reminders":[{"before":"PT2H"}]}`) },
		} {
			change()
			after := version()
			assert.NotEqual(t, before, after, "got the reminder's row left as it was by a change of it")
			before = after
		}
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "x"})
		_, err := svc.UpdateTask(ctx, "1", "", []byte(`{"owner":"mallory"}`))
		requireCode(t, err, taskwire.EMALFORMED)
	})
}

func TestTaskService_SetStatus(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("CompleteTwice", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "once"})

		first, err := svc.SetStatus(ctx, task.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		assert.Equal(t, taskwire.StatusCompleted, first.Status)
		require.NotNil(t, first.CompletedAt, "got no completed_at, want one")
		assert.True(t, t0.Truncate(time.Microsecond).Equal(*first.CompletedAt))

		svc.Now = fixedClock(t0.Add(time.Hour))
		second, err := svc.SetStatus(ctx, task.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		assert.Equal(t, first.Version, second.Version, "got version %d on the repeat, want %d", second.Version, first.Version)
		assert.Equal(t, first.CompletedAt, second.CompletedAt, "got completed_at moved by the repeat")
		n := countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`, user, events.TypeTaskCompleted)
		assert.Equal(t, 1, n, "got %d completed events, want 1", n)
	})

	t.Run("Reopen", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "again", Completed: ptr(true)})
		require.NotNil(t, MustFindTask(t, ctx, svc, "1").CompletedAt, "got a task created completed without completed_at")

		got, err := svc.SetStatus(ctx, "1", "", taskwire.StatusOpen)
		require.NoError(t, err)
		assert.Equal(t, taskwire.StatusOpen, got.Status)
		assert.Nil(t, got.CompletedAt)
		found := MustFindTask(t, ctx, svc, "1")
		assert.Equal(t, taskwire.StatusOpen, found.Status)
		assert.Nil(t, found.CompletedAt, "got completed_at %v after reopening, want none", found.CompletedAt)
	})

	t.Run("Toggle", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "flip"})
		for i, want := range []taskwire.Status{taskwire.StatusCompleted, taskwire.StatusOpen, taskwire.StatusCompleted} {
			got, err := svc.ToggleTask(ctx, "1")
			require.NoError(t, err)
			assert.Equal(t, want, got.Status, "toggle %d: got %s, want %s", i+1, got.Status, want)
			assert.Equal(t, want == taskwire.StatusCompleted, got.CompletedAt != nil, "toggle %d: got completed_at %v", i+1, got.CompletedAt)
			assert.Equal(t, int64(i+2), got.Version)
			assert.Equal(t, want, MustFindTask(t, ctx, svc, "1").Status)
		}
	})
}

func TestTaskService_DeleteTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "gone", DueAt: rfc3339(t0), Reminders: []taskwire.ReminderInput{{Before: ptr("PT5M")}, {Before: ptr("PT1H")}},
		})
		require.Equal(t, 2, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, task.ID))

		require.NoError(t, svc.DeleteTask(ctx, task.ID.String(), `"1"`))
		_, err := svc.FindTask(ctx, task.ID.String())
		requireCode(t, err, taskwire.ENOTFOUND)
		_, err = svc.FindTask(ctx, "1")
		requireCode(t, err, taskwire.ENOTFOUND)
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM tasks WHERE id = $1`, task.ID))
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM reminders WHERE task_id = $1`, task.ID), "got reminders left after deleting their task")

		err = svc.DeleteTask(ctx, task.ID.String(), "")
		requireCode(t, err, taskwire.ENOTFOUND)
	})

	t.Run("ErrPrecondition", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "kept"})
		MustUpdateTask(t, ctx, svc, "1", `{"title":"kept still"}`)
		err := svc.DeleteTask(ctx, "1", `"1"`)
		requireCode(t, err, taskwire.EPRECONDITION)
		MustFindTask(t, ctx, svc, "1")
	})

	t.Run("ErrNotFoundOtherUser", func(t *testing.T) {
		ctxA, _ := MustNewUser(t, db)
		ctxB, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctxA, svc, taskwire.NewTask{Title: "mine"})

		for _, ref := range []string{task.ID.String(), "1"} {
			err := svc.DeleteTask(ctxB, ref, "")
			requireCode(t, err, taskwire.ENOTFOUND)
		}
		got := MustFindTask(t, ctxA, svc, task.ID.String())
		assert.Equal(t, "mine", got.Title, "got the owner's task gone, want it kept")
	})
}

func TestTaskService_OtherUsersTask(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctxA, _ := MustNewUser(t, db)
	ctxB, userB := MustNewUser(t, db)
	for i := range 3 {
		MustCreateTask(t, ctxA, svc, taskwire.NewTask{Title: fmt.Sprintf("a%d", i+1)})
	}
	task := MustFindTask(t, ctxA, svc, "3")
	MustCreateTask(t, ctxB, svc, taskwire.NewTask{Title: "b1"}) // b has a number 1, not a 3

	for _, tc := range []struct{ name, ref string }{
		{"ErrNotFoundByID", task.ID.String()},
		{"ErrNotFoundByNumber", "3"},
	} {
		ref := tc.ref
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.FindTask(ctxB, ref)
			requireCode(t, err, taskwire.ENOTFOUND)
			_, err = svc.UpdateTask(ctxB, ref, "", []byte(`{"title":"taken"}`))
			requireCode(t, err, taskwire.ENOTFOUND)
			_, err = svc.UpdateTask(ctxB, ref, "*", []byte(`{"title":"taken"}`))
			requireCode(t, err, taskwire.ENOTFOUND)
			_, err = svc.SetStatus(ctxB, ref, "", taskwire.StatusCompleted)
			requireCode(t, err, taskwire.ENOTFOUND)
			_, err = svc.ToggleTask(ctxB, ref)
			requireCode(t, err, taskwire.ENOTFOUND)
		})
	}

	got := MustFindTask(t, ctxA, svc, task.ID.String())
	assert.Equal(t, "a3", got.Title)
	assert.Equal(t, taskwire.StatusOpen, got.Status)
	assert.Equal(t, int64(1), got.Version, "got a's task changed by b, want version 1")
	n := countRows(t, db, `SELECT count(*) FROM outbox WHERE user_id = $1`, userB)
	assert.Equal(t, 1, n, "got %d events for b, want only its own creation", n)

	t.Run("ErrNotFoundBadRef", func(t *testing.T) {
		for _, ref := range []string{"0", "-1", "abc", ""} {
			_, err := svc.FindTask(ctxA, ref)
			requireCode(t, err, taskwire.ENOTFOUND)
		}
	})
}

func TestTaskService_FindTasks(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("Status", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "open 1"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "open 2"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "done", Completed: ptr(true)})

		for _, tc := range []struct {
			status string
			want   []string
		}{
			{"open", []string{"open 1", "open 2"}},
			{"completed", []string{"done"}},
			{"all", []string{"done", "open 1", "open 2"}},
		} {
			got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Status: tc.status})
			assert.Equal(t, tc.want, got, "status %s: got %v, want %v", tc.status, got, tc.want)
		}
	})

	t.Run("NoFilters", func(t *testing.T) {
		// A listing whose only parameters are the user and the limit.
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "one"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "two", Completed: ptr(true)})
		for _, status := range []string{"all", ""} {
			page, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: status, Sort: taskwire.Sort{Field: taskwire.SortCreatedAt}, Limit: 50})
			require.NoError(t, err, "status %q", status)
			assert.Len(t, page.Items, 2, "status %q: got %d tasks, want 2", status, len(page.Items))
		}
	})

	t.Run("Priority", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		for _, p := range []string{"none", "low", "medium", "high", "urgent"} {
			MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: p, Priority: p})
		}
		got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Priorities: []taskwire.Priority{taskwire.PriorityHigh, taskwire.PriorityUrgent}})
		assert.Equal(t, []string{"high", "urgent"}, got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Priorities: []taskwire.Priority{taskwire.PriorityNone}})
		assert.Equal(t, []string{"none"}, got)
	})

	t.Run("Tags", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "work urgent", Tags: []string{"work", "urgent"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "work", Tags: []string{"Work"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "home", Tags: []string{"home"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "untagged"})

		for _, tc := range []struct {
			tags []string
			want []string
		}{
			{[]string{"work"}, []string{"work", "work urgent"}},
			{[]string{"work", "urgent"}, []string{"work urgent"}},
			{[]string{"work", "home"}, nil},
			{[]string{"garden"}, nil},
		} {
			got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Tags: tc.tags})
			assert.Equal(t, tc.want, got, "tags %v: got %v, want %v", tc.tags, got, tc.want)
		}
	})

	t.Run("Query", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Buy groceries"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Saturday errands", Description: "drop by the grocery store on the way back"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Call the bank", Description: "about the mortgage"})

		got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "groceries"})
		assert.Equal(t, []string{"Buy groceries", "Saturday errands"}, got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "mortgages"})
		assert.Equal(t, []string{"Call the bank"}, got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "groceries -store"})
		assert.Equal(t, []string{"Buy groceries"}, got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "dentist"})
		assert.Empty(t, got)
	})

	t.Run("QueryAsTyped", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Buy groceries"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Go running", Description: "before the rain"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Mow the lawn"})

		// Every prefix of a word finds its task while the word is being typed, including
		// those that are not a prefix of the word's stem ("runn", stem "run").
		for _, typed := range []string{"g", "gr", "groc", "grocerie", "groceries", "Buy gro"} {
			got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: typed})
			assert.Contains(t, got, "Buy groceries", "search %q", typed)
		}
		for _, typed := range []string{"r", "ru", "run", "runn", "runni", "running", "RUNN", "go runn"} {
			got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: typed})
			assert.Equal(t, []string{"Go running"}, got, "search %q", typed)
		}
		// The description's words too, quotes keep a phrase's order, and a word that no
		// task has a word starting with finds nothing.
		assert.Equal(t, []string{"Go running"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "rai"}))
		assert.Equal(t, []string{"Mow the lawn"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: `"mow the la"`}))
		assert.Empty(t, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: `"lawn mow"`}))
		assert.Empty(t, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "lawnmower"}))
		assert.Equal(t, []string{"Buy groceries", "Mow the lawn"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "groc or law"}))
		assert.Equal(t, []string{"Buy groceries"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "g -go"}))
	})

	// A phrase is found within a title, a description or a step, never across two of them
	// (until 2026-12-06 "green tea" found a task titled "Buy green" described "tea
	// leaves"); a word is found in any of them, the title's weighing most.
	t.Run("PhraseWithinAField", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Buy green", Description: "tea leaves",
			Checklist: taskwire.ChecklistInput{{Text: "milk"}, {Text: "bread"}}})
		for _, q := range []string{`"green tea"`, `"leaves milk"`, `"milk bread"`, `"gree tea"`} {
			assert.Empty(t, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: q}), "search %s", q)
		}
		for _, q := range []string{`"buy green"`, `"tea leaves"`, "green", "leav", "bread", `"buy gre"`} {
			assert.Equal(t, []string{"Buy green"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: q}), "search %s", q)
		}
		var weights string
		require.NoError(t, db.Pool.QueryRow(context.Background(),
			`SELECT search::text FROM tasks WHERE title = 'Buy green'`).Scan(&weights))
		assert.Equal(t, "'bread':9B 'buy':1A 'green':2A 'leav':5B 'milk':7B 'tea':4B", weights, "the title's words weigh A")
	})

	t.Run("QueryWithoutAccents", func(t *testing.T) {
		// Accents and their absence find each other, in either direction.
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Café with Zoë", Description: "crème brûlée at the Straße"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Resume review"})
		for _, q := range []string{"cafe", "CAFÉ", "zoe", "creme brul", `"creme brulee"`, "strasse"} {
			assert.Equal(t, []string{"Café with Zoë"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: q}), "search %q", q)
		}
		assert.Equal(t, []string{"Resume review"}, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: "résumé"}))
	})

	t.Run("QuerySyntaxNeverFails", func(t *testing.T) {
		// Whatever people type is words to look for: characters of tsquery's own syntax,
		// quotes, backslashes and lone operators neither fail nor match by accident.
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: `Email ops@example.com about "it's done" \ C++`})
		for _, q := range []string{
			`'`, `''`, `'''`, `\`, `\'`, `a\'b`, `:*`, `x:*`, `a:b`, `&`, `|`, `!`, `!!x`, `<->`, `a <2> b`,
			`(`, `)`, `"`, `"""`, `-`, `- -`, `or`, `or or`, `-or`, `it's`, `'c++'`, `🙂`, `ß`, `\\`,
		} {
			_, err := svc.FindTasks(ctx, taskwire.TaskFilter{Query: q, Status: "all"})
			assert.NoError(t, err, "search %q", q)
		}
		for _, q := range []string{`ops`, `ops@example.com`, `it's`, `"it's do"`, `c++`, `email \`} {
			assert.Len(t, MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Query: q}), 1, "search %q", q)
		}
	})

	t.Run("DueRange", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
		for _, d := range []int{1, 2, 3, 4} {
			MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: fmt.Sprintf("day %d", d), DueAt: rfc3339(day(d))})
		}
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "someday"})

		got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{DueBefore: ptr(day(3))})
		assert.Equal(t, []string{"day 1", "day 2"}, got, "due_before day 3: got %v", got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{DueAfter: ptr(day(2))})
		assert.Equal(t, []string{"day 3", "day 4"}, got, "due_after day 2: got %v", got)
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{DueAfter: ptr(day(1)), DueBefore: ptr(day(4))})
		assert.Equal(t, []string{"day 2", "day 3"}, got, "between day 1 and day 4: got %v", got)
	})

	t.Run("Overdue", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "late", DueAt: rfc3339(t0.Add(-time.Hour))})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "late but done", DueAt: rfc3339(t0.Add(-time.Hour)), Completed: ptr(true)})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "upcoming", DueAt: rfc3339(t0.Add(time.Hour))})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "someday"})

		got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Status: "all", Overdue: true})
		assert.Equal(t, []string{"late"}, got)

		svc.Now = fixedClock(t0.Add(2 * time.Hour))
		got = MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Status: "all", Overdue: true})
		assert.Equal(t, []string{"late", "upcoming"}, got, "two hours later: got %v", got)
	})

	// Due windows are the user's days: midnight to midnight in their zone, a timed task by
	// its instant (at midnight too), an all-day task by its day in any zone; none is the
	// tasks without a due date.
	t.Run("DueWindow", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		_, err := postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"time_zone": "America/New_York"}`))
		require.NoError(t, err)
		svc := postgres.NewTaskService(db)
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		// Saturday 7 March 2026, 22:00 in New York; the clocks go forward that night.
		svc.Now = fixedClock(time.Date(2026, 3, 7, 22, 0, 0, 0, ny))
		timed := func(title string, day, hour int) {
			MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: title, DueAt: rfc3339(time.Date(2026, 3, day, hour, 0, 0, 0, ny))})
		}
		allDay := func(title, day, zone string) {
			MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: title, DueDate: &day, TimeZone: zone})
		}
		timed("sat midnight", 7, 0)
		timed("sat 23h", 7, 23)
		timed("fri 23h", 6, 23)
		timed("sun midnight", 8, 0)
		timed("sun 23h", 8, 23)
		allDay("sat all day", "2026-03-07", "America/New_York")
		allDay("sat in tokyo", "2026-03-07", "Asia/Tokyo")
		allDay("sat in honolulu", "2026-03-07", "Pacific/Honolulu")
		allDay("next fri", "2026-03-13", "America/New_York")
		allDay("next sat", "2026-03-14", "America/New_York")
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "someday"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "someday, done", Completed: ptr(true)})

		for _, tc := range []struct {
			due  string
			want []string
		}{
			{taskwire.DueToday, []string{"sat 23h", "sat all day", "sat in honolulu", "sat in tokyo", "sat midnight"}},
			{taskwire.DueTomorrow, []string{"sun 23h", "sun midnight"}},
			{taskwire.DueWeek, []string{"next fri", "sat 23h", "sat all day", "sat in honolulu", "sat in tokyo", "sat midnight",
				"sun 23h", "sun midnight"}},
			{taskwire.DueNone, []string{"someday", "someday, done"}},
		} {
			got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Due: tc.due})
			assert.Equal(t, tc.want, got, "due=%s", tc.due)
		}
		got := MustFindTitles(t, ctx, svc, taskwire.TaskFilter{Status: "open", Due: taskwire.DueNone})
		assert.Equal(t, []string{"someday"}, got)
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		svc := postgres.NewTaskService(db)
		_, err := svc.FindTasks(context.Background(), taskwire.TaskFilter{Limit: 50})
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})

	// Sorting and paging share one user's listing: duplicate due dates, priorities,
	// creation times and titles (differing in case), and tasks without a due date.
	ctx, _ := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	tasks := MustCreateListing(t, ctx, svc)
	sorts := allSorts()

	t.Run("Sort", func(t *testing.T) {
		for _, s := range sorts {
			t.Run(s.String(), func(t *testing.T) {
				page, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: "all", Sort: s, Limit: taskwire.MaxLimit})
				require.NoError(t, err)
				assert.Empty(t, page.NextCursor, "got a next cursor on a complete listing")
				want := slices.Clone(tasks)
				slices.SortFunc(want, compareTasks(s))
				require.Equal(t, taskIDs(want), taskIDs(page.Items), "got order %v, want %v",
					describe(s, page.Items), describe(s, want))

				if s.Field == taskwire.SortDueAt {
					undated := 0
					for i, task := range page.Items {
						if task.DueAt == nil {
							undated++
						} else {
							require.Zero(t, undated, "got task %d with a due date after one without", i)
						}
					}
					require.NotZero(t, undated)
				}
			})
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		for _, s := range sorts {
			t.Run(s.String(), func(t *testing.T) {
				all, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: "all", Sort: s, Limit: taskwire.MaxLimit})
				require.NoError(t, err)
				require.Len(t, all.Items, len(tasks))

				const limit = 5
				var paged []*taskwire.Task
				f := taskwire.TaskFilter{Status: "all", Sort: s, Limit: limit}
				for pages := 1; ; pages++ {
					require.LessOrEqual(t, pages, len(tasks), "got more pages than tasks: the cursor does not advance")
					page, err := svc.FindTasks(ctx, f)
					require.NoError(t, err)
					require.LessOrEqual(t, len(page.Items), limit, "page %d: got %d items, want at most %d", pages, len(page.Items), limit)
					paged = append(paged, page.Items...)
					if page.NextCursor == "" {
						break
					}
					require.Len(t, page.Items, limit, "page %d: got a short page with a next cursor", pages)
					f.Cursor, err = taskwire.ParseCursor(page.NextCursor, s)
					require.NoError(t, err, "page %d: cursor", pages)
				}
				require.Equal(t, taskIDs(all.Items), taskIDs(paged), "got pages in order %v, want %v",
					describe(s, paged), describe(s, all.Items))
			})
		}
	})

	t.Run("ErrMalformedCursorOfOtherSort", func(t *testing.T) {
		for _, s := range sorts {
			page, err := svc.FindTasks(ctx, taskwire.TaskFilter{Status: "all", Sort: s, Limit: 5})
			require.NoError(t, err)
			require.NotEmpty(t, page.NextCursor)
			_, err = taskwire.ParseCursor(page.NextCursor, s)
			require.NoError(t, err, "sort %s: its own cursor", s)
			for _, other := range sorts {
				if other == s {
					continue
				}
				_, err := taskwire.ParseCursor(page.NextCursor, other)
				requireCode(t, err, taskwire.EMALFORMED)
			}
		}
	})

	t.Run("Filters", func(t *testing.T) {
		// Filters and a cursor together: paging the high-priority open tasks by title.
		var want []*taskwire.Task
		for _, task := range tasks {
			if task.Status == taskwire.StatusOpen && task.Priority.Rank() >= taskwire.PriorityHigh.Rank() {
				want = append(want, task)
			}
		}
		s := taskwire.Sort{Field: taskwire.SortTitle, Desc: true}
		slices.SortFunc(want, compareTasks(s))
		f := taskwire.TaskFilter{Status: "open", Priorities: []taskwire.Priority{taskwire.PriorityHigh, taskwire.PriorityUrgent}, Sort: s, Limit: 2}
		var got []*taskwire.Task
		for range len(tasks) {
			page, err := svc.FindTasks(ctx, f)
			require.NoError(t, err)
			got = append(got, page.Items...)
			if page.NextCursor == "" {
				break
			}
			f.Cursor, err = taskwire.ParseCursor(page.NextCursor, s)
			require.NoError(t, err)
		}
		require.NotEmpty(t, want)
		require.Equal(t, taskIDs(want), taskIDs(got))
	})
}

func TestTaskService_Tags(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "1", Tags: []string{"Work", "urgent"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "2", Tags: []string{"work"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "3", Tags: []string{"work", "home"}, Completed: ptr(true)})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "4", Tags: []string{"archive"}, Completed: ptr(true)})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "5"})
		// The same tags as task 1, open and completed: each counts.
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "6", Tags: []string{"work", "urgent"}})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "7", Tags: []string{"work", "urgent"}, Completed: ptr(true)})

		// Another user's tags are not counted.
		ctxB, _ := MustNewUser(t, db)
		MustCreateTask(t, ctxB, svc, taskwire.NewTask{Title: "b", Tags: []string{"work", "secret"}})

		got, err := svc.Tags(ctx)
		require.NoError(t, err)
		want := []taskwire.Tag{{Name: "archive", OpenCount: 0}, {Name: "home", OpenCount: 0}, {Name: "urgent", OpenCount: 2}, {Name: "work", OpenCount: 3}}
		require.Equal(t, want, got, "got tags %+v, want %+v", got, want)
	})

	t.Run("Empty", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		got, err := postgres.NewTaskService(db).Tags(ctx)
		require.NoError(t, err)
		require.NotNil(t, got, "got nil, want an empty list")
		require.Empty(t, got)
	})
}

func TestTaskService_CreateTask_Concurrent(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		f, err := taskwire.NewTask{Title: "rush"}.Fields()
		require.NoError(t, err)

		const n = 20
		numbers := make([]int64, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				task, _, err := svc.CreateTask(ctx, f, taskwire.IdempotencyKey{})
				errs[i] = err
				if task != nil {
					numbers[i] = task.Number
				}
			})
		}
		close(start)
		wg.Wait()

		for i, err := range errs {
			require.NoError(t, err, "create %d", i)
		}
		slices.Sort(numbers)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		require.Equal(t, want, numbers, "got numbers %v, want 1..%d", numbers, n)
		stored := countRows(t, db, `SELECT count(DISTINCT number) FROM tasks WHERE user_id = $1 AND number BETWEEN 1 AND $2`, user, n)
		require.Equal(t, n, stored, "got %d distinct stored numbers, want %d", stored, n)
	})
}

// MustNewUser returns a context signed in as a new user, whose row exists, and the
// user's id; the user's rows go at cleanup.
func MustNewUser(tb testing.TB, db *postgres.DB) (context.Context, string) {
	tb.Helper()
	id := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), id)
	require.NoError(tb, postgres.NewUserService(db).EnsureUser(ctx, id, time.Time{}))
	tb.Cleanup(func() {
		ctx := context.Background()
		_, err := db.Pool.Exec(ctx, `DELETE FROM outbox WHERE user_id = $1`, id)
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, id) // cascades to tasks, reminders, keys
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(ctx, `DELETE FROM deleted_users WHERE id = $1`, id)
		assert.NoError(tb, err)
	})
	return ctx, id
}

// MustCreateTask validates in as the API would and creates the task without an
// idempotency key.
func MustCreateTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, in taskwire.NewTask) *taskwire.Task {
	tb.Helper()
	f, err := in.Fields()
	require.NoError(tb, err, "fields of %+v", in)
	task, replayed, err := svc.CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(tb, err, "create task %q", in.Title)
	require.False(tb, replayed)
	return task
}

// MustFindTask returns the task with uuid or number ref.
func MustFindTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, ref string) *taskwire.Task {
	tb.Helper()
	task, err := svc.FindTask(ctx, ref)
	require.NoError(tb, err, "find task %s", ref)
	return task
}

// MustUpdateTask applies a JSON Merge Patch to the task with ref, without If-Match.
func MustUpdateTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, ref, patch string) *taskwire.Task {
	tb.Helper()
	task, err := svc.UpdateTask(ctx, ref, "", []byte(patch))
	require.NoError(tb, err, "update task %s with %s", ref, patch)
	return task
}

// MustFindTitles lists the tasks matching f (every status unless f says, limit 50,
// ordered by title) and returns their titles.
func MustFindTitles(tb testing.TB, ctx context.Context, svc *postgres.TaskService, f taskwire.TaskFilter) []string {
	tb.Helper()
	if f.Status == "" {
		f.Status = "all"
	}
	f.Sort, f.Limit = taskwire.Sort{Field: taskwire.SortTitle}, 50
	page, err := svc.FindTasks(ctx, f)
	require.NoError(tb, err)
	var titles []string
	for _, task := range page.Items {
		titles = append(titles, task.Title)
	}
	return titles
}

// MustCreateListing creates 23 tasks with ties in every sort key: titles that differ only
// in case, priorities, due dates (a fifth without one), creation times (three at a time),
// and a few completed.
func MustCreateListing(tb testing.TB, ctx context.Context, svc *postgres.TaskService) []*taskwire.Task {
	tb.Helper()
	titles := []string{
		"apple", "Apple", "APPLE", "banana", "Banana", "cherry", "Cherry", "date", "Date", "elder",
		"fig", "Fig", "grape", "grape", "Grape", "kiwi", "KIWI", "lemon", "Lemon", "mango", "mango", "Nut", "nut",
	}
	priorities := []string{"none", "low", "medium", "high", "urgent"}
	base := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	tasks := make([]*taskwire.Task, 0, len(titles))
	for i, title := range titles {
		in := taskwire.NewTask{Title: title, Priority: priorities[(i*3)%len(priorities)]}
		if i%5 != 2 {
			in.DueAt = rfc3339(base.Add(time.Duration(i%4) * 24 * time.Hour))
		}
		if i%7 == 3 {
			in.Completed = ptr(true)
		}
		svc.Now = fixedClock(base.Add(-time.Duration(i/3) * time.Hour))
		tasks = append(tasks, MustCreateTask(tb, ctx, svc, in))
	}
	svc.Now = time.Now
	return tasks
}

// allSorts returns every listing order, ascending and descending.
func allSorts() []taskwire.Sort {
	var sorts []taskwire.Sort
	for _, field := range []taskwire.SortField{taskwire.SortDueAt, taskwire.SortPriority, taskwire.SortCreatedAt, taskwire.SortTitle} {
		sorts = append(sorts, taskwire.Sort{Field: field}, taskwire.Sort{Field: field, Desc: true})
	}
	return sorts
}

// compareTasks orders tasks the way the listing promises: by the sort field (titles
// case-insensitively, tasks without a due date last either way), ties by id, in the
// sort's direction.
func compareTasks(s taskwire.Sort) func(a, b *taskwire.Task) int {
	return func(a, b *taskwire.Task) int {
		c := 0
		switch s.Field {
		case taskwire.SortDueAt:
			switch {
			case a.DueAt == nil && b.DueAt != nil:
				return 1
			case a.DueAt != nil && b.DueAt == nil:
				return -1
			case a.DueAt != nil:
				c = a.DueAt.Compare(*b.DueAt)
			}
		case taskwire.SortPriority:
			c = cmp.Compare(a.Priority.Rank(), b.Priority.Rank())
		case taskwire.SortCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		case taskwire.SortTitle:
			c = strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		}
		if c == 0 {
			c = bytes.Compare(a.ID[:], b.ID[:])
		}
		if s.Desc {
			c = -c
		}
		return c
	}
}

func taskIDs(tasks []*taskwire.Task) []uuid.UUID {
	ids := make([]uuid.UUID, len(tasks))
	for i, task := range tasks {
		ids[i] = task.ID
	}
	return ids
}

// describe renders tasks as "number:key" for failure messages.
func describe(s taskwire.Sort, tasks []*taskwire.Task) []string {
	out := make([]string, len(tasks))
	for i, task := range tasks {
		var key any
		switch s.Field {
		case taskwire.SortDueAt:
			key = "none"
			if task.DueAt != nil {
				key = task.DueAt.Format("01-02")
			}
		case taskwire.SortPriority:
			key = task.Priority
		case taskwire.SortCreatedAt:
			key = task.CreatedAt.Format("15:04")
		case taskwire.SortTitle:
			key = task.Title
		}
		out[i] = fmt.Sprintf("%d:%v", task.Number, key)
	}
	return out
}

// outboxRow is one row of the outbox table.
type outboxRow struct {
	ID      uuid.UUID
	Type    string
	Source  string
	Subject string
	Time    time.Time
	Data    []byte
}

// MustListOutbox returns user's outbox rows in the order they were written.
func MustListOutbox(tb testing.TB, db *postgres.DB, user string) []outboxRow {
	tb.Helper()
	rows, err := db.Pool.Query(context.Background(),
		`SELECT id, type, source, subject, time, data FROM outbox WHERE user_id = $1 ORDER BY seq`, user)
	require.NoError(tb, err)
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		require.NoError(tb, rows.Scan(&r.ID, &r.Type, &r.Source, &r.Subject, &r.Time, &r.Data))
		out = append(out, r)
	}
	require.NoError(tb, rows.Err())
	return out
}

// TaskData decodes the row's data.
func (r outboxRow) TaskData(tb testing.TB) events.TaskData {
	tb.Helper()
	var data events.TaskData
	require.NoError(tb, json.Unmarshal(r.Data, &data), "data of event %s", r.ID)
	return data
}

// RequireValidCloudEvent rebuilds the CloudEvent the row stands for and validates it, as
// the publisher would.
func (r outboxRow) RequireValidCloudEvent(tb testing.TB) {
	tb.Helper()
	e := event.New()
	e.SetID(r.ID.String())
	e.SetSource(r.Source)
	e.SetType(r.Type)
	e.SetSubject(r.Subject)
	e.SetTime(r.Time)
	require.NoError(tb, e.SetData(event.ApplicationJSON, r.Data))
	require.NoError(tb, e.Validate(), "event %s", r.ID)
	var data events.TaskData
	require.NoError(tb, e.DataAs(&data), "event %s: data", r.ID)
}

func outboxTypes(rows []outboxRow) []string {
	types := make([]string, len(rows))
	for i, r := range rows {
		types[i] = r.Type
	}
	return types
}

// scopedCount counts the rows of table that a transaction scoped to user sees, the way
// the store scopes its transactions; user "" sets the role and no user.
func scopedCount(tb testing.TB, db *postgres.DB, user, table string) int {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	require.NoError(tb, err)
	defer func() { _ = tx.Rollback(ctx) }()
	if user == "" {
		_, err = tx.Exec(ctx, `SELECT set_config('role', 'taskwire_app', true)`)
		require.NoError(tb, err)
	} else {
		mustScope(tb, tx, user)
	}
	var n int
	require.NoError(tb, tx.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n), "count %s", table)
	return n
}

// mustScope makes the rest of tx run as the role taskwire_app for user.
func mustScope(tb testing.TB, tx pgx.Tx, user string) {
	tb.Helper()
	_, err := tx.Exec(context.Background(), `SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', $1, true)`, user)
	require.NoError(tb, err)
}

// countRows runs a count query as the test's superuser, past row-level security.
func countRows(tb testing.TB, db *postgres.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.Pool.QueryRow(context.Background(), query, args...).Scan(&n), query)
	return n
}

// requireCode requires err to carry the domain error code.
func requireCode(tb testing.TB, err error, code string) {
	tb.Helper()
	require.Error(tb, err, "got no error, want %s", code)
	require.Equal(tb, code, taskwire.ErrorCode(err), "got error %v, want code %s", err, code)
}

func idempotencyKey(key string, body []byte) taskwire.IdempotencyKey {
	sum := sha256.Sum256(body)
	return taskwire.IdempotencyKey{Key: key, Hash: sum[:]}
}

func fixedClock(at time.Time) func() time.Time {
	return func() time.Time { return at }
}

func rfc3339(t time.Time) *string {
	s := t.Format(time.RFC3339Nano)
	return &s
}

func ptr[T any](v T) *T { return &v }
