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

// tickTickHeader is the header of TickTick's backups, after the lines about the file.
const tickTickHeader = `"Date: 2026-12-03+0000"
"Version: 7.1"
"Status: 
0 Normal
1 Completed
2 Archived"
"Folder Name","List Name","Title","Kind","Tags","Content","Is Check list","Start Date","Due Date","Reminder","Repeat","Priority","Status","Created Time","Completed Time","Order","Timezone","Is All Day","Is Floating","Column Name","Column Order","View Mode","taskId","parentId"
`

// backup is a TickTick backup: lists, tags, a sub-task, a checklist, a repeating task, a
// completed one, a rule of TickTick's own, a note.
const backup = tickTickHeader +
	`"Home","Garden","Repot the basil","TEXT","garden, weekend","Use the big pot","N","2026-12-05T23:00:00+0000","2026-12-05T23:00:00+0000","","","5","0","2026-11-30T08:00:00+0000","","-1","Europe/Berlin","true","false","","","list","t1",""
"Home","Garden","Buy compost","TEXT","","","N","","","","","0","2","2026-11-30T08:00:00+0000","2026-12-01T10:00:00+0000","-1","Europe/Berlin","false","false","","","list","t2","t1"
"Home","Garden","Peat-free","TEXT","","","N","","","","","0","0","2026-11-30T08:00:00+0000","","-1","Europe/Berlin","false","false","","","list","t8","t2"
"","Inbox","Pack for the trip","CHECKLIST","","Before Friday
▫Passport
▪Charger","Y","","2026-12-10T17:30:00+0000","","","3","0","2026-12-01T08:00:00+0000","","-1","America/New_York","false","false","","","list","t3",""
"","Work","Weekly review","TEXT","","","N","","2026-12-07T08:00:00+0000","","RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO","1","0","2026-11-01T08:00:00+0000","","-1","Europe/Berlin","false","false","","","list","t4",""
"","Work","Old report","TEXT","","","N","","2026-11-20T08:00:00+0000","","RRULE:FREQ=WEEKLY;BYDAY=FR","0","2","2026-11-01T08:00:00+0000","2026-11-20T09:00:00+0000","-1","Europe/Berlin","false","false","","","list","t5",""
"","Work","Standup","TEXT","","","N","","2026-12-07T08:00:00+0000","","RRULE:FREQ=DAILY;TT_SKIP=HOLIDAY","0","0","2026-11-01T08:00:00+0000","","-1","Europe/Berlin","false","false","","","list","t6",""
"","Ideas","A thought","NOTE","","Some text","N","","","","","0","0","2026-11-01T08:00:00+0000","","-1","Europe/Berlin","false","false","","","list","t7",""
`

func TestTickTick(t *testing.T) {
	tasks, err := fileimport.Read([]byte(backup), "ada", "UTC", now)
	require.NoError(t, err, "Read knows a TickTick backup by its header")
	require.Len(t, tasks, 5, "a sub-task is a step, a note no task")

	basil := tasks[0]
	assert.Equal(t, "Repot the basil", basil.Title)
	assert.Equal(t, "Use the big pot", basil.Description)
	assert.Equal(t, []string{"garden", "weekend"}, basil.Tags, "its tags, and its list once")
	assert.Equal(t, taskwire.PriorityHigh, basil.Priority, "TickTick's 5 is its highest")
	require.NotNil(t, basil.DueDate)
	assert.Equal(t, "2026-12-06", *basil.DueDate, "all day: its day in its zone")
	assert.Equal(t, "Europe/Berlin", basil.TimeZone)
	assert.Equal(t, []taskwire.Step{{Text: "Buy compost", Done: true}, {Text: "Peat-free"}}, basil.Checklist,
		"its completed sub-task, ticked, and the sub-task's own")
	assert.Equal(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), basil.CreatedAt)
	assert.Equal(t, int64(0), basil.Number)

	trip := tasks[1]
	assert.Equal(t, "Before Friday", trip.Description)
	assert.Equal(t, []taskwire.Step{{Text: "Passport"}, {Text: "Charger", Done: true}}, trip.Checklist)
	assert.Empty(t, trip.Tags, "the Inbox is no tag")
	assert.Equal(t, taskwire.PriorityMedium, trip.Priority)
	require.NotNil(t, trip.DueAt)
	assert.Equal(t, time.Date(2026, 12, 10, 17, 30, 0, 0, time.UTC), trip.DueAt.UTC())
	assert.Equal(t, "America/New_York", trip.TimeZone)

	review := tasks[2]
	require.NotNil(t, review.Recurrence)
	assert.Contains(t, *review.Recurrence, "BYDAY=MO")
	assert.Equal(t, taskwire.PriorityLow, review.Priority)
	assert.Equal(t, []string{"work"}, review.Tags)

	old := tasks[3]
	assert.Equal(t, taskwire.StatusCompleted, old.Status)
	require.NotNil(t, old.CompletedAt)
	assert.Equal(t, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), *old.CompletedAt)
	assert.Nil(t, old.Recurrence, "a completed occurrence starts no series")

	standup := tasks[4]
	assert.Nil(t, standup.Recurrence, "a rule of TickTick's own")
	assert.Equal(t, "Repeated in TickTick: FREQ=DAILY;TT_SKIP=HOLIDAY", standup.Description, "kept where the user sees it")

	again, err := fileimport.TickTick([]byte(backup), "ada", "UTC", now.Add(time.Hour))
	require.NoError(t, err)
	other, err := fileimport.TickTick([]byte(backup), "bob", "UTC", now)
	require.NoError(t, err)
	for i := range tasks {
		assert.Equal(t, tasks[i].ID, again[i].ID, "read again: the same id")
		assert.NotEqual(t, tasks[i].ID, other[i].ID, "another user's ids are theirs")
	}
}

func TestTickTick_BadFiles(t *testing.T) {
	row := func(cells map[string]string) string {
		names := []string{"Folder Name", "List Name", "Title", "Kind", "Tags", "Content", "Is Check list", "Start Date",
			"Due Date", "Reminder", "Repeat", "Priority", "Status", "Created Time", "Completed Time", "Order", "Timezone",
			"Is All Day", "Is Floating", "Column Name", "Column Order", "View Mode", "taskId", "parentId"}
		out := make([]string, len(names))
		for i, name := range names {
			out[i] = `"` + cells[name] + `"`
		}
		return strings.Join(out, ",") + "\n"
	}
	for _, tt := range []struct {
		name, file, field, message string
	}{
		{"NoHeader", `"Date: 2026-12-03+0000"` + "\n", "file", "not a TickTick backup"},
		{"Priority", tickTickHeader + row(map[string]string{"Title": "x", "Priority": "2"}), "line[8].Priority", `got "2"`},
		{"Status", tickTickHeader + row(map[string]string{"Title": "x", "Status": "9"}), "line[8].Status", `got "9"`},
		{"DueDate", tickTickHeader + row(map[string]string{"Title": "x", "Due Date": "tomorrow"}), "line[8].Due Date", `"tomorrow"`},
		{"Created", tickTickHeader + row(map[string]string{"Title": "x", "Created Time": "yesterday"}), "line[8].Created Time", `"yesterday"`},
		{"Zone", tickTickHeader + row(map[string]string{"Title": "x", "Timezone": "Mars/Olympus"}), "line[8].time_zone", "line[8]"},
		{"NoTitle", tickTickHeader + row(map[string]string{"Content": "only text"}), "line[8].title", "title"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fileimport.TickTick([]byte(tt.file), "ada", "UTC", now)
			require.Error(t, err)
			assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
			assert.Equal(t, tt.field, taskwire.ErrorField(err))
			assert.Contains(t, taskwire.ErrorMessage(err), tt.message)
		})
	}
}
