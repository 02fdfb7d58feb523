// Package rest serves Taskwire's task REST API over net/http: routing, authentication,
// request decoding and response encoding, for tasks and settings, task histories, the
// changes feed, the live stream of changes (Server-Sent Events) and the notification
// inbox. Storage and rules live behind its small interfaces; errors become problems in
// package problem.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 1 << 20

// TaskStore holds the signed-in user's tasks.
type TaskStore interface {
	CreateTask(ctx context.Context, f taskwire.TaskFields, key taskwire.IdempotencyKey) (*taskwire.Task, bool, error)
	FindTask(ctx context.Context, ref string) (*taskwire.Task, error)
	FindTasks(ctx context.Context, f taskwire.TaskFilter) (*taskwire.TaskPage, error)
	UpdateTask(ctx context.Context, ref, ifMatch string, patch []byte) (*taskwire.Task, error)
	SetStatus(ctx context.Context, ref, ifMatch string, status taskwire.Status) (*taskwire.Task, error)
	EndSeries(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	ToggleTask(ctx context.Context, ref string) (*taskwire.Task, error)
	// SkipOccurrence moves an open occurrence of a repeating task to the series' next one
	// without completing it; a non-empty ifMatch must admit its current ETag.
	SkipOccurrence(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	// UndoSkip puts a task back where its latest change, a skip, moved it from.
	UndoSkip(ctx context.Context, ref, ifMatch string) (*taskwire.Task, error)
	// MoveTask puts a task where m says in the user's own order (sort=position).
	MoveTask(ctx context.Context, ref, ifMatch string, m taskwire.Move) (*taskwire.Task, error)
	DeleteTask(ctx context.Context, ref, ifMatch string) error
	// BulkTasks applies one action to several tasks, all of them or none.
	BulkTasks(ctx context.Context, bulk taskwire.Bulk) ([]*taskwire.Task, error)
	Tags(ctx context.Context) ([]taskwire.Tag, error)
	// RenameTag renames a tag on every task that carries it (merging it into one of that
	// name); DeleteTag removes it from them.
	RenameTag(ctx context.Context, name, to string) (*taskwire.Tag, error)
	DeleteTag(ctx context.Context, name string) error
	// SnoozeNotification reminds the user of a notification's task again after d, and
	// marks the notification read.
	SnoozeNotification(ctx context.Context, id uuid.UUID, d taskwire.Duration) (*taskwire.Snoozed, error)
	// ImportTasks adds tasks of an export that the user does not have, and returns how
	// many it added and how many were there already.
	ImportTasks(ctx context.Context, tasks []*taskwire.Task) (added, present int, err error)
	// SeriesIndex returns a task's place in its series, which a rule's COUNT counts.
	SeriesIndex(ctx context.Context, id uuid.UUID) (int, error)
}

// UserStore holds users and their settings.
type UserStore interface {
	EnsureUser(ctx context.Context, id string, issuedAt time.Time) error
	FindMe(ctx context.Context) (*taskwire.User, error)
	UpdateMe(ctx context.Context, patch []byte) (*taskwire.User, error)
	DeleteMe(ctx context.Context) error
}

// Verifier checks a bearer token and returns whom it speaks for.
type Verifier interface {
	Identify(ctx context.Context, token string) (auth.Identity, error)
}

// Deps are what the API serves from. Every store is needed to serve requests; a Server
// without them can still list its routes (Patterns).
type Deps struct {
	Tasks         TaskStore
	Users         UserStore
	Auth          Verifier // trusted to verify bearer tokens
	Notifications NotificationStore
	Changes       ChangeStore
	Trash         TrashStore
	Calendar      CalendarStore
	Filters       FilterStore
	Stats         StatsReader
	Conversations ConversationReader // the assistant's conversations, for the export
	Listener      ChangeListener     // wakes live streams
	// DevTokens, set only while the local development issuer is trusted, serves
	// POST /v1/dev/token; without it the route does not exist.
	DevTokens TokenMinter
	// KeepAlive is how often an idle live stream sends a comment; default 15s.
	KeepAlive time.Duration
}

// Server serves the tasks API.
type Server struct {
	tasks         TaskStore
	users         UserStore
	auth          Verifier
	notifications NotificationStore
	changes       ChangeStore
	trash         TrashStore
	calendar      CalendarStore
	filters       FilterStore
	stats         StatsReader
	conversations ConversationReader
	listener      ChangeListener
	devTokens     TokenMinter
	keepAlive     time.Duration
	streams       openStreams
	mux           *http.ServeMux
	patterns      []string
}

// NewServer returns the tasks API on d's stores.
func NewServer(d Deps) *Server {
	if d.KeepAlive <= 0 {
		d.KeepAlive = DefaultKeepAlive
	}
	s := &Server{
		tasks: d.Tasks, users: d.Users, auth: d.Auth, notifications: d.Notifications,
		changes: d.Changes, trash: d.Trash, calendar: d.Calendar, filters: d.Filters, stats: d.Stats, conversations: d.Conversations, listener: d.Listener,
		devTokens: d.DevTokens, keepAlive: d.KeepAlive,
		mux: http.NewServeMux(),
	}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.handle("POST /v1/tasks", s.createTask, false)
	s.handle("POST /v1/tasks/quick", s.quickAdd, false)
	s.handle("POST /v1/tasks/bulk", s.bulkTasks, false)
	s.handle("GET /v1/tasks", s.listTasks, false)
	s.handle("GET /v1/tasks/{id}", s.getTask, false)
	s.handle("PATCH /v1/tasks/{id}", s.patchTask, false)
	s.handle("DELETE /v1/tasks/{id}", s.deleteTask, false)
	s.handle("POST /v1/tasks/{id}/complete", s.completeTask, false)
	s.handle("POST /v1/tasks/{id}/reopen", s.setStatus(taskwire.StatusOpen), false)
	s.handle("POST /v1/tasks/{id}/restore", s.restoreTask, false)
	s.handle("POST /v1/tasks/{id}/skip", s.skipOccurrence, false)
	s.handle("POST /v1/tasks/{id}/unskip", s.undoSkip, false)
	s.handle("POST /v1/tasks/{id}/move", s.moveTask, false)
	s.handle("GET /v1/tasks/{id}/history", s.taskHistory, false)
	s.handle("GET /v1/tags", s.listTags, false)
	s.handle("GET /v1/filters", s.listFilters, false)
	s.handle("POST /v1/filters", s.createFilter, false)
	s.handle("PATCH /v1/filters/{id}", s.patchFilter, false)
	s.handle("DELETE /v1/filters/{id}", s.deleteFilter, false)
	s.handle("PATCH /v1/tags/{name}", s.renameTag, false)
	s.handle("DELETE /v1/tags/{name}", s.deleteTag, false)
	s.handle("GET /v1/trash", s.listTrash, false)
	s.handle("GET /v1/export", s.exportData, false)
	s.handle("GET /v1/export/tasks.csv", s.exportCSV, false)
	s.handle("GET /v1/export/tasks.ics", s.exportICS, false)
	s.handle("POST /v1/import", s.importData, false)
	s.handle("DELETE /v1/trash/{id}", s.purgeTask, false)
	s.handle("DELETE /v1/trash", s.emptyTrash, false)
	s.handle("GET /v1/stats", s.getStats, false)
	s.handle("GET /v1/me", s.getMe, false)
	s.handle("PATCH /v1/me", s.patchMe, false)
	s.handle("DELETE /v1/me", s.deleteMe, false)
	s.handle("GET /v1/changes", s.listChanges, false)
	s.handle("GET /v1/stream", s.stream, false)
	s.handle("GET /v1/notifications", s.listNotifications, false)
	s.handle("POST /v1/notifications/{id}/read", s.readNotification, false)
	s.handle("POST /v1/notifications/{id}/snooze", s.snoozeNotification, false)
	s.handle("POST /v1/notifications/read", s.readAllNotifications, false)
	s.handle("GET /v1/calendar-feed", s.getCalendarFeed, false)
	s.handle("POST /v1/calendar-feed", s.createCalendarFeed, false)
	s.handle("DELETE /v1/calendar-feed", s.deleteCalendarFeed, false)
	s.handlePublic("GET "+CalendarPath+"{file}", s.serveCalendar)
	if s.devTokens != nil {
		s.handlePublic("POST /v1/dev/token", s.devToken)
	}

	// The hackathon clients' routes: the same handlers under the user's id.
	s.handle("GET /api/{user_id}/tasks", s.listTasks, true)
	s.handle("POST /api/{user_id}/tasks", s.createTask, true)
	s.handle("GET /api/{user_id}/tasks/{id}", s.getTask, true)
	s.handle("PUT /api/{user_id}/tasks/{id}", s.putTask, true)
	s.handle("DELETE /api/{user_id}/tasks/{id}", s.deleteTask, true)
	s.handle("PATCH /api/{user_id}/tasks/{id}/complete", s.toggleTask, true)
}

// Patterns returns the method and path of every route the server serves.
func (s *Server) Patterns() []string {
	return append([]string(nil), s.patterns...)
}

// takesQuery are the routes whose handlers read query parameters, each refusing the ones
// it does not know; every other route refuses any, so that a typo is not silently ignored.
var takesQuery = map[string]bool{
	"GET /v1/tasks": true, "POST /v1/tasks/quick": true, "GET /v1/changes": true, "GET /v1/stream": true,
	"GET /v1/notifications": true, "GET /api/{user_id}/tasks": true, "GET /v1/trash": true,
	"GET " + CalendarPath + "{file}": true, "GET /v1/export/tasks.csv": true, "GET /v1/export/tasks.ics": true,
	"POST /v1/import": true, "GET /v1/stats": true, "GET /v1/tasks/{id}/history": true,
}

// handle registers h behind authentication; alias routes also check {user_id} and mark
// the request so that tasks carry the clients' "completed" field.
func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request) error, alias bool) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ctx, err := s.authenticate(r)
		if err == nil && alias {
			err = CheckPathUser(ctx, r)
		}
		if err == nil && !takesQuery[pattern] {
			err = RefuseQuery(r)
		}
		if err == nil {
			err = checkIfMatch(r)
		}
		if err == nil {
			if alias {
				ctx = context.WithValue(ctx, aliasKey{}, true)
			}
			err = h(w, r.WithContext(ctx))
		}
		if err != nil {
			problem.Write(w, r, err)
		}
	})
}

type aliasKey struct{}

// handlePublic registers h without authentication: for a route that needs no sign-in
// (a development token) or whose request carries a credential of its own (a calendar
// feed's token).
func (s *Server) handlePublic(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var err error
		if !takesQuery[pattern] {
			err = RefuseQuery(r)
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			problem.Write(w, r, err)
		}
	})
}

// checkIfMatch is EMALFORMED, naming If-Match, when r has the header but no entity tag
// in it: empty (a client's unset variable, which would otherwise change the task
// unguarded while the client believes it guarded) or not a tag ("*", "3", W/"3", or a
// list of them).
func checkIfMatch(r *http.Request) error {
	values, ok := r.Header["If-Match"]
	if !ok {
		return nil
	}
	joined := strings.Join(values, ",")
	if strings.TrimSpace(joined) == "" {
		return taskwire.FieldErrorf(taskwire.EMALFORMED, "If-Match",
			`If-Match is empty: send the task's ETag ("3"), or no If-Match to change it whatever its version`)
	}
	for _, tag := range strings.Split(joined, ",") {
		if tag = strings.TrimSpace(tag); !entityTag(tag) {
			return taskwire.FieldErrorf(taskwire.EMALFORMED, "If-Match",
				`If-Match must be the task's ETag, such as "3" (or 3, or *), got %q`, tag)
		}
	}
	return nil
}

// entityTag reports whether tag is one If-Match may hold: "*", a quoted tag, weak or
// not (RFC 9110), or a version without its quotes.
func entityTag(tag string) bool {
	if tag == "*" {
		return true
	}
	if opaque, ok := strings.CutPrefix(strings.TrimPrefix(tag, "W/"), `"`); ok {
		inner, closed := strings.CutSuffix(opaque, `"`)
		return closed && !strings.Contains(inner, `"`)
	}
	_, err := strconv.ParseUint(tag, 10, 63)
	return err == nil
}

// RefuseQuery is EMALFORMED, naming the parameter, when r has a query parameter: for a
// route that takes none.
func RefuseQuery(r *http.Request) error {
	_, err := queryParams(r.URL.Query())
	return err
}

// ServeHTTP routes a request; unknown paths and methods are answered as problems too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	ServeUnrouted(s.mux, w, r)
}

// ServeUnrouted answers a request mux has no route for: a 405 problem with Allow when
// the path has routes for other methods, else a 404 problem.
func ServeUnrouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	probe := &statusRecorder{header: http.Header{}}
	mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		problem.WriteDetails(w, problem.MethodNotAllowed(r, probe.header.Get("Allow")))
		return
	}
	problem.Write(w, r, taskwire.Errorf(taskwire.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path))
}

// statusRecorder learns what the mux would answer, writing nothing.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(status int)      { s.status = status }

// authenticate verifies the bearer token and returns a context carrying its user, whose
// row is created on first sight.
func (s *Server) authenticate(r *http.Request) (context.Context, error) {
	token, err := auth.BearerToken(r.Header)
	if err != nil {
		return nil, err
	}
	id, err := s.auth.Identify(r.Context(), token)
	if err != nil {
		return nil, err
	}
	user := id.Subject
	if !utf8.ValidString(user) || strings.ContainsRune(user, 0) {
		// A trusted issuer may sign any subject, but PostgreSQL's text cannot hold this one.
		return nil, taskwire.Errorf(taskwire.EUNAUTHORIZED, "token subject must be valid UTF-8 without NUL characters")
	}
	ctx := taskwire.NewContextWithUser(r.Context(), user)
	if err := s.users.EnsureUser(ctx, user, id.IssuedAt); err != nil {
		return nil, err
	}
	return ctx, nil
}

// readBody reads a request body of at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBodyUpTo(w, r, MaxBodyBytes)
}

// decodeOptionalBody decodes the request's JSON body into dst, strictly, as readBody
// bounds it; a body that is empty or blank is {} and leaves dst as it is.
func decodeOptionalBody(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readBody(w, r)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	return taskwire.DecodeJSON(body, dst)
}

// readBodyUpTo reads a request body of at most limit bytes; a larger one is ETOOLARGE, a
// compressed one (Content-Encoding) EMALFORMED. A UTF-8 byte order mark before it, which some Windows tools write, is dropped, as RFC
// 8259 lets a JSON reader do.
func readBodyUpTo(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, "Content-Encoding",
			"the body is sent %s-encoded, which the API does not take: send it uncompressed, without Content-Encoding", enc)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, taskwire.Errorf(taskwire.ETOOLARGE, "the body exceeds %d bytes", limit)
	} else if err != nil {
		return nil, taskwire.Errorf(taskwire.EMALFORMED, "the body cannot be read: %v", err)
	}
	return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), nil
}

// writeJSON writes v as JSON with status, followed by a newline, as json.Encoder writes
// it. The body is built in a pooled buffer before anything is written, so that it goes
// out in one write with its Content-Length, and a value that cannot be encoded is still
// answered with a problem.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	buf := jsonBuffers.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledJSON {
			jsonBuffers.Put(buf)
		}
	}()
	b, err := appendJSON((*buf)[:0], v)
	*buf = b[:0]
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// maxPooledJSON bounds the buffers writeJSON keeps for reuse; a rare larger body's buffer
// is left to the garbage collector.
const maxPooledJSON = 1 << 20

var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// appendJSON appends v as json.Encoder encodes it, newline included: tasks, pages of tasks
// and their aliases by appendTask, anything else by encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	if out, ok := appendTaskJSON(b, v); ok {
		return append(out, '\n'), nil
	}
	buf := bytes.NewBuffer(b)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return b, err
	}
	return buf.Bytes(), nil
}
