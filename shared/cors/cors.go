// Package cors lets web pages of other origins call the API: the preflight a browser sends
// before a cross-origin request with a bearer token, and the response headers that let the
// page read the answer, for the origins CORS_ALLOWED_ORIGINS names. It holds no routes; it
// wraps the handlers that serve the API.
package cors

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Methods are the methods the API's routes take, as a preflight answers them.
const Methods = "GET, POST, PUT, PATCH, DELETE"

// Exposed are the response headers a page of another origin may read besides the ones
// every response shows it: what the API's clients act on.
const Exposed = "ETag, Location, Retry-After, Idempotent-Replayed, WWW-Authenticate, Allow, Mcp-Session-Id"

// maxAge is how long a browser may keep a preflight's answer, in seconds: two hours,
// the most Chromium keeps one.
const maxAge = "7200"

// Policy is the set of origins allowed to call the API from a browser.
type Policy struct {
	any      bool                // "*": every origin
	exact    map[string]bool     // "https://app.example.com"
	suffixes map[string][]string // scheme → ".example.com" of "https://*.example.com"
}

// Parse reads the origins of CORS_ALLOWED_ORIGINS, separated by commas or spaces: each
// scheme://host[:port] as a browser sends it in Origin, https://*.example.com for every
// subdomain of example.com, or * for any origin. An empty list is no policy (nil): the API
// answers no preflight, and browsers keep other origins' pages from reading it.
func Parse(list string) (*Policy, error) {
	p := &Policy{exact: map[string]bool{}, suffixes: map[string][]string{}}
	empty := true
	for _, item := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		empty = false
		if item == "*" {
			p.any = true
			continue
		}
		scheme, host, err := parseOrigin(strings.TrimSuffix(item, "/"))
		if err != nil {
			return nil, fmt.Errorf("CORS_ALLOWED_ORIGINS: %q is not an origin (scheme://host[:port], https://*.example.com or *): %v", item, err)
		}
		if rest, ok := strings.CutPrefix(host, "*."); ok {
			p.suffixes[scheme] = append(p.suffixes[scheme], "."+rest)
			continue
		}
		p.exact[scheme+"://"+host] = true
	}
	if empty {
		return nil, nil
	}
	return p, nil
}

// parseOrigin splits an origin into its lower-case scheme and host[:port], without the
// scheme's default port, as browsers write it.
func parseOrigin(origin string) (scheme, host string, err error) {
	u, err := url.Parse(origin)
	var bad *url.Error
	switch {
	case errors.As(err, &bad):
		return "", "", bad.Err // without the origin, which the caller quotes
	case err != nil:
		return "", "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", fmt.Errorf("the scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return "", "", fmt.Errorf("it has no host")
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", "", fmt.Errorf("an origin is a scheme, a host and a port, nothing more")
	case strings.Contains(u.Hostname(), "*") && !strings.HasPrefix(u.Hostname(), "*.") || strings.Count(u.Hostname(), "*") > 1:
		return "", "", fmt.Errorf("a * stands only for the subdomains of a host, as in https://*.example.com")
	}
	scheme, host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		host = strings.ToLower(u.Hostname())
	}
	return scheme, host, nil
}

// Allows reports whether a page of origin, as a browser sends it in Origin, may call the
// API.
func (p *Policy) Allows(origin string) bool {
	if p == nil || origin == "" {
		return false
	}
	if p.any {
		return true
	}
	scheme, host, err := parseOrigin(origin)
	if err != nil || strings.Contains(host, "*") {
		return false
	}
	if p.exact[scheme+"://"+host] {
		return true
	}
	for _, suffix := range p.suffixes[scheme] { // ".example.com", or ".example.com:8443"
		if strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
			return true
		}
	}
	return false
}

// Wrap returns next behind the policy: a preflight is answered here (204 with what it
// may send, or a 403 problem for an origin not allowed), and every other response to an
// allowed origin carries the headers that let its page read it, errors included. A nil
// policy returns next itself.
func (p *Policy) Wrap(next http.Handler) http.Handler {
	if p == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if !p.any {
			h.Add("Vary", "Origin") // the answer differs by origin: caches must keep them apart
		}
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			p.preflight(w, r, origin)
			return
		}
		if p.Allows(origin) {
			h.Set("Access-Control-Allow-Origin", p.allowOrigin(origin))
			h.Set("Access-Control-Expose-Headers", Exposed)
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers a browser's question whether a page of origin may send its request.
func (p *Policy) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	if !p.Allows(origin) {
		problem.Write(w, r, taskwire.Errorf(taskwire.EFORBIDDEN,
			"the origin %s may not call this API from a browser: CORS_ALLOWED_ORIGINS does not name it", origin))
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", p.allowOrigin(origin))
	h.Set("Access-Control-Allow-Methods", Methods)
	// Whatever headers the page sends: the API reads the ones it knows (Authorization,
	// Content-Type, Idempotency-Key, If-Match, Last-Event-ID, MCP's) and ignores the rest,
	// such as a tracing library's. A page holds a bearer token, never cookies, so
	// credentials are not allowed.
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h.Set("Access-Control-Max-Age", maxAge)
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

// allowOrigin is the Access-Control-Allow-Origin of an allowed origin: * when every one
// is, else the origin itself.
func (p *Policy) allowOrigin(origin string) string {
	if p.any {
		return "*"
	}
	return origin
}
