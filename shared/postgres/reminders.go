package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
)

// ReminderService fires reminders: it claims those that fall due soon under a lease, and
// fires each once, writing its reminder.due event to the outbox. It is system work across
// users, so it runs as the connecting role, not scoped to a user.
//
// A claim is a lease on one firing time of a reminder: claimed_by holds the holder and the
// fire_at it claimed. A reminder whose fire_at moved (its task's due date was edited) is
// free to claim again at once, whoever leased the old time; one whose holder died is free
// once the lease ends. A fired reminder keeps claimed_by, who fired it, and loses its
// lease.
type ReminderService struct {
	db *DB
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Holder names this process in the claims it makes; unique per process.
	Holder string
}

// NewReminderService returns a ReminderService on db whose Holder is this host, process
// and a random suffix.
func NewReminderService(db *DB) *ReminderService {
	return &ReminderService{db: db, Now: time.Now, Holder: newHolder()}
}

// newHolder returns "hostname:pid:random", unique among the processes that claim.
func newHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	random := make([]byte, 4)
	_, _ = rand.Read(random)
	return host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(random)
}

func (s *ReminderService) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// Due is a reminder claimed to fire: which reminder, its task and owner, the task's title
// and due date as they were when it was claimed, and when it fires.
type Due struct {
	ReminderID uuid.UUID
	TaskID     uuid.UUID
	UserID     string
	Title      string
	DueAt      *time.Time
	FireAt     time.Time
}

// stampSQL renders the fire_at a claim is for, independent of the session's settings.
func stampSQL(expr string) string {
	return `to_char(` + expr + ` AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS.US')`
}

// claimableSQL holds for a reminder r that nobody holds a live claim on at time $now: never
// claimed, lease ended, or claimed for a fire_at it no longer has.
func claimableSQL(now string) string {
	return `(r.lease_until IS NULL OR r.lease_until < ` + now + ` OR r.claimed_by IS NULL
		OR r.claimed_by NOT LIKE ('%/' || ` + stampSQL("r.fire_at") + `))`
}

// pendingSQL holds for a reminder r, joined to its task t, that is still to fire. It names
// reminders_due_idx's predicate whole, so that the index serves it; r.task_open mirrors
// t.status, which the join still checks.
const pendingSQL = `r.fired_at IS NULL AND r.fire_at IS NOT NULL AND r.task_open AND t.status = 'open'`

// Claim leases, in one statement, up to limit reminders of open tasks that are not fired,
// fire within horizon from now, and are free to claim; the lease lasts lease from now. It
// returns them in the order they fire. Reminders already late are claimed too: late, never
// lost. Concurrent claimers never get the same reminder.
func (s *ReminderService) Claim(ctx context.Context, horizon, lease time.Duration, limit int) ([]Due, error) {
	now := s.now()
	rows, err := s.db.Pool.Query(ctx, `
		UPDATE reminders r SET claimed_by = $1::text || '/' || `+stampSQL("r.fire_at")+`, lease_until = $3
		FROM tasks t
		WHERE t.id = r.task_id AND r.id IN (
			SELECT r.id FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE `+pendingSQL+` AND r.fire_at <= $4 AND `+claimableSQL("$2")+`
			ORDER BY r.fire_at
			LIMIT $5
			FOR UPDATE OF r SKIP LOCKED)
		RETURNING r.id, r.task_id, r.user_id, t.title, t.due_at, r.fire_at`,
		s.Holder, now, now.Add(lease), now.Add(horizon), limit)
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", translate(err))
	}
	dues, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Due, error) {
		var d Due
		err := row.Scan(&d.ReminderID, &d.TaskID, &d.UserID, &d.Title, &d.DueAt, &d.FireAt)
		d.DueAt, d.FireAt = utc(d.DueAt), d.FireAt.UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", translate(err))
	}
	// RETURNING follows the update's order, not the subquery's.
	slices.SortFunc(dues, func(a, b Due) int { return a.FireAt.Compare(b.FireAt) })
	return dues, nil
}

// Fire fires a claimed reminder: in one transaction it checks that the reminder is still
// to fire at d.FireAt, for an open task, and held by this holder or free, marks it fired
// and writes its reminder.due event to the outbox. It returns false, writing nothing, when
// the reminder was fired already, cancelled (its task completed or deleted, the reminder
// removed), moved to another time, or claimed by another holder after this one's lease
// ended. The event's id derives from the reminder and its fire_at, so one firing time
// yields one event however often it is fired.
func (s *ReminderService) Fire(ctx context.Context, d Due) (bool, error) {
	fired, err := s.fire(ctx, d)
	if err != nil {
		return false, fmt.Errorf("fire reminder %s: %w", d.ReminderID, err)
	}
	return fired, nil
}

func (s *ReminderService) fire(ctx context.Context, d Due) (bool, error) {
	// Two round trips: BEGIN with the reads that lock, then the mark, the event and COMMIT.
	tx, b, err := beginSystemTx(ctx, s.db)
	if err != nil {
		return false, err
	}
	defer tx.close(ctx)
	now := s.now()
	// Firing need not wait for its WAL flush: a crash of the server that loses the
	// commit loses everything written after it too, the reminder is unfired again, and
	// it fires again as the same event (its id is derived from the reminder and its time),
	// which the consumers recognise.
	b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
	// The task first, as task changes lock it: a change in flight commits before this
	// reads, and its reminder rows with it.
	b.Queue(`SELECT status, title, due_at FROM tasks WHERE id = $1 FOR SHARE`, d.TaskID)
	b.Queue(`
		SELECT r.user_id FROM reminders r
		WHERE r.id = $1 AND r.task_id = $2 AND r.fired_at IS NULL AND r.fire_at = $3
			AND (r.claimed_by = $4::text || '/' || `+stampSQL("r.fire_at")+` OR `+claimableSQL("$5")+`)
		FOR UPDATE`, d.ReminderID, d.TaskID, d.FireAt, s.Holder, now)
	br, err := tx.send(ctx, b)
	if err != nil {
		return false, err
	}
	var status, title, user string
	var dueAt *time.Time
	_, err = br.Exec()
	if err == nil {
		err = br.QueryRow().Scan(&status, &title, &dueAt)
	}
	taskErr := err
	err = br.QueryRow().Scan(&user)
	reminderErr := err
	if err := br.Close(); err != nil {
		return false, translate(err)
	}
	switch {
	case errors.Is(taskErr, pgx.ErrNoRows):
		return false, nil // deleted
	case taskErr != nil:
		return false, translate(taskErr)
	case status != "open":
		return false, nil
	case errors.Is(reminderErr, pgx.ErrNoRows):
		return false, nil // fired, removed, moved or held by another
	case reminderErr != nil:
		return false, translate(reminderErr)
	}

	e, err := s.dueEvent(d, user, title, utc(dueAt), now)
	if err != nil {
		return false, err
	}
	b = &pgx.Batch{}
	b.Queue(`UPDATE reminders SET fired_at = $2, lease_until = NULL WHERE id = $1`, d.ReminderID, now)
	// A reminder moved away and back is armed again at a time that already fired: its
	// event exists, so nothing is written but the mark.
	var seq int64
	written := false
	b.Queue(`
		INSERT INTO outbox (id, user_id, type, source, subject, time, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO NOTHING
		RETURNING seq`,
		e.ID(), user, e.Type(), e.Source(), e.Subject(), e.Time(), e.Data()).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&seq)
		written = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err := tx.commit(ctx, b); err != nil {
		return false, err
	}
	if written {
		s.db.outboxWritten(user, seq)
	}
	return written, nil
}

// DueEventID returns the id of the reminder.due event of reminder id firing at fireAt.
func DueEventID(id uuid.UUID, fireAt time.Time) uuid.UUID {
	return uuid.NewSHA1(id, []byte(fireAt.UTC().Format(time.RFC3339Nano)))
}

// dueEvent builds the reminder.due event of d, fired at now.
func (s *ReminderService) dueEvent(d Due, user, title string, dueAt *time.Time, now time.Time) (event.Event, error) {
	e := event.New()
	e.SetID(DueEventID(d.ReminderID, d.FireAt).String())
	e.SetSource(events.SourceReminders)
	e.SetType(events.TypeReminderDue)
	e.SetSubject(d.ReminderID.String())
	e.SetTime(now)
	data := events.ReminderData{UserID: user, TaskID: d.TaskID.String(), Title: title, DueAt: dueAt, RemindAt: d.FireAt.UTC()}
	if err := e.SetData(event.ApplicationJSON, data); err != nil {
		return event.Event{}, fmt.Errorf("set event data: %w", err)
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("validate event: %w", err)
	}
	return e, nil
}

// NextFireAt returns the earliest time at which a reminder of an open task that is not
// fired can be claimed: its fire_at, or the end of its lease while someone holds it. It
// returns nil when no reminder is waiting to fire.
func (s *ReminderService) NextFireAt(ctx context.Context) (*time.Time, error) {
	var next *time.Time
	// A held reminder counts only if it fires before the first free one: after that it
	// cannot be the earliest, since its lease ends no earlier than its fire_at.
	err := s.db.Pool.QueryRow(ctx, `
		WITH free AS (
			SELECT r.fire_at FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE `+pendingSQL+` AND `+claimableSQL("$1")+`
			ORDER BY r.fire_at
			LIMIT 1)
		SELECT least((SELECT fire_at FROM free), (
			SELECT min(greatest(r.fire_at, r.lease_until)) FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE `+pendingSQL+` AND NOT `+claimableSQL("$1")+`
				AND r.fire_at < coalesce((SELECT fire_at FROM free), 'infinity')))`,
		s.now()).Scan(&next)
	if err != nil {
		return nil, fmt.Errorf("next reminder: %w", translate(err))
	}
	return utc(next), nil
}
