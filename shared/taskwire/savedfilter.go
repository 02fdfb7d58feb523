package taskwire

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Bounds of saved filters.
const (
	MaxSavedFilters   = 100  // per user
	MaxFilterNameLen  = 50   // characters, after trimming
	MaxFilterQueryLen = 2000 // bytes of the canonical query string
)

// SavedFilter is a listing the user named to come back to ("Work this week"): Query is
// the query string of GET /v1/tasks that makes it, canonical (its parameters in order of
// name), without a cursor.
type SavedFilter struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ValidFilterName returns a saved filter's name trimmed, or EINVALID naming field when it
// is blank, too long or holds a control character.
func ValidFilterName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", FieldErrorf(EINVALID, field, "%s must not be blank", field)
	case utf8.RuneCountInString(name) > MaxFilterNameLen:
		return "", FieldErrorf(EINVALID, field, "%s must be at most %d characters", field, MaxFilterNameLen)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", FieldErrorf(EINVALID, field, "%s must be one line without control characters", field)
	}
	return name, nil
}

// ParseFilterID reads a saved filter's id from a path; anything else is ENOTFOUND, as a
// filter that does not exist is.
func ParseFilterID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, Errorf(ENOTFOUND, "no saved filter %q: the path takes a saved filter's id, as GET /v1/filters lists them", s)
	}
	return id, nil
}

// RenameFilterTag returns saved filter query with tag from renamed to, as tasks carry
// the tag after a rename, and reports whether that changed it. The query stays canonical:
// its tags in order, and a filter that named both tags names the one left once (renaming
// "home" to "house" in "tag=home&tag=house" gives "tag=house"). A query that does not
// parse is left alone.
func RenameFilterTag(query, from, to string) (string, bool) {
	q, err := url.ParseQuery(query)
	if err != nil || !slices.Contains(q["tag"], from) {
		return query, false
	}
	var tags []string
	for _, t := range q["tag"] {
		if t == from {
			t = to
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	q["tag"] = tags
	return q.Encode(), true
}
