package taskwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"
)

// DecodeJSON decodes one JSON value from body into dst strictly: valid UTF-8, no unknown
// fields (names match in case too), no member given twice, the right types, nothing after
// the value. Errors are EMALFORMED and name the field.
func DecodeJSON(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return Errorf(EMALFORMED, "the body is not valid UTF-8")
	}
	switch trimmed := bytes.TrimSpace(body); {
	case len(trimmed) == 0:
		return Errorf(EMALFORMED, "the body is empty; send a JSON object")
	case bytes.Equal(trimmed, []byte("null")):
		// json leaves dst as it was for null, which read as an object with no members.
		return Errorf(EMALFORMED, "the body is null; send a JSON object")
	}
	if err := checkMembers(body, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(EMALFORMED, "the body holds more than one JSON value")
	}
	return nil
}

// jsonError turns a decoding error into an EMALFORMED error naming the field; prefix is
// the enclosing field's name, if any.
func jsonError(err error, prefix string) error {
	join := func(field string) string {
		switch {
		case prefix == "":
			return field
		case field == "":
			return prefix
		}
		return prefix + "." + field
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var named *Error
	switch {
	case errors.As(err, &named): // an element's own error, which names it already
		return err
	case errors.As(err, &syntax):
		return FieldErrorf(EMALFORMED, prefix, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := join(typ.Field)
		name := field
		if name == "" {
			name = "the body"
		}
		return FieldErrorf(EMALFORMED, field, "%s must be %s, got %s", name, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return FieldErrorf(EMALFORMED, prefix, "the JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldErrorf(EMALFORMED, join(name), "unknown field %q", join(name))
	}
	return FieldErrorf(EMALFORMED, prefix, "the JSON cannot be read: %v", err)
}

// jsonKind names the JSON value a Go kind takes, for people: "a whole number" for int.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a value"
	case "int", "int8", "int16", "int32", "int64":
		return "a whole number"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number, 0 or more"
	case "float32", "float64":
		return "a number"
	}
	return fmt.Sprintf("a %s", kind)
}

// sortedKeys returns an object's member names in order, so that the first of several
// errors is always the same one.
func sortedKeys(doc map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
