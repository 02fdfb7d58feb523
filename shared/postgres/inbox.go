package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// claimInboxSQL records that consumer $1 handles the event ($2, $3); it inserts no row
// when the event was handled before.
const claimInboxSQL = `INSERT INTO inbox (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`

// claimInbox records in tx that consumer handles the event (source, id), and reports
// false when it was handled before: the consumer's effect and this record commit together,
// so a redelivered event changes nothing.
func claimInbox(ctx context.Context, tx pgx.Tx, consumer, source, id string) (bool, error) {
	tag, err := tx.Exec(ctx, claimInboxSQL, consumer, source, id)
	if err != nil {
		return false, fmt.Errorf("inbox: %w", translate(err))
	}
	return tag.RowsAffected() == 1, nil
}
