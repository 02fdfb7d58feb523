package rest_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// todoistProject is a project as Todoist exports it to CSV.
const todoistProject = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT\r\n" +
	"task,Buy milk @errands,,1,1,Ada (123),,tomorrow,en,,,\r\n" +
	"task,oat milk,,1,2,Ada (123),,,en,,,\r\n" +
	"note,Get the organic one,,,,Ada (123),,,,,,\r\n" +
	"task,Pay rent,,4,1,Ada (123),,every month on the 1st,en,,,\r\n"

// Leaving Todoist: its CSV export posted to the import adds its tasks after the user's
// own, each announced; posted again, it adds nothing; a bad file adds nothing and says
// where it is bad.
func TestImport_Todoist(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Europe/Berlin"}`).MustStatus(t, http.StatusOK)
	mine := c.MustCreateTask(t, map[string]any{"title": "My own"})

	resp := c.Do(t, http.MethodPost, "/v1/import", todoistProject, "Content-Type", "text/csv; charset=utf-8")
	resp.MustStatus(t, http.StatusOK)
	var got rest.Imported
	resp.JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 2, Present: 0}, got)

	milk := c.MustGetTask(t, "2")
	assert.Equal(t, "Buy milk", milk.Title, "the first task of the file takes the next number")
	assert.Equal(t, []string{"errands"}, milk.Tags)
	assert.Equal(t, taskwire.PriorityNone, milk.Priority)
	assert.Equal(t, []taskwire.Step{{Text: "oat milk"}}, milk.Checklist)
	assert.Equal(t, "Get the organic one", milk.Description)
	assert.Equal(t, "Europe/Berlin", milk.TimeZone, "read in the user's zone")
	require.NotNil(t, milk.DueDate)
	rent := c.MustGetTask(t, "3")
	assert.Equal(t, "Pay rent", rent.Title)
	require.NotNil(t, rent.Recurrence)
	assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=1", *rent.Recurrence)
	assert.Equal(t, []string{events.TypeTaskCreated}, eventTypes(mustHistory(t, c, rent.ID.String())), "announced as made")
	assert.Equal(t, mine.Version, c.MustGetTask(t, "1").Version, "the user's own task is untouched")
	assert.Equal(t, int64(4), c.MustCreateTask(t, map[string]any{"title": "next"}).Number, "numbering goes on after them")

	c.Do(t, http.MethodPost, "/v1/import", todoistProject, "Content-Type", "text/csv").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 0, Present: 2}, got, "the same file again adds nothing")

	bad := todoistProject + "task,Call mom,,5,1\r\n"
	refused := mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", bad, "Content-Type", "text/csv"),
		http.StatusUnprocessableEntity, taskwire.EINVALID)
	assert.Equal(t, "line[6].PRIORITY", refused.Field, "the sixth line of the file")
	assert.Len(t, c.MustListTasks(t, "status=all"), 4, "a bad file adds nothing")

	// curl sends nothing for a file it cannot find: the problem says so, whatever the type.
	for _, kind := range []string{"text/csv", "application/zip", "text/calendar"} {
		empty := mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", "", "Content-Type", kind),
			http.StatusUnprocessableEntity, taskwire.EINVALID)
		assert.Equal(t, "file", empty.Field)
		assert.Contains(t, empty.Detail, "the file is empty", kind)
	}
}

// Leaving TickTick: its backup posted to the import adds its open and completed tasks,
// with their checklists; posted again, it adds nothing.
func TestImport_TickTick(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	backup := `"Date: 2026-12-03+0000"
"Version: 7.1"
"Status: 
0 Normal
1 Completed
2 Archived"
"Folder Name","List Name","Title","Kind","Tags","Content","Is Check list","Start Date","Due Date","Reminder","Repeat","Priority","Status","Created Time","Completed Time","Order","Timezone","Is All Day","Is Floating","Column Name","Column Order","View Mode","taskId","parentId"
"","Home","Pack for the trip","CHECKLIST","travel","▫Passport
▪Charger","Y","","2030-12-10T17:30:00+0000","","","5","0","2026-12-01T08:00:00+0000","","-1","America/New_York","false","false","","","list","t3",""
"","Work","Old report","TEXT","","","N","","2026-11-20T08:00:00+0000","","","0","2","2026-11-01T08:00:00+0000","2026-11-20T09:00:00+0000","-1","Europe/Berlin","false","false","","","list","t5",""
`
	resp := c.Do(t, http.MethodPost, "/v1/import", backup, "Content-Type", "text/csv")
	resp.MustStatus(t, http.StatusOK)
	var got rest.Imported
	resp.JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 2, Present: 0}, got)

	trip := c.MustGetTask(t, "1")
	assert.Equal(t, "Pack for the trip", trip.Title)
	assert.Equal(t, []string{"travel", "home"}, trip.Tags)
	assert.Equal(t, taskwire.PriorityHigh, trip.Priority)
	assert.Equal(t, []taskwire.Step{{Text: "Passport"}, {Text: "Charger", Done: true}}, trip.Checklist)
	assert.Equal(t, "America/New_York", trip.TimeZone)
	done := c.MustGetTask(t, "2")
	assert.Equal(t, taskwire.StatusCompleted, done.Status, "completed in TickTick, completed here")

	c.Do(t, http.MethodPost, "/v1/import", backup, "Content-Type", "text/csv").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 0, Present: 2}, got, "the same backup again adds nothing")
}

// Leaving Thunderbird, Nextcloud Tasks or Apple Reminders: the tasks of an iCalendar file
// (text/calendar) are imported, their sub-tasks as steps; posted again, nothing is added.
func TestImport_Calendar(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	file := strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VTODO
UID:p1
SUMMARY:Pack for Lisbon
CATEGORIES:Travel
DUE;TZID=Europe/Lisbon:20301210T083000
BEGIN:VALARM
TRIGGER;RELATED=END:-PT30M
END:VALARM
END:VTODO
BEGIN:VTODO
UID:c1
RELATED-TO:p1
SUMMARY:Passport
STATUS:COMPLETED
END:VTODO
END:VCALENDAR
`, "\n", "\r\n")
	resp := c.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", "text/calendar; charset=utf-8")
	resp.MustStatus(t, http.StatusOK)
	var got rest.Imported
	resp.JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 1, Present: 0}, got)
	pack := c.MustGetTask(t, "1")
	assert.Equal(t, "Pack for Lisbon", pack.Title)
	assert.Equal(t, []string{"travel"}, pack.Tags)
	assert.Equal(t, "Europe/Lisbon", pack.TimeZone)
	assert.Equal(t, []taskwire.Step{{Text: "Passport", Done: true}}, pack.Checklist)
	require.Len(t, pack.Reminders, 1)
	assert.Equal(t, "PT30M", pack.Reminders[0].Before)

	c.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", "text/calendar").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 0, Present: 1}, got, "the same file again adds nothing")

	// Sent as curl sends a file without a type, or as bytes, the calendar is known by its
	// first line: until 2026-12-06 it was read as JSON, "invalid character 'B'".
	for _, typ := range []string{"application/x-www-form-urlencoded", "application/octet-stream", "text/plain"} {
		resp := c.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", typ)
		resp.MustStatus(t, http.StatusOK)
		resp.JSON(t, &got)
		assert.Equal(t, rest.Imported{Added: 0, Present: 1}, got, typ)
	}
	// An export sent so is JSON still, and JSON said to be JSON is read as JSON.
	refused := mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", `{"format": "other"}`, "Content-Type", "application/octet-stream"),
		http.StatusUnprocessableEntity, taskwire.EINVALID)
	assert.Equal(t, "format", refused.Field)
	mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", "application/json"), http.StatusBadRequest, taskwire.EMALFORMED)

	refused = mustProblem(t, c.Do(t, http.MethodPost, "/v1/import", "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nDUE:tomorrow\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		"Content-Type", "text/calendar"), http.StatusUnprocessableEntity, taskwire.EINVALID)
	assert.Equal(t, "line[3].DUE", refused.Field)
}

// Leaving for a CalDAV app and coming back: the tasks downloaded as an iCalendar file of
// to-dos (GET /v1/export/tasks.ics) and imported by another user are the same tasks:
// times in their zones, days, rules (from the completion too), durations, reminders
// before the due and at a time, steps, priorities, tags, completions.
func TestExportICS_RoundTrip(t *testing.T) {
	s := resttest.MustStart(t)
	ada := s.NewUser(t)
	for _, body := range []string{
		`{"title": "Dentist, Dr. Weiß", "description": "Bring the card;\nfloor 2", "priority": "urgent", "tags": ["health", "care"],
			"due_at": "2030-05-01T09:30:00", "time_zone": "Europe/Berlin", "duration": "PT45M",
			"reminders": [{"before": "PT1H"}, {"at": "2030-04-30T20:00:00Z"}]}`,
		`{"title": "Pay rent", "due_date": "2030-05-01", "time_zone": "America/New_York", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1",
			"reminders": [{"before": "P1D"}, {"before": "PT0S"}, {"before": "P7D"}]}`,
		`{"title": "Water the plants", "due_at": "2030-05-02T08:00:00Z", "time_zone": "UTC", "recurrence": "FREQ=DAILY;INTERVAL=3",
			"repeat_from": "completion", "priority": "low"}`,
		`{"title": "Pack", "checklist": [{"text": "Passport", "done": true}, {"text": "Charger"}], "priority": "high", "tags": ["travel"]}`,
		`{"title": "Old report", "completed": true, "priority": "medium"}`,
	} {
		ada.Do(t, http.MethodPost, "/v1/tasks", body).MustStatus(t, http.StatusCreated)
	}
	resp := ada.Do(t, http.MethodGet, "/v1/export/tasks.ics", nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "text/calendar; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, resp.Header.Get("Content-Disposition"), ".ics")
	file := string(resp.Body)
	assert.Contains(t, file, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin", "the zone of the times written")

	bob := s.NewUser(t)
	var got rest.Imported
	bob.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", "text/calendar").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 5}, got, "the steps are steps again, not tasks")
	// Imported again, by either of them, the file adds nothing: until 2026-12-06 ada's
	// own file, imported back, added every task a second time.
	for _, u := range []*resttest.Client{ada, bob} {
		var again rest.Imported
		u.Do(t, http.MethodPost, "/v1/import", file, "Content-Type", "text/calendar").JSON(t, &again)
		assert.Equal(t, rest.Imported{Present: 5}, again)
	}
	assert.Len(t, ada.MustListTasks(t, "status=all"), 5)

	theirs := map[string]*taskwire.Task{}
	for _, task := range bob.MustListTasks(t, "status=all") {
		theirs[task.Title] = task
	}
	for _, want := range ada.MustListTasks(t, "status=all") {
		back := theirs[want.Title]
		require.NotNil(t, back, "%s imported", want.Title)
		assert.Equal(t, want.Description, back.Description, want.Title)
		assert.Equal(t, want.Priority, back.Priority, want.Title)
		assert.Equal(t, want.Tags, back.Tags, want.Title)
		assert.Equal(t, want.Status, back.Status, want.Title)
		assert.Equal(t, want.TimeZone, back.TimeZone, want.Title)
		assert.Equal(t, want.DueDate, back.DueDate, want.Title)
		assert.Equal(t, want.Duration, back.Duration, want.Title)
		assert.Equal(t, want.Recurrence, back.Recurrence, want.Title)
		assert.Equal(t, want.RepeatFrom, back.RepeatFrom, want.Title)
		assert.Equal(t, want.Checklist, back.Checklist, want.Title)
		if want.DueAt != nil {
			require.NotNil(t, back.DueAt, want.Title)
			assert.True(t, want.DueAt.Equal(*back.DueAt), "%s: due %s, back %s", want.Title, want.DueAt, back.DueAt)
		}
		if want.CompletedAt != nil {
			require.NotNil(t, back.CompletedAt, want.Title)
			assert.True(t, want.CompletedAt.Truncate(time.Second).Equal(*back.CompletedAt), "%s: completed_at", want.Title)
		}
		require.Len(t, back.Reminders, len(want.Reminders), want.Title)
		for i, r := range want.Reminders {
			assert.Equal(t, r.Before, back.Reminders[i].Before, "%s: reminder %d", want.Title, i)
			if r.FireAt != nil {
				require.NotNil(t, back.Reminders[i].FireAt, "%s: reminder %d", want.Title, i)
				assert.True(t, r.FireAt.Equal(*back.Reminders[i].FireAt), "%s: reminder %d fires at %s, back %s", want.Title, i, r.FireAt, back.Reminders[i].FireAt)
			}
		}
	}

	mustProblem(t, ada.Do(t, http.MethodGet, "/v1/export/tasks.ics?limit=5", nil), http.StatusBadRequest, taskwire.EMALFORMED)
	open := ada.Do(t, http.MethodGet, "/v1/export/tasks.ics?status=open&tag=travel", nil)
	open.MustStatus(t, http.StatusOK)
	assert.Equal(t, 3, strings.Count(string(open.Body), "BEGIN:VTODO"), "the filters choose the tasks: Pack and its two steps")
}

// A later occurrence of a series with a COUNT is exported with what is left of the series
// (until 2026-12-06 the whole COUNT, so the series ran on past its end once imported).
func TestExportICS_CountLeft(t *testing.T) {
	s := resttest.MustStart(t)
	ada := s.NewUser(t)
	ada.MustCreateTask(t, map[string]any{"title": "Pills", "due_at": "2030-05-01T09:00:00", "time_zone": "Europe/Berlin",
		"recurrence": "FREQ=DAILY;COUNT=3"})
	ada.Do(t, http.MethodPost, "/v1/tasks/1/skip", nil).MustStatus(t, http.StatusOK) // the 2nd of 3
	resp := ada.Do(t, http.MethodGet, "/v1/export/tasks.ics", nil)
	resp.MustStatus(t, http.StatusOK)
	assert.Contains(t, string(resp.Body), "RRULE:FREQ=DAILY;COUNT=2\r\n")

	bob := s.NewUser(t)
	bob.Do(t, http.MethodPost, "/v1/import", string(resp.Body), "Content-Type", "text/calendar").MustStatus(t, http.StatusOK)
	back := bob.MustListTasks(t, "")
	require.Len(t, back, 1)
	require.NotNil(t, back[0].Recurrence)
	assert.Equal(t, "FREQ=DAILY;COUNT=2", *back[0].Recurrence, "itself and one more, as ada's series has")
}

// A project's file imported with its name (?name=) tags its tasks with the project, and
// Todoist's backup, a ZIP archive of every project's file, imports them all at once.
func TestImport_TodoistProjects(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	head := "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\r\n"
	work := head + "task,Weekly review,,1,1,Ada (1),,,en,\r\n"
	var got rest.Imported
	c.Do(t, http.MethodPost, "/v1/import?name=Work.csv", work, "Content-Type", "text/csv").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 1}, got)
	assert.Equal(t, []string{"work"}, c.MustGetTask(t, "1").Tags)

	var archive bytes.Buffer
	z := zip.NewWriter(&archive)
	for name, content := range map[string]string{"Work [1].csv": work, "Home [2].csv": work} {
		f, err := z.Create(name)
		require.NoError(t, err)
		_, err = f.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, z.Close())
	c.Do(t, http.MethodPost, "/v1/import", archive.String(), "Content-Type", "application/zip").JSON(t, &got)
	assert.Equal(t, rest.Imported{Added: 1, Present: 1}, got, "Work's task was there; Home's is new")
	home := c.MustGetTask(t, "2")
	assert.Equal(t, "Weekly review", home.Title)
	assert.Equal(t, []string{"home"}, home.Tags)

	d := mustProblem(t, c.Do(t, http.MethodPost, "/v1/import?file=Work.csv", work, "Content-Type", "text/csv"),
		http.StatusBadRequest, taskwire.EMALFORMED)
	assert.Equal(t, "file", d.Field)
}
