package weblogin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// KeySize is the size of a cookie key: 32 bytes (256 bits).
const KeySize = 32

const (
	sealVersion = 1
	kidSize     = 4
	nonceSize   = 12
	expSize     = 8
	sealHeader  = 1 + kidSize + nonceSize
)

// NewKey returns a fresh random cookie key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("weblogin: random source failed: %w", err)
	}
	return k, nil
}

// ParseKeys decodes a comma-separated list of base64 (standard or URL,
// padded or not) 32-byte keys, newest first, as kept in an environment
// variable. Errors wrap ErrInvalidConfig and never echo the keys.
func ParseKeys(s string) ([][]byte, error) {
	var out [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var k []byte
		var err error
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if k, err = enc.DecodeString(part); err == nil {
				break
			}
		}
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %d is not %d bytes of base64", ErrInvalidConfig, i+1, KeySize)
		}
		out = append(out, k)
	}
	return out, nil
}

// sealer encrypts and authenticates cookie values with AES-256-GCM under
// keys derived (HKDF-SHA256) from the configured keys for one purpose, so
// that a login-state cookie can never be read as a session cookie. The
// first key seals; every key opens, which allows key rotation.
//
// Wire format (base64url, no padding):
//
//	version(1) | key id(4) | nonce(12) | GCM(expiry unix seconds(8) | data)
//
// The cookie name and purpose are the GCM additional data.
type sealer struct {
	purpose string
	ids     [][kidSize]byte
	aeads   []cipher.AEAD
	now     func() time.Time
}

func newSealer(keys [][]byte, purpose string, now func() time.Time) (*sealer, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: Keys: at least one %d-byte key is required (see NewKey)", ErrInvalidConfig, KeySize)
	}
	s := &sealer{purpose: purpose, now: now}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: Keys[%d] is %d bytes; want %d", ErrInvalidConfig, i, len(k), KeySize)
		}
		if subtle.ConstantTimeCompare(k, make([]byte, KeySize)) == 1 {
			return nil, fmt.Errorf("%w: Keys[%d] is all zeros; use NewKey", ErrInvalidConfig, i)
		}
		dk, err := hkdf.Key(sha256.New, k, nil, "cognitokit/weblogin v1 "+purpose, KeySize)
		if err != nil {
			return nil, fmt.Errorf("%w: derive key: %v", ErrInvalidConfig, err)
		}
		block, err := aes.NewCipher(dk)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		idk, err := hkdf.Key(sha256.New, k, nil, "cognitokit/weblogin v1 key id", kidSize)
		if err != nil {
			return nil, fmt.Errorf("%w: derive key id: %v", ErrInvalidConfig, err)
		}
		var id [kidSize]byte
		copy(id[:], idk)
		s.ids = append(s.ids, id)
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

func (s *sealer) aad(name string) []byte {
	return []byte("v1\x00" + s.purpose + "\x00" + name)
}

// seal returns the cookie value for data, valid until exp.
func (s *sealer) seal(name string, data []byte, exp time.Time) (string, error) {
	buf := make([]byte, sealHeader, sealHeader+expSize+len(data)+16)
	buf[0] = sealVersion
	copy(buf[1:], s.ids[0][:])
	if _, err := rand.Read(buf[1+kidSize : sealHeader]); err != nil {
		return "", fmt.Errorf("weblogin: random source failed: %w", err)
	}
	pt := make([]byte, expSize+len(data))
	binary.BigEndian.PutUint64(pt, uint64(exp.Unix()))
	copy(pt[expSize:], data)
	buf = s.aeads[0].Seal(buf, buf[1+kidSize:sealHeader], pt, s.aad(name))
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// open authenticates and decrypts a cookie value. It fails with
// ErrInvalidCookie for anything but a value sealed by one of the keys for
// this purpose and name, and with ErrExpired after its expiry.
func (s *sealer) open(name, value string, maxLen int) ([]byte, error) {
	if len(value) > maxLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidCookie, maxLen)
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrInvalidCookie)
	}
	if len(raw) < sealHeader+expSize+16 || raw[0] != sealVersion {
		return nil, fmt.Errorf("%w: too short or unknown version", ErrInvalidCookie)
	}
	var aead cipher.AEAD
	for i, id := range s.ids {
		if subtle.ConstantTimeCompare(id[:], raw[1:1+kidSize]) == 1 {
			aead = s.aeads[i]
			break
		}
	}
	if aead == nil {
		return nil, fmt.Errorf("%w: sealed with an unknown key", ErrInvalidCookie)
	}
	pt, err := aead.Open(nil, raw[1+kidSize:sealHeader], raw[sealHeader:], s.aad(name))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrInvalidCookie)
	}
	exp := int64(binary.BigEndian.Uint64(pt))
	if !s.now().Before(time.Unix(exp, 0)) {
		return nil, fmt.Errorf("%w: cookie expired", ErrExpired)
	}
	return pt[expSize:], nil
}
