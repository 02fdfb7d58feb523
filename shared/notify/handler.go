package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Inbox consumers of the channels that cannot share a transaction with their effect:
// each records an event after delivering it.
const (
	ConsumerWebhook     = "notify-webhook"
	ConsumerEmail       = "notify-email"
	ConsumerTaskWebhook = "notify-task-webhook"
)

// WebhookType is the type of a reminder in a webhook's payload.
const WebhookType = "reminder.due"

// Store is what the handler needs of the database: the in-app channel, which also reads
// the recipient's settings, and the delivery records of the other channels. *postgres.NotificationService
// implements it.
type Store interface {
	// Deliver records the in-app notification of a reminder.due event once, reporting
	// false when it was delivered before, and returns the user, with the email, webhook
	// URL and secret of the other channels; it writes the task's stored title and due
	// time into d. A reminder that is not that task's, of that user, or whose task or
	// user is gone, is ENOTFOUND; but a redelivered event whose notification was recorded
	// before its task was deleted is delivered with what that notification holds.
	Deliver(ctx context.Context, eventSource, eventID string, reminderID uuid.UUID, d *events.ReminderData) (*taskwire.User, bool, error)
	// Delivered reports whether consumer recorded the event as delivered.
	Delivered(ctx context.Context, consumer, source, id string) (bool, error)
	// MarkDelivered records that consumer delivered the event.
	MarkDelivered(ctx context.Context, consumer, source, id string) error
	// WebhookUser returns the settings of user id, for a task webhook; a user who is
	// gone is ENOTFOUND.
	WebhookUser(ctx context.Context, id string) (*taskwire.User, error)
	// StoredEvent returns the event with id as user's outbox holds it; one it does not
	// hold is ENOTFOUND.
	StoredEvent(ctx context.Context, user, id string) (*event.Event, error)
}

// Handler handles reminder.due events: the in-app notification, then the webhook and the
// email at once. Each channel delivers each event once: the in-app one in the same
// transaction as its inbox record, the others by an inbox record written after a
// successful send, so a failed channel is retried by the broker's redelivery while the
// channels that succeeded are skipped.
type Handler struct {
	Store   Store
	Webhook *WebhookSender // sends webhooks
	Mailer  *Mailer        // sends email; nil when SMTP_URL is unset
	Log     *slog.Logger
}

// NewHandler returns a Handler on store configured by cfg.
func NewHandler(store Store, cfg Config) (*Handler, error) {
	h := &Handler{Store: store, Webhook: NewWebhookSender(cfg.AllowPrivate), Log: slog.Default()}
	if cfg.SMTPURL != "" {
		m, err := NewMailer(cfg.SMTPURL, cfg.From)
		if err != nil {
			return nil, err
		}
		h.Mailer = m
	}
	return h, nil
}

// Handle delivers a reminder.due event on every channel the user has, a summary.due event
// to the user's email and webhook, and a task event to the webhook of a user who has task
// webhooks; it ignores other events. Data that cannot be read is EINVALID (the broker
// dead-letters it); a channel that failed is a plain error, which the event edge answers
// with 500 so that the broker delivers the event again.
func (h *Handler) Handle(ctx context.Context, e event.Event) (*event.Event, error) {
	if strings.HasPrefix(e.Type(), taskTypePrefix) {
		return nil, h.handleTaskChange(ctx, e)
	}
	switch e.Type() {
	case events.TypeSummaryDue:
		return nil, h.handleSummary(ctx, e)
	case events.TypeReminderDue:
	default:
		return nil, nil
	}
	reminderID, d, err := ReadReminder(e)
	if err != nil {
		return nil, err
	}
	log := h.logger().With("event", e.ID(), "reminder", reminderID, "user", d.UserID)

	// A notification added now means the event is delivered for the first time: the other
	// channels, which run only after the in-app one committed, have not delivered it yet,
	// and need not look up their records.
	u, first, err := h.Store.Deliver(ctx, e.Source(), e.ID(), reminderID, &d)
	if err != nil {
		if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
			log.InfoContext(ctx, "reminder whose task or user is gone, or not theirs: not delivered")
			return nil, nil
		}
		return nil, retry(fmt.Errorf("in-app notification: %w", err))
	}

	var wg sync.WaitGroup
	var webhookErr, emailErr error
	if u.WebhookURL != nil && *u.WebhookURL != "" {
		wg.Go(func() { webhookErr = h.sendWebhook(ctx, log, first, e, reminderID, d, u) })
	}
	if h.Mailer != nil && u.Email != nil && *u.Email != "" {
		wg.Go(func() { emailErr = h.sendEmail(ctx, log, first, e, reminderID, d, u) })
	}
	wg.Wait()
	if err := errors.Join(webhookErr, emailErr); err != nil {
		return nil, retry(err)
	}
	return nil, nil
}

// channel runs send for consumer unless the event was delivered on it before (which the
// first delivery of an event need not look up), and records the delivery after send
// succeeded. A permanent failure is logged and recorded too: the event is handled as far
// as it can be, and retrying it would change nothing.
func (h *Handler) channel(ctx context.Context, log *slog.Logger, first bool, consumer string, e event.Event, send func() error) error {
	if !first {
		done, err := h.Store.Delivered(ctx, consumer, e.Source(), e.ID())
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	if err := send(); err != nil {
		if !IsPermanent(err) {
			log.WarnContext(ctx, "channel failed, to be retried", "channel", consumer, "err", err)
			return err
		}
		log.WarnContext(ctx, "channel failed for good, not retried", "channel", consumer, "err", err)
	}
	return h.Store.MarkDelivered(ctx, consumer, e.Source(), e.ID())
}

func (h *Handler) sendWebhook(ctx context.Context, log *slog.Logger, first bool, e event.Event, reminderID uuid.UUID, d events.ReminderData, u *taskwire.User) error {
	return h.signedWebhook(ctx, log, first, ConsumerWebhook, e, u, func() ([]byte, error) {
		return WebhookPayload(e, reminderID, d)
	})
}

// signedWebhook sends event e to u's webhook once, as consumer (see channel), signed with
// u's secret, its body made by body.
func (h *Handler) signedWebhook(ctx context.Context, log *slog.Logger, first bool, consumer string, e event.Event, u *taskwire.User, body func() ([]byte, error)) error {
	return h.channel(ctx, log, first, consumer, e, func() error {
		if u.WebhookSecret == nil {
			return &PermanentError{Err: errors.New("the webhook has no signing secret")}
		}
		b, err := body()
		if err != nil {
			return err
		}
		return h.Webhook.Send(ctx, Webhook{URL: *u.WebhookURL, Secret: *u.WebhookSecret, ID: e.ID(), Body: b})
	})
}

// currentUser returns the settings of user id as they are now, for an event of theirs
// that needs them; nil, with nothing to do, when the user is gone.
func (h *Handler) currentUser(ctx context.Context, log *slog.Logger, id string) (*taskwire.User, error) {
	u, err := h.Store.WebhookUser(ctx, id)
	if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
		log.InfoContext(ctx, "event of a user who is gone: not delivered")
		return nil, nil
	}
	if err != nil {
		return nil, retry(fmt.Errorf("settings of user %s: %w", id, err))
	}
	return u, nil
}

func (h *Handler) sendEmail(ctx context.Context, log *slog.Logger, first bool, e event.Event, reminderID uuid.UUID, d events.ReminderData, u *taskwire.User) error {
	return h.channel(ctx, log, first, ConsumerEmail, e, func() error {
		return h.Mailer.Send(ctx, ReminderEmail(*u.Email, u.TimeZone, e.ID(), reminderID, d, h.Mailer.From().Address))
	})
}

// taskTypePrefix begins the type of every task event; what follows is the change and
// the version ("completed.v1").
const taskTypePrefix = "dev.taskwire.task."

// handleTaskChange sends task event e to its user's webhook, once, when the user has task
// webhooks and a webhook: the user's settings as they are now, not as they were when the
// change was written, so that turning them off stops the events on their way too.
func (h *Handler) handleTaskChange(ctx context.Context, e event.Event) error {
	d, err := events.ReadTaskData(e)
	if err != nil {
		return err
	}
	log := h.logger().With("event", e.ID(), "type", e.Type(), "user", d.UserID)
	u, err := h.currentUser(ctx, log, d.UserID)
	if err != nil || u == nil || !u.TaskWebhooks || u.WebhookURL == nil || *u.WebhookURL == "" {
		return err
	}
	stored, err := h.stored(ctx, log, d.UserID, e)
	if err != nil || stored == nil {
		return err
	}
	err = h.signedWebhook(ctx, log, false, ConsumerTaskWebhook, e, u, func() ([]byte, error) { return TaskWebhookPayload(*stored) })
	if err != nil {
		return retry(err)
	}
	return nil
}

// stored returns event e as user's outbox holds it, what a webhook or an email tells of
// (an event posted to the broker says what its sender likes); nil, with nothing to send,
// when the outbox holds no such event of that user.
func (h *Handler) stored(ctx context.Context, log *slog.Logger, user string, e event.Event) (*event.Event, error) {
	stored, err := h.Store.StoredEvent(ctx, user, e.ID())
	if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
		log.WarnContext(ctx, "an event the user's changes did not write: not delivered")
		return nil, nil
	}
	if err != nil {
		return nil, retry(err)
	}
	if stored.Type() != e.Type() {
		log.WarnContext(ctx, "an event of another type than the one written: not delivered", "written", stored.Type())
		return nil, nil
	}
	return stored, nil
}

// taskWebhookPayload is the JSON body of a task webhook, in the Standard Webhooks shape.
type taskWebhookPayload struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// TaskWebhookPayload returns the webhook body of task event e: {"type":"task.completed",
// "timestamp":…,"data":{"user_id":…,"task":{…},"changes":{…}}}, the type being the
// event's without its prefix and version, the timestamp its time, and the data its own.
func TaskWebhookPayload(e event.Event) ([]byte, error) {
	typ := strings.TrimPrefix(e.Type(), "dev.taskwire.")
	if i := strings.LastIndex(typ, ".v"); i > 0 {
		typ = typ[:i]
	}
	b, err := json.Marshal(taskWebhookPayload{Type: typ, Timestamp: e.Time().UTC(), Data: e.Data()})
	if err != nil {
		return nil, fmt.Errorf("task webhook payload: %w", err)
	}
	return b, nil
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// retry returns err as a plain error, whatever domain code it carries, so that the event
// edge answers 500 and the broker delivers the event again (a code such as ECONFLICT
// would be a 4xx, which the broker dead-letters).
func retry(err error) error {
	return errors.New(err.Error())
}

// ReadReminder decodes and checks a reminder.due event: its subject, the reminder id, and
// data with user_id, task_id, title and remind_at. Anything else is EINVALID, for the dead
// letters.
func ReadReminder(e event.Event) (uuid.UUID, events.ReminderData, error) {
	var d events.ReminderData
	reminderID, err := uuid.Parse(e.Subject())
	if err != nil {
		return uuid.Nil, d, taskwire.FieldErrorf(taskwire.EINVALID, "subject", "a reminder.due event's subject must be the reminder id")
	}
	if err := json.Unmarshal(e.Data(), &d); err != nil {
		return uuid.Nil, d, taskwire.FieldErrorf(taskwire.EINVALID, "data", "reminder event data cannot be read: %v", err)
	}
	if _, err := uuid.Parse(d.TaskID); err != nil || d.UserID == "" || strings.TrimSpace(d.Title) == "" || d.RemindAt.IsZero() {
		return uuid.Nil, d, taskwire.FieldErrorf(taskwire.EINVALID, "data", "reminder event data needs user_id, task_id, title and remind_at")
	}
	return reminderID, d, nil
}

// webhookPayload is the JSON body of a reminder webhook, in the Standard Webhooks shape.
type webhookPayload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      webhookData `json:"data"`
}

type webhookData struct {
	ReminderID string `json:"reminder_id"`
	events.ReminderData
}

// WebhookPayload returns the webhook body of a reminder.due event:
// {"type":"reminder.due","timestamp":…,"data":{"reminder_id":…,"user_id":…,"task_id":…,
// "task_number":…,"title":…,"due_at":…,"remind_at":…}} (and the task's due_date and
// checklist when it has them), the timestamp being the event's time.
func WebhookPayload(e event.Event, reminderID uuid.UUID, d events.ReminderData) ([]byte, error) {
	at := e.Time()
	if at.IsZero() {
		at = d.RemindAt
	}
	b, err := json.Marshal(webhookPayload{
		Type:      WebhookType,
		Timestamp: at.UTC(),
		Data:      webhookData{ReminderID: reminderID.String(), ReminderData: d},
	})
	if err != nil {
		return nil, fmt.Errorf("webhook payload: %w", err)
	}
	return b, nil
}

// ReminderEmail returns the email of a reminder to address to: subject "Reminder: <title>"
// and a plain-text body with the due and reminder times as a person reads them in their
// time zone zone ("Thursday, 5 March 2026, 17:30 (Europe/Berlin)"; UTC when zone is "";
// an all-day task's day as "Thursday, 5 March 2026 (all day)").
// Its Message-ID derives from the event, so a mail system can tell a resend from a new
// reminder.
func ReminderEmail(to, zone, eventID string, reminderID uuid.UUID, d events.ReminderData, from string) Email {
	loc := taskwire.LoadZone(zone)
	if zone == "" {
		zone = "UTC"
	}
	local := func(t time.Time) string {
		return t.In(loc).Format("Monday, 2 January 2006, 15:04") + " (" + zone + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Reminder: %s\n\n", d.Title)
	switch {
	case d.DueDate != nil:
		day := *d.DueDate
		if t, err := time.Parse(taskwire.DateLayout, day); err == nil {
			day = t.Format("Monday, 2 January 2006")
		}
		fmt.Fprintf(&b, "Due: %s (all day)\n", day)
	case d.DueAt != nil:
		fmt.Fprintf(&b, "Due: %s\n", local(*d.DueAt))
	}
	if len(d.Checklist) > 0 {
		done := 0
		for _, step := range d.Checklist {
			if step.Done {
				done++
			}
		}
		fmt.Fprintf(&b, "Steps (%d of %d done):\n", done, len(d.Checklist))
		for _, step := range d.Checklist {
			box := "[ ]"
			if step.Done {
				box = "[x]"
			}
			fmt.Fprintf(&b, "  %s %s\n", box, step.Text)
		}
	}
	fmt.Fprintf(&b, "Reminder time: %s\n", local(d.RemindAt))
	task := d.TaskID
	if d.TaskNumber > 0 {
		task = fmt.Sprintf("#%d", d.TaskNumber) // as the page and the API's paths name it
	}
	fmt.Fprintf(&b, "Task: %s\n\n-- \nTaskwire\n", task)
	return Email{
		To:        to,
		Subject:   "Reminder: " + d.Title,
		Body:      b.String(),
		MessageID: "reminder." + reminderID.String() + "." + eventID + "@" + messageDomain(from),
	}
}

// messageDomain returns the domain of the sender's address from, for Message-IDs:
// "taskwire" when it has none.
func messageDomain(from string) string {
	if _, host, ok := strings.Cut(from, "@"); ok && host != "" {
		return host
	}
	return "taskwire"
}
