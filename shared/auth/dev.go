package auth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// DevIssuerName is the iss of development tokens.
const DevIssuerName = "taskwire-dev"

// DevAudience is the aud of development tokens.
const DevAudience = "taskwire"

// devKeyFile is the name of the development issuer's key file under the data directory.
const devKeyFile = "dev-issuer.jwk"

// DevIssuer mints tokens for local development with an Ed25519 key kept under DataDir.
type DevIssuer struct {
	key jwk.Key // the private key, with kid, alg and use set
	pub jwk.Key // its public half
}

// LoadDevIssuer loads the key from dataDir/dev-issuer.jwk, creating it (and dataDir, mode 0700; file mode 0600) when missing. Safe when two processes start at once (write to a temp file then rename; if rename target exists, load it).
//
// The "rename" is a hard link, which unlike os.Rename fails when the target
// exists, so the process that loses the race loads the winner's key instead of
// replacing it. On a file system without hard links it falls back to os.Rename.
func LoadDevIssuer(dataDir string) (*DevIssuer, error) {
	key, err := loadSigningKey(dataDir, devKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load development issuer: %w", err)
	}
	return newDevIssuerFromKey(key)
}

// loadSigningKey loads the Ed25519 private key kept in dataDir/file, creating both
// when missing, as LoadDevIssuer describes.
func loadSigningKey(dataDir, file string) (jwk.Key, error) {
	if dataDir == "" {
		return nil, errors.New("data directory is not set")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, file)

	if key, err := readSigningKey(path); err == nil {
		return key, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(key, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	if err := writeNew(path, append(data, '\n')); errors.Is(err, fs.ErrExist) {
		return readSigningKey(path) // another process created it first
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// writeNew writes data to a new file at path with mode 0600 and returns an
// error wrapping fs.ErrExist when path already exists.
func writeNew(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)

	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	} else if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	} else if err := f.Sync(); err != nil {
		f.Close()
		return err
	} else if err := f.Close(); err != nil {
		return err
	}

	if err := os.Link(tmp, path); err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, path)
}

// readSigningKey loads an Ed25519 private key with a kid from its key file at path. It
// checks the key's form only: deriving the public half from the seed, to compare it
// with the file's, costs a cold start a few milliseconds of CPU for a key that most
// starts only verify with. A seed that does not match fails when the key first signs.
func readSigningKey(path string) (jwk.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := jwk.ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	okp, ok := key.(jwk.OKPPrivateKey)
	if !ok || okp.Crv() != jwa.Ed25519 || len(okp.D()) != ed25519.SeedSize || len(okp.X()) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s does not hold an Ed25519 private key", path)
	} else if key.KeyID() == "" {
		return nil, fmt.Errorf("%s has no kid", path)
	}
	return key, nil
}

// newSigningKey generates an Ed25519 private key with its thumbprint as kid, alg EdDSA
// and use sig.
func newSigningKey() (jwk.Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	key, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	if err := jwk.AssignKeyID(key, jwk.WithThumbprintHash(crypto.SHA256)); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	} else if err := key.Set(jwk.AlgorithmKey, jwa.EdDSA); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	} else if err := key.Set(jwk.KeyUsageKey, jwk.ForSignature); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return key, nil
}

// newDevIssuerFromKey returns a development issuer for the private key.
func newDevIssuerFromKey(key jwk.Key) (*DevIssuer, error) {
	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("development issuer public key: %w", err)
	}
	return &DevIssuer{key: key, pub: pub}, nil
}

// Mint returns a signed token for subject sub valid for ttl (iss, aud, sub, iat, nbf, exp, and a kid header).
func (d *DevIssuer) Mint(sub string, ttl time.Duration) (string, error) {
	if sub == "" {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "sub", "subject is empty")
	} else if utf8.RuneCountInString(sub) > maxSubjectLength {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "sub", "subject is longer than %d characters", maxSubjectLength)
	} else if ttl < time.Second {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "ttl", "lifetime must be at least one second")
	}

	now := time.Now().Truncate(time.Second)
	tok, err := jwt.NewBuilder().
		Issuer(DevIssuerName).
		Audience([]string{DevAudience}).
		Subject(sub).
		IssuedAt(now).
		NotBefore(now).
		Expiration(now.Add(ttl)).
		Build()
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, d.key)) // a jwk.Key with kid puts kid in the header
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return string(signed), nil
}

// PublicKeys returns the issuer's public key set (for serving as JWKS).
// Each call returns a new set, which the caller may change.
func (d *DevIssuer) PublicKeys() jwk.Set {
	pub, err := d.pub.Clone()
	if err != nil {
		pub = d.pub
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub) // cannot fail: the set is new and empty
	return set
}
