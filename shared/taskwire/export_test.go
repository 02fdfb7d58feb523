package taskwire_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// Rekeyed for a user, a file's ids are UUIDv7s of that user's own: the same for the same
// user every time, others for another user, with the time of the id they replace; a
// series stays one series, begun by its first task.
func TestRekey(t *testing.T) {
	file := func() []*taskwire.Task {
		first, next := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		reminder := uuid.Must(uuid.NewV7())
		return []*taskwire.Task{
			{ID: first, SeriesID: &first},
			{ID: next, SeriesID: &first, Reminders: []taskwire.Reminder{{ID: reminder, Before: "PT1H"}}},
		}
	}
	orig := file()
	ids := func(tasks []*taskwire.Task) []uuid.UUID {
		return []uuid.UUID{tasks[0].ID, *tasks[0].SeriesID, tasks[1].ID, *tasks[1].SeriesID, tasks[1].Reminders[0].ID}
	}
	clone := func() []*taskwire.Task {
		out := make([]*taskwire.Task, len(orig))
		for i, t := range orig {
			c := *t
			series := *t.SeriesID
			c.SeriesID, c.Reminders = &series, append([]taskwire.Reminder(nil), t.Reminders...)
			out[i] = &c
		}
		return out
	}
	ada, again, bob := clone(), clone(), clone()
	taskwire.Rekey(ada, "ada")
	taskwire.Rekey(again, "ada")
	taskwire.Rekey(bob, "bob")

	assert.Equal(t, ids(ada), ids(again), "the same ids each time")
	for i, id := range ids(ada) {
		before := ids(orig)[i]
		assert.NotEqual(t, before, id)
		assert.NotEqual(t, ids(bob)[i], id, "another user's are others")
		assert.Equal(t, uuid.Version(7), id.Version())
		assert.Equal(t, uuid.RFC4122, id.Variant())
		assert.Equal(t, before[:6], id[:6], "the time of the id it replaces")
	}
	require.Equal(t, ada[0].ID, *ada[1].SeriesID, "one series, begun by the first")
	assert.Equal(t, ada[0].ID, *ada[0].SeriesID)
	assert.Equal(t, orig[1].Reminders[0].Before, ada[1].Reminders[0].Before)
}
