package main

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestRun_ReadyOnceConnected(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, postgrestest.EmptyURL(t), addr) }()

	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/health/readiness")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 5*time.Millisecond, "the floor never answered readiness")

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "got an error on shutdown, want a clean exit")
	case <-time.After(5 * time.Second):
		t.Fatal("the floor did not stop when its context ended")
	}
}

func TestRun_NoDatabaseNoReadiness(t *testing.T) {
	addr := freeAddr(t)
	// Nothing answers at port 9 of loopback: the floor must fail before it listens.
	err := run(context.Background(), "postgres://postgres@127.0.0.1:9/none?sslmode=disable&connect_timeout=2", addr)
	require.Error(t, err)
	_, dialErr := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, dialErr, "the floor listened without a database")
}
