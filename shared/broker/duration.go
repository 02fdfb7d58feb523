package broker

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses an ISO 8601 duration as Knative's delivery fields hold them:
// PT0.5S, PT30S, PT1M30S, P1DT12H, P2W. Any component may have a decimal fraction.
// Years and months are refused, having no fixed length.
func ParseDuration(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(s)), "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT0.5S", s)
	}
	date, clock, hasClock := strings.Cut(rest, "T")
	if hasClock && clock == "" {
		return 0, fmt.Errorf("%q has no time after T", s)
	}
	dateUnits := []durationUnit{{'W', 7 * 24 * time.Hour}, {'D', 24 * time.Hour}}
	clockUnits := []durationUnit{{'H', time.Hour}, {'M', time.Minute}, {'S', time.Second}}
	if strings.ContainsAny(date, "YM") {
		return 0, fmt.Errorf("%q: years and months have no fixed length; use weeks, days or hours", s)
	}
	total := 0.0
	for _, part := range []struct {
		text  string
		units []durationUnit
	}{{date, dateUnits}, {clock, clockUnits}} {
		n, err := sumComponents(part.text, part.units)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		total += n
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too long", s)
	}
	return time.Duration(math.Round(total)), nil
}

// durationUnit is one designator of an ISO 8601 duration and its length.
type durationUnit struct {
	designator byte
	length     time.Duration
}

// sumComponents adds up the components of text ("1H30M"), in nanoseconds; each of
// units may appear once, in the order given.
func sumComponents(text string, units []durationUnit) (float64, error) {
	total, next := 0.0, 0
	for text != "" {
		i := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' })
		if i <= 0 {
			return 0, fmt.Errorf("expected a number before %q", text)
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(text[:i], ",", "."), 64)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", text[:i])
		}
		d := text[i]
		j := next
		for j < len(units) && units[j].designator != d {
			j++
		}
		if j == len(units) {
			return 0, fmt.Errorf("unexpected %q", string(d))
		}
		total += n * float64(units[j].length)
		next, text = j+1, text[i+1:]
	}
	return total, nil
}
