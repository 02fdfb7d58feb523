package fileimport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/fileimport"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// calendarFile is an iCalendar file of tasks as the apps that keep them in CalDAV write it:
// Thunderbird's (a VTIMEZONE of its own id, an alarm before the due), Nextcloud Tasks'
// (sub-tasks, an all-day series), Apple Reminders' (an alarm at a time, a long folded
// title, a floating due), a completed series, a cancelled task, a rule Taskwire cannot
// use, and an event, which is no task.
var calendarFile = strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VTIMEZONE
TZID:/mozilla.org/20070129_1/Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
END:STANDARD
END:VTIMEZONE
BEGIN:VTODO
CREATED:20261101T100000Z
LAST-MODIFIED:20261102T100000Z
UID:tb-1
SUMMARY:Call the plumber\, about the leak
DESCRIPTION:Kitchen sink\nsince Monday
PRIORITY:1
CATEGORIES:Home,Errands
DUE;TZID=/mozilla.org/20070129_1/Europe/Berlin:20261210T170000
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;RELATED=END:-PT15M
END:VALARM
END:VTODO
BEGIN:VTODO
UID:nc-parent
SUMMARY:Pack for Lisbon
CATEGORIES:Travel
DUE;VALUE=DATE:20261210
RRULE:FREQ=YEARLY
PRIORITY:5
BEGIN:VALARM
TRIGGER;RELATED=END:-PT1H
END:VALARM
END:VTODO
BEGIN:VTODO
UID:nc-child-1
RELATED-TO:nc-parent
SUMMARY:Passport
STATUS:COMPLETED
COMPLETED:20261120T080000Z
END:VTODO
BEGIN:VTODO
UID:nc-child-2
RELATED-TO;RELTYPE=PARENT:nc-parent
SUMMARY:Charger
END:VTODO
BEGIN:VTODO
UID:apple-1
SUMMARY:Renew the passport before the trip to Lisbon next spring\, with photos fr
 om the shop on the corner
DUE:20261215T093000
PRIORITY:9
BEGIN:VALARM
TRIGGER;VALUE=DATE-TIME:20261215T080000Z
END:VALARM
END:VTODO
BEGIN:VTODO
UID:done-1
SUMMARY:Water the plants
DUE:20261120T070000Z
RRULE:FREQ=DAILY
STATUS:COMPLETED
COMPLETED:20261120T073000Z
END:VTODO
BEGIN:VTODO
UID:cancelled-1
SUMMARY:Book the hotel
STATUS:CANCELLED
END:VTODO
BEGIN:VTODO
UID:odd-rule
SUMMARY:Standup
DTSTART;TZID=Europe/Berlin:20261207T090000
RRULE:FREQ=DAILY;X-SKIP=HOLIDAYS
END:VTODO
BEGIN:VEVENT
UID:event-1
SUMMARY:A meeting
DTSTART:20261210T100000Z
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n")

func TestVTODO(t *testing.T) {
	tasks, err := fileimport.Read([]byte(calendarFile), "ada", "America/New_York", now)
	require.NoError(t, err, "Read knows a calendar by BEGIN:VCALENDAR")
	require.Len(t, tasks, 6, "sub-tasks are steps, an event no task")

	plumber := tasks[0]
	assert.Equal(t, "Call the plumber, about the leak", plumber.Title)
	assert.Equal(t, "Kitchen sink\nsince Monday", plumber.Description)
	assert.Equal(t, []string{"home", "errands"}, plumber.Tags)
	assert.Equal(t, taskwire.PriorityUrgent, plumber.Priority, "PRIORITY 1 is the highest there is")
	assert.Equal(t, "Europe/Berlin", plumber.TimeZone, "Thunderbird's own TZID, by its X-LIC-LOCATION")
	require.NotNil(t, plumber.DueAt)
	assert.Equal(t, "2026-12-10T17:00:00+01:00", plumber.DueAt.In(taskwire.LoadZone("Europe/Berlin")).Format(time.RFC3339))
	require.Len(t, plumber.Reminders, 1)
	assert.Equal(t, "PT15M", plumber.Reminders[0].Before, "15 minutes before the due, kept by a series")
	assert.Equal(t, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), plumber.CreatedAt)
	assert.Equal(t, time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), plumber.UpdatedAt)
	assert.Equal(t, int64(0), plumber.Number, "each takes the user's next number")

	pack := tasks[1]
	require.NotNil(t, pack.DueDate)
	assert.Equal(t, "2026-12-10", *pack.DueDate, "a DATE is a day: all-day")
	assert.Equal(t, "America/New_York", pack.TimeZone, "a day without a zone is the user's")
	require.NotNil(t, pack.Recurrence)
	assert.Equal(t, "FREQ=YEARLY", *pack.Recurrence)
	assert.Equal(t, taskwire.PriorityMedium, pack.Priority)
	assert.Equal(t, []taskwire.Step{{Text: "Passport", Done: true}, {Text: "Charger"}}, pack.Checklist)
	require.Len(t, pack.Reminders, 1)
	assert.Equal(t, "PT10H", pack.Reminders[0].Before, "an hour before the day begins is ten before 09:00, whence Taskwire counts")
	require.NotNil(t, pack.Reminders[0].FireAt)
	assert.Equal(t, "2026-12-09T23:00:00-05:00", pack.Reminders[0].FireAt.In(taskwire.LoadZone("America/New_York")).Format(time.RFC3339),
		"an hour before the day begins, as the calendar counts")

	passport := tasks[2]
	assert.Equal(t, "Renew the passport before the trip to Lisbon next spring, with photos from the shop on the corner", passport.Title,
		"a folded line unfolded")
	assert.Equal(t, taskwire.PriorityLow, passport.Priority)
	assert.Equal(t, "America/New_York", passport.TimeZone)
	assert.Equal(t, "2026-12-15T09:30:00-05:00", passport.DueAt.In(taskwire.LoadZone("America/New_York")).Format(time.RFC3339),
		"a floating time is the user's")
	require.Len(t, passport.Reminders, 1)
	assert.Equal(t, time.Date(2026, 12, 15, 8, 0, 0, 0, time.UTC), passport.Reminders[0].FireAt.UTC())

	plants := tasks[3]
	assert.Equal(t, taskwire.StatusCompleted, plants.Status)
	assert.Nil(t, plants.Recurrence, "a completed occurrence keeps no rule: its series went on elsewhere")
	require.NotNil(t, plants.CompletedAt)
	assert.Equal(t, time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC), *plants.CompletedAt)

	hotel := tasks[4]
	assert.Equal(t, taskwire.StatusCompleted, hotel.Status, "cancelled: out of the open list")
	assert.Contains(t, hotel.Description, "Cancelled")

	standup := tasks[5]
	assert.Nil(t, standup.Recurrence)
	assert.Contains(t, standup.Description, "Repeated in the calendar file: FREQ=DAILY;X-SKIP=HOLIDAYS", "a rule Taskwire cannot use is kept as text")
	assert.Equal(t, "Europe/Berlin", standup.TimeZone, "DTSTART is the due without DUE")

	again, err := fileimport.Read([]byte(calendarFile), "ada", "America/New_York", now)
	require.NoError(t, err)
	for i := range tasks {
		assert.Equal(t, tasks[i].ID, again[i].ID, "the same UID, the same task: importing twice adds nothing")
	}
	theirs, err := fileimport.Read([]byte(calendarFile), "bob", "UTC", now)
	require.NoError(t, err)
	assert.NotEqual(t, tasks[0].ID, theirs[0].ID, "another user's import makes tasks of their own")
}

// A to-do that starts at DTSTART and takes DURATION, without DUE, is due then and takes
// that long (until 2026-12-06 its DURATION was dropped); an occurrence of a series that a
// calendar changed on its own (RECURRENCE-ID, as Thunderbird writes one completed alone)
// is no task of its own, where it was counted as one already there.
func TestVTODO_DurationAndOverrides(t *testing.T) {
	file := strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VTODO
UID:block
SUMMARY:Write the report
DTSTART;TZID=Europe/Berlin:20261224T100000
DURATION:PT2H
END:VTODO
BEGIN:VTODO
UID:weekly
SUMMARY:Team sync
DUE;TZID=Europe/Berlin:20261201T100000
RRULE:FREQ=WEEKLY
END:VTODO
BEGIN:VTODO
UID:weekly
RECURRENCE-ID;TZID=Europe/Berlin:20261208T100000
SUMMARY:Team sync
DUE;TZID=Europe/Berlin:20261208T140000
STATUS:COMPLETED
COMPLETED:20261208T150000Z
END:VTODO
END:VCALENDAR
`, "\n", "\r\n")
	tasks, err := fileimport.Read([]byte(file), "ada", "UTC", now)
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	block := tasks[0]
	require.NotNil(t, block.DueAt)
	assert.Equal(t, "2026-12-24T10:00:00+01:00", block.DueAt.In(taskwire.LoadZone("Europe/Berlin")).Format(time.RFC3339))
	require.NotNil(t, block.Duration)
	assert.Equal(t, "PT2H", *block.Duration)
	sync := tasks[1]
	assert.Equal(t, "Team sync", sync.Title)
	assert.Equal(t, taskwire.StatusOpen, sync.Status, "the series, from its master")
	require.NotNil(t, sync.Recurrence)
}

// A CalDAV client's download of a list may put each task's file after the other: every
// calendar's tasks are read.
func TestVTODO_Concatenated(t *testing.T) {
	one := "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:First\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
	two := "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:b\r\nSUMMARY:Second\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
	tasks, err := fileimport.Read([]byte(one+two), "ada", "UTC", now)
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	assert.Equal(t, "First", tasks[0].Title)
	assert.Equal(t, "Second", tasks[1].Title)
}

// A local time a DST change repeats is its first instant, as RFC 5545 and the API's own
// local times say, and one a change skips moves forward by the gap (until 2026-12-06 Go's
// choice stood: the second instant east of UTC, so a task exported at 02:30 on the day
// Berlin falls back came back an hour later).
func TestVTODO_LocalTimesAcrossDST(t *testing.T) {
	for _, tt := range []struct{ name, due, want string }{
		{"RepeatedInBerlin", "DUE;TZID=Europe/Berlin:20271031T023000", "2027-10-31T00:30:00Z"},
		{"RepeatedOnLordHowe", "DUE;TZID=Australia/Lord_Howe:20270404T014500", "2027-04-03T14:45:00Z"},
		{"RepeatedInNewYork", "DUE;TZID=America/New_York:20271107T013000", "2027-11-07T05:30:00Z"},
		{"SkippedInBerlin", "DUE;TZID=Europe/Berlin:20270328T023000", "2027-03-28T01:30:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:Clocks\r\n" + tt.due + "\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
			tasks, err := fileimport.Read([]byte(file), "ada", "UTC", now)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			require.NotNil(t, tasks[0].DueAt)
			assert.Equal(t, tt.want, tasks[0].DueAt.UTC().Format(time.RFC3339))
		})
	}
}

// A file that is not a calendar of tasks, or a task that cannot be read, is refused with
// the line and property named; nothing is imported.
func TestVTODO_Errors(t *testing.T) {
	todo := func(lines ...string) string {
		return "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:x\nSUMMARY:x\n" + strings.Join(lines, "\n") + "\nEND:VTODO\nEND:VCALENDAR\n"
	}
	for _, tt := range []struct {
		name, file, field string
	}{
		{"NoTasks", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", "file"},
		{"NotClosed", "BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:x\n", "line[2].BEGIN"},
		{"WrongEnd", "BEGIN:VCALENDAR\nBEGIN:VTODO\nEND:VEVENT\nEND:VCALENDAR\n", "line[3].END"},
		{"NoColon", todo("DUE"), "line[6].file"},
		{"BadDue", todo("DUE:2026-12-10"), "line[6].DUE"},
		{"BadDay", todo("DUE;VALUE=DATE:20261310"), "line[6].DUE"},
		{"BadPriority", todo("PRIORITY:high"), "line[6].PRIORITY"},
		{"BadTrigger", todo("DUE:20261210T100000Z", "BEGIN:VALARM", "TRIGGER:soon", "END:VALARM"), "line[8].TRIGGER"},
		{"UnclosedQuote", todo(`DUE;TZID="Europe/Berlin:20261210T100000`), "line[6].DUE"},
		{"LongTitle", "BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:" + strings.Repeat("x", 501) + "\nEND:VTODO\nEND:VCALENDAR\n", "line[2].title"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fileimport.VTODO([]byte(tt.file), "ada", "UTC", now)
			require.Error(t, err)
			assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err), "%v", err)
			assert.Equal(t, tt.field, taskwire.ErrorField(err), "%v", err)
		})
	}

	// A VTODO left open says so, where the calendar's END seemed to end no calendar.
	_, err := fileimport.VTODO([]byte("BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:x\nSUMMARY:s\nEND:VCALENDAR\n"), "ada", "UTC", now)
	require.Error(t, err)
	assert.Equal(t, "line[5].END", taskwire.ErrorField(err))
	assert.Contains(t, taskwire.ErrorMessage(err), "END:VCALENDAR comes before END:VTODO, which the VTODO begun on line 2 needs")
}
