package rest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/taskwire/taskwire/shared/quickadd"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// quickInput is the body of POST /v1/tasks/quick: one line of text, and the zone to read
// it in (default: the user's).
type quickInput struct {
	Text     string `json:"text"`
	TimeZone string `json:"time_zone"`
}

// quickPreview is the answer of a dry run: the body of POST /v1/tasks that the line
// makes, and the fragments understood.
type quickPreview struct {
	Task       quickTask       `json:"task"`
	Understood []quickFragment `json:"understood"`
}

// quickTask is a new task as POST /v1/tasks reads it, with every field a line can set:
// due_at for a task due at a time, due_date for one due on a day (all-day), at most one
// of them non-null.
type quickTask struct {
	Title      string          `json:"title"`
	Priority   string          `json:"priority"`
	Tags       []string        `json:"tags"`
	DueAt      *string         `json:"due_at"`
	DueDate    *string         `json:"due_date"`
	Duration   *string         `json:"duration"`
	TimeZone   string          `json:"time_zone"`
	Recurrence *string         `json:"recurrence"`
	RepeatFrom string          `json:"repeat_from"`
	Reminders  []quickReminder `json:"reminders"`
}

// quickReminder is a reminder as POST /v1/tasks reads it: before or at.
type quickReminder struct {
	Before *string `json:"before,omitempty"`
	At     *string `json:"at,omitempty"`
}

// quickFragment is a part of the line and what it was read as.
type quickFragment struct {
	Text    string `json:"text"`
	Meaning string `json:"meaning"`
}

// quickAdd reads a task from one line of text in the user's zone and creates it through
// the path of POST /v1/tasks, or with ?dry_run=true answers what it understood.
func (s *Server) quickAdd(w http.ResponseWriter, r *http.Request) error {
	dryRun, err := parseDryRun(r.URL.Query())
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in quickInput
	if err := taskwire.DecodeJSON(body, &in); err != nil {
		return err
	}
	zone := in.TimeZone
	if zone != "" {
		if zone, err = taskwire.ValidTimeZone("time_zone", zone); err != nil {
			return err
		}
	} else {
		me, err := s.users.FindMe(r.Context())
		if err != nil {
			return err
		}
		zone = me.TimeZone
	}
	res, err := quickadd.Parse(in.Text, time.Now(), taskwire.LoadZone(zone))
	if err != nil {
		return err
	}
	if !dryRun {
		return s.create(w, r, res.Task, body)
	}
	t := res.Task
	preview := quickPreview{
		Task: quickTask{
			Title: t.Title, Priority: t.Priority, Tags: t.Tags, DueAt: t.DueAt, DueDate: t.DueDate, Duration: t.Duration,
			TimeZone:   t.TimeZone,
			Recurrence: t.Recurrence, RepeatFrom: t.RepeatFrom, Reminders: []quickReminder{},
		},
		Understood: []quickFragment{},
	}
	for _, rem := range t.Reminders {
		preview.Task.Reminders = append(preview.Task.Reminders, quickReminder{Before: rem.Before, At: rem.At})
	}
	for _, f := range res.Understood {
		preview.Understood = append(preview.Understood, quickFragment{Text: f.Text, Meaning: f.Meaning})
	}
	return writeJSON(w, http.StatusOK, preview)
}

// onlyParam reads the one query parameter called name that a route takes, at most once,
// and whether it was given; any other parameter is refused, named.
func onlyParam(q url.Values, name string) (value string, given bool, err error) {
	for n, values := range q {
		if n == "" {
			return "", false, taskwire.FieldErrorf(taskwire.EMALFORMED, "query", "a query parameter has no name")
		}
		if n != name {
			return "", false, taskwire.FieldErrorf(taskwire.EMALFORMED, n, "unknown query parameter %q; only %s is allowed", n, name)
		}
		if len(values) > 1 {
			return "", false, taskwire.FieldErrorf(taskwire.EMALFORMED, n, "%s may be given once", name)
		}
	}
	return q.Get(name), q.Has(name), nil
}

// parseDryRun reads the query of POST /v1/tasks/quick: dry_run, true or false, at most once.
func parseDryRun(q url.Values) (bool, error) {
	v, given, err := onlyParam(q, "dry_run")
	if err != nil || !given {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, taskwire.FieldErrorf(taskwire.EMALFORMED, "dry_run", "dry_run must be true or false")
	}
	return b, nil
}
