package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// savedFilterColumns are the columns scanSavedFilter reads.
const savedFilterColumns = `id, name, query, created_at, updated_at`

func scanSavedFilter(row pgx.Row) (*taskwire.SavedFilter, error) {
	var f taskwire.SavedFilter
	if err := row.Scan(&f.ID, &f.Name, &f.Query, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return &f, nil
}

// SavedFilters returns the signed-in user's saved filters by name, whatever its case.
func (s *UserService) SavedFilters(ctx context.Context) ([]*taskwire.SavedFilter, error) {
	out := []*taskwire.SavedFilter{}
	err := readUser(ctx, s.db, `SELECT `+savedFilterColumns+` FROM saved_filters WHERE user_id = $1
		ORDER BY lower(name) COLLATE "C", id`, []any{taskwire.UserFromContext(ctx)}, func(rows pgx.Rows) error {
		for rows.Next() {
			f, err := scanSavedFilter(rows)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list saved filters: %w", translate(err))
	}
	return out, nil
}

// CreateSavedFilter saves query (a checked, canonical listing query) under name, both
// valid. A name the user has for another filter, in any case, is ECONFLICT naming name;
// one past MaxSavedFilters is EINVALID.
func (s *UserService) CreateSavedFilter(ctx context.Context, name, query string) (*taskwire.SavedFilter, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("create saved filter: new id: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	f, err := s.writeSavedFilter(ctx, name, `
		INSERT INTO saved_filters (id, user_id, name, query, created_at, updated_at)
		SELECT $2, $1, $3, $4, $5, $5
		WHERE (SELECT count(*) FROM saved_filters WHERE user_id = $1) < $6
		RETURNING `+savedFilterColumns, id, name, query, now, taskwire.MaxSavedFilters)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, taskwire.Errorf(taskwire.EINVALID, "you have %d saved filters, the most there can be: delete one first", taskwire.MaxSavedFilters)
	}
	if err != nil {
		return nil, fmt.Errorf("create saved filter: %w", err)
	}
	return f, nil
}

// UpdateSavedFilter renames the saved filter id or changes its query, each when not
// nil (and valid, query canonical). A filter the user does not have is ENOTFOUND; a name
// another of theirs has is ECONFLICT naming name.
func (s *UserService) UpdateSavedFilter(ctx context.Context, id uuid.UUID, name, query *string) (*taskwire.SavedFilter, error) {
	f, err := s.writeSavedFilter(ctx, ptrOr(name, ""), `
		UPDATE saved_filters SET name = coalesce($3, name), query = coalesce($4, query), updated_at = $5
		WHERE user_id = $1 AND id = $2
		RETURNING `+savedFilterColumns, id, name, query, time.Now().UTC().Truncate(time.Microsecond))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no saved filter %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("update saved filter: %w", err)
	}
	return f, nil
}

// writeSavedFilter runs a statement that writes one saved filter of the signed-in user
// ($1; args from $2) and returns it; pgx.ErrNoRows when it wrote none. A name taken is
// ECONFLICT naming name.
func (s *UserService) writeSavedFilter(ctx context.Context, name, query string, args ...any) (*taskwire.SavedFilter, error) {
	var f *taskwire.SavedFilter
	err := readUser(ctx, s.db, query, append([]any{taskwire.UserFromContext(ctx)}, args...), func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return pgx.ErrNoRows
		}
		var err error
		f, err = scanSavedFilter(rows)
		return err
	})
	if err != nil {
		return nil, savedFilterError(err, name)
	}
	return f, nil
}

// savedFilterError maps a write's error: the unique name taken is ECONFLICT naming name.
func savedFilterError(err error, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return taskwire.FieldErrorf(taskwire.ECONFLICT, "name", "you have a saved filter named %q already", name)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return translate(err)
}

// DeleteSavedFilter deletes the saved filter id; one the user does not have is ENOTFOUND.
func (s *UserService) DeleteSavedFilter(ctx context.Context, id uuid.UUID) error {
	tag, err := execUser(ctx, s.db, `DELETE FROM saved_filters WHERE user_id = $1 AND id = $2`,
		taskwire.UserFromContext(ctx), id)
	if err != nil {
		return fmt.Errorf("delete saved filter: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return taskwire.Errorf(taskwire.ENOTFOUND, "no saved filter %s", id)
	}
	return nil
}

// ptrOr returns *p, or or when p is nil.
func ptrOr(p *string, or string) string {
	if p == nil {
		return or
	}
	return *p
}
