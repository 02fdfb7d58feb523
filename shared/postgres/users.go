package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// UserService stores users and their settings; a user's row is created on first sight.
type UserService struct {
	db   *DB
	seen sync.Map // id → seenUser, so first sight costs one write per process
}

// seenUser is what EnsureUser last found of a user: that they had a row at a time, for
// a token issued at issuedAt.
type seenUser struct {
	at, issuedAt time.Time
}

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db}
}

// seenFor is how long EnsureUser trusts that a user it saw has a row: another process may
// delete the account, and the tokens issued before must stop working here too. A token
// issued later than the one seen is checked at once: after such a deletion, it is the
// one that starts the account anew.
const seenFor = time.Minute

// errAccountDeleted is the answer to a token the user's account deletion ended.
func errAccountDeleted() error {
	return taskwire.Errorf(taskwire.EUNAUTHORIZED, "the account was deleted after this token was issued; sign in again to start anew")
}

// ensureUserSQL creates the row of user $1, for a token issued at $2 (NULL: not known),
// unless it exists or the user deleted their account since (a token's iat counts whole
// seconds: one issued in the second of the deletion counts as issued before it); an
// account created anew clears its deletion.
const ensureUserSQL = `
	WITH made AS (
		INSERT INTO users (id)
		SELECT $1 WHERE NOT EXISTS (
			SELECT FROM deleted_users d WHERE d.id = $1 AND d.deleted_at >= $2::timestamptz)
		ON CONFLICT (id) DO NOTHING
		RETURNING id)
	DELETE FROM deleted_users d WHERE d.id IN (SELECT id FROM made)`

// EnsureUser creates the row of the signed-in user id unless it exists, for a token
// issued at issuedAt (zero: not known). A user who deleted their account after issuedAt
// is EUNAUTHORIZED: their account is not created again, empty, for a token they held
// before; signing in again (a newer token) creates it anew.
func (s *UserService) EnsureUser(ctx context.Context, id string, issuedAt time.Time) error {
	if v, ok := s.seen.Load(id); ok {
		if seen := v.(seenUser); time.Since(seen.at) < seenFor && !issuedAt.After(seen.issuedAt) {
			return nil
		}
	}
	var issued *time.Time
	if !issuedAt.IsZero() {
		issued = &issuedAt
	}
	var exists bool
	b := &pgx.Batch{}
	b.Queue(scopeSQL, id)
	b.Queue(ensureUserSQL, id, issued)
	// A statement of its own, which sees the row that a request of the same user's
	// committed meanwhile, the insert having waited for it.
	b.Queue(`SELECT EXISTS (SELECT FROM users WHERE id = $1)`, id).QueryRow(func(row pgx.Row) error {
		return row.Scan(&exists)
	})
	if err := s.db.sendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("ensure user: %w", translate(err))
	}
	if !exists {
		return errAccountDeleted()
	}
	s.seen.Store(id, seenUser{at: time.Now(), issuedAt: issuedAt})
	return nil
}

const userColumns = `id, time_zone, email, webhook_url, webhook_secret, task_webhooks,
	to_char(summary_at, 'HH24:MI') AS summary_at, daily_goal`

func scanUser(row pgx.Row) (*taskwire.User, error) {
	var u taskwire.User
	if err := row.Scan(&u.ID, &u.TimeZone, &u.Email, &u.WebhookURL, &u.WebhookSecret, &u.TaskWebhooks, &u.DailySummaryAt, &u.DailyGoal); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindMe returns the signed-in user's settings.
func (s *UserService) FindMe(ctx context.Context) (*taskwire.User, error) {
	var u *taskwire.User
	err := readUser(ctx, s.db, `SELECT `+userColumns+` FROM users WHERE id = $1`,
		[]any{taskwire.UserFromContext(ctx)}, func(rows pgx.Rows) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return err
				}
				return taskwire.Errorf(taskwire.ENOTFOUND, "no such user")
			}
			var err error
			u, err = scanUser(rows)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find user: %w", translate(err))
	}
	return u, nil
}

// UpdateMe applies a JSON Merge Patch to the signed-in user's settings, in two round
// trips: one begins the transaction and reads and locks the row, the other writes it and
// commits. A new time zone takes the user's open tasks in the old one along, at the same
// local times, each with its task.updated event, in the same transaction and one round
// trip more.
func (s *UserService) UpdateMe(ctx context.Context, patch []byte) (*taskwire.User, error) {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	user := tx.user
	// FOR NO KEY UPDATE, the lock the UPDATE takes: it keeps other writers of the row out
	// without blocking inserts that refer to the user.
	b.Queue(`SELECT `+userColumns+` FROM users WHERE id = $1 FOR NO KEY UPDATE`, user)
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, err
	}
	cur, err := scanUser(br.QueryRow())
	if err == nil {
		err = br.Close()
	}
	if err != nil {
		_ = br.Close()
		return nil, fmt.Errorf("update user: %w", translate(err))
	}
	next, err := taskwire.ApplyUserPatch(*cur, patch)
	if err != nil {
		return nil, err
	}
	// The daily summary is next due at its time in the user's zone; a patch that leaves
	// both alone leaves it where it is, sent today or not.
	summaryMoved := !reflect.DeepEqual(cur.DailySummaryAt, next.DailySummaryAt) || cur.TimeZone != next.TimeZone
	now := time.Now().UTC().Truncate(time.Microsecond)
	var summaryNext *time.Time
	if next.DailySummaryAt != nil {
		at := taskwire.NextSummary(now, *next.DailySummaryAt, next.TimeZone)
		summaryNext = &at
	}
	b = &pgx.Batch{}
	var moved []*int64
	if next.TimeZone != cur.TimeZone {
		// The user moved, or set the zone they are in: their tasks in the old zone come
		// along, at the same local times.
		if moved, err = tx.moveTasks(ctx, b, cur.TimeZone, next.TimeZone, now); err != nil {
			return nil, fmt.Errorf("update user: %w", err)
		}
	}
	b.Queue(`
		UPDATE users SET time_zone = $2, email = $3, webhook_url = $4, webhook_secret = $5, task_webhooks = $6,
			summary_at = $7::time, summary_next = CASE WHEN $8 THEN $9 ELSE summary_next END, daily_goal = $10,
			updated_at = now()
		WHERE id = $1`, user, next.TimeZone, next.Email, next.WebhookURL, next.WebhookSecret, next.TaskWebhooks,
		next.DailySummaryAt, summaryMoved, summaryNext, next.DailyGoal)
	if err := tx.commit(ctx, b); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	for _, seq := range moved {
		s.db.outboxWritten(user, *seq)
	}
	return &next, nil
}

// DeleteMe deletes the signed-in user and everything theirs: settings, tasks and their
// reminders, the trash, notifications, conversations, idempotency keys, and their events
// (the tasks' history), in one transaction. Events already on their way to a consumer
// find no user and are dropped there. The tokens issued before no longer sign the user
// in (see EnsureUser). A user not seen before is ENOTFOUND.
func (s *UserService) DeleteMe(ctx context.Context) error {
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return err
	}
	defer tx.close(ctx)
	var deleted bool
	b.Queue(`DELETE FROM outbox WHERE user_id = $1`, tx.user)
	// The rest goes with the user's row, by the foreign keys' ON DELETE CASCADE; the
	// deletion is remembered (see EnsureUser).
	b.Queue(`
		WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id)
		INSERT INTO deleted_users (id, deleted_at) SELECT id, now() FROM gone
		ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at
		RETURNING true`, tx.user).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&deleted); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	if err := tx.commit(ctx, b); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	s.seen.Delete(tx.user)
	if !deleted {
		return taskwire.Errorf(taskwire.ENOTFOUND, "no user %q", tx.user)
	}
	return nil
}
