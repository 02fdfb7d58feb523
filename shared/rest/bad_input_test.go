package rest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// badRequest is a request the API must refuse with a problem naming field, writing nothing.
type badRequest struct {
	name    string
	method  string
	path    string
	body    any      // nil for none; strings are sent as is
	headers []string // name, value pairs
	status  int
	field   string // "" when the problem concerns the body as a whole
	detail  string // a part of the problem's detail, where it says how to mend the request
}

// codeOf returns the problem code an HTTP status stands for in these tests.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return taskwire.EMALFORMED
	case http.StatusUnprocessableEntity:
		return taskwire.EINVALID
	case http.StatusRequestEntityTooLarge:
		return taskwire.ETOOLARGE
	}
	return fmt.Sprintf("no code for status %d", status)
}

// taskBodyErrors are bodies that both creating and patching a task refuse, whatever the
// task holds (the patched task has no due date).
func taskBodyErrors() []badRequest {
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("tag%d", i)
		}
		return out
	}
	const due = `"due_at":"2026-03-01T09:00:00Z"`
	return []badRequest{
		{name: "MalformedJSON", body: `{"title" "x"}`, status: 400},
		{name: "TruncatedJSON", body: `{"title":"x"`, status: 400},
		{name: "UnknownField", body: `{"title":"x","colour":"red"}`, status: 400, field: "colour"},
		{name: "BodyNull", body: `null`, status: 400},
		{name: "WrongTypeTitle", body: `{"title":5}`, status: 400, field: "title"},
		{name: "WrongTypeTags", body: `{"title":"x","tags":"x"}`, status: 400, field: "tags"},
		{name: "WrongTypeTagItem", body: `{"title":"x","tags":["a",1]}`, status: 400, field: "tags[1]"},
		{name: "WrongTypeReminderMember", body: `{"title":"x","due_at":"2030-01-01T09:00:00Z","reminders":[{"before":"PT1H"},{"before":5}]}`, status: 400, field: "reminders[1].before"},
		{name: "WrongTypeReminders", body: `{"title":"x","reminders":{"before":"PT1H"}}`, status: 400, field: "reminders"},
		{name: "WrongTypeReminders", body: `{"title":"x",` + due + `,"reminders":{}}`, status: 400, field: "reminders"},
		{name: "WrongTypeCompleted", body: `{"title":"x","completed":"yes"}`, status: 400, field: "completed"},
		{name: "NotAnObject", body: `["title"]`, status: 400},
		{name: "TooLarge", body: `{"title":"x","description":"` + long(rest.MaxBodyBytes) + `"}`, status: 413},
		{name: "InvalidUTF8", body: "{\"title\":\"caf\xe9\"}", status: 400},
		{name: "Empty", body: "", status: 400},
		{name: "OnlyWhitespace", body: " \n\t", status: 400},
		{name: "TwoValues", body: `{"title":"a"} {"title":"b"}`, status: 400},
		{name: "TrailingGarbage", body: `{"title":"a"}x`, status: 400},
		{name: "TitleBlank", body: `{"title":" \t "}`, status: 422, field: "title"},
		{name: "Title501", body: `{"title":"` + long(501) + `"}`, status: 422, field: "title"},
		{name: "TitleControl", body: `{"title":"a\u0000b"}`, status: 422, field: "title"},
		{name: "Description10001", body: `{"title":"x","description":"` + long(10001) + `"}`, status: 422, field: "description"},
		{name: "DescriptionNUL", body: `{"title":"x","description":"a\u0000"}`, status: 422, field: "description"},
		{name: "Tags21", body: map[string]any{"title": "x", "tags": tags(21)}, status: 422, field: "tags"},
		{name: "Tag51", body: map[string]any{"title": "x", "tags": []string{"ok", long(51)}}, status: 422, field: "tags[1]"},
		{name: "TagBlank", body: `{"title":"x","tags":[" "]}`, status: 422, field: "tags[0]"},
		{name: "PriorityHuge", body: `{"title":"x","priority":"huge"}`, status: 422, field: "priority"},
		{name: "PriorityCase", body: `{"title":"x","priority":"HIGH"}`, status: 422, field: "priority"},
		{name: "DueAtTomorrow", body: `{"title":"x","due_at":"tomorrow"}`, status: 422, field: "due_at"},
		// A local time (no offset) is read in the task's zone; a date alone, or a space for
		// the T, is neither.
		{name: "DueAtDateOnly", body: `{"title":"x","due_at":"2026-03-01"}`, status: 422, field: "due_at"},
		{name: "DueAtSpace", body: `{"title":"x","due_at":"2026-03-01 09:00:00"}`, status: 422, field: "due_at"},
		{name: "DueAtLocalBefore1970", body: `{"title":"x","due_at":"1969-12-31T18:59:59","time_zone":"America/New_York"}`, status: 422, field: "due_at"},
		{name: "ReminderAtDateOnly", body: `{"title":"x","reminders":[{"at":"2026-03-01"}]}`, status: 422, field: "reminders[0].at"},
		{name: "DueAtOffset24Hours", body: `{"title":"x","due_at":"2026-03-01T09:00:00+24:00"}`, status: 422, field: "due_at"},
		{name: "DueAtBefore1970", body: `{"title":"x","due_at":"1969-12-31T23:59:59Z"}`, status: 422, field: "due_at"},
		// Year 9999 in New York is year 10000 in UTC, which JSON cannot carry.
		{name: "DueAtAfter9999UTC", body: `{"title":"x","due_at":"9999-12-31T23:00:00-05:00"}`, status: 422, field: "due_at"},
		{name: "DueAtWrongType", body: `{"title":"x","due_at":20260301}`, status: 400, field: "due_at"},
		{name: "TimeZoneMars", body: `{"title":"x","time_zone":"Mars/Olympus"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneLocal", body: `{"title":"x","time_zone":"Local"}`, status: 422, field: "time_zone"},
		{name: "TimeZonePath", body: `{"title":"x","time_zone":"../../etc/passwd"}`, status: 422, field: "time_zone"},
		// Names only some hosts' zone databases answer: the same task on a minimal
		// container fell back to UTC.
		{name: "TimeZoneHostLocaltime", body: `{"title":"x","time_zone":"localtime"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneHostRight", body: `{"title":"x","time_zone":"right/Europe/Berlin"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneHostPosix", body: `{"title":"x","time_zone":"posix/Europe/Berlin"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneHostPosixrules", body: `{"title":"x","time_zone":"posixrules"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneDoubleSlash", body: `{"title":"x","time_zone":"Europe//Berlin"}`, status: 422, field: "time_zone"},
		{name: "TimeZoneDotSlash", body: `{"title":"x","time_zone":"./Europe/Berlin"}`, status: 422, field: "time_zone"},
		{name: "RecurrenceSometimes", body: `{"title":"x",` + due + `,"recurrence":"FREQ=SOMETIMES"}`, status: 422, field: "recurrence"},
		{name: "RecurrenceDTSTART", body: `{"title":"x",` + due + `,"recurrence":"FREQ=DAILY;DTSTART=20200101T000000Z"}`, status: 422, field: "recurrence"},
		{name: "RecurrenceCountAndUntil", body: `{"title":"x",` + due + `,"recurrence":"FREQ=DAILY;COUNT=3;UNTIL=20260401T000000Z"}`, status: 422, field: "recurrence"},
		{name: "RecurrenceCountZero", body: `{"title":"x",` + due + `,"recurrence":"FREQ=DAILY;COUNT=0"}`, status: 422, field: "recurrence"},
		{name: "RecurrenceWithoutDueAt", body: `{"title":"x","recurrence":"FREQ=DAILY"}`, status: 422, field: "recurrence"},
		{name: "RecurrenceWrongType", body: `{"title":"x",` + due + `,"recurrence":["FREQ=DAILY"]}`, status: 400, field: "recurrence"},
		{name: "RepeatFromWhenever", body: `{"title":"x","repeat_from":"whenever"}`, status: 422, field: "repeat_from"},
		{name: "ReminderBeforeWords", body: `{"title":"x",` + due + `,"reminders":[{"before":"15 minutes"}]}`, status: 422, field: "reminders[0].before"},
		{name: "ReminderBeforeTooLong", body: `{"title":"x",` + due + `,"reminders":[{"before":"PT15M"},{"before":"P367D"}]}`, status: 422, field: "reminders[1].before"},
		{name: "ReminderBeforeAndAt", body: `{"title":"x",` + due + `,"reminders":[{"before":"PT15M","at":"2026-03-01T08:00:00Z"}]}`, status: 422, field: "reminders[0]"},
		{name: "ReminderEmpty", body: `{"title":"x",` + due + `,"reminders":[{}]}`, status: 422, field: "reminders[0]"},
		{name: "ReminderAtBad", body: `{"title":"x","reminders":[{"at":"soon"}]}`, status: 422, field: "reminders[0].at"},
		{name: "ReminderRelativeWithoutDueAt", body: `{"title":"x","reminders":[{"at":"2026-03-01T08:00:00Z"},{"before":"PT15M"}]}`, status: 422, field: "reminders[1].before"},
		{name: "Reminders11", body: `{"title":"x",` + due + `,"reminders":[` + strings.Repeat(`{"before":"PT1M"},`, 10) + `{"before":"PT1M"}]}`, status: 422, field: "reminders"},
	}
}

func TestBadInput(t *testing.T) {
	s := resttest.MustStart(t)
	c := s.NewUser(t)
	c.Do(t, http.MethodPatch, "/v1/me", `{"time_zone":"Europe/Berlin","email":"ada@example.com"}`).MustStatus(t, http.StatusOK)
	target := c.MustCreateTask(t, map[string]any{"title": "Target", "tags": []string{"kept"}, "priority": "low"})
	c.MustCreateTask(t, map[string]any{"title": "Another", "due_at": "2026-03-01T09:00:00Z"})

	require.Equal(t, 2, snapshot(t, s, c).Events, "got %d events for two creates, want 2: the snapshot must see writes")

	resp := c.Do(t, http.MethodGet, "/v1/tasks?sort=title&limit=1", nil)
	resp.MustStatus(t, http.StatusOK)
	var page taskwire.TaskPage
	resp.JSON(t, &page)
	require.NotEmpty(t, page.NextCursor)
	titleCursor := url.QueryEscape(page.NextCursor)

	var rows []badRequest
	for _, r := range taskBodyErrors() {
		r.name, r.method, r.path = "Create"+r.name, http.MethodPost, "/v1/tasks"
		rows = append(rows, r)
	}
	for _, r := range taskBodyErrors() {
		if b, ok := r.body.(string); ok && strings.HasPrefix(b, `{"title":"x",`) {
			r.body = "{" + strings.TrimPrefix(b, `{"title":"x",`) // patch only the field under test
		}
		r.name, r.method, r.path = "Patch"+r.name, http.MethodPatch, "/v1/tasks/"+target.ID.String()
		rows = append(rows, r)
	}
	alias := "/api/" + c.User + "/tasks"
	rows = append(rows,
		badRequest{name: "CreateIdempotencyKeyTooLong", method: http.MethodPost, path: "/v1/tasks", body: `{"title":"x"}`,
			headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, status: 400, field: "Idempotency-Key"},
		// An empty key (a client's unset variable) guarded nothing while the client thought
		// it did.
		badRequest{name: "CreateIdempotencyKeyEmpty", method: http.MethodPost, path: "/v1/tasks", body: `{"title":"x"}`,
			headers: []string{"Idempotency-Key", ""}, status: 400, field: "Idempotency-Key"},
		// The JSON decoder names an unknown member of a nested object without its path.
		badRequest{name: "CreateReminderUnknownField", method: http.MethodPost, path: "/v1/tasks", body: `{"title":"x","reminders":[{"after":"PT1M"}]}`, status: 400, field: "reminders[0].after"},
		badRequest{name: "CreateStatus", method: http.MethodPost, path: "/v1/tasks", body: `{"title":"x","status":"completed"}`, status: 400, field: "status"},
		badRequest{name: "AliasCreateTitleBlank", method: http.MethodPost, path: alias, body: `{"title":""}`, status: 422, field: "title"},
		badRequest{name: "AliasCreateUnknownField", method: http.MethodPost, path: alias, body: `{"title":"x","done":true}`, status: 400, field: "done"},

		badRequest{name: "PatchTitleNull", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"title":null}`, status: 422, field: "title"},
		badRequest{name: "PatchTimeZoneNull", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"time_zone":null}`, status: 422, field: "time_zone"},
		badRequest{name: "PatchCompletedNull", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"completed":null}`, status: 422, field: "completed"},
		badRequest{name: "PatchStatusDone", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"status":"done"}`, status: 422, field: "status"},
		badRequest{name: "PatchReminderUnknownField", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"reminders":[{"after":"PT1M"}]}`, status: 400, field: "reminders[0].after"},
		badRequest{name: "PatchTagWrongType", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"tags":["a",{}]}`, status: 400, field: "tags[1]"},
		badRequest{name: "PatchUnknownFieldsFirstNamed", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"zzz":1,"aaa":2,"mmm":3}`, status: 400, field: "aaa"},
		badRequest{name: "PatchStatusAndCompletedDisagree", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"status":"open","completed":true}`, status: 422, field: "completed"},
		badRequest{name: "PatchNull", method: http.MethodPatch, path: "/v1/tasks/1", body: `null`, status: 400},
		badRequest{name: "PatchID", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"id":"x"}`, status: 400, field: "id"},
		badRequest{name: "PatchVersion", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"version":7}`, status: 400, field: "version"},
		badRequest{name: "PatchFirstFieldGoodSecondBad", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"title":"Changed","priority":"huge"}`, status: 422, field: "priority"},
		badRequest{name: "PatchReminderNoDueAt", method: http.MethodPatch, path: "/v1/tasks/1", body: `{"reminders":[{"before":"PT5M"}]}`, status: 422, field: "reminders[0].before"},
		badRequest{name: "PatchClearDueAtOfRecurring", method: http.MethodPatch, path: "/v1/tasks/2",
			body: `{"due_at":null,"recurrence":"FREQ=DAILY"}`, status: 422, field: "recurrence"},
		badRequest{name: "AliasPutWrongType", method: http.MethodPut, path: alias + "/1", body: `{"completed":"yes"}`, status: 400, field: "completed"},

		badRequest{name: "ListLimit0", method: http.MethodGet, path: "/v1/tasks?limit=0", status: 400, field: "limit"},
		badRequest{name: "ListLimit201", method: http.MethodGet, path: "/v1/tasks?limit=201", status: 400, field: "limit"},
		badRequest{name: "ListLimitABC", method: http.MethodGet, path: "/v1/tasks?limit=abc", status: 400, field: "limit"},
		badRequest{name: "ListCursorGarbage", method: http.MethodGet, path: "/v1/tasks?cursor=garbage", status: 400, field: "cursor"},
		badRequest{name: "ListCursorOtherSort", method: http.MethodGet, path: "/v1/tasks?sort=due_at&cursor=" + titleCursor, status: 400, field: "cursor"},
		badRequest{name: "ListCursorOtherDirection", method: http.MethodGet, path: "/v1/tasks?sort=-title&cursor=" + titleCursor, status: 400, field: "cursor"},
		badRequest{name: "ListCursorNUL", method: http.MethodGet, path: "/v1/tasks?sort=title&cursor=" + base64.RawURLEncoding.EncodeToString(
			[]byte(`{"s":"title","x":"a\u0000b","i":"0190f0c4-0000-7000-8000-000000000001"}`)), status: 400, field: "cursor"},
		badRequest{name: "ListCursorTooLong", method: http.MethodGet, path: "/v1/tasks?cursor=" + strings.Repeat("A", 1025), status: 400, field: "cursor"},
		badRequest{name: "ListSortSize", method: http.MethodGet, path: "/v1/tasks?sort=size", status: 400, field: "sort"},
		badRequest{name: "ListStatusDone", method: http.MethodGet, path: "/v1/tasks?status=done", status: 400, field: "status"},
		badRequest{name: "ListStatusTwice", method: http.MethodGet, path: "/v1/tasks?status=open&status=all", status: 400, field: "status"},
		badRequest{name: "ListPriorityHuge", method: http.MethodGet, path: "/v1/tasks?priority=high,huge", status: 400, field: "priority"},
		badRequest{name: "ListTagTooLong", method: http.MethodGet, path: "/v1/tasks?tag=" + strings.Repeat("t", 51), status: 400, field: "tag"},
		badRequest{name: "ListTagNUL", method: http.MethodGet, path: "/v1/tasks?tag=a%00b", status: 400, field: "tag"},
		badRequest{name: "ListQueryNUL", method: http.MethodGet, path: "/v1/tasks?q=a%00b", status: 400, field: "q"},
		badRequest{name: "ListQueryInvalidUTF8", method: http.MethodGet, path: "/v1/tasks?q=%FF", status: 400, field: "q"},
		badRequest{name: "ListQueryTooLong", method: http.MethodGet, path: "/v1/tasks?q=" + strings.Repeat("q", 501), status: 400, field: "q"},
		badRequest{name: "ListDueBeforeYesterday", method: http.MethodGet, path: "/v1/tasks?due_before=yesterday", status: 400, field: "due_before"},
		badRequest{name: "ListDueAfterNoOffset", method: http.MethodGet, path: "/v1/tasks?due_after=2026-03-01T09:00:00", status: 400, field: "due_after"},
		badRequest{name: "ListDueAfterOffset24Hours", method: http.MethodGet, path: "/v1/tasks?due_after=2026-03-01T09:00:00-24:00", status: 400, field: "due_after"},
		badRequest{name: "ListUnknownParam", method: http.MethodGet, path: "/v1/tasks?colour=red", status: 400, field: "colour"},
		badRequest{name: "TitleOnlyZeroWidth", method: http.MethodPost, path: "/v1/tasks", body: "{\"title\":\"\u200b\u2060 \"}", status: 422, field: "title"},
		badRequest{name: "TitleLineSeparator", method: http.MethodPost, path: "/v1/tasks", body: "{\"title\":\"a\u2028b\"}", status: 422, field: "title"},
		badRequest{name: "ListDueAfterPlusUnencoded", method: http.MethodGet, path: "/v1/tasks?due_after=2027-01-02T09:00:00+01:00", status: 400, field: "due_after", detail: "write + as %2B"},
		badRequest{name: "ListTagsTypo", method: http.MethodGet, path: "/v1/tasks?tags=home", status: 400, field: "tags"},
		badRequest{name: "ListEmptyParamName", method: http.MethodGet, path: "/v1/tasks?=x", status: 400, field: "query"},
		badRequest{name: "ListOverdueMaybe", method: http.MethodGet, path: "/v1/tasks?overdue=maybe", status: 400, field: "overdue"},
		badRequest{name: "ListDueSoon", method: http.MethodGet, path: "/v1/tasks?due=soon", status: 400, field: "due"},
		badRequest{name: "ListDueNoneOverdue", method: http.MethodGet, path: "/v1/tasks?due=none&overdue=true", status: 400, field: "due"},
		// Overdue with what can hold no overdue task is refused, as due=none is (until
		// 2026-12-06 an empty page).
		badRequest{name: "ListDueTomorrowOverdue", method: http.MethodGet, path: "/v1/tasks?due=tomorrow&overdue=true", status: 400, field: "due"},
		badRequest{name: "ListDueLaterOverdue", method: http.MethodGet, path: "/v1/tasks?overdue=true&due=later", status: 400, field: "due"},
		badRequest{name: "ListCompletedOverdue", method: http.MethodGet, path: "/v1/tasks?overdue=true&status=completed", status: 400, field: "overdue"},
		badRequest{name: "ListDueNoneBefore", method: http.MethodGet, path: "/v1/tasks?due=none&due_before=2026-03-01T00:00:00Z", status: 400, field: "due"},
		badRequest{name: "ListDueTwice", method: http.MethodGet, path: "/v1/tasks?due=today&due=week", status: 400, field: "due"},
		badRequest{name: "ListWithOverdueMaybe", method: http.MethodGet, path: "/v1/tasks?due=today&with_overdue=maybe", status: 400, field: "with_overdue"},
		badRequest{name: "ListWithOverdueAlone", method: http.MethodGet, path: "/v1/tasks?with_overdue=true", status: 400, field: "with_overdue"},
		badRequest{name: "ListWithOverdueTomorrow", method: http.MethodGet, path: "/v1/tasks?due=tomorrow&with_overdue=true", status: 400, field: "with_overdue"},
		badRequest{name: "ListWithOverdueOverdue", method: http.MethodGet, path: "/v1/tasks?due=today&with_overdue=true&overdue=true", status: 400, field: "with_overdue"},
		badRequest{name: "AliasListSortSize", method: http.MethodGet, path: alias + "?sort=size", status: 400, field: "sort"},
		// Every route refuses a query parameter it does not take, not only the listings: a
		// PATCH or DELETE with a typo in its query did what it was asked without it.
		badRequest{name: "GetUnknownParam", method: http.MethodGet, path: "/v1/tasks/1?fields=title", status: 400, field: "fields"},
		badRequest{name: "PatchUnknownParam", method: http.MethodPatch, path: "/v1/tasks/1?dry_run=true", body: `{"title":"y"}`, status: 400, field: "dry_run"},
		badRequest{name: "DeleteUnknownParam", method: http.MethodDelete, path: "/v1/tasks/1?soft=true", status: 400, field: "soft"},
		badRequest{name: "CompleteUnknownParam", method: http.MethodPost, path: "/v1/tasks/1/complete?at=now", status: 400, field: "at"},
		badRequest{name: "CreateUnknownParam", method: http.MethodPost, path: "/v1/tasks?dry_run=true", body: `{"title":"y"}`, status: 400, field: "dry_run"},
		badRequest{name: "HistoryUnknownParam", method: http.MethodGet, path: "/v1/tasks/1/history?since=5", status: 400, field: "since"},
		badRequest{name: "HistoryLimitZero", method: http.MethodGet, path: "/v1/tasks/1/history?limit=0", status: 400, field: "limit", detail: "from 1 to 200"},
		badRequest{name: "HistoryLimitHuge", method: http.MethodGet, path: "/v1/tasks/1/history?limit=201", status: 400, field: "limit"},
		badRequest{name: "HistoryOrder", method: http.MethodGet, path: "/v1/tasks/1/history?order=desc", status: 400, field: "order", detail: "oldest (the default) or newest"},
		badRequest{name: "HistoryCursor", method: http.MethodGet, path: "/v1/tasks/1/history?cursor=page2", status: 400, field: "cursor", detail: "next_cursor of an earlier answer"},
		badRequest{name: "HistoryCursorNegative", method: http.MethodGet, path: "/v1/tasks/1/history?cursor=LTE", status: 400, field: "cursor"},
		badRequest{name: "MeUnknownParam", method: http.MethodPatch, path: "/v1/me?x=1", body: `{"email":"bob@example.com"}`, status: 400, field: "x"},
		badRequest{name: "AliasPutUnknownParam", method: http.MethodPut, path: alias + "/1?x=1", body: `{"title":"y"}`, status: 400, field: "x"},
		badRequest{name: "AliasToggleUnknownParam", method: http.MethodPatch, path: alias + "/1/complete?x=1", status: 400, field: "x"},

		badRequest{name: "MeTimeZoneNowhere", method: http.MethodPatch, path: "/v1/me", body: `{"time_zone":"Nowhere/City"}`, status: 422, field: "time_zone"},
		badRequest{name: "MeTimeZoneNull", method: http.MethodPatch, path: "/v1/me", body: `{"time_zone":null}`, status: 422, field: "time_zone"},
		badRequest{name: "MeEmail", method: http.MethodPatch, path: "/v1/me", body: `{"email":"not an email"}`, status: 422, field: "email"},
		badRequest{name: "MeEmailWithName", method: http.MethodPatch, path: "/v1/me", body: `{"email":"Ada <ada@example.com>"}`, status: 422, field: "email"},
		badRequest{name: "MeEmailWrongType", method: http.MethodPatch, path: "/v1/me", body: `{"email":5}`, status: 400, field: "email"},
		badRequest{name: "MeWebhookFTP", method: http.MethodPatch, path: "/v1/me", body: `{"webhook_url":"ftp://x"}`, status: 422, field: "webhook_url"},
		badRequest{name: "MeWebhookRelative", method: http.MethodPatch, path: "/v1/me", body: `{"webhook_url":"/hook"}`, status: 422, field: "webhook_url"},
		badRequest{name: "MeWebhookCredentials", method: http.MethodPatch, path: "/v1/me", body: `{"webhook_url":"https://u:p@example.com/"}`, status: 422, field: "webhook_url"},
		badRequest{name: "MeUnknownField", method: http.MethodPatch, path: "/v1/me", body: `{"webhook_secret":"whsec_mine"}`, status: 400, field: "webhook_secret"},
		badRequest{name: "MeGoodThenBad", method: http.MethodPatch, path: "/v1/me", body: `{"email":"bob@example.com","time_zone":"Nowhere/City"}`, status: 422, field: "time_zone"},
		badRequest{name: "MeMalformed", method: http.MethodPatch, path: "/v1/me", body: `{"email":`, status: 400},
		badRequest{name: "MeNotAnObject", method: http.MethodPatch, path: "/v1/me", body: `"x"`, status: 400},
		badRequest{name: "MeNull", method: http.MethodPatch, path: "/v1/me", body: `null`, status: 400},
		badRequest{name: "MeTooLarge", method: http.MethodPatch, path: "/v1/me", body: `{"email":"` + strings.Repeat("a", rest.MaxBodyBytes) + `"}`, status: 413},
	)

	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			before := snapshot(t, s, c)
			resp := c.Do(t, r.method, r.path, r.body, r.headers...)
			require.Equal(t, r.status, resp.Status, "%s %s: got status %d, want %d: %s", r.method, r.path, resp.Status, r.status, resp.Body)
			d := resp.Problem(t)
			assert.Equal(t, codeOf(r.status), d.Code)
			assert.Equal(t, r.field, d.Field, "got field %q, want %q; detail: %s", d.Field, r.field, d.Detail)
			assert.Contains(t, d.Detail, r.detail)
			assert.NotEmpty(t, strings.TrimSpace(d.Detail), "the detail says what is wrong")
			assert.NotEqual(t, "internal error", d.Detail)
			assert.Empty(t, resp.Header.Get("Location"))
			assert.Empty(t, resp.Header.Get("ETag"))
			assert.Equal(t, before, snapshot(t, s, c), "a refused request writes nothing")
		})
	}
}

// state is what a user's data looks like: what they can read, and the rows behind it.
type state struct {
	Tasks  string // every task, as listed
	Me     string
	Events int // outbox rows: every change announces itself
	Keys   int // idempotency keys
}

// snapshot reads all of c's tasks, settings, events and idempotency keys.
func snapshot(t *testing.T, s *resttest.Server, c *resttest.Client) state {
	t.Helper()
	tasks := c.Do(t, http.MethodGet, "/v1/tasks?status=all&limit=200", nil)
	tasks.MustStatus(t, http.StatusOK)
	me := c.Do(t, http.MethodGet, "/v1/me", nil)
	me.MustStatus(t, http.StatusOK)
	st := state{Tasks: string(tasks.Body), Me: string(me.Body)}
	err := s.App.DB.Pool.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM outbox WHERE user_id = $1), (SELECT count(*) FROM idempotency_keys WHERE user_id = $1)`,
		c.User).Scan(&st.Events, &st.Keys)
	require.NoError(t, err)
	return st
}
