package notify_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestMailer_Send(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		m, err := notify.NewMailer(srv.URL, "Taskwire Reminders <reminders@taskwire.test>")
		require.NoError(t, err)
		require.NoError(t, m.Send(context.Background(), notify.Email{
			To: "ada@example.com", Subject: "Reminder: Café ☕", Body: "Line one\nLine two, naïve\n", MessageID: "abc@taskwire.test",
		}))

		msgs := srv.Messages()
		require.Len(t, msgs, 1)
		assert.Equal(t, "reminders@taskwire.test", msgs[0].From)
		assert.Equal(t, []string{"ada@example.com"}, msgs[0].To)
		parsed, err := msgs[0].Parse()
		require.NoError(t, err)
		assert.Equal(t, `"Taskwire Reminders" <reminders@taskwire.test>`, parsed.Header.Get("From"))
		assert.Equal(t, "<ada@example.com>", parsed.Header.Get("To"))
		subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		require.NoError(t, err)
		assert.Equal(t, "Reminder: Café ☕", subject)
		assert.Equal(t, "<abc@taskwire.test>", parsed.Header.Get("Message-ID"))
		assert.Equal(t, "text/plain; charset=utf-8", parsed.Header.Get("Content-Type"))
		_, err = parsed.Header.Date()
		assert.NoError(t, err)
		assert.Equal(t, "Line one\nLine two, naïve\n", readBody(t, msgs[0]))
	})

	t.Run("Auth", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		srv.RequireAuth("mailer", "s3cret")
		m, err := notify.NewMailer("smtp://mailer:s3cret@"+srv.Addr, "")
		require.NoError(t, err)
		require.NoError(t, m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi", Body: "Hello"}))
		msgs := srv.Messages()
		require.Len(t, msgs, 1)
		assert.Equal(t, "mailer", msgs[0].User)
		assert.Equal(t, "taskwire@localhost", msgs[0].From, "got envelope sender %q, want the default", msgs[0].From)

		wrong, err := notify.NewMailer("smtp://mailer:wrong@"+srv.Addr, "")
		require.NoError(t, err)
		assert.Error(t, wrong.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi", Body: "Hello"}))
	})

	// A long title in a script outside ASCII is folded over lines RFC 5322 allows, and
	// reads back whole.
	t.Run("LongSubject", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		m, err := notify.NewMailer(srv.URL, "")
		require.NoError(t, err)
		title := "Reminder: " + strings.Repeat("長", 300)
		require.NoError(t, m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: title, Body: "x"}))
		raw := string(srv.Messages()[0].Data)
		for line := range strings.SplitSeq(raw, "\n") {
			assert.LessOrEqual(t, len(line), 78, "line %.40q...", line)
		}
		parsed, err := srv.Messages()[0].Parse()
		require.NoError(t, err)
		subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		require.NoError(t, err)
		assert.Equal(t, title, subject)
	})

	t.Run("HeaderInjection", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		m, err := notify.NewMailer(srv.URL, "")
		require.NoError(t, err)
		require.NoError(t, m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi\r\nBcc: eve@example.com", Body: "x"}))
		parsed, err := srv.Messages()[0].Parse()
		require.NoError(t, err)
		assert.Empty(t, parsed.Header.Get("Bcc"), "got a header added through the subject, want none")
		assert.Equal(t, []string{"ada@example.com"}, srv.Messages()[0].To)
	})

	t.Run("ErrTemporary", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		srv.RejectNext(1)
		m, err := notify.NewMailer(srv.URL, "")
		require.NoError(t, err)
		err = m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi", Body: "x"})
		require.Error(t, err)
		assert.False(t, notify.IsPermanent(err), "got a 451 treated as permanent, want temporary: %v", err)
		require.NoError(t, m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi", Body: "x"}))
		assert.Len(t, srv.Messages(), 1)
	})

	t.Run("ErrRecipientRefused", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		srv.RejectRecipient("nobody@example.com")
		m, err := notify.NewMailer(srv.URL, "")
		require.NoError(t, err)
		err = m.Send(context.Background(), notify.Email{To: "nobody@example.com", Subject: "Hi", Body: "x"})
		assert.True(t, notify.IsPermanent(err), "got %v, want a permanent error", err)
		assert.Empty(t, srv.Messages())
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		addr := srv.Addr
		srv.Close()
		m, err := notify.NewMailer("smtp://"+addr, "")
		require.NoError(t, err)
		err = m.Send(context.Background(), notify.Email{To: "ada@example.com", Subject: "Hi", Body: "x"})
		require.Error(t, err)
		assert.False(t, notify.IsPermanent(err))
	})
}

func TestNewMailer(t *testing.T) {
	t.Run("ErrConfig", func(t *testing.T) {
		for _, tt := range []struct{ url, from string }{
			{"http://mail.example.com", ""},
			{"smtp://", ""},
			{"mail.example.com:25", ""},
			{"smtp://mail.example.com", "not an address"},
		} {
			_, err := notify.NewMailer(tt.url, tt.from)
			assert.Error(t, err, "url %q from %q", tt.url, tt.from)
		}
	})
	t.Run("OK", func(t *testing.T) {
		for _, url := range []string{"smtp://mail.example.com", "smtp://u:p@mail.example.com:587", "smtps://mail.example.com"} {
			_, err := notify.NewMailer(url, "")
			assert.NoError(t, err, "url %q", url)
		}
	})
}

func TestReminderEmail(t *testing.T) {
	due := time.Date(2026, 3, 5, 17, 30, 0, 0, time.FixedZone("CET", 3600))
	reminder := uuid.MustParse("0195a0e0-0000-7000-8000-000000000001")
	email := notify.ReminderEmail("ada@example.com", "Europe/Berlin", "evt-1", reminder, events.ReminderData{
		UserID: "u", TaskID: "0195a0e0-0000-7000-8000-000000000002", TaskNumber: 12, Title: "Water the plants",
		DueAt: &due, RemindAt: due.Add(-15 * time.Minute),
	}, "reminders@taskwire.test")
	assert.Equal(t, "ada@example.com", email.To)
	assert.Equal(t, "Reminder: Water the plants", email.Subject)
	assert.Contains(t, email.Body, "Due: Thursday, 5 March 2026, 17:30 (Europe/Berlin)\n", "in the user's zone")
	assert.Contains(t, email.Body, "Reminder time: Thursday, 5 March 2026, 17:15 (Europe/Berlin)\n")
	assert.Contains(t, email.Body, "Task: #12\n", "the task's number, as its user knows it")
	assert.Equal(t, "reminder."+reminder.String()+".evt-1@taskwire.test", email.MessageID)
}

// The email lists the task's steps, ticked or not, and how many are done.
func TestReminderEmail_Checklist(t *testing.T) {
	due := time.Date(2026, 3, 5, 17, 30, 0, 0, time.UTC)
	email := notify.ReminderEmail("ada@example.com", "Europe/Berlin", "evt-1", uuid.New(), events.ReminderData{
		UserID: "u", TaskID: "t", Title: "Pack", DueAt: &due, RemindAt: due.Add(-time.Hour),
		Checklist: []taskwire.Step{{Text: "Passport", Done: true}, {Text: "Charger"}},
	}, "reminders@taskwire.test")
	assert.Contains(t, email.Body, "Steps (1 of 2 done):\n  [x] Passport\n  [ ] Charger\n")
}

// An all-day task's email names its day, not the last second of it.
func TestReminderEmail_AllDay(t *testing.T) {
	due := time.Date(2026, 3, 5, 22, 59, 59, 0, time.UTC)
	email := notify.ReminderEmail("ada@example.com", "Europe/Berlin", "evt-1", uuid.New(), events.ReminderData{
		UserID: "u", TaskID: "t", Title: "Pay rent", DueAt: &due, DueDate: new("2026-03-05"),
		RemindAt: time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC),
	}, "reminders@taskwire.test")
	assert.Contains(t, email.Body, "Due: Thursday, 5 March 2026 (all day)\n")
	assert.NotContains(t, email.Body, "23:59")
	assert.Contains(t, email.Body, "Reminder time: Thursday, 5 March 2026, 09:00 (Europe/Berlin)\n")
}

// readBody returns the decoded text of a received message.
func readBody(tb testing.TB, m smtptest.Message) string {
	tb.Helper()
	parsed, err := m.Parse()
	require.NoError(tb, err)
	require.Equal(tb, "quoted-printable", strings.ToLower(parsed.Header.Get("Content-Transfer-Encoding")))
	text, err := m.Text()
	require.NoError(tb, err)
	return text
}
