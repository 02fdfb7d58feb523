package rest

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// ChangeStore reads the signed-in user's task events back: a task's history, the changes
// feed, and what a live stream replays. Positions are the outbox's, increasing in the
// order events were written.
type ChangeStore interface {
	History(ctx context.Context, ref string, page events.HistoryPage) ([]events.ChangeEntry, bool, error)
	Changes(ctx context.Context, since int64, limit int) ([]events.ChangeEntry, int64, bool, error)
	Since(ctx context.Context, after int64, limit int) ([]events.ChangeEntry, error)
	Entries(ctx context.Context, seqs []int64) ([]events.ChangeEntry, error)
	LatestSeqs(ctx context.Context, n int) ([]int64, error)
}

// TaskEvent is a task event as clients read it, in a history and in the live stream.
type TaskEvent struct {
	ID      string                   `json:"id"`   // the CloudEvent id
	Type    string                   `json:"type"` // the CloudEvent type
	Time    time.Time                `json:"time"`
	TaskID  uuid.UUID                `json:"task_id"`
	Task    *taskwire.Task           `json:"task"`    // after the change; before it, for a deletion
	Changes map[string]events.Change `json:"changes"` // the fields changed, old and new; {} for a creation, deletion or reminder
	// Reminder is the reminder that fired, in the live stream's reminder.due events, whose
	// Task is null; omitted in task events.
	Reminder *events.ReminderData `json:"reminder,omitempty"`
}

func newTaskEvent(e events.ChangeEntry) TaskEvent {
	return TaskEvent{ID: e.ID, Type: e.Type, Time: e.Time, TaskID: e.TaskID, Task: e.Task, Changes: e.Changes, Reminder: e.Reminder}
}

// TaskHistory is the answer of GET /v1/tasks/{id}/history: a page of the task's events.
type TaskHistory struct {
	Items []TaskEvent `json:"items"` // oldest first; newest first with order=newest
	// NextCursor is the cursor of the next page, in the same order, while HasMore.
	NextCursor string `json:"next_cursor,omitempty"`
	HasMore    bool   `json:"has_more"`
}

// Change is one task in the changes feed: its latest state, or a tombstone.
type Change struct {
	TaskID  uuid.UUID      `json:"task_id"`
	Deleted bool           `json:"deleted"`
	Task    *taskwire.Task `json:"task"` // null when deleted
}

// ChangePage is the answer of GET /v1/changes.
type ChangePage struct {
	Changes   []Change `json:"changes"`
	NextSince string   `json:"next_since"`
	HasMore   bool     `json:"has_more"`
}

// EncodeSyncToken returns the opaque sync token for outbox position seq.
func EncodeSyncToken(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}

// ParseSyncToken reads a token made by EncodeSyncToken; anything else is EMALFORMED,
// naming since.
func ParseSyncToken(token string) (int64, error) {
	return parsePosition(token, "since",
		"since must be the next_since of an earlier answer, or absent to start from the beginning")
}

// parsePosition reads an outbox position encoded by EncodeSyncToken from the query
// parameter field; anything else is EMALFORMED, naming field with message.
func parsePosition(token, field, message string) (int64, error) {
	bad := taskwire.FieldErrorf(taskwire.EMALFORMED, field, "%s", message)
	if len(token) > 64 {
		return 0, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) == 0 {
		return 0, bad
	}
	seq, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || seq < 0 || strconv.FormatInt(seq, 10) != string(raw) {
		return 0, bad
	}
	return seq, nil
}

// taskHistory answers a page of the task's events: limit of them (50 unless given, at
// most 200), oldest first, or newest first with order=newest, from the cursor of an
// earlier page.
func (s *Server) taskHistory(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r.URL.Query(), "limit", "order", "cursor")
	if err != nil {
		return err
	}
	var page events.HistoryPage
	if page.Limit, err = parseLimit(q, taskwire.DefaultLimit, taskwire.MaxLimit); err != nil {
		return err
	}
	switch q["order"] {
	case "", "oldest":
	case "newest":
		page.Newest = true
	default:
		return taskwire.FieldErrorf(taskwire.EMALFORMED, "order", "order must be oldest (the default) or newest, not %q", q["order"])
	}
	if v, ok := q["cursor"]; ok {
		if page.Cursor, err = parsePosition(v, "cursor",
			"cursor must be the next_cursor of an earlier answer, or absent to start from the first event (the latest with order=newest)"); err != nil {
			return err
		}
	}
	list, more, err := s.changes.History(r.Context(), r.PathValue("id"), page)
	if err != nil {
		return err
	}
	h := TaskHistory{Items: make([]TaskEvent, len(list)), HasMore: more}
	for i, e := range list {
		h.Items[i] = newTaskEvent(e)
	}
	if more {
		h.NextCursor = EncodeSyncToken(list[len(list)-1].Seq)
	}
	return writeJSON(w, http.StatusOK, h)
}

func (s *Server) listChanges(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r.URL.Query(), "since", "limit")
	if err != nil {
		return err
	}
	var since int64
	if v, ok := q["since"]; ok {
		if since, err = ParseSyncToken(v); err != nil {
			return err
		}
	}
	limit, err := parseLimit(q, taskwire.DefaultLimit, taskwire.MaxLimit)
	if err != nil {
		return err
	}
	list, next, more, err := s.changes.Changes(r.Context(), since, limit)
	if err != nil {
		return err
	}
	page := ChangePage{Changes: make([]Change, len(list)), NextSince: EncodeSyncToken(next), HasMore: more}
	for i, e := range list {
		page.Changes[i] = Change{TaskID: e.TaskID, Deleted: e.Deleted, Task: e.Task}
	}
	return writeJSON(w, http.StatusOK, page)
}

// queryParams returns the single values of the query parameters a route accepts, leaving
// out empty ones as if absent; an unknown or repeated parameter, or one that is not UTF-8
// text, is EMALFORMED.
func queryParams(q url.Values, accepted ...string) (map[string]string, error) {
	out := make(map[string]string, len(q))
	for name, values := range q {
		known := false
		for _, a := range accepted {
			known = known || a == name
		}
		switch {
		case !known:
			return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, name, "unknown query parameter %q", name)
		case len(values) > 1:
			return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, name, "%s may be given once", name)
		case !utf8.ValidString(values[0]) || strings.ContainsRune(values[0], 0):
			return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, name, "%s must be valid UTF-8 without NUL characters", name)
		}
		if values[0] != "" {
			out[name] = values[0]
		}
	}
	return out, nil
}

// parseLimit reads the limit parameter: def when absent, else a whole number 1 to max.
func parseLimit(q map[string]string, def, max int) (int, error) {
	v, ok := q["limit"]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, taskwire.FieldErrorf(taskwire.EMALFORMED, "limit", "limit must be a whole number from 1 to %d", max)
	}
	return n, nil
}
