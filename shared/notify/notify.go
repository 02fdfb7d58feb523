// Package notify delivers reminders to people: it turns a reminder.due event into an
// in-app notification, a webhook signed per the Standard Webhooks specification and an
// email, each channel once per event. It holds the signing, the outbound address guard,
// the webhook and SMTP senders and the event handler; the notifications themselves are
// stored by package postgres, behind the Store interface declared here.
package notify

import (
	"fmt"
	"strconv"
)

// Config configures the channels beyond the in-app one.
type Config struct {
	SMTPURL      string // SMTP_URL; empty turns email off
	From         string // NOTIFY_FROM; default DefaultFrom
	AllowPrivate bool   // NOTIFY_ALLOW_PRIVATE: let webhooks reach loopback and private addresses
}

// ConfigFromEnv reads SMTP_URL, NOTIFY_FROM and NOTIFY_ALLOW_PRIVATE from env. It
// refuses a malformed one of them, the mail server's address and the sender included,
// so that a start fails on it before anything opens.
func ConfigFromEnv(env map[string]string) (Config, error) {
	cfg := Config{SMTPURL: env["SMTP_URL"], From: env["NOTIFY_FROM"]}
	if v := env["NOTIFY_ALLOW_PRIVATE"]; v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("NOTIFY_ALLOW_PRIVATE must be true or false, not %q", v)
		}
		cfg.AllowPrivate = allow
	}
	if cfg.From == "" {
		cfg.From = DefaultFrom
	}
	if cfg.SMTPURL != "" {
		if _, err := NewMailer(cfg.SMTPURL, cfg.From); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}
