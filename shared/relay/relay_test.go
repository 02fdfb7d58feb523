package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/relay"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// The tests share one database and publish every pending row of it, so they run one
// after the other and look only at their own user's events.
func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

func TestRelay_Flush(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		task := MustCreateTask(t, ctx, svc, "draft")
		_, err := svc.UpdateTask(ctx, "1", "", []byte(`{"title":"final"}`))
		require.NoError(t, err)
		require.NoError(t, svc.DeleteTask(ctx, "1", ""))
		rows := MustListOutbox(t, db, user)
		require.Len(t, rows, 3)
		for _, r := range rows {
			assert.False(t, r.Published, "got a row published before the relay ran")
		}

		rec := &recorder{}
		n, err := relay.New(db.Pool, rec, relay.Options{}).Flush(context.Background())
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, 3)

		got := rec.of(user)
		require.Len(t, got, 3, "got %d events, want 3", len(got))
		for i, e := range got {
			r := rows[i]
			assert.NoError(t, e.Validate())
			assert.Equal(t, event.CloudEventsVersionV1, e.SpecVersion())
			assert.Equal(t, r.ID.String(), e.ID(), "event %d: got id %s, want the row's, in order", i, e.ID())
			assert.Equal(t, r.Type, e.Type())
			assert.Equal(t, events.SourceTasks, e.Source())
			assert.Equal(t, task.ID.String(), e.Subject())
			assert.True(t, r.Time.Equal(e.Time()), "event %d: got time %v, want %v", i, e.Time(), r.Time)
			assert.Equal(t, event.ApplicationJSON, e.DataContentType())
			assert.JSONEq(t, string(r.Data), string(e.Data()))
			assert.Empty(t, e.Extensions(), "event %d: got extensions %v, want the standard attributes only", i, e.Extensions())
		}
		assert.Equal(t, []string{events.TypeTaskCreated, events.TypeTaskUpdated, events.TypeTaskDeleted}, types(got))
		for _, r := range MustListOutbox(t, db, user) {
			assert.True(t, r.Published, "row %s: not published", r.ID)
		}

		n, err = relay.New(db.Pool, rec, relay.Options{}).Flush(context.Background())
		require.NoError(t, err)
		assert.Zero(t, n, "got %d events published again", n)
		assert.Len(t, rec.of(user), 3)
	})

	t.Run("ErrNotAcknowledged", func(t *testing.T) {
		user, rows := MustWriteTasks(t, db, "one", "two", "three")

		broken := errors.New("broker unavailable")
		rec := &recorder{fail: func(e event.Event) error {
			if e.ID() == rows[1].ID.String() {
				return broken
			}
			return nil
		}}
		r := relay.New(db.Pool, rec, relay.Options{BatchSize: 2})
		n, err := r.Flush(context.Background())
		require.ErrorIs(t, err, broken)
		assert.Equal(t, 1, n, "got %d published, want only the row before the failure", n)
		assert.Equal(t, []string{rows[0].ID.String()}, ids(rec.of(user)))
		after := MustListOutbox(t, db, user)
		assert.True(t, after[0].Published)
		assert.False(t, after[1].Published, "a row the broker refused must stay pending")
		assert.False(t, after[2].Published, "rows after a refused one wait, to keep their order")

		rec.setFail(nil)
		n, err = r.Flush(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, []string{rows[0].ID.String(), rows[1].ID.String(), rows[2].ID.String()}, ids(rec.of(user)),
			"each event once, in order")
		for _, r := range MustListOutbox(t, db, user) {
			assert.True(t, r.Published)
		}
	})

	t.Run("OKRefusedSetAside", func(t *testing.T) {
		user, rows := MustWriteTasks(t, db, "one", "two", "three")

		rec := &recorder{fail: func(e event.Event) error {
			if e.ID() == rows[1].ID.String() {
				return fmt.Errorf("send to sink: %w: HTTP 413", relay.ErrRefused)
			}
			return nil
		}}
		r := relay.New(db.Pool, rec, relay.Options{BatchSize: 2})
		n, err := r.Flush(context.Background())
		require.NoError(t, err, "a row refused for good holds nothing up")
		assert.GreaterOrEqual(t, n, 2)
		assert.Equal(t, []string{rows[0].ID.String(), rows[2].ID.String()}, ids(rec.of(user)),
			"the rows after the refused one go out, in order")
		refused := MustFindRefused(t, db, rows[1].ID)
		assert.Equal(t, events.TypeTaskCreated, refused.Type)
		assert.Contains(t, refused.Reason, "HTTP 413")
		after := MustListOutbox(t, db, user)
		assert.False(t, after[1].Published, "a refused row is not published")
		assert.True(t, after[2].Published)

		_, err = r.Flush(context.Background())
		require.NoError(t, err)
		assert.Len(t, rec.of(user), 2, "a refused row is not sent again on its own")

		// Once the broker takes it, an operator sends it again.
		rec.setFail(nil)
		ok, err := relay.Requeue(context.Background(), db.Pool, refused.Seq)
		require.NoError(t, err)
		assert.True(t, ok)
		_, err = r.Flush(context.Background())
		require.NoError(t, err)
		assert.Equal(t, []string{rows[0].ID.String(), rows[2].ID.String(), rows[1].ID.String()}, ids(rec.of(user)))
		assert.True(t, MustListOutbox(t, db, user)[1].Published)
		ok, err = relay.Requeue(context.Background(), db.Pool, refused.Seq)
		require.NoError(t, err)
		assert.False(t, ok, "a published row is not refused")
	})

	t.Run("OKInvalidRowSetAside", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		MustCreateTask(t, ctx, svc, "before")
		var bad uuid.UUID
		require.NoError(t, db.Pool.QueryRow(context.Background(), `
			INSERT INTO outbox (id, user_id, type, source, subject, time, data)
			VALUES (gen_random_uuid(), $1, $2, '', 'x', now(), '{}') RETURNING id`, user, events.TypeTaskCreated).Scan(&bad))
		MustCreateTask(t, ctx, svc, "after")

		rec := &batchRecorder{}
		_, err := relay.New(db.Pool, rec, relay.Options{}).Flush(context.Background())
		require.NoError(t, err)
		assert.Len(t, rec.of(user), 2, "the valid rows around the invalid one go out")
		assert.Contains(t, MustFindRefused(t, db, bad).Reason, "source", "the reason says what is wrong with the row")
	})

	t.Run("OKReplicas", func(t *testing.T) {
		_, user := MustNewUser(t, db)
		const rows = 300
		_, err := db.Pool.Exec(context.Background(), `
			INSERT INTO outbox (id, user_id, type, source, subject, time, data)
			SELECT gen_random_uuid(), $1, $2, $3, gen_random_uuid()::text, now(), jsonb_build_object('i', i, 'user_id', $1::text)
			FROM generate_series(1, $4) AS i`, user, events.TypeTaskCreated, events.SourceTasks, rows)
		require.NoError(t, err)

		// Three replicas publish at once; each locks its own rows. Each one's first send
		// waits until all three hold a batch, so that none can drain the queue before the
		// others start (on a busy machine one did, and the others found nothing).
		var all sync.WaitGroup
		all.Add(3)
		allHold := make(chan struct{})
		go func() { all.Wait(); close(allHold) }()
		hold := func() {
			all.Done()
			select {
			case <-allHold:
			case <-time.After(10 * time.Second): // reported below, as a replica with nothing
			}
		}
		recs := []*recorder{{first: hold}, {first: hold}, {first: hold}}
		var wg sync.WaitGroup
		for _, rec := range recs {
			wg.Go(func() {
				_, err := relay.New(db.Pool, rec, relay.Options{BatchSize: 10}).Flush(context.Background())
				assert.NoError(t, err)
			})
		}
		wg.Wait()

		seen := map[string]int{}
		for i, rec := range recs {
			got := rec.of(user)
			assert.NotEmpty(t, got, "replica %d published nothing", i)
			order := make([]int, len(got))
			for j, e := range got {
				seen[e.ID()]++
				var data struct{ I int }
				require.NoError(t, json.Unmarshal(e.Data(), &data))
				order[j] = data.I
			}
			assert.True(t, slices.IsSorted(order), "replica %d sent out of order", i)
		}
		assert.Len(t, seen, rows, "got %d distinct events, want %d", len(seen), rows)
		for id, n := range seen {
			assert.Equal(t, 1, n, "event %s sent %d times", id, n)
		}
		assert.Zero(t, countPending(t, db, user))
	})
}

func TestRelay_FlushBatches(t *testing.T) {
	db := postgrestest.MustOpenDB(t)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		for _, title := range []string{"one", "two", "three"} {
			MustCreateTask(t, ctx, svc, title)
		}
		rows := MustListOutbox(t, db, user)

		rec := &batchRecorder{}
		n, err := relay.New(db.Pool, rec, relay.Options{BatchSize: 3}).Flush(context.Background())
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, 3)
		assert.Equal(t, []string{rows[0].ID.String(), rows[1].ID.String(), rows[2].ID.String()}, ids(rec.of(user)))
		assert.Positive(t, rec.batches(), "got no batch sent, want the rows sent as batches")
		assert.Zero(t, countPending(t, db, user))
	})

	t.Run("OKQueuedRowsGone", func(t *testing.T) {
		// A batch's worth of queued rows deleted by hand, ahead of one that is there.
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		for _, title := range []string{"one", "two", "three"} {
			MustCreateTask(t, ctx, svc, title)
		}
		var gone []int64
		require.NoError(t, db.Pool.QueryRow(context.Background(), `
			WITH d AS (DELETE FROM outbox WHERE user_id = $1 RETURNING seq) SELECT array_agg(seq) FROM d`, user).Scan(&gone))
		require.Len(t, gone, 3)
		MustCreateTask(t, ctx, svc, "kept")
		rows := MustListOutbox(t, db, user)
		require.Len(t, rows, 1)

		rec := &batchRecorder{}
		_, err := relay.New(db.Pool, rec, relay.Options{BatchSize: 3}).Flush(context.Background())
		require.NoError(t, err)
		assert.Equal(t, []string{rows[0].ID.String()}, ids(rec.of(user)), "the row behind the gone ones goes out")
		assert.Zero(t, countPending(t, db, user))
		var queued int
		require.NoError(t, db.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM outbox_pending WHERE seq = ANY($1)`, gone).Scan(&queued))
		assert.Zero(t, queued, "the gone rows leave the queue")
	})

	t.Run("ErrBatchRefused", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		svc := postgres.NewTaskService(db)
		for _, title := range []string{"one", "two", "three"} {
			MustCreateTask(t, ctx, svc, title)
		}
		rows := MustListOutbox(t, db, user)

		// The broker refuses the batches and the second event: the first goes out alone.
		broken := errors.New("broker unavailable")
		rec := &batchRecorder{refuse: true}
		rec.fail = func(e event.Event) error {
			if e.ID() == rows[1].ID.String() {
				return broken
			}
			return nil
		}
		_, err := relay.New(db.Pool, rec, relay.Options{BatchSize: 3}).Flush(context.Background())
		require.ErrorIs(t, err, broken)
		assert.Equal(t, []string{rows[0].ID.String()}, ids(rec.of(user)))
		after := MustListOutbox(t, db, user)
		assert.True(t, after[0].Published)
		assert.False(t, after[1].Published, "a row the broker refused must stay pending")
		assert.False(t, after[2].Published, "rows after a refused one wait, to keep their order")
	})
}

func TestRelay_Extensions(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	ctx, user := MustNewUser(t, db)
	svc := postgres.NewTaskService(db)
	due, before := time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "PT15M"
	f, err := taskwire.NewTask{Title: "with a reminder", DueAt: &due,
		Reminders: []taskwire.ReminderInput{{Before: &before}}}.Fields()
	require.NoError(t, err)
	_, _, err = svc.CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(t, err)
	MustCreateTask(t, ctx, svc, "without")

	rec := &recorder{}
	_, err = relay.New(db.Pool, rec, relay.Options{}).Flush(context.Background())
	require.NoError(t, err)
	got := rec.of(user)
	require.Len(t, got, 2)
	assert.Equal(t, map[string]any{events.ExtensionReminders: events.RemindersArmed}, got[0].Extensions(),
		"the event's extensions travel through the outbox")
	assert.Empty(t, got[1].Extensions())
}

func TestRelay_Run(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		// Left behind before any relay ran: swept at start.
		MustCreateTask(t, ctx, svc, "left behind")

		rec := &recorder{}
		stop := MustRun(t, relay.New(db.Pool, rec, relay.Options{SweepInterval: time.Hour}))
		waitFor(t, func() bool { return len(rec.of(user)) == 1 }, "the row left behind")

		// Published right after commit: the sweep is an hour away.
		start := time.Now()
		MustCreateTask(t, ctx, svc, "new")
		waitFor(t, func() bool { return len(rec.of(user)) == 2 }, "the new row")
		assert.Less(t, time.Since(start), 3*time.Second)
		// The row counts as published once the relay has committed that, just after the send.
		waitFor(t, func() bool { return countPending(t, db, user) == 0 }, "the rows marked published")
		stop()
	})

	t.Run("OKRetry", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		attempts := 0
		rec := &recorder{}
		rec.setFail(func(e event.Event) error {
			attempts++
			if attempts <= 2 {
				return errors.New("broker unavailable")
			}
			return nil
		})
		stop := MustRun(t, relay.New(db.Pool, rec, relay.Options{SweepInterval: time.Hour, RetryDelay: 20 * time.Millisecond}))
		MustCreateTask(t, ctx, svc, "retried")
		waitFor(t, func() bool { return len(rec.of(user)) == 1 }, "the retried row")
		waitFor(t, func() bool { return countPending(t, db, user) == 0 }, "the retried row marked published")
		stop()
		assert.Equal(t, 3, attempts, "got %d attempts, want 2 failures then success", attempts)
	})

	t.Run("OKReconnect", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		rec := &recorder{}
		stop := MustRun(t, relay.New(db.Pool, rec, relay.Options{SweepInterval: time.Hour}))
		MustCreateTask(t, ctx, svc, "before")
		waitFor(t, func() bool { return len(rec.of(user)) == 1 }, "the first row")

		// The first row may have gone out with the sweep at start, before the relay's
		// connection was LISTENing: wait for that connection before cutting it.
		waitFor(t, func() bool { return countListening(t, db) == 1 }, "the relay's LISTEN connection")
		var killed int
		require.NoError(t, db.Pool.QueryRow(context.Background(), `
			SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'taskwire-relay' AND datname = current_database()`).Scan(&killed))
		require.Equal(t, 1, killed, "got %d relay connections, want 1", killed)

		MustCreateTask(t, ctx, svc, "after")
		waitFor(t, func() bool { return len(rec.of(user)) == 2 }, "the row committed around the reconnect")
		MustCreateTask(t, ctx, svc, "later")
		waitFor(t, func() bool { return len(rec.of(user)) == 3 }, "a row after the reconnect")
		stop()
	})
}

// countListening counts the relay connections of the test database that have sent LISTEN.
func countListening(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'taskwire-relay' AND datname = current_database()
		  AND query LIKE 'LISTEN %'`).Scan(&n))
	return n
}

// recorder is a Sender that keeps what it was sent; fail, when set, refuses an event.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
	fail   func(event.Event) error
	first  func() // called at the first send, before it is taken
	once   sync.Once
}

func (r *recorder) Send(ctx context.Context, e event.Event) error {
	if r.first != nil {
		r.once.Do(r.first)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(e); err != nil {
			return err
		}
	}
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) setFail(f func(event.Event) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = f
}

// batchRecorder is a recorder that takes batches too; refuse makes it refuse every batch.
type batchRecorder struct {
	recorder
	refuse bool
	sent   int // batches taken
}

func (r *batchRecorder) SendBatch(ctx context.Context, evs []event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse {
		return errors.New("batch refused")
	}
	r.events = append(r.events, evs...)
	r.sent++
	return nil
}

func (r *batchRecorder) batches() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent
}

// of returns the events of user that were sent, in the order they were.
func (r *recorder) of(user string) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.Event
	for _, e := range r.events {
		var d struct {
			UserID string `json:"user_id"`
		}
		_ = json.Unmarshal(e.Data(), &d)
		if d.UserID == user {
			out = append(out, e)
		}
	}
	return out
}

// MustNewUser returns a context signed in as a new user whose row exists; the user's rows
// go at cleanup.
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

// MustCreateTask creates a task titled title.
func MustCreateTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, title string) *taskwire.Task {
	tb.Helper()
	f, err := taskwire.NewTask{Title: title}.Fields()
	require.NoError(tb, err)
	task, _, err := svc.CreateTask(ctx, f, taskwire.IdempotencyKey{})
	require.NoError(tb, err)
	return task
}

// MustRun runs r until the returned stop is called (or the test ends), and checks that
// Run then returns nil promptly.
func MustRun(tb testing.TB, r *relay.Relay) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				assert.NoError(tb, err, "Run must return nil once its context is done")
			case <-time.After(5 * time.Second):
				tb.Error("Run did not return within 5s of its context ending")
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}

// outboxRow is an outbox row as the tests read it.
type outboxRow struct {
	ID        uuid.UUID
	Type      string
	Time      time.Time
	Data      []byte
	Published bool // the broker acknowledged it: neither queued for the relay nor refused
}

// MustListOutbox returns user's outbox rows in the order they were written.
func MustListOutbox(tb testing.TB, db *postgres.DB, user string) []outboxRow {
	tb.Helper()
	rows, err := db.Pool.Query(context.Background(),
		`SELECT id, type, time, data,
			NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq) AND refused_at IS NULL
		FROM outbox o WHERE user_id = $1 ORDER BY seq`, user)
	require.NoError(tb, err)
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		require.NoError(tb, rows.Scan(&r.ID, &r.Type, &r.Time, &r.Data, &r.Published))
		out = append(out, r)
	}
	require.NoError(tb, rows.Err())
	return out
}

// MustWriteTasks creates a task of each title for a new user and returns the user and
// the outbox rows written, in order.
func MustWriteTasks(tb testing.TB, db *postgres.DB, titles ...string) (string, []outboxRow) {
	tb.Helper()
	ctx, user := MustNewUser(tb, db)
	svc := postgres.NewTaskService(db)
	for _, title := range titles {
		MustCreateTask(tb, ctx, svc, title)
	}
	return user, MustListOutbox(tb, db, user)
}

// MustFindRefused returns the refused outbox row of event id, as ListRefused lists it.
func MustFindRefused(tb testing.TB, db *postgres.DB, id uuid.UUID) relay.Refused {
	tb.Helper()
	list, err := relay.ListRefused(context.Background(), db.Pool)
	require.NoError(tb, err)
	for _, r := range list {
		if r.ID == id {
			return r
		}
	}
	tb.Fatalf("event %s is not among the %d refused outbox rows", id, len(list))
	return relay.Refused{}
}

func countPending(tb testing.TB, db *postgres.DB, user string) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM outbox o JOIN outbox_pending p ON p.seq = o.seq WHERE o.user_id = $1`, user).Scan(&n))
	return n
}

// waitFor polls cond for up to 5 seconds.
func waitFor(tb testing.TB, cond func() bool, what string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func types(list []event.Event) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Type()
	}
	return out
}

func ids(list []event.Event) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.ID()
	}
	return out
}
