package rest

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// CalendarStore holds each user's calendar feed and what it shows.
type CalendarStore interface {
	CalendarFeed(ctx context.Context) (*taskwire.CalendarFeed, error)
	CreateCalendarFeed(ctx context.Context) (*taskwire.CalendarFeed, error)
	DeleteCalendarFeed(ctx context.Context) error
	// CalendarOwner returns the user whose feed has token, or ENOTFOUND, and the position
	// of their latest event, which changes whenever what the feed shows does.
	CalendarOwner(ctx context.Context, token string) (user string, seq int64, err error)
	// CalendarZones returns the zones of the open tasks that have a due time, each with
	// its earliest due time.
	CalendarZones(ctx context.Context) (map[string]time.Time, error)
	// CalendarTasks returns a page of the open tasks that have a due time, by due time,
	// after the task after.
	CalendarTasks(ctx context.Context, after *taskwire.Task, limit int) ([]taskwire.SeriesTask, error)
}

// CalendarPath is where a feed is served, before its token and ".ics".
const CalendarPath = "/v1/calendar/"

// calendarPage is how many tasks a feed reads at a time.
const calendarPage = 500

// getCalendarFeed answers GET /v1/calendar-feed: the address of the user's feed.
func (s *Server) getCalendarFeed(w http.ResponseWriter, r *http.Request) error {
	feed, err := s.calendar.CalendarFeed(r.Context())
	if err != nil {
		return err
	}
	feed.URL = feedURL(r, feed.Token)
	return writeJSON(w, http.StatusOK, feed)
}

// createCalendarFeed answers POST /v1/calendar-feed: a feed at a new address, which
// replaces the one the user had.
func (s *Server) createCalendarFeed(w http.ResponseWriter, r *http.Request) error {
	feed, err := s.calendar.CreateCalendarFeed(r.Context())
	if err != nil {
		return err
	}
	feed.URL = feedURL(r, feed.Token)
	w.Header().Set("Location", "/v1/calendar-feed")
	return writeJSON(w, http.StatusCreated, feed)
}

// deleteCalendarFeed answers DELETE /v1/calendar-feed: the feed's address stops working.
func (s *Server) deleteCalendarFeed(w http.ResponseWriter, r *http.Request) error {
	if err := s.calendar.DeleteCalendarFeed(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// feedURL returns the address of the feed with token as the client reached this server:
// through a proxy (the web function, an ingress), the host and scheme it forwarded.
func feedURL(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ","); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ","); strings.TrimSpace(h) != "" {
		host = strings.TrimSpace(h)
	}
	return scheme + "://" + host + CalendarPath + token + ".ics"
}

// serveCalendar answers GET /v1/calendar/{file}, where file is a feed's token and ".ics",
// without a sign-in: the token is the credential, so its problems, and their logs, name
// the route rather than the address (see writeCalendar). The query is ignored: some
// calendar apps add one to get past caches.
func (s *Server) serveCalendar(w http.ResponseWriter, r *http.Request) error {
	if err := s.writeCalendar(w, r); err != nil {
		shown := r.Clone(r.Context())
		shown.URL.Path = CalendarPath + "{token}.ics"
		problem.Write(w, shown, err)
	}
	return nil
}

// writeCalendar writes the calendar of the feed r names: its owner's open tasks that have
// a due time, as they are read, a page at a time. A failure after the first page breaks
// the connection off, so that a calendar app keeps what it had rather than a calendar cut
// short. A calendar app that asks again with the ETag it was given (If-None-Match) gets
// 304 without the feed being read while nothing it shows has changed (calendarETag); one
// that accepts gzip gets the feed compressed (a tenth of its size).
func (s *Server) writeCalendar(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return taskwire.Errorf(taskwire.ENOTFOUND, "no such calendar feed: its address ends in .ics")
	}
	ctx := r.Context()
	user, seq, err := s.calendar.CalendarOwner(ctx, token)
	if err != nil {
		return err
	}
	now := time.Now()
	h := w.Header()
	etag := calendarETag(token, seq, now)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Set("Cache-Control", "private, no-cache")
		h.Set("ETag", etag)
		h.Set("Vary", "Accept-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	ctx = taskwire.NewContextWithUser(ctx, user)
	zones, err := s.calendar.CalendarZones(ctx)
	if err != nil {
		return err
	}
	page, err := s.calendar.CalendarTasks(ctx, nil, calendarPage)
	if err != nil {
		return err
	}
	// The tag goes with the feed only: a problem has none, which a client could send back.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", etag)
	h.Set("Content-Type", calendar.ContentType)
	body, finish := compressed(w, r)
	feed := calendar.NewFeed(body, "Taskwire", now, zones)
	for {
		for _, t := range page {
			feed.Add(t)
		}
		if len(page) < calendarPage {
			break
		}
		if page, err = s.calendar.CalendarTasks(ctx, page[len(page)-1].Task, calendarPage); err != nil {
			breakOff(ctx, "calendar feed", err)
		}
	}
	if err := feed.Close(); err != nil {
		breakOff(ctx, "calendar feed", err)
	}
	if err := finish(); err != nil {
		breakOff(ctx, "calendar feed", err)
	}
	return nil
}

// calendarETag names what the feed of token shows while its owner's latest event is seq,
// as a weak tag, which its gzip and plain forms share:
// the events say every change of the tasks; the year, the VTIMEZONEs' horizon, which
// moves with the present; the writer's format and Go's zone database, which a new build
// may change. The token keeps a new feed (a new address, an account made anew) from
// sharing an old one's tag.
func calendarETag(token string, seq int64, now time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s %d %d %s %s", token, seq, now.UTC().Year(), calendar.Format, runtime.Version()))
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// etagMatches reports whether an If-None-Match header names etag, comparing weakly, as
// RFC 9110 has it for If-None-Match.
func etagMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == "*" || t == etag {
			return true
		}
	}
	return false
}

// compressed returns the writer of w's body: a gzip stream when the request accepts gzip
// (RFC 9110: a gzip coding not given q=0), with Content-Encoding set, else w itself;
// finish ends the stream. The long bodies written as they are read (the export, a
// calendar feed) are text that gzip makes five to ten times smaller; the fastest level
// keeps the CPU they cost small.
func compressed(w http.ResponseWriter, r *http.Request) (body io.Writer, finish func() error) {
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header.Values("Accept-Encoding")) {
		return w, func() error { return nil }
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed) // a valid level: no error
	return zw, zw.Close
}

// acceptsGzip reports whether Accept-Encoding values name gzip (or x-gzip) with a
// weight above zero.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, coding := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(coding, ";")
			if name = strings.ToLower(strings.TrimSpace(name)); name != "gzip" && name != "x-gzip" {
				continue
			}
			q, found := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q=")
			if !found {
				return true
			}
			if w, err := strconv.ParseFloat(q, 64); err == nil && w > 0 {
				return true
			}
		}
	}
	return false
}
