package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// UserService stores users and their settings; a user's row is created on first sight.
type UserService struct {
	db   *DB
	seen sync.Map // ids known to have a row, so first sight costs one write per process
}

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db}
}

// EnsureUser creates the row of the signed-in user id unless it exists.
func (s *UserService) EnsureUser(ctx context.Context, id string) error {
	if _, ok := s.seen.Load(id); ok {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(scopeSQL, id)
	b.Queue(`INSERT INTO users (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, id)
	if err := s.db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("ensure user: %w", translate(err))
	}
	s.seen.Store(id, true)
	return nil
}

const userColumns = `id, time_zone, email, webhook_url, webhook_secret`

func scanUser(row pgx.Row) (*taskwire.User, error) {
	var u taskwire.User
	if err := row.Scan(&u.ID, &u.TimeZone, &u.Email, &u.WebhookURL, &u.WebhookSecret); err != nil {
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

// UpdateMe applies a JSON Merge Patch to the signed-in user's settings.
func (s *UserService) UpdateMe(ctx context.Context, patch []byte) (*taskwire.User, error) {
	tx, user, err := beginUser(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	cur, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, user))
	if err != nil {
		return nil, fmt.Errorf("update user: %w", translate(err))
	}
	next, err := taskwire.ApplyUserPatch(*cur, patch)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `
		UPDATE users SET time_zone = $2, email = $3, webhook_url = $4, webhook_secret = $5, updated_at = now()
		WHERE id = $1`, user, next.TimeZone, next.Email, next.WebhookURL, next.WebhookSecret)
	if err != nil {
		return nil, fmt.Errorf("update user: %w", translate(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("update user: commit: %w", translate(err))
	}
	return &next, nil
}
