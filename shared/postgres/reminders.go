package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
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

// customPlanSQL has the statements after it in its transaction (explicit, or the implicit
// one of a batch sent without BEGIN) planned for the rows there are. The pool prepares each statement, and
// PostgreSQL plans a prepared statement once for any parameters after a few runs, with
// the sizes the tables had then; without newer statistics (a new database, autovacuum
// off) that plan stays. A claim or a look for the next reminder, planned while the
// reminders were few, read them all: 3–5 ms each with ten thousand waiting, in place of
// a walk of the due index.
const customPlanSQL = `SELECT set_config('plan_cache_mode', 'force_custom_plan', true)`

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
	b := &pgx.Batch{}
	b.Queue(customPlanSQL)
	b.Queue(`
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
	br := s.db.sendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("claim reminders: %w", translate(err))
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", translate(err))
	}
	dues, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Due, error) {
		var d Due
		err := row.Scan(&d.ReminderID, &d.TaskID, &d.UserID, &d.Title, &d.DueAt, &d.FireAt)
		d.DueAt, d.FireAt = utc(d.DueAt), d.FireAt.UTC()
		return d, err
	})
	if err == nil {
		err = br.Close() // the claim's commit
	}
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", translate(err))
	}
	// RETURNING follows the update's order, not the subquery's.
	slices.SortFunc(dues, func(a, b Due) int { return a.FireAt.Compare(b.FireAt) })
	return dues, nil
}

// Free reports whether any of the reminders ids is still to fire, for an open task, and
// free to claim: a task event needs no firing of its own when a holder has its reminders
// (the chain that claimed them, or the handling of an earlier event) or they fired.
//
// It is planned for the rows there are (customPlanSQL): a plan cached while the table was
// small read every reminder once it had grown, where this one reads each by its key.
func (s *ReminderService) Free(ctx context.Context, ids ...uuid.UUID) (bool, error) {
	var free bool
	b := &pgx.Batch{}
	b.Queue(customPlanSQL)
	b.Queue(`
		SELECT EXISTS (
			SELECT FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE r.id = ANY($1) AND `+pendingSQL+` AND `+claimableSQL("$2")+`)`,
		ids, s.now()).QueryRow(func(row pgx.Row) error { return row.Scan(&free) })
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return false, fmt.Errorf("look up reminders: %w", translate(err))
	}
	return free, nil
}

// Release ends the leases this holder has on reminders still to fire, as a process that
// stops does: the events that would fire them, delivered again to another process, find
// them free at once, where they waited for the lease to end and then for the next ping.
// It returns how many it released.
func (s *ReminderService) Release(ctx context.Context) (int64, error) {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE reminders SET lease_until = NULL
		WHERE lease_until IS NOT NULL AND fired_at IS NULL AND claimed_by LIKE $1 || '/%'`, s.Holder)
	if err != nil {
		return 0, fmt.Errorf("release reminders: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// Fire fires claimed reminders, all of them in one transaction: it checks that each is
// still to fire at its FireAt, for an open task, and held by this holder or free, marks
// those fired and writes their reminder.due events to the outbox. It returns how many it
// fired; it skips, writing nothing, a reminder fired already, cancelled (its task completed
// or deleted, the reminder removed), moved to another time, or claimed by another holder
// after this one's lease ended. An event's id derives from its reminder and fire_at, so one
// firing time yields one event however often it is fired. Reminders that fall due at the
// same moment fire together: ten thousand due at 09:00 take a hundred transactions, not
// ten thousand.
func (s *ReminderService) Fire(ctx context.Context, dues ...Due) (int, error) {
	if len(dues) == 0 {
		return 0, nil
	}
	n, err := s.fire(ctx, dues)
	if err != nil {
		return 0, fmt.Errorf("fire %d reminders: %w", len(dues), err)
	}
	return n, nil
}

func (s *ReminderService) fire(ctx context.Context, dues []Due) (int, error) {
	// Two round trips: BEGIN with the reads that lock, then the marks, the events and COMMIT.
	tx, b, err := beginSystemTx(ctx, s.db)
	if err != nil {
		return 0, err
	}
	defer tx.close(ctx)
	now := s.now()
	ids := make([]uuid.UUID, len(dues))
	taskIDs := make([]uuid.UUID, len(dues))
	for i, d := range dues {
		ids[i], taskIDs[i] = d.ReminderID, d.TaskID
	}
	// Firing need not wait for its WAL flush: a crash of the server that loses the
	// commit loses everything written after it too, the reminders are unfired again, and
	// they fire again as the same events (ids derive from the reminder and its time),
	// which the consumers recognise. The statements look rows up by arrays of keys, which
	// a plan cached while the tables were small (and, with autovacuum off, never
	// replaced) would read whole: each is planned for the rows there are.
	b.Queue(customPlanSQL)
	b.Queue(asyncCommitSQL)
	// The tasks first, as task changes lock them, and in one order, so that two firings
	// sharing tasks never wait on each other: a change in flight commits before this
	// reads, and its reminder rows with it.
	b.Queue(`SELECT id, number, status, title, due_at, to_char(due_date, 'YYYY-MM-DD'), checklist FROM tasks
		WHERE id = ANY($1) ORDER BY id FOR SHARE`, taskIDs)
	b.Queue(`
		SELECT r.id, r.task_id, r.fire_at, r.user_id FROM reminders r
		WHERE r.id = ANY($1) AND r.fired_at IS NULL
			AND (r.claimed_by = $2::text || '/' || `+stampSQL("r.fire_at")+` OR `+claimableSQL("$3")+`)
		ORDER BY r.id
		FOR UPDATE`, ids, s.Holder, now)
	br, err := tx.send(ctx, b)
	if err != nil {
		return 0, err
	}
	// The tasks and the reminders as read and locked, by id.
	tasks := map[uuid.UUID]firingTask{}
	type held struct {
		taskID uuid.UUID
		fireAt time.Time
		user   string
	}
	reminders := map[uuid.UUID]held{}
	// each reads the next result's rows into scans, calling fn after each.
	each := func(scans []any, fn func()) error {
		rows, err := br.Query()
		if err == nil {
			_, err = pgx.ForEachRow(rows, scans, func() error { fn(); return nil })
		}
		return err
	}
	var (
		id   uuid.UUID
		task firingTask
		r    held
	)
	for range 2 { // the settings
		if err == nil {
			_, err = br.Exec()
		}
	}
	if err == nil {
		err = each([]any{&id, &task.number, &task.status, &task.title, &task.dueAt, &task.dueDate, &task.checklist}, func() { tasks[id] = task })
	}
	if err == nil {
		err = each([]any{&id, &r.taskID, &r.fireAt, &r.user}, func() { reminders[id] = r })
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, translate(err)
	}

	var (
		fired []uuid.UUID
		out   outboxRows
	)
	for _, d := range dues {
		t, ok := tasks[d.TaskID]
		if !ok || t.status != "open" {
			continue // deleted or no longer open
		}
		r, ok := reminders[d.ReminderID]
		if !ok || r.taskID != d.TaskID || !r.fireAt.Equal(d.FireAt) {
			continue // fired, removed, moved or held by another
		}
		e, err := s.dueEvent(d, r.user, t, now)
		if err != nil {
			return 0, err
		}
		fired = append(fired, d.ReminderID)
		out.add(r.user, e)
	}
	if len(fired) == 0 {
		return 0, nil
	}
	b = &pgx.Batch{}
	b.Queue(`UPDATE reminders SET fired_at = $2, lease_until = NULL WHERE id = ANY($1)`, fired, now)
	// A reminder moved away and back is armed again at a time that already fired: its
	// event exists, so nothing is written but the mark.
	out.queue(b)
	if err := tx.commit(ctx, b); err != nil {
		return 0, err
	}
	return out.announce(s.db), nil
}

// outboxRows are events to write to the outbox in one statement, column by column.
type outboxRows struct {
	ids, users, types, sources, subjects []string
	times                                []time.Time
	data                                 []string
	written                              []outboxWrite // what the statement wrote
}

// outboxWrite is an outbox row written: its user and position.
type outboxWrite struct {
	user string
	seq  int64
}

// queue queues the statement that writes the rows, each unless an event of its id is
// there already, recording what it wrote when the batch's results are read.
func (o *outboxRows) queue(b *pgx.Batch) {
	b.Queue(`
		INSERT INTO outbox (id, user_id, type, source, subject, time, data)
		SELECT id, user_id, type, source, subject, time, data
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
			AS e (id, user_id, type, source, subject, time, data)
		ON CONFLICT (id) DO NOTHING
		RETURNING user_id, seq`,
		o.ids, o.users, o.types, o.sources, o.subjects, o.times, o.data).Query(func(rows pgx.Rows) error {
		var w outboxWrite
		_, err := pgx.ForEachRow(rows, []any{&w.user, &w.seq}, func() error {
			o.written = append(o.written, w)
			return nil
		})
		return err
	})
}

// announce tells the relay of the rows written, once their transaction committed, and
// returns how many there were.
func (o *outboxRows) announce(db *DB) int {
	for _, w := range o.written {
		db.outboxWritten(w.user, w.seq)
	}
	return len(o.written)
}

func (o *outboxRows) add(user string, e event.Event) {
	o.ids = append(o.ids, e.ID())
	o.users = append(o.users, user)
	o.types = append(o.types, e.Type())
	o.sources = append(o.sources, e.Source())
	o.subjects = append(o.subjects, e.Subject())
	o.times = append(o.times, e.Time())
	o.data = append(o.data, string(e.Data()))
}

// DueEventID returns the id of the reminder.due event of reminder id firing at fireAt.
func DueEventID(id uuid.UUID, fireAt time.Time) uuid.UUID {
	return uuid.NewSHA1(id, []byte(fireAt.UTC().Format(time.RFC3339Nano)))
}

// dueEvent builds the reminder.due event of d, a reminder of user's task t, fired at now.
func (s *ReminderService) dueEvent(d Due, user string, t firingTask, now time.Time) (event.Event, error) {
	return events.NewReminderDue(DueEventID(d.ReminderID, d.FireAt).String(), d.ReminderID,
		events.ReminderData{UserID: user, TaskID: d.TaskID.String(), TaskNumber: t.number, Title: t.title, DueAt: utc(t.dueAt), DueDate: t.dueDate,
			Checklist: t.checklist, RemindAt: d.FireAt.UTC()}, now)
}

// firingTask is a task as firing its reminders reads it.
type firingTask struct {
	number        int64
	status, title string
	dueAt         *time.Time
	dueDate       *string // the day of an all-day task
	checklist     []taskwire.Step
}

// NextFireAt returns the earliest time at which a reminder of an open task that is not
// fired can be claimed: its fire_at, or the end of its lease while someone holds it. It
// returns nil when no reminder is waiting to fire.
func (s *ReminderService) NextFireAt(ctx context.Context) (*time.Time, error) {
	var next *time.Time
	// A held reminder counts only if it fires before the first free one: after that it
	// cannot be the earliest, since its lease ends no earlier than its fire_at.
	b := &pgx.Batch{}
	b.Queue(customPlanSQL)
	b.Queue(`
		WITH free AS (
			SELECT r.fire_at FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE `+pendingSQL+` AND `+claimableSQL("$1")+`
			ORDER BY r.fire_at
			LIMIT 1)
		SELECT least((SELECT fire_at FROM free), (
			SELECT min(greatest(r.fire_at, r.lease_until)) FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE `+pendingSQL+` AND NOT `+claimableSQL("$1")+`
				AND r.fire_at < coalesce((SELECT fire_at FROM free), 'infinity')))`,
		s.now()).QueryRow(func(row pgx.Row) error { return row.Scan(&next) })
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("next reminder: %w", translate(err))
	}
	return utc(next), nil
}
