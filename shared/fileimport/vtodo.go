package fileimport

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taskwire/taskwire/shared/calendar"
	"github.com/taskwire/taskwire/shared/recur"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/zone"
)

// vtodoSpace is the UUID namespace of the ids of imported VTODOs (a version 5 UUID of the
// URL https://taskwire.dev/vtodo).
var vtodoSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/vtodo"))

// calendarStart is how an iCalendar file begins.
var calendarStart = []byte("BEGIN:VCALENDAR")

// isCalendar reports whether data is an iCalendar file: BEGIN:VCALENDAR first, after a
// byte order mark and blank lines.
func isCalendar(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	return len(data) >= len(calendarStart) && bytes.EqualFold(data[:len(calendarStart)], calendarStart)
}

// property is a content line of an iCalendar file (RFC 5545, 3.1), unfolded: its name in
// upper case, its parameters (names in upper case, values unquoted) and its value as
// written, with the number of the line it began on.
type property struct {
	line   int
	name   string
	params map[string]string
	value  string
}

// component is a BEGIN/END block of an iCalendar file: its properties and the blocks in
// it.
type component struct {
	name  string
	line  int
	props []property
	subs  []*component
}

// get returns the first property called name, if any.
func (c *component) get(name string) (property, bool) {
	for _, p := range c.props {
		if p.name == name {
			return p, true
		}
	}
	return property{}, false
}

// VTODO reads data, an iCalendar file (RFC 5545), as the tasks of user: each VTODO is a
// task, as Thunderbird, Nextcloud Tasks, Apple Reminders, Tasks.org and Vikunja write
// them (export, or a CalDAV client's download). SUMMARY is its title, DESCRIPTION its
// description, CATEGORIES its tags, PRIORITY its priority (1 urgent, 2–4 high, 5 medium,
// 6–9 low), DUE (else DTSTART, with DURATION its duration) its due: a DATE is a day
// (all-day), a DATE-TIME with TZID a time there, a UTC one an instant, a floating one a
// time in zone. RRULE is its rule (one Taskwire cannot use becomes a line of the
// description), a VALARM a reminder (see alarmReminder); STATUS:COMPLETED (and
// CANCELLED) makes it completed at COMPLETED.
// Taskwire's own properties (calendar.Todos) give back what the RFC cannot say. A VTODO
// RELATED-TO a parent is a step of the parent's top task. Ids derive from user and each
// UID, so that importing a later file again adds only the new tasks; a UID of Taskwire's
// own (calendar.Todos, the feed) is its task's id, so that a file downloaded from Taskwire
// and imported back adds nothing the account has. VEVENTs, other components and a
// series' occurrences changed on their own (RECURRENCE-ID) are left out.
func VTODO(data []byte, user, zone string, now time.Time) ([]*taskwire.Task, error) {
	root, err := parseCalendar(data)
	if err != nil {
		return nil, err
	}
	var todos []*component
	var collect func(c *component)
	collect = func(c *component) {
		for _, s := range c.subs {
			if s.name == "VTODO" {
				todos = append(todos, s)
				continue
			}
			collect(s)
		}
	}
	collect(root)
	if len(todos) == 0 {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the calendar holds no tasks (no VTODO component)")
	}
	if len(todos) > MaxTasks {
		return nil, tooMany()
	}
	zones := calendarZones(root)
	var rows []*row
	byID := map[string]*row{}
	for _, c := range todos {
		if _, ok := c.get("RECURRENCE-ID"); ok {
			// One occurrence of a series as a calendar changed it on its own: no task of
			// its own (it has its series' UID), and the series is read from its master.
			continue
		}
		t, err := todoRow(c, user, zone, zones, now)
		if err != nil {
			return nil, err
		}
		rows = append(rows, t)
		if t.id != "" {
			byID[t.id] = t
		}
	}
	return tasksOf(rows, byID, "Repeated in the calendar file: ")
}

// taskwireUID returns the task id of a UID that Taskwire's own files give a task
// ("<id>@taskwire"), and false for any other UID.
func taskwireUID(uid string) (uuid.UUID, bool) {
	id, ok := strings.CutSuffix(uid, "@taskwire")
	if !ok {
		return uuid.Nil, false
	}
	parsed, err := uuid.Parse(id)
	return parsed, err == nil
}

// parseCalendar reads data into a component that holds its VCALENDARs: one, or several
// one after the other, as a CalDAV client's download of a list concatenates its tasks'
// files. Lines end in CRLF or LF; a line that begins with a space or a tab continues the
// one before (folding).
func parseCalendar(data []byte) (*component, error) {
	if !utf8.Valid(data) {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the calendar file must be UTF-8")
	}
	text := strings.ReplaceAll(strings.TrimPrefix(string(data), "\uFEFF"), "\r\n", "\n")
	// Each content line is its physical lines' parts, joined once: joining a long value
	// (a description folded into thousands of lines) as it comes would copy it each time.
	type folded struct {
		line  int
		parts []string
	}
	var lines []folded
	for i, raw := range strings.Split(text, "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if len(lines) > 0 && (strings.HasPrefix(raw, " ") || strings.HasPrefix(raw, "\t")) {
			last := &lines[len(lines)-1]
			last.parts = append(last.parts, raw[1:])
			continue
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		lines = append(lines, folded{line: i + 1, parts: []string{raw}})
	}
	root := &component{}
	stack := []*component{root}
	for _, l := range lines {
		p, err := contentLine(l.line, strings.Join(l.parts, ""))
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &component{name: strings.ToUpper(p.value), line: p.line}
			if len(stack) == 1 && c.name != "VCALENDAR" {
				return nil, badLine(p.line, "BEGIN", "the file is not an iCalendar file: it must begin with BEGIN:VCALENDAR")
			}
			top.subs = append(top.subs, c)
			stack = append(stack, c)
		case "END":
			if len(stack) > 1 && !strings.EqualFold(p.value, top.name) && slices.ContainsFunc(stack, func(c *component) bool { return strings.EqualFold(c.name, p.value) }) {
				// "END:VCALENDAR" with a VTODO still open: the VTODO's END is missing.
				return nil, badLine(p.line, "END", "END:%s comes before END:%s, which the %s begun on line %d needs", p.value, top.name, top.name, top.line)
			}
			if len(stack) == 1 || !strings.EqualFold(p.value, top.name) {
				return nil, badLine(p.line, "END", "END:%s ends no %s begun before it", p.value, p.value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 1 {
				return nil, badLine(p.line, p.name, "the file is not an iCalendar file: it must begin with BEGIN:VCALENDAR")
			}
			top.props = append(top.props, p)
		}
	}
	if len(root.subs) == 0 {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "file", "the file is not an iCalendar file: it holds no BEGIN:VCALENDAR")
	}
	if len(stack) > 1 {
		c := stack[len(stack)-1]
		return nil, badLine(c.line, "BEGIN", "BEGIN:%s is never ended (END:%s)", c.name, c.name)
	}
	return root, nil
}

// contentLine reads one unfolded content line, NAME;PARAM=VALUE;…:value; a parameter's
// value may be quoted ("…", holding ; : and ,).
func contentLine(line int, s string) (property, error) {
	p := property{line: line, params: map[string]string{}}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return p, badLine(line, "file", "a content line must be NAME:value, got %q", cut(s, 40))
	}
	p.name = strings.ToUpper(s[:i])
	for s[i] == ';' {
		s = s[i+1:]
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return p, badLine(line, p.name, "a parameter of %s must be NAME=value", p.name)
		}
		name, rest := strings.ToUpper(s[:eq]), s[eq+1:]
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return p, badLine(line, p.name, "the quoted value of the parameter %s is never closed", name)
			}
			value, rest = rest[1:end+1], rest[end+2:]
			if rest != "" && rest[0] != ';' && rest[0] != ':' && rest[0] != ',' {
				return p, badLine(line, p.name, "the parameter %s has text after its quoted value", name)
			}
		}
		i = strings.IndexAny(rest, ";:")
		if i < 0 {
			return p, badLine(line, p.name, "%s has no value (no colon)", p.name)
		}
		p.params[name] = value + rest[:i]
		s = rest
	}
	p.value = s[i+1:]
	return p, nil
}

// cut returns s, cut to n characters.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// unescape reads a TEXT value: \n is a line break, \\ \; \, the character.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i == len(s)-1 {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitList splits a TEXT list at its unescaped commas, each item unescaped.
func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescape(s[start:]))
}

// calendarZones maps the TZID of each VTIMEZONE of the calendars in root to the IANA zone
// its X-LIC-LOCATION names, as Thunderbird and Lightning write beside their own ids.
func calendarZones(root *component) map[string]string {
	zones := map[string]string{}
	var all []*component
	for _, cal := range root.subs {
		all = append(all, cal.subs...)
	}
	for _, c := range all {
		if c.name != "VTIMEZONE" {
			continue
		}
		id, ok := c.get("TZID")
		if !ok {
			continue
		}
		if loc, ok := c.get("X-LIC-LOCATION"); ok {
			if _, err := zone.Load(loc.value); err == nil {
				zones[id.value] = loc.value
			}
		}
	}
	return zones
}

// todoRow reads a VTODO as a row of the import.
func todoRow(c *component, user, userZone string, zones map[string]string, now time.Time) (*row, error) {
	text := func(name string) string {
		if p, ok := c.get(name); ok {
			return strings.TrimSpace(unescape(p.value))
		}
		return ""
	}
	if tz := text(calendar.PropTimeZone); tz != "" {
		if _, err := zone.Load(tz); err == nil {
			userZone = tz // the task's zone, as Taskwire's own export writes it
		}
	}
	t := &row{line: c.line, id: text("UID"), rule: text("RRULE")}
	if p, ok := c.get("RELATED-TO"); ok && (p.params["RELTYPE"] == "" || strings.EqualFold(p.params["RELTYPE"], "PARENT")) {
		t.parent = strings.TrimSpace(unescape(p.value))
	}
	title := text("SUMMARY")
	if title == "" {
		title = "(no title)"
	}
	t.entry = taskwire.ExportedTask{Number: 1, Title: title, Description: text("DESCRIPTION"), Status: taskwire.StatusOpen,
		Priority: string(taskwire.PriorityNone), Tags: taskwire.TagsInput{}, Checklist: taskwire.ChecklistInput{},
		TimeZone: userZone, CreatedAt: now, UpdatedAt: now, Version: 1}
	if id, ok := taskwireUID(t.id); ok {
		t.entry.ID = id // the task's own, so that it is recognised where it is already
	} else if t.id != "" {
		t.entry.ID = uuid.NewSHA1(vtodoSpace, []byte(user+"\x00"+t.id))
	} else {
		t.entry.ID = uuid.NewSHA1(vtodoSpace, []byte(user+"\x00"+title+"\x00"+strconv.Itoa(c.line)))
	}
	for _, p := range c.props {
		if p.name == "CATEGORIES" {
			for _, tag := range splitList(p.value) {
				if tag = strings.TrimSpace(tag); tag != "" {
					t.entry.Tags = append(t.entry.Tags, tag)
				}
			}
		}
	}
	if p, ok := c.get("PRIORITY"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(p.value))
		if err != nil || n < 0 || n > 9 {
			return nil, badLine(p.line, p.name, "PRIORITY must be a number from 0 to 9, got %q", p.value)
		}
		switch {
		case n == 1:
			t.entry.Priority = string(taskwire.PriorityUrgent)
		case n >= 2 && n <= 4:
			t.entry.Priority = string(taskwire.PriorityHigh)
		case n == 5:
			t.entry.Priority = string(taskwire.PriorityMedium)
		case n >= 6:
			t.entry.Priority = string(taskwire.PriorityLow)
		}
	}
	for _, name := range []string{"CREATED", "LAST-MODIFIED"} {
		if p, ok := c.get(name); ok {
			at, err := readTime(p, userZone, zones)
			if err != nil {
				return nil, err
			}
			if name == "CREATED" {
				t.entry.CreatedAt = at.instant
			}
			t.entry.UpdatedAt = at.instant
		}
	}
	if t.entry.UpdatedAt.Before(t.entry.CreatedAt) {
		t.entry.UpdatedAt = t.entry.CreatedAt
	}
	switch status := strings.ToUpper(text("STATUS")); status {
	case "COMPLETED", "CANCELLED":
		t.done, t.entry.Status = true, taskwire.StatusCompleted
		if p, ok := c.get("COMPLETED"); ok {
			at, err := readTime(p, userZone, zones)
			if err != nil {
				return nil, err
			}
			t.entry.CompletedAt = &at.instant
		}
		if status == "CANCELLED" {
			t.entry.Description = strings.TrimSpace(t.entry.Description + "\n\nCancelled in the calendar file.")
		}
	}
	// The due is DUE, else DTSTART; alarms count from either (RELATED=END from the due).
	var start, due *calendarTime
	for _, f := range []struct {
		name string
		dst  **calendarTime
	}{{"DTSTART", &start}, {"DUE", &due}} {
		if p, ok := c.get(f.name); ok {
			at, err := readTime(p, userZone, zones)
			if err != nil {
				return nil, err
			}
			*f.dst = &at
		}
	}
	if due == nil {
		due = start
	}
	if due != nil {
		// What RFC 5545 cannot say, as Taskwire's own export writes it (calendar.Todos).
		if strings.EqualFold(text(calendar.PropRepeatFrom), "COMPLETION") {
			t.entry.RepeatFrom = string(taskwire.RepeatFromCompletion)
		}
		if d := text(calendar.PropDuration); d != "" {
			t.entry.Duration = &d
		} else if d := text("DURATION"); d != "" && due == start {
			// DTSTART with DURATION (RFC 5545 §3.6.2): the to-do starts then and takes that
			// long, which is Taskwire's due and duration.
			t.entry.Duration = &d
		}
		t.entry.TimeZone = due.zone
		if due.day != "" {
			t.entry.DueDate = &due.day
		} else {
			s := due.instant.Format(time.RFC3339)
			t.entry.DueAt = &s
		}
	}
	for i, alarm := range c.subs {
		if alarm.name != "VALARM" {
			continue
		}
		r, err := alarmReminder(alarm, start, due, userZone, zones)
		if err != nil {
			return nil, err
		}
		if r != nil {
			r.ID = uuid.NewSHA1(t.entry.ID, []byte("alarm "+strconv.Itoa(i)))
			t.entry.Reminders = append(t.entry.Reminders, *r)
		}
	}
	return t, nil
}

// calendarTime is a DATE or DATE-TIME value as read: the instant (a day's start, for a
// DATE), the day of a DATE, and the zone the task takes.
type calendarTime struct {
	instant time.Time
	day     string
	zone    string
}

// readTime reads p's DATE or DATE-TIME value: a DATE (VALUE=DATE, or eight digits) is a
// day; a DATE-TIME ending in Z is UTC; one with TZID is local there (a TZID Go does not
// know, and no VTIMEZONE names an IANA zone for, is read in userZone); one without is
// floating, local in userZone.
func readTime(p property, userZone string, zones map[string]string) (calendarTime, error) {
	v := strings.TrimSpace(p.value)
	tz := userZone
	if id := p.params["TZID"]; id != "" {
		if mapped, ok := zones[id]; ok {
			tz = mapped
		} else if _, err := zone.Load(strings.TrimPrefix(id, "/")); err == nil {
			tz = strings.TrimPrefix(id, "/")
		}
	}
	loc := taskwire.LoadZone(tz)
	if strings.EqualFold(p.params["VALUE"], "DATE") || len(v) == 8 {
		day, err := time.Parse("20060102", v)
		if err != nil {
			return calendarTime{}, badLine(p.line, p.name, "%s must be a date such as 20260301, got %q", p.name, v)
		}
		return calendarTime{instant: recur.Resolve(day, loc).UTC(), day: day.Format(taskwire.DateLayout), zone: tz}, nil
	}
	if utc, ok := strings.CutSuffix(v, "Z"); ok {
		at, err := time.Parse("20060102T150405", utc)
		if err != nil {
			return calendarTime{}, badLine(p.line, p.name, "%s must be a time such as 20260301T090000Z, got %q", p.name, v)
		}
		return calendarTime{instant: at, zone: tz}, nil
	}
	wall, err := time.Parse("20060102T150405", v)
	if err != nil {
		return calendarTime{}, badLine(p.line, p.name, "%s must be a time such as 20260301T090000, got %q", p.name, v)
	}
	// A local time that a DST change repeats is its first instant, one it skips moves
	// forward by the gap (RFC 5545, 3.3.5), as the API reads local times.
	return calendarTime{instant: recur.Resolve(wall, loc).UTC(), zone: tz}, nil
}

// alarmReminder reads a VALARM of a task due at due, which starts at start (either nil
// for none), as a reminder. A TRIGGER that is a DATE-TIME is that time. A duration counts
// from the due (RELATED=END) or the start (the default; the due when there is none), back
// ("-PT15M", RFC 5545's before) or on, and is no reminder of a task with neither. One
// that counts from the due is a reminder before it when Taskwire can say so (beforeDue),
// which the next occurrences keep; any other is the time it comes to. An alarm without a
// TRIGGER is no reminder.
func alarmReminder(alarm *component, start, due *calendarTime, userZone string, zones map[string]string) (*taskwire.ExportedReminder, error) {
	p, ok := alarm.get("TRIGGER")
	if !ok {
		return nil, nil
	}
	if strings.EqualFold(p.params["VALUE"], "DATE-TIME") {
		at, err := readTime(p, userZone, zones)
		if err != nil {
			return nil, err
		}
		s := at.instant.Format(time.RFC3339)
		return &taskwire.ExportedReminder{At: &s}, nil
	}
	v := strings.TrimSpace(p.value)
	back := strings.HasPrefix(v, "-")
	d, err := taskwire.ParseDuration(strings.TrimLeft(v, "+-"))
	if err != nil {
		return nil, badLine(p.line, p.name, "TRIGGER must be a duration such as -PT15M or a time, got %q", p.value)
	}
	anchor := due
	if start != nil && !strings.EqualFold(p.params["RELATED"], "END") {
		anchor = start
	}
	if anchor == nil {
		return nil, nil
	}
	if *anchor == *due {
		if before, ok := beforeDue(d, back, due.day != ""); ok {
			s := before.String()
			return &taskwire.ExportedReminder{Before: &s}, nil
		}
	}
	loc := taskwire.LoadZone(anchor.zone)
	at := d.After(anchor.instant, loc)
	if back {
		at = d.Before(anchor.instant, loc)
	}
	s := at.Format(time.RFC3339)
	return &taskwire.ExportedReminder{At: &s}, nil
}

// beforeDue returns a trigger d from the due (back, or on) as Taskwire's reminder before
// the due, and whether there is one: for a due at a time, d back (or nothing); for an
// all-day task, whose reminders count back from taskwire.AllDayReminderTime on its day
// where the calendar counts from the day's start, that time less the trigger: "-PT1H"
// (23:00 the day before) is 10 hours before 09:00, "PT8H" one hour. A trigger after
// 09:00 on the day is none.
func beforeDue(d taskwire.Duration, back, allDay bool) (taskwire.Duration, bool) {
	if !allDay {
		return d, back || d == (taskwire.Duration{})
	}
	clock := time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Seconds)*time.Second
	days := d.Weeks*7 + d.Days
	if back {
		clock += taskwire.AllDayReminderTime
	} else {
		if days > 0 || clock > taskwire.AllDayReminderTime {
			return taskwire.Duration{}, false
		}
		days, clock = 0, taskwire.AllDayReminderTime-clock
	}
	days += int(clock / (24 * time.Hour)) // "-P6DT15H" is P7D before 09:00, as calendar.Todos writes P7D
	secs := int(clock % (24 * time.Hour) / time.Second)
	return taskwire.Duration{Days: days, Hours: secs / 3600, Minutes: secs % 3600 / 60, Seconds: secs % 60}, true
}
