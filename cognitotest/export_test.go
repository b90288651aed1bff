package cognitotest

import (
	"bytes"
	"crypto/rsa"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/boltstore"
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// WithFreshKeys gives the server fixed keys to hand out, in order, where
// it would take a fresh one from the process's stash or generate it
// (Cognito Identity's key; a pool's once WithSigningKeys's are used):
// tests then generate no keys. None may be one of WithSigningKeys's.
func WithFreshKeys(keys ...*rsa.PrivateKey) Option {
	return func(o *options) { o.freshKeys = append(o.freshKeys, keys...) }
}

// JoinOptions returns the Option of opts, in order.
func JoinOptions(opts ...Option) Option {
	return func(o *options) {
		for _, opt := range opts {
			opt(o)
		}
	}
}

// WithStore makes the server keep its state in st (in tests, until the
// persistence issue gives it a public form).
func WithStore(st state.Store) Option { return func(o *options) { o.store = st } }

// OpInfo describes a registered operation.
type OpInfo struct {
	Service string // "cognito-idp" or "cognito-identity"
	Name    string
	Writes  bool
}

// Operations returns the registered operations.
func (s *Server) Operations() []OpInfo {
	var out []OpInfo
	for _, svc := range []emulator.Service{emulator.UserPools, emulator.Identity} {
		for _, op := range s.reg.Ops(svc) {
			out = append(out, OpInfo{string(svc), op.Name, op.Writes})
		}
	}
	return out
}

// StateSnapshot returns every record of the server's state, encoded.
func (s *Server) StateSnapshot() (map[state.Kind]map[string][]byte, error) {
	return s.up.State.Snapshot()
}

// PatchDataDir rewrites every record of the (closed) data directory dir
// with fn, as another emulator would have written them.
func PatchDataDir(dir string, fn func([]byte) []byte) error {
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Update(func(tx state.StoreTx) error {
		for _, kind := range state.Kinds {
			var keys []string
			var vals [][]byte
			tx.List(kind, func(k string, v []byte) error {
				keys, vals = append(keys, k), append(vals, fn(bytes.Clone(v)))
				return nil
			})
			for i, k := range keys {
				if err := tx.Put(kind, k, vals[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DrainKeyStash empties the process's stash of ready RSA keys.
func DrainKeyStash() int { return emulator.DrainKeyStash() }

// DeleteSigningKeys deletes the signing keys of a pool from the (closed)
// data directory dir, as a crash between a pool's creation and its key's
// would leave it.
func DeleteSigningKeys(dir, poolID string) error {
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Update(func(tx state.StoreTx) error {
		var keys []string
		tx.List(state.KindSigningKey, func(k string, _ []byte) error {
			if strings.HasPrefix(k, poolID+"/") {
				keys = append(keys, k)
			}
			return nil
		})
		for _, k := range keys {
			if err := tx.Delete(state.KindSigningKey, k); err != nil {
				return err
			}
		}
		return nil
	})
}
