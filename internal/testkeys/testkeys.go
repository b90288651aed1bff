package testkeys

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"sync"
)

//go:embed rsa2048.pem
var rsa2048PEM []byte

var parsed = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	var keys []*rsa.PrivateKey
	rest := rsa2048PEM
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return keys, nil
		}
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("testkeys: key %d: %w", len(keys), err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("testkeys: key %d is a %T, not RSA", len(keys), k)
		}
		keys = append(keys, rk)
	}
})

// Count is how many keys RSA2048 can return.
const Count = 12

// RSA2048 returns the first n of the fixed 2048-bit keys, the same ones on
// every call (callers must not modify them). It panics when n > Count or
// the embedded file is broken: a bug of the test, not an input.
func RSA2048(n int) []*rsa.PrivateKey {
	keys, err := parsed()
	if err != nil {
		panic(err)
	}
	if n > len(keys) {
		panic(fmt.Sprintf("testkeys: %d keys asked, %d exist", n, len(keys)))
	}
	return keys[:n:n]
}
