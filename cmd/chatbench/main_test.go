package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun runs a smoke benchmark against the local PostgreSQL server and checks the
// table's shape (not its numbers: speed is make bench's, not a test's).
func TestRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-requests", "3", "-warmup", "1", "-users", "2", "-history", "8"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("got exit code %d, want 0; stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"one tool round, new conversation", "one tool round, 8+ earlier messages", "p99 ≤ 10.00 ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("got table\n%s\nwant a line with %q", out, want)
		}
	}
}

func TestRun_BadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-requests", "0"}, &stdout, &stderr); code != 2 {
		t.Errorf("got exit code %d, want 2 for -requests 0", code)
	}
}
