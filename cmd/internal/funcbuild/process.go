package funcbuild

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CheckStatic returns nil when the ELF executable at path is statically linked: it asks
// for no program interpreter (PT_INTERP) and has no dynamic section.
func CheckStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("check static %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			return fmt.Errorf("check static %s: it asks for a program interpreter (dynamically linked)", path)
		case elf.PT_DYNAMIC:
			return fmt.Errorf("check static %s: it has a dynamic section", path)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		return fmt.Errorf("check static %s: it has a .dynamic section", path)
	}
	return nil
}

// ReadinessPath is where a function answers whether it is ready.
const ReadinessPath = "/health/readiness"

// Process is a function binary running on a loopback port.
type Process struct {
	Cmd     *exec.Cmd
	Addr    string    // host:port it listens on
	Started time.Time // just before the exec
	done    chan struct{}
	err     error
}

// Exec starts the function binary bin on a free loopback port with env added to the
// process environment, its output going to logs (nil discards it). It returns at once;
// use WaitReady.
func Exec(bin string, env []string, logs io.Writer) (*Process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", bin, err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), env...), "LISTEN_ADDRESS="+addr)
	cmd.Stdout, cmd.Stderr = logs, logs
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("exec %s: %w", bin, err)
	}
	p := &Process{Cmd: cmd, Addr: addr, Started: started, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// freeAddr returns a loopback address with a port nobody listens on right now. The port
// lies below Linux's ephemeral range (32768 on), where no outgoing connection of a test
// or benchmark running beside this one can take it before the function binds it.
func freeAddr() (string, error) {
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(22000))
		if ln, err := net.Listen("tcp", addr); err == nil {
			return addr, ln.Close()
		}
	}
	return "", errors.New("no free port below the ephemeral range")
}

// WaitReady polls the readiness endpoint every interval until it answers 200, the process
// exits, or ctx is done; it returns the moment the 200 arrived.
func (p *Process) WaitReady(ctx context.Context, interval time.Duration) (time.Time, error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	url := "http://" + p.Addr + ReadinessPath
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return time.Time{}, err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("wait for %s: %w", url, ctx.Err())
		case <-p.done:
			return time.Time{}, fmt.Errorf("wait for %s: the function exited: %v", url, p.err)
		case <-ticker.C:
		}
	}
}

// RSS returns the process's resident set size (VmRSS of /proc/PID/status), in bytes.
func (p *Process) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read rss: %q: %w", line, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("read rss: no VmRSS line")
}

// Stop sends SIGTERM, as Knative does when it scales a function down, and waits up to
// timeout for the exit before killing it; it returns the exit error of a SIGTERM that did
// not end the process cleanly.
func (p *Process) Stop(timeout time.Duration) error {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.Cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("stop %s: still running %s after SIGTERM, killed", p.Cmd.Path, timeout)
	}
}
