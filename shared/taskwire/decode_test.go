package taskwire_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// A value of the wrong type is named with the kind of value wanted, in words people read:
// until 2026-12-06 a count said "must be a int".
func TestDecodeJSON_WrongType(t *testing.T) {
	var dst struct {
		Count  int      `json:"count"`
		Size   uint     `json:"size"`
		Ratio  float64  `json:"ratio"`
		Title  string   `json:"title"`
		Tags   []string `json:"tags"`
		Active bool     `json:"active"`
	}
	for _, tt := range []struct{ body, field, want string }{
		{`{"count": "ten"}`, "count", "count must be a whole number, got string"},
		{`{"count": 1.5}`, "count", "count must be a whole number, got number 1.5"},
		{`{"size": -1}`, "size", "size must be a whole number, 0 or more, got number -1"},
		{`{"ratio": "half"}`, "ratio", "ratio must be a number, got string"},
		{`{"title": 3}`, "title", "title must be a string, got number"},
		{`{"tags": "home"}`, "tags", "tags must be an array, got string"},
		{`{"active": "yes"}`, "active", "active must be a boolean, got string"},
	} {
		t.Run(tt.body, func(t *testing.T) {
			err := taskwire.DecodeJSON([]byte(tt.body), &dst)
			require.Error(t, err)
			assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err))
			assert.Equal(t, tt.field, taskwire.ErrorField(err))
			assert.Equal(t, tt.want, taskwire.ErrorMessage(err))
		})
	}
}

// A member given twice, or named in another case than the contract's, is refused and
// named: until 2026-12-06 the last of two titles won, and {"TITLE": …} set the title on
// a create while a patch refused it.
func TestDecodeJSON_Members(t *testing.T) {
	for _, tt := range []struct{ body, field, want string }{
		{`{"title": "a", "title": "b"}`, "title", `"title" is given twice; give each member once`},
		{`{"title": "a", "TITLE": "b"}`, "TITLE", `unknown field "TITLE"`},
		{`{"Title": "a"}`, "Title", `unknown field "Title"`},
		{`{"title": "a", "checklist": [{"text": "x"}, {"text": "y", "Done": true}]}`, "checklist[1].Done", `unknown field "checklist[1].Done"`},
		{`{"title": "a", "reminders": [{"before": "PT5M", "before": "PT10M"}]}`, "reminders[0].before", `"reminders[0].before" is given twice; give each member once`},
	} {
		t.Run(tt.body, func(t *testing.T) {
			var in taskwire.NewTask
			err := taskwire.DecodeJSON([]byte(tt.body), &in)
			require.Error(t, err)
			assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err))
			assert.Equal(t, tt.field, taskwire.ErrorField(err))
			assert.Equal(t, tt.want, taskwire.ErrorMessage(err))
		})
	}

	// A patch, decoded as an object of raw members, refuses a member named twice too.
	_, err := taskwire.ApplyPatch(taskwire.TaskFields{Title: "a"}, []byte(`{"title": "b", "title": "c"}`))
	require.Error(t, err)
	assert.Equal(t, "title", taskwire.ErrorField(err))

	// What the contract names, in its case, once each, still decodes, as do members
	// nested in a value of any shape.
	var in taskwire.NewTask
	require.NoError(t, taskwire.DecodeJSON([]byte(`{"title": "a", "tags": ["x", "x"], "checklist": [{"text": "b", "done": true}], "reminders": [{"at": "2026-12-24T09:00:00Z"}]}`), &in))
	assert.Equal(t, "a", in.Title)
	var doc map[string]any
	require.NoError(t, taskwire.DecodeJSON([]byte(`{"a": {"b": 1, "B": 2}, "c": [{"b": 1}, {"b": 2}]}`), &doc))
}

// A body nested deeper than encoding/json reads is refused as malformed, in memory that
// grows with its size: until 2026-12-06 checking its member names built a path for each
// level, as long as the levels above it, and 100 000 nested arrays (200 kB, well under
// the body limit) held the server in gigabytes until the machine ran out.
func TestDecodeJSON_Deep(t *testing.T) {
	for _, open := range []string{"[", `{"a":`} {
		const depth = 20000
		closing := "]"
		if open != "[" {
			closing = "}"
		}
		body := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(closing, depth))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var in taskwire.NewTask
		err := taskwire.DecodeJSON(body, &in)
		runtime.ReadMemStats(&after)
		require.Error(t, err)
		assert.Equal(t, taskwire.EMALFORMED, taskwire.ErrorCode(err), "%v", err)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20),
			"decoding %d levels of %s allocates in proportion to the body", depth, open)
	}
}
