package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// How many notifications list_notifications gives: the latest few are what a person asks
// about ("what did I miss?"), and a listing stays small in the conversation.
const (
	notificationsLimit    = 20
	maxNotificationsLimit = 50
)

// notificationTools builds the tools over the user's notifications: listing them from
// notes, snoozing one through tasks, which moves its task's reminder, and setting the
// daily summary in the user's settings.
func notificationTools(tasks Tasks, users Users, notes Notifications) []Tool {
	return []Tool{
		{
			Name: "list_notifications",
			Description: "List the user's notifications, the reminders that fired, newest first: each with its id, " +
				"its task's id (task_id) and title, when the task is due (due_at), when the reminder fired (remind_at) " +
				"and when it was read (read_at, null while unread). Only unread ones unless unread_only is false; at most " +
				strconv.Itoa(notificationsLimit) + " unless limit says otherwise. Use it when the user asks which " +
				"reminders they missed or got, and to find the notification_id that snooze_reminder needs. " +
				"Returns {items, next_cursor}; pass next_cursor as cursor for older ones.",
			Parameters: json.RawMessage(listNotificationsSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					UnreadOnly *bool  `json:"unread_only"`
					Limit      *int   `json:"limit"`
					Cursor     string `json:"cursor"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				unreadOnly, limit := true, notificationsLimit
				if in.UnreadOnly != nil {
					unreadOnly = *in.UnreadOnly
				}
				if in.Limit != nil {
					if *in.Limit < 1 || *in.Limit > maxNotificationsLimit {
						return nil, taskwire.FieldErrorf(taskwire.EMALFORMED, "limit",
							"limit must be a whole number from 1 to %d", maxNotificationsLimit)
					}
					limit = *in.Limit
				}
				return rest.FindNotificationPage(ctx, notes, unreadOnly, limit, in.Cursor)
			},
		},
		{
			Name: "snooze_reminder",
			Description: "Remind the user of a notification's task again later, and mark the notification read. " +
				"notification_id is the notification's id, not the task's: call list_notifications first to find it. " +
				"for is how long from now, an ISO 8601 duration of at least a minute such as PT10M (the default), " +
				"PT1H or P1D (days count on the calendar of the task's zone). Use it when the user asks to be " +
				"reminded again of something a reminder told them (\"remind me again in an hour\"). Returns the " +
				"notification, the task with its reminders, and until, when the reminder comes again.",
			Parameters: json.RawMessage(snoozeSchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					NotificationID json.RawMessage `json:"notification_id"`
					For            *string         `json:"for"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				id, err := notificationID(in.NotificationID)
				if err != nil {
					return nil, err
				}
				d, err := rest.ParseSnooze(in.For)
				if err != nil {
					return nil, err
				}
				snoozed, err := tasks.SnoozeNotification(ctx, id, d)
				if taskwire.ErrorCode(err) == taskwire.ENOTFOUND && taskwire.ErrorField(err) == "" {
					// No such notification of the user's, or its task was deleted: the
					// store's message says which, and names the notification.
					return nil, taskwire.FieldErrorf(taskwire.ENOTFOUND, "notification_id", "%s", taskwire.ErrorMessage(err))
				}
				return snoozed, err
			},
		},
		{
			Name: "set_daily_summary",
			Description: "Set when the user's daily summary comes, or turn it off: each day at that time of day in the " +
				"user's time zone, the open tasks due that day and the overdue ones, sent by email and to the user's " +
				"webhook (as their settings have them), once a day and not on a day with nothing due. at is a 24-hour " +
				"time such as 07:30; null turns it off. Use it when the user asks for an overview of their day each " +
				"morning or evening (\"send me my tasks every morning at 7\"). Returns daily_summary_at, time_zone, and " +
				"the email and webhook_url it goes to: when both are null, tell the user to add an email in their " +
				"settings (Your data), as the summary has nowhere to go.",
			Parameters: json.RawMessage(summarySchema),
			run: func(ctx context.Context, args json.RawMessage) (any, error) {
				var in struct {
					At json.RawMessage `json:"at"`
				}
				if err := taskwire.DecodeJSON(args, &in); err != nil {
					return nil, err
				}
				if len(in.At) == 0 {
					return nil, taskwire.FieldErrorf(taskwire.EINVALID, "at", "at is required: a time such as 07:30, or null to turn the summary off")
				}
				me, err := users.UpdateMe(ctx, []byte(`{"daily_summary_at": `+string(in.At)+`}`))
				if field := taskwire.ErrorField(err); field == "daily_summary_at" {
					return nil, taskwire.FieldErrorf(taskwire.ErrorCode(err), "at", "%s",
						strings.ReplaceAll(taskwire.ErrorMessage(err), "daily_summary_at", "at"))
				}
				if err != nil {
					return nil, err
				}
				return summarySetting{DailySummaryAt: me.DailySummaryAt, TimeZone: me.TimeZone, Email: me.Email,
					WebhookURL: me.WebhookURL}, nil
			},
		},
	}
}

// summarySetting is what set_daily_summary answers: the setting and where it goes, not
// the webhook's secret.
type summarySetting struct {
	DailySummaryAt *string `json:"daily_summary_at"`
	TimeZone       string  `json:"time_zone"`
	Email          *string `json:"email"`
	WebhookURL     *string `json:"webhook_url"`
}

// notificationID reads snooze_reminder's notification_id: a notification's uuid, as
// list_notifications gives it.
func notificationID(raw json.RawMessage) (uuid.UUID, error) {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return uuid.Nil, taskwire.FieldErrorf(taskwire.EINVALID, "notification_id",
			"notification_id is required: a notification's id, which list_notifications gives")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if id, err := uuid.Parse(strings.TrimSpace(s)); err == nil {
			return id, nil
		}
	}
	return uuid.Nil, taskwire.FieldErrorf(taskwire.EINVALID, "notification_id",
		"notification_id must be a notification's id (a UUID) as list_notifications gives it, not a task's, got %s", raw)
}

// The argument schemas of the notification tools.
const (
	listNotificationsSchema = `{"type": "object", "properties": {
		"unread_only": {"type": "boolean", "description": "Only notifications not read yet (the default); false lists those read too."},
		"limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "At most this many notifications, the newest (default 20)."},
		"cursor": {"type": "string", "description": "next_cursor of the previous listing, for older notifications."}},
		"additionalProperties": false}`

	snoozeSchema = `{"type": "object", "properties": {
		"notification_id": {"type": "string", "description": "The notification's id (a UUID), from list_notifications."},
		"for": {"type": "string", "description": "How long from now until the reminder comes again: an ISO 8601 duration of at least a minute, e.g. PT10M (the default), PT1H, P1D."}},
		"required": ["notification_id"], "additionalProperties": false}`

	summarySchema = `{"type": "object", "properties": {
		"at": {"type": ["string", "null"], "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "The time of day, 24-hour HH:MM in the user's time zone, e.g. 07:30; null turns the summary off."}},
		"required": ["at"], "additionalProperties": false}`
)
