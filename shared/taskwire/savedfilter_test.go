package taskwire_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Renaming a tag keeps a saved filter listing the same tasks, in canonical form: the
// other parameters and tags stay, the tags in order, a tag the filter named already is
// not named twice, and a filter without the tag is not touched.
func TestRenameFilterTag(t *testing.T) {
	for _, c := range []struct {
		name, query, from, to string
		want                  string
		changed               bool
	}{
		{"alone", "tag=home", "home", "house", "tag=house", true},
		{"other parameters stay", "due=week&sort=due&tag=home", "home", "house", "due=week&sort=due&tag=house", true},
		{"other tags stay, all in order", "tag=home&tag=urgent&tag=work", "home", "house", "tag=house&tag=urgent&tag=work", true},
		{"the new name takes its place in order", "tag=home&tag=urgent", "home", "work", "tag=urgent&tag=work", true},
		{"merged into a tag named already", "tag=home&tag=house", "home", "house", "tag=house", true},
		{"merged, the new name first", "tag=house&tag=home&tag=work", "home", "house", "tag=house&tag=work", true},
		{"escaped names", "tag=caf%C3%A9+bar", "café bar", "a&b", "tag=a%26b", true},
		{"a tag that only starts the same", "tag=homework", "home", "house", "tag=homework", false},
		{"the name in another parameter", "q=home", "home", "house", "q=home", false},
		{"no tag", "due=today", "home", "house", "due=today", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, changed := taskwire.RenameFilterTag(c.query, c.from, c.to)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.changed, changed)
		})
	}
}
