package taskwire

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/recur"
)

// Listing limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// SortField is a field tasks can be listed by.
type SortField string

// Sort fields.
const (
	SortDueAt     SortField = "due_at"
	SortPriority  SortField = "priority"
	SortCreatedAt SortField = "created_at"
	SortTitle     SortField = "title"
	// SortCompletedAt orders by the time of completion; open tasks, which have none, come
	// last either way, as tasks without a due date do under SortDueAt.
	SortCompletedAt SortField = "completed_at"
	// SortPosition is the user's own order, the one tasks are moved into (Task.Position).
	SortPosition SortField = "position"
	// SortDeletedAt orders the trash, newest deletion first (TrashOrder); a listing of
	// tasks cannot take it.
	SortDeletedAt SortField = "deleted_at"
)

// TrashOrder is the order of the trash: the latest deletion first.
var TrashOrder = Sort{Field: SortDeletedAt, Desc: true}

// Sort is a listing order: a field, ascending or descending; ties go by id in the same
// direction, and tasks without a due date (or, by completion, open tasks) come last
// either way.
type Sort struct {
	Field SortField
	Desc  bool
}

// ParseSort reads "due_at", "-priority" and the like; "due_date" and "created", the
// hackathon clients' names, are due_at and created_at.
func ParseSort(s string) (Sort, error) {
	var out Sort
	if strings.HasPrefix(s, "-") {
		out.Desc, s = true, s[1:]
	}
	switch s {
	case "due_date":
		s = string(SortDueAt)
	case "created":
		s = string(SortCreatedAt)
	}
	switch SortField(s) {
	case SortDueAt, SortPriority, SortCreatedAt, SortTitle, SortCompletedAt, SortPosition:
		out.Field = SortField(s)
		return out, nil
	}
	return out, FieldErrorf(EMALFORMED, "sort", "sort must be one of due_at, priority, created_at, title, completed_at, position, optionally prefixed with -")
}

// Nullable reports whether the sort's field may be unset (a task without a due date, an
// open task's completion), where such tasks come last in both directions.
func (s Sort) Nullable() bool {
	return s.Field == SortDueAt || s.Field == SortCompletedAt
}

// String returns the sort as a query parameter writes it.
func (s Sort) String() string {
	if s.Desc {
		return "-" + string(s.Field)
	}
	return string(s.Field)
}

// The due windows a listing can name (due=…): days in the user's time zone, from
// midnight to midnight however long DST makes them. A task due at a time is in a window
// when that instant is; an all-day task when its day is, whatever zone it is in.
const (
	DueToday    = "today"    // due today
	DueTomorrow = "tomorrow" // due tomorrow
	DueWeek     = "week"     // due today or on one of the six days after it
	DueLater    = "later"    // due after the week: from the seventh day after today on
	DueNone     = "none"     // without a due date
)

// DueWindow returns the days (midnight in UTC, whose fields are the day's) and the
// instants of the due window named due ("today", "tomorrow", "week", "later") in loc at
// now: its first and last day, and the instants its first day begins and the day after
// its last begins. Later has no last day: it runs to the end of 9999.
func DueWindow(due string, now time.Time, loc *time.Location) (first, last, from, to time.Time) {
	first = DayOf(now, loc)
	switch due {
	case DueTomorrow:
		first = first.AddDate(0, 0, 1)
		last = first
	case DueWeek:
		last = first.AddDate(0, 0, 6)
	case DueLater:
		first = first.AddDate(0, 0, 7)
		last = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		last = first
	}
	return first, last, recur.Resolve(first, loc).UTC(), recur.Resolve(last.AddDate(0, 0, 1), loc).UTC()
}

// TaskFilter selects and orders a user's tasks.
type TaskFilter struct {
	Status     string // "open", "completed" or "all"
	Priorities []Priority
	Tags       []string // every tag must match
	Query      string   // full-text over title and description
	DueBefore  *time.Time
	DueAfter   *time.Time
	// Due names a window of days in the user's zone (DueToday, DueTomorrow, DueWeek,
	// DueLater), or
	// DueNone for tasks without a due date; "" for none.
	Due     string
	Overdue bool
	// WithOverdue widens the window of Due (today or week) to the open tasks overdue
	// before it: what is left to do by its end.
	WithOverdue bool
	// CompletedBefore and CompletedAfter keep the tasks completed before and after these
	// instants, so only completed tasks.
	CompletedBefore *time.Time
	CompletedAfter  *time.Time
	Sort            Sort
	Limit           int
	Cursor          *Cursor
}

// Cursor is the position after the last task of a page: the sort key's value there and
// the task's id. Clients see it only as an opaque string.
type Cursor struct {
	Sort string     `json:"s"`
	Time *time.Time `json:"t,omitempty"`
	Int  *int64     `json:"n,omitempty"`
	Str  *string    `json:"x,omitempty"`
	ID   uuid.UUID  `json:"i"`
}

// CursorAfter returns the cursor that continues a listing in order s after task t.
func CursorAfter(s Sort, t *Task) Cursor {
	c := Cursor{Sort: s.String(), ID: t.ID}
	switch s.Field {
	case SortDueAt:
		c.Time = t.DueAt
	case SortCompletedAt:
		c.Time = t.CompletedAt
	case SortCreatedAt:
		at := t.CreatedAt
		c.Time = &at
	case SortPriority:
		n := int64(t.Priority.Rank())
		c.Int = &n
	case SortTitle:
		title := t.Title
		c.Str = &title
	case SortPosition:
		pos := t.Position
		c.Str = &pos
	}
	return c
}

// Encode returns the cursor as an opaque URL-safe string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor made by Encode for a listing in order s; a cursor that was
// tampered with or belongs to another order is EMALFORMED.
func ParseCursor(s string, order Sort) (*Cursor, error) {
	bad := func(why string) error {
		return FieldErrorf(EMALFORMED, "cursor", "cursor %s; use the next_cursor of the previous page", why)
	}
	if len(s) > 1024 {
		return nil, bad("is too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad("is not one this server made")
	}
	var c Cursor
	if err := DecodeJSON(raw, &c); err != nil {
		return nil, bad("is not one this server made")
	}
	if c.Sort != order.String() {
		return nil, bad("belongs to another sort order")
	}
	if c.ID == uuid.Nil {
		return nil, bad("is not one this server made")
	}
	ok := false
	switch order.Field {
	case SortDueAt, SortCompletedAt:
		ok = c.Int == nil && c.Str == nil // a nil time is a task without a due date, or open
	case SortCreatedAt, SortDeletedAt:
		ok = c.Time != nil && c.Int == nil && c.Str == nil
	case SortPriority:
		ok = c.Int != nil && *c.Int >= 0 && *c.Int <= 4 && c.Time == nil && c.Str == nil
	case SortTitle:
		// A title holds no NUL, and PostgreSQL refuses one in a query's text.
		ok = c.Str != nil && !strings.ContainsRune(*c.Str, 0) && c.Time == nil && c.Int == nil
	case SortPosition:
		ok = c.Str != nil && ValidPosition(*c.Str) && c.Time == nil && c.Int == nil
	}
	if !ok {
		return nil, bad("is not one this server made")
	}
	return &c, nil
}
