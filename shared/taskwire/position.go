package taskwire

import (
	"errors"
	"strings"
	"time"
)

// A task's position is its place in the user's own order (sort=position): a string
// compared byte by byte, so that a task moved between two others takes a key between
// theirs and no other task changes. The keys are fractional indexes (David Greenspan's
// scheme): an integer part whose first character says its length ('a'…'z' for 1 to 26
// digits after it, 'A'…'Z' for the negative ones, 26 down to 1), then fraction digits,
// never ending in '0'. Digits are base 62, '0'…'9', 'A'…'Z', 'a'…'z', in byte order.
const positionDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// MaxPositionLen bounds a position's length, so that PostgreSQL indexes the column whole:
// moves into the same gap lengthen the positions there about a character every six, and
// one that finds no room left gives the tasks around new ones (PositionsBetween).
const MaxPositionLen = 200

// positionAtLen is the number of digits of PositionAt's integer part: microseconds since
// 1970 fit in nine base-62 digits until the year 2398.
const positionAtLen = 9

// PositionAt returns the position of a task added at t: after every task added before t,
// with no look at them, so that adding a task reads nothing more. It is 'i' and the
// microseconds since 1970 in nine digits (the integer part of the fractional index).
func PositionAt(t time.Time) string {
	us := t.UnixMicro()
	if us < 0 {
		us = 0
	}
	var b [1 + positionAtLen]byte
	b[0] = 'a' + positionAtLen - 1
	for i := positionAtLen; i > 0; i-- {
		b[i] = positionDigits[us%62]
		us /= 62
	}
	if us > 0 { // after 2398: the largest nine-digit integer
		for i := 1; i <= positionAtLen; i++ {
			b[i] = 'z'
		}
	}
	return string(b[:])
}

// errPosition is the error of a position that is not a fractional index.
var errPosition = errors.New("not a position")

// ValidPosition reports whether s is a position PositionBetween can place a task beside.
func ValidPosition(s string) bool {
	if s == "" || len(s) > MaxPositionLen {
		return false
	}
	n := integerLen(s[0])
	if n == 0 || len(s) < n {
		return false
	}
	for i := 1; i < len(s); i++ {
		if strings.IndexByte(positionDigits, s[i]) < 0 {
			return false
		}
	}
	// The smallest integer has nothing before it, and a fraction ends in a digit above 0.
	return s != smallestInteger && !strings.HasSuffix(s[n:], "0")
}

// smallestInteger is the least integer part: no position can come before it.
var smallestInteger = "A" + strings.Repeat("0", 26)

// integerLen returns the length of the integer part that head begins, 0 when head
// begins none.
func integerLen(head byte) int {
	switch {
	case head >= 'a' && head <= 'z':
		return int(head-'a') + 2
	case head >= 'A' && head <= 'Z':
		return int('Z'-head) + 2
	}
	return 0
}

// PositionBetween returns a position after a and before b; "" for a is before every
// task, "" for b after every task. Both must be valid and a less than b.
func PositionBetween(a, b string) (string, error) {
	if (a != "" && !ValidPosition(a)) || (b != "" && !ValidPosition(b)) || (a != "" && b != "" && a >= b) {
		return "", errPosition
	}
	var key string
	switch {
	case a == "" && b == "":
		key = "a0"
	case a == "":
		ib := b[:integerLen(b[0])]
		switch {
		case ib == smallestInteger:
			key = ib + midpoint("", b[len(ib):])
		case ib < b:
			key = ib
		default:
			dec, ok := decrementInteger(ib)
			if !ok {
				return "", errPosition
			}
			key = dec
		}
	case b == "":
		ia := a[:integerLen(a[0])]
		if inc, ok := incrementInteger(ia); ok {
			key = inc
		} else {
			key = ia + midpoint(a[len(ia):], "")
		}
	default:
		ia, ib := a[:integerLen(a[0])], b[:integerLen(b[0])]
		if ia == ib {
			key = ia + midpoint(a[len(ia):], b[len(ib):])
		} else if inc, ok := incrementInteger(ia); ok && inc < b {
			key = inc
		} else {
			key = ia + midpoint(a[len(ia):], "")
		}
	}
	if len(key) > MaxPositionLen {
		return "", errPosition
	}
	return key, nil
}

// PositionsBetween returns n positions in order after a and before b, for n tasks that
// take the room between them anew when a move finds none left (PositionBetween fails past
// MaxPositionLen): each halves the room that the ones before it left, so the longest is
// about one character per six halvings longer than a and b's common part.
func PositionsBetween(a, b string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	mid, err := PositionBetween(a, b)
	if err != nil {
		return nil, err
	}
	before, err := PositionsBetween(a, mid, n/2)
	if err != nil {
		return nil, err
	}
	after, err := PositionsBetween(mid, b, n-n/2-1)
	if err != nil {
		return nil, err
	}
	return append(append(before, mid), after...), nil
}

// midpoint returns fraction digits between fractions a and b ("" for b: above every
// fraction); neither ends in '0', and a < b.
func midpoint(a, b string) string {
	if b != "" {
		// The common prefix, a's missing digits read as '0', is kept.
		n := 0
		for n < len(b) {
			da := byte('0')
			if n < len(a) {
				da = a[n]
			}
			if da != b[n] {
				break
			}
			n++
		}
		if n > 0 {
			rest := ""
			if n < len(a) {
				rest = a[n:]
			}
			return b[:n] + midpoint(rest, b[n:])
		}
	}
	da := 0
	if a != "" {
		da = strings.IndexByte(positionDigits, a[0])
	}
	db := len(positionDigits)
	if b != "" {
		db = strings.IndexByte(positionDigits, b[0])
	}
	if db-da > 1 {
		return string(positionDigits[(da+db+1)/2])
	}
	// Neighbouring digits: b's first digit alone is between when b goes on; else a's
	// first digit and a fraction above the rest of a.
	if len(b) > 1 {
		return b[:1]
	}
	rest := ""
	if a != "" {
		rest = a[1:]
	}
	return string(positionDigits[da]) + midpoint(rest, "")
}

// incrementInteger returns the integer part after x, false past the largest.
func incrementInteger(x string) (string, bool) {
	head, digits := x[0], []byte(x[1:])
	for i := len(digits) - 1; i >= 0; i-- {
		d := strings.IndexByte(positionDigits, digits[i])
		if d < len(positionDigits)-1 {
			digits[i] = positionDigits[d+1]
			return string(head) + string(digits), true
		}
		digits[i] = '0'
	}
	// Every digit carried: the next length.
	switch head {
	case 'Z':
		return "a0", true
	case 'z':
		return "", false
	}
	head++
	if head > 'a' {
		digits = append(digits, '0')
	} else {
		digits = digits[1:]
	}
	return string(head) + string(digits), true
}

// decrementInteger returns the integer part before x, false before the smallest.
func decrementInteger(x string) (string, bool) {
	head, digits := x[0], []byte(x[1:])
	for i := len(digits) - 1; i >= 0; i-- {
		d := strings.IndexByte(positionDigits, digits[i])
		if d > 0 {
			digits[i] = positionDigits[d-1]
			return string(head) + string(digits), true
		}
		digits[i] = 'z'
	}
	// Every digit borrowed: the previous length.
	switch head {
	case 'a':
		return "Z" + "z", true
	case 'A':
		return "", false
	}
	head--
	if head < 'Z' {
		digits = append(digits, 'z')
	} else {
		digits = digits[1:]
	}
	return string(head) + string(digits), true
}
