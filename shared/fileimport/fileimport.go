// Package fileimport reads the files other todo apps export, a project Todoist exported
// and a TickTick backup (CSV), and the tasks (VTODO) of an iCalendar file, as the tasks of
// a Taskwire import, so that someone leaving them brings their lists along. It holds no
// I/O.
package fileimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxTasks bounds the tasks of one file, as the size of an import bounds a Taskwire
// export's (16 MiB, about 30 000 tasks): a row of CSV can be a few bytes.
const MaxTasks = 30000

// Read reads data as an iCalendar file's tasks, Todoist's or TickTick's file, whichever it
// is (a calendar by its BEGIN:VCALENDAR, a TickTick backup by its header), with the tasks
// of user in zone where the file names none, at now. Tasks
// have number 0: each takes the user's next. An error is EINVALID naming the line and
// column ("line[4].DATE"), or the file; ETOOLARGE for more than MaxTasks tasks.
func Read(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	if isCalendar(data) {
		return VTODO(data, user, zone, now)
	}
	if bytes.Contains(data[:min(len(data), 4096)], tickTickHeader) {
		return TickTick(data, user, zone, now)
	}
	return Todoist(data, user, zone, now)
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
	return taskwire.FieldErrorf(taskwire.EINVALID, fmt.Sprintf("line[%d].%s", r.line, column),
		"line %d: "+format, append([]any{r.line}, args...)...)
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
