package postgres

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// RenameTag renames tag name to to on every task of the user that carries it, open and
// completed; a task that carries to already keeps it once (the two tags merge). It
// returns the tag under its new name. Each changed task is one version later and
// announced as task.updated, in the same transaction. A tag no task carries is ENOTFOUND,
// unless a task carries to: the rename is done already (a client retrying one whose
// answer it lost), and it returns to as the first rename did, changing nothing. An
// invalid new name is EINVALID naming "name".
func (s *TaskService) RenameTag(ctx context.Context, name, to string) (*taskwire.Tag, error) {
	to, err := taskwire.ParseTag("name", to)
	if err != nil {
		return nil, err
	}
	from := taskwire.NormalizeTag(name)
	tag, err := s.retag(ctx, from, to, func(tags []string) []string {
		out := make([]string, 0, len(tags))
		for _, t := range tags {
			if t == from {
				t = to
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return out
	})
	if err != nil {
		return nil, fmt.Errorf("rename tag: %w", err)
	}
	return tag, nil
}

// DeleteTag removes tag name from every task of the user that carries it; the tasks stay.
// Each changed task is one version later and announced as task.updated. A tag no task
// carries is ENOTFOUND.
func (s *TaskService) DeleteTag(ctx context.Context, name string) error {
	name = taskwire.NormalizeTag(name)
	_, err := s.retag(ctx, name, "", func(tags []string) []string {
		return slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return t == name })
	})
	if err != nil {
		return fmt.Errorf("delete tag: %w", err)
	}
	return nil
}

// retag changes the tags of every task of the user that carries tag name (normalized)
// with edit, and announces each change, in one transaction of two round trips: the
// tasks' lock, then their updates, their events and the commit. It returns tag result as
// the tasks carry it afterwards ("" for none).
func (s *TaskService) retag(ctx context.Context, name, result string, edit func([]string) []string) (*taskwire.Tag, error) {
	if _, err := taskwire.ParseTag("tag", name); err != nil {
		// No task carries what is no tag (too long, a control character such as NUL,
		// which PostgreSQL's text cannot hold).
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no task carries the tag %q", name)
	}
	tx, b, err := beginUserTx(ctx, s.db)
	if err != nil {
		return nil, err
	}
	defer tx.close(ctx)
	user := tx.user
	b.Queue(`SELECT `+taskColumns+` FROM tasks t WHERE t.user_id = $1 AND t.tags @> ARRAY[$2::text]
		ORDER BY t.id FOR UPDATE OF t`, user, name)
	renamed := result != "" && result != name
	if renamed {
		// The saved filters that list by the tag list by its new name. Their queries are
		// canonical (url.Values.Encode), where a tag is "tag=" and its escaped name.
		b.Queue(`SELECT f.id, f.query FROM saved_filters f
			WHERE f.user_id = $1 AND strpos('&' || f.query || '&', $2) > 0
			ORDER BY f.id FOR UPDATE OF f`, user, "&tag="+url.QueryEscape(name)+"&")
	}
	br, err := tx.send(ctx, b)
	if err != nil {
		return nil, err
	}
	var (
		tasks   []*taskwire.Task
		filters []savedQuery
	)
	rows, err := br.Query()
	if err == nil {
		tasks, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*taskwire.Task, error) { return scanTask(row) })
	}
	if err == nil && renamed {
		if rows, err = br.Query(); err == nil {
			filters, err = pgx.CollectRows(rows, pgx.RowToStructByPos[savedQuery])
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, translate(err)
	}
	if len(tasks) == 0 {
		return s.retagged(ctx, tx, name, result)
	}

	now := s.now()
	b = &pgx.Batch{}
	type announced struct {
		next    *taskwire.Task
		changes map[string]events.Change
	}
	changed := make([]announced, 0, len(tasks))
	for _, cur := range tasks {
		next := *cur
		next.Tags = edit(cur.Tags)
		changes := events.Diff(cur, &next)
		if len(changes) == 0 {
			continue
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		b.Queue(`UPDATE tasks SET tags = $3, updated_at = $4, version = $5 WHERE user_id = $1 AND id = $2`,
			user, next.ID, next.Tags, next.UpdatedAt, next.Version)
		changed = append(changed, announced{&next, changes})
	}
	if len(changed) > 0 { // a rename to the name itself changes nothing, and takes no lock
		b.Queue(lockOutboxSQL, user)
	}
	for _, f := range filters {
		if query, ok := taskwire.RenameFilterTag(f.Query, name, result); ok {
			b.Queue(`UPDATE saved_filters SET query = $3, updated_at = $4 WHERE user_id = $1 AND id = $2`,
				user, f.ID, query, now)
		}
	}
	seqs := make([]*int64, 0, len(changed))
	for _, c := range changed {
		seq, err := queueEvent(b, events.TypeTaskUpdated, user, c.next, c.changes, now)
		if err != nil {
			return nil, err
		}
		seqs = append(seqs, seq)
	}
	tag := &taskwire.Tag{Name: result}
	if result != "" {
		b.Queue(`SELECT count(*) FROM tasks t WHERE t.user_id = $1 AND t.status = 'open' AND t.tags @> ARRAY[$2::text]`, user, result).
			QueryRow(func(row pgx.Row) error { return row.Scan(&tag.OpenCount) })
	}
	if err := tx.commit(ctx, b); err != nil {
		return nil, translate(err)
	}
	for _, seq := range seqs {
		s.db.outboxWritten(user, *seq)
	}
	return tag, nil
}

// savedQuery is a saved filter's id and query.
type savedQuery struct {
	ID    uuid.UUID
	Query string
}

// retagged answers a retag of tag name that no task carries: ENOTFOUND, unless tag
// result is non-empty and some task carries it, which is then as retag would return it.
func (s *TaskService) retagged(ctx context.Context, tx *userTx, name, result string) (*taskwire.Tag, error) {
	tag := &taskwire.Tag{Name: result}
	var carried bool
	if result != "" {
		b := &pgx.Batch{}
		b.Queue(`SELECT count(*) FILTER (WHERE t.status = 'open'), count(*) > 0
			FROM tasks t WHERE t.user_id = $1 AND t.tags @> ARRAY[$2::text]`, tx.user, result).
			QueryRow(func(row pgx.Row) error { return row.Scan(&tag.OpenCount, &carried) })
		if err := tx.commit(ctx, b); err != nil {
			return nil, err
		}
	}
	if !carried {
		return nil, taskwire.Errorf(taskwire.ENOTFOUND, "no task carries the tag %q", name)
	}
	return tag, nil
}
