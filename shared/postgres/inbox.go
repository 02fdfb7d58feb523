package postgres

// claimInboxSQL records, in the transaction of the consumer's effect, that consumer $1
// handles the event ($2, $3); it inserts no row when the event was handled before, so a
// redelivered event changes nothing.
const claimInboxSQL = `INSERT INTO inbox (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`

// asyncCommitSQL, queued first in a batch (one implicit transaction), lets the batch's
// commit return before it is on disk: for records whose loss in the server's crash only
// repeats work that the next run recognises.
const asyncCommitSQL = `SELECT set_config('synchronous_commit', 'off', true)`
