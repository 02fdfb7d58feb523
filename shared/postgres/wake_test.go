package postgres

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWakePayloads(t *testing.T) {
	t.Run("OneFits", func(t *testing.T) {
		assert.Equal(t, []string{"ada 1\nbob 2"}, wakePayloads([]string{"ada 1", "bob 2"}))
	})
	t.Run("SplitUnderTheLimit", func(t *testing.T) {
		line := strings.Repeat("u", 99) + " 1" // 101 bytes
		var lines []string
		for range 200 {
			lines = append(lines, line)
		}
		got := wakePayloads(lines)
		assert.Greater(t, len(got), 1, "20 KB of lines must not go in one notification")
		var back []string
		for _, p := range got {
			assert.LessOrEqual(t, len(p), maxWakePayload)
			back = append(back, strings.Split(p, "\n")...)
		}
		assert.Equal(t, lines, back, "every line once, in order")
	})
	t.Run("Empty", func(t *testing.T) {
		assert.Empty(t, wakePayloads(nil))
	})
}
