package quickadd

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZoneNames checks that each zone read after a time goes by the abbreviations its
// entry lists, in winter and in summer, so that a user in that zone keeps their own.
func TestZoneNames(t *testing.T) {
	for abbr, z := range zoneNames {
		loc, err := time.LoadLocation(z.zone)
		require.NoError(t, err, abbr)
		for _, month := range []time.Month{time.January, time.July} {
			name, _ := time.Date(2026, month, 15, 12, 0, 0, 0, loc).Zone()
			assert.True(t, slices.Contains(z.names, name), "%s: %s goes by %s in %s, not among %v", abbr, z.zone, name, month, z.names)
		}
	}
}
