// Package broker runs Knative Eventing's Broker semantics locally, from the project's
// eventing/ manifests, with PostgreSQL as its durable log.
//
// It reads the Broker, Triggers and PingSources of the manifests (LoadManifests), accepts
// CloudEvents (Send, or over HTTP through Handler), and delivers each to the subscriber
// of every Trigger whose filter it passes, in binary mode, with the Trigger's retries,
// backoff and timeout; a subscriber's reply event goes back into the broker. An accepted
// event is kept in the tables broker_events and broker_deliveries until every matching
// trigger acknowledged or dead-lettered it, so it survives a crash, and several broker
// processes can share the tables. Dead letters stay in PostgreSQL, to be listed and
// replayed (ListDeadLetters, Replay).
//
// It does not speak Kafka, evaluate CESQL filters, or watch the manifests for changes;
// in a cluster, Knative's own Kafka Broker does this work from the same manifests.
package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of the zero fields of Options.
const (
	defaultPollInterval = time.Second
	defaultWorkers      = 32
	defaultRetention    = 5 * time.Minute
)

const (
	// leaseMargin is how long a delivery's lease outlasts its timeout, for recording the
	// outcome; a holder that dies leaves the delivery to others once the lease expires.
	leaseMargin = 10 * time.Second
	// settleTimeout bounds recording an outcome, which must not be cut by shutdown.
	settleTimeout = 10 * time.Second
	// sweepInterval is how often fully delivered events past Retention are deleted.
	sweepInterval = 30 * time.Second
	// minWait keeps the dispatcher from spinning on a due delivery another process holds.
	minWait = 10 * time.Millisecond
	// maxEventSize bounds an event accepted by Handler and a reply read from a subscriber.
	maxEventSize = 4 << 20
)

// Target is where a trigger's subscriber is reached: in process (Handler) or over HTTP
// (URL). When both are set, Handler is used.
type Target struct {
	Handler http.Handler
	URL     string
}

// Options tune a Broker; the zero value is ready for production.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the broker's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Client delivers to URL targets; nil means an http.Client that keeps as many idle
	// connections to a subscriber as its trigger's Workers. Each attempt is bounded by
	// its trigger's timeout, not by the client.
	Client *http.Client
	// PollInterval is how often Run looks for due deliveries when nothing woke it
	// (Send wakes it at once, and it sleeps only until the next retry is due); default 1s.
	PollInterval time.Duration
	// Workers is how many deliveries of each trigger run at once; default 32. Each
	// trigger is dispatched on its own, as Knative dispatches each Trigger apart, so that
	// a subscriber that holds its requests long (the reminders function waits up to 25 s
	// for a reminder) does not hold back the deliveries of the others.
	Workers int
	// Retention is how long a fully delivered event is kept, so that a repeat of it
	// (same source and id) is still recognised and stores nothing; default 5 minutes,
	// negative deletes it as soon as its last delivery is acknowledged.
	Retention time.Duration
	// TokenSource, when set, returns a bearer token for a delivery to the subscriber with
	// the given OIDC audience (the trigger's Audience, else the target URL, else the
	// subscriber's name); it is sent as the Authorization header.
	TokenSource func(ctx context.Context, audience string) (string, error)
}

// Broker routes events from its ingress to the subscribers of its triggers. Create it
// with New; its methods are safe for concurrent use.
type Broker struct {
	pool      *pgxpool.Pool
	name      string
	routes    map[string]*route // by trigger name
	triggers  []string          // names, in the manifests' order
	pings     []PingSource
	now       func() time.Time
	log       *slog.Logger
	client    *http.Client
	poll      time.Duration
	workers   int
	retention time.Duration
	token     func(ctx context.Context, audience string) (string, error)

	running atomic.Bool
}

// route is a trigger and where its subscriber is.
type route struct {
	trigger Trigger
	target  Target
	wake    chan struct{} // a new event or a re-queued delivery: look now
}

// New returns a broker for the manifests m that stores its events with pool and reaches
// each trigger's subscriber through targets, keyed by the subscriber's ref name (a
// trigger whose subscriber is a uri without a Target there is delivered to that uri).
// It fails when a trigger's subscriber has no target.
func New(pool *pgxpool.Pool, m *Manifests, targets map[string]Target, opts Options) (*Broker, error) {
	if pool == nil || m == nil {
		return nil, errors.New("new broker: a pool and manifests are required")
	}
	b := &Broker{
		pool:      pool,
		name:      m.Broker.Name,
		routes:    map[string]*route{},
		pings:     m.PingSources,
		now:       opts.Now,
		log:       opts.Logger,
		client:    opts.Client,
		poll:      opts.PollInterval,
		workers:   opts.Workers,
		retention: opts.Retention,
		token:     opts.TokenSource,
	}
	if b.name == "" {
		return nil, errors.New("new broker: the manifests have no Broker name")
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.log = b.log.With("broker", b.name)
	if b.poll <= 0 {
		b.poll = defaultPollInterval
	}
	if b.workers <= 0 {
		b.workers = defaultWorkers
	}
	if b.client == nil {
		// http.DefaultTransport keeps 2 idle connections to a host: the other workers of
		// a busy trigger would dial their subscriber afresh for every delivery.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = b.workers
		b.client = &http.Client{Transport: t}
	}
	if b.retention == 0 {
		b.retention = defaultRetention
	}
	for _, t := range m.Triggers {
		target, ok := targets[t.Subscriber]
		if !ok && t.SubscriberURI != "" {
			target, ok = Target{URL: t.SubscriberURI}, true
		}
		if !ok || (target.Handler == nil && target.URL == "") {
			return nil, fmt.Errorf("new broker: trigger %s: no target for its subscriber %q", t.Name, t.Subscriber)
		}
		if target.Handler == nil {
			u, err := url.Parse(target.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("new broker: trigger %s: target %q is not an http(s) URL", t.Name, target.URL)
			}
		}
		if _, dup := b.routes[t.Name]; dup {
			return nil, fmt.Errorf("new broker: two triggers named %s", t.Name)
		}
		b.routes[t.Name] = &route{trigger: t, target: target, wake: make(chan struct{}, 1)}
		b.triggers = append(b.triggers, t.Name)
	}
	return b, nil
}

// Name returns the name of the broker, from its manifest.
func (b *Broker) Name() string { return b.name }

// maxKeyBytes bounds an event's id and source, which the broker's unique index holds:
// PostgreSQL's btree refuses a key of more than about 2 700 bytes, and an id that long
// was a 500, which a sender retries for hours.
const maxKeyBytes = 1024

// ErrInvalidEvent is wrapped by the error of Send for an event the broker can never
// accept (not a valid CloudEvent, or data it cannot store); sending it again is useless.
var ErrInvalidEvent = errors.New("invalid event")

// Send accepts an event: in one statement it stores it and one pending delivery per
// matching trigger, and returns once that has committed, which is the broker's
// acknowledgement. It is idempotent on the event's (source, id): a repeat is acknowledged
// and stores nothing. An event that no trigger matches is acknowledged and dropped, as
// a Knative Broker does. An error wrapping ErrInvalidEvent is permanent; any other is
// passing, and the sender should try again.
func (b *Broker) Send(ctx context.Context, e event.Event) error {
	stored, err := b.accept(ctx, b.pool, []event.Event{e})
	if err != nil {
		return fmt.Errorf("send event: %w", err)
	}
	if stored {
		b.notify()
	}
	return nil
}

// match returns the names of the triggers whose filter e passes.
func (b *Broker) match(ctx context.Context, e event.Event) []string {
	var matched []string
	for _, name := range b.triggers {
		if b.routes[name].trigger.Matches(e) {
			matched = append(matched, name)
		}
	}
	if len(matched) == 0 {
		b.log.DebugContext(ctx, "no trigger matches the event", "type", e.Type(), "source", e.Source(), "id", e.ID())
	}
	return matched
}

// storeSQL stores events and their pending deliveries in one statement: $2 to $5 and $7
// hold an element per event, in order, $7 its triggers joined by commas (Kubernetes names
// hold none). Events accepted before store nothing; it returns how many it stored.
const storeSQL = `
	WITH input AS (
		SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $7::text[])
			WITH ORDINALITY AS i (source, id, type, event, triggers, n)),
	stored AS (
		INSERT INTO broker_events (broker, source, id, type, event, accepted_at)
		SELECT $1, source, id, type, event, $6 FROM input ORDER BY n
		ON CONFLICT (broker, source, id) DO NOTHING
		RETURNING seq, source, id),
	deliveries AS (
		INSERT INTO broker_deliveries (event_seq, trigger, next_at, updated_at)
		SELECT s.seq, t, $6, $6
		FROM stored s JOIN input i ON i.source = s.source AND i.id = s.id,
			unnest(string_to_array(i.triggers, ',')) AS t)
	SELECT count(*) FROM stored`

// batchSender sends a batch of statements: a pool, where the batch is one implicit
// transaction, or a transaction.
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// accept stores the events of evs that a trigger matches, each with a pending delivery
// per matching trigger, in one statement on db, and reports whether it stored any: an
// event accepted before (by source and id, also twice in evs) stores nothing. An error
// wrapping ErrInvalidEvent means that some event of evs can never be accepted.
func (b *Broker) accept(ctx context.Context, db batchSender, evs []event.Event) (bool, error) {
	var sources, ids, types, raws, triggers []string
	seen := make(map[[2]string]bool, len(evs))
	for _, e := range evs {
		if len(e.ID()) > maxKeyBytes || len(e.Source()) > maxKeyBytes {
			// The index that keeps an event once cannot hold such a key: a retry is useless.
			return false, fmt.Errorf("event id and source must be at most %d bytes each: %w", maxKeyBytes, ErrInvalidEvent)
		}
		if err := validEvent(e); err != nil {
			return false, fmt.Errorf("event %s: %w", e.ID(), err)
		}
		key := [2]string{e.Source(), e.ID()}
		matched := b.match(ctx, e)
		if len(matched) == 0 || seen[key] {
			continue // most task changes concern no trigger: none is encoded
		}
		raw, err := encodeEvent(e)
		if err != nil {
			return false, fmt.Errorf("event %s: %w", e.ID(), err)
		}
		seen[key] = true
		sources, ids, types = append(sources, e.Source()), append(ids, e.ID()), append(types, e.Type())
		raws, triggers = append(raws, string(raw)), append(triggers, strings.Join(matched, ","))
	}
	if len(ids) == 0 {
		return false, nil
	}
	batch := &pgx.Batch{}
	batch.Queue(bookkeepingSQL)
	var stored int64
	batch.Queue(storeSQL, b.name, sources, ids, types, raws, b.now(), triggers).QueryRow(func(row pgx.Row) error {
		return row.Scan(&stored)
	})
	if err := db.SendBatch(ctx, batch).Close(); err != nil {
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22") {
			// A data exception, such as \u0000 in a string, which jsonb cannot hold.
			return false, fmt.Errorf("store: %w: %s", ErrInvalidEvent, pgErr.Message)
		}
		return false, fmt.Errorf("store: %w", err)
	}
	b.log.DebugContext(ctx, "events accepted", "sent", len(ids), "stored", stored)
	return stored > 0, nil
}

// SendBatch accepts events as Send does, all in one statement and one round trip: it
// returns once every one of them is stored (a repeat is acknowledged and stores nothing),
// or an error when none is. An error wrapping ErrInvalidEvent means that some event of
// the batch can never be accepted; send them on their own to learn which. The outbox
// relay publishes with it.
func (b *Broker) SendBatch(ctx context.Context, evs []event.Event) error {
	stored, err := b.accept(ctx, b.pool, evs)
	if err != nil {
		return fmt.Errorf("send events: %w", err)
	}
	if stored {
		b.notify()
	}
	return nil
}

// validEvent checks e as the ingress does: an invalid one wraps ErrInvalidEvent.
func validEvent(e event.Event) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	return nil
}

// encodeEvent returns valid event e in structured mode, as broker_events stores it.
func encodeEvent(e event.Event) ([]byte, error) {
	// The event's own encoder: through json.Marshal, its output would be checked and
	// compacted once more.
	raw, err := e.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %w", ErrInvalidEvent, err)
	}
	return raw, nil
}

// bookkeepingSQL lets the rest of a transaction of the broker's own bookkeeping (events
// accepted, leases, outcomes) commit without waiting for its WAL flush. Such a commit can
// be lost only by a crash of the PostgreSQL server, and then only with everything the
// server wrote after it (the WAL is one sequence), which the next run redoes from what
// stayed durable: an event the relay sent again is accepted again (or recognised), a
// delivery whose outcome was lost is delivered again, and its consumer, which records
// the event in the same transaction as its effect with a synchronous commit, does
// nothing twice. The writes that users and other systems are told of stay synchronous.
//
// It also keeps the transaction's statements off sequential scans of the broker's tables.
// A statement the pool prepared is planned once for any parameters after a few runs, with
// the sizes the tables had then; without statistics newer than that (a new database,
// autovacuum off) that plan stays. An outcome's update by primary key had been planned
// as a scan of the whole table while it was small, and with ten thousand deliveries
// pending at once it read them all for each one. Planning every statement afresh
// instead (plan_cache_mode) cost the recurrence benchmark a tenth of its events/s.
const bookkeepingSQL = `SELECT set_config('synchronous_commit', 'off', true), set_config('enable_seqscan', 'off', true)`

// notify wakes the dispatchers.
func (b *Broker) notify() {
	for _, r := range b.routes {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// Handler returns the broker's ingress: a POSTed CloudEvent (binary or structured mode)
// is answered 202 once Send accepted it, 400 when it is not a valid CloudEvent, and 500
// when it could not be stored (the sender should retry). Processes that run apart from
// the broker publish to it (K_SINK set to its URL).
func (b *Broker) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "CloudEvents are sent to the broker with POST", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxEventSize)
		e, err := binding.ToEvent(r.Context(), cehttp.NewMessageFromHttpRequest(r))
		if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
			http.Error(w, "the event is larger than the broker accepts", http.StatusRequestEntityTooLarge)
			return
		}
		if err == nil {
			err = b.Send(r.Context(), *e)
		}
		switch {
		case err == nil:
			w.WriteHeader(http.StatusAccepted)
		case e == nil || errors.Is(err, ErrInvalidEvent):
			http.Error(w, "not a valid CloudEvent: "+err.Error(), http.StatusBadRequest)
		default:
			b.log.ErrorContext(r.Context(), "ingress", "type", e.Type(), "id", e.ID(), "err", err)
			http.Error(w, "the event could not be stored; try again", http.StatusInternalServerError)
		}
	})
}

// Run dispatches deliveries and fires PingSources until ctx is done; it then waits for
// the deliveries under way (their leases are released without counting an attempt) and
// returns nil. Only one Run may be active per Broker; start several Brokers, in one
// process or many, to share the work.
func (b *Broker) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("run broker: already running")
	}
	defer b.running.Store(false)

	var wg sync.WaitGroup
	if len(b.pings) > 0 {
		wg.Go(func() { b.runPings(ctx) })
	}
	wg.Go(func() { b.runSweeps(ctx) })
	for _, name := range b.triggers {
		wg.Go(func() { b.dispatch(ctx, b.routes[name]) })
	}
	wg.Wait()
	return nil
}

// runSweeps sweeps delivered events at once and then every sweepInterval until ctx is done.
func (b *Broker) runSweeps(ctx context.Context) {
	tick := time.NewTicker(sweepInterval)
	defer tick.Stop()
	for {
		b.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// dispatch claims the due deliveries of r's trigger and hands each to a worker until ctx
// is done. Workers hand their outcomes back, and each claim records those that came back
// since the one before, in the same round trip: a busy trigger's outcomes cost no round
// trips of their own. Once ctx is done it waits for the workers and records their last
// outcomes.
func (b *Broker) dispatch(ctx context.Context, r *route) {
	var (
		wg       sync.WaitGroup
		active   int
		settled  []settlement // outcomes not yet recorded
		finished = make(chan *settlement, b.workers)
	)
	done := func(s *settlement) {
		active--
		if s != nil {
			settled = append(settled, *s)
		}
	}
	defer func() {
		wg.Wait()
		for active > 0 {
			done(<-finished)
		}
		if len(settled) > 0 {
			if _, err := b.exchange(ctx, r.trigger.Name, settled, 0); err != nil {
				b.log.ErrorContext(ctx, "record deliveries", "trigger", r.trigger.Name, "err", err)
			}
		}
	}()
	for {
		for drained := false; !drained; {
			select {
			case s := <-finished:
				done(s)
			default:
				drained = true
			}
		}
		if ctx.Err() != nil {
			return
		}

		free := b.workers - active
		full := false
		if free > 0 {
			claimed, err := b.exchange(ctx, r.trigger.Name, settled, free)
			if err == nil {
				settled = settled[:0]
			}
			if ctx.Err() != nil {
				// Shut down while claiming: hand back what the claim took.
				for _, c := range claimed {
					b.release(ctx, c)
				}
				return
			}
			if err != nil {
				// The outcomes are recorded with the next claim; a lease that runs out
				// first lets the delivery be made again, which its subscriber recognises.
				b.log.ErrorContext(ctx, "claim deliveries", "err", err)
			}
			for _, c := range claimed {
				active++
				wg.Go(func() { finished <- b.deliver(ctx, c) })
			}
			full = len(claimed) == free && err == nil
		}
		if full {
			continue // there may be more due; claim again once a worker is free
		}

		wait := b.poll
		if active < b.workers {
			if next, err := b.nextDue(ctx, r.trigger.Name); err == nil && !next.IsZero() {
				wait = min(wait, max(next.Sub(b.now()), minWait))
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case s := <-finished:
			done(s)
		case <-timer.C:
		}
		timer.Stop()
	}
}

// claimSettingsSQL readies a claim's transaction. The claim must not cost more as a
// backlog grows: it should walk the due index in order and stop after limit rows.
// PostgreSQL chooses that walk only when it knows the backlog is large; with statistics
// taken while little was pending (or none: a new database, autovacuum off) it read and
// sorted every due delivery, tens of ms per claim, and fell further behind the larger the
// backlog. The settings, local to the batch's implicit transaction, leave it the walk
// alone; bookkeepingSQL's keep it off sequential scans, which the plan cached while the
// table was small had used to update the claimed rows.
const claimSettingsSQL = bookkeepingSQL + `, set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`

// claimSQL leases up to $4 due deliveries of broker $1's trigger $2 at $3 until $5, and
// returns them with their events. The event is looked up by its key in subqueries rather
// than joined, which was planned as a scan of every event of the broker for each due
// delivery. The due deliveries are chosen as an array of keys that the update looks up
// by the primary key: joined to them instead, a plan made while the table was small
// walked every delivery of the table for each claim (70 ms with 20 000 of them, most of
// the local broker's time in a burst of reminders).
const claimSQL = `
	UPDATE broker_deliveries d
	SET lease_until = $5
	WHERE d.trigger = $2 AND d.event_seq = ANY (ARRAY(
		SELECT p.event_seq
		FROM broker_deliveries p
		WHERE p.state = 'pending' AND p.trigger = $2
			AND p.next_at <= $3 AND (p.lease_until IS NULL OR p.lease_until <= $3)
			AND (SELECT e.broker FROM broker_events e WHERE e.seq = p.event_seq) = $1
		ORDER BY p.next_at, p.event_seq
		LIMIT $4
		FOR UPDATE OF p SKIP LOCKED))
	RETURNING d.event_seq, d.trigger, d.attempts, d.lease_until,
		(SELECT e.event FROM broker_events e WHERE e.seq = d.event_seq)`

// claimed is a delivery this process holds the lease of.
type claimed struct {
	seq      int64
	trigger  string
	attempts int // made before this one
	lease    time.Time
	event    event.Event
}

// exchange records the outcomes of settled, all of trigger, and leases up to limit due
// deliveries of this broker's trigger, skipping those that another process is claiming
// (a lease lasts the trigger's timeout and a margin), in one round trip and one
// transaction: on an error neither happened.
func (b *Broker) exchange(ctx context.Context, trigger string, settled []settlement, limit int) ([]claimed, error) {
	now := b.now()
	lease := now.Add(b.routes[trigger].trigger.Delivery.Timeout + leaseMargin)
	batch := &pgx.Batch{}
	batch.Queue(claimSettingsSQL)
	if len(settled) > 0 {
		batch.Queue(outcomesSQL, b.outcomeArgs(trigger, settled)...)
	}
	if limit > 0 {
		batch.Queue(claimSQL, b.name, trigger, now, limit, lease)
	}
	type leased struct {
		c   claimed
		raw []byte
	}
	var (
		got       []leased
		delivered []int64
	)
	// Neither is cut by shutdown: a claim cut could commit its leases unseen, and they
	// would hold the deliveries from every broker until they ran out; the caller releases
	// what a claim took once it sees the shutdown. Outcomes are recorded after it too.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	err := func() error {
		results := b.pool.SendBatch(ctx, batch)
		defer results.Close()
		if _, err := results.Exec(); err != nil {
			return err
		}
		if len(settled) > 0 {
			rows, err := results.Query()
			if err != nil {
				return err
			}
			if delivered, err = b.recorded(ctx, rows, settled); err != nil {
				return err
			}
		}
		if limit > 0 {
			rows, err := results.Query()
			if err != nil {
				return err
			}
			got, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (leased, error) {
				var l leased
				err := row.Scan(&l.c.seq, &l.c.trigger, &l.c.attempts, &l.c.lease, &l.raw)
				return l, err
			})
			if err != nil {
				return err
			}
		}
		return results.Close()
	}()
	if err != nil {
		return nil, fmt.Errorf("record and claim deliveries: %w", err)
	}
	if err := b.forget(ctx, delivered); err != nil {
		b.log.ErrorContext(ctx, "forget delivered events", "err", err)
	}
	out := make([]claimed, 0, len(got))
	for _, l := range got {
		if err := json.Unmarshal(l.raw, &l.c.event); err != nil {
			// Cannot happen for what Send stored; dead-letter it rather than loop on it.
			b.log.ErrorContext(ctx, "stored event unreadable", "seq", l.c.seq, "err", err)
			b.settle(ctx, l.c, outcome{state: stateDead, err: fmt.Errorf("stored event unreadable: %w", err)})
			continue
		}
		out = append(out, l.c)
	}
	return out, nil
}

// nextDue returns when the earliest pending delivery of this broker's trigger becomes
// claimable, or the zero time when there is none.
func (b *Broker) nextDue(ctx context.Context, trigger string) (time.Time, error) {
	var next *time.Time
	// The earliest delivery nobody holds, and the earliest lease to end: two short walks
	// of the indexes of migration 006, however long the backlog.
	err := b.pool.QueryRow(ctx, `
		SELECT least(
			(SELECT d.next_at FROM broker_deliveries d
				WHERE d.state = 'pending' AND d.trigger = $2 AND d.lease_until IS NULL
					AND (SELECT e.broker FROM broker_events e WHERE e.seq = d.event_seq) = $1
				ORDER BY d.next_at, d.event_seq LIMIT 1),
			(SELECT min(greatest(d.next_at, d.lease_until)) FROM broker_deliveries d
				WHERE d.state = 'pending' AND d.trigger = $2 AND d.lease_until IS NOT NULL
					AND (SELECT e.broker FROM broker_events e WHERE e.seq = d.event_seq) = $1))`,
		b.name, trigger).Scan(&next)
	if err != nil || next == nil {
		return time.Time{}, err
	}
	return *next, nil
}

// sweep deletes this broker's events whose deliveries were all acknowledged longer than
// Retention ago.
func (b *Broker) sweep(ctx context.Context) {
	tag, err := b.pool.Exec(ctx, `
		DELETE FROM broker_events e
		WHERE e.broker = $1 AND e.accepted_at <= $2
			AND NOT EXISTS (
				SELECT FROM broker_deliveries d
				WHERE d.event_seq = e.seq AND (d.state <> 'delivered' OR d.updated_at > $2))`,
		b.name, b.now().Add(-max(b.retention, 0)))
	if err != nil {
		if ctx.Err() == nil {
			b.log.ErrorContext(ctx, "sweep delivered events", "err", err)
		}
		return
	}
	if n := tag.RowsAffected(); n > 0 {
		b.log.DebugContext(ctx, "delivered events deleted", "count", n)
	}
}
