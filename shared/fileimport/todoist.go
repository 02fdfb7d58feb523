package fileimport

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/taskwire/taskwire/shared/quickadd"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// todoistSpace is the UUID namespace of the ids Todoist gives tasks (a version 5 UUID of
// the URL https://taskwire.dev/todoist-csv).
var todoistSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/todoist-csv"))

// todoistPriorities maps Todoist's PRIORITY to Taskwire's. Its exports write the value of its
// API, where 4 is its p1 (red, the highest) and 1 its p4, the default of a task nobody
// prioritised, as importers of those files read them; its help describes its import
// template the other way round, but an import that made every ordinary task urgent would
// be worse than one that misread a hand-made template (see the spec).
var todoistPriorities = map[string]string{
	"": string(taskwire.PriorityNone), "1": string(taskwire.PriorityNone), "2": string(taskwire.PriorityMedium),
	"3": string(taskwire.PriorityHigh), "4": string(taskwire.PriorityUrgent),
}

// draft is a task of the file as it is read: its own row, then its sub-tasks and notes.
type draft struct {
	line  int // of its row, for errors
	key   string
	entry taskwire.ExportedTask
}

// Todoist reads data, a project Todoist exported as CSV: a header naming its columns
// (TYPE, CONTENT, DESCRIPTION, PRIORITY, INDENT, DATE, DATE_LANG, TIMEZONE, DURATION,
// DURATION_UNIT, DEADLINE, DEADLINE_LANG and others), then a row for each task, section
// and note. Each task row is a task of user (its "@label" words its tags, its section a
// tag too, its DATE read as quick add reads a date, in TIMEZONE, else zone), each
// sub-task (INDENT 2 or more) a step of the task above, each note a paragraph of that
// task's description. Ids are derived from user and each task's own row, so that reading
// the same file again gives the same ids and an import adds nothing twice.
func Todoist(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	return todoist(data, "", user, zone, now)
}

// todoist is Todoist for the file of project ("" for one not known): each task is tagged
// with the project (but the Inbox), and its id derives from the project too, so that the
// same task in two projects is two tasks.
func todoist(data []byte, project, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1 // Todoist's rows end early when their last cells are empty
	header, err := r.Read()
	if err != nil {
		return nil, notCSV(err)
	}
	cols := map[string]int{}
	for i, name := range header {
		cols[strings.ToUpper(strings.TrimSpace(name))] = i
	}
	_, typed := cols["TYPE"]
	_, content := cols["CONTENT"]
	_, title := cols["TITLE"]
	_, number := cols["NUMBER"]
	switch {
	case title && number && !typed:
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file",
			"the file is Taskwire's CSV of tasks, which is for spreadsheets: import the file of “Download everything” (GET /v1/export) instead")
	case !typed || !content:
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file",
			"the file is not a Todoist CSV export: its first line must name the columns, TYPE and CONTENT among them")
	}
	var (
		drafts  []*draft
		section string
		seen    = map[string]int{}
	)
	err = eachRecord(r, cols, func(rec record) error {
		var last *draft
		if len(drafts) > 0 {
			last = drafts[len(drafts)-1]
		}
		switch kind := rec.cell("TYPE"); kind {
		case "", "meta": // an empty row between sections; the project's view ("meta,view_style,board")
		case "section":
			section = rec.cell("CONTENT")
		case "note":
			if last == nil {
				return rec.bad("TYPE", "a note comes after the task it is about, and no task comes before it")
			}
			last.entry.Description = strings.TrimSpace(last.entry.Description + "\n\n" + rec.cell("CONTENT"))
		case "task":
			indent, err := strconv.Atoi(rec.cell("INDENT"))
			if rec.cell("INDENT") == "" {
				indent, err = 1, nil
			}
			if err != nil || indent < 1 {
				return rec.bad("INDENT", "INDENT must be 1 or more, got %q", rec.cell("INDENT"))
			}
			if indent > 1 && last != nil {
				// A sub-task is a step of the task above: what Taskwire's checklists are.
				title, _ := labelled(rec.cell("CONTENT"))
				last.entry.Checklist = append(last.entry.Checklist, taskwire.StepInput{Text: title})
				return nil
			}
			if len(drafts) == MaxTasks {
				return tooMany()
			}
			d, err := newDraft(rec, user, project, section, zone, now)
			if err != nil {
				return err
			}
			seen[d.key]++
			d.entry.ID = uuid.NewSHA1(todoistSpace, []byte(fmt.Sprintf("%s\x00%d", d.key, seen[d.key])))
			drafts = append(drafts, d)
		default:
			return rec.bad("TYPE", "TYPE must be task, section or note, got %q", kind)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tasks := make([]*taskwire.Task, 0, len(drafts))
	for _, d := range drafts {
		t, err := d.entry.Task(fmt.Sprintf("line[%d]", d.line))
		if err != nil {
			return nil, err
		}
		t.Number = 0
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// newDraft reads a task's own row, rec, of project ("" for none).
func newDraft(rec record, user, project, section, zone string, now time.Time) (*draft, error) {
	cell, bad := rec.cell, rec.bad
	priority, ok := todoistPriorities[cell("PRIORITY")]
	if !ok {
		return nil, bad("PRIORITY", "PRIORITY must be 1 to 4 (4 is Todoist's p1, the highest), got %q", cell("PRIORITY"))
	}
	title, tags := labelled(cell("CONTENT"))
	for _, name := range []string{project, section} {
		if tag, err := taskwire.ParseTag("tags", name); name != "" && err == nil && !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
	}
	if tz := cell("TIMEZONE"); tz != "" {
		zone = tz
	}
	e := taskwire.ExportedTask{Number: 1, Title: title, Description: cell("DESCRIPTION"), Status: taskwire.StatusOpen,
		Priority: priority, Tags: tags, TimeZone: zone, CreatedAt: now, UpdatedAt: now, Version: 1,
		Checklist: taskwire.ChecklistInput{}}
	// DATE is when to do it; newer files also have a DEADLINE, which is the due when
	// there is no DATE, and else a line of the description, so that nothing is lost.
	column := "DATE"
	if cell("DATE") == "" && cell("DEADLINE") != "" {
		column = "DEADLINE"
	} else if deadline := cell("DEADLINE"); deadline != "" {
		e.Description = strings.TrimSpace(e.Description + "\n\nDeadline: " + deadline)
	}
	if date := cell(column); date != "" {
		if lang := strings.ToLower(cell(column + "_LANG")); lang != "" && lang != "en" {
			return nil, bad(column+"_LANG", "%s_LANG %q: only dates in English (en) are read", column, cell(column+"_LANG"))
		}
		if !readDue(&e, date, zone, now) {
			return nil, bad(column, "%s %q is no date or repeat rule that Taskwire reads", column, date)
		}
	}
	if n := cell("DURATION"); n != "" {
		d, err := duration(n, cell("DURATION_UNIT"))
		if err != nil {
			return nil, bad("DURATION", "%v", err)
		}
		e.Duration = &d
	}
	key := strings.Join([]string{user, cell("CONTENT"), cell("DESCRIPTION"), cell("DATE"), section}, "\x00")
	if project != "" {
		key += "\x00" + project // a file of a known project: its tasks are its own
	}
	return &draft{line: rec.line, key: key, entry: e}, nil
}

// readDue sets e's due, rule and length from date, Todoist's words for them ("every
// monday at 6pm") or an RFC 3339 time, read in zone. It reports false for what is no date
// or rule that quick add reads whole.
func readDue(e *taskwire.ExportedTask, date, zone string, now time.Time) bool {
	if at, err := taskwire.ParseInstant(date); err == nil {
		due := at.Format(time.RFC3339)
		e.DueAt = &due
		return true
	}
	loc := taskwire.LoadZone(zone)
	res, err := quickadd.Parse("x "+date, now.In(loc), loc)
	in := res.Task
	if err != nil || in.Title != "x" || len(in.Tags) > 0 || in.Priority != string(taskwire.PriorityNone) ||
		len(in.Reminders) > 0 || (in.DueAt == nil && in.DueDate == nil) {
		return false
	}
	e.DueAt, e.DueDate, e.Recurrence, e.RepeatFrom, e.Duration = in.DueAt, in.DueDate, in.Recurrence, in.RepeatFrom, in.Duration
	return true
}

// labelled splits Todoist's content into the title and its labels, the words that
// begin with "@" and hold a letter: "Buy milk @errands" is "Buy milk" with "errands".
func labelled(content string) (string, []string) {
	var words, labels []string
	for _, w := range strings.Fields(content) {
		if name, ok := strings.CutPrefix(w, "@"); ok && strings.IndexFunc(name, unicode.IsLetter) >= 0 {
			labels = append(labels, name)
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " "), labels
}

// duration reads Todoist's DURATION and DURATION_UNIT ("minute" or "day") as an ISO 8601
// duration.
func duration(n, unit string) (string, error) {
	v, err := strconv.Atoi(n)
	if err != nil || v < 1 {
		return "", fmt.Errorf("DURATION must be a whole number above 0, got %q", n)
	}
	switch strings.ToLower(unit) {
	case "minute", "":
		return taskwire.Duration{Hours: v / 60, Minutes: v % 60}.String(), nil
	case "day":
		return taskwire.Duration{Days: v}.String(), nil
	}
	return "", fmt.Errorf("DURATION_UNIT must be minute or day, got %q", unit)
}
