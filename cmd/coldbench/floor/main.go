// Command floor is coldbench's reference start: the least that a function backed by
// PostgreSQL does before it can answer. It opens one connection to DATABASE_URL, then
// answers 200 on /health/readiness at LISTEN_ADDRESS until SIGTERM. coldbench builds and
// starts it as it starts the functions, so its start time is the floor of theirs on the
// machine it runs on: a function that opens its database cannot be ready sooner.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Getenv("DATABASE_URL"), os.Getenv("LISTEN_ADDRESS")); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// run connects to dbURL, then answers readiness at addr until ctx is done.
func run(ctx context.Context, dbURL, addr string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health/readiness" { // funcbuild.ReadinessPath, which would link more
			http.NotFound(w, r)
		}
	})}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
