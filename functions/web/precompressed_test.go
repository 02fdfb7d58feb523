package function

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite precompressed/ from the site's files (make web-compress)")

// TestPrecompressed checks that precompressed/ holds, for every file the site serves,
// a brotli and a gzip form that decompress to it, and nothing else; with -update it
// writes them first.
func TestPrecompressed(t *testing.T) {
	s, err := NewSite()
	require.NoError(t, err)
	bodies := map[string][]byte{} // by hash
	for _, f := range s.files {
		bodies[strings.Trim(f.etag, `"`)] = f.identity
	}
	if *update {
		writePrecompressed(t, bodies)
	}

	decoders := map[string]func(io.Reader) (io.Reader, error){
		".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	for hash, body := range bodies {
		for ext, decode := range decoders {
			name := filepath.Join(precompressedDir, hash+ext)
			form, err := os.ReadFile(name)
			if !assert.NoError(t, err, "the site's files changed: run make web-compress") {
				continue
			}
			if len(form) == 0 { // compressing does not pay: check that it does not
				assert.GreaterOrEqual(t, len(compressForms(t, body)[ext]), len(body),
					"%s is empty, but compressing its file pays: run make web-compress", name)
				continue
			}
			r, err := decode(bytes.NewReader(form))
			require.NoError(t, err, name)
			got, err := io.ReadAll(r)
			require.NoError(t, err, name)
			assert.True(t, bytes.Equal(body, got), "%s does not decompress to its file: run make web-compress", name)
		}
	}

	entries, err := os.ReadDir(precompressedDir)
	require.NoError(t, err)
	for _, e := range entries {
		hash := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		assert.Contains(t, bodies, hash, "%s belongs to no file the site serves: run make web-compress", e.Name())
	}
}

// writePrecompressed replaces the contents of precompressed/ with the compressed forms
// of bodies (by hash). A form that is not smaller than its body is written empty.
func writePrecompressed(t *testing.T, bodies map[string][]byte) {
	t.Helper()
	require.NoError(t, os.RemoveAll(precompressedDir))
	require.NoError(t, os.MkdirAll(precompressedDir, 0o755))
	for hash, body := range bodies {
		for ext, form := range compressForms(t, body) {
			if len(form) >= len(body) {
				form = nil
			}
			require.NoError(t, os.WriteFile(filepath.Join(precompressedDir, hash+ext), form, 0o644))
		}
	}
}

// compressForms returns body's brotli and gzip forms by extension, at the strongest
// settings: each is made once, when the files change, not at every start.
func compressForms(t *testing.T, body []byte) map[string][]byte {
	t.Helper()
	var br, gz bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	_, err := bw.Write(body)
	require.NoError(t, err)
	require.NoError(t, bw.Close())
	gw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	require.NoError(t, err)
	_, err = gw.Write(body)
	require.NoError(t, err)
	require.NoError(t, gw.Close())
	return map[string][]byte{".br": br.Bytes(), ".gz": gz.Bytes()}
}
