package verifier

import (
	"context"
	"slices"
)

// Policy is an optional authorization rule evaluated after a token's
// signature and claims have been verified. All set requirements must hold.
// The zero Policy allows every valid token.
type Policy struct {
	// AnyGroups: the token must be in at least one of these groups.
	AnyGroups []string
	// AllGroups: the token must be in every one of these groups.
	AllGroups []string
	// AnyScopes: the token must carry at least one of these scopes.
	AnyScopes []string
	// AllScopes: the token must carry every one of these scopes.
	AllScopes []string
	// Check, if set, runs last with the verified claims. A non-nil error
	// rejects the token with a [*PolicyError] wrapping ErrCheckFailed and
	// the returned error. It must be safe for concurrent use and must not
	// modify the claims.
	Check func(ctx context.Context, c *Claims) error
}

// IsZero reports whether p has no requirement.
func (p Policy) IsZero() bool {
	return len(p.AnyGroups) == 0 && len(p.AllGroups) == 0 && len(p.AnyScopes) == 0 &&
		len(p.AllScopes) == 0 && p.Check == nil
}

func (p Policy) validate(where string) error {
	for _, list := range [][]string{p.AnyGroups, p.AllGroups, p.AnyScopes, p.AllScopes} {
		for _, s := range list {
			if s == "" {
				return configErrorf("%s has an empty group or scope name", where)
			}
		}
	}
	return nil
}

// Evaluate checks c against p. It returns nil when c satisfies every
// requirement, a [*PolicyError] matching ErrMissingGroup or ErrMissingScope
// when a group or scope is missing, and a [*PolicyError] matching
// ErrCheckFailed (and the Check's own error) when Check rejects c.
// Requirements are checked in the order AllGroups, AnyGroups, AllScopes,
// AnyScopes, Check.
//
// Middleware uses Evaluate for per-route policies on claims returned by
// [Verifier.Verify].
func (p Policy) Evaluate(ctx context.Context, c *Claims) error {
	if c == nil {
		return &PolicyError{Sentinel: ErrCheckFailed, Err: errNilClaims}
	}
	if missing := missingAll(c.Groups, p.AllGroups); missing != nil {
		return &PolicyError{Sentinel: ErrMissingGroup, Missing: missing, All: true}
	}
	if len(p.AnyGroups) > 0 && !c.HasAnyGroup(p.AnyGroups...) {
		return &PolicyError{Sentinel: ErrMissingGroup, Missing: slices.Clone(p.AnyGroups)}
	}
	if missing := missingAll(c.Scopes, p.AllScopes); missing != nil {
		return &PolicyError{Sentinel: ErrMissingScope, Missing: missing, All: true}
	}
	if len(p.AnyScopes) > 0 && !c.HasAnyScope(p.AnyScopes...) {
		return &PolicyError{Sentinel: ErrMissingScope, Missing: slices.Clone(p.AnyScopes)}
	}
	if p.Check != nil {
		if err := p.Check(ctx, c); err != nil {
			return &PolicyError{Sentinel: ErrCheckFailed, Err: err}
		}
	}
	return nil
}

// missingAll returns the elements of want absent from have, or nil.
func missingAll(have, want []string) []string {
	var missing []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			missing = append(missing, w)
		}
	}
	return missing
}
