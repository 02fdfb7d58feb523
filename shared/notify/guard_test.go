package notify_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/notify"
)

func TestCheckAddress(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.1.2.3", "::1", // loopback
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1", // private
		"169.254.169.254", "fe80::1", // link-local, cloud metadata among them
		"0.0.0.0", "::", // unspecified
		"224.0.0.1", "239.255.255.250", "ff02::1", // multicast
		"100.64.0.1", "0.1.2.3", "255.255.255.255", "198.18.0.1", // shared, "this network", broadcast, benchmarking
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "::127.0.0.1", // the same, dressed as IPv6
		"192.0.2.2", "198.51.100.7", "203.0.113.9", "2001:db8::1", "3fff::1", // documentation
		"64:ff9b:1::a00:1", "2001::1", "2002:a00:1::1", "100::1", // local NAT64, Teredo, 6to4, discard-only
	}
	allowed := []string{"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"}

	t.Run("Refused", func(t *testing.T) {
		for _, s := range refused {
			err := notify.CheckAddress(netip.MustParseAddr(s), false)
			assert.ErrorIs(t, err, notify.ErrBlockedAddress, "address %s", s)
		}
	})

	t.Run("AllowPrivate", func(t *testing.T) {
		for _, s := range refused {
			assert.NoError(t, notify.CheckAddress(netip.MustParseAddr(s), true), "address %s", s)
		}
	})

	t.Run("Public", func(t *testing.T) {
		for _, s := range allowed {
			assert.NoError(t, notify.CheckAddress(netip.MustParseAddr(s), false), "address %s", s)
		}
	})
}

func TestNewHTTPClient(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)

	get := func(client *http.Client, url string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}

	t.Run("Refused", func(t *testing.T) {
		client := notify.NewHTTPClient(false)
		// By address, and by a name that resolves to loopback: the check is on the
		// address dialled, after resolution.
		for _, url := range []string{srv.URL, "http://localhost:" + port, "http://[::1]:" + port} {
			err := get(client, url)
			require.Error(t, err, "url %s", url)
			assert.True(t, errors.Is(err, notify.ErrBlockedAddress), "url %s: got %v, want ErrBlockedAddress", url, err)
		}
		assert.Equal(t, 0, hits, "got %d requests through the guard, want none", hits)
	})

	t.Run("AllowPrivate", func(t *testing.T) {
		require.NoError(t, get(notify.NewHTTPClient(true), srv.URL))
		require.NoError(t, get(notify.NewHTTPClient(true), "http://localhost:"+port))
		assert.Equal(t, 2, hits)
	})
}

func TestNewHTTPClient_ReusesConnectionsToOneHost(t *testing.T) {
	const concurrent = 16 // webhooks to one host at once: the local broker's deliveries to a trigger
	type gate struct {
		arrived atomic.Int32
		open    chan struct{}
	}
	var (
		current atomic.Pointer[gate]
		dialled atomic.Int32
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hold every request until the whole burst has arrived, so that each is on a
		// connection of its own.
		g := current.Load()
		if g.arrived.Add(1) == concurrent {
			close(g.open)
		}
		select {
		case <-g.open:
		case <-time.After(5 * time.Second):
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	client := notify.NewHTTPClient(true)
	burst := func() {
		t.Helper()
		current.Store(&gate{open: make(chan struct{})})
		var wg sync.WaitGroup
		for range concurrent {
			wg.Go(func() {
				resp, err := client.Post(srv.URL, "application/json", nil)
				if assert.NoError(t, err) {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
		}
		wg.Wait()
	}
	burst()
	require.EqualValues(t, concurrent, dialled.Load(), "the first burst should dial a connection per webhook")
	burst()
	assert.EqualValues(t, concurrent, dialled.Load(), "got connections dialled afresh for the second burst, want the first burst's reused")
}

func formatUnix(ts time.Time) string { return strconv.FormatInt(ts.Unix(), 10) }
