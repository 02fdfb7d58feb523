package broker

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// Matches reports whether e passes t's filter, as a Knative Broker decides it.
//
// When the trigger has filters (spec.filters), e must pass every one of them and
// spec.filter is ignored. A filter is one dialect: exact, prefix or suffix compare one
// attribute (context attribute or extension; an event without it fails), and all, any
// and not combine nested filters; an empty filter passes. Otherwise every attribute of
// spec.filter.attributes must equal e's, where "" matches any value.
func (t Trigger) Matches(e event.Event) bool {
	if len(t.filters) > 0 {
		return allOf(t.filters, e) != failFilter
	}
	for name, want := range t.attributes {
		got, ok := attribute(e, name)
		if !ok && (want != "" || !contextAttributes[name]) {
			return false
		}
		if want != "" && got != want {
			return false
		}
	}
	return true
}

// filterResult is the outcome of one filter: an empty filter neither passes nor fails.
type filterResult int

const (
	noFilter filterResult = iota
	passFilter
	failFilter
)

// and combines two results as Knative's all does.
func (x filterResult) and(y filterResult) filterResult {
	switch {
	case x == noFilter:
		return y
	case y == noFilter:
		return x
	case x == failFilter || y == failFilter:
		return failFilter
	}
	return passFilter
}

// or combines two results as Knative's any does.
func (x filterResult) or(y filterResult) filterResult {
	switch {
	case x == noFilter:
		return y
	case y == noFilter:
		return x
	case x == passFilter || y == passFilter:
		return passFilter
	}
	return failFilter
}

// filterExpr is one parsed filter of spec.filters.
type filterExpr struct {
	dialect  string // exact, prefix, suffix, all, any, not; "" for an empty filter
	attr     string // exact, prefix, suffix
	value    string
	children []filterExpr // all, any, not (one child)
}

// eval applies f to e.
func (f filterExpr) eval(e event.Event) filterResult {
	match := func(ok bool) filterResult {
		if ok {
			return passFilter
		}
		return failFilter
	}
	switch f.dialect {
	case "exact":
		v, ok := attribute(e, f.attr)
		return match(ok && v == f.value)
	case "prefix":
		v, ok := attribute(e, f.attr)
		return match(ok && strings.HasPrefix(v, f.value))
	case "suffix":
		v, ok := attribute(e, f.attr)
		return match(ok && strings.HasSuffix(v, f.value))
	case "all":
		return allOf(f.children, e)
	case "any":
		r := noFilter
		for _, c := range f.children {
			if r = r.or(c.eval(e)); r == passFilter {
				return passFilter
			}
		}
		return r
	case "not":
		switch f.children[0].eval(e) {
		case passFilter:
			return failFilter
		case failFilter:
			return passFilter
		}
	}
	return noFilter
}

// allOf is the conjunction of fs, stopping at the first failure.
func allOf(fs []filterExpr, e event.Event) filterResult {
	r := noFilter
	for _, f := range fs {
		if r = r.and(f.eval(e)); r == failFilter {
			return failFilter
		}
	}
	return r
}

// contextAttributes are the CloudEvents context attributes; anything else is an extension.
var contextAttributes = map[string]bool{
	"specversion": true, "id": true, "source": true, "type": true, "subject": true,
	"time": true, "datacontenttype": true, "dataschema": true,
}

// attribute returns the value of e's attribute name as a string, and whether e has it.
func attribute(e event.Event, name string) (string, bool) {
	var v string
	switch name {
	case "specversion":
		v = e.SpecVersion()
	case "id":
		v = e.ID()
	case "source":
		v = e.Source()
	case "type":
		v = e.Type()
	case "subject":
		v = e.Subject()
	case "datacontenttype":
		v = e.DataContentType()
	case "dataschema":
		v = e.DataSchema()
	case "time":
		if e.Time().IsZero() {
			return "", false
		}
		v = types.FormatTime(e.Time())
	default:
		x, ok := e.Extensions()[name]
		if !ok {
			return "", false
		}
		s, err := types.Format(x)
		return s, err == nil
	}
	return v, v != ""
}

// errCESQL says why a cesql filter is refused.
var errCESQL = errors.New("the local broker cannot evaluate cesql filters; express it with exact, prefix, suffix, all, any or not")

// parseFilter reads one filter of spec.filters (or one nested in all, any or not),
// refusing cesql, unknown dialects and more than one dialect, as Knative's webhook does.
func parseFilter(n *yaml.Node) (filterExpr, error) {
	if n.Kind != yaml.MappingNode {
		return filterExpr{}, fmt.Errorf("line %d: a filter is an object with one dialect", n.Line)
	}
	var (
		f        filterExpr
		dialects []string
	)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "cesql":
			return filterExpr{}, fmt.Errorf("cesql %q: %w", val.Value, errCESQL)
		case "exact", "prefix", "suffix":
			var m map[string]string
			if err := val.Decode(&m); err != nil {
				return filterExpr{}, fmt.Errorf("%s: %w", key, err)
			}
			if len(m) == 0 {
				continue
			}
			if len(m) != 1 {
				return filterExpr{}, fmt.Errorf("%s: %d attributes; a %s filter compares exactly one", key, len(m), key)
			}
			for attr, value := range m {
				if !validAttributeName.MatchString(attr) {
					return filterExpr{}, fmt.Errorf("%s: %q is not a CloudEvents attribute name (lower-case letters and digits)", key, attr)
				}
				if value == "" {
					return filterExpr{}, fmt.Errorf("%s: %s: the value is empty", key, attr)
				}
				f = filterExpr{dialect: key, attr: attr, value: value}
			}
		case "all", "any":
			if val.Kind != yaml.SequenceNode {
				return filterExpr{}, fmt.Errorf("%s: line %d: a list of filters is expected", key, val.Line)
			}
			if len(val.Content) == 0 {
				continue
			}
			f = filterExpr{dialect: key}
			for j, c := range val.Content {
				child, err := parseFilter(c)
				if err != nil {
					return filterExpr{}, fmt.Errorf("%s[%d]: %w", key, j, err)
				}
				f.children = append(f.children, child)
			}
		case "not":
			child, err := parseFilter(val)
			if err != nil {
				return filterExpr{}, fmt.Errorf("not: %w", err)
			}
			f = filterExpr{dialect: key, children: []filterExpr{child}}
		default:
			return filterExpr{}, fmt.Errorf("unknown filter dialect %q; the local broker knows exact, prefix, suffix, all, any and not", key)
		}
		dialects = append(dialects, key)
	}
	if len(dialects) > 1 {
		return filterExpr{}, fmt.Errorf("dialects %s in one filter; a filter has only one (combine them with all or any)", strings.Join(dialects, ", "))
	}
	return f, nil
}
