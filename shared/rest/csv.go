package rest

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// csvColumns are the header of GET /v1/export/tasks.csv, one column per field of a task
// that a spreadsheet can show; the JSON export is the one that imports back.
var csvColumns = []string{
	"number", "title", "status", "priority", "tags", "due_date", "due_at", "time_zone", "duration",
	"recurrence", "repeat_from", "checklist", "description", "completed_at", "created_at", "updated_at", "id",
}

// exportCSV answers GET /v1/export/tasks.csv: every task of the user, open and completed,
// in the order they were made, one row each, for a spreadsheet; or those that the
// listing's filters and sort select (?status=open&tag=work&sort=due_at), as exportTasks
// reads and writes them.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) error {
	return s.exportTasks(w, r, "text/csv; charset=utf-8; header=present", "csv", func(body io.Writer, _ time.Time) taskFile {
		out := bufio.NewWriterSize(body, 64<<10)
		out.WriteString("\uFEFF") // the byte order mark by which Excel knows the file is UTF-8
		rows := csv.NewWriter(out)
		rows.UseCRLF = true        // RFC 4180
		_ = rows.Write(csvColumns) // an error stays in rows, for Close
		return csvFile{rows, out}
	})
}

// csvFile writes tasks as rows of CSV through a buffer.
type csvFile struct {
	rows *csv.Writer
	out  *bufio.Writer
}

// Add writes t as a row.
func (f csvFile) Add(t *taskwire.Task) error { return f.rows.Write(csvRow(t)) }

// Close writes out what is buffered, and returns the first error of any write.
func (f csvFile) Close() error {
	f.rows.Flush()
	if err := f.rows.Error(); err != nil {
		return err
	}
	return f.out.Flush()
}

// exportICS answers GET /v1/export/tasks.ics: the tasks the listing's filters select
// (every task, open and completed, by default), as an iCalendar file of VTODOs for the
// apps that keep tasks in one (calendar.Todos), as exportTasks reads and writes them.
func (s *Server) exportICS(w http.ResponseWriter, r *http.Request) error {
	return s.exportTasks(w, r, calendar.ContentType, "ics", func(body io.Writer, now time.Time) taskFile {
		return todoFile{calendar.NewTodos(body, now), r.Context(), s.tasks}
	})
}

// todoFile writes tasks as iCalendar to-dos.
type todoFile struct {
	*calendar.Todos
	ctx   context.Context
	tasks TaskStore
}

// Add writes t as a to-do, a series' occurrence with its place for COUNT (a round trip
// for each task whose rule has one); a write error shows at Close.
func (f todoFile) Add(t *taskwire.Task) error {
	index := 1
	if t.Recurrence != nil && recur.Count(*t.Recurrence) > 0 {
		var err error
		if index, err = f.tasks.SeriesIndex(f.ctx, t.ID); err != nil {
			return err
		}
	}
	f.Todos.Add(t, index)
	return nil
}

// taskFile is a download of tasks being written: a task at a time, then the end.
type taskFile interface {
	Add(t *taskwire.Task) error
	Close() error
}

// exportTasks answers a download of the tasks that the listing's filters and sort select
// (exportFirstPage), a file named taskwire-tasks-DATE.ext (DATE the user's day) of type
// contentType, which open starts on the body (gzip-compressed when the client takes it)
// at now. The file is written as the tasks are read, a page at a time, and broken off on
// a failure after the first page, so that the download fails rather than looking
// complete.
func (s *Server) exportTasks(w http.ResponseWriter, r *http.Request, contentType, ext string,
	open func(body io.Writer, now time.Time) taskFile) error {
	ctx := r.Context()
	filter, page, err := s.exportFirstPage(r)
	if err != nil {
		return err
	}
	me, err := s.users.FindMe(ctx)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="taskwire-tasks-%s.%s"`, fileDay(now, me.TimeZone), ext))
	body, finish := compressed(w, r)
	file := open(body, now)
	if err := s.eachTask(ctx, filter, page, file.Add); err != nil {
		breakOff(ctx, ext+" export", err)
	}
	if err := file.Close(); err != nil {
		breakOff(ctx, ext+" export", err)
	}
	if err := finish(); err != nil {
		breakOff(ctx, ext+" export", err)
	}
	return nil
}

// exportFirstPage reads the filters of a task export (the listing's, whose status is all
// unless it says, without limit or cursor: an export holds every task they select) and the
// first page of the tasks.
func (s *Server) exportFirstPage(r *http.Request) (taskwire.TaskFilter, *taskwire.TaskPage, error) {
	q := r.URL.Query()
	for _, name := range []string{"limit", "cursor"} {
		if q.Has(name) {
			return taskwire.TaskFilter{}, nil, taskwire.FieldErrorf(taskwire.EMALFORMED, name,
				"%s is no parameter of the export, which holds every task the filters select", name)
		}
	}
	if !q.Has("status") {
		q.Set("status", "all") // the whole list, where a listing shows the open tasks
	}
	filter, err := ParseFilter(q)
	if err != nil {
		return filter, nil, err
	}
	filter.Limit = exportPage
	page, err := s.tasks.FindTasks(r.Context(), filter)
	return filter, page, err
}

// csvRow is t as a row under csvColumns. Times are RFC 3339 in the task's zone; tags are
// joined by ", ", the checklist's steps by line breaks, each "[x] " or "[ ] " first.
func csvRow(t *taskwire.Task) []string {
	loc := taskwire.LoadZone(t.TimeZone)
	when := func(at *time.Time) string {
		if at == nil {
			return ""
		}
		return at.In(loc).Format(time.RFC3339)
	}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	steps := make([]string, len(t.Checklist))
	for i, step := range t.Checklist {
		box := "[ ] "
		if step.Done {
			box = "[x] "
		}
		steps[i] = box + step.Text
	}
	return []string{
		strconv.FormatInt(t.Number, 10),
		inert(t.Title),
		string(t.Status),
		string(t.Priority),
		inert(strings.Join(t.Tags, ", ")),
		text(t.DueDate),
		when(t.DueAt),
		t.TimeZone,
		text(t.Duration),
		text(t.Recurrence),
		string(t.RepeatFrom),
		inert(strings.Join(steps, "\n")),
		inert(t.Description),
		when(t.CompletedAt),
		when(&t.CreatedAt),
		when(&t.UpdatedAt),
		t.ID.String(),
	}
}

// inert keeps text a spreadsheet would run as a formula ("=HYPERLINK(…)", "+1", "@SUM",
// as OWASP's CSV injection advice lists them) as text: a quote before it.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
