package relay

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Refused is an outbox row the broker refused for good, set aside by the relay.
type Refused struct {
	Seq    int64
	ID     uuid.UUID // the event's id
	Type   string
	Source string
	At     time.Time // when it was set aside
	Reason string    // the broker's answer, or what made the row no valid event
}

// ListRefused returns the outbox rows set aside as refused, oldest first.
func ListRefused(ctx context.Context, pool *pgxpool.Pool) ([]Refused, error) {
	rows, err := pool.Query(ctx, `
		SELECT seq, id, type, source, refused_at, refused_reason FROM outbox
		WHERE refused_at IS NOT NULL ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("list refused outbox rows: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Refused, error) {
		var r Refused
		err := row.Scan(&r.Seq, &r.ID, &r.Type, &r.Source, &r.At, &r.Reason)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("list refused outbox rows: %w", err)
	}
	return list, nil
}

// Requeue makes the refused outbox row seq pending again, for the relay to send once
// more; it reports whether there was such a row.
func Requeue(ctx context.Context, pool *pgxpool.Pool, seq int64) (bool, error) {
	var n int
	err := pool.QueryRow(ctx, `
		WITH requeued AS (
			UPDATE outbox SET refused_at = NULL, refused_reason = NULL
			WHERE seq = $1 AND refused_at IS NOT NULL
			RETURNING seq),
		queued AS (INSERT INTO outbox_pending (seq) SELECT seq FROM requeued ON CONFLICT (seq) DO NOTHING)
		SELECT count(*) FROM requeued`, seq).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("requeue outbox row %d: %w", seq, err)
	}
	return n == 1, nil
}
