package fileimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// tickTickSpace is the UUID namespace of the ids TickTick gives tasks (a version 5 UUID
// of the URL https://taskwire.dev/ticktick-csv).
var tickTickSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/ticktick-csv"))

// tickTickHeader is how the header of a TickTick backup begins.
var tickTickHeader = []byte(`"Folder Name","List Name","Title"`)

// tickTickPriorities maps TickTick's Priority (0 none, 1 low, 3 medium, 5 high) to Taskwire's.
var tickTickPriorities = map[string]string{
	"": string(taskwire.PriorityNone), "0": string(taskwire.PriorityNone), "1": string(taskwire.PriorityLow),
	"3": string(taskwire.PriorityMedium), "5": string(taskwire.PriorityHigh),
}

// TickTick reads data, the backup TickTick makes of an account as CSV (Settings, Backup):
// three lines about the file ("Date: …", "Version: …", "Status: …"), then a header
// naming its columns ("Folder Name", "List Name", "Title", "Kind", "Tags", "Content",
// "Start Date", "Due Date", "Repeat", "Priority", "Status", "Timezone", "Is All Day",
// "taskId", "parentId" and others), then a row for each task. Each is a task of user,
// with its tags and its list (but "Inbox") as tags, its Content as the description, a
// checklist's items ("▫milk", "▪bread" ticked) as its steps, its due in its Timezone
// (else zone), its Repeat as its recurrence, completed ones completed; a sub-task
// (parentId) is a step of its parent, and notes (Kind NOTE) are left out. A rule Taskwire
// cannot use goes into the description, so that nothing is lost. Ids are derived from
// user and each taskId, so that a later backup imported adds only the new tasks.
func TickTick(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	cols := map[string]int{}
	for len(cols) == 0 {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file",
				`the file is not a TickTick backup: no line names the columns, "Folder Name", "List Name" and "Title" first`)
		}
		if err != nil {
			return nil, notCSV(err)
		}
		if len(rec) >= 3 && rec[0] == "Folder Name" && rec[1] == "List Name" && rec[2] == "Title" {
			for i, name := range rec {
				cols[strings.TrimSpace(name)] = i
			}
		}
	}
	var rows []*row
	byID := map[string]*row{}
	err := eachRecord(r, cols, func(rec record) error {
		if rec.cell("Title") == "" && rec.cell("Content") == "" || rec.cell("Kind") == "NOTE" {
			return nil // an empty line; a note, which is no task
		}
		if len(rows) == MaxTasks {
			return tooMany()
		}
		t, err := newRow(rec, user, zone, now)
		if err != nil {
			return err
		}
		rows = append(rows, t)
		if t.id != "" {
			byID[t.id] = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tasksOf(rows, byID, "Repeated in TickTick: ")
}

// newRow reads a task's row, rec.
func newRow(rec record, user, zone string, now time.Time) (*row, error) {
	cell, bad := rec.cell, rec.bad
	priority, ok := tickTickPriorities[cell("Priority")]
	if !ok {
		return nil, bad("Priority", "Priority must be 0, 1, 3 or 5, got %q", cell("Priority"))
	}
	if tz := cell("Timezone"); tz != "" {
		zone = tz
	}
	var tags []string
	for _, tag := range strings.Split(cell("Tags"), ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	if list, err := taskwire.ParseTag("tags", cell("List Name")); err == nil && list != "inbox" && !slices.Contains(tags, list) {
		tags = append(tags, list)
	}
	description, steps := contents(cell("Content"), cell("Kind") == "CHECKLIST")
	t := &row{line: rec.line, id: cell("taskId"), parent: cell("parentId"), rule: strings.TrimPrefix(cell("Repeat"), "RRULE:")}
	t.entry = taskwire.ExportedTask{Number: 1, Title: cell("Title"), Description: description, Status: taskwire.StatusOpen,
		Priority: priority, Tags: tags, Checklist: steps, TimeZone: zone, CreatedAt: now, UpdatedAt: now, Version: 1}
	if t.id != "" {
		t.entry.ID = uuid.NewSHA1(tickTickSpace, []byte(user+"\x00"+t.id))
	} else {
		t.entry.ID = uuid.NewSHA1(tickTickSpace, []byte(user+"\x00"+cell("Title")+"\x00"+cell("Created Time")))
	}
	if created := cell("Created Time"); created != "" {
		at, err := instant(created)
		if err != nil {
			return nil, bad("Created Time", "Created Time must be a time such as 2026-10-04T21:00:00+0000, got %q", created)
		}
		t.entry.CreatedAt, t.entry.UpdatedAt = at, at
	}
	switch status := cell("Status"); status {
	case "", "0":
	case "1", "2": // completed; archived after it
		t.done, t.entry.Status = true, taskwire.StatusCompleted
		if done := cell("Completed Time"); done != "" {
			at, err := instant(done)
			if err != nil {
				return nil, bad("Completed Time", "Completed Time must be a time such as 2026-10-04T21:00:00+0000, got %q", done)
			}
			t.entry.CompletedAt = &at
		}
	default:
		return nil, bad("Status", "Status must be 0 (normal), 1 (completed) or 2 (archived), got %q", status)
	}
	column, due := "Due Date", cell("Due Date")
	if due == "" {
		column, due = "Start Date", cell("Start Date")
	}
	if due != "" {
		at, err := instant(due)
		if err != nil {
			return nil, bad(column, "%s must be a time such as 2026-10-04T21:00:00+0000, got %q", column, due)
		}
		if cell("Is All Day") == "true" {
			day := at.In(taskwire.LoadZone(zone)).Format(taskwire.DateLayout)
			t.entry.DueDate = &day
		} else {
			s := at.Format(time.RFC3339)
			t.entry.DueAt = &s
		}
	}
	return t, nil
}

// contents splits a task's Content into its description and, for a checklist, its items:
// lines that begin with "▫" (open) or "▪" (ticked).
func contents(content string, checklist bool) (string, taskwire.ChecklistInput) {
	steps := taskwire.ChecklistInput{}
	if !checklist {
		return content, steps
	}
	var text []string
	for _, line := range strings.Split(content, "\n") {
		item, open := strings.CutPrefix(line, "▫")
		item, ticked := strings.CutPrefix(item, "▪")
		switch {
		case (open || ticked) && strings.TrimSpace(item) == "": // an empty item: nothing to do
		case open || ticked:
			steps = append(steps, taskwire.StepInput{Text: item, Done: ticked})
		default:
			text = append(text, line)
		}
	}
	return strings.TrimSpace(strings.Join(text, "\n")), steps
}

// instant reads TickTick's times, "2026-10-04T21:00:00+0000", or RFC 3339.
func instant(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02T15:04:05-0700", s); err == nil {
		return t.UTC(), nil
	}
	t, err := taskwire.ParseInstant(s)
	return t.UTC(), err
}
