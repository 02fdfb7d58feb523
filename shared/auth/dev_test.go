package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestLoadDevIssuer(t *testing.T) {
	t.Run("OKSameKeyTwice", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), ".data")
		first := MustLoadDevIssuer(t, dir)
		token, err := first.Mint("user-1", time.Minute)
		require.NoError(t, err)

		second := MustLoadDevIssuer(t, dir)
		assert.JSONEq(t, MustJSON(t, first.PublicKeys()), MustJSON(t, second.PublicKeys()))

		v, err := auth.NewVerifier(context.Background(), auth.Config{DataDir: dir})
		require.NoError(t, err)
		sub, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
	})

	t.Run("OKFileModes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), ".data")
		MustLoadDevIssuer(t, dir)

		fi, err := os.Stat(filepath.Join(dir, "dev-issuer.jwk"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "got key file mode %v, want 0600", fi.Mode().Perm())
		di, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), di.Mode().Perm(), "got data dir mode %v, want 0700", di.Mode().Perm())
	})

	t.Run("OKConcurrentStart", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), ".data")
		const n = 8
		sets := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := auth.LoadDevIssuer(dir)
				if errs[i] = err; err == nil {
					b, err := json.Marshal(d.PublicKeys())
					sets[i], errs[i] = string(b), err
				}
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			assert.JSONEq(t, sets[0], sets[i], "loader %d got another key", i)
		}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "got %d files, want only the key file", len(entries))
		assert.Equal(t, "dev-issuer.jwk", entries[0].Name())
	})

	t.Run("ErrCorruptFile", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dev-issuer.jwk"), []byte("{not json"), 0o600))
		_, err := auth.LoadDevIssuer(dir)
		require.Error(t, err)
	})

	// A key file that holds another kind of key is refused at start, naming the file.
	t.Run("ErrNotEd25519", func(t *testing.T) {
		dir := t.TempDir()
		key, err := jwk.FromRaw([]byte("an HMAC secret, not a signing key"))
		require.NoError(t, err)
		require.NoError(t, key.Set(jwk.KeyIDKey, "k1"))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dev-issuer.jwk"), []byte(MustJSON(t, key)), 0o600))

		_, err = auth.LoadDevIssuer(dir)
		require.ErrorContains(t, err, "dev-issuer.jwk does not hold an Ed25519 private key")
	})

	// The seed is checked against the public key when the key first signs, not at start:
	// a file whose halves do not match mints nothing rather than tokens that never verify.
	t.Run("ErrMismatchedHalvesMintNothing", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "dev-issuer.jwk")
		MustLoadDevIssuer(t, dir)
		var fields map[string]any
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &fields))
		other, _, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		fields["x"] = base64.RawURLEncoding.EncodeToString(other)
		require.NoError(t, os.WriteFile(path, []byte(MustJSON(t, fields)), 0o600))

		d := MustLoadDevIssuer(t, dir)
		_, err = d.Mint("user-1", time.Minute)
		require.Error(t, err)
	})

	t.Run("ErrNoDataDir", func(t *testing.T) {
		_, err := auth.LoadDevIssuer("")
		require.Error(t, err)
	})
}

func TestDevIssuer_Mint(t *testing.T) {
	d := MustLoadDevIssuer(t, t.TempDir())

	t.Run("OKHeaderAndClaims", func(t *testing.T) {
		token, err := d.Mint("user-1", time.Hour)
		require.NoError(t, err)

		msg, err := jws.Parse([]byte(token), jws.WithCompact())
		require.NoError(t, err)
		hdr := msg.Signatures()[0].ProtectedHeaders()
		assert.Equal(t, jwa.EdDSA, hdr.Algorithm())
		key, ok := d.PublicKeys().Key(0)
		require.True(t, ok)
		assert.NotEmpty(t, hdr.KeyID())
		assert.Equal(t, key.KeyID(), hdr.KeyID())

		var claims map[string]any
		require.NoError(t, json.Unmarshal(msg.Payload(), &claims))
		assert.Equal(t, auth.DevIssuerName, claims["iss"])
		assert.Equal(t, []any{auth.DevAudience}, claims["aud"])
		assert.Equal(t, "user-1", claims["sub"])
		for _, name := range []string{"iat", "nbf", "exp"} {
			assert.Contains(t, claims, name)
		}
		assert.InDelta(t, time.Hour.Seconds(), claims["exp"].(float64)-claims["iat"].(float64), 0)
	})

	t.Run("OKPublicKeysHoldNoPrivatePart", func(t *testing.T) {
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		require.NoError(t, json.Unmarshal([]byte(MustJSON(t, d.PublicKeys())), &set))
		require.Len(t, set.Keys, 1)
		assert.NotContains(t, set.Keys[0], "d")
		assert.Equal(t, "OKP", set.Keys[0]["kty"])
		assert.Equal(t, "Ed25519", set.Keys[0]["crv"])
		assert.Equal(t, "EdDSA", set.Keys[0]["alg"])
	})

	t.Run("ErrEmptySubject", func(t *testing.T) {
		_, err := d.Mint("", time.Hour)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
	})

	t.Run("ErrNoLifetime", func(t *testing.T) {
		_, err := d.Mint("user-1", 0)
		assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
	})
}

func TestNewVerifier_Dev(t *testing.T) {
	dir := t.TempDir()
	v, err := auth.NewVerifier(context.Background(), auth.Config{DataDir: dir})
	require.NoError(t, err)
	d := MustLoadDevIssuer(t, dir)

	t.Run("OK", func(t *testing.T) {
		// The issuer on disk and the one the verifier hands out (for the sign-in
		// endpoint) mint tokens it accepts.
		require.NotNil(t, v.DevIssuer())
		assert.Empty(t, v.Issuer(), "the development issuer is no authorization server to send MCP clients to")
		for _, issuer := range []*auth.DevIssuer{d, v.DevIssuer()} {
			token, err := issuer.Mint("user-1", time.Minute)
			require.NoError(t, err)
			sub, err := v.Verify(context.Background(), token)
			require.NoError(t, err)
			assert.Equal(t, "user-1", sub)
		}
	})

	t.Run("ErrOtherDevIssuer", func(t *testing.T) {
		other := MustLoadDevIssuer(t, t.TempDir())
		token, err := other.Mint("user-1", time.Minute)
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), token)
		AssertUnauthorized(t, err, "no key with kid")
	})

	t.Run("ErrExternalIssuerToken", func(t *testing.T) {
		// A token from an external issuer, signed with a key that names the
		// development key's kid, fails on its signature.
		key, ok := d.PublicKeys().Key(0)
		require.True(t, ok)
		forged := MustGenerateKey(t, jwa.EdDSA, key.KeyID(), false)
		c := Claims(time.Now(), "user-1")
		c["iss"], c["aud"] = auth.DevIssuerName, []string{auth.DevAudience}
		_, err := v.Verify(context.Background(), MustSign(t, forged, c))
		AssertUnauthorized(t, err, "token signature is invalid")
	})

	t.Run("ErrWrongIssuer", func(t *testing.T) {
		// Signed with the development key itself, but not issued as a development token.
		data, err := os.ReadFile(filepath.Join(dir, "dev-issuer.jwk"))
		require.NoError(t, err)
		priv, err := jwk.ParseKey(data)
		require.NoError(t, err)
		c := Claims(time.Now(), "user-1")
		c["aud"] = []string{auth.DevAudience}
		signed, err := jwt.Sign(MustBuild(t, c), jwt.WithKey(jwa.EdDSA, priv))
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), string(signed))
		AssertUnauthorized(t, err, "token issuer is not accepted")
	})
}

// MustLoadDevIssuer loads or creates the development issuer in dir.
func MustLoadDevIssuer(tb testing.TB, dir string) *auth.DevIssuer {
	tb.Helper()
	d, err := auth.LoadDevIssuer(dir)
	require.NoError(tb, err)
	return d
}

// MustJSON returns v encoded as JSON.
func MustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return string(b)
}
