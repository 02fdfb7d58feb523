package rest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/fileimport"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// ExportFormat names the shape of GET /v1/export's document, for whoever reads it later.
const ExportFormat = "taskwire-export/1"

// Export is the document GET /v1/export writes, a page at a time: everything the user
// keeps in Taskwire.
type Export struct {
	Format        string                   `json:"format"`
	ExportedAt    time.Time                `json:"exported_at"`
	User          *taskwire.User           `json:"user"`          // without the webhook secret
	Tasks         []*taskwire.Task         `json:"tasks"`         // open and completed, in the order they were made
	Trash         []taskwire.DeletedTask   `json:"trash"`         // the latest deletion first
	Notifications []*taskwire.Notification `json:"notifications"` // the reminders that fired, the latest first
	Conversations []ExportedConversation   `json:"conversations"` // with the assistant, the latest active first
	SavedFilters  []*taskwire.SavedFilter  `json:"saved_filters"` // by name
}

// ExportedConversation is a conversation with the assistant as an export holds it: with
// every message, oldest first.
type ExportedConversation struct {
	taskwire.Conversation
	Messages []*taskwire.Message `json:"messages"`
}

// ConversationReader reads the signed-in user's conversations with the assistant, for
// the export (postgres.ConversationService).
type ConversationReader interface {
	// FindConversations lists conversations, the latest active first, after after.
	FindConversations(ctx context.Context, limit int, after *taskwire.ConversationCursor) ([]*taskwire.Conversation, bool, error)
	// FindMessagesAfter returns the first limit messages after message after (0: from
	// the first), oldest first, and whether later ones exist.
	FindMessagesAfter(ctx context.Context, id uuid.UUID, limit int, after int64) (
		*taskwire.Conversation, []*taskwire.Message, bool, error)
}

// exportPage is how many tasks, notifications, conversations or messages the export
// reads at a time.
const exportPage = taskwire.MaxLimit

// exportData answers GET /v1/export: the user's settings, every task, the trash, the
// notifications and the conversations with the assistant, as one JSON document to
// download, written as it is read so that a large account needs no more memory than a
// page. A failure before the first page is a problem; after it, the connection is broken
// off, so that the download fails rather than looking complete.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me, err := s.users.FindMe(ctx)
	if err != nil {
		return err
	}
	filter := taskwire.TaskFilter{Status: "all", Sort: taskwire.Sort{Field: taskwire.SortCreatedAt}, Limit: exportPage}
	page, err := s.tasks.FindTasks(ctx, filter)
	if err != nil {
		return err
	}
	me.WebhookSecret = nil // a file that travels holds no credentials
	head, err := json.Marshal(me)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="taskwire-export-%s.json"`, fileDay(now, me.TimeZone)))
	body, finish := compressed(w, r)
	out := bufio.NewWriterSize(body, 64<<10)
	fmt.Fprintf(out, `{"format":%q,"exported_at":%q,"user":%s`, ExportFormat, now.Format(time.RFC3339Nano), head)

	sections := []struct {
		name  string
		write func(ctx context.Context, items *jsonArray) error
	}{
		{"tasks", func(ctx context.Context, items *jsonArray) error {
			return s.eachTask(ctx, filter, page, func(t *taskwire.Task) error { return items.add(t) })
		}},
		{"trash", s.exportTrash},
		{"notifications", s.exportNotifications},
		{"conversations", s.exportConversations},
		{"saved_filters", func(ctx context.Context, items *jsonArray) error {
			filters, err := s.filters.SavedFilters(ctx)
			for _, f := range filters {
				if err := items.add(f); err != nil {
					return err
				}
			}
			return err
		}},
	}
	for _, section := range sections {
		fmt.Fprintf(out, `,%q:`, section.name)
		items := newJSONArray(out)
		if err := section.write(ctx, items); err != nil {
			breakOff(ctx, "export", err)
		}
		items.close()
	}
	out.WriteString("}\n")
	if err := out.Flush(); err != nil {
		breakOff(ctx, "export", err)
	}
	if err := finish(); err != nil {
		breakOff(ctx, "export", err)
	}
	return nil
}

// eachTask calls fn with every task of filter in its order, from page, its first page, on.
func (s *Server) eachTask(ctx context.Context, filter taskwire.TaskFilter, page *taskwire.TaskPage,
	fn func(*taskwire.Task) error) error {
	for {
		for _, t := range page.Items {
			if err := fn(t); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		var err error
		if filter.Cursor, err = taskwire.ParseCursor(page.NextCursor, filter.Sort); err != nil {
			return err
		}
		if page, err = s.tasks.FindTasks(ctx, filter); err != nil {
			return err
		}
	}
}

// exportTrash adds the tasks in the trash to items, the latest deletion first.
func (s *Server) exportTrash(ctx context.Context, items *jsonArray) error {
	var cursor *taskwire.Cursor
	for {
		deleted, err := s.trash.Trash(ctx, exportPage, cursor)
		if err != nil {
			return err
		}
		for _, d := range deleted.Items {
			if err := items.add(d); err != nil {
				return err
			}
		}
		if deleted.NextCursor == "" {
			return nil
		}
		if cursor, err = taskwire.ParseCursor(deleted.NextCursor, taskwire.TrashOrder); err != nil {
			return err
		}
	}
}

// exportNotifications adds the in-app notifications to items, read and unread, the latest
// first.
func (s *Server) exportNotifications(ctx context.Context, items *jsonArray) error {
	var before *taskwire.Notification
	for {
		notes, err := s.notifications.FindNotifications(ctx, false, exportPage, before)
		if err != nil {
			return err
		}
		for _, n := range notes {
			if err := items.add(n); err != nil {
				return err
			}
		}
		if len(notes) < exportPage {
			return nil
		}
		before = notes[len(notes)-1]
	}
}

// exportConversations adds the conversations with the assistant to items, the latest
// active first, each with its messages oldest first.
func (s *Server) exportConversations(ctx context.Context, items *jsonArray) error {
	var after *taskwire.ConversationCursor
	for {
		list, more, err := s.conversations.FindConversations(ctx, exportPage, after)
		if err != nil {
			return err
		}
		for _, c := range list {
			if err := s.exportConversation(ctx, items, c); err != nil {
				return err
			}
		}
		if !more || len(list) == 0 {
			return nil
		}
		last := list[len(list)-1]
		after = &taskwire.ConversationCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}
	}
}

// exportConversation adds conversation c to items, as an ExportedConversation written a
// page of messages at a time, oldest first. A conversation deleted since it was listed
// has none.
func (s *Server) exportConversation(ctx context.Context, items *jsonArray, c *taskwire.Conversation) error {
	head, err := json.Marshal(c)
	if err != nil {
		return err
	}
	items.next()
	items.out.Write(head[:len(head)-1]) // the object open: the messages join it
	items.out.WriteString(`,"messages":`)
	messages := newJSONArray(items.out)
	var after int64
	for {
		_, page, more, err := s.conversations.FindMessagesAfter(ctx, c.ID, exportPage, after)
		if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
			break
		}
		if err != nil {
			return err
		}
		for _, m := range page {
			if err := messages.add(m); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
	}
	messages.close()
	return items.out.WriteByte('}')
}

// breakOff ends a response whose status is sent and whose body cannot be finished, what
// being its name in the log: all that is left to say is that the body is not whole, so
// the connection is broken off (http.ErrAbortHandler), and the client sees a failed
// download rather than one that looks complete. It does not return.
func breakOff(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		slog.InfoContext(ctx, what+" ended by the client", "err", err)
	} else {
		slog.ErrorContext(ctx, what+" broken off", "err", err)
	}
	panic(http.ErrAbortHandler)
}

// jsonArray writes a JSON array to out an item at a time.
type jsonArray struct {
	out   *bufio.Writer
	first bool
}

// newJSONArray opens an array on out.
func newJSONArray(out *bufio.Writer) *jsonArray {
	out.WriteByte('[')
	return &jsonArray{out: out, first: true}
}

// next starts the next item: a comma after the one before.
func (a *jsonArray) next() {
	if !a.first {
		a.out.WriteByte(',')
	}
	a.first = false
}

// add writes v as the next item.
func (a *jsonArray) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	a.next()
	_, err = a.out.Write(b)
	return err
}

// close ends the array.
func (a *jsonArray) close() { a.out.WriteByte(']') }

// MaxImportBytes bounds the body of POST /v1/import: an export of about 30 000 tasks.
const MaxImportBytes = 16 << 20

// Imported answers POST /v1/import.
type Imported struct {
	Added   int `json:"added"`   // tasks the file added
	Present int `json:"present"` // tasks of the file the user had already, left as they are
	Filters int `json:"filters"` // saved filters the file added, by names the user had not
}

// importDoc is an export as POST /v1/import reads it: its tasks, checked one by one.
type importDoc struct {
	Format       string                  `json:"format"`
	ExportedAt   *time.Time              `json:"exported_at"`
	User         json.RawMessage         `json:"user"`
	Tasks        taskwire.ExportedTasks  `json:"tasks"`
	SavedFilters []*taskwire.SavedFilter `json:"saved_filters"`
	// Not imported: what was meant to go, and records of what happened.
	Trash         json.RawMessage `json:"trash"`
	Notifications json.RawMessage `json:"notifications"`
	Conversations json.RawMessage `json:"conversations"`
}

// importData answers POST /v1/import: the tasks of an export (GET /v1/export's document)
// added to the user's list, all or none. Its settings (saved filters too), trash,
// notifications and conversations are not imported. A body of type text/csv is a project as Todoist
// exports it or a TickTick backup, one of type text/calendar an iCalendar file's tasks
// (VTODO), and one of type application/zip an archive of such files, Todoist's backup
// (shared/fileimport), read in the user's zone; ?name= is the file's name, whose project
// tags a Todoist project's tasks.
func (s *Server) importData(w http.ResponseWriter, r *http.Request) error {
	name, _, err := onlyParam(r.URL.Query(), "name")
	if err != nil {
		return err
	}
	body, err := readBodyUpTo(w, r, MaxImportBytes)
	if err != nil {
		return err
	}
	if !isJSON(r.Header.Get("Content-Type"), body) {
		return s.importFile(w, r, name, body)
	}
	var doc importDoc
	if err := taskwire.DecodeJSON(body, &doc); err != nil {
		return err
	}
	if doc.Format != ExportFormat {
		return taskwire.FieldErrorf(taskwire.EINVALID, "format", "the file is not a Taskwire export: its format must be %s, got %q", ExportFormat, doc.Format)
	}
	tasks := make([]*taskwire.Task, len(doc.Tasks))
	for i, e := range doc.Tasks {
		if tasks[i], err = e.Task(fmt.Sprintf("tasks[%d]", i)); err != nil {
			return err
		}
	}
	filters, err := importedFilters(doc.SavedFilters)
	if err != nil {
		return err
	}
	added, present, err := s.tasks.ImportTasks(r.Context(), tasks)
	if err != nil {
		return err
	}
	n, err := s.addFilters(r.Context(), filters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Imported{Added: added, Present: present, Filters: n})
}

// importedFilters checks the saved filters of an export as POST /v1/filters checks a
// new one, naming the one refused by its place (saved_filters[1].query), and returns
// them with their queries canonical.
func importedFilters(in []*taskwire.SavedFilter) ([]taskwire.SavedFilter, error) {
	out := make([]taskwire.SavedFilter, 0, len(in))
	for i, f := range in {
		field := fmt.Sprintf("saved_filters[%d]", i)
		if f == nil {
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, field, "%s must be a saved filter, got null", field)
		}
		name, err := taskwire.ValidFilterName(field+".name", f.Name)
		if err != nil {
			return nil, err
		}
		query, err := CanonicalFilterQuery(field+".query", f.Query)
		if err != nil {
			return nil, err
		}
		out = append(out, taskwire.SavedFilter{Name: name, Query: query})
	}
	return out, nil
}

// addFilters saves the filters whose names (in any case) the user has not, in order,
// up to the most a user may have, and returns how many it saved. It runs after the
// tasks' import commits: should it fail, importing the file again adds the rest.
func (s *Server) addFilters(ctx context.Context, filters []taskwire.SavedFilter) (int, error) {
	if len(filters) == 0 {
		return 0, nil
	}
	have, err := s.filters.SavedFilters(ctx)
	if err != nil {
		return 0, err
	}
	taken := make(map[string]bool, len(have))
	for _, f := range have {
		taken[strings.ToLower(f.Name)] = true
	}
	added := 0
	for _, f := range filters {
		if taken[strings.ToLower(f.Name)] || len(have)+added >= taskwire.MaxSavedFilters {
			continue
		}
		taken[strings.ToLower(f.Name)] = true
		switch _, err := s.filters.CreateSavedFilter(ctx, f.Name, f.Query); {
		case taskwire.ErrorCode(err) == taskwire.ECONFLICT: // saved meanwhile under that name
		case taskwire.ErrorCode(err) == taskwire.EINVALID: // the most there can be, saved meanwhile
			return added, nil
		case err != nil:
			return added, err
		default:
			added++
		}
	}
	return added, nil
}

// fileDay is the date a download's name carries: the user's day at now, where they save
// it (in Tokyo at 06:00 on the 7th, the 7th, not UTC's 6th).
func fileDay(now time.Time, zone string) string {
	return now.In(taskwire.LoadZone(zone)).Format(taskwire.DateLayout)
}

// isJSON reports whether an import of type contentType is a Taskwire export: said to be
// JSON, or, said to be none of the other formats (curl sends a file as a form, and other
// clients as bytes), a body that begins as a JSON object does.
func isJSON(contentType string, body []byte) bool {
	media, _, _ := mime.ParseMediaType(contentType)
	switch {
	case media == "application/json" || strings.HasSuffix(media, "+json"):
		return true
	case media == "text/csv" || media == "text/calendar" || media == "application/zip":
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))
}

// importFile imports body, a file called name ("" for not said) that another todo app
// exported (CSV, an iCalendar file of tasks, or a ZIP archive of them), for POST
// /v1/import.
func (s *Server) importFile(w http.ResponseWriter, r *http.Request, name string, body []byte) error {
	me, err := s.users.FindMe(r.Context())
	if err != nil {
		return err
	}
	tasks, err := fileimport.ReadFile(name, body, me.ID, me.TimeZone, time.Now())
	if err != nil {
		return err
	}
	return s.importTasks(w, r, tasks)
}

// importTasks adds tasks to the user's list and answers how many it added.
func (s *Server) importTasks(w http.ResponseWriter, r *http.Request, tasks []*taskwire.Task) error {
	added, present, err := s.tasks.ImportTasks(r.Context(), tasks)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Imported{Added: added, Present: present})
}
