package rest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// ExportFormat names the shape of GET /v1/export's document, for whoever reads it later.
const ExportFormat = "taskwire-export/1"

// Export is the document GET /v1/export writes, a page of tasks at a time: everything the
// user keeps in Taskwire's task API.
type Export struct {
	Format     string                 `json:"format"`
	ExportedAt time.Time              `json:"exported_at"`
	User       *taskwire.User         `json:"user"`  // without the webhook secret
	Tasks      []*taskwire.Task       `json:"tasks"` // open and completed, in the order they were made
	Trash      []taskwire.DeletedTask `json:"trash"` // the latest deletion first
}

// exportPage is how many tasks the export reads at a time.
const exportPage = taskwire.MaxLimit

// exportData answers GET /v1/export: the user's settings, every task and the trash, as
// one JSON document to download, written as it is read so that a large account needs no
// more memory than a page. A failure before the first page is a problem; after it, the
// connection is broken off, so that the download fails rather than looking complete.
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
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="taskwire-export-%s.json"`, now.Format("2006-01-02")))
	body, finish := compressed(w, r)
	out := bufio.NewWriterSize(body, 64<<10)
	fmt.Fprintf(out, `{"format":%q,"exported_at":%q,"user":%s,"tasks":[`, ExportFormat, now.Format(time.RFC3339Nano), head)

	fail := func(err error) error {
		breakOff(ctx, "export", err)
		return nil
	}
	first := true
	for {
		for _, t := range page.Items {
			if err := writeItem(out, &first, t); err != nil {
				return fail(err)
			}
		}
		if page.NextCursor == "" {
			break
		}
		if filter.Cursor, err = taskwire.ParseCursor(page.NextCursor, filter.Sort); err != nil {
			return fail(err)
		}
		if page, err = s.tasks.FindTasks(ctx, filter); err != nil {
			return fail(err)
		}
	}
	out.WriteString(`],"trash":[`)
	first = true
	var cursor *taskwire.Cursor
	for {
		deleted, err := s.trash.Trash(ctx, exportPage, cursor)
		if err != nil {
			return fail(err)
		}
		for _, d := range deleted.Items {
			if err := writeItem(out, &first, d); err != nil {
				return fail(err)
			}
		}
		if deleted.NextCursor == "" {
			break
		}
		if cursor, err = taskwire.ParseCursor(deleted.NextCursor, taskwire.TrashOrder); err != nil {
			return fail(err)
		}
	}
	out.WriteString("]}\n")
	if err := out.Flush(); err != nil {
		return fail(err)
	}
	if err := finish(); err != nil {
		return fail(err)
	}
	return nil
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

// writeItem writes v as the next item of a JSON array whose items so far first tells.
func writeItem(out *bufio.Writer, first *bool, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !*first {
		out.WriteByte(',')
	}
	*first = false
	_, err = out.Write(b)
	return err
}

// MaxImportBytes bounds the body of POST /v1/import: an export of about 30 000 tasks.
const MaxImportBytes = 16 << 20

// Imported answers POST /v1/import.
type Imported struct {
	Added   int `json:"added"`   // tasks the file added
	Present int `json:"present"` // tasks of the file the user had already, left as they are
}

// importDoc is an export as POST /v1/import reads it: its tasks, checked one by one.
type importDoc struct {
	Format     string                 `json:"format"`
	ExportedAt *time.Time             `json:"exported_at"`
	User       json.RawMessage        `json:"user"`
	Tasks      taskwire.ExportedTasks `json:"tasks"`
	Trash      json.RawMessage        `json:"trash"`
}

// importData answers POST /v1/import: the tasks of an export (GET /v1/export's document)
// added to the user's list, all or none. Its settings and trash are not imported.
func (s *Server) importData(w http.ResponseWriter, r *http.Request) error {
	body, err := readBodyUpTo(w, r, MaxImportBytes)
	if err != nil {
		return err
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
	added, present, err := s.tasks.ImportTasks(r.Context(), tasks)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Imported{Added: added, Present: present})
}
