package rest

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Page sizes of the notification inbox.
const (
	DefaultNotificationsLimit = 50
	MaxNotificationsLimit     = 100
)

// NotificationFinder reads the signed-in user's in-app notifications.
type NotificationFinder interface {
	// FindNotifications lists notifications newest first, after before (by created_at,
	// then id) when it is not nil.
	FindNotifications(ctx context.Context, unreadOnly bool, limit int, before *taskwire.Notification) ([]*taskwire.Notification, error)
	FindNotification(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error)
}

// NotificationStore holds the signed-in user's in-app notifications.
type NotificationStore interface {
	NotificationFinder
	MarkNotificationRead(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error)
	// MarkNotificationsRead marks every unread notification read, or with through only
	// that one and those before it, and returns how many it marked.
	MarkNotificationsRead(ctx context.Context, through *uuid.UUID) (int64, error)
}

// ReadAll is the body of POST /v1/notifications/read, which may also be empty.
type ReadAll struct {
	// Through is the newest notification the user has seen: it and those before it are
	// marked read, and any that arrived since stay unread. Absent: all of them.
	Through *string `json:"through"`
}

// ReadAllResult answers POST /v1/notifications/read.
type ReadAllResult struct {
	Read int64 `json:"read"` // how many notifications this request marked read
}

// NotificationPage is one page of GET /v1/notifications.
type NotificationPage struct {
	Items      []*taskwire.Notification `json:"items"`
	NextCursor string                   `json:"next_cursor,omitempty"` // absent on the last page
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r.URL.Query(), "unread", "limit", "cursor")
	if err != nil {
		return err
	}
	unread := false
	if v, ok := q["unread"]; ok {
		if unread, err = strconv.ParseBool(v); err != nil {
			return taskwire.FieldErrorf(taskwire.EMALFORMED, "unread", "unread must be true or false")
		}
	}
	limit, err := parseLimit(q, DefaultNotificationsLimit, MaxNotificationsLimit)
	if err != nil {
		return err
	}
	page, err := FindNotificationPage(r.Context(), s.notifications, unread, limit, q["cursor"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

// FindNotificationPage returns a page of at most limit of the user's notifications from
// notes, newest first, unread ones only if unreadOnly, after the one cursor names (the
// next_cursor of the previous page; "" for the first page), with the next page's cursor
// when more follow. A cursor that names no notification of the user is EMALFORMED,
// naming "cursor". The chat tools page through them with it too.
func FindNotificationPage(ctx context.Context, notes NotificationFinder, unreadOnly bool, limit int, cursor string) (*NotificationPage, error) {
	var before *taskwire.Notification
	if cursor != "" {
		var err error
		if before, err = notificationCursor(ctx, notes, cursor); err != nil {
			return nil, err
		}
	}
	// One more than asked tells whether a next page exists.
	items, err := notes.FindNotifications(ctx, unreadOnly, limit+1, before)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []*taskwire.Notification{}
	}
	page := &NotificationPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(items[limit-1].ID[:])
	}
	return page, nil
}

// notificationCursor returns the notification a cursor names: the last of the previous
// page, whose (created_at, id) the next page continues after.
func notificationCursor(ctx context.Context, notes NotificationFinder, cursor string) (*taskwire.Notification, error) {
	bad := taskwire.FieldErrorf(taskwire.EMALFORMED, "cursor", "cursor must be the next_cursor of the previous page")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	id, err := uuid.FromBytes(raw)
	if err != nil {
		return nil, bad
	}
	n, err := notes.FindNotification(ctx, id)
	if taskwire.ErrorCode(err) == taskwire.ENOTFOUND {
		return nil, bad
	}
	return n, err
}

func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return taskwire.FieldErrorf(taskwire.EMALFORMED, "id", "id must be a notification's uuid")
	}
	n, err := s.notifications.MarkNotificationRead(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// DefaultSnooze is how long a snooze lasts when its request does not say.
const DefaultSnooze = "PT10M"

// Snooze is the body of POST /v1/notifications/{id}/snooze, which may also be empty.
type Snooze struct {
	// For is how long until the reminder comes again, an ISO 8601 duration of at least a
	// minute (days count on the calendar of the task's zone); absent: DefaultSnooze.
	For *string `json:"for"`
}

// ParseSnooze reads how long a snooze lasts (Snooze.For, and the for of the chat tool
// snooze_reminder): an ISO 8601 duration of at least a minute, such as PT10M, PT1H or
// P1D; nil is DefaultSnooze. Any other text is EINVALID on field for.
func ParseSnooze(value *string) (taskwire.Duration, error) {
	text := DefaultSnooze
	if value != nil {
		text = *value
	}
	d, err := taskwire.ParseDuration(text)
	if err != nil {
		return taskwire.Duration{}, taskwire.FieldErrorf(taskwire.EINVALID, "for", "for must be an ISO 8601 duration such as PT10M, PT1H or P1D: %v", err)
	}
	if d.Weeks == 0 && d.Days == 0 && d.Hours*3600+d.Minutes*60+d.Seconds < 60 {
		return taskwire.Duration{}, taskwire.FieldErrorf(taskwire.EINVALID, "for", "for must be at least a minute, got %s", text)
	}
	return d, nil
}

// snoozeNotification reminds the user of a notification's task again later: in ten
// minutes, or after the body's for.
func (s *Server) snoozeNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return taskwire.FieldErrorf(taskwire.EMALFORMED, "id", "id must be a notification's uuid")
	}
	var in Snooze
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	d, err := ParseSnooze(in.For)
	if err != nil {
		return err
	}
	snoozed, err := s.tasks.SnoozeNotification(r.Context(), id, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, snoozed)
}

// readAllNotifications marks the user's unread notifications read: all of them, or those
// up to the body's through.
func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	var in ReadAll
	if err := decodeOptionalBody(w, r, &in); err != nil {
		return err
	}
	var through *uuid.UUID
	if in.Through != nil {
		id, err := uuid.Parse(*in.Through)
		if err != nil {
			return taskwire.FieldErrorf(taskwire.EINVALID, "through", "through must be a notification's uuid")
		}
		through = &id
	}
	n, err := s.notifications.MarkNotificationsRead(r.Context(), through)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ReadAllResult{Read: n})
}
