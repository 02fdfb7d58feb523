package rest_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func FuzzParseFilter(f *testing.F) {
	cursor := taskwire.Cursor{Sort: "title", Str: new(string), ID: [16]byte{1}}.Encode()
	for _, seed := range []string{
		"",
		"status=all&priority=high,urgent&priority=low&tag=Home&tag=work&q=groceries+or+milk",
		"due_before=2026-03-01T09:00:00%2B01:00&due_after=2026-01-01T00:00:00Z&overdue=true",
		"completed_after=2026-01-01T00:00:00Z&completed_before=2026-02-01T00:00:00Z&sort=-completed_at",
		"completed_after=2026-01-01T00:00:00Z&status=open",
		"sort=-title&limit=200&cursor=" + cursor,
		"sort=due_at&cursor=" + cursor,
		"status=pending&sort=-priority&limit=1",
		"limit=0", "limit=-1", "limit=abc", "limit=99999999999999999999",
		"due=today&status=all", "due=none&overdue=false", "due=none&due_after=2026-01-01T00:00:00Z", "due=someday",
		"status=open&status=all", "sort=size", "overdue=maybe", "colour=red", "=x", "&&", "tag=", "priority=",
		"q=%00", "tag=%FF", "%FF=1", "q=" + strings.Repeat("x", 501), "cursor=garbage",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		filter, err := rest.ParseFilter(q)
		if err != nil {
			var e *taskwire.Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseFilter(%q): got error %T %v, want a *taskwire.Error", query, err, err)
			}
			if e.Code != taskwire.EMALFORMED {
				t.Fatalf("ParseFilter(%q): got code %q, want %q", query, e.Code, taskwire.EMALFORMED)
			}
			if e.Field == "" {
				t.Fatalf("ParseFilter(%q): got an error naming no parameter: %v", query, err)
			}
			if strings.TrimSpace(e.Message) == "" {
				t.Fatalf("ParseFilter(%q): got an error without a message", query)
			}
			return
		}
		switch filter.Status {
		case "open", "completed", "all":
		default:
			t.Fatalf("ParseFilter(%q): got status %q", query, filter.Status)
		}
		if filter.Limit < 1 || filter.Limit > taskwire.MaxLimit {
			t.Fatalf("ParseFilter(%q): got limit %d", query, filter.Limit)
		}
		if _, err := taskwire.ParseSort(filter.Sort.String()); err != nil {
			t.Fatalf("ParseFilter(%q): got sort %+v", query, filter.Sort)
		}
		if filter.Cursor != nil && filter.Cursor.Sort != filter.Sort.String() {
			t.Fatalf("ParseFilter(%q): got a cursor of sort %q for sort %s", query, filter.Cursor.Sort, filter.Sort)
		}
		// Whatever reaches the database is text PostgreSQL can hold.
		for _, s := range append([]string{filter.Query}, filter.Tags...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("ParseFilter(%q): passed %q on to the database", query, s)
			}
		}
		for _, tag := range filter.Tags {
			if tag == "" || tag != taskwire.NormalizeTag(tag) {
				t.Fatalf("ParseFilter(%q): got tag %q", query, tag)
			}
		}
		for _, p := range filter.Priorities {
			if _, err := taskwire.ParsePriority("priority", string(p)); err != nil {
				t.Fatalf("ParseFilter(%q): got priority %q", query, p)
			}
		}
	})
}
