package taskwire

// Priority is how urgent a task is.
type Priority string

// Priorities, from least to most urgent.
const (
	PriorityNone   Priority = "none"
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

var priorities = []Priority{PriorityNone, PriorityLow, PriorityMedium, PriorityHigh, PriorityUrgent}

// ParsePriority returns the priority named s, or an EINVALID error naming field.
func ParsePriority(field, s string) (Priority, error) {
	for _, p := range priorities {
		if string(p) == s {
			return p, nil
		}
	}
	return "", FieldErrorf(EINVALID, field, "%s must be one of none, low, medium, high, urgent", field)
}

// Rank orders priorities: 0 for none up to 4 for urgent.
func (p Priority) Rank() int16 {
	for i, q := range priorities {
		if p == q {
			return int16(i)
		}
	}
	return 0
}

// PriorityFromRank returns the priority of a rank as stored; out-of-range ranks are none.
func PriorityFromRank(rank int16) Priority {
	if rank < 0 || int(rank) >= len(priorities) {
		return PriorityNone
	}
	return priorities[rank]
}
