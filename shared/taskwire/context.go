package taskwire

import "context"

type userKey struct{}

// NewContextWithUser returns a copy of ctx that carries the signed-in user's id (the JWT sub).
func NewContextWithUser(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, userKey{}, userID)
}

// UserFromContext returns the signed-in user's id carried by ctx, or "" when there is none.
func UserFromContext(ctx context.Context) string {
	id, _ := ctx.Value(userKey{}).(string)
	return id
}
