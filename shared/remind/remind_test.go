package remind_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/remind"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// TestMain runs the package's tests on a database of their own, dropped afterwards.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// maxLate is how late a reminder may fire in these tests: the target is a few
// milliseconds, the bound leaves room for a loaded two-core machine running -race.
const maxLate = 500 * time.Millisecond

func TestHandler_NextTick(t *testing.T) {
	m := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		start time.Time
		want  time.Time
	}{
		{"OnTime", m.Add(40 * time.Millisecond), m.Add(time.Minute)},
		{"Late", m.Add(3 * time.Second), m.Add(time.Minute)},
		{"MidMinute", m.Add(30 * time.Second), m.Add(time.Minute)},
		{"BeforeTheNextPing", m.Add(54 * time.Second), m.Add(time.Minute)},
		{"EarlyPing", m.Add(59*time.Second + 990*time.Millisecond), m.Add(2 * time.Minute)},
	}
	h := remind.NewHandler(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.NextTick(tt.start)
			assert.Equal(t, tt.want, got, "got next tick %v after a start at %v, want %v", got, tt.start, tt.want)
		})
	}
}

// TestHandler_Timing fires reminders through the real store and measures how late each
// fired: the instant Fire recorded as the event's time, against its fire_at.
func TestHandler_Timing(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	clock := clockAt(10 * time.Second) // 10 s into a minute: the next ping is 50 s away
	rs := postgres.NewReminderService(db)
	rs.Now = clock
	h := remind.NewHandler(rs)
	h.Now, h.Budget = clock, 3*time.Second

	ctx, user := MustNewUser(t, db)
	tasks := postgres.NewTaskService(db)
	start := clock()
	var want []time.Time
	for _, ahead := range []time.Duration{300 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond} {
		at := start.Add(ahead).Truncate(time.Microsecond).UTC()
		MustCreateTask(t, ctx, tasks, "in "+ahead.String(), at)
		want = append(want, at)
	}

	reply, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
	took := clock().Sub(start)
	require.NoError(t, err)
	assert.Nil(t, reply, "got a follow-up tick, want none: nothing else is due before the next ping")
	assert.Less(t, took, 2500*time.Millisecond, "got the handler back after %v, want it back once the last reminder fired", took)

	sent := MustListReminderEvents(t, db, user)
	require.Len(t, sent, len(want), "got %d reminder.due events, want %d", len(sent), len(want))
	for i, row := range sent {
		late := row.Time.Sub(row.RemindAt)
		t.Logf("reminder due %v after the start fired %v late", row.RemindAt.Sub(start).Round(time.Millisecond), late)
		assert.Equal(t, want[i], row.RemindAt)
		assert.GreaterOrEqual(t, late, time.Duration(0), "got a reminder fired %v early", -late)
		assert.LessOrEqual(t, late, maxLate, "got a reminder fired %v late, want at most %v", late, maxLate)
	}
}

// TestHandler_Burst fires reminders due at one moment, more than one claim takes,
// through the real store: each fires on time, and each claim's reminders fire together, in
// one transaction.
func TestHandler_Burst(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	clock := clockAt(10 * time.Second)
	rs := &countingStore{ReminderService: postgres.NewReminderService(db)}
	rs.Now = clock
	h := remind.NewHandler(rs)
	h.Now, h.Budget = clock, 5*time.Second

	ctx, user := MustNewUser(t, db)
	tasks := postgres.NewTaskService(db)
	const n = 2*remind.DefaultLimit + 50
	at := clock().Add(3 * time.Second).Truncate(time.Microsecond).UTC()
	for i := range n {
		MustCreateTask(t, ctx, tasks, fmt.Sprint("burst ", i), at)
	}

	_, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
	require.NoError(t, err)
	sent := MustListReminderEvents(t, db, user)
	require.Len(t, sent, n, "got %d reminder.due events, want %d", len(sent), n)
	for _, row := range sent {
		late := row.Time.Sub(row.RemindAt)
		require.GreaterOrEqual(t, late, time.Duration(0), "got a reminder fired %v early", -late)
		require.LessOrEqual(t, late, maxLate, "got a reminder fired %v late, want at most %v", late, maxLate)
	}
	claims := (n + remind.DefaultLimit - 1) / remind.DefaultLimit
	assert.LessOrEqual(t, int(rs.fires.Load()), claims, "got %d firing transactions for %d reminders due at once, want one per claim (%d)", rs.fires.Load(), n, claims)
}

// The minute's ping sends the daily summaries whose time has come, beside the reminders;
// a follow-up tick, which comes between pings, does not look for them.
func TestHandler_PingSendsSummaries(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	h := remind.NewHandler(postgres.NewReminderService(db))
	h.Budget = time.Second
	ctx, user := MustNewUser(t, db)
	_, err := postgres.NewUserService(db).UpdateMe(ctx, []byte(`{"daily_summary_at": "06:00"}`))
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `UPDATE users SET summary_next = now() - interval '1 second' WHERE id = $1`, user)
	require.NoError(t, err)
	due := time.Now().Add(-time.Hour).Format(time.RFC3339)
	f, err := taskwire.NewTask{Title: "overdue", DueAt: &due}.Fields()
	require.NoError(t, err)
	_, _, err = postgres.NewTaskService(db).CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(t, err)
	summaries := func() int {
		var n int
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE user_id = $1 AND type = $2`,
			user, events.TypeSummaryDue).Scan(&n))
		return n
	}

	_, err = h.Handle(context.Background(), NewEvent(events.TypeRemindersTick, nil))
	require.NoError(t, err)
	assert.Zero(t, summaries(), "a tick sent a summary")
	_, err = h.Handle(context.Background(), NewEvent(events.TypePing, nil))
	require.NoError(t, err)
	assert.Equal(t, 1, summaries(), "the ping sent no summary")
}

// newReplyHandler returns a handler on the real store of db with a budget of 3 s, it
// and the store on a clock that reads 10 s into a minute, so that the next ping is 50 s
// away.
func newReplyHandler(db *postgres.DB) *remind.Handler {
	clock := clockAt(10 * time.Second)
	rs := postgres.NewReminderService(db)
	rs.Now = clock
	h := remind.NewHandler(rs)
	h.Now, h.Budget = clock, 3*time.Second
	return h
}

// countingStore is the real store, counting its claims and the transactions Fire takes.
type countingStore struct {
	*postgres.ReminderService
	claims, fires atomic.Int64
}

func (s *countingStore) Claim(ctx context.Context, horizon, lease time.Duration, limit int) ([]postgres.Due, error) {
	s.claims.Add(1)
	return s.ReminderService.Claim(ctx, horizon, lease, limit)
}

func (s *countingStore) Fire(ctx context.Context, dues ...postgres.Due) (int, error) {
	s.fires.Add(1)
	return s.ReminderService.Fire(ctx, dues...)
}

func TestHandler_Reply(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("TickWhileDueBeforeThePing", func(t *testing.T) {
		h := newReplyHandler(db)
		clock := h.Now
		ctx, user := MustNewUser(t, db)
		at := clock().Add(4 * time.Second).Truncate(time.Microsecond) // after the budget, long before the ping
		MustCreateTask(t, ctx, postgres.NewTaskService(db), "after the budget", at)

		start := clock()
		reply, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
		require.NoError(t, err)
		require.NotNil(t, reply, "got no follow-up tick, want one: a reminder is due before the next ping")
		assert.Equal(t, events.TypeRemindersTick, reply.Type())
		assert.Equal(t, events.SourceReminders, reply.Source())
		assert.NoError(t, reply.Validate())
		assert.Empty(t, MustListReminderEvents(t, db, user), "got a reminder fired beyond the budget, want none yet")
		// Held until the next request can claim the reminder within its budget.
		assert.GreaterOrEqual(t, clock().Sub(start), at.Sub(start)-h.Budget)

		// The broker brings the tick back: the chain fires the reminder on time and ends.
		again, err := h.Handle(context.Background(), *reply)
		require.NoError(t, err)
		assert.Nil(t, again, "got another follow-up tick, want the chain to end")
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 1)
		late := sent[0].Time.Sub(at)
		t.Logf("reminder fired %v late through the follow-up tick", late)
		assert.LessOrEqual(t, late, maxLate)
	})

	t.Run("OneChainForABurstOfTaskEvents", func(t *testing.T) {
		// Two processes of the function.
		handlers := []*remind.Handler{newReplyHandler(db), newReplyHandler(db)}
		clock := handlers[0].Now
		ctx, user := MustNewUser(t, db)
		tasks := postgres.NewTaskService(db)
		at := clock().Add(4 * time.Second) // after the budget, before the ping
		burst := []*taskwire.Task{MustCreateTask(t, ctx, tasks, "first", at), MustCreateTask(t, ctx, tasks, "second", at)}

		// Each task's event is handled by a process of its own; their requests end looking
		// at the same reminder time and start one chain: one tick, which the broker accepts
		// once.
		var wg sync.WaitGroup
		replies := make([]*event.Event, len(burst))
		for i, task := range burst {
			wg.Go(func() {
				reply, err := handlers[i].Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, task, nil))
				assert.NoError(t, err)
				replies[i] = reply
			})
		}
		wg.Wait()
		require.NotNil(t, replies[0])
		require.NotNil(t, replies[1])
		assert.Equal(t, replies[0].ID(), replies[1].ID(), "got two follow-up ticks, want one chain")

		// The chain fires both on time and ends.
		MustFollowChain(t, handlers[0], replies[0], 3)
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, len(burst))
		AssertFiredOnTime(t, sent)
	})

	t.Run("TaskEventsWhileAChainStarts", func(t *testing.T) {
		h := newReplyHandler(db)
		store := &countingStore{ReminderService: h.Store.(*postgres.ReminderService)}
		h.Store = store
		clock := h.Now
		ctx, user := MustNewUser(t, db)
		tasks := postgres.NewTaskService(db)
		at := clock().Add(4 * time.Second) // after the budget, before the ping
		first := MustCreateTask(t, ctx, tasks, "first", at)
		later := MustCreateTask(t, ctx, tasks, "later", at.Add(500*time.Millisecond))

		// The first task's request waits to start the chain...
		started := make(chan *event.Event, 1)
		go func() {
			reply, err := h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, first, nil))
			assert.NoError(t, err)
			started <- reply
		}()
		require.Eventually(t, func() bool { return h.Starting() == 1 }, 5*time.Second, time.Millisecond)
		claims := store.claims.Load()

		// ...which the event of a task whose reminder comes after leaves it to, claiming
		// nothing and waiting for nothing...
		reply, err := h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, later, nil))
		require.NoError(t, err)
		assert.Nil(t, reply)
		assert.Equal(t, claims, store.claims.Load(), "got a claim for a reminder the chain reaches, want none")

		// ...but not one whose reminder comes before: that one is claimed from its event.
		sooner := MustCreateTask(t, ctx, tasks, "sooner", clock().Add(time.Second))
		_, err = h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, sooner, nil))
		require.NoError(t, err)
		assert.Greater(t, store.claims.Load(), claims, "got no claim for a reminder before the chain's, want it claimed")

		// The chain fires the rest on time and ends.
		link := <-started
		require.NotNil(t, link, "got no follow-up tick, want the chain started")
		MustFollowChain(t, h, link, 3)
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 3)
		AssertFiredOnTime(t, sent)
	})

	t.Run("ChainGoesOnPastItsOwnTick", func(t *testing.T) {
		h := newReplyHandler(db)
		clock := h.Now
		ctx, user := MustNewUser(t, db)
		task := MustCreateTask(t, ctx, postgres.NewTaskService(db), "beyond two short requests", clock().Add(4*time.Second))

		// A caller that cuts requests short (1.5 s) leaves each half a second: the reminder
		// is beyond the request of the task's event and beyond that of its tick.
		handle := func(e event.Event) *event.Event {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			reply, err := h.Handle(ctx, e)
			require.NoError(t, err)
			require.NotNil(t, reply, "got no follow-up tick, want the chain to go on")
			return reply
		}
		tick := handle(NewTaskEvent(t, events.TypeTaskCreated, user, task, nil))
		next := handle(*tick)
		assert.NotEqual(t, tick.ID(), next.ID(), "got the tick answered with itself, which the broker would drop, want a new one")
	})

	t.Run("NoneWhenThePingComesFirst", func(t *testing.T) {
		h := newReplyHandler(db)
		clock := h.Now
		ctx, user := MustNewUser(t, db)
		MustCreateTask(t, ctx, postgres.NewTaskService(db), "after the ping", clock().Add(55*time.Second))

		start := clock()
		reply, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
		require.NoError(t, err)
		assert.Nil(t, reply, "got a follow-up tick, want none: the next ping comes first")
		assert.Less(t, clock().Sub(start), time.Second, "got the handler back after %v, want it back at once", clock().Sub(start))
		assert.Empty(t, MustListReminderEvents(t, db, user))
	})

	t.Run("TaskEvent", func(t *testing.T) {
		h := newReplyHandler(db)
		clock := h.Now
		ctx, user := MustNewUser(t, db)
		at := clock().Add(200 * time.Millisecond).Truncate(time.Microsecond)
		task := MustCreateTask(t, ctx, postgres.NewTaskService(db), "added between pings", at)

		reply, err := h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, task, nil))
		require.NoError(t, err)
		assert.Nil(t, reply)
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 1, "got %d reminder.due events, want the task's reminder claimed from its event", len(sent))
		assert.LessOrEqual(t, sent[0].Time.Sub(at), maxLate)

		// A due date moved so that a relative reminder falls due before the next ping.
		tasks := postgres.NewTaskService(db)
		f, err := taskwire.NewTask{
			Title: "moved", DueAt: ptr(clock().Add(time.Hour).Format(time.RFC3339Nano)),
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT1H")}},
		}.Fields()
		require.NoError(t, err)
		before, _, err := tasks.CreateTask(ctx, f, taskwire.IdempotencyKey{})
		require.NoError(t, err)
		due := clock().Add(300 * time.Millisecond).Add(time.Hour).Truncate(time.Microsecond).UTC()
		after, err := tasks.UpdateTask(ctx, before.ID.String(), "", []byte(`{"due_at":"`+due.Format(time.RFC3339Nano)+`"}`))
		require.NoError(t, err)
		reply, err = h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskUpdated, user, after, events.Diff(before, after)))
		require.NoError(t, err)
		assert.Nil(t, reply)
		sent = MustListReminderEvents(t, db, user)
		require.Len(t, sent, 2, "got %d reminder.due events, want the moved reminder claimed from its event", len(sent))
		assert.Equal(t, due.Add(-time.Hour), sent[1].RemindAt)
		assert.LessOrEqual(t, sent[1].Time.Sub(sent[1].RemindAt), maxLate)
	})

	t.Run("TaskEventOfAHeldReminder", func(t *testing.T) {
		clock := clockAt(10 * time.Second)
		holder := postgres.NewReminderService(db)
		holder.Now = clock
		rs := &countingStore{ReminderService: postgres.NewReminderService(db)}
		rs.Now = clock
		h := remind.NewHandler(rs)
		h.Now, h.Budget = clock, 3*time.Second
		ctx, user := MustNewUser(t, db)
		at := clock().Add(time.Second).Truncate(time.Microsecond)
		task := MustCreateTask(t, ctx, postgres.NewTaskService(db), "claimed by the chain", at)
		claimed, err := holder.Claim(context.Background(), 2*time.Second, time.Minute, 1000)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(claimed, func(d postgres.Due) bool { return d.TaskID == task.ID }))

		// Held by the chain, the reminder is the chain's to fire: its task's event, handled
		// after, claims nothing and waits for nothing.
		reply, err := h.Handle(context.Background(), NewTaskEvent(t, events.TypeTaskCreated, user, task, nil))
		require.NoError(t, err)
		assert.Nil(t, reply)
		assert.Zero(t, rs.claims.Load(), "got the handler claiming for a reminder another holder has, want it left to that holder")
		assert.Empty(t, MustListReminderEvents(t, db, user))
	})
}

// TestHandler_HolderDies has a holder claim a reminder and die: the handler fires it once
// the lease ends, late but not lost.
func TestHandler_HolderDies(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	clock := clockAt(10 * time.Second)
	ctx, user := MustNewUser(t, db)
	at := clock().Add(200 * time.Millisecond).Truncate(time.Microsecond).UTC()
	MustCreateTask(t, ctx, postgres.NewTaskService(db), "orphaned", at)
	dead := postgres.NewReminderService(db)
	dead.Now = clock
	claimed, err := dead.Claim(context.Background(), time.Second, 700*time.Millisecond, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	var leaseEnd time.Time
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT lease_until FROM reminders WHERE id = $1`, claimed[0].ReminderID).Scan(&leaseEnd))

	rs := postgres.NewReminderService(db)
	rs.Now = clock
	h := remind.NewHandler(rs)
	h.Now, h.Budget = clock, 3*time.Second
	reply, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
	require.NoError(t, err)
	assert.Nil(t, reply)
	sent := MustListReminderEvents(t, db, user)
	require.Len(t, sent, 1, "got %d reminder.due events, want the orphaned reminder fired", len(sent))
	t.Logf("orphaned reminder fired %v late, its lease ended %v after its time", sent[0].Time.Sub(at), leaseEnd.Sub(at))
	assert.GreaterOrEqual(t, sent[0].Time, leaseEnd.Add(-50*time.Millisecond), "got it fired before its lease ended")
	assert.LessOrEqual(t, sent[0].Time.Sub(leaseEnd), maxLate)
}

func TestHandler_Handle(t *testing.T) {
	t.Run("IgnoresUnrelatedEvents", func(t *testing.T) {
		store := &fakeStore{}
		h := remind.NewHandler(store)
		due := time.Now().Add(time.Second)
		open := &taskwire.Task{ID: uuid.New(), Status: taskwire.StatusOpen, Reminders: []taskwire.Reminder{{ID: uuid.New(), FireAt: &due}}}
		far := time.Now().Add(time.Hour)
		later := &taskwire.Task{ID: uuid.New(), Status: taskwire.StatusOpen, Reminders: []taskwire.Reminder{{ID: uuid.New(), FireAt: &far}}}
		done := *open
		done.Status = taskwire.StatusCompleted
		for name, e := range map[string]event.Event{
			"Other":         NewEvent("dev.example.other", nil),
			"Completed":     NewTaskEvent(t, events.TypeTaskCompleted, "u", &done, nil),
			"Deleted":       NewTaskEvent(t, events.TypeTaskDeleted, "u", open, nil),
			"UpdatedToDone": NewTaskEvent(t, events.TypeTaskUpdated, "u", &done, nil),
			"DueAfterPing":  NewTaskEvent(t, events.TypeTaskCreated, "u", later, nil),
			"TitleChanged":  NewTaskEvent(t, events.TypeTaskUpdated, "u", open, map[string]events.Change{"title": {Old: "a", New: "b"}}),
			"ReminderKept":  NewTaskEvent(t, events.TypeTaskUpdated, "u", open, reminderChange(open.Reminders, append(open.Reminders, later.Reminders...))),
		} {
			reply, err := h.Handle(context.Background(), e)
			assert.NoError(t, err, name)
			assert.Nil(t, reply, name)
		}
		assert.Zero(t, store.calls(), "got the store called for unrelated events, want not")
	})

	t.Run("ErrBadTaskData", func(t *testing.T) {
		h := remind.NewHandler(&fakeStore{})
		_, err := h.Handle(context.Background(), NewEvent(events.TypeTaskCreated, map[string]any{"user_id": ""}))
		require.Error(t, err)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
	})

	t.Run("ErrClaim", func(t *testing.T) {
		h := remind.NewHandler(&fakeStore{claimErr: errors.New("database down")})
		_, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
		require.ErrorContains(t, err, "database down")
	})

	t.Run("ErrFire", func(t *testing.T) {
		store := &fakeStore{fireErr: errors.New("database down")}
		store.add(time.Now().Add(10 * time.Millisecond))
		h := remind.NewHandler(store)
		h.Budget = time.Second
		_, err := h.Handle(context.Background(), NewEvent(events.TypePing, nil))
		require.ErrorContains(t, err, "database down")
	})

	t.Run("ContextEnds", func(t *testing.T) {
		store := &fakeStore{}
		store.add(time.Now().Add(2 * time.Second))
		h := remind.NewHandler(store)
		h.Budget = 3 * time.Second
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		reply, err := h.Handle(ctx, NewEvent(events.TypePing, nil))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, reply)
		assert.Less(t, time.Since(start), time.Second, "got the handler back after %v, want it back when ctx ended", time.Since(start))
		assert.Empty(t, store.firedAt(), "got a reminder fired after ctx ended, want it left to its lease")
	})

	t.Run("CallerDeadline", func(t *testing.T) {
		store := &fakeStore{}
		soon, later := time.Now().Add(200*time.Millisecond), time.Now().Add(2500*time.Millisecond)
		store.add(soon)
		store.add(later)
		h := remind.NewHandler(store) // the next ping is at least 5 s away, after later
		h.Budget = 3 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		reply, err := h.Handle(ctx, NewEvent(events.TypePing, nil))
		require.NoError(t, err, "got an error, want an answer before the caller's deadline")
		require.NotNil(t, reply, "got no follow-up tick, want one for the reminder beyond the shortened budget")
		assert.Equal(t, events.TypeRemindersTick, reply.Type())
		assert.Len(t, store.firedAt(), 1, "got %d fired, want the one due within the shortened budget", len(store.firedAt()))
	})

	t.Run("ManyAtOnce", func(t *testing.T) {
		store := &fakeStore{}
		at := time.Now().Add(200 * time.Millisecond)
		for range 250 {
			store.add(at)
		}
		h := remind.NewHandler(store)
		h.Budget, h.Limit = time.Second, 100
		reply, err := h.Handle(context.Background(), NewEvent(events.TypeRemindersTick, nil))
		require.NoError(t, err)
		assert.Nil(t, reply)
		fired := store.firedAt()
		require.Len(t, fired, 250)
		slices.SortFunc(fired, time.Time.Compare)
		t.Logf("250 reminders due at once fired %v to %v late", fired[0].Sub(at), fired[len(fired)-1].Sub(at))
		assert.LessOrEqual(t, fired[len(fired)-1].Sub(at), maxLate)
	})
}

// clockAt returns a clock that runs with the real one but reads offset into a minute
// now, so that the next ping's time is known.
func clockAt(offset time.Duration) func() time.Time {
	real := time.Now()
	shift := real.Truncate(time.Minute).Add(offset).Sub(real)
	return func() time.Time { return time.Now().Add(shift) }
}

// MustNewUser returns a context signed in as a new user, whose row exists, and the
// user's id; the user's rows go at cleanup.
func MustNewUser(tb testing.TB, db *postgres.DB) (context.Context, string) {
	tb.Helper()
	id := "user-" + uuid.NewString()
	ctx := taskwire.NewContextWithUser(context.Background(), id)
	require.NoError(tb, postgres.NewUserService(db).EnsureUser(ctx, id, time.Time{}))
	tb.Cleanup(func() {
		_, err := db.Pool.Exec(context.Background(), `DELETE FROM outbox WHERE user_id = $1`, id)
		assert.NoError(tb, err)
		_, err = db.Pool.Exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
		assert.NoError(tb, err)
	})
	return ctx, id
}

// MustCreateTask creates an open task titled title with a reminder at at.
func MustCreateTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, title string, at time.Time) *taskwire.Task {
	tb.Helper()
	s := at.Format(time.RFC3339Nano)
	f, err := taskwire.NewTask{Title: title, Reminders: []taskwire.ReminderInput{{At: &s}}}.Fields()
	require.NoError(tb, err)
	task, _, err := svc.CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(tb, err)
	return task
}

// MustFollowChain hands tick back to h, and each follow-up tick after it, as the broker
// would, until the chain ends; the chain must end within links ticks.
func MustFollowChain(tb testing.TB, h *remind.Handler, tick *event.Event, links int) {
	tb.Helper()
	for range links {
		next, err := h.Handle(context.Background(), *tick)
		require.NoError(tb, err)
		if next == nil {
			return
		}
		tick = next
	}
	tb.Errorf("got the chain going on after %d ticks, want it ended once the reminders fired", links)
}

// AssertFiredOnTime checks that each of sent fired at its time, at most maxLate after.
func AssertFiredOnTime(tb testing.TB, sent []sentReminder) {
	tb.Helper()
	for _, r := range sent {
		late := r.Time.Sub(r.RemindAt)
		assert.GreaterOrEqual(tb, late, time.Duration(0), "got a reminder fired %v early", -late)
		assert.LessOrEqual(tb, late, maxLate, "got a reminder fired %v late, want at most %v", late, maxLate)
	}
}

// sentReminder is a reminder.due outbox row: when it was fired and for when.
type sentReminder struct {
	Time     time.Time
	RemindAt time.Time
}

// MustListReminderEvents returns user's reminder.due outbox rows in the order they were
// written.
func MustListReminderEvents(tb testing.TB, db *postgres.DB, user string) []sentReminder {
	tb.Helper()
	rows, err := db.Pool.Query(context.Background(), `
		SELECT time, (data->>'remind_at')::timestamptz FROM outbox
		WHERE user_id = $1 AND type = $2 ORDER BY seq`, user, events.TypeReminderDue)
	require.NoError(tb, err)
	defer rows.Close()
	var out []sentReminder
	for rows.Next() {
		var r sentReminder
		require.NoError(tb, rows.Scan(&r.Time, &r.RemindAt))
		r.Time, r.RemindAt = r.Time.UTC(), r.RemindAt.UTC()
		out = append(out, r)
	}
	require.NoError(tb, rows.Err())
	return out
}

// NewEvent returns an event of type typ with data (nil: none), as the broker delivers it.
func NewEvent(typ string, data any) event.Event {
	e := event.New()
	e.SetID(uuid.NewString())
	e.SetSource("/test")
	e.SetType(typ)
	if data != nil {
		_ = e.SetData(event.ApplicationJSON, data)
	}
	return e
}

// NewTaskEvent returns the task event of type typ for task t of user, with changes.
func NewTaskEvent(tb testing.TB, typ, user string, t *taskwire.Task, changes map[string]events.Change) event.Event {
	tb.Helper()
	e, err := events.NewTaskEvent(typ, user, t, changes, time.Now())
	require.NoError(tb, err)
	return e
}

// fakeStore holds reminders in memory: every reminder is free to claim until claimed,
// and a claim never ends.
type fakeStore struct {
	mu       sync.Mutex
	waiting  []postgres.Due
	fired    []time.Time
	n        int
	claimErr error
	fireErr  error
}

func (s *fakeStore) add(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting = append(s.waiting, postgres.Due{ReminderID: uuid.New(), TaskID: uuid.New(), FireAt: at})
}

func (s *fakeStore) Claim(ctx context.Context, horizon, lease time.Duration, limit int) ([]postgres.Due, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.claimErr != nil {
		return nil, s.claimErr
	}
	var claimed, rest []postgres.Due
	end := time.Now().Add(horizon)
	for _, d := range s.waiting {
		if !d.FireAt.After(end) && len(claimed) < limit {
			claimed = append(claimed, d)
		} else {
			rest = append(rest, d)
		}
	}
	s.waiting = rest
	return claimed, nil
}

func (s *fakeStore) Fire(ctx context.Context, dues ...postgres.Due) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.fireErr != nil {
		return 0, s.fireErr
	}
	for range dues {
		s.fired = append(s.fired, time.Now())
	}
	return len(dues), nil
}

func (s *fakeStore) NextFireAt(ctx context.Context) (*time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	var next *time.Time
	for _, d := range s.waiting {
		if next == nil || d.FireAt.Before(*next) {
			next = &d.FireAt
		}
	}
	return next, nil
}

func (s *fakeStore) Free(ctx context.Context, ids ...uuid.UUID) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	for _, d := range s.waiting {
		if slices.Contains(ids, d.ReminderID) {
			return true, nil
		}
	}
	return false, nil
}

// SendSummaries has no summaries to send: the daily summaries are tested on the real
// store (shared/postgres, and TestHandler_Ping).
func (s *fakeStore) SendSummaries(ctx context.Context) (int, error) {
	return 0, nil
}

func (s *fakeStore) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *fakeStore) firedAt() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fired)
}

// reminderChange is the change of a task's reminders from old to new, as Diff writes it.
func reminderChange(old, new []taskwire.Reminder) map[string]events.Change {
	asJSON := func(rs []taskwire.Reminder) any {
		b, _ := json.Marshal(rs)
		var v any
		_ = json.Unmarshal(b, &v)
		return v
	}
	return map[string]events.Change{"reminders": {Old: asJSON(old), New: asJSON(new)}}
}

func ptr[T any](v T) *T { return &v }
