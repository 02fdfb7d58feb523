// Package remind fires reminders on time from a function that scales to zero. A Handler
// woken by an event (the minute's PingSource tick, its own follow-up tick, a task change)
// claims what falls due within its budget, waits until each reminder is due and fires it,
// and answers with a follow-up tick only while something falls due before the next ping.
// It holds the timing and the chain; the claims and the outbox are the Store's.
package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Defaults for the zero fields of Handler.
const (
	// DefaultBudget is how long one request may wait for reminders: the func runtime cuts
	// a request at 30 s.
	DefaultBudget = 25 * time.Second
	// DefaultLeaseGrace is how long a claim outlives the budget before another holder may
	// take it, should this one die.
	DefaultLeaseGrace = 10 * time.Second
	// DefaultLimit is how many reminders one claim takes; more are claimed at once after.
	DefaultLimit = 100
	// DefaultPeriod is the PingSource's schedule: each minute, on the minute.
	DefaultPeriod = time.Minute
	// DefaultMargin is how long after its minute a ping may arrive; reminders due before
	// then are still the chain's to fire.
	DefaultMargin = 2 * time.Second
)

// earlyPing is how much sooner than its minute a ping may arrive (clocks differ): a
// request that starts this close to a minute counts as that minute's.
const earlyPing = 5 * time.Second

// callerSlack is how long before its caller's deadline a request stops waiting, so that
// its reply still reaches the caller.
const callerSlack = time.Second

// minPoll bounds how often a request looks again for a reminder it could not claim yet.
const minPoll = 50 * time.Millisecond

// Store claims and fires reminders; *postgres.ReminderService is one.
type Store interface {
	Claim(ctx context.Context, horizon, lease time.Duration, limit int) ([]postgres.Due, error)
	Fire(ctx context.Context, dues ...postgres.Due) (int, error)
	NextFireAt(ctx context.Context) (*time.Time, error)
	Free(ctx context.Context, ids ...uuid.UUID) (bool, error)
	SendSummaries(ctx context.Context) (int, error)
}

// Handler fires reminders on time for the events that wake it. Its zero fields take the
// defaults above; Now must be the Store's clock.
type Handler struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Budget bounds how long one request waits for reminders.
	Budget time.Duration
	// LeaseGrace is how long a claim outlives the budget.
	LeaseGrace time.Duration
	// Limit is how many reminders one claim takes.
	Limit int
	// Period is the PingSource's schedule, which starts at whole multiples of it.
	Period time.Duration
	// Margin is how late a ping may arrive after its time.
	Margin time.Duration

	mu sync.Mutex
	// starting holds, for each request woken by a task event that waits to start a chain,
	// the reminder time it goes on to.
	starting []time.Time
}

// NewHandler returns a Handler on store with the default settings.
func NewHandler(store Store) *Handler {
	return &Handler{Store: store, Now: time.Now}
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (h *Handler) budget() time.Duration { return orDefault(h.Budget, DefaultBudget) }
func (h *Handler) limit() int            { return orDefault(h.Limit, DefaultLimit) }

// NextTick returns when the ping that follows a request started at start is due: the next
// whole period, with a ping that arrives a little early counted as its own period's.
func (h *Handler) NextTick(start time.Time) time.Time {
	period := orDefault(h.Period, DefaultPeriod)
	return start.Add(earlyPing).Truncate(period).Add(period)
}

// Handle serves one event: a ping or a follow-up tick runs the firing loop (a ping also
// sends the daily summaries due); a task change runs it when the task has a reminder due
// before the next ping that nobody holds yet (a reminder added or moved between pings is
// claimed from its event; one that a chain or an earlier event's run claimed already is
// its holder's to fire) and no request of this handler waits to start a chain that
// reaches it; anything else is acknowledged and ignored. The reply, when there is one, is a follow-up tick for the broker to bring back.
func (h *Handler) Handle(ctx context.Context, e event.Event) (*event.Event, error) {
	switch t := e.Type(); {
	case t == events.TypePing:
		return h.ping(ctx)
	case t == events.TypeRemindersTick:
		return h.run(ctx, false)
	case t == events.TypeTaskCreated, t == events.TypeTaskUpdated, t == events.TypeTaskReopened:
		data, err := events.ReadTaskData(e)
		if err != nil {
			return nil, err
		}
		soon, first := h.dueSoon(data.Task.Status, events.ArmedReminders(t, data))
		if len(soon) == 0 || h.chainStarting(first) {
			return nil, nil
		}
		free, err := h.Store.Free(ctx, soon...)
		if err != nil {
			return nil, err
		}
		if !free {
			return nil, nil
		}
		return h.run(ctx, true)
	case strings.HasPrefix(t, "dev.taskwire.task."):
		// Completed or deleted: its reminders are cancelled, since Fire checks the task.
		return nil, nil
	}
	return nil, nil
}

// ping serves the minute's ping: the firing loop, and beside it the daily summaries that
// fell due since the last (within a minute of their time, as the ping comes each minute).
// A summary that could not be sent fails the ping, which the broker delivers again.
func (h *Handler) ping(ctx context.Context) (*event.Event, error) {
	summaries := make(chan error, 1)
	go func() {
		_, err := h.Store.SendSummaries(ctx)
		summaries <- err
	}()
	reply, err := h.run(ctx, false)
	return reply, errors.Join(err, <-summaries)
}

// dueSoon returns the reminders of a task in status that fire before the next ping could
// wake the function (or fired already: late, they fire at once), and the first time one
// of them fires.
func (h *Handler) dueSoon(status taskwire.Status, reminders []taskwire.Reminder) (soon []uuid.UUID, first time.Time) {
	if status != taskwire.StatusOpen {
		return nil, time.Time{}
	}
	before := h.NextTick(h.now()).Add(orDefault(h.Margin, DefaultMargin))
	for _, r := range reminders {
		if r.FireAt != nil && r.FireAt.Before(before) {
			soon = append(soon, r.ID)
			if first.IsZero() || r.FireAt.Before(first) {
				first = *r.FireAt
			}
		}
	}
	return soon, first
}

// chainStarting reports whether a request of this handler waits to start a chain that
// reaches reminders firing from at on: one going on to a reminder no later. The chain
// fires, on time, whatever falls due after that reminder and before the next ping, which
// wakes the function anyway.
func (h *Handler) chainStarting(at time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, next := range h.starting {
		if !next.After(at) {
			return true
		}
	}
	return false
}

// startChain records that a request waits to start a chain going on to next, until the
// returned func is called.
func (h *Handler) startChain(next time.Time) (done func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.starting = append(h.starting, next)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		i := slices.Index(h.starting, next)
		h.starting = slices.Delete(h.starting, i, i+1)
	}
}

// run claims the reminders that fall due within the budget (cut to end shortly before
// ctx's deadline, if it has one), fires each when it is due (at once when it is late),
// and looks again until nothing more falls due within the budget. It then answers with a
// follow-up tick when a reminder falls due after the budget but before the next ping,
// holding the reply until the next request can claim it; otherwise with nil, so that the
// function can scale to zero. When ctx ends it stops waiting and returns ctx's error:
// what it claimed and did not fire is claimed again when the lease ends. fromTask tells
// that a task event woke it, not the chain (see reply).
func (h *Handler) run(ctx context.Context, fromTask bool) (*event.Event, error) {
	start := h.now()
	budget := h.budget()
	if end, ok := ctx.Deadline(); ok {
		// The caller cuts sooner: end early enough to answer it.
		budget = max(min(budget, time.Until(end)-callerSlack), 0)
	}
	deadline := start.Add(budget)
	grace := orDefault(h.LeaseGrace, DefaultLeaseGrace)

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	defer wg.Wait()
	fire := func(dues []postgres.Due) {
		defer wg.Done()
		if err := h.fireOnTime(ctx, dues); err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	// wait waits for the firings under way and reports why run must stop, if it must.
	wait := func() error {
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		return errors.Join(errs...)
	}

	for {
		if left := deadline.Sub(h.now()); left > 0 {
			dues, err := h.Store.Claim(ctx, left, left+grace, h.limit())
			if err != nil {
				return nil, fmt.Errorf("claim reminders: %w", err)
			}
			if len(dues) > 0 {
				wg.Add(1)
				go fire(dues)
			}
			if len(dues) == h.limit() {
				continue // more may be waiting: claim them while these wait
			}
			if len(dues) > 0 {
				if err := wait(); err != nil {
					return nil, err
				}
				continue // look again: more may have become due meanwhile
			}
		}
		if err := wait(); err != nil {
			return nil, err
		}

		next, err := h.Store.NextFireAt(ctx)
		if err != nil {
			return nil, err
		}
		if next == nil {
			return nil, nil
		}
		if now := h.now(); next.Before(deadline) && now.Before(deadline) {
			// Held by another holder until its lease ends, or claimed from under us:
			// look again then, within the budget.
			wake := later(*next, now.Add(minPoll))
			if err := h.sleepUntil(ctx, earlier(wake, deadline)); err != nil {
				return nil, err
			}
			continue
		}
		return h.reply(ctx, start, deadline, *next, fromTask)
	}
}

// reply decides the chain for a request that started at start, after which the earliest
// reminder falls due at next: a follow-up tick when next comes before the next ping (with
// its margin), sent once the request it starts can claim next; else nil.
//
// A request that a task event woke starts a chain: its tick is named for next (tickID),
// so that the requests of a burst of task events between pings, which all end looking
// at the same reminder, start one chain, not one each (the local broker accepts an id
// once). A link of the chain (a ping's request, or a tick's) names its tick afresh: named
// for next too, the tick of a request that could not reach next within its budget would
// be the very event it answers, and dropped.
func (h *Handler) reply(ctx context.Context, start, deadline, next time.Time, fromTask bool) (*event.Event, error) {
	if !next.Before(h.NextTick(start).Add(orDefault(h.Margin, DefaultMargin))) {
		return nil, nil
	}
	// The next request claims what falls due within its budget from its start: replying
	// sooner would only bring back a request that finds nothing and replies again.
	b := h.budget()
	wake := earlier(next.Add(-b+b/10), deadline)
	if fromTask && wake.After(h.now()) {
		// The task events that come meanwhile leave the reminders from next on to the
		// chain this request starts.
		defer h.startChain(next)()
	}
	if err := h.sleepUntil(ctx, wake); err != nil {
		return nil, err
	}
	e := event.New()
	if fromTask {
		e.SetID(tickID(next))
	} else {
		e.SetID(uuid.Must(uuid.NewV7()).String())
	}
	e.SetSource(events.SourceReminders)
	e.SetType(events.TypeRemindersTick)
	e.SetTime(h.now().UTC())
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("follow-up tick: %w", err)
	}
	return &e, nil
}

// tickNamespace makes the ids of the ticks that start chains.
var tickNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/reminders/tick"))

// tickID names the tick that starts a chain for the reminder that falls due at next: the
// same time always gives the same id.
func tickID(next time.Time) string {
	return uuid.NewSHA1(tickNamespace, []byte(next.UTC().Format(time.RFC3339Nano))).String()
}

// fireOnTime fires dues, which come in the order they fall due, each when it is due (at
// once when it is late). Those due by the time it wakes fire together, in one transaction:
// a burst due at one moment costs a transaction per claim, not one per reminder. A failure
// is reported after the rest were tried; what did not fire comes back when its lease ends.
func (h *Handler) fireOnTime(ctx context.Context, dues []postgres.Due) error {
	var errs []error
	for len(dues) > 0 {
		if err := h.sleepUntil(ctx, dues[0].FireAt); err != nil {
			return nil // run reports ctx's end; the leases bring the rest back
		}
		now := h.now()
		n := 1
		for n < len(dues) && !dues[n].FireAt.After(now) {
			n++
		}
		batch := dues[:n]
		dues = dues[n:]
		fired, err := h.Store.Fire(ctx, batch...)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			slog.ErrorContext(ctx, "fire reminders", "reminders", len(batch), "err", err)
			errs = append(errs, err)
			continue
		}
		if late := h.now().Sub(batch[0].FireAt); late > time.Second {
			slog.WarnContext(ctx, "reminders fired late", "fired", fired, "of", len(batch), "fire_at", batch[0].FireAt, "late", late)
		} else {
			slog.DebugContext(ctx, "reminders fired", "fired", fired, "of", len(batch), "late", late)
		}
	}
	return errors.Join(errs...)
}

// sleepUntil waits until the clock reaches t, or returns ctx's error when it ends first.
func (h *Handler) sleepUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(h.now())
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
