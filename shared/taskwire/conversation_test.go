package taskwire_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestConversationCursor(t *testing.T) {
	c := taskwire.ConversationCursor{UpdatedAt: time.Date(2026, 12, 1, 9, 30, 0, 123456000, time.UTC), ID: uuid.New()}
	got, err := taskwire.ParseConversationCursor(c.Encode())
	require.NoError(t, err)
	assert.Equal(t, c, *got)

	id, err := taskwire.ParseMessageCursor(taskwire.EncodeMessageCursor(4711))
	require.NoError(t, err)
	assert.Equal(t, int64(4711), id)

	for _, bad := range []string{"", "nope!", c.Encode()[:10], c.Encode() + "AA", taskwire.EncodeMessageCursor(4711)} {
		_, err := taskwire.ParseConversationCursor(bad)
		assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err), "conversation cursor %q", bad)
		assert.Equal(t, "cursor", taskwire.ErrorField(err))
	}
	for _, bad := range []string{"", "nope!", c.Encode(), taskwire.EncodeMessageCursor(0), taskwire.EncodeMessageCursor(-5)} {
		_, err := taskwire.ParseMessageCursor(bad)
		assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err), "message cursor %q", bad)
	}
}
