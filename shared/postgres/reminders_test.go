package postgres_test

import (
	"context"
	"encoding/json"
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

// remindBase is the reminder tests' "now": long before any other test's reminders, so
// that claims, which span every user, meet no other test's rows.
var remindBase = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

func TestReminderService_Claim(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		soon := MustCreateRemindedTask(t, ctx, svc, "soon", ptr(remindBase.Add(time.Hour)), remindBase.Add(10*time.Second))
		late := MustCreateRemindedTask(t, ctx, svc, "late", nil, remindBase.Add(-time.Hour))
		MustCreateRemindedTask(t, ctx, svc, "later", nil, remindBase.Add(2*time.Hour))
		fired := MustCreateRemindedTask(t, ctx, svc, "fired", nil, remindBase.Add(-time.Minute))
		_, err := db.Pool.Exec(ctx, `UPDATE reminders SET fired_at = $2 WHERE task_id = $1`, fired.ID, remindBase.Add(-time.Minute))
		require.NoError(t, err)
		done := MustCreateRemindedTask(t, ctx, svc, "done", nil, remindBase.Add(5*time.Second))
		_, err = svc.SetStatus(ctx, done.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "no reminder", DueAt: rfc3339(remindBase.Add(time.Second))})

		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		got := MustClaim(t, rs, user, 30*time.Second, 40*time.Second)
		require.Len(t, got, 2, "got %v, want the late and the soon reminder", got)
		assert.Equal(t, postgres.Due{
			ReminderID: late.Reminders[0].ID, TaskID: late.ID, UserID: user, Title: "late",
			FireAt: remindBase.Add(-time.Hour),
		}, got[0])
		assert.Equal(t, postgres.Due{
			ReminderID: soon.Reminders[0].ID, TaskID: soon.ID, UserID: user, Title: "soon",
			DueAt: ptr(remindBase.Add(time.Hour)), FireAt: remindBase.Add(10 * time.Second),
		}, got[1])

		var claimedBy string
		var lease time.Time
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT claimed_by, lease_until FROM reminders WHERE id = $1`,
			soon.Reminders[0].ID).Scan(&claimedBy, &lease))
		assert.Contains(t, claimedBy, "holder-a")
		assert.Equal(t, remindBase.Add(40*time.Second), lease.UTC(), "got lease until %v, want now + 40s", lease)

		again := MustClaim(t, NewReminderServiceAt(db, "holder-b", remindBase.Add(time.Second)), user, 30*time.Second, 40*time.Second)
		assert.Empty(t, again, "got %v claimed again while leased, want none", again)
	})

	t.Run("Limit", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		for i := range 5 {
			MustCreateRemindedTask(t, ctx, svc, "t", nil, remindBase.Add(time.Duration(5-i)*time.Second))
		}
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		got, err := rs.Claim(context.Background(), time.Minute, time.Minute, 2)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, []time.Time{remindBase.Add(time.Second), remindBase.Add(2 * time.Second)}, fireTimes(got))
		assert.Len(t, MustClaim(t, rs, user, time.Minute, time.Minute), 3)
	})

	t.Run("Concurrent", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		const n = 40
		want := map[uuid.UUID]bool{}
		for i := range n {
			task := MustCreateRemindedTask(t, ctx, svc, "t", nil, remindBase.Add(time.Duration(i)*100*time.Millisecond))
			want[task.Reminders[0].ID] = true
		}

		const holders = 4
		claimed := make([][]postgres.Due, holders)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for h := range holders {
			wg.Go(func() {
				rs := NewReminderServiceAt(db, "holder-"+string(rune('a'+h)), remindBase)
				<-start
				for {
					got, err := rs.Claim(context.Background(), time.Minute, time.Minute, 3)
					if !assert.NoError(t, err) || len(got) == 0 {
						return
					}
					claimed[h] = append(claimed[h], got...)
				}
			})
		}
		close(start)
		wg.Wait()

		seen := map[uuid.UUID]int{}
		for h, dues := range claimed {
			for _, d := range dues {
				if d.UserID == user {
					seen[d.ReminderID]++
				}
			}
			t.Logf("holder %d claimed %d", h, len(dues))
		}
		assert.Len(t, seen, n, "got %d reminders claimed, want %d", len(seen), n)
		for id, times := range seen {
			assert.True(t, want[id], "got reminder %s claimed, want only the test's", id)
			assert.Equal(t, 1, times, "got reminder %s claimed %d times, want once", id, times)
		}
	})

	t.Run("HolderDies", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		task := MustCreateRemindedTask(t, ctx, svc, "t", nil, remindBase.Add(5*time.Second))

		dead := NewReminderServiceAt(db, "holder-dead", remindBase)
		require.Len(t, MustClaim(t, dead, user, 10*time.Second, 20*time.Second), 1)

		heir := NewReminderServiceAt(db, "holder-heir", remindBase.Add(19*time.Second))
		assert.Empty(t, MustClaim(t, heir, user, 10*time.Second, 20*time.Second), "got a claim while the lease holds, want none")
		heir.Now = fixedClock(remindBase.Add(21 * time.Second))
		got := MustClaim(t, heir, user, 10*time.Second, 20*time.Second)
		require.Len(t, got, 1, "got %v, want the reminder claimed again after its lease ended", got)
		assert.Equal(t, task.Reminders[0].ID, got[0].ReminderID)

		// The holder that came back too late fires nothing; the heir fires it.
		dead.Now = fixedClock(remindBase.Add(22 * time.Second))
		fired, err := dead.Fire(context.Background(), got[0])
		require.NoError(t, err)
		assert.Zero(t, fired, "got fired by the holder whose lease ended, want not")
		fired, err = heir.Fire(context.Background(), got[0])
		require.NoError(t, err)
		assert.Equal(t, 1, fired, "got not fired by the heir, want fired")
		assert.Len(t, MustListReminderEvents(t, db, user), 1)
	})

	t.Run("Cancelled", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		completed := MustCreateRemindedTask(t, ctx, svc, "completed", nil, remindBase.Add(time.Second))
		deleted := MustCreateRemindedTask(t, ctx, svc, "deleted", nil, remindBase.Add(time.Second))
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		claimed := MustClaim(t, rs, user, 10*time.Second, 20*time.Second)
		require.Len(t, claimed, 2)

		_, err := svc.SetStatus(ctx, completed.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		require.NoError(t, svc.DeleteTask(ctx, deleted.ID.String(), ""))
		rs.Now = fixedClock(remindBase.Add(time.Second))
		for _, d := range claimed {
			fired, err := rs.Fire(context.Background(), d)
			require.NoError(t, err)
			assert.Zero(t, fired, "got %q fired, want cancelled", d.Title)
		}
		assert.Empty(t, MustListReminderEvents(t, db, user))

		later := NewReminderServiceAt(db, "holder-b", remindBase.Add(time.Minute))
		assert.Empty(t, MustClaim(t, later, user, time.Hour, time.Minute), "got a cancelled reminder claimed, want none")

		// Reopened, the task's reminder is late, not lost.
		_, err = svc.SetStatus(ctx, completed.ID.String(), "", taskwire.StatusOpen)
		require.NoError(t, err)
		got := MustClaim(t, later, user, time.Hour, time.Minute)
		require.Len(t, got, 1)
		assert.Equal(t, completed.Reminders[0].ID, got[0].ReminderID)
	})

	t.Run("DueDateMoved", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		due := remindBase.Add(time.Hour)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "moved", DueAt: rfc3339(due), Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}},
		})
		first := NewReminderServiceAt(db, "holder-a", remindBase)
		old := MustClaim(t, first, user, time.Hour, time.Hour)
		require.Len(t, old, 1)
		require.Equal(t, due.Add(-15*time.Minute), old[0].FireAt)

		moved := remindBase.Add(30 * time.Minute)
		MustUpdateTask(t, ctx, svc, task.ID.String(), `{"due_at":"`+moved.Format(time.RFC3339)+`"}`)

		// Re-armed at the new time: free to claim at once, though the old time is leased.
		second := NewReminderServiceAt(db, "holder-b", remindBase.Add(time.Second))
		got := MustClaim(t, second, user, time.Hour, time.Hour)
		require.Len(t, got, 1, "got %v, want the moved reminder claimed at its new time", got)
		assert.Equal(t, old[0].ReminderID, got[0].ReminderID)
		assert.Equal(t, moved.Add(-15*time.Minute), got[0].FireAt)
		assert.Equal(t, &moved, got[0].DueAt)

		// The old time fires nothing; the new one fires.
		first.Now = fixedClock(old[0].FireAt)
		fired, err := first.Fire(context.Background(), old[0])
		require.NoError(t, err)
		assert.Zero(t, fired, "got the old time fired, want nothing")
		second.Now = fixedClock(got[0].FireAt)
		fired, err = second.Fire(context.Background(), got[0])
		require.NoError(t, err)
		assert.Equal(t, 1, fired)
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 1)
		assert.Equal(t, moved.Add(-15*time.Minute), sent[0].ReminderData(t).RemindAt)

		third := NewReminderServiceAt(db, "holder-c", old[0].FireAt)
		assert.Empty(t, MustClaim(t, third, user, time.Hour, time.Hour), "got the old time claimed, want none")
	})
}

func TestReminderService_Fire(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)

	t.Run("OK", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		due := remindBase.Add(time.Hour)
		task := MustCreateRemindedTask(t, ctx, svc, "call mum", &due, remindBase.Add(time.Second))
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 1)

		firedAt := remindBase.Add(time.Second + 3*time.Millisecond)
		rs.Now = fixedClock(firedAt)
		fired, err := rs.Fire(context.Background(), claimed[0])
		require.NoError(t, err)
		require.Equal(t, 1, fired, "got not fired, want fired")

		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 1, "got %d reminder.due events, want 1", len(sent))
		row := sent[0]
		assert.Equal(t, postgres.DueEventID(task.Reminders[0].ID, remindBase.Add(time.Second)), row.ID)
		assert.Equal(t, events.SourceReminders, row.Source)
		assert.Equal(t, task.Reminders[0].ID.String(), row.Subject)
		assert.Equal(t, firedAt, row.Time.UTC(), "got event time %v, want the firing instant", row.Time)
		assert.Equal(t, events.ReminderData{
			UserID: user, TaskID: task.ID.String(), TaskNumber: task.Number, Title: "call mum", DueAt: &due, RemindAt: remindBase.Add(time.Second),
		}, row.ReminderData(t))
		var firedMark time.Time
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT fired_at FROM reminders WHERE id = $1`, task.Reminders[0].ID).Scan(&firedMark))
		assert.Equal(t, firedAt, firedMark.UTC())

		fired, err = rs.Fire(context.Background(), claimed[0])
		require.NoError(t, err)
		assert.Zero(t, fired, "got fired twice, want once")
		assert.Len(t, MustListReminderEvents(t, db, user), 1)
	})

	// A reminder carries its task's steps as they are when it fires, each task its own
	// when several fire at once.
	t.Run("Checklist", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		lists := map[string][]taskwire.Step{
			"pack": {{Text: "Passport", Done: true}, {Text: "Charger"}, {Text: "Tickets"}},
			"shop": {{Text: "Milk"}},
			"call": {},
		}
		for title, steps := range lists {
			in := taskwire.NewTask{Title: title, Reminders: []taskwire.ReminderInput{{At: rfc3339(remindBase.Add(time.Second))}}}
			for _, s := range steps {
				in.Checklist = append(in.Checklist, taskwire.StepInput{Text: s.Text, Done: s.Done})
			}
			MustCreateTask(t, ctx, svc, in)
		}
		rs := NewReminderServiceAt(db, "holder-steps", remindBase)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 3)
		fired, err := rs.Fire(context.Background(), claimed...)
		require.NoError(t, err)
		require.Equal(t, 3, fired)
		got := map[string][]taskwire.Step{}
		for _, row := range MustListReminderEvents(t, db, user) {
			d := row.ReminderData(t)
			got[d.Title] = d.Checklist
		}
		assert.Equal(t, map[string][]taskwire.Step{"pack": lists["pack"], "shop": lists["shop"], "call": nil}, got)
	})

	// An all-day task's reminder fires at 09:00 on its day, and says which day it is due.
	t.Run("AllDay", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{Title: "Pay rent", DueDate: ptr("2001-02-03"), TimeZone: "Asia/Tokyo",
			Reminders: []taskwire.ReminderInput{{Before: ptr("PT0S")}}})
		nine := time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC) // 09:00 in Tokyo
		require.Equal(t, nine, *task.Reminders[0].FireAt)
		rs := NewReminderServiceAt(db, "holder-a", nine)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 1)
		fired, err := rs.Fire(context.Background(), claimed[0])
		require.NoError(t, err)
		require.Equal(t, 1, fired)
		sent := MustListReminderEvents(t, db, user)
		require.Len(t, sent, 1)
		assert.Equal(t, events.ReminderData{UserID: user, TaskID: task.ID.String(), TaskNumber: task.Number, Title: "Pay rent", DueAt: task.DueAt,
			DueDate: ptr("2001-02-03"), RemindAt: nine}, sent[0].ReminderData(t))
	})

	t.Run("Concurrent", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		MustCreateRemindedTask(t, ctx, svc, "t", nil, remindBase.Add(time.Second))
		claimed := MustClaim(t, NewReminderServiceAt(db, "holder-a", remindBase), user, time.Minute, time.Minute)
		require.Len(t, claimed, 1)

		var wg sync.WaitGroup
		var mu sync.Mutex
		fired := 0
		for range 8 {
			wg.Go(func() {
				n, err := NewReminderServiceAt(db, "holder-a", remindBase.Add(time.Second)).Fire(context.Background(), claimed[0])
				assert.NoError(t, err)
				mu.Lock()
				fired += n
				mu.Unlock()
			})
		}
		wg.Wait()
		assert.Equal(t, 1, fired, "got %d firings, want 1", fired)
		assert.Len(t, MustListReminderEvents(t, db, user), 1)
	})

	t.Run("ArmedAgainAtAFiredTime", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		due := remindBase.Add(time.Hour)
		task := MustCreateTask(t, ctx, svc, taskwire.NewTask{
			Title: "t", DueAt: rfc3339(due), Reminders: []taskwire.ReminderInput{{Before: ptr("PT1H")}},
		})
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 1)
		fired, err := rs.Fire(context.Background(), claimed[0])
		require.NoError(t, err)
		require.Equal(t, 1, fired)

		MustUpdateTask(t, ctx, svc, task.ID.String(), `{"due_at":"`+due.Add(time.Hour).Format(time.RFC3339)+`"}`)
		MustUpdateTask(t, ctx, svc, task.ID.String(), `{"due_at":"`+due.Format(time.RFC3339)+`"}`)
		again := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, again, 1, "got %v, want the re-armed reminder claimed", again)
		fired, err = rs.Fire(context.Background(), again[0])
		require.NoError(t, err)
		assert.Zero(t, fired, "got a second event for one firing time, want none")
		assert.Len(t, MustListReminderEvents(t, db, user), 1)
		assert.Empty(t, MustClaim(t, rs, user, time.Minute, time.Minute), "got the reminder claimed after it was marked, want none")
	})

	t.Run("Removed", func(t *testing.T) {
		ctx, user := MustNewUser(t, db)
		task := MustCreateRemindedTask(t, ctx, svc, "t", nil, remindBase.Add(time.Second))
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 1)
		MustUpdateTask(t, ctx, svc, task.ID.String(), `{"reminders":[]}`)
		fired, err := rs.Fire(context.Background(), claimed[0])
		require.NoError(t, err)
		assert.Zero(t, fired)
		assert.Empty(t, MustListReminderEvents(t, db, user))
	})

	t.Run("Together", func(t *testing.T) {
		// Reminders due at one moment fire in one call; those that may no longer fire
		// are skipped, and the rest fire all the same.
		ctx, user := MustNewUser(t, db)
		at := remindBase.Add(time.Second)
		dueTwo, dueOne := at.Add(time.Hour), at.Add(2*time.Hour)
		two := MustCreateRemindedTask(t, ctx, svc, "two reminders", &dueTwo, at, at.Add(time.Millisecond))
		one := MustCreateRemindedTask(t, ctx, svc, "one reminder", &dueOne, at)
		completed := MustCreateRemindedTask(t, ctx, svc, "completed", nil, at)
		removed := MustCreateRemindedTask(t, ctx, svc, "removed", nil, at)
		rs := NewReminderServiceAt(db, "holder-a", remindBase)
		claimed := MustClaim(t, rs, user, time.Minute, time.Minute)
		require.Len(t, claimed, 5)
		_, err := svc.SetStatus(ctx, completed.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		MustUpdateTask(t, ctx, svc, removed.ID.String(), `{"reminders":[]}`)

		rs.Now = fixedClock(at.Add(time.Millisecond))
		fired, err := rs.Fire(context.Background(), claimed...)
		require.NoError(t, err)
		assert.Equal(t, 3, fired)
		// Each event carries its own task's title and due date.
		got := map[string]string{}
		for _, e := range MustListReminderEvents(t, db, user) {
			d := e.ReminderData(t)
			got[e.Subject] = d.Title + " due " + d.DueAt.Format(time.RFC3339)
		}
		assert.Equal(t, map[string]string{
			two.Reminders[0].ID.String(): "two reminders due " + dueTwo.Format(time.RFC3339),
			two.Reminders[1].ID.String(): "two reminders due " + dueTwo.Format(time.RFC3339),
			one.Reminders[0].ID.String(): "one reminder due " + dueOne.Format(time.RFC3339),
		}, got)

		fired, err = rs.Fire(context.Background(), claimed...)
		require.NoError(t, err)
		assert.Zero(t, fired, "got fired again, want each once")
		assert.Len(t, MustListReminderEvents(t, db, user), 3)
	})
}

// TestReminderService_Free shows which reminders a task event still has to have claimed:
// those nobody holds, whose task is open and which have not fired.
func TestReminderService_Free(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctx, user := MustNewUser(t, db)
	rs := NewReminderServiceAt(db, "holder-a", remindBase)
	free := func(ids ...uuid.UUID) bool {
		t.Helper()
		ok, err := rs.Free(context.Background(), ids...)
		require.NoError(t, err)
		return ok
	}

	held := MustCreateTask(t, ctx, svc, taskwire.NewTask{
		Title: "held", DueAt: rfc3339(remindBase.Add(time.Hour)), Reminders: []taskwire.ReminderInput{{Before: ptr("PT15M")}},
	})
	heldID := held.Reminders[0].ID
	assert.True(t, free(heldID), "got a new reminder not free, want free")
	require.Len(t, MustClaim(t, NewReminderServiceAt(db, "holder-b", remindBase), user, time.Hour, 30*time.Second), 1)
	assert.False(t, free(heldID), "got a reminder free while another holder's lease holds, want not")

	waiting := MustCreateRemindedTask(t, ctx, svc, "waiting", nil, remindBase.Add(20*time.Second))
	assert.True(t, free(heldID, waiting.Reminders[0].ID), "got none free, want the one nobody holds")
	assert.False(t, free(uuid.New()), "got an unknown reminder free, want not")

	rs.Now = fixedClock(remindBase.Add(31 * time.Second))
	assert.True(t, free(heldID), "got a reminder not free after its lease ended, want free: its holder died")
	rs.Now = fixedClock(remindBase)

	// Moved with its task's due date, a held reminder is free at its new time.
	moved := remindBase.Add(50 * time.Minute)
	MustUpdateTask(t, ctx, svc, held.ID.String(), `{"due_at":"`+moved.Format(time.RFC3339)+`"}`)
	assert.True(t, free(heldID), "got a moved reminder not free, want free at its new time")

	// Fired or cancelled, it is not.
	fireAt := remindBase.Add(20 * time.Second)
	rs.Now = fixedClock(fireAt)
	fired, err := rs.Fire(context.Background(), postgres.Due{ReminderID: waiting.Reminders[0].ID, TaskID: waiting.ID, FireAt: fireAt})
	require.NoError(t, err)
	require.Equal(t, 1, fired)
	assert.False(t, free(waiting.Reminders[0].ID), "got a fired reminder free, want not")
	_, err = svc.SetStatus(ctx, held.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(t, err)
	assert.False(t, free(heldID), "got the reminder of a completed task free, want not")

	// Reopened, a reminder is free again while its holder's lease still runs: the holder
	// let it go when it found the task completed, and nobody would fire it before the
	// lease ended.
	rs.Now = fixedClock(remindBase)
	dropped := MustCreateRemindedTask(t, ctx, svc, "dropped", nil, remindBase.Add(10*time.Second))
	holderB := NewReminderServiceAt(db, "holder-b", remindBase)
	claimed := MustClaim(t, holderB, user, 15*time.Second, 30*time.Second)
	require.Len(t, claimed, 1)
	MustSetStatus(t, ctx, svc, dropped.ID, taskwire.StatusCompleted)
	holderB.Now = fixedClock(remindBase.Add(10 * time.Second))
	fired, err = holderB.Fire(context.Background(), claimed...)
	require.NoError(t, err)
	require.Zero(t, fired, "a completed task's reminder fired")
	MustSetStatus(t, ctx, svc, dropped.ID, taskwire.StatusOpen)
	rs.Now = fixedClock(remindBase.Add(12 * time.Second))
	assert.True(t, free(dropped.Reminders[0].ID), "got a reopened task's reminder held by the lease its holder let go, want free")
}

// A holder that stops lets its claims go: another finds them free at once, not when the
// lease ends (until 2026-12-06 a restarted reminders function left a reminder due in the
// next half minute to the ping after its lease). Other holders' claims stay.
func TestReminderService_Release(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctx, user := MustNewUser(t, db)
	a := NewReminderServiceAt(db, "holder-a", remindBase)
	b := NewReminderServiceAt(db, "holder-b", remindBase)
	mine := MustCreateRemindedTask(t, ctx, svc, "mine", nil, remindBase.Add(10*time.Second))
	require.Len(t, MustClaim(t, a, user, 15*time.Second, 30*time.Second), 1)
	theirs := MustCreateRemindedTask(t, ctx, svc, "theirs", nil, remindBase.Add(12*time.Second))
	require.Len(t, MustClaim(t, b, user, 15*time.Second, 30*time.Second), 1)

	released, err := a.Release(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), released)
	free := func(id uuid.UUID) bool {
		t.Helper()
		ok, err := b.Free(context.Background(), id)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, free(mine.Reminders[0].ID), "got the stopped holder's reminder held, want free")
	assert.False(t, free(theirs.Reminders[0].ID), "got another holder's claim released, want it held")
}

func TestReminderService_NextFireAt(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctx, user := MustNewUser(t, db)
	rs := NewReminderServiceAt(db, "holder-a", remindBase)

	first := MustCreateRemindedTask(t, ctx, svc, "first", nil, remindBase.Add(10*time.Second))
	assert.Equal(t, ptr(remindBase.Add(10*time.Second)), MustNextFireAt(t, rs))

	// Held by a holder, a reminder counts from the end of its lease.
	require.Len(t, MustClaim(t, rs, user, 15*time.Second, 30*time.Second), 1)
	assert.Equal(t, ptr(remindBase.Add(30*time.Second)), MustNextFireAt(t, rs))
	second := MustCreateRemindedTask(t, ctx, svc, "second", nil, remindBase.Add(20*time.Second))
	assert.Equal(t, ptr(remindBase.Add(20*time.Second)), MustNextFireAt(t, rs))

	// Fired or cancelled reminders do not count.
	rs.Now = fixedClock(remindBase.Add(10 * time.Second))
	fired, err := rs.Fire(context.Background(), postgres.Due{ReminderID: first.Reminders[0].ID, TaskID: first.ID, FireAt: remindBase.Add(10 * time.Second)})
	require.NoError(t, err)
	require.Equal(t, 1, fired)
	assert.Equal(t, ptr(remindBase.Add(20*time.Second)), MustNextFireAt(t, rs))
	_, err = svc.SetStatus(ctx, second.ID.String(), "", taskwire.StatusCompleted)
	require.NoError(t, err)
	if next := MustNextFireAt(t, rs); next != nil {
		assert.True(t, next.After(remindBase.Add(time.Hour)), "got next %v, want nothing of this test's", next)
	}
}

// NewReminderServiceAt returns a ReminderService on db for holder, its clock stopped at now.
func NewReminderServiceAt(db *postgres.DB, holder string, now time.Time) *postgres.ReminderService {
	rs := postgres.NewReminderService(db)
	rs.Holder, rs.Now = holder, fixedClock(now)
	return rs
}

// MustCreateRemindedTask creates an open task titled title, due at due (nil: no due
// date), with a reminder at each of ats.
func MustCreateRemindedTask(tb testing.TB, ctx context.Context, svc *postgres.TaskService, title string, due *time.Time, ats ...time.Time) *taskwire.Task {
	tb.Helper()
	in := taskwire.NewTask{Title: title}
	if due != nil {
		in.DueAt = rfc3339(*due)
	}
	for _, at := range ats {
		in.Reminders = append(in.Reminders, taskwire.ReminderInput{At: rfc3339(at)})
	}
	return MustCreateTask(tb, ctx, svc, in)
}

// MustClaim claims what rs can within horizon and returns the claims of user's reminders.
func MustClaim(tb testing.TB, rs *postgres.ReminderService, user string, horizon, lease time.Duration) []postgres.Due {
	tb.Helper()
	dues, err := rs.Claim(context.Background(), horizon, lease, 1000)
	require.NoError(tb, err)
	var mine []postgres.Due
	for _, d := range dues {
		if d.UserID == user {
			mine = append(mine, d)
		}
	}
	return mine
}

// MustNextFireAt returns rs.NextFireAt.
func MustNextFireAt(tb testing.TB, rs *postgres.ReminderService) *time.Time {
	tb.Helper()
	next, err := rs.NextFireAt(context.Background())
	require.NoError(tb, err)
	return next
}

// MustListReminderEvents returns user's reminder.due outbox rows in the order they were
// written.
func MustListReminderEvents(tb testing.TB, db *postgres.DB, user string) []outboxRow {
	tb.Helper()
	var out []outboxRow
	for _, r := range MustListOutbox(tb, db, user) {
		if r.Type == events.TypeReminderDue {
			out = append(out, r)
		}
	}
	return out
}

// ReminderData decodes the row's data as a reminder.due event's.
func (r outboxRow) ReminderData(tb testing.TB) events.ReminderData {
	tb.Helper()
	var data events.ReminderData
	require.NoError(tb, json.Unmarshal(r.Data, &data), "data of event %s", r.ID)
	if data.DueAt != nil {
		data.DueAt = ptr(data.DueAt.UTC())
	}
	data.RemindAt = data.RemindAt.UTC()
	return data
}

func fireTimes(dues []postgres.Due) []time.Time {
	out := make([]time.Time, len(dues))
	for i, d := range dues {
		out[i] = d.FireAt
	}
	return out
}

// TestReminderService_DueScanSkipsCompleted shows that the reminders of completed tasks,
// which never fire, cost the due scans nothing: looking for the first reminder to fire
// reads none of them, however many there are, and a reopened task's fire again.
func TestReminderService_DueScanSkipsCompleted(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewTaskService(db)
	ctx, user := MustNewUser(t, db)
	early := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // before every other test's reminders
	var done []*taskwire.Task
	for i := range 40 {
		task := MustCreateRemindedTask(t, ctx, svc, fmt.Sprintf("done %d", i), nil, early.Add(time.Duration(i)*time.Minute))
		_, err := svc.SetStatus(ctx, task.ID.String(), "", taskwire.StatusCompleted)
		require.NoError(t, err)
		done = append(done, task)
	}
	open := MustCreateRemindedTask(t, ctx, svc, "open", nil, early.Add(time.Hour))

	assert.Equal(t, 1, remindersReadToFirstDue(t, db), "the first due reminder is the first one read")
	first := MustNextFireAt(t, NewReminderServiceAt(db, "holder-a", early))
	require.NotNil(t, first)
	assert.True(t, open.Reminders[0].FireAt.Equal(*first), "got %v, want the open task's reminder", first)

	_, err := svc.SetStatus(ctx, done[0].ID.String(), "", taskwire.StatusOpen)
	require.NoError(t, err)
	dues := MustClaim(t, NewReminderServiceAt(db, "holder-a", early), user, time.Minute, time.Minute)
	require.Len(t, dues, 1, "a reopened task's reminder is due again")
	assert.Equal(t, done[0].ID, dues[0].TaskID)
}

// remindersReadToFirstDue returns how many reminder rows the query for the first
// reminder to fire reads, from its plan as PostgreSQL ran it with the due index.
func remindersReadToFirstDue(tb testing.TB, db *postgres.DB) int {
	tb.Helper()
	return MustRowsRead(tb, db, "reminders", `SELECT r.id FROM reminders r JOIN tasks t ON t.id = r.task_id
		WHERE `+postgres.PendingSQL+` ORDER BY r.fire_at LIMIT 1`)
}

// MustRowsRead runs query with args under EXPLAIN ANALYZE, in a transaction it rolls back,
// and returns how many rows of relation its plan read. Sequential scans are off: the
// tests' tables are small, and a big one is read through its indexes anyway.
func MustRowsRead(tb testing.TB, db *postgres.DB, relation, query string, args ...any) int {
	tb.Helper()
	return MustRowsReadAfter(tb, db, `SET LOCAL enable_seqscan = off`, nil, relation, query, args...)
}

// MustRowsReadAfter is MustRowsRead after the statement setup (with setupArgs) in its
// transaction, in place of turning sequential scans off.
func MustRowsReadAfter(tb testing.TB, db *postgres.DB, setup string, setupArgs []any, relation, query string, args ...any) int {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	require.NoError(tb, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, setup, setupArgs...)
	require.NoError(tb, err)
	plan := postgrestest.MustScanPlan(tb, tx.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+query, args...))
	n, ok := plan.RowsRead(relation)
	require.True(tb, ok, "no scan of %s in the plan", relation)
	return n
}
