package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// scopeSQL makes the rest of the transaction run as the role taskwire_app for one user:
// row-level security then shows and admits only that user's rows.
const scopeSQL = `SELECT set_config('role', 'taskwire_app', true), set_config('taskwire.user_id', $1, true)`

// userOf returns the signed-in user of ctx, or EUNAUTHORIZED.
func userOf(ctx context.Context) (string, error) {
	user := taskwire.UserFromContext(ctx)
	if user == "" {
		return "", taskwire.Errorf(taskwire.EUNAUTHORIZED, "no signed-in user")
	}
	return user, nil
}

// beginUser starts a transaction scoped to the signed-in user of ctx.
func beginUser(ctx context.Context, db *DB) (pgx.Tx, string, error) {
	user, err := userOf(ctx)
	if err != nil {
		return nil, "", err
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("begin: %w", err)
	}
	if _, err := tx.Exec(ctx, scopeSQL, user); err != nil {
		_ = tx.Rollback(ctx)
		return nil, "", fmt.Errorf("scope transaction: %w", err)
	}
	return tx, user, nil
}

// readUser runs a read as one round trip: a pipelined batch is one implicit transaction,
// so the scope set by its first statement holds for the read that follows.
func readUser(ctx context.Context, db *DB, query string, args []any, scan func(pgx.Rows) error) error {
	user, err := userOf(ctx)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, user)
	b.Queue(query, args...)
	br := db.Pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("scope read: %w", err)
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

// translate maps database errors to domain errors by SQLSTATE, in one place.
func translate(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return taskwire.Errorf(taskwire.ENOTFOUND, "not found")
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505": // unique_violation
			return taskwire.Errorf(taskwire.ECONFLICT, "already exists")
		case "23514", "22001": // check_violation, string_data_right_truncation
			return taskwire.Errorf(taskwire.EINVALID, "a value breaks a rule: %s", pgErr.ConstraintName)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return taskwire.Errorf(taskwire.ECONFLICT, "a concurrent change got in the way; try again")
		case "57014": // query_canceled
			return taskwire.Errorf(taskwire.EUNAVAILABLE, "the request was cancelled")
		}
	}
	return err
}
