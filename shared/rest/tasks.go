package rest

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// aliasTask is a task as the hackathon clients read it: with a "completed" boolean.
type aliasTask struct {
	*taskwire.Task
	Completed bool `json:"completed"`
}

// present returns the task as the route's clients read it.
func present(r *http.Request, t *taskwire.Task) any {
	if alias, _ := r.Context().Value(aliasKey{}).(bool); alias {
		return aliasTask{Task: t, Completed: t.Status == taskwire.StatusCompleted}
	}
	return t
}

func writeTask(w http.ResponseWriter, r *http.Request, status int, t *taskwire.Task) error {
	w.Header().Set("ETag", t.ETag())
	return writeJSON(w, status, present(r, t))
}

func (s *Server) createTask(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in taskwire.NewTask
	if err := taskwire.DecodeJSON(body, &in); err != nil {
		return err
	}
	f, err := in.Fields()
	if err != nil {
		return err
	}
	key, err := idempotencyKey(r, body)
	if err != nil {
		return err
	}
	t, replayed, err := s.tasks.CreateTask(r.Context(), f, key)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/tasks/"+t.ID.String())
	return writeTask(w, r, http.StatusCreated, t)
}

// idempotencyKey reads the Idempotency-Key header and hashes the body it guards.
func idempotencyKey(r *http.Request, body []byte) (taskwire.IdempotencyKey, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return taskwire.IdempotencyKey{}, nil
	}
	if len(key) > 255 || !printableASCII(key) {
		return taskwire.IdempotencyKey{}, taskwire.FieldErrorf(taskwire.EMALFORMED, "Idempotency-Key",
			"Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	sum := sha256.Sum256(body)
	return taskwire.IdempotencyKey{Key: key, Hash: sum[:]}, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tasks.FindTask(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

func (s *Server) patchTask(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	t, err := s.tasks.UpdateTask(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), body)
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

func (s *Server) deleteTask(w http.ResponseWriter, r *http.Request) error {
	if err := s.tasks.DeleteTask(r.Context(), r.PathValue("id"), r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setStatus(status taskwire.Status) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.tasks.SetStatus(r.Context(), r.PathValue("id"), status)
		if err != nil {
			return err
		}
		return writeTask(w, r, http.StatusOK, t)
	}
}

func (s *Server) toggleTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tasks.ToggleTask(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := s.tasks.FindTasks(r.Context(), f)
	if err != nil {
		return err
	}
	if alias, _ := r.Context().Value(aliasKey{}).(bool); alias {
		items := make([]any, len(page.Items))
		for i, t := range page.Items {
			items[i] = present(r, t)
		}
		return writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": page.NextCursor})
	}
	return writeJSON(w, http.StatusOK, page)
}

var filterParams = map[string]bool{
	"status": true, "priority": true, "tag": true, "q": true, "due_before": true,
	"due_after": true, "overdue": true, "sort": true, "limit": true, "cursor": true,
}

// ParseFilter reads a task listing's query parameters; every error names its parameter.
func ParseFilter(q url.Values) (taskwire.TaskFilter, error) {
	f := taskwire.TaskFilter{Status: "open", Sort: taskwire.Sort{Field: taskwire.SortCreatedAt}, Limit: taskwire.DefaultLimit}
	bad := func(param, format string, args ...any) error {
		return taskwire.FieldErrorf(taskwire.EMALFORMED, param, format, args...)
	}
	for name, values := range q {
		if name == "" {
			// "?=x" or "?&=": nothing to name but the query string itself.
			return f, bad("query", "a query parameter has no name")
		}
		if !filterParams[name] {
			return f, bad(name, "unknown query parameter %q", name)
		}
		for _, v := range values {
			// PostgreSQL's text cannot hold NUL: such a value would fail in the database.
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return f, bad(name, "%s must be valid UTF-8 without NUL characters", name)
			}
		}
		if len(values) > 1 && name != "priority" && name != "tag" {
			return f, bad(name, "%s may be given once", name)
		}
	}
	if v := q.Get("status"); v != "" {
		switch v {
		case "open", "completed", "all":
			f.Status = v
		case "pending":
			f.Status = "open"
		default:
			return f, bad("status", "status must be open, completed or all")
		}
	}
	for _, v := range splitValues(q["priority"]) {
		p, err := taskwire.ParsePriority("priority", v)
		if err != nil {
			return f, bad("priority", "priority must be one of none, low, medium, high, urgent")
		}
		f.Priorities = append(f.Priorities, p)
	}
	for _, v := range q["tag"] {
		tag := taskwire.NormalizeTag(v)
		if tag == "" || utf8.RuneCountInString(tag) > taskwire.MaxTagLength {
			return f, bad("tag", "tag must be 1 to %d characters", taskwire.MaxTagLength)
		}
		f.Tags = append(f.Tags, tag)
	}
	if v := q.Get("q"); v != "" {
		if utf8.RuneCountInString(v) > 500 {
			return f, bad("q", "q must be at most 500 characters")
		}
		f.Query = v
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"due_before", &f.DueBefore}, {"due_after", &f.DueAfter}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, bad(p.name, "%s must be an RFC 3339 time such as 2026-03-01T09:00:00Z", p.name)
			}
			*p.dst = &t
		}
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, bad("overdue", "overdue must be true or false")
		}
		f.Overdue = b
	}
	if v := q.Get("sort"); v != "" {
		s, err := taskwire.ParseSort(v)
		if err != nil {
			return f, err
		}
		f.Sort = s
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > taskwire.MaxLimit {
			return f, bad("limit", "limit must be a whole number from 1 to %d", taskwire.MaxLimit)
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		c, err := taskwire.ParseCursor(v, f.Sort)
		if err != nil {
			return f, err
		}
		f.Cursor = c
	}
	return f, nil
}

// splitValues accepts both priority=high&priority=low and priority=high,low.
func splitValues(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := s.tasks.Tags(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tags)
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	u, err := s.users.FindMe(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	u, err := s.users.UpdateMe(r.Context(), body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}
