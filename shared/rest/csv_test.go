package rest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest/resttest"
)

// The tasks as a spreadsheet opens them: one row each, open and completed, in the order
// made, under a header; fields with commas, quotes and line breaks quoted; text that a
// spreadsheet would run as a formula kept as text; no one else's tasks.
func TestExportCSV(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Europe/Berlin"}`).MustStatus(t, http.StatusOK)
	rent := c.MustCreateTask(t, map[string]any{"title": "Pay rent", "tags": []string{"home", "money"},
		"due_date": "2026-12-01", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1", "description": `=HYPERLINK("https://evil.example")`})
	bank := c.MustCreateTask(t, map[string]any{"title": `Call the bank, say "hello"`, "priority": "high",
		"due_at": "2026-12-04T09:00:00", "time_zone": "America/New_York", "duration": "PT30M",
		"checklist": []map[string]any{{"text": "find the number", "done": true}, {"text": "call"}}})
	done := c.MustCreateTask(t, map[string]any{"title": "+1 the proposal", "completed": true})
	s.NewUser(t).MustCreateTask(t, map[string]any{"title": "someone else's"})

	resp := c.Do(t, http.MethodGet, "/v1/export/tasks.csv", nil, "Accept-Encoding", "identity")
	resp.MustStatus(t, http.StatusOK)
	assert.Equal(t, "text/csv; charset=utf-8; header=present", resp.Header.Get("Content-Type"))
	assert.Regexp(t, `^attachment; filename="taskwire-tasks-\d{4}-\d{2}-\d{2}\.csv"$`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	body, bom := bytes.CutPrefix(resp.Body, []byte("\uFEFF"))
	require.True(t, bom, "the byte order mark by which Excel reads UTF-8")
	assert.Contains(t, string(body), "\r\n", "lines end with CRLF, as RFC 4180 has them")

	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 4, "the header and three tasks, no one else's")
	header := records[0]
	assert.Equal(t, []string{"number", "title", "status", "priority", "tags", "due_date", "due_at", "time_zone", "duration",
		"recurrence", "repeat_from", "checklist", "description", "completed_at", "created_at", "updated_at", "id"}, header)
	row := func(i int) map[string]string {
		t.Helper()
		m := map[string]string{}
		for k, name := range header {
			m[name] = records[i][k]
		}
		return m
	}

	first := row(1)
	assert.Equal(t, "1", first["number"])
	assert.Equal(t, rent.ID.String(), first["id"])
	assert.Equal(t, "Pay rent", first["title"])
	assert.Equal(t, "open", first["status"])
	assert.Equal(t, "home, money", first["tags"])
	assert.Equal(t, "2026-12-01", first["due_date"])
	assert.Equal(t, "2026-12-01T23:59:59+01:00", first["due_at"], "an all-day task's due is its day's end, in its zone")
	assert.Equal(t, "Europe/Berlin", first["time_zone"])
	assert.Equal(t, "FREQ=MONTHLY;BYMONTHDAY=1", first["recurrence"])
	assert.Equal(t, "schedule", first["repeat_from"])
	assert.Equal(t, `'=HYPERLINK("https://evil.example")`, first["description"], "a formula stays text")
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	assert.Equal(t, rent.CreatedAt.In(berlin).Format(time.RFC3339), first["created_at"])

	second := row(2)
	assert.Equal(t, bank.ID.String(), second["id"])
	assert.Equal(t, `Call the bank, say "hello"`, second["title"], "commas and quotes survive the quoting")
	assert.Equal(t, "high", second["priority"])
	assert.Equal(t, "", second["due_date"])
	assert.Equal(t, "2026-12-04T09:00:00-05:00", second["due_at"], "in the task's own zone")
	assert.Equal(t, "America/New_York", second["time_zone"])
	assert.Equal(t, "PT30M", second["duration"])
	assert.Equal(t, "[x] find the number\n[ ] call", second["checklist"], "a step a line")
	assert.Equal(t, "", second["completed_at"])

	third := row(3)
	assert.Equal(t, done.ID.String(), third["id"])
	assert.Equal(t, "'+1 the proposal", third["title"], "a leading + is a formula to a spreadsheet")
	assert.Equal(t, "completed", third["status"])
	assert.NotEmpty(t, third["completed_at"])

	// A client that accepts gzip gets the same file compressed.
	zipped := c.Do(t, http.MethodGet, "/v1/export/tasks.csv", nil, "Accept-Encoding", "gzip")
	zipped.MustStatus(t, http.StatusOK)
	assert.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	require.NoError(t, err)
	unzipped, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, string(resp.Body), string(unzipped))

	// The listing's filters and sort select the rows; a listing's paging is no parameter.
	resp = c.Do(t, http.MethodGet, "/v1/export/tasks.csv?status=open&sort=-priority", nil, "Accept-Encoding", "identity")
	resp.MustStatus(t, http.StatusOK)
	records, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.Body, []byte("\uFEFF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3, "the header and the two open tasks")
	assert.Equal(t, []string{bank.ID.String(), rent.ID.String()}, []string{records[1][16], records[2][16]}, "the high one first")
	for _, bad := range []struct{ query, field string }{
		{"limit=5", "limit"}, {"cursor=x", "cursor"}, {"status=done", "status"}, {"colour=red", "colour"},
	} {
		resp := c.Do(t, http.MethodGet, "/v1/export/tasks.csv?"+bad.query, nil)
		resp.MustStatus(t, http.StatusBadRequest)
		assert.Equal(t, bad.field, resp.Problem(t).Field, bad.query)
	}

	// Without a token, no file.
	s.NewClient("").Do(t, http.MethodGet, "/v1/export/tasks.csv", nil).MustStatus(t, http.StatusUnauthorized)
}

// A download is named for the user's day, where they save it: in Kiritimati (UTC+14) the
// date is mostly UTC's next (until 2026-12-06 it was UTC's).
func TestExport_FileDay(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone": "Pacific/Kiritimati"}`).MustStatus(t, http.StatusOK)
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati")
	require.NoError(t, err)
	for path, name := range map[string]string{
		"/v1/export": "taskwire-export-%s.json", "/v1/export/tasks.csv": "taskwire-tasks-%s.csv", "/v1/export/tasks.ics": "taskwire-tasks-%s.ics",
	} {
		before := time.Now().In(kiritimati).Format(time.DateOnly)
		resp := c.Do(t, http.MethodGet, path, nil)
		after := time.Now().In(kiritimati).Format(time.DateOnly)
		resp.MustStatus(t, http.StatusOK)
		got := resp.Header.Get("Content-Disposition")
		assert.Contains(t, []string{
			fmt.Sprintf(`attachment; filename="`+name+`"`, before), fmt.Sprintf(`attachment; filename="`+name+`"`, after),
		}, got, path)
	}
}
