package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// States of a delivery, as broker_deliveries.state holds them.
const (
	statePending   = "pending"
	stateDelivered = "delivered"
	stateDead      = "dead"
)

// maxErrorText bounds the response text kept in last_error.
const maxErrorText = 512

// response is what one attempt got back: a status and body, or an error when no
// response came (connection refused, timeout).
type response struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// outcome is what becomes of a delivery after an attempt.
type outcome struct {
	state  string
	nextAt time.Time
	status int
	err    error
	reply  *event.Event
}

// deliver makes one attempt at delivering c and returns its outcome, which its
// dispatcher records with its next claim. It returns nil when nothing is left to record:
// the attempt was cut by shutdown (the lease is released without counting it), or the
// outcome came with a reply, which is recorded here in the transaction that accepts it.
func (b *Broker) deliver(ctx context.Context, c claimed) *settlement {
	r := b.routes[c.trigger]
	start := time.Now()
	resp := b.attempt(ctx, r, c.event)
	if ctx.Err() != nil && (resp.err != nil || resp.status < 200 || resp.status > 299) {
		// Cut by shutdown, or failed as it was cut (a subscriber that answers the end of
		// its request with a 503): not the subscriber's fault; let the next holder try
		// at once.
		b.release(ctx, c)
		return nil
	}
	o := b.judge(ctx, r.trigger.Delivery, c.attempts+1, resp)
	log := b.log.With("trigger", c.trigger, "seq", c.seq, "type", c.event.Type(), "id", c.event.ID(),
		"attempt", c.attempts+1, "status", o.status, "took", time.Since(start).Round(time.Millisecond))
	switch o.state {
	case stateDelivered:
		log.DebugContext(ctx, "event delivered")
	case statePending:
		log.WarnContext(ctx, "delivery failed; will retry", "retry_at", o.nextAt, "err", o.err)
	case stateDead:
		log.ErrorContext(ctx, "event dead-lettered", "err", o.err)
	}
	if o.reply != nil {
		b.settle(ctx, c, o)
		return nil
	}
	return &settlement{c, o}
}

// judge applies Knative's rules to the response of attempt number n: 2xx is delivered
// (with its reply, if the response is a CloudEvent); no response, 5xx, 404, 408, 409 and
// 429 are retried while retries remain; anything else (a 4xx for bad data) is dead at
// once. A reply that is not a valid CloudEvent is dead too: Knative's ingress would
// refuse it with a 400.
func (b *Broker) judge(ctx context.Context, d Delivery, n int, resp response) outcome {
	o := outcome{status: resp.status, err: resp.err}
	switch {
	case resp.err == nil && resp.status >= 200 && resp.status < 300:
		reply, err := replyOf(ctx, resp)
		if err != nil {
			o.state, o.err = stateDead, fmt.Errorf("the reply is not a valid CloudEvent: %w", err)
			return o
		}
		o.state, o.reply = stateDelivered, reply
		return o
	case resp.err == nil:
		o.err = fmt.Errorf("HTTP %d: %s", resp.status, errorText(resp.body))
		if !retriable(resp.status) {
			o.state = stateDead
			return o
		}
	}
	if retries := n - 1; retries >= d.Retry {
		o.state = stateDead
		if d.Retry > 0 {
			o.err = fmt.Errorf("%w (after %d retries)", o.err, d.Retry)
		}
		return o
	}
	o.state, o.nextAt = statePending, b.now().Add(d.Backoff(n))
	return o
}

// retriable reports whether a failed delivery answered with status is tried again, as
// Knative's SelectiveRetry decides.
func retriable(status int) bool {
	switch status {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// errorText is the start of a failure's response body, for last_error.
func errorText(body []byte) string {
	if len(body) > maxErrorText {
		return string(body[:maxErrorText]) + "…"
	}
	if len(body) == 0 {
		return "no body"
	}
	return string(body)
}

// replyOf returns the CloudEvent in a successful response, or nil when the response is
// not one (no Ce-Specversion header and no CloudEvents content type).
func replyOf(ctx context.Context, resp response) (*event.Event, error) {
	msg := cehttp.NewMessage(resp.header, io.NopCloser(bytes.NewReader(resp.body)))
	if msg.ReadEncoding() == binding.EncodingUnknown {
		return nil, nil
	}
	e, err := binding.ToEvent(ctx, msg)
	if err == nil {
		err = validEvent(*e)
	}
	if err == nil {
		_, err = encodeEvent(*e)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// attempt delivers e to r's subscriber once, in binary mode, within the trigger's timeout.
func (b *Broker) attempt(ctx context.Context, r *route, e event.Event) response {
	timeout := r.trigger.Delivery.Timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	target := r.target.URL
	if r.target.Handler != nil {
		target = "http://" + r.trigger.Subscriber + "/"
		if r.trigger.Subscriber == "" {
			target = "http://localhost/"
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err == nil {
		err = cehttp.WriteRequest(ctx, binding.ToMessage(&e), req)
	}
	if err != nil {
		return response{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Prefer", "reply")
	if b.token != nil {
		audience := r.trigger.Audience
		if audience == "" {
			audience = r.target.URL
		}
		if audience == "" {
			audience = r.trigger.Subscriber
		}
		tok, err := b.token(ctx, audience)
		if err != nil {
			return response{err: fmt.Errorf("token for %s: %w", audience, err)}
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}

	var resp response
	if r.target.Handler != nil {
		resp = serveInProcess(ctx, r.target.Handler, req)
	} else {
		resp = b.post(req)
	}
	if resp.err != nil && errors.Is(resp.err, context.DeadlineExceeded) {
		resp.err = fmt.Errorf("no answer within the timeout of %s", timeout)
	}
	return resp
}

// post sends req over HTTP and reads the response.
func (b *Broker) post(req *http.Request) response {
	res, err := b.client.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			err = req.Context().Err()
		}
		return response{err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxEventSize))
	if err != nil {
		if req.Context().Err() != nil {
			err = req.Context().Err()
		}
		return response{err: fmt.Errorf("read response: %w", err)}
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// serveInProcess calls h with req, as a server would, and returns what it wrote. It
// returns when h does or when ctx is done, whichever is first; a handler still running
// then writes into a recorder nobody reads.
func serveInProcess(ctx context.Context, h http.Handler, req *http.Request) response {
	req.RequestURI = req.URL.RequestURI()
	req.RemoteAddr = "127.0.0.1:0"
	rec := &recorder{header: http.Header{}}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		h.ServeHTTP(rec, req)
	}()
	select {
	case p := <-done:
		if p != nil {
			return response{err: fmt.Errorf("the handler panicked: %v", p)}
		}
		return rec.response()
	case <-ctx.Done():
		return response{err: ctx.Err()}
	}
}

// recorder is the http.ResponseWriter of an in-process delivery.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the response headers.
func (r *recorder) Header() http.Header { return r.header }

// WriteHeader records the status; only the first call counts, as on a server.
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// Write records body bytes, beyond maxEventSize silently dropped.
func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if room := maxEventSize - r.body.Len(); room > 0 {
		r.body.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// response returns what was written; a handler that wrote nothing answered 200.
func (r *recorder) response() response {
	r.WriteHeader(http.StatusOK)
	return response{status: r.status, header: r.header, body: r.body.Bytes()}
}

// settlement is a delivery's outcome, to be recorded while the delivery's lease holds.
type settlement struct {
	c claimed
	o outcome
}

// settle records o for c if c's lease is still ours; with a reply, it accepts the reply
// event in the same transaction.
func (b *Broker) settle(ctx context.Context, c claimed, o outcome) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	if err := b.record(ctx, c, o); err != nil {
		b.log.ErrorContext(ctx, "record delivery", "trigger", c.trigger, "seq", c.seq, "err", err)
	}
}

// outcomesSQL records the outcomes of deliveries to trigger $1 at $2, each while the lease
// it was attempted under holds it: of event $3[i], state $4[i] after $5[i] attempts, due
// again at $6[i] when still pending, with the last status $7[i] and error $8[i], leased
// until $9[i]. It returns the events whose outcome it recorded.
const outcomesSQL = `
	UPDATE broker_deliveries d
	SET state = o.state, attempts = o.attempts, next_at = o.next_at, lease_until = NULL,
		last_status = o.status, last_error = o.error, updated_at = $2
	FROM unnest($3::bigint[], $4::text[], $5::integer[], $6::timestamptz[], $7::integer[], $8::text[], $9::timestamptz[])
		AS o (seq, state, attempts, next_at, status, error, lease)
	WHERE d.event_seq = o.seq AND d.trigger = $1 AND d.state = 'pending' AND d.lease_until = o.lease
	RETURNING d.event_seq`

// outcomeArgs returns the arguments of outcomesSQL for settled, all of trigger.
func (b *Broker) outcomeArgs(trigger string, settled []settlement) []any {
	now := b.now()
	n := len(settled)
	var (
		seqs     = make([]int64, n)
		states   = make([]string, n)
		attempts = make([]int32, n)
		nextAt   = make([]time.Time, n)
		statuses = make([]pgtype.Int4, n)
		errs     = make([]pgtype.Text, n)
		leases   = make([]time.Time, n)
	)
	for i, s := range settled {
		seqs[i], states[i], attempts[i], leases[i] = s.c.seq, s.o.state, int32(s.c.attempts+1), s.c.lease
		nextAt[i] = s.o.nextAt
		if nextAt[i].IsZero() {
			nextAt[i] = now
		}
		if s.o.status != 0 {
			statuses[i] = pgtype.Int4{Int32: int32(s.o.status), Valid: true}
		}
		if s.o.err != nil {
			errs[i] = pgtype.Text{String: s.o.err.Error(), Valid: true}
		}
	}
	return []any{trigger, now, seqs, states, attempts, nextAt, statuses, errs, leases}
}

// recorded reads the events outcomesSQL recorded from rows, logs the settlements whose
// lease was lost before their outcome could be recorded (another holder has them), and
// returns the events of the recorded ones that were delivered.
func (b *Broker) recorded(ctx context.Context, rows pgx.Rows, settled []settlement) ([]int64, error) {
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	var delivered []int64
	for _, s := range settled {
		switch {
		case !slices.Contains(seqs, s.c.seq):
			b.log.WarnContext(ctx, "delivery lease lost before its outcome was recorded; another holder has it",
				"trigger", s.c.trigger, "seq", s.c.seq)
		case s.o.state == stateDelivered:
			delivered = append(delivered, s.c.seq)
		}
	}
	return delivered, nil
}

// record records o for c, with its reply accepted in the same transaction.
func (b *Broker) record(ctx context.Context, c claimed, o outcome) error {
	settled := []settlement{{c, o}}
	if o.reply == nil {
		_, err := b.exchange(ctx, c.trigger, settled, 0)
		return err
	}
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, bookkeepingSQL); err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	rows, err := tx.Query(ctx, outcomesSQL, b.outcomeArgs(c.trigger, settled)...)
	if err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	delivered, err := b.recorded(ctx, rows, settled)
	if err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	if len(delivered) == 0 {
		return nil // the lease was lost
	}
	stored, err := b.accept(ctx, tx, []event.Event{*o.reply}) // the reply, as Send would
	if err != nil {
		if errors.Is(err, ErrInvalidEvent) {
			_ = tx.Rollback(ctx)
			return b.record(ctx, c, outcome{state: stateDead, status: o.status, err: fmt.Errorf("the reply cannot be accepted: %w", err)})
		}
		return fmt.Errorf("accept reply: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if stored {
		b.notify()
	}
	return b.forget(ctx, delivered)
}

// forget deletes the events among seqs that every trigger has acknowledged, when the
// broker keeps no delivered events (a negative Retention). It runs after the outcomes'
// commit, so that of two triggers acknowledging at once, the later sees both
// acknowledgements.
func (b *Broker) forget(ctx context.Context, seqs []int64) error {
	if b.retention >= 0 || len(seqs) == 0 {
		return nil
	}
	_, err := b.pool.Exec(ctx, `
		DELETE FROM broker_events e
		WHERE e.seq = ANY ($1)
			AND NOT EXISTS (SELECT FROM broker_deliveries d WHERE d.event_seq = e.seq AND d.state <> 'delivered')`,
		seqs)
	if err != nil {
		return fmt.Errorf("delete delivered events: %w", err)
	}
	return nil
}

// release gives up c's lease without counting an attempt.
func (b *Broker) release(ctx context.Context, c claimed) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	_, err := b.pool.Exec(ctx, `
		UPDATE broker_deliveries SET lease_until = NULL
		WHERE event_seq = $1 AND trigger = $2 AND state = 'pending' AND lease_until = $3`,
		c.seq, c.trigger, c.lease)
	if err != nil {
		b.log.ErrorContext(ctx, "release delivery", "trigger", c.trigger, "seq", c.seq, "err", err)
	}
}
