package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The emulator signs and checks only its own tokens, with its own keys, so
// two RSA algorithms and compact serialization are all it needs; it does
// not use the verifier package (which it exists to test) or a JOSE
// library.

// ErrMalformedJWT reports a token that is not a compact JWS of the
// emulator's shape.
var ErrMalformedJWT = errors.New("malformed JWT")

func hashOf(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256":
		return crypto.SHA256, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

func digest(h crypto.Hash, s string) []byte {
	if h == crypto.SHA512 {
		sum := sha512.Sum512([]byte(s))
		return sum[:]
	}
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// SignJWT returns the compact JWS of header and claims (JSON-encoded)
// signed with priv using alg, "RS256" or "RS512".
func SignJWT(priv *rsa.PrivateKey, alg string, header, claims any) (string, error) {
	h, ok := hashOf(alg)
	if !ok {
		return "", fmt.Errorf("cognitotest: unsupported alg %q", alg)
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("cognitotest: header cannot be encoded as JSON: %w", err)
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("%w: claims cannot be encoded as JSON: %v", ErrInvalidConfig, err)
	}
	var b strings.Builder
	b.Grow(len(hdr)*4/3 + len(body)*4/3 + 350)
	b.WriteString(base64.RawURLEncoding.EncodeToString(hdr))
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(body))
	sig, err := rsa.SignPKCS1v15(nil, priv, h, digest(h, b.String()))
	if err != nil {
		return "", fmt.Errorf("cognitotest: sign token: %w", err)
	}
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(sig))
	return b.String(), nil
}

// JWT is a parsed, not yet verified, compact JWS.
type JWT struct {
	Alg, Kid string
	Payload  []byte // the decoded payload (JSON)
	signed   string // header "." payload, as sent
	sig      []byte
}

// ParseJWT splits and decodes a compact JWS of at most maxLen bytes.
func ParseJWT(token string, maxLen int) (*JWT, error) {
	if token == "" || len(token) > maxLen {
		return nil, ErrMalformedJWT
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		return nil, ErrMalformedJWT
	}
	hdrJSON, err1 := base64.RawURLEncoding.DecodeString(h)
	payload, err2 := base64.RawURLEncoding.DecodeString(p)
	sig, err3 := base64.RawURLEncoding.DecodeString(s)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, ErrMalformedJWT
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(hdrJSON, &hdr) != nil {
		return nil, ErrMalformedJWT
	}
	return &JWT{Alg: hdr.Alg, Kid: hdr.Kid, Payload: payload, signed: token[:len(h)+1+len(p)], sig: sig}, nil
}

// Verify reports whether the signature is valid under pub with the
// token's alg.
func (t *JWT) Verify(pub *rsa.PublicKey) bool {
	h, ok := hashOf(t.Alg)
	return ok && rsa.VerifyPKCS1v15(pub, h, digest(h, t.signed), t.sig) == nil
}
