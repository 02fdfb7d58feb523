package auth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

// FileToken is an http.RoundTripper that sends the token a file holds as each request's
// bearer token, read afresh for each, as Kubernetes renews such files in place. While the
// file does not exist, requests go without one. To, when set, says which requests may
// carry it.
type FileToken struct {
	File string
	Next http.RoundTripper
	To   func(*http.Request) bool
}

// RoundTrip implements http.RoundTripper.
func (t *FileToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.To != nil && !t.To(r) {
		return t.Next.RoundTrip(r)
	}
	tok, err := os.ReadFile(t.File)
	if errors.Is(err, fs.ErrNotExist) {
		return t.Next.RoundTrip(r)
	} else if err != nil {
		return nil, fmt.Errorf("read the bearer token: %w", err)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	return t.Next.RoundTrip(r)
}

// TransportTrusting returns a copy of http.DefaultTransport that trusts the PEM
// certificates pemCerts beside the system's roots, and an error when pemCerts holds none.
func TransportTrusting(pemCerts []byte) (*http.Transport, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pemCerts) {
		return nil, errors.New("no PEM certificate")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}
