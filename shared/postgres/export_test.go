package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
	"github.com/taskwire/taskwire/migrations"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// PendingSQL is pendingSQL, for the test that checks which reminders the due scans read.
const PendingSQL = pendingSQL

// ExpireKeysSQL is expireKeysSQL, for the test that checks which keys it reads.
const ExpireKeysSQL = expireKeysSQL

// ChangesSQL is changesSQL, and PlannedScopeSQL plannedScopeSQL, for the tests that check
// how much a page reads.
const (
	ChangesSQL      = changesSQL
	PlannedScopeSQL = plannedScopeSQL
)

// HistorySQL is historySQL for a task picked by its uuid, for the test that checks how
// much a page of a history reads.
func HistorySQL(newest bool) string { return historySQL(historyByID, newest) }

// ListQuery is listQuery without a window of days, for the test that checks how much a
// page of tasks reads.
func ListQuery(user string, f taskwire.TaskFilter, now time.Time) (string, []any) {
	return listQuery(user, f, now, nil)
}

// CommitNewTask writes new task t as occurrence index of its series, as the signed-in
// user of ctx, with what a create and the next occurrence of a series queue for it
// (queueNewTask), and commits. It reports whether the task was inserted, and its event's
// outbox position.
func CommitNewTask(ctx context.Context, db *DB, t *taskwire.Task, index int) (inserted bool, seq int64, err error) {
	tx, b, err := beginUserTx(ctx, db)
	if err != nil {
		return false, 0, err
	}
	defer tx.close(ctx)
	ins, at, err := queueNewTask(b, tx.user, t, index, t.CreatedAt)
	if err != nil {
		return false, 0, err
	}
	if err := tx.commit(ctx, b); err != nil {
		return false, 0, err
	}
	return *ins, *at, nil
}

// Ready waits until the listener first listens, or ctx is done: the tests that need it
// listening before they commit.
func (l *Listener) Ready(ctx context.Context) error {
	select {
	case <-l.done:
		return fmt.Errorf("outbox listener: closed")
	default:
	}
	select {
	case <-l.ready:
		return nil
	case <-l.done:
		return fmt.Errorf("outbox listener: closed")
	case <-ctx.Done():
		return fmt.Errorf("outbox listener: not listening yet: %w", context.Cause(ctx))
	}
}

// MigrateTo migrates the database conn is connected to up or down to version, for the
// tests of what a migration does to rows already there.
func MigrateTo(ctx context.Context, conn *pgx.Conn, version int32) error {
	m, err := migrate.NewMigrator(ctx, conn, migrateVersionTable)
	if err != nil {
		return err
	}
	if err := loadMigrations(m, migrations.FS); err != nil {
		return err
	}
	return m.MigrateTo(ctx, version)
}
