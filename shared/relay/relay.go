// Package relay publishes the outbox: the CloudEvents that changes committed in
// PostgreSQL are sent to a broker right after commit, and any left behind are swept up.
// A row counts as published only once the broker acknowledged it, so nothing is lost
// when a process dies between commit and publish (delivery is at least once). It holds
// the relay loop and a Sender for a Knative sink; the broker itself lives elsewhere.
package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/taskwire/taskwire/shared/pglisten"
)

// Channel is the PostgreSQL channel on which writers announce committed outbox rows.
const Channel = "taskwire_outbox"

// Defaults for the zero fields of Options.
const (
	DefaultSweepInterval = 5 * time.Second
	DefaultBatchSize     = 100
	DefaultRetryDelay    = time.Second
	DefaultMaxRetryDelay = time.Minute
)

// ErrRefused marks a send error for an event the broker refused for good: no retry
// would change its answer. The relay sets such a row aside, with the error as the
// reason, and goes on with the rows after it.
var ErrRefused = errors.New("refused")

// Sender sends one event to the broker; a nil error means the broker acknowledged it,
// an error wrapping ErrRefused that it never will.
type Sender interface {
	Send(ctx context.Context, e event.Event) error
}

// BatchSender is a Sender that also takes several events at once, acknowledging all of
// them or none; *broker.Broker is one. The relay then sends a batch of rows in one call.
type BatchSender interface {
	Sender
	SendBatch(ctx context.Context, evs []event.Event) error
}

// Options tune a Relay; zero values take the defaults.
type Options struct {
	SweepInterval time.Duration // how often pending rows are looked for without a wake-up; default 5s
	BatchSize     int           // rows locked and sent per transaction; default 100
	RetryDelay    time.Duration // wait after a failed publish, doubled per failure; default 1s
	MaxRetryDelay time.Duration // the longest wait after failures; default 1m
	Logger        *slog.Logger  // default slog.Default()
}

// Relay publishes outbox rows in order of their position. Several relays (replicas) may
// run on one database: each locks the rows it sends (FOR UPDATE SKIP LOCKED), so a row is
// sent by one of them at a time, and order holds within each batch.
type Relay struct {
	pool   *pgxpool.Pool
	sender Sender
	opts   Options
	log    *slog.Logger
}

// New returns a relay that publishes the outbox of pool's database with s.
func New(pool *pgxpool.Pool, s Sender, opts Options) *Relay {
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = DefaultSweepInterval
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = DefaultRetryDelay
	}
	if opts.MaxRetryDelay < opts.RetryDelay {
		opts.MaxRetryDelay = max(DefaultMaxRetryDelay, opts.RetryDelay)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Relay{pool: pool, sender: s, opts: opts, log: log.With("component", "outbox relay")}
}

// Run publishes until ctx is done: at start, on every outbox notification (a dedicated
// connection LISTENs, and reconnects when it fails), and every SweepInterval. After a
// failure it waits RetryDelay, doubling per failure up to MaxRetryDelay, before trying
// again. It returns nil once ctx is done; failures along the way are logged and retried.
func (r *Relay) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		r.listen(ctx, wake)
	}()
	defer func() { <-listening }()

	sweep := time.NewTicker(r.opts.SweepInterval)
	defer sweep.Stop()
	retry := time.NewTimer(time.Hour) // armed only while backing off
	retry.Stop()
	defer retry.Stop()
	var delay time.Duration // > 0 while backing off after a failure
	for {
		n, err := r.Flush(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			delay = min(max(2*delay, r.opts.RetryDelay), r.opts.MaxRetryDelay)
			r.log.Warn("publish failed; retrying", "published", n, "err", err, "in", delay.String())
			retry.Reset(delay)
		default:
			delay = 0
			if n > 0 {
				r.log.Debug("published", "events", n)
			}
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-wake:
				if delay == 0 {
					break wait
				}
			case <-sweep.C:
				if delay == 0 {
					break wait
				}
			case <-retry.C:
				break wait
			}
		}
	}
}

// Flush publishes every pending row once, batch after batch, and returns how many it
// published. It stops at the first row the broker does not acknowledge, which stays
// pending with those after it, except for a row the broker refused for good (ErrRefused):
// that one is set aside and the rows after it go on.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := r.publishBatch(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// row is one outbox row as the relay reads it.
type row struct {
	seq     int64
	id      uuid.UUID
	typ     string
	source  string
	subject string
	time    time.Time
	data    []byte
	ext     map[string]string // extension attributes; nil for none
}

// publishBatch locks up to BatchSize pending rows that no other relay holds, sends them in
// order and marks those acknowledged as published, all in one transaction. more reports a
// full batch claimed and sent entirely, so that more may be pending.
func (r *Relay) publishBatch(ctx context.Context) (n int, more bool, err error) {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("publish: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// The queue is claimed as an array, whose positions the planner looks up by the
	// outbox's key: joined to the queue table, a generic plan that guessed the queue large
	// (a churning queue's statistics count its dead rows) read the whole outbox for every
	// batch. It is planned afresh each time (an unnamed statement): a plan cached while
	// the outbox was small scans all of it, and without ANALYZE (autovacuum off) nothing
	// replaces that plan as the outbox grows. A queued position whose outbox row is gone
	// (deleted by hand; nothing in Taskwire deletes outbox rows) comes back without one and
	// leaves the queue with the batch: left there, it shortened every batch after it, and
	// a batch's worth of them would have stopped the relay for good.
	rows, err := tx.Query(ctx, `
		SELECT q.seq, o.id, o.type, o.source, o.subject, o.time, o.data, o.extensions
		FROM unnest(ARRAY(SELECT seq FROM outbox_pending ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)) AS q (seq)
			LEFT JOIN outbox o ON o.seq = q.seq
		ORDER BY q.seq`, pgx.QueryExecModeExec, r.opts.BatchSize)
	if err != nil {
		return 0, false, fmt.Errorf("publish: read outbox: %w", err)
	}
	type queued struct {
		row
		found bool // false: the outbox row is gone
	}
	claimed, err := pgx.CollectRows(rows, func(rows pgx.CollectableRow) (queued, error) {
		var (
			q                    queued
			id                   *uuid.UUID
			typ, source, subject *string
			at                   *time.Time
		)
		if err := rows.Scan(&q.seq, &id, &typ, &source, &subject, &at, &q.data, &q.ext); err != nil || id == nil {
			return q, err
		}
		q.found = true
		q.id, q.typ, q.source, q.subject, q.time = *id, *typ, *source, *subject, *at
		return q, nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("publish: read outbox: %w", err)
	}
	var (
		batch []row
		gone  []int64
	)
	for _, q := range claimed {
		if q.found {
			batch = append(batch, q.row)
		} else {
			gone = append(gone, q.seq)
		}
	}
	if len(gone) > 0 {
		r.log.Warn("queued outbox rows are gone; dropped from the queue", "seqs", gone)
	}

	evs := make([]event.Event, len(batch))
	invalid := make([]error, len(batch))
	valid := true
	for i, o := range batch {
		if evs[i], invalid[i] = o.event(); invalid[i] != nil {
			invalid[i] = fmt.Errorf("%w: %w", ErrRefused, invalid[i])
			valid = false
		}
	}
	var (
		sendErr error
		sent    []int64
		aside   []int64
		reasons []string
	)
	from := 0
	if bs, ok := r.sender.(BatchSender); ok && valid && len(evs) > 1 && bs.SendBatch(ctx, evs) == nil {
		for _, o := range batch {
			sent = append(sent, o.seq)
		}
		from = len(batch)
	}
	// One at a time, also after a batch that was refused: the rows before the first one
	// the broker does not acknowledge go out. A row it refuses for good is set aside, so
	// that it does not hold up the rows after it; any other failure stops the batch there.
	for i := from; i < len(batch); i++ {
		err := invalid[i]
		if err == nil {
			err = r.sender.Send(ctx, evs[i])
		}
		if err == nil {
			sent = append(sent, batch[i].seq)
			continue
		}
		if errors.Is(err, ErrRefused) {
			r.log.Error("outbox row refused for good; set aside, see taskwire deadletters",
				"seq", batch[i].seq, "event", batch[i].id, "type", batch[i].typ, "err", err)
			aside = append(aside, batch[i].seq)
			reasons = append(reasons, err.Error())
			continue
		}
		sendErr = fmt.Errorf("publish: outbox row %d (event %s): %w", batch[i].seq, batch[i].id, err)
		break
	}
	if len(sent)+len(aside)+len(gone) > 0 {
		// The events went out: record that even when ctx ended meanwhile.
		done := context.WithoutCancel(ctx)
		// The mark need not wait for its WAL flush: lost in a crash of the server, the
		// rows go out again, and the broker and the consumers recognise them by id. Like
		// the claim, it is planned for the queue as it is now, not as it was when a plan
		// was cached (a queue that autovacuum never visits only grows).
		mark := &pgx.Batch{}
		mark.Queue(`SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`)
		mark.Queue(`DELETE FROM outbox_pending WHERE seq = ANY($1)`, slices.Concat(sent, aside, gone))
		if len(aside) > 0 {
			mark.Queue(`
				UPDATE outbox SET refused_at = now(), refused_reason = r.reason
				FROM unnest($1::bigint[], $2::text[]) AS r (seq, reason)
				WHERE outbox.seq = r.seq`, aside, reasons)
		}
		if err := tx.SendBatch(done, mark).Close(); err != nil {
			return 0, false, errors.Join(sendErr, fmt.Errorf("publish: mark published: %w", err))
		}
		if err := tx.Commit(done); err != nil {
			return 0, false, errors.Join(sendErr, fmt.Errorf("publish: commit: %w", err))
		}
	}
	return len(sent), sendErr == nil && len(claimed) == r.opts.BatchSize, sendErr
}

// event returns the CloudEvent the row stands for.
func (o row) event() (event.Event, error) {
	e := event.New()
	e.SetID(o.id.String())
	e.SetSource(o.source)
	e.SetType(o.typ)
	e.SetSubject(o.subject)
	e.SetTime(o.time.UTC())
	for name, v := range o.ext {
		e.SetExtension(name, v)
	}
	// jsonb hands its text back spaced out; the wire gets it compact.
	var data bytes.Buffer
	if err := json.Compact(&data, o.data); err != nil {
		return e, fmt.Errorf("data: %w", err)
	}
	// Set as JSON, not as SetData sets bytes (base64 in structured mode, which the
	// local broker stores).
	e.SetDataContentType(event.ApplicationJSON)
	e.DataEncoded = data.Bytes()
	if err := e.Validate(); err != nil {
		return e, fmt.Errorf("invalid event: %w", err)
	}
	return e, nil
}

// listen keeps a connection LISTENing on Channel and signals wake on every notification
// (and after each reconnect, for what was committed meanwhile) until ctx is done.
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}) {
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	config := r.pool.Config().ConnConfig.Copy()
	config.RuntimeParams["application_name"] = "taskwire-relay"
	pglisten.Run(ctx, config, Channel, r.log, pglisten.Handler{Listening: signal, Notify: func(string) { signal() }})
}
