package rest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/calendar"
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
// listing's filters and sort select (?status=open&tag=work&sort=due_at). It reads every
// page itself, so limit and cursor are no parameters of it. It is written as it is read,
// as the JSON export is, and broken off on a failure after the first page.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	filter, page, err := s.exportFirstPage(r)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="taskwire-tasks-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	body, finish := compressed(w, r)
	out := bufio.NewWriterSize(body, 64<<10)
	out.WriteString("\uFEFF") // the byte order mark by which Excel knows the file is UTF-8
	rows := csv.NewWriter(out)
	rows.UseCRLF = true // RFC 4180
	if err := rows.Write(csvColumns); err != nil {
		breakOff(ctx, "csv export", err)
	}
	err = s.eachTask(ctx, filter, page, func(t *taskwire.Task) error { return rows.Write(csvRow(t)) })
	if err != nil {
		breakOff(ctx, "csv export", err)
	}
	rows.Flush()
	if err := rows.Error(); err != nil {
		breakOff(ctx, "csv export", err)
	}
	if err := out.Flush(); err != nil {
		breakOff(ctx, "csv export", err)
	}
	if err := finish(); err != nil {
		breakOff(ctx, "csv export", err)
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

// exportICS answers GET /v1/export/tasks.ics: the tasks the listing's filters select
// (every task, open and completed, by default), as an iCalendar file of VTODOs for the
// apps that keep tasks in one (calendar.Todos), written as it is read.
func (s *Server) exportICS(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	filter, page, err := s.exportFirstPage(r)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	h := w.Header()
	h.Set("Content-Type", calendar.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="taskwire-tasks-%s.ics"`, now.Format("2006-01-02")))
	body, finish := compressed(w, r)
	todos := calendar.NewTodos(body, now)
	err = s.eachTask(ctx, filter, page, func(t *taskwire.Task) error {
		todos.Add(t)
		return nil
	})
	if err != nil {
		breakOff(ctx, "ics export", err)
	}
	if err := todos.Close(); err != nil {
		breakOff(ctx, "ics export", err)
	}
	if err := finish(); err != nil {
		breakOff(ctx, "ics export", err)
	}
	return nil
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
