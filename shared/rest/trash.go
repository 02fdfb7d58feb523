package rest

import (
	"context"
	"net/http"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// TrashStore holds the signed-in user's deleted tasks until they are restored or purged.
type TrashStore interface {
	Trash(ctx context.Context, limit int, cursor *taskwire.Cursor) (*taskwire.TrashPage, error)
	RestoreTask(ctx context.Context, ref string) (*taskwire.Task, error)
	PurgeTask(ctx context.Context, ref string) error
	// EmptyTrash purges every task in the trash and returns how many.
	EmptyTrash(ctx context.Context) (int, error)
}

// Emptied answers DELETE /v1/trash.
type Emptied struct {
	Purged int `json:"purged"` // tasks removed for good
}

// listTrash answers GET /v1/trash: the deleted tasks, the latest deletion first, a page
// at a time.
func (s *Server) listTrash(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r.URL.Query(), "limit", "cursor")
	if err != nil {
		return err
	}
	limit, err := parseLimit(q, taskwire.DefaultLimit, taskwire.MaxLimit)
	if err != nil {
		return err
	}
	var cursor *taskwire.Cursor
	if v, ok := q["cursor"]; ok {
		if cursor, err = taskwire.ParseCursor(v, taskwire.TrashOrder); err != nil {
			return err
		}
	}
	page, err := s.trash.Trash(r.Context(), limit, cursor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

// restoreTask answers POST /v1/tasks/{id}/restore: the task back from the trash, or as it
// is when it is back already.
func (s *Server) restoreTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.trash.RestoreTask(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// purgeTask answers DELETE /v1/trash/{id}: the task out of the trash for good.
func (s *Server) purgeTask(w http.ResponseWriter, r *http.Request) error {
	if err := s.trash.PurgeTask(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// emptyTrash answers DELETE /v1/trash: every task in the trash out of it for good.
func (s *Server) emptyTrash(w http.ResponseWriter, r *http.Request) error {
	n, err := s.trash.EmptyTrash(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Emptied{Purged: n})
}
