// Command funcbuild prepares and checks the builds `kn func deploy` makes of Taskwire's
// functions:
//
//	go run ./cmd/funcbuild vendor            # make vendor: write .goproxy into every function
//	go run ./cmd/funcbuild build [-o DIR] [NAME...]  # build as func would; static binaries into DIR
//
// Run it from the repository root. Every directory of functions/ with a func.yaml and a
// go.mod is a function, and so is the root (the whole app, named taskwire).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/taskwire/taskwire/cmd/internal/funcbuild"
)

const usage = `usage: funcbuild vendor | build [-o DIR] [NAME...]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "funcbuild:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fns, err := funcbuild.List(".")
	if err != nil {
		return err
	}
	switch args[0] {
	case "vendor":
		for _, fn := range fns {
			if err := funcbuild.Vendor(ctx, fn.Dir, filepath.Join(fn.Dir, funcbuild.ProxyDir)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %s\n", fn.Name, filepath.Join(rel(fn.Dir), funcbuild.ProxyDir))
		}
		return nil
	case "build":
		fs := flag.NewFlagSet("build", flag.ContinueOnError)
		fs.SetOutput(stderr)
		out := fs.String("o", "bin/functions", "where the binaries go")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			fns = slices.DeleteFunc(fns, func(fn funcbuild.Function) bool { return !slices.Contains(fs.Args(), fn.Name) })
			if len(fns) != fs.NArg() {
				return fmt.Errorf("unknown function among %v", fs.Args())
			}
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for _, fn := range fns {
			bin := filepath.Join(*out, fn.Name)
			if err := funcbuild.Build(ctx, fn, bin, funcbuild.Options{}); err != nil {
				return err
			}
			if err := funcbuild.CheckStatic(bin); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %s (static)\n", fn.Name, bin)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// rel returns dir relative to the working directory when it can.
func rel(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if r, err := filepath.Rel(wd, dir); err == nil {
		return r
	}
	return dir
}
