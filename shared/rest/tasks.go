package rest

import (
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/taskwire"
	"golang.org/x/text/unicode/norm"
)

// aliasTask is a task as the hackathon clients read it: with a "completed" boolean.
type aliasTask struct {
	*taskwire.Task
	Completed bool `json:"completed"`
}

// aliasPage is a page of tasks as the hackathon clients read it: next_cursor always there.
type aliasPage struct {
	Items      []aliasTask `json:"items"`
	NextCursor string      `json:"next_cursor"`
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

// Tasks as JSON, by hand: encoding/json spends most of a listing's time on reflection and
// on checking again what time.Time and uuid.UUID marshal, so appendTaskJSON writes the
// very bytes encoding/json writes, directly. It is used only while taskwire.Task and
// taskwire.Reminder have exactly the fields it writes (taskShapeKnown), and only for
// tasks whose times encoding/json encodes without error (see plainTask); anything else
// goes through encoding/json.
var taskShapeKnown = knownShape[taskwire.Task](
	"ID uuid.UUID json:\"id\"",
	"Number int64 json:\"number\"",
	"UserID string json:\"-\"",
	"Title string json:\"title\"",
	"Description string json:\"description\"",
	"Status taskwire.Status json:\"status\"",
	"Priority taskwire.Priority json:\"priority\"",
	"Tags []string json:\"tags\"",
	"DueAt *time.Time json:\"due_at\"",
	"DueDate *string json:\"due_date\"",
	"TimeZone string json:\"time_zone\"",
	"Recurrence *string json:\"recurrence\"",
	"RepeatFrom taskwire.RepeatFrom json:\"repeat_from\"",
	"SeriesID *uuid.UUID json:\"series_id\"",
	"Reminders []taskwire.Reminder json:\"reminders\"",
	"CompletedAt *time.Time json:\"completed_at\"",
	"CreatedAt time.Time json:\"created_at\"",
	"UpdatedAt time.Time json:\"updated_at\"",
	"Version int64 json:\"version\"",
) && knownShape[taskwire.Reminder](
	"ID uuid.UUID json:\"id\"",
	"Before string json:\"before,omitempty\"",
	"At *time.Time json:\"at,omitempty\"",
	"FireAt *time.Time json:\"fire_at\"",
) && !marshals[taskwire.Status]() && !marshals[taskwire.Priority]() && !marshals[taskwire.RepeatFrom]()

// knownShape reports whether T's fields are exactly fields ("Name type tag"), and T does
// not marshal itself.
func knownShape[T any](fields ...string) bool {
	t := reflect.TypeFor[T]()
	if t.NumField() != len(fields) || marshals[T]() {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if fmt.Sprintf("%s %s %s", f.Name, f.Type, f.Tag) != fields[i] {
			return false
		}
	}
	return true
}

// marshals reports whether encoding/json would call a method of T or *T to encode it.
func marshals[T any]() bool {
	for _, t := range []reflect.Type{reflect.TypeFor[T](), reflect.TypeFor[*T]()} {
		if t.Implements(reflect.TypeFor[json.Marshaler]()) || t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
			return true
		}
	}
	return false
}

// appendTaskJSON appends v as encoding/json encodes it when v is a task, an alias task, or
// a page of either, that appendTask can write; ok is false, with nothing appended,
// otherwise.
func appendTaskJSON(b []byte, v any) (out []byte, ok bool) {
	if !taskShapeKnown {
		return b, false
	}
	switch v := v.(type) {
	case *taskwire.Task:
		if !plainTask(v) {
			return b, false
		}
		return appendTask(b, v, nil), true
	case aliasTask:
		if !plainTask(v.Task) {
			return b, false
		}
		return appendTask(b, v.Task, &v.Completed), true
	case *taskwire.TaskPage:
		if v == nil || v.Items == nil {
			return b, false
		}
		for _, t := range v.Items {
			if !plainTask(t) {
				return b, false
			}
		}
		b = append(b, `{"items":[`...)
		for i, t := range v.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTask(b, t, nil)
		}
		b = append(b, ']')
		if v.NextCursor != "" {
			b = appendJSONString(append(b, `,"next_cursor":`...), v.NextCursor)
		}
		return append(b, '}'), true
	case aliasPage:
		if v.Items == nil {
			return b, false
		}
		for _, t := range v.Items {
			if !plainTask(t.Task) {
				return b, false
			}
		}
		b = append(b, `{"items":[`...)
		for i, t := range v.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTask(b, t.Task, &t.Completed)
		}
		b = appendJSONString(append(b, `],"next_cursor":`...), v.NextCursor)
		return append(b, '}'), true
	}
	return b, false
}

// plainTask reports whether t is there and each of its times is one that encoding/json
// encodes as appendTime does: in UTC, in the years 0 to 9999.
func plainTask(t *taskwire.Task) bool {
	if t == nil || !plainTime(&t.CreatedAt) || !plainTime(&t.UpdatedAt) || !plainTime(t.DueAt) || !plainTime(t.CompletedAt) {
		return false
	}
	for i := range t.Reminders {
		if !plainTime(t.Reminders[i].At) || !plainTime(t.Reminders[i].FireAt) {
			return false
		}
	}
	return true
}

func plainTime(t *time.Time) bool {
	return t == nil || (t.Location() == time.UTC && t.Year() >= 0 && t.Year() <= 9999)
}

// appendTask appends t's JSON object, with "completed" last when completed is not nil (an
// alias task); t must be a plainTask.
func appendTask(b []byte, t *taskwire.Task, completed *bool) []byte {
	b = appendUUID(append(b, `{"id":`...), t.ID)
	b = strconv.AppendInt(append(b, `,"number":`...), t.Number, 10)
	b = appendJSONString(append(b, `,"title":`...), t.Title)
	b = appendJSONString(append(b, `,"description":`...), t.Description)
	b = appendJSONString(append(b, `,"status":`...), string(t.Status))
	b = appendJSONString(append(b, `,"priority":`...), string(t.Priority))
	b = append(b, `,"tags":`...)
	if t.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, tag := range t.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, tag)
		}
		b = append(b, ']')
	}
	b = appendTimePtr(append(b, `,"due_at":`...), t.DueAt)
	b = appendStringPtr(append(b, `,"due_date":`...), t.DueDate)
	b = appendJSONString(append(b, `,"time_zone":`...), t.TimeZone)
	b = appendStringPtr(append(b, `,"recurrence":`...), t.Recurrence)
	b = appendJSONString(append(b, `,"repeat_from":`...), string(t.RepeatFrom))
	b = append(b, `,"series_id":`...)
	if t.SeriesID == nil {
		b = append(b, "null"...)
	} else {
		b = appendUUID(b, *t.SeriesID)
	}
	b = append(b, `,"reminders":`...)
	if t.Reminders == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range t.Reminders {
			r := &t.Reminders[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = appendUUID(append(b, `{"id":`...), r.ID)
			if r.Before != "" {
				b = appendJSONString(append(b, `,"before":`...), r.Before)
			}
			if r.At != nil {
				b = appendTime(append(b, `,"at":`...), *r.At)
			}
			b = appendTimePtr(append(b, `,"fire_at":`...), r.FireAt)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendTimePtr(append(b, `,"completed_at":`...), t.CompletedAt)
	b = appendTime(append(b, `,"created_at":`...), t.CreatedAt)
	b = appendTime(append(b, `,"updated_at":`...), t.UpdatedAt)
	b = strconv.AppendInt(append(b, `,"version":`...), t.Version, 10)
	if completed != nil {
		b = strconv.AppendBool(append(b, `,"completed":`...), *completed)
	}
	return append(b, '}')
}

// appendUUID appends id as uuid.UUID's MarshalText writes it, quoted.
func appendUUID(b []byte, id uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return append(b, '"')
}

// appendTime appends t as time.Time's MarshalJSON writes it; t must be a plainTime.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONString appends s quoted as encoding/json quotes strings by default: <, > and &
// escaped for HTML, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
	return s.create(w, r, in, body)
}

// create creates the task that in asks for, with the request's Idempotency-Key guarding
// body, and answers 201 with Location, ETag and the task: the one path of POST /v1/tasks
// and POST /v1/tasks/quick.
func (s *Server) create(w http.ResponseWriter, r *http.Request, in taskwire.NewTask, body []byte) error {
	f, err := in.FieldsIn(r.Context(), s.users)
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

// idempotencyKey reads the Idempotency-Key header, once and not empty, and hashes the
// body it guards.
func idempotencyKey(r *http.Request, body []byte) (taskwire.IdempotencyKey, error) {
	values := r.Header.Values("Idempotency-Key")
	if len(values) == 0 {
		return taskwire.IdempotencyKey{}, nil
	}
	key := values[0]
	if len(values) > 1 || key == "" || len(key) > 255 || !printableASCII(key) {
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

// putTask serves the hackathon clients' PUT /api/{user_id}/tasks/{id}: a merge patch, as
// patchTask, of a body that may be the whole task object as GET returned it. Those clients
// send back what they read, so the members the server owns (id, number, series_id, position,
// completed_at, created_at, updated_at, version, and a reminder's id and fire_at) are set
// aside rather than refused as unknown.
func (s *Server) putTask(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	current := func() (*taskwire.Task, error) { return s.tasks.FindTask(r.Context(), r.PathValue("id")) }
	patch, err := withoutServerMembers(body, current)
	if err != nil {
		return err
	}
	t, err := s.tasks.UpdateTask(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), patch)
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// serverMembers are the members of a task object that the server owns.
var serverMembers = []string{"id", "number", "series_id", "position", "completed_at", "created_at", "updated_at", "version"}

// withoutServerMembers returns body without the task members the server owns, without
// status when it has completed, the hackathon clients' own member, and, when it has a
// due_date, without due_at (an all-day task's due_at follows from its day) unless that is
// the member the client changed: a due_at other than the task's (read with current,
// only then) beside the day the task has makes it a task due at that time. A body that
// is not a JSON object in valid UTF-8, or whose reminders are not objects, is returned as
// it is, for the patch to refuse as it would.
func withoutServerMembers(body []byte, current func() (*taskwire.Task, error)) ([]byte, error) {
	var doc map[string]json.RawMessage
	if !utf8.Valid(body) || json.Unmarshal(body, &doc) != nil || doc == nil {
		return body, nil
	}
	for _, name := range serverMembers {
		delete(doc, name)
	}
	if _, ok := doc["completed"]; ok {
		// The object read back carries both; those clients change completed, theirs.
		delete(doc, "status")
	}
	if day, ok := doc["due_date"]; ok && string(day) != "null" {
		at, timed := doc["due_at"]
		if timed && string(at) != "null" {
			cur, err := current()
			if err != nil {
				return nil, err
			}
			timed = newTime(cur, day, at)
		}
		if timed {
			doc["due_date"] = json.RawMessage("null")
		} else {
			// An all-day task reads with the due_at its day implies; the day says it.
			delete(doc, "due_at")
		}
	}
	if raw, ok := doc["reminders"]; ok {
		var reminders []map[string]json.RawMessage
		if json.Unmarshal(raw, &reminders) != nil {
			return body, nil
		}
		for _, r := range reminders {
			delete(r, "id")
			delete(r, "fire_at")
		}
		doc["reminders"], _ = json.Marshal(reminders) // decoded JSON always encodes again
	}
	out, _ := json.Marshal(doc)
	return out, nil
}

// newTime reports whether a body read from all-day task cur and sent back with due_date
// day and due_at at changed the time and kept the day: its client set a time.
func newTime(cur *taskwire.Task, day, at json.RawMessage) bool {
	var d string
	if json.Unmarshal(day, &d) != nil || cur.DueDate == nil || *cur.DueDate != d {
		return false
	}
	var read time.Time
	if json.Unmarshal(at, &read) == nil && cur.DueAt != nil && cur.DueAt.Equal(read) {
		return false
	}
	return true
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
		t, err := s.tasks.SetStatus(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), status)
		if err != nil {
			return err
		}
		return writeTask(w, r, http.StatusOK, t)
	}
}

// Completion is the optional body of POST /v1/tasks/{id}/complete.
type Completion struct {
	// EndSeries makes the task the last of its series: its rule is taken off as it is
	// completed, so no next occurrence follows.
	EndSeries *bool `json:"end_series"`
}

// completeTask answers POST /v1/tasks/{id}/complete: the task completed, its series going
// on, or with {"end_series": true} ending with it. An empty body is {}.
func (s *Server) completeTask(w http.ResponseWriter, r *http.Request) error {
	var in Completion
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	var t *taskwire.Task
	var err error
	if in.EndSeries != nil && *in.EndSeries {
		t, err = s.tasks.EndSeries(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"))
	} else {
		t, err = s.tasks.SetStatus(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), taskwire.StatusCompleted)
	}
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// skipOccurrence answers POST /v1/tasks/{id}/skip: the task moved to its series' next
// occurrence, not completed.
func (s *Server) skipOccurrence(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tasks.SkipOccurrence(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// undoSkip answers POST /v1/tasks/{id}/unskip: the task back where its latest change, a
// skip, moved it from.
func (s *Server) undoSkip(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tasks.UndoSkip(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// moveTask answers POST /v1/tasks/{id}/move ({"after": 12}, {"before": …}, {"to": "top"}):
// the task in its new place in the user's order.
func (s *Server) moveTask(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	m, err := taskwire.DecodeMove(body)
	if err != nil {
		return err
	}
	t, err := s.tasks.MoveTask(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), m)
	if err != nil {
		return err
	}
	return writeTask(w, r, http.StatusOK, t)
}

// bulkTasks serves POST /v1/tasks/bulk: one action on up to taskwire.MaxBulk of the
// user's tasks, all of them or none, answered with the tasks as they are after it.
func (s *Server) bulkTasks(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	bulk, err := taskwire.DecodeBulk(body)
	if err != nil {
		return err
	}
	tasks, err := s.tasks.BulkTasks(r.Context(), bulk)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bulkResult{Items: tasks})
}

// bulkResult is the answer of POST /v1/tasks/bulk.
type bulkResult struct {
	Items []*taskwire.Task `json:"items"`
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
		items := make([]aliasTask, len(page.Items))
		for i, t := range page.Items {
			items[i] = aliasTask{Task: t, Completed: t.Status == taskwire.StatusCompleted}
		}
		return writeJSON(w, http.StatusOK, aliasPage{Items: items, NextCursor: page.NextCursor})
	}
	return writeJSON(w, http.StatusOK, page)
}

var filterParams = map[string]bool{
	"status": true, "priority": true, "tag": true, "q": true, "due_before": true,
	"due_after": true, "due": true, "overdue": true, "with_overdue": true, "completed_before": true, "completed_after": true,
	"sort": true, "limit": true, "cursor": true,
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
	// An empty priority or tag, as a form with an empty field sends it, filters nothing.
	for _, v := range splitValues(q["priority"]) {
		if v == "" {
			continue
		}
		p, err := taskwire.ParsePriority("priority", v)
		if err != nil {
			return f, bad("priority", "priority must be one of none, low, medium, high, urgent")
		}
		f.Priorities = append(f.Priorities, p)
	}
	for _, v := range q["tag"] {
		if strings.TrimSpace(v) == "" {
			continue
		}
		tag := taskwire.NormalizeTag(v)
		if tag == "" || utf8.RuneCountInString(tag) > taskwire.MaxTagLength {
			return f, bad("tag", "tag must be 1 to %d characters", taskwire.MaxTagLength)
		}
		f.Tags = append(f.Tags, tag)
	}
	if v := strings.TrimSpace(q.Get("q")); v != "" { // a box of spaces searches for nothing
		if utf8.RuneCountInString(v) > 500 {
			return f, bad("q", "q must be at most 500 characters")
		}
		f.Query = norm.NFC.String(v) // as titles and descriptions are stored
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{
		{"due_before", &f.DueBefore}, {"due_after", &f.DueAfter},
		{"completed_before", &f.CompletedBefore}, {"completed_after", &f.CompletedAfter},
	} {
		if v := q.Get(p.name); v != "" {
			t, err := taskwire.ParseInstant(v)
			if err != nil && strings.Contains(v, " ") {
				// A + left unencoded in a URL reads as a space.
				if _, plus := taskwire.ParseInstant(strings.Replace(v, " ", "+", 1)); plus == nil {
					return f, bad(p.name, "%s has a space where its offset's + should be: in a URL, write + as %%2B", p.name)
				}
			}
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
	switch v := q.Get("due"); v {
	case "":
	case taskwire.DueTomorrow, taskwire.DueLater:
		if f.Overdue {
			return f, bad("due", "due=%s selects tasks due after today, which are not overdue; it cannot be used with overdue=true", v)
		}
		f.Due = v
	case taskwire.DueToday, taskwire.DueWeek:
		f.Due = v
	case taskwire.DueNone:
		if f.DueBefore != nil || f.DueAfter != nil || f.Overdue {
			return f, bad("due", "due=none selects tasks without a due date; it cannot be used with due_before, due_after or overdue=true")
		}
		f.Due = v
	default:
		return f, bad("due", "due must be today, tomorrow, week (today and the six days after), later (after those) or none (no due date)")
	}
	if v := q.Get("with_overdue"); v != "" {
		// "What is left to do today": the window and the open tasks overdue before it, as
		// Todoist's, TickTick's and Things' Today show them.
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, bad("with_overdue", "with_overdue must be true or false")
		}
		if b && f.Due != taskwire.DueToday && f.Due != taskwire.DueWeek {
			return f, bad("with_overdue", "with_overdue=true adds the overdue tasks to due=today or due=week")
		}
		if b && f.Overdue {
			return f, bad("with_overdue", "with_overdue=true adds the overdue tasks to a due window; with overdue=true they would be all it lists")
		}
		f.WithOverdue = b
	}
	if f.Overdue && f.Status == "completed" {
		// Overdue is a task still to do whose due time has passed.
		return f, bad("overdue", "overdue=true selects open tasks; it cannot be used with status=completed")
	}
	// A window of completion times selects completed tasks: it makes them the default
	// status, and open tasks, which have no completion time, cannot be asked for with it.
	for _, name := range []string{"completed_after", "completed_before"} {
		if q.Get(name) == "" {
			continue
		}
		switch q.Get("status") {
		case "":
			f.Status = "completed"
		case "open", "pending":
			return f, bad(name, "%s selects completed tasks; it cannot be used with status=%s", name, q.Get("status"))
		}
		if f.Overdue {
			return f, bad(name, "%s selects completed tasks; it cannot be used with overdue=true, which selects open ones", name)
		}
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

// TagRename is the body of PATCH /v1/tags/{name}: the tag's new name.
type TagRename struct {
	Name *string `json:"name"`
}

// renameTag answers PATCH /v1/tags/{name}: the tag renamed on every task that carries
// it, merged into a tag of the new name when there is one.
func (s *Server) renameTag(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in TagRename
	if err := taskwire.DecodeJSON(body, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return taskwire.FieldErrorf(taskwire.EINVALID, "name", "name is required: the tag's new name")
	}
	tag, err := s.tasks.RenameTag(r.Context(), r.PathValue("name"), *in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tag)
}

// deleteTag answers DELETE /v1/tags/{name}: the tag removed from every task that
// carries it; the tasks stay.
func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	if err := s.tasks.DeleteTag(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	u, err := s.users.FindMe(r.Context())
	if err != nil {
		return err
	}
	return writeMe(w, u)
}

// writeMe writes the user's settings, which hold the webhook secret: no cache keeps them.
func writeMe(w http.ResponseWriter, u *taskwire.User) error {
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, u)
}

// DeleteAccount is the body of DELETE /v1/me: the user's id, typed again, as the account
// and everything in it go for good.
type DeleteAccount struct {
	Confirm string `json:"confirm"`
}

// deleteMe deletes the signed-in user's account and everything in it, once the body
// confirms it with the user's id.
func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request) error {
	var in DeleteAccount
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	if user := taskwire.UserFromContext(r.Context()); in.Confirm != user {
		return taskwire.FieldErrorf(taskwire.EINVALID, "confirm",
			"confirm must be your user id, %q: deleting the account deletes every task, the trash and the history with it, for good", user)
	}
	if err := s.users.DeleteMe(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
	return writeMe(w, u)
}
