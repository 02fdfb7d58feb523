package taskwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// checkMembers walks the JSON value in body beside the Go type t it is to be decoded into,
// and refuses what encoding/json would take silently: a member named twice in one object
// (it keeps the last), and a member of a struct named in another case than the struct's
// (it matches names case-insensitively, so {"TITLE": …} set the title). Whatever else is
// wrong with body (its syntax, types, unknown members) is left to the decoder, which says
// it in its own words.
func checkMembers(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := walkMembers(dec, t, nil, 1)
	if _, ok := err.(*Error); ok {
		return err
	}
	return nil // a syntax error or a value nested too deep, for the decoder to report
}

// maxDepth is how deep the walk follows nested values: encoding/json's own limit, past
// which its decoder refuses the body.
const maxDepth = 10000

// errTooDeep stops a walk that reached maxDepth.
var errTooDeep = errors.New("nested too deep")

// memberPath names a value in the body as a chain to its parent: the text is built only
// for an error, so that a walk keeps one link per level of nesting (a string for each
// level, each as long as the path, held a body of 100 000 nested arrays in gigabytes).
type memberPath struct {
	parent  *memberPath
	element bool   // an array's element, not an object's member
	name    string // the member's name
	index   int    // the element's index
}

// String returns the path as errors name fields: "reminders[0].before".
func (p *memberPath) String() string {
	if p == nil {
		return ""
	}
	parent := p.parent.String()
	switch {
	case p.element:
		return fmt.Sprintf("%s[%d]", parent, p.index)
	case parent == "":
		return p.name
	}
	return parent + "." + p.name
}

// walkMembers reads one value from dec, at depth levels of nesting, which t (nil: any
// type) is to hold; path names it.
func walkMembers(dec *json.Decoder, t reflect.Type, path *memberPath, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkMembers(dec, elem, &memberPath{parent: path, element: true, index: i}, depth+1); err != nil {
				return err
			}
		}
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			here := &memberPath{parent: path, name: name}
			if seen[name] {
				field := here.String()
				return FieldErrorf(EMALFORMED, field, "%q is given twice; give each member once", field)
			}
			seen[name] = true
			var member reflect.Type
			switch {
			case t != nil && t.Kind() == reflect.Struct:
				var exact bool
				member, exact = structMember(t, name)
				if member != nil && !exact {
					field := here.String()
					return FieldErrorf(EMALFORMED, field, "unknown field %q", field)
				}
			case t != nil && t.Kind() == reflect.Map:
				member = t.Elem()
			}
			if err := walkMembers(dec, member, here, depth+1); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// structMember returns the type of the field of struct t that encoding/json decodes the
// member name into, and whether the field's name is name exactly; nil when none takes it.
func structMember(t reflect.Type, name string) (reflect.Type, bool) {
	var folded reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" {
			embedded := f.Type
			if embedded.Kind() == reflect.Pointer {
				embedded = embedded.Elem()
			}
			if embedded.Kind() == reflect.Struct {
				if typ, exact := structMember(embedded, name); typ != nil && (exact || folded == nil) {
					if exact {
						return typ, true
					}
					folded = typ
				}
				continue
			}
		}
		if tag == "" {
			tag = f.Name
		}
		switch {
		case tag == name:
			return f.Type, true
		case folded == nil && strings.EqualFold(tag, name):
			folded = f.Type
		}
	}
	return folded, false
}
