package testkeys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

func TestKeysAreDistinctAndSign(t *testing.T) {
	keys := RSA2048(Count)
	if len(keys) != Count {
		t.Fatalf("got %d keys; want %d", len(keys), Count)
	}
	seen := map[string]bool{}
	digest := sha256.Sum256([]byte("cognitokit"))
	for i, k := range keys {
		if got := k.N.BitLen(); got != 2048 {
			t.Errorf("key %d: got %d bits; want 2048", i, got)
		}
		if seen[k.N.String()] {
			t.Errorf("key %d repeats an earlier key", i)
		}
		seen[k.N.String()] = true
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatalf("key %d: sign: %v", i, err)
		}
		if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			t.Errorf("key %d: verify: %v", i, err)
		}
	}
}

func TestTooManyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("RSA2048(Count+1) did not panic")
		}
	}()
	RSA2048(Count + 1)
}
