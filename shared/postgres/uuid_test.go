package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// TestUUIDParameters checks that uuids reach the server as the values they are, sent as
// bytes where the statement wants a uuid and as text where it wants text, alone, in
// arrays and through pointers.
func TestUUIDParameters(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	id, other := uuid.New(), uuid.New()
	var none *uuid.UUID

	var asUUID, asText string
	var list []string
	var null *string
	require.NoError(t, db.Pool.QueryRow(context.Background(),
		`SELECT $1::uuid::text, $2::text, $3::uuid[]::text[], $4::uuid::text`, id, id, []uuid.UUID{id, other}, none).
		Scan(&asUUID, &asText, &list, &null))
	assert.Equal(t, id.String(), asUUID)
	assert.Equal(t, id.String(), asText)
	assert.Equal(t, []string{id.String(), other.String()}, list)
	assert.Nil(t, null)

	var back uuid.UUID
	require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT $1::uuid`, &other).Scan(&back))
	assert.Equal(t, other, back)
}
