// Package fileimport reads the files other todo apps export, a project Todoist exported
// and a TickTick backup (CSV), and the tasks (VTODO) of an iCalendar file, as the tasks of
// a Taskwire import, so that someone leaving them brings their lists along. It holds no
// I/O.
package fileimport

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxTasks bounds the tasks of one file, as the size of an import bounds a Taskwire
// export's (16 MiB, about 30 000 tasks): a row of CSV can be a few bytes.
const MaxTasks = 30000

// Read reads data as an iCalendar file's tasks, Todoist's or TickTick's file, whichever it
// is (a calendar by its BEGIN:VCALENDAR, a TickTick backup by its header), with the tasks
// of user in zone where the file names none, at now. Tasks have number 0: each takes the
// user's next. An error is EINVALID naming the line and column ("line[4].DATE"), or the
// file; ETOOLARGE for more than MaxTasks tasks.
func Read(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	return ReadFile("", data, user, zone, now)
}

// Limits of a ZIP archive's files, which can unpack to far more than the body they came
// in: how many there may be, and how large they may be together, unpacked.
const (
	MaxZipFiles = 1000
	MaxZipBytes = 64 << 20
)

// ReadFile is Read for the file called name ("" for a name not known): a project Todoist
// exported is named for the project ("Work.csv", "Work [2203306141].csv" in its backups),
// which tags its tasks (but the Inbox's) and keeps them apart from another project's. A
// ZIP archive (Todoist's backup: a CSV file per project) is read file by file, those
// ending in .csv or .ics, its tasks together; an error names the file inside it
// ("Work.csv: line[4].DATE"). More than MaxZipFiles files, or more than MaxZipBytes
// unpacked, is ETOOLARGE.
func ReadFile(name string, data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		// A file path mistyped sends nothing ("curl --data-binary @Tasks.ics" without the file).
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the file is empty: send a Todoist or TickTick CSV, an iCalendar file of tasks or a ZIP of them")
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readOne(name, data, user, zone, now)
	}
	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the ZIP archive cannot be read: %v", err)
	}
	if len(archive.File) > MaxZipFiles {
		return nil, taskwire.FieldErrorf(taskwire.ETOOLARGE, "file", "the archive holds more than %d files", MaxZipFiles)
	}
	var tasks []*taskwire.Task
	budget := int64(MaxZipBytes)
	for _, f := range archive.File {
		ext := strings.ToLower(path.Ext(f.Name))
		if f.FileInfo().IsDir() || ext != ".csv" && ext != ".ics" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "%s in the archive cannot be read: %v", f.Name, err)
		}
		content, err := io.ReadAll(io.LimitReader(rc, budget+1))
		_ = rc.Close()
		if err != nil {
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "%s in the archive cannot be read: %v", f.Name, err)
		}
		if budget -= int64(len(content)); budget < 0 {
			return nil, taskwire.FieldErrorf(taskwire.ETOOLARGE, "file", "the archive's files are more than %d MiB unpacked", MaxZipBytes>>20)
		}
		more, err := readOne(f.Name, content, user, zone, now)
		if err != nil {
			return nil, inFile(err, f.Name)
		}
		if tasks = append(tasks, more...); len(tasks) > MaxTasks {
			return nil, tooMany()
		}
	}
	if len(tasks) == 0 {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the archive holds no .csv or .ics file with tasks")
	}
	return tasks, nil
}

// readOne reads one file called name (see ReadFile).
func readOne(name string, data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	if isCalendar(data) {
		return VTODO(data, user, zone, now)
	}
	if bytes.Contains(data[:min(len(data), 4096)], tickTickHeader) {
		return TickTick(data, user, zone, now)
	}
	return todoist(data, projectOf(name), user, zone, now)
}

// todoistID is how Todoist's backups end a project's file name: " [2203306141]".
var todoistID = regexp.MustCompile(` \[\d+\]$`)

// projectOf returns the project a file called name holds, as Todoist names them: the
// name without its folders, extension and id; "" for the Inbox, which is no project to
// tag, and for no name.
func projectOf(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimSpace(todoistID.ReplaceAllString(strings.TrimSuffix(name, path.Ext(name)), ""))
	if strings.EqualFold(name, "inbox") {
		return ""
	}
	return name
}

// inFile names the file of an archive in err, a field error of one of its lines.
func inFile(err error, name string) error {
	field := name
	if f := taskwire.ErrorField(err); f != "" && f != "file" {
		field += ": " + f
	}
	return taskwire.FieldErrorf(taskwire.ErrorCode(err), field, "%s: %s", name, taskwire.ErrorMessage(err))
}

// record is a row of a file: its cells, the columns of the file's header, and its line.
type record struct {
	line  int
	cols  map[string]int
	cells []string
}

// cell returns the cell of column name, trimmed; "" for none.
func (r record) cell(name string) string {
	if i, ok := r.cols[name]; ok && i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

// bad is an EINVALID error about the record's cell of column, named "line[4].DATE".
func (r record) bad(column, format string, args ...any) error {
	return badLine(r.line, column, format, args...)
}

// badLine is an EINVALID error about name (a column, a property) at line line of the
// file, named "line[4].DATE".
func badLine(line int, name, format string, args ...any) error {
	return taskwire.FieldErrorf(taskwire.EINVALID, fmt.Sprintf("line[%d].%s", line, name),
		"line %d: "+format, append([]any{line}, args...)...)
}

// eachRecord calls fn with each record that r reads, under the header's columns cols,
// until the file ends or fn fails.
func eachRecord(r *csv.Reader, cols map[string]int, fn func(record) error) error {
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return notCSV(err)
		}
		line, _ := r.FieldPos(0)
		if err := fn(record{line: line, cols: cols, cells: cells}); err != nil {
			return err
		}
	}
}

// tooMany refuses a file of more than MaxTasks tasks.
func tooMany() error {
	return taskwire.FieldErrorf(taskwire.ETOOLARGE, "file", "the file holds more than %d tasks, the most one import adds", MaxTasks)
}

// notCSV says that the file could not be read as CSV, and where.
func notCSV(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return taskwire.FieldErrorf(taskwire.EINVALID, fmt.Sprintf("line[%d]", pe.StartLine),
			"the file is not CSV: line %d: %v", pe.StartLine, pe.Err)
	}
	return taskwire.FieldErrorf(taskwire.EINVALID, "file", "the file is not CSV: %v", err)
}

// row is a task of the file as it is read.
type row struct {
	line     int
	id       string // its id in the file (TickTick's taskId, a VTODO's UID)
	parent   string // the id of the task it is under (parentId, RELATED-TO)
	entry    taskwire.ExportedTask
	rule     string // its rule, without "RRULE:"
	done     bool
	children []*row
}

// tasksOf returns the tasks of rows, read from a file where byID finds a row by its id: a
// sub-task is a step of the task it is under (its parent's, if that is a sub-task too),
// what Taskwire's checklists are. A rule Taskwire cannot use becomes a line of the
// description, after repeated ("Repeated in TickTick: ").
func tasksOf(rows []*row, byID map[string]*row, repeated string) ([]*taskwire.Task, error) {
	var top []*row
	for _, t := range rows {
		if p := ancestor(t, byID); p != t {
			p.children = append(p.children, t)
			continue
		}
		top = append(top, t)
	}
	tasks := make([]*taskwire.Task, 0, len(top))
	for _, t := range top {
		for _, c := range t.children {
			if strings.TrimSpace(c.entry.Title) == "" {
				continue
			}
			t.entry.Checklist = append(t.entry.Checklist, taskwire.StepInput{Text: c.entry.Title, Done: c.done})
		}
		task, err := t.task(repeated)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, task)
	}
	return tasks, nil
}

// ancestor returns the task t is under, the top of its parents in byID; t itself when
// it has none (or its parents go round in a circle).
func ancestor(t *row, byID map[string]*row) *row {
	top, seen := t, map[*row]bool{t: true}
	for p := byID[top.parent]; p != nil && !seen[p]; p = byID[top.parent] {
		seen[p], top = true, p
	}
	return top
}

// task validates t as a new task. A completed task keeps no rule (its series went on in
// the app it comes from); a rule that Taskwire cannot use becomes a line of the
// description, after repeated.
func (t *row) task(repeated string) (*taskwire.Task, error) {
	field := fmt.Sprintf("line[%d]", t.line)
	e := t.entry
	if t.rule != "" && !t.done {
		withRule := e
		withRule.Recurrence = &t.rule
		if task, err := withRule.Task(field); err == nil {
			task.Number = 0
			return task, nil
		}
		e.Description = strings.TrimSpace(e.Description + "\n\n" + repeated + t.rule)
	}
	task, err := e.Task(field)
	if err != nil {
		return nil, err
	}
	task.Number = 0
	return task, nil
}
