package function

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staticImportForm is the import statement siblingImports reads, as a regular expression:
// the reference it is checked against (too slow to run at every start).
var staticImportForm = regexp.MustCompile(`(?m)^import\s[^;]*?\sfrom\s+'\./([\w-]+\.js)';`)

// The page's modules preload what they import statically and only that: siblingImports
// finds what the regular expression finds, in every module of the page and in the forms
// an edit could bring.
func TestSiblingImports_AsTheStatementForm(t *testing.T) {
	sources := map[string]string{
		"multi-line":                "import {\n  a,\n  b,\n} from './api.js';\nimport { c } from './dom.js';\n",
		"tabs and dashes":           "import\t{ x }\tfrom\t'./date-fns_2.js';",
		"side effect only":          "import './polyfill.js';\n",
		"dynamic":                   "const m = await import('./chat.js');\nimport('./data.js');\n",
		"double quotes":             "import { a } from \"./api.js\";\n",
		"not at a line's start":     "  import { a } from './api.js';\nx; import { b } from './dom.js';\n",
		"another directory":         "import { a } from './lib/api.js';\nimport { b } from '../dom.js';\n",
		"no space before the quote": "import { a } from'./api.js';\n",
		"a semicolon inside":        "import { a } from './api.js' ; import { b } from './dom.js';\n",
		"exported name importx":     "importx { a } from './api.js';\n",
		"from in a name":            "import { fromage } from './cheese.js';\n",
		"empty name":                "import { a } from './.js';\n",
		"no semicolon":              "import { a } from './api.js'\n",
	}
	err := fs.WalkDir(ui, "ui", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".js") {
			return err
		}
		src, err := ui.ReadFile(path)
		sources[path] = string(src)
		return err
	})
	require.NoError(t, err)
	require.Contains(t, sources, "ui/assets/app.js")

	for name, src := range sources {
		var want []string
		for _, m := range staticImportForm.FindAllStringSubmatch(src, -1) {
			want = append(want, m[1])
		}
		assert.Equal(t, want, siblingImports(src), name)
	}
	assert.Equal(t, []string{"api.js", "dom.js"}, siblingImports(sources["multi-line"]))
}
