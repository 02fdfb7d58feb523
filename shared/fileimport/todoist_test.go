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

// header is the first line of the files Todoist exports.
const header = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT\r\n"

// project is a project as Todoist exports it: sections, sub-tasks, notes, labels, dates
// in words, a row ending early, an empty row between sections.
const project = "\uFEFF" + header +
	"meta,view_style,list,,,,,,,,,\r\n" +
	"section,Groceries,,,,,,,,,,\r\n" +
	"task,Buy milk @errands,,1,1,Ada (123),,tomorrow,en,Europe/Berlin,,\r\n" +
	"task,oat milk,,1,2,Ada (123),,,en,Europe/Berlin,,\r\n" +
	"task,\"whole milk, 1 l\",,1,2,Ada (123),,,en,Europe/Berlin,,\r\n" +
	"note,Get the organic one,,,,Ada (123),,,,,,\r\n" +
	",,,,,,,,,,,\r\n" +
	"section,Home,,,,,,,,,,\r\n" +
	"task,Pay rent @money @home,Transfer to the landlord,4,1,Ada (123),,every month on the 1st,en,,,\r\n" +
	"task,Call mom,,3,1,Ada (123),,every monday at 6pm,en,America/New_York,30,minute\r\n" +
	"task,Dentist,,2,1,Ada (123),,2026-12-14T08:30:00-05:00,en,,,\r\n" +
	"task,Someday maybe\r\n"

// now is a Friday morning in Berlin.
var now = time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)

func TestRead(t *testing.T) {
	tasks, err := fileimport.Todoist([]byte(project), "ada", "Europe/Berlin", now)
	require.NoError(t, err)
	require.Len(t, tasks, 5, "sub-tasks are steps, notes are text, sections are tags")

	milk := tasks[0]
	assert.Equal(t, "Buy milk", milk.Title)
	assert.Equal(t, []string{"errands", "groceries"}, milk.Tags, "its label, and its section as a tag")
	assert.Equal(t, taskwire.PriorityNone, milk.Priority, "Todoist's 1 is its p4, no priority")
	assert.Equal(t, []taskwire.Step{{Text: "oat milk"}, {Text: "whole milk, 1 l"}}, milk.Checklist)
	assert.Equal(t, "Get the organic one", milk.Description, "a note is the task's text")
	require.NotNil(t, milk.DueDate)
	assert.Equal(t, "2026-12-05", *milk.DueDate, "tomorrow, all day, in its zone")
	assert.Equal(t, "Europe/Berlin", milk.TimeZone)
	assert.Equal(t, taskwire.StatusOpen, milk.Status)
	assert.Equal(t, int64(0), milk.Number, "each takes the user's next number")

	rent := tasks[1]
	assert.Equal(t, "Pay rent", rent.Title)
	assert.Equal(t, []string{"money", "home"}, rent.Tags, "its section is one of its labels already")
	assert.Equal(t, taskwire.PriorityUrgent, rent.Priority, "Todoist's 4 is its p1, the highest")
	assert.Equal(t, "Transfer to the landlord", rent.Description)
	require.NotNil(t, rent.Recurrence)
	assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=1", *rent.Recurrence)
	assert.Equal(t, "2027-01-01", *rent.DueDate)
	assert.Equal(t, "Europe/Berlin", rent.TimeZone, "no TIMEZONE: the user's zone")
	require.NotNil(t, rent.SeriesID, "a repeating task starts its series")

	mom := tasks[2]
	assert.Equal(t, taskwire.PriorityHigh, mom.Priority)
	assert.Equal(t, "FREQ=WEEKLY;BYDAY=MO", *mom.Recurrence)
	require.NotNil(t, mom.DueAt)
	assert.Equal(t, "2026-12-07T18:00:00-05:00", mom.DueAt.In(taskwire.LoadZone("America/New_York")).Format(time.RFC3339),
		"read in its own zone")
	require.NotNil(t, mom.Duration)
	assert.Equal(t, "PT30M", *mom.Duration)

	dentist := tasks[3]
	assert.Equal(t, taskwire.PriorityMedium, dentist.Priority)
	require.NotNil(t, dentist.DueAt)
	assert.Equal(t, "2026-12-14T13:30:00Z", dentist.DueAt.UTC().Format(time.RFC3339), "an RFC 3339 time is that instant")

	someday := tasks[4]
	assert.Equal(t, "Someday maybe", someday.Title)
	assert.Nil(t, someday.DueAt)
	assert.Equal(t, taskwire.PriorityNone, someday.Priority, "no PRIORITY: none")
	assert.Equal(t, []string{"home"}, someday.Tags)

	// The same file gives the same ids, for the same user only.
	again, err := fileimport.Todoist([]byte(project), "ada", "Europe/Berlin", now.Add(time.Hour))
	require.NoError(t, err)
	other, err := fileimport.Todoist([]byte(project), "bob", "Europe/Berlin", now)
	require.NoError(t, err)
	for i := range tasks {
		assert.Equal(t, tasks[i].ID, again[i].ID, "read again: the same id")
		assert.NotEqual(t, tasks[i].ID, other[i].ID, "another user's ids are theirs")
	}
	// A DEADLINE is the due of a task without a DATE, else a line of its description.
	deadlines := "TYPE,CONTENT,DESCRIPTION,DATE,DATE_LANG,DEADLINE,DEADLINE_LANG\r\n" +
		"task,File taxes,,,,2027-04-15,en\r\n" +
		"task,Draft the report,Two pages,friday,en,2026-12-18,en\r\n"
	dated, err := fileimport.Todoist([]byte(deadlines), "ada", "Europe/Berlin", now)
	require.NoError(t, err)
	require.Len(t, dated, 2)
	require.NotNil(t, dated[0].DueDate)
	assert.Equal(t, "2027-04-15", *dated[0].DueDate)
	assert.Equal(t, "2026-12-11", *dated[1].DueDate, "DATE first")
	assert.Equal(t, "Two pages\n\nDeadline: 2026-12-18", dated[1].Description)

	twice, err := fileimport.Todoist([]byte(header+"task,Water plants\r\ntask,Water plants\r\n"), "ada", "UTC", now)
	require.NoError(t, err)
	require.Len(t, twice, 2)
	assert.NotEqual(t, twice[0].ID, twice[1].ID, "the same row twice is two tasks")
}

// A file of more tasks than an import adds is refused whole, before they are read.
func TestRead_TooManyTasks(t *testing.T) {
	file := header + strings.Repeat("task,x\r\n", fileimport.MaxTasks+1)
	_, err := fileimport.Todoist([]byte(file), "ada", "UTC", now)
	require.Error(t, err)
	assert.Equal(t, taskwire.ETOOLARGE, taskwire.ErrorCode(err))
	assert.Contains(t, taskwire.ErrorMessage(err), "more than 30000 tasks")
}

func TestRead_BadFiles(t *testing.T) {
	for _, tt := range []struct {
		name, file, field, message string
	}{
		{"NotCSV", header + "task,\"Buy milk,,,\r\n", "line[2]", "not CSV"},
		{"NoHeader", "Buy milk,tomorrow\r\n", "file", "TYPE and CONTENT"},
		{"TaskwireCSV", "\uFEFFnumber,title,status,priority,tags,due_date,due_at,time_zone\r\n1,Buy milk,open,none,,,,UTC\r\n",
			"file", "Download everything"},
		{"Empty", "", "file", "not CSV"},
		{"UnknownType", header + "project,Home\r\n", "line[2].TYPE", `got "project"`},
		{"Priority", header + "task,Buy milk,,5\r\n", "line[2].PRIORITY", `got "5"`},
		{"Indent", header + "task,Buy milk,,,x\r\n", "line[2].INDENT", `got "x"`},
		{"Date", header + "task,Buy milk,,,,,,whenever it suits\r\n", "line[2].DATE", `"whenever it suits"`},
		{"DateWithMore", header + "task,Buy milk,,,,,,tomorrow #shop\r\n", "line[2].DATE", `"tomorrow #shop"`},
		{"DateLanguage", header + "task,Milch kaufen,,,,,,morgen,de\r\n", "line[2].DATE_LANG", "English"},
		{"Deadline", "TYPE,CONTENT,DEADLINE\r\ntask,File taxes,soon-ish\r\n", "line[2].DEADLINE", `DEADLINE "soon-ish"`},
		{"NoteFirst", header + "note,Get the organic one\r\n", "line[2].TYPE", "no task comes before"},
		{"Duration", header + "task,Call mom,,,,,,,,,half,minute\r\n", "line[2].DURATION", `got "half"`},
		{"DurationUnit", header + "task,Call mom,,,,,,,,,30,hour\r\n", "line[2].DURATION", `got "hour"`},
		{"Zone", header + "task,Call mom,,,,,,,,Mars/Olympus\r\n", "line[2].time_zone", "line[2]"},
		{"LongTitle", header + "task," + strings.Repeat("x", 501) + "\r\n", "line[2].title", "500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fileimport.Todoist([]byte(tt.file), "ada", "UTC", now)
			require.Error(t, err)
			assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
			assert.Equal(t, tt.field, taskwire.ErrorField(err))
			assert.Contains(t, taskwire.ErrorMessage(err), tt.message)
		})
	}
}

// Whatever the file, Read answers tasks that are valid new tasks, or an error; it never
// panics.
func FuzzRead(f *testing.F) {
	f.Add(project)
	f.Add(header + "task,\"a\nb\",,,3\r\nnote,x\r\ntask,y,,,,,,every! 3 days,en,Asia/Tokyo,90,minute\r\n")
	f.Add("TYPE,CONTENT\ntask,@a @b @c\n")
	f.Add(backup)
	f.Add(tickTickHeader + `"","L","x","CHECKLIST","a,,b","▫\n▪","Y","","","","RRULE:","0","1","","","","","true","","","","","1","1"` + "\n")
	f.Add(calendarFile)
	f.Add("BEGIN:VCALENDAR\nBEGIN:VTODO\nDUE;TZID=\"a;b\":20261210T100000\nRELATED-TO:x\nUID:x\nBEGIN:VALARM\nTRIGGER:-P1W\nEND:VALARM\nEND:VTODO\nEND:VCALENDAR")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY;X=\"\":\\\r\n \r\nEND:VTODO\r\nEND:VCALENDAR")
	f.Fuzz(func(t *testing.T, file string) {
		tasks, err := fileimport.Read([]byte(file), "ada", "Europe/Berlin", now)
		if err != nil {
			require.Contains(t, []string{taskwire.EINVALID, taskwire.ETOOLARGE}, taskwire.ErrorCode(err), "%v", err)
			return
		}
		for _, task := range tasks {
			require.NotEmpty(t, task.Title)
			require.NotEqual(t, "", task.TimeZone)
		}
	})
}
