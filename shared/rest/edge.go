package rest

import (
	"context"
	"net/http"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// Authenticate verifies r's bearer token with v and returns a context carrying its user,
// whose row users creates on first sight: what every route of the API does first, for
// handlers served beside the API (the chat function's).
func Authenticate(r *http.Request, v Verifier, users UserStore) (context.Context, error) {
	s := Server{auth: v, users: users}
	return s.authenticate(r)
}

// CheckPathUser refuses (EFORBIDDEN) a hackathon clients' route whose {user_id} is not
// the signed-in user of ctx.
func CheckPathUser(ctx context.Context, r *http.Request) error {
	if r.PathValue("user_id") != taskwire.UserFromContext(ctx) {
		return taskwire.FieldErrorf(taskwire.EFORBIDDEN, "user_id", "the path's user does not match the signed-in user")
	}
	return nil
}

// ReadBody reads a request body of at most MaxBodyBytes; a larger one is ETOOLARGE.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBody(w, r)
}

// WriteJSON writes v as JSON with status, as the API writes its responses.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	return writeJSON(w, status, v)
}
