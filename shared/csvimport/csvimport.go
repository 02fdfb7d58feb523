// Package csvimport reads the files other todo apps export as CSV, a project Todoist
// exported and a TickTick backup, as the tasks of a Taskwire import, so that someone
// leaving them brings their lists along. It holds no I/O.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// MaxTasks bounds the tasks of one file, as the size of an import bounds a Taskwire
// export's (16 MiB, about 30 000 tasks): a row of CSV can be a few bytes.
const MaxTasks = 30000

// Read reads data as Todoist's or TickTick's file, whichever it is (a TickTick backup by
// its header), with the tasks of user in zone where the file names none, at now. Tasks
// have number 0: each takes the user's next. An error is EINVALID naming the line and
// column ("line[4].DATE"), or the file; ETOOLARGE for more than MaxTasks tasks.
func Read(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	if bytes.Contains(data[:min(len(data), 4096)], tickTickHeader) {
		return TickTick(data, user, zone, now)
	}
	return Todoist(data, user, zone, now)
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
