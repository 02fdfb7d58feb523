package postgres

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// StopPrivateCluster stops the private cluster under dataDir at once, as the user that
// runs it; the tests in package postgres_test call it at cleanup.
func StopPrivateCluster(ctx context.Context, dataDir string) error {
	binDir := clusterFindBinDir()
	if binDir == "" {
		return fmt.Errorf("no PostgreSQL binaries to stop the cluster in %s", dataDir)
	}
	runAs, err := clusterRunAs()
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(filepath.Join(dataDir, "postgres"))
	if err != nil {
		return err
	}
	cmd := runAs.command(ctx, dir, filepath.Join(binDir, "pg_ctl"), "-D", dir, "-w", "stop", "-m", "immediate")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func TestMissingBinaries(t *testing.T) {
	saved := clusterFindBinDir
	clusterFindBinDir = func() string { return "" }
	t.Cleanup(func() { clusterFindBinDir = saved })

	_, err := Open(context.Background(), Config{LocalAddr: "127.0.0.1:1", DataDir: filepath.Join(t.TempDir(), "data")})
	require.Error(t, err)
	want := "no PostgreSQL answers at 127.0.0.1:1 and no PostgreSQL binaries were found; install them (Debian: apt-get install postgresql) or set DATABASE_URL"
	require.ErrorContains(t, err, want)
}

func TestFindBinDir(t *testing.T) {
	dir := clusterFindBinDirOnMachine()
	if dir == "" {
		t.Skip("no PostgreSQL binaries on this machine")
	}
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		require.FileExists(t, filepath.Join(dir, name), "got bin dir %s without %s", dir, name)
	}
}

func TestClusterNothingAnswers(t *testing.T) {
	ctx := context.Background()
	err := clusterPing(ctx, clusterURL("127.0.0.1:1", "postgres"))
	require.Error(t, err)
	require.True(t, clusterNothingAnswers(err), "got %v classified as an answer, want nothing answers", err)
}

func TestCanTraverse(t *testing.T) {
	other := &clusterUser{name: "nobody", uid: 65534, gid: 65534}
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o711))
		require.NoError(t, os.Chmod(filepath.Dir(dir), 0o711))
		require.NoError(t, other.canTraverse(filepath.Join(dir, "postgres")))
	})
	t.Run("ErrPrivateParent", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o700))
		err := other.canTraverse(filepath.Join(dir, "postgres"))
		require.ErrorContains(t, err, "cannot enter "+dir)
	})
}
