package function_test

// A small schema validator for the deployment tests: the subset of JSON Schema (draft-04,
// as the func.yaml schema uses it) and of the OpenAPI v3 schemas of Kubernetes CRDs that
// the vendored upstream files in ../shared/knative use. It reads those files where they
// are; nothing is copied into the project.
//
// Supported: type (one or a list), properties, required, additionalProperties (bool or
// schema), patternProperties, items, enum, $ref to a JSON pointer in the same document,
// oneOf, anyOf, allOf, minimum, maximum, pattern, minLength/maxLength (strings),
// minItems/maxItems, nullable, x-kubernetes-int-or-string and
// x-kubernetes-preserve-unknown-fields. format, default and description are ignored.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// knativeDir holds the vendored upstream schemas, beside the project (CI clones shared/
// next to it).
const knativeDir = "../shared/knative"

// schemaValidator checks values decoded from YAML or JSON against one schema document.
type schemaValidator struct {
	root map[string]any // the whole document, for $ref
	// closed is Kubernetes' structural-schema rule: an object whose schema declares no
	// additionalProperties admits no field beyond its properties, unless it preserves
	// unknown fields. JSON Schema leaves such objects open.
	closed bool
}

// validate returns every violation of schema s by x, each prefixed with its path.
func (v *schemaValidator) validate(s map[string]any, x any, path string) []string {
	if s == nil {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok { // draft-04: $ref replaces its siblings
		target, err := v.resolve(ref)
		if err != nil {
			return []string{fmt.Sprintf("%s: %v", path, err)}
		}
		return v.validate(target, x, path)
	}
	if x == nil && s["nullable"] == true {
		return nil
	}

	var errs []string
	fail := func(format string, args ...any) {
		errs = append(errs, path+": "+fmt.Sprintf(format, args...))
	}

	intOrString := s["x-kubernetes-int-or-string"] == true
	if intOrString {
		if _, isInt := x.(int64); !isInt && !isString(x) {
			fail("got %s, want an integer or a string", kindOf(x))
			return errs
		}
	} else if t, ok := s["type"]; ok {
		var want []string
		switch t := t.(type) {
		case string:
			want = []string{t}
		case []any:
			for _, e := range t {
				want = append(want, fmt.Sprint(e))
			}
		}
		matched := false
		for _, w := range want {
			if hasType(x, w) {
				matched = true
			}
		}
		if !matched {
			fail("got %s, want %s", kindOf(x), strings.Join(want, " or "))
			return errs // the other keywords would only repeat it
		}
	}

	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if sameValue(e, x) {
				found = true
			}
		}
		if !found {
			fail("got %v, want one of %v", x, enum)
		}
	}

	switch x := x.(type) {
	case string:
		if p, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				fail("schema pattern %q: %v", p, err)
			} else if !re.MatchString(x) {
				fail("got %q, want it to match %s", x, p)
			}
		}
		n := float64(len([]rune(x)))
		if m, ok := number(s["minLength"]); ok && n < m {
			fail("got %d characters, want at least %v", int(n), m)
		}
		if m, ok := number(s["maxLength"]); ok && n > m {
			fail("got %d characters, want at most %v", int(n), m)
		}
	case int64, float64:
		f, _ := number(x)
		if m, ok := number(s["minimum"]); ok && f < m {
			fail("got %v, want at least %v", x, m)
		}
		if m, ok := number(s["maximum"]); ok && f > m {
			fail("got %v, want at most %v", x, m)
		}
	case []any:
		if m, ok := number(s["minItems"]); ok && float64(len(x)) < m {
			fail("got %d items, want at least %v", len(x), m)
		}
		if m, ok := number(s["maxItems"]); ok && float64(len(x)) > m {
			fail("got %d items, want at most %v", len(x), m)
		}
		switch items := s["items"].(type) {
		case map[string]any:
			for i, e := range x {
				errs = append(errs, v.validate(items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		case []any: // a tuple
			for i, e := range x {
				if i < len(items) {
					is, _ := items[i].(map[string]any)
					errs = append(errs, v.validate(is, e, fmt.Sprintf("%s[%d]", path, i))...)
				}
			}
		}
	case map[string]any:
		errs = append(errs, v.validateObject(s, x, path)...)
	}

	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		subs, ok := s[key].([]any)
		if !ok {
			continue
		}
		passed := 0
		var first []string
		for _, sub := range subs {
			ss, _ := sub.(map[string]any)
			e := v.validate(ss, x, path)
			if len(e) == 0 {
				passed++
			} else if first == nil {
				first = e
			}
		}
		switch {
		case key == "allOf" && passed < len(subs):
			errs = append(errs, first...)
		case key == "anyOf" && passed == 0:
			fail("matches none of anyOf (first: %s)", strings.Join(first, "; "))
		case key == "oneOf" && passed != 1:
			fail("matches %d of oneOf, want exactly 1", passed)
		}
	}
	return errs
}

// validateObject checks required, properties, patternProperties and additionalProperties.
func (v *schemaValidator) validateObject(s map[string]any, x map[string]any, path string) []string {
	var errs []string
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := x[fmt.Sprint(r)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing required field %q", path, r))
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	patterns, _ := s["patternProperties"].(map[string]any)
	preserve := s["x-kubernetes-preserve-unknown-fields"] == true
	for _, k := range sortedKeys(x) {
		at := path + "." + k
		matched := false
		if p, ok := props[k]; ok {
			matched = true
			ps, _ := p.(map[string]any)
			errs = append(errs, v.validate(ps, x[k], at)...)
		}
		for pat, p := range patterns {
			re, err := regexp.Compile(pat)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: schema pattern %q: %v", at, pat, err))
				continue
			}
			if re.MatchString(k) {
				matched = true
				ps, _ := p.(map[string]any)
				errs = append(errs, v.validate(ps, x[k], at)...)
			}
		}
		if matched {
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap && !preserve {
				errs = append(errs, fmt.Sprintf("%s: unknown field", at))
			}
		case map[string]any:
			errs = append(errs, v.validate(ap, x[k], at)...)
		case nil:
			if v.closed && !preserve {
				errs = append(errs, fmt.Sprintf("%s: unknown field", at))
			}
		}
	}
	return errs
}

// resolve follows a $ref within the document ("#/definitions/Function").
func (v *schemaValidator) resolve(ref string) (map[string]any, error) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, fmt.Errorf("$ref %q: only references within the document are supported", ref)
	}
	var cur any = v.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not inside an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	s, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q is not a schema", ref)
	}
	return s, nil
}

// hasType reports whether x is of the JSON Schema type t.
func hasType(x any, t string) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		return isString(x)
	case "integer":
		_, ok := x.(int64)
		return ok
	case "number":
		_, ok := number(x)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "null":
		return x == nil
	}
	return false
}

func isString(x any) bool {
	_, ok := x.(string)
	return ok
}

// number returns x as a float64 when it is a number.
func number(x any) (float64, bool) {
	switch x := x.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// kindOf names x's JSON type for messages.
func kindOf(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return fmt.Sprintf("the string %q", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	}
	return fmt.Sprintf("%T", x)
}

// sameValue compares an enum member with a value, numbers by value.
func sameValue(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fromYAML turns a YAML node into the values JSON would give (map[string]any, []any,
// string, int64, float64, bool, nil), as Kubernetes and func read YAML. A timestamp stays
// a string; a mapping key that is not a string, or appears twice, is an error.
func fromYAML(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAML(n.Content[0])
	case yaml.AliasNode:
		return fromYAML(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: key %q appears twice", k.Line, k.Value)
			}
			val, err := fromYAML(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := fromYAML(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("line %d: %s is not a JSON number", n.Line, n.Value)
			}
			return f, nil
		}
		return n.Value, nil // !!str, !!timestamp, !!binary
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// yamlDocs decodes every non-empty document of raw.
func yamlDocs(raw []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	var docs []map[string]any
	for i := 1; ; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		v, err := fromYAML(&n)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("document %d: got %s, want an object", i, kindOf(v))
		}
		docs = append(docs, m)
	}
}

// funcSchema is the func.yaml JSON Schema from ../shared/knative.
func funcSchema() (*schemaValidator, error) {
	raw, err := os.ReadFile(filepath.Join(knativeDir, "func_yaml-schema.json"))
	if err != nil {
		return nil, err
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("func_yaml-schema.json: %w", err)
	}
	return &schemaValidator{root: normalizeJSON(root).(map[string]any)}, nil
}

// normalizeJSON turns the float64 of encoding/json into int64 where the number is whole,
// as fromYAML gives them.
func normalizeJSON(x any) any {
	switch x := x.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return x
}

// validateFuncYAML checks one func.yaml against the func schema.
func (v *schemaValidator) validateFuncYAML(raw []byte) []string {
	docs, err := yamlDocs(raw)
	if err != nil {
		return []string{err.Error()}
	}
	if len(docs) != 1 {
		return []string{fmt.Sprintf("got %d YAML documents, want 1", len(docs))}
	}
	return v.validate(v.root, docs[0], "func.yaml")
}

// crdVersion is one served version of a CRD.
type crdVersion struct {
	served bool
	schema map[string]any
}

// crdSet is the vendored CRDs by group and kind, plus the core kinds the manifests use.
type crdSet map[string]map[string]crdVersion // "group/Kind" -> version -> schema

// loadCRDs reads every CRD in ../shared/knative/crds.
func loadCRDs() (crdSet, error) {
	files, err := filepath.Glob(filepath.Join(knativeDir, "crds", "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no CRDs in %s/crds", knativeDir)
	}
	set := crdSet{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs, err := yamlDocs(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, d := range docs {
			if d["kind"] != "CustomResourceDefinition" {
				continue
			}
			spec := asMap(d["spec"])
			key := fmt.Sprint(spec["group"]) + "/" + fmt.Sprint(asMap(spec["names"])["kind"])
			versions := map[string]crdVersion{}
			for _, ver := range asList(spec["versions"]) {
				vm := asMap(ver)
				s := asMap(asMap(vm["schema"])["openAPIV3Schema"])
				if s == nil {
					return nil, fmt.Errorf("%s: version %v has no openAPIV3Schema", f, vm["name"])
				}
				versions[fmt.Sprint(vm["name"])] = crdVersion{served: vm["served"] == true, schema: s}
			}
			set[key] = versions
		}
	}
	// Core kinds have no CRD. ConfigMap (core/v1) is the one the manifests use: its
	// fields as the Kubernetes API defines them.
	set["/ConfigMap"] = map[string]crdVersion{"v1": {served: true, schema: map[string]any{
		"type": "object",
		"properties": map[string]any{
			"data":       map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			"binaryData": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
			"immutable":  map[string]any{"type": "boolean"},
		},
	}}}
	return set, nil
}

// validateObject checks one Kubernetes object against the schema of its apiVersion and
// kind; apiVersion, kind and metadata are checked as every object's (metadata is open).
func (set crdSet) validateObject(obj map[string]any) []string {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return []string{"missing apiVersion or kind"}
	}
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok { // core, e.g. "v1"
		group, version = "", apiVersion
	}
	versions, ok := set[group+"/"+kind]
	if !ok {
		return []string{fmt.Sprintf("%s %s: no CRD for this kind in %s/crds", apiVersion, kind, knativeDir)}
	}
	ver, ok := versions[version]
	if !ok || !ver.served {
		return []string{fmt.Sprintf("%s %s: version %s is not served by the CRD", apiVersion, kind, version)}
	}
	root := make(map[string]any, len(ver.schema))
	for k, v := range ver.schema {
		root[k] = v
	}
	props := map[string]any{
		"apiVersion": map[string]any{"type": "string"},
		"kind":       map[string]any{"type": "string"},
		"metadata":   map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
	}
	for k, v := range asMap(ver.schema["properties"]) {
		if _, implicit := props[k]; !implicit {
			props[k] = v
		}
	}
	root["properties"] = props
	v := &schemaValidator{root: root, closed: true}
	name := fmt.Sprint(asMap(obj["metadata"])["name"])
	return v.validate(root, obj, kind+"/"+name)
}

func asMap(x any) map[string]any {
	m, _ := x.(map[string]any)
	return m
}

func asList(x any) []any {
	l, _ := x.([]any)
	return l
}
