package taskwire_test

import (
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
