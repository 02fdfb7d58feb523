package function

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

//go:embed ui
var ui embed.FS

// precompressed holds the brotli and gzip forms of every file the site serves, named by
// the file's hash: HASH.br and HASH.gz, an empty file where compressing does not pay.
// They are made when the files change (make web-compress), not at start: compressing at
// every start took CPU from the start, and the compressor's code and scratch memory
// stayed with the function while it idled. TestPrecompressed fails when one is missing
// or does not decompress to its file.
//
//go:embed precompressed
var precompressed embed.FS

// Cache policies of the two kinds of responses.
const (
	cacheImmutable  = "public, max-age=31536000, immutable" // a hashed URL never changes
	cacheRevalidate = "no-cache"                            // the page and unhashed names: ask each time
)

// Site is the prepared web app: every asset under ui/assets twice (at its hashed URL and
// at its plain name), each with its brotli and gzip forms, and index.html with the hashed
// references written in.
type Site struct {
	files map[string]*file // by URL path
}

// file is one response body in every encoding worth sending.
type file struct {
	contentType string
	cache       string
	etag        string // of the identity body; encodings add a suffix
	identity    []byte
	br, gz      []byte // the compressed forms; nil when compressing does not pay
	csp         string // Content-Security-Policy of the page
}

// Asset is a prepared asset as the page references it.
type Asset struct {
	Name string // the plain path, such as /assets/app.js
	URL  string // the hashed path, such as /assets/app.3f2a9c1e.js
}

// NewSite prepares the embedded assets. The page calls the API on its own origin: in the
// whole app the API is there; the web function alone forwards it (see Proxy).
func NewSite() (*Site, error) {
	prepared, err := preparedAssets()
	if err != nil {
		return nil, err
	}
	s := &Site{files: make(map[string]*file, len(prepared.files)+2)}
	for p, f := range prepared.files {
		s.files[p] = f
	}
	if err := s.addIndex(prepared.assets); err != nil {
		return nil, err
	}
	return s, nil
}

// preparedAssets hashes the embedded assets once per process: they are the same for every
// Site, only the page differs.
var preparedAssets = sync.OnceValues(func() (*assetSet, error) {
	set := &assetSet{files: map[string]*file{}}
	if err := set.add(); err != nil {
		return nil, err
	}
	return set, nil
})

// assetSet is every file under ui/assets, prepared.
type assetSet struct {
	files  map[string]*file
	assets []Asset
}

// add adds every file under ui/assets at its hashed URL and its plain name.
func (s *assetSet) add() error {
	var assets []Asset
	err := fs.WalkDir(ui, "ui/assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := ui.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		name := strings.TrimPrefix(p, "ui")
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		f := newFile(body, contentType(ext), cacheImmutable, hash)
		plain := *f
		plain.cache = cacheRevalidate
		s.files[hashed], s.files[name] = f, &plain
		assets = append(assets, Asset{Name: name, URL: hashed})
		return nil
	})
	if err != nil {
		return fmt.Errorf("web: prepare assets: %w", err)
	}
	sort.Slice(assets, func(i, j int) bool { return assets[i].Name < assets[j].Name })
	s.assets = assets
	return nil
}

// addIndex writes index.html with hashed references, the import map that sends the
// modules' relative imports to their hashed URLs and preload links for the modules of the
// first screen; and its Content-Security-Policy, which admits the import map by its hash.
func (s *Site) addIndex(assets []Asset) error {
	raw, err := ui.ReadFile("ui/index.html")
	if err != nil {
		return fmt.Errorf("web: read index.html: %w", err)
	}
	page := string(raw)
	imports := map[string]string{}
	var preload strings.Builder
	static := staticImports(entryModule)
	for _, a := range assets {
		if strings.HasSuffix(a.Name, ".js") {
			imports[a.Name] = a.URL
			if static[a.Name] {
				fmt.Fprintf(&preload, "<link rel=\"modulepreload\" href=\"%s\">\n", a.URL)
			}
		}
		page = strings.ReplaceAll(page, `"`+a.Name+`"`, `"`+a.URL+`"`)
	}
	mapJSON, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return fmt.Errorf("web: import map: %w", err)
	}
	script := string(mapJSON)
	sum := sha256.Sum256([]byte(script))
	page = strings.Replace(page, "<!-- importmap -->",
		`<script type="importmap">`+script+"</script>\n"+preload.String(), 1)
	csp := "default-src 'none'; script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

	body := []byte(page)
	pageSum := sha256.Sum256(body)
	f := newFile(body, "text/html; charset=utf-8", cacheRevalidate, hex.EncodeToString(pageSum[:])[:10])
	f.csp = csp
	s.files["/"], s.files["/index.html"] = f, f
	return nil
}

// entryModule is the module index.html runs.
const entryModule = "/assets/app.js"

// staticImports returns the modules the entry module needs before it runs: itself and
// what it imports statically, transitively. Modules loaded with import() are left out of
// the page's preloads, so that they do not compete with the first screen.
func staticImports(entry string) map[string]bool {
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		src, err := ui.ReadFile("ui" + name)
		if err != nil {
			return
		}
		for _, sibling := range siblingImports(string(src)) {
			visit(path.Join(path.Dir(name), sibling))
		}
	}
	visit(entry)
	return seen
}

// siblingImports returns the sibling modules that src imports statically: the import
// statements that begin a line and end, at their first semicolon, in from './x.js'. It
// reads the modules at every start of the web function and the whole app, where a
// regular expression doing the same took a millisecond of CPU.
func siblingImports(src string) []string {
	var names []string
	for rest := src; rest != ""; {
		if after, ok := strings.CutPrefix(rest, "import"); ok && after != "" && isSpace(after[0]) {
			if stmt, _, ok := strings.Cut(rest, ";"); ok {
				if name, ok := fromSibling(stmt); ok {
					names = append(names, name)
				}
			}
		}
		_, rest, _ = strings.Cut(rest, "\n")
	}
	return names
}

// fromSibling returns x.js when stmt, an import statement without its semicolon, ends in
// from './x.js' with x made of letters, digits, '_' and '-'.
func fromSibling(stmt string) (string, bool) {
	body, ok := strings.CutSuffix(stmt, ".js'")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(body, "'./")
	if i < 0 {
		return "", false
	}
	name := body[i+len("'./"):]
	if name == "" || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return "", false
	}
	head := strings.TrimRight(body[:i], spaces)
	if len(head) == len(body[:i]) {
		return "", false // no space between from and the quote
	}
	head, ok = strings.CutSuffix(head, "from")
	if !ok || head == "" || !isSpace(head[len(head)-1]) {
		return "", false
	}
	return name + ".js", true
}

// spaces are the characters regular expressions' \s matches.
const spaces = " \t\n\f\r"

// isSpace reports whether c is one of spaces.
func isSpace(c byte) bool { return strings.IndexByte(spaces, c) >= 0 }

// newFile returns body as a file, with its compressed forms from precompressed.
func newFile(body []byte, ctype, cache, hash string) *file {
	return &file{contentType: ctype, cache: cache, etag: `"` + hash + `"`, identity: body,
		br: compressedForm(hash, ".br"), gz: compressedForm(hash, ".gz")}
}

// compressedForm returns the form of the file with hash that ext names (.br, .gz), or nil
// when precompressed has none or an empty one.
func compressedForm(hash, ext string) []byte {
	b, err := precompressed.ReadFile(path.Join(precompressedDir, hash+ext))
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// precompressedDir is where precompressed keeps the compressed forms.
const precompressedDir = "precompressed"

// contentType returns the media type of an asset's extension.
func contentType(ext string) string {
	switch ext {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".webmanifest":
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Assets returns the hashed URL of every asset, for tests and reports.
func (s *Site) Assets() map[string]string {
	out := map[string]string{}
	for p, f := range s.files {
		if f.cache == cacheImmutable {
			out[p] = f.etag
		}
	}
	return out
}

// ServeHTTP answers GET and HEAD for the page and its assets: the best encoding the
// client accepts, an ETag per encoding, and 304 when If-None-Match matches.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.files[r.URL.Path]
	if f == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.ENOTFOUND, "no page at %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem.WriteDetails(w, problem.Details{
			Type: "https://taskwire.dev/problems/method_not_allowed", Title: "Method Not Allowed",
			Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Instance: r.URL.Path,
			Detail: r.Method + " is not allowed here; allowed: GET, HEAD",
		})
		return
	}
	body, encoding, etag := f.identity, "", f.etag
	switch accepted := acceptedEncodings(r.Header.Get("Accept-Encoding")); {
	case f.br != nil && accepted["br"]:
		body, encoding, etag = f.br, "br", strings.TrimSuffix(f.etag, `"`)+`-br"`
	case f.gz != nil && accepted["gzip"]:
		body, encoding, etag = f.gz, "gzip", strings.TrimSuffix(f.etag, `"`)+`-gz"`
	}
	h := w.Header()
	h.Set("Cache-Control", f.cache)
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if f.csp != "" {
		h.Set("Content-Security-Policy", f.csp)
		h.Set("Referrer-Policy", "no-referrer")
	}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.contentType)
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// acceptedEncodings reads Accept-Encoding: the codings with a q-value above zero.
func acceptedEncodings(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if name != "" {
			out[name] = q > 0
		}
	}
	if q, ok := out["*"]; ok {
		for _, name := range []string{"br", "gzip"} {
			if _, named := out[name]; !named {
				out[name] = q
			}
		}
	}
	return out
}

// etagMatches reports whether an If-None-Match header names etag (weak comparison).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
