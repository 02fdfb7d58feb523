package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNoDeadLetter is returned by Replay when the id names no dead delivery.
var ErrNoDeadLetter = errors.New("no such dead letter")

// DeadLetter is a delivery the broker gave up on: the subscriber refused the event (a
// 4xx for bad data) or kept failing until the trigger's retries ran out.
type DeadLetter struct {
	Broker     string
	EventSeq   int64
	Trigger    string
	Event      event.Event
	Attempts   int
	LastStatus int    // the last HTTP status; 0 when no response came
	LastError  string // why the last attempt failed
	At         time.Time
}

// ID returns the dead letter's id for Replay: "<seq>/<trigger>".
func (d DeadLetter) ID() string {
	return strconv.FormatInt(d.EventSeq, 10) + "/" + d.Trigger
}

// DeadLetters lists the broker's dead letters, oldest first.
func (b *Broker) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	return listDeadLetters(ctx, b.pool, b.name)
}

// ListDeadLetters lists the dead letters of every broker that stores its events in the
// database of pool, oldest first.
func ListDeadLetters(ctx context.Context, pool *pgxpool.Pool) ([]DeadLetter, error) {
	return listDeadLetters(ctx, pool, "")
}

// listDeadLetters lists the dead letters of broker, or of all brokers when it is "".
func listDeadLetters(ctx context.Context, pool *pgxpool.Pool, broker string) ([]DeadLetter, error) {
	rows, err := pool.Query(ctx, `
		SELECT e.broker, d.event_seq, d.trigger, e.event, d.attempts,
			coalesce(d.last_status, 0), coalesce(d.last_error, ''), d.updated_at
		FROM broker_deliveries d
		JOIN broker_events e ON e.seq = d.event_seq
		WHERE d.state = 'dead' AND ($1 = '' OR e.broker = $1)
		ORDER BY d.updated_at, d.event_seq, d.trigger`, broker)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var (
			d   DeadLetter
			raw []byte
		)
		if err := rows.Scan(&d.Broker, &d.EventSeq, &d.Trigger, &raw, &d.Attempts, &d.LastStatus, &d.LastError, &d.At); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		if err := json.Unmarshal(raw, &d.Event); err != nil {
			return nil, fmt.Errorf("list dead letters: event %d: %w", d.EventSeq, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// Replay re-queues dead letters: id is "<seq>/<trigger>" for one, or "<seq>" for every
// dead delivery of that event. Each becomes pending again with no attempts made, due at
// once; a running broker takes it within its poll interval. It returns how many it
// re-queued, and ErrNoDeadLetter when there was none.
func Replay(ctx context.Context, pool *pgxpool.Pool, id string) (int, error) {
	seqText, trigger, _ := strings.Cut(strings.TrimSpace(id), "/")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq <= 0 {
		return 0, fmt.Errorf("replay %q: a dead letter id is SEQ/TRIGGER or SEQ", id)
	}
	tag, err := pool.Exec(ctx, `
		UPDATE broker_deliveries
		SET state = 'pending', attempts = 0, next_at = now(), lease_until = NULL, updated_at = now()
		WHERE event_seq = $1 AND state = 'dead' AND ($2 = '' OR trigger = $2)`,
		seq, trigger)
	if err != nil {
		return 0, fmt.Errorf("replay %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, fmt.Errorf("replay %s: %w", id, ErrNoDeadLetter)
	}
	return int(tag.RowsAffected()), nil
}
