package grpcauth

import (
	"context"
	"fmt"

	"github.com/cognitokit/cognitokit/internal/authcore"
	"github.com/cognitokit/cognitokit/verifier"
)

// RequireAnyGroup returns a policy requiring membership in at least one
// of groups (any-of).
func RequireAnyGroup(groups ...string) verifier.Policy {
	return mustPolicy("RequireAnyGroup", groups, verifier.Policy{AnyGroups: groups})
}

// RequireAllGroups returns a policy requiring membership in every one of
// groups (all-of).
func RequireAllGroups(groups ...string) verifier.Policy {
	return mustPolicy("RequireAllGroups", groups, verifier.Policy{AllGroups: groups})
}

// RequireAnyScope returns a policy requiring at least one of scopes
// (any-of). The PermissionDenied message names them.
func RequireAnyScope(scopes ...string) verifier.Policy {
	return mustPolicy("RequireAnyScope", scopes, verifier.Policy{AnyScopes: scopes})
}

// RequireAllScopes returns a policy requiring every one of scopes
// (all-of).
func RequireAllScopes(scopes ...string) verifier.Policy {
	return mustPolicy("RequireAllScopes", scopes, verifier.Policy{AllScopes: scopes})
}

// RequireTokenUse returns a policy that accepts only ID tokens
// (verifier.TokenUseID) or only access tokens (verifier.TokenUseAccess);
// the other kind is answered codes.Unauthenticated. It panics on any
// other value. The policy sets only Check, so groups and scopes can be
// added to it:
//
//	p := grpcauth.RequireTokenUse(verifier.TokenUseAccess)
//	p.AnyGroups = []string{"admin"}
//
// (Before v1 it returned (verifier.Policy, error); it now has the shape of
// the other requirements.)
func RequireTokenUse(use verifier.TokenUse) verifier.Policy {
	p, err := authcore.RequireTokenUse(use)
	if err != nil {
		panic("grpcauth.RequireTokenUse: " + err.Error())
	}
	return p
}

// RequireFunc returns a policy requiring check to return nil for the
// verified claims. An error is answered codes.PermissionDenied, unless it
// wraps a token sentinel of package verifier (codes.Unauthenticated) or
// verifier.ErrKeysUnavailable (codes.Unavailable). It panics if check is
// nil.
func RequireFunc(check func(ctx context.Context, c *verifier.Claims) error) verifier.Policy {
	p, err := authcore.PredicatePolicy(check)
	if err != nil {
		panic("grpcauth.RequireFunc: " + err.Error())
	}
	return p
}

func mustPolicy(fn string, names []string, p verifier.Policy) verifier.Policy {
	if len(names) == 0 {
		panic("grpcauth." + fn + ": no names given")
	}
	if err := authcore.ValidatePolicy(p); err != nil {
		panic(fmt.Sprintf("grpcauth.%s: %v", fn, err))
	}
	return p
}
