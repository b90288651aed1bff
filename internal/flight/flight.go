// Package flight runs one call per key for concurrent callers, each of
// whom waits with its own context.
//
// It is golang.org/x/sync/singleflight's DoChan with the two rules that
// cognitokit's token sources and caches share:
//
//   - A caller whose context ends stops waiting at once and gets the
//     context's error; the others keep waiting.
//   - The call itself does not end with the caller that started it: it runs
//     with [context.WithoutCancel] of that caller's context (values kept,
//     cancellation dropped), so that a request that was sent can finish and
//     its result (a new token, possibly a rotated refresh token) is kept for
//     the next caller instead of being thrown away. The function must bound
//     itself, typically with [context.WithTimeout].
//
// The zero value is ready to use.
package flight

import (
	"context"

	"golang.org/x/sync/singleflight"
)

// Group runs calls that return a V. The zero value is ready to use; a Group
// must not be copied after first use.
type Group[V any] struct {
	g singleflight.Group
}

// Do calls fn once for the concurrent callers of key and returns its result
// to each of them, or ctx's error to a caller whose ctx ends first. fn runs
// in its own goroutine with a context detached from ctx's cancellation (see
// the package documentation). shared reports whether the result was given to
// several callers.
func (g *Group[V]) Do(ctx context.Context, key string, fn func(context.Context) (V, error)) (v V, err error, shared bool) {
	if err := ctx.Err(); err != nil {
		return v, err, false
	}
	ch := g.g.DoChan(key, func() (any, error) {
		return fn(context.WithoutCancel(ctx))
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return v, r.Err, r.Shared
		}
		v, _ = r.Val.(V) // a nil interface V comes back as a nil any
		return v, nil, r.Shared
	case <-ctx.Done():
		return v, ctx.Err(), false
	}
}
