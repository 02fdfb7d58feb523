package postgres

// claimInboxSQL records, in the transaction of the consumer's effect, that consumer $1
// handles the event ($2, $3); it inserts no row when the event was handled before, so a
// redelivered event changes nothing.
const claimInboxSQL = `INSERT INTO inbox (consumer, source, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
