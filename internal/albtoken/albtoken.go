// Package albtoken builds user-claims tokens the way an Application Load
// Balancer builds the x-amzn-oidc-data header, and serves the signing key
// the way the ALB key endpoint does. The emulator's ALB proxy
// (cognito local --alb) and the tests of package alb use it.
//
// An ALB token is an ES256 JWS whose protected header carries, besides alg
// and kid, the load balancer's ARN (signer), the IdP's issuer (iss), the
// app client ID (client) and the expiry (exp); its payload is the IdP's
// user-info response. Unlike RFC 7515, each segment is base64url WITH its
// padding ("=" up to a multiple of four characters), and the signature is
// computed over the padded header and payload as transmitted. The
// signature is the raw 64-byte R‖S of RFC 7518 section 3.4.
package albtoken

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Header is the protected header of an ALB token, in the member order the
// ALB writes.
type Header struct {
	Typ    string `json:"typ,omitempty"`
	Kid    string `json:"kid"`
	Alg    string `json:"alg"`
	Iss    string `json:"iss"`
	Client string `json:"client"`
	Signer string `json:"signer"`
	Exp    int64  `json:"exp"`
}

// Options change how a token is encoded.
type Options struct {
	// Unpadded encodes the segments as RFC 7515 does (no "="), and signs
	// that. Default false: padded, as the ALB does.
	Unpadded bool
}

// Sign returns the token for h and payload (a JSON object), signed with
// key. h.Alg defaults to ES256 and h.Typ to JWT.
func Sign(key *ecdsa.PrivateKey, h Header, payload []byte, opts Options) (string, error) {
	if h.Alg == "" {
		h.Alg = "ES256"
	}
	if h.Typ == "" {
		h.Typ = "JWT"
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	enc := base64.URLEncoding
	if opts.Unpadded {
		enc = base64.RawURLEncoding
	}
	input := enc.EncodeToString(hdr) + "." + enc.EncodeToString(payload)
	sig, err := SignInput(key, input)
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// SignInput returns the raw R‖S ES256 signature of a signing input.
func SignInput(key *ecdsa.PrivateKey, input string) ([]byte, error) {
	d := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}

// PublicPEM returns the public key as the ALB key endpoint serves it: a
// PEM "PUBLIC KEY" block (SubjectPublicKeyInfo).
func PublicPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePrivatePEM parses an EC private key from a PEM "EC PRIVATE KEY" or
// "PRIVATE KEY" block.
func ParsePrivatePEM(b []byte) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("albtoken: no PEM block")
	}
	if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("albtoken: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("albtoken: %T is not an EC key", k)
	}
	return ec, nil
}

// KeyHandler serves public keys as the ALB key endpoint does: GET /{kid}
// answers the key's PEM document, anything else 404.
type KeyHandler struct {
	pems map[string][]byte
}

// NewKeyHandler returns a KeyHandler for keys (kid → public key).
func NewKeyHandler(keys map[string]*ecdsa.PublicKey) (*KeyHandler, error) {
	h := &KeyHandler{pems: map[string][]byte{}}
	for kid, k := range keys {
		p, err := PublicPEM(k)
		if err != nil {
			return nil, err
		}
		h.pems[kid] = p
	}
	return h, nil
}

func (h *KeyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := h.pems[strings.TrimPrefix(r.URL.Path, "/")]
	if r.Method != http.MethodGet || !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(p)
}
