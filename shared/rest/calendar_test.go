package rest_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestCalendarFeed(t *testing.T) {
	s := resttest.MustStart(t)
	anonymous := s.NewClient("")

	t.Run("CreateReadReplaceDelete", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": "2030-05-01T09:00:00Z"})
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/calendar-feed", nil), http.StatusNotFound, taskwire.ENOTFOUND)

		feed := mustCreateFeed(t, c)
		assert.True(t, strings.HasPrefix(feed.URL, s.URL+"/v1/calendar/"), feed.URL)
		assert.True(t, strings.HasSuffix(feed.URL, ".ics"), feed.URL)
		resp := c.Do(t, http.MethodGet, "/v1/calendar-feed", nil)
		resp.MustStatus(t, http.StatusOK)
		var again taskwire.CalendarFeed
		resp.JSON(t, &again)
		assert.Equal(t, feed.URL, again.URL)

		// The address is read without a sign-in, as calendar apps read it.
		cal := mustCalendar(t, anonymous, feed.URL)
		require.Len(t, cal.all("VEVENT"), 1)
		assert.Equal(t, "Dentist", cal.all("VEVENT")[0].value("SUMMARY"))

		// A new address replaces the old one, which stops working.
		replaced := mustCreateFeed(t, c)
		assert.NotEqual(t, feed.URL, replaced.URL)
		mustProblem(t, anonymous.Do(t, http.MethodGet, feedPath(t, s, feed.URL), nil), http.StatusNotFound, taskwire.ENOTFOUND)
		mustCalendar(t, anonymous, replaced.URL)

		c.Do(t, http.MethodDelete, "/v1/calendar-feed", nil).MustStatus(t, http.StatusNoContent)
		mustProblem(t, anonymous.Do(t, http.MethodGet, feedPath(t, s, replaced.URL), nil), http.StatusNotFound, taskwire.ENOTFOUND)
		mustProblem(t, c.Do(t, http.MethodGet, "/v1/calendar-feed", nil), http.StatusNotFound, taskwire.ENOTFOUND)
		c.Do(t, http.MethodDelete, "/v1/calendar-feed", nil).MustStatus(t, http.StatusNoContent)
	})

	// A calendar app that asks again with the ETag it was given gets 304 while nothing the
	// feed shows has changed, and the feed again once something has.
	t.Run("NotModified", func(t *testing.T) {
		c := s.NewUser(t)
		c.MustCreateTask(t, map[string]any{"title": "Dentist", "due_at": "2030-05-01T09:00:00Z"})
		feed := mustCreateFeed(t, c)
		path := feedPath(t, s, feed.URL)
		first := anonymous.Do(t, http.MethodGet, path, nil)
		first.MustStatus(t, http.StatusOK)
		etag := first.Header.Get("ETag")
		require.NotEmpty(t, etag)

		again := anonymous.Do(t, http.MethodGet, path, nil, "If-None-Match", etag)
		again.MustStatus(t, http.StatusNotModified)
		assert.Empty(t, again.Body)
		assert.Equal(t, etag, again.Header.Get("ETag"))
		assert.True(t, strings.HasPrefix(etag, `W/"`), "a weak tag, shared by the gzip and plain forms: %s", etag)
		anonymous.Do(t, http.MethodGet, path, nil, "If-None-Match", `"other", `+strings.TrimPrefix(etag, "W/")).MustStatus(t, http.StatusNotModified)
		anonymous.Do(t, http.MethodGet, path, nil, "If-None-Match", `"other"`).MustStatus(t, http.StatusOK)

		c.Do(t, http.MethodPatch, "/v1/tasks/1", `{"title": "Dentist, Dr. Weiß"}`, "Content-Type", "application/merge-patch+json").
			MustStatus(t, http.StatusOK)
		changed := anonymous.Do(t, http.MethodGet, path, nil, "If-None-Match", etag)
		changed.MustStatus(t, http.StatusOK)
		assert.Contains(t, string(changed.Body), "SUMMARY:Dentist\\, Dr. Weiß")
		assert.NotEqual(t, etag, changed.Header.Get("ETag"))

		// Another address of the same calendar has a tag of its own.
		replaced := mustCreateFeed(t, c)
		other := anonymous.Do(t, http.MethodGet, feedPath(t, s, replaced.URL), nil, "If-None-Match", changed.Header.Get("ETag"))
		other.MustStatus(t, http.StatusOK)
	})

	// A client that accepts gzip gets the feed compressed; one that does not, or refuses
	// it (q=0), as it is.
	t.Run("Gzip", func(t *testing.T) {
		c := s.NewUser(t)
		for i := range 50 {
			c.MustCreateTask(t, map[string]any{"title": fmt.Sprintf("Task %d", i), "due_date": "2030-05-01", "time_zone": "Europe/Berlin"})
		}
		path := feedPath(t, s, mustCreateFeed(t, c).URL)
		plain := anonymous.Do(t, http.MethodGet, path, nil, "Accept-Encoding", "identity")
		plain.MustStatus(t, http.StatusOK)
		assert.Empty(t, plain.Header.Get("Content-Encoding"))
		zipped := anonymous.Do(t, http.MethodGet, path, nil, "Accept-Encoding", "br;q=1.0, gzip;q=0.5")
		zipped.MustStatus(t, http.StatusOK)
		assert.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"))
		assert.Contains(t, zipped.Header.Values("Vary"), "Accept-Encoding")
		assert.Equal(t, plain.Header.Get("ETag"), zipped.Header.Get("ETag"))
		zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
		require.NoError(t, err)
		unzipped, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Less(t, len(zipped.Body)*4, len(plain.Body), "got %d bytes for %d", len(zipped.Body), len(plain.Body))
		// The same calendar, but for the time it was written.
		stamp := regexp.MustCompile(`DTSTAMP:\d{8}T\d{6}Z`)
		assert.Equal(t, stamp.ReplaceAllString(string(plain.Body), ""), stamp.ReplaceAllString(string(unzipped), ""))
		refused := anonymous.Do(t, http.MethodGet, path, nil, "Accept-Encoding", "gzip;q=0")
		assert.Empty(t, refused.Header.Get("Content-Encoding"))
	})

	t.Run("Events", func(t *testing.T) {
		c := s.NewUser(t)
		dentist := c.MustCreateTask(t, map[string]any{
			"title": "Dentist, Dr. Weiß; bring card", "description": "Second floor\nRing twice",
			"priority": "high", "tags": []string{"health", "errands"},
			"due_at": "2026-12-03T09:00:00+01:00", "time_zone": "Europe/Berlin",
			"reminders": []map[string]any{{"before": "P1DT30M"}, {"at": "2026-12-02T18:00:00Z"}}})
		standup := c.MustCreateTask(t, map[string]any{"title": "Stand-up", "due_at": "2026-12-01T09:30:00-05:00",
			"time_zone": "America/New_York", "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=20"})
		c.MustCreateTask(t, map[string]any{"title": "Water plants", "due_at": "2026-12-05T10:00:00Z",
			"recurrence": "FREQ=DAILY;INTERVAL=3", "repeat_from": "completion"})
		c.MustCreateTask(t, map[string]any{"title": "Some day"}) // no due time: no event
		done := c.MustCreateTask(t, map[string]any{"title": "Done already", "due_at": "2026-12-01T10:00:00Z"})
		c.Do(t, http.MethodPost, "/v1/tasks/"+done.ID.String()+"/complete", nil).MustStatus(t, http.StatusOK)
		gone := c.MustCreateTask(t, map[string]any{"title": "Deleted", "due_at": "2026-12-01T10:00:00Z"})
		c.Do(t, http.MethodDelete, "/v1/tasks/"+gone.ID.String(), nil).MustStatus(t, http.StatusNoContent)
		s.NewUser(t).MustCreateTask(t, map[string]any{"title": "Someone else's", "due_at": "2026-12-01T10:00:00Z"})

		feed := mustCreateFeed(t, c)
		cal := mustCalendar(t, anonymous, feed.URL)
		assert.Equal(t, "2.0", cal.value("VERSION"))
		assert.NotEmpty(t, cal.value("PRODID"))

		events := cal.all("VEVENT")
		var titles []string
		for _, e := range events {
			titles = append(titles, e.value("SUMMARY"))
		}
		// Open tasks with a due time, in order of their due times.
		assert.Equal(t, []string{"Stand-up", "Dentist, Dr. Weiß; bring card", "Water plants"}, titles)

		e := events[1]
		assert.Equal(t, dentist.ID.String()+"@taskwire", e.value("UID"))
		assert.Equal(t, "20261203T090000", e.value("DTSTART"))
		assert.Equal(t, "Europe/Berlin", e.param("DTSTART", "TZID"))
		assert.Equal(t, "Second floor\nRing twice", e.value("DESCRIPTION"))
		assert.Equal(t, "health,errands", e.value("CATEGORIES"))
		assert.Equal(t, "3", e.value("PRIORITY"))
		assert.Equal(t, "TRANSPARENT", e.value("TRANSP"))
		assert.Empty(t, e.value("RRULE"))
		alarms := e.all("VALARM")
		require.Len(t, alarms, 2)
		assert.Equal(t, "-P1DT30M", alarms[0].value("TRIGGER"))
		assert.Equal(t, "20261202T180000Z", alarms[1].value("TRIGGER"))
		assert.Equal(t, "DATE-TIME", alarms[1].param("TRIGGER", "VALUE"))

		e = events[0]
		assert.Equal(t, standup.ID.String()+"@taskwire", e.value("UID"))
		assert.Equal(t, "20261201T093000", e.value("DTSTART"))
		assert.Equal(t, "America/New_York", e.param("DTSTART", "TZID"))
		assert.Equal(t, "FREQ=WEEKLY;COUNT=20;BYDAY=MO,TU,WE,TH,FR", e.value("RRULE"))

		// Repeating from the completion, the next date is not known: this occurrence alone.
		e = events[2]
		assert.Equal(t, "20261205T100000Z", e.value("DTSTART"))
		assert.Empty(t, e.param("DTSTART", "TZID"))
		assert.Empty(t, e.value("RRULE"))

		// Each zone an event names is described, UTC aside.
		var zones []string
		for _, z := range cal.all("VTIMEZONE") {
			zones = append(zones, z.value("TZID"))
		}
		assert.ElementsMatch(t, []string{"America/New_York", "Europe/Berlin"}, zones)
	})

	t.Run("AllDay", func(t *testing.T) {
		// An all-day task is an all-day event: its day as a DATE, with no zone and no end;
		// its rule's UNTIL a DATE too; its reminders counted back from 09:00 on the day,
		// which starts at 00:00.
		c := s.NewUser(t)
		rent := c.MustCreateTask(t, map[string]any{"title": "Pay rent", "due_date": "2026-12-04",
			"time_zone": "America/New_York", "recurrence": "FREQ=MONTHLY;UNTIL=20270604T120000Z",
			"reminders": []map[string]any{{"before": "PT0S"}, {"before": "P1D"}, {"at": "2026-12-01T18:00:00Z"}}})
		require.NotNil(t, rent.DueDate)
		c.MustCreateTask(t, map[string]any{"title": "Call", "due_at": "2026-12-04T10:00:00Z"})

		events := mustCalendar(t, anonymous, mustCreateFeed(t, c).URL).all("VEVENT")
		require.Len(t, events, 2)
		// By due_at: the day's last second in New York comes after 10:00 UTC.
		assert.Equal(t, "Call", events[0].value("SUMMARY"))
		e := events[1]
		assert.Equal(t, rent.ID.String()+"@taskwire", e.value("UID"))
		assert.Equal(t, "20261204", e.value("DTSTART"))
		assert.Equal(t, "DATE", e.param("DTSTART", "VALUE"))
		assert.Empty(t, e.param("DTSTART", "TZID"))
		assert.Empty(t, e.value("DTEND"))
		assert.Empty(t, e.value("DURATION"))
		assert.Equal(t, "TRANSPARENT", e.value("TRANSP"))
		assert.Equal(t, "FREQ=MONTHLY;UNTIL=20270604", e.value("RRULE"))
		var triggers []string
		for _, a := range e.all("VALARM") {
			triggers = append(triggers, a.value("TRIGGER"))
		}
		assert.Equal(t, []string{"PT9H", "-PT15H", "20261201T180000Z"}, triggers)
	})

	t.Run("SeriesCountsFromItsPlace", func(t *testing.T) {
		// An export holding the first occurrence, completed, and the second, open: the
		// calendar's rule counts what is left of COUNT=3 from the second.
		c := s.NewUser(t)
		series := uuid.New()
		rule := "FREQ=DAILY;COUNT=3"
		occurrence := func(n int, status string) map[string]any {
			return map[string]any{"id": uuid.New(), "number": n, "title": "Stretch", "status": status,
				"due_at": fmt.Sprintf("2026-12-0%dT07:00:00Z", n), "time_zone": "Europe/Berlin",
				"recurrence": rule, "series_id": series, "created_at": fmt.Sprintf("2026-11-0%dT07:00:00Z", n), "version": 1}
		}
		resp := c.Do(t, http.MethodPost, "/v1/import", map[string]any{"format": "taskwire-export/1",
			"tasks": []any{occurrence(1, "completed"), occurrence(2, "open")}})
		resp.MustStatus(t, http.StatusOK)
		events := mustCalendar(t, anonymous, mustCreateFeed(t, c).URL).all("VEVENT")
		require.Len(t, events, 1)
		assert.Equal(t, "20261202T080000", events[0].value("DTSTART"))
		assert.Equal(t, "FREQ=DAILY;COUNT=2", events[0].value("RRULE"))
	})

	t.Run("ManyTasks", func(t *testing.T) {
		// More than one page of tasks, each once and in order.
		c := s.NewUser(t)
		const n = 1234
		tasks := make([]any, n)
		start := time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC)
		for i := range tasks {
			tasks[i] = map[string]any{"id": uuid.New(), "number": i + 1, "title": fmt.Sprintf("Task %d", i+1),
				"status": "open", "due_at": start.Add(time.Duration(i/3) * time.Hour), "created_at": start, "version": 1}
		}
		c.Do(t, http.MethodPost, "/v1/import", map[string]any{"format": "taskwire-export/1", "tasks": tasks}).
			MustStatus(t, http.StatusOK)
		events := mustCalendar(t, anonymous, mustCreateFeed(t, c).URL).all("VEVENT")
		require.Len(t, events, n)
		seen := map[string]bool{}
		for i, e := range events {
			seen[e.value("UID")] = true
			if i > 0 {
				assert.LessOrEqual(t, events[i-1].value("DTSTART"), e.value("DTSTART"))
			}
		}
		assert.Len(t, seen, n)
	})

	t.Run("AddressAsTheClientReachedIt", func(t *testing.T) {
		c := s.NewUser(t)
		resp := c.Do(t, http.MethodPost, "/v1/calendar-feed", nil,
			"X-Forwarded-Proto", "https", "X-Forwarded-Host", "tasks.example.com")
		resp.MustStatus(t, http.StatusCreated)
		var feed taskwire.CalendarFeed
		resp.JSON(t, &feed)
		assert.True(t, strings.HasPrefix(feed.URL, "https://tasks.example.com/v1/calendar/"), feed.URL)
	})

	t.Run("BadAddresses", func(t *testing.T) {
		c := s.NewUser(t)
		token := strings.TrimSuffix(strings.TrimPrefix(feedPath(t, s, mustCreateFeed(t, c).URL), "/v1/calendar/"), ".ics")
		for _, path := range []string{
			"/v1/calendar/" + token,                           // without .ics
			"/v1/calendar/" + token[1:] + ".ics",              // cut short
			"/v1/calendar/" + strings.ToUpper(token) + ".ics", // tokens are case-sensitive
			"/v1/calendar/" + taskwire.NewCalendarToken() + ".ics",
			"/v1/calendar/%00.ics",
		} {
			p := mustProblem(t, anonymous.Do(t, http.MethodGet, path, nil), http.StatusNotFound, taskwire.ENOTFOUND)
			// The address is a credential: a problem, and the log of one, names the route.
			assert.Equal(t, "/v1/calendar/{token}.ics", p.Instance)
		}
		// A query that a calendar app adds to get past caches is no error.
		anonymous.Do(t, http.MethodGet, "/v1/calendar/"+token+".ics?nocache=1700000000", nil).MustStatus(t, http.StatusOK)
		// Managing the feed needs the owner's sign-in.
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			mustProblem(t, anonymous.Do(t, method, "/v1/calendar-feed", nil), http.StatusUnauthorized, taskwire.EUNAUTHORIZED)
		}
	})

	t.Run("GoesWithTheAccount", func(t *testing.T) {
		c := s.NewUser(t)
		feed := mustCreateFeed(t, c)
		c.Do(t, http.MethodDelete, "/v1/me", map[string]any{"confirm": c.User}).MustStatus(t, http.StatusNoContent)
		mustProblem(t, anonymous.Do(t, http.MethodGet, feedPath(t, s, feed.URL), nil), http.StatusNotFound, taskwire.ENOTFOUND)
	})
}

func mustCreateFeed(t *testing.T, c *resttest.Client) taskwire.CalendarFeed {
	t.Helper()
	resp := c.Do(t, http.MethodPost, "/v1/calendar-feed", nil)
	resp.MustStatus(t, http.StatusCreated)
	var feed taskwire.CalendarFeed
	resp.JSON(t, &feed)
	return feed
}

// feedPath returns the path of a feed's URL on s.
func feedPath(t *testing.T, s *resttest.Server, url string) string {
	t.Helper()
	path, ok := strings.CutPrefix(url, s.URL)
	require.True(t, ok, "%s is not on %s", url, s.URL)
	return path
}

// mustCalendar reads the feed at url and parses it, checking the lines as RFC 5545 has
// them: CRLF, at most 75 octets, folded with a space.
func mustCalendar(t *testing.T, c *resttest.Client, url string) *component {
	t.Helper()
	path := url
	if i := strings.Index(url, "/v1/calendar/"); i >= 0 {
		path = url[i:]
	}
	resp := c.Do(t, http.MethodGet, path, nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "text/calendar; charset=utf-8", resp.Header.Get("Content-Type"))
	body := string(resp.Body)
	require.True(t, strings.HasSuffix(body, "\r\n"), "the feed ends with CRLF")
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	var unfolded []string
	for _, l := range lines {
		require.LessOrEqual(t, len(l), 75, "line %q is longer than 75 octets", l)
		require.NotContains(t, l, "\n")
		if strings.HasPrefix(l, " ") {
			require.NotEmpty(t, unfolded, "the first line is a continuation")
			unfolded[len(unfolded)-1] += l[1:]
			continue
		}
		unfolded = append(unfolded, l)
	}
	root := &component{name: "ROOT"}
	stack := []*component{root}
	for _, l := range unfolded {
		p := parseProperty(t, l)
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			child := &component{name: p.value}
			top.children = append(top.children, child)
			stack = append(stack, child)
		case "END":
			require.Equal(t, top.name, p.value, "END:%s closes %s", p.value, top.name)
			stack = stack[:len(stack)-1]
		default:
			top.props = append(top.props, p)
		}
	}
	require.Len(t, stack, 1, "every BEGIN has its END")
	require.Len(t, root.children, 1)
	require.Equal(t, "VCALENDAR", root.children[0].name)
	return root.children[0]
}

// component is a parsed iCalendar component.
type component struct {
	name     string
	props    []property
	children []*component
}

type property struct {
	name   string
	params map[string]string
	value  string // TEXT unescaped
}

func parseProperty(t *testing.T, line string) property {
	t.Helper()
	head, value, ok := strings.Cut(line, ":")
	require.True(t, ok, "line %q has no value", line)
	parts := strings.Split(head, ";")
	p := property{name: parts[0], params: map[string]string{}}
	for _, param := range parts[1:] {
		k, v, ok := strings.Cut(param, "=")
		require.True(t, ok, "parameter %q of %q", param, line)
		p.params[k] = v
	}
	switch p.name {
	case "SUMMARY", "DESCRIPTION", "NAME", "X-WR-CALNAME":
		value = strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(value)
	}
	p.value = value
	return p
}

// value returns the value of c's first property name, or "".
func (c *component) value(name string) string {
	for _, p := range c.props {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// param returns the parameter key of c's first property name, or "".
func (c *component) param(name, key string) string {
	for _, p := range c.props {
		if p.name == name {
			return p.params[key]
		}
	}
	return ""
}

// all returns c's components named name, in order.
func (c *component) all(name string) []*component {
	var out []*component
	for _, child := range c.children {
		if child.name == name {
			out = append(out, child)
		}
	}
	return out
}
