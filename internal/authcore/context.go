package authcore

import (
	"context"
	"fmt"
	"sync"

	"github.com/cognitokit/cognitokit/middleware/auth"
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
	// Extra is what a front door verified besides the claims, such as the
	// *alb.Identity of a request that came through an ALB; set before the
	// context is handed on, read-only afterwards.
	Extra any

	mu     sync.Mutex // guards custom
	custom any        // caller-defined claims, decoded once
}

type stateKey struct{}

// stateCtx is a context carrying a State, allocated together with it: one
// allocation per request instead of two (State plus context.WithValue).
type stateCtx struct {
	context.Context
	st State
}

func (c *stateCtx) Value(key any) any {
	if _, ok := key.(stateKey); ok {
		return &c.st
	}
	return c.Context.Value(key)
}

func (c *stateCtx) String() string { return "authcore.stateCtx" }

// NewContext returns a context derived from parent carrying a new State
// with the given claims, engine and owner, and that State.
func NewContext(parent context.Context, claims *verifier.Claims, eng *Engine, owner any) (context.Context, *State) {
	c := &stateCtx{Context: parent, st: State{Claims: claims, Engine: eng, Owner: owner}}
	return c, &c.st
}

// FromContext returns the State stored by NewContext, or nil (also for a
// nil ctx).
func FromContext(ctx context.Context) *State {
	if ctx == nil {
		return nil
	}
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

// errNilContext is what ClaimsAs returns for a nil context.
var errNilContext = fmt.Errorf("%w: nil context; pass the request's context", auth.ErrInvalidInput)

// ClaimsAs is the ClaimsAs of every transport: [DecodeAs] on the State in
// ctx, and an error wrapping [auth.ErrInvalidInput] for a nil ctx.
func ClaimsAs[T any](ctx context.Context) (*T, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return DecodeAs[T](FromContext(ctx))
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
