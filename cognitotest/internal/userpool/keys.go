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
