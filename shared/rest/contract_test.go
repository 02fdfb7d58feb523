package rest_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/chat/chathttp"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskmcp"
	"github.com/taskwire/taskwire/shared/taskwire"
	"go.yaml.in/yaml/v3"
)

// contractPath is the OpenAPI document, relative to this package.
var contractPath = filepath.Join("..", "..", "specs", "001-taskwire", "contracts", "openapi.yaml")

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadContract reads the OpenAPI document as plain maps, slices and scalars.
func loadContract(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(contractPath)
	require.NoError(t, err)
	var doc any
	require.NoError(t, yaml.Unmarshal(raw, &doc), "the contract must be valid YAML")
	m, ok := normalize(doc).(map[string]any)
	require.True(t, ok, "the contract must be a mapping")
	return m
}

// normalize turns every mapping into map[string]any, whatever YAML made its keys.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
		return v
	}
	return v
}

// operation is one method of one path in the contract.
type operation struct {
	method, path string
	pathItem, op map[string]any
}

func (o operation) String() string { return o.method + " " + o.path }

func operations(t *testing.T, doc map[string]any) []operation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	require.True(t, ok, "the contract needs paths")
	var ops []operation
	for path, item := range paths {
		pathItem, ok := item.(map[string]any)
		require.True(t, ok, "path %s must be a mapping", path)
		for _, method := range httpMethods {
			if op, ok := pathItem[method]; ok {
				m, ok := op.(map[string]any)
				require.True(t, ok, "%s %s must be a mapping", method, path)
				ops = append(ops, operation{method: strings.ToUpper(method), path: path, pathItem: pathItem, op: m})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// resolve follows a local reference such as "#/components/schemas/Task".
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref returns v, or what it refers to when it is a {$ref: ...} mapping.
func deref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, found := resolve(doc, ref)
		require.True(t, found, "$ref %s does not resolve", ref)
		m, _ = target.(map[string]any)
	}
	return m
}

// TestContractRoutes checks that the contract describes exactly the routes the server serves.
func TestContractRoutes(t *testing.T) {
	doc := loadContract(t)
	documented := map[string]bool{}
	for _, op := range operations(t, doc) {
		documented[op.String()] = true
	}
	served := map[string]bool{}
	// With the development issuer's minter, so that its route is served too.
	for _, p := range rest.NewServer(rest.Deps{DevTokens: devTokenMinter{}}).Patterns() {
		served[p] = true
	}
	for _, p := range chathttp.New(chathttp.Deps{}).Patterns() { // served beside the API
		served[p] = true
	}
	served["POST "+taskmcp.Path] = true // and the same tools over MCP
	served["GET "+taskmcp.MetadataPath] = true
	require.NotEmpty(t, served)

	var missing, extra []string
	for p := range served {
		if !documented[p] {
			missing = append(missing, p)
		}
	}
	for p := range documented {
		if !served[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	assert.Empty(t, missing, "routes the server serves that %s does not describe", contractPath)
	assert.Empty(t, extra, "routes %s describes that the server does not serve", contractPath)
}

// TestContractDocument checks the document's own consistency.
func TestContractDocument(t *testing.T) {
	doc := loadContract(t)

	version, _ := doc["openapi"].(string)
	assert.True(t, strings.HasPrefix(version, "3.1"), "openapi must be 3.1.x, got %q", version)
	info, _ := doc["info"].(map[string]any)
	assert.Equal(t, "Taskwire", info["title"])
	assert.NotEmpty(t, info["version"])

	security, _ := doc["security"].([]any)
	require.Len(t, security, 1, "bearer authentication applies to every route")
	scheme, _ := resolve(doc, "#/components/securitySchemes/bearerAuth")
	require.NotNil(t, scheme, "the contract needs the bearerAuth security scheme")
	assert.Equal(t, "http", scheme.(map[string]any)["type"])
	assert.Equal(t, "bearer", scheme.(map[string]any)["scheme"])

	t.Run("operationIds", func(t *testing.T) {
		seen := map[string]string{}
		for _, op := range operations(t, doc) {
			id, _ := op.op["operationId"].(string)
			if !assert.NotEmpty(t, id, "%s has no operationId", op) {
				continue
			}
			if prev, dup := seen[id]; dup {
				t.Errorf("operationId %q is used by both %s and %s", id, prev, op)
			}
			seen[id] = op.String()
			assert.NotEmpty(t, op.op["summary"], "%s has no summary", op)
		}
	})

	t.Run("problems", func(t *testing.T) {
		for _, op := range operations(t, doc) {
			responses, _ := op.op["responses"].(map[string]any)
			if !assert.NotEmpty(t, responses, "%s has no responses", op) {
				continue
			}
			problems := 0
			for status, r := range responses {
				resp := deref(t, doc, r)
				require.NotNil(t, resp, "%s response %s must be a mapping", op, status)
				if !assert.NotEmpty(t, resp["description"], "%s response %s has no description", op, status) {
					continue
				}
				if !strings.HasPrefix(status, "4") && !strings.HasPrefix(status, "5") && status != "default" {
					continue
				}
				content, _ := resp["content"].(map[string]any)
				media := deref(t, doc, content[problem.ContentType])
				if !assert.NotNil(t, media, "%s response %s must be %s", op, status, problem.ContentType) {
					continue
				}
				schema, _ := media["schema"].(map[string]any)
				assert.Contains(t, []string{"#/components/schemas/Problem", "#/components/schemas/ChatProblem"}, schema["$ref"],
					"%s response %s", op, status)
				if strings.HasPrefix(status, "4") {
					problems++
				}
			}
			assert.Positive(t, problems, "%s lists no 4xx problem response", op)
			if security, ok := op.op["security"].([]any); ok && len(security) == 0 {
				_, unauthorized := responses["401"]
				assert.False(t, unauthorized, "%s needs no token, so it cannot answer 401", op)
				continue
			}
			_, unauthorized := responses["401"]
			assert.True(t, unauthorized, "%s needs 401: every route authenticates", op)
			if strings.HasPrefix(op.path, "/api/") {
				_, forbidden := responses["403"]
				assert.True(t, forbidden, "%s needs 403: {user_id} must be the signed-in user", op)
			}
		}
	})

	t.Run("path parameters", func(t *testing.T) {
		template := regexp.MustCompile(`\{([^}]+)\}`)
		for _, op := range operations(t, doc) {
			var want []string
			for _, m := range template.FindAllStringSubmatch(op.path, -1) {
				want = append(want, m[1])
			}
			var got []string
			for _, list := range []any{op.pathItem["parameters"], op.op["parameters"]} {
				params, _ := list.([]any)
				for _, p := range params {
					param := deref(t, doc, p)
					if param["in"] == "path" {
						got = append(got, fmt.Sprint(param["name"]))
						assert.Equal(t, true, param["required"], "%s: path parameter %v must be required", op, param["name"])
					}
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, "%s: path parameters must match the path template", op)
		}
	})

	t.Run("references", func(t *testing.T) {
		var refs []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					if s, ok := e.(string); ok && k == "$ref" {
						refs = append(refs, s)
					}
					walk(e)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(doc)
		require.NotEmpty(t, refs)
		for _, ref := range refs {
			assert.True(t, strings.HasPrefix(ref, "#/components/"), "$ref %s must point into components", ref)
			_, ok := resolve(doc, ref)
			assert.True(t, ok, "$ref %s does not resolve", ref)
		}
	})
}

// TestContractSchemas checks that the schemas name exactly the JSON members of the Go
// types they describe, so that a field added to one is not forgotten in the other.
func TestContractSchemas(t *testing.T) {
	doc := loadContract(t)
	schemas, _ := resolve(doc, "#/components/schemas")
	require.NotNil(t, schemas)
	properties := func(name string) []string {
		schema := deref(t, doc, schemas.(map[string]any)[name])
		require.NotNil(t, schema, "schema %s is missing", name)
		var names []string
		collect := func(s map[string]any) {
			props, _ := s["properties"].(map[string]any)
			for p := range props {
				if !slices.Contains(names, p) {
					names = append(names, p)
				}
			}
		}
		collect(schema)
		for _, key := range []string{"allOf", "oneOf"} {
			parts, _ := schema[key].([]any)
			for _, part := range parts {
				collect(deref(t, doc, part))
			}
		}
		sort.Strings(names)
		return names
	}

	for name, v := range map[string]any{
		"Task":                 taskwire.Task{},
		"Reminder":             taskwire.Reminder{},
		"Step":                 taskwire.Step{},
		"Export":               rest.Export{},
		"ExportedConversation": rest.ExportedConversation{},
		"StepInput":            taskwire.StepInput{},
		"User":                 taskwire.User{},
		"Tag":                  taskwire.Tag{},
		"TaskPage":             taskwire.TaskPage{},
		"NewTask":              taskwire.NewTask{},
		"ReminderInput":        taskwire.ReminderInput{},
		"Problem":              problem.Details{},
		"DevToken":             rest.DevToken{},
		"ChatReply":            chat.Reply{},
		"ChatToolCall":         chat.ToolCall{},
		"Conversation":         taskwire.Conversation{},
		"Message":              taskwire.Message{},
		"MessageToolCall":      taskwire.ToolCall{},
	} {
		assert.Equal(t, jsonNames(reflect.TypeOf(v)), properties(name), "schema %s and %T", name, v)
	}
	assert.Equal(t, sorted(append(jsonNames(reflect.TypeOf(taskwire.Task{})), "completed")), properties("AliasTask"))
	assert.Equal(t, []string{"items", "next_cursor"}, properties("AliasTaskPage"))

	// The status codes the problem schema lists are those package problem writes.
	codes, _ := resolve(doc, "#/components/schemas/Problem/properties/code/enum")
	var listed []string
	for _, c := range codes.([]any) {
		listed = append(listed, fmt.Sprint(c))
	}
	for _, code := range []string{taskwire.EMALFORMED, taskwire.EINVALID, taskwire.ETOOLARGE, taskwire.ENOTFOUND,
		taskwire.ECONFLICT, taskwire.EPRECONDITION, taskwire.EUNAUTHORIZED, taskwire.EFORBIDDEN,
		taskwire.EUNAVAILABLE, taskwire.EUPSTREAM, taskwire.ETIMEOUT, taskwire.EINTERNAL} {
		assert.Contains(t, listed, code)
	}
	assert.Contains(t, listed, "method_not_allowed")

	// Error responses name the status their code maps to.
	for status, name := range map[int]string{
		http.StatusBadRequest:            "BadRequest",
		http.StatusUnauthorized:          "Unauthorized",
		http.StatusForbidden:             "Forbidden",
		http.StatusNotFound:              "NotFound",
		http.StatusPreconditionFailed:    "PreconditionFailed",
		http.StatusRequestEntityTooLarge: "ContentTooLarge",
		http.StatusUnprocessableEntity:   "UnprocessableContent",
		http.StatusMethodNotAllowed:      "MethodNotAllowed",
	} {
		example, ok := resolve(doc, "#/components/responses/"+name+"/content/application~1problem+json/example")
		if assert.True(t, ok, "response %s needs an example", name) {
			ex := example.(map[string]any)
			assert.EqualValues(t, status, ex["status"], name)
			assert.Equal(t, http.StatusText(status), ex["title"], name)
			if code, ok := ex["code"].(string); ok && code != "method_not_allowed" {
				assert.Equal(t, status, problem.Status(code), name)
				assert.Equal(t, "https://taskwire.dev/problems/"+code, ex["type"], name)
			}
		}
	}
}

// devTokenMinter stands in for the development issuer where only routes are listed.
type devTokenMinter struct{}

func (devTokenMinter) Mint(string, time.Duration) (string, error) { return "", nil }

// jsonNames returns the JSON member names of a struct type, sorted.
func jsonNames(typ reflect.Type) []string {
	var names []string
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct:
			names = append(names, jsonNames(f.Type)...) // promoted, as encoding/json writes them
			continue
		case name == "":
			name = f.Name
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
