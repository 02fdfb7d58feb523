package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// scopeSQL makes the rest of the transaction run as the role taskwire_app for one user:
// row-level security then shows and admits only that user's rows.
const scopeSQL = `SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', $1, true)`

// plannedScopeSQL is scopeSQL for a read whose best plan depends on how many rows the user
// has (readUserPlanned): its statement is planned for the user it reads
// (force_custom_plan). pgx prepares each statement once per connection, and after five
// runs PostgreSQL may keep a generic plan made for a user of average size: a listing
// filtered by a tag then read and sorted all of a big user's tasks (0.8 s with 200 000),
// where the plan made for that user walks an index and stops after a page (7 ms). Other
// reads keep their cached plans, which serve every user alike, and save the planning.
const plannedScopeSQL = `SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', $1, true),
	set_config('plan_cache_mode', 'force_custom_plan', true)`

// userOf returns the signed-in user of ctx, or EUNAUTHORIZED.
func userOf(ctx context.Context) (string, error) {
	user := taskwire.UserFromContext(ctx)
	if user == "" {
		return "", taskwire.Errorf(taskwire.EUNAUTHORIZED, "no signed-in user")
	}
	return user, nil
}

// userTx is a transaction of one user (or of the system, see beginSystemTx) whose
// statements travel in pipelined batches, so that it costs one round trip per batch
// rather than one per statement: its first batch carries BEGIN and the scope ahead of the
// caller's statements (see beginUserTx and send), and its last carries COMMIT after them
// (see commit). A transaction that is not committed is rolled back by close.
type userTx struct {
	conn *pgxpool.Conn
	user string // "" in a system transaction, which has no scope
	sent bool   // the first batch, with BEGIN and the scope, went out
}

// opening returns how many statements of the first batch come ahead of the caller's:
// BEGIN, and the scope unless it is a system transaction.
func (tx *userTx) opening() int {
	if tx.user == "" {
		return 1
	}
	return 2
}

// beginUserTx acquires a connection for a transaction scoped to the signed-in user of ctx
// and returns the transaction's first batch, holding BEGIN and the scope so far: queue
// the first statements on it and send it with send. The caller must defer close.
func beginUserTx(ctx context.Context, db *DB) (*userTx, *pgx.Batch, error) {
	user, err := userOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("begin: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(scopeSQL, user)
	return &userTx{conn: conn, user: user}, b, nil
}

// beginSystemTx is beginUserTx for work that is no user's (the reminders' firing): it
// runs as the connecting role, and its first batch holds only BEGIN.
func beginSystemTx(ctx context.Context, db *DB) (*userTx, *pgx.Batch, error) {
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("begin: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	return &userTx{conn: conn}, b, nil
}

// send sends b and returns its results from the caller's first statement on, for the
// caller to read in the order it queued them and then close. Sending the first batch
// begins the transaction: a failure of BEGIN or of the scope comes back as "begin: …" or
// "scope transaction: …", untranslated.
func (tx *userTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	br := tx.conn.SendBatch(ctx, b)
	if tx.sent {
		return br, nil
	}
	tx.sent = true
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	if tx.user != "" {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("scope transaction: %w", err)
		}
	}
	return br, nil
}

// commit sends b with COMMIT after its statements and reads the results. It returns the
// first statement's error translated, or the commit's as "commit: …"; either way the
// transaction is over (close rolls back one that failed).
func (tx *userTx) commit(ctx context.Context, b *pgx.Batch) error {
	first := 0
	if !tx.sent {
		first = tx.opening() // read by send
	}
	queued := b.QueuedQueries[first:]
	b.Queue("COMMIT")
	br, err := tx.send(ctx, b)
	if err != nil {
		return err
	}
	defer br.Close()
	for _, q := range queued {
		if q.Fn != nil {
			err = q.Fn(br) // a statement whose result its caller reads (see queueOutbox)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			return translate(err)
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	if tag.String() == "ROLLBACK" {
		return fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// close rolls the transaction back unless it committed, and returns the connection to
// the pool; it is safe to call more than once. A connection that cannot be rolled back is
// closed by the pool rather than reused.
func (tx *userTx) close(ctx context.Context) {
	if tx.conn == nil {
		return
	}
	if pg := tx.conn.Conn().PgConn(); !pg.IsClosed() && !pg.IsBusy() && pg.TxStatus() != 'I' {
		_, _ = tx.conn.Exec(ctx, "ROLLBACK")
	}
	tx.conn.Release()
	tx.conn = nil
}

// connLimitWait is how long acquire keeps asking for a connection while the server
// refuses new ones for its connection limit.
const connLimitWait = 2 * time.Second

// acquire returns a connection of the pool. When the pool has none idle and the server
// refuses it a new one for its connection limit (SQLSTATE 53300; scaled out, the
// functions' pools together can ask for more than it allows), acquire asks again with
// backoff for up to connLimitWait, so that the request waits for a connection its pool or
// another process releases, as it waits for one when the pool is full. Other errors, and
// the limit's once the time is up, come back translated (EUNAVAILABLE).
func (db *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	deadline := time.Now().Add(connLimitWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		conn, err := db.Pool.Acquire(ctx)
		if err == nil {
			return conn, nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "53300" || time.Now().Add(wait).After(deadline) { // too_many_connections
			return nil, translate(err)
		}
		select {
		case <-ctx.Done():
			return nil, translate(err)
		case <-time.After(wait):
		}
	}
}

// sendBatch is Pool.SendBatch with acquire's wait for a connection, which goes back to
// the pool when the results are closed. b must not begin a transaction (Batch.BeginTx).
func (db *DB) sendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	conn, err := db.acquire(ctx)
	if err != nil {
		return pgx.FailedBatchResults(b, err)
	}
	return &releasingResults{BatchResults: conn.SendBatch(ctx, b), conn: conn}
}

// releasingResults are a batch's results that release its connection when closed.
type releasingResults struct {
	pgx.BatchResults
	conn *pgxpool.Conn
}

// Close closes the results and releases the connection; it is safe to call more than once.
func (r *releasingResults) Close() error {
	err := r.BatchResults.Close()
	if r.conn != nil {
		r.conn.Release()
		r.conn = nil
	}
	return err
}

// readUser runs a statement that returns rows (a read, or a write with RETURNING) as one
// round trip: a pipelined batch is one implicit transaction, so the scope set by its
// first statement holds for the statement that follows, and a write commits with it.
func readUser(ctx context.Context, db *DB, query string, args []any, scan func(pgx.Rows) error) error {
	return readScoped(ctx, db, scopeSQL, query, args, scan)
}

// execUser runs one write of the signed-in user's rows as one round trip, as readUser
// runs a read, and returns its command tag.
func execUser(ctx context.Context, db *DB, query string, args ...any) (pgconn.CommandTag, error) {
	user, err := userOf(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(query, args...)
	br := db.sendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return pgconn.CommandTag{}, fmt.Errorf("scope write: %w", translate(err))
	}
	tag, err := br.Exec()
	if err != nil {
		return tag, translate(err)
	}
	return tag, translate(br.Close())
}

// readUserPlanned is readUser for a read planned for the user who reads (plannedScopeSQL).
func readUserPlanned(ctx context.Context, db *DB, query string, args []any, scan func(pgx.Rows) error) error {
	return readScoped(ctx, db, plannedScopeSQL, query, args, scan)
}

// readScoped runs query in one round trip after scope, which takes the user.
func readScoped(ctx context.Context, db *DB, scope, query string, args []any, scan func(pgx.Rows) error) error {
	user, err := userOf(ctx)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(scope, user)
	b.Queue(query, args...)
	br := db.sendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("scope read: %w", translate(err))
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := scan(rows); err != nil {
		return err
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return br.Close()
}

// translate maps database errors to domain errors by SQLSTATE, in one place. An error it
// mapped before comes back as it is.
func translate(err error) error {
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	var domainErr *taskwire.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &domainErr):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return taskwire.Errorf(taskwire.ENOTFOUND, "not found")
	case errors.As(err, &connectErr):
		// The server refused a new connection (at its connection limit, starting, shutting
		// down) or could not be reached: a passing fault that the client or the broker
		// retries, not a fault of the request.
		return unavailable(err)
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505": // unique_violation
			return taskwire.Errorf(taskwire.ECONFLICT, "already exists")
		case "23503": // foreign_key_violation
			// Every <table>_user_id_fkey points at users: the user has no row, as after an
			// account deletion that this process has not heard of yet (seenFor).
			if strings.HasSuffix(pgErr.ConstraintName, "_user_id_fkey") {
				return errAccountDeleted()
			}
		case "23514", "22001": // check_violation, string_data_right_truncation
			return taskwire.Errorf(taskwire.EINVALID, "a value breaks a rule: %s", pgErr.ConstraintName)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return taskwire.Errorf(taskwire.ECONFLICT, "a concurrent change got in the way; try again")
		case "57014": // query_canceled
			return taskwire.Errorf(taskwire.EUNAVAILABLE, "the request was cancelled")
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return unavailable(err)
		}
	}
	return err
}

// unavailable returns EUNAVAILABLE for a database that cannot serve now, keeping err
// behind it for the log (the user is told only to try again).
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", taskwire.Errorf(taskwire.EUNAVAILABLE, "the database cannot take the request now; try again"), err)
}
