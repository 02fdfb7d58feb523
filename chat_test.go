package function_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MustStartChat starts the whole app with a scripted model and returns the model and a
// function that sends a request as user, as the app's clients do.
func MustStartChat(t *testing.T, user string) (*openaitest.Server, func(method, path, body string) *httptest.ResponseRecorder) {
	t.Helper()
	model := openaitest.New(t)
	dir := t.TempDir()
	f := function.New()
	require.NoError(t, f.Start(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": dir,
		"OPENAI_API_KEY": "test", "OPENAI_BASE_URL": model.BaseURL(),
	}))
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	issuer, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	token, err := issuer.Mint(user, time.Minute)
	require.NoError(t, err)
	return model, func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		f.Handle(w, req)
		return w
	}
}

// TestFunction_Chat checks that the whole app serves the assistant beside the tasks API:
// a task the assistant adds is the API's task.
func TestFunction_Chat(t *testing.T) {
	model, do := MustStartChat(t, "whole-app-chat")
	model.Push(openaitest.Call("add_task", `{"title": "Ask the assistant"}`), openaitest.Text("Added task 1."))

	w := do("POST", "/api/whole-app-chat/chat", `{"message": "add a task to ask the assistant"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"response":"Added task 1."`)
	w = do("GET", "/v1/tasks/1", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"title":"Ask the assistant"`)
	w = do("GET", "/v1/conversations", "")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"title":"add a task to ask the assistant"`)
}

// TestFunction_ChatRestoresDeletedTask checks that a task the assistant deleted comes
// back when the user asks for it in another conversation, by its title alone: the model
// finds its number in the trash and restores it, with its id and number.
func TestFunction_ChatRestoresDeletedTask(t *testing.T) {
	model, do := MustStartChat(t, "whole-app-chat-restore")
	var dentist taskwire.Task
	for _, title := range []string{"Buy milk", "Dentist"} {
		w := do("POST", "/v1/tasks", `{"title": "`+title+`"}`)
		require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &dentist))
	}
	require.Equal(t, int64(2), dentist.Number)

	model.Push(openaitest.Call("delete_task", `{"task_id": 2}`), openaitest.Text("Deleted task 2, Dentist."))
	w := do("POST", "/v1/chat", `{"message": "delete the dentist task"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = do("GET", "/v1/tasks/2", "")
	require.Equal(t, http.StatusNotFound, w.Code, "the task is deleted: %s", w.Body.String())

	// A new conversation: the model does not know the number, only the title.
	model.Handle(func(req openaitest.Request) openaitest.Reply {
		results := req.ToolResults()
		switch len(results) {
		case 0:
			return openaitest.Call("list_deleted_tasks", `{}`)
		case 1:
			var trash struct {
				Items []struct {
					Number int64  `json:"number"`
					Title  string `json:"title"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(results[0]), &trash); err != nil {
				return openaitest.Text("list_deleted_tasks answered " + results[0])
			}
			for _, d := range trash.Items {
				if d.Title == "Dentist" {
					return openaitest.Call("restore_task", `{"task_id": `+strconv.FormatInt(d.Number, 10)+`}`)
				}
			}
			return openaitest.Text("There is no dentist task in the trash.")
		}
		return openaitest.Text("Task 2, Dentist, is back.")
	})
	w = do("POST", "/v1/chat", `{"message": "oops, bring back the dentist task"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var reply struct {
		Response  string `json:"response"`
		ToolCalls []struct {
			Name   string          `json:"name"`
			Result json.RawMessage `json:"result"`
		} `json:"tool_calls"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &reply))
	assert.Equal(t, "Task 2, Dentist, is back.", reply.Response)
	require.Len(t, reply.ToolCalls, 2, "got %s", w.Body.String())
	assert.Equal(t, "restore_task", reply.ToolCalls[1].Name)
	var restored taskwire.Task
	require.NoError(t, json.Unmarshal(reply.ToolCalls[1].Result, &restored))
	assert.Equal(t, int64(2), restored.Number)

	w = do("GET", "/v1/tasks/2", "")
	require.Equal(t, http.StatusOK, w.Code, "task 2 is back: %s", w.Body.String())
	var back taskwire.Task
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &back))
	assert.Equal(t, dentist.ID, back.ID, "the same task, with its id")
	assert.Equal(t, "Dentist", back.Title)
	w = do("GET", "/v1/trash", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"items": []}`, w.Body.String(), "the trash is empty again")
}

// TestFunction_ChatSnoozesReminder checks "what reminders did I miss?" and "remind me
// again about the dentist in an hour": the model lists the user's unread notifications,
// snoozes the dentist's by its id, and the notification ends read with the task reminded
// again an hour on.
func TestFunction_ChatSnoozesReminder(t *testing.T) {
	const user = "whole-app-chat-snooze"
	model, do := MustStartChat(t, user)
	due := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	w := do("POST", "/v1/tasks", `{"title": "Dentist", "due_at": "`+due.Format(time.RFC3339)+`", "reminders": [{"before": "PT15M"}]}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	var dentist taskwire.Task
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &dentist))
	db := postgrestest.MustOpenDB(t)
	missed := postgrestest.MustDeliverReminder(t, db, postgres.NewNotificationService(db), user, &dentist, 0)

	model.Handle(func(req openaitest.Request) openaitest.Reply {
		results := req.ToolResults()
		switch len(results) {
		case 0:
			return openaitest.Call("list_notifications", `{}`)
		case 1:
			var page struct {
				Items []struct {
					ID    string `json:"id"`
					Title string `json:"title"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(results[0]), &page); err != nil {
				return openaitest.Text("list_notifications answered " + results[0])
			}
			for _, n := range page.Items {
				if n.Title == "Dentist" {
					return openaitest.Call("snooze_reminder", `{"notification_id": "`+n.ID+`", "for": "PT1H"}`)
				}
			}
			return openaitest.Text("You missed no reminder about the dentist.")
		}
		return openaitest.Text("You missed the Dentist reminder; I will remind you again in an hour.")
	})
	before := time.Now()
	w = do("POST", "/v1/chat", `{"message": "what reminders did I miss? remind me again about the dentist in an hour"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var reply struct {
		Response  string `json:"response"`
		ToolCalls []struct {
			Name   string          `json:"name"`
			Result json.RawMessage `json:"result"`
		} `json:"tool_calls"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &reply))
	assert.Equal(t, "You missed the Dentist reminder; I will remind you again in an hour.", reply.Response)
	require.Len(t, reply.ToolCalls, 2, "got %s", w.Body.String())
	assert.Equal(t, "list_notifications", reply.ToolCalls[0].Name)
	assert.Equal(t, "snooze_reminder", reply.ToolCalls[1].Name)
	var snoozed taskwire.Snoozed
	require.NoError(t, json.Unmarshal(reply.ToolCalls[1].Result, &snoozed), "result %s", reply.ToolCalls[1].Result)
	require.NotNil(t, snoozed.Notification)
	assert.Equal(t, missed.ID, snoozed.Notification.ID)
	assert.WithinDuration(t, before.Add(time.Hour), snoozed.Until, 5*time.Second)
	requests := model.Requests()
	require.NotEmpty(t, requests)
	assert.Subset(t, requests[0].Tools, []string{"list_notifications", "snooze_reminder"}, "the model is offered both tools")

	w = do("GET", "/v1/notifications?unread=true", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"items": []}`, w.Body.String(), "the notification is read")
	w = do("GET", "/v1/notifications", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var inbox struct{ Items []taskwire.Notification }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &inbox))
	require.Len(t, inbox.Items, 1)
	assert.NotNil(t, inbox.Items[0].ReadAt)

	w = do("GET", "/v1/tasks/"+dentist.ID.String(), "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var task taskwire.Task
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &task))
	require.Len(t, task.Reminders, 2, "the reminder before the due time, and one at until: %+v", task.Reminders)
	require.NotNil(t, task.Reminders[1].At)
	assert.True(t, task.Reminders[1].At.Equal(snoozed.Until), "got a reminder at %v, want %v", task.Reminders[1].At, snoozed.Until)
}
