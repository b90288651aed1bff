package authcore

import (
	"context"
	"sync"

	"github.com/cognitokit/cognitokit/verifier"
)

// State is what the adapters store in a request context.
type State struct {
	// Claims are the verified claims; nil for an anonymous request let
	// through by an optional-credentials configuration.
	Claims *verifier.Claims
	// Engine is the engine that judged the request, so that route-level
	// requirements answer with the same realm, logger and Retry-After.
	Engine *Engine
	// Owner is adapter-specific (such as the net/http error renderer).
	Owner any

	mu     sync.Mutex // guards custom
	custom any        // caller-defined claims, decoded once
}

type stateKey struct{}

// WithState returns a context carrying st.
func WithState(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// FromContext returns the State stored by WithState, or nil.
func FromContext(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// ClaimsFromContext returns the verified claims in ctx, if any.
func ClaimsFromContext(ctx context.Context) (*verifier.Claims, bool) {
	st := FromContext(ctx)
	if st == nil || st.Claims == nil {
		return nil, false
	}
	return st.Claims, true
}

// DecodeAs decodes the verified payload into a new T once per State and
// returns the cached value afterwards. It fails with [ErrNoClaims] when st
// has no claims.
func DecodeAs[T any](st *State) (*T, error) {
	if st == nil || st.Claims == nil {
		return nil, ErrNoClaims
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if t, ok := st.custom.(*T); ok {
		return t, nil
	}
	t := new(T)
	if err := st.Claims.Decode(t); err != nil {
		return nil, err
	}
	if st.custom == nil {
		st.custom = t
	}
	return t, nil
}
