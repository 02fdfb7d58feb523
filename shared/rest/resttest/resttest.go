// Package resttest starts Taskwire's real API for tests and talks to it as its users do:
// over HTTP, with tokens from the development issuer. It holds helpers only, no test
// cases; the database comes from postgrestest, so a package that uses it needs
// postgrestest.Main in its TestMain.
package resttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// closeTimeout bounds closing the app after a test.
const closeTimeout = 10 * time.Second

// TokenTTL is how long the tokens of NewUser's clients stay valid.
const TokenTTL = time.Hour

// Server is a running API for tests: the real app (app.Open) on the package's test database, with the development issuer.
type Server struct {
	URL    string          // the base URL, without a trailing slash
	Issuer *auth.DevIssuer // the issuer the API trusts
	App    *app.App        // the app behind the API
	client *http.Client    // shared by the server's clients
}

// MustStart starts the app as the program would, with configuration
// {"DATABASE_URL": postgrestest.URL(tb), "TASKWIRE_DATA_DIR": tb.TempDir()}, serves its API
// with httptest.NewServer, and registers cleanup that stops both.
func MustStart(tb testing.TB) *Server {
	tb.Helper()
	dir := tb.TempDir()
	cfg := map[string]string{"DATABASE_URL": postgrestest.URL(tb), "TASKWIRE_DATA_DIR": dir}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("resttest: open app: %v", err)
	}
	issuer, err := auth.LoadDevIssuer(dir)
	if err != nil {
		a.Close()
		tb.Fatalf("resttest: load development issuer: %v", err)
	}
	srv := httptest.NewServer(a.API)
	s := &Server{URL: srv.URL, Issuer: issuer, App: a, client: srv.Client()}
	tb.Cleanup(func() {
		srv.Close()
		closed := make(chan struct{})
		go func() {
			a.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(closeTimeout):
			// The pool waits for every connection to come back; one that never does was
			// leaked by a request, which is a bug to report rather than a hang.
			tb.Errorf("resttest: the app did not close within %v: a request leaked a database connection", closeTimeout)
		}
	})
	return s
}

// Client is a user's view of the API: requests carry the user's bearer token.
type Client struct {
	User   string // the token's subject; "" for a client without a token
	Token  string // sent as "Authorization: Bearer <Token>" unless empty
	server *Server
}

// NewUser returns a client for a fresh random user, with a token valid for TokenTTL.
func (s *Server) NewUser(tb testing.TB) *Client {
	tb.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("resttest: new user: %v", err)
	}
	user := "user-" + hex.EncodeToString(b)
	token, err := s.Issuer.Mint(user, TokenTTL)
	if err != nil {
		tb.Fatalf("resttest: mint token for %s: %v", user, err)
	}
	return &Client{User: user, Token: token, server: s}
}

// NewClient returns a client that sends token as its bearer token, or no Authorization
// header when token is "".
func (s *Server) NewClient(token string) *Client {
	return &Client{Token: token, server: s}
}

// Do sends method to path (relative to the server, with any query) and returns the
// response. A string or []byte body is sent as is; any other non-nil body is marshalled
// as JSON. Content-Type is application/json when there is a body. headers are name,
// value pairs that are set after the defaults, so they may replace them.
func (c *Client) Do(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	if len(headers)%2 != 0 {
		tb.Fatalf("resttest: headers must be name, value pairs, got %d strings", len(headers))
	}
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("resttest: marshal body: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.server.URL+path, r)
	if err != nil {
		tb.Fatalf("resttest: new request %s %s: %v", method, path, err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.server.client.Do(req)
	if err != nil {
		tb.Fatalf("resttest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("resttest: %s %s: read body: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, request: method + " " + path}
}

// MustCreateTask creates a task from body with POST /v1/tasks and returns it, failing
// the test unless the API answers 201 Created.
func (c *Client) MustCreateTask(tb testing.TB, body any) *taskwire.Task {
	tb.Helper()
	resp := c.Do(tb, http.MethodPost, "/v1/tasks", body)
	resp.MustStatus(tb, http.StatusCreated)
	var t taskwire.Task
	resp.JSON(tb, &t)
	return &t
}

// MustGetTask returns the task with uuid or number ref, failing the test unless the API
// answers 200 OK.
func (c *Client) MustGetTask(tb testing.TB, ref string) *taskwire.Task {
	tb.Helper()
	resp := c.Do(tb, http.MethodGet, "/v1/tasks/"+url.PathEscape(ref), nil)
	resp.MustStatus(tb, http.StatusOK)
	var t taskwire.Task
	resp.JSON(tb, &t)
	return &t
}

// MustListTasks returns every task that GET /v1/tasks with query lists, following
// next_cursor until the last page. query is a raw query string without "?", such as
// "status=all&sort=-due_at&limit=2".
func (c *Client) MustListTasks(tb testing.TB, query string) []*taskwire.Task {
	tb.Helper()
	var all []*taskwire.Task
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			tb.Fatalf("resttest: GET /v1/tasks?%s: more than 1000 pages", query)
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			tb.Fatalf("resttest: query %q: %v", query, err)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		resp := c.Do(tb, http.MethodGet, "/v1/tasks?"+q.Encode(), nil)
		resp.MustStatus(tb, http.StatusOK)
		var page taskwire.TaskPage
		resp.JSON(tb, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// Response is what the API answered.
type Response struct {
	Status  int         // the HTTP status code
	Header  http.Header // the response headers
	Body    []byte      // the whole body
	request string      // method and path, for messages
}

// String describes the response for failure messages.
func (r *Response) String() string {
	return fmt.Sprintf("%s: %d %s", r.request, r.Status, r.Body)
}

// MustStatus fails the test unless the response has the status want.
func (r *Response) MustStatus(tb testing.TB, want int) {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("%s: got status %d, want %d; body: %s", r.request, r.Status, want, r.Body)
	}
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("%s: decode body %q: %v", r.request, r.Body, err)
	}
}

// Problem decodes the body as problem details, failing the test unless the response is
// application/problem+json whose status member matches the response's status.
func (r *Response) Problem(tb testing.TB) problem.Details {
	tb.Helper()
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != problem.ContentType {
		tb.Fatalf("%s: got Content-Type %q, want %s; body: %s", r.request, r.Header.Get("Content-Type"), problem.ContentType, r.Body)
	}
	var d problem.Details
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		tb.Fatalf("%s: decode problem %q: %v", r.request, r.Body, err)
	}
	if d.Status != r.Status {
		tb.Fatalf("%s: got problem status %d in a %d response", r.request, d.Status, r.Status)
	}
	return d
}
