package cors_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/cors"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		list    string
		allowed []string
		refused []string
	}{
		{"Exact", "https://app.example.com, http://localhost:3000 http://localhost:5173",
			[]string{"https://app.example.com", "http://localhost:3000", "http://localhost:5173"},
			[]string{"http://app.example.com", "https://app.example.com:8443", "http://localhost:3001", "https://example.com", "null", ""}},
		{"SpelledLoosely", "HTTPS://App.Example.com:443/ ,, http://127.0.0.1:80",
			[]string{"https://app.example.com", "http://127.0.0.1"},
			[]string{"https://app.example.com:444"}},
		{"Subdomains", "https://*.vercel.app,http://*.test:3000",
			[]string{"https://taskwire-git-main-me.vercel.app", "https://a.b.vercel.app", "http://web.test:3000"},
			[]string{"https://vercel.app", "http://x.vercel.app", "https://evilvercel.app", "https://x.vercel.app:8443", "http://web.test"}},
		{"IPv6", "http://[::1]:5173", []string{"http://[::1]:5173"}, []string{"http://[::1]:5174"}},
		{"Any", "*", []string{"https://anything.example", "null"}, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := cors.Parse(tc.list)
			require.NoError(t, err)
			require.NotNil(t, p)
			for _, o := range tc.allowed {
				assert.True(t, p.Allows(o), "got %q refused, want it allowed", o)
			}
			for _, o := range tc.refused {
				assert.False(t, p.Allows(o), "got %q allowed, want it refused", o)
			}
		})
	}

	t.Run("Empty", func(t *testing.T) {
		for _, list := range []string{"", " ", " , "} {
			p, err := cors.Parse(list)
			require.NoError(t, err)
			assert.Nil(t, p, "list %q", list)
		}
	})

	t.Run("ErrNotAnOrigin", func(t *testing.T) {
		for list, why := range map[string]string{
			"app.example.com":                 "scheme must be http or https",
			"https://ok.example, ftp://x.com": "scheme must be http or https",
			"https://app.example.com/login":   "nothing more",
			"https://app.example.com?x=1":     "nothing more",
			"https://user@app.example.com":    "nothing more",
			"https://":                        "no host",
			"https://app.*.example.com":       "subdomains of a host",
			"https://*.*.example.com":         "subdomains of a host",
			"https://app.example.com:port":    `invalid port ":port"`,
		} {
			_, err := cors.Parse(list)
			require.Error(t, err, list)
			assert.Contains(t, err.Error(), "CORS_ALLOWED_ORIGINS: ", list)
			assert.Contains(t, err.Error(), why, list)
		}
	})
}

// api stands for the API behind the policy: it answers 201 with an ETag and a Location,
// or a 401 problem without a token, and counts the requests that reach it.
type api struct{ calls int }

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.calls++
	if r.Header.Get("Authorization") == "" {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAUTHORIZED, "a bearer token is required"))
		return
	}
	w.Header().Set("ETag", `"1"`)
	w.Header().Set("Location", "/v1/tasks/1")
	w.WriteHeader(http.StatusCreated)
}

// do sends a request with the given method and headers through the policy of list.
func do(t *testing.T, list, method string, header map[string]string) (*httptest.ResponseRecorder, *api) {
	t.Helper()
	p, err := cors.Parse(list)
	require.NoError(t, err)
	next := &api{}
	r := httptest.NewRequest(method, "/v1/tasks", nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.Wrap(next).ServeHTTP(w, r)
	return w, next
}

func TestWrap(t *testing.T) {
	const allowed, other = "http://localhost:3000", "https://evil.example"
	preflight := func(origin string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}
	}

	t.Run("Preflight", func(t *testing.T) {
		w, next := do(t, allowed, http.MethodOptions, preflight(allowed))
		assert.Equal(t, http.StatusNoContent, w.Code)
		assert.Zero(t, next.calls, "a preflight reached the API")
		h := w.Header()
		assert.Equal(t, allowed, h.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, cors.Methods, h.Get("Access-Control-Allow-Methods"))
		assert.Equal(t, "authorization,content-type,idempotency-key", h.Get("Access-Control-Allow-Headers"))
		assert.Equal(t, "7200", h.Get("Access-Control-Max-Age"))
		assert.Empty(t, h.Get("Access-Control-Allow-Credentials"), "a page holds a token, not cookies")
		assert.Equal(t, []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}, h.Values("Vary"))
	})

	t.Run("PreflightOfAnotherOrigin", func(t *testing.T) {
		w, next := do(t, allowed, http.MethodOptions, preflight(other))
		assert.Equal(t, http.StatusForbidden, w.Code)
		assert.Zero(t, next.calls)
		assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
		assert.Equal(t, problem.ContentType, w.Header().Get("Content-Type"))
		var d problem.Details
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
		assert.Contains(t, d.Detail, other)
		assert.Contains(t, d.Detail, "CORS_ALLOWED_ORIGINS")
	})

	t.Run("Request", func(t *testing.T) {
		w, next := do(t, allowed, http.MethodPost, map[string]string{"Origin": allowed, "Authorization": "Bearer x"})
		assert.Equal(t, http.StatusCreated, w.Code)
		assert.Equal(t, 1, next.calls)
		assert.Equal(t, allowed, w.Header().Get("Access-Control-Allow-Origin"))
		assert.Equal(t, cors.Exposed, w.Header().Get("Access-Control-Expose-Headers"))
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	})

	t.Run("ErrorReadableToo", func(t *testing.T) {
		w, _ := do(t, allowed, http.MethodGet, map[string]string{"Origin": allowed})
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Equal(t, allowed, w.Header().Get("Access-Control-Allow-Origin"))
		assert.NotEmpty(t, w.Header().Get("WWW-Authenticate"))
	})

	t.Run("RequestOfAnotherOrigin", func(t *testing.T) {
		// Served (the page of the API's own origin sends Origin on a POST too), but without
		// the headers that would let another origin's page read the answer.
		w, next := do(t, allowed, http.MethodPost, map[string]string{"Origin": other, "Authorization": "Bearer x"})
		assert.Equal(t, http.StatusCreated, w.Code)
		assert.Equal(t, 1, next.calls)
		assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	})

	t.Run("AnyOrigin", func(t *testing.T) {
		w, _ := do(t, "*", http.MethodOptions, preflight(other))
		assert.Equal(t, http.StatusNoContent, w.Code)
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
		w, _ = do(t, "*", http.MethodGet, map[string]string{"Origin": other, "Authorization": "Bearer x"})
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
		assert.Empty(t, w.Header().Values("Vary"), "the same answer for every origin")
	})

	t.Run("OptionsWithoutPreflight", func(t *testing.T) {
		w, next := do(t, allowed, http.MethodOptions, map[string]string{"Origin": allowed})
		assert.Equal(t, 1, next.calls, "a plain OPTIONS is the API's to answer")
		assert.Equal(t, http.StatusUnauthorized, w.Code)
	})

	t.Run("NoPolicy", func(t *testing.T) {
		w, next := do(t, "", http.MethodOptions, preflight(allowed))
		assert.Equal(t, 1, next.calls, "without a policy the API answers preflights as any request")
		assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
		assert.Empty(t, w.Header().Values("Vary"))
	})
}
