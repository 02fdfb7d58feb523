package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestChangeService_History(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	changes := postgres.NewChangeService(db)
	all := events.HistoryPage{Limit: 50}

	t.Run("OK", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		svc.Now = fixedClock(t0)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "draft", Priority: "low"})
		svc.Now = fixedClock(t0.Add(time.Minute))
		MustUpdateTask(t, ctx, svc, "1", `{"title":"final","priority":"high"}`)
		svc.Now = fixedClock(t0.Add(2 * time.Minute))
		_, err := svc.SetStatus(ctx, "1", "", taskwire.StatusCompleted)
		require.NoError(t, err)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "another task"})
		svc.Now = fixedClock(t0.Add(3 * time.Minute))
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))

		list, _, err := changes.History(ctx, task.ID.String(), all)
		require.NoError(t, err)
		want := []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskCompleted, events.TypeTaskDeleted}
		require.Equal(t, want, entryTypes(list), "got types %v, want %v", entryTypes(list), want)
		for i, e := range list {
			assert.Equal(t, task.ID, e.TaskID, "event %d: got task id %v", i, e.TaskID)
			require.NotNil(t, e.Task, "event %d: got no task", i)
			assert.Equal(t, task.ID, e.Task.ID)
			at := t0.Add(time.Duration(i) * time.Minute).Truncate(time.Microsecond)
			assert.True(t, at.Equal(e.Time), "event %d: got time %v, want %v", i, e.Time, at)
			assert.Equal(t, time.UTC, e.Time.Location())
			_, err := uuid.Parse(e.ID)
			assert.NoError(t, err, "event %d: got id %q, want a uuid", i, e.ID)
			assert.NotNil(t, e.Changes, "event %d: got nil changes, want a map", i)
			if i > 0 {
				assert.Greater(t, e.Seq, list[i-1].Seq, "event %d: positions must increase", i)
			}
			assert.Equal(t, i == 3, e.Deleted, "event %d: got deleted %v", i, e.Deleted)
		}
		assert.Empty(t, list[0].Changes)
		assert.Equal(t, map[string]events.Change{
			"title":    {Old: "draft", New: "final"},
			"priority": {Old: "low", New: "high"},
		}, list[1].Changes)
		assert.Equal(t, events.Change{Old: "open", New: "completed"}, list[2].Changes["status"])
		assert.Equal(t, []int64{1, 2, 3, 3}, []int64{list[0].Task.Version, list[1].Task.Version, list[2].Task.Version, list[3].Task.Version})
		assert.Equal(t, "final", list[3].Task.Title, "the deletion carries the task as it was")
	})

	t.Run("OKByNumber", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "first"})
		second := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "second"})
		MustUpdateTask(t, ctx, svc, "2", `{"title":"second, renamed"}`)

		list, _, err := changes.History(ctx, "2", all)
		require.NoError(t, err)
		assert.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated}, entryTypes(list))
		assert.Equal(t, second.ID, list[0].TaskID)

		upper, _, err := changes.History(ctx, "{"+second.ID.String()+"}", all)
		require.NoError(t, err, "any uuid form finds the task")
		assert.Equal(t, entryTypes(list), entryTypes(upper))
	})

	t.Run("OKPages", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "v1"})
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "another task, in between"})
		for v := 2; v <= 7; v++ {
			MustUpdateTask(t, ctx, svc, "1", fmt.Sprintf(`{"title":"v%d"}`, v))
		}
		// titles reads the pages of task 1's history of limit events in an order, and
		// whether each said more follow.
		titles := func(newest bool, limit int) (pages [][]string, more []bool) {
			t.Helper()
			page := events.HistoryPage{Newest: newest, Limit: limit}
			for range 5 {
				list, m, err := changes.History(ctx, "1", page)
				require.NoError(t, err)
				var got []string
				for _, e := range list {
					got = append(got, e.Task.Title)
				}
				pages, more = append(pages, got), append(more, m)
				if !m {
					return pages, more
				}
				page.Cursor = list[len(list)-1].Seq
			}
			t.Fatalf("more than 5 pages: %v", pages)
			return nil, nil
		}

		pages, more := titles(false, 3)
		assert.Equal(t, [][]string{{"v1", "v2", "v3"}, {"v4", "v5", "v6"}, {"v7"}}, pages, "oldest first")
		assert.Equal(t, []bool{true, true, false}, more)
		pages, more = titles(true, 3)
		assert.Equal(t, [][]string{{"v7", "v6", "v5"}, {"v4", "v3", "v2"}, {"v1"}}, pages, "newest first")
		assert.Equal(t, []bool{true, true, false}, more)
		pages, more = titles(true, 7)
		assert.Equal(t, [][]string{{"v7", "v6", "v5", "v4", "v3", "v2", "v1"}}, pages, "a page holding the last event says no more follow")
		assert.Equal(t, []bool{false}, more)

		last, _, err := changes.History(ctx, "1", events.HistoryPage{Newest: true, Limit: 1})
		require.NoError(t, err)
		past, m, err := changes.History(ctx, "1", events.HistoryPage{Cursor: last[0].Seq, Limit: 3})
		require.NoError(t, err, "a page past the last event is no error")
		assert.Empty(t, past)
		assert.False(t, m)
		_, _, err = changes.History(ctx, uuid.NewString(), events.HistoryPage{Cursor: last[0].Seq, Limit: 3})
		requireCode(t, err, taskwire.ENOTFOUND)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		otherCtx, _ := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		gone := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "gone"})
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))
		others := MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "someone else's"})

		for _, ref := range []string{"1", "2", "0", "-1", "abc", "", uuid.NewString(), others.ID.String()} {
			_, _, err := changes.History(ctx, ref, all)
			requireCode(t, err, taskwire.ENOTFOUND)
		}
		_, _, err := changes.History(ctx, gone.ID.String(), all)
		require.NoError(t, err, "a deleted task's history is found by uuid")
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, _, err := changes.History(context.Background(), "1", all)
		requireCode(t, err, taskwire.EUNAUTHORIZED)
	})
}

func TestChangeService_Changes(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	changes := postgres.NewChangeService(db)
	svc := postgres.NewTaskService(db)

	t.Run("OK", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		otherCtx, _ := MustNewUser(t, db)
		a := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
		b := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "b"})
		MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "not mine"})
		c := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "c"})
		MustUpdateTask(t, ctx, svc, a.ID.String(), `{"title":"a2"}`)
		MustUpdateTask(t, ctx, svc, a.ID.String(), `{"title":"a3"}`)
		require.NoError(t, svc.DeleteTask(ctx, b.ID.String(), ""))

		list, next, more, err := changes.Changes(ctx, 0, 50)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{c.ID, a.ID, b.ID}, entryTasks(list), "each task once, ordered by its latest change")
		assert.Equal(t, "c", list[0].Task.Title)
		assert.Equal(t, "a3", list[1].Task.Title, "the latest state")
		assert.Equal(t, int64(3), list[1].Task.Version)
		assert.True(t, list[2].Deleted, "got no tombstone for the deleted task")
		assert.Nil(t, list[2].Task, "a tombstone carries no task")
		assert.False(t, list[0].Deleted || list[1].Deleted)
		assert.Equal(t, list[2].Seq, next)
		assert.False(t, more, "every change fit on the page")

		again, same, _, err := changes.Changes(ctx, next, 50)
		require.NoError(t, err)
		assert.Empty(t, again)
		assert.Equal(t, next, same, "with nothing new, next stays")

		MustUpdateTask(t, ctx, svc, c.ID.String(), `{"title":"c2"}`)
		list, _, _, err = changes.Changes(ctx, next, 50)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{c.ID}, entryTasks(list))
		assert.Equal(t, "c2", list[0].Task.Title)
	})

	t.Run("OKPages", func(t *testing.T) {
		ctx, _ := MustNewUser(t, db)
		var want []uuid.UUID
		for i := range 5 {
			want = append(want, MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: fmt.Sprint("task ", i)}).ID)
		}
		MustUpdateTask(t, ctx, svc, want[0].String(), `{"title":"moved to the end"}`)
		want = append(want[1:], want[0])

		var got []uuid.UUID
		since := int64(0)
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "too many pages")
			list, next, more, err := changes.Changes(ctx, since, 2)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(list), 2)
			got = append(got, entryTasks(list)...)
			since = next
			if !more {
				break
			}
		}
		assert.Equal(t, want, got)
	})
}

func TestChangeService_Since(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	changes := postgres.NewChangeService(db)
	svc := postgres.NewTaskService(db)
	ctx, _ := MustNewUser(t, db)
	otherCtx, _ := MustNewUser(t, db)

	latest, err := changes.LatestSeqs(ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, latest, "a user without events has no positions")

	a := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
	other := MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "not mine"})
	MustUpdateTask(t, ctx, svc, "1", `{"title":"a2"}`)
	require.NoError(t, svc.DeleteTask(ctx, "1", ""))

	all, err := changes.Since(ctx, 0, 100)
	require.NoError(t, err)
	require.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskDeleted}, entryTypes(all))
	for _, e := range all {
		assert.Equal(t, a.ID, e.TaskID, "got another user's event")
	}

	t.Run("After", func(t *testing.T) {
		list, err := changes.Since(ctx, all[0].Seq, 100)
		require.NoError(t, err)
		assert.Equal(t, all[1:], list)
		list, err = changes.Since(ctx, all[0].Seq, 1)
		require.NoError(t, err)
		assert.Equal(t, all[1:2], list)
		list, err = changes.Since(ctx, all[2].Seq, 100)
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	t.Run("LatestSeqs", func(t *testing.T) {
		latest, err := changes.LatestSeqs(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{all[2].Seq, all[1].Seq, all[0].Seq}, latest, "mine, newest first")
		latest, err = changes.LatestSeqs(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, []int64{all[2].Seq, all[1].Seq}, latest)
	})

	t.Run("Entries", func(t *testing.T) {
		theirs, err := changes.Since(otherCtx, 0, 100)
		require.NoError(t, err)
		require.Len(t, theirs, 1)
		assert.Equal(t, other.ID, theirs[0].TaskID)

		list, err := changes.Entries(ctx, []int64{all[2].Seq, theirs[0].Seq, all[0].Seq, 1 << 60})
		require.NoError(t, err)
		assert.Equal(t, []*events.ChangeEntry{&all[0], &all[2]}, ptrs(list), "mine only, in order")
		list, err = changes.Entries(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, list)
	})
}

func TestListener(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	changes := postgres.NewChangeService(db)
	l := postgres.NewListener(db)
	t.Cleanup(l.Close)
	// Functions serve before their listener listens: a stream that subscribed first
	// learns that it has to re-read what was committed before then.
	early, cancelEarly := l.Subscribe("early")
	readyCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.Ready(readyCtx))
	assert.Equal(t, int64(0), mustReceive(t, early), "a subscriber from before the first LISTEN is told to re-read")
	cancelEarly()

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		otherCtx, _ := MustNewUser(t, db)
		mine, cancel := l.Subscribe(user)
		defer cancel()
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
		MustCreateTask(t, otherCtx, svc, taskwire.NewTask{Title: "not mine"})
		MustUpdateTask(t, ctx, svc, "1", `{"title":"a2"}`)
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))

		all, err := changes.Since(ctx, 0, 100)
		require.NoError(t, err)
		require.Len(t, all, 3)
		for _, e := range all {
			assert.Equal(t, e.Seq, mustReceive(t, mine), "got positions out of order")
		}
		mustNotReceive(t, mine, 200*time.Millisecond)
	})

	t.Run("OKSubscribersOfOneUser", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		first, cancelFirst := l.Subscribe(user)
		second, cancelSecond := l.Subscribe(user)
		defer cancelSecond()
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "a"})
		seq := mustReceive(t, first)
		assert.Equal(t, seq, mustReceive(t, second))

		cancelFirst()
		_, open := <-first
		assert.False(t, open, "cancel must close the channel")
		cancelFirst() // a second cancel changes nothing
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "b"})
		assert.Greater(t, mustReceive(t, second), seq)
	})

	t.Run("OKManyWritersAtOnce", func(t *testing.T) {
		// Concurrent commits are announced many to a notification: every row still
		// reaches its user's subscribers, and only theirs.
		type writer struct {
			ctx context.Context
			ch  <-chan int64
		}
		var writers []writer
		for range 4 {
			ctx, user := MustNewUser(t, db)
			ch, cancel := l.Subscribe(user)
			defer cancel()
			writers = append(writers, writer{ctx, ch})
		}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				MustCreateTask(t, writers[i%len(writers)].ctx, svc, taskwire.NewTask{Title: fmt.Sprint("task ", i)})
			})
		}
		wg.Wait()
		for _, w := range writers {
			all, err := changes.Since(w.ctx, 0, 100)
			require.NoError(t, err)
			var want, got []int64
			for _, e := range all {
				want = append(want, e.Seq)
				got = append(got, mustReceive(t, w.ch))
			}
			assert.ElementsMatch(t, want, got)
			mustNotReceive(t, w.ch, 100*time.Millisecond)
		}
	})

	t.Run("OKSeveralRowsInOneNotification", func(t *testing.T) {
		user := "user-" + uuid.NewString()
		ch, cancel := l.Subscribe(user)
		defer cancel()
		_, err := db.Pool.Exec(context.Background(), `SELECT pg_notify('taskwire_outbox', $1)`,
			user+" 7\nsomeone-else 8\nmalformed\n"+user+" 9")
		require.NoError(t, err)
		assert.Equal(t, int64(7), mustReceive(t, ch))
		assert.Equal(t, int64(9), mustReceive(t, ch), "a malformed line is skipped, not the rest")
	})

	t.Run("OKUserWithSpaces", func(t *testing.T) {
		user := "user with spaces " + uuid.NewString()
		ch, cancel := l.Subscribe(user)
		defer cancel()
		_, err := db.Pool.Exec(context.Background(), `SELECT pg_notify('taskwire_outbox', $1)`, user+" 42")
		require.NoError(t, err)
		assert.Equal(t, int64(42), mustReceive(t, ch))
	})

	t.Run("OKFallenBehind", func(t *testing.T) {
		user, sentinel := "user-"+uuid.NewString(), "sentinel-"+uuid.NewString()
		ch, cancel := l.Subscribe(user)
		defer cancel()
		done, cancelDone := l.Subscribe(sentinel)
		defer cancelDone()
		for i := 1; i <= 301; i++ {
			_, err := db.Pool.Exec(context.Background(), `SELECT pg_notify('taskwire_outbox', $1)`, fmt.Sprint(user, " ", i))
			require.NoError(t, err)
		}
		// Notifications arrive in commit order: once the sentinel's is here, all are.
		_, err := db.Pool.Exec(context.Background(), `SELECT pg_notify('taskwire_outbox', $1)`, sentinel+" 1")
		require.NoError(t, err)
		mustReceive(t, done)
		var got []int64
		for seq := int64(0); seq != 301; {
			seq = mustReceive(t, ch)
			got = append(got, seq)
		}
		assert.Contains(t, got, int64(0), "a subscriber that fell behind is told to re-read")
		assert.Less(t, len(got), 300, "what it did not read was dropped")
	})

	t.Run("OKReconnect", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		ch, cancel := l.Subscribe(user)
		defer cancel()
		var killed int
		require.NoError(t, db.Pool.QueryRow(context.Background(), `
			SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'taskwire-listener' AND datname = current_database()`).Scan(&killed))
		require.Equal(t, 1, killed, "got %d listener connections, want 1", killed)

		assert.Equal(t, int64(0), mustReceive(t, ch), "after reconnecting, subscribers are told to re-read")
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "after the reconnect"})
		assert.Positive(t, mustReceive(t, ch))
	})

	t.Run("OKClose", func(t *testing.T) {
		l := postgres.NewListener(db)
		require.NoError(t, l.Ready(readyCtx))
		ch, cancel := l.Subscribe("someone")
		l.Close()
		_, open := <-ch
		assert.False(t, open, "Close must close the channels")
		cancel()
		late, _ := l.Subscribe("someone")
		_, open = <-late
		assert.False(t, open, "a subscription after Close is closed")
		assert.Error(t, l.Ready(readyCtx), "a closed listener is not ready")
	})
}

// mustReceive returns the next position sent on ch, failing after a few seconds.
func mustReceive(tb testing.TB, ch <-chan int64) int64 {
	tb.Helper()
	select {
	case seq, ok := <-ch:
		require.True(tb, ok, "the channel was closed")
		return seq
	case <-time.After(5 * time.Second):
		tb.Fatal("got no notification within 5s")
		return 0
	}
}

// mustNotReceive fails when anything arrives on ch within d.
func mustNotReceive(tb testing.TB, ch <-chan int64, d time.Duration) {
	tb.Helper()
	select {
	case seq := <-ch:
		tb.Fatalf("got position %d, want nothing", seq)
	case <-time.After(d):
	}
}

func entryTypes(list []events.ChangeEntry) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Type
	}
	return out
}

func entryTasks(list []events.ChangeEntry) []uuid.UUID {
	out := make([]uuid.UUID, len(list))
	for i, e := range list {
		out[i] = e.TaskID
	}
	return out
}

func ptrs(list []events.ChangeEntry) []*events.ChangeEntry {
	out := make([]*events.ChangeEntry, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}
