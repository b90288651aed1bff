package cognitotest

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

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
