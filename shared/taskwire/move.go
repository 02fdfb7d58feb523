package taskwire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Where a move can send a task without naming a neighbour.
const (
	MoveTop    = "top"    // before every task of the user
	MoveBottom = "bottom" // after every task of the user
)

// Move says where a task goes in the user's own order (sort=position): right Before or
// After another task (by uuid or number), or To the top or bottom. Exactly one is set.
type Move struct {
	Before string
	After  string
	To     string
}

// Neighbour returns the task the move places the task beside, "" for a move to the top
// or bottom.
func (m Move) Neighbour() string {
	if m.Before != "" {
		return m.Before
	}
	return m.After
}

// moveInput is a move's body: {"after": 12}, {"before": "0193…"}, {"to": "top"}.
type moveInput struct {
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
	To     *string         `json:"to"`
}

// ParseTaskRef reads a task named in a body, field: its number (12, "12" or "#12") or
// its uuid. It returns the reference as a path names the task.
func ParseTaskRef(field string, raw json.RawMessage) (string, error) {
	var s string
	if len(raw) > 0 && raw[0] != '"' {
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&n); err == nil {
			s = n.String()
		}
	} else {
		_ = json.Unmarshal(raw, &s)
	}
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return strconv.FormatInt(n, 10), nil
	}
	if id, err := uuid.Parse(s); err == nil {
		return id.String(), nil
	}
	return "", FieldErrorf(EMALFORMED, field, "%s must be a task's number (1 or more) or uuid, got %s", field, raw)
}

// DecodeMove reads a move's body; a body naming none or more than one place, or a place
// that is none, is an error that names the field.
func DecodeMove(body []byte) (Move, error) {
	var in moveInput
	if err := DecodeJSON(body, &in); err != nil {
		return Move{}, err
	}
	var m Move
	var given []string
	for _, ref := range []struct {
		field string
		raw   json.RawMessage
		dst   *string
	}{{"before", in.Before, &m.Before}, {"after", in.After, &m.After}} {
		if ref.raw == nil {
			continue
		}
		var err error
		if *ref.dst, err = ParseTaskRef(ref.field, ref.raw); err != nil {
			return Move{}, err
		}
		given = append(given, ref.field)
	}
	if in.To != nil {
		if *in.To != MoveTop && *in.To != MoveBottom {
			return Move{}, FieldErrorf(EINVALID, "to", "to must be top or bottom, got %q", *in.To)
		}
		m.To, given = *in.To, append(given, "to")
	}
	switch {
	case len(given) == 0:
		return Move{}, Errorf(EMALFORMED, `say where the task goes: {"before": task}, {"after": task} or {"to": "top"} ("bottom")`)
	case len(given) > 1:
		return Move{}, FieldErrorf(EINVALID, given[1], "give one of before, after and to, not both %s and %s: a task goes to one place", given[0], given[1])
	}
	return m, nil
}
