package taskwire_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Tasks added later come later, and a position read off a time is one a task can be
// moved beside.
func TestPositionAt(t *testing.T) {
	times := []time.Time{
		time.Unix(0, 0),
		time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC),
		time.Date(2026, 12, 4, 15, 30, 0, 1000, time.UTC),
		time.Date(2026, 12, 4, 15, 30, 1, 0, time.UTC),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i, at := range times {
		p := taskwire.PositionAt(at)
		require.True(t, taskwire.ValidPosition(p), "PositionAt(%v) = %q is not valid", at, p)
		if i > 0 {
			prev := taskwire.PositionAt(times[i-1])
			require.Less(t, prev, p, "PositionAt(%v) = %q, not after PositionAt(%v) = %q", at, p, times[i-1], prev)
		}
	}
	require.Equal(t, taskwire.PositionAt(time.Unix(0, 0)), taskwire.PositionAt(time.Unix(-5, 0)),
		"a time before 1970 takes the first position of all")
}

// However a list is reordered, a moved task lands between its new neighbours, and every
// position stays valid and short.
func TestPositionBetween_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 50; run++ {
		var list []string
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 20; i++ {
			list = append(list, taskwire.PositionAt(start.Add(time.Duration(i)*time.Minute)))
		}
		for move := 0; move < 300; move++ {
			from := rng.IntN(len(list))
			list = slices.Delete(list, from, from+1)
			at := rng.IntN(len(list) + 1)
			// Now and then a run of moves to the same place, the worst case for length.
			if rng.IntN(10) == 0 {
				at = 0
			}
			before, after := "", ""
			if at > 0 {
				before = list[at-1]
			}
			if at < len(list) {
				after = list[at]
			}
			p, err := taskwire.PositionBetween(before, after)
			require.NoError(t, err, "between %q and %q", before, after)
			require.True(t, taskwire.ValidPosition(p), "between %q and %q: %q is not valid", before, after, p)
			if before != "" {
				require.Less(t, before, p)
			}
			if after != "" {
				require.Less(t, p, after)
			}
			list = slices.Insert(list, at, p)
		}
		require.True(t, slices.IsSorted(list))
	}
}

// Moving to the top or the bottom again and again, or between the same two tasks, keeps
// positions within the bound: a move refused for length would be a task that cannot move.
func TestPositionBetween_Repeated(t *testing.T) {
	first := taskwire.PositionAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	top, bottom := first, first
	for i := 0; i < 10000; i++ {
		var err error
		top, err = taskwire.PositionBetween("", top)
		require.NoError(t, err)
		bottom, err = taskwire.PositionBetween(bottom, "")
		require.NoError(t, err)
	}
	require.Less(t, top, first)
	require.Less(t, first, bottom)
	require.LessOrEqual(t, len(top), 12, "top after 10 000 moves: %q", top)
	require.LessOrEqual(t, len(bottom), 12, "bottom after 10 000 moves: %q", bottom)

	// Between the same two tasks: each move goes just after the first, the shortest way
	// to grow.
	a, b := first, taskwire.PositionAt(time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC))
	for i := 0; i < 200; i++ {
		p, err := taskwire.PositionBetween(a, b)
		require.NoError(t, err, "move %d between %q and %q", i, a, b)
		require.True(t, a < p && p < b)
		b = p
	}
	require.LessOrEqual(t, len(b), 60, "after 200 moves between two tasks: %q", b)
}

func TestPositionBetween_Refused(t *testing.T) {
	p := taskwire.PositionAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, c := range []struct{ a, b string }{
		{p, p},        // nothing between equals
		{p + "V", p},  // out of order
		{"i0", ""},    // integer part too short
		{p + "0", ""}, // a fraction ending in 0
		{"!", ""},     // not a digit
		{"a0 ", ""},
		{"A" + "00000000000000000000000000", ""}, // the smallest integer, nothing before it
	} {
		_, err := taskwire.PositionBetween(c.a, c.b)
		require.Error(t, err, "between %q and %q", c.a, c.b)
	}
}

// FuzzPositionBetween: for any two valid positions in order, the answer lies strictly
// between them and is valid.
func FuzzPositionBetween(f *testing.F) {
	f.Add("a0", "a1")
	f.Add("", "a0")
	f.Add("a0", "")
	f.Add("Zz", "a0V")
	f.Add("i0PQh3Xz2", "i0PQh3Xz2V")
	f.Fuzz(func(t *testing.T, a, b string) {
		if (a != "" && !taskwire.ValidPosition(a)) || (b != "" && !taskwire.ValidPosition(b)) || (a != "" && b != "" && a >= b) {
			return
		}
		p, err := taskwire.PositionBetween(a, b)
		if err != nil {
			if len(a) >= taskwire.MaxPositionLen-1 || len(b) >= taskwire.MaxPositionLen-1 {
				return // no room left at that length
			}
			t.Fatalf("between %q and %q: %v", a, b, err)
		}
		if !taskwire.ValidPosition(p) || (a != "" && p <= a) || (b != "" && p >= b) {
			t.Fatalf("between %q and %q: %q", a, b, p)
		}
	})
}

// The positions given to tasks that take a stretch of the order anew come in order
// between its ends, and are short: a few characters past what the ends have in common,
// however many tasks there are.
func TestPositionsBetween(t *testing.T) {
	first := taskwire.PositionAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		a, b   string
		n      int
		maxLen int
	}{
		{"", "", 1, 2},
		{"", "", 1000, 4},
		{"a0", "a1", 1, 3},
		{"a0", "a1", 1000, 5},
		{first, "", 100, len(first) + 2},
		{"", first, 100, len(first) + 2},
		{first, first + "0001", 1000, len(first) + 6}, // the common part is first + "000"
	} {
		keys, err := taskwire.PositionsBetween(c.a, c.b, c.n)
		require.NoError(t, err, "%d between %q and %q", c.n, c.a, c.b)
		require.Len(t, keys, c.n)
		prev := c.a
		for i, k := range keys {
			require.True(t, taskwire.ValidPosition(k), "key %d, %q, is not valid", i, k)
			require.True(t, prev == "" || prev < k, "key %d, %q, is not after %q", i, k, prev)
			require.LessOrEqual(t, len(k), c.maxLen, "key %d of %d between %q and %q: %q", i, c.n, c.a, c.b, k)
			prev = k
		}
		if c.b != "" {
			require.Less(t, prev, c.b)
		}
	}
	keys, err := taskwire.PositionsBetween("a1", "a0", 3)
	require.Error(t, err, "out of order: %q", keys)
}
