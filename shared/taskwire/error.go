// Package taskwire holds Taskwire's domain: tasks, users, reminders, their validation,
// and the error codes that every adapter (HTTP, events, PostgreSQL) maps in one place.
// It holds no I/O.
package taskwire

import (
	"errors"
	"fmt"
)

// Error codes, read back with ErrorCode and mapped to HTTP statuses at the HTTP edge.
const (
	EMALFORMED    = "malformed"    // the request cannot be read: bad JSON, unknown field, wrong type, bad query parameter
	EINVALID      = "invalid"      // the request is well formed but a value breaks a rule
	ETOOLARGE     = "too_large"    // the request body exceeds its limit
	ENOTFOUND     = "not_found"    // no such resource for this user
	ECONFLICT     = "conflict"     // the change collides with the current state
	EPRECONDITION = "precondition" // If-Match names a version that is not current
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, but not for this resource
	EUNAVAILABLE  = "unavailable"  // a dependency is not ready or not configured
	EUPSTREAM     = "upstream"     // a service the request relies on (the chat model) failed
	ETIMEOUT      = "timeout"      // a service the request relies on did not answer in time
	ETOOMANY      = "too_many"     // the user holds too many of something at once (live streams)
	EINTERNAL     = "internal"     // anything else; never shown to users in detail
)

// Error is a domain error: a code, a message fit for the user, and the field it concerns.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("taskwire error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("taskwire error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Error about one field, with a formatted message.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's Error, EINTERNAL for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err's Error, or "internal error".
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field that err's Error concerns, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
