package taskwire

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// CalendarFeed is a user's calendar subscription: the secret address at which a calendar
// app reads their open tasks that have a due time, without signing in.
type CalendarFeed struct {
	Token     string    `json:"-"`   // the secret part of the address
	URL       string    `json:"url"` // set by the API, which knows where it is served
	CreatedAt time.Time `json:"created_at"`
}

// calendarTokenBytes is how much randomness a feed's token carries: 256 bits.
const calendarTokenBytes = 32

// NewCalendarToken returns a new random feed token, URL-safe.
func NewCalendarToken() string {
	b := make([]byte, calendarTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidCalendarToken reports whether s has the form of a token NewCalendarToken makes, so
// that anything else is refused without a query.
func ValidCalendarToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(calendarTokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// SeriesTask is a task with its 1-based place in its series (1 for a task that does not
// repeat), which a recurrence rule's COUNT counts against.
type SeriesTask struct {
	*Task
	Index int
}
