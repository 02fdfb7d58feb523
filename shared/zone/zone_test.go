package zone_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/zone"
)

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, name := range []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", ""} {
			want, err := time.LoadLocation(name)
			require.NoError(t, err)
			for range 2 { // read from the database, then remembered
				got, err := zone.Load(name)
				require.NoError(t, err, name)
				assert.Equal(t, want.String(), got.String())
				at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
				_, wantOffset := at.In(want).Zone()
				_, gotOffset := at.In(got).Zone()
				assert.Equal(t, wantOffset, gotOffset, "%s: got offset %d in July, want %d", name, gotOffset, wantOffset)
			}
		}
	})

	t.Run("OKSameZoneEachTime", func(t *testing.T) {
		first, err := zone.Load("Europe/Paris")
		require.NoError(t, err)
		again, err := zone.Load("Europe/Paris")
		require.NoError(t, err)
		assert.Same(t, first, again, "got the zone read again, want the one loaded first")
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		for range 2 { // an unknown name is not remembered
			_, err := zone.Load("Mars/Olympus_Mons")
			assert.Error(t, err)
		}
	})
}
