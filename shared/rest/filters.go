package rest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// FilterStore holds the signed-in user's saved filters (postgres.UserService).
type FilterStore interface {
	SavedFilters(ctx context.Context) ([]*taskwire.SavedFilter, error)
	// CreateSavedFilter and UpdateSavedFilter take a valid name and a query made by
	// CanonicalFilterQuery.
	CreateSavedFilter(ctx context.Context, name, query string) (*taskwire.SavedFilter, error)
	UpdateSavedFilter(ctx context.Context, id uuid.UUID, name, query *string) (*taskwire.SavedFilter, error)
	DeleteSavedFilter(ctx context.Context, id uuid.UUID) error
}

// SavedFilterInput is the body of POST /v1/filters and, as a merge patch, of PATCH
// /v1/filters/{id}: a name and a query string of GET /v1/tasks.
type SavedFilterInput struct {
	Name  *string `json:"name"`
	Query *string `json:"query"`
}

// SavedFilterPage is the body of GET /v1/filters.
type SavedFilterPage struct {
	Items []*taskwire.SavedFilter `json:"items"`
}

// CanonicalFilterQuery checks raw, a query string of GET /v1/tasks ("tag=work&due=week",
// a leading ? allowed), as that listing checks it, and returns it canonical: its
// parameters in order of name, a parameter's values in order too (priority's split at
// commas), empty and repeated values dropped, tags as tasks carry them (lower-case), so
// that renaming a tag finds them and the same filter reads the same however it was
// written. A cursor (a place in one listing,
// not a filter) or anything the listing refuses is EINVALID naming field.
func CanonicalFilterQuery(field, raw string) (string, error) {
	bad := func(format string, args ...any) error {
		return taskwire.FieldErrorf(taskwire.EINVALID, field, field+" "+format, args...)
	}
	q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(raw), "?"))
	if err != nil {
		return "", bad("must be a query string of GET /v1/tasks such as tag=work&due=week: %v", err)
	}
	if q.Has("cursor") {
		return "", bad("holds a cursor, a place in one listing: a saved filter is the listing")
	}
	for name, values := range q {
		if name == "priority" {
			values = splitValues(values)
		}
		kept := values[:0]
		for _, v := range values {
			if name == "tag" {
				v = taskwire.NormalizeTag(v)
			}
			if v != "" && !slices.Contains(kept, v) {
				kept = append(kept, v)
			}
		}
		slices.Sort(kept)
		if len(kept) == 0 {
			delete(q, name)
		} else {
			q[name] = kept
		}
	}
	if _, err := ParseFilter(q); err != nil {
		return "", bad("is not a listing GET /v1/tasks takes: %s", taskwire.ErrorMessage(err))
	}
	canonical := q.Encode()
	if len(canonical) > taskwire.MaxFilterQueryLen {
		return "", bad("must be at most %d bytes", taskwire.MaxFilterQueryLen)
	}
	return canonical, nil
}

// listFilters answers GET /v1/filters: the user's saved filters by name.
func (s *Server) listFilters(w http.ResponseWriter, r *http.Request) error {
	filters, err := s.filters.SavedFilters(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, SavedFilterPage{Items: filters})
}

// createFilter answers POST /v1/filters: the filter saved, 201 with its Location.
func (s *Server) createFilter(w http.ResponseWriter, r *http.Request) error {
	name, query, err := readFilterInput(w, r, true)
	if err != nil {
		return err
	}
	f, err := s.filters.CreateSavedFilter(r.Context(), *name, *query)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/filters/"+f.ID.String())
	return writeJSON(w, http.StatusCreated, f)
}

// patchFilter answers PATCH /v1/filters/{id}: the filter renamed or its query changed.
func (s *Server) patchFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := taskwire.ParseFilterID(r.PathValue("id"))
	if err != nil {
		return err
	}
	name, query, err := readFilterInput(w, r, false)
	if err != nil {
		return err
	}
	f, err := s.filters.UpdateSavedFilter(r.Context(), id, name, query)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

// deleteFilter answers DELETE /v1/filters/{id}.
func (s *Server) deleteFilter(w http.ResponseWriter, r *http.Request) error {
	id, err := taskwire.ParseFilterID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.filters.DeleteSavedFilter(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readFilterInput reads a saved filter's body, checked: name and query, nil where a
// patch leaves them; a new filter needs its name, and its query is "" (the default
// listing) when not given. Neither can be null.
func readFilterInput(w http.ResponseWriter, r *http.Request, create bool) (name, query *string, err error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, nil, err
	}
	var raw map[string]any
	var in SavedFilterInput
	if err := taskwire.DecodeJSON(body, &in); err != nil {
		return nil, nil, err
	}
	_ = taskwire.DecodeJSON(body, &raw) // which members were given, null or not
	for _, member := range []string{"name", "query"} {
		if v, given := raw[member]; given && v == nil {
			return nil, nil, taskwire.FieldErrorf(taskwire.EINVALID, member, "%s cannot be null", member)
		}
	}
	if create && in.Name == nil {
		return nil, nil, taskwire.FieldErrorf(taskwire.EINVALID, "name", "name is required: what the filter is called, such as \"Work this week\"")
	}
	if create && in.Query == nil {
		in.Query = new(string)
	}
	if in.Name != nil {
		n, err := taskwire.ValidFilterName("name", *in.Name)
		if err != nil {
			return nil, nil, err
		}
		name = &n
	}
	if in.Query != nil {
		q, err := CanonicalFilterQuery("query", *in.Query)
		if err != nil {
			return nil, nil, err
		}
		query = &q
	}
	return name, query, nil
}
