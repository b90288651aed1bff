package userpool

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// NewSigningKey returns a new RS256 signing key for a pool, with the
// sequence number seq: the next key of the emulator's provided keys, or a
// fresh one. Call it outside transactions: generating a key takes long.
func (s *Service) NewSigningKey(poolID string, seq int) (*state.SigningKey, error) {
	priv, err := s.NewRSAKey()
	if err != nil {
		return nil, err
	}
	return s.signingKey(poolID, seq, priv)
}

// ReadySigningKey returns a pool's first signing key when one is ready
// (see emulator.ReadyRSAKey), or nil: then StartKey generates it in the
// background.
func (s *Service) ReadySigningKey(poolID string) (*state.SigningKey, error) {
	priv := s.ReadyRSAKey()
	if priv == nil {
		return nil, nil
	}
	return s.signingKey(poolID, 1, priv)
}

// A pool is created without waiting for its first signing key when none
// is ready: the key is generated in the background (a goroutine of the
// emulator, which Close waits for) and committed when it is. What needs
// the key waits for it: PrepareTokens (inside its transaction, where it
// puts the key itself) and WaitKey (before reading). A pool found without
// a key (its generation was cut short by a crash) gets one the same way.
type pendingKey struct {
	generated chan struct{} // closed when key and err are set
	key       *state.SigningKey
	err       error
	committed chan struct{} // closed when the key is in the state (or will never be)
}

// StartKey starts generating the first signing key of a pool that has
// none, unless it is being generated, and returns its pending key.
func (s *Service) StartKey(poolID string) *pendingKey {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if pk := s.pending[poolID]; pk != nil {
		return pk
	}
	pk := &pendingKey{generated: make(chan struct{}), committed: make(chan struct{})}
	s.pending[poolID] = pk
	run := func() {
		defer func() {
			s.keyMu.Lock()
			delete(s.pending, poolID)
			s.keyMu.Unlock()
			close(pk.committed)
		}()
		priv, err := s.FreshRSAKey()
		if err == nil {
			pk.key, pk.err = s.signingKey(poolID, 1, priv)
		} else {
			pk.err = err
		}
		close(pk.generated)
		if pk.err != nil {
			return
		}
		s.State.Update(func(tx *state.Tx) error {
			// Not when the pool is gone, or has a key: PrepareTokens put
			// this one, or a rotation came first.
			if tx.Pool(poolID) != nil && ActiveKey(tx, poolID) == nil {
				tx.PutSigningKey(pk.key)
			}
			return nil
		})
	}
	if !s.Go(run) {
		run() // closing: generate it here
	}
	return pk
}

// WaitKey waits until the pool has a signing key in the state, starting
// its generation if needed. Call it outside transactions, before reading
// the keys of a pool.
func (s *Service) WaitKey(poolID string) {
	var exists, has bool
	s.State.View(func(tx *state.Tx) error {
		exists, has = tx.Pool(poolID) != nil, ActiveKey(tx, poolID) != nil
		return nil
	})
	if exists && !has {
		<-s.StartKey(poolID).committed
	}
}

// firstKey returns the pool's first signing key for a transaction that
// finds none: it waits for the key to be generated (holding the
// transaction: once per pool, at its first token) and puts it in tx.
func (s *Service) firstKey(tx *state.Tx, poolID string) (*state.SigningKey, error) {
	pk := s.StartKey(poolID)
	<-pk.generated
	if pk.err != nil {
		return nil, pk.err
	}
	tx.PutSigningKey(pk.key)
	return pk.key, nil
}

func (s *Service) signingKey(poolID string, seq int, priv *rsa.PrivateKey) (*state.SigningKey, error) {
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: encode RSA key: %w", err)
	}
	sum := sha256.Sum256(der)
	// Cognito's kids are standard base64 with '+', '/' and '=', which
	// catches verifiers that mangle them.
	kid := base64.StdEncoding.EncodeToString(sum[:])
	return state.NewSigningKey(poolID, seq, kid, "RS256", priv, s.Now())
}

// ActiveKey returns the key that signs a pool's tokens: its newest.
func ActiveKey(tx *state.Tx, poolID string) *state.SigningKey {
	keys := tx.SigningKeys(poolID)
	if len(keys) == 0 {
		return nil
	}
	return keys[len(keys)-1]
}

// PublicJWK returns the JSON Web Key of k's public key.
func PublicJWK(k *state.SigningKey) map[string]string {
	pub := k.Private().PublicKey
	return map[string]string{
		"alg": k.Alg,
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"kid": k.KID,
		"kty": "RSA",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"use": "sig",
	}
}

// JWKS returns the JSON Web Key Set document of keys.
func JWKS(keys []*state.SigningKey) []byte {
	jwks := make([]map[string]string, len(keys))
	for i, k := range keys {
		jwks[i] = PublicJWK(k)
	}
	b, _ := json.Marshal(map[string]any{"keys": jwks})
	return b
}

// PublicKey returns the public key of a pool with the given kid, or nil.
func PublicKey(tx *state.Tx, poolID, kid string) *rsa.PublicKey {
	if k := tx.SigningKey(poolID, kid); k != nil {
		return &k.Private().PublicKey
	}
	return nil
}
