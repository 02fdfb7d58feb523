package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// SummaryWebhookType is the type of a daily summary in a webhook's payload.
const SummaryWebhookType = "summary.due"

// handleSummary delivers a summary.due event to its user's email and webhook, each once,
// by the user's settings as they are now: a user who turned the summary off since it was
// written, or who is gone, gets nothing. There is no in-app channel: the page's Today
// view is the day's summary.
func (h *Handler) handleSummary(ctx context.Context, e event.Event) error {
	d, err := events.ReadSummaryData(e)
	if err != nil {
		return err
	}
	log := h.logger().With("event", e.ID(), "type", e.Type(), "user", d.UserID)
	u, err := h.currentUser(ctx, log, d.UserID)
	if err != nil || u == nil || u.DailySummaryAt == nil {
		return err
	}
	stored, err := h.stored(ctx, log, d.UserID, e)
	if err != nil || stored == nil {
		return err
	}
	if d, err = events.ReadSummaryData(*stored); err != nil {
		return retry(fmt.Errorf("stored summary %s: %w", e.ID(), err))
	}
	var wg sync.WaitGroup
	var webhookErr, emailErr error
	if u.WebhookURL != nil && *u.WebhookURL != "" {
		wg.Go(func() {
			webhookErr = h.signedWebhook(ctx, log, false, ConsumerWebhook, e, u, func() ([]byte, error) {
				return SummaryWebhookPayload(*stored, d)
			})
		})
	}
	if h.Mailer != nil && u.Email != nil && *u.Email != "" {
		wg.Go(func() {
			emailErr = h.channel(ctx, log, false, ConsumerEmail, e, func() error {
				return h.Mailer.Send(ctx, SummaryEmail(*u.Email, e.ID(), d, h.Mailer.From().Address))
			})
		})
	}
	wg.Wait()
	if err := errors.Join(webhookErr, emailErr); err != nil {
		return retry(err)
	}
	return nil
}

// SummaryWebhookPayload returns the webhook body of a summary.due event:
// {"type":"summary.due","timestamp":…,"data":{"user_id","date","time_zone","tasks":[…],
// "total","overdue"}}, the data being the event's.
func SummaryWebhookPayload(e event.Event, d events.SummaryData) ([]byte, error) {
	b, err := json.Marshal(struct {
		Type      string             `json:"type"`
		Timestamp time.Time          `json:"timestamp"`
		Data      events.SummaryData `json:"data"`
	}{SummaryWebhookType, e.Time().UTC(), d})
	if err != nil {
		return nil, fmt.Errorf("summary webhook payload: %w", err)
	}
	return b, nil
}

// SummaryEmail returns the email of daily summary d to address to: subject "Today,
// Friday 4 December: 3 tasks, 1 overdue" and a plain-text body listing the day's tasks
// (their time, or "all day") and then the overdue ones (their day), each with its number
// and priority, times in the summary's zone. Its Message-ID derives from the event.
func SummaryEmail(to, eventID string, d events.SummaryData, from string) Email {
	loc := taskwire.LoadZone(d.TimeZone)
	day, _ := time.Parse(taskwire.DateLayout, d.Date)
	count := fmt.Sprintf("%d tasks", d.Total)
	if d.Total == 1 {
		count = "1 task"
	}
	if d.Overdue > 0 {
		count += fmt.Sprintf(", %d overdue", d.Overdue)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", day.Format("Monday, 2 January 2006"), d.TimeZone)
	heading := ""
	for _, t := range d.Tasks {
		h := "Today"
		if t.Overdue {
			h = "Overdue"
		}
		if h != heading {
			heading = h
			fmt.Fprintf(&b, "\n%s\n", heading)
		}
		when := t.DueAt.In(loc).Format("15:04")
		switch {
		case t.Overdue && t.DueDate != nil:
			when = dayOf(*t.DueDate).Format("Mon 2 Jan")
		case t.Overdue:
			when = t.DueAt.In(loc).Format("Mon 2 Jan 15:04")
		case t.DueDate != nil:
			when = "all day"
		}
		fmt.Fprintf(&b, "  #%d  %s  %s", t.Number, when, t.Title)
		if t.Priority != "" && t.Priority != taskwire.PriorityNone {
			fmt.Fprintf(&b, "  (%s)", t.Priority)
		}
		b.WriteString("\n")
	}
	if more := d.Total - len(d.Tasks); more > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", more)
	}
	b.WriteString("\n-- \nTaskwire: this summary comes each day at the time set in your settings (daily_summary_at).\n")
	return Email{
		To:        to,
		Subject:   "Today, " + day.Format("Monday 2 January") + ": " + count,
		Body:      b.String(),
		MessageID: "summary." + eventID + "@" + messageDomain(from),
	}
}

// dayOf reads a day (2026-03-01) as midnight in UTC; a day that does not read is the zero
// time, which the event's check keeps out.
func dayOf(s string) time.Time {
	t, _ := time.Parse(taskwire.DateLayout, s)
	return t
}
