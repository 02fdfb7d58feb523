package smtptest_test

import (
	"io"
	"net/smtp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/notify/smtptest"
)

func TestServer(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		msg := "Subject: Hi\r\n\r\n.leading dot\r\nbody\r\n"
		require.NoError(t, smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.com", "c@example.com"}, []byte(msg)))

		got := srv.WaitMessages(t, 1, time.Second)
		require.Len(t, got, 1)
		assert.Equal(t, "a@example.com", got[0].From)
		assert.Equal(t, []string{"b@example.com", "c@example.com"}, got[0].To)
		parsed, err := got[0].Parse()
		require.NoError(t, err)
		assert.Equal(t, "Hi", parsed.Header.Get("Subject"))
		body, err := io.ReadAll(parsed.Body)
		require.NoError(t, err)
		assert.Equal(t, ".leading dot\nbody\n", string(body), "got the body altered, want dots unstuffed")
	})

	t.Run("Auth", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		srv.RequireAuth("user", "pass")
		// Without credentials: refused.
		assert.Error(t, smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.com"}, []byte("x\r\n")))
		assert.Error(t, smtp.SendMail(srv.Addr, smtp.PlainAuth("", "user", "nope", "127.0.0.1"), "a@example.com", []string{"b@example.com"}, []byte("x\r\n")))
		require.NoError(t, smtp.SendMail(srv.Addr, smtp.PlainAuth("", "user", "pass", "127.0.0.1"), "a@example.com", []string{"b@example.com"}, []byte("x\r\n")))
		got := srv.Messages()
		require.Len(t, got, 1)
		assert.Equal(t, "user", got[0].User)
	})

	t.Run("Reject", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		srv.RejectNext(1)
		srv.RejectRecipient("gone@example.com")
		assert.ErrorContains(t, smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.com"}, []byte("x\r\n")), "451")
		assert.ErrorContains(t, smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"gone@example.com"}, []byte("x\r\n")), "550")
		require.NoError(t, smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.com"}, []byte("x\r\n")))
		assert.Len(t, srv.Messages(), 1)
	})
}
