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

// NotificationStore holds the signed-in user's in-app notifications.
type NotificationStore interface {
	// FindNotifications lists notifications newest first, after before (by created_at,
	// then id) when it is not nil.
	FindNotifications(ctx context.Context, unreadOnly bool, limit int, before *taskwire.Notification) ([]*taskwire.Notification, error)
	FindNotification(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error)
	MarkNotificationRead(ctx context.Context, id uuid.UUID) (*taskwire.Notification, error)
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
	var before *taskwire.Notification
	if v, ok := q["cursor"]; ok {
		if before, err = s.notificationCursor(r.Context(), v); err != nil {
			return err
		}
	}
	// One more than asked tells whether a next page exists.
	items, err := s.notifications.FindNotifications(r.Context(), unread, limit+1, before)
	if err != nil {
		return err
	}
	page := NotificationPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(items[limit-1].ID[:])
	}
	return writeJSON(w, http.StatusOK, page)
}

// notificationCursor returns the notification a cursor names: the last of the previous
// page, whose (created_at, id) the next page continues after.
func (s *Server) notificationCursor(ctx context.Context, cursor string) (*taskwire.Notification, error) {
	bad := taskwire.FieldErrorf(taskwire.EMALFORMED, "cursor", "cursor must be the next_cursor of the previous page")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	id, err := uuid.FromBytes(raw)
	if err != nil {
		return nil, bad
	}
	n, err := s.notifications.FindNotification(ctx, id)
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
