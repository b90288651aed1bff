package authcore

import (
	"context"
	"fmt"

	"github.com/cognitokit/cognitokit/verifier"
)

// RequireTokenUse returns a policy whose Check accepts only tokens of the
// given use. A mismatch fails with an error matching
// [verifier.ErrWrongTokenUse], which the engine answers like the
// verifier's own token-use check: 401 invalid_token, not 403.
func RequireTokenUse(use verifier.TokenUse) (verifier.Policy, error) {
	if use != verifier.TokenUseID && use != verifier.TokenUseAccess {
		return verifier.Policy{}, fmt.Errorf("%w: RequireTokenUse(%q): use verifier.TokenUseID or verifier.TokenUseAccess", ErrInvalidConfig, use)
	}
	return verifier.Policy{Check: func(_ context.Context, c *verifier.Claims) error {
		if c.TokenUse != use {
			return fmt.Errorf("%w: this resource requires an %s token", verifier.ErrWrongTokenUse, use)
		}
		return nil
	}}, nil
}

// PredicatePolicy wraps a caller's predicate as a policy Check.
func PredicatePolicy(check func(ctx context.Context, c *verifier.Claims) error) (verifier.Policy, error) {
	if check == nil {
		return verifier.Policy{}, fmt.Errorf("%w: the predicate is nil", ErrInvalidConfig)
	}
	return verifier.Policy{Check: check}, nil
}
