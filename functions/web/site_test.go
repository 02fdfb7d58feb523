package function_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	function "github.com/taskwire/taskwire/functions/web"
)

// MustGet serves one request from s and returns the recorded answer.
func MustGet(tb testing.TB, h http.Handler, method, path string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// MustNewSite prepares the site.
func MustNewSite(tb testing.TB) *function.Site {
	tb.Helper()
	s, err := function.NewSite()
	require.NoError(tb, err)
	return s
}

var assetRef = regexp.MustCompile(`"(/assets/[^"]+)"`)

func TestSite_Index(t *testing.T) {
	s := MustNewSite(t)
	w := MustGet(t, s, "GET", "/", "Accept-Encoding", "identity")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"), "the page is revalidated, so a deploy shows at once")
	csp := w.Header().Get("Content-Security-Policy")
	assert.Contains(t, csp, "connect-src 'self';")
	assert.Contains(t, csp, "script-src 'self' 'sha256-")
	assert.NotContains(t, csp, "unsafe-inline")
	body := w.Body.String()

	// Every reference is to a hashed, long-cached asset that exists.
	importMapScript := regexp.MustCompile(`<script type="importmap">.*?</script>`)
	refs := assetRef.FindAllStringSubmatch(importMapScript.ReplaceAllString(body, ""), -1)
	require.NotEmpty(t, refs)
	for _, m := range refs {
		assert.Regexp(t, `\.[0-9a-f]{10}\.[a-z]+$`, m[1], "index.html must reference hashed URLs")
		a := MustGet(t, s, "GET", m[1])
		assert.Equal(t, http.StatusOK, a.Code, m[1])
		assert.Equal(t, "public, max-age=31536000, immutable", a.Header().Get("Cache-Control"), m[1])
	}

	// The import map sends every relative import of every module to a hashed URL.
	im := regexp.MustCompile(`<script type="importmap">(.*?)</script>`).FindStringSubmatch(body)
	require.Len(t, im, 2, "index.html needs its import map")
	var importMap struct{ Imports map[string]string }
	require.NoError(t, json.Unmarshal([]byte(im[1]), &importMap))
	imports := regexp.MustCompile(`(?m)^import .* from '\./([a-z]+\.js)';|import\('\./([a-z]+\.js)'\)`)
	for plain, hashed := range importMap.Imports {
		js := MustGet(t, s, "GET", hashed, "Accept-Encoding", "identity").Body.String()
		for _, m := range imports.FindAllStringSubmatch(js, -1) {
			name := m[1] + m[2]
			assert.Contains(t, importMap.Imports, "/assets/"+name, "%s imports %s", plain, name)
		}
	}

	// The first screen's modules are preloaded; those loaded later with import() are not.
	preloaded := regexp.MustCompile(`<link rel="modulepreload" href="/assets/([a-z]+)\.`).FindAllStringSubmatch(body, -1)
	var names []string
	for _, m := range preloaded {
		names = append(names, m[1])
	}
	// confirm is the tag tools' second press, under the list's filters; keys the shortcuts,
	// which work from the first screen.
	assert.ElementsMatch(t, []string{"api", "app", "confirm", "dom", "keys", "rrule", "time"}, names)
}

func TestSite_Encodings(t *testing.T) {
	s := MustNewSite(t)
	var js string
	for name := range s.Assets() {
		if strings.HasPrefix(name, "/assets/app.") && strings.HasSuffix(name, ".js") {
			js = name
		}
	}
	require.NotEmpty(t, js)
	plain := MustGet(t, s, "GET", js)
	require.Equal(t, http.StatusOK, plain.Code)
	assert.Empty(t, plain.Header().Get("Content-Encoding"))
	assert.Equal(t, "text/javascript; charset=utf-8", plain.Header().Get("Content-Type"))
	assert.Equal(t, "Accept-Encoding", plain.Header().Get("Vary"))

	tests := []struct {
		name, accept, want string
		decode             func(io.Reader) (io.Reader, error)
	}{
		{"Brotli", "gzip, deflate, br", "br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
		{"Gzip", "gzip, deflate", "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"BrotliRefused", "br;q=0, gzip", "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"Star", "*", "br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
		{"Identity", "identity", "", func(r io.Reader) (io.Reader, error) { return r, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := MustGet(t, s, "GET", js, "Accept-Encoding", tt.accept)
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.want, w.Header().Get("Content-Encoding"))
			if tt.want != "" {
				assert.Less(t, w.Body.Len(), plain.Body.Len(), "compressed is smaller")
			}
			r, err := tt.decode(bytes.NewReader(w.Body.Bytes()))
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, plain.Body.String(), string(got))

			// The ETag names the encoding; sending it back is a 304 without a body.
			etag := w.Header().Get("ETag")
			require.NotEmpty(t, etag)
			again := MustGet(t, s, "GET", js, "Accept-Encoding", tt.accept, "If-None-Match", etag)
			assert.Equal(t, http.StatusNotModified, again.Code)
			assert.Empty(t, again.Body.Bytes())
			assert.Equal(t, etag, again.Header().Get("ETag"))
		})
	}
	t.Run("OtherEncodingsETag", func(t *testing.T) {
		br := MustGet(t, s, "GET", js, "Accept-Encoding", "br").Header().Get("ETag")
		gz := MustGet(t, s, "GET", js, "Accept-Encoding", "gzip").Header().Get("ETag")
		assert.NotEqual(t, br, gz)
		assert.Equal(t, http.StatusOK, MustGet(t, s, "GET", js, "Accept-Encoding", "gzip", "If-None-Match", br).Code)
	})
	t.Run("Head", func(t *testing.T) {
		w := MustGet(t, s, "HEAD", js, "Accept-Encoding", "br")
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Empty(t, w.Body.Bytes())
		assert.NotEqual(t, "0", w.Header().Get("Content-Length"))
	})
	t.Run("PlainName", func(t *testing.T) {
		w := MustGet(t, s, "GET", "/assets/app.js")
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"), "an unhashed name may change with a deploy")
	})
}

func TestSite_Errors(t *testing.T) {
	s := MustNewSite(t)
	t.Run("NotFound", func(t *testing.T) {
		w := MustGet(t, s, "GET", "/nope")
		assert.Equal(t, http.StatusNotFound, w.Code)
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		w := MustGet(t, s, "POST", "/")
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
		assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	})
}

func TestFunction(t *testing.T) {
	t.Run("NotStarted", func(t *testing.T) {
		f := function.New()
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.False(t, ready)
		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	})
	t.Run("OK", func(t *testing.T) {
		f := function.New()
		require.NoError(t, f.Start(context.Background(), map[string]string{}))
		ready, err := f.Ready(context.Background())
		require.NoError(t, err)
		assert.True(t, ready)
		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("GET", "/", nil))
		assert.Equal(t, http.StatusOK, w.Code)
		w = httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("GET", "/v1/tasks", nil))
		assert.Equal(t, http.StatusNotFound, w.Code, "without TASKWIRE_API_URL the API is not here")
	})
	for name, cfg := range map[string]map[string]string{
		"ErrAPIURL":       {"TASKWIRE_API_URL": "localhost:8080"},
		"ErrAPIURLPath":   {"TASKWIRE_API_URL": "https://tasks.example.com/v1"},
		"ErrAPIURLScheme": {"TASKWIRE_API_URL": "ftp://tasks.example.com"},
		"ErrChatURL":      {"TASKWIRE_API_URL": "https://tasks.example.com", "TASKWIRE_CHAT_URL": "chat"},
		"ErrChatURLAlone": {"TASKWIRE_CHAT_URL": "https://chat.example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, function.New().Start(context.Background(), cfg))
		})
	}
}
