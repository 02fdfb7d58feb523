package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/pglisten"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// OutboxChannel is the channel on which committed outbox rows are announced, one line
// "<user_id> <seq>" per row, many rows to a notification (see waker).
const OutboxChannel = "taskwire_outbox"

// ChangeService reads the signed-in user's task events back from the outbox: a task's
// history, the changes since a sync position, and the events a live stream replays.
// Every read is scoped to the user by row-level security as well as by its filter.
type ChangeService struct {
	db *DB
}

// NewChangeService returns a ChangeService on db.
func NewChangeService(db *DB) *ChangeService {
	return &ChangeService{db: db}
}

// changeColumns are the columns scanChange reads.
const changeColumns = `seq, id, type, time, subject, data`

// History returns a page of the events of the task with uuid or number ref (see
// events.HistoryPage), and whether more follow it (one more row is read to tell). A task
// is found by uuid also after its deletion, and by number while it exists; a task the
// user never had is ENOTFOUND. A page past the task's last event is empty.
func (s *ChangeService) History(ctx context.Context, ref string, page events.HistoryPage) (list []events.ChangeEntry, more bool, err error) {
	var cond string
	var arg any
	if id, err := uuid.Parse(ref); err == nil {
		cond, arg = historyByID, id.String()
	} else if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
		cond, arg = historyByNumber, n
	} else {
		return nil, false, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
	}
	list, err = s.read(ctx, historySQL(cond, page.Newest), arg, page.Cursor, page.Limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("task history: %w", err)
	}
	if len(list) == 0 && page.Cursor != 0 {
		// Past the last event of a task that has events, or of one the user never had.
		_, _, err := s.History(ctx, ref, events.HistoryPage{Limit: 1})
		return list, false, err
	}
	if len(list) == 0 {
		return nil, false, taskwire.Errorf(taskwire.ENOTFOUND, "no task %q", ref)
	}
	if more = len(list) > page.Limit; more {
		list = list[:page.Limit]
	}
	return list, more, nil
}

// historyByID and historyByNumber pick the events of a task by its uuid or its number, $3.
const (
	historyByID     = `subject = $3`
	historyByNumber = `subject = (SELECT t.id::text FROM tasks t WHERE t.user_id = $1 AND t.number = $3)`
)

// historySQL reads a page of the events of user $1 and source $2 that cond picks: after
// position $4 in the order of positions, or, when newest, before it ($4 = 0: from the
// latest) in the reverse order, $5 of them. The outbox's index on (user_id, subject, seq)
// gives them in either order.
func historySQL(cond string, newest bool) string {
	from, order := `seq > $4`, `seq`
	if newest {
		from, order = `($4 = 0 OR seq < $4)`, `seq DESC`
	}
	return `SELECT ` + changeColumns + ` FROM outbox
		WHERE user_id = $1 AND source = $2 AND ` + cond + ` AND ` + from + ` ORDER BY ` + order + ` LIMIT $5`
}

// changesSQL reads a page of the changes feed: the latest event of each task after
// position $3, in the order of positions, $4 of them, for user $1 and source $2. The latest
// is the one no later event of the task follows: read in the order of positions, a page
// stops after $4 of them, where DISTINCT ON (subject) read and sorted every event of the
// user after since (2 s a page with a million events).
const changesSQL = `SELECT ` + changeColumns + ` FROM outbox o
	WHERE user_id = $1 AND source = $2 AND seq > $3
		AND NOT EXISTS (SELECT FROM outbox l
			WHERE l.user_id = $1 AND l.subject = o.subject AND l.source = $2 AND l.seq > o.seq)
	ORDER BY seq LIMIT $4`

// Changes returns, for each task changed after outbox position since, its latest state,
// ordered by the position of that change, at most limit of them, the position to ask from
// next, and whether more changes follow (one more row is read to tell). A task deleted
// since is a tombstone: Deleted, with a nil Task. With nothing new, next is since.
func (s *ChangeService) Changes(ctx context.Context, since int64, limit int) (list []events.ChangeEntry, next int64, more bool, err error) {
	list, err = s.read(ctx, changesSQL, since, limit+1)
	if err != nil {
		return nil, since, false, fmt.Errorf("changes: %w", err)
	}
	if more = len(list) > limit; more {
		list = list[:limit]
	}
	next = since
	for i := range list {
		if list[i].Deleted {
			list[i].Task, list[i].Changes = nil, nil
		}
		next = list[i].Seq
	}
	return list, next, more, nil
}

// streamSQL holds for the outbox rows a live stream sends: the task events ($2 is their
// source) and the reminders that fired.
const streamSQL = `(source = $2 OR (source = '` + events.SourceReminders + `' AND type = '` + events.TypeReminderDue + `'))`

// Since returns the events a live stream sends (task events and fired reminders) after
// outbox position after, oldest first, at most limit.
func (s *ChangeService) Since(ctx context.Context, after int64, limit int) ([]events.ChangeEntry, error) {
	list, err := s.read(ctx, `SELECT `+changeColumns+` FROM outbox
		WHERE user_id = $1 AND `+streamSQL+` AND seq > $3 ORDER BY seq LIMIT $4`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events since %d: %w", after, err)
	}
	return list, nil
}

// Entries returns the events a live stream sends (task events and fired reminders) at the
// given outbox positions, in order; other positions (another user's rows, other events)
// are left out.
func (s *ChangeService) Entries(ctx context.Context, seqs []int64) ([]events.ChangeEntry, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	list, err := s.read(ctx, `SELECT `+changeColumns+` FROM outbox
		WHERE user_id = $1 AND `+streamSQL+` AND seq = ANY($3) ORDER BY seq`, seqs)
	if err != nil {
		return nil, fmt.Errorf("events by position: %w", err)
	}
	return list, nil
}

// LatestSeqs returns the positions of the user's latest n outbox rows, newest first: where
// a live stream starts, and what it need not send again when a notification of one of
// them arrives late.
func (s *ChangeService) LatestSeqs(ctx context.Context, n int) ([]int64, error) {
	seqs := make([]int64, 0, n)
	err := readUser(ctx, s.db, `SELECT seq FROM outbox WHERE user_id = $1 ORDER BY seq DESC LIMIT $2`,
		[]any{taskwire.UserFromContext(ctx), n}, func(rows pgx.Rows) error {
			for rows.Next() {
				var seq int64
				if err := rows.Scan(&seq); err != nil {
					return err
				}
				seqs = append(seqs, seq)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("latest event positions: %w", translate(err))
	}
	return seqs, nil
}

// read runs query as the signed-in user with $1 the user, $2 the task events' source and
// args from $3 on, and returns the entries it selects.
func (s *ChangeService) read(ctx context.Context, query string, args ...any) ([]events.ChangeEntry, error) {
	list := []events.ChangeEntry{}
	user := taskwire.UserFromContext(ctx)
	err := readUserPlanned(ctx, s.db, query, append([]any{user, events.SourceTasks}, args...), func(rows pgx.Rows) error {
		for rows.Next() {
			e, err := scanChange(rows, user)
			if err != nil {
				return err
			}
			list = append(list, e)
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return list, nil
}

func scanChange(row pgx.Row, user string) (events.ChangeEntry, error) {
	var e events.ChangeEntry
	var id uuid.UUID
	var subject string
	var data []byte
	if err := row.Scan(&e.Seq, &id, &e.Type, &e.Time, &subject, &data); err != nil {
		return e, err
	}
	e.ID, e.Time, e.Deleted = id.String(), e.Time.UTC(), e.Type == events.TypeTaskDeleted
	if e.Type == events.TypeReminderDue {
		// Its subject is the reminder; the task is in its data.
		var d events.ReminderData
		if err := json.Unmarshal(data, &d); err != nil {
			return e, fmt.Errorf("outbox row %d: data: %w", e.Seq, err)
		}
		taskID, err := uuid.Parse(d.TaskID)
		if err != nil {
			return e, fmt.Errorf("outbox row %d: task_id %q is not a task id", e.Seq, d.TaskID)
		}
		e.TaskID, e.Reminder, e.Changes = taskID, &d, map[string]events.Change{}
		return e, nil
	}
	taskID, err := uuid.Parse(subject)
	if err != nil {
		return e, fmt.Errorf("outbox row %d: subject %q is not a task id", e.Seq, subject)
	}
	e.TaskID = taskID
	// Numbers inside changes stay json.Number, so that they are written back as stored.
	var d events.TaskData
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return e, fmt.Errorf("outbox row %d: data: %w", e.Seq, err)
	}
	if d.Task != nil {
		d.Task.UserID = user
	}
	e.Task, e.Changes = d.Task, d.Changes
	if e.Changes == nil {
		e.Changes = map[string]events.Change{}
	}
	return e, nil
}

// Listener timing.
const (
	listenerBuffer = 256 // notifications a subscriber may fall behind by
)

// Listener holds one connection that LISTENs on OutboxChannel and fans the notifications
// out to subscribers by user, so that any number of live streams cost one connection.
// It reconnects by itself when the connection fails, and then tells every subscriber
// that notifications may have been missed.
type Listener struct {
	config *pgx.ConnConfig
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{} // closed once the first LISTEN succeeded
	once   sync.Once     // closes ready

	mu     sync.Mutex
	subs   map[string]map[chan int64]struct{}
	closed bool
}

// NewListener starts listening on a connection of its own to db's database; Close stops it.
func NewListener(db *DB) *Listener {
	config := db.Pool.Config().ConnConfig.Copy()
	config.RuntimeParams["application_name"] = "taskwire-listener"
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{
		config: config,
		log:    slog.Default().With("component", "outbox listener"),
		cancel: cancel,
		done:   make(chan struct{}),
		ready:  make(chan struct{}),
		subs:   map[string]map[chan int64]struct{}{},
	}
	go l.run(ctx)
	return l
}

// Subscribe returns a channel that receives the outbox position of each row of user
// committed from now on, in commit order, and 0 whenever notifications may have been
// missed (the connection was restored, or the subscriber fell too far behind): then
// re-read from the last position seen. The channel is closed by cancel and when the
// listener closes.
func (l *Listener) Subscribe(user string) (<-chan int64, func()) {
	ch := make(chan int64, listenerBuffer)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		close(ch)
		return ch, func() {}
	}
	if l.subs[user] == nil {
		l.subs[user] = map[chan int64]struct{}{}
	}
	l.subs[user][ch] = struct{}{}
	return ch, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, ok := l.subs[user][ch]; ok {
			delete(l.subs[user], ch)
			if len(l.subs[user]) == 0 {
				delete(l.subs, user)
			}
			close(ch)
		}
	}
}

// Close stops listening, closes every subscriber's channel and waits for the connection
// to close.
func (l *Listener) Close() {
	l.cancel()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for user, chans := range l.subs {
		for ch := range chans {
			close(ch)
		}
		delete(l.subs, user)
	}
}

func (l *Listener) run(ctx context.Context) {
	defer close(l.done)
	pglisten.Run(ctx, l.config, OutboxChannel, l.log, pglisten.Handler{
		Listening: func() {
			// Whatever was committed while nobody listened is found by re-reading.
			l.broadcast(0)
			l.once.Do(func() { close(l.ready) })
		},
		Notify: l.dispatch,
	})
}

// dispatch hands the positions of a notification, one "<user_id> <seq>" per line, to
// their users' subscribers.
func (l *Listener) dispatch(payload string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range strings.SplitSeq(payload, "\n") {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			l.log.Warn("ignored a malformed notification", "line", line)
			continue
		}
		seq, err := strconv.ParseInt(line[i+1:], 10, 64)
		if err != nil || seq <= 0 {
			l.log.Warn("ignored a malformed notification", "line", line)
			continue
		}
		for ch := range l.subs[line[:i]] {
			send(ch, seq)
		}
	}
}

// broadcast sends seq to every subscriber.
func (l *Listener) broadcast(seq int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, chans := range l.subs {
		for ch := range chans {
			send(ch, seq)
		}
	}
}

// send delivers seq without blocking: a subscriber that fell a whole buffer behind loses
// what it has not read and gets 0, which tells it to re-read. Only the listener sends, so
// after the drain there is room.
func send(ch chan int64, seq int64) {
	select {
	case ch <- seq:
		return
	default:
	}
	for drained := false; !drained; {
		select {
		case <-ch:
		default:
			drained = true
		}
	}
	ch <- 0
}
