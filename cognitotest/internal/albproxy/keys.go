package albproxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/albtoken"
)

// KeyPath is the path under which the emulator serves the ALB keys: the
// key of kid K is at {URL}/alb/keys/K.
const KeyPath = "/alb/keys"

// Keys is the emulated ALB's signing key, made on first use.
type Keys struct {
	rand io.Reader

	mu  sync.Mutex // guards key, kid, pem
	key *ecdsa.PrivateKey
	kid string
	pem []byte
}

// NewKeys returns the key holder; rand is the source of the key and kid.
func NewKeys(rand io.Reader) *Keys { return &Keys{rand: rand} }

// Current returns the signing key and its kid.
func (k *Keys) Current() (string, *ecdsa.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key == nil {
		key, err := ecdsa.GenerateKey(elliptic.P256(), k.rand)
		if err != nil {
			return "", nil, err
		}
		var b [16]byte
		if _, err := io.ReadFull(k.rand, b[:]); err != nil {
			return "", nil, err
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		pem, err := albtoken.PublicPEM(&key.PublicKey)
		if err != nil {
			return "", nil, err
		}
		k.key, k.pem = key, pem
		k.kid = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	return k.kid, k.key, nil
}

// Route serves the key per kid as a PEM document; 404 for other kids.
func (k *Keys) Route() emulator.Route {
	return emulator.Route{Pattern: "GET " + KeyPath + "/{kid}", Access: emulator.AnyOrigin, Handler: func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		kid, pem := k.kid, k.pem
		k.mu.Unlock()
		if pem == nil || r.PathValue("kid") != kid {
			http.Error(w, "NoSuchKey", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(pem)
	}}
}
