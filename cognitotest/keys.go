package cognitotest

import (
	"crypto/rsa"
	"sync"
)

// WithSigningKeys gives the server RSA keys to use, in order, for new pools
// and [Pool.RotateKeys] before it generates fresh 2048-bit keys (which
// takes a few hundred milliseconds each). Generate a handful once per test
// binary and pass them to every server to make tests faster. Keys shorter
// than 2048 bits are ignored.
func WithSigningKeys(keys ...*rsa.PrivateKey) Option {
	return func(o *options) {
		for _, k := range keys {
			if k != nil && k.N.BitLen() >= 2048 {
				o.keys = append(o.keys, k)
			}
		}
	}
}

// keyList hands out the keys of WithSigningKeys.
type keyList struct {
	mu   sync.Mutex // guards next
	next int
}

func (s *Server) takeProvidedKey() *rsa.PrivateKey {
	s.keyList.mu.Lock()
	defer s.keyList.mu.Unlock()
	if s.keyList.next >= len(s.opts.keys) {
		return nil
	}
	k := s.opts.keys[s.keyList.next]
	s.keyList.next++
	return k
}
