package taskwire

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/recur"
)

// MaxWebhookURLLength bounds a webhook address.
const MaxWebhookURLLength = 2000

// ApplyUserPatch applies a JSON Merge Patch of time_zone, email, webhook_url,
// task_webhooks, daily_summary_at and daily_goal to u. A new webhook secret (whsec_…, per Standard Webhooks) is generated
// when a webhook is set and the user has none; clearing the webhook clears the secret.
func ApplyUserPatch(u User, patch []byte) (User, error) {
	var doc map[string]json.RawMessage
	if err := DecodeJSON(patch, &doc); err != nil {
		return u, err
	}
	for _, name := range sortedKeys(doc) {
		raw := doc[name]
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		switch name {
		case "task_webhooks":
			if err := decodeField(name, raw, &u.TaskWebhooks); err != nil {
				return u, err
			}
			continue
		case "daily_goal":
			if isNull {
				u.DailyGoal = DefaultDailyGoal
				continue
			}
			if err := decodeField(name, raw, &u.DailyGoal); err != nil {
				return u, err
			}
			if err := ValidDailyGoal(name, u.DailyGoal); err != nil {
				return u, err
			}
			continue
		}
		var s string
		if !isNull {
			if err := decodeField(name, raw, &s); err != nil {
				return u, err
			}
		}
		switch name {
		case "time_zone":
			if isNull {
				return u, FieldErrorf(EINVALID, name, "time_zone cannot be null")
			}
			tz, err := ValidTimeZone(name, s)
			if err != nil {
				return u, err
			}
			u.TimeZone = tz
		case "email":
			if isNull || s == "" {
				u.Email = nil
				continue
			}
			addr, err := mail.ParseAddress(s)
			if err != nil || addr.Name != "" || len(s) > 320 {
				return u, FieldErrorf(EINVALID, name, "email must be a plain address such as ada@example.com")
			}
			u.Email = &addr.Address
		case "webhook_url":
			if isNull || s == "" {
				u.WebhookURL, u.WebhookSecret = nil, nil
				continue
			}
			if err := validWebhookURL(s); err != nil {
				return u, err
			}
			u.WebhookURL = &s
			if u.WebhookSecret == nil {
				secret := NewWebhookSecret()
				u.WebhookSecret = &secret
			}
		case "daily_summary_at":
			if isNull || s == "" {
				u.DailySummaryAt = nil
				continue
			}
			if _, err := time.Parse(SummaryLayout, s); err != nil || len(s) != len(SummaryLayout) {
				return u, FieldErrorf(EINVALID, name, "daily_summary_at must be a time of day such as 07:30 (24-hour, in time_zone), got %q", s)
			}
			u.DailySummaryAt = &s
		default:
			return u, FieldErrorf(EMALFORMED, name, "unknown field %q", name)
		}
	}
	return u, nil
}

// SummaryLayout is how the time of a daily summary is written: hours and minutes, 24-hour.
const SummaryLayout = "15:04"

// NextSummary returns when a daily summary at the local time at ("07:30") in zone tz is
// next due after after: at that time on after's day there, if it is still to come, else on
// the next day. A time that a DST change skips moves forward by the gap, and one that it
// repeats is the first (recur.Resolve), as a task's local times are.
func NextSummary(after time.Time, at, tz string) time.Time {
	clock, _ := time.Parse(SummaryLayout, at)
	loc := LoadZone(tz)
	y, m, d := after.In(loc).Date()
	for i := 0; ; i++ {
		wall := time.Date(y, m, d+i, clock.Hour(), clock.Minute(), 0, 0, time.UTC)
		if next := recur.Resolve(wall, loc); next.After(after) {
			return next.UTC()
		}
	}
}

func validWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || len(s) > MaxWebhookURLLength || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return FieldErrorf(EINVALID, "webhook_url", "webhook_url must be an absolute http or https URL without credentials")
	}
	return nil
}

// NewWebhookSecret returns a fresh signing secret: "whsec_" and 32 random bytes in base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// ETag returns the entity tag of the task's current version.
func (t *Task) ETag() string {
	return `"` + strconv.FormatInt(t.Version, 10) + `"`
}

// MatchesETag reports whether an If-Match header value admits the task's current version:
// its ETag, weak or strong, "*", or the version without its quotes (1), as clients that
// keep the number send it.
func (t *Task) MatchesETag(ifMatch string) bool {
	etag := t.ETag()
	for _, tag := range strings.Split(ifMatch, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == etag || strings.TrimPrefix(tag, "W/") == etag || tag == etag[1:len(etag)-1] {
			return true
		}
	}
	return false
}
